"""Conditions as masks over rows, and the raw sum of every rule per lead, for
:func:`~leadscoring.score_frame`.

A condition is a boolean mask over the rows (:class:`Masks`); which matching rows a limit
or repeat rule counts, where a rate rule is met and since when, the weights and the
finishing step come from the scoring semantics
(:mod:`leadscoring.scoring.semantics.arrays` and each decay's ``weights_us``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.conditions import MISSING, All, Condition, Field, Not
from .compiled import CompiledModel, CompiledRule, RuleKind
from .frame_columns import Coded
from .semantics import arrays

__all__ = ["Masks", "rule_sums"]

Array = np.ndarray[Any, Any]


class Masks:
    """Condition -> boolean mask over rows, each field evaluated once per distinct value."""

    def __init__(self, column: Callable[[str], Coded | None], rows: int) -> None:
        self._column = column
        self._rows = rows
        self._fields: dict[Field, Array] = {}

    def __call__(self, condition: Condition) -> Array:
        if isinstance(condition, Field):
            found = self._fields.get(condition)
            if found is None:
                found = self._fields[condition] = self._field(condition)
            return found
        if isinstance(condition, Not):
            return ~self(condition.condition)
        if isinstance(condition, All):
            out = np.ones(self._rows, dtype=bool)
            for part in condition.conditions:
                out &= self(part)
            return out
        out = np.zeros(self._rows, dtype=bool)
        for part in condition.conditions:
            out |= self(part)
        return out

    def _field(self, field: Field) -> Array:
        test = field.matcher.compile()
        coded = self._column(field.name)
        if coded is None:  # no such column: the field is missing everywhere
            return np.full(self._rows, bool(test(MISSING)), dtype=bool)
        return coded.lookup([bool(test(v)) for v in coded.values], bool(test(MISSING)))


def rule_sums(
    compiled: CompiledModel,
    masks: Masks,
    lead: Array,
    at: Array,
    as_of: int,
    leads: int,
    conditions: Sequence[Condition | tuple[Condition, Condition] | None],
) -> Array:
    """Raw (uncapped) sums, one column per rule, one row per lead. ``conditions`` holds
    each rule's event condition: a rate rule's (numerator, denominator), ``None`` for
    attribute and reactivation rules."""
    sums = np.zeros((leads, len(compiled.rules)), dtype=np.float64)
    for cr in compiled.rules:
        condition = conditions[cr.index]
        if condition is None:  # attribute and reactivation rules
            continue
        if isinstance(condition, tuple):
            sums[:, cr.index] = _rate_sums(cr, masks, condition, lead, at, as_of, leads)
            continue
        rows = np.flatnonzero(masks(condition))
        if not len(rows):
            continue
        r_lead, r_at = lead[rows], at[rows]
        if cr.kind is RuleKind.REPEAT or cr.limit_count is not None:
            order = arrays.order(r_lead, r_at)
            r_lead, r_at = r_lead[order], r_at[order]
            keep = arrays.counted(cr, r_lead, r_at)
            r_lead, r_at = r_lead[keep], r_at[keep]
        points = cr.points * cr.decay.weights_us(r_at, as_of)
        sums[:, cr.index] = np.bincount(r_lead, weights=points, minlength=leads)
    return sums




def _rate_sums(
    cr: CompiledRule,
    masks: Masks,
    sides: tuple[Condition, Condition],
    lead: Array,
    at: Array,
    as_of: int,
    leads: int,
) -> Array:
    """A rate rule's points per lead: where it is met at ``as_of``, ``points`` decayed
    from the moment it became met (:func:`~leadscoring.scoring.semantics.arrays.rates`)."""
    numerator, denominator = masks(sides[0]), masks(sides[1])
    rows = np.flatnonzero(numerator | denominator)
    met, since, _, _ = arrays.rates(
        cr, lead[rows], at[rows], numerator[rows], denominator[rows], as_of
    )
    weight = cr.decay.weights_us(since, as_of)
    points = np.where(weight > 0.0, cr.points * weight, 0.0)
    out: Array = np.bincount(met, weights=points, minlength=leads)
    return out
