"""Tests for leadscoring.assessment.changes: what moved between two assessments."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    ActivityState,
    Event,
    EventRule,
    FitGrade,
    InvalidValueError,
    JourneyStage,
    Lead,
    ScoringModel,
    StageChange,
    Temperature,
    assess,
    assess_all,
    changes,
    changes_all,
)

AS_OF = datetime(2026, 5, 1, tzinfo=UTC)
MODEL = ScoringModel(
    name="c",
    rules=[EventRule(name="pricing", when={"type": "page_view", "category": "pricing"},
                     points=20)],
)
LEAD = Lead(id="L1")


def pricing(days_ago: float, lead: str = "L1") -> Event:
    """A pricing page view ``days_ago`` before AS_OF."""
    return Event(lead_id=lead, type="page_view", at=AS_OF - timedelta(days=days_ago),
                 properties={"category": "pricing"})


# 20 points: cold; one pricing view a day ago (0.95) is information gathering; grade D.
BASE = assess(LEAD, [pricing(1)], as_of=AS_OF, model=MODEL)


def test_nothing_moved() -> None:
    """Equal labels: no change, even when the score itself moved (20 -> 25 stays cold)."""
    assert changes(BASE, BASE) == []
    model = attrs.evolve(MODEL, rules=[attrs.evolve(MODEL.rules[0], points=25)])
    higher = assess(LEAD, [pricing(1)], as_of=AS_OF, model=model)
    assert higher.score.total == 25
    assert changes(BASE, higher) == []


def test_real_move_between_two_runs() -> None:
    """A second pricing view and two more make the lead hot and comparing: exactly the
    temperature, journey, priority and action move (grade D and activity stay)."""
    after = assess(LEAD, [pricing(1), pricing(0.5), pricing(0.2)], as_of=AS_OF, model=MODEL)
    moved = changes(BASE, after)
    assert [(c.dimension, c.before, c.after, c.direction) for c in moved] == [
        ("temperature", "cold", "hot", "up"),
        ("journey", "information_gathering", "comparison", "up"),
        ("priority", 5, 4, "up"),
        ("action", BASE.action, after.action, None),
    ]
    assert all(c.at == AS_OF and c.lead_id == "L1" for c in moved)
    assert str(moved[0]) == "L1 temperature: cold -> hot (up)"


DIMENSIONS = {
    "temperature": Temperature.HOT,
    "journey": JourneyStage.SALES_READY,
    "grade": FitGrade.A,
    "priority": 1,
    "action": "Call now",
}


@given(st.sets(st.sampled_from(sorted(DIMENSIONS))))
def test_exactly_the_dimensions_that_moved(moved: set[str]) -> None:
    """Changing any set of labels reports exactly those dimensions, in the fixed order."""
    after = attrs.evolve(BASE, **{name: DIMENSIONS[name] for name in moved})
    order = ["temperature", "journey", "grade", "priority", "action"]
    assert [c.dimension for c in changes(BASE, after)] == [d for d in order if d in moved]


def test_directions() -> None:
    """Hotter, further, better grade, smaller priority number: up; the reverse: down."""
    better = attrs.evolve(BASE, temperature=Temperature.HOT, journey=JourneyStage.SALES_READY,
                          grade=FitGrade.A, priority=1)
    assert {c.direction for c in changes(BASE, better)} == {"up"}
    assert {c.direction for c in changes(better, BASE)} == {"down"}


def test_activity_and_segments() -> None:
    """Activity changes have no direction; segments entered and left are reported one each."""
    before = attrs.evolve(BASE, segments=("a", "b"))
    dormant = attrs.evolve(BASE.activity, state=ActivityState.DORMANT)
    after = attrs.evolve(BASE, activity=dormant, segments=("b", "c"))
    assert [(c.dimension, c.before, c.after, c.direction) for c in changes(before, after)] == [
        ("activity", "active", "dormant", None),
        ("segment", "a", None, None),
        ("segment", None, "c", None),
    ]


def test_new_lead_reports_everything() -> None:
    """Without a previous assessment every dimension is reported, from None."""
    reported = changes(None, BASE)
    assert [c.dimension for c in reported] == [
        "temperature", "journey", "grade", "priority", "activity", "action"
    ]
    assert all(c.before is None and c.direction is None for c in reported)


def test_different_leads_are_refused() -> None:
    """Comparing assessments of two leads is an error."""
    other = assess(Lead(id="L2"), [], as_of=AS_OF, model=MODEL)
    with pytest.raises(InvalidValueError, match="different leads"):
        changes(BASE, other)
    with pytest.raises(InvalidValueError):
        changes(BASE, "x")  # type: ignore[arg-type]


def test_changes_all_matches_by_lead() -> None:
    """changes_all pairs assessments by lead id: new leads report everything, gone ones nothing."""
    leads = [Lead(id="L1"), Lead(id="L2")]
    yesterday = assess_all(leads[:1], [pricing(2)], as_of=AS_OF - timedelta(days=1), model=MODEL)
    today = assess_all(leads, [pricing(2), pricing(0.5), pricing(0.1), pricing(0.2, "L2")],
                       as_of=AS_OF, model=MODEL)
    found = changes_all(yesterday, today)
    assert {(c.lead_id, c.dimension) for c in found if c.lead_id == "L1"} >= {
        ("L1", "temperature")
    }
    assert next(c.dimension for c in found if c.lead_id == "L2") == "temperature"
    assert all(isinstance(c, StageChange) for c in found)
    json.dumps([c.to_dict() for c in found])
