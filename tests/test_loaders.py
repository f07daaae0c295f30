"""Tests for leadscoring.loaders: CSV and JSON Lines in, Leads and Events out, bad rows named."""

from __future__ import annotations

import csv
import gzip
import inspect
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import Event, InvalidInputError, InvalidValueError, Lead, LeadStatus
from leadscoring.loaders import (
    EventColumns,
    LeadColumns,
    LoadResult,
    RejectedRow,
    iter_events,
    iter_leads,
    read_events,
    read_leads,
)
from strategies import csv_events, jsonl_events, loadable_text

# A CSV full of bad rows, as a spreadsheet export writes it: a BOM, CRLF line ends and a
# header that ends in ',' (an unnamed sixth column, like the X Education file). Data row n
# is line n + 1 of the file.
BAD_ROWS = [
    "lead_id,type,at,category,duration_s,",
    "L1,page_view,2026-04-01T09:00:00+09:00,pricing,95,",  # 1 kept
    "L1,page_view,2026-04-01 09:00:00,pricing,95,",  # 2 naive timestamp
    "L9,page_view,2026-04-01T09:00:00Z,blog,10,",  # 3 unknown lead id
    "L2,form_submit,2026-04-02T10:00:00Z,contact,abc,",  # 4 not a number
    'L2,page_view,2026-04-02T11:00:00Z,"case_study, retail",30,',  # 5 kept: quoted comma
    ",page_view,2026-04-02T11:00:00Z,blog,5,",  # 6 empty lead id
    "L1,,2026-04-02T11:00:00Z,blog,5,",  # 7 empty type
    "L1,page_view,yesterday,blog,5,",  # 8 not a timestamp
    "",  # 9 blank line: skipped, still counted
    "L2,page_view,2026-04-03T08:00:00Z,blog,,",  # 10 kept, duration_s absent
    "L2,page_view,2026-04-03T08:00:00Z,blog,NaN,",  # 11 not finite
    "L2,page_view,2026-04-03T08:00:00Z,blog,5,stray",  # 12 value in the unnamed column
    "L2,page_view,2026-04-03T08:00:00Z,Tokyo, Japan,5,",  # 13 unquoted comma: 7 cells
    "L2,page_view",  # 14 too few cells
    'L1,email_click,2026-04-04T00:00:00Z,"say ""hi""",7.5,',  # 15 kept: escaped quotes
]
EXPECTED_REJECTED = [
    (2, "at", "naive timestamp '2026-04-01 09:00:00' has no time zone"),
    (3, "lead_id", "unknown lead id 'L9'"),
    (4, "duration_s", "not a number: 'abc'"),
    (6, "lead_id", "required value is empty"),
    (7, "type", "required value is empty"),
    (8, "at", "not an ISO 8601 timestamp: 'yesterday'"),
    (11, "duration_s", "not a finite number: 'NaN'"),
    (12, "#6", "a value 'stray' under column 6, which has no name in the header"),
    (13, None, "the row has 7 cells but the header has 6 columns"),
    (14, None, "the row has 2 cells but the header has 6 columns"),
]
BAD_COLUMNS = EventColumns(numeric=("duration_s",))


def write(path: Path, lines: list[str], *, bom: bool = True, newline: str = "\r\n") -> Path:
    """Write ``lines`` as UTF-8 bytes (with a BOM by default), each ended by ``newline``."""
    data = "".join(line + newline for line in lines).encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def at(text: str) -> datetime:
    """A UTC datetime from ISO text."""
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def bad_csv(tmp_path: Path) -> Path:
    """The bad-row CSV on disk."""
    return write(tmp_path / "events.csv", BAD_ROWS)


# --- the bad-row CSV ---------------------------------------------------------------------


def test_bad_rows_are_rejected_with_row_column_and_reason(bad_csv: Path) -> None:
    """Every bad row is rejected with its data-row number, column and reason; the rest kept."""
    result = read_events(
        bad_csv, columns=BAD_COLUMNS, known_leads={"L1", "L2"}, errors="collect"
    )
    got = [(r.row, r.column, r.reason) for r in result.rejected]
    assert [(row, column) for row, column, _ in got] == [
        (row, column) for row, column, _ in EXPECTED_REJECTED
    ]
    for (_, _, reason), (_, _, expected) in zip(got, EXPECTED_REJECTED, strict=True):
        assert reason.startswith(expected)
    assert all(r.source == str(bad_csv) for r in result.rejected)


