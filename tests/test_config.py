"""Models as data: round trips, files, packaged models, and every validation error."""

from __future__ import annotations

import copy
import json
import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import (
    All,
    AnyOf,
    AttributeRule,
    DormancyPolicy,
    EventRule,
    Field,
    HalfLife,
    InvalidModelError,
    InvalidValueError,
    Limit,
    Linear,
    NoDecay,
    Not,
    ReactivationRule,
    RepeatRule,
    ScoringModel,
    Steps,
    Window,
    contains,
    dump_model,
    eq,
    gte,
    load_model,
    lt,
    one_of,
    when,
)
from leadscoring.core.plain.conditions import condition_data, read_condition
from leadscoring.core.plain.reader import Reader
from leadscoring.examples import TARGET_INDUSTRIES, default_model
from leadscoring.model.config import (
    SECTIONS,
    model_from_dict,
    model_to_dict,
    model_to_text,
    model_warnings,
    packaged_models,
    parse_model_text,
)
from strategies import any_conditions, models

# --------------------------------------------------------------------------- strategies


def full_models(*, allow_none: bool = True) -> st.SearchStrategy[ScoringModel]:
    """Models with conditions over any field names (reserved words included), with and
    without stage settings."""
    wild = any_conditions(allow_none=allow_none)
    return models(allow_none=allow_none, when=wild, who=wild, stages=True) | models(
        allow_none=allow_none
    )


# --------------------------------------------------------------------------- round trips


@given(full_models())
def test_round_trip_through_plain_data(model: ScoringModel) -> None:
    """from_dict(to_dict(m)) == m, also through ScoringModel's own methods."""
    assert model_from_dict(model_to_dict(model)) == model
    assert ScoringModel.from_dict(model.to_dict()) == model


@given(full_models())
def test_round_trip_through_json_text(model: ScoringModel) -> None:
    """The JSON text of a model reads back equal."""
    assert parse_model_text(model_to_text(model, "json"), "json") == model


@given(full_models(allow_none=False))
def test_round_trip_through_toml_text(model: ScoringModel) -> None:
    """The TOML text of a model (without nulls, which TOML lacks) reads back equal."""
    assert parse_model_text(model_to_text(model, "toml"), "toml") == model


@settings(max_examples=30)
@given(full_models(allow_none=False), st.sampled_from([".toml", ".json"]))
def test_round_trip_through_files(
    tmp_path_factory: pytest.TempPathFactory, model: ScoringModel, suffix: str
) -> None:
    """dump_model then load_model gives an equal model, for TOML and JSON files."""
    path = tmp_path_factory.mktemp("models") / f"model{suffix}"
    assert dump_model(model, path) == path
    assert load_model(path) == model


@given(any_conditions())
def test_condition_round_trip(condition: Any) -> None:
    """Every condition the Python API builds has a data form that reads back equal."""
    r = Reader()
    assert read_condition(r, condition_data(condition), "$") == condition
    assert r.errors == []


@pytest.mark.parametrize(
    ("condition", "data"),
    [
        (when(type="page_view", category="pricing"), {"type": "page_view", "category": "pricing"}),
        (when(category=["a", "b"], n=gte(60)), {"category": ["a", "b"], "n": {"gte": 60}}),
        (All(), {}),
        (Field("type", "x"), {"field": "type", "match": "x"}),
        (All(Field("any", 1)), {"all": [{"field": "any", "match": 1}]}),
        (All(Field("n", gte(1)), Field("n", lt(5))), {"all": [
            {"field": "n", "match": {"gte": 1}}, {"field": "n", "match": {"lt": 5}}]}),
        (AnyOf(when(a=1), when(b=2)), {"any": [{"a": 1}, {"b": 2}]}),
        (All(AnyOf(when(a=1))), {"all": [{"any": [{"a": 1}]}]}),
        (All(Field("a", 1), Not(when(b=2))), {"a": 1, "not": {"b": 2}}),
        (Not(when(b=2)), {"not": {"b": 2}}),
        (when(url=contains("Pricing", case_sensitive=True)),
         {"url": {"contains": {"text": "Pricing", "case_sensitive": True}}}),
    ],
)
def test_condition_encoding(condition: Any, data: dict[str, Any]) -> None:
    """The documented encodings: flat tables are All of fields; other shapes are explicit."""
    assert condition_data(condition) == data
    assert read_condition(Reader(), data, "$") == condition


