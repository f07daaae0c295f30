"""``leadscoring drift THEN NOW``: two score files written by ``leadscoring score`` compared
with :func:`~leadscoring.learning.drift.drift`'s arithmetic (internal).

The files are the ones ``leadscoring score`` writes: ``--format json`` (``.json``),
``--format jsonl`` (``.jsonl`` / ``.ndjson``) or ``--format csv`` (``.csv``), each maybe
gzipped (``.gz``). JSON and JSON Lines carry every rule's points (``by_rule``); CSV files
have none, so two CSV files compare the score alone, and a CSV file beside a JSON one is
refused (the rules could not be compared). Exit status 3 with ``--fail-on`` (see
``docs/cli.md``).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import PurePath
from typing import Any

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.json_keys import DuplicateKeyError, unique_keys
from ..core.limits import is_finite
from ..core.times import to_utc
from ..learning.drift import compare_populations
from ..learning.populations import RuleTally, ScorePopulation
from ..learning.psi import DriftBand
from ..loaders._records import Record, csv_records, jsonl_records
from ..loaders._result import RejectedRow
from ..loaders._sources import open_lines
from .io import SCHEMA_VERSION, print_json

__all__ = ["DRIFT_EXIT", "add_drift_arguments", "cmd_drift", "read_scores"]

DRIFT_EXIT = 3
"""The exit status of ``leadscoring drift --fail-on BAND`` when the verdict reaches BAND."""

_RANK: dict[DriftBand, int] = {"stable": 0, "watch": 1, "act": 2}
_WRITTEN_BY = "write it with leadscoring score --format json, jsonl or csv"
_CSV_HINT = (
    "a CSV file from leadscoring score has no per-rule points; write both files with "
    "--format json or jsonl to compare the rules too, or both as CSV to compare the score alone"
)


def _suffix(path: str) -> str:
    suffixes = [s.lower() for s in PurePath(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _number(value: object, source: str, row: int, column: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidInputError(
                f"not a number: {value!r}", source=source, row=row, column=column
            ) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not is_finite(value):
        raise InvalidInputError(
            f"expected a finite number, got {value!r}", source=source, row=row, column=column
        )
    return float(value)


def _moment(value: object, source: str, row: int | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return to_utc(value, "as_of")
    except InvalidValueError as exc:
        raise InvalidInputError(exc.message, source=source, row=row, column="as_of") from None


def _kept(records: Iterable[Record | RejectedRow]) -> Iterator[Record]:
    """The records; the first rejected row (malformed JSON, a short CSV row) raises."""
    for record in records:
        if isinstance(record, RejectedRow):
            raise InvalidInputError(
                record.reason, source=record.source, row=record.row, column=record.column
            )
        yield record


def _document(text: str, source: str) -> Iterator[Record]:
    """The score records of a ``leadscoring score --format json`` document."""
    try:
        doc = json.loads(text.lstrip("\ufeff"), object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", source=source
        ) from None
    except DuplicateKeyError as exc:
        raise InvalidInputError(f"malformed JSON: {exc}", source=source) from None
    if not isinstance(doc, dict) or doc.get("kind") != "scores":
        kind = doc.get("kind") if isinstance(doc, dict) else None
        found = f"'kind': {kind!r}" if kind is not None else "no 'kind': 'scores'"
        raise InvalidInputError(
            f"expected the output of leadscoring score --format json ('kind': 'scores'), "
            f"found {found}; {_WRITTEN_BY}",
            source=source,
        )
    scores = doc.get("scores")
    if not isinstance(scores, list):
        raise InvalidInputError("expected a list under 'scores'", source=source, column="scores")
    for index, item in enumerate(scores, start=1):
        if not isinstance(item, dict):
            raise InvalidInputError(
                f"expected a JSON object, got {type(item).__name__}",
                source=source,
                row=index,
                column="scores",
            )
        fields = dict(item)
        fields.setdefault("as_of", doc.get("as_of"))
        yield Record(row=index, fields=fields)


def _rules(fields: dict[str, object], source: str, row: int) -> dict[str, float]:
    by_rule = fields.get("by_rule")
    if not isinstance(by_rule, dict):
        raise InvalidInputError(
            "expected an object of rule points under 'by_rule' (as leadscoring score writes it)",
            source=source,
            row=row,
            column="by_rule",
        )
    return {
        str(rule): _number(points, source, row, f"by_rule.{rule}")
        for rule, points in by_rule.items()
    }


def read_scores(path: str) -> ScorePopulation:
    """The scores of a file written by ``leadscoring score`` (JSON, JSON Lines or CSV)."""
    suffix = _suffix(path)
    if suffix not in (".json", ".jsonl", ".ndjson", ".csv"):
        raise InvalidInputError(
            f"cannot tell the format from the suffix {suffix or '(none)'!r}: expected a .json, "
            f".jsonl or .csv file (optionally .gz); {_WRITTEN_BY}",
            source=path,
        )
    with open_lines(path, "utf-8") as lines:
        if suffix == ".json":
            records: Iterable[Record] = list(_document("".join(lines), path))
        elif suffix == ".csv":
            records = list(_kept(csv_records(lines, path, [("total", "the score compared")])))
        else:
            records = list(_kept(jsonl_records(lines, path)))
    totals: list[float] = []
    moments: set[datetime | None] = set()
    fired: dict[str, int] = {}
    points: dict[str, list[float]] = {}
    for record in records:
        fields = record.fields
        kind = fields.get("kind")
        if suffix in (".jsonl", ".ndjson") and kind not in (None, "score"):
            raise InvalidInputError(
                f"expected a score line ('kind': 'score'), got 'kind': {kind!r}; {_WRITTEN_BY}",
                source=path,
                row=record.row,
                column="kind",
            )
        if "total" not in fields:
            raise InvalidInputError("missing 'total'", source=path, row=record.row, column="total")
        totals.append(_number(fields["total"], path, record.row, "total"))
        moments.add(_moment(fields.get("as_of"), path, record.row))
        if suffix != ".csv":
            for rule, value in _rules(fields, path, record.row).items():
                fired.setdefault(rule, 0)
                points.setdefault(rule, [])
                if value != 0:  # zeros add nothing: kept out, the lists stay short
                    fired[rule] += 1
                    points[rule].append(abs(value))
    rules = None
    if suffix != ".csv":
        rules = {r: RuleTally(fired=fired[r], points=math.fsum(points[r])) for r in fired}
    as_of = moments.pop() if len(moments) == 1 else None
    return ScorePopulation(
        source=path, totals=tuple(totals), rules=rules, as_of=as_of, hint=_CSV_HINT
    )


def _bins(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be at least 2, got {value}")
    return value


def add_drift_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``leadscoring drift``."""
    p.add_argument(
        "then",
        metavar="THEN",
        help="scores of the reference run (leadscoring score --format json, jsonl or csv)",
    )
    p.add_argument("now", metavar="NOW", help="scores of the run to compare, in the same form")
    p.add_argument(
        "--bins",
        type=_bins,
        default=10,
        metavar="N",
        help="score bins, fixed at THEN's quantiles (default 10: deciles)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--fail-on",
        choices=("watch", "act"),
        metavar="BAND",
        help=f"exit with status {DRIFT_EXIT} when the verdict is BAND or worse "
        "(watch or act; default: always 0)",
    )


def cmd_drift(args: argparse.Namespace) -> int:
    """``leadscoring drift``: print the report; exit 3 when ``--fail-on`` is reached."""
    then = read_scores(args.then)
    now = read_scores(args.now)
    report = compare_populations(then, now, bins=args.bins)
    if args.format == "json":
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "kind": "drift",
            "then": args.then,
            "now": args.now,
            **report.to_dict(),
        }
        print_json(data)
    else:
        print(f"then: {args.then}\nnow:  {args.now}")
        print(report.summary())
    fail_on: DriftBand | None = args.fail_on
    if fail_on is not None and _RANK[report.verdict] >= _RANK[fail_on]:
        return DRIFT_EXIT
    return 0
