"""Tests of leadscoring.assessment.stream: the Scorer's assessments and change feed equal
the batch ``assess_all`` and ``changes_all`` on the full history, at the same moments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import (
    Assessment,
    DormancyPolicy,
    Event,
    JourneyClassifier,
    Lead,
    ScoringModel,
    Window,
    assess,
    assess_all,
    changes_all,
    load_model,
)
from leadscoring.assessment.stream import Scorer

T0 = datetime(2026, 1, 5, tzinfo=UTC)
LEADS = ("L1", "L2", "L3")
DEFAULT = load_model("b2b-default")
QUICK = attrs.evolve(
    DEFAULT,
    version=2,
    dormancy=DormancyPolicy(
        dormant_after="6d", burst_min_events=2, burst_within="2d", reactivated_for="3d",
        session_gap="2h", min_history=2,
    ),
    journey=JourneyClassifier(decay=Window(days=5)),
)  # fmt: skip
"""The default rules with a dormancy policy short enough for a few weeks of events to go
dormant and come back, and a window decay for the journey evidence."""

KINDS: list[tuple[str, dict[str, Any]]] = [
    ("page_view", {"category": "blog"}),
    ("page_view", {"category": "product", "product": "crm"}),
    ("page_view", {"category": "product", "product": "erp"}),
    ("page_view", {"category": "service"}),
    ("page_view", {"category": "pricing", "duration_s": 90}),
    ("page_view", {"category": "case_study"}),
    ("page_view", {"category": "faq"}),
    ("email_open", {}),
    ("email_click", {}),
    ("download", {}),
    ("webinar", {}),
    ("purchase", {"amount": 120.5}),
    ("inquiry", {}),
    ("form_submit", {"form": "document_request"}),
    ("bounce", {}),
    ("unsubscribe", {}),
]


@st.composite
def lead_records(draw: st.DrawFn, lead_id: str) -> Lead:
    status = draw(st.sampled_from(["open", "lost", "won"]))
    changed = draw(st.none() | st.integers(0, 40).map(lambda d: T0 + timedelta(days=d)))
    industry = draw(st.sampled_from(["it", "retail"]))
    return Lead(id=lead_id, status=status, status_changed_at=changed,
                attributes={"industry": industry, "role": "manager"})  # fmt: skip


@st.composite
def streams(draw: st.DrawFn) -> list[Event]:
    count = draw(st.integers(1, 30))
    out = []
    for n in range(count):
        kind, props = draw(st.sampled_from(KINDS))
        # Hours on a coarse grid over six weeks: ties in time and long silences both occur.
        at = T0 + timedelta(hours=draw(st.integers(0, 6 * 7 * 24 // 3)) * 3)
        event_id = draw(st.none() | st.just(f"e{n}"))
        out.append(Event(lead_id=draw(st.sampled_from(LEADS)), type=kind, at=at,
                         properties=props, id=event_id))  # fmt: skip
    return out


def assert_same_assessment(got: Assessment, want: Assessment) -> None:
    """Labels, activity and interest exactly; the numbers to 1e-9 (sums in another order)."""
    where = f"lead {want.lead_id} at {want.as_of.isoformat()}"
    for name in ("lead", "activity", "temperature", "journey", "grade", "priority", "action",
                 "interest", "segments"):  # fmt: skip
        assert getattr(got, name) == getattr(want, name), f"{where}: {name}"
    for name in ("total", "fit", "engagement"):
        assert getattr(got.score, name) == pytest.approx(getattr(want.score, name), abs=1e-9)
    assert dict(got.score.by_rule) == pytest.approx(dict(want.score.by_rule), abs=1e-9)
    assert dict(got.evidence) == pytest.approx(dict(want.evidence), abs=1e-9), where


def assert_same_list(got: Sequence[Assessment], want: Sequence[Assessment]) -> None:
    """The same assessments in the same (ranked) order."""
    assert [a.lead_id for a in got] == [a.lead_id for a in want]
    for g, w in zip(got, want, strict=True):
        assert_same_assessment(g, w)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from([DEFAULT, QUICK]), st.data())
def test_feed_equals_diffing_batch_assessments(model: ScoringModel, data: st.DataObject) -> None:
    """Events arrive in any order; at moments at or after everything added, assess_all
    equals the batch assess_all on the events so far (hysteresis from the last feed), and
    changes() equals changes_all between the batch assessments at consecutive calls."""
    records = [data.draw(lead_records(i)) for i in LEADS]
    events = data.draw(streams())
    order = data.draw(st.permutations(events))
    scorer = Scorer(model)
    for record in records:
        scorer.add_lead(record)
    added: list[Event] = []
    before: list[Assessment] = []
    for index, event in enumerate(order):
        added.append(event)
        scorer.add(event)
        if index < len(order) - 1 and not data.draw(st.booleans()):
            continue
        latest = max(e.at for e in added)
        moment = latest + timedelta(hours=data.draw(st.integers(0, 24 * 20)))
        previous = {a.lead_id: a for a in before}
        want = assess_all(records, added, model=model, as_of=moment, previous=previous)
        assert_same_list(scorer.assess_all(moment), want)
        lead = data.draw(st.sampled_from(records))
        one = assess(lead, added, model=model, as_of=moment, previous=previous.get(lead.id))
        assert_same_assessment(scorer.assess(lead.id, moment), one)
        assert scorer.changes(moment) == changes_all(before, want)
        before = want


def test_changes_are_reported_once_and_dormancy_without_events() -> None:
    """A lead turning dormant is reported by time alone, once: days 0, 1, 2 of visits
    (threshold 6 days with min_history 2: max(6d, 3 * 1d)), dormant from day 8."""
    scorer = Scorer(QUICK)
    for day in range(3):
        scorer.add(Event(lead_id="L1", type="page_view", at=T0 + timedelta(days=day),
                         properties={"category": "blog"}))  # fmt: skip
    first = scorer.changes(T0 + timedelta(days=2))
    assert {c.dimension for c in first} >= {"temperature", "journey", "activity"}
    assert scorer.changes(T0 + timedelta(days=3)) == []  # nothing moved in a day
    assert scorer.changes(T0 + timedelta(days=3)) == []  # and nothing is reported twice
    moved = scorer.changes(T0 + timedelta(days=8))
    assert [(c.dimension, c.before, c.after) for c in moved if c.dimension == "activity"] == [
        ("activity", "active", "dormant")
    ]
    assert [c for c in scorer.changes(T0 + timedelta(days=9)) if c.dimension == "activity"] == []


def test_reactivation_is_reported_with_its_return() -> None:
    """After 10 silent days, two visits within 2 days reactivate the lead (burst of 2):
    the feed says activity dormant -> reactivated at the second."""
    scorer = Scorer(QUICK)
    scorer.add(Event(lead_id="L1", type="page_view", at=T0, properties={"category": "blog"}))
    scorer.changes(T0 + timedelta(days=7))  # dormant: 7 days >= 6 days
    for hours in (0, 5):
        scorer.add(Event(lead_id="L1", type="page_view", properties={"category": "service"},
                         at=T0 + timedelta(days=10, hours=hours)))  # fmt: skip
    moved = scorer.changes(T0 + timedelta(days=10, hours=5))
    assert ("activity", "dormant", "reactivated") in [(c.dimension, c.before, c.after)
                                                      for c in moved]  # fmt: skip
    (back,) = scorer.assess("L1", T0 + timedelta(days=10, hours=6)).activity.reactivations
    assert back.silence == timedelta(days=10)
