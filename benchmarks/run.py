"""Speed and memory of leadscoring at scale, as ratios against baselines run in the same process.

    python benchmarks/run.py                       # full size: ~1M events, 100k leads (minutes)
    python benchmarks/run.py --scale 0.1           # a tenth of everything, for a quick look
    python benchmarks/run.py --json                # the figures as JSON
    python benchmarks/run.py --only object frame   # some sections: object frame add memory

Data: ``leadscoring.examples.sample_dataset`` (about 9.4 events per lead, every event with an
id) scored with a realistic 12-rule model (3 fit rules; 9 engagement rules with a 30-day
half-life, rule caps, an email group cap, a once-a-day limit and a repeat rule).

1. ``score_all`` (object path) against a minimal Python loop that only sums
   ``points * 0.5 ** (age / h)`` per lead;
2. ``score_frame`` (pandas) against a hand-written pandas ``groupby`` of points, half-life
   and rule caps, and against numpy floors (``bincount`` alone; and factorize + weights +
   ``bincount`` from the same table), on the table as read back from storage;
3. ``Scorer.add``: throughput, and the cost per event with 100 vs 100,000 events of history
   per lead (in time order);
4. the memory of a ``Scorer`` after 10M streamed events (no ids) over 100k leads with
   half-life rules, measured in a fresh process.

Timings are the best of ``--repeat`` runs, each baseline run alternately with what it is
compared to. The input data is frozen out of the garbage collector's sight (``gc.freeze``)
after it is built, so a collection does not walk a million input events; collections caused
by what is measured still count (``score_all`` is also reported with the collector paused).
The frame section needs ``pip install -e '.[frames]'``; without it, it is skipped.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import leadscoring
from leadscoring import (
    AnyOf,
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    Lead,
    Limit,
    RepeatRule,
    Rule,
    Scorer,
    ScoringModel,
    gte,
    score_all,
    when,
)
from leadscoring.core.mapping import FrozenMap
from leadscoring.examples import sample_dataset

HALF_LIFE_DAYS = 30.0


# --------------------------------------------------------------------------- models


def bench_model(*, limits: bool = True) -> ScoringModel:
    """The 12-rule model; ``limits=False`` drops the limit and makes the repeat rule plain."""
    daily = Limit(count=1, per=timedelta(days=1)) if limits else None
    back_and_forth: Rule = (
        RepeatRule(name="service and case studies back and forth",
                   when=when(type="page_view", category=["service", "case_study"]),
                   times=4, within=timedelta(days=7), points=15)
        if limits else
        EventRule(name="service and case studies back and forth",
                  when=when(type="page_view", category=["service", "case_study"]), points=15)
    )  # fmt: skip
    rules: list[Rule] = [
        AttributeRule(name="target industry", when=when(industry=["manufacturing", "it"]),
                      points=15),
        AttributeRule(name="decision maker", when=when(role=["executive", "manager"]), points=10),
        AttributeRule(name="company size 100+", when=when(company_size=gte(100)), points=10),
        EventRule(name="blog article", when=when(type="page_view", category="blog"), points=1,
                  limit=daily, cap=5),
        EventRule(name="service or product page",
                  when=when(type="page_view", category=["service", "product"]), points=3, cap=24),
        EventRule(name="case study", when=when(type="page_view", category="case_study"),
                  points=5, cap=25),
        back_and_forth,
        EventRule(name="pricing page", when=when(type="page_view", category="pricing"),
                  points=10, cap=30),
        EventRule(name="long pricing visit",
                  when=when(type="page_view", category="pricing", duration_s=gte(60)),
                  points=5, cap=20),
        EventRule(name="email open", when=when(type="email_open"), points=1, limit=daily,
                  group="email"),
        EventRule(name="email click", when=when(type="email_click"), points=3, group="email"),
        EventRule(name="inquiry or demo request",
                  when=AnyOf(when(type=["inquiry", "demo_request"]),
                             when(type="form_submit", form="contact")), points=40),
    ]  # fmt: skip
    return ScoringModel(
        name="bench-12" if limits else "bench-12-half-life",
        rules=rules,
        default_decay=HalfLife(days=HALF_LIFE_DAYS),
        group_caps={"email": 25},
        floor=0,
        ceiling=200,
    )


# --------------------------------------------------------------------------- timing


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The best time of each function over ``repeat`` rounds, run in turn each round."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            best[name] = min(best[name], _timed(fn))
    return best


def _gc_paused(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


# --------------------------------------------------------------------------- 1. object path


def minimal_loop(events: list[Event], as_of: datetime) -> dict[str, float]:
    """The least a Python scorer does: ``points * 0.5 ** (age / h)`` summed per lead."""
    h = HALF_LIFE_DAYS * 86400.0
    totals: dict[str, float] = {}
    for e in events:
        age = (as_of - e.at).total_seconds()
        totals[e.lead_id] = totals.get(e.lead_id, 0.0) + 10.0 * 0.5 ** (age / h)
    return totals


def bench_object(leads: list[Lead], events: list[Event], as_of: datetime, repeat: int
                 ) -> dict[str, Any]:  # fmt: skip
    model = bench_model()
    run = lambda: score_all(leads, events, model, as_of=as_of)  # noqa: E731
    t = alternate({"loop": lambda: minimal_loop(events, as_of), "score_all": run,
                   "score_all_gc_paused": _gc_paused(run)}, repeat)  # fmt: skip
    n = len(events)
    return {
        "events": n,
        "loop_events_per_s": n / t["loop"],
        "score_all_events_per_s": n / t["score_all"],
        "score_all_gc_paused_events_per_s": n / t["score_all_gc_paused"],
        "ratio_vs_loop": t["loop"] / t["score_all"],
        "ratio_vs_loop_gc_paused": t["loop"] / t["score_all_gc_paused"],
        "target_ratio_vs_loop": ">= 0.5",
    }


# --------------------------------------------------------------------------- 2. columnar


def _as_read_back(table: Any) -> Any:
    """The table as read back from storage: its text cells are new string objects, laid
    out one after the other, not the strings the Event objects hold all over the heap
    (hashing those costs about twice as much in cache misses, for every method alike)."""
    import io

    import pandas as pd

    buffer = io.BytesIO()
    table.to_pickle(buffer)
    buffer.seek(0)
    return pd.read_pickle(buffer)


def events_frame(events: list[Event]) -> Any:
    """The events as a pandas table: lead_id, type, at, id and one column per property."""
    import pandas as pd

    rows = [{"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id, **e.properties}
            for e in events]  # fmt: skip
    table = pd.DataFrame(rows)
    table["at"] = pd.to_datetime(table["at"], utc=True)
    return _as_read_back(table)


def leads_frame(leads: list[Lead]) -> Any:
    import pandas as pd

    return _as_read_back(pd.DataFrame([{"lead_id": x.id, "status": x.status.value,
                                        **x.attributes} for x in leads]))  # fmt: skip


def pandas_baseline(df: Any, as_of: datetime) -> Any:
    """Hand-written pandas: each engagement rule's points * half-life weight, summed per lead
    with groupby, clipped to the rule's cap; no limits, repeats, fit or group caps."""
    import pandas as pd

    age = (pd.Timestamp(as_of) - df["at"]).dt.total_seconds()
    weight = 0.5 ** (age / (HALF_LIFE_DAYS * 86400.0))
    kind, category = df["type"], df["category"]
    page = kind == "page_view"
    rules = [
        (page & (category == "blog"), 1, 5),
        (page & category.isin(["service", "product"]), 3, 24),
        (page & (category == "case_study"), 5, 25),
        (page & category.isin(["service", "case_study"]), 15, None),
        (page & (category == "pricing"), 10, 30),
        (page & (category == "pricing") & (df["duration_s"] >= 60), 5, 20),
        (kind == "email_open", 1, None),
        (kind == "email_click", 3, None),
        (kind.isin(["inquiry", "demo_request"]) | ((kind == "form_submit")
                                                   & (df["form"] == "contact")), 40, None),
    ]  # fmt: skip
    parts = []
    for mask, points, cap in rules:
        summed = (points * weight[mask]).groupby(df["lead_id"][mask], sort=False).sum()
        parts.append(summed.clip(-cap, cap) if cap is not None else summed)
    return pd.concat(parts, axis=1).fillna(0.0).sum(axis=1)


