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
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

import attrs

from ..core.aliases import Scalar
from ..core.errors import ColumnNameWarning, InvalidInputError, InvalidValueError
from ..core.event import Event, _checked_event, event_digest
from ..core.lead import Lead, LeadStatus
from ..core.mapping import FrozenMap
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
        self.checked: set[str] = set(roles)
        """Keys checked already; the role columns need no check."""
        self.what = "an event property" if kind == "event" else "a lead attribute"
        self.spec = "EventColumns" if kind == "event" else "LeadColumns"

    def _like(self, key: str, column: str) -> bool:
        key_f, col_f = _fold(key), _fold(column)
        if key_f in (col_f, _fold(self.kind + column)):
            return True
        return difflib.SequenceMatcher(None, key_f, col_f).ratio() >= 0.85

    def __call__(self, keys: Iterable[str]) -> None:
        if self.checked.issuperset(keys):
            return  # every key checked already (the usual row after the first)
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


_PLAIN = frozenset({str, int})
_STR = frozenset({str})


def _extras(
    fields: Mapping[str, object], spec: Extras, reading: _Reading | None = None
) -> dict[str, Scalar]:
    """The properties (or attributes) of a row, by ``spec``; empty values are left out.

    Role columns are never extras. In JSON, the entries of the ``spec.nested`` object join
    the top-level keys (a key in both is an error).

    The usual row (every other column an extra, exact ``str`` keys, exact ``str`` or
    ``int`` values, the numeric ones read as numbers) comes back as a :class:`FrozenMap`
    that passes every check ``Event`` and ``Lead`` make of their properties and
    attributes; any other row takes :func:`_extras_checked` and comes back as a ``dict``.
    """
    if spec.pairs is None:
        out = _usual_extras(fields, spec, reading)
        if out is not None:
            if reading is not None and reading.known is not None:
                unknown = reading.unknown
                for key in out.keys() - reading.known:
                    unknown[key] = unknown.get(key, 0) + 1
            return out
    return _extras_checked(fields, spec, reading)


def _usual_extras(
    fields: Mapping[str, object], spec: Extras, reading: _Reading | None
) -> FrozenMap[str, Scalar] | None:
    """The extras of a row without a selection, or ``None`` when the row is not usual.

    Values are kept unless ``None`` or a blank exact ``str`` (what :func:`is_empty` drops);
    what is kept must then be exact ``str`` or ``int`` under non-empty exact ``str`` keys,
    else the row is not usual (a float, a boolean, a ``str`` subclass, an error: the
    general path decides). Numeric columns are read by :func:`number` as
    :func:`_extras_checked` reads them (an ``int`` or a finite ``float``); one that fails
    makes the row not usual too, so the general path gives the same error.
    """
    roles = spec.roles
    nested_key = spec.nested
    nested = fields.get(nested_key) if nested_key is not None else None
    out: dict[str, Any]
    # A row's own keys are strings: a JSON object's, a CSV header's, a table's names.
    if type(nested) is dict or (nested is not None and isinstance(nested, Mapping)):
        if spec.beside_nested.issuperset(fields):  # the nested object alone (as to_dict writes)
            items: Iterable[tuple[str, object]] = nested.items()
        else:
            top = {k: v for k, v in fields.items() if k not in roles and k != nested_key}
            if not top.keys().isdisjoint(nested):
                return None  # the general path names the key given twice
            top.update(nested)
            items = top.items()
        out = {
            k: v
            for k, v in items
            if v is not None and (type(v) is not str or (v and not v.isspace()))
        }
        if not _STR.issuperset(map(type, out)):
            return None  # a key that is not a string, in a mapping a table cell holds
        if not _PLAIN.issuperset(map(type, out.values())):
            return None
    elif _STR.issuperset(map(type, fields.values())):  # every value a str, as in CSV
        out = {k: v for k, v in fields.items() if v and k not in roles and not v.isspace()}  # type: ignore[attr-defined]
    else:
        out = {
            k: v
            for k, v in fields.items()
            if v is not None and k not in roles and (type(v) is not str or (v and not v.isspace()))
        }
        if not _PLAIN.issuperset(map(type, out.values())):
            return None
    if "" in out:
        return None
    numeric = spec.numeric
    inferred = reading.numeric if reading is not None else frozenset()
    if numeric or inferred:
        for key in (numeric | inferred).intersection(out):
            value = out[key]
            if key in numeric or isinstance(value, str):
                try:
                    out[key] = number(value)  # an int, or a finite float
                except RowError:
                    return None
    return FrozenMap(out)


