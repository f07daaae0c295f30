"""read_identities: the links of aliases to leads from a CSV or JSON Lines file.

An identity file has one row per link: ``alias`` (a cookie, a device, an old email),
``lead_id`` (the lead it is) and ``at`` (from when, ISO 8601 with an offset). It is read
with the event and lead readers' machinery (the same formats, row numbers, messages and
"did you mean"), but only in raise mode: the first bad row raises
:class:`~leadscoring.InvalidInputError`. A half-loaded identity map would not fail, it
would quietly give a lead's history to a visitor (or leave it out), so there is no
``errors="collect"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Literal

import attrs

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.identity import Identity, IdentityMap
from ._cells import RowError, resolve_tz, timestamp
from ._columns import Extras, _column, _extras
from ._read import _check_common, _needs, _stream
from ._rows import _id, _required
from ._sources import Source, source_name

__all__ = ["IdentityColumns", "read_identities"]


@attrs.frozen(kw_only=True)
class IdentityColumns:
    """Where an identity file keeps each field of an :class:`~leadscoring.Identity`.

    ``alias``, ``lead_id`` and ``at`` name the three required columns (a column cannot
    have two roles). Other columns are not read (a note or the link's source may sit
    beside them).

    >>> IdentityColumns(alias="cookie", lead_id="email").required
    ('cookie', 'email', 'at')
    """

    alias: str = attrs.field(default="alias", validator=_column)
    lead_id: str = attrs.field(default="lead_id", validator=_column)
    at: str = attrs.field(default="at", validator=_column)
    _extras: Extras = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        roles: dict[str, str | None] = {
            "alias": self.alias, "lead id": self.lead_id, "at": self.at,
        }  # fmt: skip
        extras = _extras("IdentityColumns", roles, (), (), None, "columns", "a column")
        object.__setattr__(self, "_extras", extras)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every identity row must have."""
        return (self.alias, self.lead_id, self.at)


class IdentityMaker:
    """Turns the fields of one row into an :class:`~leadscoring.Identity`, or raises
    :class:`RowError` (internal).

    Remembers each alias's lead and row, to reject a row that links an alias already
    linked to another lead (naming the first row), and the row of every link, for
    :func:`identity_map`.
    """

    def __init__(self, columns: IdentityColumns, tz: tzinfo | None) -> None:
        self.columns = columns
        self.at: Callable[[object], datetime] = lambda value: timestamp(value, tz)
        self.claimed: dict[str, tuple[str, int]] = {}
        self.rows: list[int] = []

    def __call__(self, fields: Mapping[str, object], row: int) -> Identity:
        c = self.columns
        alias = _required(fields, c.alias, _id)
        lead_id = _required(fields, c.lead_id, _id)
        at = _required(fields, c.at, self.at)
        try:
            link = Identity(alias=alias, lead_id=lead_id, at=at)
        except InvalidValueError as exc:  # an alias linked to itself
            raise RowError(exc.message, c.alias) from None
        first = self.claimed.setdefault(alias, (lead_id, row))
        if first[0] != lead_id:
            raise RowError(
                f"alias {alias!r} is claimed by two leads: {first[0]!r} (row {first[1]}) and "
                f"{lead_id!r}; an alias belongs to one lead (to move it, merge the two leads "
                "instead)",
                c.alias,
            )
        self.rows.append(row)
        return link


def check_identity_columns(columns: object) -> IdentityColumns:
    """``columns`` (``None``: the default names) checked (internal)."""
    if columns is None:
        return IdentityColumns()
    if not isinstance(columns, IdentityColumns):
        raise InvalidValueError("columns", f"expected IdentityColumns, got {columns!r}")
    return columns


def identity_map(links: Iterable[Identity], rows: list[int], source: str) -> IdentityMap:
    """The checked map of ``links``; a cycle is reported at the file row (``rows``: the
    row of each link) of its first link (internal)."""
    try:
        return IdentityMap(links, source=source)
    except InvalidInputError as exc:
        index = exc.row
        if index is None or not 1 <= index <= len(rows):  # pragma: no cover - always a row
            raise
        raise InvalidInputError(
            exc.reason, source=exc.source, row=rows[index - 1], column=exc.column
        ) from None


def read_identities(
    source: Source,
    *,
    format: Literal["csv", "jsonl"] | None = None,
    columns: IdentityColumns | None = None,
    assume_tz: tzinfo | str | None = None,
    encoding: str = "utf-8-sig",
) -> IdentityMap:
    """Read the links of a CSV or JSON Lines identity file into an
    :class:`~leadscoring.IdentityMap`.

    ``source``, ``format`` and ``encoding`` are as in
    :func:`~leadscoring.loaders.read_events`; ``columns`` (an :class:`IdentityColumns`)
    renames the ``alias``, ``lead_id`` and ``at`` columns. ``at`` is ISO 8601; a time
    without an offset is a bad row unless ``assume_tz`` says where it was written. The
    lines :meth:`IdentityMap.to_dicts <leadscoring.IdentityMap.to_dicts>` writes read back.

    There is no ``errors="collect"``: the first bad row (an empty or malformed cell, an
    alias linked to itself, an alias claimed by two leads) raises
    :class:`~leadscoring.InvalidInputError` naming the file, row, column and reason, and
    so do links that form a cycle (at the row of the first link on it). A missing
    column raises at row 0 with the closest name the header has.

    >>> import io
    >>> text = "alias,lead_id,at\\ncookie-7,ann@example.com,2026-05-01T00:00:00Z\\n"
    >>> read_identities(io.StringIO(text), format="csv").lead_of("cookie-7")
    'ann@example.com'
    """
    fmt = _check_common(source, format, None)
    chosen = check_identity_columns(columns)
    make = IdentityMaker(chosen, resolve_tz(assume_tz))
    needs = _needs(chosen.required, chosen._extras, "columns")
    links = list(_stream(source, fmt, encoding, needs, make, None))
    return identity_map(links, make.rows, source_name(source))