FORMAT_EXAMPLE = """
name = "b2b-default"
version = 1
default_decay = { half_life = "30d" }
group_caps = { email = 25 }
floor = 0

[[rules]]
name = "pricing page"
kind = "event"
when = { type = "page_view", category = "pricing" }
points = 10
cap = 30

[[rules]]
name = "long pricing visit"
kind = "event"
when = { type = "page_view", category = "pricing", duration_s = { gte = 60 } }
points = 5

[[rules]]
name = "service and case studies back and forth"
kind = "repeat"
when = { type = "page_view", category = ["service", "case_study"] }
times = 4
within = "7d"
points = 15

[[rules]]
name = "target industry"
kind = "attribute"
when = { industry = ["manufacturing", "it"] }
points = 15
"""


def test_design_example_reads_as_the_python_model() -> None:
    """The TOML example of docs/model-format.md is the model the Python API builds."""
    expected = ScoringModel(
        name="b2b-default",
        rules=[
            EventRule(name="pricing page", when=when(type="page_view", category="pricing"),
                      points=10, cap=30),
            EventRule(name="long pricing visit",
                      when=when(type="page_view", category="pricing", duration_s=gte(60)),
                      points=5),
            RepeatRule(name="service and case studies back and forth",
                       when=when(type="page_view", category=["service", "case_study"]),
                       times=4, within=timedelta(days=7), points=15),
            AttributeRule(name="target industry", when=when(industry=["manufacturing", "it"]),
                          points=15),
        ],
        default_decay=HalfLife(days=30),
        group_caps={"email": 25},
        floor=0,
    )
    assert parse_model_text(FORMAT_EXAMPLE, "toml") == expected


def _rule_with(**keys: Any) -> dict[str, Any]:
    return {"name": "m", "rules": [{"name": "r", "kind": "event", "when": {}, "points": 1, **keys}]}


@pytest.mark.parametrize(
    ("data", "decay"),
    [
        ("none", NoDecay()),
        ({"half_life": "30d"}, HalfLife(days=30)),
        ({"half_life": "PT12H"}, HalfLife(days=0.5)),
        ({"half_life": 0.25}, HalfLife(days=0.25)),
        ({"linear": "90d"}, Linear(over="90d")),
        ({"window": "P3M"}, Window(months=3)),
        ({"window": "2w"}, Window(days=14)),
        ({"steps": [["7d", 1.0], ["30d", 0.5], ["90d", 0]]},
         Steps([("7d", 1.0), ("30d", 0.5), ("90d", 0.0)])),
    ],
)
def test_decay_forms(data: object, decay: object) -> None:
    """Each documented decay form reads as its decay value."""
    assert model_from_dict(_rule_with(decay=data)).rules[0].decay == decay  # type: ignore[union-attr]


@pytest.mark.parametrize("days", [1e-9, 0.1, 1 / 3, 2.5e-7, 364_999.9, 29.999999999])
def test_odd_half_lives_are_exact(days: float) -> None:
    """A half-life a duration text cannot hold exactly is written as a number of days."""
    model = ScoringModel(name="m", rules=[], default_decay=HalfLife(days=days))
    assert model_from_dict(model_to_dict(model)) == model


def test_limits_and_calendar_durations() -> None:
    """A limit per calendar month and one without ``per`` read as Limit values."""
    model = model_from_dict(_rule_with(limit={"count": 2, "per": "P1M"}))
    assert model.rules[0].limit == Limit(count=2, per=relativedelta(months=1))  # type: ignore[union-attr]
    assert model_from_dict(_rule_with(limit={"count": 3})).rules[0].limit == Limit(count=3)  # type: ignore[union-attr]


