"""What the incremental :class:`~leadscoring.Scorer` keeps per lead for dormancy and
reactivation: a compact activity log, and the detector's answer cached on it.

The detector (:mod:`leadscoring.signals.activity`) reads, of each activity event, only its
time, its id (the id a :class:`~leadscoring.Reactivation` names) and whether it is an
*intent* event (``policy.intent_types`` and ``intent_categories``); their order is the
events' total order (time, then type, id, properties). Silence thresholds take the median
of every session gap so far, and an event that arrives late changes the gaps, thresholds
and returns after it, so exactness for events in any order needs every activity time.
The log keeps exactly that and no more:

==================  ===========================================================  =========
part                what                                                         per event
==================  ===========================================================  =========
``times``           activity times, integer microseconds, in the events' order   8 bytes
``keys``            ``(type, properties key)`` of each event, interned (shared    8 bytes
                    by every event of the same type and properties): orders
                    events that share a time
``intent``          one byte: an intent event                                    1 byte
``ids``             the event id (the same string the id table keeps), only      8 bytes
                    once the lead has an event with an id
==================  ===========================================================  =========

Two logs combine exactly (:meth:`ActivityLog.absorb`, when an alias's history becomes its
lead's): every entry of one is added to the other, in order, with its id qualified by its
source, so it takes its place among the events at the same time.

The detector itself is not re-derived here: :meth:`ActivityLog.scan` hands the logged
events to :func:`leadscoring.signals.activity` 's scan as light stand-ins that carry just
what it reads, and caches the answer until the log or the lead's record changes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from ..core.event import Event
from ..core.lead import Lead
from ..core.times import from_us
from ..signals import activity as _detector
from ..signals.activity import Activity, DormancyPolicy, Reactivation, activity_state
from .packing import pack, unpack
from .snapshot_checks import check_times

__all__ = ["ActivityLog", "Scan", "activity_at"]

Key = tuple[str, tuple[tuple[str, str, str], ...]]
"""``(type, properties key)``: the part of an event's sort key after time and id."""

Scan = tuple[datetime, timedelta, tuple[Reactivation, ...]]
"""The detector's answer on a whole log: last activity, threshold after it, reactivations."""


class _Act:
    """A logged activity event as the detector reads it (time, id, type, category)."""

    __slots__ = ("at", "id", "properties", "type")

    def __init__(self, at: datetime, id_: str | None, type_: str, props: Mapping[str, str]):
        self.at, self.id, self.type, self.properties = at, id_, type_, props


