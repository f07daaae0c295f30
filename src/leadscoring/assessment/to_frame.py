"""Lists of results as tables: :func:`to_frame` for ``LeadScore``, ``Assessment``,
``AccountAssessment``, ``Activity``, ``Reactivation`` and ``StageChange`` values (times as
datetimes, durations as timedeltas).

The account row (:func:`account_row`) and the table it goes into (:func:`table_of`) are
also :func:`~leadscoring.assess_accounts_frame`'s: one builder, so the columns of the two
cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from ..core.checks import check_choice, check_iterable
from ..core.errors import InvalidValueError
from ..core.results import LeadScore
from ..signals.activity import Activity, Reactivation
from ..signals.journey import EVIDENCE_STAGES
from .accounts import AccountAssessment
from .assessment import Assessment
from .changes import StageChange
from .frame import REASONS

__all__ = ["ACCOUNT_COLUMNS", "MEMBERS", "account_row", "table_of", "to_frame"]


Backend = Literal["pandas", "polars"]


def _score_row(s: LeadScore) -> dict[str, Any]:
    row: dict[str, Any] = {"lead_id": s.lead_id, "as_of": s.as_of, "total": s.total,
                           "fit": s.fit, "engagement": s.engagement}  # fmt: skip
    row.update({f"by_group.{g}": v for g, v in s.by_group.items()})
    row.update({f"by_rule.{r}": v for r, v in s.by_rule.items()})
    return row


def _activity_row(a: Activity) -> dict[str, Any]:
    last = a.last_reactivation
    return {
        "lead_id": a.lead_id,
        "as_of": a.as_of,
        "state": a.state.value,
        "last_active_at": a.last_active_at,
        "dormant_since": a.dormant_since,
        "threshold": a.threshold,
        "reactivations": len(a.reactivations),
        "reactivated_at": None if last is None else last.at,
        "reactivation_kind": None if last is None else last.kind.value,
        "silence": None if last is None else last.silence,
    }


def _reactivation_row(r: Reactivation) -> dict[str, Any]:
    return {"at": r.at, "kind": r.kind.value, "silent_since": r.silent_since,
            "silence": r.silence, "events": r.events, "event_id": r.event_id}  # fmt: skip


def _assessment_row(a: Assessment) -> dict[str, Any]:
    row: dict[str, Any] = {
        "lead_id": a.lead_id,
        "as_of": a.as_of,
        "priority": a.priority,
        "total": a.score.total,
        "fit": a.score.fit,
        "engagement": a.score.engagement,
        "temperature": a.temperature.value,
        "journey": a.journey.value,
        "grade": a.grade.value,
        "activity": a.activity.state.value,
        "action": a.action,
        "top_product": a.interest.top_product,
        "interest_pattern": a.interest.pattern.value,
        "buyer": a.interest.buyer.value,
        "participation": a.interest.participation.value,
    }
    row.update({f"by_group.{g}": v for g, v in a.score.by_group.items()})
    row.update({f"evidence.{st.value}": a.evidence.get(st, 0.0) for st in EVIDENCE_STAGES})
    reasons = a.reasons(REASONS)
    for n in range(REASONS):
        rule, points = reasons[n] if n < len(reasons) else (None, None)
        row[f"reason_{n + 1}"] = rule
        row[f"reason_{n + 1}_points"] = points
    return row


MEMBERS = 3
"""How many of an account's top members an account row carries (``member_1`` ...
``member_3``; fewer when the policy's ``top_k`` is smaller or the account has fewer)."""

_ACCOUNT_ACTIVITY = (
    "last_active_at", "dormant_since", "threshold", "reactivations", "reactivated_at",
    "reactivation_kind", "silence",
)  # fmt: skip
"""The activity columns of an account row, named as :func:`~leadscoring.activity_frame`
names them (its ``state`` is the row's ``activity``, as in :func:`assess_frame`)."""

ACCOUNT_COLUMNS: tuple[str, ...] = (
    "account_id", "as_of", "priority", "score", "fit", "engagement", "temperature", "grade",
    "activity", "members", "engaged_members", "role_coverage", "missing_roles",
    *(f"member_{n}{tail}" for n in range(1, MEMBERS + 1) for tail in ("", "_points")),
    *(f"reason_{n}{tail}" for n in range(1, REASONS + 1) for tail in ("", "_points")),
    *_ACCOUNT_ACTIVITY,
)  # fmt: skip
"""The columns of an account row, in order (:func:`account_row`)."""


