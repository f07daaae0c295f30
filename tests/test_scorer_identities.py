"""Identities in the incremental Scorer: ``link`` and ``merge(into=, from_=)`` unite an
alias's history with its lead's exactly, as the batch engines do with ``identities=``.

The reference is always the batch engine (``score_all`` / ``assess_all`` with
``identities=``) on the united history; golden numbers are worked out by hand in the
comments next to them. The hand-worked rule: a page view is worth 10 points with a 30-day
half-life, so a view 30 days before ``as_of`` is worth 5.0 and one at ``as_of`` 10.0.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, assert_type

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import (
    Assessment,
    DormancyPolicy,
    Event,
    EventRule,
    HalfLife,
    Identity,
    IdentityMap,
    InvalidEventError,
    InvalidValueError,
    JourneyClassifier,
    Lead,
    LeadScore,
    Limit,
    NoDecay,
    ScoringModel,
    SnapshotError,
    StageChange,
    UnknownLeadError,
    Window,
    assess_all,
    changes_all,
    load_model,
    merge,
    score_all,
)
from leadscoring.assessment.stream import Scorer
from leadscoring.core.identity import source_id
from leadscoring.scoring.snapshot_checks import checksum
from strategies import event_conditions, lead_conditions, leads, models

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
VISITS = ScoringModel(
    name="visits",
    rules=[EventRule(name="visit", when={"type": "page_view"}, points=10)],
    default_decay=HalfLife(days=30),
)
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
dormant and come back (reactivations), and a window decay for the journey evidence."""


def view(lead_id: str, at: datetime, event_id: str | None = None, **props: Any) -> Event:
    return Event(lead_id=lead_id, type="page_view", at=at, id=event_id, properties=props)


def visits(**kwargs: Any) -> ScoringModel:
    rule = EventRule(name="visit", when={"type": "page_view"}, points=10, **kwargs)
    return ScoringModel(name="visits", rules=[rule], default_decay=HalfLife(days=30))


def assert_same(got: LeadScore, want: LeadScore) -> None:
    """Equal numbers, to floating-point rounding (the scorer sums in another order)."""
    assert got.lead_id == want.lead_id
    for name in ("total", "fit", "engagement"):
        assert getattr(got, name) == pytest.approx(getattr(want, name), rel=1e-9, abs=1e-9)
    assert dict(got.by_rule) == pytest.approx(dict(want.by_rule), rel=1e-9, abs=1e-9)
    assert dict(got.by_group) == pytest.approx(dict(want.by_group), rel=1e-9, abs=1e-9)


def assert_same_assessment(got: Assessment, want: Assessment) -> None:
    """Labels, activity (reactivations and their event ids) and interest exactly; the
    numbers (score, journey evidence) to rounding."""
    where = f"lead {want.lead_id} at {want.as_of.isoformat()}"
    for name in ("lead", "activity", "temperature", "journey", "grade", "priority", "action",
                 "interest", "segments"):  # fmt: skip
        assert getattr(got, name) == getattr(want, name), f"{where}: {name}"
    assert_same(got.score, want.score)
    assert dict(got.evidence) == pytest.approx(dict(want.evidence), rel=1e-9, abs=1e-9), where


def by_id(items: Sequence[Any]) -> dict[str, Any]:
    return {item.lead_id: item for item in items}


def sorted_changes(changes: Sequence[StageChange]) -> list[StageChange]:
    return sorted(changes, key=lambda c: (c.lead_id, c.dimension, str(c.before), str(c.after)))


# --- hand-worked cases ------------------------------------------------------------------


def test_linking_a_cookie_adds_its_earlier_browsing() -> None:
    # The cookie viewed a page 30 days before as_of (5.0), the lead at as_of (10.0);
    # separately 5.0 and 10.0, linked (a day before as_of) 15.0, as score_all has it.
    scorer = Scorer(VISITS)
    history = [view("cookie-7", AS_OF - 30 * DAY, "e1"), view("ann", AS_OF, "e1")]
    scorer.add_many(history)
    assert [(s.lead_id, s.total) for s in scorer.scores(AS_OF)] == [
        ("cookie-7", 5.0),
        ("ann", 10.0),
    ]
    scorer.link("cookie-7", "ann", AS_OF - DAY)
    assert scorer.lead_ids == ("ann",)
    assert scorer.score("ann", AS_OF).total == pytest.approx(15.0, rel=1e-12)
    links = [Identity(alias="cookie-7", lead_id="ann", at=AS_OF - DAY)]
    (want,) = score_all([Lead(id="ann")], history, VISITS, as_of=AS_OF, identities=links)
    assert want.total == 15.0
    assert scorer.identities.to_dicts() == IdentityMap(links).to_dicts()
    with pytest.raises(InvalidValueError, match="'cookie-7' is an alias of lead 'ann'"):
        scorer.score("cookie-7", AS_OF)
    # The cookie's id is qualified in the lead's history: "cookie-7/e1" besides "e1".
    ids = scorer.snapshot()["leads"]["ann"]["ids"]
    assert sorted(ids) == ["cookie-7/e1", "e1"] == sorted(["e1", str(source_id("cookie-7", "e1"))])


