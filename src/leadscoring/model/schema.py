"""The JSON Schema of the model document (draft 2020-12), for editors and rule-building UIs.

The schema describes the same format the reader accepts, with titles, descriptions and
defaults a form builder can show. The reader stays the authority: it also checks what a
schema cannot say (unique rule names, increasing decay steps, ``low <= high``).
"""

from __future__ import annotations

from typing import Any

from ..core.conditions import MATCHERS
from ..core.errors import InvalidValueError
from ..core.limits import (
    MAX_CONDITION_DEPTH,
    MAX_DOCUMENT_DEPTH,
    MAX_PATTERN_LENGTH,
    MAX_POINTS,
)
from ..core.rules import REACTIVATION_KINDS
from ..core.times import parse_duration

__all__ = ["model_schema"]

_SHORT = r"\s*\d+(\.\d+)?\s*[wdhms]\s*"
_ISO_FIXED = (
    r"[Pp](\d+[Ww])?(\d+(\.\d+)?[Dd])?"
    r"([Tt](\d+(\.\d+)?[Hh])?(\d+(\.\d+)?[Mm])?(\d+(\.\d+)?[Ss])?)?"
)
_ISO_CALENDAR = r"[Pp](\d+[Yy])?(\d+[Mm])?"

_REF = "#/$defs/"


def _ref(name: str, **extra: Any) -> dict[str, Any]:
    return {"$ref": _REF + name, **extra}


def _object(
    title: str, properties: dict[str, Any], required: list[str], description: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "title": title}
    if description:
        out["description"] = description
    out.update(properties=properties, required=required, additionalProperties=False)
    return out


def _text_arg(max_length: int | None = None) -> dict[str, Any]:
    text: dict[str, Any] = {"type": "string", "minLength": 1}
    if max_length is not None:
        text["maxLength"] = max_length
    return {
        "oneOf": [
            text,
            _object(
                "text with case",
                {
                    "text": text,
                    "case_sensitive": {"type": "boolean", "default": False},
                },
                ["text"],
            ),
        ]
    }


def _operator_args() -> dict[str, dict[str, Any]]:
    number = {"type": "number"}
    args: dict[str, dict[str, Any]] = {
        "eq": _ref("scalar", description="equal to this value (of the same kind)"),
        "one_of": {"type": "array", "items": _ref("scalar"), "minItems": 1,
                   "description": "equal to one of these values"},
        "gt": {**number, "description": "a number greater than this"},
        "gte": {**number, "description": "a number greater than or equal to this"},
        "lt": {**number, "description": "a number less than this"},
        "lte": {**number, "description": "a number less than or equal to this"},
        "between": {"type": "array", "prefixItems": [number, number], "minItems": 2,
                    "maxItems": 2, "description": "a number in [low, high], both included"},
        "contains": {**_text_arg(), "description": "text containing this (ignoring case)"},
        "glob": {**_text_arg(MAX_PATTERN_LENGTH),
                 "description": "text matching a * ? [abc] pattern (at most "
                 f"{MAX_PATTERN_LENGTH} characters)"},
        "prefix": {**_text_arg(), "description": "text starting with this (ignoring case)"},
        "exists": {"type": "boolean", "description": "the field is present (false: absent)"},
    }
    return {op: args[op] for op in MATCHERS}


def _matcher_defs() -> dict[str, Any]:
    operators = [
        _object(op, {op: schema}, [op]) for op, schema in _operator_args().items()
    ]
    return {
        "scalar": {"type": ["string", "number", "boolean", "null"]},
        "operator": {"title": "operator", "oneOf": operators},
        "matcher": {
            "title": "matcher",
            "description": "a plain value (equals), a list (one of), or a table of one operator",
            "oneOf": [
                _ref("scalar", title="equals"),
                {"type": "array", "items": _ref("scalar"), "minItems": 1, "title": "one of"},
                _ref("operator"),
            ],
        },
        "condition": {
            "title": "condition",
            "description": f"at most {MAX_CONDITION_DEPTH} combinators (all, any, not, or a "
            "table of several entries) nest in one condition",
            "type": "object",
            "oneOf": [
                _object(
                    "one field",
                    {"field": {"type": "string", "minLength": 1}, "match": _ref("matcher")},
                    ["field", "match"],
                    "the explicit form, for fields named all, any, not or field",
                ),
                {
                    "title": "all of these",
                    "description": "every entry holds: field = matcher, or all/any/not",
                    "not": {"required": ["field"]},
                    "propertyNames": {"minLength": 1},
                    "properties": {
                        "all": {"type": "array", "items": _ref("condition")},
                        "any": {"type": "array", "items": _ref("condition"), "minItems": 1},
                        "not": _ref("condition"),
                    },
                    "additionalProperties": _ref("matcher"),
                },
            ],
        },
    }