class ActivityLog:
    """One lead's activity events, compactly, in the detector's order."""

    __slots__ = ("_cache", "ids", "intent", "keys", "times")

    def __init__(self) -> None:
        self.times = array("q")
        self.keys: list[Key] = []
        self.intent = bytearray()
        self.ids: list[str | None] | None = None
        self._cache: tuple[object, Scan] | None = None

    def __len__(self) -> int:
        return len(self.times)

    def _order(self, index: int) -> tuple[str, str, tuple[tuple[str, str, str], ...]]:
        type_, props = self.keys[index]
        event_id = self.ids[index] if self.ids is not None else None
        return (type_, event_id or "", props)

    def add(self, at: int, key: Key, intent: bool, event_id: str | None) -> None:
        """Log one activity event (already known not to be a copy)."""
        times = self.times
        position = bisect_right(times, at)
        low = bisect_left(times, at, 0, position)
        if low < position:  # events at the same time: order them by type, id, properties
            mine = (key[0], event_id or "", key[1])
            while position > low and self._order(position - 1) > mine:
                position -= 1
        if event_id is not None and self.ids is None:
            self.ids = [None] * len(times)
        times.insert(position, at)
        self.keys.insert(position, key)
        self.intent.insert(position, 1 if intent else 0)
        if self.ids is not None:
            self.ids.insert(position, event_id)
        self._cache = None

    def absorb(self, other: ActivityLog, rename: Callable[[str], str]) -> None:
        """Log every event of ``other`` too (another source's history: each id as
        ``rename`` gives it, which changes where it sorts among events at the same time)."""
        ids = other.ids
        for index, at in enumerate(other.times):
            event_id = None if ids is None else ids[index]
            as_mine = None if event_id is None else rename(event_id)
            self.add(at, other.keys[index], bool(other.intent[index]), as_mine)

    def scan(self, lead: Lead, policy: DormancyPolicy) -> Scan | None:
        """The detector on the whole log for ``lead`` (``None`` without activity)."""
        if not self.times:
            return None
        token = (lead.status, lead.status_changed_at)
        cache = self._cache
        if cache is not None and cache[0] == token:
            return cache[1]
        intent_type = next(iter(sorted(policy.intent_types)))
        intent_props = {"category": next(iter(sorted(policy.intent_categories)))}
        plain: Mapping[str, str] = {}
        ids = self.ids
        acts = [
            _Act(
                from_us(at),
                None if ids is None else ids[i],
                intent_type if flag else "",
                intent_props if flag else plain,
            )
            for i, (at, flag) in enumerate(zip(self.times, self.intent, strict=True))
        ]
        thresholds, found = _detector._scan(lead, cast(Sequence[Event], acts), policy)
        scan: Scan = (acts[-1].at, thresholds[-1], tuple(found))
        self._cache = (token, scan)
        return scan

    def to_data(self, kinds: dict[Key, int]) -> dict[str, Any]:
        """Plain data: ``times`` and ``kinds`` (indexes into the numbering ``kinds``, which
        grows) packed, ``intent`` one digit an event, ``ids`` a list or ``None``."""
        indexes = [kinds.setdefault(key, len(kinds)) for key in self.keys]
        return {
            "times": pack(self.times),
            "kinds": pack(indexes),
            "intent": self.intent.decode("ascii").translate(_DIGITS),
            "ids": None if self.ids is None else list(self.ids),
        }

    @classmethod
    def from_data(cls, data: object, kinds: Sequence[Key]) -> ActivityLog:
        """The log :meth:`to_data` wrote (``kinds`` the snapshot's table); ``ValueError``
        or ``TypeError`` naming what is wrong."""
        if not isinstance(data, Mapping) or set(data) != {"times", "kinds", "intent", "ids"}:
            raise ValueError("expected a table of times, kinds, intent and ids")
        log = cls()
        log.times = array("q", check_times(unpack(data["times"])))
        indexes = unpack(data["kinds"])
        intent = data["intent"]
        if not isinstance(intent, str) or intent.strip("01"):
            raise ValueError("intent: expected a text of 0 and 1 digits")
        ids = data["ids"]
        if ids is not None and (
            not isinstance(ids, list) or not all(i is None or isinstance(i, str) for i in ids)
        ):
            raise TypeError("ids: expected a list of event ids or nulls")
        for name, size in (("kinds", len(indexes)), ("intent", len(intent)),
                           ("ids", len(log.times) if ids is None else len(ids))):  # fmt: skip
            if size != len(log.times):
                raise ValueError(f"{name}: {size} entries for {len(log.times)} times")
        if any(not 0 <= i < len(kinds) for i in indexes):
            raise ValueError("kinds: an index outside the snapshot's kinds table")
        log.keys = [kinds[i] for i in indexes]
        log.intent = bytearray(intent.encode("ascii").translate(_FLAGS))
        log.ids = None if ids is None else list(ids)  # not the caller's list
        for i in range(1, len(log.times)):
            if log.times[i] == log.times[i - 1] and log._order(i) < log._order(i - 1):
                raise ValueError("events at the same time are out of order")
        return log


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_FLAGS = bytes.maketrans(b"01", b"\x00\x01")


def activity_at(lead: Lead, scan: Scan | None, policy: DormancyPolicy, as_of: datetime) -> Activity:
    """The :class:`~leadscoring.Activity` at ``as_of`` from the detector's scan
    (:func:`leadscoring.signals.activity.activity_state`, as ``activity()`` states it)."""
    if scan is None:
        return activity_state(lead, as_of, policy, None, policy.dormant_after, ())
    last_active, threshold, found = scan
    return activity_state(lead, as_of, policy, last_active, threshold, found)
