"""Tests for leadscoring.assessment.assessment: one call from leads and events to a ranked table.

The model gives points without decay: pricing page 20, product page 5, webinar 10,
inquiry 30; fit: industry "it" 25, role "executive" 10. At AS_OF (2026-05-01):

====  =====================================  =====  ===  ===========  =====  ========
lead  events                                 total  fit  temperature  grade  priority
====  =====================================  =====  ===  ===========  =====  ========
A     pricing x2, inquiry (it, executive)    105    35   hot          A      1
D     none (it, executive)                   35     35   warm         A      2
B     crm page x4, webinar (it)              55     25   warm         B      3
C     pricing x3                             60     0    hot          D      4
E     none                                   0      0    cold         D      5
====  =====================================  =====  ===  ===========  =====  ========
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    ActivityState,
    Assessment,
    AttributeRule,
    Event,
    EventRule,
    FitGrade,
    GradeScale,
    InvalidModelError,
    InvalidValueError,
    JourneyStage,
    Lead,
    Playbook,
    PriorityGrid,
    ScoringModel,
    Temperature,
    TemperatureClassifier,
    UnknownLeadError,
    assess,
    assess_all,
    format_assessments,
)
from strategies import T0, activity_leads, stage_histories

AS_OF = datetime(2026, 5, 1, tzinfo=UTC)
HOT, WARM, COLD = Temperature.HOT, Temperature.WARM, Temperature.COLD

MODEL = ScoringModel(
    name="test",
    rules=[
        EventRule(name="pricing page", when={"type": "page_view", "category": "pricing"},
                  points=20),
        EventRule(name="product page", when={"type": "page_view", "category": "product"},
                  points=5),
        EventRule(name="webinar", when={"type": "webinar"}, points=10),
        EventRule(name="inquiry", when={"type": "inquiry"}, points=30),
        AttributeRule(name="target industry", when={"industry": "it"}, points=25),
        AttributeRule(name="executive", when={"role": "executive"}, points=10),
    ],
)

LEADS = [
    Lead(id="A", attributes={"industry": "it", "role": "executive"}),
    Lead(id="B", attributes={"industry": "it"}),
    Lead(id="C"),
    Lead(id="D", attributes={"industry": "it", "role": "executive"}),
    Lead(id="E"),
]


def ago(days: float) -> datetime:
    """``days`` before AS_OF."""
    return AS_OF - timedelta(days=days)


def view(lead: str, days: float, category: str, product: str | None = None) -> Event:
    """A page view of ``lead`` ``days`` before AS_OF."""
    props = {"category": category} | ({"product": product} if product else {})
    return Event(lead_id=lead, type="page_view", at=ago(days), properties=props)


EVENTS = [
    view("A", 1, "pricing"), view("A", 2, "pricing"),
    Event(lead_id="A", type="inquiry", at=ago(1)),
    *(view("B", d, "product", "crm") for d in (1, 2, 3, 4)),
    Event(lead_id="B", type="webinar", at=ago(3)),
    *(view("C", d, "pricing") for d in (1, 2, 3)),
]


@pytest.fixture(scope="module")
def ranked() -> list[Assessment]:
    """The five leads, assessed and ranked."""
    return assess_all(LEADS, EVENTS, as_of=AS_OF, model=MODEL)


def test_ranked_by_priority_then_score(ranked: list[Assessment]) -> None:
    """Priority first (A-hot is 1), then score; see the table in the module docstring."""
    rows = [(a.lead_id, a.score.total, a.temperature, a.grade.value, a.priority) for a in ranked]
    assert rows == [
        ("A", 105, HOT, "A", 1),
        ("D", 35, WARM, "A", 2),
        ("B", 55, WARM, "B", 3),
        ("C", 60, HOT, "D", 4),
        ("E", 0, COLD, "D", 5),
    ]


def test_labels_of_each_lead(ranked: list[Assessment]) -> None:
    """Journey, activity, interest and action of each lead."""
    by_id = {a.lead_id: a for a in ranked}
    assert by_id["A"].journey is JourneyStage.SALES_READY
    assert by_id["A"].action == Playbook().action(HOT, JourneyStage.SALES_READY)
    assert by_id["B"].journey is JourneyStage.INTEREST
    assert by_id["B"].interest.top_product == "crm"
    assert by_id["C"].journey is JourneyStage.COMPARISON
    assert by_id["C"].action == Playbook().action(HOT)
    assert by_id["D"].journey is JourneyStage.NONE
    assert by_id["D"].activity.state is ActivityState.NEW
    assert by_id["E"].action == Playbook().action(COLD)
    assert by_id["A"].reasons(2) == [("pricing page", 40.0), ("inquiry", 30.0)]


def test_assess_one_equals_assess_all(ranked: list[Assessment]) -> None:
    """assess gives the same assessment as assess_all for each lead."""
    by_id = {a.lead_id: a for a in ranked}
    for lead in LEADS:
        assert assess(lead, EVENTS, as_of=AS_OF, model=MODEL) == by_id[lead.id]


def test_model_classifiers_are_used_and_can_be_overridden() -> None:
    """The model's own classifiers apply; keyword arguments override them for one call."""
    strict = attrs.evolve(MODEL, temperature=TemperatureClassifier(warm=50, hot=100))
    assert assess(LEADS[2], EVENTS, as_of=AS_OF, model=strict).temperature is WARM  # C, 60
    over = assess(LEADS[2], EVENTS, as_of=AS_OF, model=strict,
                  temperature=TemperatureClassifier(hot=55), grades=GradeScale(a=0),
                  priority=PriorityGrid(grid={"A": {"hot": 7}}),
                  playbook=Playbook(actions={"hot": {"default": "Call"}}))
    labels = (over.temperature, over.grade, over.priority, over.action)
    assert labels == (HOT, FitGrade.A, 7, "Call")


