"""Tests of the Scorer under threads: concurrent add, score, assess, changes and snapshot
on one Scorer end with the serial answer (bounded: 3,000 events, 8 threads)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from leadscoring import Event, load_model
from leadscoring.assessment.stream import Scorer
from test_scorer_assess import assert_same_assessment

MODEL = load_model("b2b-default")
T0 = datetime(2026, 1, 5, tzinfo=UTC)
END = T0 + timedelta(days=400)
CATEGORIES = ("blog", "product", "service", "pricing", "case_study", "faq")
LEADS = 1500


def events() -> list[Event]:
    """3,000 events over 1,500 leads, with ids, some leads silent long enough to come back."""
    return [
        Event(
            lead_id=f"L{n % LEADS}",
            type="page_view" if n % 5 else "email_click",
            at=T0 + timedelta(hours=(n * 7919) % (24 * 300)),
            properties={"category": CATEGORIES[n % len(CATEGORIES)]},
            id=f"e{n}",
        )
        for n in range(3000)
    ]


def test_eight_threads_give_the_serial_answer() -> None:
    """Six threads add (one event at a time and in batches, some events twice), two read
    (score, assess, changes, snapshot) meanwhile; every read succeeds and the end state
    scores, assesses and snapshots exactly as a serial scorer fed the same events."""
    scorer = Scorer(MODEL)
    items = events()
    errors: list[BaseException] = []
    done = threading.Event()

    def add(part: list[Event], batched: bool) -> None:
        try:
            if batched:
                for i in range(0, len(part), 25):
                    scorer.add_many(part[i : i + 25])
            else:
                for event in part:
                    scorer.add(event)
            scorer.add_many(part[:10])  # copies: harmless
        except BaseException as exc:  # pragma: no cover - the failure is the point
            errors.append(exc)

    def read() -> None:
        try:
            rounds = 0
            while not done.is_set() or rounds < 3:
                known = scorer.lead_ids
                if known:
                    scorer.score(known[len(known) // 2], END)
                    scorer.assess(known[-1], END)
                scorer.changes(END)
                scorer.snapshot()
                rounds += 1
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    adders = [threading.Thread(target=add, args=(items[i::6], i % 2 == 0)) for i in range(6)]
    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in adders + readers:
        thread.start()
    for thread in adders:
        thread.join(timeout=300)
    done.set()
    for thread in readers:
        thread.join(timeout=300)
    assert not errors, errors
    serial = Scorer(MODEL)
    serial.add_many(items)
    assert sorted(scorer.lead_ids) == sorted(serial.lead_ids)
    # Arrival order differs from the serial run, so sums may differ in the last bit.
    want = {s.lead_id: s.total for s in serial.scores(END)}
    assert {s.lead_id: s.total for s in scorer.scores(END)} == pytest.approx(want, abs=1e-9)
    by_id = {a.lead_id: a for a in serial.assess_all(END)}
    for got in scorer.assess_all(END):
        assert_same_assessment(got, by_id[got.lead_id])
