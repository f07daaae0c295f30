"""Tests for leadscoring.signals.journey: journey stages from recent, decayed evidence.

Default evidence decays with a 14-day half-life: an event weighs 1 on the day it happens,
0.5 after 14 days, 0.25 after 28. Minimums: information gathering 0.5, interest 1.0,
comparison 1.5, sales ready 0.5; a stage counts its own evidence and that of later stages.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    Event,
    HalfLife,
    InvalidModelError,
    InvalidValueError,
    JourneyClassifier,
    JourneyStage,
    Window,
    when,
)
from strategies import T0, journey_classifiers, stage_histories

AS_OF = datetime(2026, 3, 1, 12, tzinfo=UTC)
J = JourneyClassifier()
IG, INTEREST, COMPARISON, READY, NONE = (
    JourneyStage.INFORMATION_GATHERING,
    JourneyStage.INTEREST,
    JourneyStage.COMPARISON,
    JourneyStage.SALES_READY,
    JourneyStage.NONE,
)


def ago(days: float) -> datetime:
    """``days`` before AS_OF."""
    return AS_OF - timedelta(days=days)


def view(days: float, category: str, **props: str | int) -> Event:
    """A page view ``days`` before AS_OF."""
    return Event(
        lead_id="L1", type="page_view", at=ago(days), properties={"category": category, **props}
    )


def act(days: float, type: str, **props: str | int) -> Event:
    """An event of ``type`` ``days`` before AS_OF."""
    return Event(lead_id="L1", type=type, at=ago(days), properties=props)


def stage(events: list[Event], at: datetime = AS_OF, j: JourneyClassifier = J) -> JourneyStage:
    """The stage of these events at ``at``."""
    return j.classify(events, as_of=at)


# --- hand-written journeys ----------------------------------------------------------------


def test_no_events_is_none() -> None:
    """Without evidence the stage is NONE."""
    assert stage([]) is NONE
    assert stage([act(0, "email_open"), act(0, "bounce")]) is NONE


def test_blog_reader_is_gathering_information() -> None:
    """Two blog posts this week: information gathering (evidence 0.95 + 0.86)."""
    assert stage([view(1, "blog"), view(3, "blog")]) is IG


def test_blog_read_long_ago_is_none() -> None:
    """One blog post 15 days ago weighs 0.5 ** (15/14) = exp(-0.7427) = 0.4758 < 0.5."""
    assert J.evidence([view(15, "blog")], as_of=AS_OF)[IG] == pytest.approx(0.4758, abs=1e-4)
    assert stage([view(15, "blog")]) is NONE


def test_product_view_today_is_interest_exactly_at_the_minimum() -> None:
    """One product page today weighs exactly 1.0, interest's minimum: reached."""
    assert J.evidence([view(0, "product")], as_of=AS_OF)[INTEREST] == 1.0
    assert stage([view(0, "product")]) is INTEREST
    # 0.9995 is just short of interest, but counts for information gathering (0.5)
    assert stage([view(0.01, "product")]) is IG


@pytest.mark.parametrize("kind", ["download", "webinar", "event_attended", "email_click"])
def test_other_interest_evidence(kind: str) -> None:
    """Downloads, webinars, seminars and email clicks are interest evidence."""
    assert stage([act(0, kind)]) is INTEREST


def test_one_pricing_view_is_interest_two_are_comparison() -> None:
    """A pricing view (1.0) is short of comparison's 1.5 but counts for interest; with a
    case study two days ago (0.906) comparison is reached (1.906)."""
    assert stage([view(0, "pricing")]) is INTEREST
    assert stage([view(0, "pricing"), view(2, "case_study")]) is COMPARISON


@pytest.mark.parametrize("category", ["pricing", "case_study", "faq", "company", "contact"])
def test_comparison_pages(category: str) -> None:
    """Pricing, case studies, FAQ, company profile and contact page are comparison evidence."""
    assert stage([view(0, category), view(0, category)]) is COMPARISON


@pytest.mark.parametrize(
    "event",
    [
        act(3, "inquiry"),
        act(3, "demo_request"),
        act(3, "form_submit", form="contact"),
        act(3, "form_submit", form="document_request"),
    ],
)
def test_sales_ready(event: Event) -> None:
    """An inquiry, a demo request or a contact / document request (資料請求) form three days
    ago (0.86 >= 0.5) makes a lead sales ready."""
    assert stage([view(1, "blog"), event]) is READY


def test_newsletter_form_is_not_sales_ready() -> None:
    """A newsletter sign-up is not a request for contact."""
    assert stage([act(0, "form_submit", form="newsletter")]) is NONE


def test_comparison_decays_back_to_interest() -> None:
    """A lead that compared 42 days ago and reads product pages now is back in interest.

    Pricing and a case study at day 0, product views at days 40 and 41. On day 0 the
    comparison evidence is 2.0. On day 42 it is 2 * 0.5 ** 3 = 0.25 < 1.5, while interest
    has 0.5 ** (2/14) + 0.5 ** (1/14) + 0.25 = 2.11.
    """
    t0 = datetime(2026, 1, 10, 9, tzinfo=UTC)
    events = [
        Event(lead_id="L1", type="page_view", at=t0, properties={"category": "pricing"}),
        Event(lead_id="L1", type="page_view", at=t0, properties={"category": "case_study"}),
        Event(lead_id="L1", type="page_view", at=t0 + timedelta(days=40),
              properties={"category": "product"}),
        Event(lead_id="L1", type="page_view", at=t0 + timedelta(days=41),
              properties={"category": "product"}),
    ]
    assert stage(events, t0 + timedelta(hours=1)) is COMPARISON
    later = t0 + timedelta(days=42)
    evidence = J.evidence(events, as_of=later)
    assert evidence[COMPARISON] == pytest.approx(0.25)
    assert evidence[INTEREST] == pytest.approx(0.5 ** (2 / 14) + 0.5 ** (1 / 14))
    assert stage(events, later) is INTEREST


