"""Populations of scores, as drift reads them: each lead's total and each rule's tally.

:func:`population` makes a :class:`ScorePopulation` of ``LeadScore`` s (``score_all``) or
of a table (``score_frame(..., by_rule=True)``); ``leadscoring drift`` makes one of a
score file. :func:`~leadscoring.learning.drift.compare_populations` compares two.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from ..core.checks import expect
from ..core.errors import InvalidValueError
from ..core.results import LeadScore
from .psi import _is_number

__all__ = ["RuleTally", "ScorePopulation", "population"]


@attrs.frozen(kw_only=True)
class RuleTally:
    """One rule over a population: the leads it ``fired`` for (non-zero points) and the
    sum of its ``points`` as absolute values."""

    fired: int
    points: float


@attrs.frozen(kw_only=True)
class ScorePopulation:
    """What drift needs of a population of scores: each lead's total and, per rule, a
    :class:`RuleTally` (``None``: the input has no per-rule points).

    ``source`` names the input in messages (``"scores_then"``, a file name); ``hint``
    says how to give per-rule points, for the error raised when only the other
    population has them. :func:`population` makes one from ``LeadScore`` s or a table.
    """

    source: str
    totals: tuple[float, ...]
    rules: Mapping[str, RuleTally] | None
    as_of: datetime | None = None
    hint: str = ""


def _single_moment(moments: Iterable[datetime]) -> datetime | None:
    found = set(moments)
    return found.pop() if len(found) == 1 else None


def _object_population(values: object, name: str) -> ScorePopulation:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidValueError(
            name,
            f"expected LeadScore results (score_all) or a DataFrame (score_frame), "
            f"got {type(values).__name__}",
        )
    scores = [expect(item, LeadScore, f"{name}[{k}]") for k, item in enumerate(values)]
    totals = []
    names: set[str] = set()
    fired: dict[str, int] = {}
    points: dict[str, list[float]] = {}
    for k, score in enumerate(scores):
        if not _is_number(score.total):
            raise InvalidValueError(
                f"{name}[{k}].total",
                f"must be a finite number, got {score.total!r} (lead {score.lead_id!r})",
            )
        totals.append(float(score.total))
        names.update(score.by_rule)
        for rule, value in score.by_rule.items():
            if value == 0:  # the common case first; zeros add nothing (NaN and text are not 0)
                continue
            if not (type(value) is float and math.isfinite(value)) and not _is_number(value):
                raise InvalidValueError(
                    f"{name}[{k}].by_rule[{rule!r}]", f"must be a finite number, got {value!r}"
                )
            fired[rule] = fired.get(rule, 0) + 1
            points.setdefault(rule, []).append(abs(value))
    rules = {
        r: RuleTally(fired=fired.get(r, 0), points=math.fsum(points.get(r, ())))
        for r in sorted(names)
    }
    return ScorePopulation(
        source=name,
        totals=tuple(totals),
        rules=rules,
        as_of=_single_moment(s.as_of for s in scores),
    )


def _frame_population(value: Any, name: str) -> ScorePopulation:
    from ..scoring.frame import _modules

    _modules()
    import narwhals.stable.v1 as nw

    try:
        frame = nw.from_native(value, eager_only=True)
    except TypeError:
        raise InvalidValueError(
            name,
            f"expected LeadScore results (score_all) or a pandas or polars DataFrame "
            f"(score_frame), got {type(value).__name__}",
        ) from None
    columns = [str(c) for c in frame.columns]
    if "total" not in columns:
        shown = ", ".join(repr(c) for c in columns[:10]) or "none"
        raise InvalidValueError(
            name,
            f"has no 'total' column (columns: {shown}); pass the table score_frame "
            "returns, with by_rule=True for the rules' drift",
        )

    def numbers(column: str) -> list[float]:
        cells = frame[column].to_list()
        for k, cell in enumerate(cells):
            if not _is_number(cell):
                raise InvalidValueError(
                    f"{name}[{column!r}][{k}]",
                    f"row {k} (counting from 0) must be a finite number, got {cell!r}",
                )
        return [float(c) for c in cells]

    totals = tuple(numbers("total"))
    rule_columns = [c for c in columns if c.startswith("by_rule.")]
    rules = None
    if rule_columns:
        rules = {}
        for column in rule_columns:
            cells = numbers(column)
            rules[column.removeprefix("by_rule.")] = RuleTally(
                fired=sum(c != 0 for c in cells), points=math.fsum(abs(c) for c in cells)
            )
    as_of = _single_moment(_table_moments(frame["as_of"].to_list())) if "as_of" in columns else None
    return ScorePopulation(
        source=name,
        totals=totals,
        rules=rules,
        as_of=as_of,
        hint="score it with score_frame(..., by_rule=True), or drop the 'by_rule.' columns "
        "of the other table to compare the totals alone",
    )


def _table_moments(cells: Iterable[object]) -> Iterator[datetime]:
    """The moments of an ``as_of`` column (as ``to_frame`` writes it); a cell that is not
    an aware datetime is skipped: the moment is only shown, never computed with."""
    for cell in cells:
        to_python = getattr(cell, "to_pydatetime", None)
        value = to_python() if callable(to_python) else cell
        if isinstance(value, datetime) and value.utcoffset() is not None:
            yield value.astimezone(UTC)


def _is_frame(value: object) -> bool:
    return hasattr(value, "columns") or hasattr(value, "__narwhals_dataframe__")


def population(value: object, name: str) -> ScorePopulation:
    """The :class:`ScorePopulation` of ``LeadScore`` s or of a table with a ``total`` and
    maybe ``by_rule.<rule>`` columns (what ``score_frame(..., by_rule=True)`` returns);
    ``name`` is the argument's name in messages."""
    if _is_frame(value):
        return _frame_population(value, name)
    return _object_population(value, name)