def test_bad_csv_keeps_the_good_rows_exactly(bad_csv: Path) -> None:
    """Rows 1, 5, 10 and 15 come back as events: BOM, CRLF and quotes handled, blanks absent."""
    result = read_events(
        bad_csv, columns=BAD_COLUMNS, known_leads={"L1", "L2"}, errors="collect"
    )
    assert result.rows == (
        Event(
            lead_id="L1", type="page_view", at=at("2026-04-01T00:00:00+00:00"),
            properties={"category": "pricing", "duration_s": 95},
        ),
        Event(
            lead_id="L2", type="page_view", at=at("2026-04-02T11:00:00+00:00"),
            properties={"category": "case_study, retail", "duration_s": 30},
        ),
        Event(
            lead_id="L2", type="page_view", at=at("2026-04-03T08:00:00+00:00"),
            properties={"category": "blog"},
        ),
        Event(
            lead_id="L1", type="email_click", at=at("2026-04-04T00:00:00+00:00"),
            properties={"category": 'say "hi"', "duration_s": 7.5},
        ),
    )
    assert isinstance(result.rows[0].properties["duration_s"], int)
    assert not result.ok


def test_every_row_is_kept_or_rejected(bad_csv: Path) -> None:
    """No row is dropped silently: kept + rejected = every non-blank data row."""
    result = read_events(
        bad_csv, columns=BAD_COLUMNS, known_leads={"L1", "L2"}, errors="collect"
    )
    non_blank = sum(1 for line in BAD_ROWS[1:] if line)
    assert len(result.rows) + len(result.rejected) == non_blank


def test_raise_mode_stops_at_the_first_bad_row(bad_csv: Path) -> None:
    """errors='raise' raises InvalidInputError naming file, row 2 and column 'at'."""
    with pytest.raises(InvalidInputError) as info:
        read_events(bad_csv, columns=BAD_COLUMNS, known_leads={"L1", "L2"})
    error = info.value
    assert (error.source, error.row, error.column) == (str(bad_csv), 2, "at")
    assert "assume_tz" in error.reason
    assert str(error).startswith(f"{bad_csv}, row 2, column 'at': naive timestamp")


def test_rejected_row_keeps_the_raw_cells(bad_csv: Path) -> None:
    """A rejected CSV row carries its cells by column name ('#6' for the unnamed column)."""
    result = read_events(bad_csv, columns=BAD_COLUMNS, errors="collect")
    stray = next(r for r in result.rejected if r.row == 12)
    assert stray.raw is not None
    assert stray.raw["#6"] == "stray"
    assert stray.raw["category"] == "blog"
    assert stray.to_dict()["column"] == "#6"
    assert str(stray) == str(stray.to_error())


def test_assume_tz_accepts_the_naive_row(bad_csv: Path) -> None:
    """With assume_tz='Asia/Tokyo' row 2 is kept, 09:00 in Tokyo being 00:00 UTC."""
    result = read_events(
        bad_csv, columns=BAD_COLUMNS, known_leads={"L1", "L2"}, errors="collect",
        assume_tz="Asia/Tokyo",
    )
    assert 2 not in [r.row for r in result.rejected]
    assert result.rows[1].at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


# --- whole-file problems -----------------------------------------------------------------


def test_missing_required_column_is_a_file_error_even_when_collecting(tmp_path: Path) -> None:
    """A missing column raises at row 0 with the columns found and a did-you-mean hint."""
    path = write(tmp_path / "e.csv", ["lead,type,timestamp", "L1,page_view,2026-01-01T00:00Z"])
    with pytest.raises(InvalidInputError) as info:
        read_events(path, errors="collect")
    assert (info.value.row, info.value.column) == (0, "lead_id")
    assert "the header has 'lead', 'type', 'timestamp'" in info.value.reason
    assert info.value.reason.endswith("did you mean 'lead'?")


def test_case_and_spaces_count_for_did_you_mean(tmp_path: Path) -> None:
    """'Prospect Id' suggests 'Prospect ID' (the X Education spelling)."""
    path = write(tmp_path / "l.csv", ["Prospect ID,Lead Source,", "p1,Google,"])
    with pytest.raises(InvalidInputError, match="did you mean 'Prospect ID'"):
        read_leads(path, columns=LeadColumns(id="Prospect Id"))


