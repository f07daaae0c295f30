"""Tests of leadscoring.core.times: datetimes to UTC, and durations in and out of text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    InvalidEventError,
    InvalidValueError,
    LeadScoringError,
    NaiveDatetimeError,
)
from leadscoring.core.times import (
    BEFORE_CALENDAR,
    EARLIEST,
    check_finite,
    format_duration,
    parse_duration,
    sub_duration,
    to_utc,
)

JST = timezone(timedelta(hours=9))

# --------------------------------------------------------------------------- to_utc


def test_to_utc_converts_an_aware_datetime_to_utc() -> None:
    """09:00 in Tokyo (+09:00) is 00:00 UTC the same day."""
    result = to_utc(datetime(2026, 4, 1, 9, 0, tzinfo=JST), "at")
    assert result == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-01T09:00:00+09:00", datetime(2026, 4, 1, 0, 0, tzinfo=UTC)),
        ("2026-04-01T00:00:00Z", datetime(2026, 4, 1, 0, 0, tzinfo=UTC)),
        (" 2026-03-31T23:30:00-01:00 ", datetime(2026, 4, 1, 0, 30, tzinfo=UTC)),
    ],
)
def test_to_utc_parses_iso_text_with_an_offset(text: str, expected: datetime) -> None:
    """ISO 8601 strings with an offset (or Z) parse to the same instant in UTC."""
    result = to_utc(text, "at")
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize("value", [datetime(2026, 4, 1, 9, 0), "2026-04-01T09:00:00"])
def test_to_utc_refuses_naive_datetimes_naming_the_field(value: object) -> None:
    """A datetime or string without a time zone raises NaiveDatetimeError naming the field."""
    with pytest.raises(NaiveDatetimeError, match=r"^Event.at: naive datetime") as info:
        to_utc(value, "Event.at", InvalidEventError)
    assert isinstance(info.value, LeadScoringError)
    assert isinstance(info.value, ValueError)
    assert info.value.field == "Event.at"


@pytest.mark.parametrize("value", [1_775_000_000, date(2026, 4, 1), None, "not a date", ""])
def test_to_utc_refuses_non_datetimes_with_the_given_error(value: object) -> None:
    """Numbers, dates, None and unparsable text raise the error class given, naming the field."""
    with pytest.raises(InvalidEventError, match=r"^Event.at: ") as info:
        to_utc(value, "Event.at", InvalidEventError)
    assert not isinstance(info.value, NaiveDatetimeError)
    assert isinstance(info.value, ValueError)


def test_to_utc_refuses_an_instant_outside_the_datetime_range() -> None:
    """The last hour of year 9999 at -05:00 is past datetime.max in UTC: a clean error."""
    late = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(InvalidValueError, match=r"^as_of: .*out of range"):
        to_utc(late, "as_of")


# --------------------------------------------------------------------------- parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        ("2w", timedelta(days=14)),
        ("1.5d", timedelta(hours=36)),
        (" 7 d ", timedelta(days=7)),
        ("P30D", timedelta(days=30)),
        ("PT12H", timedelta(hours=12)),
        ("PT90M", timedelta(minutes=90)),
        ("P1W", timedelta(days=7)),
        ("P1DT2H", timedelta(hours=26)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("p30d", timedelta(days=30)),
    ],
)
def test_parse_duration_reads_short_and_iso_forms(text: str, expected: timedelta) -> None:
    """Short forms (w/d/h/m/s) and ISO 8601 durations give the fixed timedelta worked out."""
    assert parse_duration(text, "d") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P3M", relativedelta(months=3)),
        ("P1Y", relativedelta(years=1)),
        ("P1Y2M", relativedelta(years=1, months=2)),
    ],
)
def test_parse_duration_reads_calendar_months_when_allowed(
    text: str, expected: relativedelta
) -> None:
    """Months and years give a relativedelta where calendar units are allowed."""
    assert parse_duration(text, "per", calendar=True) == expected


def test_parse_duration_passes_durations_through() -> None:
    """A timedelta is kept; a relativedelta of days becomes a timedelta; months stay calendar."""
    assert parse_duration(timedelta(hours=5), "d") == timedelta(hours=5)
    assert parse_duration(relativedelta(days=2, hours=1), "d") == timedelta(hours=49)
    assert parse_duration(relativedelta(months=2), "d", calendar=True) == relativedelta(months=2)


@pytest.mark.parametrize("value", ["P3M", "P1Y", relativedelta(months=1)])
def test_parse_duration_refuses_months_where_only_fixed_lengths_make_sense(value: object) -> None:
    """Without calendar=True, months and years raise an error naming the field and saying why."""
    with pytest.raises(InvalidValueError, match=r"^within: .*(calendar|months)") as info:
        parse_duration(value, "within")
    assert isinstance(info.value, ValueError)
    assert info.value.field == "within"


@pytest.mark.parametrize(
    ("value", "calendar", "fragment"),
    [
        ("", False, "cannot parse"),
        ("abc", False, "cannot parse"),
        ("30x", False, "cannot parse"),
        ("-1d", False, "cannot parse"),
        ("30D", False, "cannot parse"),
        ("P", False, "cannot parse"),
        ("PT", False, "cannot parse"),
        ("P1DT", False, "cannot parse"),
        ("P1.5M", True, "cannot parse"),
        ("0d", False, "positive"),
        ("PT0S", False, "positive"),
        (timedelta(0), False, "positive"),
        (timedelta(days=-1), False, "positive"),
        (30, False, "expected a duration"),
        (None, False, "expected a duration"),
        (True, False, "expected a duration"),
        ("P1M2D", True, "mixes"),
        (relativedelta(months=-1), True, "whole positive"),
        (relativedelta(months=1, days=2), True, "whole positive"),
        (relativedelta(month=3), True, "absolute"),
        ("99999999999d", False, "out of range"),
    ],
)
def test_parse_duration_refuses_bad_durations(value: object, calendar: bool, fragment: str) -> None:
    """Malformed, zero, negative, mixed and absurdly large durations raise InvalidValueError."""
    with pytest.raises(InvalidValueError, match=fragment) as info:
        parse_duration(value, "Linear.over", calendar=calendar)
    assert str(info.value).startswith("Linear.over: ")


def test_parse_duration_hint_mentions_months_only_where_allowed() -> None:
    """The hint of an unparsable duration offers 'P3M' only when calendar units are allowed."""
    with pytest.raises(InvalidValueError) as fixed:
        parse_duration("soon", "x")
    with pytest.raises(InvalidValueError) as calendar:
        parse_duration("soon", "x", calendar=True)
    assert "P3M" not in str(fixed.value)
    assert "P3M" in str(calendar.value)


# --------------------------------------------------------------------------- format_duration


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(days=14), "2w"),
        (timedelta(days=30), "30d"),
        (timedelta(hours=36), "36h"),
        (timedelta(minutes=90), "90m"),
        (timedelta(seconds=45), "45s"),
        (timedelta(milliseconds=1500), "1.5s"),
        (timedelta(microseconds=1), "0.000001s"),
        (relativedelta(months=3), "P3M"),
        (relativedelta(years=1, months=2), "P1Y2M"),
        (relativedelta(months=12), "P1Y"),
    ],
)
def test_format_duration_gives_the_shortest_exact_text(value: object, text: str) -> None:
    """Whole weeks print as weeks, then days, hours, minutes, seconds; months in ISO form."""
    assert format_duration(value) == text  # type: ignore[arg-type]


@given(st.integers(1, 10**15).map(lambda us: timedelta(microseconds=us)))
def test_format_duration_round_trips_any_fixed_duration(value: timedelta) -> None:
    """parse_duration reads back exactly what format_duration writes, to the microsecond."""
    assert parse_duration(format_duration(value), "d") == value


@given(st.integers(1, 600))
def test_format_duration_round_trips_calendar_months(months: int) -> None:
    """Whole months (and years) survive text and back as an equal relativedelta."""
    value = relativedelta(months=months)
    assert parse_duration(format_duration(value), "per", calendar=True) == value


# --------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 31 March minus one month: there is no 31 February, relativedelta clips to the
        # last day of February: the 28th in 2026, the 29th in leap year 2024.
        (datetime(2026, 3, 31, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 3, 15, 12, tzinfo=UTC), datetime(2026, 2, 15, 12, tzinfo=UTC)),
    ],
)
def test_sub_duration_clips_to_the_end_of_a_shorter_month(
    moment: datetime, expected: datetime
) -> None:
    """Calendar subtraction follows relativedelta: the day is clipped to the month's end."""
    assert sub_duration(moment, relativedelta(months=1)) == expected


