"""The population stability index (PSI) and its bands: pure numbers, no scores.

:func:`psi` of two distributions over the same bins, :func:`psi_band` of its value,
:func:`score_edges` for quantile bins of a score. :func:`~leadscoring.learning.drift.drift`
applies them to two populations of scores; its module docstring has the arithmetic.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from typing import Literal

from ..core.errors import InvalidValueError
from ..core.limits import is_finite
from . import metrics as _metrics

__all__ = [
    "ACT_ABOVE",
    "EPSILON",
    "STABLE_BELOW",
    "DriftBand",
    "psi",
    "psi_band",
    "score_edges",
]

DriftBand = Literal["stable", "watch", "act"]
"""How far a distribution moved: ``stable`` (PSI < 0.1), ``watch`` (0.1 to 0.25), ``act``
(> 0.25)."""

EPSILON = 1e-4
"""The share used in place of 0 in the PSI, so an empty bin gives a finite term."""

STABLE_BELOW = 0.1
"""A PSI below this is ``stable``."""

ACT_ABOVE = 0.25
"""A PSI above this is ``act``; from :data:`STABLE_BELOW` to this, both included, ``watch``."""


def psi_band(value: float) -> DriftBand:
    """The band of a PSI: ``stable`` (< 0.1), ``watch`` (0.1 to 0.25, both included), ``act``.

    >>> psi_band(0.1), psi_band(0.25), psi_band(0.2501)
    ('watch', 'watch', 'act')
    """
    if value < STABLE_BELOW:
        return "stable"
    return "watch" if value <= ACT_ABOVE else "act"


def _term(then: float, now: float) -> float:
    a, b = max(then, EPSILON), max(now, EPSILON)
    return (b - a) * math.log(b / a)


def psi(then: Sequence[float], now: Sequence[float]) -> float:
    """The population stability index of two distributions over the same bins.

    ``then`` and ``now`` are each bin's share (0 to 1); a share of 0 counts as
    :data:`EPSILON`. ``Σ (now − then) · ln(now / then)``, always ``>= 0``.

    >>> round(psi([0.25, 0.25, 0.25, 0.25], [0.4, 0.2, 0.2, 0.2]), 4)
    0.104
    """
    if len(then) != len(now):
        raise InvalidValueError(
            "now", f"has {len(now)} share(s) and then has {len(then)}; give one per bin to both"
        )
    for name, shares in (("then", then), ("now", now)):
        for index, share in enumerate(shares):
            if not _is_number(share) or not 0 <= share <= 1:
                raise InvalidValueError(
                    f"{name}[{index}]", f"must be a share from 0 to 1, got {share!r}"
                )
    return math.fsum(_term(a, b) for a, b in zip(then, now, strict=True))


def _is_number(value: object) -> bool:
    return is_finite(value)  # a number (not a bool) within float range: never overflows


def score_edges(values: Sequence[float], bins: int) -> tuple[float, ...]:
    """The inner edges of ``bins`` quantile bins of ``values``, equal edges collapsed.

    >>> score_edges([1, 2, 3, 4, 5, 6, 7, 8], 4)
    (2.75, 4.5, 6.25)
    >>> score_edges([0, 0, 0, 0, 0, 0, 5, 9], 4)
    (0.0, 1.25)
    """
    ordered = sorted(float(v) for v in values)
    return tuple(sorted({_metrics._quantile(ordered, k / bins) for k in range(1, bins)}))


def _shares(values: Sequence[float], edges: Sequence[float]) -> list[float]:
    """The share of ``values`` in each bin: ``(edges[i - 1], edges[i]]``, open at the ends."""
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[bisect_left(edges, value)] += 1
    return [c / len(values) for c in counts]
