"""Activity: is a lead new, active, dormant (休眠) or reactivated, and when did it come back?

Everything here is a pure function of the lead, its events up to ``as_of`` and a
:class:`DormancyPolicy`. The exact rules are written out in ``docs/dormancy.md``:

- activity events are all events whose type is not in ``policy.ignore_types``;
- the silence threshold after an activity event is ``dormant_after``, or, once the lead
  has ``min_history`` activity events up to that event, ``max(dormant_after,
  cadence_factor * median gap)`` of those events;
- a lead is dormant once the time since its last activity reaches that threshold;
- a return after such a silence is a reactivation when ``burst_min_events`` activity events
  fall within ``burst_within`` of the first returning event (a LOST or WON lead needs only
  one intent event after its status changed).
"""

from __future__ import annotations

import enum
from bisect import insort
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from ..core.aliases import Timestamp
from ..core.checks import (
    check_lead,
    check_moment,
    events_of,
    expect,
    group_events,
    united_leads,
)
from ..core.display import html_block, html_table, moment
from ..core.event import Event
from ..core.identity import Identities, check_identities
from ..core.lead import Lead, LeadStatus
from ..core.times import format_duration
from .dormancy import DormancyPolicy

__all__ = [
    "Activity",
    "ActivityState",
    "DormancyPolicy",
    "Reactivation",
    "ReactivationKind",
    "activity",
    "activity_all",
    "activity_state",
    "find_reactivations",
]


_DEFAULT_POLICY = DormancyPolicy()
"""The policy :func:`activity` uses when none is given (the documented defaults)."""


class ActivityState(enum.StrEnum):
    """Where a lead stands in its activity at ``as_of``."""

    NEW = "new"
    """No activity event yet."""
    ACTIVE = "active"
    """Active within its silence threshold, and no recent reactivation."""
    DORMANT = "dormant"
    """Silent for at least its silence threshold (休眠)."""
    REACTIVATED = "reactivated"
    """Came back: a reactivation less than ``reactivated_for`` before ``as_of``."""


class ReactivationKind(enum.StrEnum):
    """Why a return after silence counts as a reactivation."""

    RETURN_AFTER_SILENCE = "return_after_silence"
    """A burst of activity after a silence (a lead that is not a lost deal or customer)."""
    LOST_DEAL_RETURN = "lost_deal_return"
    """A ``LOST`` lead (失注) came back after its status changed."""
    CUSTOMER_RETURN = "customer_return"
    """A ``WON`` lead (a customer) came back after its status changed."""


# --- results --------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@attrs.frozen(kw_only=True)
class Reactivation:
    """A lead came back after a silence.

    ``at`` is the time of the event that completed the return (``event_id`` its id),
    ``silent_since`` the last activity before the silence, ``silence`` its length (up to
    the first returning event) and ``events`` the number of activity events from the first
    returning event up to and including the completing one.
    """

    at: datetime
    kind: ReactivationKind
    silent_since: datetime
    silence: timedelta
    events: int
    event_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able); ``silence`` as a duration string such as ``"120d"``."""
        return {
            "at": self.at.isoformat(),
            "kind": self.kind.value,
            "silent_since": self.silent_since.isoformat(),
            "silence": format_duration(self.silence),
            "events": self.events,
            "event_id": self.event_id,
        }


@attrs.frozen(kw_only=True)
class Activity:
    """A lead's activity state at ``as_of``, with every reactivation found up to then.

    ``threshold`` is the silence threshold that applies after the last activity
    (``dormant_after`` for a lead without activity); ``dormant_since`` is
    ``last_active_at + threshold`` when the lead is dormant, else ``None``.
    """

    lead_id: str
    as_of: datetime
    state: ActivityState
    last_active_at: datetime | None
    dormant_since: datetime | None
    threshold: timedelta
    reactivations: tuple[Reactivation, ...] = ()

    def __repr__(self) -> str:
        """A one-line summary: state, last activity, reactivations."""
        return (
            f"Activity(lead_id={self.lead_id!r}, as_of={moment(self.as_of)!r}, "
            f"state={self.state.value!r}, last_active_at={moment(self.last_active_at)!r}, "
            f"{len(self.reactivations)} reactivation(s))"
        )

    def _repr_html_(self) -> str:
        """The state and every reactivation as HTML (notebooks)."""
        lines = [
            f"last active {moment(self.last_active_at) or 'never'}; silence threshold "
            f"{format_duration(self.threshold)}"
            + (f"; dormant since {moment(self.dormant_since)}" if self.dormant_since else "")
        ]
        rows = [
            (
                r.kind.value,
                moment(r.at),
                moment(r.silent_since),
                format_duration(r.silence),
                r.events,
            )
            for r in self.reactivations
        ]
        headers = ("reactivation", "at", "silent since", "silence", "events")
        tables = [html_table(headers, rows, numeric=(4,))] if rows else []
        title = f"Lead {self.lead_id} at {moment(self.as_of)} UTC: {self.state.value}"
        return html_block(title, lines, tables)

    @property
    def last_reactivation(self) -> Reactivation | None:
        """The most recent reactivation, or ``None``."""
        return self.reactivations[-1] if self.reactivations else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able); durations as strings such as ``"90d"``."""
        return {
            "lead_id": self.lead_id,
            "as_of": self.as_of.isoformat(),
            "state": self.state.value,
            "last_active_at": _iso(self.last_active_at),
            "dormant_since": _iso(self.dormant_since),
            "threshold": format_duration(self.threshold),
            "reactivations": [r.to_dict() for r in self.reactivations],
        }


