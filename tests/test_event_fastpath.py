"""The fast paths of Event construction agree with the checks they shortcut.

The reference below is a copy of the converters as they were before their fast paths;
every Event (or the error it raises, type and message) must equal the reference's.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from dateutil.parser import isoparse
from hypothesis import given
from hypothesis import strategies as st

from leadscoring.core.errors import (
    InvalidEventError,
    InvalidValueError,
    NaiveDatetimeError,
    NaiveEventDatetimeError,
)
from leadscoring.core.event import Event, EventType, PageCategory
from leadscoring.core.mapping import FrozenMap, freeze_scalars
from leadscoring.core.times import to_utc


def _ref_to_utc(
    value: object,
    field: str,
    error: type[InvalidValueError] = InvalidValueError,
    naive: type[NaiveDatetimeError] = NaiveDatetimeError,
) -> datetime:
    if isinstance(value, str):
        try:
            parsed = isoparse(value.strip())
        except (ValueError, OverflowError):
            raise error(
                field,
                f"not an ISO 8601 datetime: {value!r}; write e.g. '2026-06-30T00:00:00Z' or "
                "'2026-06-30T09:00:00+09:00', or pass a timezone-aware datetime",
            ) from None
        value = parsed
    if not isinstance(value, datetime):
        raise error(field, f"expected a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise naive(
            field,
            f"naive datetime {value.isoformat()} has no time zone; "
            "attach one (e.g. datetime(..., tzinfo=UTC)) or give an ISO string with an offset",
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise error(field, f"{value.isoformat()} is out of range in UTC") from None


def _ref_freeze(
    value: object, field: str, error: type[InvalidValueError] = InvalidValueError
) -> FrozenMap[str, Any]:
    if value is None:
        return FrozenMap()
    if isinstance(value, FrozenMap):
        return value
    if not isinstance(value, Mapping):
        raise error(field, f"expected a mapping, got {type(value).__name__}")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise error(field, f"keys must be non-empty strings, got {key!r}")
        if item is not None and not isinstance(item, str | int | float | bool):
            raise error(
                f"{field}[{key!r}]",
                f"values must be str, int, float, bool or None, got {type(item).__name__}",
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise error(f"{field}[{key!r}]", f"must be a finite number, got {item!r}")
        out[key] = item
    return FrozenMap(out)


def _ref_non_empty(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(field, f"must be a non-empty string, got {value!r}")
    return value


def _ref_event_id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _ref_non_empty("Event.id", value)


def _reference(**kw: Any) -> tuple[Any, ...]:
    """The fields the old converters gave, in attrs order (the order they ran in)."""
    return (
        _ref_non_empty("Event.lead_id", kw["lead_id"]),
        str(_ref_non_empty("Event.type", kw["type"])),
        _ref_to_utc(kw["at"], "Event.at", InvalidEventError, NaiveEventDatetimeError),
        _ref_freeze(kw["properties"], "Event.properties", InvalidEventError),
        _ref_event_id(kw["id"]),
    )


def _outcome(build: Any, **kw: Any) -> Any:
    try:
        return ("ok", build(**kw))
    except Exception as exc:
        return ("error", type(exc), str(exc))


class _Int(int):
    pass


class _Str(str):
    __slots__ = ()


class _Color(enum.IntEnum):
    RED = 1


class _DateTime(datetime):
    pass


WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()] + ["\u200b", "\ufeff"]
blank = st.lists(st.sampled_from(WHITESPACE), max_size=3).map("".join)
texts = st.one_of(
    st.text(max_size=5),
    blank,
    st.builds(lambda a, b: a + b + a, blank, st.text(min_size=1, max_size=3)),
    st.sampled_from(list(EventType) + list(PageCategory)),
    st.builds(_Str, st.text(max_size=3)),
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(_Int, st.integers()),
    st.just(_Color.RED),
    st.sampled_from([b"x", [1], (), 1j, object]),
)
keys = st.one_of(texts, st.integers(), st.none(), st.just(b"k"))
properties = st.one_of(
    st.dictionaries(st.text(min_size=1, max_size=4), values, max_size=5),
    st.dictionaries(keys, values, max_size=5),
    st.none(),
    st.just([("a", 1)]),
    st.builds(FrozenMap, st.dictionaries(st.text(min_size=1, max_size=3), st.integers())),
)
offsets = st.one_of(
    st.none(),
    st.just(UTC),
    st.just(timezone(timedelta(0))),
    st.builds(timezone, st.integers(-1439, 1439).map(lambda m: timedelta(minutes=m))),
)
naive = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
moments = st.one_of(
    st.builds(lambda d, tz: d.replace(tzinfo=tz), naive, offsets),
    st.builds(lambda d, tz: _DateTime.combine(d.date(), d.time(), tz), naive, offsets),
    st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), naive, offsets),
    st.sampled_from(["2026-04-01T09:00:00Z", " 2026-04-01 ", "nope", 3, None]),
)
ids = st.one_of(st.none(), texts, st.integers(), st.booleans(), st.builds(_Int, st.integers()))


@given(texts, texts, moments, properties, ids)
def test_event_agrees_with_the_old_checks(
    lead_id: Any, kind: Any, at: Any, props: Any, event_id: Any
) -> None:
    kw = {"lead_id": lead_id, "type": kind, "at": at, "properties": props, "id": event_id}
    new = _outcome(Event, **kw)
    old = _outcome(_reference, **kw)
    if new[0] == "ok" and old[0] == "ok":
        event = new[1]
        got = (event.lead_id, event.type, event.at, event.properties, event.id)
        assert got == old[1]
        assert [type(x) for x in got] == [type(x) for x in old[1]]
        assert event.at.tzinfo is UTC
    else:
        assert new == old


@given(properties)
def test_freeze_scalars_agrees(props: Any) -> None:
    new = _outcome(freeze_scalars, value=props, field="f")
    old = _outcome(_ref_freeze, value=props, field="f")
    if new[0] == "ok" and old[0] == "ok":
        assert new[1] == old[1]
        assert list(new[1].items()) == list(old[1].items())
        assert [type(v) for v in new[1].values()] == [type(v) for v in old[1].values()]
    else:
        assert new == old


@given(moments)
def test_to_utc_agrees(at: Any) -> None:
    new = _outcome(to_utc, value=at, field="at")
    old = _outcome(_ref_to_utc, value=at, field="at")
    if new[0] == "ok" and old[0] == "ok":
        assert new[1] == old[1]
        assert type(new[1]) is type(old[1])
        assert new[1].tzinfo is old[1].tzinfo
    else:
        assert new == old