def test_null_means_default_and_schema_key_is_allowed() -> None:
    """JSON null for an optional key is the default; a "$schema" key is accepted and ignored."""
    doc = _rule_with(cap=None, decay=None, limit=None, group=None)
    doc["$schema"] = "./leadscoring-model.schema.json"
    doc["floor"] = None
    rule = model_from_dict(doc).rules[0]
    assert rule == EventRule(name="r", when=All(), points=1)


def test_defaults_are_left_out() -> None:
    """to_dict writes only what differs from the defaults (sections included)."""
    model = ScoringModel(name="m", rules=[ReactivationRule(name="back", points=5)])
    assert model_to_dict(model) == {
        "name": "m", "version": 1, "default_decay": "none",
        "rules": [{"name": "back", "kind": "reactivation", "points": 5}],
    }
    changed = attrs.evolve(model, dormancy=DormancyPolicy(dormant_after="60d"))
    assert model_to_dict(changed)["dormancy"] == {"dormant_after": "60d"}


def test_every_model_field_with_settings_is_a_section() -> None:
    """The stage settings and the dormancy policy are sections of the same document."""
    assert list(SECTIONS) == ["dormancy", "temperature", "journey", "grades", "priority",
                              "playbook", "accounts"]
    names = {f.name for f in attrs.fields(ScoringModel)}
    assert {field for field, _ in SECTIONS.values()} <= names


def test_code_in_a_model_file_is_only_text() -> None:
    """Strings that look like code are compared as text, never run."""
    doc = _rule_with(when={"type": "__import__('os').system('exit 1')"})
    assert model_from_dict(doc).rules[0].when == when(type="__import__('os').system('exit 1')")  # type: ignore[union-attr]


# --------------------------------------------------------------------------- files


def test_packaged_default_model() -> None:
    """b2b-default ships as a data file; default_model() is that file."""
    assert "b2b-default" in packaged_models()
    model = load_model("b2b-default")
    assert model == default_model()
    assert model.name == "b2b-default"
    assert len(model.rules) == 20
    industry = model.rule("target industry").when
    assert industry == when(industry=list(TARGET_INDUSTRIES))


def test_unknown_packaged_model_suggests_a_name() -> None:
    """A bare name that is neither a file nor a packaged model says what is available."""
    with pytest.raises(FileNotFoundError, match=r"did you mean 'b2b-default'\?"):
        load_model("b2b-defualt")
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model("missing/model.toml")


def test_files_without_a_known_suffix(tmp_path: Path) -> None:
    """A file without a suffix is read as JSON or TOML by its first character; other
    suffixes are refused."""
    text = model_to_text(default_model(), "json")
    (tmp_path / "model").write_text(text, encoding="utf-8")
    assert load_model(tmp_path / "model") == default_model()
    (tmp_path / "model.yaml").write_text("name: x", encoding="utf-8")
    with pytest.raises(InvalidModelError, match=r"unsupported model file type '\.yaml'"):
        load_model(tmp_path / "model.yaml")


def test_load_model_accepts_a_mapping_and_rejects_other_types() -> None:
    """A mapping is read like a file's content; other arguments are refused."""
    assert load_model(model_to_dict(default_model())) == default_model()
    with pytest.raises(InvalidValueError, match="expected a path"):
        load_model(42)  # type: ignore[arg-type]


def test_dump_model_needs_a_format(tmp_path: Path) -> None:
    """The format comes from the suffix or the format argument."""
    with pytest.raises(InvalidValueError, match=r"use \.toml or \.json"):
        dump_model(default_model(), tmp_path / "model.txt")
    path = dump_model(default_model(), tmp_path / "model.txt", format="json")
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "b2b-default"


def test_null_cannot_be_written_to_toml() -> None:
    """A condition on None has no TOML form; the error says to write JSON."""
    model = ScoringModel(name="m", rules=[EventRule(name="r", when=when(x=None), points=1)])
    with pytest.raises(InvalidValueError, match="null"):
        model_to_text(model, "toml")
    assert parse_model_text(model_to_text(model, "json"), "json") == model


