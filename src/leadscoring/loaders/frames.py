"""Leads, events and identities from DataFrames: :func:`leads_from_frame`,
:func:`events_from_frame` and :func:`identities_from_frame`.

The same rows as :func:`~leadscoring.loaders.read_leads` / ``read_events`` would make of
the table written to a file, with the same column mappings (:class:`LeadColumns`,
:class:`EventColumns`) and the same row-level reporting: ``errors="raise"`` raises
:class:`~leadscoring.InvalidInputError` at the first bad row (row, column, reason);
``errors="collect"`` returns every good row and every rejected one. Nothing is dropped.
Identities are raise-only, as :func:`~leadscoring.loaders.read_identities` reads them.

Cells: a null (``None``, ``NaN``, ``NaT``, ``pd.NA``) is an empty cell; a timezone-aware
datetime column is read as it is, a naive one is refused as a whole (attach a zone, or
give the times as ISO 8601 text with ``assume_tz``); numpy scalars become Python values.

>>> import pandas as pd
>>> table = pd.DataFrame({"lead_id": ["L1", "L2"], "type": ["page_view", None],
...     "at": pd.to_datetime(["2026-04-01T09:00Z", "2026-04-02T09:00Z"])})
>>> result = events_from_frame(table, errors="collect")
>>> [e.lead_id for e in result.rows], str(result.rejected[0])
(['L1'], "events_df, row 2, column 'type': required value is empty")

Needs the optional ``frames`` extra (narwhals), imported when called.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Literal, TypeVar

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.event import Event
from ..core.identity import IdentityMap
from ..core.lead import Lead
from ..core.times import from_us
from ._cells import RowError, did_you_mean, resolve_tz, timestamp
from ._columns import EventColumns, LeadColumns
from ._read import _known, _needs
from ._result import LoadResult, RejectedRow
from ._rows import _EventMaker, _LeadMaker
from .identities import IdentityColumns, IdentityMaker, check_identity_columns, identity_map

__all__ = ["events_from_frame", "identities_from_frame", "leads_from_frame"]

T = TypeVar("T")
Errors = Literal["raise", "collect"]


def _moment(tz: tzinfo | None) -> Callable[[object], datetime]:
    """A time cell: an aware datetime as it is, or ISO 8601 text as the loaders read it."""

    def read(value: object) -> datetime:
        if isinstance(value, datetime):
            return value
        return timestamp(value, tz)

    return read


def _cell(value: object) -> object:
    """A table cell as a Python value; nulls as ``None``."""
    if value is None:
        return None
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, TypeError):  # not a numpy scalar: as it is
            value = item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return value


def _columns(native: Any, source: str) -> tuple[list[str], dict[str, list[object]], int]:
    """The table's column names, each column as Python values, and the row count."""
    try:
        import narwhals.stable.v1 as nw
    except ImportError as exc:  # pragma: no cover - the frames extra is missing
        raise ImportError(
            "reading DataFrames needs the optional 'frames' extra: pip install "
            "'leadscoring[frames]'"
        ) from exc
    try:
        frame = nw.from_native(native, eager_only=True)
    except TypeError:
        raise InvalidInputError(
            f"expected a pandas or polars DataFrame, got {type(native).__name__}", source=source
        ) from None
    names = [str(c) for c in frame.columns]
    out: dict[str, list[object]] = {}
    for name in names:
        series = frame[name]
        if isinstance(series.dtype, nw.Datetime):
            if series.dtype.time_zone is None:
                raise InvalidInputError(
                    "naive timestamps (no time zone): attach one, e.g. "
                    "df[col].dt.tz_localize('UTC') in pandas or "
                    "pl.col(col).dt.replace_time_zone('UTC') in polars",
                    source=source, column=name,
                )  # fmt: skip
            stamps = series.dt.timestamp("us").to_list()
            nulls = series.is_null().to_list()
            out[name] = [
                None if gone else from_us(int(us)) for us, gone in zip(stamps, nulls, strict=True)
            ]
        else:
            out[name] = [_cell(v) for v in series.to_list()]
    return names, out, len(frame)