def test_later_events_of_the_alias_are_the_leads_and_a_copy_counts_once() -> None:
    # After the link, the cookie's view at as_of goes to ann (10.0); the cookie's first view
    # (30 days old, 5.0) sent again is a copy of "cookie-7/e1": not added. 5 + 10 = 15.0.
    scorer = Scorer(VISITS)
    scorer.add(view("cookie-7", AS_OF - 30 * DAY, "e1"))
    scorer.link("cookie-7", "ann", AS_OF - 30 * DAY)
    assert scorer.lead_ids == ("ann",)  # the lead need not be known: it becomes known
    assert scorer.add(view("cookie-7", AS_OF, "e2")) is True
    assert scorer.add(view("cookie-7", AS_OF - 30 * DAY, "e1")) is False
    assert scorer.add_many([view("cookie-7", AS_OF - 30 * DAY, "e1")]) == 0
    assert scorer.score("ann", AS_OF).total == pytest.approx(15.0, rel=1e-12)
    assert sorted(scorer.snapshot()["leads"]["ann"]["ids"]) == ["cookie-7/e1", "cookie-7/e2"]
    with pytest.raises(InvalidEventError, match="share id 'cookie-7/e1'"):
        scorer.add(view("cookie-7", AS_OF - 29 * DAY, "e1"))  # another event, same id


def test_a_limit_applies_to_the_united_history() -> None:
    # Limit(count=2), no decay, 10 points: the cookie's two views (days -3 and -2) count 20
    # on their own, the lead's one view (day -1) 10; united only the two earliest count:
    # 20.0, not 30.0.
    model = visits(decay=NoDecay(), limit=Limit(count=2))
    history = [
        view("cookie", AS_OF - 3 * DAY, "e1"),
        view("cookie", AS_OF - 2 * DAY, "e2"),
        view("ann", AS_OF - DAY, "e1"),
    ]
    scorer = Scorer(model)
    scorer.add_many(history)
    assert [s.total for s in scorer.scores(AS_OF)] == [20.0, 10.0]
    scorer.link("cookie", "ann", AS_OF - DAY)
    assert scorer.score("ann", AS_OF).total == 20.0
    links = scorer.identities
    (want,) = score_all([Lead(id="ann")], history, model, as_of=AS_OF, identities=links)
    assert want.total == 20.0


def test_a_limit_per_day_replays_the_united_times() -> None:
    # Once a day (no decay): the cookie's view at 0h and the lead's at 10h count 10 each
    # on their own; united, 10h is within a day of 0h: 10.0. A third view at 30h counts
    # (30h after the first counted one): 20.0.
    model = visits(decay=NoDecay(), limit=Limit(count=1, per=DAY))
    start = AS_OF - 5 * DAY
    scorer = Scorer(model)
    scorer.add(view("ann", start + 10 * HOUR))
    scorer.add(view("cookie", start))
    scorer.link("cookie", "ann", start + 10 * HOUR)
    assert scorer.score("ann", AS_OF).total == 10.0
    scorer.add(view("cookie", start + 30 * HOUR))
    assert scorer.score("ann", AS_OF).total == 20.0


def test_two_aliases_sharing_an_event_id_both_count() -> None:
    # Two cookies each number their first view "e1"; both views are 30 days old (5.0 each)
    # and ann's own "e1" is at as_of (10.0): three sources, three events, 20.0.
    scorer = Scorer(VISITS)
    history = [
        view("cookie-a", AS_OF - 30 * DAY, "e1"),
        view("cookie-b", AS_OF - 30 * DAY, "e1"),
        view("ann", AS_OF, "e1"),
    ]
    scorer.add_many(history)
    scorer.link("cookie-a", "ann", AS_OF)
    scorer.link("cookie-b", "ann", AS_OF)
    assert scorer.score("ann", AS_OF).total == pytest.approx(20.0, rel=1e-12)
    assert sorted(scorer.snapshot()["leads"]["ann"]["ids"]) == ["cookie-a/e1", "cookie-b/e1", "e1"]