def numpy_floor(df: Any, as_of: datetime) -> Any:
    """From the table: lead codes, ages, one rule's half-life weights, ``bincount``."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(df["lead_id"])
    at = df["at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
    age = (np.datetime64(as_of.replace(tzinfo=None), "us") - at).astype(np.int64) / 1e6
    weights = 10.0 * np.power(0.5, age / (HALF_LIFE_DAYS * 86400.0))
    return np.bincount(codes, weights=weights, minlength=len(uniques))


def bench_frame(leads: list[Lead], events: list[Event], as_of: datetime, repeat: int
                ) -> dict[str, Any]:  # fmt: skip
    try:
        import numpy as np
        import pandas  # noqa: F401
    except ImportError:
        return {"skipped": "install the frames extra: pip install -e '.[frames]'"}
    model = bench_model()
    df, leads_df = events_frame(events), leads_frame(leads)
    codes = np.arange(len(df)) % max(len(leads), 1)
    weights = np.random.default_rng(0).random(len(df))
    fns: dict[str, Callable[[], object]] = {
        "score_frame": lambda: leadscoring.score_frame(df, model, as_of=as_of, leads_df=leads_df),
        "pandas": lambda: pandas_baseline(df, as_of),
        "numpy_floor": lambda: numpy_floor(df, as_of),
        "bincount": lambda: np.bincount(codes, weights=weights, minlength=len(leads)),
    }
    try:
        import polars as pl

        pdf = pl.from_dicts([{"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id,
                              **e.properties} for e in events], infer_schema_length=None)
        pleads = pl.from_dicts([{"lead_id": x.id, **x.attributes} for x in leads],
                               infer_schema_length=None)  # fmt: skip
        fns["score_frame_polars"] = lambda: leadscoring.score_frame(
            pdf, model, as_of=as_of, leads_df=pleads
        )
    except ImportError:
        pass
    gc.collect()
    gc.freeze()
    t = alternate(fns, repeat)
    n = len(events)
    out = {
        "events": n,
        "score_frame_events_per_s": n / t["score_frame"],
        "pandas_baseline_events_per_s": n / t["pandas"],
        "numpy_floor_events_per_s": n / t["numpy_floor"],
        "bincount_events_per_s": n / t["bincount"],
        "speed_vs_pandas": t["pandas"] / t["score_frame"],
        "times_numpy_floor": t["score_frame"] / t["numpy_floor"],
        "times_bincount": t["score_frame"] / t["bincount"],
        "target_speed_vs_pandas": ">= 1",
        "target_times_numpy_floor": "<= 4",
    }
    if "score_frame_polars" in t:
        out["score_frame_polars_events_per_s"] = n / t["score_frame_polars"]
    return out


# --------------------------------------------------------------------------- 3. Scorer.add

_PATTERN = (
    ("page_view", "blog", 40), ("page_view", "service", 90), ("page_view", "case_study", 120),
    ("page_view", "pricing", 75), ("email_open", None, None), ("page_view", "product", 30),
    ("email_click", None, None), ("page_view", "pricing", 20),
)  # fmt: skip
_PROPS = [FrozenMap({k: v for k, v in (("category", c), ("duration_s", d)) if v is not None})
          for _, c, d in _PATTERN]  # fmt: skip
T0 = datetime(2020, 1, 1, tzinfo=UTC)


def stream(lead_ids: list[str], per_lead: int, *, start: int = 0, ids: bool = True,
           step: timedelta = timedelta(minutes=7)) -> Iterator[Event]:  # fmt: skip
    """Events in time order, round-robin over ``lead_ids``: ``per_lead`` each, numbered from
    ``start``, cycling through a pattern that every engagement rule matches."""
    for i in range(start, start + per_lead):
        for j, lead_id in enumerate(lead_ids):
            k = (i + j) % len(_PATTERN)
            yield Event(lead_id=lead_id, type=_PATTERN[k][0], at=T0 + i * step,
                        properties=_PROPS[k], id=f"{lead_id}-{i}" if ids else None)  # fmt: skip


def bench_add(events: list[Event], scale: float, repeat: int) -> dict[str, Any]:
    model = bench_model()
    ordered = sorted(events, key=lambda e: e.at)

    def fill() -> Scorer:
        scorer = Scorer(model)
        for event in ordered:
            scorer.add(event)
        return scorer

    add_time = alternate({"add": fill}, repeat)["add"]
    lead_ids = [f"H{j}" for j in range(10)]
    long_history = max(1000, int(100_000 * scale))
    measured = 2_000
    per_event = {}
    for history in (100, long_history):
        scorer = Scorer(model)
        for event in stream(lead_ids, history):
            scorer.add(event)
        batches = [list(stream(lead_ids, measured, start=history + r * measured))
                   for r in range(repeat)]  # fmt: skip
        best = float("inf")
        for batch in batches:  # each batch continues the same scorer's history
            start = time.perf_counter()
            for event in batch:
                scorer.add(event)
            best = min(best, (time.perf_counter() - start) / len(batch))
        per_event[history] = best
    return {
        "events": len(events),
        "add_events_per_s": len(events) / add_time,
        "history_short": 100,
        "history_long": long_history,
        "us_per_event_short_history": per_event[100] * 1e6,
        "us_per_event_long_history": per_event[long_history] * 1e6,
        "long_vs_short": per_event[long_history] / per_event[100],
        "target_long_vs_short": "<= 1.2",
    }


# --------------------------------------------------------------------------- 4. memory


def _status_kib(key: str) -> int:
    """A memory figure of this process from /proc (Linux): VmRSS now, VmHWM its peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # elsewhere: the peak