def _check_columns(names: list[str], needs: list[tuple[str, str]], source: str) -> None:
    for name, why in needs:
        if name not in names:
            raise InvalidInputError(
                f"missing column {name!r} ({why}){did_you_mean(name, names)}",
                source=source, column=name,
            )  # fmt: skip


def _rows(
    native: Any,
    source: str,
    needs: list[tuple[str, str]],
    make: Callable[[Mapping[str, object], int], T],
    errors: Errors,
) -> LoadResult[T]:
    if errors not in ("raise", "collect"):
        raise InvalidValueError("errors", f"expected 'raise' or 'collect', got {errors!r}")
    names, columns, count = _columns(native, source)
    _check_columns(names, needs, source)
    kept: list[T] = []
    rejected: list[RejectedRow] = []
    for index in range(count):
        fields = {name: columns[name][index] for name in names}
        try:
            kept.append(make(fields, index + 1))
        except RowError as exc:
            bad = RejectedRow(source=source, row=index + 1, column=exc.column,
                              reason=exc.reason, raw=fields)  # fmt: skip
            if errors == "raise":
                raise bad.to_error() from None
            rejected.append(bad)
    return LoadResult(rows=tuple(kept), rejected=tuple(rejected))


def events_from_frame(
    df: Any,
    *,
    columns: EventColumns | None = None,
    assume_tz: tzinfo | str | None = None,
    known_leads: Iterable[str | Lead] | None = None,
    errors: Errors = "raise",
) -> LoadResult[Event]:
    """The events of a pandas or polars table, one per row, as
    :func:`~leadscoring.loaders.read_events` reads a file (``columns``, ``assume_tz`` for
    text times without an offset, ``known_leads``, ``errors``)."""
    columns = EventColumns() if columns is None else columns
    if not isinstance(columns, EventColumns):
        raise InvalidValueError("columns", f"expected EventColumns, got {columns!r}")
    tz = resolve_tz(assume_tz)
    make = _EventMaker(columns, tz, _known(known_leads))
    make.at = _moment(tz)
    needs = _needs(columns.required, columns._extras, "properties")
    return _rows(df, "events_df", needs, make, errors)


def leads_from_frame(
    df: Any,
    *,
    columns: LeadColumns | None = None,
    assume_tz: tzinfo | str | None = None,
    errors: Errors = "raise",
) -> LoadResult[Lead]:
    """The leads of a pandas or polars table, one per row, as
    :func:`~leadscoring.loaders.read_leads` reads a file (a second row for a lead id is
    rejected; an empty status is ``open``)."""
    columns = LeadColumns() if columns is None else columns
    if not isinstance(columns, LeadColumns):
        raise InvalidValueError("columns", f"expected LeadColumns, got {columns!r}")
    tz = resolve_tz(assume_tz)
    make = _LeadMaker(columns, tz)
    make.at = _moment(tz)
    needs = _needs(columns.required, columns._extras, "attributes")
    return _rows(df, "leads_df", needs, make, errors)


def identities_from_frame(
    df: Any,
    *,
    columns: IdentityColumns | None = None,
    assume_tz: tzinfo | str | None = None,
) -> IdentityMap:
    """The links of a pandas or polars table, one per row, as
    :func:`~leadscoring.loaders.read_identities` reads a file: ``alias``, ``lead_id`` and
    ``at`` (a timezone-aware datetime column, or ISO 8601 text) by default, renamed by
    ``columns``. The first bad row, an alias claimed by two leads, or a cycle raises
    :class:`~leadscoring.InvalidInputError` naming the row (there is no
    ``errors="collect"``: a half-read map would misattribute histories).

    >>> import pandas as pd
    >>> table = pd.DataFrame({"alias": ["cookie-7"], "lead_id": ["ann@example.com"],
    ...     "at": pd.to_datetime(["2026-05-01T00:00Z"])})
    >>> identities_from_frame(table).lead_of("cookie-7")
    'ann@example.com'
    """
    chosen = check_identity_columns(columns)
    tz = resolve_tz(assume_tz)
    make = IdentityMaker(chosen, tz)
    make.at = _moment(tz)
    needs = _needs(chosen.required, chosen._extras, "columns")
    links = _rows(df, "identities_df", needs, make, "raise").rows
    return identity_map(links, make.rows, "identities_df")
