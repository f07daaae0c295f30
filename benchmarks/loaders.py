"""The cost of the event loaders against a bare parsing loop, measured in one process.

    python benchmarks/loaders.py              # 200,000 events
    python benchmarks/loaders.py --n 20000    # fewer
    python benchmarks/loaders.py --no-gz      # plain files only
    python benchmarks/loaders.py --json       # the figures as JSON

The events are the first ``--n`` of ``leadscoring.examples.sample_dataset(seed=0)``
(page views with ``category``, ``url``, ``duration_s`` and often ``product``, emails with
``campaign``, forms, webinars; every event with an id), written to a temporary directory
as JSON Lines (``Event.to_dict()``, one object per line) and as CSV (``lead_id``,
``type``, ``at``, ``id`` and one column per property, empty where an event has none),
each also gzip-compressed.

For each file, the CPU time of this process (``time.process_time``; the machine may be
shared), the median of 3 runs and the first run on its own, of:

1. ``baseline``: the bare loop that builds the same row dicts, without any check:
   ``[json.loads(line) for line in f]`` for JSON Lines, ``csv.reader`` with
   ``dict(zip(header, row))`` for CSV (``csv.DictReader`` is shown beside it);
2. ``read_events(path)``;
3. ``list(iter_events(path))``.

Printed beside them: ``read_events / baseline`` and ``iter_events / baseline`` (target:
at most 3). Not part of the test suite: no test is timed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from leadscoring import Event, iter_events, read_events
from leadscoring.examples import sample_dataset

_EVENTS_PER_LEAD = 9.4
_FIXED = ("lead_id", "type", "at", "id")


def sample_events(n: int) -> list[Event]:
    """The first ``n`` events of the sample (more leads are drawn until there are ``n``)."""
    leads = max(1, int(n / _EVENTS_PER_LEAD * 1.05) + 1)
    while True:
        events = sample_dataset(seed=0, n_leads=leads).events
        if len(events) >= n:
            return list(events[:n])
        leads = int(leads * 1.2) + 1


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8", newline="")
    return open(path, mode, encoding="utf-8", newline="")


def write_files(events: list[Event], folder: Path, gz: bool) -> dict[str, Path]:
    """The events as JSON Lines and CSV files (and their ``.gz`` forms) in ``folder``."""
    keys = sorted({key for e in events for key in e.properties})
    header = [*_FIXED, *keys]
    paths = {"jsonl": folder / "events.jsonl", "csv": folder / "events.csv"}
    if gz:
        paths |= {"jsonl.gz": folder / "events.jsonl.gz", "csv.gz": folder / "events.csv.gz"}
    for name, path in paths.items():
        with _open_text(path, "w") as out:
            if name.startswith("jsonl"):
                for e in events:
                    out.write(json.dumps(e.to_dict()) + "\n")
            else:
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(header)
                for e in events:
                    row = [e.lead_id, e.type, e.at.isoformat(), e.id or ""]
                    writer.writerow(row + [e.properties.get(k, "") for k in keys])
    return paths


def bare_jsonl(path: Path) -> list[dict[str, Any]]:
    with _open_text(path, "r") as f:
        return [json.loads(line) for line in f]


def bare_csv(path: Path) -> list[dict[str, str]]:
    with _open_text(path, "r") as f:
        rows = csv.reader(f)
        header = next(rows)
        return [dict(zip(header, row, strict=False)) for row in rows]


def dict_reader(path: Path) -> list[dict[str, str]]:
    with _open_text(path, "r") as f:
        return list(csv.DictReader(f))


def timed(fn: Callable[[], object]) -> dict[str, float]:
    """CPU seconds of the first call, and the median of it and 2 more."""
    times = []
    for _ in range(3):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return {"first": times[0], "median": statistics.median(times)}


def bench_file(name: str, path: Path, n: int) -> dict[str, Any]:
    base = bare_jsonl if name.startswith("jsonl") else bare_csv
    result = read_events(path)
    assert len(result.rows) == n, len(result.rows)
    assert not result.rejected, result.rejected
    assert len(base(path)) == n
    del result  # not kept alive for the collector to walk while timing
    figures: dict[str, Any] = {
        "baseline": timed(lambda: base(path)),
        "read_events": timed(lambda: read_events(path)),
        "iter_events": timed(lambda: list(iter_events(path))),
    }
    if not name.startswith("jsonl"):
        figures["dict_reader"] = timed(lambda: dict_reader(path))
    floor = figures["baseline"]["median"]
    figures["read_over_baseline"] = round(figures["read_events"]["median"] / floor, 2)
    figures["iter_over_baseline"] = round(figures["iter_events"]["median"] / floor, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="events in each file")
    parser.add_argument("--no-gz", action="store_true", help="skip the .gz files")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    events = sample_events(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(events, Path(tmp), not args.no_gz)
        del events
        figures = {
            "n": args.n,
            "files": {name: bench_file(name, path, args.n) for name, path in paths.items()},
        }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.n:,} events; CPU seconds, median of 3 (first run in brackets)")
    for name, f in figures["files"].items():
        print(f"\n{name}")
        for what in ("baseline", "dict_reader", "read_events", "iter_events"):
            if what in f:
                print(f"  {what:<12}{f[what]['median']:8.3f} s  ({f[what]['first']:.3f})")
        print(f"  read_events / baseline {f['read_over_baseline']:6.2f}   (target: at most 3)")
        print(f"  iter_events / baseline {f['iter_over_baseline']:6.2f}")


if __name__ == "__main__":
    main()