def memory_child(n_events: int, n_leads: int) -> dict[str, Any]:
    """In a fresh process: RSS growth while a Scorer takes ``n_events`` (no ids)."""
    model = bench_model(limits=False)
    lead_ids = [f"L{i:06d}" for i in range(n_leads)]
    gc.collect()
    before = _status_kib("VmRSS")
    scorer = Scorer(model)
    start = time.perf_counter()
    for event in stream(lead_ids, max(1, n_events // n_leads), ids=False,
                        step=timedelta(seconds=30)):  # fmt: skip
        scorer.add(event)
    seconds = time.perf_counter() - start
    gc.collect()
    after = _status_kib("VmRSS")
    peak = _status_kib("VmHWM")
    added = max(1, n_events // n_leads) * n_leads
    rules = sum(1 for r in model.rules if not isinstance(r, AttributeRule))
    return {
        "events": added,
        "leads": n_leads,
        "engagement_rules": rules,
        "scorer_mib": (after - before) / 1024,
        "peak_rss_mib": peak / 1024,
        "bytes_per_lead": (after - before) * 1024 / n_leads,
        "bytes_per_lead_and_rule": (after - before) * 1024 / (n_leads * rules),
        "stream_events_per_s": added / seconds,
        "target_scorer_mib": "< 300",
    }


def bench_memory(scale: float) -> dict[str, Any]:
    n_events, n_leads = int(10_000_000 * scale), max(1, int(100_000 * scale))
    done = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(n_events), str(n_leads)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- report


def environment(scale: float, repeat: int) -> dict[str, Any]:
    versions = {}
    for name in ("numpy", "pandas", "polars", "narwhals"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "leadscoring": getattr(leadscoring, "__version__", "dev"),
        **versions,
        "scale": scale,
        "repeat": repeat,
    }


def table(result: dict[str, Any]) -> str:
    def f(x: float) -> str:
        return f"{x:,.0f}" if x >= 100 else f"{x:.2f}"

    rows = [("benchmark", "measure", "value", "target")]
    o = result.get("object")
    if o:
        rows += [
            ("1 score_all", "events/s", f(o["score_all_events_per_s"]), ""),
            ("", "minimal loop events/s", f(o["loop_events_per_s"]), ""),
            ("", "ratio vs loop", f"{o['ratio_vs_loop']:.3f}", o["target_ratio_vs_loop"]),
            ("", "ratio vs loop (gc paused)", f"{o['ratio_vs_loop_gc_paused']:.3f}", ""),
        ]
    fr = result.get("frame")
    if fr and "skipped" not in fr:
        rows += [
            ("2 score_frame", "events/s (pandas)", f(fr["score_frame_events_per_s"]), ""),
            ("", "pandas groupby events/s", f(fr["pandas_baseline_events_per_s"]), ""),
            ("", "speed vs pandas", f"{fr['speed_vs_pandas']:.2f}", fr["target_speed_vs_pandas"]),
            ("", "time / numpy floor", f"{fr['times_numpy_floor']:.2f}",
             fr["target_times_numpy_floor"]),
            ("", "time / bincount alone", f"{fr['times_bincount']:.1f}", ""),
        ]  # fmt: skip
        if "score_frame_polars_events_per_s" in fr:
            rows.append(("", "events/s (polars)", f(fr["score_frame_polars_events_per_s"]), ""))
    elif fr:
        rows.append(("2 score_frame", "skipped", fr["skipped"], ""))
    a = result.get("add")
    if a:
        rows += [
            ("3 Scorer.add", "events/s", f(a["add_events_per_s"]), ""),
            ("", f"us/event, {a['history_short']} history",
             f"{a['us_per_event_short_history']:.2f}", ""),
            ("", f"us/event, {a['history_long']:,} history",
             f"{a['us_per_event_long_history']:.2f}", ""),
            ("", "long / short", f"{a['long_vs_short']:.2f}", a["target_long_vs_short"]),
        ]  # fmt: skip
    m = result.get("memory")
    if m:
        rows += [
            ("4 Scorer memory", f"MiB after {m['events']:,} events, {m['leads']:,} leads",
             f"{m['scorer_mib']:.1f}", m["target_scorer_mib"]),
            ("", "bytes per lead and rule", f"{m['bytes_per_lead_and_rule']:.0f}", ""),
            ("", "peak RSS of the process, MiB", f"{m['peak_rss_mib']:.1f}", ""),
        ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    env = result["environment"]
    head = (f"leadscoring benchmarks: {result.get('leads', 0):,} leads, "
            f"{result.get('events', 0):,} events (scale {env['scale']}, best of {env['repeat']}), "
            f"Python {env['python']}")  # fmt: skip
    lines = [head, ""]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 100k leads, 10M streamed")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--only", nargs="+", choices=["object", "frame", "add", "memory"],
                        default=["object", "frame", "add", "memory"])  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(*args.memory_child)))
        return 0
    result: dict[str, Any] = {"environment": environment(args.scale, args.repeat)}
    if {"object", "frame", "add"} & set(args.only):
        data = sample_dataset(seed=0, n_leads=max(1, int(100_000 * args.scale)))
        leads, events, as_of = list(data.leads), list(data.events), data.as_of
        del data
        gc.collect()
        gc.freeze()
        result.update(leads=len(leads), events=len(events))
        if "object" in args.only:
            result["object"] = bench_object(leads, events, as_of, args.repeat)
        if "frame" in args.only:
            result["frame"] = bench_frame(leads, events, as_of, args.repeat)
        if "add" in args.only:
            result["add"] = bench_add(events, args.scale, args.repeat)
    if "memory" in args.only:
        result["memory"] = bench_memory(args.scale)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
