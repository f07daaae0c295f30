"""Columnar scoring: a whole table of events at once, pandas or polars in and out.

>>> import pandas as pd
>>> from datetime import UTC, datetime
>>> from leadscoring import EventRule, HalfLife, ScoringModel
>>> model = ScoringModel(name="m", rules=[EventRule(name="visit", when={"type": "page_view"},
...                      points=10)], default_decay=HalfLife(days=30))
>>> events = pd.DataFrame({"lead_id": ["L1", "L1", "L2"], "type": ["page_view"] * 3,
...     "at": pd.to_datetime(["2026-05-01", "2026-05-31", "2026-05-31"], utc=True)})
>>> score_frame(events, model, as_of=datetime(2026, 5, 31, tzinfo=UTC))[["lead_id", "total"]]
  lead_id  total
0      L1   15.0
1      L2   10.0

Needs the optional ``frames`` extra (``pip install 'leadscoring[frames]'``): narwhals,
numpy and pandas (and polars for polars frames). The numbers are those of
:func:`~leadscoring.score_all` on the same events (to floating-point rounding); the shape
of the tables is described in ``docs/performance.md``.

Here are the engine (:func:`frame_scores`) and its public form; the tables are read and
checked once per call by :class:`~leadscoring.scoring.frame_input.FrameInput`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.checks import FrameIds, OnUnknown, check_choice, check_moment
from ..core.identity import Identities
from ..core.lead import Lead
from ..core.rules import AttributeRule, RateRule
from ..model.scoring_model import ScoringModel, check_model
from .compiled import CompiledModel, compile_model, event_condition

# Imported from here by learning/ and cli/ too (re-exported).
from .frame_input import FrameInput as FrameInput
from .frame_input import _modules as _modules

if TYPE_CHECKING:
    from .frame_columns import Coded, Table

__all__ = ["frame_scores", "score_frame"]

_LEAD_COLUMNS = ("lead_id", "status", "status_changed_at", "account_id")


def score_frame(
    events_df: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_df: Any = None,
    on_unknown: OnUnknown = "raise",
    by_rule: bool = False,
    identities: Identities | None = None,
    ids: FrameIds = "check",
) -> Any:
    """Score every lead of an events table at ``as_of``; a table of the same kind back.

    ``events_df`` has the columns ``lead_id``, ``type``, ``at`` (timezone-aware) and
    optionally ``id``; every other column is an event property (a null cell: absent).
    ``leads_df`` (optional) has ``lead_id`` and optionally ``status`` and
    ``status_changed_at``; its other columns (but ``account_id``) are attributes. Without
    it the leads are those named by the events, in order of first appearance, and score
    as leads without attributes.

    With ``identities`` (an :class:`~leadscoring.IdentityMap` or :class:`~leadscoring.Identity`
    links), histories are united as :func:`~leadscoring.score_all` unites them: the rows
    of an alias linked by ``as_of`` are its lead's, earlier rows included, their ``id``
    qualified by the alias (``e1`` of ``cookie-7`` is ``cookie-7/e1``), and a row of
    ``leads_df`` whose ``lead_id`` is such an alias gives no result. Without ``leads_df``
    the leads are those the re-keyed rows name, in order of first appearance: a lead
    first seen through an alias's row stands where that row is.

    ``ids`` says what the ``id`` column promises. ``"check"`` (the default): rows
    repeating an event (same lead and id) count once, and two different rows sharing a
    lead and an id raise :class:`~leadscoring.InvalidEventError`; finding that out hashes
    every (lead, id) pair. ``"unique"``: the caller vouches that no lead repeats an id,
    and that work is skipped; the result is that of ``"check"`` whenever it is true, and
    if it is not, every row counts (a repeated event once per row, as rows without an id
    count). ``"absent"``: the table has no ``id`` column (every row an event of its
    own); one present raises :class:`~leadscoring.InvalidInputError` (drop it, or pass
    ``"unique"`` or ``"check"``). Another value raises
    :class:`~leadscoring.InvalidValueError`.

    The result has one row per lead: ``lead_id``, ``total``, ``fit``, ``engagement``, one
    ``by_group.<group>`` column per group, and with ``by_rule=True`` one ``by_rule.<rule>``
    column per rule. Bad input raises :class:`~leadscoring.InvalidInputError` naming the
    column (and row); events of unknown leads are handled as in
    :func:`~leadscoring.score_all`.
    """
    _modules()
    model = check_model(model)
    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    moment = check_moment(as_of)
    frame = FrameInput(events_df, leads_df, moment, on_unknown, identities=identities, ids=ids)
    out = frame_scores(frame, compile_model(model))
    data: dict[str, Any] = {"lead_id": frame.lead_ids}
    for name, values in out.items():
        if by_rule or not name.startswith("by_rule."):
            data[name] = values
    return frame.native(data)


def frame_scores(frame: FrameInput, compiled: CompiledModel) -> dict[str, Any]:
    """Every lead's numbers (``total``, ``fit``, ``engagement``, ``by_group.*``,
    ``by_rule.*``) as arrays, in the order of ``frame.lead_ids``."""
    from .frame_rules import rule_sums
    from .semantics.arrays import finish, reactivation_points

    model = compiled.model
    rows = frame.rows
    conditions = [
        (r.numerator, r.denominator) if isinstance(r, RateRule) else event_condition(r)
        for r in model.rules
    ]
    sums = rule_sums(
        compiled, frame.masks, frame.lead_of[rows], frame.at[rows], frame.now,
        len(frame.lead_ids), conditions,
    )  # fmt: skip
    _fit(compiled, frame.leads, frame.statuses, len(frame.lead_ids), sums)
    if compiled.reactivation_rules:
        import numpy as np

        found = frame.activity(model.dormancy, states=False)
        for cr in compiled.reactivation_rules:
            points = reactivation_points(
                cr, found.kind_values, found.kind_names, found.back_at, frame.now
            )
            sums[:, cr.index] = np.bincount(
                found.back_lead, weights=points, minlength=len(frame.lead_ids)
            )
    return finish(compiled, sums)


def _fit(
    compiled: CompiledModel, leads: Table | None, statuses: Coded | None, count: int, sums: Any
) -> None:
    """Attribute rules, on the leads table's columns (or on leads without attributes)."""
    import numpy as np

    from .frame_rules import Masks

    if leads is None or statuses is None:
        for cr in compiled.attribute_rules:
            if count and cr.match_lead(Lead(id="-")):
                sums[:, cr.index] = cr.points
        return

    def column(name: str) -> Coded | None:
        if name == "status":
            return statuses
        if name in _LEAD_COLUMNS or name not in leads.columns:
            return None
        return leads.coded(name)

    masks = Masks(column, leads.rows)
    for cr in compiled.attribute_rules:
        rule = compiled.model.rules[cr.index]
        if isinstance(rule, AttributeRule):
            sums[:, cr.index] = np.where(masks(rule.when), cr.points, 0.0)