def _decay_defs() -> dict[str, Any]:
    step = {
        "type": "array",
        "prefixItems": [_ref("fixed_duration"), {"type": "number", "minimum": 0, "maximum": 1}],
        "minItems": 2,
        "maxItems": 2,
    }
    return {
        "duration": {
            "type": "string",
            "pattern": f"^({_SHORT}|{_ISO_FIXED}|{_ISO_CALENDAR})$",
            "examples": ["30d", "12h", "2w", "P30D", "P3M"],
        },
        "fixed_duration": {
            "type": "string",
            "pattern": f"^({_SHORT}|{_ISO_FIXED})$",
            "description": "a duration without months or years",
            "examples": ["30d", "12h", "2w", "P30D"],
        },
        "decay": {
            "title": "decay",
            "oneOf": [
                {"const": "none", "title": "no decay"},
                _object("half-life", {"half_life": {"oneOf": [
                    _ref("fixed_duration"), {"type": "number", "exclusiveMinimum": 0}
                ]}}, ["half_life"], "points halve every half-life (a number means days)"),
                _object("linear", {"linear": _ref("fixed_duration")}, ["linear"],
                        "points fall in a straight line to zero over this span"),
                _object("window", {"window": _ref("duration")}, ["window"],
                        "full points inside the window, none after (months allowed)"),
                _object("steps", {"steps": {"type": "array", "items": step, "minItems": 1}},
                        ["steps"], "[age, weight] pairs: the weight from each age on"),
            ],
        },
        "limit": _object(
            "limit",
            {"count": {"type": "integer", "minimum": 1}, "per": _ref("duration")},
            ["count"],
            "an event counts only if fewer than count earlier ones counted within per",
        ),
    }


def _rule_defs() -> dict[str, Any]:
    name = {"type": "string", "minLength": 1, "pattern": r"\S"}
    points = {"type": "number", "minimum": -MAX_POINTS, "maximum": MAX_POINTS,
              "description": f"points per match; may be negative; at most {MAX_POINTS:g} "
              "in size"}
    cap = {"type": "number", "minimum": 0, "maximum": MAX_POINTS}

    def group(default: str) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "pattern": r"\S", "default": default}

    def kind(value: str) -> dict[str, Any]:
        return {"const": value}

    return {
        "event_rule": _object("event rule", {
            "name": name, "kind": kind("event"), "when": _ref("condition"), "points": points,
            "decay": _ref("decay"), "cap": cap,
            "limit": _ref("limit"), "group": group("engagement"),
        }, ["name", "kind", "when", "points"], "points for each matching event"),
        "repeat_rule": _object("repeat rule", {
            "name": name, "kind": kind("repeat"), "when": _ref("condition"),
            "times": {"type": "integer", "minimum": 1}, "within": _ref("fixed_duration"),
            "points": points, "decay": _ref("decay"), "group": group("engagement"),
        }, ["name", "kind", "when", "times", "within", "points"],
            "points when `times` matching events fall within `within`"),
        "rate_rule": _object("rate rule", {
            "name": name, "kind": kind("rate"),
            "numerator": _ref("condition", description="the events counted (e.g. opens)"),
            "denominator": _ref("condition", description="the events they are a share of "
                                "(e.g. deliveries)"),
            "within": _ref("fixed_duration", description="the trailing window"),
            "at_least": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                         "description": "the share needed: 0.4 is 40%"},
            "points": points,
            "min_denominator": {"type": "integer", "minimum": 1, "default": 1,
                                "description": "the fewest denominator events that count"},
            "decay": _ref("decay"), "group": group("engagement"),
        }, ["name", "kind", "numerator", "denominator", "within", "at_least", "points"],
            "points while numerator events are at least `at_least` of the denominator "
            "events within `within`"),
        "attribute_rule": _object("attribute rule", {
            "name": name, "kind": kind("attribute"), "when": _ref("condition"),
            "points": points, "group": group("fit"),
        }, ["name", "kind", "when", "points"], "points when the lead's attributes match"),
        "reactivation_rule": _object("reactivation rule", {
            "name": name, "kind": kind("reactivation"), "points": points,
            "decay": _ref("decay"),
            "kinds": {"type": "array", "minItems": 1, "uniqueItems": True,
                      "items": {"enum": sorted(REACTIVATION_KINDS)}},
            "group": group("engagement"),
        }, ["name", "kind", "points"], "points each time a silent lead comes back"),
        "rule": {"title": "rule", "oneOf": [
            _ref("event_rule"), _ref("repeat_rule"), _ref("rate_rule"),
            _ref("attribute_rule"), _ref("reactivation_rule"),
        ]},
    }


