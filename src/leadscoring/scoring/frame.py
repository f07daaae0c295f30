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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.checks import OnUnknown, check_choice, check_moment, report_unknown
from ..core.errors import InvalidEventError, InvalidInputError, InvalidValueError
from ..core.event import Event, canonical, dedupe_sorted
from ..core.lead import Lead, LeadStatus
from ..core.results import Row
from ..core.rules import AttributeRule, EventRule, RepeatRule
from ..core.times import from_us, to_us
from ..model.scoring_model import ScoringModel, check_model
from .compiled import CompiledModel, compile_model
from .engine import reactivation_rows

if TYPE_CHECKING:
    import numpy as np

    from .frame_columns import Coded, Table

__all__ = ["score_frame"]

_EVENT_COLUMNS = ("lead_id", "type", "at", "id")
_LEAD_COLUMNS = ("lead_id", "status", "status_changed_at", "account_id")


def _modules() -> None:
    try:
        import narwhals  # noqa: F401
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"score_frame needs the optional 'frames' extra ({exc.name} is missing): "
            "pip install 'leadscoring[frames]'"
        ) from exc


def score_frame(
    events_df: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_df: Any = None,
    on_unknown: OnUnknown = "raise",
    by_rule: bool = False,
) -> Any:
    """Score every lead of an events table at ``as_of``; a table of the same kind back.

    ``events_df`` has the columns ``lead_id``, ``type``, ``at`` (timezone-aware) and
    optionally ``id``; every other column is an event property (a null cell: absent).
    ``leads_df`` (optional) has ``lead_id`` and optionally ``status`` and
    ``status_changed_at``; its other columns (but ``account_id``) are attributes. Without
    it the leads are those named by the events, in order of first appearance, and score
    as leads without attributes.

    The result has one row per lead: ``lead_id``, ``total``, ``fit``, ``engagement``, one
    ``by_group.<group>`` column per group, and with ``by_rule=True`` one ``by_rule.<rule>``
    column per rule. Bad input raises :class:`~leadscoring.InvalidInputError` naming the
    column (and row); events of unknown leads are handled as in
    :func:`~leadscoring.score_all`.
    """
    _modules()
    import numpy as np

    from .frame_columns import Table

    model = check_model(model)
    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    moment = check_moment(as_of)
    now = to_us(moment)
    compiled = compile_model(model)

    events = Table(events_df, "events_df")
    events.require("lead_id", "type", "at")
    at, _ = events.times("at", required=True)
    lead_col = events.text("lead_id", required=True)
    events.text("type", required=True)
    ids = events.text("id", required=False) if "id" in events.columns else None

    leads = Table(leads_df, "leads_df") if leads_df is not None else None
    statuses = None if leads is None else _statuses(leads)
    lead_ids, lead_of = _leads(events, lead_col, leads, on_unknown)
    kept = (at <= now) & (lead_of >= 0)
    rows = np.flatnonzero(kept)
    if ids is not None:
        rows = _dedupe(events, rows, lead_of, ids, at)
    every_row = len(rows) == events.rows

    from .frame_rules import Masks, rule_sums
    from .semantics.arrays import finish

    def column(name: str) -> Coded | None:
        if name == "type":
            found: Coded | None = events.text("type", required=True)
        elif name == "id":
            found = ids
        elif name in _EVENT_COLUMNS or name not in events.columns:
            return None
        else:
            found = events.coded(name)
        return found if found is None or every_row else found.take(rows)

    conditions = [r.when if isinstance(r, EventRule | RepeatRule) else None for r in model.rules]
    sums = rule_sums(
        compiled, Masks(column, len(rows)), lead_of[rows], at[rows], now, len(lead_ids),
        conditions,
    )  # fmt: skip
    _fit(compiled, leads, statuses, len(lead_ids), sums)
    if compiled.reactivation_rules:
        records = _records(leads, statuses, lead_ids)
        _reactivation_sums(events, rows, lead_of, at, records, compiled, moment, sums)
    out = finish(compiled, sums)
    data: dict[str, Any] = {"lead_id": lead_ids}
    for name, values in out.items():
        if by_rule or not name.startswith("by_rule."):
            data[name] = values
    return events.native_namespace().DataFrame(data)


def _leads(
    events: Table, lead_col: Coded, leads: Table | None, on_unknown: OnUnknown
) -> tuple[list[object], np.ndarray[Any, Any]]:
    """The output's lead ids, and each event row's lead index (-1: unknown, skipped)."""
    import numpy as np

    if leads is None:
        return list(lead_col.values), lead_col.codes
    leads.require("lead_id")
    given = leads.text("lead_id", required=True)
    if len(given.values) != leads.rows:
        counts = np.bincount(given.codes, minlength=len(given.values))
        twice = given.values[int(np.argmax(counts))]
        raise InvalidInputError(
            f"lead id {twice!r} is given twice", source=leads.source, column="lead_id"
        )
    import pandas as pd

    known = pd.Index(given.values).get_indexer(lead_col.values)  # ids unique: index = row
    lead_of = np.append(known, -1).astype(np.int64)[lead_col.codes]
    unknown = lead_of < 0
    if unknown.any():
        names = sorted({str(lead_col.values[c]) for c in np.unique(lead_col.codes[unknown])})
        report_unknown(names, int(unknown.sum()), on_unknown)
    return list(given.values), lead_of


