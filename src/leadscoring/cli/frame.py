"""``leadscoring assess --engine frame``: the files as read by the loaders, assessed on
tables (internal)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from datetime import datetime
from typing import Any

from ..core.event import Event
from ..core.identity import IdentityMap
from ..core.lead import Lead
from ..model.scoring_model import ScoringModel
from .io import SCHEMA_VERSION, cli_text, print_json

__all__ = ["assess_on_tables"]


def _tables(leads: list[Lead], events: list[Event]) -> tuple[Any, Any]:
    """The leads and events read from the files, as pandas tables (one column per
    property and attribute; times as UTC datetimes)."""
    import pandas as pd

    names = list(dict.fromkeys(k for e in events for k in e.properties))
    columns: dict[str, list[Any]] = {
        "lead_id": [e.lead_id for e in events], "type": [e.type for e in events],
        "at": [e.at for e in events], "id": [e.id for e in events],
    }  # fmt: skip
    columns.update({n: [e.properties.get(n) for e in events] for n in names})
    events_df = pd.DataFrame(columns)
    events_df["at"] = pd.to_datetime(events_df["at"], utc=True)
    attributes = list(dict.fromkeys(k for x in leads for k in x.attributes))
    leads_df = pd.DataFrame({
        "lead_id": [x.id for x in leads], "status": [x.status.value for x in leads],
        "status_changed_at": pd.to_datetime([x.status_changed_at for x in leads], utc=True),
        **{a: [x.attributes.get(a) for x in leads] for a in attributes},
    })  # fmt: skip
    return events_df, leads_df


def assess_on_tables(
    args: argparse.Namespace,
    model: ScoringModel,
    as_of: datetime,
    leads: list[Lead],
    events: list[Event],
    identities: IdentityMap | None,
) -> int:
    """``assess --engine frame``: the files as read by the loaders, assessed on tables
    (:func:`~leadscoring.assessment.frame.assess_frame`); the same output as the objects.
    ``identities`` (``--identities``) unite the histories as on the objects."""
    from ..assessment.assessment import _fmt, _reasons
    from ..assessment.frame import REASONS, assess_frame
    from ..scoring.frame import _modules
    from ..signals.journey import EVIDENCE_STAGES

    _modules()
    events_df, leads_df = _tables(leads, events)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = assess_frame(events_df, model, as_of=as_of, leads_df=leads_df,
                             on_unknown=args.on_unknown, identities=identities)  # fmt: skip
    for warning in caught:
        print(f"warning: {cli_text(warning.message, warning=True)}", file=sys.stderr)
    rows = table.to_dict("records")
    if args.top is not None:
        rows = rows[: args.top]
    records = []
    for row in rows:
        reasons = [
            [row[f"reason_{n}"], row[f"reason_{n}_points"]]
            for n in range(1, REASONS + 1)
            if isinstance(row[f"reason_{n}"], str)
        ]
        record = {
            key: row[key]
            for key in (
                "lead_id",
                "priority",
                "total",
                "fit",
                "engagement",
                "temperature",
                "journey",
                "grade",
                "activity",
                "action",
            )
        }
        record["as_of"] = row["as_of"].to_pydatetime().isoformat()
        record["priority"] = int(record["priority"])
        record["reasons"] = reasons
        record["evidence"] = {st.value: row[f"evidence.{st.value}"] for st in EVIDENCE_STAGES}
        for key in ("top_product", "interest_pattern", "buyer", "participation"):
            value = row[key]
            record[key] = None if value is None or value != value else value
        record["segments"] = []
        records.append(record)
    if args.format == "json":
        print_json(
            {
                "schema_version": SCHEMA_VERSION,
                "kind": "assessments",
                "model": {"name": model.name, "version": model.version},
                "as_of": as_of.isoformat(),
                "count": len(records),
                "assessments": records,
            }
        )
        return 0
    if args.format == "jsonl":
        for record in records:
            print(
                json.dumps(
                    {"schema_version": SCHEMA_VERSION, "kind": "assessment", **record},
                    allow_nan=False,
                )
            )
        return 0
    head = ("#", "lead", "score", "temperature", "stage", "grade", "priority", "activity")
    cells = [head] + [
        (str(n), r["lead_id"], _fmt(r["total"]), r["temperature"], r["journey"], r["grade"],
         str(r["priority"]), r["activity"])
        for n, r in enumerate(records, start=1)
    ]  # fmt: skip
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = []
    for index, cell in enumerate(cells):
        lines.append("  ".join(
            c.rjust(widths[i]) if i in (0, 2, 6) else c.ljust(widths[i])
            for i, c in enumerate(cell)
        ).rstrip())  # fmt: skip
        if index:
            r = records[index - 1]
            pad = " " * (widths[0] + 2)
            lines.append(f"{pad}action: {r['action']}")
            why = _reasons((rule, pts) for rule, pts in r["reasons"])
            lines.append(f"{pad}why:    {why or 'no rule matched'}")
    if not records:
        lines.append("(no leads)")
    print("\n".join(lines))
    return 0
