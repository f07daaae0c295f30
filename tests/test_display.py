"""Rich display: results show a short ``repr`` and an HTML table in notebooks."""

from __future__ import annotations

from leadscoring import (
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    Lead,
    ScoringModel,
    activity,
    assess,
    evaluate,
    feedback,
    gte,
    score,
    score_all,
    when,
)

AS_OF = "2026-07-01T00:00:00Z"
MODEL = ScoringModel(
    name="starter",
    rules=[
        EventRule(name="pricing page", when=when(type="page_view", category="pricing"),
                  points=10, cap=30),
        AttributeRule(name="it <b>", when=when(industry="it"), points=15),
        AttributeRule(name="big", when=when(size=gte(100)), points=5),
    ],
    default_decay=HalfLife(days=30),
)
LEAD = Lead(id="L-1", attributes={"industry": "it"})
EVENTS = [Event(lead_id="L-1", type="page_view", at="2026-06-01T00:00:00Z",
                properties={"category": "pricing"})]


def test_lead_score_repr_is_one_short_line() -> None:
    """A LeadScore's repr names the lead, time and points and counts the contributions
    (15 fit + 10 * 0.5 after 30 days = 20)."""
    result = score(LEAD, EVENTS, MODEL, as_of=AS_OF)
    assert repr(result) == (
        "LeadScore(lead_id='L-1', as_of='2026-07-01 00:00', total=20, fit=15, "
        "engagement=5, 2 contribution(s))"
    )


def test_lead_score_html_lists_each_contribution_escaped() -> None:
    """The HTML table has one row per contribution, and rule names are escaped."""
    page = score(LEAD, EVENTS, MODEL, as_of=AS_OF)._repr_html_()
    assert page.count("<tr>") == 3  # header and two contributions
    assert "it &lt;b&gt;" in page
    assert "<b>" not in page
    assert "total 20 (fit 15, engagement 5)" in page


def test_model_html_shows_its_rules_as_a_table() -> None:
    """A model shows one row per rule with its condition and points; repr counts rules."""
    page = MODEL._repr_html_()
    assert page.count("<tr>") == 4
    assert "category = &#x27;pricing&#x27;" in page
    assert repr(MODEL).startswith("ScoringModel(name='starter', version=1, 3 rule(s), ")


def test_assessment_and_activity_show_their_labels() -> None:
    """An Assessment shows priority, temperature and action; an Activity its state."""
    result = assess(LEAD, EVENTS, MODEL, as_of=AS_OF)
    assert repr(result).startswith("Assessment(lead_id='L-1', as_of='2026-07-01 00:00', ")
    assert f"temperature={result.temperature.value!r}" in repr(result)
    page = result._repr_html_()
    assert result.action in page
    assert "pricing page" in page
    state = activity(LEAD, EVENTS, as_of=AS_OF)
    assert repr(state).startswith("Activity(lead_id='L-1', ")
    assert state.state.value in state._repr_html_()


def test_reports_show_a_summary_and_tables() -> None:
    """EvaluationReport and FeedbackReport have a one-line repr and HTML tables."""
    leads = [Lead(id=f"L{i}", attributes={"industry": "it" if i % 2 else "retail"})
             for i in range(20)]
    outcomes = {f"L{i}": i % 2 == 1 for i in range(20)}
    report = evaluate(MODEL, leads, outcomes, bootstrap=0)
    assert repr(report) == (
        "EvaluationReport(model='starter', as_of=None, leads=20, conversions=10, auc=1.000)"
    )
    assert report._repr_html_().count("<table>") == 2
    scores = score_all(leads, [], MODEL, as_of=AS_OF)
    verdicts = {f"L{i}": "accepted" if i % 4 == 1 else "rejected" for i in range(1, 20, 2)}
    review = feedback(scores, verdicts)
    assert repr(review).startswith("FeedbackReport(accepted=5, rejected=5, ")
    assert "it &lt;b&gt;" in review._repr_html_()
