"""Tests of time-ordered validation: :func:`split_by_time` and ``calibrate(validation=...)``.

The drifting history below is built so that a random split and a time-ordered one
disagree: what predicted a conversion in the early cohorts stops doing so in the late
ones, and only the time-ordered split sees it.
"""

from __future__ import annotations

import random
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    EvaluationReport,
    Event,
    InvalidValueError,
    Lead,
    ScoringModel,
    SmallSampleWarning,
    TimeSplit,
    ValidatedModel,
    calibrate,
    evaluate,
    split_by_time,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def dated(n: int) -> list[Lead]:
    """``n`` leads created a day apart (L00 first), in reverse order."""
    return [Lead(id=f"L{k:02d}", attributes={"created_at": (T0 + timedelta(days=k)).isoformat()})
            for k in reversed(range(n))]


def test_split_by_attribute_fits_on_the_earliest_and_tests_the_latest() -> None:
    """Ten leads, 20% tested: the two created last; outcomes follow their leads."""
    part = split_by_time(dated(10), {"L01": True, "L09": True}, by="created_at")
    assert [x.id for x in part.train_leads] == [f"L{k:02d}" for k in range(8)]
    assert [x.id for x in part.test_leads] == ["L08", "L09"]
    assert dict(part.train_outcomes) == {"L01": True}
    assert dict(part.test_outcomes) == {"L09": True}
    assert part.cutoff == T0 + timedelta(days=8)
    assert (part.kind, part.by, part.test_share) == ("time", "created_at", 0.2)


