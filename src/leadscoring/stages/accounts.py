"""How an account (a company, a buying group) is scored from its members: the
:class:`AccountPolicy`, the ``[accounts]`` section of a model file.

B2B buys as a group of people. Each member is scored as a lead of their own (caps and
limits stay per person); the policy says how the account's score is made from theirs:

- ``"best_fit_plus_engagement"`` (the default): the best member fit plus the members'
  summed engagement (capped by ``engagement_cap``): one well-fitting person and a busy
  team make a hot account;
- ``"sum"``: the members' totals added up;
- ``"max"``: the best member's total;
- ``"top_k_mean"``: the mean of the ``top_k`` best totals (of all members when fewer).

Each member weighs ``role_weights[role]`` (the role read from the lead attribute
``role_attribute``; a role not listed, or no role, weighs 1) in the engagement and totals
above. The roles listed make the buying group: ``role_coverage`` is the share of their
weight held by *engaged* members (engagement above 0), ``missing_roles`` the roles no
engaged member holds. With fewer than ``min_engaged`` engaged members an account is cold
whatever its score. ``temperature`` and ``priority`` default to the model's own.

>>> AccountPolicy(score="top_k_mean", top_k=2).weight("champion")
1.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..core.errors import ErrorDetail, InvalidModelError
from ..core.mapping import FrozenMap
from ..core.plain.forms import convert_table, number, raise_if, table
from .classifiers import PriorityGrid, TemperatureClassifier

__all__ = ["ACCOUNT_SCORES", "DEFAULT_ROLES", "AccountPolicy"]

ACCOUNT_SCORES = ("best_fit_plus_engagement", "sum", "max", "top_k_mean")
"""The ways an account's score is made from its members' scores."""

DEFAULT_ROLES: Mapping[str, float] = FrozenMap(
    {"decision_maker": 1.0, "champion": 1.0, "influencer": 1.0, "user": 1.0}
)
"""The buying-group roles of the default policy, each weighing 1."""


def _score(value: str) -> str:
    if value not in ACCOUNT_SCORES:
        known = ", ".join(repr(s) for s in ACCOUNT_SCORES)
        raise InvalidModelError(f"must be one of {known}, got {value!r}", path="score")
    return str(value)


def _whole(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidModelError(f"must be a whole number >= {minimum}, got {value!r}", path=name)
    return value


def _top_k(value: int) -> int:
    return _whole(value, "top_k", 1)


def _min_engaged(value: int) -> int:
    return _whole(value, "min_engaged", 0)


def _cap(value: float | None) -> float | None:
    if value is None:
        return None
    return float(number(value, "engagement_cap", minimum=0))


def _role_attribute(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidModelError(
            f"must be a non-empty attribute name, got {value!r}", path="role_attribute"
        )
    return value


def _role_weights(value: Mapping[str, float]) -> FrozenMap[str, float]:
    mapping = table(value, "role_weights")
    errors: list[ErrorDetail] = []
    out: dict[str, float] = {}
    for role, weight in mapping.items():
        if not isinstance(role, str) or not role:
            errors.append(
                ErrorDetail(path="role_weights", message=f"a role must be a name, got {role!r}")
            )
            continue
        try:
            out[role] = float(number(weight, f"role_weights.{role}", minimum=0))
        except InvalidModelError as exc:
            errors.extend(exc.errors)
    raise_if(errors)
    return FrozenMap(out)


def _temperature(
    value: TemperatureClassifier | Mapping[str, Any] | None,
) -> TemperatureClassifier | None:
    if value is None or isinstance(value, TemperatureClassifier):
        return value
    if isinstance(value, Mapping):
        try:
            return TemperatureClassifier.from_dict(value)
        except InvalidModelError as exc:
            raise InvalidModelError([e.under("temperature") for e in exc.errors]) from None
    raise InvalidModelError(
        f"expected a TemperatureClassifier or a table, got {value!r:.60}", path="temperature"
    )


def _priority(value: PriorityGrid | Mapping[str, Any] | None) -> PriorityGrid | None:
    if value is None or isinstance(value, PriorityGrid):
        return value
    if isinstance(value, Mapping):
        try:
            return PriorityGrid.from_dict(value)
        except InvalidModelError as exc:
            raise InvalidModelError([e.under("priority") for e in exc.errors]) from None
    raise InvalidModelError(
        f"expected a PriorityGrid or a table, got {value!r:.60}", path="priority"
    )


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "score": _score,
    "top_k": _top_k,
    "engagement_cap": _cap,
    "role_attribute": _role_attribute,
    "role_weights": _role_weights,
    "min_engaged": _min_engaged,
    "temperature": _temperature,
    "priority": _priority,
}


@attrs.frozen(kw_only=True)
class AccountPolicy:
    """How an account's score, temperature and priority are made from its members'.

    Every field is checked; problems are collected into one
    :class:`~leadscoring.InvalidModelError` whose paths name the fields
    (``role_weights.champion``).
    """

    score: str = attrs.field(default="best_fit_plus_engagement", converter=_score)
    top_k: int = attrs.field(default=3, converter=_top_k)
    engagement_cap: float | None = attrs.field(default=None, converter=_cap)
    role_attribute: str = attrs.field(default="role", converter=_role_attribute)
    role_weights: Mapping[str, float] = attrs.field(
        factory=lambda: DEFAULT_ROLES, converter=_role_weights
    )
    min_engaged: int = attrs.field(default=1, converter=_min_engaged)
    temperature: TemperatureClassifier | None = attrs.field(default=None, converter=_temperature)
    priority: PriorityGrid | None = attrs.field(default=None, converter=_priority)

    def weight(self, role: object) -> float:
        """The weight of a member whose role is ``role`` (1 for a role not listed)."""
        if isinstance(role, str):
            return self.role_weights.get(role, 1.0)
        return 1.0

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles of the buying group (weight above 0), heaviest first, then by name."""
        ranked = sorted(self.role_weights.items(), key=lambda item: (-item[1], item[0]))
        return tuple(role for role, weight in ranked if weight > 0)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``[accounts]`` section) that :meth:`from_dict` reads back;
        settings left at ``None`` are left out."""
        out: dict[str, Any] = {
            "score": self.score,
            "top_k": self.top_k,
            "role_attribute": self.role_attribute,
            "role_weights": dict(self.role_weights),
            "min_engaged": self.min_engaged,
        }
        if self.engagement_cap is not None:
            out["engagement_cap"] = self.engagement_cap
        if self.temperature is not None:
            out["temperature"] = self.temperature.to_dict()
        if self.priority is not None:
            out["priority"] = self.priority.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: object) -> AccountPolicy:
        """Build from plain data; missing keys take their defaults, every problem is
        collected into one :class:`~leadscoring.InvalidModelError`."""
        values, errors = convert_table(data, _CONVERTERS, "accounts setting")
        raise_if(errors)
        return cls(**values)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the ``[accounts]`` section."""
        number_ = {"type": "number", "minimum": 0}
        return {
            "type": "object",
            "title": "accounts",
            "properties": {
                "score": {"enum": list(ACCOUNT_SCORES), "default": ACCOUNT_SCORES[0]},
                "top_k": {"type": "integer", "minimum": 1, "default": 3},
                "engagement_cap": number_,
                "role_attribute": {"type": "string", "minLength": 1, "default": "role"},
                "role_weights": {
                    "type": "object",
                    "additionalProperties": number_,
                    "default": dict(DEFAULT_ROLES),
                },
                "min_engaged": {"type": "integer", "minimum": 0, "default": 1},
                "temperature": {"type": "object"},
                "priority": {"type": "object"},
            },
            "additionalProperties": False,
        }
