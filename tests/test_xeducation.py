"""Calibration and evaluation on real data: the X Education lead table.

The table (9,240 leads of an online education company, public on Kaggle, no license
stated) lives beside the repository in ``../shared/data/x-education/Leads.csv``; the
tests skip when it is absent. Its ``Tags``, ``Lead Quality`` and ``Last Notable
Activity`` columns were filled in by sales after contact and leak the outcome, so they
are never read.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from leadscoring import Lead, LeadColumns, read_leads
from leadscoring.learning.calibrate import calibrate
from leadscoring.learning.evaluate import evaluate

PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "x-education" / "Leads.csv"
LEAKY = {"Tags", "Lead Quality", "Last Notable Activity"}
NUMERIC = (
    "TotalVisits",
    "Total Time Spent on Website",
    "Page Views Per Visit",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
)
AS_OF = "2020-01-01T00:00:00Z"

pytestmark = pytest.mark.skipif(not PATH.exists(), reason="shared X Education data not present")


@pytest.fixture(scope="module")
def table() -> tuple[list[Lead], dict[str, bool]]:
    """The honest columns as leads, and ``Converted`` as outcomes."""
    with PATH.open(newline="", encoding="utf-8-sig") as f:
        header = [name for name in next(csv.reader(f)) if name]
    honest = tuple(n for n in header if n not in LEAKY and n not in ("Prospect ID", "Lead Number"))
    columns = LeadColumns(
        id="Prospect ID", status=None, status_changed_at=None, account_id=None,
        attributes=honest, numeric=(*NUMERIC, "Converted"),
    )
    leads, outcomes = [], {}
    for lead in read_leads(PATH, columns=columns).rows:
        attributes = {k: v for k, v in lead.attributes.items() if k != "Converted"}
        leads.append(Lead(id=lead.id, attributes=attributes))
        outcomes[lead.id] = lead.attributes["Converted"] == 1
    return leads, outcomes


def test_the_table_is_what_its_readme_says(table: tuple[list[Lead], dict[str, bool]]) -> None:
    """9,240 leads, 3,561 converted (38.5 %), and no leaky column among the attributes."""
    leads, outcomes = table
    assert len(leads) == 9240
    assert sum(outcomes.values()) == 3561
    assert not any(LEAKY & set(lead.attributes) for lead in leads)


def test_a_calibrated_points_table_predicts_held_out_conversions(
    table: tuple[list[Lead], dict[str, bool]],
) -> None:
    """Trained on a stratified 70 %, the points table ranks the other 30 % with AUC >= 0.90.

    The benchmark (benchmarks/xeducation.py) measured 0.920 / 0.924 / 0.920 on seeds
    0, 1, 2 against scikit-learn's logistic regression at 0.915 / 0.919 / 0.917; 0.90 leaves
    room for the pure-Python split used here, not for a broken calibration (plain weight
    of evidence reaches only about 0.87).
    """
    leads, outcomes = table
    rng = random.Random(0)
    test_ids: set[str] = set()
    for converted in (True, False):
        ids = sorted(lead.id for lead in leads if outcomes[lead.id] is converted)
        rng.shuffle(ids)
        test_ids.update(ids[: round(0.3 * len(ids))])
    train = [lead for lead in leads if lead.id not in test_ids]
    test = [lead for lead in leads if lead.id in test_ids]
    model = calibrate(train, {lead.id: outcomes[lead.id] for lead in train}, as_of=AS_OF)
    assert len(model.rules) <= 41  # at most 40 learned rules plus the base rule
    report = evaluate(
        model, test, {lead.id: outcomes[lead.id] for lead in test}, as_of=AS_OF, bootstrap=50
    )
    assert report.auc >= 0.90
    assert report.temperature_order_holds
