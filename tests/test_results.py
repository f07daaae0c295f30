"""Tests of leadscoring.core.results: Contribution and LeadScore (explain, to_dict, reasons)."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given

from leadscoring import (
    AttributeRule,
    Contribution,
    Event,
    EventRule,
    InvalidValueError,
    Lead,
    LeadScore,
    ScoringModel,
    score,
)
from strategies import event_conditions, event_lists, lead_conditions, leads, models, moments

T = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def _example() -> LeadScore:
    """A score with a fit rule, a capped rule, a group cap and a ceiling that all bite."""
    model = ScoringModel(
        name="m",
        rules=[
            AttributeRule(name="industry", when={"industry": "it"}, points=15),
            EventRule(name="pricing page", when={"type": "page_view"}, points=10, cap=15),
            EventRule(name="email open", when={"type": "email_open"}, points=-4, group="email"),
        ],
        group_caps={"email": 3},
        ceiling=25,
    )
    lead = Lead(id="L1", attributes={"industry": "it"})
    history = [
        Event(lead_id="L1", type="page_view", at=T - timedelta(days=1), id="p1"),
        Event(lead_id="L1", type="page_view", at=T, id="p2"),
        Event(lead_id="L1", type="email_open", at=T, id="m1"),
    ]
    # fit 15; pricing page 20 -> capped 15; email -4 -> group cap 3 -> -3.
    # engagement 15 - 3 = 12; total 27 -> ceiling 25.
    return score(lead, history, model, as_of=T)


def test_example_numbers() -> None:
    """The example lead has fit 15, engagement 12 and total 25 after the ceiling."""
    result = _example()
    assert (result.fit, result.engagement, result.total) == (15.0, 12.0, 25.0)
    assert dict(result.by_rule) == {"industry": 15.0, "pricing page": 15.0, "email open": -4.0}
    assert dict(result.by_group) == {"fit": 15.0, "engagement": 15.0, "email": -3.0}


def test_adjustments_name_every_cap_that_changed_a_sum() -> None:
    """adjustments() lists the rule cap, the group cap and the ceiling, in that order."""
    assert _example().adjustments() == [
        "rule 'pricing page': 20 capped to 15",
        "group 'email': -4 capped to -3",
        "total: 27 clamped to 25",
    ]


def test_explain_renders_a_table_with_the_caps_below() -> None:
    """explain() has a headline, one aligned row per contribution, then the adjustments."""
    text = _example().explain()
    assert text.splitlines() == [
        "Lead L1 at 2026-04-01 09:30 UTC: total 25 (fit 15, engagement 12)",
        "",
        "rule          when              base  weight  points  note",
        "industry      (attribute)         15   1.000      15",
        "pricing page  2026-03-31 09:30    10   1.000      10",
        "email open    2026-04-01 09:30    -4   1.000      -4",  # same time: by type
        "pricing page  2026-04-01 09:30    10   1.000      10",
        "",
        "rule 'pricing page': 20 capped to 15",
        "group 'email': -4 capped to -3",
        "total: 27 clamped to 25",
    ]


def test_explain_says_when_no_rule_matched() -> None:
    """A score without contributions explains itself as '(no rule matched)'."""
    model = ScoringModel(name="m", rules=[EventRule(name="v", when={"type": "x"}, points=1)])
    text = score(Lead(id="L9"), [], model, as_of=T).explain()
    assert text.splitlines()[-1] == "(no rule matched)"
    assert text.startswith("Lead L9 at 2026-04-01 09:30 UTC: total 0 (fit 0, engagement 0)")


def test_top_reasons_rank_rules_by_absolute_points() -> None:
    """top_reasons(n) gives the n rules that moved the score most, ties broken by name."""
    result = _example()
    assert result.top_reasons() == [
        ("industry", 15.0),
        ("pricing page", 15.0),
        ("email open", -4.0),
    ]
    assert result.top_reasons(1) == [("industry", 15.0)]


def test_top_reasons_leave_out_rules_that_gave_nothing() -> None:
    """Rules with zero points are not reasons."""
    model = ScoringModel(
        name="m",
        rules=[
            EventRule(name="a", when={"type": "x"}, points=1),
            EventRule(name="b", when={"type": "y"}, points=-7),
        ],
    )
    history = [Event(lead_id="L1", type="y", at=T)]
    assert score(Lead(id="L1"), history, model, as_of=T).top_reasons(5) == [("b", -7.0)]


def test_to_dict_is_plain_json_data() -> None:
    """to_dict() gives JSON-able data: ISO times, plain dicts, one dict per contribution."""
    data = _example().to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["as_of"] == "2026-04-01T09:30:00+00:00"
    assert data["by_group"] == {"fit": 15.0, "engagement": 15.0, "email": -3.0}
    assert data["contributions"][1] == {
        "rule": "pricing page",
        "group": "engagement",
        "event_id": "p1",
        "event_at": "2026-03-31T09:30:00+00:00",
        "base_points": 10.0,
        "weight": 1.0,
        "points": 10.0,
        "note": None,
    }
    assert data["contributions"][0]["event_at"] is None


def test_results_are_read_only() -> None:
    """A LeadScore's mappings cannot be changed, nor its fields."""
    result = _example()
    with pytest.raises(TypeError):
        result.by_rule["industry"] = 0.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        result.total = 0.0  # type: ignore[misc]


