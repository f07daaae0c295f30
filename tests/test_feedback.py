"""Tests of leadscoring.learning.feedback: sales' verdicts traced back to the rules.

Golden numbers are worked out by hand in the comments next to them.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from leadscoring import (
    AttributeRule,
    Event,
    EventRule,
    InvalidValueError,
    Lead,
    LeadScore,
    ScoringModel,
    Verdict,
    feedback,
    score_all,
)

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)

MODEL = ScoringModel(name="m", rules=[
    AttributeRule(name="exec", when={"role": "exec"}, points=30),
    EventRule(name="webinar", when={"type": "webinar"}, points=40),
    EventRule(name="pricing", when={"type": "page_view", "category": "pricing"}, points=20),
    AttributeRule(name="student", when={"role": "student"}, points=-10),
])


def hot_scores() -> list[LeadScore]:
    """Six hot leads: A1-A3 execs who viewed pricing, R1-R3 students who came to webinars.

    A4 is an exec who also came to a webinar.
    """
    leads = [Lead(id=i, attributes={"role": "exec"}) for i in ("A1", "A2", "A3", "A4")]
    leads += [Lead(id=i, attributes={"role": "student"}) for i in ("R1", "R2", "R3")]
    day = AS_OF - timedelta(days=1)
    events = [Event(lead_id=i, type="page_view", at=day, properties={"category": "pricing"})
              for i in ("A1", "A2", "A3")]
    events += [Event(lead_id=i, type="webinar", at=day) for i in ("R1", "R2", "R3", "A4")]
    return score_all(leads, events, MODEL, as_of=AS_OF)


VERDICTS: dict[str, str | bool] = {"A1": "accepted", "A2": "accepted", "A3": True, "A4": "accepted",
            "R1": "rejected", "R2": "Rejected", "R3": False}


def test_rules_of_rejected_leads_come_first_and_are_flagged() -> None:
    """The webinar rule drove every rejection and is flagged for review."""
    report = feedback(hot_scores(), VERDICTS)
    assert (report.accepted, report.rejected) == (4, 3)
    assert report.rejection_rate == pytest.approx(3 / 7)
    first = report.rules[0]
    # webinar gave points to R1-R3 (rejected) and A4 (accepted): 3 of 4 rejected,
    # 3 * 40 = 120 points among rejected leads, all of their positive points.
    assert (first.rule, first.accepted, first.rejected) == ("webinar", 1, 3)
    assert (first.points_rejected, first.share_of_rejected_points) == (120, 1.0)
    assert first.rejection_rate == 0.75
    # evidence: ln((3 + 3/7) / (1 + 4/7)) - ln(3/4) = ln(2.1818) + 0.2877 = 1.0678
    assert first.evidence == pytest.approx(math.log((3 + 3 / 7) / (1 + 4 / 7)) - math.log(3 / 4))
    assert first.review
    assert [r.rule for r in report.to_review] == ["webinar"]
    exec_rule = next(r for r in report.rules if r.rule == "exec")
    assert (exec_rule.accepted, exec_rule.rejected, exec_rule.review) == (4, 0, False)
    assert all(r.rule != "student" for r in report.rules)  # negative points drive nothing


def test_rejected_leads_listed_with_reasons() -> None:
    """Each rejected lead comes with the rules that scored it most."""
    report = feedback(hot_scores(), VERDICTS)
    assert [x.lead_id for x in report.rejected_leads] == ["R1", "R2", "R3"]
    assert report.rejected_leads[0].total == 30  # webinar 40 - student 10
    assert report.rejected_leads[0].reasons[0] == ("webinar", 40.0)


def test_outcomes_feed_the_next_calibration() -> None:
    """outcomes() turns verdicts into lead id -> converted."""
    report = feedback(hot_scores(), VERDICTS)
    assert report.outcomes() == {"A1": True, "A2": True, "A3": True, "A4": True,
                                 "R1": False, "R2": False, "R3": False}


def test_leads_without_verdict_are_skipped() -> None:
    """Scores of leads nobody judged do not count."""
    report = feedback(hot_scores(), {"R1": Verdict.REJECTED, "A1": Verdict.ACCEPTED})
    assert (report.accepted, report.rejected) == (1, 1)


def test_all_accepted_gives_zero_evidence() -> None:
    """With no rejection there is nothing to blame: evidence is zero, nothing flagged."""
    report = feedback(hot_scores(), {"A1": True, "A2": True})
    assert all(r.evidence == 0.0 and not r.review for r in report.rules)


def test_summary_and_to_dict() -> None:
    """The summary marks the flagged rule; to_dict goes through json."""
    report = feedback(hot_scores(), VERDICTS)
    text = report.summary()
    assert "4 accepted, 3 rejected" in text
    assert any(line.startswith("webinar") and line.endswith("review")
               for line in text.splitlines())
    data = json.loads(json.dumps(report.to_dict()))
    assert data["rules"][0]["rule"] == "webinar"


@pytest.mark.parametrize(
    ("verdicts", "match"),
    [
        ({"A1": "maybe"}, r"verdicts\['A1'\]"),
        ({"nobody": "accepted"}, "no score given for judged lead.*'nobody'"),
        ({}, "at least one verdict"),
    ],
)
def test_bad_verdicts_raise(verdicts: dict[str, object], match: str) -> None:
    """Unknown verdicts, verdicts of unscored leads and no verdicts are errors."""
    with pytest.raises(InvalidValueError, match=match):
        feedback(hot_scores(), verdicts)  # type: ignore[arg-type]
