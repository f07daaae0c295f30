"""The table kinds the DataFrame engines give back: a pyarrow ``Table`` in gives a pyarrow
``Table`` out, and an empty input keeps the column types of a full one (a Dask ``meta``
declared from the model must hold for an empty partition too)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from leadscoring import activity_frame, assess_frame, score_frame
from leadscoring.examples import default_model

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

NOW = datetime(2026, 2, 1, tzinfo=UTC)
AT = datetime(2026, 1, 31, tzinfo=UTC)
MODEL = default_model()


def _events() -> Any:
    return pd.DataFrame({
        "lead_id": ["a", "a", "b"],
        "type": ["page_view", "page_view", "inquiry"],
        "at": pd.to_datetime([AT, AT, AT], utc=True).astype("datetime64[us, UTC]"),
        "id": ["e1", "e2", "e3"],
        "category": ["pricing", "case_study", None],
    })  # fmt: skip


def _run(kind: str, table: Any) -> Any:
    if kind == "score":
        return score_frame(table, MODEL, as_of=NOW, by_rule=True)
    if kind == "assess":
        return assess_frame(table, MODEL, as_of=NOW)
    return activity_frame(table, as_of=NOW)


@pytest.mark.parametrize("kind", ["score", "assess", "activity"])
def test_a_pyarrow_table_gives_a_pyarrow_table_with_the_pandas_values(kind: str) -> None:
    """pyarrow in, pyarrow out; the values are those of the same table in pandas."""
    events = _events()
    out = _run(kind, pa.Table.from_pandas(events, preserve_index=False))
    assert isinstance(out, pa.Table)
    want = _run(kind, events)
    assert out.column_names == list(want.columns)
    assert out.to_pylist() == pa.Table.from_pandas(want, preserve_index=False).to_pylist()
    assert pa.types.is_large_string(out.schema.field("lead_id").type) or pa.types.is_string(
        out.schema.field("lead_id").type
    )


@pytest.mark.parametrize("kind", ["score", "assess", "activity"])
def test_an_empty_pandas_input_keeps_the_column_types(kind: str) -> None:
    """No events, no leads: lead ids and labels stay text (not float64), numbers numbers,
    times times; the columns are those of a full result."""
    events = _events()
    full = _run(kind, events)
    empty = _run(kind, events.iloc[:0])
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    assert empty["lead_id"].dtype == object
    for name, dtype in full.dtypes.items():
        if dtype.kind in "fiMm":  # numbers, times and durations keep their dtype
            assert empty[name].dtype == dtype, name
        else:
            assert empty[name].dtype == object, name
    if kind == "assess":
        for n in (1, 2, 3):  # numbers even where no lead has a third reason
            assert full[f"reason_{n}_points"].dtype.kind == "f"
            assert empty[f"reason_{n}_points"].dtype.kind == "f"
        assert full["reason_3_points"].isna().all()
        assert empty["temperature"].dtype == object


@pytest.mark.parametrize("kind", ["score", "assess", "activity"])
def test_an_empty_polars_input_keeps_the_column_types(kind: str) -> None:
    """The same on polars: no ``Null`` columns, the schema of a full result."""
    events = pl.from_pandas(_events())
    full = _run(kind, events)
    empty = _run(kind, events.head(0))
    assert empty.height == 0
    assert empty.columns == full.columns
    assert empty.schema["lead_id"] == pl.String
    assert pl.Null not in empty.schema.values()
    for name, dtype in full.schema.items():
        if dtype != pl.Null:
            assert empty.schema[name] == dtype, name
    if kind == "assess":  # nulls, not NaN, and numbers even where every one is null
        assert full.schema["reason_3_points"] == pl.Float64
        assert full["reason_3_points"].null_count() == full.height


def test_accounts_on_a_pyarrow_table_give_a_pyarrow_table() -> None:
    """assess_accounts_frame follows the input's kind too, with the pandas values."""
    from leadscoring import assess_accounts_frame

    events = _events()
    leads = pd.DataFrame({"lead_id": ["a", "b"], "account_id": ["acme", "acme"]})
    want = assess_accounts_frame(events, MODEL, as_of=NOW, leads_df=leads)
    out = assess_accounts_frame(
        pa.Table.from_pandas(events, preserve_index=False), MODEL, as_of=NOW,
        leads_df=pa.Table.from_pandas(leads, preserve_index=False),
    )  # fmt: skip
    assert isinstance(out, pa.Table)
    assert out.num_rows == 1
    assert out.to_pylist() == pa.Table.from_pandas(want, preserve_index=False).to_pylist()
