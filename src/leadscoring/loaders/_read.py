"""read_leads, read_events and their streaming forms iter_leads, iter_events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import tzinfo
from typing import Literal, Protocol, TypeVar

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.event import Event
from ..core.lead import Lead
from ..core.progress import check_progress, track
from ._cells import RowError, resolve_tz
from ._columns import EventColumns, Extras, LeadColumns
from ._records import csv_records, jsonl_records
from ._result import LoadResult, RejectedRow
from ._rows import _EventMaker, _LeadMaker, _NearMiss, _Reading
from ._sources import DamagedGzipError, Source, open_lines, resolve_format, source_name

__all__ = ["ModelFields", "iter_events", "iter_leads", "read_events", "read_leads"]

T = TypeVar("T")
Errors = Literal["raise", "collect"]
OnReject = Callable[[RejectedRow], object]

_EVENT_COLUMNS = EventColumns()
_LEAD_COLUMNS = LeadColumns()


class ModelFields(Protocol):
    """What a loader asks of the ``model`` it is given (a :class:`~leadscoring.ScoringModel`):
    the (lead attribute, event property) names its rules read and compare to numbers."""

    def fields_read(self) -> tuple[frozenset[str], frozenset[str]]:
        """The names the rules' conditions read."""
        ...  # pragma: no cover - a protocol

    def numeric_fields(self) -> tuple[frozenset[str], frozenset[str]]:
        """The names the rules compare to numbers."""
        ...  # pragma: no cover - a protocol


def _check_model(model: object) -> ModelFields | None:
    if model is None:
        return None
    if not (hasattr(model, "fields_read") and hasattr(model, "numeric_fields")):
        raise InvalidValueError(
            "model", f"expected a ScoringModel (or None), got {type(model).__name__}"
        )
    return model


def _check_strict(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError("strict", f"expected True or False, got {value!r}")
    return value


def _needs(required: tuple[str, ...], spec: Extras, extras_name: str) -> list[tuple[str, str]]:
    needs = [(name, "required") for name in required]
    needs += [(source, f"listed in {extras_name}") for source, _ in spec.pairs or ()]
    needs += [(name, "listed in numeric") for name in sorted(spec.numeric)]
    first: dict[str, str] = {}
    for name, why in needs:
        first.setdefault(name, why)
    return list(first.items())


def _stream(
    source: Source,
    fmt: str,
    encoding: str,
    needs: list[tuple[str, str]],
    make: Callable[[Mapping[str, object], int], T],
    on_reject: OnReject | None,
    near_miss: Callable[[Iterable[str]], None] | None = None,
) -> Iterator[T]:
    name = source_name(source)
    with open_lines(source, encoding) as lines:
        records = csv_records(lines, name, needs) if fmt == "csv" else jsonl_records(lines, name)
        for record in records:
            if isinstance(record, RejectedRow):
                bad = record
            else:
                if near_miss is not None:
                    near_miss(record.fields)
                try:
                    item = make(record.fields, record.row)
                except RowError as exc:
                    bad = RejectedRow(
                        source=name,
                        row=record.row,
                        column=exc.column,
                        reason=exc.reason,
                        raw=record.fields,
                    )
                else:
                    yield item
                    continue
            if on_reject is None:
                raise bad.to_error()
            on_reject(bad)


def _check_common(source: Source, format: str | None, on_reject: OnReject | None) -> str:
    if on_reject is not None and not callable(on_reject):
        raise InvalidValueError("on_reject", f"expected a callable or None, got {on_reject!r}")
    return resolve_format(source_name(source), format)


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "collect"):
        raise InvalidValueError("errors", f"expected 'raise' or 'collect', got {errors!r}")


def _known(known_leads: Iterable[str | Lead] | None) -> frozenset[str] | None:
    if known_leads is None:
        return None
    ids = set()
    for item in known_leads:
        if isinstance(item, Lead):
            ids.add(item.id)
        elif isinstance(item, str):
            ids.add(item)
        else:
            raise InvalidValueError(
                "known_leads", f"expected lead ids (str) or Lead values, got {item!r}"
            )
    return frozenset(ids)


def _event_stream(
    source: Source,
    format: Literal["csv", "jsonl"] | None,
    columns: EventColumns,
    assume_tz: tzinfo | str | None,
    known_leads: Iterable[str | Lead] | None,
    on_reject: OnReject | None,
    encoding: str,
    model: ModelFields | None,
    strict: bool,
    progress: bool,
    keep_first: bool = False,
) -> tuple[Iterator[Event], _Reading]:
    fmt = _check_common(source, format, on_reject)
    if not isinstance(columns, EventColumns):
        raise InvalidValueError("columns", f"expected EventColumns, got {columns!r}")
    reading = _reading(_check_model(model), 1, columns._extras.pairs is not None)
    make = _EventMaker(
        columns, resolve_tz(assume_tz), _known(known_leads), reading, keep_first=keep_first
    )
    needs = _needs(columns.required, columns._extras, "properties")
    optional = {"id": columns.id} if columns.id is not None else {}
    near = _NearMiss(
        source_name(source), "event", optional, columns._extras.roles, _check_strict(strict)
    )
    stream = _stream(source, fmt, encoding, needs, make, on_reject, near)
    return _tracked(stream, progress, source), reading


