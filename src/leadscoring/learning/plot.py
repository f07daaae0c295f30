"""Figures of an :class:`~leadscoring.EvaluationReport` (needs the ``plot`` extra).

``pip install "leadscoring[plot]"`` installs matplotlib; it is imported only when a
function here is called, so the rest of leadscoring never needs it::

    from leadscoring.plot import plot_report
    fig = plot_report(report)          # ROC, lift by decile, conversion by band
    fig.savefig("evaluation.png")

Each ``plot_*`` function draws on ``ax`` (a matplotlib ``Axes``) when given, else on a
new figure, and returns the ``Axes``. Every plot is titled with what it shows, the model's
name and the moment (``as_of``), so the figures of two models never look the same.

Beside the evaluation plots (ROC, lift, temperature bands, gains, reliability, precision
and recall by threshold) there are three of the leads themselves: one lead's score over
time with its events marked (:func:`plot_timeline`), the temperature or journey stage
distribution over time (:func:`plot_stages`) and the dormancy overview
(:func:`plot_dormancy`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from ..core.checks import check_lead, check_moment
from ..core.errors import InvalidValueError

if TYPE_CHECKING:
    from ..core.aliases import Timestamp
    from ..core.event import Event
    from ..core.lead import Lead
    from ..model.scoring_model import ScoringModel
    from ..signals.dormancy import DormancyPolicy
    from .evaluate import EvaluationReport

__all__ = [
    "plot_bands",
    "plot_dormancy",
    "plot_gains",
    "plot_lift",
    "plot_precision_recall",
    "plot_reliability",
    "plot_report",
    "plot_roc",
    "plot_stages",
    "plot_timeline",
]


def _title(what: str, model: str | None, as_of: datetime | None) -> str:
    """``"ROC: b2b-default at 2026-06-30"``: what, the model's name and the moment."""
    parts = [p for p in (model, f"at {as_of:%Y-%m-%d}" if as_of else None) if p]
    return f"{what}: {' '.join(parts)}" if parts else what


def _report_title(what: str, report: EvaluationReport) -> str:
    return _title(what, report.model, report.as_of)


def _percent(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0))


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plotting needs matplotlib: pip install 'leadscoring[plot]'"
        ) from exc
    return plt


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    _, new = _pyplot().subplots()
    return new


def plot_roc(report: EvaluationReport, ax: Any = None) -> Any:
    """The ROC curve, with the AUC (and its interval) in the legend."""
    ax = _axes(ax)
    points = report.roc_curve()
    label = f"AUC {report.auc:.3f}"
    if report.auc_ci:
        label += f" ({report.auc_ci[0]:.3f}-{report.auc_ci[1]:.3f})"
    ax.plot([p[0] for p in points], [p[1] for p in points], label=label)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8, label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate (recall)")
    ax.set_title(_report_title("ROC", report))
    ax.legend(loc="lower right")
    return ax


def plot_lift(report: EvaluationReport, ax: Any = None) -> Any:
    """Lift by score decile (bars) and cumulative lift (line); 1 is the overall rate."""
    ax = _axes(ax)
    deciles = [d.decile for d in report.deciles]
    ax.bar(deciles, [d.lift for d in report.deciles], label="lift")
    ax.plot(deciles, [d.cumulative_lift for d in report.deciles], marker="o", color="black",
            label="cumulative lift")
    ax.axhline(1.0, linestyle="--", color="grey", linewidth=0.8)
    ax.set_xticks(deciles)
    ax.set_xlabel("score decile (1 = best)")
    ax.set_ylabel("lift")
    ax.set_title(_report_title("Lift by decile", report))
    ax.legend(loc="upper right")
    return ax


def plot_bands(report: EvaluationReport, ax: Any = None) -> Any:
    """Conversion rate by temperature band (cold, warm, hot): each bar labelled with its
    rate and lead count, the band's score range under it, the overall rate as a line."""
    ax = _axes(ax)
    rows = list(reversed(report.temperatures))  # cold, warm, hot
    rates = [r.rate or 0.0 for r in rows]
    names = [
        f"cold\n< {report.warm:g}", f"warm\n{report.warm:g} to < {report.hot:g}",
        f"hot\n>= {report.hot:g}",
    ]
    bars = ax.bar(names, rates, color=["#6baed6", "#fdae6b", "#e6550d"])
    for bar, r in zip(bars, rows, strict=True):
        text = "no leads" if r.rate is None else f"{r.rate:.0%} of {r.leads} leads"
        ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.axhline(report.base_rate, linestyle="--", color="grey", linewidth=0.8,
               label=f"overall {report.base_rate:.0%}")
    ax.set_ylim(0, 1.05)
    _percent(ax.yaxis)
    ax.set_xlabel("temperature (score range)")
    ax.set_ylabel("conversion rate")
    ax.set_title(_report_title("Conversion by temperature", report))
    ax.legend(loc="upper left")
    return ax


