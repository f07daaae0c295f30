"""Figures of an evaluation (the optional ``plot`` extra: ``pip install 'leadscoring[plot]'``).

A module of its own, so ``import leadscoring`` never imports matplotlib::

    from leadscoring.plot import plot_report
"""

from .learning.plot import (
    plot_bands,
    plot_dormancy,
    plot_gains,
    plot_lift,
    plot_precision_recall,
    plot_reliability,
    plot_report,
    plot_roc,
    plot_stages,
    plot_timeline,
)

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
