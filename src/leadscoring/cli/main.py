"""The ``leadscoring`` command line: validate a model file, score leads, explain a score.

::

    leadscoring validate my-model.toml
    leadscoring score --model my-model.toml --leads leads.csv --events events.csv \\
        --as-of 2026-06-30T00:00:00Z --format json
    leadscoring explain L-17 --model b2b-default --leads leads.csv --events events.csv \\
        --identities identities.csv
    leadscoring assess --model b2b-default --leads leads.csv --events events.csv --top 20
    leadscoring drift scores-april.json scores-june.json --fail-on act
    leadscoring demo
    leadscoring schema

Exit status: 0 success, 1 invalid input (every problem printed on stderr, one per line,
with its JSON path or file row), 2 wrong usage, 3 ``drift --fail-on`` reached. JSON output
is described in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..core.checks import group_events, united_leads
from ..core.errors import (
    ColumnNameWarning,
    ErrorDetail,
    InvalidModelError,
    InvalidValueError,
    LeadScoringError,
    NaiveDatetimeError,
    ShadowedModelWarning,
    UnknownLeadError,
)
from ..core.event import Event
from ..core.identity import IdentityMap
from ..core.lead import Lead
from ..core.results import LeadScore
from ..core.times import to_utc
from ..loaders import (
    EventColumns,
    LeadColumns,
    RejectedRow,
    iter_events,
    iter_leads,
    read_identities,
)
from ..model.config import load_model, model_warnings, parse_model_text
from ..model.scoring_model import ScoringModel
from ..scoring.compiled import compile_model
from ..scoring.engine import score_prepared
from .drift import add_drift_arguments, cmd_drift
from .frame import assess_on_tables
from .io import (
    SCHEMA_VERSION,
    Progress,
    cli_text,
    csv_header,
    lead_id_hint,
    looks_like_events,
    numeric_fields,
    print_json,
    printable_lines,
    rejected_record,
    score_record,
    track,
    validation_record,
    write_csv,
    write_table,
)

__all__ = ["main"]


class _InputError(Exception):
    """Invalid input: the lines to print on stderr (exit status 1)."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def _try_load(source: str) -> tuple[ScoringModel | None, list[ErrorDetail]]:
    """The model named by ``source`` (a file, a packaged model name, ``-`` for stdin), or
    every problem found in it."""
    try:
        if source == "-":
            text = sys.stdin.read()
            fmt: Any = "json" if text.lstrip().startswith("{") else "toml"
            return parse_model_text(text, fmt), []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ShadowedModelWarning)
            model = load_model(source)
        for warning in caught:
            if issubclass(warning.category, ShadowedModelWarning):
                print(f"{source}: warning: {warning.message}", file=sys.stderr)
            else:  # pragma: no cover - load_model issues no other warning
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
        return model, []
    except InvalidModelError as exc:
        return None, list(exc.errors)
    except OSError as exc:
        return None, [ErrorDetail(path="$", message=_os_message(exc))]


def _load(source: str) -> ScoringModel:
    model, errors = _try_load(source)
    if model is None:
        raise _InputError([f"{source}: {detail}" for detail in errors])
    return model


def _moment(text: str) -> datetime:
    example = "write e.g. 2026-06-30T00:00:00Z or 2026-06-30T09:00+09:00"
    try:
        return to_utc(text, "--as-of")
    except NaiveDatetimeError:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; {example}") from None
    except InvalidValueError as exc:
        if "out of range" in exc.message:  # a real moment, but before year 1 or after 9999
            raise argparse.ArgumentTypeError(exc.message) from None
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 moment; {example}") from None


# --------------------------------------------------------------------------- inputs


def _columns(path: str, wanted: frozenset[str], extra: list[str]) -> tuple[str, ...]:
    header = csv_header(path)
    derived = sorted(wanted & set(header)) if header is not None else []
    return tuple(dict.fromkeys([*derived, *extra]))


def _reject_printer(skipped: list[RejectedRow]) -> Callable[[RejectedRow], None]:
    def on_reject(row: RejectedRow) -> None:
        skipped.append(row)
        print(f"warning: skipped {row}", file=sys.stderr)

    return on_reject


