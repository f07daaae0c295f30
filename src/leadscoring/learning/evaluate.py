"""How well does a model predict conversions? :func:`evaluate` and :class:`EvaluationReport`.

The report holds the AUC with a bootstrap confidence interval, conversion rate and lift by
score decile, precision and recall at the warm and hot thresholds, the conversion rate of
each temperature band (and whether hot > warm > cold holds), a score-to-probability
calibration, and :meth:`EvaluationReport.suggest_thresholds`. See ``docs/calibration.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from ..core.checks import OnUnknown, check_moment
from ..core.display import fmt, html_block, html_table, moment
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.lead import Lead
from ..core.limits import is_finite
from ..core.times import EPOCH, parse_duration
from ..model.scoring_model import ScoringModel
from ..scoring.engine import score_all
from . import metrics as _metrics
from .outcomes import Outcome, label_ids, label_leads
from .report_text import summary_text
from .thresholds import ThresholdRow, ThresholdSuggestion, suggest, threshold_row

__all__ = [
    "BandRow",
    "Calibration",
    "DecileRow",
    "EvaluationReport",
    "ScoredLead",
    "ThresholdRow",
    "ThresholdSuggestion",
    "evaluate",
    "evaluate_scores",
]

ScoreOn = Literal["total", "fit", "engagement"]


@attrs.frozen(kw_only=True)
class ScoredLead:
    """One evaluated lead: its score and whether it converted."""

    lead_id: str
    score: float
    converted: bool


@attrs.frozen(kw_only=True)
class DecileRow:
    """A tenth of the leads, best scores first (decile 1 is the top tenth).

    ``lift`` is the decile's conversion rate over the overall rate; the ``cumulative_*``
    figures cover deciles 1 to this one; ``captured`` is the share of all conversions
    found in them. Leads tied across a boundary are shared in proportion, so ``leads``
    and ``conversions`` may be fractional.
    """

    decile: int
    leads: float
    conversions: float
    rate: float
    lift: float
    cumulative_rate: float
    cumulative_lift: float
    captured: float
    mean_score: float
    min_score: float
    max_score: float


@attrs.frozen(kw_only=True)
class BandRow:
    """A temperature band: its score range ``[low, high)``, leads, conversions and rate."""

    band: str
    low: float | None
    high: float | None
    leads: int
    conversions: int
    rate: float | None


@attrs.frozen(kw_only=True)
class Calibration:
    """Score to probability: ``p = 1 / (1 + exp(-(intercept + slope * score)))``, fitted
    on the outcomes, with its Brier score and, per decile, observed vs predicted rates."""

    intercept: float
    slope: float
    brier: float
    observed: tuple[float, ...]
    predicted: tuple[float, ...]

    def probability(self, score: float) -> float:
        """The fitted chance that a lead with ``score`` converts."""
        return _metrics._sigmoid(self.intercept + self.slope * score)


def _rows(scores: list[float], labels: list[bool]) -> tuple[DecileRow, ...]:
    n, total = len(scores), sum(labels)
    base = total / n
    rows = []
    cum_leads = cum_conv = 0.0
    for d in _metrics.decile_table(scores, labels):
        cum_leads += d.leads
        cum_conv += d.conversions
        rate = d.conversions / d.leads if d.leads else 0.0
        rows.append(DecileRow(
            decile=d.decile, leads=d.leads, conversions=d.conversions, rate=rate,
            lift=rate / base, cumulative_rate=cum_conv / cum_leads if cum_leads else 0.0,
            cumulative_lift=(cum_conv / cum_leads) / base if cum_leads else 0.0,
            captured=cum_conv / total, mean_score=d.score_sum / d.leads if d.leads else 0.0,
            min_score=d.low if d.leads else math.nan, max_score=d.high if d.leads else math.nan,
        ))
    return tuple(rows)


def _bands(scores: list[float], labels: list[bool], warm: float, hot: float
           ) -> tuple[tuple[BandRow, ...], bool, str]:
    spans = (("hot", hot, None), ("warm", warm, hot), ("cold", None, warm))
    rows = []
    for band, low, high in spans:
        inside = [y for s, y in zip(scores, labels, strict=True)
                  if (low is None or s >= low) and (high is None or s < high)]
        rows.append(BandRow(band=band, low=low, high=high, leads=len(inside),
                            conversions=sum(inside),
                            rate=sum(inside) / len(inside) if inside else None))
    empty = [r.band for r in rows if r.rate is None]
    if empty:
        return tuple(rows), False, f"does not hold: no {' or '.join(empty)} leads"
    hot_rate, warm_rate, cold_rate = (r.rate or 0.0 for r in rows)
    if hot_rate > warm_rate > cold_rate:
        return tuple(rows), True, "holds"
    worse = "hot <= warm" if hot_rate <= warm_rate else "warm <= cold"
    return tuple(rows), False, f"does not hold: {worse}"


@attrs.frozen(kw_only=True)
class EvaluationReport:
    """How well scores predicted conversions; see the module docstring for each part.

    ``to_dict()`` gives plain data for tools, ``summary()`` (and ``str()``) a readable
    text, :mod:`leadscoring.plot` the figures.
    """

    model: str | None
    as_of: datetime | None
    horizon: timedelta | None
    on: str
    leads: int
    conversions: int
    base_rate: float
    excluded: int
    auc: float
    auc_ci: tuple[float, float] | None
    confidence: float
    bootstrap: int
    deciles: tuple[DecileRow, ...]
    warm: float
    hot: float
    thresholds: tuple[ThresholdRow, ...]
    temperatures: tuple[BandRow, ...]
    temperature_order_holds: bool
    temperature_order: str
    calibration: Calibration
    scores: tuple[ScoredLead, ...] = attrs.field(repr=False)
    validation: str | None = None
    """How the leads were held out (``calibrate(validation=...)``); ``None``: not said."""

    def roc_curve(self) -> list[tuple[float, float]]:
        """``(false positive rate, true positive rate)`` at every distinct score threshold."""
        return _metrics.roc_points([s.score for s in self.scores],
                                   [s.converted for s in self.scores])

    def suggest_thresholds(
        self,
        *,
        hot_share: float | None = None,
        hot_precision: float | None = None,
        warm_share: float | None = None,
        warm_precision: float | None = None,
    ) -> ThresholdSuggestion:
        """Warm and hot thresholds that meet a target on these leads.

        ``*_share``: at most this share of leads at or above the threshold (how many sales
        can call); ``*_precision``: at least this conversion rate among them. The lowest
        score meeting every target given for a band is chosen (reaching the most leads).
        Without targets: ``hot_share=0.1``, ``warm_share=0.3``. Warm is always below hot.
        Raises :class:`~leadscoring.InvalidValueError` when no score meets a target.
        """
        return suggest([s.score for s in self.scores], [s.converted for s in self.scores],
                       hot_share=hot_share, hot_precision=hot_precision,
                       warm_share=warm_share, warm_precision=warm_precision)

    def summary(self) -> str:
        """A readable text: AUC, deciles, temperature bands, thresholds, calibration."""
        return summary_text(self)

    def _title(self) -> str:
        name = self.model or "scores"
        when = f" at {moment(self.as_of)} UTC" if self.as_of else ""
        return f"{name}{when}: {self.leads} leads, {self.conversions} converted"

    def __repr__(self) -> str:
        """A one-line summary; :meth:`summary` (or ``str()``) has the tables."""
        ci = f", auc_ci=({fmt(self.auc_ci[0])}, {fmt(self.auc_ci[1])})" if self.auc_ci else ""
        return (
            f"EvaluationReport(model={self.model!r}, as_of={moment(self.as_of) or None!r}, "
            f"leads={self.leads}, conversions={self.conversions}, auc={self.auc:.3f}{ci})"
        )

    def _repr_html_(self) -> str:
        """AUC, deciles and temperature bands as HTML (notebooks)."""
        ci = (
            f" ({self.confidence:.0%} interval {self.auc_ci[0]:.3f}-{self.auc_ci[1]:.3f})"
            if self.auc_ci else ""
        )
        lines = [f"AUC {self.auc:.3f}{ci}; base rate {self.base_rate:.1%}; "
                 f"warm {fmt(self.warm)}, hot {fmt(self.hot)}"]
        deciles = html_table(
            ("decile", "leads", "converted", "rate", "lift", "captured", "scores"),
            [(d.decile, fmt(d.leads), fmt(d.conversions), f"{d.rate:.1%}", fmt(d.lift),
              f"{d.captured:.0%}", f"{fmt(d.min_score)}-{fmt(d.max_score)}")
             for d in self.deciles],
            numeric=(0, 1, 2, 3, 4, 5),
        )
        bands = html_table(
            ("temperature", "from", "below", "leads", "converted", "rate"),
            [(b.band, fmt(b.low), fmt(b.high), b.leads, b.conversions,
              "" if b.rate is None else f"{b.rate:.1%}") for b in self.temperatures],
            numeric=(1, 2, 3, 4, 5),
        )
        return html_block(self._title(), lines, [deciles, bands])

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self, *, include_scores: bool = False) -> dict[str, Any]:
        """Plain data (JSON-able); ``include_scores`` adds every lead's score and outcome."""
        out: dict[str, Any] = {
            "model": self.model,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "horizon_days": self.horizon.total_seconds() / 86400 if self.horizon else None,
            "on": self.on,
            "leads": self.leads,
            "conversions": self.conversions,
            "base_rate": self.base_rate,
            "excluded": self.excluded,
            "auc": self.auc,
            "auc_ci": list(self.auc_ci) if self.auc_ci else None,
            "confidence": self.confidence,
            "bootstrap": self.bootstrap,
            "deciles": [attrs.asdict(d) for d in self.deciles],
            "warm": self.warm,
            "hot": self.hot,
            "thresholds": [attrs.asdict(t) for t in self.thresholds],
            "temperatures": [attrs.asdict(b) for b in self.temperatures],
            "temperature_order_holds": self.temperature_order_holds,
            "temperature_order": self.temperature_order,
            "calibration": attrs.asdict(self.calibration),
            "validation": self.validation,
        }
        for row in out["deciles"]:
            for key in ("min_score", "max_score"):
                if isinstance(row[key], float) and math.isnan(row[key]):
                    row[key] = None
        if include_scores:
            out["scores"] = [attrs.asdict(s) for s in self.scores]
        return out


