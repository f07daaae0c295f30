"""A model compiled for scoring: rules indexed by event type, conditions as closures.

Built once per model (:func:`compile_model`) and shared by :func:`~leadscoring.score`,
:class:`~leadscoring.Scorer` and the columnar path, so they agree by construction.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import attrs

from ..core.conditions import (
    AnyOf,
    Condition,
    compile_condition,
    condition_types,
    event_getter,
    lead_getter,
)
from ..core.decay import Decay, Weigher
from ..core.event import Event
from ..core.lead import Lead
from ..core.rules import AttributeRule, EventRule, RateRule, ReactivationRule, RepeatRule, Rule
from ..core.times import Duration
from ..model.scoring_model import ScoringModel
from .dispatch import Dispatch

__all__ = [
    "CompiledModel",
    "CompiledRule",
    "RuleKind",
    "compile_model",
    "event_condition",
]

class RuleKind(enum.Enum):
    """How a compiled rule is evaluated."""

    EVENT = "event"
    REPEAT = "repeat"
    RATE = "rate"
    ATTRIBUTE = "attribute"
    REACTIVATION = "reactivation"


def _always(_: object) -> bool:
    return True


def event_condition(rule: Rule) -> Condition | None:
    """The condition an event must meet to concern ``rule``: its ``when``, either side of
    a rate rule, ``None`` for attribute and reactivation rules."""
    if isinstance(rule, EventRule | RepeatRule):
        return rule.when
    if isinstance(rule, RateRule):
        return AnyOf(rule.numerator, rule.denominator)
    return None


@attrs.frozen(kw_only=True)
class CompiledRule:
    """One rule, ready to evaluate: its index in the model, closures and resolved decay.

    A rate rule has ``within``, ``at_least``, ``min_denominator`` and its two sides'
    tests, ``match_numerator`` and ``match_denominator``."""

    index: int
    name: str
    group: str
    kind: RuleKind
    points: float
    decay: Decay
    match_lead: Callable[[Lead], bool] = _always
    cap: float | None = None
    limit_count: int | None = None
    limit_per: Duration | None = None
    times: int = 1
    within: timedelta | None = None
    kinds: frozenset[str] | None = None
    at_least: float = 1.0
    min_denominator: int = 1
    match_numerator: Callable[[Event], bool] = _always
    match_denominator: Callable[[Event], bool] = _always


@attrs.frozen(kw_only=True)
class CompiledModel:
    """The compiled form of a :class:`~leadscoring.ScoringModel`."""

    model: ScoringModel
    rules: tuple[CompiledRule, ...]
    attribute_rules: tuple[CompiledRule, ...]
    reactivation_rules: tuple[CompiledRule, ...]
    group_caps: dict[str, float]
    fit_groups: frozenset[str]
    groups: tuple[str, ...]
    dispatch: Dispatch
    _weighers: dict[datetime, tuple[Weigher, ...]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    @classmethod
    def build(cls, model: ScoringModel) -> CompiledModel:
        """Compile ``model``."""
        compiled: list[CompiledRule] = []
        typed: dict[str, list[CompiledRule]] = {}
        any_type: list[CompiledRule] = []
        conditions: dict[int, Condition] = {}
        for i, rule in enumerate(model.rules):
            if isinstance(rule, AttributeRule):
                compiled.append(
                    CompiledRule(
                        index=i,
                        name=rule.name,
                        group=rule.group,
                        kind=RuleKind.ATTRIBUTE,
                        points=float(rule.points),
                        decay=model.default_decay,
                        match_lead=compile_condition(rule.when, lead_getter),
                    )
                )
                continue
            decay = rule.decay if rule.decay is not None else model.default_decay
            if isinstance(rule, ReactivationRule):
                compiled.append(
                    CompiledRule(
                        index=i,
                        name=rule.name,
                        group=rule.group,
                        kind=RuleKind.REACTIVATION,
                        points=float(rule.points),
                        decay=decay,
                        kinds=rule.kinds,
                    )
                )
                continue
            if isinstance(rule, EventRule):
                cr = CompiledRule(
                    index=i,
                    name=rule.name,
                    group=rule.group,
                    kind=RuleKind.EVENT,
                    points=float(rule.points),
                    decay=decay,
                    cap=None if rule.cap is None else float(rule.cap),
                    limit_count=rule.limit.count if rule.limit else None,
                    limit_per=rule.limit.per if rule.limit else None,
                )
            elif isinstance(rule, RateRule):
                cr = CompiledRule(
                    index=i,
                    name=rule.name,
                    group=rule.group,
                    kind=RuleKind.RATE,
                    points=float(rule.points),
                    decay=decay,
                    within=rule.within,
                    at_least=float(rule.at_least),
                    min_denominator=rule.min_denominator,
                    match_numerator=compile_condition(rule.numerator, event_getter),
                    match_denominator=compile_condition(rule.denominator, event_getter),
                )
            else:
                repeat: RepeatRule = rule
                cr = CompiledRule(
                    index=i,
                    name=rule.name,
                    group=rule.group,
                    kind=RuleKind.REPEAT,
                    points=float(rule.points),
                    decay=decay,
                    times=repeat.times,
                    within=repeat.within,
                )
            compiled.append(cr)
            condition = event_condition(rule)
            if condition is None:  # pragma: no cover - only event, repeat and rate rules get here
                continue
            conditions[i] = condition
            types = condition_types(condition)
            if types is None:
                any_type.append(cr)
            else:
                for t in types:
                    typed.setdefault(t, []).append(cr)
        by_type = {
            t: tuple(sorted([*rules, *any_type], key=lambda r: r.index))
            for t, rules in typed.items()
        }
        return cls(
            model=model,
            rules=tuple(compiled),
            attribute_rules=tuple(r for r in compiled if r.kind is RuleKind.ATTRIBUTE),
            reactivation_rules=tuple(r for r in compiled if r.kind is RuleKind.REACTIVATION),
            group_caps={g: float(c) for g, c in model.group_caps.items()},
            fit_groups=model.fit_groups,
            groups=model.groups,
            dispatch=Dispatch.build(by_type, any_type, conditions),
        )

    def weighers(self, as_of: datetime) -> tuple[Weigher, ...]:
        """Each rule's decay ``weigher`` at ``as_of``, by rule index (kept for one ``as_of``)."""
        found = self._weighers.get(as_of)
        if found is None:
            found = tuple(cr.decay.weigher(as_of) for cr in self.rules)
            self._weighers.clear()  # one entry: score_all and timeline reuse it lead after lead
            self._weighers[as_of] = found
        return found


def compile_model(model: ScoringModel) -> CompiledModel:
    """``model`` compiled, built on first use and kept with the model for every later call."""
    cache = model._cache
    found = cache.get("compiled")
    if found is None:
        found = cache.setdefault("compiled", CompiledModel.build(model))
    return cast(CompiledModel, found)
