"""Calibrate and evaluate on the X Education leads, next to scikit-learn's logistic regression.

    python benchmarks/xeducation.py                 # a readable table
    python benchmarks/xeducation.py --json          # the same figures as JSON
    python benchmarks/xeducation.py --path Leads.csv --seeds 0 1 2 --show-model

Data: the X Education lead-scoring case study, a public table of 9,240 leads of an online
education company published on Kaggle ("Leads.csv", outcome ``Converted``). No license is
stated; it is used here for benchmarking only and is not shipped with leadscoring.

For each seed: a stratified 70/30 split; :func:`leadscoring.learning.calibrate` learns a points
table on the 70% (``method="logistic"`` and ``method="woe"``), :func:`leadscoring.learning.evaluate`
measures it on the 30%, and two scikit-learn baselines are fitted and measured on the
same split: a logistic regression (one-hot categoricals with rare levels grouped,
median-imputed standardised numerics) and ``HistGradientBoostingClassifier(random_state=0)``
(raw numerics with missing values, the same one-hot categoricals). Fit times are CPU
seconds (``time.process_time``) of the fit alone. ``--option NAME=VALUE`` passes a keyword
to calibrate (``--option binning=monotone --option interactions=20``);
``benchmarks/calibrate.py`` runs the same protocol on a second table too. scikit-learn and
numpy come from the ``bench`` extra (``pip install -e ".[bench]"``); without them the split
is done in pure Python and the baselines are skipped.

Leaky columns are never used: ``Tags``, ``Lead Quality`` and ``Last Notable Activity`` were
filled in by sales after contact. ``Select`` (a question left unanswered) becomes the value
``"unanswered"``; blank cells are left out of the lead's attributes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadscoring import InvalidInputError, Lead, LeadColumns, read_leads
from leadscoring.learning.calibrate import calibrate
from leadscoring.learning.evaluate import evaluate, evaluate_scores

# The workspace keeps shared data beside the repository: ../shared/data/x-education/Leads.csv
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "x-education" / "Leads.csv"
LEAKY = ("Tags", "Lead Quality", "Last Notable Activity")
IDS = ("Prospect ID", "Lead Number")
OUTCOME = "Converted"
NUMERIC = (
    "TotalVisits",
    "Total Time Spent on Website",
    "Page Views Per Visit",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
)
AS_OF = datetime(2020, 1, 1, tzinfo=UTC)  # the table has no times; any fixed moment works


def load(path: Path) -> tuple[list[Lead], dict[str, bool]]:
    """Leads (honest columns only) and outcomes from Leads.csv, read with
    :func:`~leadscoring.read_leads`: a bad cell raises
    :class:`~leadscoring.InvalidInputError` with its row and column."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        header = [name for name in next(csv.reader(f), []) if name]
    honest = tuple(n for n in header if n not in LEAKY and n not in IDS)
    if OUTCOME not in honest:
        raise InvalidInputError(f"missing column {OUTCOME!r}", source=str(path), row=0)
    columns = LeadColumns(
        id=IDS[0], status=None, status_changed_at=None, account_id=None,
        attributes=honest, numeric=(*NUMERIC, OUTCOME),
    )
    leads: list[Lead] = []
    outcomes: dict[str, bool] = {}
    for row, lead in enumerate(read_leads(path, columns=columns).rows, start=1):
        converted = lead.attributes.get(OUTCOME)
        if converted not in (0, 1):
            raise InvalidInputError(f"expected 0 or 1, got {converted!r}", source=str(path),
                                    row=row, column=OUTCOME)
        attributes = {
            name: "unanswered" if value == "Select" else value
            for name, value in lead.attributes.items()
            if name != OUTCOME
        }
        leads.append(Lead(id=lead.id, attributes=attributes))
        outcomes[lead.id] = converted == 1
    return leads, outcomes


def split(leads: list[Lead], outcomes: dict[str, bool], seed: int, how: str
          ) -> tuple[list[Lead], list[Lead], str]:
    """A stratified 70/30 split: scikit-learn's ``train_test_split`` when available (as in
    the reference figures), else a seeded pure-Python one."""
    if how in ("auto", "sklearn"):
        try:
            from sklearn.model_selection import train_test_split  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError:
            if how == "sklearn":
                raise
        else:
            labels = [outcomes[lead.id] for lead in leads]
            train_idx, test_idx = train_test_split(
                list(range(len(leads))), test_size=0.3, stratify=labels, random_state=seed
            )
            return [leads[i] for i in train_idx], [leads[i] for i in test_idx], "sklearn"
    rng = random.Random(seed)
    test: set[str] = set()
    for converted in (True, False):
        ids = [lead.id for lead in leads if outcomes[lead.id] is converted]
        rng.shuffle(ids)
        test.update(ids[: round(0.3 * len(ids))])
    train = [lead for lead in leads if lead.id not in test]
    return train, [lead for lead in leads if lead.id in test], "python"