def test_model_warnings_for_unused_group_caps() -> None:
    """A cap on a group no rule uses is valid but flagged, with a did-you-mean."""
    model = attrs.evolve(default_model(), group_caps={"emial": 25})
    [warning] = model_warnings(model)
    assert warning.path == "$.group_caps.emial"
    assert warning.hint == "did you mean 'email'?"
    assert model_warnings(default_model()) == []


# --------------------------------------------------------------------------- the error catalogue

BASE: dict[str, Any] = {
    "name": "m",
    "rules": [
        {"name": "pricing", "kind": "event", "when": {"type": "page_view"}, "points": 10},
        {"name": "fit", "kind": "attribute", "when": {"industry": "it"}, "points": 5},
        {"name": "repeat", "kind": "repeat", "when": {"type": "page_view"}, "times": 3,
         "within": "7d", "points": 5},
        {"name": "back", "kind": "reactivation", "points": 20},
    ],
}


def doc(top: dict[str, Any] | None = None, **rules: dict[str, Any]) -> dict[str, Any]:
    """BASE with top-level keys set, and rule ``r0``..``r3`` keys set (``...`` removes)."""
    out = copy.deepcopy(BASE)
    for key, value in (top or {}).items():
        if value is ...:
            del out[key]
        else:
            out[key] = value
    for name, changes in rules.items():
        rule = out["rules"][int(name[1:])]
        for key, value in changes.items():
            if value is ...:
                del rule[key]
            else:
                rule[key] = value
    return out


def the_error(data: object) -> Any:
    """The one error reading ``data`` raises."""
    with pytest.raises(InvalidModelError) as info:
        model_from_dict(data)  # type: ignore[arg-type]
    assert len(info.value.errors) == 1, info.value.errors
    return info.value.errors[0]