def _thresholds(warm: float | None, hot: float | None, classifier: object | None
                ) -> tuple[float, float]:
    """Explicit ``warm``/``hot`` win, then the classifier's, then 30 and 60."""
    if classifier is not None and (warm is None or hot is None):
        if getattr(classifier, "basis", "points") != "points":
            raise InvalidValueError("classifier", "percentile thresholds cannot be evaluated; "
                                    "pass warm= and hot= in points")
        warm = getattr(classifier, "warm", None) if warm is None else warm
        hot = getattr(classifier, "hot", None) if hot is None else hot
    warm = 30 if warm is None else warm
    hot = 60 if hot is None else hot
    for field, value in (("warm", warm), ("hot", hot)):
        if not _finite(value):
            raise InvalidValueError(field, f"must be a finite number, got {value!r}")
    if warm >= hot:
        raise InvalidValueError("warm", f"must be below hot ({hot!r}), got {warm!r}")
    return float(warm), float(hot)


def _finite(value: object) -> bool:
    return is_finite(value)  # a number (not a bool) within float range: never overflows


def _check(bootstrap: object, confidence: object) -> None:
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise InvalidValueError("bootstrap", f"must be a whole number >= 0, got {bootstrap!r}")
    if not isinstance(confidence, float | int) or not 0 < confidence < 1:
        raise InvalidValueError("confidence", f"must be between 0 and 1, got {confidence!r}")


