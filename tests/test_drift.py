"""Tests of leadscoring.learning.drift and ``leadscoring drift``: the population stability
index of the score, of each rule's firing rate and of the rule mix.

The golden values are worked by hand below each test's data; the properties (PSI >= 0,
PSI(a, a) == 0, lead order changes nothing) run on generated populations.
"""

from __future__ import annotations

import gzip
import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import InvalidInputError, InvalidValueError, LeadScore, LeadScoringError
from leadscoring.cli.drift import DRIFT_EXIT, read_scores
from leadscoring.cli.main import main
from leadscoring.learning.drift import DriftReport, RuleDrift, drift
from leadscoring.learning.psi import ACT_ABOVE, EPSILON, STABLE_BELOW, psi, psi_band, score_edges

THEN_AT = datetime(2026, 4, 1, tzinfo=UTC)
NOW_AT = datetime(2026, 6, 30, tzinfo=UTC)
LN2 = math.log(2)


def scores(
    totals: list[float], at: datetime = NOW_AT, rules: list[dict[str, float]] | None = None
) -> list[LeadScore]:
    """One LeadScore per total (``rules[k]``: lead k's by_rule; default none)."""
    by_rule = rules if rules is not None else [{} for _ in totals]
    return [
        LeadScore(
            lead_id=f"L{k}",
            as_of=at,
            total=t,
            fit=t,
            engagement=0.0,
            by_group={},
            by_rule=r,
            contributions=(),
        )
        for k, (t, r) in enumerate(zip(totals, by_rule, strict=True))
    ]


# --------------------------------------------------------------------------- golden values

# Then: the totals 1..8, bins=4. Quantile edges (linear interpolation, position q * 7 in
# the sorted list): q=.25 -> 1.75 -> 1 + .75 = 2.75; q=.5 -> 3.5 -> 4.5; q=.75 -> 5.25 ->
# 6.25. Bins (-inf, 2.75], (2.75, 4.5], (4.5, 6.25], (6.25, inf) hold {1,2} {3,4} {5,6}
# {7,8}: 25% each.
THEN = [1.0, 2, 3, 4, 5, 6, 7, 8]


def test_edges_are_quantiles_of_then() -> None:
    assert score_edges(THEN, 4) == (2.75, 4.5, 6.25)
    # ties collapse: 0 is the 25% and 50% quantile; the 75% one is 0 + (5 - 0) * .25
    assert score_edges([0, 0, 0, 0, 0, 0, 5, 9], 4) == (0.0, 1.25)
    assert score_edges([3, 3, 3], 10) == (3.0,)


def test_golden_act() -> None:
    """Now {1,1,1,1} {3} {5} {7,8}: shares .5, .125, .125, .25 against .25 each.

    PSI = (.5 - .25) ln(.5 / .25) + 2 * (.125 - .25) ln(.125 / .25) + (.25 - .25) ln 1
        = .25 ln 2 + 2 * (-.125)(-ln 2) + 0 = .5 ln 2 = 0.34657...  -> act (> 0.25)
    """
    report = drift(scores(THEN, THEN_AT), scores([1, 1, 1, 1, 3, 5, 7, 8]), bins=4)
    assert report.score_psi == pytest.approx(0.5 * LN2, abs=1e-12)
    assert [(b.low, b.high) for b in report.score_bins] == [
        (None, 2.75),
        (2.75, 4.5),
        (4.5, 6.25),
        (6.25, None),
    ]
    assert [b.then for b in report.score_bins] == [0.25] * 4
    assert [b.now for b in report.score_bins] == [0.5, 0.125, 0.125, 0.25]
    assert report.score_band == report.verdict == "act"
    assert report.as_of_then == THEN_AT
    assert report.as_of_now == NOW_AT


def test_golden_watch() -> None:
    """Now of ten leads {1,1,2,2} {3,4} {5,6} {7,8}: shares .4, .2, .2, .2.

    PSI = (.4 - .25) ln(1.6) + 3 * (.2 - .25) ln(.8)
        = .15 * 0.470004 + 3 * (-.05)(-0.223144) = 0.070501 + 0.033472 = 0.103972 -> watch
    """
    report = drift(scores(THEN), scores([1, 1, 2, 2, 3, 4, 5, 6, 7, 8]), bins=4)
    assert report.score_psi == pytest.approx(0.103972, abs=1e-6)
    assert report.score_band == report.verdict == "watch"


