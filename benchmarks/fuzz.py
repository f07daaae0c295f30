"""Long fuzzing runs of the entry points that read documents, with counts and CPU times.

    python benchmarks/fuzz.py                    # 10,000 documents per entry point
    python benchmarks/fuzz.py --n 500            # fewer
    python benchmarks/fuzz.py --only snapshot    # one entry point (repeatable)
    python benchmarks/fuzz.py --json             # the figures as JSON

The documents come from the same hypothesis strategies as the tests (``tests/fuzzing.py``
for models and snapshots; ``csv_bytes`` and ``jsonl_bytes`` of
``tests/test_loader_hardening.py`` for event files), run through the same checks:

* ``model-dict``: ``model_from_dict`` of a mutated packaged model;
* ``model-text``: ``parse_model_text`` of damaged JSON or TOML text;
* ``model-file``: ``load_model(path)`` of damaged bytes in a file;
* ``snapshot``: ``Scorer.restore`` of a tampered snapshot (checksum kept, recomputed or
  removed);
* ``snapshot-text``: the same from damaged JSON text (text that is no JSON is skipped);
* ``events-file``: ``read_events(path, errors="collect")`` of a fuzzed CSV or JSON Lines
  file, plain, gzipped or a truncated gzip file.

Per entry point it prints the documents run, accepted, refused (a LeadScoringError that
names where), broken promises (an accepted document that does not work or round-trip, or a
refusal that names nowhere), other exceptions (a crash: must be 0; the first ones are
printed with their traceback) and the slowest and median CPU time of the entry point's
call (``time.process_time``: the machine may be shared). Not part of the test suite:
nothing is timed there. The exit status is 1 if any document crashed or broke a promise.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the shared strategies, as pytest finds them

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzzing  # noqa: E402
from leadscoring import LeadScoringError, read_events  # noqa: E402
from test_loader_hardening import (  # noqa: E402
    csv_bytes,
    expected_csv_rows,
    expected_jsonl_rows,
    jsonl_bytes,
)

Check = Callable[[Any, list[float]], str | None]
"""Runs one document: ``"accepted"``, ``"refused"`` or ``None`` (skipped), appending the
CPU time of the entry point's call to the list."""


def _events_file(folder: Path) -> tuple[st.SearchStrategy[Any], Check]:
    files = st.tuples(
        st.sampled_from(["csv", "jsonl"]).flatmap(
            lambda fmt: st.tuples(st.just(fmt), csv_bytes() if fmt == "csv" else jsonl_bytes())
        ),
        st.sampled_from(["no", "gzip", "truncated"]),
        st.floats(0, 1, exclude_max=True),
    )

    def check(case: Any, times: list[float]) -> str:
        (fmt, raw), zipped, cut = case
        path = folder / f"events.{fmt}"
        if zipped != "no":
            path = path.with_name(path.name + ".gz")
            packed = gzip.compress(raw)
            path.write_bytes(packed[: int(cut * len(packed))] if zipped == "truncated" else packed)
        else:
            path.write_bytes(raw)
        start = time.process_time()
        try:
            result = read_events(path, errors="collect", assume_tz="UTC")
        except LeadScoringError as exc:
            times.append(time.process_time() - start)
            fuzzing.check_refusal(exc, source=str(path))  # the message names the file
            return "refused"
        times.append(time.process_time() - start)
        assert zipped != "truncated", "a truncated gzip file must raise"
        expected = expected_csv_rows(raw) if fmt == "csv" else expected_jsonl_rows(raw)
        assert expected is not None, "the csv module refuses this file, the loader must raise"
        assert len(result.rows) + len(result.rejected) == expected, "rows were lost"
        return "accepted"

    return files, check


