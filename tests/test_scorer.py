"""Tests of leadscoring.scoring.scorer: the incremental Scorer, its snapshots and its guarantees.

The reference is always :func:`leadscoring.score` on the full history; golden numbers are
worked out by hand in the comments next to them.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    InvalidEventError,
    InvalidValueError,
    Lead,
    LeadScore,
    Limit,
    NoDecay,
    ReactivationRule,
    RepeatRule,
    Scorer,
    ScoringModel,
    SnapshotError,
    Steps,
    UnknownLeadError,
    Window,
    score,
)
from leadscoring.scoring.packing import pack, unpack
from leadscoring.scoring.snapshot_checks import checksum as snapshot_checksum
from strategies import T0, event_conditions, event_lists, lead_conditions, leads, models, moments

DAY = timedelta(days=1)
T = datetime(2026, 4, 1, tzinfo=UTC)
LEAD_IDS = ("L1", "L2", "L3")

scoring_models = models(when=event_conditions(), who=lead_conditions())
"""Models whose conditions use the generated events' vocabulary, so rules match."""


def visit(at: datetime, event_id: str | None = None, lead_id: str = "L1", **props: Any) -> Event:
    return Event(lead_id=lead_id, type="page_view", at=at, properties=props, id=event_id)


def half_life_model(**kwargs: Any) -> ScoringModel:
    rule = EventRule(name="visit", when={"type": "page_view"}, points=10, **kwargs)
    return ScoringModel(name="m", rules=[rule], default_decay=HalfLife(days=30))