def test_listed_property_and_numeric_columns_must_exist(tmp_path: Path) -> None:
    """A column named in properties or numeric but absent from the header is a file error."""
    path = write(tmp_path / "e.csv", ["lead_id,type,at,category", "L1,v,2026-01-01T00:00Z,blog"])
    with pytest.raises(InvalidInputError, match=r"missing column 'url' \(listed in properties\)"):
        read_events(path, columns=EventColumns(properties=("category", "url")))
    with pytest.raises(InvalidInputError, match=r"missing column 'secs' \(listed in numeric\)"):
        read_events(path, columns=EventColumns(numeric=("secs",)))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty; expected a header row"),
        ("\r\nlead_id,type,at\r\n", "the first line is blank; expected a header row"),
        ("lead_id,type,at,type\r\n", "column 'type' appears twice in the header (columns 2 and 4)"),
    ],
)
def test_bad_headers_raise_at_row_0(content: str, reason: str) -> None:
    """An empty file, a blank first line or a repeated column name is a file error."""
    with pytest.raises(InvalidInputError) as info:
        read_events(io.StringIO(content), format="csv", errors="collect")
    assert (info.value.row, info.value.reason) == (0, reason)


def test_undecodable_bytes_reject_their_row(tmp_path: Path) -> None:
    """Latin-1 bytes in a UTF-8 file reject the row and column they are in, not the file."""
    path = tmp_path / "e.csv"
    path.write_bytes(
        b"lead_id,type,at\r\nL1,v,2026-01-01T00:00Z\r\nL\xe9,v,2026-01-01T00:00Z\r\n"
    )
    result = read_events(path, errors="collect")
    assert [e.lead_id for e in result.rows] == ["L1"]
    (bad,) = result.rejected
    assert (bad.row, bad.column) == (2, "lead_id")
    assert bad.reason.startswith("bytes b'\\xe9' are not valid text in the file's encoding")
    assert read_events(path, encoding="latin-1").rows[1].lead_id == "Lé"


def test_undecodable_bytes_in_jsonl_and_binary_streams() -> None:
    """A JSON line with bytes that do not decode is rejected by line number."""
    data = io.BytesIO(
        b'{"lead_id": "L1", "type": "v", "at": "2026-01-01T00:00Z"}\n'
        b'{"lead_id": "L\xff", "type": "v", "at": "2026-01-01T00:00Z"}\n'
    )
    result = read_events(data, format="jsonl", errors="collect")
    assert len(result.rows) == 1
    assert (result.rejected[0].row, result.rejected[0].column) == (2, None)
    assert "not valid text" in result.rejected[0].reason


def test_undecodable_text_stream_is_a_file_error() -> None:
    """A text stream that fails to decode (the caller's strict decoder) is a file error."""
    data = io.TextIOWrapper(io.BytesIO(b"lead_id,type,at\nL\xff,v,x\n"), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="cannot decode the text"):
        read_events(data, format="csv", errors="collect")


def test_unnamed_empty_columns_are_ignored(tmp_path: Path) -> None:
    """Empty unnamed columns (a trailing ',' on every line) are ignored, not properties."""
    path = write(tmp_path / "e.csv", ["lead_id,type,at,,", "L1,v,2026-01-01T00:00Z,,"])
    (event,) = read_events(path).rows
    assert event.properties == {}


def test_missing_cells_only_under_unnamed_columns_are_fine(tmp_path: Path) -> None:
    """A row that lacks only the trailing unnamed cell is read like the others."""
    path = write(tmp_path / "e.csv", ["lead_id,type,at,", "L1,v,2026-01-01T00:00Z"])
    assert len(read_events(path).rows) == 1


def test_extra_empty_cells_are_fine(tmp_path: Path) -> None:
    """Trailing empty cells beyond the header (a stray ',') hold nothing and are ignored."""
    path = write(tmp_path / "e.csv", ["lead_id,type,at", "L1,v,2026-01-01T00:00Z,,"])
    assert len(read_events(path).rows) == 1


def test_malformed_quoting_is_a_file_error() -> None:
    """A quote that breaks the CSV grammar raises at the row it was found in."""
    text = 'lead_id,type,at\r\nL1,"v"x,2026-01-01T00:00Z\r\n'
    with pytest.raises(InvalidInputError, match="malformed CSV") as info:
        read_events(io.StringIO(text), format="csv", errors="collect")
    assert info.value.row == 1