def test_model_fields_are_checked() -> None:
    """A model whose stage settings are not the right values is an InvalidModelError."""
    with pytest.raises(InvalidModelError) as exc:
        ScoringModel(name="m", rules=[], temperature={"hot": 60}, playbook="call")  # type: ignore[arg-type]
    assert [e.path for e in exc.value.errors] == ["$.temperature", "$.playbook"]
    with pytest.raises(InvalidValueError, match="grades"):
        assess(LEADS[0], [], as_of=AS_OF, model=MODEL, grades=PriorityGrid())  # type: ignore[arg-type]


def test_hysteresis_through_previous(ranked: list[Assessment]) -> None:
    """A lead that was hot stays hot within the exit margin, in assess and assess_all."""
    model = attrs.evolve(MODEL, temperature=TemperatureClassifier(warm=30, hot=60, exit_margin=10))
    b = LEADS[1]  # total 55
    assert assess(b, EVENTS, as_of=AS_OF, model=model).temperature is WARM
    assert assess(b, EVENTS, as_of=AS_OF, model=model, previous=HOT).temperature is HOT
    hot_b = attrs.evolve(ranked[2], temperature=HOT)
    assert assess(b, EVENTS, as_of=AS_OF, model=model, previous=hot_b).temperature is HOT
    again = assess_all(LEADS, EVENTS, as_of=AS_OF, model=model, previous=[hot_b])
    assert {a.lead_id: a.temperature for a in again}["B"] is HOT
    by_map = assess_all(LEADS, EVENTS, as_of=AS_OF, model=model, previous={"B": "hot"})
    assert {a.lead_id: a.temperature for a in by_map}["B"] is HOT


def test_percentile_bands_use_the_population() -> None:
    """With percentile bands the batch is the population: the top 20% (1 of 5) is hot.

    Totals 105, 55, 60, 35, 0: 105 has 80% below (hot); 60 has 60% and 55 has 40% below
    (warm from 40); 35 and 0 are cold.
    """
    pct = TemperatureClassifier(warm=40, hot=80, basis="percentile")
    ranked = assess_all(LEADS, EVENTS, as_of=AS_OF, model=MODEL, temperature=pct)
    assert {a.lead_id: a.temperature.value for a in ranked} == {
        "A": "hot", "B": "warm", "C": "warm", "D": "cold", "E": "cold"
    }
    with pytest.raises(InvalidValueError, match="population"):
        assess(LEADS[0], EVENTS, as_of=AS_OF, model=MODEL, temperature=pct)
    one = assess(LEADS[0], EVENTS, as_of=AS_OF, model=MODEL, temperature=pct,
                 population=[105, 55, 60, 35, 0])
    assert one.temperature is HOT


