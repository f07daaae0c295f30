"""Dates at the edges of the calendar (years 1 and 9999) on every engine.

Decay over nine thousand years underflows to nothing rather than raising, and a moment
that leaves the calendar once converted to UTC is refused with the field's name.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from leadscoring import (
    Event,
    EventRule,
    HalfLife,
    InvalidEventError,
    Lead,
    Scorer,
    ScoringModel,
    assess_all,
    score_all,
    score_frame,
)

MODEL = ScoringModel(
    name="edges",
    rules=(EventRule(name="visit", when={"type": "page_view"}, points=10, decay=HalfLife(days=1)),),
)
LEAD = Lead(id="L1")
FIRST = datetime(1, 1, 2, tzinfo=UTC)
LAST = datetime(9999, 12, 30, tzinfo=UTC)
DAY_AFTER_LAST = datetime(9999, 12, 31, tzinfo=UTC)


def totals(at: datetime, as_of: datetime) -> list[float]:
    """The total of one page view at ``at`` on the object, Scorer and frame engines."""
    event = Event(lead_id="L1", type="page_view", at=at, id="e1")
    scorer = Scorer(MODEL)
    scorer.add(event)
    frame = pd.DataFrame({"lead_id": ["L1"], "type": ["page_view"], "at": [at], "id": ["e1"]})
    return [
        score_all([LEAD], [event], MODEL, as_of=as_of)[0].total,
        scorer.score("L1", as_of).total,
        float(score_frame(frame, MODEL, as_of=as_of)["total"].iloc[0]),
    ]


def test_one_day_before_the_end_of_the_calendar_decays_to_half() -> None:
    # 10 points, half-life one day, one day old: 10 * 0.5 = 5.0 on every engine.
    assert totals(LAST, DAY_AFTER_LAST) == pytest.approx([5.0, 5.0, 5.0], abs=1e-9)


def test_an_event_of_year_one_scored_in_year_9999_is_worth_nothing() -> None:
    # About 3.65 million half-lives: 10 * 0.5 ** 3.65e6 underflows to 0.0, no error.
    assert totals(FIRST, DAY_AFTER_LAST) == [0.0, 0.0, 0.0]


def test_an_event_of_year_one_a_day_later() -> None:
    # One day old in year 1: 5.0 again; the far past is no special case.
    assert totals(FIRST, datetime(1, 1, 3, tzinfo=UTC)) == pytest.approx([5.0] * 3, abs=1e-9)


def test_assess_all_at_both_ends() -> None:
    # The whole assessment runs at both ends of the calendar: a 5-point lead is cold.
    event = Event(lead_id="L1", type="page_view", at=LAST, id="e1")
    (result,) = assess_all([LEAD], [event], MODEL, as_of=DAY_AFTER_LAST)
    assert result.score.total == pytest.approx(5.0)
    assert result.temperature == "cold"


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_moment_outside_the_calendar_in_utc_is_refused_by_name(text: str) -> None:
    with pytest.raises(InvalidEventError, match=r"Event\.at: .* is out of range in UTC"):
        Event(lead_id="L1", type="page_view", at=text)