def evaluate_scores(
    scores: Mapping[str, float],
    outcomes: Mapping[str, Outcome],
    *,
    as_of: datetime | str | None = None,
    horizon: timedelta | str | None = None,
    warm: float | None = None,
    hot: float | None = None,
    classifier: object | None = None,
    bootstrap: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    model: str | None = None,
    on: str = "total",
) -> EvaluationReport:
    """Evaluate ready-made scores (lead id -> score), from this library or any other.

    ``outcomes`` work as in :func:`evaluate`; scores must be finite numbers.

    >>> r = evaluate_scores({"a": 1, "b": 2, "c": 2, "d": 3},
    ...                     {"a": False, "b": False, "c": True, "d": True}, bootstrap=0)
    >>> r.auc
    0.875
    """
    _check(bootstrap, confidence)
    warm, hot = _thresholds(warm, hot, classifier)
    moment = None if as_of is None else check_moment(as_of)
    span = None if horizon is None else parse_duration(horizon, "horizon")
    if not isinstance(scores, Mapping):
        raise InvalidValueError("scores", f"expected a mapping of lead id to score, got {scores!r}")
    for lead_id, value in scores.items():
        if not _finite(value):
            raise InvalidValueError(
                f"scores[{lead_id!r}]", f"must be a finite number, got {value!r}"
            )
    found = label_ids(list(scores), outcomes, as_of=moment, horizon=horizon)
    values = [float(scores[i]) for i in found.ids]
    labels = list(found.labels)
    n, total = len(values), sum(labels)
    interval = None
    if bootstrap:
        interval = _metrics.bootstrap_auc(values, labels, rounds=bootstrap,
                                          confidence=confidence, seed=seed)
    deciles = _rows(values, labels)
    temps, holds, order = _bands(values, labels, warm, hot)
    a, b = _metrics.fit_probability(values, labels)
    probs = [_metrics._sigmoid(a + b * s) for s in values]
    brier = math.fsum((p - y) ** 2 for p, y in zip(probs, labels, strict=True)) / n
    predicted = tuple(_metrics._sigmoid(a + b * d.mean_score) for d in deciles)
    return EvaluationReport(
        model=model, as_of=moment, horizon=span if isinstance(span, timedelta) else None, on=on,
        leads=n, conversions=total, base_rate=total / n, excluded=len(found.excluded),
        auc=_metrics.auc(values, labels), auc_ci=interval, confidence=float(confidence),
        bootstrap=bootstrap, deciles=deciles, warm=warm, hot=hot,
        thresholds=(threshold_row("warm", warm, values, labels),
                    threshold_row("hot", hot, values, labels)),
        temperatures=temps, temperature_order_holds=holds, temperature_order=order,
        calibration=Calibration(intercept=a, slope=b, brier=brier,
                                observed=tuple(d.rate for d in deciles), predicted=predicted),
        scores=tuple(ScoredLead(lead_id=i, score=s, converted=y)
                     for i, s, y in zip(found.ids, values, labels, strict=True)),
    )


