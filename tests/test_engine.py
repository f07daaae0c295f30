"""Tests of leadscoring.scoring.engine: score, score_all and timeline.

Golden numbers are worked out by hand in the comments next to them.
"""

from __future__ import annotations

import random
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    InvalidEventError,
    InvalidValueError,
    Lead,
    LeadScore,
    LeadScoringError,
    Limit,
    Linear,
    NaiveDatetimeError,
    NoDecay,
    ReactivationRule,
    RepeatRule,
    ScoringModel,
    Steps,
    UnknownLeadError,
    UnknownLeadWarning,
    Window,
    lt,
    score,
    score_all,
    timeline,
)
from leadscoring.core.conditions import compile_condition, event_getter, lead_getter
from leadscoring.core.event import event_sort_key
from leadscoring.scoring.compiled import compile_model
from strategies import (
    T0,
    conditions,
    event_conditions,
    event_lists,
    events,
    lead_conditions,
    leads,
    models,
    moments,
)

T = datetime(2026, 4, 1, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
LEAD = Lead(id="L1")
VIEW = {"type": "page_view"}


def ev(type_: str, at: datetime, id: str | None = None, lead: str = "L1", **props: object) -> Event:
    """An event of ``lead`` (``L1`` by default)."""
    return Event(lead_id=lead, type=type_, at=at, id=id, properties=props)  # type: ignore[arg-type]


def make(*rules: object, **kwargs: object) -> ScoringModel:
    """A model of ``rules``."""
    return ScoringModel(name="test", rules=rules, **kwargs)  # type: ignore[arg-type]


def ids(result: LeadScore) -> list[str | None]:
    """The event ids of a score's contributions, in order."""
    return [c.event_id for c in result.contributions]


# --------------------------------------------------------------------------- decay, golden


def test_half_life_weights_each_event_by_its_age() -> None:
    """HalfLife(7d) weighs 10-point events 0, 3.5, 7 and 14 days old by 1, 0.71, 0.5, 0.25."""
    model = make(EventRule(name="visit", when=VIEW, points=10, decay=HalfLife(days=7)))
    history = [
        ev("page_view", T - 14 * DAY, "a"),  # 0.5 ** 2 = 0.25 -> 2.5
        ev("page_view", T - 7 * DAY, "b"),  # 0.5 ** 1 = 0.5 -> 5
        ev("page_view", T - 3.5 * DAY, "c"),  # 0.5 ** 0.5 = 0.70710678... -> 7.0710678...
        ev("page_view", T, "d"),  # age 0 -> 10
    ]
    result = score(LEAD, history, model, as_of=T)
    # 2.5 + 5 + 7.0710678118654755 + 10 = 24.571067811865476
    assert result.total == pytest.approx(24.571067811865476, rel=1e-12)
    assert result.engagement == pytest.approx(24.571067811865476, rel=1e-12)
    assert result.fit == 0
    weights = [c.weight for c in result.contributions]
    assert weights == pytest.approx([0.25, 0.5, 0.7071067811865476, 1.0], rel=1e-12)
    assert ids(result) == ["a", "b", "c", "d"]


def test_rules_without_a_decay_use_the_model_default() -> None:
    """Default HalfLife(10d): an event 10 days old gives 10 * 0.5 = 5; with NoDecay it gives 10."""
    model = make(
        EventRule(name="default", when=VIEW, points=10),
        EventRule(name="own", when=VIEW, points=10, decay=NoDecay()),
        default_decay=HalfLife(days=10),
    )
    result = score(LEAD, [ev("page_view", T - 10 * DAY)], model, as_of=T)
    assert dict(result.by_rule) == {"default": 5.0, "own": 10.0}
    assert result.total == 15.0


def test_linear_decay() -> None:
    """Linear(over=10d) weighs 10-point events 0, 2.5, 5, 10, 12 days old by 1, .75, .5, 0, 0."""
    model = make(EventRule(name="visit", when=VIEW, points=10, decay=Linear(over="10d")))
    history = [
        ev("page_view", T - 12 * DAY, "a"),  # max(0, 1 - 1.2) = 0: no contribution
        ev("page_view", T - 10 * DAY, "b"),  # 1 - 1 = 0: no contribution
        ev("page_view", T - 5 * DAY, "c"),  # 1 - 0.5 = 0.5 -> 5
        ev("page_view", T - 2.5 * DAY, "d"),  # 1 - 0.25 = 0.75 -> 7.5
        ev("page_view", T, "e"),  # 1 -> 10
    ]
    result = score(LEAD, history, model, as_of=T)
    assert result.total == pytest.approx(22.5, rel=1e-12)  # 5 + 7.5 + 10
    assert ids(result) == ["c", "d", "e"]


def test_steps_decay() -> None:
    """Steps 7d->1, 30d->0.5, 90d->0 weigh 8-point events 3, 7, 30, 45, 90, 100 days old."""
    steps = Steps([("7d", 1.0), ("30d", 0.5), ("90d", 0.0)])
    model = make(EventRule(name="visit", when=VIEW, points=8, decay=steps))
    history = [
        ev("page_view", T - 100 * DAY, "a"),  # 0
        ev("page_view", T - 90 * DAY, "b"),  # 0 (from 90 days on)
        ev("page_view", T - 45 * DAY, "c"),  # 0.5 -> 4
        ev("page_view", T - 30 * DAY, "d"),  # 0.5 (from 30 days on) -> 4
        ev("page_view", T - 7 * DAY, "e"),  # 1.0 -> 8
        ev("page_view", T - 3 * DAY, "f"),  # before the first step: 1 -> 8
    ]
    result = score(LEAD, history, model, as_of=T)
    assert result.total == 24.0  # 4 + 4 + 8 + 8
    assert ids(result) == ["c", "d", "e", "f"]


def test_window_in_calendar_months() -> None:
    """Window(months=1) at 2026-03-31 00:00 reaches back to 2026-02-28 00:00, edge excluded."""
    model = make(EventRule(name="visit", when=VIEW, points=10, decay=Window(months=1)))
    as_of = datetime(2026, 3, 31, tzinfo=UTC)
    history = [
        # 2026-03-31 minus one month: day 31 clipped to 28 (2026 is not a leap year), so the
        # window is (2026-02-28T00:00, 2026-03-31T00:00].
        ev("page_view", datetime(2026, 2, 28, 0, 0, tzinfo=UTC), "edge"),  # out
        ev("page_view", datetime(2026, 2, 28, 12, 0, tzinfo=UTC), "in"),  # in -> 10
        ev("page_view", as_of, "now"),  # age 0, in -> 10
        ev("page_view", as_of + timedelta(seconds=1), "later"),  # after as_of: ignored
    ]
    result = score(LEAD, history, model, as_of=as_of)
    assert result.total == 20.0
    assert ids(result) == ["in", "now"]


# --------------------------------------------------------------------------- caps, golden


def test_rule_cap_clamps_the_decayed_sum() -> None:
    """A cap clamps a rule's sum to [-cap, cap]; contributions keep the raw points."""
    model = make(
        EventRule(name="visits", when=VIEW, points=10, cap=25),
        EventRule(name="unsubscribes", when={"type": "unsubscribe"}, points=-10, cap=15),
        EventRule(name="decayed", when={"type": "webinar"}, points=10, cap=12,
                  decay=HalfLife(days=1)),
    )  # fmt: skip
    history = [ev("page_view", T - n * HOUR) for n in range(4)]  # 4 x 10 = 40 -> 25
    history += [ev("unsubscribe", T - n * HOUR) for n in range(2)]  # 2 x -10 = -20 -> -15
    # webinars 0, 1 and 2 days old: 10 + 5 + 2.5 = 17.5 -> 12
    history += [ev("webinar", T - n * DAY) for n in range(3)]
    result = score(LEAD, history, model, as_of=T)
    assert dict(result.by_rule) == {"visits": 25.0, "unsubscribes": -15.0, "decayed": 12.0}
    assert result.total == 22.0  # 25 - 15 + 12
    assert sum(c.points for c in result.contributions if c.rule == "visits") == 40
    assert result.adjustments() == [
        "rule 'visits': 40 capped to 25",
        "rule 'unsubscribes': -20 capped to -15",
        "rule 'decayed': 17.5 capped to 12",
    ]


def test_zero_cap_gives_zero_not_negative_zero() -> None:
    """A negative rule capped at 0 reports 0.0 (not -0.0) and explains '-5 capped to 0'."""
    model = make(EventRule(name="neg", when=VIEW, points=-5, cap=0))
    result = score(LEAD, [ev("page_view", T)], model, as_of=T)
    assert str(result.by_rule["neg"]) == "0.0"
    assert result.adjustments() == ["rule 'neg': -5 capped to 0"]


def test_group_cap_clamps_the_group_after_rule_caps() -> None:
    """group_caps={'email': 25}: opens 3 x 5 + clicks 2 x 10 = 35 -> 25; web is not capped."""
    model = make(
        EventRule(name="open", when={"type": "email_open"}, points=5, group="email"),
        EventRule(name="click", when={"type": "email_click"}, points=10, group="email"),
        EventRule(name="page", when=VIEW, points=4, group="web"),
        EventRule(name="bounce", when={"type": "bounce"}, points=-8, group="penalty"),
        group_caps={"email": 25, "penalty": 10},
    )
    history = [ev("email_open", T - n * HOUR) for n in range(3)]
    history += [ev("email_click", T - n * HOUR) for n in range(2)]
    history += [ev("page_view", T)]
    history += [ev("bounce", T - n * HOUR) for n in range(2)]  # 2 x -8 = -16 -> -10
    result = score(LEAD, history, model, as_of=T)
    assert dict(result.by_rule) == {"open": 15.0, "click": 20.0, "page": 4.0, "bounce": -16.0}
    assert dict(result.by_group) == {"email": 25.0, "web": 4.0, "penalty": -10.0}
    assert result.engagement == 19.0  # 25 + 4 - 10
    assert result.total == 19.0
    assert result.adjustments() == [
        "group 'email': 35 capped to 25",
        "group 'penalty': -16 capped to -10",
    ]


def test_floor_lifts_a_negative_total_and_ceiling_caps_a_high_one() -> None:
    """fit 10 + engagement -50 = -40, floor 0 -> 0; 3 inquiries x 40 = 120, ceiling 100 -> 100."""
    model = make(
        AttributeRule(name="target industry", when={"industry": "it"}, points=10),
        AttributeRule(name="tiny company", when={"employees": lt(10)}, points=-5),
        EventRule(name="unsubscribed", when={"type": "unsubscribe"}, points=-50),
        EventRule(name="inquiry", when={"type": "inquiry"}, points=40),
        floor=0,
        ceiling=100,
    )
    lead = Lead(id="L1", attributes={"industry": "it", "employees": 250})
    low = score(lead, [ev("unsubscribe", T)], model, as_of=T)
    assert (low.fit, low.engagement, low.total) == (10.0, -50.0, 0.0)
    assert low.adjustments() == ["total: -40 clamped to 0"]
    high = score(lead, [ev("inquiry", T - n * HOUR) for n in range(3)], model, as_of=T)
    assert (high.fit, high.engagement, high.total) == (10.0, 120.0, 100.0)


def test_attribute_rules_see_status_and_never_decay() -> None:
    """A LOST lead matches status='lost' (+5) whatever the as_of; its points never decay."""
    model = make(
        AttributeRule(name="lost deal", when={"status": "lost"}, points=5, group="history"),
        default_decay=HalfLife(days=1),
    )
    lead = Lead(id="L1", status="lost")
    for as_of in (T, T + 1000 * DAY):
        result = score(lead, [], model, as_of=as_of)
        assert (result.fit, result.total) == (5.0, 5.0)
        assert dict(result.by_group) == {"history": 5.0}
    assert score(Lead(id="L1"), [], model, as_of=T).total == 0.0


# --------------------------------------------------------------------------- limits, golden


def test_once_a_day_limit_is_a_rolling_day() -> None:
    """Limit(count=1, per=1d): an event counts if no counted event lies in (at - 1d, at]."""
    once = Limit(count=1, per=timedelta(days=1))
    model = make(EventRule(name="visit", when=VIEW, points=3, limit=once))
    d0 = datetime(2026, 3, 1, tzinfo=UTC)
    history = [
        ev("page_view", d0 + 9 * HOUR, "a"),  # nothing counted yet: counts
        ev("page_view", d0 + 18 * HOUR, "b"),  # a is 9h earlier: stopped
        ev("page_view", d0 + DAY + 8 * HOUR + 59 * timedelta(minutes=1), "c"),  # a 23h59m ago
        ev("page_view", d0 + DAY + 9 * HOUR, "d"),  # a exactly 1d ago, outside (at-1d, at]
        ev("page_view", d0 + DAY + 10 * HOUR, "e"),  # d 1h ago: stopped
    ]
    result = score(LEAD, list(reversed(history)), model, as_of=T)
    assert ids(result) == ["a", "d"]
    assert result.total == 6.0  # 2 x 3


def test_limit_without_per_counts_the_first_events_ever() -> None:
    """Limit(count=2) counts the first two matching events, even once they have decayed away."""
    first_two = Limit(count=2)
    model = make(
        EventRule(name="plain", when=VIEW, points=5, limit=first_two),
        EventRule(name="windowed", when=VIEW, points=5, limit=first_two, decay=Window(days=30)),
    )
    history = [
        ev("page_view", T - 60 * DAY, "a"),
        ev("page_view", T - 50 * DAY, "b"),
        ev("page_view", T - 10 * DAY, "c"),
        ev("page_view", T - 5 * DAY, "d"),
    ]
    result = score(LEAD, history, model, as_of=T)
    # plain: a and b count, 2 x 5 = 10. windowed: a and b are the two counted events, and
    # both are outside the 30-day window (weight 0); c and d never count: 0.
    assert dict(result.by_rule) == {"plain": 10.0, "windowed": 0.0}
    assert ids(result) == ["a", "b"]


def test_limit_per_calendar_month() -> None:
    """Limit(count=1, per='P1M') uses calendar months, unlike per='30d'."""
    at = lambda m, d: datetime(2026, m, d, tzinfo=UTC)  # noqa: E731
    history = [
        ev("page_view", at(1, 31), "a"),
        ev("page_view", at(2, 28), "b"),
        ev("page_view", at(3, 1), "c"),
        ev("page_view", at(3, 31), "d"),
        ev("page_view", at(4, 1), "e"),
    ]
    monthly = make(EventRule(name="v", when=VIEW, points=10, limit=Limit(count=1, per="P1M")))
    # a: counts. b: Feb 28 - 1 month = Jan 28, a (Jan 31) is in (Jan 28, Feb 28]: stopped.
    # c: Mar 1 - 1 month = Feb 1, a is not in (Feb 1, Mar 1]: counts.
    # d: Mar 31 - 1 month clips to Feb 28, c (Mar 1) is in (Feb 28, Mar 31]: stopped.
    # e: Apr 1 - 1 month = Mar 1, c is not in (Mar 1, Apr 1]: counts. 3 x 10 = 30.
    result = score(LEAD, history, monthly, as_of=at(4, 2))
    assert ids(result) == ["a", "c", "e"]
    assert result.total == 30.0
    fixed = make(EventRule(name="v", when=VIEW, points=10, limit=Limit(count=1, per="30d")))
    # a: counts. b: (Jan 29, Feb 28] holds a: stopped. c: (Jan 30, Mar 1] holds a: stopped.
    # d: (Mar 1, Mar 31] holds no counted event: counts. e: (Mar 2, Apr 1] holds d: stopped.
    result = score(LEAD, history, fixed, as_of=at(4, 2))
    assert ids(result) == ["a", "d"]
    assert result.total == 20.0


# --------------------------------------------------------------------------- repeat, golden


def test_repeat_rule_fires_on_completion_then_cools_down() -> None:
    """A 3-in-7-days repeat rule fires at d2 and, after its 7-day cooldown, at d9."""
    rule = RepeatRule(
        name="back and forth",
        when={"type": "page_view", "category": ["service", "case_study"]},
        times=3,
        within="7d",
        points=15,
        decay=HalfLife(days=7),
    )
    d = lambda n: T0 + n * DAY  # noqa: E731
    history = [
        ev("page_view", d(0), "r0", category="service"),  # 1 in (d-7, d0]
        ev("page_view", d(1), "r1", category="case_study"),  # 2
        ev("page_view", d(2), "blog", category="blog"),  # does not match
        ev("page_view", d(2), "r2", category="service"),  # 3: fires at d2
        ev("page_view", d(3), "r3", category="service"),  # 4, but d3 - d2 = 1d < 7d
        ev("page_view", d(8), "r8", category="service"),  # (d1, d8]: r2 r3 r8 = 3; 6d < 7d
        ev("page_view", d(9), "r9", category="case_study"),  # (d2, d9]: r3 r8 r9; 7d: fires
        ev("page_view", d(10), "r10", category="service"),  # after as_of: ignored
    ]
    result = score(LEAD, history, make(rule), as_of=d(9))
    # d2 firing is 7 days old at d9: 15 * 0.5 = 7.5; d9 firing: 15. Total 22.5.
    assert ids(result) == ["r2", "r9"]
    assert [c.weight for c in result.contributions] == [0.5, 1.0]
    assert result.total == 22.5
    assert [c.note for c in result.contributions] == ["3 matching events within 1w"] * 2


def test_repeat_rule_needs_the_events_inside_the_window() -> None:
    """times=2 within 1d: events exactly 1 day apart are not both inside (at - 1d, at]."""
    rule = RepeatRule(name="twice", when=VIEW, times=2, within="1d", points=5)
    apart = [ev("page_view", T - DAY), ev("page_view", T)]
    closer = [ev("page_view", T - DAY + timedelta(seconds=1)), ev("page_view", T)]
    assert score(LEAD, apart, make(rule), as_of=T).total == 0.0
    assert score(LEAD, closer, make(rule), as_of=T).total == 5.0


# --------------------------------------------------------------------------- which events count


def test_duplicate_ids_count_once() -> None:
    """The same event given twice (same id) counts once; 7 and '7' are one id."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    event = ev("page_view", T, "e1")
    assert score(LEAD, [event, event], model, as_of=T).total == 10.0
    numbered = [Event(lead_id="L1", type="page_view", at=T, id=7), ev("page_view", T, "7")]
    assert score(LEAD, numbered, model, as_of=T).total == 10.0


def test_events_without_ids_are_never_merged() -> None:
    """Two identical events without ids are two visits: 2 x 10."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    event = ev("page_view", T)
    assert score(LEAD, [event, event], model, as_of=T).total == 20.0


def test_different_events_sharing_an_id_are_an_error() -> None:
    """Two different events of one lead with one id raise InvalidEventError (score, score_all)."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    clash = [ev("page_view", T - DAY, "e1"), ev("email_open", T, "e1")]
    with pytest.raises(InvalidEventError, match="share id 'e1'") as info:
        score(LEAD, clash, model, as_of=T)
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidEventError, match="share id 'e1'"):
        score_all([LEAD], clash, model, as_of=T)


def test_the_same_id_on_two_leads_is_two_events() -> None:
    """Ids are per lead: L1's e1 and L2's e1 both count."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    history = [ev("page_view", T, "e1", lead="L1"), ev("page_view", T, "e1", lead="L2")]
    results = score_all([Lead(id="L1"), Lead(id="L2")], history, model, as_of=T)
    assert [r.total for r in results] == [10.0, 10.0]


def test_events_after_as_of_and_of_other_leads_are_ignored() -> None:
    """Only the lead's own events up to as_of (included) count."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    history = [
        ev("page_view", T, "now"),  # at as_of: counts
        ev("page_view", T + timedelta(microseconds=1), "later"),  # after as_of
        ev("page_view", T - DAY, "other", lead="L2"),  # another lead
    ]
    result = score(LEAD, history, model, as_of=T)
    assert ids(result) == ["now"]
    assert result.total == 10.0


def test_contributions_say_where_each_point_came_from() -> None:
    """A contribution names the rule, group, event, base points, weight and points."""
    model = make(
        EventRule(name="visit", when=VIEW, points=10, decay=HalfLife(days=1), group="web"),
        AttributeRule(name="industry", when={"industry": "it"}, points=15),
    )
    lead = Lead(id="L1", attributes={"industry": "it"})
    result = score(lead, [ev("page_view", T - DAY, "e1")], model, as_of=T)
    attribute, visit = result.contributions
    assert (attribute.rule, attribute.group, attribute.event_id, attribute.event_at) == (
        "industry", "fit", None, None,
    )  # fmt: skip
    assert (attribute.base_points, attribute.weight, attribute.points) == (15.0, 1.0, 15.0)
    assert (visit.rule, visit.group, visit.event_id, visit.event_at) == (
        "visit", "web", "e1", T - DAY,
    )  # fmt: skip
    assert (visit.base_points, visit.weight, visit.points) == (10.0, 0.5, 5.0)


def test_reactivation_rule_scores_a_return_after_silence() -> None:
    """Three visits, 120 days of silence, then three visits in 2 days make one reactivation."""
    model = make(
        ReactivationRule(name="came back", points=20),
        ReactivationRule(name="lost deal back", points=50, kinds=["lost_deal_return"]),
    )
    d = lambda n: T0 + n * DAY  # noqa: E731
    history = [ev("page_view", d(n), f"v{n}", category="blog") for n in (0, 1, 2)]
    history += [ev("page_view", d(n), f"v{n}", category="blog") for n in (122, 123, 124)]
    # Default policy: threshold max(90d, 3 x median gap 1d) = 90d; d122 - d2 = 120d >= 90d,
    # and the third returning event (d124, 2 days after d122 <= 14d) completes the burst.
    result = score(LEAD, history, model, as_of=d(130))
    assert dict(result.by_rule) == {"came back": 20.0, "lost deal back": 0.0}
    (found,) = result.contributions
    assert (found.event_id, found.event_at) == ("v124", d(124))
    assert found.note == "return_after_silence after 120 days of silence"


# --------------------------------------------------------------------------- score_all


def test_score_all_keeps_the_leads_order_and_scores_leads_without_events() -> None:
    """One result per lead in the order given; a lead without events still gets its fit."""
    model = make(
        EventRule(name="visit", when=VIEW, points=10),
        AttributeRule(name="industry", when={"industry": "it"}, points=15),
    )
    lead_list = [
        Lead(id="L2"),
        Lead(id="L1", attributes={"industry": "it"}),
        Lead(id="L3", attributes={"industry": "it"}),
    ]
    history = [ev("page_view", T, lead="L1"), ev("page_view", T, lead="L2")]
    results = score_all(iter(lead_list), history, model, as_of=T)
    assert [(r.lead_id, r.total) for r in results] == [("L2", 10.0), ("L1", 25.0), ("L3", 15.0)]


def test_score_all_reports_events_of_unknown_leads() -> None:
    """Events of leads not given raise UnknownLeadError listing the ids and the event count."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    history = [ev("page_view", T, lead="L1"), ev("page_view", T, lead="X2"),
               ev("page_view", T, lead="X1"), ev("page_view", T - DAY, lead="X1")]  # fmt: skip
    with pytest.raises(UnknownLeadError, match=r"^3 event\(s\) belong to 2 unknown") as info:
        score_all([LEAD], history, model, as_of=T)
    assert info.value.lead_ids == ("X1", "X2")
    assert info.value.event_count == 3
    assert isinstance(info.value, LeadScoringError)
    assert isinstance(info.value, ValueError)


