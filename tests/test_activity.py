"""Tests for leadscoring.signals.activity: dormancy, reactivation and the dormancy policy.

Timelines are in whole days from ``T0`` (2026-01-01 UTC); ``day(n)`` is day ``n``. Under the
default policy the threshold is 90 days until a lead has 3 activity events, then
``max(90d, 3 * median gap)``; a return needs 3 activity events within 14 days of its first
event (one intent page view for a LOST/WON lead); REACTIVATED lasts 30 days.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    Activity,
    ActivityState,
    DormancyPolicy,
    Event,
    InvalidModelError,
    InvalidValueError,
    Lead,
    LeadScoringError,
    NaiveDatetimeError,
    Reactivation,
    ReactivationKind,
    UnknownLeadError,
    UnknownLeadWarning,
    activity,
    activity_all,
)
from leadscoring.core.event import dedupe_sorted
from leadscoring.core.rules import REACTIVATION_KINDS
from leadscoring.signals.activity import find_reactivations
from strategies import T0, activity_leads, dormancy_policies, lead_histories

LEAD = Lead(id="L1")


def day(n: float) -> datetime:
    """Day ``n`` of the test timeline."""
    return T0 + timedelta(days=n)


def ev(
    n: float,
    category: str = "blog",
    *,
    type: str = "page_view",
    id: str | None = None,
    lead_id: str = "L1",
) -> Event:
    """An event of ``lead_id`` on day ``n``."""
    return Event(lead_id=lead_id, type=type, at=day(n), properties={"category": category}, id=id)


def at(events: list[Event], n: float, lead: Lead = LEAD, **policy: Any) -> Activity:
    """The activity of ``lead`` on day ``n`` under a default policy changed by ``policy``."""
    return activity(lead, events, as_of=day(n), policy=DormancyPolicy(**policy))


# --- states: hand-worked timelines ------------------------------------------------------------


def test_no_events_is_new() -> None:
    """A lead with no events is NEW, with the default threshold and no history."""
    result = at([], 10)
    assert result.state is ActivityState.NEW
    assert (result.last_active_at, result.dormant_since) == (None, None)
    assert result.threshold == timedelta(days=90)
    assert result.reactivations == ()


def test_only_ignored_events_is_new() -> None:
    """Bounces and unsubscribes are not activity, so a lead with only those is NEW."""
    events = [ev(1, type="bounce"), ev(2, type="unsubscribe")]
    assert at(events, 10).state is ActivityState.NEW


def test_events_after_as_of_do_not_count() -> None:
    """A lead whose only event lies after as_of is still NEW."""
    assert at([ev(5)], 4).state is ActivityState.NEW


def test_dormant_exactly_at_threshold() -> None:
    """One event on day 0: active one second before day 90, dormant from day 90 on."""
    events = [ev(0)]
    before = activity(LEAD, events, as_of=day(90) - timedelta(seconds=1))
    assert before.state is ActivityState.ACTIVE
    assert before.dormant_since is None
    on = at(events, 90)
    assert on.state is ActivityState.DORMANT
    assert on.dormant_since == day(90)
    assert on.last_active_at == day(0)


def test_cadence_relative_threshold() -> None:
    """Events every 60 days: gaps 60, 60 -> median 60 * 3 = 180d, not dormant 120 days on."""
    events = [ev(0), ev(60), ev(120)]
    result = at(events, 240)
    assert result.threshold == timedelta(days=180)
    assert result.state is ActivityState.ACTIVE
    later = at(events, 300)  # 120 + 180
    assert later.state is ActivityState.DORMANT
    assert later.dormant_since == day(300)


def test_pages_of_one_visit_do_not_set_the_cadence() -> None:
    """Three-page visits every 60 days: gaps of 10 minutes are one visit, not returns.

    Visits on days 0, 60, 120, each of three page views 10 minutes apart. Gaps are
    10m, 10m, 60d - 20m, 10m, 10m, 60d - 20m, 10m, 10m. With session_gap 30m only the two
    ~60-day gaps count: median 60d - 20m, times 3 = 180d - 60m; as_of day 240 is 120 days
    - 20m after the last page view, well inside it: ACTIVE, not DORMANT.
    """
    minute = 1 / (24 * 60)
    events = [ev(v + k * 10 * minute) for v in (0, 60, 120) for k in range(3)]
    result = at(events, 240)
    assert result.threshold == timedelta(days=180) - timedelta(minutes=60)
    assert result.state is ActivityState.ACTIVE
    # Counting the in-visit gaps would give a median of 10 minutes and a 90-day threshold.
    assert at(events, 240, session_gap="1m").state is ActivityState.DORMANT


def test_cadence_needs_min_history() -> None:
    """Two events 60 days apart are below min_history=3: threshold 90d, dormant on day 150."""
    result = at([ev(0), ev(60)], 150)
    assert result.threshold == timedelta(days=90)
    assert result.state is ActivityState.DORMANT
    assert result.dormant_since == day(150)


def test_threshold_is_never_below_dormant_after() -> None:
    """Daily events have median gap 1d; 3 * 1d is below 90d, so the threshold stays 90d."""
    assert at([ev(n) for n in range(5)], 10).threshold == timedelta(days=90)


def test_threshold_uses_median_of_even_count() -> None:
    """Gaps 40, 50, 70, 80 (even count): median (50 + 70) / 2 = 60 -> threshold 180d."""
    events = [ev(0), ev(40), ev(90), ev(160), ev(240)]
    assert at(events, 250).threshold == timedelta(days=180)


# --- reactivation: return after silence -------------------------------------------------------


def test_burst_reactivates() -> None:
    """Silent from day 0; days 100, 105, 110 are 3 events within 14 days: reactivated on 110."""
    events = [ev(0), ev(100, id="a"), ev(105, id="b"), ev(110, id="c")]
    result = at(events, 110)
    assert result.state is ActivityState.REACTIVATED
    assert result.reactivations == (
        Reactivation(
            at=day(110),
            kind=ReactivationKind.RETURN_AFTER_SILENCE,
            silent_since=day(0),
            silence=timedelta(days=100),
            events=3,
            event_id="c",
        ),
    )
    assert result.last_reactivation == result.reactivations[0]


def test_burst_window_is_inclusive() -> None:
    """Days 100, 107 and 114 (exactly 14 days after the first) still form a burst."""
    assert len(at([ev(0), ev(100), ev(107), ev(114)], 120).reactivations) == 1


def test_thin_burst_does_not_reactivate() -> None:
    """Days 100, 105 and 115: the third event is 15 days after the first, too late."""
    result = at([ev(0), ev(100), ev(105), ev(115)], 120)
    assert result.reactivations == ()
    assert result.state is ActivityState.ACTIVE


def test_return_before_threshold_is_no_reactivation() -> None:
    """A burst after an 89-day silence is not a return: the lead was never dormant."""
    assert at([ev(0), ev(89), ev(90), ev(91)], 95).reactivations == ()


def test_pending_burst_is_active_not_reactivated() -> None:
    """On day 106 only 2 of 3 events have arrived: ACTIVE; the third on day 110 completes it."""
    events = [ev(0), ev(100), ev(105), ev(110)]
    assert at(events, 106).state is ActivityState.ACTIVE
    assert at(events, 106).reactivations == ()
    assert len(at(events, 110).reactivations) == 1


def test_burst_counts_activity_events_only() -> None:
    """A bounce inside the window is not part of the burst."""
    events = [ev(0), ev(100), ev(101, type="bounce"), ev(102)]
    assert at(events, 110).reactivations == ()


def test_duplicate_ids_count_once_in_a_burst() -> None:
    """The same event ingested twice is one event, so two distinct events are too thin."""
    events = [ev(0), ev(100, id="x"), ev(100, id="x"), ev(101, id="y")]
    assert at(events, 110).reactivations == ()


def test_two_separate_reactivations() -> None:
    """Two silences each followed by a burst give two reactivations, oldest first."""
    events = [ev(0), ev(100), ev(101), ev(102), ev(300), ev(301), ev(302)]
    found = at(events, 310).reactivations
    assert [r.at for r in found] == [day(102), day(302)]
    assert [r.silent_since for r in found] == [day(0), day(102)]
    assert [r.silence for r in found] == [timedelta(days=100), timedelta(days=198)]


def test_burst_min_events_one_reactivates_on_the_first_return() -> None:
    """With burst_min_events=1 the first returning event is the reactivation."""
    (found,) = at([ev(0), ev(100, id="r")], 100, burst_min_events=1).reactivations
    assert (found.at, found.events, found.event_id) == (day(100), 1, "r")


# --- reactivation: lost deals and customers ---------------------------------------------------


def test_lost_deal_returns_with_one_pricing_view() -> None:
    """Lost on day 10, silent since day 0, one pricing view on day 120: lost_deal_return."""
    lost = Lead(id="L1", status="lost", status_changed_at=day(10))
    result = at([ev(0), ev(120, "pricing", id="p")], 121, lead=lost)
    assert result.state is ActivityState.REACTIVATED
    assert result.reactivations == (
        Reactivation(
            at=day(120),
            kind=ReactivationKind.LOST_DEAL_RETURN,
            silent_since=day(0),
            silence=timedelta(days=120),
            events=1,
            event_id="p",
        ),
    )


def test_customer_returns_at_first_intent_event() -> None:
    """A customer returns with an email open (day 100), then a service page (day 102)."""
    won = Lead(id="L1", status="won", status_changed_at=day(5))
    events = [ev(0), ev(100, type="email_open"), ev(102, "service")]
    (found,) = at(events, 110, lead=won).reactivations
    assert found.kind is ReactivationKind.CUSTOMER_RETURN
    assert (found.at, found.events, found.silence) == (day(102), 2, timedelta(days=100))


def test_lost_deal_single_non_intent_view_is_not_enough() -> None:
    """A lost lead's single blog view after silence is not an intent event."""
    lost = Lead(id="L1", status="lost", status_changed_at=day(10))
    assert at([ev(0), ev(120, "blog")], 125, lead=lost).reactivations == ()


