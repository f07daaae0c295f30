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
:mod:`.signal_state` and ``docs/backend.md``. The assessments (``assess``, ``assess_all``,
``changes``) are added one layer up, by :class:`leadscoring.assessment.stream.Scorer`,
from the parts this class exposes (:meth:`Scorer._parts`).
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from os import PathLike
from typing import Any, TypeVar

from ..core.checks import check_event, check_iterable, check_lead, check_moment, expect
from ..core.errors import InvalidEventError, InvalidValueError, UnknownLeadError
from ..core.event import Event, event_fingerprint, in_event_order, properties_key
from ..core.lead import Lead
from ..core.results import LeadScore, Row
from ..core.times import from_us, to_us
from ..model.scoring_model import ScoringModel, check_model
from ..signals.activity import Activity, Reactivation, _is_intent
from ..signals.interest import InterestProfile
from ..signals.journey import JourneyStage
from . import snapshot as _snapshot
from .activity_log import ActivityLog, Key, activity_at
from .compiled import CompiledModel, RuleKind, compile_model
from .engine import finish_score, fit_rows, reactivation_rows_of
from .scorer_state import LeadState, Plan, plan_for
from .signal_state import Journey, Tally, empty_profile

__all__ = ["Parts", "Scorer", "unknown_lead"]

S = TypeVar("S", bound="Scorer")
V = TypeVar("V")


def _replace(table: dict[str, V], part: Mapping[str, V], lead_id: str) -> None:
    if lead_id in part:
        table[lead_id] = part[lead_id]
    else:
        table.pop(lead_id, None)


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