def _is_duration(value: str) -> bool:
    try:
        parse_duration(value)
    except (InvalidValueError, OverflowError):
        return False
    return True


def _value_schema(key: str, value: object) -> dict[str, Any]:
    """A schema for a settings value, from its name and default. Numbers are ``number``
    (whether a setting needs a whole number is for the reader to say)."""
    if key == "decay":
        return _ref("decay", default=value)
    if isinstance(value, bool):
        return {"type": "boolean", "default": value}
    if isinstance(value, int | float):
        return {"type": "number", "default": value}
    if isinstance(value, str):
        base = _ref("fixed_duration") if _is_duration(value) else {"type": "string"}
        return {**base, "default": value}
    if isinstance(value, list):
        items = _value_schema("", value[0]) if value else {}
        items.pop("default", None)
        return {"type": "array", "items": items, "default": value}
    if isinstance(value, dict):
        return {"type": "object", "default": value}
    return {"default": value}


def section_schema(cls: Any, title: str) -> dict[str, Any]:
    """The schema of a settings section: ``cls.json_schema()`` if it has one, else derived
    from its defaults."""
    custom = getattr(cls, "json_schema", None)
    if callable(custom):
        return dict(custom())
    defaults = cls().to_dict()
    properties = {key: _value_schema(key, value) for key, value in defaults.items()}
    return {"type": "object", "title": title, "properties": properties,
            "additionalProperties": False}


def model_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a model document, as a new dict.

    >>> schema = model_schema()
    >>> schema["required"], sorted(schema["$defs"])[:3]
    (['name', 'rules'], ['attribute_rule', 'condition', 'decay'])
    """
    from .config import _sections

    properties: dict[str, Any] = {
        "$schema": {"type": "string"},
        "name": {"type": "string", "minLength": 1, "pattern": r"\S",
                 "description": "the model's name"},
        "version": {"type": "integer", "minimum": 1, "default": 1},
        "default_decay": _ref("decay", default="none",
                              description="the decay of rules that set none"),
        "group_caps": {"type": "object", "propertyNames": {"minLength": 1},
                       "additionalProperties": {"type": "number", "minimum": 0,
                                                "maximum": MAX_POINTS},
                       "description": "each group's sum is clamped to [-cap, cap]"},
        "floor": {"type": "number", "description": "the lowest total"},
        "ceiling": {"type": "number", "description": "the highest total"},
    }
    for key, (_field, cls) in _sections().items():
        properties[key] = section_schema(cls, key)
    properties["rules"] = {"type": "array", "items": _ref("rule")}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "leadscoring model",
        "description": "How a company scores leads: rules, decay, caps and settings. "
        f"A document nests at most {MAX_DOCUMENT_DEPTH} tables and lists deep.",
        "type": "object",
        "properties": properties,
        "required": ["name", "rules"],
        "additionalProperties": False,
        "$defs": {**_matcher_defs(), **_decay_defs(), **_rule_defs()},
    }
