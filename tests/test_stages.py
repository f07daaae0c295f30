"""Tests for leadscoring.stages.classifiers: temperature bands, fit grades and the priority grid."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    FitGrade,
    GradeScale,
    InvalidModelError,
    InvalidValueError,
    LeadScore,
    PriorityGrid,
    Temperature,
    TemperatureClassifier,
)
from strategies import (
    grade_scales,
    journey_classifiers,
    playbooks,
    priority_grids,
    temperature_classifiers,
    thresholds,
)

COLD, WARM, HOT = Temperature.COLD, Temperature.WARM, Temperature.HOT


def lead_score(total: float = 0.0, fit: float = 0.0, engagement: float = 0.0) -> LeadScore:
    """A bare score with the given sums."""
    return LeadScore(
        lead_id="L1", as_of=datetime(2026, 5, 1, tzinfo=UTC), total=total, fit=fit,
        engagement=engagement, by_group={}, by_rule={}, contributions=(),
    )


def paths(exc: pytest.ExceptionInfo[InvalidModelError]) -> list[str]:
    """The error paths of a raised InvalidModelError."""
    return [e.path for e in exc.value.errors]


# --- temperature: bands -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-5, COLD), (0, COLD), (29.999, COLD), (30, WARM), (45, WARM), (59.999, WARM),
     (60, HOT), (60.001, HOT), (1000, HOT)],
)
def test_band_boundaries(value: float, expected: Temperature) -> None:
    """A value exactly at a threshold reaches it; just below does not."""
    assert TemperatureClassifier(warm=30, hot=60).classify(value) is expected


def test_defaults_follow_the_design() -> None:
    """The default bands are warm from 30 and hot from 60 on the total, no hysteresis."""
    c = TemperatureClassifier()
    assert (c.warm, c.hot, c.exit_margin, c.on, c.basis) == (30, 60, 0, "total", "points")


@pytest.mark.parametrize(
    ("value", "expected"), [(10, COLD), (30, HOT), (45, HOT), (60, HOT), (29, COLD)]
)
def test_highest_band_wins_in_any_order(value: float, expected: Temperature) -> None:
    """With warm above hot, reaching hot's threshold is hot: no value is ever warm."""
    assert TemperatureClassifier(warm=60, hot=30).classify(value) is expected


def test_equal_thresholds_skip_warm() -> None:
    """warm == hot: a value at the threshold is hot (the highest band reached)."""
    c = TemperatureClassifier(warm=50, hot=50)
    assert [c.classify(v) for v in (49, 50)] == [COLD, HOT]


@pytest.mark.parametrize(
    ("on", "expected"), [("total", HOT), ("fit", COLD), ("engagement", WARM)]
)
def test_classify_on_total_fit_or_engagement(on: str, expected: Temperature) -> None:
    """``on`` picks the part of the score that is classified."""
    s = lead_score(total=70, fit=10, engagement=40)
    c = TemperatureClassifier(on=on)
    assert c.value(s) == {"total": 70, "fit": 10, "engagement": 40}[on]
    assert c.classify(s) is expected


# --- temperature: hysteresis ---------------------------------------------------------------

HYST = TemperatureClassifier(warm=30, hot=60, exit_margin=5)


@pytest.mark.parametrize(
    ("value", "previous", "expected"),
    [
        # going down: a hot lead stays hot down to 60 - 5 = 55 (included) ...
        (57, HOT, HOT),
        (55, HOT, HOT),
        # ... and drops to warm just below it
        (54.99, HOT, WARM),
        # a hot lead is past the warm threshold too: it stays warm down to 25
        (27, HOT, WARM),
        (24.99, HOT, COLD),
        (25, WARM, WARM),
        (24.99, WARM, COLD),
        # going up: the margin never helps to enter a higher band
        (29, COLD, COLD),
        (30, COLD, WARM),
        (59, WARM, WARM),
        (60, WARM, HOT),
        (60, COLD, HOT),
    ],
)
def test_hysteresis_both_ways(value: float, previous: Temperature, expected: Temperature) -> None:
    """Leaving a band needs the value below threshold - margin; entering needs the threshold."""
    assert HYST.classify(value, previous) is expected


def test_without_previous_there_is_no_hysteresis() -> None:
    """The margin applies only when the previous temperature is given."""
    assert HYST.classify(57) is WARM
    assert HYST.classify(57, previous="hot") is HOT  # text works too


def test_unknown_previous_is_an_error() -> None:
    """A previous temperature that is not one raises InvalidValueError."""
    with pytest.raises(InvalidValueError, match="previous"):
        HYST.classify(10, previous="tepid")  # type: ignore[arg-type]