KINDS = "one of: event, repeat, rate, attribute, reactivation"
CATALOGUE: list[tuple[str, object, str, str, str | None]] = [
    # id, document, path, message fragment, hint (exact; None: no hint)
    ("not a table", [1], "$", "a model must be a table", None),
    ("unknown top key", doc({"versoin": 2}), "$.versoin", "unknown key 'versoin'",
     "did you mean 'version'?"),
    ("missing name", doc({"name": ...}), "$", "missing required key 'name'", None),
    ("rules not a list", doc({"rules": {"name": "x"}}), "$.rules", "expected a list of rules",
     "in TOML, write each rule under its own [[rules]] header"),
    ("rule not a table", doc({"rules": ["pricing"]}), "$.rules[0]", "a rule must be a table",
     None),
    ("missing kind", doc(r0={"kind": ...}), "$.rules[0]", "missing required key 'kind'", KINDS),
    ("unknown kind", doc(r0={"kind": "evnt"}), "$.rules[0].kind", "unknown rule kind 'evnt'",
     "did you mean 'event'?"),
    ("unknown rule key", doc(r0={"cpa": 3}), "$.rules[0].cpa", "unknown key 'cpa'",
     "did you mean 'cap'?"),
    ("key of another kind", doc(r2={"cap": 3}), "$.rules[2].cap", "unknown key 'cap'",
     "only event rules take 'cap'"),
    ("missing points", doc(r0={"points": ...}), "$.rules[0]", "missing required key 'points'",
     None),
    ("blank name", doc(r0={"name": "  "}), "$.rules[0].name", "expected non-empty text", None),
    ("duplicate name", doc(r1={"name": "pricing"}), "$.rules[1].name",
     "duplicate rule name 'pricing'", "already used by $.rules[0]; names must be unique"),
    ("NaN points", doc(r0={"points": math.nan}), "$.rules[0].points",
     "must be a finite number, got nan", None),
    ("infinite points", doc(r3={"points": -math.inf}), "$.rules[3].points",
     "must be a finite number, got -inf", None),
    ("points as text", doc(r0={"points": "10"}), "$.rules[0].points",
     "expected a number, got the text '10'", None),
    ("negative cap", doc(r0={"cap": -5}), "$.rules[0].cap", "a cap cannot be negative",
     "a cap clamps the sum to [-cap, cap]; leave it out for no cap"),
    ("negative group cap", doc({"group_caps": {"email": -1}}), "$.group_caps.email",
     "a cap cannot be negative", "a cap clamps the sum to [-cap, cap]; leave it out for no cap"),
    ("unknown operator", doc(r0={"when": {"duration_s": {"gtee": 60}}}),
     "$.rules[0].when.duration_s", "unknown operator 'gtee'", "did you mean 'gte'?"),
    ("two operators", doc(r0={"when": {"n": {"gte": 1, "lte": 5}}}), "$.rules[0].when.n",
     "a matcher table holds exactly one operator, got 'gte', 'lte'",
     "combine conditions with all = [...], or use between = [low, high]"),
    ("empty one_of list", doc(r1={"when": {"industry": []}}), "$.rules[1].when.industry",
     "one_of needs at least one value", None),
    ("empty one_of operator", doc(r1={"when": {"industry": {"one_of": []}}}),
     "$.rules[1].when.industry.one_of", "one_of needs at least one value", None),
    ("table in one_of", doc(r1={"when": {"industry": ["it", {"a": 1}]}}),
     "$.rules[1].when.industry[1]", "expected a plain value", None),
    ("between reversed", doc(r0={"when": {"n": {"between": [5, 1]}}}),
     "$.rules[0].when.n.between", "between: low 5 is above high 1", "write [low, high]"),
    ("between shape", doc(r0={"when": {"n": {"between": 5}}}), "$.rules[0].when.n.between",
     "between needs [low, high]", None),
    ("gte not a number", doc(r0={"when": {"n": {"gte": "60"}}}), "$.rules[0].when.n.gte",
     "expected a number, got the text '60'", None),
    ("contains empty", doc(r0={"when": {"url": {"contains": ""}}}),
     "$.rules[0].when.url.contains", "expected non-empty text", None),
    ("contains options misspelt",
     doc(r0={"when": {"url": {"contains": {"text": "x", "case_sensitiv": True}}}}),
     "$.rules[0].when.url.contains.case_sensitiv", "unknown key 'case_sensitiv'",
     "did you mean 'case_sensitive'?"),
    ("exists not a bool", doc(r0={"when": {"url": {"exists": "yes"}}}),
     "$.rules[0].when.url.exists", "expected true or false", None),
    ("condition not a table", doc(r0={"when": "page_view"}), "$.rules[0].when",
     "a condition must be a table", None),
    ("empty any", doc(r0={"when": {"any": []}}), "$.rules[0].when.any",
     "any needs at least one condition", None),
    ("all not a list", doc(r0={"when": {"all": {"a": 1}}}), "$.rules[0].when.all",
     "all needs a list of conditions", None),
    ("misspelt combinator", doc(r0={"when": {"anyy": [{"a": 1}]}}), "$.rules[0].when.anyy",
     "'anyy' is read as a field name", "did you mean 'any'?"),
    ("explicit field extra key", doc(r0={"when": {"field": "a", "match": 1, "b": 2}}),
     "$.rules[0].when.b", "unknown key 'b'",
     "a table with a 'field' key is one field: { field = NAME, match = MATCHER }"),
    ("bad duration", doc(r2={"within": "7 days"}), "$.rules[2].within",
     "cannot parse duration '7 days'", None),
    ("months in a half-life", doc({"default_decay": {"half_life": "P1M"}}),
     "$.default_decay.half_life", "'P1M' uses months or years", None),
    ("months in a repeat window", doc(r2={"within": "P1M"}), "$.rules[2].within",
     "calendar units", None),
    ("unknown decay name", doc(r0={"decay": "none "}), "$.rules[0].decay",
     "unknown decay 'none '", "did you mean 'none'?"),
    ("unknown decay kind", doc(r0={"decay": {"half_lfe": "30d"}}), "$.rules[0].decay.half_lfe",
     "unknown decay kind 'half_lfe'", "did you mean 'half_life'?"),
    ("two decay kinds", doc(r0={"decay": {"half_life": "30d", "linear": "9d"}}),
     "$.rules[0].decay", "a decay holds exactly one of", None),
    ("non-positive half-life", doc(r0={"decay": {"half_life": 0}}), "$.rules[0].decay.half_life",
     "a half-life must be positive", None),
    ("steps ages", doc(r0={"decay": {"steps": [["7d", 1], ["3d", 0.5]]}}),
     "$.rules[0].decay.steps[1][0]", "ages must increase", "3d is not after 1w"),
    ("steps weights", doc(r0={"decay": {"steps": [["7d", 0.5], ["9d", 0.7]]}}),
     "$.rules[0].decay.steps[1][1]", "weights must not increase",
     "0.7 is above the previous step's 0.5"),
    ("step weight above 1", doc(r0={"decay": {"steps": [["7d", 2]]}}),
     "$.rules[0].decay.steps[0][1]", "a weight is at most 1", None),
    ("limit count", doc(r0={"limit": {"count": 0}}), "$.rules[0].limit.count",
     "must be at least 1", None),
    ("limit key", doc(r0={"limit": {"count": 1, "pre": "1d"}}), "$.rules[0].limit.pre",
     "unknown key 'pre'", "did you mean 'per'?"),
    ("times zero", doc(r2={"times": 0}), "$.rules[2].times", "must be at least 1", None),
    ("reactivation kind", doc(r3={"kinds": ["lost_deal_retrun"]}), "$.rules[3].kinds[0]",
     "unknown reactivation kind 'lost_deal_retrun'", "did you mean 'lost_deal_return'?"),
    ("version", doc({"version": 0}), "$.version", "must be at least 1", None),
    ("version bool", doc({"version": True}), "$.version", "expected a whole number", None),
    ("floor above ceiling", doc({"floor": 10, "ceiling": 5}), "$.ceiling",
     "ceiling 5 is below floor 10", None),
    ("group mixes fit and engagement", doc(r1={"group": "engagement"}), "$.rules[1].group",
     "mixes attribute rules with event rules", "fit and engagement groups must be distinct"),
    ("dormancy key", doc({"dormancy": {"dormant_afer": "90d"}}), "$.dormancy.dormant_afer",
     "unknown dormancy setting", "did you mean 'dormant_after'?"),
    ("dormancy months", doc({"dormancy": {"dormant_after": "P3M"}}), "$.dormancy.dormant_after",
     "calendar units", None),
    ("section not a table", doc({"temperature": 60}), "$.temperature", "expected a table", None),
    ("temperature key", doc({"temperature": {"hott": 70}}), "$.temperature.hott",
     "unknown temperature setting", "did you mean 'hot'?"),
]