def _lead_stream(
    source: Source,
    format: Literal["csv", "jsonl"] | None,
    columns: LeadColumns,
    assume_tz: tzinfo | str | None,
    on_reject: OnReject | None,
    encoding: str,
    model: ModelFields | None,
    strict: bool,
    progress: bool,
) -> tuple[Iterator[Lead], _Reading]:
    fmt = _check_common(source, format, on_reject)
    if not isinstance(columns, LeadColumns):
        raise InvalidValueError("columns", f"expected LeadColumns, got {columns!r}")
    reading = _reading(_check_model(model), 0, columns._extras.pairs is not None)
    make = _LeadMaker(columns, resolve_tz(assume_tz), reading)
    needs = _needs(columns.required, columns._extras, "attributes")
    optional = {
        name: column
        for name, column in (
            ("status", columns.status),
            ("status_changed_at", columns.status_changed_at),
            ("account_id", columns.account_id),
        )
        if column is not None
    }
    near = _NearMiss(
        source_name(source), "lead", optional, columns._extras.roles, _check_strict(strict)
    )
    stream = _stream(source, fmt, encoding, needs, make, on_reject, near)
    return _tracked(stream, progress, source), reading


def _reading(model: ModelFields | None, side: int, selected: bool) -> _Reading:
    """What a model (``side`` 0: lead attributes, 1: event properties) adds to a read."""
    if model is None:
        return _Reading(known=frozenset() if selected else None) if selected else _Reading()
    return _Reading(numeric=model.numeric_fields()[side], known=model.fields_read()[side])


def _counted(stream: Iterator[T]) -> Iterator[T]:
    """``stream``, but damaged gzip data raises saying how many rows came before."""
    yielded = 0
    try:
        for item in stream:
            yield item
            yielded += 1
    except DamagedGzipError as exc:
        raise InvalidInputError(
            f"{exc.reason}; {yielded:,} row(s) were already yielded from this file and may "
            "come from the damaged data: discard them (roll back what was done with them)",
            source=exc.source,
        ) from None
    finally:
        close = getattr(stream, "close", None)
        if callable(close):
            close()  # closing the stream closes the file at once


def _tracked(stream: Iterator[T], progress: bool, source: Source) -> Iterator[T]:
    check_progress(progress)
    return track(stream, progress=progress, desc=f"reading {source_name(source)}", unit="rows")


def iter_events(
    source: Source,
    *,
    format: Literal["csv", "jsonl"] | None = None,
    columns: EventColumns = _EVENT_COLUMNS,
    assume_tz: tzinfo | str | None = None,
    known_leads: Iterable[str | Lead] | None = None,
    on_reject: OnReject | None = None,
    encoding: str = "utf-8-sig",
    model: ModelFields | None = None,
    strict: bool = False,
    progress: bool = False,
) -> Iterator[Event]:
    """Stream the events of a CSV or JSON Lines file, one row at a time.

    Returns a generator: the file is opened on the first ``next()`` and read as the
    events are taken, so memory stays flat however large the file. Arguments are as in
    :func:`read_events`, except that bad rows go to ``on_reject``: ``None`` (the
    default) raises :class:`~leadscoring.InvalidInputError` at the first bad row; a
    callable gets a :class:`RejectedRow` for each bad row and the stream goes on.
    Damaged gzip data (found at the end, for a wrong checksum) raises with the number of
    events already yielded, which may come from the damaged data.

    >>> import io
    >>> rows = io.StringIO("lead_id,type,at\\nL1,page_view,2026-04-01T09:00:00Z\\n")
    >>> [e.type for e in iter_events(rows, format="csv")]
    ['page_view']
    """
    stream, _ = _event_stream(
        source,
        format,
        columns,
        assume_tz,
        known_leads,
        on_reject,
        encoding,
        model,
        strict,
        progress,
    )
    return _counted(stream)


def iter_leads(
    source: Source,
    *,
    format: Literal["csv", "jsonl"] | None = None,
    columns: LeadColumns = _LEAD_COLUMNS,
    assume_tz: tzinfo | str | None = None,
    on_reject: OnReject | None = None,
    encoding: str = "utf-8-sig",
    model: ModelFields | None = None,
    strict: bool = False,
    progress: bool = False,
) -> Iterator[Lead]:
    """Stream the leads of a CSV or JSON Lines file, one row at a time.

    Like :func:`iter_events`; arguments as in :func:`read_leads`. To reject a second row
    for the same lead id it remembers the ids read so far (a set of strings).
    """
    stream, _ = _lead_stream(
        source, format, columns, assume_tz, on_reject, encoding, model, strict, progress
    )
    return _counted(stream)


