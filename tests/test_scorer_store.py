"""Tests of the Scorer's SQLite store (Scorer.open), per-lead snapshots, merge and forget:
acknowledged events survive a SIGKILL, reopening continues exactly, state moves between
workers, and a forgotten lead is gone from memory and from the file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadscoring import Event, Lead, SnapshotError, UnknownLeadError, load_model
from leadscoring.assessment.stream import Scorer

MODEL = load_model("b2b-default")
T0 = datetime(2026, 1, 5, tzinfo=UTC)
END = T0 + timedelta(days=200)
CATEGORIES = ("blog", "product", "service", "pricing", "case_study", "faq")


def stream(count: int, leads: int = 40) -> list[Event]:
    """``count`` events with ids over ``leads`` leads, a few hours apart (deterministic)."""
    return [
        Event(
            lead_id=f"L{n % leads}",
            type="page_view" if n % 7 else "email_open",
            at=T0 + timedelta(hours=3 * n + (n * 37) % 5),
            properties={"category": CATEGORIES[(n * 5) % len(CATEGORIES)]},
            id=f"e{n}",
        )
        for n in range(count)
    ]


def batches(events: list[Event], size: int = 50) -> list[list[Event]]:
    return [events[i : i + size] for i in range(0, len(events), size)]


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    sys.path.insert(0, {tests!r})
    from test_scorer_store import MODEL, batches, stream
    from leadscoring.assessment.stream import Scorer

    scorer = Scorer.open({path!r}, MODEL)
    for index, batch in enumerate(batches(stream({count}))):
        if index < {start}:
            continue
        scorer.add_many(batch)
        print(index, flush=True)  # acknowledged: add_many returned
    print("done", flush=True)
    """
)


def test_sigkill_mid_stream_then_resend_the_tail_equals_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    """A writer is killed with SIGKILL after 5 acknowledged batches (of 20); reopening the
    file and re-sending every batch after the last acknowledged one (the one in flight may
    or may not have been committed: its events have ids, so sending it again is harmless)
    ends with the state of a run that never stopped."""
    path = tmp_path / "state.db"
    count = 1000
    code = WRITER.format(tests=str(Path(__file__).parent), path=str(path), count=count, start=0)
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    acknowledged = -1
    for line in writer.stdout:
        acknowledged = int(line)
        if acknowledged == 4:
            os.kill(writer.pid, signal.SIGKILL)
            break
    writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    reopened = Scorer.open(path, MODEL)
    for batch in batches(stream(count))[acknowledged + 1 :]:
        reopened.add_many(batch)
    uninterrupted = Scorer(MODEL)
    uninterrupted.add_many(stream(count))
    assert reopened.lead_ids == uninterrupted.lead_ids
    assert reopened.scores(END) == uninterrupted.scores(END)
    assert reopened.assess_all(END) == uninterrupted.assess_all(END)
    reopened.close()
    again = Scorer.open(path, MODEL)  # and the file holds it all
    assert again.scores(END) == uninterrupted.scores(END)
    again.close()


def test_reopening_continues_the_change_feed(tmp_path: Path) -> None:
    """The feed's baseline is stored: after reopening, changes() reports only new moves."""
    path = tmp_path / "feed.db"
    with Scorer.open(path, MODEL) as scorer:
        scorer.add_lead(Lead(id="L0", attributes={"industry": "it"}))
        scorer.add_many(stream(60, leads=3))
        first = scorer.changes(END)
        assert first
    with Scorer.open(path, MODEL) as scorer:
        assert scorer.changes(END) == []
        assert scorer.lead_ids[0] == "L0"


def test_a_file_of_another_model_is_refused(tmp_path: Path) -> None:
    """Reopening with a changed model raises SnapshotError, as restore does."""
    path = tmp_path / "m.db"
    Scorer.open(path, MODEL).close()
    with pytest.raises(SnapshotError, match="version"):
        Scorer.open(path, load_model("b2b-default").__class__(
            name="b2b-default", rules=MODEL.rules, version=9))  # fmt: skip


def test_a_file_that_is_not_a_store_raises_snapshot_error(tmp_path: Path) -> None:
    """A non-SQLite file is a SnapshotError naming the file, never a sqlite3 error."""
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database at all, not even close" * 100)
    with pytest.raises(SnapshotError, match=r"junk\.db"):
        Scorer.open(path, MODEL)


def test_add_many_is_one_transaction_and_wal(tmp_path: Path) -> None:
    """The file is in WAL mode and holds one row per lead after one add_many."""
    path = tmp_path / "w.db"
    with Scorer.open(path, MODEL) as scorer:
        scorer.add_many(stream(100, leads=4))
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT COUNT(*) FROM leads").fetchone()[0] == 4
        db.close()


def test_per_lead_snapshot_and_merge_move_leads_between_workers() -> None:
    """Moving L1 and L2 from worker a to worker b: b answers for them as a did, a forgets
    them; a JSON round trip on the way changes nothing."""
    events = stream(400, leads=5)
    a, b = Scorer(MODEL), Scorer(MODEL)
    a.add_many(events)
    b.add_many(e for e in events if e.lead_id in ("L0", "L3", "L4"))
    moved = json.loads(json.dumps(a.snapshot(lead_ids=["L1", "L2"])))
    assert sorted(moved["leads"]) == ["L1", "L2"]
    assert b.merge(moved) == ["L1", "L2"]
    for lead_id in ("L1", "L2"):
        assert b.score(lead_id, END) == a.score(lead_id, END)
        assert b.assess(lead_id, END) == a.assess(lead_id, END)
        assert a.forget(lead_id)
    assert "L1" not in a
    assert "L1" in b
    with pytest.raises(UnknownLeadError):
        a.snapshot(lead_ids=["L1"])


def test_forget_erases_memory_store_and_pending_changes(tmp_path: Path) -> None:
    """forget() removes the lead's state, ids and feed labels, in memory and in the file;
    the lead is unknown afterwards, and its events may come again as new."""
    path = tmp_path / "f.db"
    with Scorer.open(path, MODEL) as scorer:
        scorer.add_many(stream(30, leads=2))
        scorer.changes(END)
        assert scorer.forget("L1") is True
        assert scorer.forget("L1") is False
        with pytest.raises(UnknownLeadError, match="never seen lead 'L1'"):
            scorer.score("L1", END)
        assert "L1" not in json.dumps(scorer.snapshot())
    db = sqlite3.connect(path)
    assert [r[0] for r in db.execute("SELECT lead_id FROM leads")] == ["L0"]
    db.close()
    with Scorer.open(path, MODEL) as scorer:
        assert scorer.lead_ids == ("L0",)
        assert scorer.add_many(e for e in stream(30, leads=2) if e.lead_id == "L1") == 15
