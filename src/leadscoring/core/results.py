"""Scores as values: every point traceable to a rule and an event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from .display import fmt, html_block, html_table, moment
from .errors import InvalidValueError
from .mapping import FrozenMap
from .slots import slot_builder

__all__ = ["Contribution", "LeadScore"]

Row = tuple[str, str, str | None, datetime | None, float, float, float, str | None]
"""A contribution as a plain tuple: ``Contribution``'s fields in order, from ``rule`` to ``note``.

Tuples of strings, floats, datetimes and ``None`` are not followed by the cyclic garbage
collector, so a :class:`LeadScore` keeps its contributions as rows and makes the
``Contribution`` objects the first time they are asked for.
"""

_FIELDS = ("rule", "group", "event_id", "event_at", "base_points", "weight", "points", "note")


def _fmt(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@attrs.frozen(kw_only=True)
class Contribution:
    """Points one rule gave for one event (or for the lead's attributes, or a reactivation).

    ``points == base_points * weight``, before rule, group and total caps.
    ``note`` says more where a rule has more to say (a repeat count, a reactivation).
    """

    rule: str
    group: str
    event_id: str | None
    event_at: datetime | None
    base_points: float
    weight: float
    points: float
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {
            "rule": self.rule,
            "group": self.group,
            "event_id": self.event_id,
            "event_at": self.event_at.isoformat() if self.event_at else None,
            "base_points": self.base_points,
            "weight": self.weight,
            "points": self.points,
            "note": self.note,
        }


_make_contribution = slot_builder(Contribution)


def contribution_from_row(row: Row) -> Contribution:
    """The :class:`Contribution` of a row (its fields in order; nothing to convert)."""
    return _make_contribution(*row)


def _to_rows(value: Iterable[Contribution | Row]) -> tuple[Row, ...]:
    """Contributions as rows; rows (as ``attrs.evolve`` passes them back) are kept."""
    rows: list[Row] = []
    for index, c in enumerate(value):
        if isinstance(c, Contribution):
            row = (c.rule, c.group, c.event_id, c.event_at, c.base_points, c.weight, c.points)
            rows.append((*row, c.note))
        elif isinstance(c, tuple) and len(c) == len(_FIELDS):
            rows.append(c)
        else:
            raise InvalidValueError(
                f"contributions[{index}]", f"expected a Contribution, got {type(c).__name__}"
            )
    return tuple(rows)


def _frozen_floats(value: Mapping[str, float]) -> FrozenMap[str, float]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@attrs.frozen(kw_only=True, repr=False)
class LeadScore:
    """A lead's score at ``as_of``: ``total = clamp(fit + engagement)``, with the reasons.

    ``by_rule`` holds each rule's points after its cap, ``by_group`` each group's points
    after the group cap, for every rule and group of the model (zero when nothing matched).
    ``contributions`` (given to the constructor as any iterable of :class:`Contribution`)
    is kept as plain rows and turned into a tuple of ``Contribution`` s on first access;
    equality and hashing compare the rows, that is the contributions' values.
    """

    lead_id: str
    as_of: datetime
    total: float
    fit: float
    engagement: float
    by_group: Mapping[str, float] = attrs.field(converter=_frozen_floats)
    by_rule: Mapping[str, float] = attrs.field(converter=_frozen_floats)
    _rows: tuple[Row, ...] = attrs.field(alias="contributions", converter=_to_rows)
    _built: tuple[Contribution, ...] | None = attrs.field(
        init=False, default=None, eq=False, repr=False
    )

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """Every contribution, in the order the engine counted them."""
        built = self._built
        if built is None:
            built = tuple(map(contribution_from_row, self._rows))
            object.__setattr__(self, "_built", built)  # a cache: not part of the value
        return built

    def __repr__(self) -> str:
        """A one-line summary; :meth:`explain` (or ``to_dict()``) has every contribution."""
        return (
            f"LeadScore(lead_id={self.lead_id!r}, as_of={moment(self.as_of)!r}, "
            f"total={fmt(self.total)}, fit={fmt(self.fit)}, "
            f"engagement={fmt(self.engagement)}, {len(self._rows)} contribution(s))"
        )

    def _repr_html_(self) -> str:
        """The score and its contributions as an HTML table (notebooks)."""
        rows = [
            (c.rule, c.group, moment(c.event_at) or "(attribute)", fmt(c.base_points),
             f"{c.weight:.3f}", fmt(c.points), c.note or "")
            for c in self.contributions
        ]
        table = html_table(
            ("rule", "group", "when", "base", "weight", "points", "note"), rows,
            numeric=(3, 4, 5),
        )
        title = (
            f"Lead {self.lead_id} at {moment(self.as_of)} UTC: total {fmt(self.total)} "
            f"(fit {fmt(self.fit)}, engagement {fmt(self.engagement)})"
        )
        return html_block(title, self.adjustments(), [table] if rows else [])

    def top_reasons(self, n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` rules that moved the score most, as ``(rule, points)``, largest first."""
        ranked = sorted(
            ((rule, pts) for rule, pts in self.by_rule.items() if pts != 0),
            key=lambda item: (-abs(item[1]), item[0]),
        )
        return ranked[:n]

    def adjustments(self) -> list[str]:
        """Where caps, group caps, floor or ceiling changed the raw sums, in words."""
        raw_rule: dict[str, float] = {}
        group_of: dict[str, str] = {}
        for c in self.contributions:
            raw_rule[c.rule] = raw_rule.get(c.rule, 0.0) + c.points
            group_of[c.rule] = c.group
        notes = []
        raw_group: dict[str, float] = {}
        for rule, capped in self.by_rule.items():
            raw = raw_rule.get(rule, 0.0)
            if abs(raw - capped) > 1e-9:
                notes.append(f"rule {rule!r}: {_fmt(raw)} capped to {_fmt(capped)}")
            if rule in group_of:
                raw_group[group_of[rule]] = raw_group.get(group_of[rule], 0.0) + capped
        for group, capped in self.by_group.items():
            raw = raw_group.get(group, 0.0)
            if abs(raw - capped) > 1e-9:
                notes.append(f"group {group!r}: {_fmt(raw)} capped to {_fmt(capped)}")
        raw_total = self.fit + self.engagement
        if abs(raw_total - self.total) > 1e-9:
            notes.append(f"total: {_fmt(raw_total)} clamped to {_fmt(self.total)}")
        return notes

    def explain(self) -> str:
        """A readable table: rule, when, base points, weight, points; then any caps."""
        head = (
            f"Lead {self.lead_id} at {self.as_of:%Y-%m-%d %H:%M} UTC: total {_fmt(self.total)} "
            f"(fit {_fmt(self.fit)}, engagement {_fmt(self.engagement)})"
        )
        rows = [("rule", "when", "base", "weight", "points", "note")]
        for c in self.contributions:
            rows.append(
                (
                    c.rule,
                    f"{c.event_at:%Y-%m-%d %H:%M}" if c.event_at else "(attribute)",
                    _fmt(c.base_points),
                    f"{c.weight:.3f}",
                    _fmt(c.points),
                    c.note or "",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        lines = [head, ""]
        for r in rows:
            cells = [
                r[0].ljust(widths[0]),
                r[1].ljust(widths[1]),
                r[2].rjust(widths[2]),
                r[3].rjust(widths[3]),
                r[4].rjust(widths[4]),
                r[5],
            ]
            lines.append("  ".join(cells).rstrip())
        if len(rows) == 1:
            lines.append("(no rule matched)")
        adjustments = self.adjustments()
        if adjustments:
            lines.append("")
            lines.extend(adjustments)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able): ``pandas.DataFrame([s.to_dict() for s in scores])`` works."""
        return {
            "lead_id": self.lead_id,
            "as_of": self.as_of.isoformat(),
            "total": self.total,
            "fit": self.fit,
            "engagement": self.engagement,
            "by_group": dict(self.by_group),
            "by_rule": dict(self.by_rule),
            "contributions": [c.to_dict() for c in self.contributions],
        }


_make_lead_score = slot_builder(LeadScore)


def lead_score(
    lead_id: str,
    as_of: datetime,
    total: float,
    fit: float,
    engagement: float,
    by_group: FrozenMap[str, float],
    by_rule: FrozenMap[str, float],
    rows: tuple[Row, ...],
) -> LeadScore:
    """The engine's :class:`LeadScore`: the mappings already :class:`FrozenMap` s, ``rows``
    a tuple of contribution rows; equal to one made through the constructor."""
    return _make_lead_score(lead_id, as_of, total, fit, engagement, by_group, by_rule, rows, None)