def _collect(
    stream: Callable[[OnReject | None], tuple[Iterator[T], _Reading]], errors: Errors
) -> LoadResult[T]:
    _check_errors(errors)
    rejected: list[RejectedRow] = []
    items, reading = stream(rejected.append if errors == "collect" else None)
    rows = tuple(items)
    return LoadResult(rows=rows, rejected=tuple(rejected), unknown_keys=reading.unknown)


def read_events(
    source: Source,
    *,
    format: Literal["csv", "jsonl"] | None = None,
    columns: EventColumns = _EVENT_COLUMNS,
    assume_tz: tzinfo | str | None = None,
    known_leads: Iterable[str | Lead] | None = None,
    errors: Errors = "raise",
    encoding: str = "utf-8-sig",
    model: ModelFields | None = None,
    strict: bool = False,
    progress: bool = False,
) -> LoadResult[Event]:
    """Read the events of a CSV or JSON Lines file.

    ``source`` is a path (``.csv``, ``.jsonl``, ``.ndjson``, each optionally ``.gz``) or
    an open file; ``format`` overrides the suffix (and is needed for a file without a
    name, like ``io.StringIO``). ``columns`` says which column holds what (see
    :class:`EventColumns`). Timestamps are ISO 8601; one without an offset is rejected
    unless ``assume_tz`` (a ``tzinfo`` or an IANA name such as ``"Asia/Tokyo"``) says
    where it was written. With ``known_leads`` (lead ids or :class:`~leadscoring.Lead`
    values) an event of any other lead is rejected as ``unknown lead id``. Two rows of
    one lead sharing an event id but differing in content are a bad row (the second
    names the first).

    ``model`` (a :class:`~leadscoring.ScoringModel`) reads text cells of the properties
    its rules compare to numbers as numbers (``"95"`` matches ``gte(60)``), as the command
    line does, and counts the keys no rule reads in :attr:`LoadResult.unknown_keys`. A
    column that nearly matches a missing optional column (``event_id`` for ``id``) warns
    with :class:`~leadscoring.ColumnNameWarning`; ``strict=True`` raises instead.
    ``progress=True`` shows a progress bar (needs ``tqdm``: the ``progress`` extra).

    ``errors="raise"`` (the default) raises :class:`~leadscoring.InvalidInputError`
    naming the file, row, column and reason at the first bad row; ``errors="collect"``
    keeps going and returns every bad row in :attr:`LoadResult.rejected`. Problems with
    the whole file (a missing column, an empty file, undecodable text, damaged gzip
    data) raise in both modes. A line over 1,048,576 characters (1 Mi) is a
    bad row; the reading goes on past it.

    >>> import io
    >>> text = "lead_id,type,at\\nL1,page_view,2026-04-01 09:00\\n"
    >>> result = read_events(io.StringIO(text), format="csv", errors="collect")
    >>> result.rows, result.rejected[0].reason[:34]
    ((), "naive timestamp '2026-04-01 09:00'")
    >>> read_events(io.StringIO(text), format="csv", assume_tz="UTC").rows[0].at.hour
    9
    """
    return _collect(
        lambda on_reject: _event_stream(
            source,
            format,
            columns,
            assume_tz,
            known_leads,
            on_reject,
            encoding,
            model,
            strict,
            progress,
            True,  # read_events keeps every event: the maker may too (see _EventMaker)
        ),
        errors,
    )


def read_leads(
    source: Source,
    *,
    format: Literal["csv", "jsonl"] | None = None,
    columns: LeadColumns = _LEAD_COLUMNS,
    assume_tz: tzinfo | str | None = None,
    errors: Errors = "raise",
    encoding: str = "utf-8-sig",
    model: ModelFields | None = None,
    strict: bool = False,
    progress: bool = False,
) -> LoadResult[Lead]:
    """Read the leads of a CSV or JSON Lines file.

    Arguments are as in :func:`read_events`; ``columns`` is a :class:`LeadColumns`.
    ``assume_tz`` applies to ``status_changed_at``. An empty status cell means
    ``LeadStatus.OPEN``; a second row with a lead id already read is rejected.
    ``model`` reads the attributes its rules compare to numbers as numbers; a column
    such as ``Status`` (for ``status``) warns, or raises with ``strict=True``.

    >>> import io
    >>> text = "id,status,industry\\nL1,won,it\\nL2,,retail\\n"
    >>> [(lead.id, lead.status.value, dict(lead.attributes))
    ...  for lead in read_leads(io.StringIO(text), format="csv").rows]
    [('L1', 'won', {'industry': 'it'}), ('L2', 'open', {'industry': 'retail'})]
    """
    return _collect(
        lambda on_reject: _lead_stream(
            source, format, columns, assume_tz, on_reject, encoding, model, strict, progress
        ),
        errors,
    )