def test_a_chain_keeps_each_id_qualified_by_its_own_source() -> None:
    # phone -> laptop (the laptop is not yet known as ann's), then laptop -> ann. The
    # phone's "p1" is "phone/p1" in ann's history (as the batch engines qualify it, by the
    # source the event came from), not "laptop/phone/p1"; sent again after both links it
    # is a copy. Views at -30 days (5.0), at as_of on the laptop (10.0) and ann (10.0): 25.0.
    scorer = Scorer(VISITS)
    history = [view("phone", AS_OF - 30 * DAY, "p1"), view("laptop", AS_OF, "l1")]
    scorer.add_many(history)
    scorer.link("phone", "laptop", AS_OF - 20 * DAY)
    scorer.link("laptop", "ann", AS_OF - 5 * DAY)
    assert scorer.add(view("ann", AS_OF, "a1"))
    assert not scorer.add(history[0])
    assert scorer.score("ann", AS_OF).total == pytest.approx(25.0, rel=1e-12)
    entry = scorer.snapshot()["leads"]["ann"]
    assert sorted(entry["ids"]) == ["a1", "laptop/l1", "phone/p1"]
    assert entry["foreign"] == ["laptop/l1", "phone/p1"]
    assert IdentityMap(scorer.identities).lead_of("phone") == "ann"
    # A link to an alias stands for its lead: the tablet's view counts for ann (10.0 more).
    scorer.link("tablet", "phone", AS_OF)
    scorer.add(view("tablet", AS_OF, "t1"))
    assert scorer.score("ann", AS_OF).total == pytest.approx(35.0, rel=1e-12)
    everything = [*history, view("ann", AS_OF, "a1"), view("tablet", AS_OF, "t1")]
    (want,) = score_all(
        [Lead(id="ann")], everything, VISITS, as_of=AS_OF, identities=scorer.identities
    )
    assert_same(scorer.score("ann", AS_OF), want)


def test_an_alias_never_seen_is_recorded_and_its_events_go_to_the_lead() -> None:
    # The link comes first; the cookie's view 30 days before as_of then counts for ann: 5.0.
    scorer = Scorer(VISITS)
    scorer.add(view("ann", AS_OF))
    scorer.link("cookie", "ann", AS_OF - 40 * DAY)
    scorer.add(view("cookie", AS_OF - 30 * DAY))
    assert scorer.lead_ids == ("ann",)
    assert scorer.score("ann", AS_OF).total == pytest.approx(15.0, rel=1e-12)


def test_the_lead_is_not_answered_for_before_the_link() -> None:
    # Before the link the cookie was a visitor of its own (batch: ann 10.0 alone): the
    # scorer, which holds the united history, refuses rather than answer 15.0.
    scorer = Scorer(VISITS)
    scorer.add_many([view("cookie", AS_OF - 30 * DAY), view("ann", AS_OF - 10 * DAY)])
    scorer.link("cookie", "ann", AS_OF)
    with pytest.raises(InvalidValueError, match="linked to an alias at 2026-06-01") as raised:
        scorer.score("ann", AS_OF - DAY)
    assert raised.value.field == "as_of"
    assert scorer.score("ann", AS_OF).total == pytest.approx(5.0 + 10 * 0.5 ** (1 / 3))


def test_the_aliases_record_and_labels_go_the_leads_stay_and_changes_follow() -> None:
    # The cookie made an inquiry (sales_ready journey), ann browsed once. Both are reported
    # by changes(); after the link the cookie is gone from the feed, and ann's changes are
    # those of the united history against ann's last report: what changes_all says.
    scorer = Scorer(DEFAULT)
    ann = Lead(id="ann", attributes={"industry": "it", "role": "manager"})
    scorer.add_lead(ann)
    scorer.add_lead(Lead(id="cookie", attributes={"industry": "retail"}))
    history = [
        Event(lead_id="cookie", type="inquiry", at=AS_OF - 2 * HOUR, id="q1"),
        view("ann", AS_OF - HOUR, "v1", category="blog"),
    ]
    scorer.add_many(history)
    before = assess_all([ann, Lead(id="cookie")], history, DEFAULT, as_of=AS_OF)
    assert sorted_changes(scorer.changes(AS_OF)) == sorted_changes(changes_all([], before))
    scorer.link("cookie", "ann", AS_OF)
    snap = scorer.snapshot()
    assert list(snap["leads"]) == ["ann"]
    assert snap["leads"]["ann"]["lead"] == ann.to_dict()  # the lead's record stays
    after = assess_all([ann], history, DEFAULT, as_of=AS_OF, identities=scorer.identities,
                       previous=before)  # fmt: skip
    moved = scorer.changes(AS_OF)
    assert moved == changes_all(before, after)
    assert ("ann", "journey") in [(c.lead_id, c.dimension) for c in moved]
    assert all(c.lead_id == "ann" for c in moved)
    assert scorer.changes(AS_OF) == []
    assert_same_assessment(scorer.assess("ann", AS_OF), after[0])