# --- detection ------------------------------------------------------------------------------


def _activity_events(
    events: Iterable[Event], policy: DormancyPolicy, as_of: datetime
) -> list[Event]:
    return [e for e in events if e.at <= as_of and e.type not in policy.ignore_types]


def _thresholds(acts: Sequence[Event], policy: DormancyPolicy) -> list[timedelta]:
    """The silence threshold after each activity event, from the events up to it."""
    out: list[timedelta] = []
    gaps: list[timedelta] = []  # kept sorted
    for index, event in enumerate(acts):
        gap = event.at - acts[index - 1].at if index else None
        if gap is not None and gap >= policy.session_gap:  # shorter: pages of one visit
            insort(gaps, gap)
        if index + 1 >= policy.min_history and gaps:
            mid = len(gaps) // 2
            median = gaps[mid] if len(gaps) % 2 else (gaps[mid - 1] + gaps[mid]) / 2
            try:
                rhythm = median * policy.cadence_factor
            except OverflowError:  # a huge factor: the lead never turns dormant
                rhythm = timedelta.max
            out.append(max(policy.dormant_after, rhythm))
        else:
            out.append(policy.dormant_after)
    return out


def _returning_kind(lead: Lead, moment: datetime) -> ReactivationKind | None:
    """The special kind of a return at ``moment``: a LOST/WON lead whose status had changed."""
    changed = lead.status_changed_at
    if changed is not None and changed >= moment:
        return None
    if lead.status is LeadStatus.LOST:
        return ReactivationKind.LOST_DEAL_RETURN
    if lead.status is LeadStatus.WON:
        return ReactivationKind.CUSTOMER_RETURN
    return None


def _is_intent(event: Event, policy: DormancyPolicy) -> bool:
    return (
        event.type in policy.intent_types
        and event.properties.get("category") in policy.intent_categories
    )


def _scan(
    lead: Lead, acts: Sequence[Event], policy: DormancyPolicy
) -> tuple[list[timedelta], list[Reactivation]]:
    thresholds = _thresholds(acts, policy)
    found: list[Reactivation] = []
    index = 1
    while index < len(acts):
        start = acts[index]
        silence = start.at - acts[index - 1].at
        if silence < thresholds[index - 1]:
            index += 1
            continue
        completed: tuple[int, ReactivationKind] | None = None
        last = min(len(acts), index + policy.burst_min_events) - 1
        for j in range(index, last + 1):
            event = acts[j]
            if event.at - start.at > policy.burst_within:
                break
            kind = _returning_kind(lead, event.at)
            if kind is not None and _is_intent(event, policy):
                completed = (j, kind)
                break
            if j - index + 1 >= policy.burst_min_events:
                completed = (j, kind or ReactivationKind.RETURN_AFTER_SILENCE)
                break
        if completed is None:
            index += 1
            continue
        j, kind = completed
        found.append(
            Reactivation(
                at=acts[j].at,
                kind=kind,
                silent_since=acts[index - 1].at,
                silence=silence,
                events=j - index + 1,
                event_id=acts[j].id,
            )
        )
        index = j + 1
    return thresholds, found


