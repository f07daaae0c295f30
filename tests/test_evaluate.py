"""Tests of leadscoring.learning.evaluate: AUC, deciles, bands, thresholds and calibration.

Golden numbers are worked out by hand in the comments next to them.
"""

from __future__ import annotations

import json
import types
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    EvaluationReport,
    Event,
    EventRule,
    InvalidValueError,
    Lead,
    ScoringModel,
    TemperatureClassifier,
    UnknownLeadError,
    calibrate,
    evaluate,
    evaluate_scores,
)

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def twenty() -> tuple[dict[str, float], dict[str, bool]]:
    """Scores 1..20; the leads scoring 20, 19, 18, 15 and 11 converted (5 of 20)."""
    scores = {f"L{s:02d}": float(s) for s in range(1, 21)}
    outcomes = {f"L{s:02d}": s in (20, 19, 18, 15, 11) for s in range(1, 21)}
    return scores, outcomes


def test_auc_with_ties_counts_half() -> None:
    """AUC over converted/non-converted pairs, a tie counting one half."""
    # converted at 2 and 3, not converted at 1 and 2: pairs (2,1)=1, (2,2)=0.5, (3,1)=1,
    # (3,2)=1 -> 3.5 / 4 = 0.875
    report = evaluate_scores({"a": 1, "b": 2, "c": 2, "d": 3},
                             {"b": False, "c": True, "d": True}, bootstrap=0)
    assert report.auc == 0.875
    assert report.auc_ci is None


@given(st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=2, max_size=40)
       .filter(lambda rows: 0 < sum(y for _, y in rows) < len(rows)))
def test_auc_and_deciles_match_brute_force(rows: list[tuple[int, bool]]) -> None:
    """AUC equals pair counting; deciles hold a tenth each and every conversion once."""
    scores = {f"L{k}": float(s) for k, (s, _) in enumerate(rows)}
    outcomes = {f"L{k}": y for k, (_, y) in enumerate(rows)}
    report = evaluate_scores(scores, outcomes, bootstrap=0)
    pos = [s for s, y in rows if y]
    neg = [s for s, y in rows if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    assert report.auc == pytest.approx(wins / (len(pos) * len(neg)))
    assert all(d.leads == pytest.approx(len(rows) / 10) for d in report.deciles)
    assert sum(d.conversions for d in report.deciles) == pytest.approx(len(pos))
    reordered = evaluate_scores(dict(reversed(scores.items())), outcomes, bootstrap=0)
    assert reordered.deciles == report.deciles


def test_auc_of_twenty_by_hand() -> None:
    """AUC of the twenty-lead case, counted pair by pair."""
    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, bootstrap=0)
    # Non-converted scores below each converted one: 20 -> 15, 19 -> 15, 18 -> 15,
    # 15 -> 13 (1..14 minus 11), 11 -> 10: 68 wins of 5 * 15 = 75 pairs.
    assert report.auc == pytest.approx(68 / 75)


def test_deciles_and_lift_by_hand() -> None:
    """Each decile of twenty leads holds two; rates, lifts and capture by hand."""
    scores, outcomes = twenty()
    d = evaluate_scores(scores, outcomes, bootstrap=0).deciles
    assert [row.leads for row in d] == [2.0] * 10
    # decile 1: 20, 19 -> 2 converted; 2: 18, 17 -> 1; 3: 16, 15 -> 1; 4: 14, 13 -> 0;
    # 5: 12, 11 -> 1; the rest none. Base rate 5 / 20 = 0.25.
    assert [row.conversions for row in d] == [2, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    assert (d[0].rate, d[0].lift) == (1.0, 4.0)
    assert (d[1].rate, d[1].lift) == (0.5, 2.0)
    assert (d[1].cumulative_rate, d[1].cumulative_lift) == (0.75, 3.0)
    assert d[2].captured == pytest.approx(4 / 5)
    assert d[9].cumulative_lift == pytest.approx(1.0)
    assert (d[0].min_score, d[0].max_score, d[0].mean_score) == (19, 20, 19.5)


def test_ties_across_a_decile_boundary_are_shared() -> None:
    """Three leads tied at the top straddle deciles 1 and 2 and share their conversions."""
    scores = {f"T{k}": 9.0 for k in range(3)} | {f"B{k:02d}": 1.0 for k in range(17)}
    outcomes = {"T0": True, "T1": True, "B00": True}
    d = evaluate_scores(scores, outcomes, bootstrap=0).deciles
    # Decile 1 takes two of the three tied leads: 2 * 2/3 conversions.
    assert d[0].conversions == pytest.approx(4 / 3)
    # Decile 2 takes the third tied lead (2/3) and one of the 17 at score 1 (1/17).
    assert d[1].conversions == pytest.approx(2 / 3 + 1 / 17)
    assert (d[1].min_score, d[1].max_score) == (1.0, 9.0)
    assert sum(row.conversions for row in d) == pytest.approx(3)


def test_bands_precision_recall_and_order() -> None:
    """Bands at warm=8, hot=16 on the twenty leads, and the hot > warm > cold check."""
    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, warm=8, hot=16, bootstrap=0)
    hot, warm, cold = report.temperatures
    # hot 16..20: 5 leads, 3 converted; warm 8..15: 8 leads, 2 converted; cold 1..7: none
    assert (hot.leads, hot.conversions, hot.rate) == (5, 3, 0.6)
    assert (warm.leads, warm.conversions, warm.rate) == (8, 2, 0.25)
    assert (cold.leads, cold.conversions, cold.rate) == (7, 0, 0.0)
    assert report.temperature_order_holds
    at_warm, at_hot = report.thresholds
    # >= 8: 13 leads, 5 converted -> precision 5/13, recall 1; >= 16: 3/5, recall 3/5
    assert (at_warm.leads, at_warm.precision, at_warm.recall) == (13, 5 / 13, 1.0)
    assert (at_hot.leads, at_hot.share, at_hot.precision, at_hot.recall) == (5, 0.25, 0.6, 0.6)