def test_merge_combines_the_records_and_the_histories() -> None:
    # ann (industry it) and a duplicate contact (industry empty, 300 employees): the merged
    # record has both; the duplicate's view 30 days old (5.0) and ann's at as_of (10.0):
    # 15.0, as the batch engines give with leads=[merged.lead] and identities=[identity].
    scorer = Scorer(VISITS)
    ann = Lead(id="ann", attributes={"industry": "it"})
    dup = Lead(id="ann-2", attributes={"industry": "", "employees": 300})
    scorer.add_lead(ann)
    scorer.add_lead(dup)
    history = [view("ann-2", AS_OF - 30 * DAY, "e1"), view("ann", AS_OF, "e1")]
    scorer.add_many(history)
    merged = scorer.merge(into="ann", from_="ann-2", at=AS_OF)
    assert_type(merged, Lead)
    expected = merge(into=ann, from_=dup, at=AS_OF)
    assert merged == expected.lead
    assert merged.attributes == {"employees": 300, "industry": "it"}
    assert scorer.lead_ids == ("ann",)
    assert scorer.snapshot()["leads"]["ann"]["lead"] == merged.to_dict()
    (want,) = score_all([expected.lead], history, VISITS, as_of=AS_OF,
                        identities=[expected.identity])  # fmt: skip
    assert want.total == pytest.approx(15.0)
    assert_same(scorer.score("ann", AS_OF), want)
    # Field strategies go through leadscoring.merge: "newest" takes the record merged in.
    other = Scorer(VISITS)
    other.add_lead(ann)
    other.add_lead(Lead(id="b", attributes={"industry": "retail"}))
    assert other.merge(into="ann", from_="b", at=AS_OF, default="newest").attributes == {
        "industry": "retail"
    }


def test_the_snapshot_form_of_merge_is_unchanged_and_carries_links() -> None:
    # a links the cookie to ann; b takes over ann (with her link): the cookie's next event
    # goes to ann in b too.
    a, b = Scorer(VISITS), Scorer(VISITS)
    a.add_many(
        [view("cookie", AS_OF - 30 * DAY, "e1"), view("ann", AS_OF, "e1"), view("bob", AS_OF)]
    )
    a.link("cookie", "ann", AS_OF)
    moved = json.loads(json.dumps(a.snapshot(lead_ids=["ann"])))
    assert moved["links"] == [["cookie", "ann", moved["links"][0][2]]]
    taken = b.merge(moved)
    assert_type(taken, list[str])
    assert taken == ["ann"]
    assert b.identities.to_dicts() == a.identities.to_dicts()
    assert b.score("ann", AS_OF) == a.score("ann", AS_OF)
    b.add(view("cookie", AS_OF, "e2"))
    assert b.lead_ids == ("ann",)
    assert b.score("ann", AS_OF).total == pytest.approx(25.0)
    assert a.snapshot(lead_ids=["bob"])["links"] == []


def test_forgetting_a_lead_forgets_its_links() -> None:
    scorer = Scorer(VISITS)
    scorer.add(view("cookie", AS_OF))
    scorer.link("cookie", "ann", AS_OF)
    assert scorer.forget("ann")
    assert len(scorer.identities) == 0
    scorer.add(view("cookie", AS_OF))  # the cookie is a visitor of its own again
    assert scorer.lead_ids == ("cookie",)


# --- errors ------------------------------------------------------------------------------


def test_an_alias_claimed_by_two_leads_names_both() -> None:
    scorer = Scorer(VISITS)
    scorer.link("cookie", "ann", AS_OF)
    scorer.link("cookie", "ann", AS_OF + DAY)  # the same link again: nothing changes
    assert scorer.identities.to_dicts()[0]["at"] == AS_OF.isoformat()
    scorer.link("cookie", "ann", AS_OF - DAY)  # made earlier: the earliest counts
    assert scorer.identities.to_dicts()[0]["at"] == (AS_OF - DAY).isoformat()
    assert scorer.score("ann", AS_OF - DAY).total == 0.0  # answered from the earlier link on
    with pytest.raises(InvalidValueError, match=r"'cookie' is already linked to lead 'ann'.*'bob'"):
        scorer.link("cookie", "bob", AS_OF)


def test_a_self_link_and_a_cycle_are_refused() -> None:
    scorer = Scorer(VISITS)
    with pytest.raises(InvalidValueError, match="itself"):
        scorer.link("ann", "ann", AS_OF)
    scorer.link("cookie", "ann", AS_OF)
    with pytest.raises(InvalidValueError, match="cycle"):
        scorer.link("ann", "cookie", AS_OF)
    with pytest.raises(InvalidValueError, match=r"Identity\.at"):
        scorer.link("c2", "ann", datetime(2026, 1, 1))  # naive
    with pytest.raises(InvalidValueError, match="alias"):
        scorer.link(3, "ann", AS_OF)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="is an alias of lead 'ann'"):
        scorer.add_lead(Lead(id="cookie"))
    assert scorer.lead_ids == ("ann",)


