"""Beyond one machine: Dask and Spark against the single-process columnar engine.

    python benchmarks/cluster.py                      # 10,000,000 events (long)
    python benchmarks/cluster.py --events 1000000     # a tenth
    python benchmarks/cluster.py --json

The data is written once as Parquet under ``--dir`` (default a temporary directory): the
events of ``sample_dataset(seed=0, n_leads=10_000)`` (about 97,000 events with the cookies
united) tiled with new lead ids (``L00001~7``, its events ``L00001-E001``, ...) until
``--events`` rows, in files of about 500,000 rows, and the matching leads table. Each
engine then runs ``assess`` (the nightly job) on those files with the ``b2b-default``
model, in a process of its own:

- ``single``: ``pandas.read_parquet`` and ``assess_frame`` in one process;
- ``dask``: ``dd.read_parquet`` and ``assess_dask`` on a ``LocalCluster`` of ``--workers``
  worker processes (one thread each), the result written to Parquet;
- ``spark``: ``spark.read.parquet`` and ``assess_spark`` on ``local[--workers]``, the
  result written to Parquet.

For each: wall time, CPU time of the driver and of the workers (Dask: each worker's
``getrusage``; Spark: the Python workers are children of the JVM, so the CPU of the whole
process tree, from ``/proc``), peak resident memory of the driver and of each worker, and
the same on a small input (``--small`` events) for the fixed overhead. The line printed
last says at what event count each engine's wall time meets the single process's, from
the two sizes (a linear model: overhead plus a rate).

Not part of the test suite: no test is timed. Run it on a quiet machine; the figures in
``docs/performance.md`` say which machine they came from.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parent
TILE_LEADS = 10_000
FILE_ROWS = 500_000


# -- the data -----------------------------------------------------------------------------


def write_data(directory: Path, n_events: int) -> dict[str, Any]:
    """Write ``events/`` and ``leads/`` Parquet files of about ``n_events`` events."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(HERE))
    from frames import tables

    from leadscoring.examples import sample_dataset

    data = sample_dataset(seed=0, n_leads=TILE_LEADS)
    united = data.identities.rekey([*data.events, *data.cookie_events], as_of=data.as_of)
    events, leads = tables(SimpleNamespace(leads=data.leads, events=united))
    events = events.astype({"lead_id": str, "id": str})
    copies = max(1, round(n_events / len(events)))
    (directory / "events").mkdir(parents=True, exist_ok=True)
    (directory / "leads").mkdir(parents=True, exist_ok=True)
    per_file = max(1, FILE_ROWS // len(events))
    schema = None
    written = 0
    for start in range(0, copies, per_file):
        parts = []
        for k in range(start, min(copies, start + per_file)):
            part = events.copy()
            part["lead_id"] = part["lead_id"] + f"~{k}"
            part["id"] = part["id"] + f"~{k}"
            parts.append(part)
        table = pa.Table.from_pandas(pd.concat(parts, ignore_index=True), preserve_index=False)
        schema = schema or table.schema
        pq.write_table(table.cast(schema), directory / "events" / f"part-{start:05d}.parquet")
        written += table.num_rows
    tiled = []
    for k in range(copies):
        part = leads.copy()
        part["lead_id"] = part["lead_id"] + f"~{k}"
        tiled.append(part)
    all_leads = pd.concat(tiled, ignore_index=True)
    pq.write_table(
        pa.Table.from_pandas(all_leads, preserve_index=False), directory / "leads" / "leads.parquet"
    )
    return {"events": written, "leads": len(all_leads), "as_of": data.as_of.isoformat()}


# -- one engine, in a process of its own --------------------------------------------------


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and every living descendant (from ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(entry.name)
        children.setdefault(int(fields[1]), []).append(child)
        stats[child] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, 0.0)
        todo += children.get(current, [])
    return total


def _tree_peaks(pid: int) -> dict[str, list[float]]:
    """The peak resident memory (``VmHWM``, MiB) of every living descendant of ``pid``, by
    command name (``java``: the JVM; ``python...``: Spark's Python workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    out: dict[str, list[float]] = {}
    todo = list(children.get(pid, []))
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmHWM" in fields:
            name = "java" if "java" in fields["Name"] else fields["Name"].strip()
            out.setdefault(name, []).append(round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return out


def run_single(directory: Path, as_of: str) -> dict[str, Any]:
    import pandas as pd

    from leadscoring import assess_frame
    from leadscoring.examples import default_model

    start, cpu = time.perf_counter(), _cpu_self()
    events = pd.read_parquet(directory / "events")
    leads = pd.read_parquet(directory / "leads")
    out = assess_frame(events, default_model(), as_of=pd.Timestamp(as_of), leads_df=leads)
    out.to_parquet(directory / "out-single.parquet")
    return {
        "wall_s": time.perf_counter() - start,
        "cpu_s": _cpu_self() - cpu,
        "rows": len(out),
        "driver_peak_mib": _peak_mib(),
        "worker_peak_mib": [],
    }


def run_dask(directory: Path, as_of: str, workers: int) -> dict[str, Any]:
    import dask.dataframe as dd
    import pandas as pd
    from dask.distributed import Client, LocalCluster

    from leadscoring.dask import assess_dask
    from leadscoring.examples import default_model

    def usage() -> tuple[float, float]:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024

    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        before = client.run(usage)
        start, cpu = time.perf_counter(), _cpu_self()
        events = dd.read_parquet(str(directory / "events"))
        leads = dd.read_parquet(str(directory / "leads"))
        out = assess_dask(events, default_model(), as_of=pd.Timestamp(as_of), leads_ddf=leads)
        out.to_parquet(str(directory / "out-dask"), write_index=False)
        wall = time.perf_counter() - start
        after = client.run(usage)
        rows = len(dd.read_parquet(str(directory / "out-dask")))
    return {
        "wall_s": wall,
        "cpu_s": _cpu_self() - cpu + sum(after[w][0] - before[w][0] for w in after),
        "rows": rows,
        "driver_peak_mib": _peak_mib(),
        "worker_peak_mib": sorted(round(after[w][1], 1) for w in after),
    }


def run_spark(directory: Path, as_of: str, workers: int) -> dict[str, Any]:
    import pandas as pd
    from pyspark.sql import SparkSession

    from leadscoring.examples import default_model
    from leadscoring.spark import assess_spark

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers need this venv
    spark = (
        SparkSession.builder.master(f"local[{workers}]")
        .config("spark.sql.shuffle.partitions", str(4 * workers))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        start = time.perf_counter()
        cpu = _cpu_self() + _tree_cpu(os.getpid())
        events = spark.read.parquet(str(directory / "events"))
        leads = spark.read.parquet(str(directory / "leads"))
        out = assess_spark(events, default_model(), as_of=pd.Timestamp(as_of), leads_sdf=leads)
        out.write.mode("overwrite").parquet(str(directory / "out-spark"))
        wall = time.perf_counter() - start
        used = _tree_cpu(os.getpid()) - cpu + _cpu_self()
        peaks = _tree_peaks(os.getpid())  # before the count: the workers of the job above
        rows = spark.read.parquet(str(directory / "out-spark")).count()
    finally:
        spark.stop()
    return {
        "wall_s": wall,
        "cpu_s": used,
        "rows": rows,
        "driver_peak_mib": _peak_mib(),
        "worker_peak_mib": sorted(
            p for name, found in peaks.items() if name != "java" for p in found
        ),
        "jvm_peak_mib": peaks.get("java", []),
    }


def child(engine: str, directory: Path, as_of: str, workers: int) -> dict[str, Any]:
    """Run ``engine`` in a fresh interpreter and return its figures."""
    call = {
        "single": f"run_single(Path({str(directory)!r}), {as_of!r})",
        "dask": f"run_dask(Path({str(directory)!r}), {as_of!r}, {workers})",
        "spark": f"run_spark(Path({str(directory)!r}), {as_of!r}, {workers})",
    }[engine]
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import cluster as d; "
        f"from pathlib import Path; print(json.dumps(d.{call}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=HERE
    )
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def break_even(small: dict[str, Any], large: dict[str, Any], n_small: int, n_large: int,
               engine: str) -> float | None:  # fmt: skip
    """The event count at which ``engine``'s wall time meets the single process's."""

    def line(name: str) -> tuple[float, float]:
        slope = (large[name]["wall_s"] - small[name]["wall_s"]) / (n_large - n_small)
        return small[name]["wall_s"] - slope * n_small, slope

    a1, r1 = line("single")
    a2, r2 = line(engine)
    if r2 >= r1:
        return None
    return max(0.0, (a2 - a1) / (r1 - r2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="single,dask,spark")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    engines = args.engines.split(",")
    root = args.dir or Path(tempfile.mkdtemp(prefix="leadscoring-bench-"))
    result: dict[str, Any] = {"workers": args.workers, "cpus": os.cpu_count()}
    for label, size in (("small", args.small), ("large", args.events)):
        directory = root / label
        shape = write_data(directory, size)
        result[label] = {"data": shape}
        for engine in engines:
            result[label][engine] = child(engine, directory, shape["as_of"], args.workers)
            print(label, engine, result[label][engine], file=sys.stderr, flush=True)
    n_small, n_large = result["small"]["data"]["events"], result["large"]["data"]["events"]
    for engine in engines:
        if engine == "single":
            continue
        large = result["large"]
        result[f"{engine} / single, wall"] = large[engine]["wall_s"] / large["single"]["wall_s"]
        result[f"{engine} / single, cpu"] = large[engine]["cpu_s"] / large["single"]["cpu_s"]
        result[f"{engine} pays off from (events)"] = break_even(
            result["small"], large, n_small, n_large, engine
        )
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for label in ("small", "large"):
        print(f"{label}: {result[label]['data']}")
        for engine in engines:
            f = result[label][engine]
            print(f"  {engine:6s} wall {f['wall_s']:8.1f} s  cpu {f['cpu_s']:8.1f} s  "
                  f"driver {f['driver_peak_mib']:7.0f} MiB  workers {f['worker_peak_mib']}  "
                  f"rows {f['rows']}")  # fmt: skip
    for key, value in result.items():
        if " / " in key or "pays off" in key:
            print(f"{key:36s} {value}")


if __name__ == "__main__":
    main()