def test_golden_empty_bins_use_epsilon() -> None:
    """Now {1,1,1,1} {3,3,3,3} and nothing above 4.5: shares .5, .5, 0, 0; a 0 counts as
    EPSILON = 1e-4.

    PSI = 2 * (.5 - .25) ln 2 + 2 * (1e-4 - .25) ln(1e-4 / .25)
        = .5 ln 2 + 2 * (-.2499)(-7.824046) = 0.346574 + 3.910458 = 4.257032
    """
    report = drift(scores(THEN), scores([1, 1, 1, 1, 3, 3, 3, 3]), bins=4)
    expected = 0.5 * LN2 + 2 * (EPSILON - 0.25) * math.log(EPSILON / 0.25)
    assert report.score_psi == pytest.approx(expected, abs=1e-12)
    assert report.score_psi == pytest.approx(4.257032, abs=1e-6)
    assert math.isfinite(report.score_psi)


def test_scores_outside_the_old_range_count() -> None:
    """A score above every old one lands in the open top bin; below, in the open bottom."""
    report = drift(scores(THEN), scores([-50, 100, 100, 100]), bins=4)
    assert [b.now for b in report.score_bins] == [0.25, 0.0, 0.0, 0.75]


def test_golden_rules_and_mix() -> None:
    """Two rules, eight leads. Then 'a' and 'b' each fire for 4 leads, 10 points each
    (shares of the points .5 and .5); now 'a' fires for 2 leads (20 points), 'b' for 4
    (40 points): shares 1/3 and 2/3.

    'a' fired, then .5 / .5 not, now .25 / .75:
        (.25 - .5) ln(.25 / .5) + (.75 - .5) ln(.75 / .5) = .25 ln 2 + .25 ln 1.5
        = 0.173287 + 0.101366 = 0.274653 -> act
    'b' fired .5 both times -> 0, stable.
    Mix: (1/3 - 1/2) ln(2/3) + (2/3 - 1/2) ln(4/3) = (1/6)(0.405465) + (1/6)(0.287682)
        = 0.067578 + 0.047947 = 0.115525 -> watch
    """
    totals = [10.0] * 8
    then = [{"a": 10.0 if k < 4 else 0.0, "b": 10.0 if k >= 4 else 0.0} for k in range(8)]
    now = [{"a": 10.0 if k < 2 else 0.0, "b": 10.0 if k >= 4 else 0.0} for k in range(8)]
    report = drift(scores(totals, rules=then), scores(totals, rules=now))
    a, b = report.rules
    assert (a.rule, b.rule) == ("a", "b")  # most drifted first
    assert a.psi == pytest.approx(0.25 * LN2 + 0.25 * math.log(1.5), abs=1e-12)
    assert a.psi == pytest.approx(0.274653, abs=1e-6)
    assert (a.fired_then, a.fired_now, a.band) == (0.5, 0.25, "act")
    assert a.points_share_then == 0.5
    assert a.points_share_now == pytest.approx(1 / 3)
    assert (b.psi, b.band) == (0.0, "stable")
    assert report.mix_psi == pytest.approx(0.115525, abs=1e-6)
    assert report.mix_band == "watch"
    assert report.score_psi == 0.0  # every total is 10 both times
    assert report.verdict == "act"
    assert report.drivers() == ["rule 'a' (PSI 0.275)"]


def test_negative_points_fire_and_count_in_the_mix() -> None:
    """A rule taking points away fires, and its absolute points count in the mix."""
    then = [{"unsubscribed": -20.0, "pricing": 0.0}, {"unsubscribed": 0.0, "pricing": 20.0}]
    report = drift(scores([0, 20], rules=then), scores([0, 20], rules=then))
    fired = {r.rule: (r.fired_then, r.points_share_then) for r in report.rules}
    assert fired == {"unsubscribed": (0.5, 0.5), "pricing": (0.5, 0.5)}


