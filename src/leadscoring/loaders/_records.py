"""Splitting the lines of a source into rows: CSV and JSON Lines records (internal).

The readers stream: they hold one row at a time, and a line of at most
:data:`MAX_LINE_CHARS`, read in bounded pieces. Whole-file problems (no header, a
missing column, undecodable bytes, broken CSV quoting, damaged gzip data) raise
:class:`~leadscoring.InvalidInputError`; a bad row (a line over the limit too) comes out
as a :class:`~leadscoring.loaders.RejectedRow` for the caller to report.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from ..core.errors import InvalidInputError
from ..core.json_keys import unique_keys
from ._cells import did_you_mean, is_empty, kind
from ._result import RejectedRow
from ._sources import _PIECE, _UNDECODED, MAX_LINE_CHARS, LineSource, OverlongLineError, undecoded

__all__ = ["Record", "csv_records", "jsonl_records"]

_SHOWN_COLUMNS = 40


class Record(NamedTuple):
    """One row as read: its number and its values by column name or key (internal)."""

    row: int
    fields: dict[str, object]


def _named(header: Sequence[str], index: int) -> bool:
    return index < len(header) and header[index] != ""


def _label(header: Sequence[str], index: int) -> str:
    return header[index] if _named(header, index) else f"#{index + 1}"


class _CsvLines:
    """Feeds ``csv.reader`` from a :class:`LineSource`; a line over the limit raises
    :class:`OverlongLineError` out of the reader (which starts afresh at its next call)."""

    def __init__(self, lines: LineSource) -> None:
        self.lines = lines
        self.handed = 0
        """Lines handed out for the record being read."""
        self.chars = 0
        """Characters handed out for the record being read: no cell of it is longer."""
        self.low = 0
        """Characters a record may have with the limit as it is (see :func:`_next`)."""
        self.raised = False
        """Whether the record being read holds :data:`_FIELD_LIMIT` raised."""

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        lines = self.lines
        readline = lines.readline
        line: str | OverlongLineError | None
        if readline is not None and lines._pushed is None:
            piece = readline(_PIECE)
            if piece.endswith("\n") and len(piece) <= MAX_LINE_CHARS + 1:
                line = piece  # what lines.line(False) gives for it
            else:
                lines.push(piece)
                line = lines.line(False)
        else:
            line = lines.line(False)
        if line is None:
            raise StopIteration
        if isinstance(line, OverlongLineError):
            line.mid_record = self.handed > 0
            raise line
        self.handed += 1
        self.chars += len(line)
        if self.chars > self.low and not self.raised:
            _FIELD_LIMIT.__enter__()  # before the reader parses the line
            self.raised = True
        return line


class _FieldLimit:
    """Raises ``csv.field_size_limit()`` to :data:`MAX_LINE_CHARS` while a row is parsed
    whose lines are longer than the limit (a shorter row cannot hold a longer cell).

    The setting is global to the process: readers in several threads share one raise
    (the last one out puts the old value back), and a limit already as high is left
    alone.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.saved = 0

    def __enter__(self) -> None:
        with self.lock:
            if self.users == 0:
                self.saved = csv.field_size_limit()
                if self.saved < MAX_LINE_CHARS:
                    csv.field_size_limit(MAX_LINE_CHARS)
            self.users += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.saved < MAX_LINE_CHARS:
                csv.field_size_limit(self.saved)

    def base(self) -> int:
        """The limit as the process has it, not raised by any reader."""
        with self.lock:
            return self.saved if self.users else csv.field_size_limit()


_FIELD_LIMIT = _FieldLimit()


def _next(
    rows: Iterator[list[str]], feed: _CsvLines, source: str, row: int
) -> list[str] | OverlongLineError | None:
    # The limit is raised only for a record whose lines, so far, are longer than the limit
    # could be while it is parsed: the lower of the process's own limit when the file was
    # opened (``feed.low`` before this) and the limit now (any reader's raise excluded).
    feed.handed = feed.chars = 0
    feed.low = min(feed.low, csv.field_size_limit())
    try:
        return next(rows)
    except StopIteration:
        return None
    except OverlongLineError as exc:
        return exc
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise InvalidInputError(
                f"a quoted value over the limit of {MAX_LINE_CHARS:,} characters per cell "
                "(it spans several lines); shorten it, e.g. keep long texts out of the file",
                source=source,
                row=row,
            ) from None
        raise InvalidInputError(f"malformed CSV: {exc}", source=source, row=row) from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"cannot decode the text ({exc.encoding}): {exc.reason}; pass the right encoding=",
            source=source,
            row=row,
        ) from None
    finally:
        if feed.raised:
            feed.raised = False
            _FIELD_LIMIT.__exit__()


def _header(
    rows: Iterator[list[str]], feed: _CsvLines, source: str, needs: Sequence[tuple[str, str]]
) -> list[str]:
    cells = _next(rows, feed, source, 0)
    if isinstance(cells, OverlongLineError):
        raise InvalidInputError(f"in the header: {cells.reason}", source=source, row=0)
    if not cells:
        what = "the file is empty" if cells is None else "the first line is blank"
        raise InvalidInputError(f"{what}; expected a header row", source=source, row=0)
    header = [cell.strip() for cell in cells]
    header[0] = header[0].lstrip("\ufeff").strip()
    for name in header:
        reason = undecoded(name)
        if reason is not None:
            raise InvalidInputError(f"in the header: {reason}", source=source, row=0)
    first: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name in first:
            raise InvalidInputError(
                f"column {name!r} appears twice in the header "
                f"(columns {first[name] + 1} and {index + 1})",
                source=source,
                row=0,
                column=name,
            )
        first.setdefault(name, index)
    for name, why in needs:
        if name not in first:
            named = [n for n in header if n]
            shown = ", ".join(repr(n) for n in named[:_SHOWN_COLUMNS])
            if len(named) > _SHOWN_COLUMNS:
                shown += f" and {len(named) - _SHOWN_COLUMNS} more"
            raise InvalidInputError(
                f"missing column {name!r} ({why}); the header has {shown or 'no names'}"
                f"{did_you_mean(name, named)}",
                source=source,
                row=0,
                column=name,
            )
    return header


