"""Tests of ScoringModel (leadscoring.model.scoring_model) and its compiled form
(leadscoring.scoring.compiled)."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given

from leadscoring import (
    AttributeRule,
    DormancyPolicy,
    Event,
    EventRule,
    HalfLife,
    InvalidModelError,
    LeadScoringError,
    NoDecay,
    ReactivationRule,
    RepeatRule,
    ScoringModel,
    when,
)
from leadscoring.scoring.compiled import RuleKind, compile_model
from strategies import models

PAGE = EventRule(name="page", when=when(type="page_view"), points=1)
EMAIL = EventRule(name="email", when=when(type="email_open"), points=2, group="email")
FIT = AttributeRule(name="industry", when=when(industry="it"), points=15)


def test_model_defaults() -> None:
    """A model needs a name and rules; the rest defaults as the design says."""
    model = ScoringModel(name="m", rules=[PAGE])
    assert model.rules == (PAGE,)
    assert model.default_decay == NoDecay()
    assert model.group_caps == {}
    assert (model.floor, model.ceiling, model.version) == (None, None, 1)
    assert model.dormancy == DormancyPolicy()


def test_every_problem_is_collected_before_raising() -> None:
    """All problems of a model come in one InvalidModelError, each with its JSON path."""
    with pytest.raises(InvalidModelError) as info:
        ScoringModel(
            name="",
            rules=[PAGE, "not a rule", attrs.evolve(EMAIL, name="page"), FIT,
                   attrs.evolve(FIT, name="fit in email", group="email")],
            default_decay="30d",
            group_caps={"email": -1, "": 3},
            floor=10,
            ceiling=5,
            version=0,
            dormancy={"dormant_after": "90d"},
        )  # fmt: skip
    paths = [e.path for e in info.value.errors]
    assert paths == [
        "$.name",
        "$.version",
        "$.default_decay",
        "$.dormancy",
        "$.ceiling",
        "$.group_caps.email",
        "$.group_caps",
        "$.rules[1]",
        "$.rules[2].name",
        "$.rules[4].group",
    ]
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LeadScoringError)
    assert str(info.value).startswith("10 problems:\n  $.name: must be a non-empty string")


def test_duplicate_rule_names_point_at_the_first_use() -> None:
    """A repeated rule name is reported at the repeat with a hint naming the first rule."""
    with pytest.raises(InvalidModelError) as info:
        ScoringModel(name="m", rules=[PAGE, EMAIL, attrs.evolve(PAGE, points=3)])
    (error,) = info.value.errors
    assert error.path == "$.rules[2].name"
    assert error.message == "duplicate rule name 'page'"
    assert error.hint is not None
    assert "$.rules[0]" in error.hint


def test_a_group_cannot_mix_fit_and_engagement_rules() -> None:
    """An attribute rule and an event rule in one group is an error at the later rule."""
    with pytest.raises(InvalidModelError, match=r"\$.rules\[1\].group: group 'fit' mixes"):
        ScoringModel(name="m", rules=[FIT, attrs.evolve(PAGE, group="fit")])


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"floor": float("nan")}, "$.floor"),
        ({"ceiling": float("inf")}, "$.ceiling"),
        ({"floor": True}, "$.floor"),
        ({"ceiling": "100"}, "$.ceiling"),
        ({"group_caps": {"email": float("nan")}}, "$.group_caps.email"),
        ({"group_caps": {"email": None}}, "$.group_caps.email"),
        ({"group_caps": 25}, "$.group_caps"),
        ({"version": "1"}, "$.version"),
        ({"version": True}, "$.version"),
        ({"rules": "page"}, "$.rules"),
        ({"rules": {"name": "page"}}, "$.rules"),
    ],
)
def test_bad_model_fields_raise_with_their_path(kwargs: dict[str, object], path: str) -> None:
    """NaN bounds, bad caps, bad versions and non-list rules raise InvalidModelError by path."""
    arguments: dict[str, object] = {"name": "m", "rules": [PAGE, EMAIL], **kwargs}
    with pytest.raises(InvalidModelError) as info:
        ScoringModel(**arguments)  # type: ignore[arg-type]
    assert [e.path for e in info.value.errors] == [path]


def test_floor_equal_to_ceiling_is_allowed() -> None:
    """floor == ceiling pins the total; it is not an error."""
    assert ScoringModel(name="m", rules=[], floor=10, ceiling=10).ceiling == 10


def test_groups_and_lookup() -> None:
    """groups lists rule groups in first-use order; fit_groups those of attribute rules."""
    model = ScoringModel(name="m", rules=[EMAIL, FIT, PAGE])
    assert model.groups == ("email", "fit", "engagement")
    assert model.fit_groups == frozenset({"fit"})
    assert model.rule("page") is PAGE
    with pytest.raises(KeyError):
        model.rule("pricing")


def test_group_caps_are_read_only() -> None:
    """group_caps is copied into a read-only mapping."""
    caps = {"email": 25}
    model = ScoringModel(name="m", rules=[EMAIL], group_caps=caps)
    caps["email"] = 0
    assert model.group_caps == {"email": 25}
    with pytest.raises(TypeError):
        model.group_caps["email"] = 1  # type: ignore[index]


def test_models_are_hashable_values() -> None:
    """Equal models are equal, hash alike, and cannot be changed in place."""
    a = ScoringModel(name="m", rules=[PAGE, FIT], group_caps={"fit": 10})
    b = ScoringModel(name="m", rules=(PAGE, FIT), group_caps={"fit": 10.0})
    assert a == b
    assert hash(a) == hash(b)
    assert a != attrs.evolve(a, version=2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.name = "n"  # type: ignore[misc]


def test_the_compiled_model_is_built_once_and_indexed_by_type() -> None:
    """compile_model builds once per model; rules are indexed by the event types they can match."""
    untyped = EventRule(name="pricing anywhere", when=when(category="pricing"), points=3)
    two_types = RepeatRule(
        name="emails", when=when(type=["email_open", "email_click"]), times=2, within="7d",
        points=4, decay=HalfLife(days=7),
    )  # fmt: skip
    back = ReactivationRule(name="back", points=5)
    model = ScoringModel(
        name="m", rules=[PAGE, untyped, FIT, two_types, back], default_decay=HalfLife(days=30)
    )
    compiled = compile_model(model)
    assert compile_model(model) is compiled
    names = lambda rules: [r.name for r in rules]  # noqa: E731

    def may_match(event_type: str) -> list[str]:
        event = Event(lead_id="L1", type=event_type, at="2026-01-01T00:00:00Z",
                      properties={"category": "pricing"})  # fmt: skip
        return [rule.name for rule, _ in compiled.dispatch.candidates(event)]

    assert may_match("page_view") == ["page", "pricing anywhere"]
    assert may_match("email_click") == ["pricing anywhere", "emails"]
    assert may_match("webinar") == ["pricing anywhere"]
    assert names(compiled.attribute_rules) == ["industry"]
    assert names(compiled.reactivation_rules) == ["back"]
    kinds = [r.kind for r in compiled.rules]
    assert kinds == [RuleKind.EVENT, RuleKind.EVENT, RuleKind.ATTRIBUTE, RuleKind.REPEAT,
                     RuleKind.REACTIVATION]  # fmt: skip
    # A rule without its own decay takes the model's default; one with a decay keeps it.
    assert compiled.rules[0].decay == HalfLife(days=30)
    assert compiled.rules[3].decay == HalfLife(days=7)


@given(models())
def test_generated_models_are_valid_hashable_values(model: ScoringModel) -> None:
    """Every generated model compiles, equals a copy of itself and hashes alike."""
    copy = attrs.evolve(model)
    assert copy == model
    assert hash(copy) == hash(model)
    assert len(compile_model(model).rules) == len(model.rules)
