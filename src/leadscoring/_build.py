"""Result values built by the engine without running their converters again.

:class:`~leadscoring.Contribution` and :class:`~leadscoring.LeadScore` are frozen attrs
classes whose ``__init__`` converts and checks what it is given. The scoring loops make
about one contribution per counted event, from values they built themselves (floats,
UTC datetimes, rule names, frozen maps), so they fill the slots directly: the object is
the same, equal to one made through ``__init__``, at less than half the cost.

If a class ever gains a field these builders do not know, they fall back to ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ._mapping import FrozenMap
from .results import Contribution, LeadScore

__all__ = ["contribution", "lead_score"]

_new = object.__new__

_CONTRIBUTION = ("rule", "group", "event_id", "event_at", "base_points", "weight", "points", "note")
_LEAD_SCORE = (
    "lead_id", "as_of", "total", "fit", "engagement", "by_group", "by_rule", "contributions",
)  # fmt: skip


def _setters(cls: type, names: tuple[str, ...]) -> list[Callable[[Any, Any], None]] | None:
    if tuple(f.name for f in attrs.fields(cls)) != names:
        return None
    return [getattr(cls, name).__set__ for name in names]


def _contribution_builder() -> Callable[..., Contribution]:
    setters = _setters(Contribution, _CONTRIBUTION)
    if setters is None:  # pragma: no cover - only if Contribution changes shape
        return lambda *values: Contribution(**dict(zip(_CONTRIBUTION, values, strict=True)))
    s_rule, s_group, s_id, s_at, s_base, s_weight, s_points, s_note = setters

    def build(
        rule: str,
        group: str,
        event_id: str | None,
        event_at: datetime | None,
        base_points: float,
        weight: float,
        points: float,
        note: str | None,
    ) -> Contribution:
        c = _new(Contribution)
        s_rule(c, rule)
        s_group(c, group)
        s_id(c, event_id)
        s_at(c, event_at)
        s_base(c, base_points)
        s_weight(c, weight)
        s_points(c, points)
        s_note(c, note)
        return c

    return build


def _lead_score_builder() -> Callable[..., LeadScore]:
    setters = _setters(LeadScore, _LEAD_SCORE)
    if setters is None:  # pragma: no cover - only if LeadScore changes shape
        return lambda *values: LeadScore(**dict(zip(_LEAD_SCORE, values, strict=True)))
    s_id, s_as_of, s_total, s_fit, s_engagement, s_groups, s_rules, s_contributions = setters

    def build(
        lead_id: str,
        as_of: datetime,
        total: float,
        fit: float,
        engagement: float,
        by_group: FrozenMap[str, float],
        by_rule: FrozenMap[str, float],
        contributions: tuple[Contribution, ...],
    ) -> LeadScore:
        s = _new(LeadScore)
        s_id(s, lead_id)
        s_as_of(s, as_of)
        s_total(s, total)
        s_fit(s, fit)
        s_engagement(s, engagement)
        s_groups(s, by_group)
        s_rules(s, by_rule)
        s_contributions(s, contributions)
        return s

    return build


contribution: Callable[..., Contribution] = _contribution_builder()
"""``contribution(rule, group, event_id, event_at, base_points, weight, points, note)``."""

lead_score: Callable[..., LeadScore] = _lead_score_builder()
"""``lead_score(lead_id, as_of, total, fit, engagement, by_group, by_rule, contributions)``,
the two mappings already :class:`FrozenMap` s and ``contributions`` a tuple."""
