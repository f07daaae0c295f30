"""Events: what a lead did, and when."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from .aliases import Scalar
from .errors import InvalidEventError, NaiveEventDatetimeError
from .mapping import FrozenMap, freeze_scalars
from .times import to_us, to_utc

__all__ = [
    "Event",
    "EventType",
    "PageCategory",
    "canonical",
    "dedupe_sorted",
    "event_digest",
    "event_fingerprint",
    "event_sort_key",
    "in_event_order",
    "plain_value",
    "properties_key",
]


class EventType(enum.StrEnum):
    """Well-known event types. Any other string is allowed as an event type too."""

    PAGE_VIEW = "page_view"
    EMAIL_OPEN = "email_open"
    EMAIL_CLICK = "email_click"
    FORM_SUBMIT = "form_submit"
    DOWNLOAD = "download"
    WEBINAR = "webinar"
    EVENT_ATTENDED = "event_attended"
    INQUIRY = "inquiry"
    DEMO_REQUEST = "demo_request"
    PURCHASE = "purchase"
    UNSUBSCRIBE = "unsubscribe"
    BOUNCE = "bounce"


class PageCategory(enum.StrEnum):
    """Well-known values of the ``category`` property of a page view."""

    BLOG = "blog"
    PRODUCT = "product"
    SERVICE = "service"
    CASE_STUDY = "case_study"
    PRICING = "pricing"
    FAQ = "faq"
    COMPANY = "company"
    CONTACT = "contact"
    CAREERS = "careers"


def _non_empty(field: str, value: object) -> str:
    # Fast path: ``not value.isspace()`` on a non-empty str is ``bool(value.strip())``.
    if type(value) is str and value and not value.isspace():
        return value
    if not isinstance(value, str) or not value.strip():
        raise InvalidEventError(field, f"must be a non-empty string, got {value!r}")
    return value


def _lead_id(value: str) -> str:
    return _non_empty("Event.lead_id", value)


def _type(value: str) -> str:
    if type(value) is str and value and not value.isspace():
        return value
    # A StrEnum member is stored as its plain string value.
    return str(_non_empty("Event.type", value))


def _event_id(value: str | int | None) -> str | None:
    if value is None:
        return None
    if type(value) is str and value and not value.isspace():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _non_empty("Event.id", value)


def _at(value: datetime | str) -> datetime:
    return to_utc(value, "Event.at", InvalidEventError, NaiveEventDatetimeError)


def _properties(value: Mapping[str, Scalar]) -> FrozenMap[str, Scalar]:
    return freeze_scalars(value, "Event.properties", InvalidEventError)


@attrs.frozen(kw_only=True, init=False)
class Event:
    """Something a lead did at a moment: a page view, an email click, a form, a purchase.

    ``at`` must be timezone-aware (or an ISO 8601 string with an offset) and is stored in
    UTC. ``properties`` hold scalars such as ``category``, ``url`` or ``duration_s``.
    ``id`` makes ingestion idempotent: events of one lead sharing an id count once.

    >>> Event(lead_id="L1", type="page_view", at="2026-04-01T09:00:00+09:00",
    ...       properties={"category": "pricing", "duration_s": 95}).at.isoformat()
    '2026-04-01T00:00:00+00:00'
    """

    lead_id: str = attrs.field(converter=_lead_id)
    type: str = attrs.field(converter=_type)
    at: datetime = attrs.field(converter=_at)
    properties: Mapping[str, Scalar] = attrs.field(factory=FrozenMap, converter=_properties)
    id: str | None = attrs.field(default=None, converter=_event_id)

    def __init__(
        self,
        *,
        lead_id: str,
        type: str,
        at: datetime | str,
        properties: Mapping[str, Scalar] | None = None,
        id: str | int | None = None,
    ) -> None:
        # The converters above, each call skipped where its own fast path would return
        # the value unchanged (attrs' generated __init__ calls every one, and this is
        # the hot path of every loader and engine that builds events).
        if not (lead_id.__class__ is str and lead_id and not lead_id.isspace()):
            lead_id = _lead_id(lead_id)
        if not (type.__class__ is str and type and not type.isspace()):
            type = _type(type)
        if at.__class__ is not datetime or at.tzinfo is not UTC:
            at = _at(at)
        if properties.__class__ is not FrozenMap:
            properties = _properties(properties)  # type: ignore[arg-type]
        if id is not None and not (id.__class__ is str and id and not id.isspace()):
            id = _event_id(id)
        _set_lead_id(self, lead_id)
        _set_type(self, type)
        _set_at(self, at)
        _set_properties(self, properties)
        _set_id(self, id)

    def field(self, name: str, default: object = None) -> object:
        """The value a condition sees under ``name``: ``type``, ``id`` or a property."""
        if name == "type":
            return self.type
        if name == "id":
            return self.id if self.id is not None else default
        return self.properties.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {
            "lead_id": self.lead_id,
            "type": self.type,
            "at": self.at.isoformat(),
            "properties": dict(self.properties),
            "id": self.id,
        }


def _slot_setter(name: str) -> Callable[[Event, object], None]:
    return vars(Event)[name].__set__  # type: ignore[no-any-return]


_new_event = object.__new__
_set_lead_id = _slot_setter("lead_id")
_set_type = _slot_setter("type")
_set_at = _slot_setter("at")
_set_properties = _slot_setter("properties")
_set_id = _slot_setter("id")


def _checked_event(
    lead_id: str, type: str, at: datetime, properties: FrozenMap[str, Scalar], id: str | None
) -> Event:
    """The :class:`Event` that ``Event(...)`` makes from values its converters would
    return unchanged, without running them (internal: for the loaders, which check every
    cell themselves; the slots are filled as :func:`~leadscoring.core.slots.slot_builder`
    fills them).

    The caller answers for the values: ``lead_id`` and ``type`` non-blank exact ``str``,
    ``at`` a ``datetime`` whose ``tzinfo`` is ``UTC``, ``properties`` a
    :class:`FrozenMap` of non-empty exact ``str`` keys to ``str``, ``int``, finite
    ``float`` or ``None`` values (what :func:`freeze_scalars` keeps as they are), ``id``
    ``None`` or a non-blank exact ``str``. Anything else must go through ``Event(...)``.
    """
    event: Event = _new_event(Event)
    _set_lead_id(event, lead_id)
    _set_type(event, type)
    _set_at(event, at)
    _set_properties(event, properties)
    _set_id(event, id)
    return event


def _event_at(event: Event) -> datetime:
    return event.at


def event_sort_key(event: Event) -> tuple[Any, ...]:
    """The total order events are processed in: time, then a stable key of their content."""
    return (
        event.at,
        event.type,
        event.id or "",
        properties_key(event),
    )


def properties_key(event: Event) -> tuple[tuple[str, str, str], ...]:
    """The properties part of :func:`event_sort_key`: a stable order of their content."""
    return tuple(sorted((k, type(v).__name__, repr(v)) for k, v in event.properties.items()))


def canonical(value: object) -> str:
    """A property value as text: equal texts exactly for the values a condition cannot tell
    apart (``1`` and ``1.0`` are one value, ``True`` and ``1`` are not, nor ``"1"``)."""
    if value is None:
        return "z"
    if isinstance(value, bool):
        return f"b{value!r}"
    if isinstance(value, str):
        return "s" + str.__str__(value)  # a StrEnum member equals its text
    if isinstance(value, float):
        return f"n{int(value)}" if value.is_integer() else f"n{float.__repr__(value)}"
    if isinstance(value, int):
        return f"n{int.__repr__(value)}"
    return f"o{value!r}"  # not an event value; only a table cell can hold one


def plain_value(value: object) -> object:
    """A table cell as the Python value an Event holds (numpy scalars unwrapped, anything
    else as it is), so a cell compares and prints like the event's property."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def event_fingerprint(event: Event, at: int) -> str:
    """A stable digest of an event's content (type, time ``at`` in microseconds since the
    epoch, properties): two events sharing an id are copies exactly when their digests are
    equal, on every engine.

    Copies of an event give the same digest in every process (it is not ``hash()``), so a
    restored scorer still tells a copy from a different event that reuses the id.
    ``1`` and ``1.0`` give the same digest, as they compare equal; ``True`` and ``1`` do
    not, as conditions tell them apart.
    """
    parts = [event.type, str(at)]
    for key, value in sorted(event.properties.items()):
        kind = type(value)
        if kind is str:
            parts.append(f"{key}\x1es{value}")
        elif kind is int:
            parts.append(f"{key}\x1en{value}")
        else:
            parts.append(f"{key}\x1e{canonical(value)}")
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def in_event_order(events: Iterable[Event]) -> list[Event]:
    """``events`` in the order they are processed (:func:`event_sort_key`): by time, and
    by content only where times tie (the key of every event is costly to build)."""
    ordered = sorted(events, key=_event_at)
    if len(ordered) > 1 and len({e.at for e in ordered}) != len(ordered):
        ordered.sort(key=event_sort_key)
    return ordered