def test_score_all_can_warn_about_or_ignore_unknown_leads() -> None:
    """on_unknown='warn' warns UnknownLeadWarning and scores; 'ignore' scores silently."""
    model = make(EventRule(name="visit", when=VIEW, points=10))
    history = [ev("page_view", T, lead="L1"), ev("page_view", T, lead="X1")]
    with pytest.warns(UnknownLeadWarning, match="unknown lead id"):
        warned = score_all([LEAD], history, model, as_of=T, on_unknown="warn")
    assert [r.total for r in warned] == [10.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ignored = score_all([LEAD], history, model, as_of=T, on_unknown="ignore")
    assert ignored == warned


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda m: score_all([LEAD], [], m, as_of=T, on_unknown="skip"), "on_unknown"),
        (lambda m: score_all([LEAD, Lead(id="L1")], [], m, as_of=T), "leads"),
        (lambda m: score_all(["L1"], [], m, as_of=T), "leads[0]"),
        (lambda m: score_all([LEAD], [], "model", as_of=T), "model"),
        (lambda m: score("L1", [], m, as_of=T), "lead"),
        (lambda m: score(LEAD, [], {"rules": []}, as_of=T), "model"),
        (lambda m: score(LEAD, [], m, as_of=1_775_000_000), "as_of"),
        (lambda m: score(LEAD, [], m, as_of="tomorrow"), "as_of"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(call: object, field: str) -> None:
    """Wrong types, duplicate leads and unknown on_unknown raise InvalidValueError by name."""
    with pytest.raises(InvalidValueError) as info:
        call(make())  # type: ignore[operator]
    assert info.value.field == field


def test_naive_as_of_raises_naive_datetime_error() -> None:
    """A naive as_of raises NaiveDatetimeError naming as_of, in score and in score_all."""
    with pytest.raises(NaiveDatetimeError, match=r"^as_of: naive"):
        score(LEAD, [], make(), as_of=datetime(2026, 4, 1))
    with pytest.raises(NaiveDatetimeError, match=r"^as_of: naive"):
        score_all([LEAD], [], make(), as_of=datetime(2026, 4, 1))


def test_as_of_may_be_iso_text() -> None:
    """as_of given as ISO text with an offset scores like the equal datetime."""
    model = make(EventRule(name="visit", when=VIEW, points=10, decay=HalfLife(days=1)))
    history = [ev("page_view", T - DAY)]
    by_text = score(LEAD, history, model, as_of="2026-04-01T09:00:00+09:00")
    assert by_text == score(LEAD, history, model, as_of=T)
    assert by_text.as_of == T


# --------------------------------------------------------------------------- timeline


def test_timeline_samples_the_score() -> None:
    """One 8-point event with a 1-day half-life samples as 0 the day before, then 8, 4, 2."""
    model = make(EventRule(name="visit", when=VIEW, points=8, decay=HalfLife(days=1)))
    samples = timeline(LEAD, [ev("page_view", T)], model, start=T - DAY, end=T + 2 * DAY)
    assert [s.as_of for s in samples] == [T - DAY, T, T + DAY, T + 2 * DAY]
    assert [s.total for s in samples] == [0.0, 8.0, 4.0, 2.0]
    half_days = timeline(LEAD, [ev("page_view", T)], model, start=T, end=T + DAY, every="12h")
    # 12 hours is half a half-life: 8 * 0.5 ** 0.5 = 5.656854249492381
    assert [s.total for s in half_days] == pytest.approx([8.0, 5.656854249492381, 4.0])


def test_timeline_includes_end_only_on_a_step() -> None:
    """Samples run start, start + every, ... while <= end: 3 days every 2 days gives 2."""
    samples = timeline(LEAD, [], make(), start=T, end=T + 3 * DAY, every=timedelta(days=2))
    assert [s.as_of for s in samples] == [T, T + 2 * DAY]


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"start": T, "end": T - DAY}, InvalidValueError, "end"),
        ({"start": T, "end": T, "every": "P1M"}, InvalidValueError, "every"),
        ({"start": T, "end": T, "every": "0d"}, InvalidValueError, "every"),
        ({"start": datetime(2026, 4, 1), "end": T}, NaiveDatetimeError, "start"),
        ({"start": T, "end": datetime(2026, 4, 2)}, NaiveDatetimeError, "end"),
    ],
)
def test_timeline_refuses_bad_ranges(kwargs: dict[str, object], error: type, field: str) -> None:
    """end before start, calendar or zero steps and naive bounds raise by name."""
    with pytest.raises(error) as info:
        timeline(LEAD, [], make(), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


# --------------------------------------------------------------------------- properties

AS_OF = moments(T0, days=130)
"""Scoring times over the generated events' span (some events fall after as_of)."""

scoring_models = models(when=event_conditions(), who=lead_conditions())
"""Models whose conditions use the generated events' vocabulary, so rules match."""


@given(scoring_models, leads(), event_lists(with_ids=None), AS_OF, st.randoms())
def test_score_does_not_depend_on_event_order(
    model: ScoringModel, lead: Lead, history: list[Event], as_of: datetime, rnd: random.Random
) -> None:
    """Shuffling the events gives exactly the same LeadScore."""
    shuffled = list(history)
    rnd.shuffle(shuffled)
    assert score(lead, shuffled, model, as_of=as_of) == score(lead, history, model, as_of=as_of)


@given(scoring_models, leads(), event_lists(with_ids=True), AS_OF, st.randoms())
def test_ingesting_events_twice_changes_nothing(
    model: ScoringModel, lead: Lead, history: list[Event], as_of: datetime, rnd: random.Random
) -> None:
    """Events with ids given twice (in any order) score like events given once."""
    twice = history + history
    rnd.shuffle(twice)
    assert score(lead, twice, model, as_of=as_of) == score(lead, history, model, as_of=as_of)


@given(
    models(
        kinds=("event", "attribute"),
        when=event_conditions(),
        who=lead_conditions(),
        point_values=st.integers(0, 50) | st.floats(0, 50),
        capped=False,
    ),
    leads(),
    event_lists(with_ids=False),
    events(),
    AS_OF,
)
def test_a_new_event_never_lowers_an_uncapped_non_negative_score(
    model: ScoringModel, lead: Lead, history: list[Event], extra: Event, as_of: datetime
) -> None:
    """With points >= 0 and no caps, limits, repeats or ceiling, one more event never lowers
    any rule, group or the total."""
    before = score(lead, history, model, as_of=as_of)
    after = score(lead, [*history, extra], model, as_of=as_of)
    assert after.total >= before.total
    assert all(after.by_rule[name] >= value for name, value in before.by_rule.items())
    assert all(after.by_group[name] >= value for name, value in before.by_group.items())


def _clamp(value: float, low: float | None, high: float | None) -> float:
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


@given(models(when=event_conditions(), who=lead_conditions()), leads(), event_lists(), AS_OF)
def test_contributions_add_up_to_the_totals(
    model: ScoringModel, lead: Lead, history: list[Event], as_of: datetime
) -> None:
    """Contributions sum to each rule's raw total; caps, group caps and bounds do the rest."""
    result = score(lead, history, model, as_of=as_of)
    for c in result.contributions:
        assert c.points == pytest.approx(c.base_points * c.weight, rel=1e-12, abs=1e-12)
        assert 0.0 < c.weight <= 1.0
        assert c.event_at is None or c.event_at <= as_of
    group_sums: dict[str, float] = {}
    for rule in model.rules:
        raw = sum(c.points for c in result.contributions if c.rule == rule.name)
        cap = getattr(rule, "cap", None)
        expected = _clamp(raw, -cap, cap) if cap is not None else raw
        assert result.by_rule[rule.name] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        group_sums[rule.group] = group_sums.get(rule.group, 0.0) + result.by_rule[rule.name]
    for group, raw in group_sums.items():
        cap = model.group_caps.get(group)
        expected = _clamp(raw, -cap, cap) if cap is not None else raw
        assert result.by_group[group] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    fit = sum(v for g, v in result.by_group.items() if g in model.fit_groups)
    assert result.fit == pytest.approx(fit, rel=1e-9, abs=1e-9)
    assert result.engagement == pytest.approx(
        sum(result.by_group.values()) - fit, rel=1e-9, abs=1e-9
    )
    expected_total = _clamp(result.fit + result.engagement, model.floor, model.ceiling)
    assert result.total == pytest.approx(expected_total, rel=1e-12, abs=1e-12)


@given(
    scoring_models,
    st.tuples(leads("L1"), leads("L2"), leads("L3")),
    event_lists(("L1", "L2", "L3")),
    AS_OF,
)
def test_score_all_equals_score_for_each_lead(
    model: ScoringModel, lead_list: tuple[Lead, ...], history: list[Event], as_of: datetime
) -> None:
    """score_all gives, lead by lead, exactly what score gives."""
    expected = [score(lead, history, model, as_of=as_of) for lead in lead_list]
    assert score_all(lead_list, history, model, as_of=as_of) == expected


@given(
    scoring_models,
    leads(),
    event_lists(),
    AS_OF,
    st.integers(0, 40).map(lambda d: timedelta(days=d)),
    st.sampled_from([timedelta(hours=12), timedelta(days=1), timedelta(days=5)]),
)
def test_timeline_equals_score_at_each_sample(
    model: ScoringModel,
    lead: Lead,
    history: list[Event],
    start: datetime,
    span: timedelta,
    every: timedelta,
) -> None:
    """Each timeline sample is exactly score(...) at that sample's time."""
    samples = timeline(lead, history, model, start=start, end=start + span, every=every)
    assert len(samples) == span // every + 1
    for sample in samples:
        assert sample == score(lead, history, model, as_of=sample.as_of)


def _reference_sums(
    lead: Lead, history: list[Event], model: ScoringModel, as_of: datetime
) -> dict[str, float]:
    """Each attribute, event and repeat rule's raw sum, worked out the slow, obvious way:
    every rule asks every event (no index, no dispatch), limits and repeat windows are
    recounted from scratch at each event, and weights come from ``weight_at``."""
    own = (e for e in history if e.lead_id == lead.id and e.at <= as_of)
    mine = sorted(own, key=event_sort_key)
    sums: dict[str, float] = {}
    for rule in model.rules:
        if isinstance(rule, AttributeRule):
            sums[rule.name] = rule.points if compile_condition(rule.when, lead_getter)(lead) else 0
            continue
        if isinstance(rule, ReactivationRule):
            continue
        matches = compile_condition(rule.when, event_getter)
        decay = rule.decay if rule.decay is not None else model.default_decay
        total, seen, fired_at = 0.0, [], None
        for event in (e for e in mine if matches(e)):
            at = event.at
            if isinstance(rule, RepeatRule):
                seen.append(at)
                inside = [t for t in seen if t > at - rule.within]
                cooling = fired_at is not None and at - fired_at < rule.within
                if len(inside) < rule.times or cooling:
                    continue
                fired_at = at
            elif rule.limit is not None:
                per = rule.limit.per
                recent = [t for t in seen if per is None or t > at - per]
                if len(recent) >= rule.limit.count:
                    continue
                seen.append(at)
            total += rule.points * decay.weight_at(at, as_of)
        sums[rule.name] = total
    return sums


@given(
    models(kinds=("event", "repeat", "attribute"), when=event_conditions(), who=lead_conditions()),
    leads(),
    event_lists(("L1", "L1", "L2")),
    AS_OF,
)
def test_score_agrees_with_a_plain_reference_evaluation(
    model: ScoringModel, lead: Lead, history: list[Event], as_of: datetime
) -> None:
    """The indexed, dispatched engine gives each rule the raw sum a naive evaluation gives."""
    result = score(lead, history, model, as_of=as_of)
    for name, expected in _reference_sums(lead, history, model, as_of).items():
        raw = sum(c.points for c in result.contributions if c.rule == name)
        assert raw == pytest.approx(expected, rel=1e-9, abs=1e-9), name


@given(
    models(kinds=("event", "repeat"), when=event_conditions() | conditions(), max_rules=8),
    st.lists(events(), min_size=1, max_size=10),
)
def test_dispatch_finds_exactly_the_matching_rules_in_model_order(
    model: ScoringModel, sample: list[Event]
) -> None:
    """For every event, the rules the compiled dispatch keeps (after their residual tests)
    are exactly the rules whose full condition matches, in model order."""
    dispatch = compile_model(model).dispatch
    for event in sample:
        expected = [r.name for r in model.rules if compile_condition(r.when, event_getter)(event)]
        kept = [cr.name for cr, test in dispatch.candidates(event) if test is None or test(event)]
        assert kept == expected


def test_something_that_is_not_an_event_is_named_by_its_position() -> None:
    """A stray non-Event among the events raises InvalidValueError naming events[i]."""
    model = ScoringModel(name="m", rules=[])
    good = Event(lead_id="L1", type="page_view", at="2026-01-01T00:00:00Z")
    with pytest.raises(InvalidValueError, match=r"^events\[1\]: expected an Event, got dict"):
        score_all([Lead(id="L1")], [good, {"lead_id": "L1"}], model, as_of="2026-01-02T00:00Z")
    with pytest.raises(InvalidValueError, match=r"^events\[0\]: expected an Event, got str"):
        score(Lead(id="L1"), ["L1"], model, as_of="2026-01-02T00:00Z")  # type: ignore[list-item]


def test_as_of_may_be_an_iso_string_with_an_offset() -> None:
    """as_of '2026-01-02T00:00+09:00' is 2026-01-01 15:00 UTC."""
    model = ScoringModel(name="m", rules=[])
    result = score(Lead(id="L1"), [], model, as_of="2026-01-02T00:00+09:00")
    assert result.as_of == datetime(2026, 1, 1, 15, tzinfo=UTC)
