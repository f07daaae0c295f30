"""Tests of leadscoring.core.conditions: Field, All, AnyOf, Not, when(), compilation, type index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given

from leadscoring import (
    All,
    AnyOf,
    Condition,
    Event,
    EventRule,
    Field,
    InvalidModelError,
    Lead,
    Not,
    ScoringModel,
    between,
    contains,
    eq,
    exists,
    glob,
    gt,
    gte,
    lt,
    lte,
    one_of,
    prefix,
    score,
    when,
)
from leadscoring.core.conditions import (
    compile_condition,
    condition_types,
    event_getter,
    lead_getter,
)
from strategies import conditions, event_conditions, events, fields, lead_conditions, leads

T = datetime(2026, 4, 1, tzinfo=UTC)
NAMESPACE = {
    "AnyOf": AnyOf, "All": All, "Not": Not, "Field": Field, "eq": eq, "glob": glob,
    "one_of": one_of, "gt": gt, "gte": gte, "lt": lt, "lte": lte, "between": between,
    "contains": contains, "prefix": prefix, "exists": exists,
}  # fmt: skip
"""What the repr of a condition refers to."""


def _matches(condition: Condition, **properties: object) -> bool:
    """Whether ``condition`` holds for a page view carrying ``properties``."""
    event = Event(lead_id="L1", type="page_view", at=T, properties=properties)  # type: ignore[arg-type]
    return compile_condition(condition, event_getter)(event)


# --------------------------------------------------------------------------- building


def test_field_turns_plain_values_into_matchers() -> None:
    """A plain value means eq; a list, tuple, set or frozenset means one_of; a matcher stays."""
    assert Field("a", "x").matcher == eq("x")
    assert Field("a", 3).matcher == eq(3)
    assert Field("a", None).matcher == eq(None)
    assert Field("a", ["x", "y"]).matcher == one_of("x", "y")
    assert Field("a", ("x",)).matcher == one_of("x")
    assert Field("a", {"x"}).matcher == one_of("x")
    assert Field("a", frozenset({1})).matcher == one_of(1)
    assert Field("a", gte(3)).matcher == gte(3)


@pytest.mark.parametrize("name", ["", None, 3])
def test_field_needs_a_name(name: object) -> None:
    """An empty or non-text field name raises InvalidModelError naming Field.name."""
    with pytest.raises(InvalidModelError, match=r"Field.name: must be a non-empty string"):
        Field(name, "x")  # type: ignore[arg-type]


def test_field_refuses_non_scalar_values() -> None:
    """A non-scalar that is not a matcher, list or table raises InvalidModelError naming
    the field and the forms it may take."""
    with pytest.raises(InvalidModelError, match=r"^a: expected a matcher or a plain value, "
                       r"got object .*operator table such as \{'gte': 60\}"):
        when(a=object())  # type: ignore[arg-type]


def test_an_operator_table_reads_as_in_a_model_file() -> None:
    """``{"gte": 3}`` given in Python is ``gte(3)``, as the same table is in TOML."""
    assert Field("a", {"gte": 3}) == Field("a", gte(3))
    assert when(a={"between": [1, 2]}) == when(a=between(1, 2))


def test_a_wrong_operator_table_names_the_field_and_a_hint() -> None:
    """A misspelt operator names the field (under ``when`` in a rule) and the operator meant;
    a wrong argument names the operator."""
    with pytest.raises(InvalidModelError, match=r"^duration_s: unknown operator 'gtee' "
                       r"\(did you mean 'gte'\?\)$"):
        when(duration_s={"gtee": 60})
    with pytest.raises(InvalidModelError, match=r"^when\.duration_s: unknown operator"):
        EventRule(name="long visit", when={"duration_s": {"gtee": 60}}, points=5)
    with pytest.raises(InvalidModelError, match=r"^a\.gte: expected a number, got the text"):
        when(a={"gte": "sixty"})


def test_when_builds_an_all_of_fields() -> None:
    """when(a=1, b=[...], c=gte(60)) is All(Field(a, eq), Field(b, one_of), Field(c, gte))."""
    built = when(type="page_view", category=["service", "case_study"], duration_s=gte(60))
    assert built == All(
        Field("type", eq("page_view")),
        Field("category", one_of("service", "case_study")),
        Field("duration_s", gte(60)),
    )
    assert when() == All()


def test_operators_combine_conditions() -> None:
    """a & b is All(a, b), a | b is AnyOf(a, b), ~a is Not(a)."""
    a, b = Field("x", 1), Field("y", 2)
    assert a & b == All(a, b)
    assert a | b == AnyOf(a, b)
    assert ~a == Not(a)
    assert (a & b) | ~a == AnyOf(All(a, b), Not(a))


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: AnyOf(), "AnyOf: needs at least one condition"),
        (lambda: All("type"), "expected a condition, got str"),
        (lambda: AnyOf(Field("a", 1), eq(1)), "expected a condition, got Eq"),
        (lambda: Not({"a": 1}), "expected a condition, got dict"),
        (lambda: Field("a", 1) & "b", "expected a condition, got str"),
    ],
)
def test_combinators_refuse_non_conditions(make: object, fragment: str) -> None:
    """AnyOf needs a condition; no combinator accepts matchers, text or dicts."""
    with pytest.raises(InvalidModelError, match=fragment) as info:
        make()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)


def test_conditions_are_slotted_frozen_values() -> None:
    """Conditions are frozen, have no per-instance __dict__, and compare by value."""
    condition = when(type="page_view") & ~Field("url", prefix("/jobs"))
    assert condition == when(type="page_view") & ~Field("url", prefix("/jobs"))
    assert hash(condition) == hash(when(type="page_view") & ~Field("url", prefix("/jobs")))
    for value in (condition, condition.conditions[1], Field("a", 1)):
        assert not hasattr(value, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Field("a", 1).name = "b"  # type: ignore[misc]


# --------------------------------------------------------------------------- evaluating


@pytest.mark.parametrize(
    "matcher",
    [eq("x"), eq(None), one_of("x", 1), gt(0), gte(0), lt(0), lte(0), between(0, 1),
     contains("x"), glob("*"), prefix("x"), exists()],
)  # fmt: skip
def test_missing_fields_never_match_except_under_not(matcher: object) -> None:
    """A condition on an absent property is false for every matcher; Not of it is true."""
    condition = Field("absent", matcher)
    assert _matches(condition, category="pricing") is False
    assert _matches(Not(condition), category="pricing") is True


def test_exists_false_matches_only_missing_fields() -> None:
    """Field(name, exists(False)) holds when the property is absent, not when it is None."""
    condition = Field("campaign", exists(False))
    assert _matches(condition) is True
    assert _matches(condition, campaign=None) is False


def test_all_any_not_follow_boolean_logic() -> None:
    """All needs every part, AnyOf one part, Not inverts; All() always holds."""
    pricing, long = Field("category", "pricing"), Field("duration_s", gte(60))
    assert _matches(pricing & long, category="pricing", duration_s=90) is True
    assert _matches(pricing & long, category="pricing", duration_s=30) is False
    assert _matches(pricing | long, category="blog", duration_s=90) is True
    assert _matches(pricing | long, category="blog", duration_s=30) is False
    assert _matches(~pricing, category="blog") is True
    assert _matches(All()) is True
    assert _matches(All(pricing)) is False


def test_event_conditions_see_type_id_and_properties() -> None:
    """An event condition sees 'type', 'id' (missing when None) and each property by name."""
    event = Event(lead_id="L1", type="form_submit", at=T, properties={"form": "inquiry"}, id="f1")
    anonymous = Event(lead_id="L1", type="form_submit", at=T)
    check = lambda c: compile_condition(c, event_getter)  # noqa: E731
    assert check(when(type="form_submit", id="f1", form="inquiry"))(event) is True
    assert check(when(id=exists()))(anonymous) is False
    assert check(when(lead_id="L1"))(event) is False  # not a field conditions can see
    assert check(when(at=exists()))(event) is False


def test_attribute_conditions_see_attributes_and_status() -> None:
    """An attribute condition sees each attribute and the status as its text value."""
    lead = Lead(id="L1", attributes={"industry": "it", "employees": 250}, status="lost")
    check = lambda c: compile_condition(c, lead_getter)(lead)  # noqa: E731
    assert check(when(industry="it", employees=gte(100), status="lost")) is True
    assert check(when(status="open")) is False
    assert check(when(role=exists())) is False
    assert check(Not(when(role="executive"))) is True


def test_describe_reads_as_prose() -> None:
    """describe() joins parts with and/or/not and brackets nested groups of several parts."""
    condition = when(type="page_view", category=["service", "case_study"])
    assert condition.describe() == "type = 'page_view' and category in 'service', 'case_study'"
    nested = AnyOf(when(a=1, b=2), Not(AnyOf(Field("c", 3), Field("d", 4))), Field("e", 5))
    assert nested.describe() == "(a = 1 and b = 2) or not (c = 3 or d = 4) or e = 5"
    assert All().describe() == "always"


def test_reprs_rebuild_the_condition() -> None:
    """repr(condition) is the Python that builds it."""
    condition = AnyOf(when(type="page_view"), Not(Field("url", glob("/jobs/*"))))
    assert repr(condition) == (
        "AnyOf(All(Field('type', eq('page_view'))), Not(Field('url', glob('/jobs/*'))))"
    )
    assert eval(repr(condition), NAMESPACE) == condition


@given(conditions())
def test_any_condition_is_rebuilt_from_its_repr(condition: Condition) -> None:
    """Every condition is a hashable value and eval(repr(c)) builds an equal one."""
    rebuilt = eval(repr(condition), NAMESPACE)
    assert rebuilt == condition
    assert hash(rebuilt) == hash(condition)


# --------------------------------------------------------------------------- type index


@pytest.mark.parametrize(
    ("condition", "types"),
    [
        (when(type="page_view"), {"page_view"}),
        (when(type=["page_view", "email_click"]), {"page_view", "email_click"}),
        (when(type=one_of("a", 1)), {"a"}),
        (when(type=1), set()),
        (when(category="pricing"), None),
        (when(type=prefix("email")), None),
        (when(type=exists()), None),
        (Not(when(type="page_view")), None),
        (All(), None),
        (when(type=["a", "b"]) & when(type=["b", "c"]), {"b"}),
        (when(type="a") & when(category="x"), {"a"}),
        (when(type="a") & when(type="b"), set()),
        (when(type="a") | when(type="b"), {"a", "b"}),
        (when(type="a") | when(category="x"), None),
        (All(when(type="a"), AnyOf(when(type="a"), when(url="x"))), {"a"}),
    ],
)
def test_condition_types_lists_the_types_a_condition_can_match(
    condition: Condition, types: set[str] | None
) -> None:
    """condition_types narrows by type only where the condition restricts 'type' exactly."""
    found = condition_types(condition)
    assert (None if found is None else set(found)) == types


@given(event_conditions(), events(lead_ids=("L1",)))
def test_condition_types_never_hides_a_matching_event(condition: Condition, event: Event) -> None:
    """If a condition matches an event, its type index admits the event's type."""
    types = condition_types(condition)
    if compile_condition(condition, event_getter)(event):
        assert types is None or event.type in types