def test_lost_deal_needs_a_silence() -> None:
    """A pricing view 30 days after the last activity is no return, even for a lost deal."""
    lost = Lead(id="L1", status="lost", status_changed_at=day(10))
    assert at([ev(0), ev(30, "pricing")], 35, lead=lost).reactivations == ()


def test_lost_deal_intent_before_status_change_is_not_enough() -> None:
    """A pricing view before the deal was lost is an ordinary (thin) return."""
    lost = Lead(id="L1", status="lost", status_changed_at=day(150))
    assert at([ev(0), ev(120, "pricing")], 125, lead=lost).reactivations == ()


def test_lost_deal_burst_has_lost_kind() -> None:
    """A lost lead's burst of three email opens after its status change is a lost_deal_return."""
    lost = Lead(id="L1", status="lost", status_changed_at=day(10))
    events = [ev(0), *(ev(n, type="email_open") for n in (100, 101, 102))]
    (found,) = at(events, 105, lead=lost).reactivations
    assert (found.kind, found.events) == (ReactivationKind.LOST_DEAL_RETURN, 3)


def test_won_lead_without_change_date_counts_as_customer() -> None:
    """A WON lead whose status_changed_at is unknown is treated as a customer all along."""
    won = Lead(id="L1", status="won")
    (found,) = at([ev(0), ev(100, "product")], 100, lead=won).reactivations
    assert found.kind is ReactivationKind.CUSTOMER_RETURN


