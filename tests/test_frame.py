"""Tests of leadscoring.scoring.frame: score_frame on pandas and polars tables.

The reference is :func:`leadscoring.score_all` on the same events; golden numbers are
worked out by hand in the comments next to them.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("narwhals")

from leadscoring import (  # noqa: E402
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    InvalidEventError,
    InvalidInputError,
    Lead,
    LeadScore,
    Limit,
    NoDecay,
    RepeatRule,
    ScoringModel,
    UnknownLeadError,
    UnknownLeadWarning,
    score_all,
    score_frame,
)
from strategies import (  # noqa: E402
    T0,
    event_conditions,
    event_lists,
    lead_conditions,
    leads,
    models,
    moments,
)

T = datetime(2026, 4, 1, tzinfo=UTC)
DAY = timedelta(days=1)
LEAD_IDS = ("L1", "L2", "L3")

scoring_models = models(when=event_conditions(), who=lead_conditions())
"""Models of every rule kind whose conditions use the generated events' vocabulary."""

MODEL = ScoringModel(name="m", rules=[EventRule(name="v", when={"type": "page_view"}, points=1)])
"""One point per page view, never decaying."""


def events_table(events: list[Event], backend: str = "pandas") -> Any:
    """Events as a table: lead_id, type, at, id, then one column per property."""
    rows = [
        {"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id, **e.properties}
        for e in events
    ]
    if backend == "polars":
        pl = pytest.importorskip("polars")
        schema = {"lead_id": pl.String, "type": pl.String, "at": pl.Datetime("us", "UTC"),
                  "id": pl.String}  # fmt: skip
        if not rows:
            return pl.DataFrame(schema=schema)
        return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
    table = pd.DataFrame(rows, columns=list(dict.fromkeys(k for r in rows for k in r)) or
                         ["lead_id", "type", "at", "id"])  # fmt: skip
    table["at"] = pd.to_datetime(table["at"], utc=True)
    return table


def leads_table(lead_list: list[Lead]) -> Any:
    """Leads as a table: lead_id, status, status_changed_at, then the attributes."""
    rows = [
        {"lead_id": x.id, "status": x.status.value, "status_changed_at": x.status_changed_at,
         **x.attributes}
        for x in lead_list
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    table["status_changed_at"] = pd.to_datetime(table["status_changed_at"], utc=True)
    return table


def without_nones(events: list[Event]) -> list[Event]:
    """The events as a table sees them: a property set to None is a null cell, i.e. absent."""
    return [
        Event(lead_id=e.lead_id, type=e.type, at=e.at, id=e.id,
              properties={k: v for k, v in e.properties.items() if v is not None})
        for e in events
    ]  # fmt: skip


def one_type_per_column(events: list[Event]) -> list[Event]:
    """The events as a polars table can hold them: one type per column (numbers only in
    ``duration_s``, the one property the strategies give both ints and strings), no
    ``None`` cells."""
    return [
        Event(lead_id=e.lead_id, type=e.type, at=e.at, id=e.id, properties={
            k: v for k, v in e.properties.items()
            if v is not None and (k != "duration_s" or type(v) is int)
        })
        for e in events
    ]  # fmt: skip


def assert_rows_match(table: Any, expected: list[LeadScore]) -> None:
    """Each row equals the LeadScore of its lead, to 1e-9 relative."""
    rows = table.to_dicts() if hasattr(table, "to_dicts") else table.to_dict("records")
    assert [r["lead_id"] for r in rows] == [s.lead_id for s in expected]
    for row, want in zip(rows, expected, strict=True):
        for name in ("total", "fit", "engagement"):
            assert row[name] == pytest.approx(getattr(want, name), rel=1e-9, abs=1e-9)
        for group, value in want.by_group.items():
            assert row[f"by_group.{group}"] == pytest.approx(value, rel=1e-9, abs=1e-9)
        for rule, value in want.by_rule.items():
            assert row[f"by_rule.{rule}"] == pytest.approx(value, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- examples


def test_golden_half_life_and_fit() -> None:
    """L1: visits 30 and 0 days ago = 10 * 0.5 + 10 = 15, plus 15 fit; L2: one visit, 10."""
    rules = [
        AttributeRule(name="it", when={"industry": "it"}, points=15),
        EventRule(name="visit", when={"type": "page_view"}, points=10),
    ]
    model = ScoringModel(name="m", rules=rules, default_decay=HalfLife(days=30))
    events = events_table([
        Event(lead_id="L1", type="page_view", at=T - 30 * DAY),
        Event(lead_id="L1", type="page_view", at=T),
        Event(lead_id="L2", type="page_view", at=T),
    ])  # fmt: skip
    leads_df = pd.DataFrame({"lead_id": ["L2", "L1"], "industry": [None, "it"]})
    out = score_frame(events, model, as_of=T, leads_df=leads_df)
    assert list(out.columns) == ["lead_id", "total", "fit", "engagement", "by_group.fit",
                                 "by_group.engagement"]  # fmt: skip
    assert out["lead_id"].tolist() == ["L2", "L1"]
    assert out["total"].tolist() == [10.0, 30.0]
    assert out["fit"].tolist() == [0.0, 15.0]


def test_without_leads_the_leads_are_those_of_the_events() -> None:
    """In order of first appearance; events after as_of are ignored but their lead is listed."""
    model = MODEL
    events = events_table([
        Event(lead_id="L2", type="page_view", at=T),
        Event(lead_id="L1", type="page_view", at=T + DAY),
    ])  # fmt: skip
    out = score_frame(events, model, as_of=T)
    assert out["lead_id"].tolist() == ["L2", "L1"]
    assert out["total"].tolist() == [1.0, 0.0]


def test_limits_and_repeats_golden() -> None:
    """Once a day: visits at 0h, 20h, 40h count at 0h and 40h (2 points); three visits in a
    day fire the repeat rule at the third (0h, 20h, 22h: fires at 22h, 15 points)."""
    rules = [
        EventRule(
            name="daily", when={"type": "page_view"}, points=1, limit=Limit(count=1, per=DAY)
        ),
        RepeatRule(name="again", when={"type": "page_view"}, times=3, within=DAY, points=15),
    ]
    model = ScoringModel(name="m", rules=rules, default_decay=NoDecay())
    hours = [0, 20, 22, 40]  # 22h is limited (20h counted 2h before); 40h counts
    events = events_table([Event(lead_id="L1", type="page_view", at=T + timedelta(hours=h))
                           for h in hours])  # fmt: skip
    out = score_frame(events, model, as_of=T + 2 * DAY, by_rule=True)
    assert out["by_rule.daily"].tolist() == [2.0]
    assert out["by_rule.again"].tolist() == [15.0]


def test_copies_count_once_and_different_events_sharing_an_id_raise() -> None:
    """Rows repeating an event (same lead and id, same content) count once; differing raise."""
    model = MODEL
    event = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"category": "faq"})
    assert score_frame(events_table([event, event]), model, as_of=T)["total"].tolist() == [1.0]
    other = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"category": "blog"})
    with pytest.raises(InvalidEventError, match="differ in 'category'"):
        score_frame(events_table([event, other]), model, as_of=T)
    elsewhere = Event(lead_id="L2", type="page_view", at=T, id="e1")
    assert score_frame(events_table([event, elsewhere]), model, as_of=T)["total"].tolist() == [
        1.0, 1.0
    ]  # fmt: skip


