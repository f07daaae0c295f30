"""A lead table with an outcome column (a CRM export such as ``Leads.csv``) read into leads
and outcomes, ready for :func:`~leadscoring.calibrate` and :func:`~leadscoring.evaluate`.

>>> import io
>>> text = "id,plan,seats,converted\\nL1,pro,12,yes\\nL2,free,1,no\\n"
>>> table = read_lead_table(io.StringIO(text), id="id", outcome="converted", format="csv")
>>> [(lead.id, dict(lead.attributes)) for lead in table.leads]
[('L1', {'plan': 'pro', 'seats': 12}), ('L2', {'plan': 'free', 'seats': 1})]
>>> dict(table.outcomes)
{'L1': True, 'L2': False}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Literal

import attrs

from ..core.display import html_block, html_table
from ..core.errors import InvalidInputError, InvalidValueError
from ..core.lead import Lead
from ..core.mapping import FrozenMap
from ..core.progress import check_progress, track
from ..loaders import RejectedRow
from ..loaders._cells import RowError, is_empty, number, resolve_tz, scalar, text, timestamp
from ..loaders._records import Record, csv_records, jsonl_records
from ..loaders._sources import Source, open_lines, resolve_format, source_name

__all__ = ["LeadTable", "read_lead_table"]

POSITIVE = frozenset({"1", "true", "yes", "y", "converted", "won", "t"})
"""Outcome cells meaning converted (compared case-insensitively), besides ``True`` and 1."""

NEGATIVE = frozenset({"0", "false", "no", "n", "not converted", "lost", "f"})
"""Outcome cells meaning not converted, besides ``False`` and 0."""

_Outcome = bool | datetime


def _outcomes(value: Mapping[str, _Outcome]) -> FrozenMap[str, _Outcome]:
    return FrozenMap(value)


@attrs.frozen(kw_only=True)
class LeadTable:
    """What :func:`read_lead_table` read: the leads, each lead's outcome, and the rows it
    rejected (empty unless ``errors="collect"``).

    ``outcomes`` maps every lead id to ``True``/``False`` or, from a ``converted_at``
    column, the moment the lead converted. ``numeric`` names the attribute columns read as
    numbers. Pass ``table.leads`` and ``table.outcomes`` to ``calibrate`` or ``evaluate``.
    """

    source: str
    leads: tuple[Lead, ...]
    outcomes: Mapping[str, _Outcome] = attrs.field(converter=_outcomes)
    rejected: tuple[RejectedRow, ...] = ()
    numeric: tuple[str, ...] = ()

    @property
    def conversions(self) -> int:
        """How many leads converted (a conversion moment counts as converted)."""
        return sum(1 for v in self.outcomes.values() if v is not False)

    def __len__(self) -> int:
        return len(self.leads)

    def __repr__(self) -> str:
        """A one-line summary."""
        return (
            f"LeadTable(source={self.source!r}, leads={len(self.leads)}, "
            f"conversions={self.conversions}, rejected={len(self.rejected)}, "
            f"numeric={list(self.numeric)!r})"
        )

    def _repr_html_(self) -> str:
        """The counts and the first rejected rows as HTML (notebooks)."""
        lines = [f"{self.conversions} converted; numeric columns: "
                 + (", ".join(self.numeric) or "none")]
        tables = []
        if self.rejected:
            tables.append(html_table(("row", "column", "reason"),
                                     [(r.row, r.column or "", r.reason)
                                      for r in self.rejected[:10]], numeric=(0,)))
        title = f"{self.source}: {len(self.leads)} leads, {len(self.rejected)} rejected"
        return html_block(title, lines, tables)


def _frame_rows(frame: Any) -> Iterator[Record]:
    """The rows of a pandas or polars DataFrame as records (row 1 is the first row)."""
    if hasattr(frame, "to_dicts"):  # polars
        rows: Iterable[Mapping[str, object]] = frame.to_dicts()
    else:  # pandas
        rows = frame.to_dict("records")
    for index, row in enumerate(rows, start=1):
        yield Record(row=index, fields={str(k): _plain(v) for k, v in row.items()})


def _plain(value: object) -> object:
    """A DataFrame cell as a plain value: NaN/NaT as empty, numpy scalars as Python ones,
    timestamps as ISO text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, datetime):
        return value.isoformat()
    iso = getattr(value, "isoformat", None)
    if callable(iso) and type(value).__name__ == "Timestamp":  # pandas
        return None if str(value) == "NaT" else str(iso())
    if str(value) in ("NaT", "<NA>"):
        return None
    return value