@given(
    temperature_classifiers(), thresholds(), thresholds(), st.none() | st.sampled_from(Temperature)
)
def test_monotone(
    c: TemperatureClassifier, x: float, y: float, previous: Temperature | None
) -> None:
    """A higher value never gives a colder band, with or without a (fixed) previous band."""
    low, high = sorted((x, y))
    assert c.classify(low, previous).rank <= c.classify(high, previous).rank


@given(temperature_classifiers(), thresholds())
def test_hysteresis_only_keeps_bands(c: TemperatureClassifier, x: float) -> None:
    """Hysteresis never moves a lead above its previous band or the band it reaches."""
    plain = c.classify(x)
    for previous in Temperature:
        kept = c.classify(x, previous)
        assert plain.rank <= kept.rank <= max(plain.rank, previous.rank)


@given(temperature_classifiers(), thresholds(), st.sampled_from(list(Temperature)))
def test_zero_margin_is_no_hysteresis(
    c: TemperatureClassifier, x: float, previous: Temperature
) -> None:
    """With exit_margin 0 the previous temperature changes nothing."""
    c = TemperatureClassifier(warm=c.warm, hot=c.hot, on=c.on)
    assert c.classify(x, previous) is c.classify(x)


# --- temperature: percentile bands ----------------------------------------------------------

PCT = TemperatureClassifier(warm=50, hot=90, basis="percentile")


def test_percentile_top_ten_percent_are_hot() -> None:
    """hot=90: a value is hot when 90% of the population is strictly below it."""
    population = list(range(20))  # 0..19; 18 has 18/20 = 90% below, 17 has 85%
    labels = [PCT.classify(v, population=population) for v in population]
    assert labels.count(HOT) == 2  # 18 and 19
    assert labels.count(WARM) == 8  # 10..17 (10 has 50% below)
    assert PCT.percentile_rank(18, population) == 90.0


def test_percentile_ties_never_push_the_share_over() -> None:
    """Tied values share one rank: 95 zeros and 5 tens give 5 hot leads and 95 cold ones."""
    population = [0] * 95 + [10] * 5
    assert PCT.classify(10, population=population) is HOT
    assert PCT.classify(0, population=population) is COLD
    assert PCT.classify(3, population=[3, 3, 3]) is COLD  # nobody stands out


def test_percentile_needs_a_population() -> None:
    """A percentile classifier without a population raises InvalidValueError."""
    with pytest.raises(InvalidValueError, match="population"):
        PCT.classify(10)
    with pytest.raises(InvalidValueError, match="population"):
        PCT.classify(10, population=[])


def test_percentile_bands_must_be_percentages() -> None:
    """Percentile thresholds outside [0, 100] are model errors, each with its path."""
    with pytest.raises(InvalidModelError) as exc:
        TemperatureClassifier(warm=-1, hot=120, basis="percentile")
    assert paths(exc) == ["warm", "hot"]


# --- temperature: data ---------------------------------------------------------------------


def test_temperature_round_trip() -> None:
    """to_dict is JSON-able and reads back equal; missing keys take their defaults."""
    c = TemperatureClassifier(warm=25.5, hot=70, exit_margin=4, on="engagement")
    data = json.loads(json.dumps(c.to_dict()))
    assert TemperatureClassifier.from_dict(data) == c
    assert TemperatureClassifier.from_dict({}) == TemperatureClassifier()
    assert TemperatureClassifier.from_dict({"hot": 80}).hot == 80


def test_temperature_from_dict_collects_every_problem() -> None:
    """Each bad or unknown key is reported, with a did-you-mean hint for misspellings."""
    with pytest.raises(InvalidModelError) as exc:
        TemperatureClassifier.from_dict(
            {"hott": 60, "warm": "30", "exit_margin": -1, "on": "totl", "basis": "percentile"}
        )
    by_path = {e.path: e for e in exc.value.errors}
    assert set(by_path) == {"hott", "warm", "exit_margin", "on"}
    assert by_path["hott"].hint == "did you mean 'hot'?"
    assert "'total'" in by_path["on"].message


def test_temperature_from_dict_checks_percentiles_with_the_rest() -> None:
    """A percentile out of range is reported together with the other problems."""
    with pytest.raises(InvalidModelError) as exc:
        TemperatureClassifier.from_dict({"basis": "percentile", "hot": 150, "warn": 1})
    assert sorted(paths(exc)) == ["hot", "warn"]


