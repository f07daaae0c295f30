"""Tests of leads_from_frame and events_from_frame: tables into leads and events, with the
loaders' row-level reporting (nothing dropped silently)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
pytest.importorskip("narwhals")

from leadscoring import Event, InvalidInputError, Lead  # noqa: E402
from leadscoring.loaders import EventColumns, LeadColumns  # noqa: E402
from leadscoring.loaders.frames import events_from_frame, leads_from_frame  # noqa: E402
from strategies import event_lists, leads  # noqa: E402
from test_frame import events_table, leads_table, without_nones  # noqa: E402

T = datetime(2026, 4, 1, 9, tzinfo=UTC)


@settings(max_examples=40)
@given(event_lists(("L1", "L2"), max_size=12))
def test_events_round_trip(history: list[Event]) -> None:
    """The events of a table are the events it was made of (nulls are absent properties)."""
    history = without_nones(history)
    assert list(events_from_frame(events_table(history)).rows) == history


@settings(max_examples=20)
@given(st.lists(leads(st.sampled_from(["L1", "L2", "L3"])), max_size=3, unique_by=lambda x: x.id))
def test_leads_round_trip(lead_list: list[Lead]) -> None:
    """The leads of a table are the leads it was made of (account ids aside)."""
    lead_list = [Lead(id=x.id, attributes=x.attributes, status=x.status,
                      status_changed_at=x.status_changed_at) for x in lead_list]  # fmt: skip
    if not lead_list:
        return
    columns = LeadColumns(id="lead_id")
    got = leads_from_frame(leads_table(lead_list), columns=columns).rows
    assert [(x.id, x.status, x.status_changed_at) for x in got] == [
        (x.id, x.status, x.status_changed_at) for x in lead_list
    ]
    # an integer column with nulls is read as floats: 5.0 == 5, as conditions see it
    assert [dict(x.attributes) for x in got] == [dict(y.attributes) for y in lead_list]


def test_bad_rows_are_collected_with_row_and_column() -> None:
    """A null type and text that is not a time are rejected by row and column; the good
    row is kept."""
    table = pd.DataFrame({
        "lead_id": ["L1", "L2", "L3"], "type": ["page_view", None, "x"],
        "at": ["2026-04-01T09:00Z", "2026-04-01T09:00Z", "yesterday"],
    })  # fmt: skip
    result = events_from_frame(table, errors="collect")
    assert [e.lead_id for e in result.rows] == ["L1"]
    assert [(r.row, r.column) for r in result.rejected] == [(2, "type"), (3, "at")]
    with pytest.raises(InvalidInputError) as info:
        events_from_frame(table)
    assert (info.value.row, info.value.column) == (2, "type")


def test_missing_columns_get_a_hint_and_naive_times_are_refused() -> None:
    """A near-miss column name is suggested; a naive datetime column raises by name."""
    table = pd.DataFrame({"lead": ["L1"], "type": ["page_view"],
                          "at": pd.to_datetime(["2026-04-01T09:00Z"])})  # fmt: skip
    with pytest.raises(InvalidInputError, match="did you mean 'lead'") as info:
        events_from_frame(table, columns=EventColumns(lead_id="lead_ids"))
    assert info.value.column == "lead_ids"
    naive = table.assign(at=table["at"].dt.tz_localize(None))
    with pytest.raises(InvalidInputError, match="naive") as info:
        events_from_frame(naive, columns=EventColumns(lead_id="lead"))
    assert info.value.column == "at"


def test_text_times_and_mappings() -> None:
    """Text times without an offset need assume_tz; columns are mapped and numbers parsed."""
    table = pd.DataFrame({"who": ["L1"], "type": ["page_view"], "when": ["2026-04-01 18:00"],
                          "secs": ["95"]})  # fmt: skip
    columns = EventColumns(lead_id="who", at="when", properties={"secs": "duration_s"},
                           numeric=("secs",))  # fmt: skip
    (event,) = events_from_frame(table, columns=columns, assume_tz="Asia/Tokyo").rows
    assert event.at == T
    assert dict(event.properties) == {"duration_s": 95}
    with pytest.raises(InvalidInputError, match="naive timestamp"):
        events_from_frame(table, columns=columns)


def test_duplicate_leads_and_wrong_kinds_are_rejected() -> None:
    """A second row of a lead id, an unknown status and a datetime attribute are rows at
    fault; not a table at all is refused."""
    table = pd.DataFrame({
        "id": ["L1", "L1", "L2", "L3"], "status": ["open", "open", "maybe", None],
        "seen": [None, None, None, pd.Timestamp("2026-01-01", tz="UTC")],
    })  # fmt: skip
    result = leads_from_frame(table, errors="collect")
    assert [x.id for x in result.rows] == ["L1"]
    assert [(r.row, r.column) for r in result.rejected] == [(2, "id"), (3, "status"), (4, "seen")]
    with pytest.raises(InvalidInputError, match="DataFrame"):
        leads_from_frame([{"id": "L1"}])
