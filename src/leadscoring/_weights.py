"""Decay weights on integer microseconds, for the incremental and the columnar paths.

:class:`~leadscoring.Scorer` and :func:`~leadscoring.score_frame` keep times as integer
microseconds since the Unix epoch (UTC). The functions here give, for such times, the very
numbers ``decay.weight_at(at, as_of)`` gives for datetimes: ``timedelta.total_seconds()``
and ``timedelta / timedelta`` are integer microseconds divided exactly, so they are
written that way here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from .decay import _DAY, Decay, HalfLife, Linear, NoDecay, Steps, Window

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "EPOCH",
    "from_us",
    "half_life_factor",
    "settle_point",
    "to_us",
    "us_weigher",
    "vector_weights",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_US_PER_S = 1_000_000


def to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    return (moment - EPOCH) // _US


def from_us(us: int) -> datetime:
    """The UTC datetime ``us`` microseconds after the Unix epoch (exact)."""
    return EPOCH + timedelta(microseconds=us)


def _span_us(span: timedelta) -> int:
    return span // _US


def half_life_factor(decay: HalfLife | NoDecay) -> Callable[[int], float]:
    """How much a weight shrinks over ``d`` microseconds: ``0.5 ** (d / half_life)``."""
    if isinstance(decay, NoDecay):
        return lambda d: 1.0
    seconds = decay.days * _DAY
    return lambda d: 0.5 ** (max(d / _US_PER_S, 0.0) / seconds)


def us_weigher(decay: Decay, as_of_us: int) -> Callable[[int], float]:
    """``decay.weight_at(at, as_of)`` as a function of ``at`` in microseconds."""
    if isinstance(decay, NoDecay):
        return lambda at: 1.0
    if isinstance(decay, HalfLife):
        seconds = decay.days * _DAY
        return lambda at: 0.5 ** (max((as_of_us - at) / _US_PER_S, 0.0) / seconds)
    if isinstance(decay, Linear):
        over = _span_us(decay.over)
        return lambda at: max(0.0, 1.0 - max(as_of_us - at, 0) / over)
    if isinstance(decay, Window):
        if isinstance(decay.length, relativedelta):
            cutoff = to_us(from_us(as_of_us) - decay.length)
        else:
            cutoff = as_of_us - _span_us(decay.length)
        return lambda at: 1.0 if at > cutoff else 0.0
    steps = [(_span_us(start), weight) for start, weight in decay.steps]

    def stepped(at: int) -> float:
        age, result = as_of_us - at, 1.0
        for start, weight in steps:
            if age < start:
                break
            result = weight
        return result

    return stepped


def settle_point(decay: Linear | Window | Steps) -> tuple[Callable[[int], int], float]:
    """When a weight stops changing: ``(cutoff, final_weight)``.

    ``cutoff(t)`` is the latest time whose weight is ``final_weight`` at ``t`` and at every
    later moment: an event at or before it weighs ``final_weight`` from then on.
    """
    if isinstance(decay, Linear):
        over = _span_us(decay.over)
        return (lambda t: t - over), 0.0
    if isinstance(decay, Window):
        length = decay.length
        if isinstance(length, relativedelta):
            return (lambda t: to_us(from_us(t) - length)), 0.0
        span = _span_us(length)
        return (lambda t: t - span), 0.0
    start, weight = decay.steps[-1]
    last = _span_us(start)
    return (lambda t: t - last), weight


def vector_weights(decay: Decay, at_us: npt.NDArray[Any], as_of_us: int) -> np.ndarray[Any, Any]:
    """``decay.weight_at`` for an array of times in microseconds (all ``<= as_of``)."""
    import numpy as np

    age = as_of_us - at_us.astype(np.int64)
    if isinstance(decay, NoDecay):
        return np.ones(age.shape, dtype=np.float64)
    if isinstance(decay, HalfLife):
        seconds = np.maximum(age / _US_PER_S, 0.0)
        return np.power(0.5, seconds / (decay.days * _DAY))
    if isinstance(decay, Linear):
        return np.maximum(0.0, 1.0 - np.maximum(age, 0) / _span_us(decay.over))
    if isinstance(decay, Window):
        if isinstance(decay.length, relativedelta):
            cutoff = to_us(from_us(as_of_us) - decay.length)
        else:
            cutoff = as_of_us - _span_us(decay.length)
        return (at_us > cutoff).astype(np.float64)
    starts = np.array([_span_us(start) for start, _ in decay.steps], dtype=np.int64)
    values = np.array([1.0, *(weight for _, weight in decay.steps)], dtype=np.float64)
    return values[np.searchsorted(starts, age, side="right")]