@pytest.mark.parametrize(
    ("data", "path", "message", "hint"),
    [case[1:] for case in CATALOGUE],
    ids=[case[0] for case in CATALOGUE],
)
def test_error_catalogue(data: object, path: str, message: str, hint: str | None) -> None:
    """Each kind of problem is reported once, at its JSON path, with its hint."""
    error = the_error(data)
    assert error.path == path
    assert message in error.message
    assert error.hint == hint


def test_the_documented_example_message() -> None:
    """The documented message, word for word."""
    data = doc(r2={"when": {"duration_s": {"gtee": 60}}})
    assert str(the_error(data)) == (
        "$.rules[2].when.duration_s: unknown operator 'gtee' (did you mean 'gte'?)"
    )


def test_every_problem_is_collected() -> None:
    """Problems anywhere in the document are all reported in one error, in document order."""
    data = doc(
        {"versoin": 1, "floor": math.nan},
        r0={"points": "x", "when": {"a": {"gtee": 1}}},
        r2={"times": 0},
        r3={"kinds": []},
    )
    with pytest.raises(InvalidModelError) as info:
        model_from_dict(data)
    paths = [e.path for e in info.value.errors]
    assert paths == [
        "$.versoin", "$.floor", "$.rules[0].when.a", "$.rules[0].points",
        "$.rules[2].times", "$.rules[3].kinds",
    ]
    assert str(info.value).startswith("6 problems:\n  $.versoin: unknown key")


