"""Hardening of the data-file readers: line ends, long cells, damaged gzip, line limits."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import Event, InvalidInputError, LeadScoringError
from leadscoring.loaders import EventColumns, iter_events, read_events, read_leads
from leadscoring.loaders._cells import _INTEGER, _NUMBER, RowError, number
from leadscoring.loaders._sources import MAX_LINE_CHARS

HEADER = "lead_id,type,at"
AT = "2026-04-01T09:00:00Z"


def event_line(lead: str, kind: str = "v") -> str:
    """One JSON Lines event record (no line end)."""
    return json.dumps({"lead_id": lead, "type": kind, "at": AT})


def csv_text(count: int) -> str:
    """A CSV event file of ``count`` rows, L1 ... Ln."""
    return HEADER + "\n" + "".join(f"L{n},v,{AT}\n" for n in range(1, count + 1))


# --- 1. JSON Lines records end at \n only ------------------------------------------------


def test_jsonl_lone_cr_between_tokens_keeps_the_record_whole(tmp_path: Path) -> None:
    """A lone \\r is JSON white space inside a record, not a line end."""
    path = tmp_path / "e.jsonl"
    path.write_bytes(
        b'{"lead_id": "L1",\r"type": "v",\r"at": "2026-04-01T09:00:00Z"}\n'
        + event_line("L2").encode()
        + b"\n"
    )
    result = read_events(path, errors="collect")
    assert result.rejected == ()
    assert [e.lead_id for e in result.rows] == ["L1", "L2"]


def test_jsonl_lone_cr_inside_a_string_is_one_row(tmp_path: Path) -> None:
    """A raw \\r inside a string is one line: one rejected row (JSON wants it escaped),
    and the next line keeps its number; the escaped form reads back as the value."""
    path = tmp_path / "e.jsonl"
    raw = '{"lead_id": "L1", "type": "v", "at": "2026-04-01T09:00:00Z", "note": "a\rb"}'
    escaped = json.dumps({"lead_id": "L2", "type": "v", "at": AT, "note": "a\rb"})
    path.write_bytes((raw + "\n" + escaped + "\n").encode())
    result = read_events(path, errors="collect")
    assert [(r.row, r.column) for r in result.rejected] == [(1, None)]
    assert "control character" in result.rejected[0].reason
    assert "escaped" in result.rejected[0].reason
    assert [(e.lead_id, e.properties["note"]) for e in result.rows] == [("L2", "a\rb")]
    with pytest.raises(InvalidInputError, match=r"e\.jsonl, row 1: malformed JSON"):
        read_events(path)


@pytest.mark.parametrize("opener", ["path", "gzip", "binary"])
def test_jsonl_crlf_and_lone_cr_line_numbers(tmp_path: Path, opener: str) -> None:
    """CRLF ends are fine; rows are numbered by \\n, whatever the source."""
    data = (
        event_line("L1") + "\r\n" + '{"lead_id": "L2",\r"type": "v", "at": "' + AT + '"}\r\n'
        "\r\n" + "not json\r\n" + event_line("L3") + "\r\n"
    ).encode()
    source: Path | io.BytesIO
    if opener == "path":
        source = tmp_path / "e.jsonl"
        source.write_bytes(data)
    elif opener == "gzip":
        source = tmp_path / "e.jsonl.gz"
        source.write_bytes(gzip.compress(data))
    else:
        source = io.BytesIO(data)
    result = read_events(source, format="jsonl", errors="collect")
    assert [e.lead_id for e in result.rows] == ["L1", "L2", "L3"]
    assert [r.row for r in result.rejected] == [4]


def test_csv_still_ends_lines_at_crlf_and_lone_cr(tmp_path: Path) -> None:
    """CSV keeps reading CRLF, LF and a lone CR as line ends, and a quoted CR as a value."""
    path = tmp_path / "e.csv"
    path.write_bytes(f'{HEADER},note\r\nL1,v,{AT},a\rL2,v,{AT},b\nL3,v,{AT},"c\rd"\r\n'.encode())
    result = read_events(path)
    assert [(e.lead_id, e.properties["note"]) for e in result.rows] == [
        ("L1", "a"),
        ("L2", "b"),
        ("L3", "c\rd"),
    ]


# --- 2. number parsing is linear in the cell length ---------------------------------------


def test_a_million_digit_cell_ending_in_a_letter_is_not_a_number() -> None:
    """The case that took quadratic time; now a linear scan (this test is cheap)."""
    cell = "1" * 1_000_000 + "x"
    with pytest.raises(RowError, match="not a number") as caught:
        number(cell)
    assert len(caught.value.reason) < 200  # the value is cut in the message
    assert "1,000,001 characters" in caught.value.reason


@pytest.mark.parametrize(
    "cell", ["1" * 100_000 + "..", "." + "1" * 100_000 + "x", "1e" + "1" * 100_000 + "x"]
)
def test_long_near_numbers_are_rejected(cell: str) -> None:
    """Other long near-numbers are refused too."""
    with pytest.raises(RowError, match="not a number"):
        number(cell)


def test_number_patterns_have_no_overlapping_quantifiers() -> None:
    """The quadratic form (``\\d+`` followed by an optional dot and ``\\d*``) is gone."""
    assert r"\d+\.?\d*" not in _NUMBER.pattern
    assert not re.search(r"\)[*+]", _NUMBER.pattern)  # no repeated group
    assert _INTEGER.pattern == r"[+-]?\d+"


def test_a_long_non_number_cell_is_a_rejected_row() -> None:
    """Through the loader: a numeric column holding a long non-number rejects its row."""
    text = f"{HEADER},n\nL1,v,{AT},{'9' * 300_000}x\nL2,v,{AT},5\n"
    result = read_events(
        io.StringIO(text), format="csv", columns=EventColumns(numeric=("n",)), errors="collect"
    )
    assert [e.properties["n"] for e in result.rows] == [5]
    assert [(r.row, r.column) for r in result.rejected] == [(1, "n")]
    assert len(result.rejected[0].reason) < 200


# --- 3. damaged gzip files --------------------------------------------------------------


def gzipped(tmp_path: Path, count: int = 5000) -> tuple[Path, bytes]:
    """A .csv.gz path and its bytes (barely compressible, so it spans many blocks)."""
    rows = "".join(f"L{n},v{n * 7919 % 100003},{AT}\n" for n in range(1, count + 1))
    data = gzip.compress((HEADER + "\n" + rows).encode(), compresslevel=1)
    return tmp_path / "events.csv.gz", data


def test_truncated_gzip_names_the_file(tmp_path: Path) -> None:
    """A cut .csv.gz raises InvalidInputError (not EOFError) naming the file, in both modes."""
    path, data = gzipped(tmp_path)
    path.write_bytes(data[: len(data) // 2])
    errors: Literal["raise", "collect"]
    for errors in ("raise", "collect"):
        with pytest.raises(InvalidInputError, match="truncated") as caught:
            read_events(path, errors=errors)
        assert caught.value.source == str(path)
        assert "copied whole" in caught.value.reason


def test_wrong_crc_raises_and_iter_events_says_how_many_rows_it_yielded(tmp_path: Path) -> None:
    """A bad CRC is found at the end: read_* raises; iter_* has yielded rows and says so."""
    path, data = gzipped(tmp_path)
    crc = zlib.crc32(gzip.decompress(data)) ^ 0xFFFFFFFF
    path.write_bytes(data[:-8] + crc.to_bytes(4, "little") + data[-4:])
    with pytest.raises(InvalidInputError, match=r"damaged \(CRC check failed") as caught:
        read_events(path, errors="collect")
    assert caught.value.source == str(path)
    seen: list[Event] = []
    with pytest.raises(InvalidInputError) as caught:
        seen.extend(iter_events(path))
    assert len(seen) == 5000
    assert "CRC check failed" in caught.value.reason
    assert "5,000 row(s) were already yielded" in caught.value.reason
    assert "discard them" in caught.value.reason
    assert caught.value.source == str(path)


def test_truncated_gzip_in_iter_events_counts_the_rows_yielded(tmp_path: Path) -> None:
    """A truncated stream stops iter_events with the number of rows it gave."""
    path, data = gzipped(tmp_path)
    path.write_bytes(data[: len(data) // 2])
    seen: list[Event] = []
    with pytest.raises(InvalidInputError, match="truncated") as caught:
        seen.extend(iter_events(path))
    assert 0 < len(seen) < 5000
    assert f"{len(seen):,} row(s) were already yielded" in caught.value.reason


def test_corrupt_deflate_data_and_a_non_gzip_file(tmp_path: Path) -> None:
    """Garbage inside the compressed data, or a file that is no gzip at all."""
    path, data = gzipped(tmp_path)
    middle = len(data) // 2
    path.write_bytes(
        data[:middle] + bytes(b ^ 0x5A for b in data[middle : middle + 64]) + data[middle + 64 :]
    )
    with pytest.raises(InvalidInputError, match=r"damaged|truncated") as caught:
        read_events(path, errors="collect")
    assert caught.value.source == str(path)
    plain = tmp_path / "plain.csv.gz"
    plain.write_text(csv_text(2))
    with pytest.raises(InvalidInputError, match="not a gzip file"):
        read_events(plain)
    leads = tmp_path / "leads.jsonl.gz"
    leads.write_bytes(gzip.compress(b'{"id": "L1"}\n{"id": "L2"}\n')[:-6])
    with pytest.raises(InvalidInputError, match=r"leads\.jsonl\.gz: the gzip data"):
        read_leads(leads, errors="collect")


# --- 4. line and cell limits ------------------------------------------------------------


def test_a_200000_character_cell_is_read(tmp_path: Path) -> None:
    """Cells past the csv module's default limit (131,072) are read, in CSV and JSONL."""
    note = "x" * 200_000
    path = tmp_path / "e.csv"
    path.write_text(f'{HEADER},note\nL1,v,{AT},{note}\nL2,v,{AT},"{note}"\n')
    before = csv.field_size_limit()
    assert [e.properties["note"] for e in read_events(path).rows] == [note, note]
    assert csv.field_size_limit() == before  # the module's setting is left as it was
    lines = tmp_path / "e.jsonl"
    lines.write_text(json.dumps({"lead_id": "L1", "type": "v", "at": AT, "note": note}) + "\n")
    assert read_events(lines).rows[0].properties["note"] == note


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_the_limit_is_exact(tmp_path: Path, end: str) -> None:
    """A line of exactly MAX_LINE_CHARS is read; one character more rejects the row only."""
    prefix = f"L1,v,{AT},"
    fits = prefix + "x" * (MAX_LINE_CHARS - len(prefix))
    path = tmp_path / "e.csv"
    path.write_text(end.join([f"{HEADER},note", fits, fits + "y", f"L3,v,{AT},z", ""]), newline="")
    result = read_events(path, errors="collect")
    assert [str(e.properties["note"])[-1] for e in result.rows] == ["x", "z"]
    assert [(r.row, r.column) for r in result.rejected] == [(2, None)]
    assert f"{MAX_LINE_CHARS + 1:,} characters long" in result.rejected[0].reason


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_overlong_line_is_rejected_and_reading_goes_on(tmp_path: Path, fmt: str) -> None:
    """A line over the limit is one rejected row (row number kept) in collect mode, an
    error naming the row in raise mode; iter_events gives it to on_reject and goes on."""
    big = "x" * (3 * MAX_LINE_CHARS)
    if fmt == "csv":
        text = f"{HEADER},note\nL1,v,{AT},a\nL2,v,{AT},{big}\nL3,v,{AT},c\n"
    else:
        record = {"lead_id": "L2", "type": "v", "at": AT, "note": big}
        text = "\n".join([event_line("L1"), json.dumps(record), event_line("L3"), ""])
    path = tmp_path / f"e.{fmt}"
    path.write_text(text)
    result = read_events(path, errors="collect")
    assert [e.lead_id for e in result.rows] == ["L1", "L3"]
    assert [(r.row, r.column, r.raw) for r in result.rejected] == [(2, None, None)]
    assert "over the limit of 1,048,576 characters per line" in result.rejected[0].reason
    with pytest.raises(InvalidInputError, match=r"e\.\w+, row 2: the line is"):
        read_events(path)
    rejected: list[object] = []
    assert [e.lead_id for e in iter_events(path, on_reject=rejected.append)] == ["L1", "L3"]
    assert len(rejected) == 1


