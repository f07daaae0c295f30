"""The public API: every name of ``leadscoring.__all__`` is importable from ``leadscoring``
and lives at a recorded home, so a move of a public name is a deliberate change (pickles
and ``repr`` s name the module a class is defined in).
"""

from __future__ import annotations

import importlib

import pytest

import leadscoring

HOMES: dict[str, tuple[str, ...]] = {
    "leadscoring.core.conditions": ("All", "AnyOf", "Condition", "Field", "Not", "when"),
    "leadscoring.core.decay": ("Decay", "HalfLife", "Linear", "NoDecay", "Steps", "Window"),
    "leadscoring.core.errors": (
        "ColumnNameWarning", "ErrorDetail", "InvalidEventError", "InvalidInputError",
        "InvalidLeadError",
        "InvalidModelError", "InvalidValueError", "LeadScoringError", "NaiveDatetimeError",
        "NaiveEventDatetimeError", "NaiveLeadDatetimeError", "ShadowedModelWarning",
        "SnapshotError",
        "UnknownLeadError", "UnknownLeadWarning",
    ),
    "leadscoring.core.event": ("Event", "EventType", "PageCategory"),
    "leadscoring.core.lead": ("Lead", "LeadStatus"),
    "leadscoring.core.matchers": (
        "Matcher", "between", "contains", "eq", "exists", "glob", "gt", "gte", "lt", "lte",
        "one_of", "prefix",
    ),
    "leadscoring.core.results": ("Contribution", "LeadScore"),
    "leadscoring.core.rules": (
        "AttributeRule", "EventRule", "Limit", "RateRule", "ReactivationRule", "RepeatRule",
        "Rule",
    ),
    "leadscoring.signals.activity": (
        "Activity", "ActivityState", "Reactivation", "ReactivationKind", "activity",
        "activity_all",
    ),
    "leadscoring.signals.dormancy": ("DormancyPolicy",),
    "leadscoring.signals.interest": (
        "BuyerType", "InterestPattern", "InterestPolicy", "InterestProfile",
        "ParticipationLevel", "interest_profile",
    ),
    "leadscoring.signals.journey": ("JourneyClassifier", "JourneyStage"),
    "leadscoring.stages.classifiers": (
        "FitGrade", "GradeScale", "PriorityGrid", "Temperature", "TemperatureClassifier",
    ),
    "leadscoring.stages.playbook": ("Playbook",),
    "leadscoring.model.config": ("dump_model", "load_model", "model_warnings"),
    "leadscoring.model.schema": ("model_schema",),
    "leadscoring.model.scoring_model": ("ScoringModel",),
    "leadscoring.scoring.engine": ("score", "score_all", "timeline"),
    "leadscoring.scoring.frame": ("score_frame",),
    "leadscoring.assessment.stream": ("Scorer",),
    "leadscoring.assessment.frame": ("assess_frame",),
    "leadscoring.assessment.accounts": ("AccountAssessment", "AccountMember", "assess_accounts"),
    "leadscoring.core.identity": ("Identity", "IdentityMap", "Merge", "merge"),
    "leadscoring.stages.accounts": ("AccountPolicy",),
    "leadscoring.assessment.frame_changes": ("changes_frame",),
    "leadscoring.assessment.to_frame": ("to_frame",),
    "leadscoring.scoring.frame_activity": ("activity_frame", "reactivations_frame"),
    "leadscoring.loaders.frames": (
        "events_from_frame",
        "identities_from_frame",
        "leads_from_frame",
    ),
    "leadscoring.loaders.identities": ("IdentityColumns", "read_identities"),
    "leadscoring.learning.drift": ("DriftBin", "DriftReport", "RuleDrift", "drift"),
    "leadscoring.core.partition": ("partition_of",),
    "leadscoring.assessment.accounts_frame": ("assess_accounts_frame",),
    "leadscoring.assessment.assessment": (
        "Assessment", "assess", "assess_all", "format_assessments",
    ),
    "leadscoring.assessment.changes": ("StageChange", "changes", "changes_all"),
    "leadscoring.assessment.segments": ("Segment", "segment"),
    "leadscoring.learning.backtest": (
        "BacktestReport", "BacktestSpread", "backtest", "backtest_frame",
    ),
    "leadscoring.learning.calibrate": ("SmallSampleWarning", "calibrate"),
    "leadscoring.learning.evaluate": ("EvaluationReport", "evaluate", "evaluate_scores"),
    "leadscoring.learning.feedback": ("FeedbackReport", "RuleFeedback", "Verdict", "feedback"),
    "leadscoring.learning.lead_table": ("LeadTable", "read_lead_table"),
    "leadscoring.learning.split": ("TimeSplit", "ValidatedModel", "split_by_time"),
    "leadscoring.learning.thresholds": ("ThresholdSuggestion",),
    "leadscoring.loaders._columns": ("EventColumns", "LeadColumns"),
    "leadscoring.loaders._read": ("iter_events", "iter_leads", "read_events", "read_leads"),
    "leadscoring.loaders._result": ("LoadResult", "RejectedRow"),
}  # fmt: skip
"""Where each public name is defined."""

ALIASES = {"Condition", "Decay", "Matcher", "Rule"}
"""Type aliases (unions): they have no ``__module__`` of their own."""


def test_all_is_sorted_and_every_name_is_recorded() -> None:
    """``__all__`` is sorted, has no repeats, and is exactly the names recorded above."""
    names = leadscoring.__all__
    assert list(names) == sorted(names)
    assert len(set(names)) == len(names)
    recorded = [n for group in HOMES.values() for n in group]
    assert sorted(recorded) == sorted(names)


@pytest.mark.parametrize(
    ("home", "name"), [(home, n) for home, group in HOMES.items() for n in group]
)
def test_each_public_name_lives_at_its_recorded_home(home: str, name: str) -> None:
    """``leadscoring.<name>`` is the object defined in its home module."""
    module = importlib.import_module(home)
    public = getattr(leadscoring, name)
    assert public is getattr(module, name)
    if name not in ALIASES:
        assert public.__module__ == home


def test_public_modules_stay() -> None:
    """The modules users import by path: the package, its type aliases, the plots, the
    loaders, the sample data and the command line."""
    paths = ("leadscoring.typing", "leadscoring.plot", "leadscoring.loaders",
             "leadscoring.examples")  # fmt: skip
    for path in paths:
        importlib.import_module(path)
    from leadscoring.cli import main
    from leadscoring.typing import Scalar, Timestamp

    assert callable(main)
    assert Scalar is not None
    assert Timestamp is not None


def test_version_matches_the_project_metadata() -> None:
    """``leadscoring.__version__`` is the version written in ``pyproject.toml``."""
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    assert leadscoring.__version__ == project["version"]
