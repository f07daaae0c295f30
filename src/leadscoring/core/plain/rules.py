"""Decays, limits and rules as plain data, both ways (internal; see ``docs/model-format.md``).

- a decay is ``"none"``, ``{ half_life = "30d" }`` (or a number of days),
  ``{ linear = "90d" }``, ``{ window = "P3M" }`` or ``{ steps = [["7d", 1.0], ...] }``;
- a limit is ``{ count = 1, per = "1d" }`` or ``{ count = 3 }``;
- a rule is a table with a ``kind`` (``event``, ``repeat``, ``rate``, ``attribute``,
  ``reactivation``) and that kind's keys; keys at their default are left out when writing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..decay import Decay, HalfLife, Linear, NoDecay, Steps, Window
from ..errors import InvalidModelError, InvalidValueError
from ..rules import (
    REACTIVATION_KINDS,
    AttributeRule,
    EventRule,
    Limit,
    RateRule,
    ReactivationRule,
    RepeatRule,
    Rule,
)
from ..times import parse_duration
from .conditions import condition_data, read_condition
from .reader import Reader, at, child, describe, did_you_mean, duration_text, one_of_hint, quoted

__all__ = [
    "DECAY_KINDS",
    "RULE_KEYS",
    "RULE_KINDS",
    "decay_data",
    "read_decay",
    "read_rule",
    "rule_data",
]

DECAY_KINDS = ("half_life", "linear", "window", "steps")
"""The keys of a decay table (besides the string ``"none"``)."""

RULE_KINDS: dict[str, type[Rule]] = {
    "event": EventRule,
    "repeat": RepeatRule,
    "rate": RateRule,
    "attribute": AttributeRule,
    "reactivation": ReactivationRule,
}
"""The rule kinds of the data form, and the class each one builds."""

RULE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "event": (("name", "kind", "when", "points"), ("decay", "cap", "limit", "group")),
    "repeat": (("name", "kind", "when", "times", "within", "points"), ("decay", "group")),
    "rate": (
        ("name", "kind", "numerator", "denominator", "within", "at_least", "points"),
        ("min_denominator", "decay", "group"),
    ),
    "attribute": (("name", "kind", "when", "points"), ("group",)),
    "reactivation": (("name", "kind", "points"), ("decay", "kinds", "group")),
}
"""Each kind's (required keys, optional keys). :func:`rule_data` writes them in this order,
but a rate rule's ``min_denominator``, written after ``at_least``."""

_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- writing


def _half_life_data(days: float) -> object:
    """``"30d"`` when that text reads back as exactly ``days``, else the number of days."""
    try:
        span = timedelta(days=days)
    except OverflowError:
        return days
    if span <= timedelta(0) or span / _DAY != days:
        return days
    text = duration_text(span)
    try:
        parse_duration(text)
    except InvalidValueError:  # e.g. longer than the parser accepts
        return days
    return text


def decay_data(decay: Decay) -> object:
    """A decay as data."""
    if isinstance(decay, HalfLife):
        return {"half_life": _half_life_data(decay.days)}
    if isinstance(decay, Linear):
        return {"linear": duration_text(decay.over)}
    if isinstance(decay, Window):
        return {"window": duration_text(decay.length)}
    if isinstance(decay, Steps):
        return {"steps": [[duration_text(age), weight] for age, weight in decay.steps]}
    return "none"


def _limit_data(limit: Limit) -> dict[str, Any]:
    out: dict[str, Any] = {"count": limit.count}
    if limit.per is not None:
        out["per"] = duration_text(limit.per)
    return out


def rule_data(rule: Rule) -> dict[str, Any]:
    """A rule as data; optional keys at their default are left out."""
    kind = next(k for k, cls in RULE_KINDS.items() if isinstance(rule, cls))
    out: dict[str, Any] = {"name": rule.name, "kind": kind}
    if isinstance(rule, RateRule):
        out["numerator"] = condition_data(rule.numerator)
        out["denominator"] = condition_data(rule.denominator)
        out["within"] = duration_text(rule.within)
        out["at_least"] = rule.at_least
        if rule.min_denominator != 1:
            out["min_denominator"] = rule.min_denominator
    elif not isinstance(rule, ReactivationRule):
        out["when"] = condition_data(rule.when)
    if isinstance(rule, RepeatRule):
        out["times"] = rule.times
        out["within"] = duration_text(rule.within)
    out["points"] = rule.points
    if not isinstance(rule, AttributeRule) and rule.decay is not None:
        out["decay"] = decay_data(rule.decay)
    if isinstance(rule, EventRule):
        if rule.cap is not None:
            out["cap"] = rule.cap
        if rule.limit is not None:
            out["limit"] = _limit_data(rule.limit)
    if isinstance(rule, ReactivationRule) and rule.kinds is not None:
        out["kinds"] = sorted(rule.kinds)
    if rule.group != _default_group(kind):
        out["group"] = rule.group
    return out


