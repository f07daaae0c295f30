"""Input and output helpers of the command line (internal): a progress bar, reading leads and
events with the columns a model compares as numbers, and the stable JSON records."""

from __future__ import annotations

import csv
import difflib
import gzip
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import PurePath
from typing import Any, TextIO, TypeVar

from ..core.errors import ErrorDetail
from ..core.results import LeadScore
from ..loaders import RejectedRow
from ..model.scoring_model import ScoringModel

__all__ = [
    "SCHEMA_VERSION",
    "Progress",
    "cli_text",
    "csv_cell",
    "csv_header",
    "lead_id_hint",
    "looks_like_events",
    "numeric_fields",
    "print_json",
    "printable",
    "printable_lines",
    "rejected_record",
    "score_record",
    "track",
    "validation_record",
    "write_csv",
    "write_table",
]

T = TypeVar("T")

SCHEMA_VERSION = 1
"""The version of the CLI's JSON output shape (``docs/cli.md``); bumped on any change."""

_NUMERIC_OPS = frozenset({"gt", "gte", "lt", "lte", "between"})
EVENT_ROLES = frozenset({"lead_id", "type", "at", "id"})
LEAD_ROLES = frozenset({"id", "status", "status_changed_at", "account_id"})


class Progress:
    """A one-line progress bar on a terminal's stderr; silent in pipes and for short inputs.

    ``total=None`` counts rows without a bar. Nothing reads the clock: the line is redrawn
    when the shown percentage (or, without a total, the count's thousands) changes.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        minimum: int = 2000,
        width: int = 30,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.label, self.total, self.minimum, self.width = label, total, minimum, width
        self.count = 0
        self._shown: tuple[int, ...] = ()
        self._drawn = 0
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) and (total is None or total >= minimum)

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more items; redraw if the visible state changed."""
        self.count += n
        if not self.enabled or (self.total is None and self.count < self.minimum):
            return
        if self.total:
            done = min(self.count, self.total)
            percent = done * 100 // self.total
            key: tuple[int, ...] = (percent,)
            filled = done * self.width // self.total
            bar = "#" * filled + "." * (self.width - filled)
            line = f"{self.label} [{bar}] {percent:3d}% {done}/{self.total}"
        else:
            key = (self.count // 1000,)
            line = f"{self.label}: {key[0] * 1000:,} rows"
        if key != self._shown:
            self._shown = key
            self.stream.write("\r" + line.ljust(self._drawn))
            self.stream.flush()
            self._drawn = len(line)

    def close(self) -> None:
        """Erase the bar, leaving the terminal as it was."""
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0


def track(items: Iterable[T], progress: Progress) -> Iterator[T]:
    """Yield ``items``, advancing ``progress`` for each, and erase the bar at the end."""
    try:
        for item in items:
            yield item
            progress.advance()
    finally:
        progress.close()


def numeric_fields(model: ScoringModel) -> tuple[frozenset[str], frozenset[str]]:
    """The (lead attribute, event property) names the model's rules compare to numbers:
    CSV cells of those columns are read as numbers."""
    lead, event = model.numeric_fields()
    return lead - LEAD_ROLES, event - EVENT_ROLES


_PYTHON_COLUMNS = re.compile(
    r", or pass columns=\w+\([^)]*\) to read it as the [\w ]+, or \w+\(\w+=None\) if it is "
    r"meant as \w+(?: \w+)*"
)


def cli_text(message: object, *, warning: bool = False) -> str:
    """A library message in the command line's spelling (``--on-unknown ignore``, not the
    keyword argument ``on_unknown='ignore'``; no Python-only remedies)."""
    text = _PYTHON_COLUMNS.sub("", str(message)).replace(" (strict=True makes this an error)", "")
    if warning:
        return text.replace(
            "pass the leads, or on_unknown='ignore' to skip them on purpose",
            "pass the leads, or --on-unknown ignore to skip them without a warning",
        )
    return text.replace("on_unknown='ignore'", "--on-unknown ignore (or warn)")


def lead_id_hint(wanted: str, ids: Sequence[str]) -> str:
    """Why ``wanted`` is not among ``ids``, with the closest id (case and spacing aside)
    or, when none is close, a few of the ids the file has."""
    if not ids:
        return "the leads file has no leads"
    folded = {i.casefold().replace("-", "").replace("_", ""): i for i in ids}
    key = wanted.casefold().replace("-", "").replace("_", "")
    match = folded.get(key)
    if match is None:
        close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
        match = folded[close[0]] if close else None
    if match is not None:
        return f"did you mean {match!r}?"
    shown = ", ".join(repr(i) for i in ids[:3])
    return f"the file's lead ids look like {shown}" + (", ..." if len(ids) > 3 else "")


def looks_like_events(path: str) -> bool:
    """True when the CSV file at ``path`` has the columns of an events file (``lead_id``,
    ``type`` and ``at``): given as ``--leads`` it is the wrong file."""
    header = csv_header(path)
    return header is not None and {"lead_id", "type", "at"} <= set(header)


def csv_header(path: str) -> list[str] | None:
    """The header of a CSV (or ``.csv.gz``) file, or ``None`` for other files or if it
    cannot be read (the loader then reports the problem)."""
    suffixes = [s.lower() for s in PurePath(path).suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes.pop()
    if not suffixes or suffixes[-1] != ".csv":
        return None
    opener: Callable[..., Any] = gzip.open if gz else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _reasons(score: LeadScore) -> list[dict[str, Any]]:
    return [{"rule": rule, "points": pts} for rule, pts in score.top_reasons(3)]


def score_record(score: LeadScore, *, explain: bool) -> dict[str, Any]:
    """One lead's score in the CLI's JSON shape (``docs/cli.md``)."""
    out: dict[str, Any] = {
        "lead_id": score.lead_id,
        "total": score.total,
        "fit": score.fit,
        "engagement": score.engagement,
        "by_group": dict(score.by_group),
        "by_rule": dict(score.by_rule),
        "top_reasons": _reasons(score),
    }
    if explain:
        out["contributions"] = [
            {
                "rule": c.rule,
                "group": c.group,
                "event_id": c.event_id,
                "event_at": None if c.event_at is None else c.event_at.isoformat(),
                "base_points": c.base_points,
                "weight": c.weight,
                "points": c.points,
                "note": c.note,
            }
            for c in score.contributions
        ]
    return out


def number_text(x: float) -> str:
    """A number for a table: at most two decimals, no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if x == x else "nan"


def table_text(rows: Sequence[Sequence[str]], right: frozenset[int]) -> str:
    """Aligned columns (``right``: indexes of right-aligned columns)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in pairs]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def print_json(data: object) -> None:
    """Print ``data`` on stdout as indented JSON."""
    print(json.dumps(data, indent=2, allow_nan=False))


def detail_record(detail: ErrorDetail) -> dict[str, Any]:
    """A model problem in the JSON shape."""
    return {"path": detail.path, "message": detail.message, "hint": detail.hint}


def validation_record(
    source: str,
    model: ScoringModel | None,
    errors: Sequence[ErrorDetail],
    warnings: Sequence[ErrorDetail],
) -> dict[str, Any]:
    """One checked model in the JSON shape of ``leadscoring validate --format json``."""
    about = None
    if model is not None:
        about = {"name": model.name, "version": model.version, "rules": len(model.rules)}
    return {
        "source": source,
        "valid": not errors,
        "model": about,
        "errors": [detail_record(d) for d in errors],
        "warnings": [detail_record(d) for d in warnings],
    }


def rejected_record(row: RejectedRow) -> dict[str, Any]:
    """A skipped input row in the JSON shape."""
    return {"source": row.source, "row": row.row, "column": row.column, "reason": row.reason}


def reasons_text(score: LeadScore) -> str:
    """The top three reasons as ``pricing page +10; unsubscribed -20``."""
    return "; ".join(
        f"{rule} {'+' if pts >= 0 else ''}{number_text(pts)}" for rule, pts in score.top_reasons(3)
    )


_FORMULA_STARTS = ("=", "+", "-", "@")


def csv_cell(text: str, *, raw: bool = False) -> str:
    """A text cell of CSV output: a cell starting with ``= + - @`` (which a spreadsheet
    reads as a formula: ``=HYPERLINK(...)``) gets a leading ``'``, unless ``raw``."""
    if not raw and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(
    scores: Sequence[LeadScore], model: ScoringModel, as_of: datetime, *, raw: bool = False
) -> None:
    """Scores as CSV on stdout: one row per lead, one ``group:NAME`` column per group.

    Text cells (lead ids, reasons, group names) that a spreadsheet would read as a formula
    are prefixed with ``'`` (:func:`csv_cell`), unless ``raw``; numbers are written as they
    are."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    groups = list(model.groups)
    writer.writerow(
        ["lead_id", "as_of", "total", "fit", "engagement",
         *(csv_cell(f"group:{g}", raw=raw) for g in groups), "top_reasons"]
    )
    for s in scores:
        writer.writerow(
            [csv_cell(s.lead_id, raw=raw), as_of.isoformat(), repr(s.total), repr(s.fit),
             repr(s.engagement), *(repr(s.by_group.get(g, 0.0)) for g in groups),
             csv_cell(reasons_text(s), raw=raw)]
        )


def printable(text: str) -> str:
    """``text`` safe for a terminal: control and format characters (ANSI escapes, bidi
    overrides, carriage returns) are shown escaped, as ``\\x1b`` or ``\\u202e``."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or unicodedata.category(ch) == "Zs":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def printable_lines(text: str) -> str:
    """:func:`printable` line by line (the line breaks stay)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def write_table(
    scores: Sequence[LeadScore], model: ScoringModel, as_of: datetime, *, explain: bool
) -> None:
    """Scores as an aligned table on stdout (with ``explain``, each lead's explanation)."""
    print(f"{printable(model.name)} v{model.version}: {len(scores)} leads scored at "
          f"{as_of:%Y-%m-%d %H:%M} UTC")
    rows = [("lead", "total", "fit", "engagement", "top reasons")]
    rows += [
        (printable(s.lead_id), number_text(s.total), number_text(s.fit),
         number_text(s.engagement), printable(reasons_text(s)))
        for s in scores
    ]
    print(table_text(rows, frozenset({1, 2, 3})))
    if explain:
        for s in scores:
            print("\n" + printable_lines(s.explain()))