class HugeLine(io.TextIOBase):
    """A text file whose second line is ``size`` characters, made as it is read; records
    the largest piece handed out."""

    def __init__(self, size: int) -> None:
        self.parts: Iterator[str] = iter([HEADER + "\n"])
        self.left = size
        self.tail = [f"L2,v,{AT}\n"]
        self.largest = 0

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        piece = next(self.parts, None)
        if piece is None and self.left:
            take = min(self.left, size if size is not None and size >= 0 else self.left)
            self.left -= take
            piece = "x" * take if self.left else "x" * (take - 1) + "\n"
        if piece is None:
            piece = self.tail.pop() if self.tail else ""
        self.largest = max(self.largest, len(piece))
        return piece


def test_a_huge_line_is_read_in_bounded_pieces() -> None:
    """An 8 MiB line is skipped piece by piece, never held whole."""
    stream = HugeLine(8 * MAX_LINE_CHARS)
    result = read_events(stream, format="csv", errors="collect")  # type: ignore[arg-type]
    assert [e.lead_id for e in result.rows] == ["L2"]
    assert [r.row for r in result.rejected] == [1]
    assert stream.largest <= MAX_LINE_CHARS + 2


def test_an_overlong_header_is_a_file_error() -> None:
    """The header cannot be skipped."""
    text = HEADER + "," + "h" * MAX_LINE_CHARS + "\nL1,v," + AT + ",1\n"
    with pytest.raises(InvalidInputError, match="row 0: in the header: the line is"):
        read_events(io.StringIO(text), format="csv", errors="collect")


