"""Tests of read_identities and identities_from_frame: alias -> lead links from files and
tables, with the loaders' row, column and "did you mean" reporting."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadscoring import Identity, IdentityMap, InvalidInputError, InvalidValueError
from leadscoring.loaders import IdentityColumns, read_identities

MAY_1 = datetime(2026, 5, 1, tzinfo=UTC)

# A cookie seen on a laptop, the phone cookie linked to it, and an old email: the chain
# phone -> laptop -> ann resolves to ann. Data row 3 is a blank line (skipped, counted).
CSV = (
    "alias,lead_id,at,source\r\n"
    "cookie-laptop,ann@example.com,2026-05-01T00:00:00Z,form\r\n"
    "cookie-phone,cookie-laptop,2026-05-02T09:00:00+09:00,login\r\n"
    "\r\n"
    "ann@old.example,ann@example.com,2026-05-03T00:00:00Z,crm merge\r\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_csv_file_reads_into_an_identity_map(tmp_path: Path) -> None:
    """Each row is one link; times are UTC; a chain resolves; other columns are not read."""
    links = read_identities(write(tmp_path / "identities.csv", CSV))
    assert isinstance(links, IdentityMap)
    assert links.roots() == {
        "cookie-laptop": "ann@example.com",
        "cookie-phone": "ann@example.com",
        "ann@old.example": "ann@example.com",
    }
    phone = next(link for link in links if link.alias == "cookie-phone")
    assert phone == Identity(alias="cookie-phone", lead_id="cookie-laptop",
                             at=datetime(2026, 5, 2, 0, 0, tzinfo=UTC))  # fmt: skip
    # Before the phone was linked, it was a visitor of its own.
    assert links.lead_of("cookie-phone", as_of=MAY_1) == "cookie-phone"


def test_jsonl_reads_what_to_dicts_writes(tmp_path: Path) -> None:
    """The lines IdentityMap.to_dicts() writes read back as the same map."""
    links = read_identities(write(tmp_path / "identities.csv", CSV))
    path = tmp_path / "identities.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in links.to_dicts()), encoding="utf-8")
    assert read_identities(path) == links


def test_renamed_columns() -> None:
    """IdentityColumns names the alias, lead id and time columns of another export."""
    text = "Cookie ID,Email,Identified at\nc-1,ann@example.com,2026-05-01T00:00:00Z\n"
    columns = IdentityColumns(alias="Cookie ID", lead_id="Email", at="Identified at")
    links = read_identities(io.StringIO(text), format="csv", columns=columns)
    assert links.to_dicts() == [
        {"alias": "c-1", "lead_id": "ann@example.com", "at": "2026-05-01T00:00:00+00:00"}
    ]


def test_identity_columns_are_checked_values() -> None:
    """A column given two roles, or a blank name, is refused when the mapping is made."""
    with pytest.raises(InvalidValueError, match="'x' is both the alias and the lead id"):
        IdentityColumns(alias="x", lead_id="x")
    with pytest.raises(InvalidValueError, match=r"IdentityColumns\.at"):
        IdentityColumns(at=" ")
    with pytest.raises(InvalidValueError, match="expected IdentityColumns"):
        read_identities(io.StringIO(CSV), format="csv", columns={"alias": "a"})  # type: ignore[arg-type]
    assert IdentityColumns().required == ("alias", "lead_id", "at")


def test_a_naive_time_is_a_row_error_unless_assume_tz() -> None:
    """A time without an offset names its row and column, as for events."""
    text = "alias,lead_id,at\nc-1,ann,2026-05-01T00:00:00Z\nc-2,bob,2026-05-01 09:00\n"
    with pytest.raises(InvalidInputError) as info:
        read_identities(io.StringIO(text), format="csv")
    assert (info.value.source, info.value.row, info.value.column) == ("<input>", 2, "at")
    assert info.value.reason.startswith("naive timestamp '2026-05-01 09:00' has no time zone")
    tokyo = read_identities(io.StringIO(text), format="csv", assume_tz="Asia/Tokyo")
    assert next(link for link in tokyo if link.alias == "c-2").at == MAY_1


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("c-1,,2026-05-01T00:00:00Z", "lead_id", "required value is empty"),
        ("c-1,ann,yesterday", "at", "not an ISO 8601 timestamp: 'yesterday'"),
        ("ann,ann,2026-05-01T00:00:00Z", "alias",
         "'ann' is linked to itself; an alias names another id"),
        ("c-1,ann", None, "the row has 2 cells but the header has 3 columns"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_row_and_column(
    tmp_path: Path, row: str, column: str | None, reason: str
) -> None:
    """The first bad row raises with the file, the 1-based row, the column and why."""
    path = write(tmp_path / "ids.csv", f"alias,lead_id,at\nc-0,bob,2026-05-01T00:00:00Z\n{row}\n")
    with pytest.raises(InvalidInputError) as info:
        read_identities(path)
    assert (info.value.source, info.value.row, info.value.column) == (str(path), 2, column)
    assert info.value.reason == reason


def test_missing_column_suggests_the_near_miss(tmp_path: Path) -> None:
    """A header with 'alais' fails at row 0, listing the header and the close name."""
    path = write(tmp_path / "ids.csv", "alais,lead_id,at\nc-1,ann,2026-05-01T00:00:00Z\n")
    with pytest.raises(InvalidInputError) as info:
        read_identities(path)
    assert (info.value.row, info.value.column) == (0, "alias")
    assert info.value.reason == (
        "missing column 'alias' (required); the header has 'alais', 'lead_id', 'at'; "
        "did you mean 'alais'?"
    )
    line = '{"alais": "c-1", "lead_id": "ann", "at": "2026-05-01T00:00:00Z"}\n'
    with pytest.raises(InvalidInputError, match="row 1, column 'alias': missing key 'alias'; "
                       "did you mean 'alais'"):  # fmt: skip
        read_identities(io.StringIO(line), format="jsonl")


def test_an_alias_claimed_by_two_leads_names_both_rows(tmp_path: Path) -> None:
    """The second claim is the bad row; the message names the first (blank lines count)."""
    text = (
        "alias,lead_id,at\n"
        "c-1,ann,2026-05-01T00:00:00Z\n"
        "\n"
        "c-1,ann,2026-05-02T00:00:00Z\n"  # the same link again: fine, counts once
        "c-1,bob,2026-05-03T00:00:00Z\n"
    )
    with pytest.raises(InvalidInputError) as info:
        read_identities(write(tmp_path / "ids.csv", text))
    assert (info.value.row, info.value.column) == (4, "alias")
    assert info.value.reason.startswith(
        "alias 'c-1' is claimed by two leads: 'ann' (row 1) and 'bob'"
    )


def test_a_cycle_is_reported_at_the_file_row_of_its_first_link(tmp_path: Path) -> None:
    """Links that loop are named with the ids on the loop and the row of the first link,
    counted as the file counts rows (JSON Lines: the line number, blank lines included)."""
    lines = [
        {"alias": "c-0", "lead_id": "ann", "at": "2026-05-01T00:00:00Z"},
        None,  # a blank line
        {"alias": "c-1", "lead_id": "c-2", "at": "2026-05-01T00:00:00Z"},
        {"alias": "c-2", "lead_id": "c-1", "at": "2026-05-02T00:00:00Z"},
    ]
    path = tmp_path / "ids.jsonl"
    text = "".join(("" if d is None else json.dumps(d)) + "\n" for d in lines)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        read_identities(path)
    assert (info.value.source, info.value.row, info.value.column) == (str(path), 3, "lead_id")
    assert "the links form a cycle (c-1 -> c-2 -> c-1)" in info.value.reason


def test_there_is_no_collect_mode() -> None:
    """Identities are read whole or not at all: errors= is not an argument."""
    with pytest.raises(TypeError):
        read_identities(io.StringIO(CSV), format="csv", errors="collect")  # type: ignore[call-arg]


# --- tables ---------------------------------------------------------------------------------


@pytest.fixture(params=["pandas", "polars"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each DataFrame library, skipped when it is not installed."""
    pytest.importorskip(request.param)
    pytest.importorskip("narwhals")
    name: str = request.param
    return name


