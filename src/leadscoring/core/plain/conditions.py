"""Conditions and matchers as plain data, both ways (internal; see ``docs/model-format.md``).

The data form:

- a **matcher** is a plain value (equals), a list (one of), or a table of exactly one
  operator from :data:`~leadscoring.core.conditions.MATCHERS`: ``{ gte = 60 }``,
  ``{ between = [10, 20] }``, ``{ contains = "pricing" }`` or, case-sensitive,
  ``{ contains = { text = "Pricing", case_sensitive = true } }``;
- a **condition** is a table. ``{ field = NAME, match = MATCHER }`` is one
  :class:`~leadscoring.Field`. A table whose only key is ``all``, ``any`` or ``not`` is that
  combinator (``all`` and ``any`` hold lists of conditions, ``not`` one condition). Any other
  table is an :class:`~leadscoring.All` of its entries in order: ``name = matcher`` entries
  are fields, and ``all`` / ``any`` / ``not`` entries are nested combinators.

So ``{ type = "page_view", category = "pricing" }`` is ``when(type=..., category=...)``,
and :func:`condition_data` writes every condition the Python API can build in a form that
:func:`read_condition` reads back equal (two matchers on one field, or a field literally
named ``all``, ``any``, ``not`` or ``field``, go through ``all = [...]`` and the explicit
``{ field = ..., match = ... }`` form).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..aliases import Scalar
from ..conditions import MATCHERS, All, AnyOf, Condition, Field, Matcher, Not
from ..errors import InvalidModelError
from ..limits import MAX_CONDITION_DEPTH
from .reader import Reader, at, child, describe, did_you_mean, one_of_hint

__all__ = ["COMBINATORS", "RESERVED", "condition_data", "matcher_data", "read_condition"]

COMBINATORS = ("all", "any", "not")
"""Keys of a condition table that combine conditions instead of naming a field."""

RESERVED = (*COMBINATORS, "field")
"""Keys that never name a field in a condition table (use ``{ field = ..., match = ... }``)."""

_TEXT_OPS = ("contains", "glob", "prefix")


# --------------------------------------------------------------------------- writing


def matcher_data(matcher: Matcher) -> object:
    """A matcher as data: a plain value for ``eq``, a list for ``one_of``, else ``{op: arg}``."""
    if matcher.op in ("eq", "one_of"):
        return matcher.to_data()
    return {matcher.op: matcher.to_data()}


def condition_data(condition: Condition) -> dict[str, Any]:
    """A condition as a table that :func:`read_condition` reads back equal."""
    if isinstance(condition, Field):
        return {"field": condition.name, "match": matcher_data(condition.matcher)}
    if isinstance(condition, AnyOf):
        return {"any": [condition_data(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": condition_data(condition.condition)}
    flat = _flat(condition)
    if flat is not None:
        return flat
    return {"all": [condition_data(c) for c in condition.conditions]}


def _flat(condition: All) -> dict[str, Any] | None:
    """``All`` as one table of entries, when that table reads back as the same ``All``."""
    parts = condition.conditions
    if len(parts) == 1 and not isinstance(parts[0], Field):
        return None  # {any = [...]} alone would read back as AnyOf, not All(AnyOf)
    out: dict[str, Any] = {}
    for part in parts:
        if isinstance(part, Field):
            key, value = part.name, matcher_data(part.matcher)
            if key in RESERVED:
                return None
        elif isinstance(part, AnyOf):
            key, value = "any", [condition_data(c) for c in part.conditions]
        elif isinstance(part, Not):
            key, value = "not", condition_data(part.condition)
        else:
            key, value = "all", [condition_data(c) for c in part.conditions]
        if key in out:
            return None
        out[key] = value
    return out


# --------------------------------------------------------------------------- reading


def _scalar(r: Reader, value: object, path: str) -> tuple[bool, Scalar]:
    if value is None or isinstance(value, str | bool):
        return True, value
    if isinstance(value, int | float):
        return r.number(value, path) is not None, value
    r.error(path, f"expected a plain value (text, number, true/false), got {describe(value)}")
    return False, None


def _scalars(r: Reader, value: object, path: str) -> list[Scalar] | None:
    if not isinstance(value, list | tuple):
        r.error(path, f"one_of needs a list of values, got {describe(value)}")
        return None
    if not value:
        r.error(path, "one_of needs at least one value, got an empty list")
        return None
    out: list[Scalar] = []
    good = True
    for i, item in enumerate(value):
        ok, scalar = _scalar(r, item, at(path, i))
        good = good and ok
        out.append(scalar)
    return out if good else None


def _text_arg(r: Reader, value: object, path: str) -> tuple[str, bool] | None:
    if isinstance(value, Mapping):
        r.keys(value, path, allowed=("text", "case_sensitive"), required=("text",))
        text = r.text(value["text"], child(path, "text"), blank=True) if "text" in value else None
        sensitive: bool | None = False
        if "case_sensitive" in value:
            sensitive = r.boolean(value["case_sensitive"], child(path, "case_sensitive"))
        extra = any(k not in ("text", "case_sensitive") for k in value)
        if text is None or sensitive is None or extra:
            return None
        return text, sensitive
    text = r.text(value, path, blank=True)
    return None if text is None else (text, False)


_Args = tuple[tuple[Any, ...], dict[str, Any]]


def _matcher_args(r: Reader, op: str, arg: object, path: str) -> _Args | None:
    """Check the argument of ``op`` and return the factory's arguments."""
    if op == "eq":
        ok, scalar = _scalar(r, arg, path)
        return ((scalar,), {}) if ok else None
    if op == "one_of":
        values = _scalars(r, arg, path)
        return None if values is None else ((values,), {})
    if op in ("gt", "gte", "lt", "lte"):
        number = r.number(arg, path)
        return None if number is None else ((number,), {})
    if op == "between":
        if not isinstance(arg, list | tuple) or len(arg) != 2:
            r.error(path, f"between needs [low, high], got {describe(arg)}")
            return None
        low, high = r.number(arg[0], at(path, 0)), r.number(arg[1], at(path, 1))
        if low is None or high is None:
            return None
        if low > high:
            r.error(path, f"between: low {low!r} is above high {high!r}", "write [low, high]")
            return None
        return (low, high), {}
    if op in _TEXT_OPS:
        parsed = _text_arg(r, arg, path)
        return None if parsed is None else ((parsed[0],), {"case_sensitive": parsed[1]})
    present = r.boolean(arg, path)  # exists
    return None if present is None else ((present,), {})


