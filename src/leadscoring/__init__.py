"""leadscoring: explainable lead scoring with time decay, dormancy and stages.

Everything public is importable from here::

    from leadscoring import Event, EventRule, Lead, ScoringModel, score, when
"""

from .assessment.accounts import AccountAssessment, AccountMember, assess_accounts
from .assessment.accounts_frame import assess_accounts_frame
from .assessment.assessment import Assessment, assess, assess_all, format_assessments
from .assessment.changes import StageChange, changes, changes_all
from .assessment.frame import assess_frame
from .assessment.frame_changes import changes_frame
from .assessment.segments import Segment, segment
from .assessment.stream import Scorer
from .assessment.to_frame import to_frame
from .core.conditions import (
    All,
    AnyOf,
    Condition,
    Field,
    Matcher,
    Not,
    between,
    contains,
    eq,
    exists,
    glob,
    gt,
    gte,
    lt,
    lte,
    one_of,
    prefix,
    when,
)
from .core.decay import Decay, HalfLife, Linear, NoDecay, Steps, Window
from .core.errors import (
    ColumnNameWarning,
    ErrorDetail,
    InvalidEventError,
    InvalidInputError,
    InvalidLeadError,
    InvalidModelError,
    InvalidValueError,
    LeadScoringError,
    NaiveDatetimeError,
    NaiveEventDatetimeError,
    NaiveLeadDatetimeError,
    ShadowedModelWarning,
    SnapshotError,
    UnknownLeadError,
    UnknownLeadWarning,
)
from .core.event import Event, EventType, PageCategory
from .core.identity import Identity, IdentityMap, Merge, merge
from .core.lead import Lead, LeadStatus
from .core.partition import partition_of
from .core.results import Contribution, LeadScore
from .core.rules import (
    AttributeRule,
    EventRule,
    Limit,
    RateRule,
    ReactivationRule,
    RepeatRule,
    Rule,
)
from .learning.backtest import BacktestReport, BacktestSpread, backtest, backtest_frame
from .learning.calibrate import SmallSampleWarning, calibrate
from .learning.drift import DriftBin, DriftReport, RuleDrift, drift
from .learning.evaluate import EvaluationReport, ThresholdSuggestion, evaluate, evaluate_scores
from .learning.feedback import FeedbackReport, RuleFeedback, Verdict, feedback
from .learning.lead_table import LeadTable, read_lead_table
from .learning.split import TimeSplit, ValidatedModel, split_by_time
from .loaders import (
    EventColumns,
    IdentityColumns,
    LeadColumns,
    LoadResult,
    RejectedRow,
    iter_events,
    iter_leads,
    read_events,
    read_identities,
    read_leads,
)
from .loaders.frames import events_from_frame, identities_from_frame, leads_from_frame
from .model.config import dump_model, load_model, model_schema, model_warnings
from .model.scoring_model import ScoringModel
from .scoring.engine import score, score_all, timeline
from .scoring.frame import score_frame
from .scoring.frame_activity import activity_frame, reactivations_frame
from .signals.activity import (
    Activity,
    ActivityState,
    DormancyPolicy,
    Reactivation,
    ReactivationKind,
    activity,
    activity_all,
)
from .signals.interest import (
    BuyerType,
    InterestPattern,
    InterestPolicy,
    InterestProfile,
    ParticipationLevel,
    interest_profile,
)
from .signals.journey import JourneyClassifier, JourneyStage
from .stages.accounts import AccountPolicy
from .stages.classifiers import (
    FitGrade,
    GradeScale,
    PriorityGrid,
    Temperature,
    TemperatureClassifier,
)
from .stages.playbook import Playbook

__version__ = "0.1.0.dev0"
"""The version of this package (as in ``pyproject.toml``)."""

__all__ = [
    "AccountAssessment",
    "AccountMember",
    "AccountPolicy",
    "Activity",
    "ActivityState",
    "All",
    "AnyOf",
    "Assessment",
    "AttributeRule",
    "BacktestReport",
    "BacktestSpread",
    "BuyerType",
    "ColumnNameWarning",
    "Condition",
    "Contribution",
    "Decay",
    "DormancyPolicy",
    "DriftBin",
    "DriftReport",
    "ErrorDetail",
    "EvaluationReport",
    "Event",
    "EventColumns",
    "EventRule",
    "EventType",
    "FeedbackReport",
    "Field",
    "FitGrade",
    "GradeScale",
    "HalfLife",
    "Identity",
    "IdentityColumns",
    "IdentityMap",
    "InterestPattern",
    "InterestPolicy",
    "InterestProfile",
    "InvalidEventError",
    "InvalidInputError",
    "InvalidLeadError",
    "InvalidModelError",
    "InvalidValueError",
    "JourneyClassifier",
    "JourneyStage",
    "Lead",
    "LeadColumns",
    "LeadScore",
    "LeadScoringError",
    "LeadStatus",
    "LeadTable",
    "Limit",
    "Linear",
    "LoadResult",
    "Matcher",
    "Merge",
    "NaiveDatetimeError",
    "NaiveEventDatetimeError",
    "NaiveLeadDatetimeError",
    "NoDecay",
    "Not",
    "PageCategory",
    "ParticipationLevel",
    "Playbook",
    "PriorityGrid",
    "RateRule",
    "Reactivation",
    "ReactivationKind",
    "ReactivationRule",
    "RejectedRow",
    "RepeatRule",
    "Rule",
    "RuleDrift",
    "RuleFeedback",
    "Scorer",
    "ScoringModel",
    "Segment",
    "ShadowedModelWarning",
    "SmallSampleWarning",
    "SnapshotError",
    "StageChange",
    "Steps",
    "Temperature",
    "TemperatureClassifier",
    "ThresholdSuggestion",
    "TimeSplit",
    "UnknownLeadError",
    "UnknownLeadWarning",
    "ValidatedModel",
    "Verdict",
    "Window",
    "activity",
    "activity_all",
    "activity_frame",
    "assess",
    "assess_accounts",
    "assess_accounts_frame",
    "assess_all",
    "assess_frame",
    "backtest",
    "backtest_frame",
    "between",
    "calibrate",
    "changes",
    "changes_all",
    "changes_frame",
    "contains",
    "drift",
    "dump_model",
    "eq",
    "evaluate",
    "evaluate_scores",
    "events_from_frame",
    "exists",
    "feedback",
    "format_assessments",
    "glob",
    "gt",
    "gte",
    "identities_from_frame",
    "interest_profile",
    "iter_events",
    "iter_leads",
    "leads_from_frame",
    "load_model",
    "lt",
    "lte",
    "merge",
    "model_schema",
    "model_warnings",
    "one_of",
    "partition_of",
    "prefix",
    "reactivations_frame",
    "read_events",
    "read_identities",
    "read_lead_table",
    "read_leads",
    "score",
    "score_all",
    "score_frame",
    "segment",
    "split_by_time",
    "timeline",
    "to_frame",
    "when",
]
