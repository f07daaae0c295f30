"""Tests of assess_frame, changes_frame and to_frame: the whole assessment on tables.

The reference is :func:`leadscoring.assess_all` on the same leads and events (labels
exactly, numbers within 1e-9); golden values are worked out by hand in the comments.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("narwhals")

from leadscoring import (  # noqa: E402  # noqa: E402
    Assessment,
    Event,
    InvalidInputError,
    Lead,
    ScoringModel,
    Segment,
    Temperature,
    assess_all,
    assess_frame,
    changes_all,
    changes_frame,
    gte,
    to_frame,
    when,
)
from leadscoring.examples import default_model, sample_dataset  # noqa: E402
from strategies import (  # noqa: E402
    T0,
    event_conditions,
    lead_conditions,
    lead_histories,
    leads,
    models,
    stage_histories,
)
from test_activity_frame import rows_of  # noqa: E402
from test_frame import events_table, leads_table, without_nones  # noqa: E402

LEAD_IDS = ("L1", "L2", "L3")
T = datetime(2026, 6, 3, tzinfo=UTC)
SEGMENTS = (
    Segment(name="hot ones", when=when(temperature="hot")),
    Segment(name="focused", when=when(interest_pattern="focused")),
    Segment(name="scored", when=when(score=gte(10))),
    Segment(name="it", when=when(industry="it")),
    Segment(name="came back", when=when(reactivations=gte(1))),
)
"""Segments over derived values and an attribute."""


def assert_same(table: Any, expected: list[Assessment]) -> None:
    """Every column of every row equals to_frame's row of the assessment: text, integers
    and nulls exactly, floats within 1e-9."""
    got, want = rows_of(table), rows_of(to_frame(expected))
    assert [r["lead_id"] for r in got] == [r["lead_id"] for r in want]
    for row, ref in zip(got, want, strict=True):
        assert set(row) >= set(ref)
        for name, value in ref.items():
            mine = row[name]
            if isinstance(value, float) and not math.isnan(value):
                assert mine == pytest.approx(value, rel=1e-9, abs=1e-9), name
            elif isinstance(value, float):
                assert mine is None or math.isnan(mine), name
            else:
                assert mine == value, name


# --------------------------------------------------------------------------- examples


def test_golden_call_list() -> None:
    """b2b-default, as_of 3 June: L1 viewed pricing twice (2 and 1 days ago), 10 points
    each halving every 30 days: 10 * 0.5 ** (2/30) + 10 * 0.5 ** (1/30) = 9.548 + 9.772 =
    19.32; cold (< 30), comparison (journey evidence 0.5 ** (2/14) + 0.5 ** (1/14) = 1.86,
    at least 1.5), grade D (no fit), priority 5 (D, cold). L2 read one blog post a day ago:
    1 * 0.5 ** (1/30) = 0.977; information gathering (0.952 >= 0.5)."""
    events = pd.DataFrame({
        "lead_id": ["L1", "L1", "L2"], "type": ["page_view"] * 3,
        "at": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-02"], utc=True),
        "category": ["pricing", "pricing", "blog"], "id": ["a", "b", "c"],
    })  # fmt: skip
    table = assess_frame(events, default_model(), as_of=T)
    assert table["lead_id"].tolist() == ["L1", "L2"]
    assert table["total"].round(2).tolist() == [19.32, 0.98]
    assert table["journey"].tolist() == ["comparison", "information_gathering"]
    assert table[["grade", "priority", "temperature"]].iloc[0].tolist() == ["D", 5, "cold"]
    assert table["reason_1"].tolist() == ["pricing page", "blog article"]
    assert table["reason_2"].isna().tolist() == [True, True]


def test_previous_turns_on_hysteresis() -> None:
    """With exit_margin 5 a lead at 57 stays hot if it was hot (57 >= 60 - 5), and is warm
    otherwise; a table of the last run and a mapping say the same."""
    from leadscoring import EventRule, NoDecay, TemperatureClassifier

    model = ScoringModel(
        name="m", rules=[EventRule(name="v", when={"type": "page_view"}, points=57)],
        default_decay=NoDecay(), temperature=TemperatureClassifier(exit_margin=5),
    )  # fmt: skip
    events = events_table([Event(lead_id="L1", type="page_view", at=T)])
    assert assess_frame(events, model, as_of=T)["temperature"].tolist() == ["warm"]
    last_run = pd.DataFrame({"lead_id": ["L1"], "temperature": ["hot"]})
    assert assess_frame(events, model, as_of=T, previous=last_run)["temperature"].tolist() == [
        "hot"
    ]  # fmt: skip
    mapping = {"L1": Temperature.HOT}
    assert assess_frame(events, model, as_of=T, previous=mapping)["temperature"].tolist() == [
        "hot"
    ]  # fmt: skip
    with pytest.raises(InvalidInputError, match="unknown temperature") as info:
        assess_frame(events, model, as_of=T, previous=last_run.assign(temperature=["tepid"]))
    assert (info.value.column, info.value.row) == ("temperature", 1)


def test_the_sample_data_with_the_default_model() -> None:
    """400 sample leads with b2b-default: every column is assess_all's."""
    data = sample_dataset(seed=1, n_leads=400)
    model = default_model()
    events = events_table(list(data.events))
    table = assess_frame(events, model, as_of=data.as_of, leads_df=leads_table(list(data.leads)),
                         segments=SEGMENTS)  # fmt: skip
    expected = assess_all(data.leads, data.events, model=model, as_of=data.as_of,
                          segments=SEGMENTS)  # fmt: skip
    assert_same(table, expected)
    for segment in SEGMENTS:
        want = [segment.name in a.segments for a in expected]
        assert table[f"segment.{segment.name}"].tolist() == want


