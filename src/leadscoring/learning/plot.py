"""Figures of an :class:`~leadscoring.EvaluationReport` (needs the ``plot`` extra).

``pip install "leadscoring[plot]"`` installs matplotlib; it is imported only when a
function here is called, so the rest of leadscoring never needs it::

    from leadscoring.plot import plot_report
    fig = plot_report(report)          # ROC, lift by decile, conversion by band
    fig.savefig("evaluation.png")

Each ``plot_*`` function draws on ``ax`` (a matplotlib ``Axes``) when given, else on a
new figure, and returns the ``Axes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .evaluate import EvaluationReport

__all__ = ["plot_bands", "plot_lift", "plot_report", "plot_roc"]


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
    ax.set_title("ROC")
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
    ax.set_title("Lift by decile")
    ax.legend(loc="upper right")
    return ax


def plot_bands(report: EvaluationReport, ax: Any = None) -> Any:
    """Conversion rate by temperature band (cold, warm, hot), with lead counts."""
    ax = _axes(ax)
    rows = list(reversed(report.temperatures))  # cold, warm, hot
    rates = [r.rate or 0.0 for r in rows]
    bars = ax.bar([r.band for r in rows], rates, color=["#6baed6", "#fdae6b", "#e6550d"])
    for bar, r in zip(bars, rows, strict=True):
        ax.annotate(f"{r.leads} leads", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.axhline(report.base_rate, linestyle="--", color="grey", linewidth=0.8,
               label=f"overall {report.base_rate:.0%}")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("conversion rate")
    ax.set_title("Conversion by temperature")
    ax.legend(loc="upper left")
    return ax


def plot_report(report: EvaluationReport) -> Any:
    """A figure with the three plots side by side; returns the matplotlib ``Figure``."""
    fig, axes = _pyplot().subplots(1, 3, figsize=(15, 4.5))
    plot_roc(report, axes[0])
    plot_lift(report, axes[1])
    plot_bands(report, axes[2])
    fig.tight_layout()
    return fig