def entry_points(folder: Path) -> dict[str, tuple[st.SearchStrategy[Any], Check]]:
    """Each entry point: the strategy of its documents and the check of one."""
    seals = st.sampled_from(["reseal", "reseal", "old", "keep"])
    return {
        "model-dict": (fuzzing.model_documents(), fuzzing.check_model_document),
        "model-text": (fuzzing.model_texts(), lambda d, t: fuzzing.check_model_text(d[0], d[1], t)),
        "model-file": (
            fuzzing.model_texts(),
            lambda d, t: fuzzing.check_model_file(d[0], d[1], folder, t),
        ),
        "snapshot": (fuzzing.snapshots(), fuzzing.check_snapshot),
        "snapshot-text": (
            st.tuples(fuzzing.snapshot_texts(), seals),
            lambda d, t: fuzzing.check_snapshot_text(d[0], d[1], t),
        ),
        "events-file": _events_file(folder),
    }


def _short(value: Any, width: int = 160) -> str:
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - a repr that fails is itself worth a look
        text = f"<{type(value).__name__}>"
    return text if len(text) <= width else f"{text[:width]}... ({len(text):,} chars)"


def run(
    name: str, strategy: st.SearchStrategy[Any], check: Check, n: int, save: Path | None = None
) -> dict[str, Any]:
    """Run ``n`` generated documents through ``check``; the counts, times and failures
    (the first five failing documents pickled into ``save`` if given)."""
    counts = {"run": 0, "accepted": 0, "refused": 0, "skipped": 0, "broken": 0, "other": 0}
    times: list[float] = []
    slowest: tuple[float, str] = (0.0, "")
    failures: list[str] = []
    saved = [0]

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one(document: Any) -> None:
        nonlocal slowest
        counts["run"] += 1
        kept = fuzzing.copied(document) if save is not None else None  # before any change
        before = len(times)
        try:
            outcome = check(document, times)
        except AssertionError as exc:
            counts["broken"] += 1
            if len(failures) < 5:
                failures.append(f"broken promise: {exc}\n  input: {_short(document, 600)}")
        except Exception:
            counts["other"] += 1
            if len(failures) < 5:
                failures.append(f"{traceback.format_exc()}  input: {_short(document, 600)}")
        else:
            counts["skipped" if outcome is None else outcome] += 1
        if save is not None and len(failures) > saved[0]:
            target = save / f"{name}-{saved[0]}.pickle"
            try:
                target.write_bytes(pickle.dumps(kept))
            except RecursionError:
                target.write_text(_short(kept, 100_000))
            failures[-1] += f"\n  saved as {target}"
            saved[0] += 1
        if len(times) > before and times[-1] > slowest[0]:
            slowest = (times[-1], _short(document))

    one()
    return {
        "entry_point": name,
        **counts,
        "median_ms": 1000 * statistics.median(times) if times else None,
        "slowest_ms": 1000 * slowest[0] if times else None,
        "slowest_document": slowest[1],
        "failures": failures,
    }


def _table(rows: list[dict[str, Any]]) -> str:
    heads = ["entry point", "run", "accepted", "refused", "skipped", "broken", "other",
             "median ms", "slowest ms"]  # fmt: skip
    lines = [heads]
    for r in rows:
        lines.append(
            [r["entry_point"], *(f"{r[k]:,}" for k in
             ("run", "accepted", "refused", "skipped", "broken", "other")),
             "-" if r["median_ms"] is None else f"{r['median_ms']:.3f}",
             "-" if r["slowest_ms"] is None else f"{r['slowest_ms']:.1f}"]
        )  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(heads))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                  enumerate(zip(line, widths, strict=True)))
        for line in lines
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="documents per entry point")
    parser.add_argument("--only", action="append", help="run only this entry point")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--save", type=Path, help="pickle the failing documents into this folder")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="leadscoring-fuzz-") as folder:
        points = entry_points(Path(folder))
        for name in args.only or list(points):
            if name not in points:
                parser.error(f"no entry point {name!r}; choose from {', '.join(points)}")
            strategy, check = points[name]
            rows.append(run(name, strategy, check, args.n, args.save))
            if not args.json:
                print(f"{name}: done ({rows[-1]['run']:,} documents)", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(_table(rows))
        for r in rows:
            print(f"\n{r['entry_point']}: slowest document: {r['slowest_document']}")
            for failure in r["failures"]:
                print(f"  {failure}")
    return 1 if any(r["broken"] or r["other"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
