"""Result values built by the engine without running their converters again.

:class:`~leadscoring.LeadScore` is a frozen attrs class whose ``__init__`` converts and
checks what it is given. The scoring loops build one per lead from values they made
themselves (floats, UTC datetimes, frozen maps, contribution rows), so they fill the slots
directly: the object is the same, equal to one made through ``__init__``, for less.
Contributions stay plain rows (:data:`leadscoring.results.Row`) until they are asked for.

If the class ever gains a field this builder does not know, it falls back to ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import attrs

from ._mapping import FrozenMap
from .results import LeadScore, Row

__all__ = ["lead_score"]

_LEAD_SCORE = (
    "lead_id", "as_of", "total", "fit", "engagement", "by_group", "by_rule", "_rows", "_built",
)  # fmt: skip


def _lead_score_builder() -> Callable[..., LeadScore]:
    if tuple(f.name for f in attrs.fields(LeadScore)) != _LEAD_SCORE:  # pragma: no cover
        init = [f.alias or f.name for f in attrs.fields(LeadScore) if f.init]
        return lambda *values: LeadScore(**dict(zip(init, values, strict=True)))
    s_id, s_as_of, s_total, s_fit, s_engagement, s_groups, s_rules, s_rows, s_built = (
        vars(LeadScore)[name].__set__ for name in _LEAD_SCORE
    )
    new = object.__new__

    def build(
        lead_id: str,
        as_of: datetime,
        total: float,
        fit: float,
        engagement: float,
        by_group: FrozenMap[str, float],
        by_rule: FrozenMap[str, float],
        rows: tuple[Row, ...],
    ) -> LeadScore:
        s = new(LeadScore)
        s_id(s, lead_id)
        s_as_of(s, as_of)
        s_total(s, total)
        s_fit(s, fit)
        s_engagement(s, engagement)
        s_groups(s, by_group)
        s_rules(s, by_rule)
        s_rows(s, rows)
        s_built(s, None)
        return s

    return build


lead_score: Callable[..., LeadScore] = _lead_score_builder()
"""``lead_score(lead_id, as_of, total, fit, engagement, by_group, by_rule, rows)``, the two
mappings already :class:`FrozenMap` s and ``rows`` a tuple of contribution rows."""