def test_an_id_collision_across_the_link_is_refused_before_anything_changes() -> None:
    # ann already has an event "cookie/e1" (her own id): a different event is the usual
    # "share id" error; an equal one is a copy the scorer cannot count once (it keeps no
    # events), refused too. Nothing changed.
    for at, message in [(AS_OF - DAY, "share id 'cookie/e1'"), (AS_OF, "a copy")]:
        scorer = Scorer(VISITS)
        scorer.add_many([view("cookie", AS_OF, "e1"), view("ann", at, "cookie/e1")])
        before = scorer.snapshot()
        with pytest.raises(InvalidEventError, match=message):
            scorer.link("cookie", "ann", AS_OF)
        assert scorer.snapshot() == before


def test_a_model_reading_event_ids_refuses_to_link_an_alias_with_history() -> None:
    model = ScoringModel(name="ids", rules=[EventRule(name="first", when={"id": "e1"}, points=5)])
    scorer = Scorer(model)
    scorer.link("fresh", "ann", AS_OF)  # no history yet: nothing was matched under old ids
    scorer.add(view("cookie", AS_OF, "e1"))
    with pytest.raises(InvalidValueError, match="rule 'first' reads event ids"):
        scorer.link("cookie", "ann", AS_OF)


def test_merge_takes_one_form_or_the_other() -> None:
    scorer = Scorer(VISITS)
    scorer.add_many([view("ann", AS_OF), view("bob", AS_OF)])
    snap = scorer.snapshot()
    with pytest.raises(InvalidValueError, match="not both"):
        scorer.merge(snap, into="ann")  # type: ignore[call-overload]
    with pytest.raises(InvalidValueError, match="missing from_, at"):
        scorer.merge(into="ann")  # type: ignore[call-overload]
    with pytest.raises(InvalidValueError, match="missing into, from_, at"):
        scorer.merge()  # type: ignore[call-overload]
    with pytest.raises(UnknownLeadError, match="Did you mean 'bob'"):
        scorer.merge(into="ann", from_="bbo", at=AS_OF)
    with pytest.raises(InvalidValueError, match="linked to itself"):
        scorer.merge(into="ann", from_="ann", at=AS_OF)
    with pytest.raises(InvalidValueError, match="fields"):
        scorer.merge(into="ann", from_="bob", at=AS_OF, fields={"industry": "best"})  # type: ignore[dict-item]
    assert scorer.lead_ids == ("ann", "bob")
    assert scorer.merge(snap) == ["ann", "bob"]


def _linked_snapshot() -> dict[str, Any]:
    scorer = Scorer(VISITS)
    scorer.add_many([view("cookie", AS_OF, "e1"), view("ann", AS_OF, "e1"), view("bob", AS_OF)])
    scorer.link("cookie", "ann", AS_OF)
    snap: dict[str, Any] = json.loads(json.dumps(scorer.snapshot()))
    return snap


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.update(links={"cookie": "ann"}), r"\$\.links: expected a list"),
        (lambda s: s["links"].append(["x", "ann"]), r"\$\.links\[1\]: expected \[alias"),
        (lambda s: s["links"].append(["", "ann", 0]), r"\$\.links\[1\]\[0\]"),
        (lambda s: s["links"].append(["x", 7, 0]), r"\$\.links\[1\]\[1\]"),
        (lambda s: s["links"].append(["x", "ann", "soon"]), r"\$\.links\[1\]\[2\]"),
        (lambda s: s["links"].append(["x", "ann", -(10**20)]), r"\$\.links\[1\]\[2\]"),
        (lambda s: s["links"].append(["x", "x", 0]), r"\$\.links\[1\]: .*itself"),
        (lambda s: s["links"].append(["cookie", "bob", 0]), r"\$\.links\[1\]: .*twice"),
        (lambda s: s["links"].append(["bob", "ann", 0]), r"\$\.links\[1\]: .*also a lead"),
        (lambda s: s["links"].append(["x", "nobody", 0]), r"\$\.links\[1\]: .*not in \$\.leads"),
        (
            lambda s: s["links"].extend([["x", "y", 0], ["y", "x", 0]]),
            r"\$\.links\[\d\]: .*cycle",
        ),
        (lambda s: s["leads"]["ann"].update(foreign=["nope"]), r"\['ann'\]\.foreign"),
        (lambda s: s["leads"]["ann"].update(foreign="cookie/e1"), r"\['ann'\]\.foreign"),
    ],
)
def test_a_malformed_links_section_names_the_json_path(change: Any, where: str) -> None:
    snap = _linked_snapshot()
    change(snap)
    snap["checksum"] = checksum(snap)  # recomputed: the checks of the values refuse it
    with pytest.raises(SnapshotError, match=where):
        Scorer.restore(VISITS, snap)


