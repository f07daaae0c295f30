"""The limits of a model, in one place (``docs/model-format.md``, "Limits").

- numbers are finite and within float range: :func:`is_finite` says so without raising
  (``math.isfinite(10**400)`` raises ``OverflowError``);
- points and caps are at most :data:`MAX_POINTS` in size, so no sum of scores overflows;
- conditions nest at most :data:`MAX_CONDITION_DEPTH` combinators deep;
- a model document nests at most :data:`MAX_DOCUMENT_DEPTH` tables and lists deep
  (:func:`document_problem` checks, without recursion);
- a ``glob`` pattern is at most :data:`MAX_PATTERN_LENGTH` characters long.

>>> is_finite(10**400), is_finite(1e308), is_finite(True)
(False, True, False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TypeGuard

__all__ = [
    "MAX_CONDITION_DEPTH",
    "MAX_DOCUMENT_DEPTH",
    "MAX_PATTERN_LENGTH",
    "MAX_POINTS",
    "document_problem",
    "huge_message",
    "is_finite",
    "number_repr",
    "read_int",
    "text_depth",
    "without_long_integers",
]

MAX_POINTS = 1e9
"""The largest size of a rule's points or a cap: a billion events of such a rule still sum
to a finite number (1e18)."""

MAX_CONDITION_DEPTH = 64
"""The most combinators (``all``, ``any``, ``not``) a condition nests, counting its own."""

MAX_DOCUMENT_DEPTH = 200
"""The most tables and lists a model document nests (64 nested conditions take about 130)."""

MAX_PATTERN_LENGTH = 1000
"""The longest ``glob`` pattern, in characters."""

_MAX_DIGITS = 4300  # CPython's limit of integer text conversion (sys.get_int_max_str_digits)


def is_finite(value: object) -> TypeGuard[int | float]:
    """True for an int or float (not a bool) that is finite and within float range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return -_FLOAT_MAX_INT <= value <= _FLOAT_MAX_INT
    return math.isfinite(value)


_FLOAT_MAX_INT = int(1.7976931348623157e308)


def number_repr(value: object) -> str:
    """``repr(value)``, except that an integer too long to show reads as its digit count
    (``repr`` of an integer of more than 4,300 digits raises)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"an integer of about {digits:,} digits"
    return repr(value)


def document_problem(data: object, *, long_integers: bool = False) -> tuple[str, str] | None:
    """The (path, message) of the first place where ``data`` nests more than
    :data:`MAX_DOCUMENT_DEPTH` tables and lists deep, or holds an integer beyond float
    range; ``None`` if there is none. Iterative: any depth (and cycles) are safe.

    ``long_integers``: the text had integers too long to read, read as infinity (see
    :func:`without_long_integers`); an infinite float is reported as one."""
    from .plain.reader import at, child  # plain/ imports modules that import this one

    stack: list[tuple[object, str, int]] = [(data, "$", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, Mapping | list | tuple):
            if depth >= MAX_DOCUMENT_DEPTH:
                return path, (
                    f"nested more than {MAX_DOCUMENT_DEPTH} tables and lists deep; "
                    f"flatten the document (conditions nest at most {MAX_CONDITION_DEPTH} deep)"
                )
            if isinstance(value, Mapping):
                items = [
                    (child(path, k) if isinstance(k, str) else path, v) for k, v in value.items()
                ]
            else:
                items = [(at(path, i), v) for i, v in enumerate(value)]
            stack.extend((v, p, depth + 1) for p, v in reversed(items))
        elif isinstance(value, int) and not isinstance(value, bool) and not is_finite(value):
            return path, huge_message(number_repr(value))
        elif long_integers and isinstance(value, float) and math.isinf(value):
            return path, huge_message(f"an integer of more than {_MAX_DIGITS:,} digits")
    return None


def huge_message(shown: str) -> str:
    """The message for a number beyond float range (``shown``: the number or its size)."""
    return (
        f"{shown} is beyond the range of numbers (about ±1.8e308); "
        f"write a smaller number (points and caps are at most {MAX_POINTS:g} in size)"
    )


def read_int(text: str) -> int | float:
    """``int(text)`` for a JSON integer, or infinity when ``text`` has more digits than
    Python converts (then :func:`document_problem` with ``long_integers`` reports it)."""
    if len(text.lstrip("-")) > _MAX_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


_LONG_DIGITS = re.compile(rf"(?<![0-9_.eE])[0-9][0-9_]{{{_MAX_DIGITS},}}(?![0-9_.eE])")


def without_long_integers(text: str) -> tuple[str, bool]:
    """TOML text with every run of more than 4,300 digits outside strings and comments
    written as ``inf`` (tomllib cannot read such an integer), and whether there was one:
    the document then reads, and :func:`document_problem` finds the value's path. Digits
    inside a string or a comment are text, and stay as they are."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.lastgroup == "digits":
            count += 1
            return "inf"
        return match.group()

    return _TOML_LONG.sub(replace, text), bool(count)


_TOML_TEXT = r"""'''.*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|"(?:\\.|[^"\\\n])*"|'[^'\n]*'|\#[^\n]*"""
"""TOML's strings (the four kinds) and comments."""
_TOML_LONG = re.compile(rf"(?P<text>{_TOML_TEXT})|(?P<digits>{_LONG_DIGITS.pattern})", re.DOTALL)
_TOKENS = re.compile(_TOML_TEXT + r"|[\[\]{}]", re.DOTALL)
_JSON_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|[\[\]{}]', re.DOTALL)


def text_depth(text: str, format: str) -> int:
    """How deep the brackets of a TOML or JSON text nest, outside strings and comments
    (read before parsing: the parsers recurse and fail on a few hundred levels)."""
    depth = deepest = 0
    tokens = _JSON_TOKENS if format == "json" else _TOKENS
    for match in tokens.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth = max(depth - 1, 0)
    return deepest
