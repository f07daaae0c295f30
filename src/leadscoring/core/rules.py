"""Rules: what earns points.

- :class:`EventRule`: points for each matching event.
- :class:`RepeatRule`: points when an event keeps coming back (「何度も行き来している」).
- :class:`RateRule`: points while a share of events holds (opens per email delivered).
- :class:`AttributeRule`: points for who the lead is. Never decays.
- :class:`ReactivationRule`: points when a silent lead comes back
  (see :mod:`leadscoring.signals.activity`).

>>> EventRule(name="pricing page", when=when(type="page_view", category="pricing"), points=10)
EventRule(name='pricing page', when=All(Field('type', eq('page_view')), \
Field('category', eq('pricing'))), points=10, decay=None, cap=None, limit=None, group='engagement')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TypeAlias

import attrs

from .conditions import All, AnyOf, Condition, Field, Not, depth, when
from .decay import Decay, HalfLife, Linear, NoDecay, Steps, Window
from .errors import InvalidModelError, InvalidValueError
from .limits import MAX_CONDITION_DEPTH, MAX_POINTS, huge_message, is_finite, number_repr
from .times import Duration, parse_duration

__all__ = [
    "REACTIVATION_KINDS",
    "AttributeRule",
    "EventRule",
    "Limit",
    "RateRule",
    "ReactivationRule",
    "RepeatRule",
    "Rule",
]

REACTIVATION_KINDS = frozenset({"return_after_silence", "lost_deal_return", "customer_return"})
"""The kinds of reactivation the activity detector reports."""


def _name(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidModelError(f"must be a non-empty string, got {value!r}", path="name")
    return value


def _group(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidModelError(f"must be a non-empty string, got {value!r}", path="group")
    return value


def _points(value: float) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidModelError(f"expected a number, got {value!r}", path="points")
    if not is_finite(value):
        raise InvalidModelError(_not_finite(value), path="points")
    if abs(value) > MAX_POINTS:
        raise InvalidModelError(
            f"points are at most {MAX_POINTS:g} in size, got {value!r}; scale the points down",
            path="points",
        )
    return value


def _not_finite(value: int | float) -> str:
    if isinstance(value, int):
        return huge_message(number_repr(value))
    return f"must be a finite number, got {value!r}"


def _cap(value: float | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidModelError(f"expected a number, got {value!r}", path="cap")
    if not is_finite(value) or not 0 <= value <= MAX_POINTS:
        raise InvalidModelError(
            f"must be a finite number >= 0 and at most {MAX_POINTS:g}, got {number_repr(value)}; "
            "leave the cap out for no cap",
            path="cap",
        )
    return value


def _condition(path: str, value: Condition | Mapping[str, object]) -> Condition:
    if isinstance(value, Field | All | AnyOf | Not):
        return value
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise InvalidModelError(f"field names must be strings, got {value!r}", path=path)
        try:
            return when(**value)  # type: ignore[arg-type]
        except InvalidModelError as exc:
            raise InvalidModelError([e.under(path) for e in exc.errors]) from None
    raise InvalidModelError(
        f"expected a condition (when(...), Field, All, AnyOf, Not) or a mapping, got {value!r}",
        path=path,
    )


def _when(value: Condition | Mapping[str, object]) -> Condition:
    return _condition("when", value)


def _rate_side(path: str, value: Condition | Mapping[str, object]) -> Condition:
    condition = _condition(path, value)
    if depth(condition) >= MAX_CONDITION_DEPTH:  # the scorer matches AnyOf(num, den)
        raise InvalidModelError(
            f"a rate rule's conditions nest at most {MAX_CONDITION_DEPTH - 1} combinators deep "
            "(the two sides are matched together, one level more); flatten it",
            path=path,
        )
    return condition


def _numerator(value: Condition | Mapping[str, object]) -> Condition:
    return _rate_side("numerator", value)


def _denominator(value: Condition | Mapping[str, object]) -> Condition:
    return _rate_side("denominator", value)


def _decay(value: Decay | None) -> Decay | None:
    if value is None or isinstance(value, NoDecay | HalfLife | Linear | Window | Steps):
        return value
    raise InvalidModelError(
        f"expected a decay (HalfLife, Linear, Window, Steps, NoDecay) or None, got {value!r}",
        path="decay",
    )


def _positive_int(path: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidModelError(f"must be a whole number >= 1, got {value!r}", path=path)
    return value


def _count(value: int) -> int:
    return _positive_int("count", value)


def _times(value: int) -> int:
    return _positive_int("times", value)


def _duration(path: str, value: object, *, calendar: bool) -> Duration:
    try:
        return parse_duration(value, path, calendar=calendar)
    except InvalidValueError as exc:
        raise InvalidModelError(exc.message, path=path) from None


def _min_denominator(value: int) -> int:
    return _positive_int("min_denominator", value)


def _at_least(value: float) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidModelError(
            f"expected a share between 0 and 1 (0.4 is 40%), got {value!r}", path="at_least"
        )
    if not is_finite(value) or not 0 < value <= 1:
        raise InvalidModelError(
            f"must be a share in (0, 1] (0.4 is 40%), got {number_repr(value)}", path="at_least"
        )
    return value


def _within(value: timedelta | str) -> timedelta:
    result = _duration("within", value, calendar=False)
    if not isinstance(result, timedelta):  # pragma: no cover - parse_duration guarantees it
        raise InvalidModelError("must be a fixed duration", path="within")
    return result


def _optional_per(value: Duration | str | None) -> Duration | None:
    return None if value is None else _duration("per", value, calendar=True)


@attrs.frozen(kw_only=True)
class Limit:
    """An event counts only if fewer than ``count`` earlier events of the same rule and lead
    counted inside ``(at - per, at]``; without ``per``, only the first ``count`` events ever.

    ``per`` may be calendar months (``"P1M"``). ``Limit(count=1, per=timedelta(days=1))``
    is "once a day".
    """

    count: int = attrs.field(converter=_count)
    per: Duration | None = attrs.field(default=None, converter=_optional_per)


def _limit(value: Limit | None) -> Limit | None:
    if value is None or isinstance(value, Limit):
        return value
    raise InvalidModelError(f"expected a Limit or None, got {value!r}", path="limit")


def _kinds(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidModelError(f"expected a list of kinds, got {value!r}", path="kinds")
    try:
        kinds = frozenset(value)
    except TypeError:  # unhashable items
        raise InvalidModelError(f"expected a list of kinds, got {value!r}", path="kinds") from None
    unknown = sorted(str(k) for k in kinds - REACTIVATION_KINDS)
    if unknown or not kinds:
        known = ", ".join(sorted(REACTIVATION_KINDS))
        raise InvalidModelError(
            f"unknown reactivation kind(s) {unknown or '[]'}; known: {known}", path="kinds"
        )
    return kinds


@attrs.frozen(kw_only=True)
class EventRule:
    """``points`` for each event matching ``when``, faded by ``decay``.

    ``cap`` clamps the rule's decayed sum to ``[-cap, cap]``; ``limit`` stops repeated
    events from counting (e.g. once a day). ``decay=None`` uses the model's default.
    """

    name: str = attrs.field(converter=_name)
    when: Condition = attrs.field(converter=_when)
    points: int | float = attrs.field(converter=_points)
    decay: Decay | None = attrs.field(default=None, converter=_decay)
    cap: int | float | None = attrs.field(default=None, converter=_cap)
    limit: Limit | None = attrs.field(default=None, converter=_limit)
    group: str = attrs.field(default="engagement", converter=_group)


@attrs.frozen(kw_only=True)
class RepeatRule:
    """``points`` when ``times`` matching events fall inside a trailing window ``within``.

    It fires at the event that completes the count, and cannot fire again until
    ``within`` has passed since it fired; each firing decays from its own time.
    """

    name: str = attrs.field(converter=_name)
    when: Condition = attrs.field(converter=_when)
    times: int = attrs.field(converter=_times)
    within: timedelta = attrs.field(converter=_within)
    points: int | float = attrs.field(converter=_points)
    decay: Decay | None = attrs.field(default=None, converter=_decay)
    group: str = attrs.field(default="engagement", converter=_group)


@attrs.frozen(kw_only=True)
class RateRule:
    """``points`` while, over the trailing window ``within``, the events matching
    ``numerator`` are at least ``at_least`` of those matching ``denominator`` (and there
    are at least ``min_denominator`` of those): "opened at least 40% of the last 90 days'
    delivered emails, at least 5 delivered".

    A state, scored once: at ``as_of`` the rule counts ``k`` numerator and ``n``
    denominator events in ``(as_of - within, as_of]`` and is met when
    ``n >= min_denominator`` and ``k / n >= at_least``. If it is met, it gives ``points``
    decayed from the moment it last became met (an event entering the window, or one
    leaving it); if not, nothing. An event matching both conditions counts on both sides.
    The exact definition is in ``docs/concepts.md`` (rate rules).

    >>> opens = RateRule(name="opens our emails", numerator=when(type="email_open"),
    ...                  denominator=when(type="email_delivered"), within="90d",
    ...                  at_least=0.4, min_denominator=5, points=10)
    >>> opens.within, opens.group
    (datetime.timedelta(days=90), 'engagement')
    """

    name: str = attrs.field(converter=_name)
    numerator: Condition = attrs.field(converter=_numerator)
    denominator: Condition = attrs.field(converter=_denominator)
    within: timedelta = attrs.field(converter=_within)
    at_least: int | float = attrs.field(converter=_at_least)
    min_denominator: int = attrs.field(default=1, converter=_min_denominator)
    points: int | float = attrs.field(converter=_points)
    decay: Decay | None = attrs.field(default=None, converter=_decay)
    group: str = attrs.field(default="engagement", converter=_group)


@attrs.frozen(kw_only=True)
class AttributeRule:
    """``points`` when the lead's attributes (and ``status``) match ``when``. Never decays."""

    name: str = attrs.field(converter=_name)
    when: Condition = attrs.field(converter=_when)
    points: int | float = attrs.field(converter=_points)
    group: str = attrs.field(default="fit", converter=_group)


@attrs.frozen(kw_only=True)
class ReactivationRule:
    """``points`` at each reactivation the activity detector finds, faded by ``decay``.

    ``kinds`` restricts it to some kinds (``return_after_silence``, ``lost_deal_return``,
    ``customer_return``); ``None`` means all.
    """

    name: str = attrs.field(converter=_name)
    points: int | float = attrs.field(converter=_points)
    decay: Decay | None = attrs.field(default=None, converter=_decay)
    kinds: frozenset[str] | None = attrs.field(default=None, converter=_kinds)
    group: str = attrs.field(default="engagement", converter=_group)


Rule: TypeAlias = EventRule | RepeatRule | RateRule | AttributeRule | ReactivationRule
"""Any rule."""
