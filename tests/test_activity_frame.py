"""Tests of the vectorised activity detector: activity_frame and reactivations_frame.

The reference is :func:`leadscoring.activity_all` on the same events; the timeline of the
golden test is the one of ``docs/dormancy.md``, worked out by hand there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("narwhals")

from leadscoring import (  # noqa: E402
    Activity,
    DormancyPolicy,
    Event,
    InvalidInputError,
    Lead,
    activity_all,
    to_frame,
)
from leadscoring.examples import default_model, sample_dataset  # noqa: E402
from leadscoring.scoring.frame_activity import activity_frame, reactivations_frame  # noqa: E402
from leadscoring.signals.activity import _thresholds  # noqa: E402
from leadscoring.signals.activity_frame import kth_smallest, thresholds  # noqa: E402
from strategies import T0, activity_leads, dormancy_policies, lead_histories  # noqa: E402
from test_frame import events_table  # noqa: E402

LEAD_IDS = ("L1", "L2", "L3")


def day(n: float) -> datetime:
    """Day ``n`` after 2026-01-05 (the docs' timeline)."""
    return datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=n)


def leads_table(lead_list: list[Lead], backend: str = "pandas") -> Any:
    """Leads as a table: lead_id, status, status_changed_at (the fields activity reads)."""
    data = {
        "lead_id": [x.id for x in lead_list],
        "status": [x.status.value for x in lead_list],
        "status_changed_at": [x.status_changed_at for x in lead_list],
    }
    if backend == "polars":
        pl = pytest.importorskip("polars")
        schema = {"lead_id": pl.String, "status": pl.String,
                  "status_changed_at": pl.Datetime("us", "UTC")}  # fmt: skip
        return pl.DataFrame(data, schema=schema)
    table = pd.DataFrame(data)
    table["status_changed_at"] = pd.to_datetime(table["status_changed_at"], utc=True)
    return table


def rows_of(table: Any) -> list[dict[str, Any]]:
    """A table's rows as dicts of Python values (nulls as None), pandas or polars."""
    if hasattr(table, "to_dicts"):
        return [dict(row) for row in table.to_dicts()]
    out = []
    for row in table.astype(object).to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
                value = None
            elif hasattr(value, "to_pytimedelta"):
                value = value.to_pytimedelta()
            elif hasattr(value, "to_pydatetime"):
                value = value.to_pydatetime()
            elif value is not None and hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        out.append(clean)
    return out


def assert_same_activity(table: Any, expected: list[Activity]) -> None:
    """Each row of activity_frame is to_frame's row of the Activity of its lead."""
    assert rows_of(table) == rows_of(to_frame(expected))


def assert_same_reactivations(table: Any, expected: list[Activity]) -> None:
    """reactivations_frame lists every reactivation of every lead, in lead order."""
    want = [
        {"lead_id": a.lead_id, "at": r.at, "kind": r.kind.value, "silent_since": r.silent_since,
         "silence": r.silence, "events": r.events, "event_id": r.event_id}
        for a in expected for r in a.reactivations
    ]  # fmt: skip
    assert rows_of(table) == want


# --------------------------------------------------------------------------- examples


def test_the_docs_timeline_on_a_table() -> None:
    """Acme (docs/dormancy.md): threshold 135 days from day 90 (gaps 45 and 45, times 3);
    dormant from day 225; back on day 260 and reactivated at the third event, day 268."""
    views = [(0, "blog", "e1"), (45, "product", "e2"), (90, "service", "e3"),
             (260, "pricing", "e5"), (263, "case_study", "e6"), (268, "service", "e7")]  # fmt: skip
    events = [Event(lead_id="acme", type="page_view", at=day(n), id=i,
                    properties={"category": c}) for n, c, i in views]  # fmt: skip
    events.append(Event(lead_id="acme", type="bounce", at=day(150), id="e4"))
    table = events_table(events)
    at_225 = activity_frame(table, as_of=day(225))
    assert at_225["state"].tolist() == ["dormant"]
    assert at_225["threshold"].tolist() == [pd.Timedelta(days=135)]
    assert at_225["dormant_since"].tolist() == [pd.Timestamp(day(225))]
    at_268 = activity_frame(table, as_of=day(268))
    assert at_268["state"].tolist() == ["reactivated"]
    assert at_268["reactivation_kind"].tolist() == ["return_after_silence"]
    assert at_268["silence"].tolist() == [pd.Timedelta(days=170)]
    found = reactivations_frame(table, as_of=day(300))
    assert found[["event_id", "events"]].to_dict("records") == [{"event_id": "e7", "events": 3}]


def test_a_lost_deal_needs_one_intent_event() -> None:
    """Globex, lost on day 20, silent from day 10, views pricing on day 130: one event is a
    lost deal return (silence 120 days)."""
    events = [
        Event(lead_id="globex", type="email_click", at=day(10)),
        Event(lead_id="globex", type="page_view", at=day(130), id="g2",
              properties={"category": "pricing"}),
    ]  # fmt: skip
    leads_df = leads_table([Lead(id="globex", status="lost", status_changed_at=day(20))])
    table = activity_frame(events_table(events), as_of=day(131), leads_df=leads_df)
    assert table["reactivation_kind"].tolist() == ["lost_deal_return"]
    assert table["silence"].tolist() == [pd.Timedelta(days=120)]


