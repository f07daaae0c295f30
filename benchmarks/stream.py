"""The streaming backend's figures (issue 12), with the shipped ``b2b-default`` model.

    python benchmarks/stream.py                    # everything, full size (many minutes)
    python benchmarks/stream.py --scale 0.1        # a tenth of the memory run
    python benchmarks/stream.py --only snapshot    # sections: memory snapshot add
    python benchmarks/stream.py --baseline /tmp/old/src   # also time the same snapshot
                                                   # with an older checkout's Scorer

1. **memory**: in a fresh process, the growth and the peak of the resident memory while a
   :class:`~leadscoring.assessment.stream.Scorer` takes 10,000,000 streamed events (no ids)
   over 100,000 leads (target: peak under 400 MB);
2. **snapshot**: 10,000 leads and 500,000 events (every event with an id, as a CRM sends
   them; and the same without ids): the JSON size of ``snapshot()`` and the time of
   ``restore`` (targets: at most 10 MB, and a tenth of the time of the scorer before this
   work: 105 MB and 66 s in the issue, or ``--baseline`` run on this machine);
3. **add**: the cost per event after 100 vs 100,000 events of history per lead (10 leads,
   in time order; target: ratio at most 1.2), with what was built before the measured
   events frozen out of the collector's sight (``gc.freeze``), as in ``run.py``.

The events cycle through the page views, emails, downloads and forms every rule of the
model matches; times advance so that leads have session gaps, silences long enough to go
dormant (90 days) and returns that reactivate. Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PATTERN: list[tuple[str, dict[str, Any]]] = [
    ("page_view", {"category": "blog"}),
    ("page_view", {"category": "product", "product": "crm"}),
    ("page_view", {"category": "service"}),
    ("email_open", {}),
    ("page_view", {"category": "case_study"}),
    ("page_view", {"category": "pricing", "duration_s": 75}),
    ("email_click", {}),
    ("page_view", {"category": "faq"}),
    ("download", {}),
    ("page_view", {"category": "product", "product": "erp"}),
    ("webinar", {}),
    ("form_submit", {"form": "document_request"}),
]


def gap(i: int) -> timedelta:
    """The time before a lead's ``i``-th event: pages of a visit (minutes), visits (days),
    and every 40th event a silence of 120 days (dormant, then back in a burst)."""
    if i % 40 == 0 and i:
        return timedelta(days=120)
    if i % 4:
        return timedelta(minutes=3 + i % 7)
    return timedelta(days=1 + i % 5, hours=i % 11)


def stream(lead_ids: list[str], per_lead: int, *, ids: bool, start: int = 0) -> Iterator[Any]:
    """Events in time order, round-robin over the leads; each lead its own offset."""
    from leadscoring import Event

    at = [T0 + timedelta(minutes=j % 1440) for j in range(len(lead_ids))]
    for i in range(start):
        step = gap(i)
        at = [t + step for t in at]
    for i in range(start, start + per_lead):
        step = gap(i)
        kind, props = PATTERN[i % len(PATTERN)]
        for j, lead_id in enumerate(lead_ids):
            at[j] += step
            yield Event(lead_id=lead_id, type=kind, at=at[j], properties=props,
                        id=f"{lead_id}-{i}" if ids else None)  # fmt: skip


def _status_kib(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


def memory_child(n_events: int, n_leads: int) -> dict[str, Any]:
    """In this (fresh) process: the Scorer's memory after ``n_events`` streamed events."""
    from leadscoring import load_model
    from leadscoring.assessment.stream import Scorer

    model = load_model("b2b-default")
    lead_ids = [f"L{i:06d}" for i in range(n_leads)]
    gc.collect()
    before = _status_kib("VmRSS")
    scorer = Scorer(model)
    started = time.perf_counter()
    per_lead = max(1, n_events // n_leads)
    for event in stream(lead_ids, per_lead, ids=False):
        scorer.add(event)
    seconds = time.perf_counter() - started
    gc.collect()
    after, peak = _status_kib("VmRSS"), _status_kib("VmHWM")
    end = T0 + timedelta(days=3000)
    started = time.perf_counter()
    moved = len(scorer.changes(end))
    feed = time.perf_counter() - started
    return {
        "events": per_lead * n_leads,
        "leads": n_leads,
        "scorer_mib": (after - before) / 1024,
        "peak_rss_mib": peak / 1024,
        "rss_after_feed_mib": _status_kib("VmRSS") / 1024,
        "events_per_s": per_lead * n_leads / seconds,
        "changes_seconds": feed,
        "changes": moved,
    }


def bench_memory(scale: float) -> dict[str, Any]:
    n_events, n_leads = int(10_000_000 * scale), max(1, int(100_000 * scale))
    code = (
        f"import json, sys; sys.path.insert(0, {sys.path[0]!r}); import stream; "
        f"print(json.dumps(stream.memory_child({n_events}, {n_leads})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _snapshot_figures(scorer_class: Any, model: Any, events: list[Any]) -> dict[str, float]:
    scorer = scorer_class(model)
    scorer.add_many(events)
    text = json.dumps(scorer.snapshot())
    data = json.loads(text)
    started = time.perf_counter()
    scorer_class.restore(model, data)
    restore = time.perf_counter() - started
    return {"snapshot_mb": len(text.encode()) / 1e6, "restore_s": restore}


def bench_snapshot(baseline: str | None) -> dict[str, Any]:
    from leadscoring import load_model
    from leadscoring.assessment.stream import Scorer

    model = load_model("b2b-default")
    lead_ids = [f"L{i:05d}" for i in range(10_000)]
    out: dict[str, Any] = {}
    for ids in (True, False):
        events = list(stream(lead_ids, 50, ids=ids))
        out["with ids" if ids else "without ids"] = _snapshot_figures(Scorer, model, events)
    if baseline:
        code = (
            f"import json, sys; sys.path.insert(0, {baseline!r}); "
            f"sys.path.insert(1, {sys.path[0]!r}); import stream, leadscoring; "
            "from leadscoring import Scorer, load_model; "
            "ids = [f'L{i:05d}' for i in range(10_000)]; "
            "print(json.dumps(stream._snapshot_figures(Scorer, load_model('b2b-default'), "
            "list(stream.stream(ids, 50, ids=True)))))"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if run.returncode == 0:
            out["baseline with ids"] = json.loads(run.stdout.strip().splitlines()[-1])
        else:
            out["baseline with ids"] = {"error": run.stderr.strip().splitlines()[-1]}
    return out


def bench_add(repeat: int = 3) -> dict[str, Any]:
    from leadscoring import load_model
    from leadscoring.assessment.stream import Scorer

    model = load_model("b2b-default")
    lead_ids = [f"H{j}" for j in range(10)]
    per_event: dict[int, float] = {}
    for history in (100, 100_000):
        scorer = Scorer(model)
        for event in stream(lead_ids, history, ids=True):
            scorer.add(event)
        best = float("inf")
        for r in range(repeat):
            batch = list(stream(lead_ids, 500, ids=True, start=history + r * 500))
            gc.collect()
            gc.freeze()  # as benchmarks/run.py: the collector does not walk the input
            started = time.perf_counter()
            for event in batch:
                scorer.add(event)
            best = min(best, (time.perf_counter() - started) / len(batch))
        per_event[history] = best
    return {
        "us_per_event_100": per_event[100] * 1e6,
        "us_per_event_100000": per_event[100_000] * 1e6,
        "ratio": per_event[100_000] / per_event[100],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the memory run")
    parser.add_argument("--only", nargs="*", default=["memory", "snapshot", "add"])
    parser.add_argument("--baseline", help="a src/ folder with an older leadscoring")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    if "add" in args.only:
        figures["add"] = bench_add()
        print(json.dumps({"add": figures["add"]}), flush=True)
    if "snapshot" in args.only:
        figures["snapshot"] = bench_snapshot(args.baseline)
        print(json.dumps({"snapshot": figures["snapshot"]}), flush=True)
    if "memory" in args.only:
        figures["memory"] = bench_memory(args.scale)
        print(json.dumps({"memory": figures["memory"]}), flush=True)


if __name__ == "__main__":
    main()