def test_order_that_does_not_hold_is_reported() -> None:
    """When warm leads convert more than hot ones, the report says so."""
    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, warm=10, hot=19, bootstrap=0)
    # hot 19, 20: 2 of 2; warm 10..18: 3 of 9; cold: 0 of 9 -> holds
    assert report.temperature_order_holds
    flipped = {k: (21 - v if v >= 19 else v) for k, v in scores.items()}  # 20->1, 19->2
    report = evaluate_scores(flipped, outcomes, warm=2, hot=11, bootstrap=0)
    # hot 11..18: 3 of 8 = 0.375; warm 2..10: 10 leads, 1 converted (the old 19) = 0.1;
    # cold, score 1: the old 1 and the old 20, 1 of 2 = 0.5 -> warm <= cold
    assert not report.temperature_order_holds
    assert report.temperature_order == "does not hold: warm <= cold"
    empty = evaluate_scores(scores, outcomes, warm=30, hot=60, bootstrap=0)
    assert empty.temperature_order == "does not hold: no hot or warm leads"


def test_bootstrap_interval_is_reproducible_and_contains_auc() -> None:
    """The same seed gives the same interval; the interval surrounds the AUC."""
    scores, outcomes = twenty()
    first = evaluate_scores(scores, outcomes, bootstrap=200, seed=1)
    second = evaluate_scores(scores, outcomes, bootstrap=200, seed=1)
    assert first.auc_ci == second.auc_ci
    assert first.auc_ci is not None
    assert first.auc_ci[0] <= first.auc <= first.auc_ci[1] <= 1.0


def test_suggest_thresholds_by_share_and_precision() -> None:
    """Share targets pick the lowest score keeping the share; precision ones the reach."""
    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, bootstrap=0)
    s = report.suggest_thresholds()  # hot: top 10% -> >= 19; warm: top 30% -> >= 15
    assert (s.hot, s.warm) == (19, 15)
    assert (s.hot_row.precision, s.warm_row.recall) == (1.0, 0.8)
    s = report.suggest_thresholds(hot_precision=0.75, warm_precision=0.4)
    # hot: >= 17 holds 3 of 4 = 0.75, and no lower score reaches 0.75 again.
    # warm (below 17): >= 9 holds 5 of 12 = 0.417; >= 8 gives 5 of 13 = 0.385.
    assert (s.hot, s.warm) == (17, 9)
    with pytest.raises(InvalidValueError, match="hot_precision"):
        evaluate_scores({"a": 1, "b": 1}, {"a": True}, bootstrap=0).suggest_thresholds(
            hot_precision=0.9)


def test_calibration_maps_scores_to_probability() -> None:
    """The fitted curve rises with the score and sits near the observed rates."""
    scores, outcomes = twenty()
    c = evaluate_scores(scores, outcomes, bootstrap=0).calibration
    assert c.slope > 0
    assert c.probability(20) > 0.5 > c.probability(1)
    assert 0 < c.brier < 0.25


def test_evaluate_scores_a_model() -> None:
    """evaluate scores the leads with the model, at as_of, with events."""
    model = ScoringModel(name="m", rules=[
        AttributeRule(name="exec", when={"role": "exec"}, points=40),
        EventRule(name="pricing", when={"type": "page_view", "category": "pricing"},
                  points=30),
    ])
    leads = [Lead(id="a", attributes={"role": "exec"}), Lead(id="b"), Lead(id="c"),
             Lead(id="d", attributes={"role": "exec"})]
    events = [Event(lead_id="d", type="page_view", at=AS_OF - timedelta(days=1),
                    properties={"category": "pricing"}),
              Event(lead_id="c", type="page_view", at=AS_OF + timedelta(days=1),
                    properties={"category": "pricing"})]  # after as_of: ignored
    report = evaluate(model, leads, {"a": True, "d": True, "c": False}, events, as_of=AS_OF,
                      bootstrap=0)
    # scores a=40, b=0, c=0, d=70; converted a, d -> every pair won -> AUC 1
    assert report.auc == 1.0
    assert {s.lead_id: s.score for s in report.scores} == {"a": 40, "b": 0, "c": 0, "d": 70}
    assert report.model == "m"
    assert (report.warm, report.hot) == (30, 60)  # the model's temperature classifier
    by_fit = evaluate(model, leads, {"a": True, "d": True}, events, as_of=AS_OF, on="fit",
                      bootstrap=0)
    assert {s.lead_id: s.score for s in by_fit.scores}["d"] == 40


