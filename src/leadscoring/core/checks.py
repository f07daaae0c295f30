"""Checks of what public functions are given: one place for every "is this a Lead, an
Event, an aware time" test, so every entry point words its errors the same way.

Each check returns the value it accepted (narrowed to its type) or raises
:class:`~leadscoring.InvalidValueError` naming the argument, and, inside a collection, the
position (``events[3]: expected an Event, got dict``).

>>> check_lead("L1")
Traceback (most recent call last):
...
leadscoring.core.errors.InvalidValueError: lead: expected a Lead, got str
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal, TypeVar

from .errors import InvalidValueError, UnknownLeadError, UnknownLeadWarning
from .event import Event, dedupe_sorted
from .lead import Lead
from .times import to_utc

__all__ = [
    "OnUnknown",
    "check_choice",
    "check_event",
    "check_events",
    "check_iterable",
    "check_lead",
    "check_leads",
    "check_moment",
    "events_of",
    "expect",
    "group_events",
    "report_unknown",
]

T = TypeVar("T")

OnUnknown = Literal["raise", "warn", "ignore"]
"""What to do with events of leads that were not given."""

_ON_UNKNOWN = ("raise", "warn", "ignore")


def expect(value: object, kind: type[T], field: str) -> T:
    """``value`` if it is a ``kind``; else :class:`InvalidValueError` naming ``field``."""
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise InvalidValueError(
            field, f"expected {article} {kind.__name__}, got {type(value).__name__}"
        )
    return value


def check_lead(value: object, field: str = "lead") -> Lead:
    """``value`` if it is a :class:`~leadscoring.Lead`."""
    return expect(value, Lead, field)


def check_event(value: object, field: str = "event") -> Event:
    """``value`` if it is an :class:`~leadscoring.Event`."""
    return expect(value, Event, field)


def check_iterable(values: object, field: str) -> Iterable[object]:
    """``values`` if it is a collection of items (a string or a mapping is not)."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidValueError(field, f"expected an iterable, got {values!r:.40}")
    return values


def check_events(values: Iterable[object], field: str = "events") -> list[Event]:
    """Every item as an :class:`~leadscoring.Event`; a stray one is named by position."""
    items = check_iterable(values, field)
    return [expect(item, Event, f"{field}[{index}]") for index, item in enumerate(items)]


def check_leads(values: Iterable[object], field: str = "leads") -> list[Lead]:
    """Every item as a :class:`~leadscoring.Lead`; a stray one is named by position."""
    items = check_iterable(values, field)
    return [expect(item, Lead, f"{field}[{index}]") for index, item in enumerate(items)]


def check_moment(value: object, field: str = "as_of") -> datetime:
    """An aware datetime or an ISO 8601 string with an offset, as an aware UTC datetime."""
    return to_utc(value, field)


def check_choice(value: object, options: Sequence[str], field: str) -> str:
    """``value`` if it is one of ``options``."""
    if value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise InvalidValueError(field, f"must be one of {allowed}, got {value!r}")
    return str(value)


def group_events(
    leads: Sequence[Lead],
    events: Iterable[object],
    *,
    as_of: datetime | None,
    on_unknown: OnUnknown = "raise",
) -> dict[str, list[Event]]:
    """Each lead's events (sorted, deduplicated, ``<= as_of``), keyed by lead id.

    Events of unknown leads raise :class:`~leadscoring.UnknownLeadError`, or warn with
    :class:`~leadscoring.UnknownLeadWarning`, or are skipped, as ``on_unknown`` says. A
    lead given twice, or an item that is not a Lead or an Event, is named by position.
    """
    check_choice(on_unknown, _ON_UNKNOWN, "on_unknown")
    grouped: dict[str, list[Event]] = {}
    for index, lead in enumerate(leads):
        expect(lead, Lead, f"leads[{index}]")
        if lead.id in grouped:
            raise InvalidValueError("leads", f"lead id {lead.id!r} is given twice")
        grouped[lead.id] = []
    unknown: dict[str, int] = {}
    for index, item in enumerate(check_iterable(events, "events")):
        event = item if isinstance(item, Event) else expect(item, Event, f"events[{index}]")
        bucket = grouped.get(event.lead_id)
        if bucket is None:
            unknown[event.lead_id] = unknown.get(event.lead_id, 0) + 1
        elif as_of is None or event.at <= as_of:
            bucket.append(event)
    report_unknown(sorted(unknown), sum(unknown.values()), on_unknown)
    return {lead_id: dedupe_sorted(evs) for lead_id, evs in grouped.items()}


def report_unknown(lead_ids: Sequence[str], events: int, on_unknown: OnUnknown) -> None:
    """Events of leads that were not given: raise :class:`~leadscoring.UnknownLeadError`,
    warn with :class:`~leadscoring.UnknownLeadWarning`, or nothing, as ``on_unknown`` says."""
    if not lead_ids or on_unknown == "ignore":
        return
    error = UnknownLeadError(list(lead_ids), events)
    if on_unknown == "raise":
        raise error
    warnings.warn(str(error), UnknownLeadWarning, stacklevel=4)


def events_of(lead_id: str, events: Iterable[object], as_of: datetime | None) -> list[Event]:
    """One lead's events (sorted, deduplicated, ``<= as_of``); others are skipped."""
    mine = []
    for index, item in enumerate(check_iterable(events, "events")):
        event = item if isinstance(item, Event) else expect(item, Event, f"events[{index}]")
        if event.lead_id == lead_id and (as_of is None or event.at <= as_of):
            mine.append(event)
    return dedupe_sorted(mine)