def _matrices(train: list[Lead], test: list[Lead], numeric_names: tuple[str, ...]
              ) -> tuple[Any, Any, Any, Any] | None:
    """The baselines' inputs: (standardised, median-imputed numerics and one-hot
    categoricals with rare levels grouped) for logistic regression, and (raw numerics with
    NaN and the same one-hot categoricals) for gradient boosting; ``None`` without
    scikit-learn."""
    try:
        import numpy as np
        from scipy import sparse  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from sklearn.impute import SimpleImputer  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from sklearn.preprocessing import OneHotEncoder, StandardScaler  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    names = sorted({k for lead in train for k in lead.attributes})
    numeric = [n for n in names if n in numeric_names]
    categorical = [n for n in names if n not in numeric_names]

    def arrays(leads: list[Lead]) -> tuple[Any, Any]:
        nums = np.array([[lead.attributes.get(n, np.nan) for n in numeric] for lead in leads],
                        dtype=float).reshape(len(leads), len(numeric))
        cats = np.array([[str(lead.attributes.get(n, "missing")) for n in categorical]
                         for lead in leads], dtype=object).reshape(len(leads), len(categorical))
        return nums, cats

    num_train, cat_train = arrays(train)
    num_test, cat_test = arrays(test)
    imputer, scaler = SimpleImputer(strategy="median"), StandardScaler()
    blocks_train = ([sparse.csr_matrix(scaler.fit_transform(imputer.fit_transform(num_train)))]
                    if numeric else [])
    blocks_test = ([sparse.csr_matrix(scaler.transform(imputer.transform(num_test)))]
                   if numeric else [])
    raw_train, raw_test = ([num_train], [num_test]) if numeric else ([], [])
    if categorical:
        encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.01)
        onehot_train, onehot_test = encoder.fit_transform(cat_train), encoder.transform(cat_test)
        blocks_train.append(onehot_train)
        blocks_test.append(onehot_test)
        raw_train.append(onehot_train.toarray())
        raw_test.append(onehot_test.toarray())
    x_train = sparse.hstack(blocks_train).tocsr()
    x_test = sparse.hstack(blocks_test).tocsr()
    return x_train, x_test, np.hstack(raw_train), np.hstack(raw_test)


def baselines(train: list[Lead], test: list[Lead], outcomes: dict[str, bool],
              numeric_names: tuple[str, ...] = NUMERIC) -> dict[str, dict[str, Any]]:
    """Test-set probabilities and fit times (CPU and wall seconds, preprocessing excluded)
    of scikit-learn's ``LogisticRegression`` and ``HistGradientBoostingClassifier``; empty
    without scikit-learn."""
    found = _matrices(train, test, numeric_names)
    if found is None:
        return {}
    from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped,import-not-found,unused-ignore]

    x_train, x_test, raw_train, raw_test = found
    y = [outcomes[lead.id] for lead in train]
    out: dict[str, dict[str, Any]] = {}
    for key, model, xs in (
        ("sklearn_logistic_regression", LogisticRegression(max_iter=5000), (x_train, x_test)),
        ("sklearn_hist_gradient_boosting", HistGradientBoostingClassifier(random_state=0),
         (raw_train, raw_test)),
    ):
        cpu, wall = time.process_time(), time.perf_counter()
        model.fit(xs[0], y)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        probabilities = model.predict_proba(xs[1])[:, 1]
        out[key] = {"probabilities": {lead.id: float(p)
                                      for lead, p in zip(test, probabilities, strict=True)},
                    "fit_cpu_seconds": cpu, "fit_seconds": wall}
    return out


def logistic_regression(train: list[Lead], test: list[Lead], outcomes: dict[str, bool]
                        ) -> dict[str, float] | None:
    """Test-set probabilities of scikit-learn's LogisticRegression, or ``None`` without it."""
    found = baselines(train, test, outcomes)
    return found["sklearn_logistic_regression"]["probabilities"] if found else None