def _default_group(kind: str) -> str:
    return "fit" if kind == "attribute" else "engagement"


# --------------------------------------------------------------------------- reading


def _build(r: Reader, path: str, factory: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return factory(**kwargs)
    except (InvalidModelError, InvalidValueError) as exc:  # pragma: no cover - checked first
        r.absorb(exc, path)
        return None


def _half_life(r: Reader, value: object, path: str) -> HalfLife | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        days = r.number(value, path)
        if days is not None and days <= 0:
            r.error(path, f"a half-life must be positive, got {value!r}")
            return None
        if days is None:
            return None
        given: HalfLife | None = _build(r, path, HalfLife, days=days)
        return given
    span = r.fixed(value, path)
    if span is None:
        return None
    days = span / _DAY  # whole days as an int, so the repr reads HalfLife(days=30)
    whole = int(days) if days.is_integer() else days
    built: HalfLife | None = _build(r, path, HalfLife, days=whole)
    return built


def _steps(r: Reader, value: object, path: str) -> Steps | None:
    if not isinstance(value, list | tuple) or not value:
        r.error(path, f"steps needs a non-empty list of [age, weight] pairs, got {describe(value)}",
                'e.g. steps = [["7d", 1.0], ["30d", 0.5], ["90d", 0.0]]')
        return None
    steps: list[tuple[timedelta, float]] = []
    good = True
    for i, pair in enumerate(value):
        where = at(path, i)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            r.error(where, f"expected an [age, weight] pair, got {describe(pair)}")
            good = False
            continue
        age = r.fixed(pair[0], at(where, 0))
        weight = r.number(pair[1], at(where, 1), minimum=0)
        if weight is not None and weight > 1:
            r.error(at(where, 1), f"a weight is at most 1, got {weight!r}")
            weight = None
        if age is None or weight is None:
            good = False
            continue
        if steps and age <= steps[-1][0]:
            r.error(at(where, 0), "ages must increase from step to step",
                    f"{duration_text(age)} is not after {duration_text(steps[-1][0])}")
            good = False
        elif steps and weight > steps[-1][1]:
            r.error(at(where, 1), "weights must not increase with age",
                    f"{weight!r} is above the previous step's {steps[-1][1]!r}")
            good = False
        steps.append((age, float(weight)))
    return _build(r, path, Steps, steps=steps) if good else None


def read_decay(r: Reader, value: object, path: str) -> Decay | None:
    """A decay from data, or ``None`` after recording why not."""
    if isinstance(value, str):
        if value == "none":
            return NoDecay()
        hint = did_you_mean(value, ("none", *DECAY_KINDS))
        r.error(path, f"unknown decay {value!r}",
                hint or 'write "none" or a table such as { half_life = "30d" }')
        return None
    table = r.table(value, path, "a decay")
    if table is None:
        return None
    if not table:
        r.error(path, "a decay table is empty", one_of_hint(DECAY_KINDS))
        return None
    r.keys(table, path, allowed=DECAY_KINDS, what="decay kind")
    known = [k for k in table if k in DECAY_KINDS]
    if len(known) > 1:
        r.error(path, f"a decay holds exactly one of {', '.join(DECAY_KINDS)}, "
                f"got {', '.join(known)}")
    if len(known) != 1 or len(table) != 1:
        return None
    key, arg = known[0], table[known[0]]
    where = child(path, key)
    if key == "half_life":
        return _half_life(r, arg, where)
    if key == "linear":
        span = r.fixed(arg, where)
        return None if span is None else _build(r, where, Linear, over=span)
    if key == "window":
        length = r.duration(arg, where, calendar=True)
        return None if length is None else _build(r, where, Window, length=length)
    return _steps(r, arg, where)


def _limit(r: Reader, value: object, path: str) -> Limit | None:
    table = r.table(value, path, "a limit")
    if table is None:
        return None
    r.keys(table, path, allowed=("count", "per"), required=("count",))
    count = r.whole(table["count"], child(path, "count")) if "count" in table else None
    per = None
    if table.get("per") is not None:
        per = r.duration(table["per"], child(path, "per"), calendar=True)
        if per is None:
            return None
    if count is None or any(k not in ("count", "per") for k in table):
        return None
    limit: Limit | None = _build(r, path, Limit, count=count, per=per)
    return limit


def _kinds(r: Reader, value: object, path: str) -> frozenset[str] | None:
    known = sorted(REACTIVATION_KINDS)
    if not isinstance(value, list | tuple) or not value:
        r.error(path, f"expected a non-empty list of reactivation kinds, got {describe(value)}",
                "leave the key out for every kind; " + one_of_hint(known))
        return None
    good = True
    for i, kind in enumerate(value):
        if not isinstance(kind, str) or kind not in REACTIVATION_KINDS:
            hint = did_you_mean(kind, known) or one_of_hint(known)
            r.error(at(path, i), f"unknown reactivation kind {quoted(kind)}", hint)
            good = False
    return frozenset(value) if good else None


def _share(r: Reader, value: object, path: str) -> float | None:
    """A rate rule's ``at_least``: a number in ``(0, 1]``."""
    number = r.number(value, path)
    if number is not None and not 0 < number <= 1:
        r.error(path, f"must be a share in (0, 1], got {number!r}",
                "0.4 means 40%: the numerator events over the denominator events")
        return None
    return number


def _value(r: Reader, key: str, value: object, path: str) -> tuple[bool, object]:
    """Read one rule key; ``(ok, value)``."""
    result: object
    if key == "name" or key == "group":
        result = r.text(value, path)
    elif key == "when":
        result = read_condition(r, value, path)
    elif key in ("numerator", "denominator"):
        # one level less: the scorer matches the two sides together, as AnyOf(num, den)
        result = read_condition(r, value, path, level=2)
    elif key == "points":
        result = r.points(value, path)
    elif key == "cap":
        result = r.cap(value, path)
    elif key == "times" or key == "min_denominator":
        result = r.whole(value, path)
    elif key == "at_least":
        result = _share(r, value, path)
    elif key == "within":
        result = r.fixed(value, path)
    elif key == "decay":
        result = read_decay(r, value, path)
    elif key == "limit":
        result = _limit(r, value, path)
    else:  # kinds
        result = _kinds(r, value, path)
    return result is not None, result


def _elsewhere(kind: str) -> dict[str, str]:
    """Hints for keys that other rule kinds take."""
    mine = set(RULE_KEYS[kind][0]) | set(RULE_KEYS[kind][1])
    takers: dict[str, list[str]] = {}
    for other, (required, optional) in RULE_KEYS.items():
        for key in (*required, *optional):
            if key not in mine:
                takers.setdefault(key, []).append(other)
    out: dict[str, str] = {}
    for key, kinds in takers.items():
        names = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"
        out[key] = f"only {names} rules take {key!r}"
    return out


def read_rule(r: Reader, value: object, path: str) -> Rule | None:
    """A rule from data, or ``None`` after recording every problem in it."""
    table = r.table(value, path, "a rule")
    if table is None:
        return None
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        if "kind" not in table:
            r.error(path, "missing required key 'kind'", one_of_hint(RULE_KINDS))
        else:
            hint = did_you_mean(kind, RULE_KINDS) or one_of_hint(RULE_KINDS)
            r.error(child(path, "kind"), f"unknown rule kind {quoted(kind)}", hint)
        if "name" in table:
            r.text(table["name"], child(path, "name"))
        return None
    required, optional = RULE_KEYS[kind]
    allowed = (*required, *optional)
    r.keys(table, path, allowed=allowed, required=required, elsewhere=_elsewhere(kind))
    values: dict[str, object] = {}
    good = all(key in allowed for key in table) and all(key in table for key in required)
    for key in allowed:
        if key == "kind" or key not in table:
            continue
        if key in optional and table[key] is None:
            continue  # null (JSON) means "the default", as leaving the key out does
        ok, result = _value(r, key, table[key], child(path, key))
        good = good and ok
        values[key] = result
    if not good:
        return None
    rule: Rule | None = _build(r, path, RULE_KINDS[kind], **values)
    return rule
