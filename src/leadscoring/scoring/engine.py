"""The scoring engine: :func:`score`, :func:`score_all` and :func:`timeline`.

Pure functions: the time is passed in as ``as_of``, nothing is stored between calls, and
the result does not depend on the order of the events given.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from ..core.aliases import Timestamp
from ..core.checks import (
    OnUnknown,
    check_events,
    check_lead,
    check_moment,
    check_not_alias,
    events_of,
    group_events,
    united_leads,
)
from ..core.errors import InvalidValueError
from ..core.event import Event, dedupe_sorted
from ..core.identity import Identities, check_identities, moved
from ..core.lead import Lead
from ..core.mapping import FrozenMap
from ..core.progress import check_progress, track
from ..core.results import LeadScore, Row, lead_score
from ..core.times import format_duration, parse_duration, to_utc
from ..model.scoring_model import ScoringModel, check_model
from ..signals.activity import Reactivation, find_reactivations
from .compiled import CompiledModel, CompiledRule, RuleKind, compile_model
from .semantics import (
    Limiter,
    Rate,
    Repeater,
    attribute_points,
    event_points,
    finish,
    limiter_for,
    rate_at,
    reactivation_points,
    repeater_for,
)

__all__ = [
    "OnUnknown",
    "finish_score",
    "fit_rows",
    "rate_note",
    "reactivation_rows",
    "reactivation_rows_of",
    "score",
    "score_all",
    "score_prepared",
    "timeline",
]


def finish_score(
    lead_id: str,
    as_of: datetime,
    compiled: CompiledModel,
    rule_sums: Sequence[float],
    contributions: Iterable[Row],
) -> LeadScore:
    """The finishing step (:func:`~leadscoring.scoring.semantics.finish`) as a ``LeadScore``.

    ``contributions`` are rows (:data:`leadscoring.core.results.Row`), in
    ``Contribution``'s field order; the ``LeadScore`` turns them into ``Contribution`` s
    when asked.
    """
    totals = finish(compiled, rule_sums)
    return lead_score(
        lead_id,
        as_of,
        totals.total,
        totals.fit,
        totals.engagement,
        FrozenMap(totals.by_group),
        FrozenMap(totals.by_rule),
        tuple(contributions),
    )


@lru_cache(maxsize=64)
def _within(span: timedelta) -> str:
    return format_duration(span)


def rate_note(rule: CompiledRule, found: Rate) -> str:
    """The explanation of a rate rule met: ``"3 of 5 (60%) within 90d"``."""
    k, n = found.numerator, found.denominator
    within = "" if rule.within is None else f" within {_within(rule.within)}"
    return f"{k} of {n} ({k / n:.0%}){within}"


def fit_rows(lead: Lead, compiled: CompiledModel, sums: list[float], out: list[Row]) -> None:
    """Add the attribute rules' points of ``lead`` to ``sums`` and their rows to ``out``."""
    for cr in compiled.attribute_rules:
        points = attribute_points(cr, lead)
        if points is not None:
            sums[cr.index] += points
            out.append((cr.name, cr.group, None, None, cr.points, 1.0, points, None))


def score_prepared(
    lead: Lead, events: Sequence[Event], compiled: CompiledModel, as_of: datetime
) -> LeadScore:
    """Score ``lead`` from its own events, already sorted, deduplicated and ``<= as_of``.

    The loop asks only the rules the event's type and key property can match
    (:class:`~leadscoring.scoring.dispatch.Dispatch`), each for the test left once those are
    known, and reads decay weights from closures made once per ``as_of``.
    """
    sums = [0.0] * len(compiled.rules)
    out: list[Row] = []  # plain tuples: cheap to make, and the collector skips them
    fit_rows(lead, compiled, sums, out)
    limiters: dict[int, Limiter[datetime] | None] = {}
    repeaters: dict[int, Repeater[datetime]] = {}
    rates: dict[int, tuple[list[datetime], list[datetime]]] = {}
    weighers = compiled.weighers(as_of)
    buckets, any_type = compiled.dispatch.buckets, compiled.dispatch.any_type
    repeat, rate = RuleKind.REPEAT, RuleKind.RATE
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
                repeater = repeaters.get(cr.index)
                if repeater is None:
                    repeater = repeaters[cr.index] = repeater_for(cr)
                if not repeater.fire(at):
                    continue
                note = f"{repeater.count} matching events within {_within(cr.within)}"
            elif cr.kind is rate:
                sides = rates.get(cr.index)
                if sides is None:
                    sides = rates[cr.index] = ([], [])
                if cr.match_numerator(event):
                    sides[0].append(at)
                if cr.match_denominator(event):
                    sides[1].append(at)
                continue
            elif cr.limit_count is not None:
                limiter = limiters.get(cr.index)
                if limiter is None:
                    limiter = limiters[cr.index] = limiter_for(cr)
                if limiter is not None and not limiter.admit(at):
                    continue
            weight = weighers[cr.index](at)
            points = event_points(cr, weight)
            if points is not None:
                sums[cr.index] += points
                out.append((cr.name, cr.group, event.id, at, cr.points, weight, points, note))
    for index, (numerator, denominator) in rates.items():
        cr = compiled.rules[index]
        found = rate_at(cr, numerator, denominator, as_of)
        if found is not None:
            weight = weighers[index](found.since)
            points = event_points(cr, weight)
            if points is not None:
                sums[index] += points
                note = rate_note(cr, found)
                out.append((cr.name, cr.group, None, found.since, cr.points, weight, points, note))
    if compiled.reactivation_rules and events:
        reactivation_rows(lead, events, compiled, as_of, sums, out)
    return finish_score(lead.id, as_of, compiled, sums, out)