def run(path: Path, seeds: list[int], methods: list[str], how: str, show_model: bool,
        options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every figure of the benchmark as plain data."""
    leads, outcomes = load(path)
    return run_on(leads, outcomes, seeds, methods, how, show_model, options,
                  name="X Education leads", data=str(path), numeric_names=NUMERIC)


def run_on(leads: list[Lead], outcomes: dict[str, bool], seeds: list[int], methods: list[str],
           how: str, show_model: bool, options: dict[str, Any] | None = None, *,
           name: str, data: str, numeric_names: tuple[str, ...]) -> dict[str, Any]:
    """The benchmark on any table of leads: per seed a stratified 70/30 split, calibrate
    (with ``options``) and both scikit-learn baselines; AUC on the 30%, fit times."""
    result: dict[str, Any] = {
        "name": name, "data": data, "leads": len(leads), "converted": sum(outcomes.values()),
        "options": dict(options or {}), "seeds": [], "models": {},
    }
    for seed in seeds:
        train, test, used = split(leads, outcomes, seed, how)
        row: dict[str, Any] = {"seed": seed, "split": used, "train": len(train),
                               "test": len(test)}
        test_outcomes = {lead.id: outcomes[lead.id] for lead in test}
        for method in methods:
            cpu, start = time.process_time(), time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no small-sample warning expected here
                model = calibrate(train, {lead.id: outcomes[lead.id] for lead in train},
                                  method=method, **(options or {}))  # type: ignore[arg-type]
            cpu, seconds = time.process_time() - cpu, time.perf_counter() - start
            report = evaluate(model, test, test_outcomes, as_of=AS_OF)
            row[method] = {"auc": report.auc, "auc_ci": list(report.auc_ci or ()),
                           "rules": len(model.rules), "calibrate_seconds": seconds,
                           "calibrate_cpu_seconds": cpu,
                           "temperature_order_holds": report.temperature_order_holds}
            if show_model and seed == seeds[0]:
                from leadscoring.model.config import model_to_text

                result["models"][method] = model_to_text(model)
        for key, found in baselines(train, test, outcomes, numeric_names).items():
            scored = evaluate_scores(found["probabilities"], test_outcomes, warm=0.2, hot=0.67)
            row[key] = {"auc": scored.auc, "auc_ci": list(scored.auc_ci or ()),
                        "fit_seconds": found["fit_seconds"],
                        "fit_cpu_seconds": found["fit_cpu_seconds"]}
        result["seeds"].append(row)
    for key in (*methods, *BASELINES):
        aucs = [row[key]["auc"] for row in result["seeds"] if key in row]
        if aucs:
            result.setdefault("mean_auc", {})[key] = sum(aucs) / len(aucs)
        cpus = [row[key].get("calibrate_cpu_seconds", row[key].get("fit_cpu_seconds"))
                for row in result["seeds"] if key in row]
        if cpus:
            result.setdefault("mean_cpu_seconds", {})[key] = sum(cpus) / len(cpus)
    return result


BASELINES = ("sklearn_logistic_regression", "sklearn_hist_gradient_boosting")


def text(result: dict[str, Any], methods: list[str]) -> str:
    """The benchmark as a readable table (fit times are CPU seconds)."""
    lines = [f"{result.get('name', 'X Education leads')}: {result['leads']} leads, "
             f"{result['converted']} converted", f"data: {result['data']}"]
    if result.get("options"):
        lines.append(f"calibrate options: {result['options']}")
    lines.append("")
    head = ["seed", "split"]
    for m in methods:
        head += [f"{m} AUC", f"{m} rules", f"{m} CPU s"]
    head += ["LR AUC", "LR CPU s", "HGB AUC", "HGB CPU s"]
    rows = [head]
    for row in result["seeds"]:
        cells = [str(row["seed"]), row["split"]]
        for m in methods:
            lo, hi = row[m]["auc_ci"]
            cells += [f"{row[m]['auc']:.4f} ({lo:.3f}-{hi:.3f})", str(row[m]["rules"]),
                      f"{row[m]['calibrate_cpu_seconds']:.2f}"]
        for key in BASELINES:
            found = row.get(key)
            cells += ([f"{found['auc']:.4f}", f"{found['fit_cpu_seconds']:.2f}"] if found
                      else ["(scikit-learn not installed)", ""])
        rows.append(cells)
    means = result.get("mean_auc", {})
    cpus = result.get("mean_cpu_seconds", {})
    last = ["mean", ""]
    for key in (*methods, *BASELINES):
        if key in means:
            last.append(f"{means[key]:.4f}")
            if key in methods:
                last.append("")
            last.append(f"{cpus[key]:.2f}")
        else:
            last += ["", ""] if key in BASELINES else ["", "", ""]
    rows.append(last)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    for method, model in result.get("models", {}).items():
        lines += ["", f"# {method} model of seed {result['seeds'][0]['seed']}", model]
    return "\n".join(lines)


def parse_options(items: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs as calibrate() keywords (VALUE read as JSON when it parses)."""
    options: dict[str, Any] = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="Leads.csv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=["logistic", "woe"],
                        choices=["logistic", "woe"])
    parser.add_argument("--split", choices=["auto", "sklearn", "python"], default="auto")
    parser.add_argument("--show-model", action="store_true", help="print the first model")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a calibrate() keyword, e.g. --option binning=quantile")
    args = parser.parse_args(argv)
    result = run(args.path, args.seeds, args.methods, args.split, args.show_model,
                 parse_options(args.option))
    print(json.dumps(result, indent=2) if args.json else text(result, args.methods))
    return 0


if __name__ == "__main__":
    sys.exit(main())