def _is_frame(source: object) -> bool:
    return hasattr(source, "columns") and (
        hasattr(source, "to_dicts") or hasattr(source, "to_dict")
    )


def _outcome(value: object, positive: frozenset[str], negative: frozenset[str]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded in positive:
            return True
        if folded in negative:
            return False
    shown = ", ".join(sorted(positive))
    raise RowError(
        f"outcome {value!r} is neither converted nor not; converted is one of {shown} "
        "(or True/1), not converted one of "
        f"{', '.join(sorted(negative))} (or False/0); pass positive=[...] and negative=[...] "
        "to name this file's values"
    )


def _words(values: Iterable[str] | None, default: frozenset[str], field: str) -> frozenset[str]:
    if values is None:
        return default
    if isinstance(values, str):
        raise InvalidValueError(field, f"expected a list of values, got {values!r}")
    out = frozenset(str(v).strip().casefold() for v in values)
    if not out:
        raise InvalidValueError(field, "give at least one value")
    return out


def _column(value: object, field: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, f"must be a column name, got {value!r}")
    return value


def read_lead_table(
    source: Source | Any,
    *,
    id: str,
    outcome: str | None = None,
    converted_at: str | None = None,
    positive: Iterable[str] | None = None,
    negative: Iterable[str] | None = None,
    attributes: Sequence[str] | None = None,
    numeric: Literal["infer"] | Sequence[str] | None = "infer",
    format: Literal["csv", "jsonl"] | None = None,
    assume_tz: tzinfo | str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    encoding: str = "utf-8-sig",
    progress: bool = False,
) -> LeadTable:
    """Read a lead table with an outcome column into leads and outcomes.

    ``source`` is a CSV or JSON Lines file (a path or an open file, as for
    :func:`~leadscoring.read_leads`) or a pandas or polars DataFrame. ``id`` names the
    lead id column; ``outcome`` the column saying whether the lead converted (``True``/
    ``False``, ``1``/``0``, or text such as ``yes``/``no``; ``positive`` and ``negative``
    name other values) and/or ``converted_at`` the column of conversion moments (ISO 8601;
    an empty cell: not converted). Every other column (or those in ``attributes``) becomes
    a lead attribute; with ``numeric="infer"`` a column whose every cell is a number
    (``"95"``, ``"1.5"``) is read as numbers, a list names such columns (a cell that is
    not a number is then a bad row), ``None`` keeps text as text.

    A bad row (an empty or repeated id, an outcome that is neither, a naive or unreadable
    moment) raises :class:`~leadscoring.InvalidInputError` naming the file, row and column
    (``errors="raise"``), or is kept in :attr:`LeadTable.rejected` (``errors="collect"``).
    ``progress=True`` shows a bar over the rows (needs ``tqdm``: the ``progress`` extra).
    """
    id_column = str(_column(id, "id"))
    outcome_column = _column(outcome, "outcome", optional=True)
    when_column = _column(converted_at, "converted_at", optional=True)
    if outcome_column is None and when_column is None:
        raise InvalidValueError(
            "outcome", "name the outcome column (outcome=...) or the conversion moments "
            "(converted_at=...), or both"
        )
    if errors not in ("raise", "collect"):
        raise InvalidValueError("errors", f"expected 'raise' or 'collect', got {errors!r}")
    if isinstance(numeric, str) and numeric != "infer":
        raise InvalidValueError("numeric", f"expected 'infer', a list of columns or None, "
                                f"got {numeric!r}")
    if isinstance(attributes, str):
        raise InvalidValueError("attributes", f"expected a list of columns, got {attributes!r}")
    check_progress(progress)
    yes = _words(positive, POSITIVE, "positive")
    no = _words(negative, NEGATIVE, "negative")
    if yes & no:
        raise InvalidValueError("negative", f"{sorted(yes & no)!r} are also positive")
    tz = resolve_tz(assume_tz)
    roles = {c for c in (id_column, outcome_column, when_column) if c is not None}
    needs = [(c, "named as a column") for c in sorted(roles)]
    needs += [(c, "listed in attributes") for c in attributes or () if c not in roles]

    if _is_frame(source):
        name = "<DataFrame>"
        frame: Any = source
        missing = [c for c, _ in needs if c not in [str(x) for x in frame.columns]]
        if missing:
            raise InvalidInputError(
                f"missing column(s) {', '.join(repr(m) for m in missing)}; the DataFrame has "
                + ", ".join(repr(str(c)) for c in frame.columns),
                source=name, column=missing[0],
            )
        parsed = _parse(_frame_rows(frame), name, id_column, outcome_column, when_column,
                        attributes, roles, yes, no, tz, progress)
    else:
        name = source_name(source)
        fmt = resolve_format(name, format)
        with open_lines(source, encoding) as lines:
            records = csv_records(lines, name, needs) if fmt == "csv" else jsonl_records(
                lines, name)
            parsed = _parse(records, name, id_column, outcome_column, when_column,
                            attributes, roles, yes, no, tz, progress)
    rows, rejected = parsed
    return _finish(name, rows, rejected, numeric, errors)


_Row = tuple[int, str, _Outcome, dict[str, object]]


def _parse(
    records: Iterable[Record | RejectedRow], name: str, id_column: str,
    outcome_column: str | None, when_column: str | None, attributes: Sequence[str] | None,
    roles: set[str], yes: frozenset[str], no: frozenset[str], tz: tzinfo | None,
    progress: bool,
) -> tuple[list[_Row], list[RejectedRow]]:
    rows: list[_Row] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    for record in track(records, progress=progress, desc=f"reading {name}", unit="rows"):
        if isinstance(record, RejectedRow):
            rejected.append(record)
            continue
        fields = record.fields
        column: str | None = id_column
        try:
            raw_id = fields.get(id_column)
            if is_empty(raw_id):
                raise RowError("the lead id is empty")
            lead_id = text(raw_id, integers=True).strip()
            if lead_id in seen:
                raise RowError(f"duplicate lead id {lead_id!r}: row {seen[lead_id]} has it")
            result: _Outcome = False
            if outcome_column is not None:
                column = outcome_column
                cell = fields.get(outcome_column)
                if is_empty(cell):
                    raise RowError("the outcome is empty")
                result = _outcome(cell, yes, no)
            if when_column is not None:
                column = when_column
                cell = fields.get(when_column)
                if (not is_empty(cell) and result is not False) or (
                    outcome_column is None and not is_empty(cell)
                ):
                    result = timestamp(cell, tz)
            column = None
            chosen = attributes if attributes is not None else [
                k for k in fields if k not in roles
            ]
            attrs_: dict[str, object] = {}
            for key in chosen:
                value = fields.get(key)
                if not is_empty(value):
                    column = key
                    attrs_[key] = scalar(value)
        except RowError as exc:
            rejected.append(RejectedRow(source=name, row=record.row, column=exc.column or column,
                                        reason=exc.reason, raw=fields))
            continue
        seen[lead_id] = record.row
        rows.append((record.row, lead_id, result, attrs_))
    return rows, rejected


def _numeric_columns(rows: list[_Row], numeric: Literal["infer"] | Sequence[str] | None
                     ) -> tuple[str, ...]:
    if numeric is None:
        return ()
    if numeric != "infer":
        return tuple(numeric)
    candidates: dict[str, bool] = {}
    for _, _, _, values in rows:
        for key, value in values.items():
            if candidates.get(key, True):
                try:
                    number(value)
                    ok = not isinstance(value, bool)
                except RowError:
                    ok = False
                candidates[key] = ok
    return tuple(k for k, ok in candidates.items() if ok)


def _finish(name: str, rows: list[_Row], rejected: list[RejectedRow],
            numeric: Literal["infer"] | Sequence[str] | None, errors: str) -> LeadTable:
    columns = _numeric_columns(rows, numeric)
    wanted = set(columns)
    leads: list[Lead] = []
    outcomes: dict[str, _Outcome] = {}
    for row, lead_id, result, values in rows:
        column = None
        try:
            for key in wanted & values.keys():
                column = key
                values[key] = number(values[key])
            leads.append(Lead(id=lead_id, attributes=values))  # type: ignore[arg-type]
        except (RowError, InvalidValueError) as exc:
            reason = exc.reason if isinstance(exc, RowError) else str(exc)
            rejected.append(RejectedRow(source=name, row=row, column=column, reason=reason))
            continue
        outcomes[lead_id] = result
    rejected.sort(key=lambda r: r.row)
    if rejected and errors == "raise":
        raise rejected[0].to_error()
    return LeadTable(source=name, leads=tuple(leads), outcomes=outcomes,
                     rejected=tuple(rejected), numeric=columns)