# --- values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [("95", 95), ("-3", -3), ("+007", 7), ("1.5", 1.5), ("2e3", 2000.0), (" 12 ", 12),
     ("1.", 1.0), (".5", 0.5)],
)
def test_numeric_cells_parse_as_int_or_float(cell: str, value: float) -> None:
    """Integral text gives an int, other decimal text a float."""
    text = f"lead_id,type,at,n\nL1,v,2026-01-01T00:00Z,{cell}\n"
    (event,) = read_events(
        io.StringIO(text), format="csv", columns=EventColumns(numeric=("n",))
    ).rows
    assert event.properties["n"] == value
    assert type(event.properties["n"]) is type(value)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("abc", "not a number"), ("1,000", "not a number"), ("1_000", "not a number"),
     ("0x10", "not a number"), ("inf", "not a finite number"), ("-Infinity", "not a finite"),
     ("nan", "not a finite number"), ("1e999", "not a finite number")],
)
def test_non_numbers_are_rejected(cell: str, reason: str) -> None:
    """Text that is not plainly a finite decimal number is rejected in a numeric column."""
    text = f'lead_id,type,at,n\nL1,v,2026-01-01T00:00Z,"{cell}"\n'
    result = read_events(
        io.StringIO(text), format="csv", columns=EventColumns(numeric=("n",)), errors="collect"
    )
    assert result.rows == ()
    assert result.rejected[0].column == "n"
    assert result.rejected[0].reason.startswith(reason)


def test_values_are_kept_as_written() -> None:
    """Non-numeric cells stay strings, spaces and all; numbers stay text unless numeric."""
    text = "lead_id,type,at,url,n\nL1,v,2026-01-01T00:00Z, /pricing ,42\n"
    (event,) = read_events(io.StringIO(text), format="csv").rows
    assert event.properties == {"url": " /pricing ", "n": "42"}


def test_property_selection_and_renaming() -> None:
    """A mapping picks columns and renames them; unlisted columns are not read."""
    text = "email,kind,ts,Page URL,Secs,noise\nL1,v,2026-01-01T00:00Z,/x,30,zzz\n"
    columns = EventColumns(
        lead_id="email", type="kind", at="ts", properties={"Page URL": "url", "Secs": "secs"},
        numeric=("Secs",),
    )
    (event,) = read_events(io.StringIO(text), format="csv", columns=columns).rows
    assert event.properties == {"url": "/x", "secs": 30}


def test_event_id_column_is_optional_and_can_be_turned_off() -> None:
    """An 'id' column sets Event.id; with id=None it becomes a property instead."""
    text = "lead_id,type,at,id\nL1,v,2026-01-01T00:00Z,e1\nL1,v,2026-01-01T00:00Z,\n"
    first, second = read_events(io.StringIO(text), format="csv").rows
    assert (first.id, second.id) == ("e1", None)
    (plain, _) = read_events(io.StringIO(text), format="csv", columns=EventColumns(id=None)).rows
    assert (plain.id, dict(plain.properties)) == (None, {"id": "e1"})


# --- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assume_tz", ["Asia/Tokyo", timezone(timedelta(hours=9)), "Etc/GMT-9"]
)
def test_assume_tz_as_name_or_tzinfo(assume_tz: object) -> None:
    """A naive 09:00 read in UTC+9, by IANA name or tzinfo, is 00:00 UTC."""
    text = "lead_id,type,at\nL1,v,2026-04-01T09:00:00\n"
    (event,) = read_events(io.StringIO(text), format="csv", assume_tz=assume_tz).rows  # type: ignore[arg-type]
    assert event.at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)


def test_an_offset_in_the_text_wins_over_assume_tz() -> None:
    """assume_tz only fills in missing zones; an explicit offset is kept."""
    text = "lead_id,type,at\nL1,v,2026-04-01T09:00:00-05:00\n"
    (event,) = read_events(io.StringIO(text), format="csv", assume_tz="Asia/Tokyo").rows
    assert event.at == datetime(2026, 4, 1, 14, 0, tzinfo=UTC)


def test_unknown_time_zone_is_rejected_at_the_call() -> None:
    """A bad assume_tz is an InvalidValueError before any row is read."""
    with pytest.raises(InvalidValueError, match="unknown time zone 'Mars/Olympus'"):
        iter_events(io.StringIO(""), format="csv", assume_tz="Mars/Olympus")


def test_date_only_values_are_naive() -> None:
    """'2026-04-01' has no zone: rejected by default, midnight in assume_tz otherwise."""
    text = "lead_id,type,at\nL1,v,2026-04-01\n"
    result = read_events(io.StringIO(text), format="csv", errors="collect")
    assert "no time zone" in result.rejected[0].reason
    (event,) = read_events(io.StringIO(text), format="csv", assume_tz="UTC").rows
    assert event.at == datetime(2026, 4, 1, tzinfo=UTC)


