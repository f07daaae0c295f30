"""The arithmetic behind :func:`~leadscoring.learning.evaluate`: AUC, bootstrap, deciles, ROC.

Everything takes parallel sequences of scores and outcomes (``True`` = converted) and is
order-independent: ties are handled as halves (AUC) or shared in proportion (deciles).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import attrs

__all__ = [
    "Groups",
    "auc",
    "bootstrap_auc",
    "decile_table",
    "fit_probability",
    "roc_points",
]


@attrs.frozen(kw_only=True)
class Groups:
    """Scores grouped by distinct value, ascending, with lead and conversion counts."""

    values: tuple[float, ...]
    counts: tuple[int, ...]
    positives: tuple[int, ...]

    @classmethod
    def of(cls, scores: Sequence[float], labels: Sequence[bool]) -> Groups:
        """Group ``scores`` (with their ``labels``) by value."""
        counts: Counter[float] = Counter()
        positives: Counter[float] = Counter()
        for s, y in zip(scores, labels, strict=True):
            counts[s] += 1
            if y:
                positives[s] += 1
        values = sorted(counts)
        return cls(values=tuple(values), counts=tuple(counts[v] for v in values),
                   positives=tuple(positives[v] for v in values))


def _auc_counts(pos: Sequence[float], neg: Sequence[float]) -> float:
    """AUC from conversions and non-conversions per score group (ascending scores)."""
    total_pos, total_neg = math.fsum(pos), math.fsum(neg)
    below = 0.0
    wins = 0.0
    for p, n in zip(pos, neg, strict=True):
        wins += p * (below + 0.5 * n)
        below += n
    return wins / (total_pos * total_neg)


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The probability that a converted lead outscores a non-converted one (ties: half).

    >>> auc([1, 2, 2, 3], [False, False, True, True])
    0.875
    """
    g = Groups.of(scores, labels)
    neg = [c - p for c, p in zip(g.counts, g.positives, strict=True)]
    return _auc_counts(g.positives, neg)


def _quantile(ordered: Sequence[float], q: float) -> float:
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def bootstrap_auc(
    scores: Sequence[float],
    labels: Sequence[bool],
    *,
    rounds: int,
    confidence: float,
    seed: int,
) -> tuple[float, float]:
    """A percentile confidence interval for the AUC from a stratified bootstrap.

    Converted and non-converted leads are resampled separately (so every round has both),
    ``rounds`` times, with ``random.Random(seed)``: the same input gives the same interval.
    """
    g = Groups.of(scores, labels)
    pos_rank: list[int] = []
    neg_rank: list[int] = []
    for k, (c, p) in enumerate(zip(g.counts, g.positives, strict=True)):
        pos_rank.extend([k] * p)
        neg_rank.extend([k] * (c - p))
    rng = random.Random(seed)
    size = len(g.values)
    found = []
    for _ in range(rounds):
        pc = Counter(rng.choices(pos_rank, k=len(pos_rank)))
        nc = Counter(rng.choices(neg_rank, k=len(neg_rank)))
        found.append(_auc_counts([pc[k] for k in range(size)], [nc[k] for k in range(size)]))
    found.sort()
    tail = (1.0 - confidence) / 2.0
    return _quantile(found, tail), _quantile(found, 1.0 - tail)


@attrs.frozen(kw_only=True)
class DecileCounts:
    """One tenth of the leads, best scores first: leads, conversions and score range."""

    decile: int
    leads: float
    conversions: float
    score_sum: float
    low: float
    high: float


def decile_table(scores: Sequence[float], labels: Sequence[bool]) -> list[DecileCounts]:
    """Split the leads, best first, into ten equal tenths.

    Leads tied on a score that straddles a boundary are shared between the tenths in
    proportion (the expected value over random tie-breaking), so each tenth holds exactly
    ``n / 10`` leads and the table does not depend on the order of the input.
    """
    g = Groups.of(scores, labels)
    n = len(scores)
    bounds = [k * n / 10 for k in range(11)]
    leads = [0.0] * 10
    conv = [0.0] * 10
    sums = [0.0] * 10
    low = [math.inf] * 10
    high = [-math.inf] * 10
    start = 0.0
    for value, count, pos in zip(reversed(g.values), reversed(g.counts), reversed(g.positives),
                                 strict=True):
        end = start + count
        for d in range(10):
            share = min(end, bounds[d + 1]) - max(start, bounds[d])
            if share > 1e-12:
                leads[d] += share
                conv[d] += pos * share / count
                sums[d] += value * share
                low[d] = min(low[d], value)
                high[d] = max(high[d], value)
        start = end
    return [
        DecileCounts(decile=d + 1, leads=leads[d], conversions=conv[d], score_sum=sums[d],
                     low=low[d], high=high[d])
        for d in range(10)
    ]


def roc_points(scores: Sequence[float], labels: Sequence[bool]) -> list[tuple[float, float]]:
    """``(false positive rate, true positive rate)`` at every distinct threshold, from
    ``(0, 0)`` (nobody flagged) to ``(1, 1)`` (everybody)."""
    g = Groups.of(scores, labels)
    total_pos = sum(g.positives)
    total_neg = sum(g.counts) - total_pos
    out = [(0.0, 0.0)]
    tp = fp = 0
    for count, pos in zip(reversed(g.counts), reversed(g.positives), strict=True):
        tp += pos
        fp += count - pos
        out.append((fp / total_neg, tp / total_pos))
    return out


def fit_probability(scores: Sequence[float], labels: Sequence[bool]) -> tuple[float, float]:
    """``(a, b)`` of the logistic curve ``p = 1 / (1 + exp(-(a + b * score)))`` that fits
    the outcomes best (maximum likelihood by Newton's method; ``b = 0`` if scores are flat)."""
    g = Groups.of(scores, labels)
    n = sum(g.counts)
    mean = math.fsum(v * c for v, c in zip(g.values, g.counts, strict=True)) / n
    spread = math.sqrt(math.fsum((v - mean) ** 2 * c for v, c in zip(g.values, g.counts,
                                                                      strict=True)) / n)
    rate = sum(g.positives) / n
    a, b = math.log(rate / (1.0 - rate)), 0.0
    if spread == 0.0:
        return a, 0.0
    xs = [(v - mean) / spread for v in g.values]
    for _ in range(100):
        ga = gb = haa = hab = hbb = 0.0
        for x, c, y in zip(xs, g.counts, g.positives, strict=True):
            p = _sigmoid(a + b * x)
            w = c * p * (1.0 - p)
            ga += y - c * p
            gb += (y - c * p) * x
            haa += w
            hab += w * x
            hbb += w * x * x
        det = haa * hbb - hab * hab
        if det <= 1e-12:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        step = max(abs(da), abs(db))
        if step > 5.0:  # keep far-off starts (separable data) from overshooting
            da, db = da * 5.0 / step, db * 5.0 / step
        a, b = a + da, b + db
        if step < 1e-10:
            break
    return a - b * mean / spread, b / spread


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