class Scorer:
    """Incremental scoring: :meth:`add` events in any order, :meth:`score` at any time.

    ``scorer.score(lead, as_of)`` equals ``score(lead, all_events_added, model,
    as_of=as_of)`` up to floating-point rounding, without replaying history where the
    rules allow it: a half-life or undecayed rule keeps three numbers per lead; windows
    and linear or step decays keep the events whose weight can still change; limits with
    ``per`` and repeat rules keep the times of their matching events; dormancy and
    reactivation keep a compact log of activity times (9 to 17 bytes an event).

    Events sharing an ``id`` (within a lead) count once; two *different* events sharing
    one raise :class:`~leadscoring.InvalidEventError`. ``as_of`` may not be earlier than
    a lead's latest event added (that would need history the scorer dropped): it raises
    :class:`~leadscoring.InvalidValueError` rather than give a wrong number. A lead id
    never seen raises :class:`~leadscoring.UnknownLeadError` (with a "did you mean").

    Every method is safe to call from several threads at once (one lock per scorer): the
    answers are those of some serial order of the calls. :meth:`open` keeps the state in
    SQLite, so that every acknowledged :meth:`add` or :meth:`add_many` survives a crash.

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
        self._lock = threading.RLock()
        self._store: Any = None  # a .store.Store once opened

    @property
    def model(self) -> ScoringModel:
        """The model the scorer scores with."""
        return self._model

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
        """
        lead = check_lead(lead)
        with self._lock:
            self._records[lead.id] = lead
            self._known.setdefault(lead.id)
            self._save((lead.id,))

    def add(self, event: Event) -> bool:
        """Add one event; ``False`` if it is a copy of one already added (same id)."""
        check_event(event)
        with self._lock:
            try:
                return self._add(event)
            finally:
                self._save((event.lead_id,))

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
            try:
                for event in ordered:
                    touched.setdefault(event.lead_id)
                    added += self._add(event)
            finally:
                self._save(touched)
            return added

    def _add(self, event: Event) -> bool:
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
            return lead
        if not isinstance(lead, str) or not lead:
            raise InvalidValueError("lead", f"expected a Lead or a lead id, got {lead!r}")
        if lead not in self._known:
            raise unknown_lead(lead, self._known)
        return self._records.get(lead) or Lead(id=lead)

    def _state(self, lead: Lead, moment: datetime, now: int) -> LeadState | None:
        state = self._leads.get(lead.id)
        if state is not None and state.latest is not None and state.latest > now:
            raise InvalidValueError(
                "as_of",
                f"lead {lead.id!r} has events up to {from_us(state.latest).isoformat()}, "
                f"after as_of {moment.isoformat()}; the incremental scorer answers only "
                "at or after a lead's latest event (score its history with score())",
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
            weight, count, last = plan.value(rule_state, now)
            if weight > 0.0:
                points = cr.points * weight
                sums[cr.index] = points
                what = "firings" if cr.kind is RuleKind.REPEAT else "events"
                note = f"{count} {what}, summed incrementally"
                out.append(
                    (cr.name, cr.group, None, from_us(last), cr.points, weight, points, note)
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
            if self._store is not None:
                self._store.delete(lead_id)
            return True

    # -------------------------------------------------------------------------- state

    def snapshot(self, lead_ids: Iterable[str] | None = None) -> dict[str, Any]:
        """The scorer's state as plain data (JSON-able), for :meth:`restore` or
        :meth:`merge`; ``lead_ids`` takes only those leads (each must be known).

        Times are integer microseconds since the Unix epoch (UTC), long lists of them
        packed as text; the model is named by name, version and a fingerprint of what
        shapes the state (format: :mod:`leadscoring.scoring.snapshot`).
        """
        with self._lock:
            if lead_ids is None:
                order: list[str] = list(self._known)
            else:
                order = []
                for index, lead_id in enumerate(check_iterable(lead_ids, "lead_ids")):
                    expect(lead_id, str, f"lead_ids[{index}]")
                    if lead_id not in self._known:
                        raise unknown_lead(str(lead_id), self._known)
                    order.append(str(lead_id))
            return _snapshot.dump(self._model, self._parts_of(order))

    def _parts_of(self, order: Iterable[str]) -> _snapshot.Parts:
        return _snapshot.Parts(
            self._compiled,
            self._plans,
            self._records,
            self._leads,
            self._labels,
            list(dict.fromkeys(order)),
        )

    @classmethod
    def restore(cls: type[S], model: ScoringModel, snapshot: Mapping[str, Any]) -> S:
        """A scorer that continues exactly where the one that took ``snapshot`` stopped.

        Raises :class:`~leadscoring.SnapshotError` if the snapshot is malformed (naming
        the JSON path) or was taken with another model (another name or version, or other
        rules under the same version).
        """
        scorer = cls(model)
        scorer._merge(snapshot)
        return scorer

    def merge(self, snapshot: Mapping[str, Any]) -> list[str]:
        """Take over the leads of ``snapshot`` (from :meth:`snapshot`, of any scorer with
        the same model): each replaces this scorer's state of that lead. Returns their ids.

        Moves leads between workers: ``b.merge(a.snapshot(lead_ids=ids))``, then
        ``a.forget(id)`` for each. Checked in full before anything changes.
        """
        with self._lock:
            return self._merge(snapshot)

    def _merge(self, snapshot: Mapping[str, Any]) -> list[str]:
        loaded = _snapshot.load(self._model, self._compiled, self._plans, snapshot, self._kinds)
        if self._store is None and not self._kind_ids:
            self._kind_ids = {key: n for n, key in enumerate(loaded.kinds)}
        for lead_id in loaded.order:
            self._known.setdefault(lead_id)
            _replace(self._records, loaded.records, lead_id)
            _replace(self._leads, loaded.leads, lead_id)
            _replace(self._labels, loaded.labels, lead_id)
        self._save(loaded.order)
        return loaded.order

    # -------------------------------------------------------------------------- store

    @classmethod
    def open(cls: type[S], path: str | PathLike[str], model: ScoringModel) -> S:
        """A scorer whose state lives in the SQLite file ``path`` (created if missing):
        every :meth:`add`, :meth:`add_many` (one transaction), :meth:`add_lead`,
        :meth:`forget`, :meth:`merge` and the change feed's baseline is written before
        the call returns, so nothing acknowledged is lost in a crash; opening the file
        again continues exactly. A file written with another model (name, version or
        rules) raises :class:`~leadscoring.SnapshotError`, as :meth:`restore` does.
        """
        from .store import Store

        scorer = cls(model)
        store = Store.open(path, _snapshot.header(scorer._model))
        try:
            scorer._merge(store.load())
        except BaseException:
            store.close()
            raise
        scorer._store = store
        return scorer

    def close(self) -> None:
        """Close the store (a scorer without one: nothing to do). Safe to call twice."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _save(self, lead_ids: Iterable[str]) -> None:
        """Write these leads' state to the store, in one transaction (under the lock)."""
        if self._store is None:
            return
        order = [i for i in lead_ids if i in self._known]
        if order:
            self._store.save(_snapshot.dump(self._model, self._parts_of(order), self._kind_ids))