def test_categorical_columns_give_the_same_table() -> None:
    """Text columns as pandas categories (unused categories too) or polars enums are read
    from their codes and give the very same table."""
    pl = pytest.importorskip("polars")
    data = sample_dataset(seed=5, n_leads=80)
    model = default_model()
    events = events_table(list(data.events))
    plain = assess_frame(events, model, as_of=data.as_of)
    texts = ["lead_id", "type", "category", "product", "form", "url", "campaign"]
    coded = events.astype({c: "category" for c in texts if c in events.columns})
    coded["lead_id"] = coded["lead_id"].cat.add_categories(["nobody"])
    assert assess_frame(coded, model, as_of=data.as_of).equals(plain)
    lead_ids = list(dict.fromkeys(e.lead_id for e in data.events))
    polars = events_table(list(data.events), "polars").with_columns(
        pl.col("lead_id").cast(pl.Enum(["nobody", *sorted(lead_ids)]))
    )
    assert rows_of(assess_frame(polars, model, as_of=data.as_of)) == rows_of(plain)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_event_ids_are_checked_without_reading_them_all(backend: str) -> None:
    """Copies of an event (same lead and id) count once, the same id in two leads is two
    events, a different event reusing an id raises, and a blank id is refused by column."""
    from leadscoring import InvalidEventError

    if backend == "polars":
        pytest.importorskip("polars")
    model = default_model()
    view = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"category": "faq"})
    other = Event(lead_id="L2", type="page_view", at=T, id="e1", properties={"category": "faq"})
    table = assess_frame(events_table([view, view, other], backend), model, as_of=T)
    assert rows_of(table)[0]["total"] == rows_of(table)[1]["total"] == 3.0  # one FAQ view each
    changed = Event(lead_id="L1", type="page_view", at=T, id="e1",
                    properties={"category": "blog"})  # fmt: skip
    with pytest.raises(InvalidEventError, match="share id 'e1'"):
        assess_frame(events_table([view, changed], backend), model, as_of=T)
    blank = events_table([Event(lead_id="L1", type="page_view", at=T, id="x")], backend)
    blank = blank.with_columns(id=blank["id"].str.replace("x", " ")) if backend == "polars" else (
        blank.assign(id=[" "])
    )
    with pytest.raises(InvalidInputError) as info:
        assess_frame(blank, model, as_of=T)
    assert (info.value.column, info.value.row) == ("id", 1)


@pytest.mark.parametrize("column", ["lead_id", "type", "at"])
def test_bad_input_is_named(column: str) -> None:
    """Missing columns and nulls in required columns raise InvalidInputError naming the
    column (and the row)."""
    good = events_table([Event(lead_id="L1", type="page_view", at=T, id=f"e{i}")
                         for i in range(2)])  # fmt: skip
    with pytest.raises(InvalidInputError, match="missing required column") as info:
        assess_frame(good.drop(columns=[column]), default_model(), as_of=T)
    assert info.value.column == column
    good.loc[1, column] = None
    with pytest.raises(InvalidInputError, match="missing value") as info:
        assess_frame(good, default_model(), as_of=T)
    assert (info.value.column, info.value.row) == (column, 2)


def test_wrong_dtypes_are_named() -> None:
    """A naive time column and a datetime column a rule reads are refused by name."""
    table = events_table([Event(lead_id="L1", type="page_view", at=T)])
    with pytest.raises(InvalidInputError, match="expected text") as info:
        assess_frame(table.assign(category=table["at"]), default_model(), as_of=T)
    assert info.value.column == "category"
    table["at"] = table["at"].dt.tz_localize(None)
    with pytest.raises(InvalidInputError, match="naive") as info:
        assess_frame(table, default_model(), as_of=T)
    assert info.value.column == "at"


# --------------------------------------------------------------------------- changes


