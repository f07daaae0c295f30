"""The demo: score the sample dataset with the default model and print the top leads.

``python -m leadscoring demo`` runs :func:`run_demo`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence, Set
from datetime import timedelta
from typing import TextIO

from ..assessment.accounts import AccountAssessment, assess_accounts
from ..assessment.assessment import assess_all, format_assessments
from ..core.errors import InvalidValueError
from ..core.results import LeadScore
from ..model.scoring_model import ScoringModel
from ..scoring.engine import score_all
from ..signals.activity import activity_all
from .dataset import SampleDataset, sample_dataset
from .model import default_model

__all__ = ["run_demo"]


def run_demo(*, seed: int = 0, top: int = 10, out: TextIO | None = None) -> int:
    """Score the sample (``seed``) at its ``as_of`` and print the ``top`` leads; returns 0.

    The table shows each lead's persona (the generator's ground truth, which the model
    never sees), total, fit and engagement, and the three rules that moved it most; the
    full explanation of the first lead follows, then the leads that came back after a
    silence (lost deals, customers, surges) in the last 90 days, then the ranked
    assessments (temperature, stage, grade, priority, activity, action and reasons), then
    the top accounts (buying groups) with the accounts that came back as a group.
    Each lead is scored with its cookies' browsing (``data.identities``).
    ``out`` defaults to ``sys.stdout``.

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
    events = (*data.events, *data.cookie_events)
    identities = data.identities
    scores = score_all(data.leads, events, model, as_of=data.as_of, identities=identities)
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
    _print_returns(data, model, scores, top, stream)
    print(f"\nWho to call today: the top {top} by priority, then score", file=stream)
    assessed = assess_all(data.leads, events, as_of=data.as_of, model=model, identities=identities)
    print(format_assessments(assessed, top=top), file=stream)
    accounts = assess_accounts(
        data.leads, events, as_of=data.as_of, model=model, identities=identities
    )
    _print_accounts(accounts, top, stream)
    return 0


def _print_accounts(accounts: Sequence[AccountAssessment], top: int, stream: TextIO) -> None:
    """The ``top`` accounts as ranked, then every account that came back as a group."""
    print(f"\nAccounts: the top {top} of {len(accounts)} buying groups", file=stream)
    rows: list[tuple[str, ...]] = [
        ("account", "members", "engaged", "score", "temperature", "priority", "roles", "missing")
    ]
    for account in accounts[:top]:
        rows.append(
            (
                account.account_id,
                str(account.members),
                str(account.engaged_members),
                f"{account.score:.1f}",
                account.temperature.value,
                str(account.priority),
                f"{account.role_coverage:.0%}",
                ", ".join(account.missing_roles) or "-",
            )
        )
    for line in _table(rows, numeric={1, 2, 3, 5, 6}):
        print(line, file=stream)
    back = [(r, a) for a in accounts for r in a.activity.reactivations]
    back.sort(key=lambda item: (item[0].at, item[1].account_id), reverse=True)
    print(f"\nAccounts that came back as a group: {len(back)}", file=stream)
    rows = [("account", "kind", "silent for", "back on", "engaged", "score")]
    for r, a in back:
        rows.append(
            (
                a.account_id,
                r.kind.value,
                f"{r.silence.days} days",
                f"{r.at:%Y-%m-%d}",
                str(a.engaged_members),
                f"{a.score:.1f}",
            )
        )
    for line in _table(rows, numeric={4, 5}):
        print(line, file=stream)


def _print_returns(
    data: SampleDataset, model: ScoringModel, scores: Sequence[LeadScore], top: int, stream: TextIO
) -> None:
    """The ``top`` newest of the leads that came back after a silence in the last 90 days."""
    since = data.as_of - timedelta(days=90)
    totals = {s.lead_id: s.total for s in scores}
    personas = data.planted.personas
    every = activity_all(
        data.leads,
        (*data.events, *data.cookie_events),
        as_of=data.as_of,
        policy=model.dormancy,
        identities=data.identities,
    )
    found = [(r, a) for a in every for r in a.reactivations if r.at > since]
    found.sort(key=lambda item: (item[0].at, item[1].lead_id), reverse=True)
    print("", file=stream)
    shown = f", newest {top} shown" if len(found) > top else ""
    print(f"Came back after a silence in the last 90 days: {len(found)} leads{shown}", file=stream)
    rows: list[tuple[str, ...]] = [
        ("lead", "persona", "kind", "silent for", "back on", "burst", "state", "total")
    ]
    for r, a in found[:top]:
        rows.append(
            (
                a.lead_id,
                personas[a.lead_id],
                r.kind.value,
                f"{r.silence.days} days",
                f"{r.at:%Y-%m-%d}",
                f"{r.events} event" + ("s" if r.events != 1 else ""),
                a.state.value,
                f"{totals[a.lead_id]:.1f}",
            )
        )
    for line in _table(rows, numeric={7}):
        print(line, file=stream)


def _reasons(result: LeadScore) -> str:
    return "; ".join(f"{rule} {points:+.1f}" for rule, points in result.top_reasons(3))


def _table(rows: list[tuple[str, ...]], numeric: Set[int] = frozenset({0, 3, 4, 5})) -> list[str]:
    """Left-align text columns, right-align the ``numeric`` ones."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
