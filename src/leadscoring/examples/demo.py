"""The demo: score the sample dataset with the default model and print the top leads.

``python -m leadscoring demo`` runs :func:`run_demo`.
"""

from __future__ import annotations

import sys
from typing import TextIO

from ..engine import score_all
from ..exceptions import InvalidValueError
from ..results import LeadScore
from .dataset import sample_dataset
from .model import default_model

__all__ = ["run_demo"]


def run_demo(*, seed: int = 0, top: int = 10, out: TextIO | None = None) -> int:
    """Score the sample (``seed``) at its ``as_of`` and print the ``top`` leads; returns 0.

    The table shows each lead's persona (the generator's ground truth, which the model
    never sees), total, fit and engagement, and the three rules that moved it most; the
    full explanation of the first lead follows. ``out`` defaults to ``sys.stdout``.

    >>> import io
    >>> buffer = io.StringIO()
    >>> run_demo(top=3, out=buffer)
    0
    >>> buffer.getvalue().splitlines()[0]
    'b2b-default v1: 300 sample leads (seed 0) scored at 2026-06-30 00:00 UTC'
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidValueError("top", f"must be a whole number >= 1, got {top!r}")
    stream = sys.stdout if out is None else out
    data = sample_dataset(seed)
    model = default_model()
    scores = score_all(data.leads, data.events, model, as_of=data.as_of)
    ranked = sorted(scores, key=lambda s: (-s.total, s.lead_id))[:top]
    personas = data.planted.personas

    print(
        f"{model.name} v{model.version}: {len(data.leads)} sample leads (seed {seed}) "
        f"scored at {data.as_of:%Y-%m-%d %H:%M} UTC",
        file=stream,
    )
    print("", file=stream)
    header = ("#", "lead", "persona", "total", "fit", "engagement", "top reasons")
    rows: list[tuple[str, ...]] = [header]
    for rank, result in enumerate(ranked, start=1):
        rows.append(
            (
                str(rank),
                result.lead_id,
                personas[result.lead_id],
                f"{result.total:.1f}",
                f"{result.fit:.1f}",
                f"{result.engagement:.1f}",
                _reasons(result),
            )
        )
    for line in _table(rows):
        print(line, file=stream)
    if ranked:
        print("", file=stream)
        print(ranked[0].explain(), file=stream)
    return 0


def _reasons(result: LeadScore) -> str:
    return "; ".join(f"{rule} {points:+.1f}" for rule, points in result.top_reasons(3))


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Left-align text columns, right-align the numbers (columns 0 and 3-5)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {0, 3, 4, 5}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