def test_changes_frame_equals_changes_all() -> None:
    """The sample a month apart: the table of changes is changes_all's, row for row."""
    data = sample_dataset(seed=2, n_leads=150)
    model = default_model()
    events = events_table(list(data.events))
    leads_df = leads_table(list(data.leads))
    earlier = data.as_of - timedelta(days=30)
    before = assess_frame(events, model, as_of=earlier, leads_df=leads_df, segments=SEGMENTS)
    after = assess_frame(events, model, as_of=data.as_of, leads_df=leads_df, segments=SEGMENTS)
    first = assess_all(data.leads, data.events, model=model, as_of=earlier, segments=SEGMENTS)
    second = assess_all(data.leads, data.events, model=model, as_of=data.as_of,
                        segments=SEGMENTS)  # fmt: skip
    expected = changes_all(first, second)
    assert expected
    assert rows_of(changes_frame(before, after)) == rows_of(to_frame(expected))
    new_only = changes_frame(before.iloc[1:], after)
    assert (new_only["lead_id"] == after["lead_id"].iloc[0]).sum() >= 6


def test_to_frame_keeps_times_and_durations_typed() -> None:
    """Times are datetime64 in UTC and durations timedelta64, in pandas and polars."""
    pl = pytest.importorskip("polars")
    data = sample_dataset(seed=0, n_leads=60)
    found = assess_all(data.leads, data.events, model=default_model(), as_of=data.as_of)
    table = to_frame([a.activity for a in found])
    assert str(table["last_active_at"].dtype) == "datetime64[us, UTC]"
    assert str(table["threshold"].dtype) == "timedelta64[us]"
    polars = to_frame([a.score for a in found], backend="polars")
    assert isinstance(polars, pl.DataFrame)
    assert polars.schema["as_of"] == pl.Datetime("us", "UTC")
    with pytest.raises(ValueError, match="results\\[1\\]"):
        to_frame([found[0], found[0].score])


# --------------------------------------------------------------------------- properties


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[Lead], list[Event]]:
    """Three leads of any status; page views of every category and product, forms,
    purchases, webinars, and long silences."""
    lead_list = [draw(leads(lead_id)) for lead_id in LEAD_IDS]
    events = [
        e
        for lead_id in LEAD_IDS
        for e in [*draw(stage_histories(lead_id, max_size=10)),
                  *draw(lead_histories(lead_id, max_size=6))]
    ]  # fmt: skip
    return lead_list, draw(st.permutations(events))


scoring_models = models(when=event_conditions(), who=lead_conditions(), stages=True)
"""Models of every rule kind, with random stage settings and dormancy policies."""
previous_runs = st.dictionaries(st.sampled_from(LEAD_IDS), st.sampled_from(list(Temperature)))


@settings(max_examples=40, deadline=None)
@given(scoring_models, populations(), st.integers(0, 400), previous_runs)
def test_assess_frame_equals_assess_all(
    model: ScoringModel,
    population: tuple[list[Lead], list[Event]],
    days: int,
    previous: dict[str, Temperature],
) -> None:
    """Random models, policies, stages, events and previous temperatures: the table is
    assess_all's, ranked the same, segments included."""
    lead_list, events = population
    events = without_nones(events)
    as_of = T0 + timedelta(days=days)
    expected = assess_all(lead_list, events, model=model, as_of=as_of, previous=previous,
                          segments=SEGMENTS)  # fmt: skip
    table = assess_frame(events_table(events), model, as_of=as_of,
                         leads_df=leads_table(lead_list), previous=previous,
                         segments=SEGMENTS)  # fmt: skip
    assert_same(table, expected)
    for segment in SEGMENTS:
        assert table[f"segment.{segment.name}"].tolist() == [
            segment.name in a.segments for a in expected
        ]


@settings(max_examples=25, deadline=None)
@given(scoring_models, populations(), st.integers(0, 400))
def test_assess_frame_on_polars_equals_assess_all(
    model: ScoringModel, population: tuple[list[Lead], list[Event]], days: int
) -> None:
    """The same on a polars table (leads from the events), which comes back as polars."""
    pl = pytest.importorskip("polars")
    _, events = population
    events = [
        Event(lead_id=e.lead_id, type=e.type, at=e.at, id=e.id, properties={
            k: v for k, v in e.properties.items() if v is not None and k != "amount"
        })
        for e in events
    ]  # fmt: skip
    as_of = T0 + timedelta(days=days)
    lead_list = [Lead(id=lead_id) for lead_id in dict.fromkeys(e.lead_id for e in events)]
    expected = assess_all(lead_list, events, model=model, as_of=as_of)
    table = assess_frame(events_table(events, "polars"), model, as_of=as_of)
    assert isinstance(table, pl.DataFrame)
    assert_same(table, expected)
