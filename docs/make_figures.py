"""Draw the figures the documentation shows, from the bundled sample data.

    python docs/make_figures.py            # writes docs/images/*.png

``tests/test_figures.py`` runs it into a temporary folder, so the pictures in the docs
are always ones the current code draws.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from leadscoring import Event, Lead, calibrate, evaluate, load_model
from leadscoring.examples import sample_dataset
from leadscoring.plot import (
    plot_dormancy,
    plot_gains,
    plot_precision_recall,
    plot_reliability,
    plot_report,
    plot_stages,
    plot_timeline,
)

_AS_OF = datetime(2026, 4, 1, tzinfo=UTC)


def _history(seed: int, n: int = 400) -> tuple[list[Lead], list[Event], dict[str, bool]]:
    """The synthetic past leads of docs/calibration.md: attributes, views, who converted."""
    rng = random.Random(seed)
    leads: list[Lead] = []
    events: list[Event] = []
    outcomes: dict[str, bool] = {}
    for k in range(n):
        lead_id = f"S{seed}-{k:03d}"
        industry = rng.choice(["manufacturing", "it", "retail"])
        role = rng.choice(["executive", "practitioner"])
        employees = rng.choice([10, 50, 200, 800, 3000])
        leads.append(Lead(id=lead_id, attributes={
            "industry": industry, "role": role, "employees": employees}))  # fmt: skip
        chance = 0.03 + 0.20 * (industry == "it") + 0.15 * (role == "executive")
        for _ in range(rng.randint(0, 4)):
            days = rng.randint(0, 60)
            category = rng.choice(["blog", "pricing", "case_study"])
            events.append(Event(lead_id=lead_id, type="page_view",
                                at=_AS_OF - timedelta(days=days),
                                properties={"category": category}))  # fmt: skip
            if category == "pricing" and days < 14:
                chance += 0.35
        outcomes[lead_id] = rng.random() < min(chance, 0.95)
    return leads, events, outcomes


FIGURES = (
    "evaluation.png",
    "gains.png",
    "reliability.png",
    "precision-recall.png",
    "timeline.png",
    "stages.png",
    "dormancy.png",
)
"""The files :func:`draw` writes."""


def draw(folder: Path, n_leads: int = 300) -> list[Path]:
    """Draw every figure of the docs into ``folder``; returns the files written."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    data = sample_dataset(seed=0, n_leads=n_leads)
    model = load_model("b2b-default")
    # The evaluation figures: a model calibrated on one synthetic history and measured on
    # another, as on the "Calibration and evaluation" page.
    fit_leads, fit_events, fit_outcomes = _history(seed=1)
    test_leads, test_events, test_outcomes = _history(seed=2)
    learned = calibrate(fit_leads, fit_outcomes, fit_events, as_of=_AS_OF)
    report = evaluate(learned, test_leads, test_outcomes, test_events, as_of=_AS_OF)
    written: list[Path] = []

    def save(figure: object, name: str) -> None:
        path = folder / name
        figure.savefig(path, dpi=90, bbox_inches="tight")  # type: ignore[attr-defined]
        plt.close(figure)  # type: ignore[arg-type]
        written.append(path)

    save(plot_report(report), "evaluation.png")
    for draw_one, name in (
        (plot_gains, "gains.png"),
        (plot_reliability, "reliability.png"),
        (plot_precision_recall, "precision-recall.png"),
    ):
        save(draw_one(report).figure, name)
    busiest = max(data.leads, key=lambda lead: len(data.events_of(lead.id)))
    save(
        plot_timeline(busiest, data.events, model, start=data.as_of - timedelta(days=365),
                      end=data.as_of, every="7d").figure,
        "timeline.png",
    )  # fmt: skip
    moments = [data.as_of - timedelta(days=30 * k) for k in range(12, -1, -1)]
    save(plot_stages(data.leads, data.events, model, moments=moments).figure, "stages.png")
    save(plot_dormancy(data.leads, data.events, as_of=data.as_of, model=model).figure,
         "dormancy.png")  # fmt: skip
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "images"
    for path in draw(target):
        print(path)