def test_timestamps_out_of_range_in_utc_are_rejected_not_raised() -> None:
    """A time that cannot be moved to UTC (year 1 east of Greenwich) rejects its row."""
    text = "lead_id,type,at\nL1,v,0001-01-01T00:00:00+09:00\nL1,v,0001-01-01T00:00:00\n"
    result = read_events(io.StringIO(text), format="csv", assume_tz="Asia/Tokyo", errors="collect")
    assert [(r.row, r.column) for r in result.rejected] == [(1, "at"), (2, "at")]
    assert all("out of range" in r.reason for r in result.rejected)


# --- leads -------------------------------------------------------------------------------


def test_leads_from_csv() -> None:
    """Status, status time, account and attributes are read; an empty status means open."""
    text = (
        "id,status,status_changed_at,account_id,industry,employees\r\n"
        "L1,Won,2026-01-10T00:00:00Z,A1,it,250\r\n"
        "L2,,,,retail,\r\n"
    )
    result = read_leads(
        io.StringIO(text), format="csv", columns=LeadColumns(numeric=("employees",))
    )
    assert result.rows == (
        Lead(
            id="L1", status=LeadStatus.WON, status_changed_at="2026-01-10T00:00:00Z",
            account_id="A1", attributes={"industry": "it", "employees": 250},
        ),
        Lead(id="L2", attributes={"industry": "retail"}),
    )


def test_lead_problems_are_rejected() -> None:
    """A repeated lead id, an unknown status and a naive status time are each rejected."""
    text = (
        "id,status,status_changed_at\n"
        "L1,open,\n"
        "L1,won,\n"  # 2 duplicate
        "L2,closed,\n"  # 3 unknown status
        "L3,lost,2026-01-10 00:00\n"  # 4 naive
        "L4,LOST,2026-01-10T00:00Z\n"
    )
    result = read_leads(io.StringIO(text), format="csv", errors="collect")
    assert [lead.id for lead in result.rows] == ["L1", "L4"]
    assert [(r.row, r.column) for r in result.rejected] == [
        (2, "id"), (3, "status"), (4, "status_changed_at"),
    ]
    assert result.rejected[0].reason == "duplicate lead id 'L1': row 1 has it already"
    assert result.rejected[1].reason.startswith("unknown status 'closed'; expected one of open")


def test_a_rejected_lead_does_not_block_a_later_row_with_its_id() -> None:
    """Only kept leads count as already read: a fixed row after a bad one is kept."""
    text = "id,status\nL1,closed\nL1,won\n"
    result = read_leads(io.StringIO(text), format="csv", errors="collect")
    assert [(lead.id, lead.status) for lead in result.rows] == [("L1", LeadStatus.WON)]