def evaluate(
    model: ScoringModel,
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    events: Iterable[Event] = (),
    *,
    as_of: datetime | str | None = None,
    horizon: timedelta | str | None = None,
    warm: float | None = None,
    hot: float | None = None,
    classifier: object | None = None,
    on: ScoreOn | None = None,
    bootstrap: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    on_unknown: OnUnknown = "raise",
) -> EvaluationReport:
    """Score ``leads`` with ``model`` at ``as_of`` and compare with what happened.

    ``outcomes`` maps lead id to ``True``/``False`` or the conversion moment (then a lead
    counts as converted within ``horizon`` after ``as_of``; leads converted by ``as_of``
    are left out); a lead missing from it did not convert. The bands come from ``warm``
    and ``hot``, else from ``classifier`` (anything with ``.warm`` and ``.hot``, such as a
    ``TemperatureClassifier``), else from ``model.temperature``, else 30 and 60; ``on``
    picks the total, fit or engagement score (default: the classifier's). ``bootstrap`` rounds
    (0: none) give the AUC interval at ``confidence``, reproducibly from ``seed``.

    ``as_of`` may be left out when no times are involved: no events and outcomes given as
    ``True``/``False`` (only the attribute rules then count, as for a lead table such as
    :func:`~leadscoring.read_lead_table` gives). With events or conversion moments it is
    required, and its absence raises :class:`~leadscoring.InvalidValueError` saying so.
    """
    if classifier is None:
        classifier = getattr(model, "temperature", None)
    if on is None:
        on = getattr(classifier, "on", "total") if classifier is not None else "total"
    if on not in ("total", "fit", "engagement"):
        raise InvalidValueError("on", f"must be 'total', 'fit' or 'engagement', got {on!r}")
    events = list(events)
    if as_of is None and events:
        raise InvalidValueError(
            "as_of",
            f"{len(events)} event(s) are given, and event points decay with time; pass the "
            "moment to score at (e.g. as_of='2026-06-30T00:00:00Z')",
        )
    moment = None if as_of is None else check_moment(as_of)
    leads = list(leads)
    found = label_leads(leads, outcomes, as_of=moment, horizon=horizon)
    wanted = set(found.ids)
    at = EPOCH if moment is None else moment  # no events: the moment changes no score
    scores = {
        r.lead_id: {"total": r.total, "fit": r.fit, "engagement": r.engagement}[on]
        for r in score_all(leads, events, model, as_of=at, on_unknown=on_unknown)
        if r.lead_id in wanted
    }
    kept = {lead_id: outcomes[lead_id] for lead_id in scores if lead_id in outcomes}
    report = evaluate_scores(scores, kept, as_of=moment, horizon=horizon, warm=warm, hot=hot,
                             classifier=classifier, bootstrap=bootstrap, confidence=confidence,
                             seed=seed, model=model.name, on=on)
    return attrs.evolve(report, excluded=len(found.excluded))
