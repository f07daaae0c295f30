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
from typing import Literal, TypeVar, cast

from .errors import InvalidValueError, UnknownLeadError, UnknownLeadWarning
from .event import Event, dedupe_sorted
from .identity import IdentityMap, moved
from .lead import Lead
from .times import to_utc

__all__ = [
    "FrameIds",
    "OnUnknown",
    "check_choice",
    "check_event",
    "check_events",
    "check_ids",
    "check_iterable",
    "check_lead",
    "check_leads",
    "check_moment",
    "check_not_alias",
    "events_of",
    "expect",
    "group_events",
    "report_unknown",
    "united_leads",
]

T = TypeVar("T")

OnUnknown = Literal["raise", "warn", "ignore"]
"""What to do with events of leads that were not given."""

_ON_UNKNOWN = ("raise", "warn", "ignore")

FrameIds = Literal["check", "unique", "absent"]
"""What an events table's ``id`` column promises (the ``ids`` argument of the frame
functions): ``"check"`` repeats are looked for (a row repeating an event counts once),
``"unique"`` no lead repeats an id (not looked for), ``"absent"`` there is no ``id``
column (every row is an event of its own)."""

FRAME_IDS: tuple[FrameIds, ...] = ("check", "unique", "absent")


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


def check_ids(ids: object) -> FrameIds:
    """``ids`` if it is one of ``"check"``, ``"unique"``, ``"absent"``; else
    :class:`~leadscoring.InvalidValueError` naming ``ids`` and the choices.

    What each promises of the events table's ``id`` column:

    - ``"check"`` (the default): nothing. The (lead, id) pairs are hashed to look for
      repeats; a row repeating an event (same lead, id and cells) counts once, and two
      different rows sharing a lead and an id raise :class:`~leadscoring.InvalidEventError`.
    - ``"unique"``: no lead has two rows with the same id (with ``identities``: after an
      alias's ids are qualified by the alias), so nothing is looked for; the results are
      those of ``"check"`` whenever that holds. If it does not, each row is an event of
      its own, as rows without an id are: a repeated event counts once per row, and
      nothing is raised. The ids are still read where they matter (the order of events
      at the same moment, ``event_id`` of a reactivation, a rule on ``id``).
    - ``"absent"``: the table has no ``id`` column (every row is an event of its own, as
      a table without one); if it has one, :class:`~leadscoring.InvalidInputError` says
      so (drop the column, or pass ``"unique"`` or ``"check"``).
    """
    return cast(FrameIds, check_choice(ids, FRAME_IDS, "ids"))


def group_events(
    leads: Sequence[Lead],
    events: Iterable[object],
    *,
    as_of: datetime | None,
    on_unknown: OnUnknown = "raise",
    identities: IdentityMap | None = None,
) -> dict[str, list[Event]]:
    """Each lead's events (sorted, deduplicated, ``<= as_of``), keyed by lead id.

    Events of unknown leads raise :class:`~leadscoring.UnknownLeadError`, or warn with
    :class:`~leadscoring.UnknownLeadWarning`, or are skipped, as ``on_unknown`` says. A
    lead given twice, or an item that is not a Lead or an Event, is named by position.
    With ``identities``, an alias's events are its lead's (:func:`united_leads` drops the
    aliases from ``leads``; their ids are qualified by the alias).
    """
    check_choice(on_unknown, _ON_UNKNOWN, "on_unknown")
    roots = identities.roots(as_of) if identities is not None else {}
    grouped: dict[str, list[Event]] = {}
    for index, lead in enumerate(leads):
        expect(lead, Lead, f"leads[{index}]")
        if lead.id in grouped:
            raise InvalidValueError("leads", f"lead id {lead.id!r} is given twice")
        if lead.id not in roots:
            grouped[lead.id] = []
    unknown: dict[str, int] = {}
    items = check_iterable(events, "events")
    if not roots:  # the usual case, kept lean: no aliases to resolve
        bucket_of = grouped.get
        for index, item in enumerate(items):
            if item.__class__ is not Event:
                item = expect(item, Event, f"events[{index}]")
            event: Event = item
            if as_of is not None and event.at > as_of:
                continue
            bucket = bucket_of(event.lead_id)
            if bucket is None:
                unknown[event.lead_id] = unknown.get(event.lead_id, 0) + 1
            else:
                bucket.append(event)
        items = ()
    for index, item in enumerate(items):
        event = item if isinstance(item, Event) else expect(item, Event, f"events[{index}]")
        if as_of is not None and event.at > as_of:
            continue
        root = roots.get(event.lead_id)
        lead_id = event.lead_id if root is None else root
        bucket = grouped.get(lead_id)
        if bucket is None:
            unknown[lead_id] = unknown.get(lead_id, 0) + 1
        else:
            bucket.append(event if root is None else moved(event, root))
    report_unknown(sorted(unknown), sum(unknown.values()), on_unknown)
    return {lead_id: dedupe_sorted(evs) for lead_id, evs in grouped.items()}


def united_leads(
    leads: Iterable[object], identities: IdentityMap | None, as_of: datetime | None
) -> list[Lead]:
    """``leads`` (checked) without those that are aliases of another lead at ``as_of``:
    their history is their lead's."""
    checked = check_leads(leads)
    if identities is None:
        return checked
    roots = identities.roots(as_of)
    return [lead for lead in checked if lead.id not in roots]


def report_unknown(lead_ids: Sequence[str], events: int, on_unknown: OnUnknown) -> None:
    """Events of leads that were not given: raise :class:`~leadscoring.UnknownLeadError`,
    warn with :class:`~leadscoring.UnknownLeadWarning`, or nothing, as ``on_unknown`` says."""
    if not lead_ids or on_unknown == "ignore":
        return
    error = UnknownLeadError(list(lead_ids), events)
    if on_unknown == "raise":
        raise error
    warnings.warn(str(error), UnknownLeadWarning, stacklevel=4)


def check_not_alias(lead_id: str, roots: Mapping[str, str]) -> None:
    """Raise :class:`InvalidValueError` if ``lead_id`` is an alias (in ``roots``, alias →
    lead): its history is its lead's, and it has no score of its own."""
    if lead_id in roots:
        raise InvalidValueError(
            "lead",
            f"{lead_id!r} is an alias of lead {roots[lead_id]!r} (identities); its history "
            f"is that lead's: score {roots[lead_id]!r}",
        )


def events_of(
    lead_id: str,
    events: Iterable[object],
    as_of: datetime | None,
    identities: IdentityMap | None = None,
) -> list[Event]:
    """One lead's events (sorted, deduplicated, ``<= as_of``); others are skipped. With
    ``identities``, the events of the lead's aliases (by ``as_of``) are its events too;
    a lead that is itself an alias by then raises :class:`InvalidValueError`."""
    roots = identities.roots(as_of) if identities is not None else {}
    check_not_alias(lead_id, roots)
    mine = []
    for index, item in enumerate(check_iterable(events, "events")):
        event = item if isinstance(item, Event) else expect(item, Event, f"events[{index}]")
        if as_of is not None and event.at > as_of:
            continue
        if event.lead_id == lead_id:
            mine.append(event)
        elif roots and roots.get(event.lead_id) == lead_id:
            mine.append(moved(event, lead_id))
    return dedupe_sorted(mine)
