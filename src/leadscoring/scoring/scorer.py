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
is described in :mod:`leadscoring.scoring.scorer_state` and ``docs/performance.md``.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..core.checks import check_event, check_lead, check_moment
from ..core.errors import InvalidEventError, InvalidValueError
from ..core.event import Event, event_fingerprint, event_sort_key
from ..core.lead import Lead
from ..core.results import LeadScore, Row
from ..core.times import from_us, to_us
from ..model.scoring_model import ScoringModel, check_model
from . import snapshot as _snapshot
from .compiled import CompiledModel, RuleKind, compile_model
from .engine import finish_score, fit_rows, reactivation_rows
from .scorer_state import LeadState, Plan, plan_for

__all__ = ["Scorer"]

class Scorer:
    """Incremental scoring: :meth:`add` events in any order, :meth:`score` at any time.

    ``scorer.score(lead, as_of)`` equals ``score(lead, all_events_added, model,
    as_of=as_of)`` up to floating-point rounding, without replaying history where the
    rules allow it: a half-life or undecayed rule keeps three numbers per lead; windows
    and linear or step decays keep the events whose weight can still change; limits with
    ``per`` and repeat rules keep the times of their matching events; a model with a
    :class:`~leadscoring.ReactivationRule` keeps each lead's activity history.

    Events sharing an ``id`` (within a lead) count once; two *different* events sharing
    one raise :class:`~leadscoring.InvalidEventError`. ``as_of`` may not be earlier than
    a lead's latest event added (that would need history the scorer dropped): it raises
    :class:`~leadscoring.InvalidValueError` rather than give a wrong number.

    Contributions in the scores are one per rule (the rule's decayed sum, ``event_at``
    its latest counted event), not one per event; use :func:`~leadscoring.score` for the
    event-by-event explanation. A scorer is not thread-safe: guard it with a lock.
    """

    def __init__(self, model: ScoringModel) -> None:
        self._model = check_model(model)
        self._compiled: CompiledModel = compile_model(model)
        self._plans: list[Plan | None] = [plan_for(cr) for cr in self._compiled.rules]
        self._history = bool(self._compiled.reactivation_rules)
        self._ignored = model.dormancy.ignore_types
        self._leads: dict[str, LeadState] = {}
        self._records: dict[str, Lead] = {}
        self._known: dict[str, None] = {}  # every lead id, in the order first seen

    @property
    def model(self) -> ScoringModel:
        """The model the scorer scores with."""
        return self._model

    @property
    def lead_ids(self) -> tuple[str, ...]:
        """Every lead known: registered with :meth:`add_lead` or named by an event."""
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
        self._records[lead.id] = lead
        self._known.setdefault(lead.id)

    def add(self, event: Event) -> bool:
        """Add one event; ``False`` if it is a copy of one already added (same id)."""
        check_event(event)
        state = self._leads.get(event.lead_id)
        if state is None:
            state = self._leads[event.lead_id] = LeadState(len(self._plans), self._history)
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
        if state.history is not None and event.type not in self._ignored:
            insort(state.history, event, key=event_sort_key)
        return True

    def add_many(self, events: Iterable[Event]) -> int:
        """Add events (sorted by time first, which makes late events rare); returns how
        many were new. On an error, the events before the bad one stay added.
        """
        ordered = sorted(events, key=_event_time)
        return sum(self.add(event) for event in ordered)

    # -------------------------------------------------------------------------- output

    def score(self, lead: Lead | str, as_of: datetime) -> LeadScore:
        """The score of ``lead`` (a :class:`~leadscoring.Lead` or a lead id) at ``as_of``.

        A lead the scorer has never seen gets its fit score only.
        """
        moment = check_moment(as_of)
        return self._score(self._record(lead), moment, to_us(moment))

    def scores(self, as_of: datetime) -> list[LeadScore]:
        """The score of every lead known, in the order they were first registered or seen."""
        moment = check_moment(as_of)
        now = to_us(moment)
        return [self._score(self._record(lead_id), moment, now) for lead_id in self.lead_ids]

    def _record(self, lead: Lead | str) -> Lead:
        if isinstance(lead, Lead):
            return lead
        if not isinstance(lead, str) or not lead:
            raise InvalidValueError("lead", f"expected a Lead or a lead id, got {lead!r}")
        return self._records.get(lead) or Lead(id=lead)

    def _score(self, lead: Lead, moment: datetime, now: int) -> LeadScore:
        compiled = self._compiled
        sums = [0.0] * len(compiled.rules)
        out: list[Row] = []
        fit_rows(lead, compiled, sums, out)
        state = self._leads.get(lead.id)
        if state is not None:
            if state.latest is not None and state.latest > now:
                raise InvalidValueError(
                    "as_of",
                    f"lead {lead.id!r} has events up to {from_us(state.latest).isoformat()}, "
                    f"after as_of {moment.isoformat()}; the incremental scorer answers only "
                    "at or after a lead's latest event (score its history with score())",
                )
            self._rule_sums(state, now, sums, out)
            if state.history:
                reactivation_rows(lead, state.history, compiled, moment, sums, out)
        return finish_score(lead.id, moment, compiled, sums, out)

    def _rule_sums(
        self, state: LeadState, now: int, sums: list[float], out: list[Row]
    ) -> None:
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

    # -------------------------------------------------------------------------- state

    def snapshot(self) -> dict[str, Any]:
        """The scorer's state as plain data (JSON-able), for :meth:`restore`.

        Times are integer microseconds since the Unix epoch (UTC); the model is named by
        name, version and a fingerprint of its rules (format: :mod:`leadscoring.scoring.snapshot`).
        """
        return _snapshot.dump(
            self._model, self._compiled, self._plans, self._records, self._leads, self.lead_ids
        )

    @classmethod
    def restore(cls, model: ScoringModel, snapshot: Mapping[str, Any]) -> Scorer:
        """A scorer that continues exactly where the one that took ``snapshot`` stopped.

        Raises :class:`~leadscoring.SnapshotError` if the snapshot is malformed or was
        taken with another model (another name or version, or other rules under the same
        version).
        """
        scorer = cls(model)
        records, leads, order = _snapshot.load(model, scorer._compiled, scorer._plans, snapshot)
        scorer._records, scorer._leads = records, leads
        scorer._known = dict.fromkeys(order)
        return scorer


def _event_time(event: Event) -> datetime:
    return check_event(event).at