@pytest.mark.parametrize(
    "row",
    [
        # a quoted value opened on the long line and closed on the next
        f'L2,v,{AT},"{"x" * (MAX_LINE_CHARS + 10)}\nend"',
        # a quoted value opened on an earlier line, the long line inside it
        f'L2,v,{AT},"start\n{"x" * (MAX_LINE_CHARS + 10)}\nend"',
    ],
)
def test_an_overlong_line_inside_a_quoted_value_is_a_file_error(row: str) -> None:
    """Where the row ends cannot be told: a file error, not a guess."""
    text = f"{HEADER},note\nL1,v,{AT},a\n{row}\nL3,v,{AT},c\n"
    with pytest.raises(InvalidInputError, match=r"row 2: the line is .* inside a quoted value"):
        read_events(io.StringIO(text), format="csv", errors="collect")


def test_a_quoted_value_over_the_cell_limit_is_a_file_error() -> None:
    """A quoted value spanning lines, each under the limit, may not pass the cell limit."""
    half = "x" * (MAX_LINE_CHARS // 2 + 10)
    text = f'{HEADER},note\nL1,v,{AT},"{half}\n{half}\n{half}"\n'
    with pytest.raises(InvalidInputError, match="row 1: a quoted value over the limit"):
        read_events(io.StringIO(text), format="csv", errors="collect")
    assert csv.field_size_limit() == 131_072


# --- 5. fuzzing: whatever the bytes, only LeadScoringError, and every row accounted for ---

_JUNK = st.sampled_from(
    ["L1", "v", AT, "", ",", '"', '""', "\r", "\n", "\r\n", "\x00", "\ufeff", "é", "9", " "]
)
_CELL = st.one_of(
    st.sampled_from(["L1", "L2", "page_view", AT, "2026-04-01 09:00", "", "12"]),
    st.lists(_JUNK, max_size=4).map("".join),
)
_HEADERS = st.one_of(
    st.just("lead_id,type,at"),
    st.just("lead_id,type,at,note"),
    st.sampled_from(["lead_id,type", "lead_id,type,at,type", "", "x", '"lead_id",type,"at"']),
)
_ROWS = st.one_of(
    st.just(f"L1,page_view,{AT}"),
    st.tuples(_CELL, _CELL, _CELL).map(lambda cells: f"L1,page_view,{AT},{'|'.join(cells)}"),
    st.lists(_CELL, min_size=1, max_size=5).map(",".join),
)
_ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """A CSV file, often nearly valid: header, rows of odd cells, mixed line ends."""
    lines = [draw(_HEADERS)]
    lines += draw(st.lists(_ROWS, max_size=6))
    text = "".join(line + draw(_ENDS) for line in lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data.replace("é".encode(), b"\xe9")  # latin-1 bytes in a UTF-8 file
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    """A JSON Lines file: records, broken records, blank lines, mixed line ends."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        record = {
            "lead_id": draw(st.one_of(st.just("L1"), _CELL)),
            "type": draw(st.one_of(st.just("page_view"), _CELL)),
            "at": draw(st.one_of(st.just(AT), _CELL)),
            "note": draw(_CELL),
        }
        line = json.dumps(record, ensure_ascii=draw(st.booleans()))
        line = draw(st.sampled_from([line, line[:-1], line.replace('", "', '",\r"'), "", "[1]"]))
        parts.append(line + draw(st.sampled_from(["\n", "\r\n"])))
    data = "".join(parts).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data.replace("é".encode(), b"\xe9")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


def expected_csv_rows(data: bytes) -> int | None:
    """Non-blank records as the csv module reads them, or None if it cannot."""
    text = data.decode("utf-8-sig", "surrogateescape")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    return sum(1 for cells in records[1:] if cells)


def expected_jsonl_rows(data: bytes) -> int:
    """Non-blank lines, split at LF only."""
    text = data.decode("utf-8-sig", "surrogateescape")
    return sum(1 for line in text.split("\n") if line.strip())


@settings(max_examples=150)
@given(
    fmt=st.sampled_from(["csv", "jsonl"]),
    data=st.data(),
    zipped=st.sampled_from(["no", "gzip", "truncated"]),
)
def test_fuzzed_files_raise_only_leadscoring_errors_and_lose_no_row(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, data: st.DataObject, zipped: str
) -> None:
    """Only LeadScoringError escapes; with errors="collect", rows in = kept + rejected."""
    raw = data.draw(csv_bytes() if fmt == "csv" else jsonl_bytes())
    path = tmp_path_factory.mktemp("fuzz") / f"events.{fmt}"
    if zipped != "no":
        path = path.with_name(path.name + ".gz")
        packed = gzip.compress(raw)
        if zipped == "truncated":
            packed = packed[: data.draw(st.integers(0, len(packed) - 1))]
        path.write_bytes(packed)
    else:
        path.write_bytes(raw)
    message: str | None
    try:
        result = read_events(path, errors="collect", assume_tz="UTC")
    except LeadScoringError as error:
        message = str(error)
    else:
        message = None
    if message is not None:
        assert message.startswith(str(path))  # every error names the file
        return
    assert zipped != "truncated", "a truncated gzip file must raise"
    expected = expected_csv_rows(raw) if fmt == "csv" else expected_jsonl_rows(raw)
    assert expected is not None, "the csv module refuses this file, the loader must raise"
    assert len(result.rows) + len(result.rejected) == expected
    rows = [r.row for r in result.rejected]
    assert rows == sorted(set(rows))


def test_an_empty_gzip_file_is_not_an_empty_table(tmp_path: Path) -> None:
    """0 bytes is no gzip data (gzip itself would read it as empty text): a file error."""
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"events\.jsonl\.gz: the file is empty \(0 bytes"):
        read_events(path, errors="collect")
    path.write_bytes(gzip.compress(b""))  # a real, empty gzip file holds no rows
    assert read_events(path).rows == ()


def test_closing_iter_events_closes_the_file(tmp_path: Path) -> None:
    """The counting wrapper passes close() on: the file is closed at once."""
    path = tmp_path / "e.csv"
    path.write_text(csv_text(3))
    stream = iter_events(path)
    assert next(stream).lead_id == "L1"
    frame = stream.gi_frame  # type: ignore[attr-defined]
    inner = frame.f_locals["stream"]
    stream.close()  # type: ignore[attr-defined]
    assert inner.gi_frame is None  # the reading generator (and its file) is finished


def test_the_field_limit_is_shared_by_threads_and_put_back(tmp_path: Path) -> None:
    """Readers in several threads all see the raised limit; the old one comes back."""
    note = "x" * 200_000
    path = tmp_path / "e.csv"
    path.write_text(f"{HEADER},note\n" + f"L1,v,{AT},{note}\n" * 20)
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: len(read_events(path).rows), range(8)))
    assert counts == [20] * 8
    assert csv.field_size_limit() == 131_072