def test_text_timestamps_are_read_like_event_at() -> None:
    """A column of ISO 8601 text with offsets works; naive text is refused by row."""
    model = MODEL
    good = pd.DataFrame(
        {"lead_id": ["L1"], "type": ["page_view"], "at": ["2026-04-01T09:00+09:00"]}
    )
    assert score_frame(good, model, as_of=T)["total"].tolist() == [1.0]
    naive = good.assign(at=["2026-04-01T09:00"])
    with pytest.raises(InvalidInputError, match="naive") as info:
        score_frame(naive, model, as_of=T)
    assert (info.value.column, info.value.row) == ("at", 1)


# --------------------------------------------------------------------------- bad input

def _good() -> Any:
    return events_table([Event(lead_id="L1", type="page_view", at=T, id="e1")])


@pytest.mark.parametrize("column", ["lead_id", "type", "at"])
def test_missing_required_column_is_named(column: str) -> None:
    """A table without lead_id, type or at raises InvalidInputError naming it."""
    with pytest.raises(InvalidInputError, match=f"missing required column '{column}'") as info:
        score_frame(_good().drop(columns=[column]), MODEL, as_of=T)
    assert info.value.column == column


@pytest.mark.parametrize("column", ["lead_id", "type", "at"])
def test_nulls_in_required_columns_are_named(column: str) -> None:
    """A null lead id, type or time raises InvalidInputError naming column and row."""
    table = pd.concat([_good(), _good()], ignore_index=True)
    table.loc[1, column] = None
    with pytest.raises(InvalidInputError, match="missing value") as info:
        score_frame(table, MODEL, as_of=T)
    assert (info.value.column, info.value.row) == (column, 2)


def test_naive_timestamps_are_refused() -> None:
    """A datetime column without a time zone raises InvalidInputError naming 'at'."""
    table = _good()
    table["at"] = table["at"].dt.tz_localize(None)
    with pytest.raises(InvalidInputError, match="naive timestamps") as info:
        score_frame(table, MODEL, as_of=T)
    assert info.value.column == "at"


def test_naive_timestamps_are_refused_in_polars() -> None:
    """The same for a polars Datetime without a time zone."""
    pl = pytest.importorskip("polars")
    table = events_table([Event(lead_id="L1", type="page_view", at=T)], "polars")
    table = table.with_columns(pl.col("at").dt.replace_time_zone(None))
    with pytest.raises(InvalidInputError, match="naive") as info:
        score_frame(table, MODEL, as_of=T)
    assert info.value.column == "at"


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda t: t.assign(type=[""]), "type"),
        (lambda t: t.assign(lead_id=[3.5]), "lead_id"),
        (lambda t: t.assign(category=[float("inf")]), "category"),
        (lambda t: t.assign(id=["  "]), "id"),
    ],
)
def test_bad_values_are_named(change: Any, column: str) -> None:
    """Blank text, non-text ids and infinite numbers in a column a rule reads are refused."""
    model = ScoringModel(
        name="m", rules=[EventRule(name="v", when={"type": "page_view", "category": 1}, points=1)]
    )
    with pytest.raises(InvalidInputError) as info:
        score_frame(change(_good()), model, as_of=T)
    assert info.value.column == column


