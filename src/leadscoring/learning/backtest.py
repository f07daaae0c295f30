"""Backtests: score leads as they stood at past moments and compare with what followed.

:func:`backtest` (objects) and :func:`backtest_frame` (tables) score every lead as of each
moment ``at`` with only what was known then, label a lead positive when it converted
within ``(at, at + horizon]``, and give an :class:`~leadscoring.EvaluationReport` per
moment plus a :class:`BacktestReport` summary across the moments. See
``docs/calibration.md``, "Backtests and time-ordered validation".

What "known at ``at``" means, for every moment:

- events after ``at`` are dropped before scoring;
- a lead whose ``status_changed_at`` is after ``at`` is seen as an ``OPEN`` lead with no
  status change (its later win or loss is not known yet); a status without a
  ``status_changed_at`` cannot be dated and is kept as given;
- the leads are the ones given, at every moment, or with ``seen_only=True`` those with
  an event at or before ``at`` (a lead first seen later did not exist yet); which leads
  exist is never read off later events, which would leak them;
- outcomes are never shown to the model: they only label the leads, and leads that had
  already converted by ``at`` are excluded (counted in each report's ``excluded``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from ..core.checks import (
    FrameIds,
    OnUnknown,
    check_events,
    check_iterable,
    check_leads,
    check_moment,
)
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.lead import Lead, LeadStatus
from ..model.scoring_model import ScoringModel
from .evaluate import EvaluationReport, ScoreOn, evaluate, evaluate_scores
from .outcomes import Outcome, label_ids
from .outcomes import _horizon as positive_horizon
from .report_text import table

__all__ = ["BacktestReport", "BacktestSpread", "backtest", "backtest_frame", "lead_as_of"]


@attrs.frozen(kw_only=True)
class BacktestSpread:
    """One figure across the backtest's moments: mean, lowest, highest, standard deviation.

    ``moments`` counts the moments the figure exists at (a temperature band with no
    leads at a moment has no conversion rate there); with none, every figure is ``None``.
    """

    mean: float | None
    low: float | None
    high: float | None
    std: float | None
    moments: int

    @classmethod
    def of(cls, values: Iterable[float | None]) -> BacktestSpread:
        """The spread of the values that are not ``None`` (population standard deviation).

        >>> BacktestSpread.of([0.6, None, 0.8]).mean
        0.7
        """
        found = [v for v in values if v is not None]
        if not found:
            return cls(mean=None, low=None, high=None, std=None, moments=0)
        mean = math.fsum(found) / len(found)
        std = math.sqrt(math.fsum((v - mean) ** 2 for v in found) / len(found))
        return cls(mean=mean, low=min(found), high=max(found), std=std, moments=len(found))


@attrs.frozen(kw_only=True)
class BacktestReport:
    """A backtest: one :class:`~leadscoring.EvaluationReport` per moment and their spread.

    ``auc`` is the AUC's spread across moments, ``lift`` the top decile's lift, and
    ``hot_rate`` / ``warm_rate`` / ``cold_rate`` each temperature band's conversion rate.
    ``to_dict()`` gives plain data, ``summary()`` (and ``str()``) a readable table.
    """

    model: str | None
    horizon: timedelta
    moments: tuple[datetime, ...]
    reports: tuple[EvaluationReport, ...] = attrs.field(repr=False)
    auc: BacktestSpread
    lift: BacktestSpread
    hot_rate: BacktestSpread
    warm_rate: BacktestSpread
    cold_rate: BacktestSpread

    @classmethod
    def of(cls, reports: Sequence[EvaluationReport], horizon: timedelta) -> BacktestReport:
        """Summarise per-moment reports (in moment order)."""

        def band(report: EvaluationReport, name: str) -> float | None:
            return next(b.rate for b in report.temperatures if b.band == name)

        return cls(
            model=reports[0].model, horizon=horizon,
            moments=tuple(r.as_of for r in reports if r.as_of is not None),
            reports=tuple(reports),
            auc=BacktestSpread.of(r.auc for r in reports),
            lift=BacktestSpread.of(r.deciles[0].lift for r in reports),
            hot_rate=BacktestSpread.of(band(r, "hot") for r in reports),
            warm_rate=BacktestSpread.of(band(r, "warm") for r in reports),
            cold_rate=BacktestSpread.of(band(r, "cold") for r in reports),
        )

    def to_dict(self, *, include_scores: bool = False) -> dict[str, Any]:
        """Plain data (JSON-able); ``include_scores`` adds every lead's score per moment."""
        return {
            "model": self.model,
            "horizon_days": self.horizon.total_seconds() / 86400,
            "moments": [m.isoformat() for m in self.moments],
            "auc": attrs.asdict(self.auc),
            "lift": attrs.asdict(self.lift),
            "hot_rate": attrs.asdict(self.hot_rate),
            "warm_rate": attrs.asdict(self.warm_rate),
            "cold_rate": attrs.asdict(self.cold_rate),
            "reports": [r.to_dict(include_scores=include_scores) for r in self.reports],
        }

    def summary(self) -> str:
        """One line per moment (leads, conversions, AUC, lift, band rates), then the spread."""
        days = self.horizon.total_seconds() / 86400
        head = (f"Backtest of {f'model {self.model!r}' if self.model else 'scores'} at "
                f"{len(self.moments)} moment(s), converting within {days:g} days")

        def pct(x: float | None) -> str:
            return "-" if x is None else f"{x:.1%}"

        def num(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        rows = [("as of", "leads", "converted", "AUC", "top-10% lift", "hot", "warm", "cold")]
        for r in self.reports:
            rates = {b.band: b.rate for b in r.temperatures}
            rows.append((f"{r.as_of:%Y-%m-%d}" if r.as_of else "-", str(r.leads),
                         str(r.conversions), num(r.auc), f"{r.deciles[0].lift:.2f}",
                         pct(rates["hot"]), pct(rates["warm"]), pct(rates["cold"])))
        for label, pick in (("mean", "mean"), ("low", "low"), ("high", "high")):
            spreads = (self.auc, self.lift, self.hot_rate, self.warm_rate, self.cold_rate)
            a, li, h, w, c = (getattr(s, pick) for s in spreads)
            rows.append((label, "", "", num(a), "-" if li is None else f"{li:.2f}",
                         pct(h), pct(w), pct(c)))
        return "\n".join([head, "", *table(rows, [False] + [True] * 7)])

    def __str__(self) -> str:
        return self.summary()


def lead_as_of(lead: Lead, at: datetime) -> Lead:
    """``lead`` as it stood at ``at``: a status changed after ``at`` reads as ``OPEN``.

    >>> from datetime import UTC, datetime
    >>> won = Lead(id="L1", status="won", status_changed_at="2026-05-01T00:00:00Z")
    >>> lead_as_of(won, datetime(2026, 4, 1, tzinfo=UTC)).status
    <LeadStatus.OPEN: 'open'>
    """
    if lead.status_changed_at is not None and lead.status_changed_at > at:
        return attrs.evolve(lead, status=LeadStatus.OPEN, status_changed_at=None)
    return lead


def _moments(at: object) -> list[datetime]:
    """One moment or several, checked, sorted, without repeats."""
    items = [at] if isinstance(at, datetime | str) else list(check_iterable(at, "at"))
    if not items:
        raise InvalidValueError("at", "give at least one moment to backtest at")
    return sorted({check_moment(item, f"at[{k}]" if len(items) > 1 else "at")
                   for k, item in enumerate(items)})


def _horizon(value: object) -> timedelta:
    if value is None:
        raise InvalidValueError("horizon", "a backtest needs a horizon, e.g. horizon='90d'")
    if not isinstance(value, timedelta | str):
        raise InvalidValueError(
            "horizon", f"must be a positive fixed duration such as '90d', got {value!r}"
        )
    span = positive_horizon(value)
    if span is None:  # pragma: no cover - only a horizon of None gives None
        raise InvalidValueError("horizon", "give a positive fixed duration such as '90d'")
    return span


def _flag(seen_only: object) -> None:
    if not isinstance(seen_only, bool):
        raise InvalidValueError("seen_only", f"must be True or False, got {seen_only!r}")


def _outcomes(outcomes: object) -> dict[str, datetime | None]:
    """Conversion moments only: a yes/no outcome cannot say when, so it could leak."""
    if not isinstance(outcomes, Mapping):
        raise InvalidValueError(
            "outcomes", f"expected a mapping of lead id to conversion moment, got "
            f"{type(outcomes).__name__}"
        )
    found: dict[str, datetime | None] = {}
    for lead_id, value in outcomes.items():
        if value is None or value is False or (type(value) is int and value == 0):
            found[str(lead_id)] = None
        elif isinstance(value, datetime | str):
            found[str(lead_id)] = check_moment(value, f"outcomes[{lead_id!r}]")
        else:
            raise InvalidValueError(
                f"outcomes[{lead_id!r}]",
                f"a backtest needs the moment each lead converted (or None/False for never), "
                f"got {value!r}; True cannot say whether it converted before or after 'at'",
            )
    return found


def _labelled_at(ids: Sequence[str], outcomes: Mapping[str, datetime | None], at: datetime,
                 horizon: timedelta) -> dict[str, Outcome]:
    """The outcomes of ``ids``, checked at ``at`` (an error names the moment)."""
    mine: dict[str, Outcome] = {i: outcomes[i] for i in ids if outcomes.get(i) is not None}
    try:
        label_ids(list(ids), mine, as_of=at, horizon=horizon)
    except InvalidValueError as exc:
        raise InvalidValueError(
            "at", f"at {at.isoformat()}: {exc}; choose moments with both converting and "
            "not-converting leads within the horizon"
        ) from None
    return mine


def _unknown_outcomes(outcomes: Mapping[str, object], known: set[str]) -> None:
    unknown = sorted(k for k in outcomes if k not in known)
    if unknown:
        shown = ", ".join(repr(k) for k in unknown[:5])
        raise InvalidValueError(
            "outcomes", f"{len(unknown)} outcome(s) name lead ids that are not among the "
            f"leads: {shown}"
        )


def backtest(
    leads: Iterable[Lead],
    events: Iterable[Event],
    outcomes: Mapping[str, Outcome],
    model: ScoringModel,
    *,
    at: datetime | str | Iterable[datetime | str],
    horizon: timedelta | str,
    warm: float | None = None,
    hot: float | None = None,
    classifier: object | None = None,
    on: ScoreOn | None = None,
    bootstrap: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    on_unknown: OnUnknown = "raise",
    seen_only: bool = False,
) -> BacktestReport:
    """Score every lead as of each moment ``at`` and compare with what followed.

    ``outcomes`` maps lead id to the moment it converted (``None``/``False``, or a lead
    missing from it: never). A lead is positive at ``at`` when it converted within
    ``(at, at + horizon]``; leads that had already converted by ``at`` are excluded.
    Only what was known at ``at`` is scored (see the module docstring): later events are
    dropped and later status changes undone. ``seen_only=True`` leaves out, at each
    moment, the leads with no event by then (use it when leads enter the data with their
    first event). The other arguments work as in :func:`~leadscoring.evaluate`.

    Raises :class:`~leadscoring.InvalidValueError` for yes/no outcomes (they cannot be
    placed in time), a missing horizon, and a moment where nobody (or everybody)
    converted within the horizon.

    >>> from datetime import UTC, datetime
    >>> from leadscoring import AttributeRule, ScoringModel
    >>> model = ScoringModel(name="m", rules=[
    ...     AttributeRule(name="pro", when={"plan": "pro"}, points=40)])
    >>> leads = [Lead(id=f"L{k}", attributes={"plan": "pro" if k < 2 else "free"})
    ...          for k in range(4)]
    >>> won = {"L0": "2026-02-10T00:00:00Z", "L2": "2026-05-10T00:00:00Z"}
    >>> result = backtest(leads, [], won, model, at=["2026-02-01T00:00:00Z",
    ...                   "2026-05-01T00:00:00Z"], horizon="30d", bootstrap=0)
    >>> [round(r.auc, 3) for r in result.reports], round(result.auc.mean, 3)
    ([0.833, 0.25], 0.542)

    (On 1 February L0 converts within 30 days and outscores two of the three others,
    ties L1: 2.5 / 3. On 1 May L0 has converted already and is excluded; L2 converts,
    loses to L1 and ties L3: 0.5 / 2.)
    """
    moments = _moments(at)
    span = _horizon(horizon)
    _flag(seen_only)
    leads = check_leads(leads)
    events = check_events(events)
    found = _outcomes(outcomes)
    _unknown_outcomes(found, {lead.id for lead in leads})
    reports = []
    for moment in moments:
        seen = [e for e in events if e.at <= moment]
        active = {e.lead_id for e in seen}
        known = [lead_as_of(lead, moment) for lead in leads
                 if not seen_only or lead.id in active]
        labels = _labelled_at([lead.id for lead in known], found, moment, span)
        reports.append(evaluate(
            model, known, labels, seen, as_of=moment, horizon=span, warm=warm, hot=hot,
            classifier=classifier, on=on, bootstrap=bootstrap, confidence=confidence, seed=seed,
            on_unknown=on_unknown,
        ))
    return BacktestReport.of(reports, span)


def backtest_frame(
    events_df: Any,
    outcomes_df: Any,
    model: ScoringModel,
    *,
    at: datetime | str | Iterable[datetime | str],
    horizon: timedelta | str,
    leads_df: Any,
    warm: float | None = None,
    hot: float | None = None,
    classifier: object | None = None,
    on: ScoreOn | None = None,
    bootstrap: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    on_unknown: OnUnknown = "raise",
    seen_only: bool = False,
    ids: FrameIds = "check",
) -> BacktestReport:
    """:func:`backtest` on tables, scored by :func:`~leadscoring.score_frame`.

    ``events_df`` and ``leads_df`` are the tables :func:`~leadscoring.score_frame` takes
    (pandas or polars); ``outcomes_df`` has the columns ``lead_id`` and ``converted_at``
    (timezone-aware; null: never converted), or is a mapping as for :func:`backtest`.
    ``leads_df`` is required: the leads are its rows at every moment (read off the
    events, they would depend on events after ``at``). The figures equal
    :func:`backtest` on the same leads, events and outcomes (to floating-point rounding).
    ``ids`` (``"check"``, ``"unique"`` or ``"absent"``) says what the ``id`` column of
    ``events_df`` promises, as for :func:`~leadscoring.score_frame` (``"unique"`` saves
    looking for repeated ids at every moment).
    """
    import narwhals as nw

    from ..core.times import from_us
    from ..model.scoring_model import check_model
    from ..scoring.compiled import compile_model
    from ..scoring.frame import FrameInput, frame_scores
    from ..scoring.frame_columns import Table

    model = check_model(model)
    moments = _moments(at)
    span = _horizon(horizon)
    _flag(seen_only)
    if isinstance(outcomes_df, Mapping):
        found = _outcomes(outcomes_df)
    else:
        table_ = Table(outcomes_df, "outcomes_df")
        table_.require("lead_id", "converted_at")
        stamps, nulls = table_.times("converted_at", required=False)
        named = nw.from_native(outcomes_df, eager_only=True)["lead_id"].to_list()
        found = {str(i): None if bool(nulls[k]) else from_us(int(stamps[k]))
                 for k, i in enumerate(named)}
    compiled = compile_model(model)
    reports = []
    for moment in moments:
        leads_now = _leads_frame_as_of(leads_df, moment)
        frame = FrameInput(events_df, leads_now, moment, on_unknown, ids=ids)
        if moment is moments[0]:
            _unknown_outcomes(found, {str(i) for i in frame.lead_ids})
        out = frame_scores(frame, compiled)
        column = _score_column(model, classifier, on)
        active = _active(frame) if seen_only else None
        scores = {str(i): float(out[column][k]) for k, i in enumerate(frame.lead_ids)
                  if active is None or active[k]}
        labels = _labelled_at(list(scores), found, moment, span)
        report = evaluate_scores(
            scores, labels, as_of=moment, horizon=span, warm=warm, hot=hot,
            classifier=classifier if classifier is not None else model.temperature,
            bootstrap=bootstrap, confidence=confidence, seed=seed, model=model.name, on=column,
        )
        reports.append(report)
    return BacktestReport.of(reports, span)


def _score_column(model: ScoringModel, classifier: object | None, on: object) -> str:
    """The score evaluated, chosen as :func:`~leadscoring.evaluate` chooses it."""
    if classifier is None:
        classifier = model.temperature
    if on is None:
        on = getattr(classifier, "on", "total") if classifier is not None else "total"
    if on not in ("total", "fit", "engagement"):
        raise InvalidValueError("on", f"must be 'total', 'fit' or 'engagement', got {on!r}")
    return str(on)


def _active(frame: Any) -> list[bool]:
    """Per lead of ``frame``: has an event counted at its moment."""
    import numpy as np

    counts = np.bincount(frame.lead_of[frame.rows], minlength=len(frame.lead_ids))
    return [bool(c) for c in counts]


def _leads_frame_as_of(leads_df: Any, moment: datetime) -> Any:
    """``leads_df`` with statuses changed after ``moment`` read as open (as :func:`lead_as_of`)."""
    import narwhals as nw

    frame = nw.from_native(leads_df, eager_only=True)
    if "status_changed_at" not in frame.columns:
        return leads_df
    dtype = frame.schema["status_changed_at"]
    later = ~nw.col("status_changed_at").is_null() & (nw.col("status_changed_at") > moment)
    updates = [nw.when(later).then(nw.lit(None, dtype=dtype))
               .otherwise(nw.col("status_changed_at")).alias("status_changed_at")]
    if "status" in frame.columns:
        updates.append(nw.when(later).then(nw.lit(LeadStatus.OPEN.value))
                       .otherwise(nw.col("status")).alias("status"))
    return frame.with_columns(*updates).to_native()