def test_merging_a_snapshot_that_contradicts_the_scorers_links_is_refused() -> None:
    snap = _linked_snapshot()
    other = Scorer(VISITS)
    other.link("cookie", "bob", AS_OF)
    before = other.snapshot()
    with pytest.raises(SnapshotError, match=r"\$\.links\[0\]: alias 'cookie'.*'ann'.*'bob'"):
        other.merge(snap)
    changed = Scorer(VISITS).snapshot() | {"leads": {"cookie": {"lead": None}}}
    with pytest.raises(SnapshotError, match=r"\$\.leads\['cookie'\]: is an alias"):
        other.merge(changed | {"checksum": checksum(changed)})
    third = Scorer(VISITS)
    third.add(view("cookie", AS_OF))
    with pytest.raises(SnapshotError, match="alias 'cookie' is a lead of this scorer"):
        third.merge(snap)
    assert other.snapshot() == before


def test_a_version_2_snapshot_without_links_still_loads() -> None:
    scorer = Scorer(VISITS)
    scorer.add(view("ann", AS_OF, "e1"))
    old = json.loads(json.dumps(scorer.snapshot()))
    del old["links"], old["checksum"]  # version 2 had neither
    old["version"] = 2
    restored = Scorer.restore(VISITS, old)
    assert restored.score("ann", AS_OF) == scorer.score("ann", AS_OF)
    assert len(restored.identities) == 0
    with pytest.raises(SnapshotError, match="version"):
        Scorer.restore(VISITS, old | {"version": 5})
    with pytest.raises(SnapshotError, match=r"\$\.checksum: missing"):
        Scorer.restore(VISITS, old | {"version": 4})


# --- the store ---------------------------------------------------------------------------


def _operations() -> list[tuple[str, Any]]:
    """A stream of events of two leads and three cookies, with links and a merge between."""
    ops: list[tuple[str, Any]] = []
    start = AS_OF - 40 * DAY
    sources = ("ann", "bob", "c1", "c2", "c3")
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("page_view", {"category": "pricing"}), ("page_view", {"category": "blog"}),
        ("email_open", {}), ("purchase", {"amount": 20}), ("inquiry", {}),
    ]  # fmt: skip
    for n in range(60):
        kind, props = kinds[n % len(kinds)]
        source = sources[(n * 3) % len(sources)]
        at = start + timedelta(hours=11 * n + (n * 7) % 5)
        ops.append(("add", Event(lead_id=source, type=kind, at=at, properties=props,
                                 id=f"e{n // len(sources)}")))  # fmt: skip
        if n == 15:
            ops.append(("link", ("c1", "ann", at)))
        if n == 30:
            ops.append(("link", ("c2", "c1", at)))  # stands for ann
        if n == 40:
            ops.append(("merge", ("ann", "bob", at)))
        if n == 45:
            ops.append(("link", ("c3", "ann", at)))
    return ops


def _apply(scorer: Scorer, op: tuple[str, Any]) -> None:
    kind, value = op
    if kind == "add":
        scorer.add(value)
    elif kind == "link":
        scorer.link(*value)
    else:
        into, from_, at = value
        scorer.merge(into=into, from_=from_, at=at)


def test_reopening_the_store_after_links_and_a_merge_continues_exactly(tmp_path: Path) -> None:
    """After every link and merge, a second scorer opened on the file (the first never
    closed, as after a crash) holds the very state of one that never stopped."""
    path = tmp_path / "links.db"
    memory = Scorer(DEFAULT)
    memory.add_lead(Lead(id="bob", attributes={"industry": "it"}))
    stored = Scorer.open(path, DEFAULT)
    stored.add_lead(Lead(id="bob", attributes={"industry": "it"}))
    end = AS_OF + DAY
    for op in _operations():
        _apply(memory, op)
        _apply(stored, op)
        if op[0] != "add":
            reopened = Scorer.open(path, DEFAULT)
            assert reopened.snapshot() == memory.snapshot()
            assert reopened.scores(end) == memory.scores(end)
            reopened.close()
    stored.close()
    with Scorer.open(path, DEFAULT) as again:
        assert again.lead_ids == memory.lead_ids == ("ann",)
        assert again.identities.to_dicts() == memory.identities.to_dicts()
        assert again.assess_all(end) == memory.assess_all(end)
        assert again.snapshot() == memory.snapshot()
    db = sqlite3.connect(path)
    assert sorted(r[0] for r in db.execute("SELECT alias FROM links")) == ["bob", "c1", "c2", "c3"]
    assert [r[0] for r in db.execute("SELECT lead_id FROM leads")] == ["ann"]
    db.close()


def test_a_store_written_before_identities_opens_and_takes_links(tmp_path: Path) -> None:
    """A version 2 file (no links table) opens; its first link makes it version 3."""
    path = tmp_path / "old.db"
    with Scorer.open(path, VISITS) as scorer:
        scorer.add_many([view("ann", AS_OF), view("cookie", AS_OF - 30 * DAY)])
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '2' WHERE key = 'version'")
    db.execute("DROP TABLE links")
    db.commit()
    db.close()
    with Scorer.open(path, VISITS) as scorer:
        assert [s.total for s in scorer.scores(AS_OF)] == [5.0, 10.0]  # add_many sorts
        scorer.link("cookie", "ann", AS_OF)
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == ("4",)
    db.close()
    with Scorer.open(path, VISITS) as scorer:
        assert scorer.lead_ids == ("ann",)
        assert scorer.score("ann", AS_OF).total == pytest.approx(15.0)


