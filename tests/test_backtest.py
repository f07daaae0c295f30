"""Tests of leadscoring.learning.backtest: scoring leads as they stood at past moments.

The hand-made data are small enough to work every AUC out by pair counting; the
properties (future data change nothing, one moment equals :func:`evaluate` on the data
cut at that moment) run on generated histories.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    BacktestReport,
    BacktestSpread,
    Event,
    EventRule,
    HalfLife,
    InvalidValueError,
    Lead,
    LeadScoringError,
    LeadStatus,
    ScoringModel,
    backtest,
    evaluate,
)
from leadscoring.learning.backtest import lead_as_of

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)

MODEL = ScoringModel(name="m", default_decay=HalfLife(days=30), rules=[
    AttributeRule(name="pro", when={"plan": "pro"}, points=40),
    EventRule(name="visit", when={"type": "page_view"}, points=10),
])

LEAKY = ScoringModel(name="leaky", default_decay=HalfLife(days=30), rules=[
    *MODEL.rules, AttributeRule(name="won", when={"status": "won"}, points=100),
])
"""MODEL plus 100 points for a won lead: a later win seen early would show at once."""


def plan_leads() -> list[Lead]:
    """L0 and L1 on the pro plan (40 points), L2 and L3 on the free plan (0)."""
    return [Lead(id=f"L{k}", attributes={"plan": "pro" if k < 2 else "free"}) for k in range(4)]


WON = {"L0": "2026-02-10T00:00:00Z", "L2": "2026-05-10T00:00:00Z"}


def test_two_moments_give_hand_worked_aucs_and_their_spread() -> None:
    """Each moment labels (at, at + 30d] and excludes leads converted by then."""
    result = backtest(plan_leads(), [], WON, MODEL, at=[MAY, FEB], horizon="30d", bootstrap=0)
    # 1 Feb: L0 (40) converts on 10 Feb; against L1 (40, tie: 0.5), L2 and L3 (0: wins)
    # -> 2.5 / 3. 1 May: L0 converted already (excluded); L2 (0) converts on 10 May,
    # loses to L1 (40) and ties L3 (0) -> 0.5 / 2 = 0.25. Mean (0.8333 + 0.25) / 2 = 0.5417,
    # std |0.8333 - 0.25| / 2 = 0.2917.
    assert result.moments == (FEB, MAY)
    assert [r.auc for r in result.reports] == pytest.approx([2.5 / 3, 0.25])
    assert [r.excluded for r in result.reports] == [0, 1]
    assert [r.leads for r in result.reports] == [4, 3]
    assert result.auc.mean == pytest.approx((2.5 / 3 + 0.25) / 2)
    assert result.auc.std == pytest.approx((2.5 / 3 - 0.25) / 2)
    assert (result.auc.low, result.auc.high) == pytest.approx((0.25, 2.5 / 3))
    assert result.horizon == timedelta(days=30)


def test_band_rates_and_lift_summarised_across_moments() -> None:
    """Hot/warm/cold rates per moment feed the spreads; an empty band counts nowhere."""
    result = backtest(plan_leads(), [], WON, MODEL, at=[FEB, MAY], horizon="30d",
                      warm=20, hot=60, bootstrap=0)
    # warm 20, hot 60: nobody is hot (40 < 60); warm = the pro leads, cold = the free ones.
    # 1 Feb: warm 1/2 converted, cold 0/2. 1 May: warm L1 0/1, cold L2, L3 1/2.
    assert result.hot_rate == BacktestSpread(mean=None, low=None, high=None, std=None,
                                             moments=0)
    assert result.warm_rate.mean == pytest.approx(0.25)
    assert result.cold_rate.mean == pytest.approx(0.25)
    # top decile at 1 Feb: 0.4 leads, all from the 40-point pair: rate 1/2 over base 1/4.
    assert result.reports[0].deciles[0].lift == pytest.approx(2.0)
    assert result.lift.moments == 2


def test_a_planted_future_event_changes_nothing() -> None:
    """Page views after ``at`` would lift L1 over everyone, yet the backtest is unchanged."""
    views = [Event(lead_id="L2", type="page_view", at=T0)]
    future = [Event(lead_id="L1", type="page_view", at=FEB + timedelta(hours=k + 1))
              for k in range(20)]
    before = backtest(plan_leads(), views, WON, MODEL, at=FEB, horizon="30d", bootstrap=0)
    after = backtest(plan_leads(), views + future, WON, MODEL, at=FEB, horizon="30d",
                     bootstrap=0)
    assert after == before


def test_a_later_status_change_is_invisible() -> None:
    """A lead won after ``at`` is seen as open: a rule on ``status = won`` gives it nothing."""
    leads = plan_leads()
    leads[0] = Lead(id="L0", attributes={"plan": "pro"}, status="won",
                    status_changed_at="2026-02-10T00:00:00Z")
    result = backtest(leads, [], WON, LEAKY, at=FEB, horizon="30d", bootstrap=0)
    scores = {s.lead_id: s.score for s in result.reports[0].scores}
    assert scores["L0"] == 40  # not 140: the win of 10 February is not known on 1 February
    assert result.reports[0].auc == pytest.approx(2.5 / 3)


def test_lead_as_of_keeps_known_statuses() -> None:
    """A status changed by ``at``, or one without a time, is kept as given."""
    lost = Lead(id="L1", status="lost", status_changed_at="2026-01-10T00:00:00Z")
    undated = Lead(id="L2", status="won")
    assert lead_as_of(lost, FEB) is lost
    assert lead_as_of(undated, FEB) is undated
    assert lead_as_of(lost, T0).status is LeadStatus.OPEN


def test_the_leads_are_those_given_whatever_their_later_events() -> None:
    """A lead whose events all come after ``at`` is scored as it stood: no events, 0 points
    (reading who exists off later events would leak them)."""
    leads = [*plan_leads(), Lead(id="late")]
    events = [Event(lead_id="late", type="page_view", at=MAY)]
    result = backtest(leads, events, WON, MODEL, at=FEB, horizon="30d", bootstrap=0)
    scores = {s.lead_id: s.score for s in result.reports[0].scores}
    assert scores == {"L0": 40, "L1": 40, "L2": 0, "L3": 0, "late": 0}


def test_seen_only_leaves_out_leads_without_an_event_yet() -> None:
    """``seen_only=True`` keeps, per moment, the leads with an event by then (past facts
    only): at 1 February L3's first event (3 February) is still to come."""
    events = [Event(lead_id=f"L{k}", type="page_view", at=T0) for k in range(3)]
    events.append(Event(lead_id="L3", type="page_view", at=FEB + timedelta(days=2)))
    result = backtest(plan_leads(), events, WON, MODEL, at=[FEB, MAY], horizon="30d",
                      bootstrap=0, seen_only=True)
    first, later = ({s.lead_id for s in r.scores} for r in result.reports)
    assert first == {"L0", "L1", "L2"}
    assert later == {"L1", "L2", "L3"}  # L0 converted on 10 February: excluded
    with pytest.raises(InvalidValueError) as caught:
        backtest(plan_leads(), events, WON, MODEL, at=FEB, horizon="30d",
                 seen_only="yes")  # type: ignore[arg-type]
    assert caught.value.field == "seen_only"