def test_classifier_thresholds() -> None:
    """A classifier (or anything with warm and hot) sets the bands."""
    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, bootstrap=0,
                             classifier=TemperatureClassifier(warm=8, hot=16))
    assert (report.warm, report.hot) == (8, 16)
    duck = types.SimpleNamespace(warm=5, hot=10)
    assert evaluate_scores(scores, outcomes, bootstrap=0, classifier=duck).hot == 10
    with pytest.raises(InvalidValueError, match="warm"):
        evaluate_scores(scores, outcomes, warm=20, hot=10)


def test_horizon_with_conversion_moments() -> None:
    """Moments count within the horizon; those before as_of are left out and counted."""
    scores = {"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0}
    outcomes = {"a": AS_OF + timedelta(days=5), "b": AS_OF + timedelta(days=50),
                "c": AS_OF - timedelta(days=1)}
    report = evaluate_scores(scores, outcomes, as_of=AS_OF, horizon="30d", bootstrap=0)
    # a converted in time, b too late (a miss), c already converted (left out), d never
    assert (report.leads, report.conversions, report.excluded) == (3, 1, 1)
    assert report.auc == 1.0


def test_to_dict_is_json_and_summary_is_readable() -> None:
    """to_dict() goes through json; the summary names the AUC and the bands."""
    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, bootstrap=50, model="m")
    data = json.loads(json.dumps(report.to_dict(include_scores=True)))
    assert data["auc"] == report.auc
    assert len(data["scores"]) == 20
    assert len(data["deciles"]) == 10
    text = report.summary()
    assert "AUC 0.907" in text
    assert "hot > warm > cold" in text
    assert str(report) == text
    assert isinstance(report, EvaluationReport)


def test_calibrate_then_evaluate_on_new_leads() -> None:
    """A calibrated model ranks fresh leads drawn like its training leads."""
    def make(prefix: str) -> tuple[list[Lead], dict[str, bool]]:
        leads, outcomes = [], {}
        for k in range(200):
            lead_id = f"{prefix}{k:03d}"
            it = k % 2 == 0
            leads.append(Lead(id=lead_id, attributes={"industry": "it" if it else "retail"}))
            outcomes[lead_id] = (k % 10 < 6) if it else (k % 10 == 1)
        return leads, outcomes

    train, train_outcomes = make("T")
    test, test_outcomes = make("E")
    model = calibrate(train, train_outcomes)
    report = evaluate(model, test, test_outcomes, as_of=AS_OF)
    # it: 100 leads, 60 converted; retail: 100 leads, 20 converted. Every converted 'it'
    # beats every non-converted 'retail' (60 * 80), ties inside a group count half:
    # (60*80 + 0.5*60*40 + 0.5*20*80) / (80 * 120) = 6800 / 9600
    assert report.auc == pytest.approx(6800 / 9600)
    assert report.temperature_order_holds is False  # two distinct scores, one band empty


@pytest.mark.parametrize(
    ("outcomes", "match"),
    [
        ({"zz": True}, "'zz'"),
        ({"a": True, "b": True, "c": True, "d": True}, "only one class"),
        ({}, "no lead converted"),
    ],
)
def test_bad_outcomes_raise(outcomes: dict[str, bool], match: str) -> None:
    """Unknown leads and single-class outcomes raise InvalidValueError."""
    scores = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}
    with pytest.raises(InvalidValueError, match=match):
        evaluate_scores(scores, outcomes)


def test_bad_scores_and_unknown_event_leads_raise() -> None:
    """Non-finite scores and events of unknown leads are errors."""
    with pytest.raises(InvalidValueError, match=r"scores\['a'\]"):
        evaluate_scores({"a": float("nan"), "b": 1.0}, {"b": True})
    model = ScoringModel(name="m", rules=[])
    stray = Event(lead_id="ghost", type="page_view", at=AS_OF)
    with pytest.raises(UnknownLeadError):
        evaluate(model, [Lead(id="a"), Lead(id="b")], {"a": True}, [stray], as_of=AS_OF)


def test_plots_draw_without_error() -> None:
    """The plot extra draws the three figures (skipped without matplotlib)."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from leadscoring.plot import plot_bands, plot_lift, plot_report, plot_roc

    scores, outcomes = twenty()
    report = evaluate_scores(scores, outcomes, warm=8, hot=16, bootstrap=20)
    fig = plot_report(report)
    assert len(fig.axes) == 3
    for draw in (plot_roc, plot_lift, plot_bands):
        assert draw(report) is not None
    import matplotlib.pyplot as plt

    plt.close("all")
