"""The scoring rules for one lead at a time, on datetimes or integer microseconds.

The object engine (:func:`~leadscoring.score`) runs these on ``datetime`` s and the
incremental :class:`~leadscoring.Scorer` on integer microseconds since the epoch: the
counting classes are generic in the time type and take the window start as a function,
which is :func:`window_start` or :func:`window_start_us`, the same rule on either type.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, MutableSequence, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from ...core.lead import Lead
from ...core.times import Duration, span_us, sub_duration, sub_duration_us

if TYPE_CHECKING:
    from ...signals.activity import Reactivation
    from ..compiled import CompiledModel, CompiledRule

__all__ = [
    "Limiter",
    "Rate",
    "Repeater",
    "Totals",
    "attribute_points",
    "clamp",
    "event_points",
    "finish",
    "limiter_for",
    "rate_at",
    "rate_met",
    "reactivation_points",
    "repeater_for",
    "window_exit",
    "window_exit_us",
    "window_start",
    "window_start_us",
]

T = TypeVar("T", datetime, int)
"""A moment: an aware UTC datetime, or integer microseconds since the Unix epoch."""

# ------------------------------------------------------------------------ windows


def window_start(at: datetime, span: Duration) -> datetime:
    """The start of the trailing window ``(at - span, at]``.

    Calendar spans (months, years) follow ``dateutil.relativedelta`` (31 March minus one
    month is 28 or 29 February); a start before year 1 is
    :data:`~leadscoring.core.times.BEFORE_CALENDAR`, earlier than every moment, so a
    window of a thousand years in year 950 holds every event.
    """
    return sub_duration(at, span)


def window_start_us(at: int, span: Duration) -> int:
    """:func:`window_start` on integer microseconds since the epoch (exact)."""
    return sub_duration_us(at, span)


def window_exit(at: datetime, span: timedelta) -> datetime:
    """The first moment whose trailing window (:func:`window_start`) no longer holds an
    event at ``at``: ``at + span``, for a fixed ``span``.

    From that moment on the window start is ``>= at``, and the window is half-open, so
    the event is out; a microsecond earlier it was in. (For an event at the earliest
    moment, which no window holds, it is just a moment where nothing changes.) Only asked
    for events that have left the window by some later moment, so it never overflows.
    """
    return at + span


def window_exit_us(at: int, span: timedelta) -> int:
    """:func:`window_exit` on integer microseconds since the epoch (exact)."""
    return at + span_us(span)


def _starts(span: Duration, us: bool) -> Callable[[Any], Any]:
    """The window start for ``span``, one function per span shared by every counter."""
    found = _STARTS.get((span, us))
    if found is None:
        if us:
            found = _STARTS.setdefault((span, us), lambda at: sub_duration_us(at, span))
        else:
            found = _STARTS.setdefault((span, us), lambda at: sub_duration(at, span))
    return found


# ------------------------------------------------------------------------ counting


class Limiter(Generic[T]):
    """``Limit(count, per)`` for one rule and lead, fed the matching events in time order.

    An event counts only if fewer than ``count`` earlier counted events lie inside
    ``(at - per, at]``; without ``per``, only the first ``count`` events ever count.
    (The window is a list, or an array of microseconds, read from ``head``: far smaller
    than a deque, and the incremental scorer keeps one per lead and rule.)
    """

    __slots__ = ("count", "counted", "head", "start_of")

    def __init__(
        self,
        count: int,
        start_of: Callable[[T], T] | None,
        times: MutableSequence[T] | None = None,
    ) -> None:
        self.count = count
        self.start_of: Callable[[T], T] | None = start_of
        self.counted: MutableSequence[T] = [] if times is None else times
        self.head = 0

    def admit(self, at: T) -> bool:
        """Whether the event at ``at`` counts (and, if it does, remember it)."""
        counted = self.counted
        if self.start_of is not None:
            self.head = _drop_until(counted, self.head, self.start_of(at))
        if len(counted) - self.head >= self.count:
            return False
        counted.append(at)
        return True


class Repeater(Generic[T]):
    """``RepeatRule(times, within)`` for one rule and lead, fed matching events in time order.

    It fires at the event that completes ``times`` matching events inside
    ``(at - within, at]``, and cannot fire again until ``within`` has passed since it
    fired: a firing at ``last`` blocks every event whose window still holds ``last``.
    """

    __slots__ = ("head", "last", "start_of", "times", "window")

    def __init__(
        self, times: int, start_of: Callable[[T], T], window: MutableSequence[T] | None = None
    ) -> None:
        self.times = times
        self.start_of: Callable[[T], T] = start_of
        self.window: MutableSequence[T] = [] if window is None else window
        self.head = 0
        self.last: T | None = None

    @property
    def count(self) -> int:
        """How many matching events the window holds now."""
        return len(self.window) - self.head

    def fire(self, at: T) -> bool:
        """Whether the rule fires at the event at ``at``."""
        window = self.window
        window.append(at)
        start = self.start_of(at)
        self.head = _drop_until(window, self.head, start)
        if len(window) - self.head < self.times or (self.last is not None and self.last > start):
            return False
        self.last = at
        return True


def _drop_until(times: MutableSequence[T], head: int, start: T) -> int:
    """Move ``head`` past the times ``<= start``; compact the list once most is dropped."""
    end = len(times)
    while head < end and times[head] <= start:
        head += 1
    if head > 8 and head * 2 > end:
        del times[:head]
        return 0
    return head


_STARTS: dict[tuple[Duration, bool], Callable[[Any], Any]] = {}


# ------------------------------------------------------------------------ rates


def rate_met(rule: CompiledRule, numerator: int, denominator: int) -> bool:
    """Whether a rate rule holds with ``numerator`` and ``denominator`` matching events in
    its window: ``denominator >= min_denominator`` and ``numerator / denominator >=
    at_least`` (a float division of the two counts, the same on every engine)."""
    return denominator >= rule.min_denominator and numerator / denominator >= rule.at_least


class Rate(NamedTuple):
    """A rate rule met at ``as_of``: since when (the moment it last became met), and the
    numerator and denominator events its window holds at ``as_of``."""

    since: Any
    numerator: int
    denominator: int


def rate_at(
    rule: CompiledRule,
    numerator: Sequence[T],
    denominator: Sequence[T],
    as_of: T,
    *,
    us: bool = False,
) -> Rate | None:
    """The rate rule ``rule`` at ``as_of``, from the sorted times of the lead's events
    matching its ``numerator`` and its ``denominator`` (datetimes, or microseconds with
    ``us``); ``None`` when it is not met at ``as_of``.

    The counts ``k`` and ``n`` in the window ``(window_start(t), t]`` change only when an
    event enters it (at its own time) or leaves it (at :func:`window_exit`), so the rule's
    state is evaluated at each of those moments up to ``as_of``, and at ``as_of``; between
    two of them nothing changes. ``since`` is the first moment of the last run of moments
    at which the rule holds (times after ``as_of`` are not seen).
    """
    numerator = numerator[: bisect_right(numerator, as_of)]
    denominator = denominator[: bisect_right(denominator, as_of)]
    if not numerator or len(denominator) < rule.min_denominator:
        return None  # k = 0 never reaches at_least > 0; n never reaches min_denominator
    span = rule.within
    if span is None:  # pragma: no cover - compiled rate rules always have one
        raise TypeError(f"rule {rule.name!r} is not a rate rule")
    start_of = _starts(span, us)
    exit_of: Callable[[Any, timedelta], Any] = window_exit_us if us else window_exit
    gone = start_of(as_of)  # the events at or before it have left the window by as_of
    moments: set[T] = set(numerator)
    moments.update(denominator)
    moments.add(as_of)
    for times in (numerator, denominator):
        for at in times[: bisect_right(times, gone)]:
            out: T = exit_of(at, span)
            if out <= as_of:
                moments.add(out)
    since: T | None = None
    k = n = 0
    for moment in sorted(moments):
        start = start_of(moment)
        k = bisect_right(numerator, moment) - bisect_right(numerator, start)
        n = bisect_right(denominator, moment) - bisect_right(denominator, start)
        if not rate_met(rule, k, n):
            since = None
        elif since is None:
            since = moment
    return None if since is None else Rate(since, k, n)


def limiter_for(rule: CompiledRule, *, us: bool = False) -> Limiter[Any] | None:
    """A fresh :class:`Limiter` for ``rule`` (``None``: the rule has no limit)."""
    if rule.limit_count is None:
        return None
    per = rule.limit_per
    return Limiter(rule.limit_count, None if per is None else _starts(per, us), _store(us))


def repeater_for(rule: CompiledRule, *, us: bool = False) -> Repeater[Any]:
    """A fresh :class:`Repeater` for the repeat rule ``rule``."""
    if rule.within is None:  # pragma: no cover - compiled repeat rules always have one
        raise TypeError(f"rule {rule.name!r} is not a repeat rule")
    return Repeater(rule.times, _starts(rule.within, us), _store(us))


def _store(us: bool) -> MutableSequence[Any]:
    """Where a counter keeps its window: 8 bytes a time for microseconds, else a list."""
    return array("q") if us else []


# ------------------------------------------------------------------------ points


def event_points(rule: CompiledRule, weight: float) -> float | None:
    """The points one counted event (or firing) gives at ``weight``; ``None`` when it
    weighs nothing (it is then not a contribution)."""
    if weight > 0.0:
        return rule.points * weight
    return None


def attribute_points(rule: CompiledRule, lead: Lead) -> float | None:
    """An attribute rule's points if ``lead`` matches (once, never decayed), else ``None``."""
    return rule.points if rule.match_lead(lead) else None