def _extras_checked(
    fields: Mapping[str, object], spec: Extras, reading: _Reading | None = None
) -> dict[str, Scalar]:
    """:func:`_extras` for every row: a selection, floats, booleans, errors."""
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
    """Turns the fields of one row into an :class:`Event`, or raises :class:`RowError`.

    Remembers the first event of each (lead id, event id), to reject a later row that
    reuses the id for a different event: by its digest (:func:`event_digest`), or,
    with ``keep_first`` (for a caller that keeps every event it is given anyway), the
    event itself, whose digest is then computed only when its id comes again.
    """

    def __init__(
        self,
        columns: EventColumns,
        tz: tzinfo | None,
        known: frozenset[str] | None,
        reading: _Reading | None = None,
        *,
        keep_first: bool = False,
    ) -> None:
        self.columns = columns
        self.known = known
        self.reading = reading
        self.at: Callable[[object], datetime] = lambda value: timestamp(value, tz)
        self.ids: dict[tuple[str, str], tuple[int, str]] = {}
        """(lead id, event id) -> (first row, its digest)."""
        self.keep_first = keep_first
        self.firsts: dict[tuple[str, str], Event] = {}
        """With ``keep_first``: (lead id, event id) -> its first event (and in
        :attr:`rows`, its row; two dicts, not a pair per id, as a pair holding an event
        stays in the garbage collector's sight)."""
        self.rows: dict[tuple[str, str], int] = {}

    def __call__(self, fields: Mapping[str, object], row: int) -> Event:
        # A non-blank exact str cell is what _required(_id or text) returns unchanged;
        # any other cell (missing, empty, a number, a subclass) takes _required itself.
        c = self.columns
        get = fields.get
        value = get(c.lead_id)
        if type(value) is str and value and not value.isspace():
            lead_id = value
        else:
            lead_id = _required(fields, c.lead_id, _id)
        if self.known is not None and lead_id not in self.known:
            raise RowError(f"unknown lead id {lead_id!r}", c.lead_id)
        value = get(c.type)
        if type(value) is str and value and not value.isspace():
            kind = value
        else:
            kind = _required(fields, c.type, text)
        value = get(c.at)
        if type(value) is str and value and not value.isspace():
            try:
                at = self.at(value)
            except RowError as exc:
                raise RowError(exc.reason, c.at) from None
        else:
            at = _required(fields, c.at, self.at)
        value = get(c.id) if c.id is not None else None
        event_id: str | None
        if value is None:
            event_id = None
        elif type(value) is str and value and not value.isspace():
            event_id = value
        else:
            event_id = _optional(fields, c.id, _id)
        properties = _extras(fields, c._extras, self.reading)
        if (
            type(lead_id) is str
            and type(kind) is str
            and type(at) is datetime
            and at.tzinfo is UTC
            and (event_id is None or type(event_id) is str)
            and type(properties) is FrozenMap
        ):
            # Every value is one Event's converters return unchanged (see _checked_event).
            event = _checked_event(lead_id, kind, at, properties, event_id)
        else:
            try:
                event = Event(lead_id=lead_id, type=kind, at=at, properties=properties, id=event_id)
            except InvalidValueError as exc:
                raise RowError(str(exc)) from None
        if event_id is not None:
            key = (lead_id, event_id)
            if self.keep_first:
                seen = self.firsts.setdefault(key, event)
                if seen is event:
                    self.rows[key] = first_row = row
                    differs = False
                else:
                    first_row = self.rows[key]
                    differs = event_digest(seen) != event_digest(event)
            else:
                digest = event_digest(event)
                first_row, first_digest = self.ids.setdefault(key, (row, digest))
                differs = first_digest != digest
            if differs:
                raise RowError(
                    f"event id {event_id!r} of lead {lead_id!r} is used by row {first_row} for "
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
