"""Supervised, monotone binning of a numeric attribute, for :func:`~leadscoring.calibrate`.

Cut points are chosen from the outcomes rather than from quantiles alone:

1. the values are first cut at up to ``prebins`` quantiles, each rounded to two
   significant digits (:func:`~leadscoring.learning.features.nice`), so every cut point
   reads well (``TotalVisits >= 3``, ``Time >= 350``);
2. adjacent pre-bins are pooled until the conversion rate rises (or falls) from bin to bin:
   the pool-adjacent-violators algorithm, which gives the bins of largest binomial
   likelihood among all monotone ones; both directions are tried and the likelier kept;
3. bins with fewer than ``min_count`` values are pooled with the neighbour of closest rate
   (pooling neighbours keeps the rates monotone);
4. while there are more than ``max_bins`` bins, or pooling some adjacent pair would lose
   less log-likelihood than ``min_gain`` (1.92: what a likelihood-ratio test with one
   degree of freedom calls significant at 5%), the pair losing the least is pooled.

Pure Python and deterministic (ties go to the lower value / the first pair).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence

import attrs

__all__ = ["Bin", "monotone_bins", "monotone_cuts"]


@attrs.frozen
class Bin:
    """Values in ``[low, high)`` (``None``: unbounded): how many, and how many converted."""

    low: float | None
    high: float | None
    count: int
    positives: int

    @property
    def rate(self) -> float:
        """The share of the bin's values that converted."""
        return self.positives / self.count

    def loglik(self) -> float:
        """The binomial log-likelihood of the bin at its own rate."""
        return _loglik(self.positives, self.count)


def _loglik(pos: float, n: float) -> float:
    neg = n - pos
    out = 0.0
    if pos > 0:
        out += pos * math.log(pos / n)
    if neg > 0:
        out += neg * math.log(neg / n)
    return out


def _pool(a: Bin, b: Bin) -> Bin:
    return Bin(a.low, b.high, a.count + b.count, a.positives + b.positives)


def _prebins(pairs: Sequence[tuple[float, bool]], prebins: int) -> list[Bin]:
    from .features import nice  # features imports this module: import at call time

    values = [v for v, _ in pairs]
    m = len(values)
    cuts: list[float] = []
    for k in range(1, prebins):
        t = float(nice(values[min(m - 1, (k * m) // prebins)]))
        if values[0] < t <= values[-1] and (not cuts or t > cuts[-1]):
            cuts.append(t)
    edges: list[float | None] = [None, *cuts, None]
    out: list[Bin] = []
    start = 0
    for k in range(len(edges) - 1):
        high = edges[k + 1]
        stop = m if high is None else bisect_left(values, high)
        if stop > start:
            pos = sum(1 for _, y in pairs[start:stop] if y)
            out.append(Bin(edges[k], high, stop - start, pos))
        elif out:  # an empty pre-bin: widen the previous one
            last = out[-1]
            out[-1] = Bin(last.low, high, last.count, last.positives)
        start = stop
    if out and out[0].low is not None:
        out[0] = Bin(None, out[0].high, out[0].count, out[0].positives)
    return out


def _pava(bins: Sequence[Bin], increasing: bool) -> list[Bin]:
    out: list[Bin] = []
    for b in bins:
        out.append(b)
        while len(out) > 1 and (
            (out[-2].rate > out[-1].rate) if increasing else (out[-2].rate < out[-1].rate)
        ):
            top = out.pop()
            out[-1] = _pool(out[-1], top)
    return out


MIN_GAIN = 1.92
"""Half the 95% quantile of chi-square with one degree of freedom (3.84 / 2)."""


def monotone_bins(
    values: Sequence[float],
    labels: Sequence[bool],
    *,
    max_bins: int,
    min_count: int,
    prebins: int = 20,
    min_gain: float = MIN_GAIN,
) -> list[Bin]:
    """Monotone bins of ``values`` (one outcome in ``labels`` each); see the module."""
    if len(values) != len(labels):
        raise ValueError("values and labels differ in length")
    if not values:
        return []
    pairs = sorted(zip((float(v) for v in values), labels, strict=True), key=lambda p: p[0])
    start = _prebins(pairs, max(prebins, 2))
    up, down = _pava(start, True), _pava(start, False)
    bins = up if sum(b.loglik() for b in up) >= sum(b.loglik() for b in down) - 1e-9 else down
    while len(bins) > 1:
        small = [k for k, b in enumerate(bins) if b.count < min_count]
        if not small:
            break
        k = min(small, key=lambda i: (bins[i].count, i))
        if k == 0:
            j = 1
        elif k == len(bins) - 1:
            j = k - 1
        else:
            left, right = bins[k - 1].rate, bins[k + 1].rate
            j = k - 1 if abs(left - bins[k].rate) <= abs(right - bins[k].rate) else k + 1
        a, b = min(j, k), max(j, k)
        bins[a : b + 1] = [_pool(bins[a], bins[b])]
    while len(bins) > 1:
        losses = [
            bins[k].loglik() + bins[k + 1].loglik() - _pool(bins[k], bins[k + 1]).loglik()
            for k in range(len(bins) - 1)
        ]
        k = min(range(len(losses)), key=lambda i: (losses[i], i))
        if len(bins) <= max(max_bins, 1) and losses[k] >= min_gain:
            break
        bins[k : k + 2] = [_pool(bins[k], bins[k + 1])]
    return bins


def monotone_cuts(
    values: Sequence[float],
    labels: Sequence[bool],
    *,
    max_bins: int,
    min_count: int,
    prebins: int = 20,
    min_gain: float = MIN_GAIN,
) -> list[float]:
    """The inner cut points of :func:`monotone_bins` (each bin's lower edge but the first)."""
    bins = monotone_bins(
        values, labels, max_bins=max_bins, min_count=min_count, prebins=prebins, min_gain=min_gain
    )
    return [b.low for b in bins[1:] if b.low is not None]