def test_every_planted_reactivation_is_found_on_the_frame_path() -> None:
    """The sample data with b2b-default's policy: each planted return is a reactivation of
    the frame path too, at the planted moment and of the planted kind."""
    data = sample_dataset(seed=3, n_leads=400)
    events = events_table(list(data.events))
    leads_df = leads_table(list(data.leads))
    policy = default_model().dormancy
    found = reactivations_frame(events, as_of=data.as_of, leads_df=leads_df, policy=policy)
    seen = {(r["lead_id"], r["at"], r["kind"]) for r in rows_of(found)}
    planted = data.planted.reactivations
    assert planted
    assert all((p.lead_id, p.at, p.kind) in seen for p in planted)
    expected = activity_all(data.leads, data.events, as_of=data.as_of, policy=policy)
    assert_same_reactivations(found, expected)


def test_bad_tables_are_named() -> None:
    """A missing column or a naive time raises InvalidInputError naming the column."""
    table = events_table([Event(lead_id="L1", type="page_view", at=day(0))])
    with pytest.raises(InvalidInputError, match="missing required column 'type'"):
        activity_frame(table.drop(columns=["type"]), as_of=day(1))
    table["at"] = table["at"].dt.tz_localize(None)
    with pytest.raises(InvalidInputError, match="naive") as info:
        reactivations_frame(table, as_of=day(1))
    assert info.value.column == "at"


# --------------------------------------------------------------------------- the parts


@settings(max_examples=60)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=40), st.data())
def test_kth_smallest_is_the_sorted_slice(values: list[int], data: st.DataObject) -> None:
    """The wavelet matrix gives sorted(values[lo:hi])[k] for any range and rank."""
    ranks = np.argsort(np.argsort(np.array(values), kind="stable"), kind="stable")
    lo = data.draw(st.integers(0, len(values) - 1))
    hi = data.draw(st.integers(lo + 1, len(values)))
    k = data.draw(st.integers(0, hi - lo - 1))
    got = kth_smallest(ranks, np.array([lo]), np.array([hi]), np.array([k]))
    assert int(got[0]) == sorted(ranks[lo:hi].tolist())[k]


@settings(max_examples=60)
@given(st.lists(lead_histories(), min_size=1, max_size=3), dormancy_policies())
def test_thresholds_equal_the_scalar_ones(histories: list[list[Event]], policy: Any) -> None:
    """The threshold after every activity event, median and rounding included, is the one
    the scalar detector computes."""
    lead, at, want = [], [], []
    for index, history in enumerate(histories):
        acts = [e for e in history if e.type not in policy.ignore_types]
        lead += [index] * len(acts)
        at += [int((e.at - T0) / timedelta(microseconds=1)) for e in acts]
        want += _thresholds(acts, policy)
    got, exact = thresholds(np.array(lead, dtype=np.int64), np.array(at, dtype=np.int64), policy)
    values = [exact.get(i, timedelta(microseconds=int(v))) for i, v in enumerate(got.tolist())]
    assert values == want


# --------------------------------------------------------------------------- properties


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[Lead], list[Event]]:
    """Three leads of any status and their histories (long silences, bursts, ties)."""
    lead_list = [draw(activity_leads(lead_id)) for lead_id in LEAD_IDS]
    events = [e for lead_id in LEAD_IDS for e in draw(lead_histories(lead_id, max_size=15))]
    return lead_list, draw(st.permutations(events))


@settings(max_examples=60, deadline=None)
@given(populations(), dormancy_policies(), st.integers(0, 1200))
def test_activity_frame_equals_activity_all(
    population: tuple[list[Lead], list[Event]], policy: DormancyPolicy, days: int
) -> None:
    """Any statuses, histories, policies and moments: every lead's activity and every
    reactivation are activity_all's."""
    lead_list, events = population
    as_of = T0 + timedelta(days=days)
    expected = activity_all(lead_list, events, as_of=as_of, policy=policy)
    table, leads_df = events_table(events), leads_table(lead_list)
    assert_same_activity(
        activity_frame(table, as_of=as_of, leads_df=leads_df, policy=policy), expected
    )
    assert_same_reactivations(
        reactivations_frame(table, as_of=as_of, leads_df=leads_df, policy=policy), expected
    )


@settings(max_examples=30, deadline=None)
@given(populations(), dormancy_policies(), st.integers(0, 1200))
def test_activity_frame_on_polars_equals_activity_all(
    population: tuple[list[Lead], list[Event]], policy: DormancyPolicy, days: int
) -> None:
    """The same on polars tables, which come back as polars tables."""
    pl = pytest.importorskip("polars")
    lead_list, events = population
    as_of = T0 + timedelta(days=days)
    expected = activity_all(lead_list, events, as_of=as_of, policy=policy)
    table, leads_df = events_table(events, "polars"), leads_table(lead_list, "polars")
    out = activity_frame(table, as_of=as_of, leads_df=leads_df, policy=policy)
    assert isinstance(out, pl.DataFrame)
    assert_same_activity(out, expected)
    assert_same_reactivations(
        reactivations_frame(table, as_of=as_of, leads_df=leads_df, policy=policy), expected
    )