def test_open_lead_single_pricing_view_is_not_enough() -> None:
    """For an open lead one pricing view after a silence is a thin return, not a reactivation."""
    assert at([ev(0), ev(120, "pricing")], 125).reactivations == ()


def test_intent_categories_are_configurable() -> None:
    """With intent_categories={'faq'} an FAQ view brings a lost deal back and pricing does not."""
    lost = Lead(id="L1", status="lost", status_changed_at=day(10))
    faq_only = {"intent_categories": {"faq"}}
    assert len(at([ev(0), ev(120, "faq")], 125, lead=lost, **faq_only).reactivations) == 1
    assert at([ev(0), ev(120, "pricing")], 125, lead=lost, **faq_only).reactivations == ()


def test_intent_types_are_configurable() -> None:
    """With form_submit among intent_types, a pricing form alone brings a customer back."""
    won = Lead(id="L1", status="won", status_changed_at=day(10))
    events = [ev(0), ev(120, "pricing", type="form_submit")]
    assert at(events, 125, lead=won).reactivations == ()
    extra = {"intent_types": {"page_view", "form_submit"}}
    assert len(at(events, 125, lead=won, **extra).reactivations) == 1


# --- REACTIVATED expires; other settings ------------------------------------------------------


def test_reactivated_expires_into_active() -> None:
    """Reactivated on day 110: REACTIVATED on day 139, ACTIVE on day 140 (110 + 30)."""
    events = [ev(0), ev(100), ev(105), ev(110)]
    assert at(events, 139).state is ActivityState.REACTIVATED
    after = at(events, 140)
    assert after.state is ActivityState.ACTIVE
    assert len(after.reactivations) == 1