def find_reactivations(
    lead: Lead, events: Sequence[Event], policy: DormancyPolicy, as_of: Timestamp
) -> list[Reactivation]:
    """Every reactivation of ``lead`` up to ``as_of``, oldest first.

    ``events`` must be this lead's events, already sorted and de-duplicated (as
    :func:`~leadscoring.core.event.dedupe_sorted` returns them); events after ``as_of`` and of
    ``policy.ignore_types`` are skipped. Use :func:`activity` for raw input.
    """
    moment = check_moment(as_of)
    return _scan(lead, _activity_events(events, policy, moment), policy)[1]


def activity_state(
    lead: Lead,
    as_of: datetime,
    policy: DormancyPolicy,
    last_active: datetime | None,
    threshold: timedelta,
    found: Sequence[Reactivation],
) -> Activity:
    """The :class:`Activity` at ``as_of`` from what the detector found: ``NEW`` without
    activity, then ``DORMANT`` (silent for ``threshold``), ``REACTIVATED`` (a return
    within ``reactivated_for``), else ``ACTIVE``. Every engine states activity this way."""
    if last_active is None:
        return Activity(
            lead_id=lead.id,
            as_of=as_of,
            state=ActivityState.NEW,
            last_active_at=None,
            dormant_since=None,
            threshold=policy.dormant_after,
        )
    dormant_since: datetime | None = None
    if as_of - last_active >= threshold:
        state, dormant_since = ActivityState.DORMANT, last_active + threshold
    elif found and as_of - found[-1].at < policy.reactivated_for:
        state = ActivityState.REACTIVATED
    else:
        state = ActivityState.ACTIVE
    return Activity(
        lead_id=lead.id,
        as_of=as_of,
        state=state,
        last_active_at=last_active,
        dormant_since=dormant_since,
        threshold=threshold,
        reactivations=tuple(found),
    )


def _activity(
    lead: Lead, events: Sequence[Event], policy: DormancyPolicy, as_of: datetime
) -> Activity:
    """The activity at ``as_of`` from this lead's events, already sorted and de-duplicated."""
    acts = _activity_events(events, policy, as_of)
    if not acts:
        return activity_state(lead, as_of, policy, None, policy.dormant_after, ())
    thresholds, found = _scan(lead, acts, policy)
    return activity_state(lead, as_of, policy, acts[-1].at, thresholds[-1], found)


def activity(
    lead: Lead,
    events: Iterable[Event],
    *,
    as_of: Timestamp,
    policy: DormancyPolicy = _DEFAULT_POLICY,
    identities: Identities | None = None,
) -> Activity:
    """The activity state of ``lead`` at ``as_of``.

    Events of other leads and events after ``as_of`` are ignored; events sharing an
    ``id`` count once; the order of ``events`` does not matter. With ``identities``, the
    lead's aliases' events (linked by ``as_of``) are its own.

    >>> from datetime import UTC, datetime
    >>> lead = Lead(id="L1")
    >>> seen = [Event(lead_id="L1", type="page_view", at=datetime(2026, 1, 5, tzinfo=UTC))]
    >>> activity(lead, seen, as_of=datetime(2026, 6, 1, tzinfo=UTC)).state
    <ActivityState.DORMANT: 'dormant'>
    """
    lead = check_lead(lead)
    policy = expect(policy, DormancyPolicy, "policy")
    moment = check_moment(as_of)
    own = events_of(lead.id, events, moment, check_identities(identities))
    return _activity(lead, own, policy, moment)


def activity_all(
    leads: Iterable[Lead],
    events: Iterable[Event],
    *,
    as_of: Timestamp,
    policy: DormancyPolicy = _DEFAULT_POLICY,
    on_unknown: Literal["raise", "warn", "ignore"] = "raise",
    identities: Identities | None = None,
) -> list[Activity]:
    """The activity of each lead, one result per lead in the order of ``leads``.

    The same guarantees as :func:`~leadscoring.score_all`: events whose ``lead_id``
    matches no lead raise :class:`~leadscoring.UnknownLeadError`, unless ``on_unknown`` is
    ``"warn"`` (an :class:`~leadscoring.UnknownLeadWarning`, then skipped) or ``"ignore"``;
    a lead id given twice is an error. ``identities`` unite histories as in ``score_all``.
    """
    policy = expect(policy, DormancyPolicy, "policy")
    moment = check_moment(as_of)
    links = check_identities(identities)
    lead_list = united_leads(leads, links, moment)
    grouped = group_events(lead_list, events, as_of=moment, on_unknown=on_unknown, identities=links)
    return [_activity(lead, grouped[lead.id], policy, moment) for lead in lead_list]
