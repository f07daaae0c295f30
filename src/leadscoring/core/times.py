"""Parsing and normalising datetimes and durations.

Everything inside leadscoring is an aware UTC ``datetime``. Naive datetimes are refused at
the edge with :class:`~leadscoring.NaiveDatetimeError`; strings are parsed as ISO 8601.

Durations are ``timedelta`` (fixed length) or ``dateutil.relativedelta`` (calendar months
and years). Text forms: ``"30d"``, ``"12h"``, ``"90m"``, ``"45s"``, ``"2w"``, and ISO 8601
(``"P30D"``, ``"PT12H"``, ``"P3M"``, ``"P1Y2M"``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TypeAlias

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from .errors import InvalidValueError, NaiveDatetimeError
from .limits import is_finite, number_repr

__all__ = [
    "BEFORE_CALENDAR",
    "BEFORE_CALENDAR_US",
    "EARLIEST",
    "EARLIEST_US",
    "EPOCH",
    "Duration",
    "format_duration",
    "from_us",
    "parse_duration",
    "span_us",
    "sub_duration",
    "sub_duration_us",
    "to_us",
    "to_utc",
]

Duration: TypeAlias = timedelta | relativedelta
"""A fixed ``timedelta`` or a calendar ``relativedelta`` (months and years only)."""

_SHORT_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_SHORT = re.compile(r"\A\s*(\d+(?:\.\d+)?)\s*([wdhms])\s*\Z")
_ISO = re.compile(
    r"\AP(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?\Z"
)


def to_utc(
    value: object,
    field: str,
    error: type[InvalidValueError] = InvalidValueError,
    naive: type[NaiveDatetimeError] = NaiveDatetimeError,
) -> datetime:
    """Return ``value`` as an aware UTC datetime.

    ``value`` is a timezone-aware ``datetime`` or an ISO 8601 string with an offset.
    A naive value raises ``naive`` (a :class:`NaiveDatetimeError`) naming ``field``;
    anything else raises ``error``.

    >>> to_utc("2026-04-01T09:00:00+09:00", "at").isoformat()
    '2026-04-01T00:00:00+00:00'
    """
    if type(value) is datetime and value.tzinfo is UTC:
        return value  # what ``value.astimezone(UTC)`` returns for it
    if isinstance(value, str):
        try:
            parsed = isoparse(value.strip())
        except (ValueError, OverflowError):
            raise error(
                field,
                f"not an ISO 8601 datetime: {value!r}; write e.g. '2026-06-30T00:00:00Z' or "
                "'2026-06-30T09:00:00+09:00', or pass a timezone-aware datetime",
            ) from None
        value = parsed
    if not isinstance(value, datetime):
        raise error(field, f"expected a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise naive(
            field,
            f"naive datetime {value.isoformat()} has no time zone; "
            "attach one (e.g. datetime(..., tzinfo=UTC)) or give an ISO string with an offset",
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise error(field, f"{value.isoformat()} is out of range in UTC") from None


def parse_duration(value: object, field: str = "duration", *, calendar: bool = False) -> Duration:
    """Parse a duration given as text, a ``timedelta`` or a ``relativedelta``.

    Months and years are calendar units: they are accepted only when ``calendar`` is true
    and give a ``relativedelta``; everything else gives a ``timedelta``. A duration must
    be positive. Errors are :class:`InvalidValueError` naming ``field``.

    >>> parse_duration("2w")
    datetime.timedelta(days=14)
    >>> parse_duration("P3M", calendar=True)
    relativedelta(months=+3)
    """
    if isinstance(value, timedelta):
        result: Duration = value
    elif isinstance(value, relativedelta):
        result = _from_relativedelta(value, field, calendar)
    elif isinstance(value, str):
        result = _parse_text(value, field, calendar)
    else:
        raise InvalidValueError(
            field, f"expected a duration such as '30d' or 'P3M', got {type(value).__name__}"
        )
    if isinstance(result, timedelta) and result <= timedelta(0):
        raise InvalidValueError(field, f"duration must be positive, got {value!r}")
    if _too_long(result):
        raise InvalidValueError(field, f"duration {value!r} is longer than {MAX_YEARS} years")
    return result


MAX_YEARS = 1000
"""The longest duration accepted: anything longer would overflow date arithmetic."""


def _too_long(value: Duration) -> bool:
    if isinstance(value, relativedelta):
        return value.years * 12 + value.months > MAX_YEARS * 12
    return value > timedelta(days=365 * MAX_YEARS)


def _from_relativedelta(value: relativedelta, field: str, calendar: bool) -> Duration:
    fixed = timedelta(
        days=value.days, hours=value.hours, minutes=value.minutes, seconds=value.seconds
    )
    has_calendar = bool(value.years or value.months)
    if any(
        x is not None
        for x in (value.year, value.month, value.day, value.hour, value.minute, value.weekday)
    ):
        raise InvalidValueError(field, "absolute relativedelta fields are not durations")
    if not has_calendar:
        return fixed
    if not calendar:
        raise InvalidValueError(
            field, "months and years are calendar units and are not allowed here; use days"
        )
    if fixed or value.years < 0 or value.months < 0 or value.microseconds:
        raise InvalidValueError(field, "a calendar duration must be whole positive months/years")
    return relativedelta(years=value.years, months=value.months)


def _parse_text(text: str, field: str, calendar: bool) -> Duration:
    try:
        return _parse_units(text, field, calendar)
    except OverflowError:
        raise InvalidValueError(field, f"duration {text!r} is out of range") from None


def _parse_units(text: str, field: str, calendar: bool) -> Duration:
    short = _SHORT.match(text)
    if short:
        amount = float(short.group(1))
        return timedelta(**{_SHORT_UNITS[short.group(2)]: amount})
    iso = _ISO.match(text.strip().upper())
    if iso and text.strip().upper() not in ("P", "PT") and not text.strip().upper().endswith("T"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v is not None}
        years, months = parts.pop("years", 0.0), parts.pop("months", 0.0)
        if years or months:
            if not calendar:
                raise InvalidValueError(
                    field,
                    f"{text!r} uses months or years, which are calendar units and not "
                    "allowed here; use days (e.g. '90d')",
                )
            if parts:
                raise InvalidValueError(
                    field, f"{text!r} mixes calendar months/years with days or hours"
                )
            return relativedelta(years=int(years), months=int(months))
        return timedelta(**parts)
    hint = "use e.g. '30d', '12h', '90m', '2w' or ISO 8601 such as 'P30D'"
    if calendar:
        hint += " or 'P3M'"
    raise InvalidValueError(field, f"cannot parse duration {text!r}; {hint}")


def format_duration(value: Duration) -> str:
    """The shortest text form of ``value`` that :func:`parse_duration` reads back exactly.

    >>> format_duration(timedelta(days=14))
    '2w'
    >>> format_duration(relativedelta(months=3))
    'P3M'
    """
    if isinstance(value, relativedelta):
        years, months = value.years, value.months
        return "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    micros = value // timedelta(microseconds=1)
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if micros % (size * 1_000_000) == 0:
            return f"{micros // (size * 1_000_000)}{unit}"
    seconds, rest = divmod(micros, 1_000_000)
    return f"{seconds}.{rest:06d}".rstrip("0") + "s"


EARLIEST = datetime.min.replace(tzinfo=UTC)
"""The earliest moment representable (a window start before it is :data:`BEFORE_CALENDAR`)."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Integer-microsecond times (the incremental and columnar engines) count from here."""