def table(backend: str, data: dict[str, list[object]]) -> object:
    """``data`` as a table of ``backend``."""
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(data)
    import polars as pl

    return pl.DataFrame(data)


def test_a_table_reads_into_the_same_map(backend: str, tmp_path: Path) -> None:
    """Aware datetimes or ISO 8601 text; the same map as the file gives."""
    from leadscoring.loaders.frames import identities_from_frame

    moments = [datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC),
               datetime(2026, 5, 3, tzinfo=UTC)]  # fmt: skip
    links = identities_from_frame(table(backend, {
        "alias": ["cookie-laptop", "cookie-phone", "ann@old.example"],
        "lead_id": ["ann@example.com", "cookie-laptop", "ann@example.com"],
        "at": moments,
    }))  # fmt: skip
    assert links == read_identities(write(tmp_path / "identities.csv", CSV))
    text = identities_from_frame(table(backend, {
        "cookie": ["c-1"], "lead_id": ["ann"], "at": ["2026-05-01T09:00:00+09:00"],
    }), columns=IdentityColumns(alias="cookie"))  # fmt: skip
    assert text.to_dicts()[0]["at"] == "2026-05-01T00:00:00+00:00"


def test_a_bad_table_row_names_row_and_column(backend: str) -> None:
    """A null cell, a naive text time, a missing column and a cycle, as for files."""
    from leadscoring.loaders.frames import identities_from_frame

    def fails(data: dict[str, list[object]]) -> InvalidInputError:
        with pytest.raises(InvalidInputError) as info:
            identities_from_frame(table(backend, data))
        return info.value

    empty = fails({"alias": ["c-1", None], "lead_id": ["ann", "bob"],
                   "at": ["2026-05-01T00:00:00Z"] * 2})  # fmt: skip
    assert (empty.source, empty.row, empty.column) == ("identities_df", 2, "alias")
    assert empty.reason == "required value is empty"
    naive = fails({"alias": ["c-1"], "lead_id": ["ann"], "at": ["2026-05-01 09:00"]})
    assert (naive.row, naive.column) == (1, "at")
    assert "naive timestamp" in naive.reason
    missing = fails({"alais": ["c-1"], "lead_id": ["ann"], "at": ["2026-05-01T00:00:00Z"]})
    assert missing.column == "alias"
    assert missing.reason.endswith("did you mean 'alais'?")
    cycle = fails({"alias": ["c-0", "c-1", "c-2"], "lead_id": ["ann", "c-2", "c-1"],
                   "at": ["2026-05-01T00:00:00Z"] * 3})  # fmt: skip
    assert (cycle.row, cycle.column) == (2, "lead_id")
    assert "cycle" in cycle.reason
    claimed = fails({"alias": ["c-1", "c-1"], "lead_id": ["ann", "bob"],
                     "at": ["2026-05-01T00:00:00Z"] * 2})  # fmt: skip
    assert (claimed.row, claimed.column) == (2, "alias")
    assert "claimed by two leads: 'ann' (row 1) and 'bob'" in claimed.reason


def test_a_naive_datetime_column_is_refused_as_a_whole(backend: str) -> None:
    """A datetime column without a time zone is a column error, as for events."""
    from leadscoring.loaders.frames import identities_from_frame

    data = {"alias": ["c-1"], "lead_id": ["ann"], "at": [datetime(2026, 5, 1)]}
    with pytest.raises(InvalidInputError, match="column 'at': naive timestamps"):
        identities_from_frame(table(backend, data))