def test_dormant_wins_over_a_long_reactivated_period() -> None:
    """With reactivated_for=365d, a lead silent 90 days after its reactivation is DORMANT."""
    events = [ev(0), ev(100), ev(105), ev(110)]
    assert at(events, 200, reactivated_for="365d").state is ActivityState.DORMANT


def test_ignore_types_are_configurable() -> None:
    """A bounce on day 80 is ignored by default (dormant on day 90) but counts if configured."""
    events = [ev(0), ev(80, type="bounce")]
    assert at(events, 90).state is ActivityState.DORMANT
    assert at(events, 90, ignore_types=[]).state is ActivityState.ACTIVE


def test_events_of_other_leads_are_ignored() -> None:
    """activity() looks only at the given lead's events."""
    events = [ev(0), ev(85, lead_id="L2")]
    assert at(events, 90).state is ActivityState.DORMANT


def test_as_of_accepts_iso_text_and_rejects_naive() -> None:
    """as_of may be an ISO 8601 string with offset; a naive datetime is refused."""
    assert activity(LEAD, [ev(0)], as_of="2026-01-02T00:00:00Z").state is ActivityState.ACTIVE
    with pytest.raises(NaiveDatetimeError):
        activity(LEAD, [ev(0)], as_of=datetime(2026, 1, 2))


def test_bad_arguments_raise_library_errors() -> None:
    """Wrong argument types raise InvalidValueError naming the argument."""
    with pytest.raises(InvalidValueError, match="lead"):
        activity("L1", [], as_of=day(0))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"events\[0\]"):
        activity(LEAD, [{"type": "page_view"}], as_of=day(0))  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="policy"):
        activity(LEAD, [], as_of=day(0), policy={"dormant_after": "9d"})  # type: ignore[arg-type]


def test_find_reactivations_matches_activity() -> None:
    """The engine's entry point finds the same reactivations on a prepared event list."""
    events = [ev(0), ev(100), ev(105), ev(110), ev(300), ev(301), ev(302), ev(400)]
    prepared = dedupe_sorted(events)
    found = find_reactivations(LEAD, prepared, DormancyPolicy(), day(350))
    assert tuple(found) == at(events, 350).reactivations
    assert len(found) == 2