def test_x_education_file_loads() -> None:
    """The real X Education export (BOM-free, CRLF, trailing ',') loads all 9,240 leads."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "x-education" / "Leads.csv"
    if not path.exists():
        pytest.skip("shared data not present")
    numeric = ("TotalVisits", "Total Time Spent on Website", "Page Views Per Visit")
    result = read_leads(path, columns=LeadColumns(id="Prospect ID", numeric=numeric))
    assert len(result.rows) == 9240
    blank_visits = sum("TotalVisits" not in lead.attributes for lead in result.rows)
    assert blank_visits == 137
    assert result.rows[1].attributes["Total Time Spent on Website"] == 674


# --- JSON Lines --------------------------------------------------------------------------

JSONL = [
    '{"lead_id": "L1", "type": "page_view", "at": "2026-04-01T00:00:00Z", "url": "/a"}',  # 1
    '{"lead_id": "L1", "type": "page_view", "at": "2026-04-01T00:00:00Z", "url": ',  # 2
    "",  # 3 blank
    '["L1", "page_view"]',  # 4
    '{"lead_id": 7, "type": "page_view", "at": "2026-04-01T00:00:00Z", "n": "12"}',  # 5
    '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "utm": {"s": "x"}}',  # 6
    '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "n": NaN}',  # 7
    '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "n": 1, "n": 2}',  # 8
    '{"lead_id": "L1", "type": "v", "time": "2026-04-01T00:00:00Z"}',  # 9
    '{"lead_id": "L1", "type": "v", "at": 1775000000}',  # 10
    '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "n": true}',  # 11
    '{"lead_id": true, "type": "v", "at": "2026-04-01T00:00:00Z"}',  # 12
    '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "n": 1e999}',  # 13
]


def test_jsonl_rows_are_numbered_by_line_and_rejected_with_reasons(tmp_path: Path) -> None:
    """Malformed JSON, non-objects, nested values, NaN, repeated and missing keys are named."""
    path = write(tmp_path / "events.jsonl", JSONL, bom=False, newline="\n")
    result = read_events(path, columns=EventColumns(numeric=("n",)), errors="collect")
    assert [(e.lead_id, dict(e.properties)) for e in result.rows] == [
        ("L1", {"url": "/a"}), ("7", {"n": 12}),
    ]
    got = [(r.row, r.column, r.reason) for r in result.rejected]
    assert got == [
        (2, None, "malformed JSON at column 76: Expecting value"),
        (4, None, "expected a JSON object, got an array"),
        (6, "utm", "expected a string, number, boolean or null, got an object; nested "
         "objects and arrays are not property values (flatten them into keys)"),
        (7, None, "malformed JSON: NaN is not a finite number and not valid JSON"),
        (8, None, "malformed JSON: key 'n' appears twice in one object"),
        (9, "at", "missing key 'at'"),
        (10, "at", "expected an ISO 8601 timestamp string, got a number 1775000000"),
        (11, "n", "expected a number, got a boolean True"),
        (12, "lead_id", "expected a string, got a boolean True"),
        (13, "n", "not a finite number: inf"),
    ]
    assert result.rejected[0].raw is None
    assert result.rejected[2].raw is not None


def test_jsonl_keeps_json_types() -> None:
    """Numbers and booleans keep their JSON types; null and '' leave a property out."""
    line = (
        '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "n": 3, "x": 1.5, '
        '"ok": false, "s": "3", "none": null, "blank": ""}\n'
    )
    (event,) = read_events(io.StringIO(line), format="jsonl").rows
    assert dict(event.properties) == {"n": 3, "x": 1.5, "ok": False, "s": "3"}


def test_jsonl_missing_key_suggests_the_close_one() -> None:
    """A missing key names the close key the line does have."""
    line = '{"lead_id": "L1", "type": "v", "At": "2026-04-01T00:00:00Z"}\n'
    with pytest.raises(InvalidInputError, match="missing key 'at'; did you mean 'At'"):
        read_events(io.StringIO(line), format="jsonl")


def test_jsonl_reads_what_to_dict_writes() -> None:
    """Lines of Event.to_dict and Lead.to_dict (nested properties/attributes) read back."""
    event = Event(
        lead_id="L1", type="page_view", at="2026-04-01T09:00:00+09:00", id="e1",
        properties={"category": "pricing", "type": "nested names may shadow roles"},
    )
    lead = Lead(id="L1", status="lost", status_changed_at="2026-01-10T00:00:00Z",
                attributes={"industry": "it", "employees": 40})
    events = read_events(io.StringIO(json.dumps(event.to_dict())), format="jsonl")
    leads = read_leads(io.StringIO(json.dumps(lead.to_dict())), format="jsonl")
    assert events.rows == (event,)
    assert leads.rows == (lead,)


def test_jsonl_key_both_nested_and_top_level_is_rejected() -> None:
    """A property given twice (top level and inside 'properties') is ambiguous: rejected."""
    line = (
        '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z", "url": "/a", '
        '"properties": {"url": "/b"}}'
    )
    result = read_events(io.StringIO(line), format="jsonl", errors="collect")
    assert (result.rejected[0].column, result.rejected[0].reason) == (
        "properties", "'url' is given both at the top level and inside 'properties'",
    )


def test_jsonl_with_bom_and_crlf(tmp_path: Path) -> None:
    """A BOM and CRLF line ends do not disturb JSON Lines."""
    path = write(
        tmp_path / "e.ndjson", ['{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z"}']
    )
    assert len(read_events(path).rows) == 1


# --- sources and formats -----------------------------------------------------------------


def test_format_is_inferred_from_the_suffix(tmp_path: Path) -> None:
    """.csv, .jsonl, .ndjson and their .gz forms are recognised; other suffixes are refused."""
    line = '{"lead_id": "L1", "type": "v", "at": "2026-04-01T00:00:00Z"}\n'
    with gzip.open(tmp_path / "e.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(line)
    assert len(read_events(tmp_path / "e.jsonl.gz").rows) == 1
    with pytest.raises(InvalidValueError, match=r"cannot tell the format of .*e\.json"):
        read_events(tmp_path / "e.json")
    with pytest.raises(InvalidValueError, match="pass format='csv' or format='jsonl'"):
        read_events(io.StringIO(line))
    with pytest.raises(InvalidValueError, match="expected 'csv' or 'jsonl'"):
        read_events(io.StringIO(line), format="xlsx")  # type: ignore[arg-type]


def test_binary_file_objects_are_decoded_and_left_open() -> None:
    """A binary file is decoded with encoding (BOM removed) and not closed by the loader."""
    data = io.BytesIO("\ufefflead_id,type,at\r\nL1,v,2026-04-01T00:00Z\r\n".encode())
    assert len(read_events(data, format="csv").rows) == 1
    assert not data.closed


def test_text_file_object_with_a_bom_in_the_header() -> None:
    """A BOM left in text read without utf-8-sig is still removed from the first column."""
    text = io.StringIO("\ufefflead_id,type,at\nL1,v,2026-04-01T00:00Z\n")
    assert read_events(text, format="csv").rows[0].lead_id == "L1"


def test_file_object_name_is_the_source() -> None:
    """Messages name an open file by its .name, or '<input>' without one."""
    text = io.StringIO("lead_id,type,at\n,v,2026-04-01T00:00Z\n")
    with pytest.raises(InvalidInputError, match=r"^<input>, row 1, column 'lead_id'"):
        read_events(text, format="csv")


def test_bad_arguments_raise_invalid_value_error() -> None:
    """errors, columns, known_leads and on_reject are checked up front."""
    source = io.StringIO("")
    with pytest.raises(InvalidValueError, match="errors: expected 'raise' or 'collect'"):
        read_events(source, format="csv", errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="expected EventColumns"):
        read_events(source, format="csv", columns=LeadColumns())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="known_leads"):
        read_events(source, format="csv", known_leads=[1])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="on_reject"):
        iter_events(source, format="csv", on_reject="print")  # type: ignore[arg-type]


def test_known_leads_accepts_lead_values() -> None:
    """known_leads may be the leads themselves, e.g. read_leads(...).rows."""
    leads = read_leads(io.StringIO("id\nL1\n"), format="csv").rows
    text = "lead_id,type,at\nL1,v,2026-04-01T00:00Z\nL2,v,2026-04-01T00:00Z\n"
    result = read_events(io.StringIO(text), format="csv", known_leads=leads, errors="collect")
    assert [e.lead_id for e in result.rows] == ["L1"]
    assert result.rejected[0].reason == "unknown lead id 'L2'"


# --- column mappings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lead_id": "x", "type": "x"}, "column 'x' is both the lead id and the type column"),
        ({"properties": "category"}, "give a tuple of column names"),
        ({"properties": ("type",)}, "'type' is already the type column"),
        ({"numeric": ("at",)}, "'at' is the at column, not a property"),
        ({"numeric": ("n",), "properties": ("m",)}, "'n' is not among the properties"),
        ({"lead_id": ""}, "EventColumns.lead_id: must be a non-empty column name"),
        ({"properties": {"a": "x", "b": "x"}}, "'x' is named twice"),
        ({"numeric": ["n", "n"]}, "'n' is named twice"),
    ],
)
def test_bad_column_mappings_are_refused(kwargs: dict[str, object], message: str) -> None:
    """A column mapping that cannot be right raises InvalidValueError when it is made."""
    with pytest.raises(InvalidValueError, match=message):
        EventColumns(**kwargs)  # type: ignore[arg-type]


def test_column_mappings_are_frozen_values() -> None:
    """Lists become tuples, mappings read-only copies; equal mappings are equal and hash."""
    a = LeadColumns(attributes=["x", "y"], numeric=["y"])
    b = LeadColumns(attributes=("x", "y"), numeric=("y",))
    assert a == b
    assert hash(a) == hash(b)
    assert EventColumns(properties={"a": "b"}) == EventColumns(properties={"a": "b"})
    assert repr(b).startswith("LeadColumns(id='id', status='status',")


# --- streaming ---------------------------------------------------------------------------


class CountingLines(io.TextIOBase):
    """A text file made on demand by a generator; counts the lines handed out."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.served = 0

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        line = next(self.lines, "")
        self.served += bool(line)
        return line


