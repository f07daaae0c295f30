"""The TOML writer: what tomllib reads back is what was written, in the same key order."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring.model.toml_writer import TomlWriteError, dumps, string_text, value_text

INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.floats(allow_nan=False)  # nan != nan; it is checked on its own below
SCALARS = st.one_of(st.text(), INT64, FLOATS, st.booleans())
KEYS = st.text(max_size=12)


def documents() -> st.SearchStrategy[dict[str, Any]]:
    """Nested tables, arrays (of tables, of mixed values) and scalars."""
    values = st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(KEYS, inner, max_size=4),
        ),
        max_leaves=20,
    )
    tables = st.dictionaries(KEYS, values, max_size=4)
    return st.dictionaries(KEYS, values | tables | st.lists(tables, max_size=3), max_size=6)


def _order(value: object) -> object:
    """The value with every table's key order made visible (a list of pairs)."""
    if isinstance(value, Mapping):
        return [(k, _order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_order(v) for v in value]
    return value


@given(documents(), st.integers(0, 3))
def test_round_trip_through_tomllib(doc: dict[str, Any], depth: int) -> None:
    """tomllib reads back an equal document with the same key order, at any section depth."""
    back = tomllib.loads(dumps(doc, section_depth=depth))
    assert back == doc
    assert _order(back) == _order(doc)


@given(st.text())
def test_any_string_round_trips(text: str) -> None:
    """Quotes, backslashes, control characters and non-ASCII text survive as values and keys."""
    assert tomllib.loads(dumps({"v": text, text: 1})) == {"v": text, text: 1}


@pytest.mark.parametrize(
    "number",
    [0.1, 1e-300, 5e-324, 1.7976931348623157e308, 1e16, 123456789.123456789, -2.5, 3.0],
)
def test_floats_are_exact(number: float) -> None:
    """A float is written with repr, so it reads back bit for bit."""
    assert tomllib.loads(dumps({"x": number}))["x"] == number


def test_special_floats() -> None:
    """inf, -inf, nan and -0.0 keep their meaning."""
    back = tomllib.loads(dumps({"a": math.inf, "b": -math.inf, "c": math.nan, "d": -0.0}))
    assert back["a"] == math.inf
    assert back["b"] == -math.inf
    assert math.isnan(back["c"])
    assert math.copysign(1.0, back["d"]) == -1.0


def test_layout_of_a_model_like_document() -> None:
    """Plain keys first, then trailing tables as [sections] and lists of tables as [[arrays]]."""
    doc = {
        "name": "m",
        "caps": {"email": 25},
        "floor": 0,
        "dormancy": {"dormant_after": "90d"},
        "rules": [{"name": "a b", "when": {"type": "x", "n": {"gte": 1}}, "points": 1.5}],
    }
    assert dumps(doc) == (
        'name = "m"\n'
        "caps = { email = 25 }\n"
        "floor = 0\n"
        "\n"
        "[dormancy]\n"
        'dormant_after = "90d"\n'
        "\n"
        "[[rules]]\n"
        'name = "a b"\n'
        'when = { type = "x", n = { gte = 1 } }\n'
        "points = 1.5\n"
    )


def test_keys_are_quoted_when_needed() -> None:
    """Bare keys stay bare; dots, spaces, empty and non-ASCII keys are quoted."""
    assert dumps({"a_b-1": 1}) == "a_b-1 = 1\n"
    assert dumps({"a.b": 1, "": 2, "種別": 3}) == '"a.b" = 1\n"" = 2\n"種別" = 3\n'


def test_escapes() -> None:
    """Quotes, backslashes and control characters are escaped the TOML way."""
    assert string_text('a"b\\c\n\t\x00\x7f') == '"a\\"b\\\\c\\n\\t\\u0000\\u007F"'


def test_empty_containers() -> None:
    """Empty tables and arrays are written inline."""
    assert tomllib.loads(dumps({"t": {}, "a": [], "x": 1})) == {"t": {}, "a": [], "x": 1}
    assert value_text({}) == "{}"
    assert value_text([]) == "[]"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "no null"),
        (2**63, "64-bit"),
        ("\ud800", "surrogate"),
        (object(), "cannot write"),
        ({1: "x"}, "keys are strings"),
    ],
)
def test_unwritable_values(value: object, message: str) -> None:
    """Values TOML cannot hold raise TomlWriteError (a ValueError) saying why."""
    with pytest.raises(TomlWriteError, match=message):
        dumps({"x": [value]} if not isinstance(value, dict) else {"x": value})