def read_matcher(r: Reader, value: object, path: str, field: str | None = None) -> Matcher | None:
    """A matcher from data, or ``None`` after recording why not."""
    op: str
    arg: object
    if isinstance(value, list | tuple):
        if any(isinstance(v, Mapping) for v in value) and did_you_mean(field, COMBINATORS):
            r.error(path, f"{field!r} is read as a field name, and a list of tables is not a "
                    "matcher", did_you_mean(field, COMBINATORS))
            return None
        op, arg = "one_of", value
    elif isinstance(value, Mapping):
        if len(value) != 1:
            shown = ", ".join(repr(k) for k in value) or "none"
            r.error(path, f"a matcher table holds exactly one operator, got {shown}",
                    "combine conditions with all = [...], or use between = [low, high]")
            return None
        ((op, arg),) = value.items()
        if op not in MATCHERS:
            hint = did_you_mean(op, MATCHERS)
            if hint is None and did_you_mean(field, COMBINATORS):
                r.error(path, f"{field!r} is read as a field name, and {op!r} is not an "
                        "operator", did_you_mean(field, COMBINATORS))
                return None
            r.error(path, f"unknown operator {op!r}", hint or one_of_hint(MATCHERS))
            return None
    else:
        op, arg = "eq", value
    args = _matcher_args(r, op, arg, child(path, op) if isinstance(value, Mapping) else path)
    if args is None:
        return None
    return _build(r, path, MATCHERS[op], *args[0], **args[1])


