"""The engines the conformance suite runs every case against.

Each engine is a function ``(leads, events, model, as_of) -> list[Outcome]``: one
:class:`Outcome` per lead, in the leads' order, or the :class:`~leadscoring.LeadScoringError`
the engine raises. A new engine joins the suite by adding one entry to :data:`ENGINES`.

How each engine is driven:

- ``objects``: :func:`~leadscoring.score_all` on the whole history;
- ``single``: :func:`~leadscoring.score`, one lead at a time;
- ``scorer``: a :class:`~leadscoring.Scorer` fed the events as a stream, in the order
  given (so late events exercise its replay), then asked at ``as_of``. In a stream an
  event after ``as_of`` has not arrived yet at ``as_of``, so it is not added; that the
  Scorer refuses to answer before a lead's latest event is tested in ``tests/test_scorer.py``;
- ``frame`` and ``frame_polars``: :func:`~leadscoring.score_frame` on pandas and polars
  tables built from the same leads and events (times as ``datetime64[us, UTC]``, so years
  1 to 9999 fit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import attrs

from leadscoring import Event, Lead, LeadScore, Scorer, ScoringModel, score, score_all

__all__ = ["ENGINES", "Engine", "Outcome"]


@attrs.frozen
class Outcome:
    """What every engine must agree on for one lead."""

    lead_id: str
    total: float
    fit: float
    engagement: float
    by_group: dict[str, float]
    by_rule: dict[str, float]

    @classmethod
    def of(cls, result: LeadScore) -> Outcome:
        return cls(
            lead_id=result.lead_id,
            total=result.total,
            fit=result.fit,
            engagement=result.engagement,
            by_group=dict(result.by_group),
            by_rule=dict(result.by_rule),
        )


Engine = Callable[[Sequence[Lead], Sequence[Event], ScoringModel, datetime], list[Outcome]]


def objects(
    leads: Sequence[Lead], events: Sequence[Event], model: ScoringModel, as_of: datetime
) -> list[Outcome]:
    return [Outcome.of(s) for s in score_all(leads, events, model, as_of=as_of)]


def single(
    leads: Sequence[Lead], events: Sequence[Event], model: ScoringModel, as_of: datetime
) -> list[Outcome]:
    return [Outcome.of(score(lead, events, model, as_of=as_of)) for lead in leads]


def scorer(
    leads: Sequence[Lead], events: Sequence[Event], model: ScoringModel, as_of: datetime
) -> list[Outcome]:
    stream = Scorer(model)
    for lead in leads:
        stream.add_lead(lead)
    for event in events:
        if event.at <= as_of:
            stream.add(event)
    return [Outcome.of(stream.score(lead.id, as_of)) for lead in leads]


def _rows(events: Sequence[Event]) -> list[dict[str, Any]]:
    return [
        {"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id, **e.properties}
        for e in events
    ]


def _lead_rows(leads: Sequence[Lead]) -> list[dict[str, Any]]:
    return [
        {
            "lead_id": x.id,
            "status": x.status.value,
            "status_changed_at": x.status_changed_at,
            **x.attributes,
        }
        for x in leads
    ]


def _from_table(table: Any, leads: Sequence[Lead], model: ScoringModel) -> list[Outcome]:
    rows = table.to_dicts() if hasattr(table, "to_dicts") else table.to_dict("records")
    groups = model.groups
    names = [r.name for r in model.rules]
    out = []
    for lead, row in zip(leads, rows, strict=True):
        if row["lead_id"] != lead.id:
            raise AssertionError(f"row for {row['lead_id']!r} where {lead.id!r} was expected")
        out.append(
            Outcome(
                lead_id=lead.id,
                total=float(row["total"]),
                fit=float(row["fit"]),
                engagement=float(row["engagement"]),
                by_group={g: float(row[f"by_group.{g}"]) for g in groups},
                by_rule={n: float(row[f"by_rule.{n}"]) for n in names},
            )
        )
    return out


def frame(
    leads: Sequence[Lead], events: Sequence[Event], model: ScoringModel, as_of: datetime
) -> list[Outcome]:
    import pandas as pd

    from leadscoring import score_frame

    columns = ["lead_id", "type", "at", "id"]
    rows = _rows(events)
    names = list(dict.fromkeys([*columns, *(k for r in rows for k in r)]))
    table = pd.DataFrame(rows, columns=names)
    table["at"] = pd.Series([r["at"] for r in rows], dtype="datetime64[us, UTC]")
    lead_table = pd.DataFrame(_lead_rows(leads))
    lead_table["status_changed_at"] = pd.Series(
        [x.status_changed_at for x in leads], dtype="datetime64[us, UTC]"
    )
    result = score_frame(table, model, as_of=as_of, leads_df=lead_table, by_rule=True)
    return _from_table(result, leads, model)


def frame_polars(
    leads: Sequence[Lead], events: Sequence[Event], model: ScoringModel, as_of: datetime
) -> list[Outcome]:
    import polars as pl

    from leadscoring import score_frame

    schema: dict[str, Any] = {
        "lead_id": pl.String,
        "type": pl.String,
        "at": pl.Datetime("us", "UTC"),
        "id": pl.String,
    }
    rows = _rows(events)
    table = (
        pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
        if rows
        else pl.DataFrame(schema=schema)
    )
    lead_schema: dict[str, Any] = {
        "lead_id": pl.String,
        "status": pl.String,
        "status_changed_at": pl.Datetime("us", "UTC"),
    }
    lead_table = pl.DataFrame(
        _lead_rows(leads), schema_overrides=lead_schema, infer_schema_length=None
    )
    result = score_frame(table, model, as_of=as_of, leads_df=lead_table, by_rule=True)
    return _from_table(result, leads, model)


ENGINES: dict[str, Engine] = {
    "objects": objects,
    "single": single,
    "scorer": scorer,
    "frame": frame,
    "frame_polars": frame_polars,
}
"""Every engine, by name; the conformance tests are parametrised over this table."""
