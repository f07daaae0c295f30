"""score_frame against what a user would write by hand: DuckDB, polars, numpy.

    python benchmarks/peers.py                # 1,000,000 events (about a minute)
    python benchmarks/peers.py --n 20000      # a quick check
    python benchmarks/peers.py --scaling      # 10k, 100k, 1M events (--big adds 10M)
    python benchmarks/peers.py --json         # the figures as JSON

The data is a synthetic events table (numpy, seeded): ``--n`` events over about n / 9.4
leads, columns ``lead_id`` ("L000123"), ``type`` (seven event types), ``at`` (UTC,
spread over the year before ``as_of``, whole seconds), ``id`` (unique), ``category``
(page views only, else null) and ``duration_s`` (int). Text columns of the pandas table
are built with dtype ``"string[pyarrow]"`` when pyarrow is installed.

The model: 16 event rules, each matching on ``type`` and (for page views) one
``category``, with points, a half-life and a cap, in three groups; no limits, no
attribute rules, no group caps, no floor. Every route computes, per lead and rule,
``min(cap, sum(points * 0.5 ** (age_days / half_life_days)))`` with ``age_days`` the
exact age ``as_of - at`` in days, group scores as sums of their rules and the total
as the sum of the groups:

1. ``score_frame`` on the pandas table; 2. the same on the polars table;
3. and 4. the same two with ``ids="unique"`` (the caller vouches that no lead repeats an
event id, so the (lead_id, id) duplicate check is skipped; the ids are unique here);
5. DuckDB SQL over the Arrow table; 6. hand-written lazy polars expressions;
7. the numpy floor: ``np.bincount`` per rule on integer-coded columns.

Every route is checked against ``score_frame`` (totals and groups within 1e-9 per
lead) before anything is timed. Figures: CPU seconds of this process
(``time.process_time``) and wall seconds, medians of 3 runs, and the first call's CPU
time on its own; ratios are of CPU medians, for
``score_frame`` on each input (with and without the id check) against each peer.

Not part of the test suite: no test is timed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from leadscoring import EventRule, HalfLife, ScoringModel, score_frame, when

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
TYPES = ["page_view", "email_open", "email_click", "form_submit", "download", "webinar", "inquiry"]
TYPE_P = [0.45, 0.2, 0.1, 0.06, 0.08, 0.06, 0.05]
CATEGORIES = ["blog", "product", "pricing", "case_study", "docs", "careers", "integrations",
              "security", "about", "demo"]
# (name, type, category or None, points, half-life days, cap, group)
RULES = [
    ("pv blog", "page_view", "blog", 1, 14, 10, "web"),
    ("pv product", "page_view", "product", 3, 30, 30, "web"),
    ("pv pricing", "page_view", "pricing", 8, 21, 40, "web"),
    ("pv case study", "page_view", "case_study", 4, 30, 20, "web"),
    ("pv docs", "page_view", "docs", 2, 45, 20, "web"),
    ("pv careers", "page_view", "careers", 1, 7, 3, "web"),
    ("pv integrations", "page_view", "integrations", 3, 30, 15, "web"),
    ("pv security", "page_view", "security", 4, 60, 16, "web"),
    ("pv demo", "page_view", "demo", 10, 30, 50, "web"),
    ("email open", "email_open", None, 1, 10, 8, "email"),
    ("email click", "email_click", None, 3, 14, 21, "email"),
    ("form", "form_submit", None, 15, 60, 45, "intent"),
    ("download", "download", None, 6, 45, 24, "intent"),
    ("webinar", "webinar", None, 8, 90, 24, "intent"),
    ("inquiry", "inquiry", None, 25, 90, 50, "intent"),
    ("pv about", "page_view", "about", 1, 30, 5, "web"),
]
GROUPS = ["web", "email", "intent"]
DAY_US = 86_400 * 1_000_000


def model() -> ScoringModel:
    rules = [
        EventRule(name=n, when=when(type=t) if c is None else when(type=t, category=c),
                  points=p, decay=HalfLife(days=h), cap=cap, group=g)
        for n, t, c, p, h, cap, g in RULES
    ]
    return ScoringModel(name="peers", version=1, rules=rules)


def data(n: int, seed: int = 0) -> dict[str, Any]:
    """The events as numpy arrays: integer codes and their text."""
    rng = np.random.default_rng(seed)
    n_leads = max(1, round(n / 9.4))
    lead = np.sort(rng.integers(0, n_leads, n))
    type_code = rng.choice(len(TYPES), n, p=TYPE_P)
    cat_code = np.where(type_code == 0, rng.integers(0, len(CATEGORIES), n), -1)
    age_s = rng.integers(0, 365 * 86_400, n)
    at_us = int(AS_OF.timestamp()) * 1_000_000 - age_s * 1_000_000
    duration = rng.integers(1, 600, n)
    return {"lead": lead, "type": type_code, "cat": cat_code, "at_us": at_us,
            "duration": duration, "n_leads": n_leads}


def arrow_table(d: dict[str, Any]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(d["lead"])
    lead_names = pa.array(np.char.add("L", np.char.zfill(np.arange(d["n_leads"]).astype(str), 6)))
    types = pa.array(TYPES)
    cats = pa.array(CATEGORIES)
    cat = pa.array(d["cat"], mask=d["cat"] < 0)
    return pa.table({
        "lead_id": pc.take(lead_names, pa.array(d["lead"])),
        "type": pc.take(types, pa.array(d["type"])),
        "at": pa.array(d["at_us"], pa.timestamp("us", tz="UTC")),
        "id": pa.array(np.char.add("e", np.arange(n).astype(str))),
        "category": pc.take(cats, cat),
        "duration_s": pa.array(d["duration"]),
    })


def to_pandas(table: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def duckdb_route(table: Any) -> Callable[[], Any]:
    import duckdb

    as_of = AS_OF.isoformat()
    at = '"at"'  # a keyword in DuckDB
    terms = []
    for i, (_, t, c, p, h, cap, _g) in enumerate(RULES):
        cond = f"type = '{t}'" + ("" if c is None else f" AND category = '{c}'")
        terms.append(
            f"LEAST({cap}, COALESCE(SUM(CASE WHEN {cond} THEN {p} * pow(0.5, "
            f"(epoch_us(TIMESTAMPTZ '{as_of}') - epoch_us({at})) / {float(h * DAY_US)}) END), 0))"
            f" AS r{i}")
    groups = [" + ".join(f"r{i}" for i, r in enumerate(RULES) if r[6] == g) + f" AS {g}"
              for g in GROUPS]
    sql = (f"SELECT lead_id, {', '.join(groups)}, {' + '.join(GROUPS)} AS total FROM "
           f"(SELECT lead_id, {', '.join(terms)} FROM events GROUP BY lead_id)")

    def run() -> Any:
        con = duckdb.connect()
        con.register("events", table)
        return con.sql(sql).to_arrow_table()

    return run


def polars_route(frame: Any) -> Callable[[], Any]:
    import polars as pl

    as_of_us = int(AS_OF.timestamp()) * 1_000_000

    def run() -> Any:
        age = (as_of_us - pl.col("at").dt.epoch("us")).cast(pl.Float64)
        exprs = []
        for i, (_, t, c, p, h, cap, _g) in enumerate(RULES):
            cond = pl.col("type") == t
            if c is not None:
                cond = cond & (pl.col("category") == c)
            w = pl.when(cond).then(p * pl.lit(0.5).pow(age / float(h * DAY_US))).otherwise(0.0)
            exprs.append(pl.min_horizontal(w.sum(), pl.lit(float(cap))).alias(f"r{i}"))
        groups = [pl.sum_horizontal([f"r{i}" for i, r in enumerate(RULES) if r[6] == g]).alias(g)
                  for g in GROUPS]
        return (frame.lazy().group_by("lead_id").agg(exprs).with_columns(groups)
                .with_columns(pl.sum_horizontal(GROUPS).alias("total"))
                .select(["lead_id", *GROUPS, "total"]).collect())

    return run


def numpy_route(d: dict[str, Any]) -> Callable[[], Any]:
    as_of_us = int(AS_OF.timestamp()) * 1_000_000

    def run() -> Any:
        lead, tcode, ccode = d["lead"], d["type"], d["cat"]
        age = (as_of_us - d["at_us"]).astype(np.float64)
        out = {g: np.zeros(d["n_leads"]) for g in GROUPS}
        for _, t, c, p, h, cap, g in RULES:
            m = tcode == TYPES.index(t)
            if c is not None:
                m &= ccode == CATEGORIES.index(c)
            w = p * 0.5 ** (age[m] / float(h * DAY_US))
            out[g] += np.minimum(np.bincount(lead[m], weights=w, minlength=d["n_leads"]), cap)
        out["total"] = sum(out[g] for g in GROUPS)
        return out

    return run


def check(name: str, ref: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> None:
    for col in [*GROUPS, "total"]:
        diff = np.abs(ref[col] - got[col])
        if not np.all(diff <= 1e-9 * np.maximum(1.0, np.abs(ref[col]))):
            worst = int(np.argmax(diff))
            raise SystemExit(f"{name} disagrees with score_frame on {col!r}: lead index "
                             f"{worst}, {got[col][worst]!r} against {ref[col][worst]!r}")


def by_lead(lead_ids: Any, cols: dict[str, Any], n_leads: int) -> dict[str, np.ndarray]:
    """Columns reordered by lead number (lead ids are "L%06d")."""
    idx = np.asarray([int(s[1:]) for s in lead_ids])
    out = {}
    for k, v in cols.items():
        a = np.zeros(n_leads)
        a[idx] = np.asarray(v, dtype=np.float64)
        out[k] = a
    return out


def measure(run: Callable[[], Any], repeat: int = 3) -> dict[str, float]:
    first_cpu = time.process_time()
    first_wall = time.perf_counter()
    run()
    first = (time.process_time() - first_cpu, time.perf_counter() - first_wall)
    cpus, walls = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        run()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return {"cpu": statistics.median(cpus), "wall": statistics.median(walls),
            "first_cpu": first[0], "first_wall": first[1]}


def bench(n: int, repeat: int = 3) -> dict[str, Any]:
    import polars as pl

    d = data(n)
    table = arrow_table(d)
    pdf = to_pandas(table)
    plf = pl.from_arrow(table)
    m = model()
    n_leads = d["n_leads"]
    routes: dict[str, Callable[[], Any]] = {
        "score_frame (pandas)": lambda: score_frame(pdf, m, as_of=AS_OF),
        "score_frame (polars)": lambda: score_frame(plf, m, as_of=AS_OF),
        "score_frame (pandas, ids=unique)": lambda: score_frame(pdf, m, as_of=AS_OF, ids="unique"),
        "score_frame (polars, ids=unique)": lambda: score_frame(plf, m, as_of=AS_OF, ids="unique"),
        "duckdb": duckdb_route(table),
        "polars by hand": polars_route(plf),
        "numpy floor": numpy_route(d),
    }
    ref_df = routes["score_frame (pandas)"]()
    cols = [*GROUPS, "total"]
    ref = by_lead(ref_df["lead_id"].tolist(),
                  {g: ref_df[f"by_group.{g}"] if g != "total" else ref_df["total"] for g in cols},
                  n_leads)
    for name in ("score_frame (polars)", "score_frame (polars, ids=unique)",
                 "score_frame (pandas, ids=unique)"):
        out = routes[name]()
        check(name, ref, by_lead(
            list(out["lead_id"]),
            {g: out[f"by_group.{g}"] if g != "total" else out["total"] for g in cols}, n_leads))
    out = routes["duckdb"]()
    check("duckdb", ref, by_lead(out["lead_id"].to_pylist(),
                                 {g: out[g].to_numpy() for g in cols}, n_leads))
    out = routes["polars by hand"]()
    check("polars by hand", ref, by_lead(out["lead_id"].to_list(),
                                         {g: out[g].to_numpy() for g in cols}, n_leads))
    out = routes["numpy floor"]()
    present = np.bincount(d["lead"], minlength=n_leads) > 0
    check("numpy floor", ref, {g: np.where(present, out[g], 0.0) for g in cols})
    figures = {name: measure(run, repeat) for name, run in routes.items()}
    ratios = {
        f"score_frame ({kind}) / {peer}":
            figures[f"score_frame ({kind})"]["cpu"] / figures[peer]["cpu"]
        for kind in ("pandas", "polars", "pandas, ids=unique", "polars, ids=unique")
        for peer in ("polars by hand", "duckdb", "numpy floor")
    }
    for kind in ("pandas", "polars"):
        ratios[f"score_frame ({kind}) ids=unique / ids=check"] = (
            figures[f"score_frame ({kind}, ids=unique)"]["cpu"]
            / figures[f"score_frame ({kind})"]["cpu"])
    return {"events": n, "leads": int(present.sum()), "routes": figures, "ratios": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--big", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = ([10_000, 100_000, 1_000_000] + ([10_000_000] if args.big else [])
             if args.scaling else [args.n])
    results = [bench(n) for n in sizes]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(f"{r['events']:,} events, {r['leads']:,} leads (agreement checked: 1e-9)")
        print(f"{'route':<34}{'CPU s':>9}{'wall s':>9}{'1st CPU s':>11}{'CPU ns/event':>14}")
        for name, f in r["routes"].items():
            print(f"{name:<34}{f['cpu']:>9.3f}{f['wall']:>9.3f}{f['first_cpu']:>11.3f}"
                  f"{f['cpu'] / r['events'] * 1e9:>14.0f}")
        for name, v in r["ratios"].items():
            print(f"  {name}: {v:.2f}")
        print()


if __name__ == "__main__":
    main()
