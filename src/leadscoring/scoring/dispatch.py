"""Which rules can match an event: an index by event type, then by one property.

Most rules pin the event type and one property (``type="page_view", category="pricing"``),
so instead of asking every rule's condition, :class:`Dispatch` looks the event's type up,
then the value of the property most rules of that type pin, and returns the few rules
that can still match, each with the *residual* of its condition: what is left once the
known type and property value are substituted (``None`` when nothing is left to check).

The residuals come from :func:`specialise`, a partial evaluation that runs each matcher on
the known value, so the answer is the one the full condition gives, by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeAlias

import attrs

from ..core.conditions import All, AnyOf, Condition, Field, Not, compile_condition, pinned

if TYPE_CHECKING:
    from ..core.event import Event
    from .compiled import CompiledRule

__all__ = ["Candidates", "Dispatch", "pinned", "specialise"]

Candidates: TypeAlias = "tuple[tuple[CompiledRule, Callable[[Event], bool] | None], ...]"
"""Rules that may match, in model order, each with its residual test (``None``: matches)."""

_UNINDEXED = frozenset({"type", "id"})


def specialise(condition: Condition, known: Mapping[str, object]) -> Condition | bool:
    """``condition`` with the fields in ``known`` replaced by their outcome.

    Returns ``True`` or ``False`` when the known values decide it, else the smaller
    condition that is left.

    >>> from leadscoring.core.conditions import when
    >>> specialise(when(type="page_view", duration_s=60), {"type": "page_view"})
    Field('duration_s', eq(60))
    """
    if isinstance(condition, Field):
        if condition.name in known:
            return bool(condition.matcher.compile()(known[condition.name]))
        return condition
    if isinstance(condition, Not):
        inner = specialise(condition.condition, known)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    is_all = isinstance(condition, All)
    parts: list[Condition] = []
    for part in condition.conditions:
        value = specialise(part, known)
        if isinstance(value, bool):
            if value is not is_all:  # False inside All, True inside AnyOf: decided
                return value
            continue
        parts.append(value)
    if not parts:
        return is_all
    if len(parts) == 1:
        return parts[0]
    return All(*parts) if is_all else AnyOf(*parts)


def _field_names(condition: Condition) -> set[str]:
    if isinstance(condition, Field):
        return {condition.name}
    if isinstance(condition, Not):
        return _field_names(condition.condition)
    return set().union(*(_field_names(c) for c in condition.conditions))


def _event_field(name: str) -> Callable[[Event], object]:
    from ..core.conditions import event_getter

    return event_getter(name)


def _candidate(
    rule: CompiledRule, residual: Condition | bool
) -> tuple[CompiledRule, Callable[[Event], bool] | None] | None:
    if residual is False:
        return None
    if residual is True:
        return (rule, None)
    return (rule, compile_condition(residual, _event_field))


@attrs.frozen
class _Bucket:
    """The rules of one event type: indexed by the value of ``key`` when there is one."""

    key: str | None
    table: dict[str, Candidates]
    rest: Candidates


def _bucket(event_type: str, rules: Iterable[tuple[CompiledRule, Condition]]) -> _Bucket:
    specs: list[tuple[CompiledRule, Condition | bool]] = [
        (rule, specialise(when, {"type": event_type})) for rule, when in rules
    ]
    specs = [(rule, spec) for rule, spec in specs if spec is not False]
    pins: dict[str, int] = {}
    for _, spec in specs:
        if isinstance(spec, bool):
            continue
        for name in _field_names(spec) - _UNINDEXED:
            if pinned(spec, name) is not None:
                pins[name] = pins.get(name, 0) + 1
    if not pins:
        rest = tuple(c for rule, spec in specs if (c := _candidate(rule, spec)) is not None)
        return _Bucket(None, {}, rest)
    key = min(pins, key=lambda name: (-pins[name], name))
    values: set[str] = set()
    for _, spec in specs:
        if not isinstance(spec, bool):
            values |= pinned(spec, key) or set()
    table: dict[str, Candidates] = {}
    for value in sorted(values):
        entries = []
        for rule, spec in specs:
            residual = spec if isinstance(spec, bool) else specialise(spec, {key: value})
            if (c := _candidate(rule, residual)) is not None:
                entries.append(c)
        table[value] = tuple(entries)
    rest = tuple(
        c
        for rule, spec in specs
        if isinstance(spec, bool) or pinned(spec, key) is None
        if (c := _candidate(rule, spec)) is not None
    )
    return _Bucket(key, table, rest)


@attrs.frozen
class Dispatch:
    """Event -> the rules that may match it, with residual tests, in model order."""

    buckets: dict[str, _Bucket]
    any_type: Candidates

    @classmethod
    def build(
        cls,
        by_type: Mapping[str, Iterable[CompiledRule]],
        any_type: Iterable[CompiledRule],
        conditions: Mapping[int, Condition],
    ) -> Dispatch:
        """Index ``by_type`` (rules per event type) and ``any_type`` (rules of every type).

        ``conditions`` maps a rule's index to its ``when``.
        """
        buckets = {
            t: _bucket(t, ((r, conditions[r.index]) for r in rules)) for t, rules in by_type.items()
        }
        rest = tuple(
            c for r in any_type if (c := _candidate(r, conditions[r.index])) is not None
        )
        return cls(buckets, rest)

    def candidates(self, event: Event) -> Candidates:
        """The rules that may match ``event``, each with the test left to run (or ``None``)."""
        bucket = self.buckets.get(event.type)
        if bucket is None:
            return self.any_type
        if bucket.key is None:
            return bucket.rest
        return bucket.table.get(event.properties.get(bucket.key), bucket.rest)  # type: ignore[arg-type]
