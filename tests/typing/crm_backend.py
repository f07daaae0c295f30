"""Realistic user code that must pass ``mypy --strict`` (checked by .ci/run, never run).

A CRM backend embeds leadscoring: it loads a model file, keeps an incremental scorer,
assesses leads, reacts to stage changes and reports a model's quality.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leadscoring import (
    Assessment,
    AttributeRule,
    Event,
    EventRule,
    EventType,
    HalfLife,
    InvalidInputError,
    InvalidModelError,
    Lead,
    LeadScore,
    LeadScoringError,
    LeadStatus,
    Limit,
    Scorer,
    ScoringModel,
    StageChange,
    Temperature,
    activity,
    assess_all,
    changes,
    gte,
    load_model,
    read_events,
    score,
    score_all,
    when,
)
from leadscoring.learning.calibrate import calibrate
from leadscoring.learning.evaluate import EvaluationReport, evaluate


def build_model() -> ScoringModel:
    """A model written in Python."""
    return ScoringModel(
        name="crm",
        rules=[
            EventRule(
                name="pricing",
                when=when(type=EventType.PAGE_VIEW, category="pricing", duration_s=gte(30)),
                points=10,
                cap=30,
            ),
            EventRule(
                name="email open",
                when=when(type="email_open"),
                points=1,
                limit=Limit(count=1, per=timedelta(days=1)),
                group="email",
            ),
            AttributeRule(name="target", when=when(industry=["it", "manufacturing"]), points=15),
        ],
        default_decay=HalfLife(days=30),
        group_caps={"email": 10},
        floor=0,
    )


def load_or_default(path: Path) -> ScoringModel:
    """A model file, falling back to the packaged default on bad input."""
    try:
        return load_model(path)
    except InvalidModelError as error:
        for detail in error.errors:
            print(detail.path, detail.message, detail.hint or "")
        return load_model("b2b-default")


def ingest(scorer: Scorer, path: Path) -> int:
    """Stream events from a file into the scorer, reporting bad rows."""
    try:
        result = read_events(path, errors="collect")
    except InvalidInputError as error:
        print(error.source, error.row, error.column, error.reason)
        return 0
    for rejected in result.rejected:
        print(str(rejected))
    return scorer.add_many(result.rows)


def hot_leads(
    leads: Iterable[Lead], events: Iterable[Event], model: ScoringModel, now: datetime
) -> list[str]:
    """Lead ids sales should call today."""
    ranked: list[Assessment] = assess_all(leads, events, as_of=now, model=model)
    return [a.score.lead_id for a in ranked if a.temperature is Temperature.HOT]


def alerts(before: Assessment, after: Assessment) -> list[str]:
    """Human-readable stage changes."""
    moved: list[StageChange] = changes(before, after)
    return [str(change) for change in moved]


def quality(model: ScoringModel, leads: list[Lead], won: dict[str, bool]) -> float:
    """The model's AUC on past outcomes."""
    report: EvaluationReport = evaluate(model, leads, won, as_of=datetime(2026, 1, 1, tzinfo=UTC))
    return report.auc


def main() -> None:
    """Tie it together."""
    now = datetime(2026, 6, 30, tzinfo=UTC)
    model = build_model()
    lead = Lead(id="L1", attributes={"industry": "it"}, status=LeadStatus.OPEN)
    event = Event(lead_id="L1", type="page_view", at=now, properties={"category": "pricing"})
    one: LeadScore = score(lead, [event], model, as_of=now)
    many: list[LeadScore] = score_all([lead], [event], model, as_of=now)
    print(one.explain(), many[0].to_dict(), activity(lead, [event], as_of=now).state)
    scorer = Scorer(model)
    scorer.add(event)
    snapshot = scorer.snapshot()
    restored = Scorer.restore(model, snapshot)
    print(restored.score("L1", now).total)
    learned = calibrate([lead], {"L1": True})
    print(learned.to_dict())
    try:
        score(lead, [event], model, as_of=datetime(2026, 1, 1))
    except LeadScoringError as error:
        print(error)
