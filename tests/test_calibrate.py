"""Tests of leadscoring.learning.calibrate: learning a points table from outcomes.

The hand-made data have a known signal, so the expected points can be worked out: with the
default scale (10 points double the odds) a log-odds difference ``d`` is worth about
``d * 10 / ln 2 = 14.4 * d`` points.
"""

from __future__ import annotations

import math
import random
import warnings
from datetime import UTC, datetime, timedelta

import pytest

from leadscoring import (
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    InvalidValueError,
    Lead,
    LeadScoringError,
    NoDecay,
    ScoringModel,
    SmallSampleWarning,
    calibrate,
    score_all,
)
from leadscoring.model.config import model_to_text, parse_model_text

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def signal_data() -> tuple[list[Lead], dict[str, bool]]:
    """400 leads: industry 'it' converts 60%, 'retail' 10%; colour is pure noise.

    Each (industry, colour) cell has the same conversion rate for both colours, so the
    colour carries no information at all.
    """
    leads: list[Lead] = []
    outcomes: dict[str, bool] = {}
    cells = [("it", "red", 80, 48), ("it", "blue", 80, 48),
             ("retail", "red", 120, 12), ("retail", "blue", 120, 12)]
    for industry, colour, count, converted in cells:
        for k in range(count):
            lead_id = f"{industry}-{colour}-{k:03d}"
            leads.append(Lead(id=lead_id, attributes={"industry": industry, "colour": colour}))
            outcomes[lead_id] = k < converted
    return leads, outcomes


def points(model: ScoringModel) -> dict[str, float]:
    """Rule name -> points."""
    return {r.name: r.points for r in model.rules}


def test_signal_gets_clearly_positive_points_and_noise_none() -> None:
    """The signal's rule earns about its log-odds in points; the noise earns nothing."""
    leads, outcomes = signal_data()
    model = calibrate(leads, outcomes)
    got = points(model)
    # log-odds of it vs retail: ln(0.6/0.4) - ln(0.1/0.9) = 0.405 + 2.197 = 2.60 -> 37 points
    # (the L2 penalty shrinks it a little).
    assert 30 <= got["industry = it"] <= 38
    assert not any(name.startswith("colour") for name in got)
    assert all(isinstance(r, AttributeRule) for r in model.rules)


def test_woe_method_gives_signal_points_and_noise_near_zero() -> None:
    """Weight of evidence scores every value: the signal strongly, the noise at zero."""
    leads, outcomes = signal_data()
    got = points(calibrate(leads, outcomes, method="woe"))
    # WoE of 'it' (160 leads, 96 converted, base rate 0.3, smoothing 5):
    # ln((96 + 1.5) / (64 + 3.5)) - ln(0.3 / 0.7) = 0.368 + 0.847 = 1.215 -> 18 points
    assert got["industry = it"] == 18
    assert got["industry = retail"] < -10
    assert all(abs(p) <= 1 for name, p in got.items() if name.startswith("colour"))


def test_base_rule_makes_50_even_odds() -> None:
    """The base rule holds the intercept: 50 points mean even odds on the training leads."""
    leads, outcomes = signal_data()
    model = calibrate(leads, outcomes)
    by_id = {s.lead_id: s.total for s in score_all(leads, [], model, as_of=AS_OF)}
    # retail converts 10%: log-odds -2.197 -> 50 - 31.7 = 18; it 60%: 0.405 -> 56
    assert abs(by_id["retail-red-000"] - 18) <= 2
    assert abs(by_id["it-red-000"] - 56) <= 2
    no_base = calibrate(leads, outcomes, even_odds_score=None)
    assert "base" not in points(no_base)


def test_scale_is_points_to_double_odds() -> None:
    """Doubling points_to_double_odds doubles every rule's points (up to rounding)."""
    leads, outcomes = signal_data()
    small = points(calibrate(leads, outcomes, points_to_double_odds=10))
    large = points(calibrate(leads, outcomes, points_to_double_odds=20))
    assert abs(large["industry = it"] - 2 * small["industry = it"]) <= 1


