"""The scoring engine: :func:`score`, :func:`score_all` and :func:`timeline`.

Pure functions: the time is passed in as ``as_of``, nothing is stored between calls, and
the result does not depend on the order of the events given.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from ._mapping import FrozenMap
from ._time import format_duration, parse_duration, to_utc
from .compiled import CompiledModel, CompiledRule, RuleKind
from .event import Event, dedupe_sorted
from .exceptions import InvalidValueError, UnknownLeadError
from .lead import Lead
from .model import ScoringModel
from .results import LeadScore, Row, lead_score
from .typing import Timestamp

__all__ = [
    "OnUnknown",
    "UnknownLeadWarning",
    "finish_score",
    "group_events",
    "score",
    "score_all",
    "score_prepared",
    "timeline",
]

OnUnknown = Literal["raise", "warn", "ignore"]


class UnknownLeadWarning(UserWarning):
    """Events named leads that were not given (issued with ``on_unknown="warn"``)."""


def _clamp(value: float, low: float | None, high: float | None) -> float:
    if low is not None and value < low:
        return low + 0.0  # a cap of 0 gives -0.0 as its low end; report 0.0
    if high is not None and value > high:
        return high
    return value


def finish_score(
    lead_id: str,
    as_of: datetime,
    compiled: CompiledModel,
    rule_sums: Sequence[float],
    contributions: Iterable[Row],
) -> LeadScore:
    """Apply rule caps, group caps, floor and ceiling to raw per-rule sums.

    ``contributions`` are rows (:data:`leadscoring.results.Row`), in ``Contribution``'s
    field order; the ``LeadScore`` turns them into ``Contribution`` s when asked.
    """
    model = compiled.model
    by_rule: dict[str, float] = {}
    by_group: dict[str, float] = dict.fromkeys(compiled.groups, 0.0)
    for cr in compiled.rules:
        value = rule_sums[cr.index]
        cap = cr.cap
        if cap is not None:
            value = _clamp(value, -cap, cap)
        by_rule[cr.name] = value
        by_group[cr.group] += value
    fit = engagement = 0.0
    group_caps, fit_groups = compiled.group_caps, compiled.fit_groups
    for group, value in by_group.items():
        cap = group_caps.get(group)
        if cap is not None:
            value = by_group[group] = _clamp(value, -cap, cap)
        if group in fit_groups:
            fit += value
        else:
            engagement += value
    return lead_score(
        lead_id,
        as_of,
        _clamp(fit + engagement, model.floor, model.ceiling),
        fit,
        engagement,
        FrozenMap(by_group),
        FrozenMap(by_rule),
        tuple(contributions),
    )


def _limited(cr: CompiledRule, at: datetime, counted: dict[int, deque[datetime]]) -> bool:
    """Whether a limit stops this event; records it as counted when it does not."""
    history = counted.setdefault(cr.index, deque())
    if cr.limit_per is not None:
        start = at - cr.limit_per
        while history and history[0] <= start:
            history.popleft()
    if cr.limit_count is not None and len(history) >= cr.limit_count:
        return True
    history.append(at)
    return False


@lru_cache(maxsize=64)
def _within(span: timedelta) -> str:
    return format_duration(span)


def score_prepared(
    lead: Lead, events: Sequence[Event], compiled: CompiledModel, as_of: datetime
) -> LeadScore:
    """Score ``lead`` from its own events, already sorted, deduplicated and ``<= as_of``.

    The loop asks only the rules the event's type and key property can match
    (:class:`~leadscoring._dispatch.Dispatch`), each for the test left once those are
    known, and reads decay weights from closures made once per ``as_of``.
    """
    sums = [0.0] * len(compiled.rules)
    out: list[Row] = []  # plain tuples: cheap to make, and the collector skips them
    for cr in compiled.attribute_rules:
        if cr.match_lead(lead):
            sums[cr.index] += cr.points
            out.append((cr.name, cr.group, None, None, cr.points, 1.0, cr.points, None))
    counted: dict[int, deque[datetime]] = {}
    repeats: dict[int, deque[datetime]] = {}
    fired: dict[int, datetime] = {}
    weighers = compiled.weighers(as_of)
    buckets, any_type = compiled.dispatch.buckets, compiled.dispatch.any_type
    repeat = RuleKind.REPEAT
    for event in events:
        at = event.at
        bucket = buckets.get(event.type)  # Dispatch.candidates(event), inlined
        if bucket is None:
            candidates = any_type
        elif bucket.key is None:
            candidates = bucket.rest
        else:
            candidates = bucket.table.get(event.properties.get(bucket.key), bucket.rest)  # type: ignore[arg-type]
        for cr, test in candidates:
            if test is not None and not test(event):
                continue
            note = None
            if cr.kind is repeat:
                window = repeats.setdefault(cr.index, deque())
                window.append(at)
                start = at - cr.within  # type: ignore[operator]
                while window[0] <= start:
                    window.popleft()
                last = fired.get(cr.index)
                if len(window) < cr.times or (last is not None and at - last < cr.within):  # type: ignore[operator]
                    continue
                fired[cr.index] = at
                note = f"{len(window)} matching events within {_within(cr.within)}"
            elif cr.limit_count is not None and _limited(cr, at, counted):
                continue
            weight = weighers[cr.index](at)
            if weight > 0.0:
                points = cr.points * weight
                sums[cr.index] += points
                out.append((cr.name, cr.group, event.id, at, cr.points, weight, points, note))
    if compiled.reactivation_rules and events:
        _reactivations(lead, events, compiled, as_of, sums, out)
    return finish_score(lead.id, as_of, compiled, sums, out)


def _reactivations(
    lead: Lead,
    events: Sequence[Event],
    compiled: CompiledModel,
    as_of: datetime,
    sums: list[float],
    out: list[Row],
) -> None:
    from .activity import find_reactivations

    for found in find_reactivations(lead, events, compiled.model.dormancy, as_of):
        for cr in compiled.reactivation_rules:
            if cr.kinds is not None and found.kind not in cr.kinds:
                continue
            weight = cr.decay.weight_at(found.at, as_of)
            if weight > 0.0:
                points = cr.points * weight
                sums[cr.index] += points
                note = f"{found.kind} after {found.silence.days} days of silence"
                out.append(
                    (cr.name, cr.group, found.event_id, found.at, cr.points, weight, points, note)
                )


def _not_an_event(index: int, item: object) -> InvalidValueError:
    return InvalidValueError(f"events[{index}]", f"expected an Event, got {type(item).__name__}")


def _prepare(lead_id: str, events: Iterable[Event], as_of: datetime | None) -> list[Event]:
    mine = []
    for index, e in enumerate(events):
        if not isinstance(e, Event):
            raise _not_an_event(index, e)
        if e.lead_id == lead_id and (as_of is None or e.at <= as_of):
            mine.append(e)
    return dedupe_sorted(mine)


def _check_lead(lead: object) -> Lead:
    if not isinstance(lead, Lead):
        raise InvalidValueError("lead", f"expected a Lead, got {type(lead).__name__}")
    return lead


def _check_model(model: object) -> ScoringModel:
    if not isinstance(model, ScoringModel):
        raise InvalidValueError("model", f"expected a ScoringModel, got {type(model).__name__}")
    return model


def score(
    lead: Lead, events: Iterable[Event], model: ScoringModel, *, as_of: Timestamp
) -> LeadScore:
    """Score one lead at ``as_of`` (an aware datetime or an ISO 8601 string with an offset).

    Events of other leads and events after ``as_of`` are ignored; copies of an event
    (same ``id``) count once, and two different events sharing an ``id`` raise
    :class:`~leadscoring.InvalidEventError`.

    >>> from datetime import UTC
    >>> rule = EventRule(name="page", when={"type": "page_view"}, points=10)
    >>> m = ScoringModel(name="m", rules=[rule], default_decay=HalfLife(days=30))
    >>> ev = Event(lead_id="L1", type="page_view", at="2026-05-01T00:00:00Z")
    >>> score(Lead(id="L1"), [ev], m, as_of=datetime(2026, 5, 31, tzinfo=UTC)).total
    5.0
    """
    lead, model = _check_lead(lead), _check_model(model)
    moment = to_utc(as_of, "as_of")
    return score_prepared(lead, _prepare(lead.id, events, moment), model.compiled, moment)


def group_events(
    leads: Sequence[Lead],
    events: Iterable[Event],
    *,
    as_of: datetime | None,
    on_unknown: OnUnknown = "raise",
) -> dict[str, list[Event]]:
    """Each lead's events (sorted, deduplicated, ``<= as_of``), keyed by lead id.

    Events of unknown leads raise :class:`~leadscoring.UnknownLeadError`, or warn with
    :class:`UnknownLeadWarning`, or are skipped, as ``on_unknown`` says.
    """
    if on_unknown not in ("raise", "warn", "ignore"):
        raise InvalidValueError(
            "on_unknown", f"must be 'raise', 'warn' or 'ignore', got {on_unknown!r}"
        )
    grouped: dict[str, list[Event]] = {}
    for lead in leads:
        _check_lead(lead)
        if lead.id in grouped:
            raise InvalidValueError("leads", f"lead id {lead.id!r} is given twice")
        grouped[lead.id] = []
    unknown: dict[str, int] = {}
    for index, event in enumerate(events):
        if not isinstance(event, Event):
            raise _not_an_event(index, event)
        bucket = grouped.get(event.lead_id)
        if bucket is None:
            unknown[event.lead_id] = unknown.get(event.lead_id, 0) + 1
        elif as_of is None or event.at <= as_of:
            bucket.append(event)
    if unknown and on_unknown != "ignore":
        error = UnknownLeadError(sorted(unknown), sum(unknown.values()))
        if on_unknown == "raise":
            raise error
        warnings.warn(str(error), UnknownLeadWarning, stacklevel=3)
    return {lead_id: dedupe_sorted(evs) for lead_id, evs in grouped.items()}


def score_all(
    leads: Iterable[Lead],
    events: Iterable[Event],
    model: ScoringModel,
    *,
    as_of: Timestamp,
    on_unknown: OnUnknown = "raise",
) -> list[LeadScore]:
    """Score many leads at once: one :class:`LeadScore` per lead, in the leads' order.

    Leads without events still get their fit score. Events whose ``lead_id`` matches no
    lead raise :class:`~leadscoring.UnknownLeadError` (``on_unknown="warn"`` warns,
    ``"ignore"`` skips them on purpose): they are never dropped silently.
    """
    model = _check_model(model)
    moment = to_utc(as_of, "as_of")
    leads = list(leads)
    grouped = group_events(leads, events, as_of=moment, on_unknown=on_unknown)
    compiled = model.compiled
    return [score_prepared(lead, grouped[lead.id], compiled, moment) for lead in leads]


def timeline(
    lead: Lead,
    events: Iterable[Event],
    model: ScoringModel,
    *,
    start: Timestamp,
    end: Timestamp,
    every: timedelta | str = timedelta(days=1),
) -> list[LeadScore]:
    """The lead's score sampled at ``start``, ``start + every``, ... up to ``end`` included."""
    lead, model = _check_lead(lead), _check_model(model)
    first, last = to_utc(start, "start"), to_utc(end, "end")
    if last < first:
        raise InvalidValueError(
            "end", f"end {last.isoformat()} is before start {first.isoformat()}"
        )
    step = parse_duration(every, "every")
    if not isinstance(step, timedelta):
        raise InvalidValueError("every", "must be a fixed duration such as '1d' or '1w'")
    history = _prepare(lead.id, events, last)
    times = [e.at for e in history]
    compiled = model.compiled
    out = []
    moment = first
    while moment <= last:
        upto = bisect_right(times, moment)
        out.append(score_prepared(lead, history[:upto], compiled, moment))
        moment += step
    return out
