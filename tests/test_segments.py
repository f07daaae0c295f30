"""Tests for leadscoring.assessment.segments: segments over attributes and derived values.

Model: pricing page 30, purchase 5, webinar 5; fit: industry "it" 20. At AS_OF:

- P (it, executive): pricing x2, crm page x3 -> total 80, hot; focused on crm.
- Q (retail, staff): purchases x2, webinars x3 -> total 25, cold; repeat buyer, enthusiast.
- R (it, staff, attribute "score" = "high"): no events -> total 20, cold, new.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadscoring import (
    Assessment,
    AttributeRule,
    Event,
    EventRule,
    InvalidModelError,
    InvalidValueError,
    Lead,
    ScoringModel,
    Segment,
    assess,
    assess_all,
    gte,
    segment,
    when,
)
from leadscoring.core.conditions import AnyOf, Field, Not

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
MODEL = ScoringModel(
    name="seg",
    rules=[
        EventRule(name="pricing", when={"type": "page_view", "category": "pricing"}, points=30),
        EventRule(name="purchase", when={"type": "purchase"}, points=5),
        EventRule(name="webinar", when={"type": "webinar"}, points=5),
        AttributeRule(name="it", when={"industry": "it"}, points=20),
    ],
)
LEADS = [
    Lead(id="P", attributes={"industry": "it", "role": "executive"}),
    Lead(id="Q", attributes={"industry": "retail", "role": "staff"}),
    Lead(id="R", attributes={"industry": "it", "role": "staff", "score": "high"}),
]


def ago(days: int, lead: str, type: str, **props: str | int) -> Event:
    """An event of ``lead`` ``days`` before AS_OF."""
    return Event(lead_id=lead, type=type, at=AS_OF - timedelta(days=days), properties=props)


EVENTS = [
    ago(1, "P", "page_view", category="pricing"),
    ago(2, "P", "page_view", category="pricing"),
    *(ago(d, "P", "page_view", category="product", product="crm") for d in (1, 2, 3)),
    ago(40, "Q", "purchase", amount=100),
    ago(20, "Q", "purchase", amount=50),
    *(ago(d, "Q", "webinar") for d in (10, 30, 50)),
]

SEGMENTS = [
    Segment(name="hot", when=when(temperature="hot")),
    Segment(name="focused on crm", when=when(interest_pattern="focused", top_product="crm")),
    Segment(name="repeat buyers", when=when(buyer=["repeat", "heavy"])),
    Segment(name="enthusiasts", when=when(participation="enthusiast")),
    Segment(name="executives", when=when(role="executive")),
    Segment(name="target, not yet active", when=when(industry="it", activity="new")),
    Segment(name="high fit", when=when(fit=gte(20))),
    Segment(name="nobody", when=when(journey="sales_ready")),
]


@pytest.fixture(scope="module")
def assessed() -> list[Assessment]:
    """The three leads, assessed."""
    return assess_all(LEADS, EVENTS, as_of=AS_OF, model=MODEL)


def test_segments_assigned_as_expected(assessed: list[Assessment]) -> None:
    """Each segment holds exactly the leads its condition describes, in the given order."""
    assert segment(assessed, SEGMENTS) == {
        "hot": ["P"],
        "focused on crm": ["P"],
        "repeat buyers": ["Q"],
        "enthusiasts": ["Q"],
        "executives": ["P"],
        "target, not yet active": ["R"],
        "high fit": ["P", "R"],
        "nobody": [],
    }


def test_assess_fills_segments() -> None:
    """assess(..., segments=...) lists the lead's segments in the order given."""
    a = assess(LEADS[0], EVENTS, as_of=AS_OF, model=MODEL, segments=SEGMENTS)
    assert a.segments == ("hot", "focused on crm", "executives", "high fit")
    ranked = assess_all(LEADS, EVENTS, as_of=AS_OF, model=MODEL, segments=SEGMENTS)
    assert {x.lead_id: x.segments for x in ranked}["Q"] == ("repeat buyers", "enthusiasts")


def test_derived_names_win_over_attributes(assessed: list[Assessment]) -> None:
    """``score`` is the derived total; the attribute of that name is ``attributes.score``."""
    by_score = Segment(name="s", when=when(score=gte(50)))
    by_attribute = Segment(name="a", when={"attributes.score": "high"})
    assert segment(assessed, [by_score, by_attribute]) == {"s": ["P"], "a": ["R"]}


def test_missing_values_never_match_except_under_not(assessed: list[Assessment]) -> None:
    """A lead without a top product never matches ``top_product = 'crm'``, but matches its
    ``Not``. (assess_all ranks R, grade B, before Q, grade D.)"""
    crm = Field("top_product", "crm")
    result = segment(
        assessed,
        [Segment(name="crm", when=crm), Segment(name="not crm", when=Not(crm)),
         Segment(name="either", when=AnyOf(crm, Field("buyer", "repeat")))],
    )
    assert result == {"crm": ["P"], "not crm": ["R", "Q"], "either": ["P", "Q"]}


def test_segment_data_round_trip() -> None:
    """Segments read back equal from their data form."""
    for s in [*SEGMENTS, Segment(name="x", when=Not(Field("buyer", "none")), description="d")]:
        assert Segment.from_dict(s.to_dict()) == s
    data = {"name": "repeat buyers", "when": {"buyer": ["repeat", "heavy"]}}
    assert SEGMENTS[2].to_dict() == data


def test_segment_errors() -> None:
    """Every problem of a segment's data is reported with its path."""
    with pytest.raises(InvalidModelError) as exc:
        Segment.from_dict({"nme": "x", "when": {"score": {"gtee": 3}}})
    by_path = {e.path: e for e in exc.value.errors}
    assert set(by_path) == {"nme", "when.score", "name"}
    assert by_path["nme"].hint == "did you mean 'name'?"
    assert by_path["when.score"].hint == "did you mean 'gte'?"


def test_duplicate_segment_names(assessed: list[Assessment]) -> None:
    """Two segments with one name are an error."""
    with pytest.raises(InvalidValueError, match="duplicate"):
        segment(assessed, [SEGMENTS[0], SEGMENTS[0]])