def test_not_a_table() -> None:
    """A section that is not a table is an error."""
    with pytest.raises(InvalidModelError, match="table"):
        TemperatureClassifier.from_dict([1, 2])


@given(temperature_classifiers(percentile=None))
def test_temperature_round_trip_property(c: TemperatureClassifier) -> None:
    """from_dict(to_dict(c)) == c for every valid classifier."""
    assert TemperatureClassifier.from_dict(c.to_dict()) == c


# --- grades --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fit", "grade"),
    [(100, "A"), (30, "A"), (29.99, "B"), (20, "B"), (19.99, "C"), (10, "C"), (9.99, "D"),
     (0, "D"), (-10, "D")],
)
def test_grade_boundaries(fit: float, grade: str) -> None:
    """Default grades: A from 30 fit points, B from 20, C from 10, else D."""
    assert GradeScale().grade(fit) is FitGrade(grade)
    assert GradeScale().grade(lead_score(total=999, fit=fit)) is FitGrade(grade)


def test_grades_in_any_order() -> None:
    """The best grade reached wins, whatever order the thresholds are in."""
    g = GradeScale(a=10, b=30, c=20)
    assert [g.grade(x).value for x in (5, 10, 25, 35)] == ["D", "A", "A", "A"]


@given(grade_scales(), thresholds(), thresholds())
def test_grades_monotone(g: GradeScale, x: float, y: float) -> None:
    """More fit never gives a worse grade."""
    low, high = sorted((x, y))
    assert g.grade(low).rank <= g.grade(high).rank


def test_grade_data() -> None:
    """Grades round-trip; unknown keys get hints."""
    g = GradeScale(a=50, b=35, c=5)
    assert GradeScale.from_dict(g.to_dict()) == g
    with pytest.raises(InvalidModelError) as exc:
        GradeScale.from_dict({"A": 40, "b": True})
    by_path = {e.path: e for e in exc.value.errors}
    assert by_path["A"].hint == "did you mean 'a'?"
    assert "number" in by_path["b"].message


# --- priority ------------------------------------------------------------------------------


def test_default_priority_grid() -> None:
    """A-hot comes first; every cell has a priority; D-cold is last."""
    grid = PriorityGrid()
    assert grid.priority(FitGrade.A, HOT) == 1
    assert grid.priority("D", "cold") == 5
    assert min(p for row in grid.grid.values() for p in row.values()) == 1
    assert grid.to_dict()["B"] == {"hot": 2, "warm": 3, "cold": 4}


def test_priority_cells_override_defaults() -> None:
    """Cells given replace their default; the others keep theirs."""
    grid = PriorityGrid(grid={"D": {"hot": 2}})
    assert grid.priority("D", "hot") == 2
    assert grid.priority("D", "warm") == 5
    assert PriorityGrid.from_dict(grid.to_dict()) == grid


def test_priority_errors() -> None:
    """Unknown grades and temperatures, and bad priorities, are reported with paths."""
    with pytest.raises(InvalidModelError) as exc:
        PriorityGrid.from_dict({"a": {"hot": 1}, "B": {"hott": 2, "warm": 0}, "C": 3})
    by_path = {e.path: e for e in exc.value.errors}
    assert set(by_path) == {"a", "B.hott", "B.warm", "C"}
    assert by_path["a"].hint == "did you mean 'A'?"
    assert by_path["B.hott"].hint == "did you mean 'hot'?"


def test_priority_of_unknown_labels() -> None:
    """Asking for an unknown grade is an InvalidValueError."""
    with pytest.raises(InvalidValueError):
        PriorityGrid().priority("E", "hot")


@given(priority_grids())
def test_priority_round_trip(grid: PriorityGrid) -> None:
    """Every grid reads back equal from its data, and hashes alike."""
    back = PriorityGrid.from_dict(json.loads(json.dumps(grid.to_dict())))
    assert back == grid
    assert hash(back) == hash(grid)


# --- sections of a model file ------------------------------------------------------------

SETTINGS = st.one_of(
    temperature_classifiers(percentile=None), grade_scales(), priority_grids(), playbooks(),
    journey_classifiers(),
)


@given(SETTINGS)
def test_changed_keys_alone_read_back(settings: Any) -> None:
    """A model file keeps only the keys that differ from the defaults; they read back equal."""
    cls = type(settings)
    defaults = cls().to_dict()
    data = json.loads(json.dumps(settings.to_dict()))
    changed = {k: v for k, v in data.items() if k not in defaults or defaults[k] != v}
    assert cls.from_dict(changed) == settings
