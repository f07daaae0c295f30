"""Per-lead, per-rule state of the incremental :class:`~leadscoring.Scorer`.

Each event or repeat rule gets a *plan*, chosen once from the rule's decay, limit and kind;
the plan keeps the smallest state that gives the rule's exact raw sum at any ``as_of`` at
or after the lead's latest event, whatever order the events arrive in:

==============================  =============================================  =============
rule                            state per lead                                 size
==============================  =============================================  =============
half-life or no decay           ``W`` (sum of weights at ``ref``), ``ref``, n  constant
linear, window, steps           times still changing weight, a settled count   events in span
``Limit(count=N)``              the N earliest times                           N
``Limit(count, per=...)``       every matching time (a late event can change   matching events
repeat rule                     which later ones count), replayed when needed
rate rule                       every time matching each side (the moment it   matching events
                                became met can lie far back), evaluated when
                                asked
==============================  =============================================  =============

Times are integer microseconds since the Unix epoch; weights come from each decay's
``weigher_us`` and which events count from :mod:`leadscoring.scoring.semantics`.
A plan's ``value(state, as_of)`` returns ``(weight_sum, count, last)``: the rule's raw
points are ``points * weight_sum``.

Every plan's state is a function of the multiset of the rule's matching times (a lead's
history, whatever order it arrived in), so two states combine exactly:
``absorb(state, other)`` makes ``state`` the state of both histories, as if every event of
``other`` had been added to ``state`` (:meth:`Scorer.link <leadscoring.Scorer.link>` unites
an alias's history with its lead's this way):

==============================  =============================================================
plan                            how two states combine
==============================  =============================================================
``DecayedSum``                  arithmetic: both sums weighed to the later ``ref``, added
``KeptTimes``                   union of the kept times and settled counts, settled again
                                against the later latest time
``FirstN``                      union of the kept times, the N earliest kept
``Sequential``                  union of the times, replayed through the limiter or repeater
``RateTimes``                   union of each side's times
==============================  =============================================================
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right, insort
from typing import Any, Protocol

from ..core.decay import Decay, HalfLife, NoDecay
from ..core.times import sub_duration_us
from .compiled import CompiledRule, RuleKind
from .packing import pack, unpack
from .semantics import Limiter, Rate, Repeater, limiter_for, rate_at, repeater_for
from .snapshot_checks import check_float, check_int, check_length, check_time, check_times

__all__ = [
    "DecayedSum",
    "KeptTimes",
    "LeadState",
    "Plan",
    "RateTimes",
    "output_plan",
    "plan_for",
]

Value = tuple[float, int, int]
"""``(sum of weights at as_of, events counted, time of the latest counted event)``."""


class Plan(Protocol):
    """How one rule's state is kept: start, add a time, absorb another state (of another
    history), value at ``as_of``, to/from data."""

    def start(self) -> Any: ...

    def add(self, state: Any, at: int) -> None: ...

    def absorb(self, state: Any, other: Any) -> None: ...

    def value(self, state: Any, as_of: int) -> Value: ...

    def to_data(self, state: Any) -> Any: ...

    def from_data(self, data: Any) -> Any: ...


class LeadState:
    """What the scorer keeps for one lead: its latest event, the ids seen (with each
    event's fingerprint), one state per rule (``None`` until the rule first matches), the
    activity log (:class:`~leadscoring.scoring.activity_log.ActivityLog`), the journey
    evidence (one decay state per stage) and the interest counts
    (:class:`~leadscoring.scoring.signal_state.Tally`); each ``None`` until needed.

    ``foreign`` holds the ids (already qualified, ``source/id``) of the events that came
    from an alias (:meth:`Scorer.link <leadscoring.Scorer.link>`): when this lead is in
    turn linked to another, they keep their qualification by their own source, and the
    lead's own ids are qualified by this lead.
    """

    __slots__ = ("activity", "foreign", "ids", "interest", "journey", "latest", "rules")

    def __init__(self, rule_count: int) -> None:
        self.latest: int | None = None
        self.rules: list[Any] = [None] * rule_count
        self.ids: dict[str, str] | None = None
        self.foreign: set[str] | None = None
        self.activity: Any = None
        self.journey: list[Any] | None = None
        self.interest: Any = None


# --------------------------------------------------------------------- decayed sum


class _Sum:
    __slots__ = ("n", "ref", "w")

    def __init__(self, w: float = 0.0, ref: int = 0, n: int = 0) -> None:
        self.w, self.ref, self.n = w, ref, n


def _no_decay(span: int) -> float:
    return 1.0


class DecayedSum:
    """Half-life or no decay: ``W(t2) = W(t1) * 0.5 ** ((t2 - t1) / h) + 1`` per event."""

    def __init__(self, decay: HalfLife | NoDecay) -> None:
        self.factor = _no_decay if isinstance(decay, NoDecay) else decay.factor_us

    def start(self) -> _Sum:
        return _Sum()

    def add(self, state: _Sum, at: int) -> None:
        if state.n == 0:
            state.w, state.ref = 1.0, at
        elif at >= state.ref:
            state.w = state.w * self.factor(at - state.ref) + 1.0
            state.ref = at
        else:  # a late event: weigh it down to the reference time
            state.w += self.factor(state.ref - at)
        state.n += 1

    def absorb(self, state: _Sum, other: _Sum) -> None:
        """Both sums weighed to the later reference time, added."""
        if other.n == 0:
            return
        if state.n == 0:
            state.w, state.ref, state.n = other.w, other.ref, other.n
            return
        ref = max(state.ref, other.ref)
        state.w = state.w * self.factor(ref - state.ref) + other.w * self.factor(ref - other.ref)
        state.ref = ref
        state.n += other.n

    def value(self, state: _Sum, as_of: int) -> Value:
        return state.w * self.factor(as_of - state.ref), state.n, state.ref

    def to_data(self, state: _Sum) -> list[Any]:
        return [state.w, state.ref, state.n]

    def from_data(self, data: list[Any]) -> _Sum:
        w, ref, n = check_length(data, 3)
        state = _Sum(check_float(w), check_time(ref), check_int(n))
        if state.n == 0 or state.w == 0.0:
            raise ValueError("a rule state with no events is not kept")
        if self.factor is _no_decay and state.w != state.n:
            raise ValueError(f"an undecayed sum {state.w!r} disagrees with its count {state.n}")
        if state.w > state.n:
            raise ValueError(f"a sum of weights {state.w!r} exceeds its count {state.n}")
        return state


# --------------------------------------------------------------------- kept times


class _Kept:
    __slots__ = ("settled", "times", "top")

    def __init__(self, settled: int = 0, top: int | None = None) -> None:
        self.settled, self.top = settled, top
        self.times: list[int] = []


class KeptTimes:
    """Linear, window and step decays: the times whose weight may still change.

    Once an event is older than the decay's last change (``settle_point``) at the rule's
    latest time, it weighs the final weight forever: counted (or dropped when that is 0).
    """

    def __init__(self, decay: Decay) -> None:
        self.decay = decay
        settles = decay.settles()
        if settles is None:  # pragma: no cover - half-life and no decay use DecayedSum
            raise TypeError(f"{decay!r} never settles")
        self.span, self.final = settles

    def cutoff(self, at: int) -> int:
        """The latest time whose weight is final at ``at`` and at every later moment."""
        return sub_duration_us(at, self.span)

    def start(self) -> _Kept:
        return _Kept()

    def add(self, state: _Kept, at: int) -> None:
        insort(state.times, at)
        if state.top is None or at > state.top:
            state.top = at
        self._settle(state, state.top)

    def _settle(self, state: _Kept, top: int) -> None:
        settled = bisect_right(state.times, self.cutoff(top))
        if settled:
            if self.final > 0.0:
                state.settled += settled
            del state.times[:settled]

    def absorb(self, state: _Kept, other: _Kept) -> None:
        """The union of both kept times and settled counts, settled again against the
        later latest time (an event settled on either side is settled on the union)."""
        if other.top is None:
            return
        state.times = list(heapq.merge(state.times, other.times))
        state.settled += other.settled
        state.top = other.top if state.top is None else max(state.top, other.top)
        self._settle(state, state.top)

    def value(self, state: _Kept, as_of: int) -> Value:
        weigh = self.decay.weigher_us(as_of)
        total, count = 0.0, 0
        for at in state.times:
            weight = weigh(at)
            if weight > 0.0:
                total += weight
                count += 1
        total += state.settled * self.final
        return total, count + state.settled, 0 if state.top is None else state.top

    def to_data(self, state: _Kept) -> list[Any]:
        return [state.settled, state.top, pack(state.times)]

    def from_data(self, data: list[Any]) -> _Kept:
        settled, top, times = check_length(data, 3)
        state = _Kept(check_int(settled), None if top is None else check_time(top))
        state.times = check_times(unpack(times))
        if state.times and (state.top is None or state.times[-1] > state.top):
            raise ValueError("the latest time is before a kept time")
        if state.top is None and state.settled:
            raise ValueError("settled events without a latest time")
        return state


def output_plan(decay: Decay) -> DecayedSum | KeptTimes:
    """The plan that sums ``decay``'s weights: constant-size for a half-life or no decay,
    the times still changing weight otherwise."""
    return DecayedSum(decay) if isinstance(decay, HalfLife | NoDecay) else KeptTimes(decay)


# --------------------------------------------------------------------- first N


class FirstN:
    """``Limit(count=N)`` without ``per``: only the N earliest matching events count."""

    def __init__(self, count: int, decay: Decay) -> None:
        self.count, self.decay = count, decay

    def start(self) -> list[int]:
        return []

    def add(self, state: list[int], at: int) -> None:
        if len(state) < self.count:
            insort(state, at)
        elif at < state[-1]:  # an earlier event arrived late: it displaces the latest
            insort(state, at)
            state.pop()

    def absorb(self, state: list[int], other: list[int]) -> None:
        """The N earliest of both (each side keeps its N earliest, so the union's N
        earliest are among them)."""
        state[:] = list(heapq.merge(state, other))[: self.count]

    def value(self, state: list[int], as_of: int) -> Value:
        weigh = self.decay.weigher_us(as_of)
        weights = [w for w in map(weigh, state) if w > 0.0]
        return sum(weights), len(weights), state[-1] if state else 0

    def to_data(self, state: list[int]) -> Any:
        return pack(state)

    def from_data(self, data: Any) -> list[int]:
        times = check_times(unpack(data))
        if len(times) > self.count:
            raise ValueError(f"{len(times)} times kept for a limit of {self.count}")
        return times


# --------------------------------------------------------------------- sequential


class _Seq:
    __slots__ = ("counter", "out", "times")

    def __init__(self, out: Any, counter: Limiter[int] | Repeater[int] | None) -> None:
        self.times = array("q")
        self.counter = counter
        self.out = out


class Sequential:
    """Limits with ``per`` and repeat rules: whether an event counts depends on the ones
    before it, so every matching time is kept; in-order events go through the rule's
    :class:`~leadscoring.scoring.semantics.Limiter` or ``Repeater`` in O(1), a late one
    replays the rule's times for that lead.
    """

    def __init__(self, rule: CompiledRule) -> None:
        self.rule = rule
        self.output = output_plan(rule.decay)
        self.repeat = rule.kind is RuleKind.REPEAT

    def _counter(self) -> Limiter[int] | Repeater[int] | None:
        return repeater_for(self.rule, us=True) if self.repeat else limiter_for(self.rule, us=True)

    def start(self) -> _Seq:
        return _Seq(self.output.start(), self._counter())

    def _step(self, state: _Seq, at: int) -> None:
        counter = state.counter
        if isinstance(counter, Repeater):
            if not counter.fire(at):
                return
        elif counter is not None and not counter.admit(at):
            return
        self.output.add(state.out, at)

    def add(self, state: _Seq, at: int) -> None:
        times = state.times
        if not times or at >= times[-1]:
            times.append(at)
            self._step(state, at)
            return
        insort(times, at)
        self._replay(state)

    def absorb(self, state: _Seq, other: _Seq) -> None:
        """The union of both histories' times, replayed (whether an event counts depends
        on the events before it, on either side)."""
        if not other.times:
            return
        state.times = array("q", heapq.merge(state.times, other.times))
        self._replay(state)

    def _replay(self, state: _Seq) -> None:
        state.counter = self._counter()
        state.out = self.output.start()
        for at in state.times:
            self._step(state, at)

    def value(self, state: _Seq, as_of: int) -> Value:
        return self.output.value(state.out, as_of)

    def to_data(self, state: _Seq) -> Any:
        return pack(state.times)

    def from_data(self, data: Any) -> _Seq:
        state = self.start()
        state.times = array("q", check_times(unpack(data)))
        self._replay(state)
        return state


# --------------------------------------------------------------------- rates


class _Sides:
    __slots__ = ("denominator", "numerator")

    def __init__(self) -> None:
        self.numerator = array("q")
        self.denominator = array("q")


class RateTimes:
    """Rate rules: the times of the events matching each side, in order. Whether the rule
    is met, and since when, is worked out at ``as_of``
    (:func:`~leadscoring.scoring.semantics.rate_at`): the moment it became met can lie
    any distance back, and a late event can move it, so no time can be dropped.
    """

    def __init__(self, rule: CompiledRule) -> None:
        self.rule = rule

    def start(self) -> _Sides:
        return _Sides()

    def add(self, state: _Sides, at: int) -> None:
        """An event matching both sides (see :meth:`add_sides`)."""
        self.add_sides(state, at, numerator=True, denominator=True)

    def add_sides(self, state: _Sides, at: int, *, numerator: bool, denominator: bool) -> None:
        """An event at ``at`` matching the numerator, the denominator or both."""
        for wanted, times in ((numerator, state.numerator), (denominator, state.denominator)):
            if not wanted:
                continue
            if not times or at >= times[-1]:
                times.append(at)
            else:
                insort(times, at)

    def absorb(self, state: _Sides, other: _Sides) -> None:
        """The union of both histories' times, side by side."""
        state.numerator = array("q", heapq.merge(state.numerator, other.numerator))
        state.denominator = array("q", heapq.merge(state.denominator, other.denominator))

    def check(self, state: _Sides, as_of: int) -> Rate | None:
        """The rule at ``as_of`` (``None``: not met)."""
        return rate_at(self.rule, state.numerator, state.denominator, as_of, us=True)

    def value(self, state: _Sides, as_of: int) -> Value:
        found = self.check(state, as_of)
        if found is None:
            return 0.0, 0, 0
        since: int = found.since
        return self.rule.decay.weigher_us(as_of)(since), 1, since

    def to_data(self, state: _Sides) -> list[Any]:
        return [pack(state.numerator), pack(state.denominator)]

    def from_data(self, data: Any) -> _Sides:
        numerator, denominator = check_length(data, 2)
        state = _Sides()
        state.numerator = array("q", check_times(unpack(numerator)))
        state.denominator = array("q", check_times(unpack(denominator)))
        if not state.numerator and not state.denominator:
            raise ValueError("a rule state with no events is not kept")
        return state


def plan_for(rule: CompiledRule) -> Plan | None:
    """The plan for ``rule``, or ``None`` for attribute and reactivation rules."""
    if rule.kind is RuleKind.RATE:
        return RateTimes(rule)
    if rule.kind is RuleKind.REPEAT or (rule.kind is RuleKind.EVENT and rule.limit_per is not None):
        return Sequential(rule)
    if rule.kind is not RuleKind.EVENT:
        return None
    if rule.limit_count is not None:
        return FirstN(rule.limit_count, rule.decay)
    return output_plan(rule.decay)