def test_sub_duration_before_year_one_is_before_the_calendar() -> None:
    """Year 500 minus 1000 years is before year 1: BEFORE_CALENDAR, below EARLIEST."""
    moment = datetime(500, 1, 1, tzinfo=UTC)
    assert sub_duration(moment, relativedelta(years=1000)) is BEFORE_CALENDAR
    assert sub_duration(moment, timedelta(days=365_000)) is BEFORE_CALENDAR
    assert sub_duration(moment, timedelta(days=365_000)) < EARLIEST
    assert sub_duration(moment, timedelta(days=1)) == datetime(499, 12, 31, tzinfo=UTC)


def test_durations_longer_than_a_thousand_years_are_refused() -> None:
    """1000 years is the longest duration; 1001 years (as days or months) is refused."""
    assert parse_duration("P1000Y", calendar=True) == relativedelta(years=1000)
    with pytest.raises(InvalidValueError, match="longer than 1000 years"):
        parse_duration("P1001Y", calendar=True)
    with pytest.raises(InvalidValueError, match="longer than 1000 years"):
        parse_duration(f"{365 * 1000 + 1}d")


# --------------------------------------------------------------------------- check_finite


def test_check_finite_returns_floats() -> None:
    """Ints and finite floats come back as floats."""
    assert check_finite(3, "points") == 3.0
    assert isinstance(check_finite(3, "points"), float)
    assert check_finite(-2.5, "points") == -2.5


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), True, "3", None])
def test_check_finite_refuses_non_finite_and_non_numbers(value: object) -> None:
    """NaN, infinities, bools, text and None raise the given error naming the field."""
    with pytest.raises(InvalidEventError, match=r"^points: "):
        check_finite(value, "points", InvalidEventError)