def test_numeric_attribute_binned_into_readable_ranges() -> None:
    """A numeric attribute with a step at 50 gets range rules starting near 50."""
    leads, outcomes = [], {}
    for k in range(300):
        visits = k % 100
        lead_id = f"L{k:03d}"
        leads.append(Lead(id=lead_id, attributes={"visits": visits}))
        outcomes[lead_id] = (k % 7 < 5) if visits >= 50 else (k % 7 == 0)
    model = calibrate(leads, outcomes)
    got = points(model)
    # Deciles cut at 10, 20, ... 90; above 50 the odds are 5:2 against 1:6 below, a
    # log-odds step of 0.92 + 1.79 = 2.71, about 39 points before the L2 shrinkage.
    assert got["visits in [50, 60)"] > 20
    assert got["visits >= 60"] > 20
    below = [p for name, p in got.items() if name.startswith("visits") and "[50" not in name
             and ">= 60" not in name]
    assert all(abs(p) <= 3 for p in below)


def test_rare_values_merged_into_other() -> None:
    """Values under min_support are grouped into one 'other' rule when the group is big
    enough, and dropped when it is not."""
    leads, outcomes = [], {}
    values = ["a"] * 40 + ["b"] * 40 + ["c", "d", "e"] * 3 + ["z"]
    for k, v in enumerate(values):
        leads.append(Lead(id=f"L{k:02d}", attributes={"source": v}))
        outcomes[f"L{k:02d}"] = (v in "cdez") or (v == "a" and k % 2 == 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        model = calibrate(leads, outcomes, method="woe", min_support=5)
    rules = {r.name: r for r in model.rules}
    other = rules["source = other (4 values)"]
    assert isinstance(other, AttributeRule)
    assert other.points > 0
    assert other.when.describe() == "source in 'c', 'd', 'e', 'z'"


def test_tiny_sample_warns_and_still_works() -> None:
    """Ten won deals among sixty leads: a SmallSampleWarning, and a usable model."""
    leads = [Lead(id=f"L{k:02d}", attributes={"role": "exec" if k < 14 else "staff"})
             for k in range(60)]
    outcomes = {f"L{k:02d}": True for k in range(10)}  # the others did not convert
    with pytest.warns(SmallSampleWarning, match="only 10 converted"):
        model = calibrate(leads, outcomes)
    assert points(model)["role = exec"] > 20
    assert issubclass(SmallSampleWarning, UserWarning)


def event_data() -> tuple[list[Lead], list[Event], dict[str, bool]]:
    """Leads who viewed pricing in the last days convert; blog readers do not."""
    rng = random.Random(7)
    leads, events, outcomes = [], [], {}
    for k in range(600):
        lead_id = f"L{k:03d}"
        leads.append(Lead(id=lead_id))
        pricing_age = rng.choice([None, 1, 3, 60, 120])
        logit = -2.0
        if pricing_age is not None:
            events.append(Event(lead_id=lead_id, type="page_view",
                                at=AS_OF - timedelta(days=pricing_age),
                                properties={"category": "pricing"}))
            logit += 3.0 * 0.5 ** (pricing_age / 7)
        for _ in range(rng.randint(0, 3)):
            events.append(Event(lead_id=lead_id, type="page_view",
                                at=AS_OF - timedelta(days=rng.uniform(0, 90)),
                                properties={"category": "blog"}))
        outcomes[lead_id] = rng.random() < 1 / (1 + math.exp(-logit))
    return leads, events, outcomes


def test_event_rules_with_a_half_life_from_the_data() -> None:
    """Recent pricing views earn points per event; the half-life is a short one."""
    leads, events, outcomes = event_data()
    model = calibrate(leads, outcomes, events, as_of=AS_OF)
    rules = {r.name: r for r in model.rules}
    pricing = rules["page_view: pricing"]
    assert isinstance(pricing, EventRule)
    assert pricing.points > 20
    assert pricing.cap == pricing.points  # one pricing view per lead: capped at one
    assert isinstance(model.default_decay, HalfLife)
    assert model.default_decay.days <= 14
    assert abs(rules.get("page_view: blog", EventRule(name="x", when={}, points=0)).points) <= 3


def test_events_without_signal_use_no_decay_choice_from_candidates() -> None:
    """With half_lives=(None,) the model does not decay."""
    leads, events, outcomes = event_data()
    model = calibrate(leads, outcomes, events, as_of=AS_OF, half_lives=(None,))
    assert model.default_decay == NoDecay()


def test_round_trips_through_the_model_format_and_scores_the_same() -> None:
    """to_dict/from_dict and TOML text give an equal model with equal scores."""
    leads, events, outcomes = event_data()
    model = calibrate(leads, outcomes, events, as_of=AS_OF)
    assert ScoringModel.from_dict(model.to_dict()) == model
    again = parse_model_text(model_to_text(model, "toml"), "toml")
    assert again == model
    first = [s.total for s in score_all(leads, events, model, as_of=AS_OF)]
    second = [s.total for s in score_all(leads, events, again, as_of=AS_OF)]
    assert first == second


def test_result_does_not_depend_on_lead_order() -> None:
    """Shuffling the leads gives the same model."""
    leads, outcomes = signal_data()
    shuffled = leads[:]
    random.Random(3).shuffle(shuffled)
    assert calibrate(shuffled, outcomes) == calibrate(leads, outcomes)


def test_max_rules_is_respected() -> None:
    """No more rules than max_rules, base rule included."""
    leads, events, outcomes = event_data()
    for method in ("logistic", "woe"):
        model = calibrate(leads, outcomes, events, as_of=AS_OF, method=method, max_rules=2)
        assert len(model.rules) <= 2


def test_conversion_moments_with_horizon() -> None:
    """Moments: converted within the horizon after as_of counts; before as_of is left out."""
    leads, outcomes = signal_data()
    moments: dict[str, datetime] = {}
    for lead_id, converted in outcomes.items():
        if converted:
            moments[lead_id] = AS_OF + timedelta(days=10)
    moments["retail-red-119"] = AS_OF - timedelta(days=1)  # had converted already
    moments["retail-red-118"] = AS_OF + timedelta(days=400)  # too late for the horizon
    model = calibrate(leads, moments, as_of=AS_OF, horizon="90d")
    assert points(model)["industry = it"] > 25


@pytest.mark.parametrize(
    ("outcomes", "match"),
    [
        ({"nobody": True}, "not among the leads: 'nobody'"),
        ({}, "no lead converted"),
        ({f"L{k}": True for k in range(4)}, "only one class"),
        ({"L1": "yes"}, r"outcomes\['L1'\]"),
        ({"L1": 2}, r"outcomes\['L1'\]"),
    ],
)
def test_bad_outcomes_raise_clear_errors(outcomes: dict[str, object], match: str) -> None:
    """Unknown leads, one class only and bad values raise InvalidValueError naming them."""
    leads = [Lead(id=f"L{k}") for k in range(4)]
    with pytest.raises(InvalidValueError, match=match) as info:
        calibrate(leads, outcomes)  # type: ignore[arg-type]
    assert isinstance(info.value, LeadScoringError)
    assert isinstance(info.value, ValueError)


def test_moments_need_as_of() -> None:
    """Conversion moments without as_of are an error naming the lead."""
    leads = [Lead(id="L1"), Lead(id="L2")]
    with pytest.raises(InvalidValueError, match=r"'L1'.*pass as_of"):
        calibrate(leads, {"L1": AS_OF})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "magic"}, "method"),
        ({"max_rules": 0}, "max_rules"),
        ({"bins": 1}, "bins"),
        ({"smoothing": -1}, "smoothing"),
        ({"points_to_double_odds": 0}, "points_to_double_odds"),
        ({"half_lives": ()}, "half_lives"),
        ({"min_support": 0}, "min_support"),
        ({"binning": "entropy"}, "binning"),
        ({"interactions": -1}, "interactions"),
        ({"interactions": True}, "interactions"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, object], field: str) -> None:
    """Each bad argument raises InvalidValueError naming it."""
    leads, outcomes = signal_data()
    with pytest.raises(InvalidValueError, match=field):
        calibrate(leads, outcomes, **kwargs)  # type: ignore[arg-type]