def assert_same(got: LeadScore, expected: LeadScore) -> None:
    """Equal numbers, to floating-point rounding (the scorer sums in another order)."""
    assert got.lead_id == expected.lead_id
    assert got.as_of == expected.as_of
    for name in ("total", "fit", "engagement"):
        assert getattr(got, name) == pytest.approx(getattr(expected, name), rel=1e-9, abs=1e-9)
    assert dict(got.by_rule) == pytest.approx(dict(expected.by_rule), rel=1e-9, abs=1e-9)
    assert dict(got.by_group) == pytest.approx(dict(expected.by_group), rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- examples


def test_half_life_golden_numbers() -> None:
    """Two visits 30 and 60 days before as_of: 10 * 0.5 + 10 * 0.25 = 7.5."""
    scorer = Scorer(half_life_model())
    scorer.add(visit(T - 60 * DAY))
    scorer.add(visit(T - 30 * DAY))
    result = scorer.score("L1", T)
    assert result.total == pytest.approx(7.5, rel=1e-12)
    (c,) = result.contributions
    assert (c.rule, c.event_at, c.weight, c.points) == ("visit", T - 30 * DAY, 0.75, 7.5)
    assert c.note == "2 events, summed incrementally"


def test_late_event_is_weighed_down_to_the_reference_time() -> None:
    """A visit older than the last one still counts: 10 * 0.5 + 10 * 0.25, in either order."""
    scorer = Scorer(half_life_model())
    scorer.add(visit(T - 30 * DAY))
    scorer.add(visit(T - 60 * DAY))
    assert scorer.score("L1", T).total == pytest.approx(7.5, rel=1e-12)


def test_duplicate_ids_count_once() -> None:
    """A copy of an event (same id, same content) is not added again; add says so."""
    scorer = Scorer(half_life_model())
    assert scorer.add(visit(T - 30 * DAY, "e1", category="pricing"))
    assert not scorer.add(visit(T - 30 * DAY, "e1", category="pricing"))
    assert scorer.add_many([visit(T - 30 * DAY, "e1", category="pricing"), visit(T, "e2")]) == 1
    assert scorer.score("L1", T).total == pytest.approx(15.0)  # 10 * 0.5 + 10


def test_numbers_equal_as_values_are_the_same_event() -> None:
    """1 and 1.0 are the same property value (as Event equality has it)."""
    scorer = Scorer(half_life_model())
    assert scorer.add(visit(T, "e1", duration_s=60))
    assert not scorer.add(visit(T, "e1", duration_s=60.0))


@pytest.mark.parametrize(
    "other",
    [
        visit(T, "e1", category="blog"),
        visit(T + DAY, "e1", category="pricing"),
        Event(lead_id="L1", type="email_open", at=T, properties={"category": "pricing"}, id="e1"),
    ],
)
def test_two_different_events_sharing_an_id_raise(other: Event) -> None:
    """A different event reusing an id is a data error, as in score(); nothing changes."""
    scorer = Scorer(half_life_model())
    scorer.add(visit(T, "e1", category="pricing"))
    before = scorer.snapshot()
    with pytest.raises(InvalidEventError, match="share id 'e1'"):
        scorer.add(other)
    assert scorer.snapshot() == before


def test_same_id_in_two_leads_is_two_events() -> None:
    """Ids are per lead: the same id in two leads is two different events."""
    scorer = Scorer(half_life_model())
    assert scorer.add(visit(T, "e1", lead_id="L1"))
    assert scorer.add(visit(T, "e1", lead_id="L2"))
    assert [s.total for s in scorer.scores(T)] == [10.0, 10.0]


def test_as_of_before_the_latest_event_raises() -> None:
    """The scorer never answers with history it no longer has: it names the lead and time."""
    scorer = Scorer(half_life_model())
    scorer.add(visit(T))
    with pytest.raises(InvalidValueError, match="lead 'L1' has events up to 2026-04-01") as info:
        scorer.score("L1", T - DAY)
    assert info.value.field == "as_of"
    with pytest.raises(InvalidValueError):
        scorer.scores(T - DAY)
    assert scorer.score("L1", T).total == 10.0  # at the latest event itself: fine


def test_unknown_lead_id_raises_with_a_hint_and_a_lead_gets_its_fit() -> None:
    """A mistyped id raises UnknownLeadError with "did you mean"; a registered lead without
    events scores its attribute rules; a Lead given is used as given."""
    rules = [
        AttributeRule(name="it", when={"industry": "it"}, points=15),
        EventRule(name="visit", when={"type": "page_view"}, points=10),
    ]
    scorer = Scorer(ScoringModel(name="m", rules=rules))
    scorer.add(visit(T, lead_id="nobody"))
    with pytest.raises(UnknownLeadError, match="Did you mean 'nobody'") as raised:
        scorer.score("nobdy", T)
    assert raised.value.lead_ids == ("nobdy",)
    scorer.add_lead(Lead(id="L9"))
    assert scorer.score("L9", T).total == 0.0
    assert scorer.score(Lead(id="L8", attributes={"industry": "it"}), T).total == 15.0
    assert "L8" not in scorer  # scoring does not register a lead


def test_registered_leads_give_fit_and_order() -> None:
    """add_lead records attributes; scores() lists leads in the order first seen."""
    rules = [
        AttributeRule(name="it", when={"industry": "it"}, points=15),
        EventRule(name="visit", when={"type": "page_view"}, points=10),
    ]
    scorer = Scorer(ScoringModel(name="m", rules=rules))
    scorer.add(visit(T, lead_id="L2"))
    scorer.add_lead(Lead(id="L1", attributes={"industry": "it"}))
    scorer.add_lead(Lead(id="L2", attributes={"industry": "it"}))
    assert scorer.lead_ids == ("L2", "L1")
    assert len(scorer) == 2
    assert [(s.lead_id, s.total) for s in scorer.scores(T)] == [("L2", 25.0), ("L1", 15.0)]


def test_window_keeps_only_events_in_span() -> None:
    """A 7-day window keeps the times inside it (at the lead's latest event), no more."""
    model = half_life_model(decay=Window(days=7))
    scorer = Scorer(model)
    scorer.add_many(visit(T - d * DAY) for d in range(100))
    settled, _, times = scorer.snapshot()["leads"]["L1"]["rules"]["visit"]
    assert (settled, len(unpack(times))) == (0, 7)  # ages 0..6 days; 7 days old is out
    assert scorer.score("L1", T).total == 70.0
    assert scorer.score("L1", T + 3 * DAY).total == 40.0  # ages 3..6 days left


def test_steps_count_events_that_stopped_changing() -> None:
    """Steps ending at 0.25: events past the last step weigh 0.25 forever, kept as a count."""
    model = half_life_model(decay=Steps([("7d", 0.5), ("30d", 0.25)]))
    scorer = Scorer(model)
    scorer.add_many(visit(T - d * DAY) for d in range(40))
    settled, _, times = scorer.snapshot()["leads"]["L1"]["rules"]["visit"]
    assert (settled, len(unpack(times))) == (10, 30)
    # ages 0-6: 7 * 10; 7-29: 23 * 5; 30-39: 10 * 2.5
    assert scorer.score("L1", T).total == pytest.approx(70 + 115 + 25)


def test_half_life_state_does_not_grow() -> None:
    """A half-life rule without limits keeps three numbers per lead, however many events."""
    scorer = Scorer(half_life_model())
    scorer.add_many(visit(T - timedelta(hours=h)) for h in range(1000))
    weight, ref, count = scorer.snapshot()["leads"]["L1"]["rules"]["visit"]
    assert count == 1000
    assert isinstance(weight, float)
    assert isinstance(ref, int)


def test_limit_without_per_keeps_the_first_events() -> None:
    """Limit(count=2): the two earliest visits count, even when an earlier one comes late."""
    scorer = Scorer(half_life_model(decay=NoDecay(), limit=Limit(count=2)))
    scorer.add_many([visit(T - DAY), visit(T), visit(T + DAY)])
    scorer.add(visit(T - 2 * DAY))
    assert len(unpack(scorer.snapshot()["leads"]["L1"]["rules"]["visit"])) == 2
    assert scorer.score("L1", T + DAY).total == 20.0


def test_late_event_changes_which_later_events_count() -> None:
    """Once a day: visits at 0h, 20h, 40h count at 0h and 40h; a late visit at -10h counts
    and makes 0h not count, so 20h counts and 40h (within a day of 20h) does not."""
    model = half_life_model(decay=HalfLife(days=1), limit=Limit(count=1, per=DAY))
    hours = [0, 20, 40]
    scorer = Scorer(model)
    scorer.add_many(visit(T + timedelta(hours=h)) for h in hours)
    as_of = T + 2 * DAY
    assert scorer.score("L1", as_of).contributions[0].event_at == T + timedelta(hours=40)
    scorer.add(visit(T - timedelta(hours=10)))
    history = [visit(T + timedelta(hours=h)) for h in [-10, *hours]]
    expected = score(Lead(id="L1"), history, model, as_of=as_of)
    assert [c.event_at for c in expected.contributions] == [
        T - timedelta(hours=10),
        T + timedelta(hours=20),
    ]
    got = scorer.score("L1", as_of)
    assert_same(got, expected)
    assert got.contributions[0].event_at == T + timedelta(hours=20)


def test_repeat_rule_fires_like_the_engine() -> None:
    """Three visits within a day fire once; the next firing needs a day to pass."""
    rule = RepeatRule(
        name="again", when={"type": "page_view"}, times=3, within="1d", points=15,
        decay=NoDecay(),
    )  # fmt: skip
    model = ScoringModel(name="m", rules=[rule])
    hours = [0, 1, 2, 3, 4, 30, 31, 32]  # fires at 2h and at 32h (30h later, window 30-32h)
    scorer = Scorer(model)
    for h in reversed(hours):
        scorer.add(visit(T + timedelta(hours=h)))
    result = scorer.score("L1", T + 2 * DAY)
    assert result.total == 30.0
    assert result.contributions[0].note == "2 firings, summed incrementally"


def test_reactivation_rules_keep_the_activity_history() -> None:
    """A lost deal's return is found from the kept history, as score() finds it."""
    model = ScoringModel(
        name="m", rules=[ReactivationRule(name="back", points=20, decay=NoDecay())]
    )
    lead = Lead(id="L1", status="lost", status_changed_at=T - 200 * DAY)
    history = [visit(T - d * DAY, category="pricing") for d in (300, 299, 298, 297, 1)]
    scorer = Scorer(model)
    scorer.add_lead(lead)
    scorer.add_many(history)
    assert scorer.score("L1", T) == score(lead, history, model, as_of=T)
    assert scorer.score("L1", T).total == 20.0


def test_bad_arguments_raise_by_name() -> None:
    """Non-events, non-models, naive times and bad lead ids raise InvalidValueError."""
    scorer = Scorer(half_life_model())
    with pytest.raises(InvalidValueError, match="event"):
        scorer.add("not an event")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="model"):
        Scorer("m")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="as_of"):
        scorer.score("L1", datetime(2026, 1, 1))
    with pytest.raises(InvalidValueError, match="lead"):
        scorer.score(3, T)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="lead"):
        scorer.add_lead("L1")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- snapshots


