"""The whole assessment on DataFrames: the ratios of issue 11, measured in one process.

    python benchmarks/frames.py               # 100,000 leads, about 944,000 events (minutes)
    python benchmarks/frames.py --scale 0.1   # a tenth of the leads
    python benchmarks/frames.py --json        # the figures as JSON

The data is ``sample_dataset(seed=0, n_leads=100_000 * scale)`` with the ``b2b-default``
model, as tables built once from the objects (pandas, and polars when installed). Every
figure is CPU time of this process (``time.process_time``; the machine may be shared),
best of ``--repeat`` runs, the two sides of a ratio run alternately (``assess_all``, by
far the slowest, once):

1. ``assess_all`` on pre-built objects / ``assess_frame`` (target: at least 30);
2. ``assess_frame`` / ``score_frame`` on the same tables (target: at most 2);
3. ``score_frame`` with ``b2b-default`` / the same model without its reactivation rule
   (target: at most 1.3);
4. polars input / pandas input, for ``score_frame`` and ``assess_frame`` (target: at most 1);
5. ``score_frame`` with ``identities=`` / without, on the same histories: every fifth
   lead's rows older than 30 days moved to a cookie id linked to the lead, so the united
   tables score what the plain ones do (the cost of re-keying and qualifying the ids);
6. ``assess_accounts`` on pre-built objects / ``assess_accounts_frame`` on the same tables
   (the leads table with its ``account_id`` column), the sample's accounts with the
   model's ``[accounts]`` policy (``assess_accounts``, like ``assess_all``, once);
7. ``sample_dataset`` (the objects) / ``sample_frames`` (the same number of leads as
   tables, pandas and polars; target: at least 10), each once, first calls.

Beside them, for what ratio 1 would take: ``assess_frame`` on the same pandas tables with
their text columns (but the event ids) as ``category`` dtype, which are read from their
codes instead of being hashed again.

Not part of the test suite: no test is timed.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from leadscoring import (
    Identity,
    IdentityMap,
    ReactivationRule,
    ScoringModel,
    assess_accounts,
    assess_all,
    score_frame,
)
from leadscoring.assessment.accounts_frame import assess_accounts_frame
from leadscoring.assessment.frame import assess_frame
from leadscoring.examples import default_model, sample_dataset, sample_frames


def cpu(run: Callable[[], Any], repeat: int) -> float:
    """The best CPU time of ``repeat`` runs of ``run``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def pair(first: Callable[[], Any], second: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The best CPU times of ``first`` and ``second``, run alternately ``repeat`` times."""
    times = [cpu(f, 1) for _ in range(repeat) for f in (first, second)]
    return min(times[0::2]), min(times[1::2])


def tables(data: Any) -> tuple[Any, Any]:
    """The sample's events and leads as pandas tables (one column per property)."""
    import pandas as pd

    names = sorted({k for e in data.events for k in e.properties})
    columns: dict[str, list[Any]] = {"lead_id": [], "type": [], "at": [], "id": []}
    columns.update({n: [] for n in names})
    for e in data.events:
        columns["lead_id"].append(e.lead_id)
        columns["type"].append(e.type)
        columns["at"].append(e.at)
        columns["id"].append(e.id)
        for n in names:
            columns[n].append(e.properties.get(n))
    events = pd.DataFrame(columns)
    events["at"] = pd.to_datetime(events["at"], utc=True).astype("datetime64[us, UTC]")
    attributes = sorted({k for x in data.leads for k in x.attributes})
    leads = pd.DataFrame({
        "lead_id": [x.id for x in data.leads],
        "status": [x.status.value for x in data.leads],
        "status_changed_at": pd.to_datetime([x.status_changed_at for x in data.leads], utc=True),
        **{a: [x.attributes.get(a) for x in data.leads] for a in attributes},
    })  # fmt: skip
    return events, leads


def anonymous(events: Any, as_of: datetime, share: int = 5) -> tuple[Any, IdentityMap]:
    """``events`` with the rows of every ``share``-th lead older than 30 days under a
    cookie id (``cookie-<lead>``), and the links (made 30 days ago) that unite them again."""
    chosen = list(dict.fromkeys(events["lead_id"].tolist()))[::share]
    since = as_of - timedelta(days=30)
    early = events["lead_id"].isin(chosen) & (events["at"] < since)
    out = events.copy()
    out.loc[early, "lead_id"] = "cookie-" + out.loc[early, "lead_id"]
    links = IdentityMap([Identity(alias=f"cookie-{x}", lead_id=x, at=since) for x in chosen])
    return out, links


def polars_of(table: Any) -> Any:
    """A pandas table as a polars one (without pyarrow: column by column)."""
    import polars as pl

    out = {}
    for name in table.columns:
        column = table[name]
        if str(column.dtype).startswith("datetime64"):
            us = column.astype("datetime64[us, UTC]").dt.tz_localize(None).to_numpy()
            out[name] = pl.Series(name, us).dt.replace_time_zone("UTC")
        elif column.dtype.kind in "iufb":
            out[name] = pl.Series(name, column.to_numpy())
        else:
            out[name] = pl.Series(name, [None if v is None or v != v else v for v in column])
    return pl.DataFrame(out)


def main() -> None:
    """Run the measures and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n_leads = int(100_000 * args.scale)
    start = time.process_time()
    data = sample_dataset(seed=0, n_leads=n_leads)
    sample_s = time.process_time() - start
    sampled: dict[str, float] = {}
    for backend in ("pandas", "polars"):
        start = time.process_time()
        try:
            sample_frames(n_leads, seed=0, backend=backend)  # type: ignore[arg-type]
        except ImportError:
            continue
        sampled[backend] = time.process_time() - start
    model = default_model()
    plain = ScoringModel.from_dict({
        **model.to_dict(),
        "rules": [r for r in model.to_dict()["rules"] if r.get("kind") != "reactivation"],
    })  # fmt: skip
    assert not any(isinstance(r, ReactivationRule) for r in plain.rules)
    events, leads = tables(data)
    gc.collect()
    gc.freeze()
    as_of = data.as_of
    figures: dict[str, Any] = {"leads": len(data.leads), "events": len(data.events)}
    figures["sample_dataset_s"] = sample_s
    for backend, seconds in sampled.items():
        figures[f"sample_frames_{backend}_s"] = seconds
        figures[f"sample_dataset / sample_frames, {backend}"] = sample_s / seconds

    def frame_assess(ev: Any = events, ld: Any = leads) -> Any:
        return assess_frame(ev, model, as_of=as_of, leads_df=ld)

    def frame_score(ev: Any = events, ld: Any = leads, m: ScoringModel = model) -> Any:
        return score_frame(ev, m, as_of=as_of, leads_df=ld)

    figures["assess_all_s"] = cpu(
        lambda: assess_all(data.leads, data.events, model=model, as_of=as_of), 1
    )
    figures["assess_frame_s"], figures["score_frame_s"] = pair(
        frame_assess, frame_score, args.repeat
    )
    figures["score_frame_with_reactivation_s"], figures["score_frame_plain_s"] = pair(
        frame_score, lambda: frame_score(m=plain), args.repeat
    )
    cookies, links = anonymous(events, as_of)
    figures["moved_rows"] = int((cookies["lead_id"] != events["lead_id"]).sum())
    united = score_frame(cookies, model, as_of=as_of, leads_df=leads, identities=links)
    assert (united["total"] - frame_score()["total"]).abs().max() < 1e-9
    figures["score_frame_identities_s"], figures["score_frame_same_s"] = pair(
        lambda: score_frame(cookies, model, as_of=as_of, leads_df=leads, identities=links),
        frame_score, args.repeat,
    )  # fmt: skip
    accounts = leads.assign(account_id=[x.account_id for x in data.leads])
    start = time.process_time()
    objects = assess_accounts(data.leads, data.events, as_of=as_of, model=model)
    figures["assess_accounts_s"] = time.process_time() - start
    figures["accounts"] = len(objects)

    def frame_accounts() -> Any:
        return assess_accounts_frame(events, model, as_of=as_of, leads_df=accounts)

    table = frame_accounts()
    assert table["account_id"].tolist() == [a.account_id for a in objects]
    assert max(abs(s - a.score) for s, a in zip(table["score"], objects, strict=True)) < 1e-9
    figures["assess_accounts_frame_s"] = cpu(frame_accounts, args.repeat)
    texts = [c for c in events.columns if c not in ("at", "id")
             and (events[c].dtype.kind == "O" or str(events[c].dtype) == "str")]  # fmt: skip
    events_cat = events.astype(dict.fromkeys(texts, "category"))
    figures["assess_frame_categorical_s"] = cpu(lambda: frame_assess(events_cat), args.repeat)
    try:
        events_pl, leads_pl = polars_of(events), polars_of(leads)
    except ImportError:
        events_pl = leads_pl = None
    if events_pl is not None:
        figures["score_frame_polars_s"], figures["score_frame_pandas_s"] = pair(
            lambda: frame_score(events_pl, leads_pl), frame_score, args.repeat
        )
        figures["assess_frame_polars_s"], figures["assess_frame_pandas_s"] = pair(
            lambda: frame_assess(events_pl, leads_pl), frame_assess, args.repeat
        )
    f = figures
    f["assess_all / assess_frame"] = f["assess_all_s"] / f["assess_frame_s"]
    f["assess_all / assess_frame, categories"] = f["assess_all_s"] / f["assess_frame_categorical_s"]
    f["assess_frame / score_frame"] = f["assess_frame_s"] / f["score_frame_s"]
    f["score_frame / without reactivation"] = (
        f["score_frame_with_reactivation_s"] / f["score_frame_plain_s"]
    )
    f["score_frame with identities / without"] = (
        f["score_frame_identities_s"] / f["score_frame_same_s"]
    )
    f["assess_accounts / assess_accounts_frame"] = (
        f["assess_accounts_s"] / f["assess_accounts_frame_s"]
    )
    if events_pl is not None:
        f["polars / pandas, score_frame"] = f["score_frame_polars_s"] / f["score_frame_pandas_s"]
        f["polars / pandas, assess_frame"] = f["assess_frame_polars_s"] / f["assess_frame_pandas_s"]
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, value in figures.items():
        print(f"{name:40s} {value:12.3f}" if isinstance(value, float) else f"{name:40s} {value}")


if __name__ == "__main__":
    main()
