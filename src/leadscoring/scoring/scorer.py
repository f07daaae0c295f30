"""The incremental scorer: add events as they arrive, ask for scores at any time.

>>> from datetime import UTC, datetime
>>> from leadscoring import Event, EventRule, HalfLife, ScoringModel
>>> model = ScoringModel(name="m", rules=[EventRule(name="visit", when={"type": "page_view"},
...                      points=10)], default_decay=HalfLife(days=30))
>>> scorer = Scorer(model)
>>> scorer.add(Event(lead_id="L1", type="page_view", at="2026-05-01T00:00:00Z", id="e1"))
True
>>> scorer.add(Event(lead_id="L1", type="page_view", at="2026-05-01T00:00:00Z", id="e1"))
False
>>> scorer.score("L1", datetime(2026, 5, 31, tzinfo=UTC)).total
5.0

The numbers are those :func:`~leadscoring.score` gives on the lead's full history (to
floating-point rounding), for events added in any order. What is kept per lead and rule
is described in :mod:`leadscoring.scoring.scorer_state`, :mod:`.activity_log`,
:mod:`.signal_state` and ``docs/backend.md``; how an alias is united with its lead
(:meth:`Scorer.link`, the lead form of :meth:`Scorer.merge`) in :mod:`.scorer_links`;
snapshots and the SQLite store (:meth:`Scorer.snapshot`, :meth:`Scorer.restore`,
:meth:`Scorer.open`) in :mod:`.scorer_persistence`.
The assessments (``assess``, ``assess_all``, ``changes``) are added one layer up, by
:class:`leadscoring.assessment.stream.Scorer`, from the parts this class exposes
(:meth:`Scorer._parts`).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..core.checks import (
    check_event,
    check_iterable,
    check_lead,
    check_moment,
    check_not_alias,
    expect,
)
from ..core.errors import InvalidEventError, InvalidValueError, UnknownLeadError
from ..core.event import Event, event_fingerprint, in_event_order, properties_key
from ..core.identity import Identity, IdentityMap, moved
from ..core.lead import Lead
from ..core.results import LeadScore, Row
from ..core.times import from_us, to_us
from ..model.scoring_model import ScoringModel, check_model
from ..signals.activity import Activity, Reactivation, _is_intent
from ..signals.interest import InterestProfile
from ..signals.journey import JourneyStage
from .activity_log import ActivityLog, Key, activity_at
from .compiled import CompiledModel, CompiledRule, RuleKind, compile_model
from .engine import finish_score, fit_rows, rate_note, reactivation_rows_of
from .scorer_links import ScorerLinks, id_readers
from .scorer_persistence import ScorerPersistence
from .scorer_state import LeadState, Plan, RateTimes, plan_for
from .semantics import event_points
from .signal_state import Journey, Tally, empty_profile

__all__ = ["Parts", "Scorer", "unknown_lead"]

Parts = tuple[Lead, LeadScore, Activity, dict[JourneyStage, float], InterestProfile]
"""What an assessment is made of: the lead's record, score, activity, journey evidence
and interest profile at one moment."""


def unknown_lead(lead_id: str, known: Iterable[str]) -> UnknownLeadError:
    """:class:`~leadscoring.UnknownLeadError` for a lead id the scorer has never seen,
    with a "did you mean" hint from the ids it knows."""
    error = UnknownLeadError([lead_id], 0)
    close = difflib.get_close_matches(lead_id, list(known), n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    error.args = (
        f"lead: the scorer has never seen lead {lead_id!r} (no event, no add_lead).{hint} "
        "Register a lead without events with add_lead, or pass the Lead itself.",
    )
    return error


class Scorer(ScorerLinks, ScorerPersistence):
    """Incremental scoring: :meth:`add` events in any order, :meth:`score` at any time.

    ``scorer.score(lead, as_of)`` equals ``score(lead, all_events_added, model,
    as_of=as_of)`` up to floating-point rounding, without replaying history where the
    rules allow it: a half-life or undecayed rule keeps three numbers per lead; windows
    and linear or step decays keep the events whose weight can still change; limits with
    ``per``, repeat and rate rules keep the times of their matching events; dormancy and
    reactivation keep a compact log of activity times (9 to 17 bytes an event).

    Events sharing an ``id`` (within a lead) count once; two *different* events sharing
    one raise :class:`~leadscoring.InvalidEventError`. ``as_of`` may not be earlier than
    a lead's latest event added (that would need history the scorer dropped): it raises
    :class:`~leadscoring.InvalidValueError` rather than give a wrong number. A lead id
    never seen raises :class:`~leadscoring.UnknownLeadError` (with a "did you mean").

    :meth:`link` makes an alias (a cookie, a device) one with a lead, and :meth:`merge`
    (``into=``, ``from_=``) two known leads: the histories are united exactly, as
    :func:`~leadscoring.score_all` with ``identities=`` unites them, and the alias's later
    events go to the lead.

    Every method is safe to call from several threads at once (one lock per scorer): the
    answers are those of some serial order of the calls. :meth:`open` keeps the state in
    SQLite, so that every acknowledged :meth:`add`, :meth:`add_many` or :meth:`link`
    survives a crash.

    Contributions in the scores are one per rule (the rule's decayed sum, ``event_at``
    its latest counted event), not one per event; use :func:`~leadscoring.score` for the
    event-by-event explanation.
    """

    def __init__(self, model: ScoringModel) -> None:
        self._model = check_model(model)
        self._compiled: CompiledModel = compile_model(model)
        self._plans: list[Plan | None] = [plan_for(cr) for cr in self._compiled.rules]
        self._policy = model.dormancy
        self._journey = Journey(model.journey)
        self._leads: dict[str, LeadState] = {}
        self._records: dict[str, Lead] = {}
        self._known: dict[str, None] = {}  # every lead id, in the order first seen
        self._labels: dict[str, list[Any]] = {}  # the assessment layer's last report
        self._kinds: dict[Key, Key] = {}  # (type, properties key), interned
        self._kind_ids: dict[Key, int] = {}  # their numbering in the store
        self._links: dict[str, Identity] = {}  # alias -> its link, as given
        self._roots: dict[str, str] = {}  # alias -> its lead (the end of its chain)
        self._aliases: dict[str, dict[str, None]] = {}  # lead -> every alias of it
        self._since: dict[str, int] = {}  # lead -> its aliases' latest link (microseconds)
        self._id_readers = id_readers(model)
        self._lock = threading.RLock()
        self._store: Any = None  # a .store.Store once opened

    @property
    def model(self) -> ScoringModel:
        """The model the scorer scores with."""
        return self._model

    @property
    def identities(self) -> IdentityMap:
        """The links made so far (:meth:`link`, :meth:`merge`), as given: pass them as
        ``identities=`` to the batch engines to score the same united histories."""
        with self._lock:
            return IdentityMap(self._links.values())

    @property
    def lead_ids(self) -> tuple[str, ...]:
        """Every lead known: registered with :meth:`add_lead` or named by an event."""
        with self._lock:
            return tuple(self._known)

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self._known

    def __repr__(self) -> str:
        return f"<Scorer model={self._model.name!r} v{self._model.version} leads={len(self)}>"

    # -------------------------------------------------------------------------- input

    def add_lead(self, lead: Lead) -> None:
        """Register (or replace) a lead's record: its attributes and status feed the fit
        rules and the reactivation kinds. Without one, a lead scores as ``Lead(id=...)``.
        A linked alias (:meth:`link`) has no record of its own: it raises
        :class:`~leadscoring.InvalidValueError` naming its lead.
        """
        lead = check_lead(lead)
        with self._lock:
            check_not_alias(lead.id, self._roots)
            self._records[lead.id] = lead
            self._known.setdefault(lead.id)
            self._save((lead.id,))

    def add(self, event: Event) -> bool:
        """Add one event; ``False`` if it is a copy of one already added (same id). An
        event of a linked alias is its lead's, its id qualified by the alias
        (``cookie-7/e1``)."""
        check_event(event)
        with self._lock:
            routed = self._route(event)
            try:
                return self._add(routed, routed is not event)
            finally:
                self._save((routed.lead_id,))

    def add_many(self, events: Iterable[Event]) -> int:
        """Add events (sorted first, which makes late events rare); returns how many were
        new. On an error, the events before the bad one stay added (and stored). With a
        store (:meth:`open`) the batch is one transaction.
        """
        items = check_iterable(events, "events")
        ordered = in_event_order(check_event(e, f"events[{i}]") for i, e in enumerate(items))
        with self._lock:
            touched: dict[str, None] = {}
            added = 0
            routing = bool(self._roots)
            try:
                for event in ordered:
                    routed = self._route(event) if routing else event
                    touched.setdefault(routed.lead_id)
                    added += self._add(routed, routed is not event)
            finally:
                self._save(touched)
            return added

    def _route(self, event: Event) -> Event:
        """``event`` as its lead's if it is an alias's (its id qualified by the alias)."""
        root = self._roots.get(event.lead_id) if self._roots else None
        return event if root is None else moved(event, root)

    def _add(self, event: Event, foreign: bool = False) -> bool:
        """Add ``event`` to its lead's state; ``foreign``: it is an alias's (its id already
        qualified by the alias)."""
        state = self._leads.get(event.lead_id)
        if state is None:
            state = self._leads[event.lead_id] = LeadState(len(self._plans))
            self._known.setdefault(event.lead_id)
        at = to_us(event.at)
        if event.id is not None:
            print_ = event_fingerprint(event, at)
            if state.ids is None:
                state.ids = {}
            first = state.ids.get(event.id)
            if first is not None:
                if first != print_:
                    raise InvalidEventError(
                        "Event.id",
                        f"two different events of lead {event.lead_id!r} share id {event.id!r}",
                    )
                return False
            state.ids[event.id] = print_
            if foreign:
                if state.foreign is None:
                    state.foreign = set()
                state.foreign.add(event.id)
        if state.latest is None or at > state.latest:
            state.latest = at
        rules, plans = state.rules, self._plans
        for cr, test in self._compiled.dispatch.candidates(event):
            if test is not None and not test(event):
                continue
            plan = plans[cr.index]
            if plan is None:  # pragma: no cover - only event and repeat rules dispatch
                continue
            rule_state = rules[cr.index]
            if rule_state is None:
                rule_state = rules[cr.index] = plan.start()
            if isinstance(plan, RateTimes):
                numerator, denominator = cr.match_numerator(event), cr.match_denominator(event)
                plan.add_sides(rule_state, at, numerator=numerator, denominator=denominator)
            else:
                plan.add(rule_state, at)
        self._add_signals(state, event, at)
        return True

    def _add_signals(self, state: LeadState, event: Event, at: int) -> None:
        stages = self._journey.stages(event)
        if stages:
            if state.journey is None:
                state.journey = [None] * 4
            self._journey.add(state.journey, stages, at)
        tally = state.interest if state.interest is not None else Tally()
        if tally.add(event, at) and state.interest is None:
            state.interest = tally
        if event.type not in self._policy.ignore_types:
            if state.activity is None:
                state.activity = ActivityLog()
            raw = (event.type, properties_key(event))
            key = self._kinds.setdefault(raw, raw)
            state.activity.add(at, key, _is_intent(event, self._policy), event.id)

    # -------------------------------------------------------------------------- output

    def score(self, lead: Lead | str, as_of: datetime) -> LeadScore:
        """The score of ``lead`` (a :class:`~leadscoring.Lead`, used as given, or the id of
        a lead the scorer knows) at ``as_of``."""
        moment = check_moment(as_of)
        with self._lock:
            return self._score(self._record(lead), moment, to_us(moment))

    def scores(self, as_of: datetime) -> list[LeadScore]:
        """The score of every lead known, in the order they were first registered or seen."""
        moment = check_moment(as_of)
        now = to_us(moment)
        with self._lock:
            return [self._score(self._record(i), moment, now) for i in self._known]

    def _record(self, lead: Lead | str) -> Lead:
        if isinstance(lead, Lead):
            check_not_alias(lead.id, self._roots)
            return lead
        if not isinstance(lead, str) or not lead:
            raise InvalidValueError("lead", f"expected a Lead or a lead id, got {lead!r}")
        self._check_known(lead)
        return self._records.get(lead) or Lead(id=lead)

    def _check_known(self, lead_id: str) -> None:
        """Raise unless ``lead_id`` is a lead the scorer knows (not an alias)."""
        check_not_alias(lead_id, self._roots)
        if lead_id not in self._known:
            raise unknown_lead(lead_id, self._known)

    def _state(self, lead: Lead, moment: datetime, now: int) -> LeadState | None:
        state = self._leads.get(lead.id)
        if state is not None and state.latest is not None and state.latest > now:
            raise InvalidValueError(
                "as_of",
                f"lead {lead.id!r} has events up to {from_us(state.latest).isoformat()}, "
                f"after as_of {moment.isoformat()}; the incremental scorer answers only "
                "at or after a lead's latest event (score its history with score())",
            )
        since = self._since.get(lead.id) if self._since else None
        if since is not None and since > now:
            raise InvalidValueError(
                "as_of",
                f"lead {lead.id!r} was linked to an alias at {from_us(since).isoformat()}, "
                f"after as_of {moment.isoformat()}; the scorer holds the united history, "
                "which is the lead's only from the link on (score the history with "
                "score(..., identities=...))",
            )
        return state

    def _found(self, lead: Lead, state: LeadState | None) -> tuple[Reactivation, ...]:
        if state is None or state.activity is None:
            return ()
        scan = state.activity.scan(lead, self._policy)
        return () if scan is None else scan[2]

    def _score(self, lead: Lead, moment: datetime, now: int) -> LeadScore:
        compiled = self._compiled
        sums = [0.0] * len(compiled.rules)
        out: list[Row] = []
        fit_rows(lead, compiled, sums, out)
        state = self._state(lead, moment, now)
        if state is not None:
            self._rule_sums(state, now, sums, out)
            if compiled.reactivation_rules:
                reactivation_rows_of(self._found(lead, state), self._compiled, moment, sums, out)
        return finish_score(lead.id, moment, compiled, sums, out)

    def _rule_sums(self, state: LeadState, now: int, sums: list[float], out: list[Row]) -> None:
        for cr in self._compiled.rules:
            rule_state, plan = state.rules[cr.index], self._plans[cr.index]
            if rule_state is None or plan is None:
                continue
            if isinstance(plan, RateTimes):
                self._rate_row(cr, plan, rule_state, now, sums, out)
                continue
            weight, count, last = plan.value(rule_state, now)
            if weight > 0.0:
                points = cr.points * weight
                sums[cr.index] = points
                what = "firings" if cr.kind is RuleKind.REPEAT else "events"
                note = f"{count} {what}, summed incrementally"
                out.append(
                    (cr.name, cr.group, None, from_us(last), cr.points, weight, points, note)
                )

    @staticmethod
    def _rate_row(
        cr: CompiledRule, plan: RateTimes, rule_state: Any, now: int, sums: list[float],
        out: list[Row],
    ) -> None:  # fmt: skip
        found = plan.check(rule_state, now)
        if found is None:
            return
        weight = cr.decay.weigher_us(now)(found.since)
        points = event_points(cr, weight)
        if points is not None:
            sums[cr.index] = points
            note = rate_note(cr, found)
            out.append(
                (cr.name, cr.group, None, from_us(found.since), cr.points, weight, points, note)
            )

    def _parts(self, lead: Lead, moment: datetime, now: int) -> Parts:
        """Everything an assessment of ``lead`` at ``moment`` needs (call under the lock)."""
        score = self._score(lead, moment, now)
        state = self._leads.get(lead.id)
        scan = None
        if state is not None and state.activity is not None:
            scan = state.activity.scan(lead, self._policy)
        activity = activity_at(lead, scan, self._policy, moment)
        evidence = self._journey.evidence(None if state is None else state.journey, now)
        tally = None if state is None else state.interest
        profile = (
            empty_profile(lead.id, moment) if tally is None else tally.profile(lead.id, moment)
        )
        return lead, score, activity, evidence, profile

    # -------------------------------------------------------------------------- leads

    def forget(self, lead_id: str) -> bool:
        """Erase a lead: its record, events' state, ids and pending changes, in memory and
        in the store. ``False`` if the scorer did not know it."""
        expect(lead_id, str, "lead_id")
        with self._lock:
            if lead_id not in self._known:
                return False
            for table in (self._known, self._records, self._leads, self._labels):
                table.pop(lead_id, None)
            aliases = self._aliases.pop(lead_id, {})
            for alias in aliases:
                del self._links[alias], self._roots[alias]
            self._since.pop(lead_id, None)
            if self._store is not None:
                self._store.delete(lead_id, list(aliases))
            return True

    # -------------------------------------------------------------------------- identities

    def link(self, alias: str, lead_id: str, at: datetime | str) -> None:
        """From now on ``alias`` (a cookie, a device id, an old email) is ``lead_id``.

        The alias's state (every rule's, its activity, journey and interest, its ids) is
        combined exactly with the lead's, as if its events had been the lead's, each id
        qualified by the alias (:func:`~leadscoring.core.identity.source_id`:
        ``cookie-7/e1``); its record and reported labels are dropped, and it is no lead of
        its own any more (gone from :attr:`lead_ids`, the scores, snapshots and store).
        Its later events go to the lead. The result equals
        ``score_all(..., identities=scorer.identities)`` on the united history at any
        ``as_of`` from ``at`` on; before ``at`` (when the alias was still a visitor of its
        own) the lead is not answered for: that raises :class:`InvalidValueError`.

        ``lead_id`` that is itself an alias stands for its lead; ``lead_id`` never seen
        becomes known; an alias never seen is recorded (its events, when they come, are
        the lead's). Linking the same alias to the same lead again changes nothing but
        the moment (the earliest counts). An alias already linked to another lead, a link
        of an id to itself or one that would close a cycle raise
        :class:`InvalidValueError`; an alias's event whose qualified id another event of
        the lead already has raises :class:`~leadscoring.InvalidEventError`. Checked
        before anything changes; with a store, written in one transaction.
        """
        self._link(alias, lead_id, at)