def test_lead_score_built_by_hand_equals_the_engines() -> None:
    """A LeadScore made through its constructor equals the engine's for the same values."""
    result = _example()
    rebuilt = LeadScore(
        lead_id=result.lead_id,
        as_of=result.as_of,
        total=result.total,
        fit=result.fit,
        engagement=result.engagement,
        by_group=dict(result.by_group),
        by_rule=dict(result.by_rule),
        contributions=list(result.contributions),
    )
    assert rebuilt == result
    assert hash(rebuilt) == hash(result)
    assert Contribution(**result.contributions[0].to_dict()) == result.contributions[0]


def test_contributions_are_built_on_access_and_survive_evolve_and_pickle() -> None:
    """contributions is a tuple of Contributions however the score was made or copied."""
    result = _example()
    assert all(isinstance(c, Contribution) for c in result.contributions)
    assert result.contributions is result.contributions
    moved = attrs.evolve(result, total=1.0)
    assert moved.contributions == result.contributions
    assert moved != result
    copied = pickle.loads(pickle.dumps(result))
    assert copied == result
    assert copied.contributions == result.contributions


def test_lead_score_refuses_what_is_not_a_contribution() -> None:
    """A contributions entry that is not a Contribution raises InvalidValueError."""
    with pytest.raises(InvalidValueError, match=r"contributions\[0\]"):
        LeadScore(lead_id="L1", as_of=datetime(2026, 1, 1, tzinfo=UTC), total=0.0, fit=0.0,
                  engagement=0.0, by_group={}, by_rule={}, contributions=["x"])  # fmt: skip


@given(
    models(when=event_conditions(), who=lead_conditions()),
    leads(),
    event_lists(),
    moments(days=130),
)
def test_any_score_explains_itself_and_serialises(
    model: ScoringModel, lead: Lead, history: list[Event], as_of: datetime
) -> None:
    """explain() has one row per contribution; to_dict() survives JSON unchanged."""
    result = score(lead, history, model, as_of=as_of)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert len(data["contributions"]) == len(result.contributions)
    rows = result.explain().split("\n\n")[1].splitlines()
    assert len(rows) == 1 + max(len(result.contributions), 1)


def test_explain_never_prints_minus_zero() -> None:
    """A total of -0.001 rounds to 0.00; explain shows "0", not "-0"."""
    tiny = LeadScore(
        lead_id="L1",
        as_of=datetime(2026, 1, 1, tzinfo=UTC),
        total=-0.001,
        fit=0.0,
        engagement=-0.001,
        by_group={},
        by_rule={},
        contributions=[],
    )
    assert tiny.explain().splitlines()[0] == (
        "Lead L1 at 2026-01-01 00:00 UTC: total 0 (fit 0, engagement 0)"
    )