def test_extreme_policy_values_do_not_overflow() -> None:
    """A huge cadence factor or the longest burst window is valid and computes without overflow."""
    events = [ev(0), ev(100), ev(200), ev(300), ev(301), ev(302)]
    longest = timedelta(days=365 * 1000)  # durations are capped at 1000 years
    huge = at(events, 400, cadence_factor=1e300, burst_within=longest)
    assert huge.threshold == timedelta.max
    assert huge.state is ActivityState.ACTIVE
    # A 1000-year window: the return on day 100 is completed by days 200 and 300.
    (found,) = at(events, 400, burst_within=longest).reactivations
    assert (found.at, found.events) == (day(300), 3)
    with pytest.raises(InvalidModelError, match="longer than 1000 years"):
        DormancyPolicy(burst_within=timedelta.max)


def test_reactivation_kinds_match_the_rule_kinds() -> None:
    """ReactivationRule(kinds=...) accepts exactly the kinds the detector reports."""
    assert {k.value for k in ReactivationKind} == set(REACTIVATION_KINDS)


def test_to_dict_gives_plain_data() -> None:
    """Activity and Reactivation to_dict() give JSON-able data with durations as text."""
    result = at([ev(0), ev(100), ev(105), ev(110, id="c")], 110)
    assert result.to_dict() == {
        "lead_id": "L1",
        "as_of": "2026-04-21T00:00:00+00:00",
        "state": "reactivated",
        "last_active_at": "2026-04-21T00:00:00+00:00",
        "dormant_since": None,
        "threshold": "90d",
        "reactivations": [
            {
                "at": "2026-04-21T00:00:00+00:00",
                "kind": "return_after_silence",
                "silent_since": "2026-01-01T00:00:00+00:00",
                "silence": "100d",
                "events": 3,
                "event_id": "c",
            }
        ],
    }


# --- activity_all -----------------------------------------------------------------------------


def test_activity_all_one_result_per_lead_in_order() -> None:
    """Results follow the leads' order; a lead without events is NEW."""
    leads = [Lead(id="b"), Lead(id="a"), Lead(id="c")]
    events = [ev(0, lead_id="a"), ev(85, lead_id="b")]
    results = activity_all(leads, events, as_of=day(90))
    assert [r.lead_id for r in results] == ["b", "a", "c"]
    assert [r.state for r in results] == [
        ActivityState.ACTIVE, ActivityState.DORMANT, ActivityState.NEW,
    ]
    assert results[1] == activity(leads[1], events, as_of=day(90))


def test_activity_all_unknown_leads() -> None:
    """Events of unknown leads raise by default, warn or are ignored on request."""
    events = [ev(0, lead_id="a"), ev(1, lead_id="ghost")]
    with pytest.raises(UnknownLeadError) as info:
        activity_all([Lead(id="a")], events, as_of=day(5))
    assert info.value.lead_ids == ("ghost",)
    with pytest.warns(UnknownLeadWarning, match="ghost"):
        warned = activity_all([Lead(id="a")], events, as_of=day(5), on_unknown="warn")
    ignored = activity_all([Lead(id="a")], events, as_of=day(5), on_unknown="ignore")
    assert warned == ignored
    assert ignored[0].state is ActivityState.ACTIVE


def test_activity_all_rejects_bad_on_unknown_and_duplicate_leads() -> None:
    """on_unknown must be one of three words, and a lead id may be given only once."""
    with pytest.raises(InvalidValueError, match="on_unknown"):
        activity_all([LEAD], [], as_of=day(0), on_unknown="skip")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="twice"):
        activity_all([LEAD, LEAD], [], as_of=day(0))


# --- DormancyPolicy ---------------------------------------------------------------------------


def test_policy_defaults() -> None:
    """The defaults are the documented ones (docs/dormancy.md)."""
    policy = DormancyPolicy()
    assert policy.dormant_after == timedelta(days=90)
    assert policy.cadence_factor == 3.0
    assert (policy.min_history, policy.burst_min_events) == (3, 3)
    assert policy.burst_within == timedelta(days=14)
    assert policy.reactivated_for == timedelta(days=30)
    assert policy.ignore_types == {"bounce", "unsubscribe"}
    assert policy.intent_types == {"page_view"}
    assert policy.intent_categories == {"service", "product", "pricing", "case_study"}


