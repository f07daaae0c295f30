"""Decay: how the points of an event fade with its age.

Every decay gives a weight in ``[0, 1]`` that never increases with age and is ``1`` at age
zero. Weights are evaluated lazily at the ``as_of`` of each score: nothing stored drifts.

Each decay class owns its formula, once, in the three forms the engines need:

- ``weight_at(at, as_of)`` and ``weigher(as_of)`` on datetimes (the object engine);
- ``weigher_us(as_of_us)`` on integer microseconds since the epoch (the incremental
  :class:`~leadscoring.Scorer`);
- ``weights_us(at_us, as_of_us)`` on a numpy array of microseconds (the columnar engine).

The forms compute the very same numbers: ``timedelta.total_seconds()`` and
``timedelta / timedelta`` are integer microseconds divided exactly, so the microsecond
forms are written that way (``tests/test_decay.py`` checks the forms against each other).

>>> HalfLife(days=30).weight(timedelta(days=60))
0.25
>>> Linear(over="90d").weight(timedelta(days=45))
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
from dateutil.relativedelta import relativedelta

from .errors import InvalidModelError, InvalidValueError
from .limits import is_finite, number_repr
from .times import (
    MAX_YEARS,
    Duration,
    format_duration,
    parse_duration,
    span_us,
    sub_duration,
    sub_duration_us,
)

if TYPE_CHECKING:
    import numpy as np

    Array: TypeAlias = np.ndarray[Any, Any]

Weigher: TypeAlias = Callable[[datetime], float]
"""The weight at a fixed ``as_of`` of an event that happened at the given time."""

UsWeigher: TypeAlias = Callable[[int], float]
"""The same on integer microseconds since the epoch."""

__all__ = ["Decay", "HalfLife", "Linear", "NoDecay", "Steps", "UsWeigher", "Weigher", "Window"]

_DAY = 86_400.0
_US_PER_S = 1_000_000


def _one(_: object) -> float:
    return 1.0


def _duration(field: str, value: object, *, calendar: bool = False) -> Duration:
    try:
        return parse_duration(value, field, calendar=calendar)
    except InvalidValueError as exc:
        raise InvalidModelError(exc.message, path=field) from None


def _fixed(field: str, value: object) -> timedelta:
    result = _duration(field, value)
    if not isinstance(result, timedelta):  # pragma: no cover - parse_duration guarantees it
        raise InvalidModelError("must be a fixed duration", path=field)
    return result


def _over(value: timedelta | str) -> timedelta:
    return _fixed("over", value)


@attrs.frozen(repr=False)
class NoDecay:
    """Points never fade: weight 1 at every age."""

    def weight(self, age: timedelta) -> float:
        """The weight of an event ``age`` old."""
        return 1.0

    def weight_at(self, at: datetime, as_of: datetime) -> float:
        """The weight at ``as_of`` of an event that happened at ``at``."""
        return 1.0

    def weigher(self, as_of: datetime) -> Weigher:
        """``weight_at(at, as_of)`` as a function of ``at`` alone."""
        return _one

    def weigher_us(self, as_of_us: int) -> UsWeigher:
        """``weight_at`` on integer microseconds since the epoch."""
        return _one

    def weights_us(self, at_us: Array, as_of_us: int) -> Array:
        """``weight_at`` for an array of microseconds (each ``<= as_of_us``)."""
        import numpy as np

        return np.ones(at_us.shape, dtype=np.float64)

    def factor_us(self, span: int) -> float:
        """How much a weight shrinks over ``span`` microseconds: not at all."""
        return 1.0

    def settles(self) -> tuple[Duration, float] | None:
        """The age from which the weight no longer changes, and that weight (never)."""
        return None


    def __repr__(self) -> str:
        return "NoDecay()"


def _positive_days(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidModelError(f"expected a number of days, got {value!r}", path="days")
    if not is_finite(value) or value <= 0:
        raise InvalidModelError(
            f"must be a positive finite number, got {number_repr(value)}", path="days"
        )
    if value > 365 * MAX_YEARS:
        raise InvalidModelError(f"longer than {MAX_YEARS} years: {value!r}", path="days")
    return value


@attrs.frozen(repr=False)
class HalfLife:
    """Points halve every ``days``: ``weight = 0.5 ** (age / half_life)``."""

    days: float = attrs.field(default=30, converter=_positive_days)

    @property
    def seconds(self) -> float:
        """The half-life in seconds."""
        return self.days * _DAY

    def weight(self, age: timedelta) -> float:
        """The weight of an event ``age`` old."""
        return float(0.5 ** (max(age.total_seconds(), 0.0) / (self.days * _DAY)))

    def weight_at(self, at: datetime, as_of: datetime) -> float:
        """The weight at ``as_of`` of an event that happened at ``at``."""
        return self.weight(as_of - at)

    def weigher(self, as_of: datetime) -> Weigher:
        """``weight_at(at, as_of)`` as a function of ``at`` alone (the same expression)."""
        seconds = self.days * _DAY

        def half_life(at: datetime) -> float:
            weight: float = 0.5 ** (max((as_of - at).total_seconds(), 0.0) / seconds)
            return weight

        return half_life

    def weigher_us(self, as_of_us: int) -> UsWeigher:
        """``weight_at`` on integer microseconds since the epoch."""
        seconds = self.days * _DAY

        def half_life(at: int) -> float:
            weight: float = 0.5 ** (max((as_of_us - at) / _US_PER_S, 0.0) / seconds)
            return weight

        return half_life

    def weights_us(self, at_us: Array, as_of_us: int) -> Array:
        """``weight_at`` for an array of microseconds (each ``<= as_of_us``)."""
        import numpy as np

        age = np.maximum((as_of_us - at_us.astype(np.int64)) / _US_PER_S, 0.0)
        weights: Array = np.power(0.5, age / (self.days * _DAY))
        return weights

    def factor_us(self, span: int) -> float:
        """How much a weight shrinks over ``span`` microseconds: ``0.5 ** (span / h)``."""
        factor: float = 0.5 ** (max(span / _US_PER_S, 0.0) / (self.days * _DAY))
        return factor

    def settles(self) -> tuple[Duration, float] | None:
        """A half-life keeps changing at every age."""
        return None


    def __repr__(self) -> str:
        return f"HalfLife(days={self.days!r})"


@attrs.frozen(repr=False)
class Linear:
    """Points fall in a straight line to zero ``over`` a span: ``max(0, 1 - age / over)``."""

    over: timedelta = attrs.field(converter=_over)

    def weight(self, age: timedelta) -> float:
        """The weight of an event ``age`` old."""
        return max(0.0, 1.0 - max(age, timedelta(0)) / self.over)

    def weight_at(self, at: datetime, as_of: datetime) -> float:
        """The weight at ``as_of`` of an event that happened at ``at``."""
        return self.weight(as_of - at)

    def weigher(self, as_of: datetime) -> Weigher:
        """``weight_at(at, as_of)`` as a function of ``at`` alone."""
        weight = self.weight
        return lambda at: weight(as_of - at)

    def weigher_us(self, as_of_us: int) -> UsWeigher:
        """``weight_at`` on integer microseconds since the epoch."""
        over = span_us(self.over)
        return lambda at: max(0.0, 1.0 - max(as_of_us - at, 0) / over)

    def weights_us(self, at_us: Array, as_of_us: int) -> Array:
        """``weight_at`` for an array of microseconds (each ``<= as_of_us``)."""
        import numpy as np

        age = np.maximum(as_of_us - at_us.astype(np.int64), 0)
        weights: Array = np.maximum(0.0, 1.0 - age / span_us(self.over))
        return weights

    def settles(self) -> tuple[Duration, float] | None:
        """From ``over`` on, the weight is 0 for good."""
        return self.over, 0.0


    def __repr__(self) -> str:
        return f"Linear(over={format_duration(self.over)!r})"


@attrs.frozen(init=False, repr=False)
class Window:
    """Full points while the event is inside the window ending at ``as_of``, else none.

    The window is ``(as_of - length, as_of]``: an event exactly ``length`` old is out.
    Give ``days`` (fixed length) or ``months`` (calendar months, so ``Window(months=1)``
    on 31 March reaches back to 28 or 29 February).
    """

    length: Duration

    def __init__(
        self,
        *,
        days: float | None = None,
        months: int | None = None,
        length: Duration | str | None = None,
    ) -> None:
        given = [x is not None for x in (days, months, length)]
        if sum(given) != 1:
            raise InvalidModelError("give exactly one of days or months", path="Window")
        if days is not None:
            length = timedelta(days=_positive_days(days))
        elif months is not None:
            if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
                raise InvalidModelError(
                    f"months must be a positive whole number, got {months!r}", path="months"
                )
            if months > 12 * MAX_YEARS:
                raise InvalidModelError(f"longer than {MAX_YEARS} years: {months!r}", path="months")
            length = relativedelta(months=months)
        else:
            length = _duration("length", length, calendar=True)
        self.__attrs_init__(length)

    @property
    def calendar(self) -> bool:
        """Whether the window is in calendar months."""
        return isinstance(self.length, relativedelta)

    def weight(self, age: timedelta) -> float:
        """The weight of an event ``age`` old (fixed-length windows only)."""
        if isinstance(self.length, relativedelta):
            raise InvalidValueError(
                "age",
                f"{self!r} is in calendar months; use weight_at(at, as_of) with real dates",
            )
        return 1.0 if age < self.length else 0.0

    def weight_at(self, at: datetime, as_of: datetime) -> float:
        """The weight at ``as_of`` of an event that happened at ``at``."""
        return 1.0 if at > sub_duration(as_of, self.length) else 0.0

    def weigher(self, as_of: datetime) -> Weigher:
        """``weight_at(at, as_of)`` as a function of ``at`` alone."""
        start = sub_duration(as_of, self.length)
        return lambda at: 1.0 if at > start else 0.0

    def weigher_us(self, as_of_us: int) -> UsWeigher:
        """``weight_at`` on integer microseconds since the epoch."""
        start = sub_duration_us(as_of_us, self.length)
        return lambda at: 1.0 if at > start else 0.0

    def weights_us(self, at_us: Array, as_of_us: int) -> Array:
        """``weight_at`` for an array of microseconds (each ``<= as_of_us``)."""
        import numpy as np

        weights: Array = (at_us > sub_duration_us(as_of_us, self.length)).astype(np.float64)
        return weights

    def settles(self) -> tuple[Duration, float] | None:
        """Once out of the window, an event weighs 0 for good."""
        return self.length, 0.0


    def __repr__(self) -> str:
        if isinstance(self.length, relativedelta):
            months = self.length.years * 12 + self.length.months
            return f"Window(months={months})"
        days = self.length / timedelta(days=1)
        return f"Window(days={int(days) if days == int(days) else days!r})"


def _steps(value: Iterable[tuple[object, object]]) -> tuple[tuple[timedelta, float], ...]:
    out: list[tuple[timedelta, float]] = []
    try:
        items = list(value)
    except TypeError:
        raise InvalidModelError("expected a list of [age, weight] pairs", path="steps") from None
    if not items:
        raise InvalidModelError("needs at least one [age, weight] step", path="steps")
    for i, item in enumerate(items):
        path = f"steps[{i}]"
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidModelError("expected an [age, weight] pair", path=path)
        age, weight = item
        start = _fixed(f"{path}[0]", age)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise InvalidModelError(f"weight must be a number, got {weight!r}", path=f"{path}[1]")
        if not 0.0 <= weight <= 1.0:
            raise InvalidModelError(f"weight must be in [0, 1], got {weight!r}", path=f"{path}[1]")
        if out and start <= out[-1][0]:
            raise InvalidModelError("ages must increase from step to step", path=f"{path}[0]")
        if out and weight > out[-1][1]:
            raise InvalidModelError("weights must not increase with age", path=f"{path}[1]")
        out.append((start, float(weight)))
    return tuple(out)


@attrs.frozen(init=False, repr=False)
class Steps:
    """Piecewise-constant weights: each ``(age, weight)`` step holds from that age on.

    Before the first step the weight is 1, so every step's age must be positive.

    >>> Steps([("7d", 1.0), ("30d", 0.5), ("90d", 0.0)]).weight(timedelta(days=40))
    0.5
    """

    steps: tuple[tuple[timedelta, float], ...]

    def __init__(self, steps: Iterable[tuple[timedelta | str, float]]) -> None:
        self.__attrs_init__(_steps(steps))

    def weight(self, age: timedelta) -> float:
        """The weight of an event ``age`` old."""
        result = 1.0
        for start, weight in self.steps:
            if age < start:
                break
            result = weight
        return result

    def weight_at(self, at: datetime, as_of: datetime) -> float:
        """The weight at ``as_of`` of an event that happened at ``at``."""
        return self.weight(as_of - at)

    def weigher(self, as_of: datetime) -> Weigher:
        """``weight_at(at, as_of)`` as a function of ``at`` alone."""
        weight = self.weight
        return lambda at: weight(as_of - at)

    def weigher_us(self, as_of_us: int) -> UsWeigher:
        """``weight_at`` on integer microseconds since the epoch."""
        steps = [(span_us(start), weight) for start, weight in self.steps]

        def stepped(at: int) -> float:
            age, result = as_of_us - at, 1.0
            for start, weight in steps:
                if age < start:
                    break
                result = weight
            return result

        return stepped

    def weights_us(self, at_us: Array, as_of_us: int) -> Array:
        """``weight_at`` for an array of microseconds (each ``<= as_of_us``)."""
        import numpy as np

        starts = np.array([span_us(start) for start, _ in self.steps], dtype=np.int64)
        values = np.array([1.0, *(weight for _, weight in self.steps)], dtype=np.float64)
        weights: Array = values[np.searchsorted(starts, as_of_us - at_us.astype(np.int64),
                                                side="right")]  # fmt: skip
        return weights

    def settles(self) -> tuple[Duration, float] | None:
        """From the last step's age on, the weight is the last step's for good."""
        start, weight = self.steps[-1]
        return start, weight


    def __repr__(self) -> str:
        inner = ", ".join(f"({format_duration(a)!r}, {w!r})" for a, w in self.steps)
        return f"Steps([{inner}])"


Decay: TypeAlias = NoDecay | HalfLife | Linear | Window | Steps
"""Any decay value."""