def test_unknown_leads_are_reported() -> None:
    """Events of leads not given raise UnknownLeadError, unless told to ignore them."""
    stray = Event(lead_id="Z", type="inquiry", at=ago(1))
    with pytest.raises(UnknownLeadError):
        assess_all(LEADS, [*EVENTS, stray], as_of=AS_OF, model=MODEL)
    assert len(assess_all(LEADS, [stray], as_of=AS_OF, model=MODEL, on_unknown="ignore")) == 5


def test_bad_events_are_refused() -> None:
    """Anything but events in ``events`` is an InvalidValueError naming its position."""
    with pytest.raises(InvalidValueError, match=r"events\[1\]"):
        assess(LEADS[0], [EVENTS[0], "pricing"], as_of=AS_OF, model=MODEL)  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="events"):
        assess_all(LEADS, "events", as_of=AS_OF, model=MODEL)  # type: ignore[arg-type]


def test_no_leads() -> None:
    """No leads: an empty table."""
    assert assess_all([], [], as_of=AS_OF, model=MODEL) == []
    assert format_assessments([]).endswith("(no leads)")


def test_to_dict_and_explain(ranked: list[Assessment]) -> None:
    """to_dict is one flat, JSON-able row; explain names the labels, action and reasons."""
    row = json.loads(json.dumps(ranked[0].to_dict()))
    assert row["lead_id"] == "A"
    assert (row["temperature"], row["journey"], row["grade"], row["priority"]) == (
        "hot", "sales_ready", "A", 1
    )
    assert row["reasons"][0] == ["pricing page", 40.0]
    text = ranked[0].explain()
    assert "priority 1, hot, sales_ready, grade A" in text
    assert "pricing page +40" in text


def test_format_assessments(ranked: list[Assessment]) -> None:
    """The table lists leads in rank order with their action and reasons; top cuts it."""
    text = format_assessments(ranked, top=2)
    lines = text.splitlines()
    assert lines[0].split() == [
        "#", "lead", "score", "temperature", "stage", "grade", "priority", "activity"
    ]
    assert lines[1].split() == ["1", "A", "105", "hot", "sales_ready", "A", "1", "active"]
    assert lines[2].strip().startswith("action: ")
    assert lines[3].strip() == "why:    pricing page +40, inquiry +30, target industry +25"
    assert lines[4].split()[:2] == ["2", "D"]
    assert len(lines) == 1 + 2 * 3


@given(
    activity_leads(),
    stage_histories(max_size=20),
    st.randoms(use_true_random=False),
)
def test_assessment_does_not_depend_on_event_order(
    lead: Lead, events: list[Event], rnd: random.Random
) -> None:
    """Shuffled events give an equal assessment."""
    as_of = T0 + timedelta(days=100)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert assess(lead, shuffled, as_of=as_of, model=MODEL) == assess(
        lead, events, as_of=as_of, model=MODEL
    )


def test_demo_prints_the_ranked_assessments() -> None:
    """The demo shows who to call today: ranked rows with their action and reasons."""
    import io

    from leadscoring.examples.demo import run_demo

    buffer = io.StringIO()
    run_demo(top=3, out=buffer)
    text = buffer.getvalue()
    section = text.split("Who to call today")[1].split("\nAccounts:")[0].splitlines()
    assert section[1].split()[:3] == ["#", "lead", "score"]
    assert [section[i].split()[0] for i in (2, 5, 8)] == ["1", "2", "3"]
    assert section[3].strip().startswith("action: ")
    assert len(section) == 2 + 3 * 3
