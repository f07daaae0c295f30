"""Numbers beyond float range in the learning functions' arguments are refused by name
(an ``InvalidValueError``), never an ``OverflowError`` from ``math.isfinite``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadscoring import InvalidValueError, Lead, LeadScore, calibrate, drift, evaluate_scores

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)
HUGE = 10**400  # an int no float can hold: math.isfinite(HUGE) raises OverflowError


def test_evaluate_scores_refuses_a_huge_threshold_by_name() -> None:
    with pytest.raises(InvalidValueError, match="warm"):
        evaluate_scores({"a": 1.0, "b": 2.0}, {"a": True, "b": False}, warm=HUGE)


def test_calibrate_refuses_a_huge_smoothing_by_name() -> None:
    leads = [Lead(id="a"), Lead(id="b")]
    with pytest.raises(InvalidValueError, match="smoothing"):
        calibrate(leads, {"a": True, "b": False}, [], smoothing=HUGE, method="woe")


def test_drift_refuses_a_huge_total() -> None:
    def at(total: float) -> list[LeadScore]:
        return [LeadScore(lead_id="a", as_of=AS_OF, total=total, fit=0.0, engagement=0.0,
                          by_group={}, by_rule={}, contributions=())]  # fmt: skip

    then, now = at(1.0), at(HUGE)
    with pytest.raises(InvalidValueError):
        drift(then, now)