def test_bad_leads_tables_are_named() -> None:
    """leads_df needs lead_id, unique, and known statuses."""
    with pytest.raises(InvalidInputError, match="missing required column 'lead_id'"):
        score_frame(_good(), MODEL, as_of=T, leads_df=pd.DataFrame({"id": ["L1"]}))
    with pytest.raises(InvalidInputError, match="given twice"):
        score_frame(_good(), MODEL, as_of=T, leads_df=pd.DataFrame({"lead_id": ["L1", "L1"]}))
    with pytest.raises(InvalidInputError, match="unknown status") as info:
        score_frame(
            _good(), MODEL, as_of=T, leads_df=pd.DataFrame({"lead_id": ["L1"], "status": ["x"]})
        )
    assert info.value.column == "status"


def test_events_of_unknown_leads_are_reported() -> None:
    """As in score_all: raise, warn, or ignore on purpose."""
    leads_df = pd.DataFrame({"lead_id": ["L2"]})
    with pytest.raises(UnknownLeadError, match="'L1'"):
        score_frame(_good(), MODEL, as_of=T, leads_df=leads_df)
    with pytest.warns(UnknownLeadWarning):
        out = score_frame(_good(), MODEL, as_of=T, leads_df=leads_df, on_unknown="warn")
    assert out["total"].tolist() == [0.0]
    out = score_frame(_good(), MODEL, as_of=T, leads_df=leads_df, on_unknown="ignore")
    assert out["lead_id"].tolist() == ["L2"]


def test_not_a_table_is_refused() -> None:
    """A list is not a DataFrame."""
    with pytest.raises(InvalidInputError, match="DataFrame"):
        score_frame([{"lead_id": "L1"}], MODEL, as_of=T)


def test_importable_without_pandas() -> None:
    """leadscoring imports without the frames extra; score_frame then says what to install."""
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "import leadscoring\n"
        "from datetime import datetime, UTC\n"
        "try:\n"
        "    leadscoring.score_frame(None, None, as_of=datetime.now(UTC))\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'leadscoring[frames]'" in done.stdout


# --------------------------------------------------------------------------- properties

AS_OF = moments(T0, days=130)
"""Scoring times over the generated events' span (some events fall after as_of)."""


@given(
    scoring_models,
    st.tuples(*(leads(lead_id) for lead_id in LEAD_IDS)),
    event_lists(LEAD_IDS, max_size=30),
    AS_OF,
)
def test_score_frame_equals_score_all(
    model: ScoringModel, lead_list: tuple[Lead, ...], history: list[Event], as_of: datetime
) -> None:
    """Every rule kind, decay, limit and cap: the table's numbers are score_all's."""
    history = without_nones(history)
    out = score_frame(
        events_table(history), model, as_of=as_of, leads_df=leads_table(list(lead_list)),
        by_rule=True,
    )  # fmt: skip
    assert_rows_match(out, score_all(lead_list, history, model, as_of=as_of))


@given(scoring_models, event_lists(LEAD_IDS, max_size=30), AS_OF)
def test_score_frame_on_polars_equals_score_all(
    model: ScoringModel, history: list[Event], as_of: datetime
) -> None:
    """The same on a polars table (one type per column: numbers only in duration_s), with
    the leads taken from the events."""
    pl = pytest.importorskip("polars")
    history = one_type_per_column(history)
    table = events_table(history, "polars")
    out = score_frame(table, model, as_of=as_of, by_rule=True)
    assert isinstance(out, pl.DataFrame)
    lead_list = [Lead(id=lead_id) for lead_id in dict.fromkeys(e.lead_id for e in history)]
    assert_rows_match(out, score_all(lead_list, history, model, as_of=as_of))


@given(
    models(kinds=("event", "repeat"), when=event_conditions()),
    event_lists(LEAD_IDS, max_size=30),
    AS_OF,
)
def test_rank_keys_give_the_same_numbers(
    model: ScoringModel, history: list[Event], as_of: datetime
) -> None:
    """Limits and repeats keyed by time ranks (used when packed keys would overflow) give
    score_all's numbers too."""
    from leadscoring.scoring.semantics import arrays

    history = without_nones(history)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrays, "_PACKED_LIMIT", 0)
        out = score_frame(events_table(history), model, as_of=as_of, by_rule=True)
    lead_list = [Lead(id=lead_id) for lead_id in dict.fromkeys(e.lead_id for e in history)]
    assert_rows_match(out, score_all(lead_list, history, model, as_of=as_of))