def _ranked(report: EvaluationReport) -> list[tuple[float, bool]]:
    return sorted(((s.score, s.converted) for s in report.scores), key=lambda x: -x[0])


def plot_gains(report: EvaluationReport, ax: Any = None) -> Any:
    """Cumulative gains: the share of conversions found against the share of leads
    contacted, best scores first, beside chance and a perfect ranking. Leads tied on a
    score are taken together (one step per distinct score)."""
    ax = _axes(ax)
    ranked = _ranked(report)
    n, total = len(ranked), sum(y for _, y in ranked) or 1
    xs, ys = [0.0], [0.0]
    found = 0
    for index, (score, converted) in enumerate(ranked):
        found += converted
        if index + 1 == n or ranked[index + 1][0] != score:
            xs.append((index + 1) / n)
            ys.append(found / total)
    ax.plot(xs, ys, label="model")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8, label="chance")
    share = total / n
    ax.plot([0, share, 1], [0, 1, 1], linestyle=":", color="black", linewidth=0.8,
            label="perfect")
    _percent(ax.xaxis)
    _percent(ax.yaxis)
    ax.set_xlabel("leads contacted (best scores first)")
    ax.set_ylabel("conversions found")
    ax.set_title(_report_title("Cumulative gains", report))
    ax.legend(loc="lower right")
    return ax