def account_row(a: AccountAssessment) -> dict[str, Any]:
    """One account as a flat row (:data:`ACCOUNT_COLUMNS`): the scalars of
    :meth:`AccountAssessment.to_dict <leadscoring.AccountAssessment.to_dict>`, with
    ``missing_roles`` as one text (``"decision_maker, influencer"``; ``""`` when no role
    is missing), the top members as ``member_<n>`` with their total as
    ``member_<n>_points``, the reasons as ``reason_<n>`` with ``reason_<n>_points``
    (nulls where there are fewer), and the account's activity as the columns of
    :func:`~leadscoring.activity_frame` (its ``state`` as ``activity``)."""
    activity = _activity_row(a.activity)
    row: dict[str, Any] = {
        "account_id": a.account_id,
        "as_of": a.as_of,
        "priority": a.priority,
        "score": a.score,
        "fit": a.fit,
        "engagement": a.engagement,
        "temperature": a.temperature.value,
        "grade": a.grade.value,
        "activity": activity["state"],
        "members": a.members,
        "engaged_members": a.engaged_members,
        "role_coverage": a.role_coverage,
        "missing_roles": ", ".join(a.missing_roles),
    }
    for n in range(MEMBERS):
        top = a.top_members[n] if n < len(a.top_members) else None
        row[f"member_{n + 1}"] = None if top is None else top.lead_id
        row[f"member_{n + 1}_points"] = None if top is None else top.total
    for n in range(REASONS):
        rule, points = a.reasons[n] if n < len(a.reasons) else (None, None)
        row[f"reason_{n + 1}"] = rule
        row[f"reason_{n + 1}_points"] = points
    row.update({name: activity[name] for name in _ACCOUNT_ACTIVITY})
    return row


def _change_row(c: StageChange) -> dict[str, Any]:
    return {"lead_id": c.lead_id, "dimension": c.dimension, "before": c.before,
            "after": c.after, "direction": c.direction, "at": c.at}  # fmt: skip


_ROWS: tuple[tuple[type, Callable[[Any], dict[str, Any]]], ...] = (
    (Assessment, _assessment_row),
    (AccountAssessment, account_row),
    (LeadScore, _score_row),
    (Activity, _activity_row),
    (Reactivation, _reactivation_row),
    (StageChange, _change_row),
)


def to_frame(results: Iterable[Any], backend: Backend = "pandas") -> Any:
    """A list of results as a table: :class:`~leadscoring.LeadScore`,
    :class:`~leadscoring.Assessment`, :class:`~leadscoring.AccountAssessment`,
    :class:`~leadscoring.Activity`, :class:`~leadscoring.Reactivation` or
    :class:`~leadscoring.StageChange` values (one kind per call), one row each, with the
    columns :func:`~leadscoring.score_frame` (``by_rule=True``), :func:`assess_frame`,
    :func:`~leadscoring.assess_accounts_frame`, :func:`~leadscoring.activity_frame`,
    :func:`~leadscoring.reactivations_frame` and :func:`changes_frame` give. Times are UTC
    datetimes and durations timedeltas, not text.
    """
    check_choice(backend, ("pandas", "polars"), "backend")
    items = list(check_iterable(results, "results"))
    make: Callable[[Any], dict[str, Any]] | None = None
    kind: type | None = None
    for index, item in enumerate(items):
        if kind is None:
            for candidate, maker in _ROWS:
                if isinstance(item, candidate):
                    kind, make = candidate, maker
                    break
            else:
                raise InvalidValueError(
                    f"results[{index}]",
                    "expected a LeadScore, Assessment, AccountAssessment, Activity, "
                    f"Reactivation or StageChange, got {type(item).__name__}",
                )
        elif not isinstance(item, kind):
            raise InvalidValueError(
                f"results[{index}]",
                f"expected a {kind.__name__} like results[0], got {type(item).__name__}",
            )
    rows = [make(item) for item in items] if make is not None else []
    return table_of(rows, backend)


def table_of(rows: Sequence[dict[str, Any]], backend: Backend, columns: Sequence[str] = ()) -> Any:
    """Rows as a table of ``backend``: ``columns`` first (so a table without rows has
    them), then any other key of the rows, in order of first appearance."""
    names = list(dict.fromkeys([*columns, *(name for row in rows for name in row)]))
    data = {name: [row.get(name) for row in rows] for name in names}
    if backend == "polars":
        import polars as pl

        return pl.DataFrame(
            {name: pl.Series(name, _polars_values(values), strict=False)
             for name, values in data.items()}
        )  # fmt: skip
    import pandas as pd

    return pd.DataFrame({name: _pandas_column(values) for name, values in data.items()})


def _polars_values(values: list[Any]) -> list[Any]:
    return values


def _pandas_column(values: list[Any]) -> Any:
    """Times as ``datetime64[us, UTC]``, durations as ``timedelta64[us]``, else as given."""
    import pandas as pd

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, datetime) for v in present):
        return pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[us, UTC]")
    if present and all(isinstance(v, timedelta) for v in present):
        return pd.Series(pd.to_timedelta(values)).astype("timedelta64[us]")
    if (
        present
        and all(isinstance(v, int) and not isinstance(v, bool) for v in present)
        and (len(present) == len(values))
    ):
        return pd.Series(values, dtype="int64")
    return pd.Series(values, dtype=object if not present or None in values else None)
