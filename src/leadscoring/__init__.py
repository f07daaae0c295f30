"""leadscoring: explainable lead scoring with time decay, dormancy and stages.

Everything public is importable from here::

    from leadscoring import Event, EventRule, Lead, ScoringModel, score, when
"""

from .activity import (
    Activity,
    ActivityState,
    DormancyPolicy,
    Reactivation,
    ReactivationKind,
    activity,
    activity_all,
)
from .conditions import (
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
from .decay import Decay, HalfLife, Linear, NoDecay, Steps, Window
from .engine import UnknownLeadWarning, score, score_all, timeline
from .event import Event, EventType, PageCategory
from .exceptions import (
    ErrorDetail,
    InvalidEventError,
    InvalidInputError,
    InvalidLeadError,
    InvalidModelError,
    InvalidValueError,
    LeadScoringError,
    NaiveDatetimeError,
    SnapshotError,
    UnknownLeadError,
)
from .lead import Lead, LeadStatus
from .model import ScoringModel
from .results import Contribution, LeadScore
from .rules import AttributeRule, EventRule, Limit, ReactivationRule, RepeatRule, Rule

__all__ = [
    "Activity",
    "ActivityState",
    "All",
    "AnyOf",
    "AttributeRule",
    "Condition",
    "Contribution",
    "Decay",
    "DormancyPolicy",
    "ErrorDetail",
    "Event",
    "EventRule",
    "EventType",
    "Field",
    "HalfLife",
    "InvalidEventError",
    "InvalidInputError",
    "InvalidLeadError",
    "InvalidModelError",
    "InvalidValueError",
    "Lead",
    "LeadScore",
    "LeadScoringError",
    "LeadStatus",
    "Limit",
    "Linear",
    "Matcher",
    "NaiveDatetimeError",
    "NoDecay",
    "Not",
    "PageCategory",
    "Reactivation",
    "ReactivationKind",
    "ReactivationRule",
    "RepeatRule",
    "Rule",
    "ScoringModel",
    "SnapshotError",
    "Steps",
    "UnknownLeadError",
    "UnknownLeadWarning",
    "Window",
    "activity",
    "activity_all",
    "between",
    "contains",
    "eq",
    "exists",
    "glob",
    "gt",
    "gte",
    "lt",
    "lte",
    "one_of",
    "prefix",
    "score",
    "score_all",
    "timeline",
    "when",
]