def test_links_and_events_from_several_threads_equal_the_batch_result() -> None:
    """Four threads send cookies' events while one links them: whatever the interleaving,
    the result is the united history's."""
    events = [
        view(f"c{n % 8}", AS_OF - timedelta(hours=n), f"e{n}", category="pricing")
        for n in range(400)
    ]
    links = [Identity(alias=f"c{n}", lead_id=f"L{n % 3}", at=AS_OF) for n in range(8)]
    scorer = Scorer(VISITS)

    def send(part: list[Event]) -> None:
        for event in part:
            scorer.add(event)

    def link() -> None:
        for identity in links:
            scorer.link(identity.alias, identity.lead_id, identity.at)

    threads = [threading.Thread(target=send, args=(events[i::4],)) for i in range(4)]
    threads.append(threading.Thread(target=link))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for event in events:  # every event again, now routed: copies, nothing new
        assert not scorer.add(event)
    want = score_all([Lead(id=f"L{n}") for n in range(3)], events, VISITS, as_of=AS_OF,
                     identities=links)  # fmt: skip
    assert sorted(scorer.lead_ids) == ["L0", "L1", "L2"]
    got = by_id(scorer.scores(AS_OF))
    for w in want:
        assert_same(got[w.lead_id], w)


# --- properties --------------------------------------------------------------------------

SOURCES = ("L1", "L2", "c1", "c2")
START = datetime(2026, 1, 5, tzinfo=UTC)
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("page_view", {"category": "blog"}),
    ("page_view", {"category": "pricing", "duration_s": 90}),
    ("page_view", {"category": "service", "url": "/pricing"}),
    ("page_view", {"category": "product", "product": "crm"}),
    ("page_view", {"category": "case_study"}),
    ("page_view", {"category": "faq"}),
    ("email_open", {}),
    ("email_click", {}),
    ("form_submit", {"form": "document_request"}),
    ("webinar", {}),
    ("purchase", {"amount": 120.5}),
    ("inquiry", {}),
    ("bounce", {}),
]

scoring_models = st.sampled_from([DEFAULT, QUICK]) | models(
    when=event_conditions(), who=lead_conditions(), max_rules=5
)
"""The shipped model (reactivation rules, dormancy), a quick-dormancy variant, and random
models: limits with and without ``per``, repeats, every decay kind, reactivation rules."""


def moments() -> st.SearchStrategy[datetime]:
    """A 3-hour grid over six weeks: ties in time, and silences long enough to go dormant."""
    return st.integers(0, 6 * 7 * 8).map(lambda n: START + 3 * n * HOUR)