def _shape_problem(header: Sequence[str], cells: Sequence[str]) -> tuple[str | None, str] | None:
    """Why a row does not fit the header (column, reason), or ``None`` if it does."""
    width = len(header)
    stray = next(
        (i for i, cell in enumerate(cells) if not _named(header, i) and not is_empty(cell)),
        None,
    )
    short = len(cells) < width and any(header[i] for i in range(len(cells), width))
    if short or (stray is not None and len(cells) != width):
        hint = " (a comma in a value that is not quoted?)" if len(cells) > width else ""
        return None, f"the row has {len(cells)} cells but the header has {width} columns{hint}"
    if stray is not None:
        return (
            f"#{stray + 1}",
            f"a value {cells[stray]!r} under column {stray + 1}, which has no name in the "
            "header; name the column or remove the value",
        )
    return None


def csv_records(
    lines: Iterable[str], source: str, needs: Sequence[tuple[str, str]]
) -> Iterator[Record | RejectedRow]:
    """Rows of a CSV file after its header, which must have every column in ``needs``.

    ``needs`` pairs a column name with why it is needed (for the message). The header is
    row 0; data rows count from 1, blank lines included (and skipped). A column whose
    header cell is empty is ignored while its cells are empty; a value under it, or a
    row with more or fewer cells than the header, rejects the row.
    """
    feed = _CsvLines(lines if isinstance(lines, LineSource) else LineSource(lines, source))
    rows = csv.reader(feed, strict=True)
    feed.low = _FIELD_LIMIT.base()
    header = _header(rows, feed, source, needs)
    width = len(header)
    named = [i for i, name in enumerate(header) if name]
    all_named = len(named) == width
    row = 0
    while (cells := _next(rows, feed, source, row + 1)) is not None:
        row += 1
        if isinstance(cells, OverlongLineError):
            if cells.mid_record or cells.quotes % 2:
                raise InvalidInputError(
                    f"{cells.reason}; it is inside a quoted value that spans lines, so where "
                    "the row ends cannot be told and the rest of the file is not read",
                    source=source,
                    row=row,
                )
            yield RejectedRow(source=source, row=row, column=None, reason=cells.reason)
            continue
        if not cells:
            continue
        problem = None
        if len(cells) != width or not all_named:
            problem = _shape_problem(header, cells)
        joined = "".join(cells)
        if problem is None and not joined.isascii() and _UNDECODED.search(joined):
            index, reason = next(
                (i, r) for i, c in enumerate(cells) if (r := undecoded(c)) is not None
            )
            problem = _label(header, index), reason
        if problem is not None:
            raw = {_label(header, i): cell for i, cell in enumerate(cells)}
            yield RejectedRow(source=source, row=row, column=problem[0], reason=problem[1], raw=raw)
            continue
        if all_named:
            fields: dict[str, object] = dict(zip(header, cells, strict=False))
        else:
            fields = {header[i]: cells[i] for i in named}
        yield Record(row=row, fields=fields)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a finite number and not valid JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=unique_keys, parse_constant=_no_constant)
"""What ``json.loads(text, object_pairs_hook=unique_keys, parse_constant=_no_constant)``
uses, made once (``loads`` makes a decoder per call)."""


def jsonl_records(lines: Iterable[str], source: str) -> Iterator[Record | RejectedRow]:
    """Rows of a JSON Lines file: one JSON object per line; the row is the line number.

    Lines end at ``\\n`` only (a ``\\r`` before it is fine; a lone ``\\r`` is part of the
    line). Blank lines are skipped (and counted). A line that is not valid JSON, or not
    an object, or that repeats a key, or that is over :data:`MAX_LINE_CHARS`, is rejected.
    """
    reader = lines if isinstance(lines, LineSource) else LineSource(lines, source)
    row = 0
    while True:
        try:
            line = reader.line(True)
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"cannot decode the text ({exc.encoding}): {exc.reason}; pass the right encoding=",
                source=source,
                row=row + 1,
            ) from None
        if line is None:
            return
        row += 1
        if isinstance(line, OverlongLineError):
            yield RejectedRow(source=source, row=row, column=None, reason=line.reason)
            continue
        text = line.lstrip("\ufeff").strip() if row == 1 else line.strip()
        if not text:
            continue
        bad = None if text.isascii() else undecoded(text)  # isascii: O(1), no surrogate
        if bad is not None:
            yield RejectedRow(source=source, row=row, column=None, reason=bad)
            continue
        try:
            if text[0] == "\ufeff":  # json.loads refuses it, naming the BOM
                value = json.loads(text, object_pairs_hook=unique_keys, parse_constant=_no_constant)
            else:
                value = _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            reason = f"malformed JSON at column {exc.colno}: {exc.msg}"
            if "control character" in exc.msg:
                reason += (
                    " (a raw tab, carriage return or other control character inside a "
                    "string; write it escaped, e.g. \\t or \\r, as JSON requires)"
                )
        except ValueError as exc:
            reason = f"malformed JSON: {exc}"
        except RecursionError:
            reason = "malformed JSON: nested too deeply"
        else:
            if isinstance(value, dict):
                yield Record(row=row, fields=value)
                continue
            reason = f"expected a JSON object, got {kind(value)}"
        yield RejectedRow(source=source, row=row, column=None, reason=reason)