def plot_reliability(report: EvaluationReport, ax: Any = None) -> Any:
    """Calibration (reliability): the observed conversion rate of each score decile
    against the rate the fitted score-to-probability curve predicts for it."""
    ax = _axes(ax)
    cal = report.calibration
    ax.plot(cal.predicted, cal.observed, marker="o", label=f"deciles (Brier {cal.brier:.3f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8, label="perfect")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _percent(ax.xaxis)
    _percent(ax.yaxis)
    ax.set_xlabel("predicted conversion rate")
    ax.set_ylabel("observed conversion rate")
    ax.set_title(_report_title("Reliability", report))
    ax.legend(loc="upper left")
    return ax


def plot_precision_recall(report: EvaluationReport, ax: Any = None) -> Any:
    """Precision (conversion rate of the leads at or above a threshold) and recall (their
    share of all conversions) by score threshold, with the warm and hot thresholds."""
    ax = _axes(ax)
    ranked = _ranked(report)
    total = sum(y for _, y in ranked) or 1
    thresholds, precision, recall = [], [], []
    found = 0
    for index, (score, converted) in enumerate(ranked):
        found += converted
        if index + 1 == len(ranked) or ranked[index + 1][0] != score:
            thresholds.append(score)
            precision.append(found / (index + 1))
            recall.append(found / total)
    ax.plot(thresholds, precision, label="precision")
    ax.plot(thresholds, recall, label="recall")
    for name, value, color in (("warm", report.warm, "#fdae6b"), ("hot", report.hot, "#e6550d")):
        ax.axvline(value, linestyle="--", color=color, linewidth=1.0, label=f"{name} {value:g}")
    ax.set_ylim(0, 1.05)
    _percent(ax.yaxis)
    ax.set_xlabel("score threshold (leads at or above it)")
    ax.set_ylabel("share")
    ax.set_title(_report_title("Precision and recall by threshold", report))
    ax.legend(loc="best")
    return ax


def plot_report(report: EvaluationReport) -> Any:
    """A figure with ROC, lift and temperature bands side by side, titled with the model
    and ``as_of``; returns the matplotlib ``Figure``."""
    fig, axes = _pyplot().subplots(1, 3, figsize=(15, 4.5))
    plot_roc(report, axes[0])
    plot_lift(report, axes[1])
    plot_bands(report, axes[2])
    fig.suptitle(_report_title("Evaluation", report))
    fig.tight_layout()
    return fig


def plot_timeline(
    lead: Lead,
    events: Iterable[Event],
    model: ScoringModel,
    *,
    start: Timestamp,
    end: Timestamp,
    every: timedelta | str = timedelta(days=1),
    ax: Any = None,
) -> Any:
    """One lead's total, fit and engagement from ``start`` to ``end`` (one point
    ``every``), with each of its events marked at the bottom by type."""
    from ..scoring.engine import timeline

    lead = check_lead(lead)
    own = [e for e in events if e.lead_id == lead.id]
    scores = timeline(lead, own, model, start=start, end=end, every=every)
    ax = _axes(ax)
    moments = [s.as_of for s in scores]
    ax.plot(moments, [s.total for s in scores], label="total")
    ax.plot(moments, [s.fit for s in scores], linestyle=":", label="fit")
    ax.plot(moments, [s.engagement for s in scores], linestyle="--", label="engagement")
    first, last = check_moment(start, "start"), check_moment(end, "end")
    shown = [e for e in own if first <= e.at <= last]
    for kind in sorted({e.type for e in shown}):
        times = [e.at for e in shown if e.type == kind]
        ax.plot(times, [0] * len(times), linestyle="none", marker="|", markersize=14,
                label=f"{kind} ({len(times)})")
    ax.set_xlabel("time (UTC)")
    ax.set_ylabel("points")
    ax.set_title(_title(f"Lead {lead.id} over time", model.name, last))
    ax.legend(loc="upper left", fontsize=8)
    ax.figure.autofmt_xdate()
    return ax


def plot_stages(
    leads: Iterable[Lead],
    events: Iterable[Event],
    model: ScoringModel,
    *,
    moments: Sequence[Timestamp],
    by: Literal["temperature", "journey"] = "temperature",
    ax: Any = None,
) -> Any:
    """How many leads are in each temperature (or journey stage) at each of ``moments``,
    as stacked bars: one :func:`~leadscoring.assess_all` per moment."""
    from ..assessment.assessment import assess_all

    if by not in ("temperature", "journey"):
        raise InvalidValueError("by", f"must be 'temperature' or 'journey', got {by!r}")
    times = sorted(check_moment(m, f"moments[{i}]") for i, m in enumerate(moments))
    if not times:
        raise InvalidValueError("moments", "give at least one moment")
    leads, events = list(leads), list(events)
    counts: list[Counter[str]] = []
    for moment in times:
        ranked = assess_all(leads, events, model, as_of=moment, on_unknown="ignore")
        counts.append(Counter(getattr(a, by).value for a in ranked))
    if by == "temperature":
        order = ["cold", "warm", "hot"]
    else:
        from ..signals.journey import JourneyStage

        order = [s.value for s in JourneyStage]
    ax = _axes(ax)
    labels = [f"{t:%Y-%m-%d}" for t in times]
    bottom = [0] * len(times)
    for stage in order:
        heights = [c.get(stage, 0) for c in counts]
        if any(heights):
            ax.bar(labels, heights, bottom=bottom, label=stage)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xlabel("as of")
    ax.set_ylabel("leads")
    ax.tick_params(axis="x", labelrotation=45)  # dates side by side would overlap
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    ax.set_title(_title(f"Leads by {by}", model.name, times[-1]))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax


def plot_dormancy(
    leads: Iterable[Lead],
    events: Iterable[Event],
    *,
    as_of: Timestamp,
    policy: DormancyPolicy | None = None,
    model: ScoringModel | None = None,
    ax: Any = None,
) -> Any:
    """Leads by activity state (active, dormant, reactivated, ...) at ``as_of``, and the
    reactivations found by kind; ``policy`` defaults to the model's dormancy policy."""
    from ..signals.activity import activity_all
    from ..signals.dormancy import DormancyPolicy

    moment = check_moment(as_of)
    chosen = policy or (model.dormancy if model is not None else DormancyPolicy())
    found = activity_all(leads, events, as_of=moment, policy=chosen)
    states = Counter(a.state.value for a in found)
    kinds = Counter(r.kind.value for a in found for r in a.reactivations)
    ax = _axes(ax)
    names = sorted(states)
    bars = ax.bar(names, [states[n] for n in names], label="leads by state")
    for bar, n in zip(bars, names, strict=True):
        ax.annotate(str(states[n]), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    if kinds:
        kind_names = sorted(kinds)
        ax.bar([f"back: {k}" for k in kind_names], [kinds[k] for k in kind_names],
               color="#74c476", label="reactivations by kind")
    ax.set_xlabel("activity state / reactivation kind")
    ax.set_ylabel("leads")
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_title(_title("Dormancy and reactivation", model.name if model else None, moment))
    ax.legend(loc="upper right", fontsize=8)
    return ax