def test_split_by_first_event_and_ties_broken_by_id() -> None:
    """Without ``by`` a lead's time is its first event; equal times are ordered by id."""
    leads = [Lead(id=i) for i in ("b", "a", "c")]
    events = [Event(lead_id="b", type="visit", at=T0), Event(lead_id="a", type="visit", at=T0),
              Event(lead_id="c", type="visit", at=T0 - timedelta(days=1)),
              Event(lead_id="a", type="visit", at=T0 + timedelta(days=9))]
    part = split_by_time(leads, {}, events, test_share=0.3)
    # times: c = T0 - 1d, a = b = T0 -> c, a, b; 0.3 * 3 = 0.9 rounds to one test lead.
    assert [x.id for x in part.test_leads] == ["b"]
    assert [e.lead_id for e in part.train_events] == ["a", "c", "a"]
    assert [e.lead_id for e in part.test_events] == ["b"]
    assert part.by == "first event"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"test_share": 0}, "test_share"), ({"test_share": 1.5}, "test_share"),
     ({"test_share": True}, "test_share"), ({"by": ""}, "by"), ({"by": "missing"}, "leads")],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], field: str) -> None:
    """A share outside (0, 1), an empty name, or leads without a time each say what to fix."""
    with pytest.raises(InvalidValueError) as caught:
        split_by_time(dated(4), {}, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_leads_without_events_cannot_be_ordered_by_first_event() -> None:
    """The error names the leads and suggests ``by=``."""
    with pytest.raises(InvalidValueError, match="pass by="):
        split_by_time([Lead(id="a"), Lead(id="b")], {})


@given(st.lists(st.integers(0, 50), min_size=2, max_size=40),
       st.floats(0.05, 0.95))
def test_split_partitions_the_leads_in_time_order(days: list[int], share: float) -> None:
    """Every lead lands in one part, and no fitted lead is later than a tested one."""
    leads = [Lead(id=f"L{k}", attributes={"t": (T0 + timedelta(days=d)).isoformat()})
             for k, d in enumerate(days)]
    part = split_by_time(leads, {}, by="t", test_share=share)
    ids = [x.id for x in part.train_leads] + [x.id for x in part.test_leads]
    assert sorted(ids) == sorted(x.id for x in leads)
    latest_fit = max(str(x.attributes["t"]) for x in part.train_leads)
    assert all(str(x.attributes["t"]) >= latest_fit for x in part.test_leads)
    assert 1 <= len(part.test_leads) <= len(leads) - 1


def drifting(n: int = 600, seed: int = 0) -> tuple[list[Lead], dict[str, bool]]:
    """Leads created a day apart; ``channel = ads`` converts 60% early and 10% late (after
    80% of the leads), the others 20% throughout."""
    rng = random.Random(seed)
    leads, outcomes = [], {}
    for k in range(n):
        channel = rng.choice(["ads", "organic"])
        late = k >= 0.8 * n
        chance = (0.10 if late else 0.60) if channel == "ads" else 0.20
        lead_id = f"D{k:04d}"
        leads.append(Lead(id=lead_id, attributes={
            "channel": channel, "created_at": (T0 + timedelta(hours=k)).isoformat()}))
        outcomes[lead_id] = rng.random() < chance
    return leads, outcomes


def test_calibrate_with_time_validation_reports_the_split_and_the_drift() -> None:
    """``validation="time"`` fits on the earliest 80% and tests on the latest 20%: the fitted
    model equals calibrate on the fit part, and the report says which split was used."""
    leads, outcomes = drifting()
    found = calibrate(leads, outcomes, attributes=["channel"], validation="time",
                      time_by="created_at")
    assert isinstance(found, ValidatedModel)
    assert isinstance(found.split, TimeSplit)
    assert found.split.kind == "time"
    assert found.model == calibrate(found.split.train_leads, found.split.train_outcomes,
                                    attributes=["channel"])
    assert found.report.leads == 120
    assert found.report.validation is not None
    assert found.report.validation.startswith("time-ordered: fit on the 480 earliest")
    assert "Held-out leads, split time-ordered" in found.report.summary()
    assert found.report.to_dict()["validation"] == found.report.validation
    # The late ads leads convert 10% against 20% for organic: the learned "ads" points
    # now rank backwards, so the held-out AUC falls below 0.5 ...
    assert found.report.auc < 0.5
    # ... while a random split mixes early and late leads and still looks good.
    shuffled = calibrate(leads, outcomes, attributes=["channel"], validation="random")
    assert shuffled.split.kind == "random"
    assert shuffled.report.auc > 0.6
    assert shuffled.report.validation is not None
    assert shuffled.report.validation.startswith("random:")


def test_the_default_still_returns_the_model_alone() -> None:
    """Without ``validation`` calibrate fits on every lead and returns a ScoringModel."""
    leads, outcomes = drifting(n=300)
    model = calibrate(leads, outcomes, attributes=["channel"])
    assert isinstance(model, ScoringModel)
    report = evaluate(model, leads, outcomes, bootstrap=0)
    assert isinstance(report, EvaluationReport)
    assert report.validation is None


def test_time_validation_with_events_evaluates_at_the_same_moment() -> None:
    """With events and no ``as_of``, both parts are cut at the last event, by first event."""
    rng = random.Random(3)
    leads, events, outcomes = [], [], {}
    for k in range(200):
        lead_id = f"E{k:03d}"
        leads.append(Lead(id=lead_id))
        pricing = rng.random() < 0.5
        events.append(Event(lead_id=lead_id, type="page_view", at=T0 + timedelta(hours=k),
                            properties={"category": "pricing" if pricing else "blog"}))
        outcomes[lead_id] = rng.random() < (0.5 if pricing else 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)  # 200 leads: a small history
        found = calibrate(leads, outcomes, events, validation="time", test_share=0.25)
    assert found.report.as_of == T0 + timedelta(hours=199)
    assert found.report.leads == 50
    assert found.split.by == "first event"


def test_validation_must_be_time_or_random() -> None:
    """Another value names the argument and the choices."""
    leads, outcomes = drifting(n=100)
    with pytest.raises(InvalidValueError) as caught:
        calibrate(leads, outcomes, validation="kfold")  # type: ignore[call-overload]
    assert caught.value.field == "validation"