def reactivation_points(
    rule: CompiledRule, found: Reactivation, as_of: datetime
) -> tuple[float, float] | None:
    """``(weight, points)`` a reactivation rule gives for ``found`` at ``as_of``: only for
    the rule's ``kinds``, decayed from the reactivation's own time; ``None`` otherwise."""
    if rule.kinds is not None and found.kind not in rule.kinds:
        return None
    weight = rule.decay.weight_at(found.at, as_of)
    points = event_points(rule, weight)
    return None if points is None else (weight, points)


# ------------------------------------------------------------------------ finishing


def clamp(value: float, low: float | None, high: float | None) -> float:
    """``value`` clamped to ``[low, high]`` (either end may be open)."""
    if low is not None and value < low:
        return low + 0.0  # a cap of 0 gives -0.0 as its low end; report 0.0
    if high is not None and value > high:
        return high
    return value


class Totals(NamedTuple):
    """A lead's numbers after the finishing step (a tuple: one is made per lead scored)."""

    total: float
    fit: float
    engagement: float
    by_group: dict[str, float]
    by_rule: dict[str, float]


def finish(compiled: CompiledModel, rule_sums: Sequence[float]) -> Totals:
    """Rule caps, then group caps, then ``fit`` (groups of attribute rules) and
    ``engagement`` (the others), then the total clamped to floor and ceiling."""
    by_rule: dict[str, float] = {}
    by_group: dict[str, float] = dict.fromkeys(compiled.groups, 0.0)
    for cr in compiled.rules:
        value = rule_sums[cr.index]
        cap = cr.cap
        if cap is not None:
            value = clamp(value, -cap, cap)
        by_rule[cr.name] = value
        by_group[cr.group] += value
    fit = engagement = 0.0
    group_caps, fit_groups = compiled.group_caps, compiled.fit_groups
    for group, value in by_group.items():
        cap = group_caps.get(group)
        if cap is not None:
            value = by_group[group] = clamp(value, -cap, cap)
        if group in fit_groups:
            fit += value
        else:
            engagement += value
    model = compiled.model
    return Totals(clamp(fit + engagement, model.floor, model.ceiling), fit, engagement,
                  by_group, by_rule)  # fmt: skip
