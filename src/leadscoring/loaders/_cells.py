"""Reading one cell: text, numbers, timestamps (internal).

Every function takes a value as a file gives it (a CSV cell is always ``str``; a JSON
value keeps its JSON type) and returns the typed value or raises :class:`RowError` with a
reason a user can act on.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.parser import isoparse

from ..core.aliases import Scalar
from ..core.errors import InvalidValueError
from ..core.times import to_utc

__all__ = [
    "RowError",
    "did_you_mean",
    "is_empty",
    "number",
    "resolve_tz",
    "scalar",
    "text",
    "timestamp",
]

# No two quantifiers of either pattern can match the same characters, so a failing
# match backtracks at most once per character: time linear in the cell's length (the
# former ``\d+\.?\d*`` was quadratic on a long run of digits ending in a non-digit).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_SHOWN = 60
"""Characters of a long value shown in a message."""


def shown(value: object) -> str:
    """``repr(value)``, cut to its first characters (and its length) when it is long."""
    if isinstance(value, str) and len(value) > _SHOWN:
        return f"{value[:_SHOWN]!r}... ({len(value):,} characters)"
    return repr(value)


class RowError(Exception):
    """A row is refused: the column at fault (``None``: the whole row) and why (internal)."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


def is_empty(value: object) -> bool:
    """True for an empty cell: ``None`` (JSON null) or a blank string."""
    return value is None or (isinstance(value, str) and not value.strip())


def kind(value: object) -> str:
    """How a JSON value is named in messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else type(value).__name__


def text(value: object, *, integers: bool = False) -> str:
    """A non-empty string, kept as written; JSON integers too when ``integers`` (ids)."""
    if isinstance(value, str):
        return value
    if integers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise RowError(f"expected a string, got {kind(value)} {value!r}")


def number(value: object) -> int | float:
    """An ``int`` for integral text (``"95"``), a ``float`` otherwise (``"1.5"``, ``"2e3"``).

    NaN and infinities are refused; so is anything else that is not plainly a number
    (``"1,000"``, ``"1_000"``, ``"0x10"``, booleans).
    """
    if isinstance(value, bool):
        raise RowError(f"expected a number, got a boolean {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RowError(f"not a finite number: {value!r}")
        return value
    if not isinstance(value, str):
        raise RowError(f"expected a number, got {kind(value)} {value!r}")
    cell = value.strip()
    if _INTEGER.fullmatch(cell):
        try:
            return int(cell)
        except ValueError:  # more digits than int() converts
            raise RowError(f"integer too long: {shown(value)}") from None
    if _NUMBER.fullmatch(cell):
        parsed = float(cell)
        if math.isfinite(parsed):
            return parsed
        raise RowError(f"not a finite number: {shown(value)}")
    if cell.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise RowError(f"not a finite number: {value!r}")
    raise RowError(f"not a number: {shown(value)}")


def scalar(value: object) -> Scalar:
    """A property or attribute value: a string as written, or a JSON number or boolean."""
    if isinstance(value, float) and not math.isfinite(value):
        raise RowError(f"not a finite number: {value!r}")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise RowError(
        f"expected a string, number, boolean or null, got {kind(value)}; "
        "nested objects and arrays are not property values (flatten them into keys)"
    )


def timestamp(value: object, assume_tz: tzinfo | None) -> datetime:
    """An aware UTC datetime from ISO 8601 text; naive text needs ``assume_tz``."""
    if not isinstance(value, str):
        raise RowError(f"expected an ISO 8601 timestamp string, got {kind(value)} {value!r}")
    text = value.strip()
    try:
        # The C parser reads the common forms fast; dateutil's isoparse the rest.
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = isoparse(text)
        except (ValueError, OverflowError):
            raise RowError(f"not an ISO 8601 timestamp: {value!r}") from None
    if parsed.tzinfo is UTC and type(parsed) is datetime:
        return parsed  # what to_utc returns for it (the usual "Z" or "+00:00" text)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if assume_tz is None:
            raise RowError(
                f"naive timestamp {value!r} has no time zone; write it with an offset "
                "(e.g. '+09:00' or 'Z') or pass assume_tz (e.g. assume_tz='Asia/Tokyo')"
            )
        parsed = parsed.replace(tzinfo=assume_tz)
    try:
        return to_utc(parsed, "at")
    except InvalidValueError as exc:  # e.g. out of range once moved to UTC
        raise RowError(exc.message) from None


def resolve_tz(assume_tz: tzinfo | str | None) -> tzinfo | None:
    """``assume_tz`` as a ``tzinfo``: given as one, or as an IANA name (``"Asia/Tokyo"``)."""
    if assume_tz is None or isinstance(assume_tz, tzinfo):
        return assume_tz
    if isinstance(assume_tz, str):
        try:
            return ZoneInfo(assume_tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidValueError(
        "assume_tz",
        f"unknown time zone {assume_tz!r}; give a tzinfo or an IANA name such as "
        "'Asia/Tokyo' or 'UTC'",
    )


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
    options = [c for c in candidates if c]
    folded = {c.casefold().replace(" ", "_"): c for c in options}
    match = folded.get(name.casefold().replace(" ", "_"))
    if match is None:
        close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f"; did you mean {match!r}?" if match is not None else ""
