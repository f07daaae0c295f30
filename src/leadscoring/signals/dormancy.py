"""The dormancy policy: when a lead counts as dormant, and what counts as coming back.

Public as :class:`leadscoring.DormancyPolicy` (and ``leadscoring.signals.activity.DormancyPolicy``);
kept apart from the detection in :mod:`leadscoring.signals.activity` because it is configuration:
validation, plain-data round trip and "did you mean" hints for model files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import attrs

from ..core.errors import ErrorDetail, InvalidModelError, InvalidValueError
from ..core.plain.forms import convert_table, raise_if
from ..core.times import check_finite, format_duration, parse_duration

__all__ = ["DormancyPolicy"]


def _to_duration(value: object, field: str) -> timedelta:
    try:
        result = parse_duration(value, field)
    except InvalidValueError as exc:
        raise InvalidModelError(exc.message, path=field) from None
    if not isinstance(result, timedelta):  # pragma: no cover - calendar=False
        raise InvalidModelError("must be a fixed duration such as '90d'", path=field)
    return result


def _to_count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidModelError(
            f"expected a whole number, got {type(value).__name__} {value!r}", path=field
        )
    if value < 1:
        raise InvalidModelError(f"must be at least 1, got {value!r}", path=field)
    return value


def _to_names(value: object, field: str) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidModelError(
            f"expected a list of strings, got {type(value).__name__} {value!r}", path=field
        )
    errors: list[ErrorDetail] = []
    out: set[str] = set()
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.add(str(item))
        else:
            message = f"must be a non-empty string, got {item!r}"
            errors.append(ErrorDetail(path=f"{field}[{index}]", message=message))
    if errors:
        raise InvalidModelError(errors)
    return frozenset(out)


def _cadence_factor(value: float) -> float:
    try:
        factor = check_finite(value, "cadence_factor")
    except InvalidValueError as exc:
        raise InvalidModelError(exc.message, path="cadence_factor") from None
    if factor < 1:
        raise InvalidModelError(f"must be at least 1, got {value!r}", path="cadence_factor")
    return factor


# Named converters (the attrs mypy plugin needs named functions), one per field.
def _dormant_after(value: timedelta | str) -> timedelta:
    return _to_duration(value, "dormant_after")


def _session_gap(value: timedelta | str) -> timedelta:
    return _to_duration(value, "session_gap")


def _burst_within(value: timedelta | str) -> timedelta:
    return _to_duration(value, "burst_within")


def _reactivated_for(value: timedelta | str) -> timedelta:
    return _to_duration(value, "reactivated_for")


def _min_history(value: int) -> int:
    return _to_count(value, "min_history")


def _burst_min_events(value: int) -> int:
    return _to_count(value, "burst_min_events")


def _ignore_types(value: Iterable[str]) -> frozenset[str]:
    return _to_names(value, "ignore_types")


def _intent_types(value: Iterable[str]) -> frozenset[str]:
    return _to_names(value, "intent_types")


def _intent_categories(value: Iterable[str]) -> frozenset[str]:
    return _to_names(value, "intent_categories")


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "dormant_after": _dormant_after,
    "cadence_factor": _cadence_factor,
    "min_history": _min_history,
    "session_gap": _session_gap,
    "burst_within": _burst_within,
    "burst_min_events": _burst_min_events,
    "reactivated_for": _reactivated_for,
    "ignore_types": _ignore_types,
    "intent_types": _intent_types,
    "intent_categories": _intent_categories,
}


@attrs.frozen(kw_only=True)
class DormancyPolicy:
    """When a lead counts as dormant, and what counts as coming back.

    - ``dormant_after``: the shortest silence that makes a lead dormant.
    - ``cadence_factor``, ``min_history``: once a lead has ``min_history`` activity events,
      its threshold is ``max(dormant_after, cadence_factor * median gap)`` of its history.
    - ``session_gap``: gaps shorter than this are pages of one visit, not returns, and do
      not count towards the median gap (30 minutes, the usual web-analytics session).
    - ``burst_within``, ``burst_min_events``: a return after silence reactivates when
      ``burst_min_events`` activity events fall within ``burst_within`` of its first event.
    - ``reactivated_for``: how long the state stays ``REACTIVATED``.
    - ``ignore_types``: event types that are not activity (bounces, unsubscribes).
    - ``intent_types``, ``intent_categories``: the events (type, and ``category``
      property) that alone bring back a ``LOST`` or ``WON`` lead.

    Durations accept ``timedelta`` or text (``"90d"``, ``"2w"``, ``"P30D"``); bad values
    raise :class:`~leadscoring.InvalidModelError` whose path names the field.

    >>> DormancyPolicy(dormant_after="60d").dormant_after
    datetime.timedelta(days=60)
    >>> DormancyPolicy.from_dict({"burst_min_events": 2}).burst_min_events
    2
    """

    dormant_after: timedelta = attrs.field(default=timedelta(days=90), converter=_dormant_after)
    cadence_factor: float = attrs.field(default=3.0, converter=_cadence_factor)
    min_history: int = attrs.field(default=3, converter=_min_history)
    session_gap: timedelta = attrs.field(default=timedelta(minutes=30), converter=_session_gap)
    burst_within: timedelta = attrs.field(default=timedelta(days=14), converter=_burst_within)
    burst_min_events: int = attrs.field(default=3, converter=_burst_min_events)
    reactivated_for: timedelta = attrs.field(
        default=timedelta(days=30), converter=_reactivated_for
    )
    ignore_types: frozenset[str] = attrs.field(
        default=frozenset({"bounce", "unsubscribe"}), converter=_ignore_types
    )
    intent_types: frozenset[str] = attrs.field(
        default=frozenset({"page_view"}), converter=_intent_types
    )
    intent_categories: frozenset[str] = attrs.field(
        default=frozenset({"service", "product", "pricing", "case_study"}),
        converter=_intent_categories,
    )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON/TOML-able) that :meth:`from_dict` reads back to an equal policy."""
        return {
            "dormant_after": format_duration(self.dormant_after),
            "cadence_factor": self.cadence_factor,
            "min_history": self.min_history,
            "session_gap": format_duration(self.session_gap),
            "burst_within": format_duration(self.burst_within),
            "burst_min_events": self.burst_min_events,
            "reactivated_for": format_duration(self.reactivated_for),
            "ignore_types": sorted(self.ignore_types),
            "intent_types": sorted(self.intent_types),
            "intent_categories": sorted(self.intent_categories),
        }

    @classmethod
    def from_dict(cls, data: object) -> DormancyPolicy:
        """Build a policy from plain data; missing keys take their defaults.

        Every problem is collected before :class:`~leadscoring.InvalidModelError` is
        raised; paths are field names (``"dormant_after"``, ``"ignore_types[1]"``) and
        unknown keys get a "did you mean" hint.
        """
        values, errors = convert_table(data, _CONVERTERS, "dormancy setting")
        raise_if(errors)
        return cls(**values)
