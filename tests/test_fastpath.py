"""Tests of the pieces the fast paths share: rule dispatch (leadscoring.scoring.dispatch),
each decay's weighers (on datetimes, microseconds and arrays) and result builders
(leadscoring.core.slots).

Each is checked against the plain form it stands for: the rule's full condition, the
decay's ``weight_at``, the attrs constructor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    Contribution,
    Decay,
    Event,
    EventRule,
    LeadScore,
    RateRule,
    RepeatRule,
    ScoringModel,
)
from leadscoring.core.conditions import (
    All,
    AnyOf,
    Condition,
    Field,
    Not,
    compile_condition,
    event_getter,
    pinned,
    when,
)
from leadscoring.core.mapping import FrozenMap
from leadscoring.core.results import contribution_from_row, lead_score
from leadscoring.core.times import from_us, to_us
from leadscoring.scoring.compiled import compile_model
from leadscoring.scoring.dispatch import specialise
from strategies import T0, conditions, decays, event_conditions, events, models, moments


def _reference(condition: Condition, event: Event) -> bool:
    """The meaning of a condition, evaluated the slow, obvious way."""
    if isinstance(condition, Field):
        return bool(condition.matcher.compile()(event_getter(condition.name)(event)))
    if isinstance(condition, Not):
        return not _reference(condition.condition, event)
    if isinstance(condition, All):
        return all(_reference(c, event) for c in condition.conditions)
    return any(_reference(c, event) for c in condition.conditions)


@given(conditions(), events())
def test_compiled_conditions_mean_what_they_say(condition: Condition, event: Event) -> None:
    """compile_condition (loops, not generators) agrees with the obvious evaluation."""
    assert compile_condition(condition, event_getter)(event) == _reference(condition, event)


@given(conditions(), events(), st.booleans())
def test_specialise_keeps_the_answer(condition: Condition, event: Event, with_key: bool) -> None:
    """Substituting the event's own type (and category) never changes the outcome."""
    known: dict[str, object] = {"type": event.type}
    if with_key and isinstance(event.properties.get("category"), str):
        known["category"] = event.properties["category"]
    residual = specialise(condition, known)
    got = residual if isinstance(residual, bool) else _reference(residual, event)
    assert got == _reference(condition, event)


@given(conditions(), events())
def test_pinned_values_are_necessary(condition: Condition, event: Event) -> None:
    """When a condition pins a field to some texts, it holds only with one of them."""
    values = pinned(condition, "category")
    if values is not None and _reference(condition, event):
        assert event.properties.get("category") in values


def test_dispatch_narrows_to_the_rules_that_can_match() -> None:
    """A pricing page view asks the pricing rules only, the long-visit one for duration."""
    from leadscoring import gte

    model = ScoringModel(name="m", rules=[
        EventRule(name="blog", when=when(type="page_view", category="blog"), points=1),
        EventRule(name="pricing", when=when(type="page_view", category="pricing"), points=5),
        EventRule(name="long", when=when(type="page_view", category="pricing",
                                         duration_s=gte(60)), points=5),
        EventRule(name="any view", when=when(type="page_view"), points=1),
    ])  # fmt: skip
    event = Event(lead_id="L1", type="page_view", at=T0, properties={"category": "pricing"})
    found = compile_model(model).dispatch.candidates(event)
    assert [(rule.name, test is None) for rule, test in found] == [
        ("pricing", True), ("long", False), ("any view", True)
    ]  # fmt: skip


def concerns(rule: object, event: Event) -> bool:
    """Whether ``event`` matters to ``rule``: its condition matches (for a rate rule, the
    numerator's or the denominator's); attribute and reactivation rules take no event."""
    if isinstance(rule, EventRule | RepeatRule):
        return bool(compile_condition(rule.when, event_getter)(event))
    if isinstance(rule, RateRule):
        return any(compile_condition(side, event_getter)(event)
                   for side in (rule.numerator, rule.denominator))  # fmt: skip
    return False


@given(models(when=event_conditions()), st.lists(events(), max_size=10))
def test_dispatch_equals_asking_every_rule(model: ScoringModel, sample: list[Event]) -> None:
    """The rules dispatch finds (after their residual tests) are exactly the rules whose
    full condition matches, in model order."""
    compiled = compile_model(model)
    for event in sample:
        found = [
            rule.index
            for rule, test in compiled.dispatch.candidates(event)
            if test is None or test(event)
        ]
        expected = [i for i, rule in enumerate(model.rules) if concerns(rule, event)]
        assert found == expected


@given(decays(), moments(T0, days=400), moments(T0, days=400))
def test_weighers_equal_weight_at_exactly(decay: Decay, a: datetime, b: datetime) -> None:
    """The closures and the microsecond forms give weight_at's very float."""
    at, as_of = min(a, b), max(a, b)
    expected = decay.weight_at(at, as_of)
    assert decay.weigher(as_of)(at) == expected
    assert decay.weigher_us(to_us(as_of))(to_us(at)) == expected


@given(decays(), st.lists(moments(T0, days=400), min_size=1, max_size=20))
def test_vector_weights_equal_weight_at(decay: Decay, times: list[datetime]) -> None:
    """The numpy form agrees with weight_at (numpy's pow may differ in the last bit)."""
    np = pytest.importorskip("numpy")
    as_of = max(times) + timedelta(hours=1)
    got = decay.weights_us(np.array([to_us(t) for t in times]), to_us(as_of))
    expected = [decay.weight_at(t, as_of) for t in times]
    assert got.tolist() == pytest.approx(expected, rel=1e-14, abs=1e-300)


def test_microseconds_round_trip() -> None:
    """to_us and from_us are exact inverses, before and after the epoch."""
    for moment in (datetime(2026, 3, 1, 12, 0, 0, 7, tzinfo=UTC),
                   datetime(1900, 1, 1, tzinfo=UTC)):  # fmt: skip
        assert from_us(to_us(moment)) == moment


def test_builders_make_the_same_values() -> None:
    """contribution_from_row() and lead_score() build objects equal to the constructors' ones."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    row = ("r", "g", "e1", at, 10.0, 0.5, 5.0, "note")
    made = contribution_from_row(row)
    built = Contribution(rule="r", group="g", event_id="e1", event_at=at, base_points=10.0,
                         weight=0.5, points=5.0, note="note")  # fmt: skip
    assert made == built
    assert repr(made) == repr(built)
    assert hash(made) == hash(built)
    score = lead_score("L1", at, 5.0, 0.0, 5.0, FrozenMap({"g": 5.0}), FrozenMap({"r": 5.0}),
                       (row,))  # fmt: skip
    by_hand = LeadScore(lead_id="L1", as_of=at, total=5.0, fit=0.0, engagement=5.0,
                        by_group={"g": 5.0}, by_rule={"r": 5.0}, contributions=[built])
    assert score == by_hand
    assert hash(score) == hash(by_hand)
    assert repr(score) == repr(by_hand)
    assert score.contributions == (built,)
    assert score.contributions is score.contributions  # built once, then kept
    assert score.to_dict()["contributions"][0]["note"] == "note"


def test_empty_all_and_any_of_three() -> None:
    """All() always holds; AnyOf of three parts is true when one is."""
    event = Event(lead_id="L1", type="page_view", at=T0, properties={"category": "faq"})
    assert compile_condition(All(), event_getter)(event)
    three = AnyOf(Field("category", "blog"), Field("category", "pricing"),
                  Field("category", "faq"))  # fmt: skip
    assert compile_condition(three, event_getter)(event)
