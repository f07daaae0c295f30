"""Opening a source and reading its lines, each of bounded length (internal).

A path is opened (gzip when it ends in ``.gz``) and an open file read where it stands;
its lines come one at a time, each of at most :data:`MAX_LINE_CHARS`, read in bounded
pieces. Damaged gzip data raises :class:`~leadscoring.InvalidInputError`; a line over
the limit comes out as an :class:`OverlongLineError` for the caller to reject.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePath
from typing import IO, Literal, TypeAlias

from ..core.errors import InvalidInputError, InvalidValueError

__all__ = [
    "MAX_LINE_CHARS",
    "Format",
    "LineSource",
    "Source",
    "open_lines",
    "resolve_format",
    "source_name",
]


Source: TypeAlias = "str | os.PathLike[str] | IO[str] | IO[bytes]"
"""A path, or an open file (text, or binary decoded with the loader's ``encoding``)."""

Format: TypeAlias = Literal["csv", "jsonl"]
"""``"csv"`` or ``"jsonl"`` (JSON Lines, one object per line)."""

_SUFFIXES: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_UNDECODED = re.compile("[\udc80-\udcff]+")
"""Bytes the decoder could not read, kept by ``errors="surrogateescape"``."""


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
        self.readline = None if gzipped else self._readline
        """``readline`` of a plain text stream (``None`` otherwise): a line read with
        ``readline(size)`` for ``size`` > :data:`MAX_LINE_CHARS` + 1 that ends in
        ``\n`` and is no longer is what :meth:`line` gives, when nothing is pushed
        back; any other piece goes back through :meth:`push`."""

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

    def push(self, piece: str) -> None:
        """Give ``piece`` (read by :attr:`readline`, nothing read since) back, to be read
        again first."""
        self._pushed = piece

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
