"""The scoring model: a named, versioned set of rules with its defaults and caps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

import attrs

from ..core.checks import expect
from ..core.conditions import Condition, Field, Not
from ..core.decay import Decay, HalfLife, Linear, NoDecay, Steps, Window
from ..core.display import fmt, html_block, html_table
from ..core.errors import ErrorDetail, InvalidModelError
from ..core.limits import is_finite
from ..core.mapping import FrozenMap
from ..core.rules import AttributeRule, EventRule, RateRule, ReactivationRule, RepeatRule, Rule
from ..core.times import format_duration
from ..signals.dormancy import DormancyPolicy
from ..signals.journey import JourneyClassifier
from ..stages.accounts import AccountPolicy
from ..stages.classifiers import GradeScale, PriorityGrid, TemperatureClassifier
from ..stages.playbook import Playbook

__all__ = ["ScoringModel", "check_model"]


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidModelError("expected a list of rules", path="$.rules")
    return tuple(value)


def _caps(value: Mapping[str, float] | None) -> FrozenMap[str, float]:
    if value is not None and not isinstance(value, Mapping):
        raise InvalidModelError("expected a mapping of group name to cap", path="$.group_caps")
    return FrozenMap(value or {})


def _stage_problems(model: ScoringModel) -> Iterable[ErrorDetail]:
    """The stage settings (``assess`` uses them) must be values of their classes."""
    expected: tuple[tuple[str, object, type], ...] = (
        ("temperature", model.temperature, TemperatureClassifier),
        ("journey", model.journey, JourneyClassifier),
        ("grades", model.grades, GradeScale),
        ("priority", model.priority, PriorityGrid),
        ("playbook", model.playbook, Playbook),
        ("accounts", model.accounts, AccountPolicy),
    )
    for name, value, cls in expected:
        if not isinstance(value, cls):
            yield ErrorDetail(
                path=f"$.{name}", message=f"expected a {cls.__name__}, got {value!r:.60}"
            )


def _number_or_none(value: object) -> bool:
    if value is None:
        return True
    return is_finite(value)


@attrs.frozen(kw_only=True)
class ScoringModel:
    """How a company scores leads: rules, a default decay, caps and the dormancy policy.

    ``fit`` is the sum of attribute rules, ``engagement`` the sum of the others, after rule
    caps and ``group_caps``; the total is clamped to ``floor`` and ``ceiling``.

    Every problem in the arguments is collected and raised together as
    :class:`~leadscoring.InvalidModelError`.
    """

    name: str
    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    default_decay: Decay = attrs.field(factory=NoDecay)
    group_caps: Mapping[str, float] = attrs.field(factory=FrozenMap, converter=_caps)
    floor: float | None = None
    ceiling: float | None = None
    version: int = 1
    dormancy: DormancyPolicy = attrs.field(factory=DormancyPolicy)
    temperature: TemperatureClassifier = attrs.field(factory=TemperatureClassifier)
    journey: JourneyClassifier = attrs.field(factory=JourneyClassifier)
    grades: GradeScale = attrs.field(factory=GradeScale)
    priority: PriorityGrid = attrs.field(factory=PriorityGrid)
    playbook: Playbook = attrs.field(factory=Playbook)
    accounts: AccountPolicy = attrs.field(factory=AccountPolicy)

    def __attrs_post_init__(self) -> None:
        errors = list(self._problems())
        if errors:
            raise InvalidModelError(errors)

    def _problems(self) -> Iterable[ErrorDetail]:
        if not isinstance(self.name, str) or not self.name.strip():
            yield ErrorDetail(
                path="$.name", message=f"must be a non-empty string, got {self.name!r}"
            )
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            yield ErrorDetail(
                path="$.version", message=f"must be a whole number >= 1, got {self.version!r}"
            )
        if not isinstance(self.default_decay, NoDecay | HalfLife | Linear | Window | Steps):
            yield ErrorDetail(
                path="$.default_decay", message=f"expected a decay, got {self.default_decay!r}"
            )
        if not isinstance(self.dormancy, DormancyPolicy):
            yield ErrorDetail(
                path="$.dormancy", message=f"expected a DormancyPolicy, got {self.dormancy!r}"
            )
        yield from _stage_problems(self)
        for bound in ("floor", "ceiling"):
            if not _number_or_none(getattr(self, bound)):
                yield ErrorDetail(
                    path=f"$.{bound}",
                    message=f"must be a finite number or absent, got {getattr(self, bound)!r}",
                )
        if (
            _number_or_none(self.floor)
            and _number_or_none(self.ceiling)
            and self.floor is not None
            and self.ceiling is not None
            and self.floor > self.ceiling
        ):
            yield ErrorDetail(
                path="$.ceiling", message=f"ceiling {self.ceiling!r} is below floor {self.floor!r}"
            )
        for group, cap in self.group_caps.items():
            if not isinstance(group, str) or not group:
                yield ErrorDetail(
                    path="$.group_caps",
                    message=f"group names must be non-empty strings, got {group!r}",
                )
            elif not _number_or_none(cap) or cap is None or cap < 0:
                yield ErrorDetail(
                    path=f"$.group_caps.{group}",
                    message=f"must be a finite number >= 0, got {cap!r}",
                )
        yield from self._rule_problems()

    def _rule_problems(self) -> Iterable[ErrorDetail]:
        seen: dict[str, int] = {}
        fit_groups: dict[str, int] = {}
        other_groups: dict[str, int] = {}
        for i, rule in enumerate(self.rules):
            path = f"$.rules[{i}]"
            if not isinstance(
                rule, EventRule | RepeatRule | RateRule | AttributeRule | ReactivationRule
            ):
                yield ErrorDetail(path=path, message=f"expected a rule, got {type(rule).__name__}")
                continue
            if rule.name in seen:
                yield ErrorDetail(
                    path=f"{path}.name",
                    message=f"duplicate rule name {rule.name!r}",
                    hint=f"already used by $.rules[{seen[rule.name]}]; names must be unique",
                )
            else:
                seen[rule.name] = i
            kind = fit_groups if isinstance(rule, AttributeRule) else other_groups
            kind.setdefault(rule.group, i)
        for group, i in fit_groups.items():
            if group in other_groups:
                j = max(i, other_groups[group])
                yield ErrorDetail(
                    path=f"$.rules[{j}].group",
                    message=f"group {group!r} mixes attribute rules with event rules",
                    hint="fit and engagement groups must be distinct",
                )

    @cached_property
    def _cache(self) -> dict[str, Any]:
        """What the layers above derive from the model once and reuse (its compiled
        form): kept with the model, so it lives exactly as long as the model does."""
        return {}

    @property
    def fit_groups(self) -> frozenset[str]:
        """Groups that hold attribute rules (their sum is ``fit``)."""
        return frozenset(r.group for r in self.rules if isinstance(r, AttributeRule))

    @property
    def groups(self) -> tuple[str, ...]:
        """Every group named by a rule, in first-use order."""
        return tuple(dict.fromkeys(r.group for r in self.rules))

    def __repr__(self) -> str:
        """A one-line summary; ``to_dict()`` (or :func:`~leadscoring.dump_model`) has it all."""
        groups = ", ".join(self.groups)
        return (
            f"ScoringModel(name={self.name!r}, version={self.version}, "
            f"{len(self.rules)} rule(s), groups=[{groups}], "
            f"default_decay={self.default_decay!r})"
        )

    def _repr_html_(self) -> str:
        """The model's rules as an HTML table: kind, group, condition, points, decay, cap."""
        rows = []
        for rule in self.rules:
            when = getattr(rule, "when", None)
            decay = getattr(rule, "decay", None)
            if isinstance(rule, RateRule):
                what = (f"{rule.numerator.describe()} per {rule.denominator.describe()}: "
                        f"at least {rule.at_least:.0%} of {rule.min_denominator}+ within "
                        f"{format_duration(rule.within)}")
            else:
                what = when.describe() if when is not None else "(a reactivation)"
            rows.append((
                rule.name, type(rule).__name__, rule.group, what,
                fmt(rule.points),
                "" if isinstance(rule, AttributeRule) else repr(decay or self.default_decay),
                fmt(getattr(rule, "cap", None)),
            ))
        table = html_table(("rule", "kind", "group", "when", "points", "decay", "cap"), rows,
                           numeric=(4, 6))
        lines = []
        if self.group_caps:
            lines.append("group caps: " + ", ".join(
                f"{g} {fmt(c)}" for g, c in self.group_caps.items()))
        if self.floor is not None or self.ceiling is not None:
            lines.append(f"total clamped to [{fmt(self.floor)}, {fmt(self.ceiling)}]")
        return html_block(f"{self.name} v{self.version}: {len(self.rules)} rules", lines, [table])

    def fields_read(self) -> tuple[frozenset[str], frozenset[str]]:
        """The (lead attribute, event property) names the rules' conditions read.

        ``status`` (a lead's) and ``type`` and ``id`` (an event's) are not counted: they
        are fields of the values, not attributes or properties.

        >>> from leadscoring import AttributeRule, EventRule, gte, when
        >>> ScoringModel(name="m", rules=[
        ...     AttributeRule(name="it", when=when(industry="it"), points=5),
        ...     EventRule(name="long", when=when(type="page_view", duration_s=gte(60)),
        ...               points=3)]).fields_read()
        (frozenset({'industry'}), frozenset({'duration_s'}))
        """
        return self._fields(numeric=False)

    def numeric_fields(self) -> tuple[frozenset[str], frozenset[str]]:
        """The (lead attribute, event property) names the rules compare to numbers
        (``gte(60)``, ``eq(3)``): the loaders given ``model=`` read such text cells
        (``"95"``) as numbers, as the command line does."""
        return self._fields(numeric=True)

    def _fields(self, *, numeric: bool) -> tuple[frozenset[str], frozenset[str]]:
        lead: set[str] = set()
        event: set[str] = set()
        for rule in self.rules:
            if isinstance(rule, AttributeRule):
                _walk(rule.when, lead, numeric)
            elif isinstance(rule, EventRule | RepeatRule):
                _walk(rule.when, event, numeric)
            elif isinstance(rule, RateRule):
                _walk(rule.numerator, event, numeric)
                _walk(rule.denominator, event, numeric)
        return frozenset(lead - {"status"}), frozenset(event - {"type", "id"})

    def rule(self, name: str) -> Rule:
        """The rule called ``name`` (``KeyError`` if there is none)."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the model file format (see :mod:`leadscoring.model.config`)."""
        from .config import model_to_dict

        return model_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoringModel:
        """Build a model from plain data, collecting every problem (see :mod:`.config`)."""
        from .config import model_from_dict

        return model_from_dict(data)


_NUMERIC_OPS = frozenset({"gt", "gte", "lt", "lte", "between"})


def _walk(condition: Condition, found: set[str], numeric: bool) -> None:
    """Add the field names ``condition`` reads (only those compared to numbers when
    ``numeric``) to ``found``."""
    if isinstance(condition, Field):
        m = condition.matcher
        if not numeric:
            found.add(condition.name)
            return
        values = m.to_data() if m.op in ("eq", "one_of") else None
        numbers = values if isinstance(values, list) else [values]
        if m.op in _NUMERIC_OPS or any(
            isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
        ):
            found.add(condition.name)
    elif isinstance(condition, Not):
        _walk(condition.condition, found, numeric)
    else:
        for part in condition.conditions:
            _walk(part, found, numeric)


def check_model(value: object, field: str = "model") -> ScoringModel:
    """``value`` if it is a :class:`ScoringModel` (the check of :mod:`leadscoring.core.checks`)."""
    return expect(value, ScoringModel, field)