@given(conditions(), events(lead_ids=("L1",)))
def test_condition_types_is_sound_for_arbitrary_conditions(
    condition: Condition, event: Event
) -> None:
    """Arbitrary conditions too: no event that matches is filtered out by the index."""
    types = condition_types(condition)
    if compile_condition(condition, event_getter)(event):
        assert types is None or event.type in types


def test_a_rule_that_does_not_restrict_type_sees_every_event_type() -> None:
    """Rules on a property only, or on 'type OR property', see events of all types."""
    model = ScoringModel(
        name="m",
        rules=[
            EventRule(name="typed", when=when(type="page_view"), points=1),
            EventRule(name="any type", when=when(category="pricing"), points=10),
            EventRule(
                name="either", when=when(type="email_click") | when(category="pricing"), points=100
            ),
            EventRule(name="not typed", when=~when(type="page_view"), points=1000),
        ],
    )
    events_ = [
        Event(lead_id="L1", type="page_view", at=T, properties={"category": "pricing"}),
        Event(lead_id="L1", type="webinar", at=T, properties={"category": "pricing"}),
        Event(lead_id="L1", type="email_click", at=T),
    ]
    result = score(Lead(id="L1"), events_, model, as_of=T + timedelta(days=1))
    # typed: the page view (1). any type: page view + webinar (2 x 10).
    # either: all three (3 x 100). not typed: webinar + email click (2 x 1000).
    assert dict(result.by_rule) == {"typed": 1, "any type": 20, "either": 300, "not typed": 2000}


@given(lead_conditions(), leads())
def test_lead_conditions_compile_and_answer_a_bool(condition: Condition, lead: Lead) -> None:
    """Compiled attribute conditions answer True or False for every generated lead."""
    assert compile_condition(condition, lead_getter)(lead) in (True, False)


@given(fields(), events(lead_ids=("L1",)))
def test_not_inverts_every_field(field: Field, event: Event) -> None:
    """Not(f) holds exactly when f does not, for every matcher and event."""
    test = compile_condition(field, event_getter)
    assert compile_condition(Not(field), event_getter)(event) is (not test(event))
