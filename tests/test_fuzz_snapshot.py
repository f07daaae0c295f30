"""Fuzzers of :class:`~leadscoring.Scorer` snapshots (shared generators: tests/fuzzing.py).

A scorer with the packaged model and every kind of state (records, limits, repeats,
reactivations, journey, interest, ids, an identity link, feed labels) is snapshotted; the
snapshot is mutated at random JSON paths (values of any type, near misses of its own
texts and times, deletions, additions, duplicated and lengthened lists) and restored with
its checksum as it was, recomputed (so the range checks of the values are what is tested)
or removed as in a version-3 snapshot. Each restore must raise a
:class:`~leadscoring.SnapshotError` (or another LeadScoringError) naming where, or give a
scorer that scores and assesses to finite numbers, snapshots and restores again to the
same state and takes a new event; never another exception.

The default runs are quick; the ``slow`` variants (run in CI) try many more examples.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import (
    END,
    MODEL,
    Seal,
    base_snapshot,
    check_scorer,
    check_snapshot,
    check_snapshot_text,
    sealed,
    snapshot_scorer,
    snapshot_texts,
    snapshots,
)
from leadscoring import Event, Scorer, SnapshotError

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEALS = st.sampled_from(["reseal", "reseal", "old", "keep"])


def test_the_base_snapshot_restores_and_works() -> None:
    """The starting point of the fuzzers restores to the scorer it was taken from."""
    restored = Scorer.restore(MODEL, base_snapshot())
    assert restored.snapshot() == base_snapshot()
    assert restored.scores(END) == snapshot_scorer().scores(END)
    check_scorer(restored)
    assert check_snapshot(base_snapshot()) == "accepted"


def test_a_restored_scorer_does_not_change_the_snapshot_it_was_given() -> None:
    """Found by the fuzzer (fixed in ``ActivityLog.from_data``, which kept the snapshot's
    ``ids`` list): an event added to a restored scorer was appended to the caller's
    snapshot, so the snapshot no longer matched its checksum (restoring it again raised
    ``$.checksum: ... changed``) and two scorers restored from one snapshot shared it."""
    data = copy.deepcopy(base_snapshot())
    first, second = Scorer.restore(MODEL, data), Scorer.restore(MODEL, data)
    first.add(Event(lead_id="L1", type="page_view", at=END, id="new"))
    assert data == base_snapshot()
    assert Scorer.restore(MODEL, data).snapshot() == base_snapshot()
    assert second.snapshot() == base_snapshot()


def test_a_lead_record_that_is_not_a_table_is_refused_at_its_path() -> None:
    """Found by the fuzzer (fixed in ``snapshot.load``): ``"lead": 7`` was refused as
    ``lead: expected a table, got int``, without the JSON path of the lead."""
    data = copy.deepcopy(base_snapshot())
    data["leads"]["L1"]["lead"] = 7
    with pytest.raises(SnapshotError) as caught:
        Scorer.restore(MODEL, sealed(data, "reseal"))
    assert str(caught.value) == "$.leads['L1'].lead: expected a table, got int"


@QUICK
@given(snapshots())
def test_tampered_snapshots_restore_and_work_or_are_refused(data: Any) -> None:
    """A tampered snapshot (checksum kept, recomputed or removed): a SnapshotError naming
    where, or a scorer that works."""
    check_snapshot(data)


@pytest.mark.slow
@SLOW
@given(snapshots(max_mutations=5))
def test_tampered_snapshots_slow(data: Any) -> None:
    """The same, with more examples and up to five mutations each."""
    check_snapshot(data)


@QUICK
@given(snapshot_texts(), SEALS)
def test_damaged_snapshot_json_text_restores_or_is_refused(text: str, seal: Seal) -> None:
    """Damaged JSON text of a snapshot, read with ``json.loads`` (text that is no longer
    JSON is skipped: leadscoring reads no snapshot text itself), then restored."""
    check_snapshot_text(text, seal)


@pytest.mark.slow
@SLOW
@given(snapshot_texts(), SEALS)
def test_damaged_snapshot_json_text_slow(text: str, seal: Seal) -> None:
    """The text fuzzer with more examples."""
    check_snapshot_text(text, seal)