def _scorer_with_history() -> Scorer:
    model = half_life_model(limit=Limit(count=1, per=DAY), cap=25)
    scorer = Scorer(model)
    scorer.add_lead(Lead(id="L2", attributes={"industry": "it"}))
    scorer.add_many(visit(T - timedelta(hours=7 * i), f"e{i}") for i in range(20))
    return scorer


def test_snapshot_is_json_and_restores_exactly() -> None:
    """A snapshot survives JSON and gives a scorer with the very same scores."""
    scorer = _scorer_with_history()
    snap = json.loads(json.dumps(scorer.snapshot()))
    restored = Scorer.restore(scorer.model, snap)
    assert restored.lead_ids == scorer.lead_ids
    assert restored.scores(T) == scorer.scores(T)
    assert restored.snapshot() == snap


def test_snapshot_refuses_another_model_version() -> None:
    """A snapshot names its model; another version (or name) is refused with SnapshotError."""
    snap = _scorer_with_history().snapshot()
    newer = ScoringModel(name="m", rules=half_life_model().rules, version=2)
    message = "model 'm' version 1; this scorer's model is 'm' version 2"
    with pytest.raises(SnapshotError, match=message):
        Scorer.restore(newer, snap)
    with pytest.raises(SnapshotError, match="'other'"):
        Scorer.restore(ScoringModel(name="other", rules=half_life_model().rules), snap)