@attrs.frozen
class Scenario:
    records: dict[str, Lead]
    ops: list[tuple[str, Any]]
    checks: list[bool]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Events of two leads and two cookies (ids numbered per source, so sources share
    ids; some events sent twice), and links (chains, and leads linked into leads, some
    as merges) at random points of the stream."""
    count = draw(st.integers(0, 18))
    numbers = dict.fromkeys(SOURCES, 0)
    events = []
    for _ in range(count):
        source = draw(st.sampled_from(SOURCES))
        kind, props = draw(st.sampled_from(KINDS))
        event_id = None
        if draw(st.booleans()):
            event_id, numbers[source] = f"e{numbers[source]}", numbers[source] + 1
        events.append(Event(lead_id=source, type=kind, at=draw(moments()), properties=props,
                            id=event_id))  # fmt: skip
    with_ids = [e for e in events if e.id is not None]
    copies = draw(st.lists(st.sampled_from(with_ids), max_size=3)) if with_ids else []
    ops: list[tuple[str, Any]] = [("add", e) for e in [*events, *copies]]
    order = draw(st.permutations(SOURCES))  # each id links only to a later one: no cycle
    for k in range(len(order) - 1):
        if draw(st.booleans()):
            target = order[draw(st.integers(k + 1, len(order) - 1))]
            form = draw(st.sampled_from(["link", "merge"]))
            ops.append((form, Identity(alias=order[k], lead_id=target, at=draw(moments()))))
    ops = draw(st.permutations(ops))
    records = {}
    for source in SOURCES:
        record = draw(st.none() | leads(source))
        if record is not None:
            records[source] = record
    checks = [draw(st.integers(0, 3)) == 0 for _ in ops]
    return Scenario(records, ops, checks)


class Replay:
    """A scenario played on a Scorer, with what the batch engines need alongside: the
    events added, the links made, the records, and the leads known."""

    def __init__(self, model: ScoringModel, scenario: Scenario) -> None:
        self.model = model
        self.scorer = Scorer(model)
        self.records = dict(scenario.records)
        self.known: dict[str, None] = {}
        for record in self.records.values():
            self.scorer.add_lead(record)
            self.known[record.id] = None
        self.added: list[Event] = []
        self.links: list[Identity] = []
        self.latest = START

    def roots(self) -> dict[str, str]:
        return IdentityMap(self.links).roots()

    def play(self, op: tuple[str, Any]) -> None:
        kind, value = op
        if kind == "add":
            self.scorer.add(value)
            self.added.append(value)
            self.known[value.lead_id] = None
            self.latest = max(self.latest, value.at)
            return
        identity: Identity = value
        roots = self.roots()
        into = roots.get(identity.lead_id, identity.lead_id)
        merged_form = (
            kind == "merge" and identity.alias in self.known and identity.lead_id in self.known
            and identity.alias not in roots and identity.lead_id not in roots
        )  # fmt: skip
        if merged_form:
            mine = self.records.get(into, Lead(id=into))
            theirs = self.records.get(identity.alias, Lead(id=identity.alias))
            result = self.scorer.merge(into=into, from_=identity.alias, at=identity.at)
            want = merge(into=mine, from_=theirs, at=identity.at)
            assert result == want.lead
            self.records[into] = want.lead
        else:
            self.scorer.link(identity.alias, identity.lead_id, identity.at)
        self.links.append(identity)
        self.records.pop(identity.alias, None)
        self.known[into] = None
        self.latest = max(self.latest, identity.at)

    def leads(self) -> list[Lead]:
        roots = self.roots()
        return [self.records.get(i, Lead(id=i)) for i in self.known if i not in roots]


def check_scores(replay: Replay, moment: datetime) -> None:
    want = score_all(replay.leads(), replay.added, replay.model, as_of=moment,
                     identities=replay.links)  # fmt: skip
    got = by_id(replay.scorer.scores(moment))
    assert sorted(got) == sorted(w.lead_id for w in want)
    for w in want:
        assert_same(got[w.lead_id], w)


@settings(max_examples=70, deadline=None)
@given(scoring_models, scenarios(), st.integers(0, 24 * 20))
def test_linking_anywhere_in_the_stream_equals_the_batch_engines(
    model: ScoringModel, scenario: Scenario, later: int
) -> None:
    """Events and links (and merges) in any order; at moments at or after everything so
    far, the scorer's scores, assessments (activity with its reactivations, journey
    evidence, interest) and change feed equal ``score_all`` / ``assess_all`` /
    ``changes_all`` on the united history with ``identities=`` the links so far."""
    replay = Replay(model, scenario)
    before: list[Assessment] = []
    for index, (op, check) in enumerate(zip(scenario.ops, scenario.checks, strict=True)):
        replay.play(op)
        if not check and index < len(scenario.ops) - 1:
            continue
        moment = replay.latest + timedelta(hours=later)
        check_scores(replay, moment)
        want = assess_all(replay.leads(), replay.added, model, as_of=moment,
                          identities=replay.links, previous=before)  # fmt: skip
        got = by_id(replay.scorer.assess_all(moment))
        assert sorted(got) == sorted(a.lead_id for a in want)
        for w in want:
            assert_same_assessment(got[w.lead_id], w)
        changes = replay.scorer.changes(moment)
        assert sorted_changes(changes) == sorted_changes(changes_all(before, want))
        before = want
    assert replay.scorer.identities.to_dicts() == IdentityMap(replay.links).to_dicts()


@settings(max_examples=50, deadline=None)
@given(scoring_models, scenarios(), st.data())
def test_a_snapshot_after_links_restores_exactly(
    model: ScoringModel, scenario: Scenario, data: st.DataObject
) -> None:
    """Snapshot (through JSON) anywhere in the stream, restore, play the rest on both:
    the restored scorer ends with the very snapshot and scores of the one that never
    stopped, and both equal the batch engines."""
    cut = data.draw(st.integers(0, len(scenario.ops)))
    never = Replay(model, scenario)
    for op in scenario.ops[:cut]:
        never.play(op)
    restored = Replay(model, Scenario({}, [], []))
    restored.scorer = Scorer.restore(model, json.loads(json.dumps(never.scorer.snapshot())))
    restored.records, restored.known = dict(never.records), dict(never.known)
    restored.added, restored.links, restored.latest = (
        list(never.added),
        list(never.links),
        never.latest,
    )
    for op in scenario.ops[cut:]:
        never.play(op)
        restored.play(op)
    moment = never.latest + DAY
    assert restored.scorer.snapshot() == never.scorer.snapshot()
    assert restored.scorer.scores(moment) == never.scorer.scores(moment)
    check_scores(restored, moment)
