"""The cost of building an :class:`~leadscoring.Event`, measured in one process.

    python benchmarks/objects.py              # 200,000 events per run
    python benchmarks/objects.py --n 20000    # fewer
    python benchmarks/objects.py --json       # the figures as JSON

Every figure is CPU time of this process (``time.process_time``; the machine may be
shared), the median of 3 runs of ``--n`` constructions from the same realistic keyword
arguments (a page view with ``category``, ``url``, ``duration_s`` and ``product``, an
aware UTC ``at`` and a string ``id``), no warm-up run:

1. ``new``: ``Event(...)`` as it is, in microseconds per event;
2. ``old``: ``_OldEvent(...)``, the same class with the converters as they were before
   their fast paths (copied below);
3. ``baseline``: an attrs frozen slots class with the same fields and no converters.

Printed beside them: ``new / baseline`` and ``old / new`` (the speed-up, target: at
least 2.5). Not part of the test suite: no test is timed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
from dateutil.parser import isoparse

from leadscoring import Event
from leadscoring.core.errors import (
    InvalidEventError,
    InvalidValueError,
    NaiveDatetimeError,
    NaiveEventDatetimeError,
)
from leadscoring.core.mapping import FrozenMap

# The converters as they were before their fast paths (the reference for "old").


def _old_to_utc(
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


def _old_freeze_scalars(
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


def _old_non_empty(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(field, f"must be a non-empty string, got {value!r}")
    return value


def _old_lead_id(value: Any) -> str:
    return _old_non_empty("Event.lead_id", value)


def _old_type(value: Any) -> str:
    return str(_old_non_empty("Event.type", value))


def _old_event_id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _old_non_empty("Event.id", value)


def _old_at(value: Any) -> datetime:
    return _old_to_utc(value, "Event.at", InvalidEventError, NaiveEventDatetimeError)


def _old_properties(value: Any) -> FrozenMap[str, Any]:
    return _old_freeze_scalars(value, "Event.properties", InvalidEventError)


@attrs.frozen(kw_only=True)
class _OldEvent:
    lead_id: str = attrs.field(converter=_old_lead_id)
    type: str = attrs.field(converter=_old_type)
    at: datetime = attrs.field(converter=_old_at)
    properties: Mapping[str, Any] = attrs.field(factory=FrozenMap, converter=_old_properties)
    id: str | None = attrs.field(default=None, converter=_old_event_id)


@attrs.frozen(kw_only=True)
class _Baseline:
    lead_id: str
    type: str
    at: datetime
    properties: Mapping[str, Any] = attrs.field(factory=dict)
    id: str | None = None


KWARGS: dict[str, Any] = {
    "lead_id": "L000123",
    "type": "page_view",
    "at": datetime(2026, 4, 1, 9, 30, tzinfo=UTC),
    "properties": {
        "category": "pricing",
        "url": "/pricing/enterprise",
        "duration_s": 95,
        "product": "crm",
    },
    "id": "e000123-7",
}


def per_event(build: Callable[..., Any], n: int) -> float:
    """The median over 3 runs of the CPU microseconds one ``build(**KWARGS)`` costs."""
    times = []
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            build(**KWARGS)
        times.append((time.process_time() - start) / n * 1e6)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="constructions per run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    assert Event(**KWARGS) == Event(**attrs.asdict(_OldEvent(**KWARGS)))
    new = per_event(Event, args.n)
    old = per_event(_OldEvent, args.n)
    baseline = per_event(_Baseline, args.n)
    figures = {
        "n": args.n,
        "new_us": round(new, 3),
        "old_us": round(old, 3),
        "baseline_us": round(baseline, 3),
        "new_over_baseline": round(new / baseline, 2),
        "old_over_new": round(old / new, 2),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"Event (new)    {new:8.3f} us/event")
    print(f"Event (old)    {old:8.3f} us/event")
    print(f"baseline       {baseline:8.3f} us/event")
    print(f"new / baseline {new / baseline:8.2f}")
    print(f"old / new      {old / new:8.2f}  (target: at least 2.5)")


if __name__ == "__main__":
    main()