def test_policy_accepts_duration_text_and_sets() -> None:
    """Durations may be text; type and category lists become frozensets."""
    policy = DormancyPolicy(dormant_after="P60D", burst_within="1w", ignore_types=["bounce"])
    assert policy.dormant_after == timedelta(days=60)
    assert policy.burst_within == timedelta(days=7)
    assert policy.ignore_types == frozenset({"bounce"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dormant_after", "0d"),
        ("dormant_after", timedelta(days=-1)),
        ("dormant_after", "P3M"),
        ("dormant_after", 90),
        ("burst_within", "soon"),
        ("reactivated_for", None),
        ("cadence_factor", 0.5),
        ("cadence_factor", float("inf")),
        ("cadence_factor", "3"),
        ("min_history", 0),
        ("min_history", 2.0),
        ("burst_min_events", True),
        ("ignore_types", "bounce"),
        ("intent_categories", ["pricing", ""]),
    ],
)
def test_policy_rejects_bad_values(field: str, value: object) -> None:
    """A bad setting raises InvalidModelError whose path starts with the field name."""
    with pytest.raises(InvalidModelError) as info:
        DormancyPolicy(**{field: value})
    assert isinstance(info.value, LeadScoringError | ValueError)
    assert info.value.errors[0].path.startswith(field)


def test_policy_from_dict_collects_every_problem_with_hints() -> None:
    """from_dict reports all problems at once, with a 'did you mean' hint for a typo."""
    with pytest.raises(InvalidModelError) as info:
        DormancyPolicy.from_dict(
            {"dormant_afte": "9d", "cadence_factor": 0, "ignore_types": ["bounce", 3]}
        )
    errors = {e.path: e for e in info.value.errors}
    assert set(errors) == {"dormant_afte", "cadence_factor", "ignore_types[1]"}
    assert errors["dormant_afte"].hint == "did you mean 'dormant_after'?"
    assert errors["cadence_factor"].under("$.dormancy").path == "$.dormancy.cadence_factor"


def test_policy_from_dict_needs_a_mapping() -> None:
    """from_dict of something other than a mapping is an InvalidModelError."""
    with pytest.raises(InvalidModelError, match="expected a table"):
        DormancyPolicy.from_dict(["dormant_after"])


def test_policy_to_dict_is_plain_data() -> None:
    """to_dict gives durations as text and sets as sorted lists."""
    assert DormancyPolicy().to_dict() == {
        "dormant_after": "90d",
        "cadence_factor": 3.0,
        "min_history": 3,
        "session_gap": "30m",
        "burst_within": "2w",
        "burst_min_events": 3,
        "reactivated_for": "30d",
        "ignore_types": ["bounce", "unsubscribe"],
        "intent_types": ["page_view"],
        "intent_categories": ["case_study", "pricing", "product", "service"],
    }


@given(dormancy_policies())
def test_policy_round_trips_through_plain_data(policy: DormancyPolicy) -> None:
    """from_dict(p.to_dict()) == p for every valid policy."""
    assert DormancyPolicy.from_dict(policy.to_dict()) == policy


# --- properties -------------------------------------------------------------------------------

AS_OF_DAYS = st.integers(0, 1500)


@given(activity_leads(), lead_histories(), dormancy_policies(), AS_OF_DAYS)
def test_recent_activity_is_never_dormant(
    lead: Lead, events: list[Event], policy: DormancyPolicy, n: int
) -> None:
    """A lead with an activity event less than dormant_after before as_of is not DORMANT."""
    as_of = day(n)
    result = activity(lead, events, as_of=as_of, policy=policy)
    recent = [
        e for e in events
        if e.type not in policy.ignore_types and e.at <= as_of < e.at + policy.dormant_after
    ]
    if recent:
        assert result.state is not ActivityState.DORMANT


