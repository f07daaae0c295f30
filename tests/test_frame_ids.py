"""Tests of the ``ids`` argument of the frame functions: ``"check"``, ``"unique"``, ``"absent"``.

``"check"`` (the default) looks for repeated (lead, id) pairs and counts a repeated event
once; ``"unique"`` takes the caller's word that there are none (and gives the same
tables when that is true; a broken promise counts every row); ``"absent"`` requires a
table without an ``id`` column. Golden values are worked out by hand in the comments.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("narwhals")

from leadscoring import (  # noqa: E402
    EventRule,
    HalfLife,
    InvalidEventError,
    InvalidInputError,
    InvalidValueError,
    Lead,
    ScoringModel,
    assess_frame,
    score_frame,
)
from leadscoring.assessment.accounts_frame import assess_accounts_frame  # noqa: E402
from leadscoring.examples import default_model, sample_dataset  # noqa: E402
from leadscoring.scoring.frame_activity import activity_frame, reactivations_frame  # noqa: E402
from strategies import T0, event_lists  # noqa: E402
from test_accounts import AS_OF as ACCOUNTS_AS_OF  # noqa: E402
from test_accounts import MODEL as ACCOUNTS_MODEL  # noqa: E402
from test_accounts_frame import EVENTS, LEADS, accounts_of, leads_frame  # noqa: E402
from test_activity_frame import rows_of  # noqa: E402
from test_assess_frame import populations  # noqa: E402
from test_assess_frame import scoring_models as assessing_models  # noqa: E402
from test_frame import (  # noqa: E402
    AS_OF,
    LEAD_IDS,
    events_table,
    leads_table,
    one_type_per_column,
    without_nones,
)
from test_frame import scoring_models as scoring_models  # noqa: E402
from test_frame_identities import histories, identity_maps  # noqa: E402
from test_frame_identities import scoring_models as id_models  # noqa: E402

BACKENDS = ("pandas", "polars")
T = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)

HALVING = ScoringModel(
    name="halving",
    rules=[EventRule(name="view", when={"type": "page_view"}, points=10,
                     decay=HalfLife(days=10))],
)  # fmt: skip
"""10 points per page view, halved every 10 days."""


def assert_same_tables(got: Any, want: Any) -> None:
    """The same columns in the same order, and every cell equal: floats within 1e-9,
    nulls (None, NaN, NaT) alike, everything else exactly."""
    assert list(got.columns) == list(want.columns)
    mine, theirs = rows_of(got), rows_of(want)
    assert len(mine) == len(theirs)
    for row, ref in zip(mine, theirs, strict=True):
        for name, value in ref.items():
            other = row[name]
            if isinstance(value, float) and math.isnan(value):
                assert other is None or (isinstance(other, float) and math.isnan(other)), name
            elif isinstance(value, float):
                assert other == pytest.approx(value, rel=1e-9, abs=1e-9), name
            else:
                assert other == value, name


def table_of(rows: list[dict[str, Any]], backend: str = "pandas") -> Any:
    """A small events table from rows (``at`` as UTC times), pandas or polars."""
    table = pd.DataFrame(rows)
    table["at"] = pd.to_datetime(table["at"], utc=True)
    if backend == "polars":
        pl = pytest.importorskip("polars")
        return pl.from_pandas(table)
    return table


def without_id(table: Any) -> Any:
    """The table without its ``id`` column, pandas or polars."""
    return table.drop("id") if hasattr(table, "to_dicts") else table.drop(columns="id")


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(scoring_models, event_lists(LEAD_IDS, max_size=30), AS_OF, st.sampled_from(BACKENDS))
def test_score_frame_unique_equals_check(
    model: ScoringModel, history: list[Any], as_of: datetime, backend: str
) -> None:
    """Distinct ids (some rows without one), every rule kind: ids="unique" gives the
    table ids="check" gives, by rule too; pandas with a leads table, polars without."""
    if backend == "polars":
        pytest.importorskip("polars")
        events = events_table(one_type_per_column(history), "polars")
        options: dict[str, Any] = {}
    else:
        events = events_table(without_nones(history))
        options = {"leads_df": leads_table([Lead(id=lead_id) for lead_id in LEAD_IDS])}
    want = score_frame(events, model, as_of=as_of, by_rule=True, **options)
    got = score_frame(events, model, as_of=as_of, by_rule=True, ids="unique", **options)
    assert_same_tables(got, want)


@settings(max_examples=25, deadline=None)
@given(assessing_models, populations(), st.integers(0, 400), st.sampled_from(BACKENDS))
def test_assess_frame_unique_equals_check(
    model: ScoringModel, population: tuple[list[Lead], list[Any]], days: int, backend: str
) -> None:
    """Random models, stages, statuses and silences (ids distinct or absent): the whole
    assessment under ids="unique" is the one under ids="check"."""
    lead_list, history = population
    as_of = T0 + timedelta(days=days)
    if backend == "polars":
        pytest.importorskip("polars")
        events = events_table(one_type_per_column(history), "polars")
        options: dict[str, Any] = {}
    else:
        events = events_table(without_nones(history))
        options = {"leads_df": leads_table(lead_list)}
    want = assess_frame(events, model, as_of=as_of, **options)
    got = assess_frame(events, model, as_of=as_of, ids="unique", **options)
    assert_same_tables(got, want)


@settings(max_examples=30, deadline=None)
@given(id_models, histories(), identity_maps(), st.integers(0, 130))
def test_unique_equals_check_with_identities(
    model: ScoringModel, history: list[Any], links: Any, days: int
) -> None:
    """Histories united by links (an alias's ids qualified by it, rules on plain and
    qualified ids): where no united lead repeats an id, "unique" is "check"."""
    as_of = T0 + timedelta(days=days)
    united = [(e.lead_id, e.id) for e in links.rekey(history, as_of=as_of) if e.id is not None]
    assume(len(united) == len(set(united)))
    events = events_table(history)
    want = score_frame(events, model, as_of=as_of, identities=links, by_rule=True)
    got = score_frame(events, model, as_of=as_of, identities=links, by_rule=True, ids="unique")
    assert_same_tables(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_other_frame_functions_take_ids(backend: str) -> None:
    """activity_frame, reactivations_frame (event ids included) and assess_accounts_frame
    give under ids="unique" the tables of ids="check" on data with distinct ids."""
    if backend == "polars":
        pytest.importorskip("polars")
    data = sample_dataset(seed=3, n_leads=80)
    history = list(data.events)
    events = events_table(one_type_per_column(history) if backend == "polars" else history,
                          backend)  # fmt: skip
    for function in (activity_frame, reactivations_frame):
        want = function(events, as_of=data.as_of)
        assert_same_tables(function(events, as_of=data.as_of, ids="unique"), want)
    back = reactivations_frame(events, as_of=data.as_of, ids="unique")
    assert any(row["event_id"] is not None for row in rows_of(back))  # ids are read
    want = accounts_of(LEADS, EVENTS, backend)
    assert_same_tables(accounts_of(LEADS, EVENTS, backend, ids="unique"), want)


# --------------------------------------------------------------------------- a repeat


def repeated_rows() -> list[dict[str, Any]]:
    """L1: e1 sent twice (the same row), e2; L2: two views without ids."""
    return [
        {"lead_id": "L1", "type": "page_view", "at": T - 10 * DAY, "id": "e1"},
        {"lead_id": "L1", "type": "page_view", "at": T - 20 * DAY, "id": "e2"},
        {"lead_id": "L1", "type": "page_view", "at": T - 10 * DAY, "id": "e1"},
        {"lead_id": "L2", "type": "page_view", "at": T, "id": None},
        {"lead_id": "L2", "type": "page_view", "at": T, "id": None},
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_repeated_id_counts_once_under_check_only(backend: str) -> None:
    """By hand, 10 points halved every 10 days:

    - ``"check"``: L1's e1 counts once, 10 * 0.5 ** (10 / 10) = 5, and e2 (20 days old)
      10 * 0.5 ** 2 = 2.5: 7.5. L2's two rows without an id are two views: 10 + 10 = 20.
    - ``"unique"`` with the promise broken: every row counts, as rows without ids do:
      L1 5 + 5 + 2.5 = 12.5, L2 20.
    - the same table without its id column (``"absent"``): 12.5 and 20 as well.
    """
    events = table_of(repeated_rows(), backend)
    check = score_frame(events, HALVING, as_of=T)
    assert rows_of(check[["lead_id", "total"]]) == [
        {"lead_id": "L1", "total": pytest.approx(7.5)},
        {"lead_id": "L2", "total": pytest.approx(20.0)},
    ]
    assert_same_tables(score_frame(events, HALVING, as_of=T, ids="check"), check)
    unique = score_frame(events, HALVING, as_of=T, ids="unique")
    assert rows_of(unique[["lead_id", "total"]]) == [
        {"lead_id": "L1", "total": pytest.approx(12.5)},
        {"lead_id": "L2", "total": pytest.approx(20.0)},
    ]
    absent = score_frame(without_id(events), HALVING, as_of=T, ids="absent")
    assert_same_tables(absent, unique)
    # the assessment counts the same: its totals are score_frame's
    assessed = {r["lead_id"]: r["total"] for r in rows_of(assess_frame(events, HALVING, as_of=T))}
    assert assessed == {"L1": pytest.approx(7.5), "L2": pytest.approx(20.0)}
    assessed = {r["lead_id"]: r["total"]
                for r in rows_of(assess_frame(events, HALVING, as_of=T, ids="unique"))}  # fmt: skip
    assert assessed == {"L1": pytest.approx(12.5), "L2": pytest.approx(20.0)}


def test_different_events_sharing_an_id() -> None:
    """Two different rows of L1 sharing e1 (a day apart) raise under "check", naming
    both rows; under "unique" they are two events: 10 * 0.5 ** 1 + 10 * 0.5 ** 1.1
    = 5 + 4.665165..."""
    rows = [
        {"lead_id": "L1", "type": "page_view", "at": T - 10 * DAY, "id": "e1"},
        {"lead_id": "L1", "type": "page_view", "at": T - 11 * DAY, "id": "e1"},
    ]
    events = table_of(rows)
    with pytest.raises(InvalidEventError, match="rows 1 and 2"):
        score_frame(events, HALVING, as_of=T)
    with pytest.raises(InvalidEventError, match="share id 'e1'"):
        assess_frame(events, HALVING, as_of=T)
    out = score_frame(events, HALVING, as_of=T, ids="unique")
    assert out["total"].tolist() == [pytest.approx(5 + 10 * 0.5**1.1, rel=1e-12)]


def test_backtest_frame_takes_ids() -> None:
    """backtest_frame reads its events table with ids at every moment: the repeat counts
    once under "check" (L1 7.5, as above), every row under "unique" (12.5); without the
    repeat the two give the same reports; "absent" refuses the id column."""
    from leadscoring import backtest_frame

    events = table_of(repeated_rows())
    leads_df = pd.DataFrame({"lead_id": ["L1", "L2"]})
    won = {"L1": T + DAY, "L2": None}

    def scores(table: Any, **options: Any) -> list[Any]:
        found = backtest_frame(table, won, HALVING, at=[T], horizon="30d", leads_df=leads_df,
                               bootstrap=0, **options)  # fmt: skip
        return [r.to_dict(include_scores=True) for r in found.reports]

    checked, trusted = scores(events), scores(events, ids="unique")
    assert [(x["lead_id"], x["score"]) for x in checked[0]["scores"]] == [
        ("L1", pytest.approx(7.5)), ("L2", pytest.approx(20.0))]
    assert [(x["lead_id"], x["score"]) for x in trusted[0]["scores"]] == [
        ("L1", pytest.approx(12.5)), ("L2", pytest.approx(20.0))]
    distinct = events.drop(index=2)
    assert scores(distinct, ids="unique") == scores(distinct) == checked
    with pytest.raises(InvalidInputError, match="ids='absent'"):
        scores(events, ids="absent")


# --------------------------------------------------------------------------- absent


@pytest.mark.parametrize("backend", BACKENDS)
def test_absent_refuses_an_id_column(backend: str) -> None:
    """ids="absent" with an id column: InvalidInputError naming the argument, the column
    and the fixes, from every frame function."""
    events = table_of(repeated_rows(), backend)
    calls = [
        lambda: score_frame(events, HALVING, as_of=T, ids="absent"),
        lambda: assess_frame(events, HALVING, as_of=T, ids="absent"),
        lambda: activity_frame(events, as_of=T, ids="absent"),
        lambda: reactivations_frame(events, as_of=T, ids="absent"),
    ]
    for call in calls:
        with pytest.raises(InvalidInputError, match="ids='absent'") as info:
            call()
        assert info.value.column == "id"
        assert info.value.source == "events_df"
        assert "drop the column" in info.value.reason
        assert "ids='unique'" in info.value.reason
        assert "ids='check'" in info.value.reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_absent_without_an_id_column(backend: str) -> None:
    """A table without an id column gives under "absent" what it gives under "check"
    and "unique": every row an event (reactivations with a null event_id)."""
    data = sample_dataset(seed=1, n_leads=60)
    history = list(data.events)
    if backend == "polars":
        pytest.importorskip("polars")
        history = one_type_per_column(history)
    events = without_id(events_table(history, backend))
    model = default_model()
    for mode in ("check", "unique"):
        assert_same_tables(
            score_frame(events, model, as_of=data.as_of, ids="absent", by_rule=True),
            score_frame(events, model, as_of=data.as_of, ids=mode, by_rule=True),
        )
        assert_same_tables(
            assess_frame(events, model, as_of=data.as_of, ids="absent"),
            assess_frame(events, model, as_of=data.as_of, ids=mode),
        )
    back = reactivations_frame(events, as_of=data.as_of, ids="absent")
    assert len(back)
    assert all(row["event_id"] is None for row in rows_of(back))
    assert_same_tables(back, reactivations_frame(events, as_of=data.as_of))


def test_absent_for_accounts() -> None:
    """assess_accounts_frame takes ids too: "absent" refuses the id column and, without
    it, gives the table of "check"."""
    events = events_table(list(EVENTS))
    people = leads_frame(LEADS)
    with pytest.raises(InvalidInputError, match="ids='absent'"):
        assess_accounts_frame(events, ACCOUNTS_MODEL, as_of=ACCOUNTS_AS_OF, leads_df=people,
                              ids="absent")  # fmt: skip
    bare = without_id(events)
    assert_same_tables(
        assess_accounts_frame(bare, ACCOUNTS_MODEL, as_of=ACCOUNTS_AS_OF, leads_df=people,
                              ids="absent"),
        assess_accounts_frame(bare, ACCOUNTS_MODEL, as_of=ACCOUNTS_AS_OF, leads_df=people),
    )  # fmt: skip


# --------------------------------------------------------------------------- bad values


@pytest.mark.parametrize("value", ["skip", "Unique", "", None, True, 1])
def test_a_bad_value_is_named(value: object) -> None:
    """Any other value: InvalidValueError naming ids and its three choices, before the
    table is read."""
    events = table_of(repeated_rows())
    calls = [
        lambda: score_frame(events, HALVING, as_of=T, ids=value),
        lambda: assess_frame(events, HALVING, as_of=T, ids=value),
        lambda: activity_frame(events, as_of=T, ids=value),
        lambda: reactivations_frame(events, as_of=T, ids=value),
        lambda: score_frame("not a table", HALVING, as_of=T, ids=value),
    ]
    for call in calls:
        with pytest.raises(InvalidValueError) as info:
            call()
        assert info.value.field == "ids"
        assert "'check', 'unique', 'absent'" in info.value.message
        assert repr(value) in info.value.message