def test_rule_only_on_one_side() -> None:
    """A rule added (or removed) between the runs is flagged and fires for nobody on the
    other side: fired 0 -> 1 gives (1 - 1e-4) ln(1 / 1e-4) + (1e-4 - 1) ln(1e-4 / 1)
    = 2 * 0.9999 * 9.21034 = 18.41884."""
    old = scores([1, 2], rules=[{"a": 1.0}, {"a": 2.0}])
    new = scores([1, 2], rules=[{"a": 1.0, "b": 5.0}, {"a": 2.0, "b": 5.0}])
    report = drift(old, new)
    [b] = [r for r in report.rules if r.rule == "b"]
    assert (b.in_then, b.in_now) == (False, True)
    assert b.psi == pytest.approx(2 * (1 - EPSILON) * math.log(1 / EPSILON), abs=1e-9)
    assert "b (only now)" in report.summary()
    back = drift(new, old)
    first = back.rules[0]
    assert (first.rule, first.in_then, first.in_now) == ("b", True, False)
    assert "b (only then)" in back.summary()


# --------------------------------------------------------------------------- bands


def test_psi_function_golden() -> None:
    assert psi([0.25] * 4, [0.4, 0.2, 0.2, 0.2]) == pytest.approx(0.103972, abs=1e-6)
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert psi([1.0, 0.0], [1.0, 0.0]) == 0.0  # both empty: EPSILON on both sides, no term


def test_bands_at_their_edges() -> None:
    assert psi_band(0.0) == "stable"
    assert psi_band(math.nextafter(STABLE_BELOW, 0)) == "stable"
    assert psi_band(STABLE_BELOW) == "watch"
    assert psi_band(0.2) == "watch"
    assert psi_band(ACT_ABOVE) == "watch"
    assert psi_band(math.nextafter(ACT_ABOVE, 1)) == "act"
    assert psi_band(100.0) == "act"
    assert (STABLE_BELOW, ACT_ABOVE, EPSILON) == (0.1, 0.25, 1e-4)


def test_verdict_is_the_worst_band() -> None:
    """The score is stable but one rule moves: the verdict follows the rule."""
    then = [{"a": 0.0} for _ in range(8)]
    now = [{"a": 5.0 if k < 4 else 0.0} for k in range(8)]
    report = drift(scores(THEN, rules=then), scores(THEN, rules=now))
    assert report.score_band == "stable"
    assert report.rules[0].band == "act"
    assert report.verdict == "act"


def test_identical_populations_give_zero() -> None:
    rules = [{"a": float(k % 3), "b": -float(k % 2)} for k in range(8)]
    report = drift(scores(THEN, rules=rules), scores(THEN, rules=rules))
    assert report.score_psi == 0.0
    assert report.mix_psi == 0.0
    assert all(r.psi == 0.0 for r in report.rules)
    assert report.verdict == "stable"
    assert report.drivers() == []
    assert "Verdict: stable" in report.summary()


# --------------------------------------------------------------------------- properties