@given(activity_leads(), lead_histories(), dormancy_policies(), AS_OF_DAYS, st.randoms())
def test_result_does_not_depend_on_event_order(
    lead: Lead, events: list[Event], policy: DormancyPolicy, n: int, rnd: random.Random
) -> None:
    """Shuffling the events, and re-sending copies of those with an id, changes nothing."""
    shuffled = events + [e for e in events if e.id is not None]
    rnd.shuffle(shuffled)
    assert activity(lead, shuffled, as_of=day(n), policy=policy) == activity(
        lead, events, as_of=day(n), policy=policy
    )


@given(activity_leads(), lead_histories(), lead_histories(), dormancy_policies(), AS_OF_DAYS)
def test_events_after_as_of_change_nothing(
    lead: Lead, events: list[Event], extra: list[Event], policy: DormancyPolicy, n: int
) -> None:
    """Adding events later than as_of leaves the result unchanged."""
    as_of = day(n)
    future = [
        Event(lead_id="L1", type=e.type, at=e.at + (as_of - T0) + timedelta(seconds=1),
              properties=e.properties, id=None if e.id is None else "future-" + e.id)
        for e in extra
    ]
    assert activity(lead, events + future, as_of=as_of, policy=policy) == activity(
        lead, events, as_of=as_of, policy=policy
    )


@given(activity_leads(), lead_histories(), dormancy_policies(), AS_OF_DAYS, AS_OF_DAYS)
def test_history_does_not_rewrite_itself(
    lead: Lead, events: list[Event], policy: DormancyPolicy, n1: int, n2: int
) -> None:
    """The reactivations found at as_of are exactly the first ones found at any later as_of."""
    early, late = sorted((n1, n2))
    before = activity(lead, events, as_of=day(early), policy=policy).reactivations
    after = activity(lead, events, as_of=day(late), policy=policy).reactivations
    assert after[: len(before)] == before
    assert tuple(r for r in after if r.at <= day(early)) == before


@given(activity_leads(), lead_histories(), dormancy_policies(), AS_OF_DAYS)
def test_result_invariants(
    lead: Lead, events: list[Event], policy: DormancyPolicy, n: int
) -> None:
    """States, thresholds and reactivations are mutually consistent."""
    as_of = day(n)
    result = activity(lead, events, as_of=as_of, policy=policy)
    assert result.threshold >= policy.dormant_after
    assert (result.state is ActivityState.DORMANT) == (result.dormant_since is not None)
    assert (result.state is ActivityState.NEW) == (result.last_active_at is None)
    if result.dormant_since is not None and result.last_active_at is not None:
        assert result.dormant_since == result.last_active_at + result.threshold <= as_of
    times = [r.at for r in result.reactivations]
    assert times == sorted(times)
    for found in result.reactivations:
        assert found.at <= as_of
        assert found.silence >= policy.dormant_after
        assert found.silent_since + found.silence <= found.at
        assert 1 <= found.events <= policy.burst_min_events
        if found.kind is ReactivationKind.RETURN_AFTER_SILENCE:
            assert found.events == policy.burst_min_events


@given(lead_histories("a"), lead_histories("b"), dormancy_policies(), AS_OF_DAYS)
def test_activity_all_matches_activity(
    a: list[Event], b: list[Event], policy: DormancyPolicy, n: int
) -> None:
    """activity_all gives, for each lead, what activity() gives for it alone."""
    leads = [Lead(id="b"), Lead(id="a")]
    results = activity_all(leads, a + b, as_of=day(n), policy=policy)
    assert results == [activity(lead, a + b, as_of=day(n), policy=policy) for lead in leads]


def test_naive_datetime_is_refused_at_the_edge() -> None:
    """The value types and as_of all refuse naive datetimes (the edge stays strict)."""
    with pytest.raises(NaiveDatetimeError):
        find_reactivations(LEAD, [], DormancyPolicy(), datetime(2026, 1, 1))
    assert find_reactivations(LEAD, [], DormancyPolicy(), datetime(2026, 1, 1, tzinfo=UTC)) == []
