"""The plots, drawn with the Agg backend: titles name the model and as_of, axes are
labelled, and the artists drawn are the ones each plot promises."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from leadscoring import evaluate_scores, load_model  # noqa: E402
from leadscoring.examples import SAMPLE_AS_OF, sample_dataset  # noqa: E402
from leadscoring.plot import (  # noqa: E402
    plot_bands,
    plot_dormancy,
    plot_gains,
    plot_precision_recall,
    plot_reliability,
    plot_report,
    plot_stages,
    plot_timeline,
)

# Scores 1..8; leads 2, 5, 7 and 8 convert: a small report worked out by hand below.
SCORES = {f"L{i}": float(i) for i in range(1, 9)}
OUTCOMES = {f"L{i}": i in (2, 5, 7, 8) for i in range(1, 9)}


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    plt.close("all")


def _report():  # type: ignore[no-untyped-def]
    return evaluate_scores(SCORES, OUTCOMES, as_of="2026-06-30T00:00:00Z", warm=4, hot=7,
                           bootstrap=0, model="demo")


def test_report_figures_carry_the_model_and_moment() -> None:
    """plot_report's figure title and every panel title name ``demo`` and the date."""
    fig = plot_report(_report())
    assert fig._suptitle.get_text() == "Evaluation: demo at 2026-06-30"
    assert [ax.get_title() for ax in fig.axes] == [
        "ROC: demo at 2026-06-30", "Lift by decile: demo at 2026-06-30",
        "Conversion by temperature: demo at 2026-06-30",
    ]


def test_bands_show_rates_thresholds_and_a_percent_axis() -> None:
    """Bars are labelled with rate and count, ticks with the warm/hot ranges: cold < 4
    (L1-L3: 1 of 3 converts), warm 4 to < 7 (L4-L6: 1 of 3), hot >= 7 (2 of 2)."""
    ax = plot_bands(_report())
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["33% of 3 leads", "33% of 3 leads", "100% of 2 leads"]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["cold\n< 4", "warm\n4 to < 7", "hot\n>= 7"]
    assert ax.yaxis.get_major_formatter().__class__.__name__ == "PercentFormatter"


def test_gains_steps_through_the_ranking() -> None:
    """Best first, the conversions found after each lead: 8 and 7 convert (2 of 4), 6 does
    not, 5 does (3 of 4), 4 and 3 do not, 2 does (4 of 4), 1 does not."""
    ax = plot_gains(_report())
    model_line = ax.lines[0]
    assert list(model_line.get_ydata()) == [0, 0.25, 0.5, 0.5, 0.75, 0.75, 0.75, 1.0, 1.0]
    assert [line.get_label() for line in ax.lines] == ["model", "chance", "perfect"]
    assert ax.get_xlabel()
    assert ax.get_ylabel()


def test_precision_recall_marks_warm_and_hot() -> None:
    """At threshold 7 precision is 2/2 and recall 2/4; warm and hot are vertical lines."""
    ax = plot_precision_recall(_report())
    precision, recall = ax.lines[0], ax.lines[1]
    at_seven = list(precision.get_xdata()).index(7.0)
    assert precision.get_ydata()[at_seven] == 1.0
    assert recall.get_ydata()[at_seven] == 0.5
    assert [line.get_label() for line in ax.lines[2:]] == ["warm 4", "hot 7"]
    assert ax.get_title() == "Precision and recall by threshold: demo at 2026-06-30"


def test_reliability_plots_each_decile() -> None:
    """One point per decile of the calibration, beside the perfect diagonal."""
    report = _report()
    ax = plot_reliability(report)
    assert len(ax.lines[0].get_xdata()) == len(report.calibration.predicted)
    assert ax.get_xlabel() == "predicted conversion rate"


def test_plots_of_leads_on_the_sample_data() -> None:
    """A lead's score over time marks its events; stages and dormancy count every lead."""
    data = sample_dataset(n_leads=40)
    model = load_model("b2b-default")
    lead = data.leads[0]
    own = [e for e in data.events if e.lead_id == lead.id]
    start = SAMPLE_AS_OF - timedelta(days=60)
    ax = plot_timeline(lead, data.events, model, start=start, end=SAMPLE_AS_OF, every="7d")
    assert ax.get_title() == f"Lead {lead.id} over time: b2b-default at 2026-06-30"
    assert len(ax.lines[0].get_xdata()) == 9  # 60 days, one point a week, both ends
    marked = sum(len(line.get_xdata()) for line in ax.lines[3:])
    assert marked == sum(1 for e in own if start <= e.at <= SAMPLE_AS_OF)
    moments = [SAMPLE_AS_OF - timedelta(days=30), SAMPLE_AS_OF]
    ax = plot_stages(data.leads, data.events, model, moments=moments)
    per_moment = [0, 0]
    for bar in ax.patches:
        per_moment[round(bar.get_x() + bar.get_width() / 2)] += round(bar.get_height())
    assert per_moment == [40, 40]
    ax = plot_dormancy(data.leads, data.events, as_of=SAMPLE_AS_OF, model=model)
    states = [t.get_text() for t in ax.get_xticklabels() if not t.get_text().startswith("back")]
    counts = [int(t.get_text()) for t in ax.texts]
    assert sum(counts) == 40
    assert len(counts) == len(states)
    assert ax.get_title() == "Dormancy and reactivation: b2b-default at 2026-06-30"