def _build(
    r: Reader, path: str, factory: Callable[..., Matcher], *args: Any, **kwargs: Any
) -> Matcher | None:
    try:
        return factory(*args, **kwargs)
    except InvalidModelError as exc:  # pragma: no cover - arguments are checked first
        r.absorb(exc, path)
        return None


def _too_deep(r: Reader, path: str, level: int) -> bool:
    """Record that the combinator at ``path`` nests too deep, if it does."""
    if level <= MAX_CONDITION_DEPTH:
        return False
    r.error(path, f"conditions nest at most {MAX_CONDITION_DEPTH} combinators (all, any, not, "
            "or a table of several fields) deep",
            "flatten the condition: an all of alls is one all, a not of a not is the condition")
    return True


def _conditions(
    r: Reader, value: object, path: str, key: str, level: int
) -> list[Condition] | None:
    if not isinstance(value, list | tuple):
        r.error(path, f"{key} needs a list of conditions, got {describe(value)}")
        return None
    if key == "any" and not value:
        r.error(path, "any needs at least one condition, got an empty list")
        return None
    out = [read_condition(r, item, at(path, i), level=level) for i, item in enumerate(value)]
    return None if any(c is None for c in out) else [c for c in out if c is not None]


def _combinator(r: Reader, key: str, value: object, path: str, level: int) -> Condition | None:
    """The combinator ``key`` at nesting ``level`` (1 for a rule's condition itself)."""
    if _too_deep(r, path, level):
        return None
    if key == "not":
        inner = read_condition(r, value, path, level=level + 1)
        return None if inner is None else Not(inner)
    parts = _conditions(r, value, path, key, level + 1)
    if parts is None:
        return None
    return All(*parts) if key == "all" else AnyOf(*parts)


def _explicit_field(r: Reader, table: Mapping[str, object], path: str) -> Field | None:
    """``{ field = NAME, match = MATCHER }``."""
    form = "a table with a 'field' key is one field: { field = NAME, match = MATCHER }"
    for key in table:
        if key not in ("field", "match"):
            r.error(child(path, str(key)), f"unknown key {key!r}", form)
    if "match" not in table:
        r.error(path, "missing required key 'match'", form)
    name = r.text(table["field"], child(path, "field"), blank=True)
    matcher = None
    if "match" in table:
        matcher = read_matcher(r, table["match"], child(path, "match"))
    if name is None or matcher is None or len(table) != 2:
        return None
    return Field(name, matcher)


def read_condition(r: Reader, value: object, path: str, *, level: int = 1) -> Condition | None:
    """A condition from data, or ``None`` after recording every problem in it.

    ``level`` is how deep a combinator read here nests (1 at the top); a condition nesting
    more than :data:`~leadscoring.core.limits.MAX_CONDITION_DEPTH` deep is refused before
    it is read further."""
    table = r.table(value, path, "a condition")
    if table is None:
        return None
    if "field" in table:
        return _explicit_field(r, table, path)
    if len(table) == 1:
        ((key, inner),) = table.items()
        if key in COMBINATORS:
            return _combinator(r, key, inner, child(path, key), level)
    if _too_deep(r, path, level):
        return None
    parts: list[Condition | None] = []
    for key, inner in table.items():
        if not isinstance(key, str) or not key:
            r.error(path, f"field names must be non-empty text, got {describe(key)}")
            parts.append(None)
        elif key in COMBINATORS:
            parts.append(_combinator(r, key, inner, child(path, key), level + 1))
        else:
            matcher = read_matcher(r, inner, child(path, key), key)
            parts.append(None if matcher is None else Field(key, matcher))
    if any(p is None for p in parts):
        return None
    return All(*(p for p in parts if p is not None))