def test_touching_ranges_with_equal_points_become_one_rule() -> None:
    """[10, 20) and [20, 30) at the same points read as one range [10, 30)."""
    from leadscoring.learning.features import Candidate, to_rules

    ranges = [Candidate(kind="range", attribute="x", low=10, high=20),
              Candidate(kind="range", attribute="x", low=20, high=30),
              Candidate(kind="range", attribute="x", low=30, high=None)]
    # 0.69 * 14.43 = 9.96 -> 10, 0.70 * 14.43 = 10.1 -> 10, 1.0 * 14.43 -> 14
    rules = to_rules(list(zip(ranges, [0.69, 0.70, 1.0], strict=True)), 10 / math.log(2))
    assert [(r.name, r.points) for r in rules] == [("x in [10, 30)", 10), ("x >= 30", 14)]


def step_data() -> tuple[list[Lead], dict[str, bool]]:
    """300 leads, visits 0-99: above 50 the odds are 5:2, below 1:6."""
    leads, outcomes = [], {}
    for k in range(300):
        visits = k % 100
        lead_id = f"L{k:03d}"
        leads.append(Lead(id=lead_id, attributes={"visits": visits}))
        outcomes[lead_id] = (k % 7 < 5) if visits >= 50 else (k % 7 == 0)
    return leads, outcomes


