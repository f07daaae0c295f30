"""``examples.sample_frames``: the sample data as DataFrames.

Up to ``EXACT_UP_TO`` leads the frames are ``sample_dataset`` itself; above it, copies of
a generated base with their own ids, every copy's times moved back together, so each
lead's history keeps its intervals and the ground truth stays true.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pandas as pd
import polars as pl
import pytest

from leadscoring import InvalidValueError, reactivations_frame, score_frame
from leadscoring.examples import (
    EXACT_UP_TO,
    SampleFrames,
    default_model,
    sample_dataset,
    sample_frames,
)

COPIED = 2 * EXACT_UP_TO + 1
"""Two copies of a base of EXACT_UP_TO leads, and one lead of its own (the rest)."""


@pytest.fixture(scope="module")
def copied() -> SampleFrames:
    return sample_frames(COPIED, seed=5)


def rows(frame: Any) -> list[dict[str, Any]]:
    table = frame.to_pandas() if isinstance(frame, pl.DataFrame) else frame
    return [
        {k: v for k, v in row.items() if v is not None and not (isinstance(v, float) and v != v)}
        for row in table.astype(object).where(table.notna(), None).to_dict("records")
    ]


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_small_samples_are_the_sample_dataset_itself(backend: str) -> None:
    data = sample_dataset(3, 120)
    frames = sample_frames(120, seed=3, backend=backend)  # type: ignore[arg-type]
    assert frames.copies == 1
    assert frames.planted == data.planted
    assert frames.as_of == data.as_of
    assert frames.identities == data.identities
    for table, events in (
        (frames.events, data.events),
        (frames.cookie_events, data.cookie_events),
        (frames.anonymous_events, data.anonymous_events),
    ):
        expected = [
            {"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id, **e.properties}
            for e in events
        ]
        assert rows(table) == expected
    expected_leads = [
        {"lead_id": x.id, "status": x.status.value, **x.attributes}
        | ({"status_changed_at": x.status_changed_at} if x.status_changed_at else {})
        | ({"account_id": x.account_id} if x.account_id else {})
        for x in data.leads
    ]
    assert rows(frames.leads) == expected_leads


def test_types_are_native() -> None:
    frames = sample_frames(60, seed=0)
    assert str(frames.events["at"].dtype) == "datetime64[us, UTC]"
    assert str(frames.leads["status_changed_at"].dtype) == "datetime64[us, UTC]"
    assert frames.events["duration_s"].dtype.kind == "f"  # seconds, null off page views
    assert frames.leads["company_size"].dtype.kind == "f"  # students have no company
    polars = sample_frames(60, seed=0, backend="polars")
    assert polars.events.schema["at"] == pl.Datetime("us", "UTC")
    assert polars.events.schema["duration_s"] == pl.Int64


def test_copies_have_their_own_ids(copied: SampleFrames) -> None:
    leads, events = copied.leads, copied.events
    assert copied.copies == 3  # two of the base, one of the rest
    assert len(leads) == COPIED
    assert leads["lead_id"].is_unique
    assert leads["lead_id"].iloc[0] == "L0001"
    assert leads["lead_id"].iloc[-1] == f"L{COPIED:04d}"
    assert not events.duplicated(["lead_id", "id"]).any()
    assert set(events["lead_id"]) <= set(leads["lead_id"])
    assert (events["at"] <= copied.as_of).all()
    assert (events["id"].str.rsplit("-E", n=1).str[0] == events["lead_id"]).all()
    cookies = set(copied.cookie_events["lead_id"])
    assert all(copied.identities.lead_of(c) in set(leads["lead_id"]) for c in cookies)
    assert not cookies & set(copied.anonymous_events["lead_id"])
    accounts = leads["account_id"].dropna()
    base = leads["account_id"].iloc[:EXACT_UP_TO].dropna()
    assert accounts.nunique() == 2 * base.nunique() + leads["account_id"].iloc[-1:].nunique()


def test_a_copy_keeps_every_interval_and_moves_back_under_a_week(copied: SampleFrames) -> None:
    """Lead 1 and its copy, lead EXACT_UP_TO + 1: the same events, all moved back by one
    amount, in whole seconds, below seven days."""
    events = copied.events
    first = events[events["lead_id"] == "L0001"].sort_values("at")
    twin = events[events["lead_id"] == f"L{EXACT_UP_TO + 1:04d}"].sort_values("at")
    assert len(first) == len(twin) > 0
    shift = first["at"].iloc[0] - twin["at"].iloc[0]
    assert timedelta(0) <= shift < timedelta(days=7)
    assert shift % timedelta(seconds=1) == timedelta(0)
    assert ((first["at"].to_numpy() - twin["at"].to_numpy()) == shift.to_numpy()).all()
    assert first["type"].tolist() == twin["type"].tolist()
    persona = copied.planted.personas
    assert persona["L0001"] == persona[f"L{EXACT_UP_TO + 1:04d}"]


def test_the_ground_truth_holds_for_every_copy(copied: SampleFrames) -> None:
    """The frame path with b2b-default's policy finds exactly the planted reactivations,
    in every copy (each at its shifted moment), as on the objects."""
    planted = {(p.lead_id, p.at, p.kind) for p in copied.planted.reactivations}
    leads = set(copied.leads["lead_id"])
    assert {lead for lead, _, _ in planted} <= leads
    assert len(planted) > 2 * 48 * EXACT_UP_TO // 2_000 // 2  # every copy has returns
    found = reactivations_frame(
        copied.events, as_of=copied.as_of, leads_df=copied.leads, policy=default_model().dormancy
    )
    seen = set(zip(found["lead_id"], found["at"], found["kind"], strict=True))
    assert seen == planted
    truth = copied.planted
    assert len(truth.personas) == COPIED
    assert len(truth.identifications) == len(copied.identities.links)
    assert all(copied.identities.lead_of(i.alias) == i.lead_id for i in truth.identifications)
    assert set(truth.complete_accounts) <= set(copied.leads["account_id"].dropna())


def test_the_same_arguments_give_the_same_frames(copied: SampleFrames) -> None:
    again = sample_frames(COPIED, seed=5)
    pd.testing.assert_frame_equal(again.events, copied.events)
    pd.testing.assert_frame_equal(again.leads, copied.leads)
    assert again.planted == copied.planted
    other = sample_frames(COPIED, seed=6)
    assert not other.events["at"].equals(copied.events["at"])


def test_polars_and_pandas_hold_the_same_data(copied: SampleFrames) -> None:
    polars = sample_frames(COPIED, seed=5, backend="polars")
    for name in ("leads", "events", "cookie_events", "anonymous_events"):
        theirs = getattr(polars, name).to_pandas()
        ours = getattr(copied, name)
        assert list(theirs.columns) == list(ours.columns)
        assert rows(theirs) == rows(ours)


def test_a_copy_scores_as_its_original_would_later(copied: SampleFrames) -> None:
    """Every time of copy 2 is its original's minus one shift s, so scoring the copy at
    as_of is scoring the original at as_of + s (nothing happens after as_of): equal totals
    and labels on the columnar engine."""
    leads, events = copied.leads, copied.events
    ids = [f"L{i:04d}" for i in range(1, 201)]
    twins = {f"L{i + EXACT_UP_TO:04d}": f"L{i:04d}" for i in range(1, 201)}
    shift = (events.loc[events["lead_id"] == "L0001", "at"].min()
             - events.loc[events["lead_id"] == "L2001", "at"].min())  # fmt: skip
    model = default_model()

    def scores(chosen: Any, as_of: Any) -> pd.DataFrame:
        table = score_frame(events[events["lead_id"].isin(chosen)], model, as_of=as_of,
                            leads_df=leads[leads["lead_id"].isin(chosen)])  # fmt: skip
        return table.assign(lead_id=table["lead_id"].replace(twins)).set_index("lead_id")

    original = scores(ids, copied.as_of + shift)
    copy = scores(list(twins), copied.as_of).loc[original.index]
    assert original["total"].sum() > 0
    pd.testing.assert_series_equal(copy["total"], original["total"], atol=1e-9, rtol=0)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"n_leads": -1}, "n_leads"),
        ({"n_leads": 1.5}, "n_leads"),
        ({"n_leads": True}, "n_leads"),
        ({"n_leads": 5, "seed": "0"}, "seed"),
        ({"n_leads": 5, "backend": "arrow"}, "backend"),
        ({"n_leads": 5, "as_of": "yesterday"}, "as_of"),
    ],
)
def test_bad_arguments_are_named(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValueError, match=field):
        sample_frames(**arguments)


def test_no_leads_is_empty_tables() -> None:
    frames = sample_frames(0)
    assert len(frames.leads) == len(frames.events) == 0
    assert list(itertools.islice(frames.events.columns, 4)) == ["lead_id", "type", "at", "id"]