def _inputs(
    args: argparse.Namespace, model: ScoringModel
) -> tuple[list[Lead], list[Event], list[RejectedRow]]:
    """The leads and events named on the command line; bad rows fail or are skipped."""
    lead_numeric, event_numeric = numeric_fields(model)
    skipped: list[RejectedRow] = []
    on_reject = _reject_printer(skipped) if args.on_bad_row == "skip" else None
    if looks_like_events(args.leads):
        raise _InputError([
            f"{args.leads}: this looks like an events file (it has the columns 'lead_id', "
            "'type' and 'at'), given as --leads; pass it as --events and the leads file "
            "(an 'id' column) as --leads"
        ])
    lead_cols = LeadColumns(numeric=_columns(args.leads, lead_numeric, args.numeric))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ColumnNameWarning)
        stream = iter_leads(args.leads, columns=lead_cols, assume_tz=args.assume_tz,
                            on_reject=on_reject)
        leads = list(track(stream, Progress(f"reading {args.leads}")))
        events: list[Event] = []
        if args.events:
            cols = EventColumns(numeric=_columns(args.events, event_numeric, args.numeric))
            stream_events = iter_events(args.events, columns=cols, assume_tz=args.assume_tz,
                                        on_reject=on_reject)
            events = list(track(stream_events, Progress(f"reading {args.events}")))
    for warning in caught:
        print(f"warning: {cli_text(warning.message, warning=True)}", file=sys.stderr)
    if events:
        _print_unknown_keys(args.events, events, model)
    return leads, events, skipped


def _print_unknown_keys(source: str, events: list[Event], model: ScoringModel) -> None:
    """Name, with counts, the event keys no rule reads (kept as properties, as
    :attr:`~leadscoring.LoadResult.unknown_keys` counts them), so a misspelt column shows."""
    known = model.fields_read()[1]
    counts: dict[str, int] = {}
    for event in events:
        for key in event.properties:
            if key not in known:
                counts[key] = counts.get(key, 0) + 1
    if counts:
        listed = ", ".join(f"{k!r} ({n})" for k, n in sorted(counts.items()))
        print(f"note: {source}: keys no rule reads, kept as event properties: {listed}",
              file=sys.stderr)  # fmt: skip


def _identities(args: argparse.Namespace) -> IdentityMap | None:
    """The links of ``--identities`` (``None`` without it). A bad row always fails, even
    with ``--on-bad-row skip``: a half-read map would give histories to the wrong leads."""
    if args.identities is None:
        return None
    return read_identities(args.identities, assume_tz=args.assume_tz)


def _as_of(args: argparse.Namespace) -> datetime:
    if args.as_of is not None:
        as_of: datetime = args.as_of
        return as_of
    return datetime.now(UTC)  # clock-ok: the CLI's default --as-of is now


