"""What moved between two assessments of a lead: triggers for follow-up emails and alerts.

Run :func:`~leadscoring.assess_all` every day, keep yesterday's list, and
``changes_all(yesterday, today)`` lists each lead's moves: ``L1 temperature: warm -> hot
(up)`` is the moment to alert sales; ``L7 segment: None -> enthusiasts`` the moment to send
the invitation to the next seminar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import attrs

from ..core.errors import InvalidValueError
from ..signals.journey import JourneyStage
from ..stages.classifiers import FitGrade, Temperature
from .assessment import Assessment

__all__ = [
    "Dimension",
    "Labels",
    "StageChange",
    "changes",
    "changes_all",
    "changes_since",
    "labels_of",
]

# --- changes ----------------------------------------------------------------------------

Dimension = Literal[
    "temperature", "journey", "grade", "priority", "activity", "action", "segment"
]


@attrs.frozen(kw_only=True)
class StageChange:
    """One dimension of a lead that moved between two assessments.

    ``direction`` is ``"up"`` when the lead got hotter, further in its journey, a better
    grade or a more urgent priority (a smaller number), ``"down"`` the other way, and
    ``None`` where there is no order (activity, action, segments). A segment change has
    ``before=None`` when the lead entered the segment ``after``, and ``after=None`` when it
    left the segment ``before``.
    """

    lead_id: str
    dimension: Dimension
    before: str | int | None
    after: str | int | None
    direction: Literal["up", "down"] | None
    at: datetime

    def __str__(self) -> str:
        arrow = f" ({self.direction})" if self.direction else ""
        return f"{self.lead_id} {self.dimension}: {self.before} -> {self.after}{arrow}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {
            "lead_id": self.lead_id,
            "dimension": self.dimension,
            "before": self.before,
            "after": self.after,
            "direction": self.direction,
            "at": self.at.isoformat(),
        }


def _direction(before: int, after: int) -> Literal["up", "down"]:
    return "up" if after > before else "down"


Labels = tuple[str, str, str, int, str, str, tuple[str, ...]]
"""What :func:`changes` compares of an assessment: temperature, journey, grade, priority,
activity state, action and segments (plain data, so a change feed can keep and store it)."""


def labels_of(a: Assessment) -> Labels:
    """The :data:`Labels` of an assessment."""
    return (a.temperature.value, a.journey.value, a.grade.value, a.priority,
            a.activity.state.value, a.action, tuple(a.segments))  # fmt: skip


def _dimensions(labels: Labels) -> list[tuple[Dimension, str | int, int | None]]:
    """Each ordered dimension's value and rank (higher is better), then the unordered."""
    temperature, journey, grade, priority, state, action, _ = labels
    return [
        ("temperature", temperature, Temperature(temperature).rank),
        ("journey", journey, JourneyStage(journey).rank),
        ("grade", grade, FitGrade(grade).rank),
        ("priority", priority, -priority),
        ("activity", state, None),
        ("action", action, None),
    ]


def changes(before: Assessment | None, after: Assessment) -> list[StageChange]:
    """What moved between two assessments of one lead, in a fixed order of dimensions:
    temperature, journey, grade, priority, activity, action, then segments left and
    entered. Nothing moved: an empty list. ``before=None`` (a new lead) reports every
    dimension, with ``before=None`` and no direction.
    """
    if not isinstance(after, Assessment):
        raise InvalidValueError("after", f"expected an Assessment, got {type(after).__name__}")
    if before is not None and not isinstance(before, Assessment):
        raise InvalidValueError("before", f"expected an Assessment, got {type(before).__name__}")
    if before is not None and before.lead_id != after.lead_id:
        raise InvalidValueError(
            "after", f"assessments of different leads: {before.lead_id!r} and {after.lead_id!r}"
        )
    return changes_since(None if before is None else labels_of(before), after)


def changes_since(before: Labels | None, after: Assessment) -> list[StageChange]:
    """:func:`changes` from the :data:`Labels` of the earlier assessment (``None``: a new
    lead), for a change feed that keeps labels instead of whole assessments."""
    out: list[StageChange] = []
    old = _dimensions(before) if before is not None else None
    for index, (dimension, value, rank) in enumerate(_dimensions(labels_of(after))):
        if old is None:
            out.append(_change(after, dimension, None, value, None))
            continue
        _, old_value, old_rank = old[index]
        if old_value == value:
            continue
        direction = None if rank is None or old_rank is None else _direction(old_rank, rank)
        out.append(_change(after, dimension, old_value, value, direction))
    left = [g for g in before[6] if g not in after.segments] if before else []
    entered = [g for g in after.segments if before is None or g not in before[6]]
    out += [_change(after, "segment", g, None, None) for g in left]
    out += [_change(after, "segment", None, g, None) for g in entered]
    return out


def _change(
    a: Assessment,
    dimension: Dimension,
    before: str | int | None,
    after: str | int | None,
    direction: Literal["up", "down"] | None,
) -> StageChange:
    return StageChange(
        lead_id=a.lead_id,
        dimension=dimension,
        before=before,
        after=after,
        direction=direction,
        at=a.as_of,
    )


def changes_all(
    before: Iterable[Assessment], after: Iterable[Assessment]
) -> list[StageChange]:
    """:func:`changes` for every lead of ``after``, matched to ``before`` by lead id.

    Leads of ``after`` missing from ``before`` are new (every dimension reported);
    leads only in ``before`` are left out. Changes come in the order of ``after``.
    """
    old = {a.lead_id: a for a in before}
    return [change for a in after for change in changes(old.get(a.lead_id), a)]


