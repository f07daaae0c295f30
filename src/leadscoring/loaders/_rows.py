"""One record of a file into a Lead or Event, or a RowError naming the column (internal).

The makers behind :func:`~leadscoring.loaders.read_leads` and ``read_events`` (and the
DataFrame and identity readers): the cells of one row, its extra properties or
attributes, duplicate ids, and the warning for a column that nearly names a missing one.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import TypeVar

import attrs

from ..core.aliases import Scalar
from ..core.errors import ColumnNameWarning, InvalidInputError, InvalidValueError
from ..core.event import Event, event_fingerprint
from ..core.lead import Lead, LeadStatus
from ..core.times import to_us
from ._cells import RowError, did_you_mean, is_empty, number, scalar, text, timestamp
from ._columns import EventColumns, Extras, LeadColumns

T = TypeVar("T")

_STATUSES = ", ".join(s.value for s in LeadStatus)


def _fold(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.casefold())


class _NearMiss:
    """Warns (or, when strict, raises) once per column that nearly matches an optional role
    column the file lacks (``event_id`` for ``id``, ``Status`` for ``status``)."""

    def __init__(
        self,
        source: str,
        kind: str,
        optional: Mapping[str, str],
        roles: frozenset[str],
        strict: bool,
    ) -> None:
        self.source, self.kind, self.optional, self.roles = source, kind, optional, roles
        self.strict = strict
        self.checked: set[str] = set()
        self.what = "an event property" if kind == "event" else "a lead attribute"
        self.spec = "EventColumns" if kind == "event" else "LeadColumns"

    def _like(self, key: str, column: str) -> bool:
        key_f, col_f = _fold(key), _fold(column)
        if key_f in (col_f, _fold(self.kind + column)):
            return True
        return difflib.SequenceMatcher(None, key_f, col_f).ratio() >= 0.85

    def __call__(self, keys: Iterable[str]) -> None:
        present = None
        for key in keys:
            if key in self.checked or key in self.roles or not isinstance(key, str):
                continue
            self.checked.add(key)
            present = set(keys) if present is None else present
            for attribute, column in self.optional.items():
                if column not in present and self._like(key, column):
                    self._report(key, attribute, column)
                    break

    def _report(self, key: str, attribute: str, column: str) -> None:
        reason = (
            f"column {key!r} is read as {self.what}, but it looks like the {attribute} "
            f"column {column!r}, which the file lacks; rename it {column!r}, or pass "
            f"columns={self.spec}({attribute}={key!r}) to read it as the {attribute}, or "
            f"{self.spec}({attribute}=None) if it is meant as {self.what}"
        )
        if self.strict:
            raise InvalidInputError(reason, source=self.source, column=key)
        warnings.warn(
            f"{self.source}: {reason} (strict=True makes this an error)",
            ColumnNameWarning,
            stacklevel=4,
        )


@attrs.define
class _Reading:
    """What a maker needs beside the columns: numbers to infer, keys to count (internal)."""

    numeric: frozenset[str] = frozenset()
    known: frozenset[str] | None = None
    unknown: dict[str, int] = attrs.Factory(dict)


def _required(fields: Mapping[str, object], column: str, parse: Callable[[object], T]) -> T:
    if column not in fields:
        raise RowError(f"missing key {column!r}{did_you_mean(column, fields)}", column)
    value = fields[column]
    if is_empty(value):
        raise RowError("required value is empty", column)
    try:
        return parse(value)
    except RowError as exc:
        raise RowError(exc.reason, column) from None


def _optional(
    fields: Mapping[str, object], column: str | None, parse: Callable[[object], T]
) -> T | None:
    if column is None or is_empty(fields.get(column)):
        return None
    return _required(fields, column, parse)


def _id(value: object) -> str:
    return text(value, integers=True)


def _extras(
    fields: Mapping[str, object], spec: Extras, reading: _Reading | None = None
) -> dict[str, Scalar]:
    """The properties (or attributes) of a row, by ``spec``; empty values are left out.

    Role columns are never extras. In JSON, the entries of the ``spec.nested`` object join
    the top-level keys (a key in both is an error).
    """
    nested = fields.get(spec.nested) if spec.nested is not None else None
    candidates = {
        key: value
        for key, value in fields.items()
        if key not in spec.roles and not (key == spec.nested and isinstance(nested, Mapping))
    }
    if isinstance(nested, Mapping):
        for key, value in nested.items():
            if key in candidates:
                raise RowError(
                    f"{key!r} is given both at the top level and inside {spec.nested!r}",
                    spec.nested,
                )
            candidates[key] = value
    pairs: Iterable[tuple[str, str]]
    pairs = ((k, k) for k in candidates) if spec.pairs is None else spec.pairs
    inferred = reading.numeric if reading is not None else frozenset()
    if reading is not None:
        known = reading.known
        if spec.pairs is not None:
            selected = frozenset(source for source, _ in spec.pairs)
            known = selected if known is None else known & selected
        if known is not None:
            for key, value in candidates.items():
                if key not in known and not is_empty(value):
                    reading.unknown[key] = reading.unknown.get(key, 0) + 1
    out: dict[str, Scalar] = {}
    for source, name in pairs:
        value = candidates.get(source)
        if is_empty(value):
            continue
        if not name:
            raise RowError(f"an empty key cannot name a property (value {value!r})", source)
        try:
            if source in spec.numeric or (source in inferred and isinstance(value, str)):
                out[name] = number(value)
            else:
                out[name] = scalar(value)
        except RowError as exc:
            raise RowError(exc.reason, source) from None
    return out


class _EventMaker:
    """Turns the fields of one row into an :class:`Event`, or raises :class:`RowError`."""

    def __init__(
        self,
        columns: EventColumns,
        tz: tzinfo | None,
        known: frozenset[str] | None,
        reading: _Reading | None = None,
    ) -> None:
        self.columns = columns
        self.known = known
        self.reading = reading
        self.at: Callable[[object], datetime] = lambda value: timestamp(value, tz)
        self.ids: dict[tuple[str, str], tuple[int, str]] = {}

    def __call__(self, fields: Mapping[str, object], row: int) -> Event:
        c = self.columns
        lead_id = _required(fields, c.lead_id, _id)
        if self.known is not None and lead_id not in self.known:
            raise RowError(f"unknown lead id {lead_id!r}", c.lead_id)
        kind = _required(fields, c.type, text)
        at = _required(fields, c.at, self.at)
        event_id = _optional(fields, c.id, _id)
        properties = _extras(fields, c._extras, self.reading)
        try:
            event = Event(lead_id=lead_id, type=kind, at=at, properties=properties, id=event_id)
        except InvalidValueError as exc:
            raise RowError(str(exc)) from None
        if event_id is not None:
            digest = event_fingerprint(event, to_us(event.at))
            first = self.ids.setdefault((lead_id, event_id), (row, digest))
            if first[1] != digest:
                raise RowError(
                    f"event id {event_id!r} of lead {lead_id!r} is used by row {first[0]} for "
                    "a different event; give each event its own id (copies of one event, "
                    "equal in every column, are fine)",
                    c.id,
                )
        return event


def _status(value: object) -> LeadStatus:
    try:
        return LeadStatus(text(value).strip().lower())
    except ValueError:
        raise RowError(f"unknown status {value!r}; expected one of {_STATUSES}") from None


class _LeadMaker:
    """Turns the fields of one row into a :class:`Lead`, or raises :class:`RowError`.

    Remembers the ids it made, to reject a second row for the same lead.
    """

    def __init__(
        self, columns: LeadColumns, tz: tzinfo | None, reading: _Reading | None = None
    ) -> None:
        self.columns = columns
        self.reading = reading
        self.at: Callable[[object], datetime] = lambda value: timestamp(value, tz)
        self.seen: dict[str, int] = {}

    def __call__(self, fields: Mapping[str, object], row: int) -> Lead:
        c = self.columns
        lead_id = _required(fields, c.id, _id)
        if lead_id in self.seen:
            raise RowError(
                f"duplicate lead id {lead_id!r}: row {self.seen[lead_id]} has it already", c.id
            )
        status = _optional(fields, c.status, _status)
        changed_at = _optional(fields, c.status_changed_at, self.at)
        account_id = _optional(fields, c.account_id, _id)
        attributes = _extras(fields, c._extras, self.reading)
        try:
            lead = Lead(
                id=lead_id,
                attributes=attributes,
                status=status or LeadStatus.OPEN,
                status_changed_at=changed_at,
                account_id=account_id,
            )
        except InvalidValueError as exc:
            raise RowError(str(exc)) from None
        self.seen[lead_id] = row
        return lead