def _grouped(
    args: argparse.Namespace, leads: list[Lead], events: list[Event], as_of: datetime,
    identities: IdentityMap | None,
) -> dict[str, list[Event]]:
    """Each lead's events; with ``identities``, its aliases' events too (as ``score_all``
    unites them: ``leads`` hold no alias, see :func:`united_leads`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grouped = group_events(leads, events, as_of=as_of, on_unknown=args.on_unknown,
                               identities=identities)  # fmt: skip
    for warning in caught:
        print(f"warning: {cli_text(warning.message, warning=True)}", file=sys.stderr)
    return grouped


def _score(
    leads: list[Lead], grouped: dict[str, list[Event]], model: ScoringModel, as_of: datetime
) -> list[LeadScore]:
    compiled = compile_model(model)
    bar = Progress("scoring", total=len(leads))
    return [score_prepared(lead, grouped[lead.id], compiled, as_of) for lead in track(leads, bar)]


# --------------------------------------------------------------------------- commands


def _cmd_validate(args: argparse.Namespace) -> int:
    checked = []
    for source in args.models:
        model, errors = _try_load(source)
        hints = model_warnings(model) if model is not None else []
        checked.append(validation_record(source, model, errors, hints))
        if args.format == "text":
            for detail in errors:
                print(f"{source}: {detail}", file=sys.stderr)
            for detail in hints:
                print(f"{source}: warning: {detail}", file=sys.stderr)
            if model is not None:
                print(f"{source}: ok ({model.name} v{model.version}, {len(model.rules)} rules)")
    valid = all(record["valid"] for record in checked)
    if args.format == "json":
        print_json({"schema_version": SCHEMA_VERSION, "kind": "validation", "valid": valid,
                    "results": checked})
    return 0 if valid else 1


def _cmd_score(args: argparse.Namespace) -> int:
    if args.explain and args.format == "csv":
        args.parser.error("--explain cannot be used with --format csv")
    model = _load(args.model)
    as_of = _as_of(args)
    links = _identities(args)  # first: a bad link fails before the large files are read
    leads, events, skipped = _inputs(args, model)
    leads = united_leads(leads, links, as_of)  # an alias's history is its lead's
    scores = _score(leads, _grouped(args, leads, events, as_of, links), model, as_of)
    if args.sort == "total":
        scores.sort(key=lambda s: (-s.total, s.lead_id))
    if args.top is not None:
        scores = scores[: args.top]
    about = {"model": {"name": model.name, "version": model.version},
             "as_of": as_of.isoformat()}
    if args.format == "json":
        print_json({"schema_version": SCHEMA_VERSION, "kind": "scores", **about,
                    "count": len(scores),
                    "scores": [score_record(s, explain=args.explain) for s in scores],
                    "rejected": [rejected_record(r) for r in skipped]})
    elif args.format == "jsonl":
        for s in scores:
            line = {"schema_version": SCHEMA_VERSION, "kind": "score", **about,
                    **score_record(s, explain=args.explain)}
            print(json.dumps(line, allow_nan=False))
    elif args.format == "csv":
        write_csv(scores, model, as_of, raw=args.csv_raw)
    else:
        write_table(scores, model, as_of, explain=args.explain)
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    model = _load(args.model)
    as_of = _as_of(args)
    args.on_unknown = "ignore"  # events of the other leads are expected
    links = _identities(args)
    leads, events, _ = _inputs(args, model)
    roots = links.roots(as_of) if links is not None else {}
    aliases = [i for i in dict.fromkeys(args.lead_ids) if i in roots]
    if aliases:
        raise _InputError([
            f"{args.identities}: {i!r} is an alias of lead {roots[i]!r}; its history is "
            f"that lead's: explain {roots[i]!r}"
            for i in aliases
        ])
    by_id = {lead.id: lead for lead in leads}
    missing = [i for i in args.lead_ids if i not in by_id]
    if missing:
        raise _InputError([
            f"{args.leads}: unknown lead id {i!r} ({lead_id_hint(i, list(by_id))})"
            for i in missing
        ])
    chosen = [by_id[i] for i in dict.fromkeys(args.lead_ids)]
    scores = _score(chosen, _grouped(args, chosen, events, as_of, links), model, as_of)
    if args.format == "json":
        print_json({"schema_version": SCHEMA_VERSION, "kind": "scores",
                    "model": {"name": model.name, "version": model.version},
                     "as_of": as_of.isoformat(), "count": len(scores),
                     "scores": [score_record(s, explain=True) for s in scores], "rejected": []})
    else:
        print(printable_lines("\n\n".join(s.explain() for s in scores)))
    return 0


def _cmd_assess(args: argparse.Namespace) -> int:
    from ..assessment.assessment import assess_all, format_assessments

    model = _load(args.model)
    as_of = _as_of(args)
    links = _identities(args)
    leads, events, _ = _inputs(args, model)
    if args.engine == "frame":
        return assess_on_tables(args, model, as_of, leads, events, links)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ranked = assess_all(leads, events, as_of=as_of, model=model, on_unknown=args.on_unknown,
                            identities=links)  # fmt: skip
    for warning in caught:
        print(f"warning: {cli_text(warning.message, warning=True)}", file=sys.stderr)
    if args.top is not None:
        ranked = ranked[: args.top]
    if args.format == "json":
        print_json({"schema_version": SCHEMA_VERSION, "kind": "assessments",
                     "model": {"name": model.name, "version": model.version},
                     "as_of": as_of.isoformat(), "count": len(ranked),
                     "assessments": [a.to_dict() for a in ranked]})
    elif args.format == "jsonl":
        for a in ranked:
            print(json.dumps({"schema_version": SCHEMA_VERSION, "kind": "assessment",
                              **a.to_dict()}, allow_nan=False))
    else:
        print(printable_lines(format_assessments(ranked)))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from ..examples.demo import run_demo

    if args.top < 1:
        args.parser.error("--top must be at least 1")
    return run_demo(seed=args.seed, top=args.top)


def _cmd_schema(args: argparse.Namespace) -> int:
    from ..model.config import model_schema

    print_json(model_schema())
    return 0


# --------------------------------------------------------------------------- parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _data_args(p: argparse.ArgumentParser, formats: Sequence[str], *, unknown: bool = True) -> None:
    p.add_argument("--model", required=True,
                   help="a model file (.toml, .json), a packaged model name, or - for stdin")
    p.add_argument("--leads", required=True, help="leads file (.csv, .jsonl, optionally .gz)")
    p.add_argument("--events", help="events file (.csv, .jsonl, optionally .gz)")
    p.add_argument("--identities", metavar="FILE",
                   help="aliases of leads (.csv, .jsonl: alias, lead_id, at): an alias's "
                        "events are its lead's from the link on")
    p.add_argument("--as-of", type=_moment, metavar="MOMENT",
                   help="ISO 8601 moment with an offset (default: now)")
    p.add_argument("--assume-tz", metavar="TZ",
                   help="time zone of timestamps written without an offset (e.g. Asia/Tokyo)")
    p.add_argument("--numeric", action="append", default=[], metavar="COLUMN",
                   help="read this CSV column as numbers (repeatable; columns the model "
                        "compares to numbers are read as numbers already)")
    p.add_argument("--on-bad-row", choices=("fail", "skip"), default="fail",
                   help="fail at the first bad row (default) or skip and report each")
    if unknown:
        p.add_argument("--on-unknown", choices=("raise", "warn", "ignore"), default="raise",
                       help="events of leads not in --leads: fail (default), warn or ignore")
    p.add_argument("--format", choices=formats, default=formats[0])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``leadscoring`` command."""
    parser = argparse.ArgumentParser(
        prog="leadscoring",
        description="Explainable lead scoring: validate models, score and explain leads.",
        epilog="Exit status: 0 ok, 1 invalid input (problems on stderr), 2 usage.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("validate", help="check model files and print every problem")
    p.add_argument("models", nargs="+", metavar="MODEL",
                   help="a model file, a packaged model name, or - for stdin")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_cmd_validate)

    p = commands.add_parser("score", help="score leads from CSV / JSON Lines files")
    _data_args(p, ("table", "csv", "json", "jsonl"))
    p.add_argument("--explain", action="store_true",
                   help="add every contribution (table: the explanation of each lead)")
    p.add_argument("--sort", choices=("input", "total"), default="input",
                   help="keep the leads' order (default) or rank by total")
    p.add_argument("--top", type=_positive, metavar="N", help="print only the first N leads")
    p.add_argument("--csv-raw", action="store_true",
                   help="with --format csv, write text cells as they are (by default a cell "
                   "starting with = + - @ gets a leading ' so spreadsheets do not run it)")
    p.set_defaults(run=_cmd_score)

    p = commands.add_parser("explain", help="explain the scores of some leads")
    p.add_argument("lead_ids", nargs="+", metavar="LEAD_ID")
    _data_args(p, ("text", "json"), unknown=False)
    p.set_defaults(run=_cmd_explain)

    p = commands.add_parser("assess", help="rank leads: temperature, stage, grade, action")
    _data_args(p, ("table", "json", "jsonl"))
    p.add_argument("--top", type=_positive, metavar="N", help="print only the first N leads")
    p.add_argument("--engine", choices=("objects", "frame"), default="objects",
                   help="assess lead by lead (default) or on tables, for large files "
                        "(needs the 'frames' extra; the same results)")
    p.set_defaults(run=_cmd_assess)

    p = commands.add_parser("drift", help="compare two score files: has the population moved?",
                            epilog="Exit status: 0 ok (whatever the verdict, unless --fail-on), "
                                   "1 invalid input, 2 usage, 3 --fail-on reached.")
    add_drift_arguments(p)
    p.set_defaults(run=cmd_drift)

    p = commands.add_parser("demo", help="score the bundled sample dataset")
    p.add_argument("--seed", type=int, default=0, help="sample dataset seed (default 0)")
    p.add_argument("--top", type=int, default=10, help="how many leads to show (default 10)")
    p.set_defaults(run=_cmd_demo)

    p = commands.add_parser("schema", help="print the JSON Schema of model files")
    p.set_defaults(run=_cmd_schema)
    return parser


def _os_message(exc: OSError) -> str:
    if exc.filename is not None and exc.strerror:
        name = os.fsdecode(exc.filename)
        return exc.strerror if repr(name) in exc.strerror else f"{exc.strerror}: {name!r}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit
    status (argparse exits with 2 on wrong usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.parser = parser
    try:
        status: int = args.run(args)
        sys.stdout.flush()
    except _InputError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 1
    except UnknownLeadError as exc:
        print(cli_text(exc), file=sys.stderr)
        return 1
    except LeadScoringError as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        print(f"leadscoring: {_os_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("leadscoring: interrupted", file=sys.stderr)
        return 130
    return status