def test_monotone_binning_finds_the_step() -> None:
    """Supervised cut points: the step at 50 is found from the outcomes, so one rule
    ``visits >= 50`` carries it (quantiles would need the lasso to find the decile)."""
    leads, outcomes = step_data()
    got = points(calibrate(leads, outcomes, binning="monotone"))
    # log-odds step ln(5/2) - ln(1/6) = 0.92 + 1.79 = 2.71 -> about 39 points, less shrinkage
    assert 30 <= got["visits >= 50"] <= 40
    assert [name for name in got if name.startswith("visits")] == ["visits >= 50"]


def interaction_data() -> tuple[list[Lead], dict[str, bool]]:
    """800 leads: 'pro' plan leads from 'ads' convert 80%, every other cell 20%."""
    leads, outcomes = [], {}
    for k in range(800):
        plan, source = ("pro", "free")[k % 2], ("ads", "seo")[(k // 2) % 2]
        lead_id = f"L{k:03d}"
        leads.append(Lead(id=lead_id, attributes={"plan": plan, "source": source}))
        chance = 0.8 if (plan, source) == ("pro", "ads") else 0.2
        outcomes[lead_id] = (k // 4) % 10 < 10 * chance
    return leads, outcomes


def test_an_interaction_that_pays_becomes_a_rule() -> None:
    """Only the pair (pro, ads) converts more: main effects alone cannot say so, one pair
    rule can (which pair depends on the reference levels left out), and then the three
    other cells score the same."""
    leads, outcomes = interaction_data()
    plain = calibrate(leads, outcomes)
    paired = calibrate(leads, outcomes, interactions=5)
    names = [r.name for r in paired.rules]
    pair = [r for r in paired.rules if " and " in r.name]
    assert len(pair) == 1, names
    totals = {s.lead_id: s.total for s in score_all(leads, [], paired, as_of=AS_OF)}
    # log-odds of 80% vs 20%: 2 ln 4 = 2.77 -> 40 points between the cells
    assert 35 <= totals["L000"] - totals["L001"] <= 42
    cells = [totals["L001"], totals["L002"], totals["L003"]]
    assert max(cells) - min(cells) <= 3  # nearly equal: the L2 penalty shrinks a little
    text = model_to_text(paired, "toml")
    assert model_to_text(parse_model_text(text, "toml"), "toml") == text
    assert len(plain.rules) <= len(paired.rules)


def test_interactions_are_deterministic_and_within_max_rules() -> None:
    """Same data, same model; never more rules than max_rules (base included)."""
    leads, outcomes = interaction_data()
    first = calibrate(leads, outcomes, interactions=5, binning="monotone", max_rules=3)
    again = calibrate(list(reversed(leads)), outcomes, interactions=5, binning="monotone",
                      max_rules=3)
    assert model_to_text(first) == model_to_text(again)
    assert len(first.rules) <= 3
    assert all(isinstance(r.points, int) for r in first.rules)


def test_optimised_rounding_keeps_whole_points_and_does_not_fit_worse() -> None:
    """rounding="optimise" gives whole points whose training log-loss is no higher than
    the rounded ones' (the base rule included), here on a step and a categorical."""
    leads, outcomes = step_data()
    for k, lead in enumerate(leads):
        leads[k] = Lead(id=lead.id, attributes={**lead.attributes, "plan": ("a", "b")[k % 2]})

    def loss(model: ScoringModel) -> float:
        total = 0.0
        for s in score_all(leads, [], model, as_of=AS_OF):
            eta = (s.total - 50) * math.log(2) / 10
            y = outcomes[s.lead_id]
            total += math.log1p(math.exp(-eta if y else eta))
        return total

    nearest = calibrate(leads, outcomes, binning="both")
    optimised = calibrate(leads, outcomes, binning="both", rounding="optimise")
    assert all(isinstance(r.points, int) for r in optimised.rules)
    assert loss(optimised) <= loss(nearest) + 0.5  # the L2 term aside, never worse


def test_new_options_pass_through_validation() -> None:
    """The keyword options reach the fit of a validated calibration."""
    leads, outcomes = interaction_data()
    validated = calibrate(leads, outcomes, validation="random", binning="monotone",
                          interactions=3, rounding="optimise")
    assert validated.report.auc > 0.6
    assert len(validated.model.rules) <= 40