def test_events_after_as_of_and_duplicates_are_ignored() -> None:
    """Future events do not count; copies of one event id count once."""
    twice = [
        Event(lead_id="L1", type="page_view", at=ago(0), properties={"category": "pricing"},
              id="e1"),
    ] * 2
    assert J.evidence(twice, as_of=AS_OF)[COMPARISON] == 1.0
    assert stage([view(-1, "pricing"), view(-1, "pricing")]) is NONE


def test_events_of_several_leads_are_refused() -> None:
    """classify takes the events of one lead."""
    other = Event(lead_id="L2", type="inquiry", at=ago(0))
    with pytest.raises(InvalidValueError, match="one lead"):
        stage([view(0, "blog"), other])


# --- configuration ------------------------------------------------------------------------


def test_an_event_counts_once_per_stage() -> None:
    """Overlapping conditions of one stage count a matching event once; an event that is
    evidence of two stages counts for each."""
    j = JourneyClassifier(
        stages={"comparison": [{"type": "page_view"}, {"category": "pricing"}],
                "interest": [{"category": "pricing"}]}
    )
    evidence = j.evidence([view(0, "pricing")], as_of=AS_OF)
    assert (evidence[COMPARISON], evidence[INTEREST]) == (1.0, 1.0)


def test_window_evidence() -> None:
    """With a 30-day window, events count fully inside it and not at all outside."""
    j = JourneyClassifier(decay=Window(days=30), min_evidence={"comparison": 2})
    events = [view(29, "pricing"), view(31, "pricing")]
    assert j.evidence(events, as_of=AS_OF)[COMPARISON] == 1.0
    assert stage(events, j=j) is INTEREST
    assert stage([*events, view(10, "faq")], j=j) is COMPARISON


def test_company_specific_mapping() -> None:
    """A company can move webinars to comparison and drop the pricing page from it."""
    j = JourneyClassifier.from_dict(
        {
            "stages": {"comparison": [{"type": "webinar"}]},
            "min_evidence": {"comparison": 1},
        }
    )
    assert stage([act(0, "webinar")], j=j) is COMPARISON
    assert stage([view(0, "pricing")], j=j) is NONE  # pricing is no stage's evidence now
    assert j.stages[INTEREST] == J.stages[INTEREST]  # other stages keep their defaults


def test_conditions_in_python() -> None:
    """Stages accept conditions and when-tables with matchers, and an empty list."""
    from leadscoring import gte

    j = JourneyClassifier(
        stages={
            "comparison": [when(type="page_view", category="pricing", duration_s=gte(60))],
            "sales_ready": [],
        }
    )
    assert stage([view(0, "pricing", duration_s=90), view(0, "pricing", duration_s=61)], j=j) \
        is COMPARISON
    assert stage([view(0, "pricing", duration_s=10)] * 2, j=j) is NONE
    assert stage([act(0, "inquiry")], j=j) is NONE  # sales ready is never reached
    assert JourneyClassifier.from_dict(j.to_dict()) == j


def test_journey_round_trip_defaults() -> None:
    """The default classifier reads back equal from JSON; {} gives the defaults."""
    data = json.loads(json.dumps(J.to_dict()))
    assert data["decay"] == {"half_life": "2w"}
    assert JourneyClassifier.from_dict(data) == J
    assert JourneyClassifier.from_dict({}) == J
    assert JourneyClassifier(decay=HalfLife(days=14)) == J


def test_journey_errors_have_section_paths() -> None:
    """Every problem is reported, with a path inside the [journey] section and hints."""
    with pytest.raises(InvalidModelError) as exc:
        JourneyClassifier.from_dict(
            {
                "stages": {
                    "comparision": [],
                    "comparison": [{"type": "page_view"}, {"type": "x"}, {"d": {"gtee": 1}}],
                    "interest": "pricing",
                },
                "min_evidence": {"interest": 0, "sales_ready": "1"},
                "decay": {"half_life": "3M"},
                "windw": 3,
            }
        )
    by_path = {e.path: e for e in exc.value.errors}
    assert set(by_path) == {
        "windw",
        "stages.comparision",
        "stages.comparison[2].d",
        "stages.interest",
        "min_evidence.interest",
        "min_evidence.sales_ready",
        "decay.half_life",
    }
    assert by_path["stages.comparision"].hint == "did you mean 'comparison'?"
    assert by_path["stages.comparison[2].d"].hint == "did you mean 'gte'?"


# --- properties ---------------------------------------------------------------------------


@given(journey_classifiers(), stage_histories(), st.randoms(use_true_random=False))
def test_order_does_not_matter(
    j: JourneyClassifier, events: list[Event], rnd: random.Random
) -> None:
    """Shuffled events give exactly the same evidence and stage."""
    as_of = T0 + timedelta(days=100)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert j.evidence(shuffled, as_of=as_of) == j.evidence(events, as_of=as_of)


@given(stage_histories(), stage_histories(lead_id="L1", max_size=1))
def test_more_evidence_never_moves_back(events: list[Event], extra: list[Event]) -> None:
    """Adding an event never makes the stage less advanced."""
    as_of = T0 + timedelta(days=121)
    fresh = [e for e in extra if e.id is None]
    assert stage(events + fresh, as_of).rank >= stage(events, as_of).rank


@given(journey_classifiers())
def test_round_trip_property(j: JourneyClassifier) -> None:
    """from_dict(to_dict(j)) == j for every valid classifier."""
    assert JourneyClassifier.from_dict(j.to_dict()) == j