_totals = st.lists(
    st.one_of(
        st.integers(-20, 100).map(float),
        st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=40,
)
_points = st.sampled_from([0.0, 0.0, 1.5, 10.0, -20.0])


@st.composite
def populations(draw: st.DrawFn) -> list[LeadScore]:
    """A population: totals, and for each lead the points of rules 'a', 'b', maybe 'c'."""
    totals = draw(_totals)
    names = ["a", "b"] + (["c"] if draw(st.booleans()) else [])
    rules = [{n: draw(_points) for n in names} for _ in totals]
    return scores(totals, rules=rules)


@given(populations(), populations(), st.integers(2, 12))
def test_psi_is_never_negative(a: list[LeadScore], b: list[LeadScore], bins: int) -> None:
    report = drift(a, b, bins=bins)
    assert report.score_psi >= 0
    assert math.isfinite(report.score_psi)
    assert report.mix_psi is not None
    assert report.mix_psi >= 0
    assert all(r.psi >= 0 for r in report.rules)
    assert all(b.psi >= 0 for b in report.score_bins)
    assert sum(b.then for b in report.score_bins) == pytest.approx(1.0)
    assert sum(b.now for b in report.score_bins) == pytest.approx(1.0)
    assert len(report.score_bins) <= bins


@given(populations(), st.integers(2, 12))
def test_psi_of_a_population_with_itself_is_zero(a: list[LeadScore], bins: int) -> None:
    report = drift(a, list(a), bins=bins)
    assert report.score_psi == 0.0
    assert report.mix_psi == 0.0
    assert all(r.psi == 0.0 for r in report.rules)
    assert report.verdict == "stable"


@given(populations(), populations(), st.randoms(use_true_random=False))
def test_lead_order_changes_nothing(
    a: list[LeadScore], b: list[LeadScore], rnd: random.Random
) -> None:
    shuffled_a, shuffled_b = list(a), list(b)
    rnd.shuffle(shuffled_a)
    rnd.shuffle(shuffled_b)
    assert drift(shuffled_a, shuffled_b) == drift(a, b)


# --------------------------------------------------------------------------- errors


def test_errors_name_the_argument() -> None:
    some = scores(THEN)
    cases: list[tuple[Callable[[], object], str, str]] = [
        (lambda: drift([], some), "scores_then", "has no scores"),
        (lambda: drift(some, []), "scores_now", "has no scores"),
        (lambda: drift(some, some, bins=1), "bins", "at least 2"),
        (lambda: drift(some, some, bins=0), "bins", "at least 2"),
        (lambda: drift(some, some, bins=True), "bins", "whole number"),
        (lambda: drift(some, some, bins=2.5), "bins", "whole number"),  # type: ignore[arg-type]
        (
            lambda: drift([some[0], {"total": 3}], some),
            "scores_then[1]",
            "expected a LeadScore, got dict",
        ),
        (lambda: drift(some, "scores.json"), "scores_now", "got str"),
        (lambda: drift(some, 42), "scores_now", "got int"),
        (lambda: drift(some, {"L1": 3.0}), "scores_now", "got dict"),
    ]
    for call, field, text in cases:
        with pytest.raises(InvalidValueError) as caught:
            call()
        assert caught.value.field == field, (field, str(caught.value))
        assert text in str(caught.value)
        assert isinstance(caught.value, LeadScoringError)


def test_a_non_finite_total_is_named() -> None:
    bad = scores([1.0, float("nan")])
    with pytest.raises(InvalidValueError, match=r"scores_now\[1\]\.total: must be a finite"):
        drift(scores(THEN), bad)
    bad_rule = scores([1.0], rules=[{"a": float("inf")}])
    with pytest.raises(InvalidValueError, match=r"scores_then\[0\]\.by_rule\['a'\]: must be"):
        drift(bad_rule, scores(THEN))


# --------------------------------------------------------------------------- tables

pd = pytest.importorskip("pandas")


def _frame(population: list[LeadScore], *, by_rule: bool = True) -> object:
    data: dict[str, list[object]] = {
        "lead_id": [s.lead_id for s in population],
        "total": [s.total for s in population],
    }
    if by_rule:
        for rule in population[0].by_rule:
            data[f"by_rule.{rule}"] = [s.by_rule[rule] for s in population]
    return pd.DataFrame(data)


def _rules_pair() -> tuple[list[LeadScore], list[LeadScore]]:
    then = scores(THEN, THEN_AT, [{"a": float(k % 2), "b": 3.0} for k in range(8)])
    now = scores([1, 1, 1, 1, 3, 5, 7, 8], rules=[{"a": float(k < 2), "b": 0.0} for k in range(8)])
    return then, now


def test_tables_give_the_objects_figures() -> None:
    then, now = _rules_pair()
    on_objects = drift(then, now, bins=4)
    on_tables = drift(_frame(then), _frame(now), bins=4)
    assert on_tables.score_psi == on_objects.score_psi
    assert on_tables.rules == on_objects.rules
    assert on_tables.mix_psi == on_objects.mix_psi
    assert on_tables.verdict == on_objects.verdict
    assert on_tables.as_of_then is None  # a table carries no moment


def test_polars_tables() -> None:
    pl = pytest.importorskip("polars")
    then, now = _rules_pair()
    report = drift(pl.from_pandas(_frame(then)), pl.from_pandas(_frame(now)), bins=4)
    assert report == attrs_evolve_as_of(drift(then, now, bins=4))


def attrs_evolve_as_of(report: DriftReport) -> DriftReport:
    import attrs

    return attrs.evolve(report, as_of_then=None, as_of_now=None)


def test_to_frame_tables_give_the_objects_report() -> None:
    """to_frame(scores) has the columns score_frame gives, and the moment."""
    from leadscoring import to_frame

    then, now = _rules_pair()
    assert drift(to_frame(then), to_frame(now), bins=4) == drift(then, now, bins=4)
    pl = pytest.importorskip("polars")
    assert pl is not None
    on_polars = drift(to_frame(then, "polars"), to_frame(now, "polars"), bins=4)
    assert on_polars == drift(then, now, bins=4)


def test_score_frame_output_is_read() -> None:
    """The table score_frame(..., by_rule=True) returns, at two moments."""
    from leadscoring import score_frame
    from leadscoring.examples import default_model

    events = pd.DataFrame(
        {
            "lead_id": ["L1", "L1", "L2", "L3"],
            "type": ["page_view"] * 3 + ["inquiry"],
            "at": pd.to_datetime(
                [
                    "2026-05-31T00:00:00Z",
                    "2026-06-29T00:00:00Z",
                    "2026-06-01T00:00:00Z",
                    "2026-06-20T00:00:00Z",
                ],
                utc=True,
            ),
            "category": ["pricing", "blog", "pricing", None],
        }
    )
    model = default_model()
    then = score_frame(events, model, as_of=datetime(2026, 6, 2, tzinfo=UTC), by_rule=True)
    now = score_frame(events, model, as_of=NOW_AT, by_rule=True)
    report = drift(then, now, bins=2)
    assert {r.rule for r in report.rules} == {r.name for r in model.rules}
    [inquiry] = [r for r in report.rules if r.rule == "inquiry or demo request"]
    assert inquiry.fired_then == 0.0
    assert inquiry.fired_now == pytest.approx(1 / 3)
    bare = score_frame(events, model, as_of=NOW_AT)
    assert drift(bare, bare).rules == ()  # no by_rule columns on both sides: the score alone
    assert drift(bare, bare).mix_psi is None


def test_table_errors() -> None:
    then, now = _rules_pair()
    with pytest.raises(InvalidValueError) as caught:
        drift(_frame(then), now)
    assert caught.value.field == "scores_now"
    assert "give both as LeadScore results" in str(caught.value)
    with pytest.raises(InvalidValueError) as caught:
        drift(then, _frame(now))
    assert caught.value.field == "scores_now"
    with pytest.raises(InvalidValueError) as caught:
        drift(_frame(then), _frame(now, by_rule=False))
    assert caught.value.field == "scores_now"
    assert "by_rule=True" in str(caught.value)
    with pytest.raises(InvalidValueError) as caught:
        drift(_frame(then, by_rule=False), _frame(now))
    assert caught.value.field == "scores_then"
    with pytest.raises(InvalidValueError, match="has no 'total' column"):
        drift(pd.DataFrame({"lead_id": ["L1"], "score": [3.0]}), _frame(now))
    with pytest.raises(InvalidValueError, match=r"scores_then\['total'\]\[1\]: row 1"):
        drift(pd.DataFrame({"total": [1.0, None]}), pd.DataFrame({"total": [1.0]}))
    with pytest.raises(InvalidValueError, match="has no scores"):
        drift(pd.DataFrame({"total": []}), _frame(now, by_rule=False))


# --------------------------------------------------------------------------- the report


def test_report_text_dict_and_html() -> None:
    then, now = _rules_pair()
    report = drift(then, now, bins=4)
    text = str(report)
    assert text == report.summary()
    assert text.splitlines()[0] == (
        "Score drift: 8 leads then (2026-04-01 00:00 UTC), 8 now (2026-06-30 00:00 UTC)"
    )
    assert "Verdict: act (PSI bands: stable < 0.1, watch 0.1 to 0.25, act > 0.25)" in text
    assert "Score PSI 0.347: act" in text
    assert "<= 2.75" in text
    assert "> 6.25" in text
    assert text.index("Rules, most drifted first") > text.index("Score, in 4 bins")
    data = report.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert (data["verdict"], data["bins"], data["epsilon"]) == ("act", 4, 1e-4)
    assert data["score_bins"][0] == {
        "low": None,
        "high": 2.75,
        "then": 0.25,
        "now": 0.5,
        "psi": pytest.approx(0.25 * LN2),
    }
    assert [r["rule"] for r in data["rules"]] == [r.rule for r in report.rules]
    assert data["as_of_then"] == "2026-04-01T00:00:00+00:00"
    assert repr(report).startswith("DriftReport(verdict='act', score_psi=0.347")
    html = report._repr_html_()
    assert "<table" in html
    assert "Score drift" in html
    assert isinstance(report.rules[0], RuleDrift)


def test_merged_bins_are_said() -> None:
    report = drift(scores([0, 0, 0, 0, 0, 0, 5, 9]), scores([0, 9]), bins=4)
    assert "Score, in 3 bins fixed on the leads then (4 asked for; equal edges merged)" in str(
        report
    )


# --------------------------------------------------------------------------- the CLI


def _document(totals: list[float], as_of: datetime, rules: list[dict[str, float]]) -> str:
    return json.dumps(
        {
            "schema_version": 1,
            "kind": "scores",
            "model": {"name": "m", "version": 1},
            "as_of": as_of.isoformat(),
            "count": len(totals),
            "scores": [
                {
                    "lead_id": f"L{k}",
                    "total": t,
                    "fit": t,
                    "engagement": 0.0,
                    "by_group": {},
                    "by_rule": r,
                    "top_reasons": [],
                }
                for k, (t, r) in enumerate(zip(totals, rules, strict=True))
            ],
            "rejected": [],
        }
    )


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """then.json (totals 1..8) and now.json ({1,1,1,1,3,5,7,8}: score PSI .5 ln 2), the
    same as JSON Lines and CSV, and a folder to run in."""
    monkeypatch.chdir(tmp_path)
    now_totals = [1.0, 1, 1, 1, 3, 5, 7, 8]
    for name, totals, at in (("then", THEN, THEN_AT), ("now", now_totals, NOW_AT)):
        rules = [{"a": float(k % 2)} for k in range(8)]
        (tmp_path / f"{name}.json").write_text(_document(totals, at, rules), encoding="utf-8")
        lines = [
            json.dumps(
                {
                    "schema_version": 1,
                    "kind": "score",
                    "as_of": at.isoformat(),
                    "lead_id": f"L{k}",
                    "total": t,
                    "by_rule": r,
                }
            )
            for k, (t, r) in enumerate(zip(totals, rules, strict=True))
        ]
        with gzip.open(tmp_path / f"{name}.jsonl.gz", "wt", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        csv = "lead_id,as_of,total,fit,engagement,top_reasons\n" + "".join(
            f"L{k},{at.isoformat()},{t!r},{t!r},0.0,\n" for k, t in enumerate(totals)
        )
        (tmp_path / f"{name}.csv").write_text(csv, encoding="utf-8")
    return tmp_path


def test_cli_text_and_exit_status(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "then.json", "now.json", "--bins", "4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("then: then.json\nnow:  now.json\nScore drift: 8 leads then")
    assert "Score PSI 0.347: act" in out
    assert (
        main(["drift", "then.json", "now.json", "--bins", "4", "--fail-on", "act"])
        == DRIFT_EXIT
        == 3
    )
    assert main(["drift", "then.json", "now.json", "--bins", "4", "--fail-on", "watch"]) == 3
    assert main(["drift", "then.json", "then.json", "--fail-on", "watch"]) == 0


def test_cli_json(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "then.jsonl.gz", "now.json", "--bins", "4", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["schema_version"], data["kind"]) == (1, "drift")
    assert (data["then"], data["now"]) == ("then.jsonl.gz", "now.json")
    assert data["score_psi"] == pytest.approx(0.5 * LN2)
    assert data["verdict"] == "act"
    assert [r["rule"] for r in data["rules"]] == ["a"]
    assert data["as_of_then"] == THEN_AT.isoformat()


def test_cli_csv_compares_the_score_alone(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "then.csv", "now.csv", "--bins", "4", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score_psi"] == pytest.approx(0.5 * LN2)
    assert (data["rules"], data["mix_psi"]) == ([], None)
    assert main(["drift", "then.csv", "now.csv"]) == 0
    assert "No per-rule points: the score alone is compared" in capsys.readouterr().out
    assert main(["drift", "then.csv", "now.json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("then.csv: has no per-rule points, but now.json has")
    assert "--format json or jsonl" in err


def test_cli_bad_files(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("bad.csv").write_text("lead_id,total\nL1,3\nL2,lots\n", encoding="utf-8")
    assert main(["drift", "then.csv", "bad.csv"]) == 1
    assert capsys.readouterr().err.strip() == "bad.csv, row 2, column 'total': not a number: 'lots'"
    Path("scores.txt").write_text("L1 3\n", encoding="utf-8")
    assert main(["drift", "scores.txt", "now.json"]) == 1
    assert "scores.txt: cannot tell the format" in capsys.readouterr().err
    Path("assess.json").write_text('{"kind": "assessments", "assessments": []}', encoding="utf-8")
    assert main(["drift", "assess.json", "now.json"]) == 1
    assert "found 'kind': 'assessments'" in capsys.readouterr().err
    Path("empty.json").write_text(_document([], NOW_AT, []), encoding="utf-8")
    assert main(["drift", "empty.json", "now.json"]) == 1
    assert capsys.readouterr().err.startswith("empty.json: has no scores")
    Path("broken.jsonl").write_text('{"total": 1, "by_rule": {}}\n{"total": \n', encoding="utf-8")
    assert main(["drift", "broken.jsonl", "now.json"]) == 1
    assert capsys.readouterr().err.startswith("broken.jsonl, row 2: malformed JSON")
    assert main(["drift", "then.json", "missing.json"]) == 1
    assert "missing.json" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["drift", "then.json", "now.json", "--bins", "1"])
    assert usage.value.code == 2
    assert "--bins: must be at least 2" in capsys.readouterr().err


def test_cli_reads_what_leadscoring_score_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`leadscoring score` at two moments, each format, then `leadscoring drift`."""
    monkeypatch.chdir(tmp_path)
    Path("leads.csv").write_text(
        "id,industry,role,company_size\nL1,it,manager,250\n"
        "L2,retail,staff,10\nL3,it,executive,1200\n",
        encoding="utf-8",
    )
    Path("events.csv").write_text(
        "id,lead_id,type,at,category\ne1,L1,page_view,2026-05-31T00:00:00Z,pricing\n"
        "e2,L2,page_view,2026-06-20T00:00:00Z,pricing\n",
        encoding="utf-8",
    )
    for moment, name in ((NOW_AT - timedelta(days=90), "then"), (NOW_AT, "now")):
        for fmt in ("json", "jsonl", "csv"):
            assert (
                main(
                    [
                        "score",
                        "--model",
                        "b2b-default",
                        "--leads",
                        "leads.csv",
                        "--events",
                        "events.csv",
                        "--as-of",
                        moment.isoformat(),
                        "--format",
                        fmt,
                    ]
                )
                == 0
            )
            Path(f"{name}.{fmt}").write_text(capsys.readouterr().out, encoding="utf-8")
    reports = {}
    for fmt in ("json", "jsonl", "csv"):
        assert main(["drift", f"then.{fmt}", f"now.{fmt}", "--format", "json"]) == 0
        reports[fmt] = json.loads(capsys.readouterr().out)
    assert (
        reports["json"]["score_psi"] == reports["jsonl"]["score_psi"] == reports["csv"]["score_psi"]
    )
    assert reports["json"]["rules"] == reports["jsonl"]["rules"]
    pricing = next(r for r in reports["json"]["rules"] if r["rule"] == "pricing page")
    assert pricing["fired_then"] == 0.0
    assert pricing["fired_now"] == pytest.approx(2 / 3)
    Path("nothing.jsonl").write_text('{"by_rule": {}}\n', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="row 1, column 'total': missing 'total'"):
        read_scores("nothing.jsonl")
