"""calibrate() on two public tables, next to scikit-learn's logistic regression and
histogram gradient boosting.

    python benchmarks/calibrate.py                          # both tables, seeds 0 1 2
    python benchmarks/calibrate.py --option binning=both --option interactions=20
    python benchmarks/calibrate.py --data breast-cancer --json

The tables:

- ``x-education``: the X Education leads (``Leads.csv``, see ``benchmarks/xeducation.py``;
  not shipped, read from ``--path``);
- ``breast-cancer``: the Wisconsin diagnostic breast cancer table that scikit-learn ships
  inside its wheel (``sklearn.datasets.load_breast_cancer``: 569 rows, 30 numeric columns,
  outcome ``malignant``), so it needs no download. It is not about leads; it is here so
  that calibrate's defaults are not tuned to one table.

Each table gets the same protocol as ``benchmarks/xeducation.py``: per seed a stratified
70/30 split, calibrate on the 70% and AUC on the 30%, with both baselines on the same split.
Fit times are CPU seconds (``time.process_time``) of the fit alone; the machine may be
shared, and CPU time is what the comparison needs. Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import xeducation  # the sibling script

from leadscoring import Lead


def breast_cancer() -> tuple[list[Lead], dict[str, bool], tuple[str, ...]]:
    """scikit-learn's bundled breast cancer table as leads; converted means malignant."""
    from sklearn.datasets import load_breast_cancer  # type: ignore[import-untyped,import-not-found,unused-ignore]

    data = load_breast_cancer()
    names = tuple(str(n) for n in data.feature_names)
    leads: list[Lead] = []
    outcomes: dict[str, bool] = {}
    for k, (row, target) in enumerate(zip(data.data, data.target, strict=True)):
        lead_id = f"B{k:03d}"
        leads.append(
            Lead(id=lead_id, attributes={n: float(v) for n, v in zip(names, row, strict=True)})
        )
        outcomes[lead_id] = int(target) == 0  # scikit-learn: 0 = malignant, 1 = benign
    return leads, outcomes, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        nargs="+",
        default=["x-education", "breast-cancer"],
        choices=["x-education", "breast-cancer"],
    )
    parser.add_argument("--path", type=Path, default=xeducation.DEFAULT_PATH, help="Leads.csv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a calibrate() keyword, e.g. --option binning=quantile",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    options = xeducation.parse_options(args.option)
    results: list[dict[str, Any]] = []
    for name in args.data:
        if name == "x-education":
            leads, outcomes = xeducation.load(args.path)
            found = xeducation.run_on(
                leads,
                outcomes,
                args.seeds,
                ["logistic"],
                "auto",
                False,
                options,
                name="X Education leads",
                data=str(args.path),
                numeric_names=xeducation.NUMERIC,
            )
        else:
            leads, outcomes, numeric = breast_cancer()
            found = xeducation.run_on(
                leads,
                outcomes,
                args.seeds,
                ["logistic"],
                "auto",
                False,
                options,
                name="breast cancer (scikit-learn)",
                data="sklearn.datasets.load_breast_cancer",
                numeric_names=numeric,
            )
        results.append(found)
        if not args.json:
            print(xeducation.text(found, ["logistic"]), end="\n\n", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
