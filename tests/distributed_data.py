"""Small events and leads tables shared by the Dask and Spark tests, and the comparison
of a distributed result with the single-process columnar engine."""

from __future__ import annotations

from typing import Any

import pandas as pd

from leadscoring.examples import default_model, sample_dataset

DATA = sample_dataset(seed=3, n_leads=30)
MODEL = default_model()
AS_OF = DATA.as_of


def events_table() -> pd.DataFrame:
    """The sample's events as a pandas table (UTC times, properties as columns)."""
    events = pd.DataFrame(
        [{"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id, **e.properties}
         for e in DATA.events]
    )  # fmt: skip
    events["at"] = pd.to_datetime(events["at"], utc=True).astype("datetime64[us, UTC]")
    return events


def leads_table() -> pd.DataFrame:
    """The sample's leads as a pandas table, plus two leads without any events."""
    rows = [
        {"lead_id": x.id, "status": x.status.value, "status_changed_at": x.status_changed_at,
         **x.attributes}
        for x in DATA.leads
    ]  # fmt: skip
    rows.append({"lead_id": "Q-silent-1", "status": "open", "industry": "manufacturing"})
    rows.append({"lead_id": "Q-silent-2", "status": "won", "status_changed_at": AS_OF})
    leads = pd.DataFrame(rows)
    leads["status_changed_at"] = pd.to_datetime(leads["status_changed_at"], utc=True).astype(
        "datetime64[us, UTC]"
    )
    return leads


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """``got`` equals ``expected`` row for row after sorting both by lead id: the same
    columns in the same order, numbers within 1e-9, labels and times exactly."""
    assert list(got.columns) == list(expected.columns)
    got = got.sort_values("lead_id").reset_index(drop=True)
    expected = expected.sort_values("lead_id").reset_index(drop=True)
    assert len(got) == len(expected)
    for name in expected.columns:
        left, right = got[name], expected[name]
        if pd.api.types.is_float_dtype(right.dtype):
            assert ((left - right).abs().fillna(0) <= 1e-9).all(), name
            assert (left.isna() == right.isna()).all(), name
        else:
            assert _cells(left) == _cells(right), name


def _cells(series: pd.Series) -> list[Any]:
    """A column's cells as plain values, nulls as ``None``."""
    return [None if pd.isna(v) else v for v in series.astype(object).tolist()]
