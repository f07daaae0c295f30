"""Opening a source and splitting it into rows: CSV and JSON Lines (internal).

The readers stream: they hold one row at a time, and a line of at most
:data:`MAX_LINE_CHARS`, read in bounded pieces. Whole-file problems (no header, a
missing column, undecodable bytes, broken CSV quoting, damaged gzip data) raise
:class:`~leadscoring.InvalidInputError`; a bad row (a line over the limit too) comes out
as a :class:`~leadscoring.loaders.RejectedRow` for the caller to report.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import PurePath
from typing import IO, Literal, TypeAlias

import attrs

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.json_keys import unique_keys
from ._cells import did_you_mean, is_empty, kind
from ._result import RejectedRow

__all__ = [
    "MAX_LINE_CHARS",
    "Format",
    "LineSource",
    "Record",
    "Source",
    "csv_records",
    "jsonl_records",
    "open_lines",
    "resolve_format",
    "source_name",
]

Source: TypeAlias = "str | os.PathLike[str] | IO[str] | IO[bytes]"
"""A path, or an open file (text, or binary decoded with the loader's ``encoding``)."""

Format: TypeAlias = Literal["csv", "jsonl"]
"""``"csv"`` or ``"jsonl"`` (JSON Lines, one object per line)."""

_SUFFIXES: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_SHOWN_COLUMNS = 40
_UNDECODED = re.compile("[\udc80-\udcff]+")
"""Bytes the decoder could not read, kept by ``errors="surrogateescape"``."""


@attrs.frozen
class Record:
    """One row as read: its number and its values by column name or key (internal)."""

    row: int
    fields: dict[str, object]


def source_name(source: Source) -> str:
    """The name messages use: the path as given, a file's ``name``, or ``"<input>"``."""
    if isinstance(source, str | os.PathLike):
        return os.fsdecode(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) and name else "<input>"


def resolve_format(name: str, format: str | None) -> Format:
    """``format`` checked, or the format told by the suffix of ``name`` (``.gz`` skipped)."""
    if format is not None:
        if format in ("csv", "jsonl"):
            return "csv" if format == "csv" else "jsonl"
        raise InvalidValueError("format", f"expected 'csv' or 'jsonl', got {format!r}")
    suffixes = [s.lower() for s in PurePath(name).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    found = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise InvalidValueError(
            "format",
            f"cannot tell the format of {name!r} from its suffix (.csv, .jsonl, .ndjson); "
            "pass format='csv' or format='jsonl'",
        )
    return found


def _is_binary(stream: IO[str] | IO[bytes]) -> bool:
    if isinstance(stream, io.TextIOBase):
        return False
    if isinstance(stream, io.RawIOBase | io.BufferedIOBase):
        return True
    try:
        return isinstance(stream.read(0), bytes)
    except (AttributeError, OSError):  # io.UnsupportedOperation is an OSError
        return False


MAX_LINE_CHARS = 1_048_576
"""The longest line the loaders read, in characters (1 Mi, line end not counted).

A longer line is read in bounded pieces and skipped, never held whole, and its row is
rejected. It also bounds a cell: a CSV cell may be up to this long, even when a quoted
value spans several lines.
"""

_PIECE = MAX_LINE_CHARS + 2
"""Characters asked of ``readline`` at a time: a longest line and its ``\\r\\n``."""

_GZIP_FIX = (
    "check that the file was copied whole and is gzip-compressed, or rename it without "
    "'.gz' if it is plain text"
)


class OverlongLineError(Exception):
    """A line over :data:`MAX_LINE_CHARS`, already skipped (internal).

    ``length`` is its length in characters, ``quotes`` how many ``"`` it holds, and
    ``mid_record`` whether earlier lines of the same CSV record came before it.
    """

    def __init__(self, length: int, quotes: int) -> None:
        super().__init__(length)
        self.length = length
        self.quotes = quotes
        self.mid_record = False

    @property
    def reason(self) -> str:
        """Why the row is rejected, and how to fix it."""
        return (
            f"the line is {self.length:,} characters long, over the limit of "
            f"{MAX_LINE_CHARS:,} characters per line; the row is skipped (shorten its "
            "values, e.g. keep long texts out of the file)"
        )


class DamagedGzipError(InvalidInputError):
    """Gzip data that is truncated or corrupt, found while reading (internal).

    Rows read before may come from the damaged data: the streaming loaders say how many
    they yielded (see :func:`~leadscoring.loaders.iter_events`).
    """


def _gzip_error(exc: Exception, name: str) -> InvalidInputError:
    if isinstance(exc, EOFError):
        what = "the gzip data ends early (the file is truncated)"
    elif isinstance(exc, gzip.BadGzipFile) and str(exc).startswith("Not a gzipped file"):
        what = "not a gzip file (it does not start with the gzip signature)"
    else:
        what = f"the gzip data is damaged ({exc})"
    return DamagedGzipError(f"{what}; {_GZIP_FIX}", source=name)


class LineSource:
    """The lines of an open text file, read in pieces of bounded size (internal).

    :meth:`line` gives one line at a time, its end kept, or :class:`OverlongLineError` for a line
    over :data:`MAX_LINE_CHARS`. Iterating gives the text in pieces (a line, or part of
    a long one) that join into the whole text. Damaged gzip data raises
    :class:`~leadscoring.InvalidInputError` naming the file.
    """

    def __init__(self, stream: IO[str] | Iterable[str], name: str, *, gzipped: bool = False):
        readline = getattr(stream, "readline", None)
        self._readline: Callable[[int], str] | None = readline if callable(readline) else None
        self._items: Iterator[str] | None = None if self._readline else iter(stream)
        self._pushed: str | None = None
        self.name = name
        self.gzipped = gzipped

    def _piece(self, size: int) -> str:
        if self._pushed is not None:
            piece, self._pushed = self._pushed, None
            return piece
        if self._readline is None:
            raise AssertionError("_piece needs a readline")  # pragma: no cover
        if not self.gzipped:
            return self._readline(size)
        try:
            return self._readline(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise _gzip_error(exc, self.name) from None

    def __iter__(self) -> Iterator[str]:
        if self._items is not None:
            yield from self._items
            return
        while piece := self._piece(_PIECE):
            yield piece

    def line(self, lf_only: bool) -> str | OverlongLineError | None:
        """The next line with its end, :class:`OverlongLineError`, or ``None`` at the end.

        Lines end at ``\\n``, or (unless ``lf_only``, as in JSON Lines) at ``\\r\\n``
        or a lone ``\\r``, as the stream splits them.
        """
        if self._items is not None:
            item = next(self._items, None)
            if item is None:
                return None
            length = len(item.rstrip("\r\n"))
            return item if length <= MAX_LINE_CHARS else OverlongLineError(length, item.count('"'))
        piece = self._piece(_PIECE)
        if piece.endswith("\n") and len(piece) <= MAX_LINE_CHARS + 1:
            return piece  # the common case: a whole line, within the limit
        parts: list[str] = []
        size = quotes = ending = 0
        while piece:
            size += len(piece)
            quotes += piece.count('"')
            if size <= _PIECE:
                parts.append(piece)
            else:
                parts.clear()  # over the limit: count the rest, keep none of it
            if piece.endswith("\n"):
                ending = 2 if piece.endswith("\r\n") else 1
                break
            if piece.endswith("\r") and not lf_only:
                ending = 1
                if len(piece) >= _PIECE:  # cut by the size: maybe "\r" then "\n"
                    after = self._piece(_PIECE)
                    if after == "\n":
                        size, ending = size + 1, 2
                        parts.append(after)
                    elif after:
                        self._pushed = after
                break
            piece = self._piece(_PIECE)
        if size == 0:
            return None
        if ending == 0 and lf_only and parts and parts[-1].endswith("\r"):
            ending = 1  # a lone "\r" at the very end of the file
        length = size - ending
        if length > MAX_LINE_CHARS:
            return OverlongLineError(length, quotes)
        return "".join(parts)


@contextlib.contextmanager
def open_lines(source: Source, encoding: str) -> Iterator[LineSource]:
    """The lines of ``source``; a path is opened (gzip when it ends in ``.gz``) and closed.

    An open file is read from where it stands and left open; a binary one is decoded
    with ``encoding``. Bytes that do not decode are kept as lone surrogates
    (``surrogateescape``) so that the row holding them can be rejected on its own
    (see :func:`undecoded`).
    """
    name = source_name(source)
    if isinstance(source, str | os.PathLike):
        path = os.fsdecode(source)
        if path.lower().endswith(".gz"):
            with open(path, "rb") as packed:
                if os.fstat(packed.fileno()).st_size == 0:  # gzip reads it as empty text
                    raise DamagedGzipError(
                        f"the file is empty (0 bytes), with no gzip data; {_GZIP_FIX}",
                        source=name,
                    )
                with gzip.open(
                    packed, "rt", encoding=encoding, errors="surrogateescape", newline=""
                ) as zipped:
                    yield LineSource(zipped, name, gzipped=True)
        else:
            with open(path, encoding=encoding, errors="surrogateescape", newline="") as plain:
                yield LineSource(plain, name)
        return
    if _is_binary(source):
        wrapper = io.TextIOWrapper(  # type: ignore[type-var]
            source, encoding=encoding, errors="surrogateescape", newline=""
        )
        try:
            yield LineSource(wrapper, name)
        finally:
            wrapper.detach()
        return
    yield LineSource(source, name)  # type: ignore[arg-type]


def _named(header: Sequence[str], index: int) -> bool:
    return index < len(header) and header[index] != ""


def _label(header: Sequence[str], index: int) -> str:
    return header[index] if _named(header, index) else f"#{index + 1}"


def undecoded(text: str) -> str | None:
    """The reason to reject ``text`` if it holds bytes that did not decode, else ``None``."""
    found = _UNDECODED.search(text)
    if found is None:
        return None
    raw = bytes(ord(c) - 0xDC00 for c in found.group()[:8])
    return (
        f"bytes {raw!r} are not valid text in the file's encoding; pass encoding= "
        "(e.g. 'cp932', 'latin-1')"
    )


class _CsvLines:
    """Feeds ``csv.reader`` from a :class:`LineSource`; a line over the limit raises
    :class:`OverlongLineError` out of the reader (which starts afresh at its next call)."""

    def __init__(self, lines: LineSource) -> None:
        self.lines = lines
        self.handed = 0
        """Lines handed out for the record being read."""

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self.lines.line(False)
        if line is None:
            raise StopIteration
        if isinstance(line, OverlongLineError):
            line.mid_record = self.handed > 0
            raise line
        self.handed += 1
        return line


class _FieldLimit:
    """Raises ``csv.field_size_limit()`` to :data:`MAX_LINE_CHARS` while a row is parsed.

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


_FIELD_LIMIT = _FieldLimit()


def _next(
    rows: Iterator[list[str]], feed: _CsvLines, source: str, row: int
) -> list[str] | OverlongLineError | None:
    feed.handed = 0
    try:
        with _FIELD_LIMIT:
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
        if problem is None and _UNDECODED.search("".join(cells)):
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
        bad = undecoded(text)
        if bad is not None:
            yield RejectedRow(source=source, row=row, column=None, reason=bad)
            continue
        try:
            value = json.loads(text, object_pairs_hook=unique_keys, parse_constant=_no_constant)
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