def _same(a: object, b: object) -> bool:
    import pandas as pd

    a_missing, b_missing = bool(pd.isna(a)), bool(pd.isna(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return canonical(_plain(a)) == canonical(_plain(b))


def _plain(value: object) -> object:
    """A numpy scalar as the Python value an Event would hold."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _dedupe(
    events: Table,
    rows: np.ndarray[Any, Any],
    lead_of: np.ndarray[Any, Any],
    ids: Coded,
    at: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """``rows`` without later copies of an event id within a lead; different events
    sharing an id raise :class:`~leadscoring.InvalidEventError`."""
    import numpy as np

    if len(ids.values) == int((ids.codes >= 0).sum()):  # no id appears twice in the table
        return rows
    with_id = rows[ids.codes[rows] >= 0]
    keys = lead_of[with_id] * (len(ids.values) + 1) + ids.codes[with_id]
    order = np.argsort(keys, kind="stable")
    keys, with_id = keys[order], with_id[order]
    copy = np.zeros(len(keys), dtype=bool)
    copy[1:] = keys[1:] == keys[:-1]
    if not copy.any():
        return rows
    first = np.maximum.accumulate(np.where(~copy, np.arange(len(keys)), 0))
    pairs = list(zip(with_id[first[copy]].tolist(), with_id[copy].tolist(), strict=True))
    for name in events.columns:
        if name in ("lead_id", "id"):
            continue
        values = at if name == "at" else events.values(name)
        for a, b in pairs:
            if not _same(values[a], values[b]):
                lead = events.values("lead_id")[a]
                raise InvalidEventError(
                    "Event.id",
                    f"two different events of lead {lead!r} share id {ids.values[ids.codes[a]]!r} "
                    f"(events_df rows {a + 1} and {b + 1} differ in {name!r})",
                )
    return np.setdiff1d(rows, with_id[copy])


def _records(leads: Table | None, statuses: Coded | None, lead_ids: Sequence[object]) -> list[Lead]:
    """A :class:`Lead` per output row: id, status and status change (attributes apart)."""
    if leads is None or statuses is None:
        return [Lead(id=str(lead_id)) for lead_id in lead_ids]
    changed: list[int | None] = [None] * leads.rows
    if "status_changed_at" in leads.columns:
        stamps, nulls = leads.times("status_changed_at", required=False)
        changed = [None if n else s for s, n in zip(stamps.tolist(), nulls.tolist(), strict=True)]
    return [
        Lead(
            id=str(lead_id),
            status=statuses.values[code],
            status_changed_at=None if when is None else from_us(when),
        )
        for lead_id, code, when in zip(lead_ids, statuses.codes.tolist(), changed, strict=True)
    ]


def _statuses(leads: Table) -> Coded:
    """Each lead's status as a condition sees it (``"open"`` when absent); unknown raise."""
    import numpy as np

    from .frame_columns import Coded

    if "status" not in leads.columns:
        return Coded(np.zeros(leads.rows, dtype=np.int64), [LeadStatus.OPEN.value])
    coded = leads.coded("status")
    values: list[str] = []
    for value in coded.values:
        try:
            values.append(LeadStatus(str(value).lower()).value)
        except ValueError:
            allowed = ", ".join(s.value for s in LeadStatus)
            raise InvalidInputError(
                f"unknown status {value!r}; one of {allowed}", source=leads.source, column="status"
            ) from None
    values.append(LeadStatus.OPEN.value)
    return Coded(np.where(coded.codes < 0, len(values) - 1, coded.codes), values)


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


def _reactivation_sums(
    events: Table,
    rows: Any,
    lead_of: Any,
    at: Any,
    records: list[Lead],
    compiled: CompiledModel,
    moment: datetime,
    sums: Any,
) -> None:
    """Reactivation rules through the object path, lead by lead (needs whole histories)."""
    ignored = compiled.model.dormancy.ignore_types
    types = events.text("type", required=True)
    props = [c for c in events.columns if c not in _EVENT_COLUMNS]
    values = {c: events.values(c) for c in props}
    ids = events.text("id", required=False) if "id" in events.columns else None
    per_lead: dict[int, list[Event]] = {}
    for row in rows.tolist():
        kind = types.values[types.codes[row]]
        if kind in ignored:
            continue
        properties = {}
        for name in props:
            value = values[name][row]
            if not _same(value, None):
                properties[name] = _plain(value)
        event_id = None if ids is None or ids.codes[row] < 0 else ids.values[ids.codes[row]]
        try:
            event = Event(
                lead_id=records[lead_of[row]].id, type=kind, at=from_us(int(at[row])),
                properties=properties, id=event_id,
            )  # fmt: skip
        except InvalidValueError as exc:
            raise InvalidInputError(exc.message, source=events.source, row=row + 1) from None
        per_lead.setdefault(int(lead_of[row]), []).append(event)
    for index, history in per_lead.items():
        raw = [0.0] * len(compiled.rules)
        out: list[Row] = []
        reactivation_rows(records[index], dedupe_sorted(history), compiled, moment, raw, out)
        for cr in compiled.reactivation_rules:
            sums[index, cr.index] = raw[cr.index]