def reactivation_rows(
    lead: Lead,
    events: Sequence[Event],
    compiled: CompiledModel,
    as_of: datetime,
    sums: list[float],
    out: list[Row],
) -> None:
    """Add the reactivation rules' points (one row per reactivation found in ``lead``'s
    sorted, deduplicated ``events``) to ``sums`` and ``out``."""
    found = find_reactivations(lead, events, compiled.model.dormancy, as_of)
    reactivation_rows_of(found, compiled, as_of, sums, out)


def reactivation_rows_of(
    found: Iterable[Reactivation],
    compiled: CompiledModel,
    as_of: datetime,
    sums: list[float],
    out: list[Row],
) -> None:
    """Add the reactivation rules' points for reactivations already found."""
    for back in found:
        for cr in compiled.reactivation_rules:
            given = reactivation_points(cr, back, as_of)
            if given is not None:
                weight, points = given
                sums[cr.index] += points
                note = f"{back.kind} after {back.silence.days} days of silence"
                out.append(
                    (cr.name, cr.group, back.event_id, back.at, cr.points, weight, points, note)
                )


def score(
    lead: Lead,
    events: Iterable[Event],
    model: ScoringModel,
    *,
    as_of: Timestamp,
    identities: Identities | None = None,
) -> LeadScore:
    """Score one lead at ``as_of`` (an aware datetime or an ISO 8601 string with an offset).

    Events of other leads and events after ``as_of`` are ignored; copies of an event
    (same ``id``) count once, and two different events sharing an ``id`` raise
    :class:`~leadscoring.InvalidEventError`. With ``identities``
    (:class:`~leadscoring.IdentityMap`), the events of the lead's aliases linked by
    ``as_of`` are the lead's too, earlier ones included (``docs/identities.md``).

    >>> from datetime import UTC
    >>> rule = EventRule(name="page", when={"type": "page_view"}, points=10)
    >>> m = ScoringModel(name="m", rules=[rule], default_decay=HalfLife(days=30))
    >>> ev = Event(lead_id="L1", type="page_view", at="2026-05-01T00:00:00Z")
    >>> score(Lead(id="L1"), [ev], m, as_of=datetime(2026, 5, 31, tzinfo=UTC)).total
    5.0
    """
    lead, model = check_lead(lead), check_model(model)
    moment = check_moment(as_of)
    own = events_of(lead.id, events, moment, check_identities(identities))
    return score_prepared(lead, own, compile_model(model), moment)


def score_all(
    leads: Iterable[Lead],
    events: Iterable[Event],
    model: ScoringModel,
    *,
    as_of: Timestamp,
    on_unknown: OnUnknown = "raise",
    identities: Identities | None = None,
    progress: bool = False,
) -> list[LeadScore]:
    """Score many leads at once: one :class:`LeadScore` per lead, in the leads' order.

    Leads without events still get their fit score. Events whose ``lead_id`` matches no
    lead raise :class:`~leadscoring.UnknownLeadError` (``on_unknown="warn"`` warns,
    ``"ignore"`` skips them on purpose): they are never dropped silently.
    With ``identities``, each lead is scored on its own events and its aliases' (linked by
    ``as_of``); a lead that is itself an alias by then is no lead of its own and gets no
    result. ``progress=True`` shows a bar over the leads (needs ``tqdm``: the ``progress``
    extra).
    """
    model = check_model(model)
    moment = check_moment(as_of)
    check_progress(progress)
    links = check_identities(identities)
    leads = united_leads(leads, links, moment)
    grouped = group_events(leads, events, as_of=moment, on_unknown=on_unknown, identities=links)
    compiled = compile_model(model)
    bar = track(leads, progress=progress, desc="scoring", unit="leads")
    return [score_prepared(lead, grouped[lead.id], compiled, moment) for lead in bar]


def timeline(
    lead: Lead,
    events: Iterable[Event],
    model: ScoringModel,
    *,
    start: Timestamp,
    end: Timestamp,
    every: timedelta | str = timedelta(days=1),
    identities: Identities | None = None,
) -> list[LeadScore]:
    """The lead's score sampled at ``start``, ``start + every``, ... up to ``end`` included.

    With ``identities``, an alias's events count from the moment it is linked (its
    ``Identity.at``; the latest on a chain) on, earlier events included: the timeline
    shows the score jump on identification, as it happened.
    """
    lead, model = check_lead(lead), check_model(model)
    first, last = to_utc(start, "start"), to_utc(end, "end")
    if last < first:
        raise InvalidValueError(
            "end", f"end {last.isoformat()} is before start {first.isoformat()}"
        )
    step = parse_duration(every, "every")
    if not isinstance(step, timedelta):
        raise InvalidValueError("every", "must be a fixed duration such as '1d' or '1w'")
    compiled = compile_model(model)
    links = check_identities(identities)
    joined: dict[str, datetime] = {}
    if links is not None:
        check_not_alias(lead.id, links.roots(last))
        joined = links.aliases_of(lead.id, last)
    mine = [
        e for e in check_events(events)
        if e.at <= last and (e.lead_id == lead.id or e.lead_id in joined)
    ]  # fmt: skip
    joins = sorted(set(joined.values()))
    out = []
    known = -1  # how many join moments the history reflects
    history: list[Event] = []
    times: list[datetime] = []
    moment = first
    while moment <= last:
        now_known = bisect_right(joins, moment)
        if now_known != known:  # the aliases linked by now: their whole history counts
            known = now_known
            history = dedupe_sorted(
                e if e.lead_id == lead.id else moved(e, lead.id)
                for e in mine
                if e.lead_id == lead.id or joined[e.lead_id] <= moment
            )
            times = [e.at for e in history]
        upto = bisect_right(times, moment)
        out.append(score_prepared(lead, history[:upto], compiled, moment))
        moment += step
    return out