def test_conversions_after_the_horizon_are_negatives() -> None:
    """Converting after ``at + horizon`` counts as not converting within it."""
    won = {"L0": "2026-02-10T00:00:00Z", "L1": "2026-04-01T00:00:00Z"}
    result = backtest(plan_leads(), [], won, MODEL, at=FEB, horizon="30d", bootstrap=0)
    labels = {s.lead_id: s.converted for s in result.reports[0].scores}
    assert labels == {"L0": True, "L1": False, "L2": False, "L3": False}


def test_to_dict_is_json_and_summary_lists_every_moment() -> None:
    """Plain data round-trips through JSON; the text has one row per moment and the spread."""
    result = backtest(plan_leads(), [], WON, MODEL, at=[FEB, MAY], horizon="30d", bootstrap=0)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["moments"] == [FEB.isoformat(), MAY.isoformat()]
    assert data["horizon_days"] == 30
    assert data["auc"]["mean"] == pytest.approx(result.auc.mean)
    assert len(data["reports"]) == 2
    assert "scores" not in data["reports"][0]
    text = str(result)
    assert "2026-02-01" in text
    assert "2026-05-01" in text
    assert "mean" in text
    assert isinstance(result, BacktestReport)


@pytest.mark.parametrize(
    ("outcomes", "at", "horizon", "field"),
    [
        ({"L0": True}, FEB, "30d", "outcomes['L0']"),
        ({"nobody": "2026-02-10T00:00:00Z"}, FEB, "30d", "outcomes"),
        (WON, [], "30d", "at"),
        (WON, datetime(2026, 3, 1, tzinfo=UTC), "30d", "at"),
        (WON, FEB, None, "horizon"),
        (WON, FEB, "1 month", "horizon"),
        (WON, "2026-02-01", "30d", "at"),
    ],
)
def test_bad_arguments_name_the_argument(outcomes: object, at: object, horizon: object,
                                         field: str) -> None:
    """Yes/no outcomes, unknown leads, no moment, a moment without conversions, a missing or
    calendar horizon and a naive moment each raise InvalidValueError naming the argument."""
    with pytest.raises(InvalidValueError) as caught:
        backtest(plan_leads(), [], outcomes, MODEL, at=at, horizon=horizon,  # type: ignore[arg-type]
                 bootstrap=0)
    assert caught.value.field == field
    assert isinstance(caught.value, LeadScoringError)