def test_snapshot_refuses_changed_rules_under_the_same_version() -> None:
    """Same name and version but other rules: refused, with a hint to bump the version."""
    snap = _scorer_with_history().snapshot()
    with pytest.raises(SnapshotError, match="new version"):
        Scorer.restore(half_life_model(), snap)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.update(format="x"), "format"),
        (lambda s: s.update(version=99), "version"),
        (lambda s: s.update(leads=[]), "leads"),
        (lambda s: s["leads"]["L1"].update(latest="soon"), "latest"),
        (lambda s: s["leads"]["L1"]["rules"].update(nope=[1]), "nope"),
        (lambda s: s["leads"]["L1"]["rules"].update(visit=pack([3, 1, 2])), "L1"),
        (lambda s: s["leads"]["L1"]["rules"].update(visit="x"), "visit"),
        (lambda s: s["leads"]["L1"].update(ids={"e1": 5}), "ids"),
        (lambda s: s["leads"]["L2"].update(lead={"id": "L3"}), "lead"),
    ],
)
def test_malformed_snapshots_raise_snapshot_error(change: Any, where: str) -> None:
    """Every malformed part is a SnapshotError saying where, never a crash or a bad state
    (the checksum recomputed after the change, so that the value checks are tested)."""
    snap = json.loads(json.dumps(_scorer_with_history().snapshot()))
    change(snap)
    snap["checksum"] = snapshot_checksum(snap)
    with pytest.raises(SnapshotError, match=where):
        Scorer.restore(_scorer_with_history().model, snap)