def event_digest(event: Event) -> str:
    """:func:`event_fingerprint` of ``event`` at its own time: what tells two events
    sharing an id apart (the batch engines' de-duplication and the loaders')."""
    return event_fingerprint(event, to_us(event.at))


def _brief(event: Event) -> str:
    """An event in a few words for messages: type, time and properties."""
    props = ", ".join(f"{k}={v!r}" for k, v in sorted(event.properties.items()))
    return f"{event.type} at {event.at.isoformat()}" + (f" with {props}" if props else "")


def dedupe_sorted(events: Iterable[Event]) -> list[Event]:
    """Sort events of one lead and keep one copy of each ``id``.

    Copies of an event (same ``id``, equal in every field) count once, so ingesting the
    same event twice is harmless. Two *different* events sharing an id are a data error:
    :class:`~leadscoring.InvalidEventError` names the id rather than silently picking one.
    """
    ordered = in_event_order(events)
    if len(ordered) < 2 or len({e.id for e in ordered}) == len(ordered):
        return ordered  # no id twice: nothing to drop (the usual case)
    ids = [e.id for e in ordered if e.id is not None]
    if len(set(ids)) == len(ids):  # only events without an id repeat "no id"
        return ordered
    seen: dict[str, Event] = {}
    out: list[Event] = []
    for event in ordered:
        if event.id is not None:
            first = seen.get(event.id)
            if first is not None:
                if event_digest(first) != event_digest(event):
                    raise InvalidEventError(
                        "Event.id",
                        f"two different events of lead {event.lead_id!r} share id {event.id!r} "
                        f"({_brief(first)}; {_brief(event)}); give each event its own id "
                        "(copies of one event, equal in every field, count once)",
                    )
                continue
            seen[event.id] = event
        out.append(event)
    return out