def test_syntax_errors_of_files() -> None:
    """A TOML or JSON syntax error (and a duplicate JSON key) is an error at $."""
    with pytest.raises(InvalidModelError, match=r"^\$: not valid TOML: .*line 1"):
        parse_model_text("name = \n[[rules]]\n", "toml")
    with pytest.raises(InvalidModelError, match=r"not valid JSON: .*line 1, column"):
        parse_model_text('{"name": }', "json")
    with pytest.raises(InvalidModelError, match="duplicate key 'name'"):
        parse_model_text('{"name": "a", "name": "b", "rules": []}', "json")


def test_json_nan_is_rejected_not_read() -> None:
    """JSON's NaN and Infinity extensions parse, then fail validation with a path."""
    text = json.dumps(doc(r0={"points": math.inf}))
    with pytest.raises(InvalidModelError, match=r"\$\.rules\[0\]\.points: must be a finite"):
        parse_model_text(text, "json")


def test_the_python_model_agrees_with_one_of_sugar() -> None:
    """A list in the data form is one_of, as in when()."""
    assert model_from_dict(doc(r1={"when": {"industry": ["it", "mfg"]}})).rules[1].when == All(
        Field("industry", one_of("it", "mfg"))
    )
    assert read_condition(Reader(), {"x": True}, "$") == All(Field("x", eq(True)))


# --------------------------------------------------------------------------- fuzzing

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10),
    st.sampled_from(["event", "repeat", "attribute", "reactivation", "none", "30d", "P3M",
                     "gte", "any", "all", "not", "field", "match", "half_life", "steps"]),
)
JUNK = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=8) | st.sampled_from(["name", "kind", "when", "points", "rules",
                                              "decay", "limit", "any", "field", "match"]),
        inner, max_size=4,
    ),
    max_leaves=25,
)


def _outcome(data: object) -> None:
    errors: tuple[Any, ...] = ()
    try:
        result = model_from_dict(data)  # type: ignore[arg-type]
    except InvalidModelError as exc:
        errors = exc.errors
    else:
        assert isinstance(result, ScoringModel)
        return
    assert errors
    assert all(e.path.startswith("$") for e in errors)


@given(JUNK)
def test_fuzz_arbitrary_data(data: object) -> None:
    """Arbitrary nested data gives a model or InvalidModelError, never another exception."""
    _outcome(data)


@given(full_models(), st.data())
def test_fuzz_mutated_models(model: ScoringModel, data: st.DataObject) -> None:
    """A valid document with one part replaced by junk gives a model or InvalidModelError."""
    root: dict[str, Any] = {"doc": model_to_dict(model)}
    holder: Any = root
    key: Any = "doc"
    while True:
        node = holder[key]
        if isinstance(node, dict):
            keys: list[Any] = list(node)
        elif isinstance(node, list):
            keys = list(range(len(node)))
        else:
            keys = []
        if not keys or data.draw(st.booleans()):
            break
        holder, key = node, data.draw(st.sampled_from(keys))
    holder[key] = data.draw(JUNK)
    _outcome(root["doc"])


# --------------------------------------------------------------------------- docs

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _toml_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text("utf-8")
    return re.findall(r"^```toml\n(.*?)^```", text, re.S | re.M)


def test_documented_model_files_are_valid() -> None:
    """Every complete TOML model in the docs (a block starting with name = ...) is valid."""
    pages = ("model-format.md", "default-model.md")
    blocks = [b for page in pages for b in _toml_blocks(page) if b.startswith("name =")]
    assert len(blocks) == 2
    for block in blocks:
        assert isinstance(parse_model_text(block, "toml"), ScoringModel)


def test_default_model_page_shows_the_packaged_rules() -> None:
    """The file printed in docs/default-model.md reads as the packaged model."""
    [block] = [b for b in _toml_blocks("default-model.md") if b.startswith('name = "b2b')]
    assert parse_model_text(block, "toml") == load_model("b2b-default")
