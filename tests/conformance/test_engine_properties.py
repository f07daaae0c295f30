"""Properties every scoring engine must have, on the wide inputs of :mod:`strategies_wide`.

- **Conformance**: every engine of :data:`engines.ENGINES` gives the ``objects`` engine's
  :class:`~engines.Outcome` for every lead (to 1e-9, relative or absolute), or raises the
  same :class:`~leadscoring.LeadScoringError` subclass. Any other exception is a failure.
- **Order independence**: shuffling the events changes neither ``score_all`` nor a
  :class:`~leadscoring.Scorer` that receives them in the shuffled order.
- **Idempotent ingestion**: exact copies of the events with an id change nothing.
- **Batch equals incremental**: a Scorer fed events in any order answers, at any moment
  at or after a lead's latest event, what :func:`~leadscoring.score` gives on the events
  added so far.

Every rule kind is drawn in every test; the rate rules, whose state turns on events
entering and leaving their windows, get two more tests of their own (models of rate and
event rules only), so that they are met, lost and met again often enough.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest
from engines import ENGINES, Engine, Outcome
from hypothesis import given, note, settings
from hypothesis import strategies as st
from strategies_wide import Scenario, copies, scenarios, shift, wide_durations

from leadscoring import Event, Lead, LeadScoringError, Scorer, ScoringModel, score

Result = list[Outcome] | LeadScoringError
"""What an engine gives for a scenario: one outcome per lead, or the error it raised."""

REL = ABS = 1e-9
"""The tolerance of every comparison: sums of the same terms in another order."""

FRAME_ENGINES = {"frame": ("pandas", "narwhals"), "frame_polars": ("polars", "narwhals")}
"""The modules each DataFrame engine needs (its tests are skipped without them)."""

OTHERS = [name for name in ENGINES if name != "objects"]
"""The engines compared against ``objects``."""

AHEAD = st.just(timedelta(0)) | wide_durations()
"""How long after a lead's latest event the incremental Scorer is asked."""

INSERT_AT_END = -1
"""Where a copy goes when it is appended (shrinks first: copies at the end)."""


@pytest.fixture(scope="module", params=OTHERS)
def other(request: pytest.FixtureRequest) -> str:
    """The name of an engine compared against ``objects`` (skipped if its modules are
    missing)."""
    return _available(request.param)


@pytest.fixture(scope="module", params=list(ENGINES))
def engine_name(request: pytest.FixtureRequest) -> str:
    """The name of any engine (skipped if its modules are missing)."""
    return _available(request.param)


def _available(name: str) -> str:
    for module in FRAME_ENGINES.get(name, ()):
        pytest.importorskip(module)
    return name


# --------------------------------------------------------------------------- helpers


def run(engine: Engine, case: Scenario, events: Sequence[Event] | None = None) -> Result:
    """``engine`` on ``case`` (with ``events`` instead of the case's, if given); a
    :class:`LeadScoringError` is returned, anything else raised is a failure."""
    history = case.events if events is None else events
    try:
        return engine(case.leads, history, case.model, case.as_of)
    except LeadScoringError as error:
        return error


def attempt(compute: Callable[[], Outcome]) -> Outcome | LeadScoringError:
    """``compute()``, or the :class:`LeadScoringError` it raised."""
    try:
        return compute()
    except LeadScoringError as error:
        return error


def _describe(result: Outcome | Result) -> str:
    if isinstance(result, LeadScoringError):
        return f"{type(result).__name__}: {result}"
    return repr(result)


def assert_same(got: Outcome | Result, want: Outcome | Result, what: str) -> None:
    """``got`` equals ``want``: the same error type, or the same outcomes lead by lead, the
    numbers to 1e-9 and ``by_rule`` / ``by_group`` key by key."""
    if isinstance(want, LeadScoringError) or isinstance(got, LeadScoringError):
        assert type(got) is type(want), f"{what}: {_describe(got)}, expected {_describe(want)}"
        return
    if isinstance(want, Outcome) and isinstance(got, Outcome):
        got_list, want_list = [got], [want]
    else:
        assert isinstance(got, list)
        assert isinstance(want, list)
        got_list, want_list = got, want
    assert [o.lead_id for o in got_list] == [o.lead_id for o in want_list], what
    for g, w in zip(got_list, want_list, strict=True):
        where = f"{what}, lead {w.lead_id!r}"
        for name in ("total", "fit", "engagement"):
            assert getattr(g, name) == pytest.approx(getattr(w, name), rel=REL, abs=ABS), (
                f"{where}: {name} {getattr(g, name)!r}, expected {getattr(w, name)!r}"
            )
        for label, got_map, want_map in (
            ("by_rule", g.by_rule, w.by_rule),
            ("by_group", g.by_group, w.by_group),
        ):
            assert sorted(got_map) == sorted(want_map), f"{where}: {label} keys differ"
            for key, value in want_map.items():
                assert got_map[key] == pytest.approx(value, rel=REL, abs=ABS), (
                    f"{where}: {label}[{key!r}] {got_map[key]!r}, expected {value!r}"
                )


