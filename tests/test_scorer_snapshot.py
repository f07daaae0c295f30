"""Tests of full snapshot validation: any leaf of a snapshot replaced by a bad value
(NaN, a negative or overflowing number, a wrong type, a missing key) is refused with a
SnapshotError naming where, or restores a scorer that scores without crashing. The
checksum would refuse each change first (tests/test_snapshot_checksum.py); here it is
recomputed after the change (or, when it cannot be, left out of a version-3 snapshot), so
the checks of the values are what is tested."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import (
    All,
    Event,
    Lead,
    LeadScoringError,
    RateRule,
    SnapshotError,
    load_model,
    when,
)
from leadscoring.assessment.stream import Scorer
from leadscoring.scoring.snapshot_checks import checksum

DEFAULT = load_model("b2b-default")
MODEL = attrs.evolve(
    DEFAULT,
    rules=[
        *DEFAULT.rules,
        RateRule(name="opens", numerator=when(type="email_open"), denominator=All(),
                 within="200d", at_least=0.2, min_denominator=3, points=5),
    ],
)  # fmt: skip
"""The packaged model and a rate rule (a fifth of the events are email opens)."""
T0 = datetime(2026, 1, 5, tzinfo=UTC)
END = T0 + timedelta(days=300)


def full_scorer() -> Scorer:
    """A scorer with every kind of state: limits, repeats, a rate, reactivation, journey,
    interest, ids, a lead record and feed labels."""
    scorer = Scorer(MODEL)
    scorer.add_lead(
        Lead(id="L1", status="lost", status_changed_at=T0, attributes={"role": "manager"})
    )
    kinds = [("page_view", {"category": c, "product": "crm"}) for c in ("service", "case_study")]
    kinds += [("email_open", {}), ("purchase", {"amount": 10}), ("page_view", {"category": "blog"})]
    for n in range(40):
        kind, props = kinds[n % len(kinds)]
        day = n if n < 20 else n + 120
        scorer.add(
            Event(
                lead_id="L1",
                type=kind,
                at=T0 + timedelta(days=day, hours=n % 3),
                properties=props,
                id=f"e{n}" if n % 2 else None,
            )
        )
    scorer.changes(END)
    return scorer


SNAPSHOT = json.loads(json.dumps(full_scorer().snapshot()))


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a leaf (and to every container) of ``value``."""
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += leaves(item, (*path, index))
    return out


PATHS = [p for p in leaves(SNAPSHOT) if p and p != ("checksum",)]
BAD = [math.nan, math.inf, -1, -(10**30), 10**30, 1e308 * 10, "x", None, True, [], {}, "!!"]


def resealed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its checksum recomputed, as someone who changed it would; a snapshot
    with no canonical JSON (a NaN) cannot have one, so it becomes a version 3 (none)."""
    digest = checksum(data)
    if digest is not None:
        return {**data, "checksum": digest}
    rest = {k: v for k, v in data.items() if k != "checksum"}
    return rest if "version" not in rest else {**rest, "version": 3}


def test_a_restored_snapshot_continues_exactly() -> None:
    """Restore gives the same scores, assessments and snapshot (the rate rule met at END:
    4 opens among the 20 events of (END - 200d, END])."""
    restored = Scorer.restore(MODEL, SNAPSHOT)
    assert restored.score("L1", END).by_rule["opens"] > 0
    assert restored.snapshot() == SNAPSHOT
    assert restored.scores(END) == full_scorer().scores(END)
    assert restored.assess_all(END) == full_scorer().assess_all(END)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), st.sampled_from([*BAD, "missing"]))
def test_a_bad_leaf_is_a_snapshot_error_or_harmless(path: tuple[Any, ...], bad: Any) -> None:
    """Replacing (or removing) any part raises SnapshotError or gives a scorer whose
    score, assess and snapshot raise nothing but LeadScoringErrors."""
    data = json.loads(json.dumps(SNAPSHOT))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if bad == "missing":
        if isinstance(parent, list):
            del parent[path[-1]]
        else:
            del parent[path[-1]]
    else:
        parent[path[-1]] = bad
    try:
        restored = Scorer.restore(MODEL, resealed(data))
    except SnapshotError:
        return
    for lead_id in restored.lead_ids:
        try:
            restored.score(lead_id, END)
            restored.assess(lead_id, END)
        except LeadScoringError:
            pass  # a refusal such as "as_of before the latest event" is fine; a crash is not
    json.dumps(restored.snapshot())


@pytest.mark.parametrize(
    ("where", "bad", "message"),
    [
        (("leads", "L1", "rules", "pricing page"), [math.nan, 0, 1], "pricing page"),
        (("leads", "L1", "rules", "opens"), ["", "", ""], "opens"),
        (("leads", "L1", "latest"), 10**30, "latest"),
        (("leads", "L1", "interest", 0), -3, "interest"),
        (("leads", "L1", "activity", "intent"), "012", "activity"),
        (("kinds",), [["page_view"]], "kinds"),
    ],
)
def test_named_errors(where: tuple[Any, ...], bad: Any, message: str) -> None:
    """The error names the JSON path of the bad part."""
    data = json.loads(json.dumps(SNAPSHOT))
    parent = data
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = bad
    with pytest.raises(SnapshotError, match=message):
        Scorer.restore(MODEL, resealed(data))
