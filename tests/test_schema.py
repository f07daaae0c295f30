"""The JSON Schema of model files: valid, in step with the reader, and useful to a UI."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings

from leadscoring import ScoringModel, model_schema
from leadscoring.core.conditions import MATCHERS
from leadscoring.core.plain.rules import DECAY_KINDS, RULE_KEYS, RULE_KINDS
from leadscoring.model.config import SECTIONS, load_model
from strategies import any_conditions, models

jsonschema = pytest.importorskip("jsonschema")

VALIDATOR = jsonschema.Draft202012Validator(model_schema())


def test_schema_is_valid_draft_2020_12() -> None:
    """The schema itself passes the metaschema and is plain JSON."""
    jsonschema.Draft202012Validator.check_schema(model_schema())
    assert json.loads(json.dumps(model_schema())) == model_schema()


def test_schema_is_a_fresh_value() -> None:
    """Changing the returned dict does not change the next one."""
    schema = model_schema()
    schema["properties"].clear()
    assert model_schema()["properties"]


@settings(max_examples=50)
@given(models(when=any_conditions(), who=any_conditions(), stages=True) | models())
def test_every_written_model_validates(model: ScoringModel) -> None:
    """Whatever to_dict writes (sections included), the schema accepts."""
    VALIDATOR.validate(model.to_dict())


def test_packaged_model_validates() -> None:
    """The shipped b2b-default file is valid against the schema."""
    from importlib import resources

    text = resources.files("leadscoring").joinpath("models", "b2b-default.toml").read_text("utf-8")
    VALIDATOR.validate(tomllib.loads(text))
    VALIDATOR.validate(load_model("b2b-default").to_dict())


BASE: dict[str, Any] = {
    "name": "m",
    "rules": [{"name": "r", "kind": "event", "when": {"type": "page_view"}, "points": 1}],
}


def _with_rule(**keys: Any) -> dict[str, Any]:
    return {"name": "m", "rules": [{**BASE["rules"][0], **keys}]}


@pytest.mark.parametrize(
    "document",
    [
        {"rules": []},
        {**BASE, "versoin": 1},
        _with_rule(kind="evnt"),
        _with_rule(cap=-1),
        _with_rule(times=3),
        _with_rule(when={"n": {"gte": 1, "lte": 2}}),
        _with_rule(when={"n": {"gtee": 1}}),
        _with_rule(when={"n": []}),
        _with_rule(when={"any": []}),
        _with_rule(when={"field": "n"}),
        _with_rule(decay={"half_life": "P1M"}),
        _with_rule(decay={"half_life": "30d", "linear": "9d"}),
        _with_rule(decay="nonee"),
        _with_rule(limit={"count": 0}),
        {**BASE, "dormancy": {"dormant_afer": "90d"}},
        {**BASE, "group_caps": {"email": -1}},
    ],
)
def test_schema_rejects_what_the_reader_rejects(document: dict[str, Any]) -> None:
    """Typical mistakes fail the schema too, so an editor can flag them while typing."""
    assert not VALIDATOR.is_valid(document)


def test_schema_tables_match_the_reader() -> None:
    """Operators, decay kinds, rule kinds, rule keys and sections come from the same tables."""
    defs = model_schema()["$defs"]
    operators = [next(iter(option["required"])) for option in defs["operator"]["oneOf"]]
    assert operators == list(MATCHERS)
    decay_keys = [o["required"][0] for o in defs["decay"]["oneOf"] if "required" in o]
    assert decay_keys == list(DECAY_KINDS)
    for kind in RULE_KINDS:
        rule = defs[f"{kind}_rule"]
        required, optional = RULE_KEYS[kind]
        assert rule["required"] == list(required)
        assert list(rule["properties"]) == [*required, *optional]
        assert rule["properties"]["kind"] == {"const": kind}
    assert set(SECTIONS) <= set(model_schema()["properties"])


def test_sections_carry_their_defaults() -> None:
    """A form builder can show each setting's default (here the dormancy policy's)."""
    dormancy = model_schema()["properties"]["dormancy"]
    assert dormancy["properties"]["dormant_after"]["default"] == "90d"
    assert dormancy["additionalProperties"] is False