def test_snapshot_of_a_non_mapping_raises() -> None:
    """Anything but a mapping is not a snapshot."""
    with pytest.raises(SnapshotError):
        Scorer.restore(half_life_model(), [])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

AS_OF_LATE = moments(T0 + timedelta(days=120), days=60)
"""Scoring times at or after every generated event."""


@given(
    scoring_models,
    st.tuples(*(leads(lead_id) for lead_id in LEAD_IDS)),
    event_lists(LEAD_IDS, max_size=25),
    st.randoms(use_true_random=False),
    AS_OF_LATE,
)
def test_scorer_equals_score_on_the_full_history(
    model: ScoringModel,
    lead_list: tuple[Lead, ...],
    history: list[Event],
    rnd: random.Random,
    as_of: datetime,
) -> None:
    """Events added in any order, interleaved with scores, give what score() gives on the
    events added so far; an as_of before a lead's latest event raises instead."""
    order = list(history)
    rnd.shuffle(order)
    scorer = Scorer(model)
    for lead in lead_list:
        scorer.add_lead(lead)
    added: list[Event] = []
    for event in order:
        scorer.add(event)
        added.append(event)
        if rnd.random() < 0.3:
            lead = rnd.choice(lead_list)
            mine = [e.at for e in added if e.lead_id == lead.id]
            moment = max(mine, default=T0) + timedelta(hours=rnd.randint(0, 48))
            assert_same(scorer.score(lead, moment), score(lead, added, model, as_of=moment))
            if mine and min(mine) < max(mine):
                with pytest.raises(InvalidValueError):
                    scorer.score(lead, max(mine) - timedelta(minutes=1))
    for got, lead in zip(scorer.scores(as_of), scorer.lead_ids, strict=True):
        record = next(x for x in lead_list if x.id == lead)
        assert_same(got, score(record, history, model, as_of=as_of))


@given(
    scoring_models,
    event_lists(LEAD_IDS, max_size=25, with_ids=None),
    st.randoms(use_true_random=False),
    AS_OF_LATE,
)
def test_copies_of_events_change_nothing(
    model: ScoringModel, history: list[Event], rnd: random.Random, as_of: datetime
) -> None:
    """Adding every event with an id twice, in any order, scores like adding it once."""
    twice = history + [e for e in history if e.id is not None]
    rnd.shuffle(twice)
    once, doubled = Scorer(model), Scorer(model)
    once.add_many(history)
    doubled.add_many(twice)
    expected = {s.lead_id: s for s in once.scores(as_of)}
    for got in doubled.scores(as_of):
        assert_same(got, expected[got.lead_id])


@given(
    scoring_models,
    event_lists(LEAD_IDS, max_size=30),
    st.randoms(use_true_random=False),
    st.integers(0, 30),
    AS_OF_LATE,
)
def test_snapshot_restore_continue_equals_never_stopping(
    model: ScoringModel,
    history: list[Event],
    rnd: random.Random,
    cut: int,
    as_of: datetime,
) -> None:
    """Snapshot (through JSON), restore, add the rest: exactly the scores of a scorer that
    never stopped, bit for bit."""
    order = list(history)
    rnd.shuffle(order)
    first, rest = order[:cut], order[cut:]
    never = Scorer(model)
    never.add_lead(Lead(id="L2", attributes={"industry": "it"}, status="lost"))
    for event in first:
        never.add(event)
    snap = json.loads(json.dumps(never.snapshot()))
    restored = Scorer.restore(model, snap)
    for event in rest:
        never.add(event)
        restored.add(event)
    assert restored.scores(as_of) == never.scores(as_of)
    assert restored.snapshot() == never.snapshot()