def endless_events() -> Iterator[str]:
    """A header, then event lines for ever."""
    yield "lead_id,type,at\r\n"
    n = 0
    while True:
        n += 1
        yield f"L{n % 7},page_view,2026-04-01T00:00:{n % 60:02d}Z\r\n"


def test_iter_events_streams() -> None:
    """iter_events is a generator that reads only as far as the events taken."""
    source = CountingLines(endless_events())
    stream: Iterator[Event] = iter_events(source, format="csv")  # type: ignore[arg-type]
    is_generator = inspect.isgenerator(stream)
    assert is_generator
    assert source.served == 0
    first = next(stream)
    assert first.lead_id == "L1"
    assert source.served == 2
    for _ in range(998):
        next(stream)
    assert source.served == 1000


def test_on_reject_gets_each_bad_row_and_the_stream_goes_on(bad_csv: Path) -> None:
    """With on_reject, bad rows go to the callback in order and good ones are yielded."""
    seen: list[RejectedRow] = []
    kept = list(
        iter_events(bad_csv, columns=BAD_COLUMNS, known_leads={"L1", "L2"}, on_reject=seen.append)
    )
    assert len(kept) == 4
    assert [r.row for r in seen] == [row for row, _, _ in EXPECTED_REJECTED]


def test_iter_leads_streams_and_raises_at_the_bad_row() -> None:
    """iter_leads yields the leads before a bad row, then raises at it."""
    stream = iter_leads(io.StringIO("id,status\nL1,open\nL2,closed\n"), format="csv")
    assert next(stream).id == "L1"
    with pytest.raises(InvalidInputError, match="row 2, column 'status'"):
        next(stream)


