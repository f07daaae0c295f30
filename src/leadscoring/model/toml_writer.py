"""A small TOML writer for plain data (the standard library reads TOML but cannot write it).

It writes what :mod:`tomllib` reads back equal, in the same key order: tables, arrays of
tables, inline tables, arrays, strings (escaped), integers (64-bit), floats (``repr``, so
exact, with ``inf`` and ``nan``) and booleans. TOML has no null, so ``None`` is refused.

Keys of the top-level table whose values are tables, or non-empty arrays of tables, become
``[section]`` and ``[[array]]`` headers when they come after every plain key (so reading
the text back keeps the key order); everything deeper is written inline.

>>> print(dumps({"name": "m", "caps": {"email": 25}, "floor": 0, "rules": [{"points": 1.5}]}))
name = "m"
caps = { email = 25 }
floor = 0
<BLANKLINE>
[[rules]]
points = 1.5
<BLANKLINE>
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["TomlWriteError", "dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r",
}
_INT64 = (-(2**63), 2**63 - 1)


class TomlWriteError(ValueError):
    """A value cannot be written as TOML (``None``, a huge integer, an unknown type)."""


def dumps(doc: Mapping[str, Any], *, section_depth: int = 1) -> str:
    """TOML text for ``doc``; ``tomllib.loads(dumps(doc)) == doc`` with the same key order.

    ``section_depth`` is how many levels of tables may be written as ``[section]`` or
    ``[[array]]`` headers (0: everything inline under the root).
    """
    lines: list[str] = []
    _table(lines, (), doc, section_depth)
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines) + "\n"


def _is_section(value: object) -> bool:
    if isinstance(value, Mapping):
        return True
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _table(lines: list[str], path: tuple[str, ...], table: Mapping[str, Any], depth: int) -> None:
    items = list(table.items())
    split = len(items)
    if depth > 0:
        while split and _is_section(items[split - 1][1]):
            split -= 1
    for key, value in items[:split]:
        lines.append(f"{key_text(key)} = {value_text(value)}")
    for key, value in items[split:]:
        here = (*path, key)
        header = ".".join(key_text(k) for k in here)
        if isinstance(value, Mapping):
            lines.extend(["", f"[{header}]"])
            _table(lines, here, value, depth - 1)
        else:
            for item in value:
                lines.extend(["", f"[[{header}]]"])
                _table(lines, here, item, depth - 1)


def key_text(key: object) -> str:
    """A key, bare when it can be, else a quoted string."""
    if not isinstance(key, str):
        raise TomlWriteError(f"TOML keys are strings, got {type(key).__name__} {key!r}")
    return key if _BARE_KEY.fullmatch(key) else string_text(key)


def string_text(text: str) -> str:
    """A basic (double-quoted) TOML string with every needed escape."""
    out = []
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise TomlWriteError(f"a lone surrogate (U+{code:04X}) cannot be written to TOML")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def value_text(value: object) -> str:
    """One value written inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise TomlWriteError(f"integer {value} is outside TOML's 64-bit range")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if value is None:
        raise TomlWriteError("TOML has no null value; leave the key out or write JSON")
    raise TomlWriteError(f"cannot write {type(value).__name__} {value!r} to TOML")
