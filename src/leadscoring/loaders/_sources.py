"""Opening a source and splitting it into rows: CSV and JSON Lines (internal).

The readers stream: they hold one row at a time. Whole-file problems (no header, a
missing column, undecodable bytes, broken CSV quoting) raise
:class:`~leadscoring.InvalidInputError`; a bad row comes out as a
:class:`~leadscoring.loaders.RejectedRow` for the caller to report.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePath
from typing import IO, Literal, TypeAlias

import attrs

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.json_keys import unique_keys
from ._cells import did_you_mean, is_empty, kind
from ._result import RejectedRow

__all__ = [
    "Format",
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


_GZIP_FIX = (
    "check that the file was copied whole and is gzip-compressed, or rename it without "
    "'.gz' if it is plain text"
)


def _unzipped(handle: Iterable[str], name: str) -> Iterator[str]:
    """The lines of a gzip file; a corrupt or truncated one raises
    :class:`~leadscoring.InvalidInputError` naming the file."""
    try:
        yield from handle
    except gzip.BadGzipFile:
        raise InvalidInputError(
            f"not a gzip file (it does not start with the gzip signature); {_GZIP_FIX}",
            source=name,
        ) from None
    except EOFError:
        raise InvalidInputError(
            f"the gzip data ends early (the file is truncated); {_GZIP_FIX}", source=name
        ) from None
    except zlib.error:
        raise InvalidInputError(
            f"the gzip data is corrupt; {_GZIP_FIX}", source=name
        ) from None


@contextlib.contextmanager
def open_lines(source: Source, encoding: str) -> Iterator[Iterable[str]]:
    """The lines of ``source``; a path is opened (gzip when it ends in ``.gz``) and closed.

    An open file is read from where it stands and left open; a binary one is decoded
    with ``encoding``. Bytes that do not decode are kept as lone surrogates
    (``surrogateescape``) so that the row holding them can be rejected on its own
    (see :func:`undecoded`).
    """
    if isinstance(source, str | os.PathLike):
        path = os.fsdecode(source)
        if path.lower().endswith(".gz"):
            with gzip.open(
                path, "rt", encoding=encoding, errors="surrogateescape", newline=""
            ) as zipped:
                yield _unzipped(zipped, source_name(source))
        else:
            with open(path, encoding=encoding, errors="surrogateescape", newline="") as plain:
                yield plain
        return
    if _is_binary(source):
        wrapper = io.TextIOWrapper(  # type: ignore[type-var]
            source, encoding=encoding, errors="surrogateescape", newline=""
        )
        try:
            yield wrapper
        finally:
            wrapper.detach()
        return
    yield source  # type: ignore[misc]


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


def _next(rows: Iterator[list[str]], source: str, row: int) -> list[str] | None:
    try:
        return next(rows)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise InvalidInputError(f"malformed CSV: {exc}", source=source, row=row) from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"cannot decode the text ({exc.encoding}): {exc.reason}; pass the right encoding=",
            source=source,
            row=row,
        ) from None


def _header(
    rows: Iterator[list[str]], source: str, needs: Sequence[tuple[str, str]]
) -> list[str]:
    cells = _next(rows, source, 0)
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
    rows = csv.reader(lines, strict=True)
    header = _header(rows, source, needs)
    width = len(header)
    named = [i for i, name in enumerate(header) if name]
    all_named = len(named) == width
    row = 0
    while (cells := _next(rows, source, row + 1)) is not None:
        row += 1
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
            yield RejectedRow(
                source=source, row=row, column=problem[0], reason=problem[1], raw=raw
            )
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

    Blank lines are skipped (and counted). A line that is not valid JSON, or not an
    object, or that repeats a key, is rejected.
    """
    numbered = enumerate(lines, start=1)
    row = 0
    while True:
        try:
            row, line = next(numbered)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"cannot decode the text ({exc.encoding}): {exc.reason}; "
                "pass the right encoding=",
                source=source,
                row=row + 1,
            ) from None
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
