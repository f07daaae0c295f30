"""The readable text of an :class:`~leadscoring.EvaluationReport`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .evaluate import EvaluationReport

__all__ = ["summary_text", "table"]


def _num(x: float | None) -> str:
    return "-" if x is None or x != x else f"{x:.2f}".rstrip("0").rstrip(".")


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows of cells as aligned text lines (``right[i]``: right-align column ``i``)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.rjust(w) if right[i] else c.ljust(w)
                  for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
        for r in rows
    ]


def summary_text(r: EvaluationReport) -> str:
    """AUC, deciles, temperature bands, thresholds and calibration as plain text."""
    name = f"model {r.model!r}" if r.model else "scores"
    when = f" at {r.as_of:%Y-%m-%d %H:%M} UTC" if r.as_of else ""
    lines = [
        f"Evaluation of {name}{when} ({r.on} score): {r.leads} leads, "
        f"{r.conversions} converted ({r.base_rate:.1%})",
    ]
    if r.excluded:
        lines.append(f"{r.excluded} lead(s) left out: they had converted by as_of")
    if r.validation:
        lines.append(f"Held-out leads, split {r.validation}")
    auc = f"AUC {r.auc:.3f}"
    if r.auc_ci:
        auc += (f" ({r.confidence:.0%} CI {r.auc_ci[0]:.3f}-{r.auc_ci[1]:.3f}, "
                f"{r.bootstrap} bootstrap rounds)")
    lines += [auc, "", "Deciles (best scores first):"]
    rows: list[tuple[str, ...]] = [("decile", "scores", "leads", "converted", "rate", "lift",
                                    "cum. rate", "cum. lift", "captured")]
    for d in r.deciles:
        rows.append((
            str(d.decile), f"{_num(d.min_score)}..{_num(d.max_score)}", f"{d.leads:g}",
            f"{d.conversions:.1f}", _pct(d.rate), f"{d.lift:.2f}", _pct(d.cumulative_rate),
            f"{d.cumulative_lift:.2f}", _pct(d.captured),
        ))
    lines += table(rows, [True, True, True, True, True, True, True, True, True])
    lines += ["", f"Temperature bands (warm >= {_num(r.warm)}, hot >= {_num(r.hot)}):"]
    rows = [("band", "scores", "leads", "converted", "rate")]
    for b in r.temperatures:
        span = (f">= {_num(b.low)}" if b.high is None else
                f"< {_num(b.high)}" if b.low is None else f"{_num(b.low)} to < {_num(b.high)}")
        rows.append((b.band, span, str(b.leads), str(b.conversions), _pct(b.rate)))
    lines += table(rows, [False, False, True, True, True])
    lines.append(f"hot > warm > cold: {r.temperature_order}")
    lines += ["", "At each threshold (leads scoring at or above it):"]
    rows = [("threshold", "score", "leads", "share", "precision", "recall")]
    for t in r.thresholds:
        rows.append((t.band, f">= {_num(t.threshold)}", str(t.leads), _pct(t.share),
                     _pct(t.precision), _pct(t.recall)))
    lines += table(rows, [False, False, True, True, True, True])
    c = r.calibration
    lines += [
        "",
        f"Calibration: p = 1 / (1 + exp(-({c.intercept:.3f} + {c.slope:.4f} * score))), "
        f"Brier score {c.brier:.3f}",
        "decile observed vs fitted: " + ", ".join(
            f"{d}: {_pct(o)} vs {_pct(p)}"
            for d, o, p in zip(range(1, 11), c.observed, c.predicted, strict=True)
        ),
    ]
    return "\n".join(lines)