def _scorer_outcome(stream: Scorer, lead: Lead, moment: datetime) -> Callable[[], Outcome]:
    return lambda: Outcome.of(stream.score(lead, moment))


def _score_outcome(
    lead: Lead, events: Sequence[Event], model: ScoringModel, moment: datetime
) -> Callable[[], Outcome]:
    return lambda: Outcome.of(score(lead, events, model, as_of=moment))


# --------------------------------------------------------------------------- properties


@settings(max_examples=60)
@given(scenarios())
def test_every_engine_agrees_with_objects(other: str, case: Scenario) -> None:
    """Every engine gives ``score_all``'s outcome for every lead, or raises the same
    LeadScoringError subclass (any other exception fails the test)."""
    want = run(ENGINES["objects"], case)
    note(f"objects: {_describe(want)}")
    assert_same(run(ENGINES[other], case), want, f"{other} vs objects")


RATE_KINDS = ("rate", "event")
"""The rule kinds of the rate-rule tests."""


@settings(max_examples=60)
@given(scenarios(kinds=RATE_KINDS, max_rules=3))
def test_every_engine_agrees_with_objects_on_rate_rules(other: str, case: Scenario) -> None:
    """The first property, on models of rate and event rules."""
    want = run(ENGINES["objects"], case)
    note(f"objects: {_describe(want)}")
    assert_same(run(ENGINES[other], case), want, f"{other} vs objects")


@settings(max_examples=60)
@given(scenarios(), st.data())
def test_shuffling_the_events_changes_nothing(case: Scenario, data: st.DataObject) -> None:
    """Shuffled events give exactly the same ``score_all`` outcome, and the same Scorer
    outcome when the Scorer receives them in the shuffled order."""
    shuffled = data.draw(st.permutations(case.events), label="shuffled")
    want = run(ENGINES["objects"], case)
    got = run(ENGINES["objects"], case, shuffled)
    if isinstance(want, LeadScoringError) or isinstance(got, LeadScoringError):
        assert type(got) is type(want), f"objects: {_describe(got)} vs {_describe(want)}"
    else:
        assert got == want, "objects: shuffling the events changed the outcome"
    scorer = ENGINES["scorer"]
    assert_same(run(scorer, case, shuffled), run(scorer, case), "scorer, shuffled vs given order")


@settings(max_examples=40)
@given(scenarios(), st.data())
def test_copies_of_events_with_ids_change_nothing(
    engine_name: str, case: Scenario, data: st.DataObject
) -> None:
    """Adding an exact copy of every event with an id (appended, or each inserted anywhere)
    gives every engine the outcome it gives without the copies."""
    doubled = list(case.events)
    for copy in copies([e for e in case.events if e.id is not None]):
        position = data.draw(st.just(INSERT_AT_END) | st.integers(0, len(doubled)))
        doubled.insert(len(doubled) if position == INSERT_AT_END else position, copy)
    engine = ENGINES[engine_name]
    assert_same(run(engine, case, doubled), run(engine, case), f"{engine_name}: with copies")


@settings(max_examples=60)
@given(scenarios(), st.data())
def test_scorer_equals_score_on_the_events_added_so_far(
    case: Scenario, data: st.DataObject
) -> None:
    """A Scorer fed the events in random order, asked at moments at or after each lead's
    latest event added, answers what ``score()`` gives on the events added so far (or
    raises the same LeadScoringError subclass)."""
    _scorer_equals_score(case, data)


@settings(max_examples=60)
@given(scenarios(kinds=RATE_KINDS, max_rules=3), st.data())
def test_scorer_equals_score_on_rate_rules(case: Scenario, data: st.DataObject) -> None:
    """The batch-equals-incremental property, on models of rate and event rules."""
    _scorer_equals_score(case, data)


def _scorer_equals_score(case: Scenario, data: st.DataObject) -> None:
    order = data.draw(st.permutations(case.events), label="arrival order")
    stream = Scorer(case.model)
    for lead in case.leads:
        stream.add_lead(lead)
    added: list[Event] = []
    for index, event in enumerate(order):
        added.append(event)
        try:
            stream.add(event)
        except LeadScoringError as error:
            lead = next(x for x in case.leads if x.id == event.lead_id)
            moment = max(e.at for e in added if e.lead_id == lead.id)
            want = attempt(_score_outcome(lead, added, case.model, moment))
            assert_same(error, want, f"Scorer.add of event {index}")
            return
        if index < len(order) - 1 and not data.draw(st.booleans(), label="ask now"):
            continue
        for lead in case.leads:
            latest = max((e.at for e in added if e.lead_id == lead.id), default=case.as_of)
            ahead = data.draw(AHEAD, label="ahead")
            moment = shift(latest, ahead)
            assert_same(
                attempt(_scorer_outcome(stream, lead, moment)),
                attempt(_score_outcome(lead, added, case.model, moment)),
                f"after {len(added)} events, lead {lead.id!r} at {moment.isoformat()}",
            )