def test_load_result_in_raise_mode_has_no_rejections() -> None:
    """read_* returns LoadResult in both modes; in raise mode rejected is empty."""
    result = read_leads(io.StringIO("id\nL1\n"), format="csv")
    assert isinstance(result, LoadResult)
    assert result.ok
    assert result.rejected == ()


# --- round trips -------------------------------------------------------------------------


def write_events_csv(events: list[Event]) -> io.StringIO:
    """The events as a CSV with lead_id, type, at, id, category, duration_s (test helper)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["lead_id", "type", "at", "id", "category", "duration_s"])
    for e in events:
        duration = e.properties.get("duration_s")
        writer.writerow([
            e.lead_id, e.type, e.at.isoformat(), e.id or "", e.properties.get("category", ""),
            "" if duration is None else repr(duration),
        ])
    return io.StringIO(out.getvalue(), newline="")


@given(st.lists(csv_events(), max_size=12))
def test_csv_round_trip(events: list[Event]) -> None:
    """Events written to CSV by the test read back equal, in order (a later event reusing
    an id for different content is left out: that row is rejected)."""
    events = _consistent(events)
    result = read_events(
        write_events_csv(events), format="csv", columns=EventColumns(numeric=("duration_s",))
    )
    assert list(result.rows) == events


def _consistent(events: list[Event]) -> list[Event]:
    """``events`` without those reusing an earlier event's id for different content."""
    first: dict[tuple[str, str], Event] = {}
    return [
        e for e in events
        if e.id is None or first.setdefault((e.lead_id, e.id), e).to_dict() == e.to_dict()
    ]


@given(st.lists(jsonl_events(), max_size=12))
def test_jsonl_round_trip(events: list[Event]) -> None:
    """Events written as Event.to_dict lines read back equal, types and all (a later event
    reusing an id for different content is left out: that row is rejected, as
    tests/test_messages.py checks)."""
    events = _consistent(events)
    text = "".join(json.dumps(e.to_dict()) + "\n" for e in events)
    result = read_events(io.StringIO(text), format="jsonl")
    assert list(result.rows) == events
    for got, want in zip(result.rows, events, strict=True):
        assert [type(v) for v in got.properties.values()] == [
            type(v) for v in want.properties.values()
        ]


@given(st.lists(loadable_text, unique=True, max_size=8), st.sampled_from(list(LeadStatus)))
def test_lead_csv_round_trip(ids: list[str], status: LeadStatus) -> None:
    """Leads written to CSV read back equal (ids kept as written)."""
    leads = [Lead(id=i, status=status, attributes={"segment": f"s{n}"}) for n, i in enumerate(ids)]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["id", "status", "segment"])
    writer.writerows([lead.id, lead.status.value, lead.attributes["segment"]] for lead in leads)
    result = read_leads(io.StringIO(out.getvalue(), newline=""), format="csv")
    assert list(result.rows) == leads