histories = st.lists(
    st.tuples(st.integers(0, 5), st.integers(-60, 60), st.booleans()), min_size=1, max_size=30
)
"""(lead number, day offset from ``at``, category is pricing?) per event."""


def _world(rows: list[tuple[int, int, bool]], conversions: list[int | None]
           ) -> tuple[list[Lead], list[Event], dict[str, datetime]]:
    leads = [Lead(id=f"L{k}", attributes={"plan": "pro" if k % 2 else "free"},
                  status="won" if conversions[k] is not None else "open",
                  status_changed_at=None if conversions[k] is None
                  else FEB + timedelta(days=conversions[k] or 0))
             for k in range(6)]
    events = [Event(lead_id=f"L{k}", type="page_view", at=FEB + timedelta(days=d),
                    properties={"category": "pricing" if p else "blog"})
              for k, d, p in rows]
    won = {f"L{k}": FEB + timedelta(days=c) for k, c in enumerate(conversions) if c is not None}
    return leads, events, won


@given(histories, st.lists(st.one_of(st.none(), st.integers(-30, 60)), min_size=6, max_size=6))
def test_backtest_at_one_moment_equals_evaluate_on_the_truncated_data(
    rows: list[tuple[int, int, bool]], conversions: list[int | None]
) -> None:
    """At one moment the backtest is :func:`evaluate` on the leads as they stood then, their
    events up to then, and the outcomes; future events never change it."""
    leads, events, won = _world(rows, conversions)
    known = [lead_as_of(lead, FEB) for lead in leads]
    past = [e for e in events if e.at <= FEB]
    try:
        expected = evaluate(LEAKY, known, won, past, as_of=FEB, horizon="30d", bootstrap=0)
    except InvalidValueError:  # nobody or everybody converted within the horizon
        with pytest.raises(InvalidValueError):
            backtest(leads, events, won, LEAKY, at=FEB, horizon="30d", bootstrap=0)
        return
    got = backtest(leads, events, won, LEAKY, at=FEB, horizon="30d", bootstrap=0)
    assert got.reports == (expected,)
    planted = [Event(lead_id=f"L{k}", type="page_view", at=FEB + timedelta(seconds=1))
               for k in range(6)]
    assert backtest(leads, events + planted, won, LEAKY, at=FEB, horizon="30d",
                    bootstrap=0).reports == got.reports


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_frame_backtest_equals_the_object_backtest(kind: str) -> None:
    """:func:`backtest_frame` on pandas or polars tables gives the object path's reports,
    later status changes undone on the leads table too."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals")
    from leadscoring import backtest_frame

    leads = plan_leads()
    leads[0] = Lead(id="L0", attributes={"plan": "pro"}, status="won",
                    status_changed_at="2026-02-10T00:00:00Z")
    events = [Event(lead_id="L0", type="page_view", at=T0),
              Event(lead_id="L2", type="page_view", at=T0),
              Event(lead_id="L3", type="page_view", at=FEB + timedelta(days=3))]
    leaky = LEAKY
    expected = backtest(leads, events, WON, leaky, at=[FEB, MAY], horizon="30d", bootstrap=0)
    events_df = pd.DataFrame({"lead_id": [e.lead_id for e in events], "type": "page_view",
                              "at": pd.to_datetime([e.at for e in events], utc=True)})
    leads_df = pd.DataFrame({
        "lead_id": [x.id for x in leads], "plan": [x.attributes["plan"] for x in leads],
        "status": [x.status.value for x in leads],
        "status_changed_at": pd.to_datetime([x.status_changed_at for x in leads], utc=True),
    })
    outcomes_df = pd.DataFrame({"lead_id": list(WON),
                                "converted_at": pd.to_datetime(list(WON.values()), utc=True)})
    if kind == "polars":
        pl = pytest.importorskip("polars")
        events_df, leads_df, outcomes_df = (pl.from_pandas(df)
                                            for df in (events_df, leads_df, outcomes_df))
    got = backtest_frame(events_df, outcomes_df, leaky, at=[FEB, MAY], horizon="30d",
                         leads_df=leads_df, bootstrap=0)
    assert [r.to_dict(include_scores=True) for r in got.reports] == [
        r.to_dict(include_scores=True) for r in expected.reports]
    assert got.auc == expected.auc
    seen = backtest(leads, events, WON, leaky, at=[FEB, MAY], horizon="30d", bootstrap=0,
                    seen_only=True)
    seen_frame = backtest_frame(events_df, outcomes_df, leaky, at=[FEB, MAY], horizon="30d",
                                leads_df=leads_df, bootstrap=0, seen_only=True)
    assert [r.to_dict(include_scores=True) for r in seen_frame.reports] == [
        r.to_dict(include_scores=True) for r in seen.reports]
    by_mapping = backtest_frame(events_df, WON, leaky, at=[FEB, MAY], horizon="30d",
                                leads_df=leads_df, bootstrap=0)
    assert by_mapping.auc == expected.auc