_US = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (exact)."""
    return (moment - EPOCH) // _US


def from_us(us: int) -> datetime:
    """The UTC datetime ``us`` microseconds after the Unix epoch (exact)."""
    return EPOCH + timedelta(microseconds=us)


def span_us(span: timedelta) -> int:
    """A fixed duration in whole microseconds (exact)."""
    return span // _US


EARLIEST_US = to_us(EARLIEST)
""":data:`EARLIEST` in microseconds since the epoch."""


class _BeforeCalendar(datetime):
    """The type of :data:`BEFORE_CALENDAR`: a moment earlier than every datetime."""

    __slots__ = ()

    def __lt__(self, other: date) -> bool:
        return not isinstance(other, _BeforeCalendar)

    def __le__(self, other: date) -> bool:
        return True

    def __gt__(self, other: date) -> bool:
        return False

    def __ge__(self, other: date) -> bool:
        return isinstance(other, _BeforeCalendar)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _BeforeCalendar)

    def __ne__(self, other: object) -> bool:
        return not isinstance(other, _BeforeCalendar)

    __hash__ = datetime.__hash__

    def __repr__(self) -> str:
        return "BEFORE_CALENDAR"


BEFORE_CALENDAR: datetime = _BeforeCalendar(1, 1, 1, tzinfo=UTC)
"""The start of a trailing window that reaches back before year 1: it compares below
every datetime (:data:`EARLIEST` included), so such a window, ``(start, end]``, holds
every event up to its end, one at the very first microsecond too."""

BEFORE_CALENDAR_US = EARLIEST_US - 1
""":data:`BEFORE_CALENDAR` in microseconds since the epoch: one before :data:`EARLIEST`."""


def sub_duration(moment: datetime, duration: Duration) -> datetime:
    """``moment - duration`` (calendar-aware for months); :data:`BEFORE_CALENDAR` when that
    is before year 1.

    This is the start of every trailing window: decay windows, limit windows and repeat
    windows, on every engine (:func:`sub_duration_us` is the same on microseconds).

    >>> sub_duration(datetime(2026, 3, 31, tzinfo=UTC), relativedelta(months=1)).date()
    datetime.date(2026, 2, 28)
    >>> sub_duration(datetime(950, 1, 1, tzinfo=UTC), timedelta(days=365_000))
    BEFORE_CALENDAR
    """
    try:
        return moment - duration
    except (OverflowError, ValueError):  # before year 1: nothing can be that old
        return BEFORE_CALENDAR


def sub_duration_us(moment: int, duration: Duration) -> int:
    """:func:`sub_duration` on integer microseconds since the epoch (exact), with
    :data:`BEFORE_CALENDAR_US` for a start before year 1."""
    if isinstance(duration, timedelta):
        return max(moment - span_us(duration), BEFORE_CALENDAR_US)
    start = sub_duration(from_us(moment), duration)
    return BEFORE_CALENDAR_US if start is BEFORE_CALENDAR else to_us(start)


def check_finite(
    value: object, field: str, error: type[InvalidValueError] = InvalidValueError
) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise error(field, f"expected a number, got {type(value).__name__} {value!r}")
    if not is_finite(value):
        raise error(field, f"must be a finite number, got {number_repr(value)}")
    return float(value)
