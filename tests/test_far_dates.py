"""Dates at the edges of the calendar (years 1 and 9999) on every engine.

Decay over nine thousand years underflows to nothing rather than raising, and a moment
that leaves the calendar once converted to UTC is refused with the field's name.

The second half throws far dates at every entry point (``score``, ``score_all``,
``assess_all``, ``Scorer``, ``score_frame``, ``read_events``) with every kind of decay
and time window: each gives a finite result or raises a
:class:`~leadscoring.LeadScoringError` naming the field, never an ``OverflowError`` or a
bare ``ValueError`` from datetime arithmetic.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import leadscoring as ls
from leadscoring import (
    Event,
    EventRule,
    HalfLife,
    InvalidEventError,
    InvalidValueError,
    Lead,
    LeadScoringError,
    Linear,
    NoDecay,
    RateRule,
    RepeatRule,
    Scorer,
    ScoringModel,
    Steps,
    Window,
    assess_all,
    score_all,
    score_frame,
    when,
)

MODEL = ScoringModel(
    name="edges",
    rules=(EventRule(name="visit", when={"type": "page_view"}, points=10, decay=HalfLife(days=1)),),
)
LEAD = Lead(id="L1")
FIRST = datetime(1, 1, 2, tzinfo=UTC)
LAST = datetime(9999, 12, 30, tzinfo=UTC)
DAY_AFTER_LAST = datetime(9999, 12, 31, tzinfo=UTC)


def totals(at: datetime, as_of: datetime) -> list[float]:
    """The total of one page view at ``at`` on the object, Scorer and frame engines."""
    event = Event(lead_id="L1", type="page_view", at=at, id="e1")
    scorer = Scorer(MODEL)
    scorer.add(event)
    frame = pd.DataFrame({"lead_id": ["L1"], "type": ["page_view"], "at": [at], "id": ["e1"]})
    return [
        score_all([LEAD], [event], MODEL, as_of=as_of)[0].total,
        scorer.score("L1", as_of).total,
        float(score_frame(frame, MODEL, as_of=as_of)["total"].iloc[0]),
    ]


def test_one_day_before_the_end_of_the_calendar_decays_to_half() -> None:
    # 10 points, half-life one day, one day old: 10 * 0.5 = 5.0 on every engine.
    assert totals(LAST, DAY_AFTER_LAST) == pytest.approx([5.0, 5.0, 5.0], abs=1e-9)


def test_an_event_of_year_one_scored_in_year_9999_is_worth_nothing() -> None:
    # About 3.65 million half-lives: 10 * 0.5 ** 3.65e6 underflows to 0.0, no error.
    assert totals(FIRST, DAY_AFTER_LAST) == [0.0, 0.0, 0.0]


def test_an_event_of_year_one_a_day_later() -> None:
    # One day old in year 1: 5.0 again; the far past is no special case.
    assert totals(FIRST, datetime(1, 1, 3, tzinfo=UTC)) == pytest.approx([5.0] * 3, abs=1e-9)


def test_assess_all_at_both_ends() -> None:
    # The whole assessment runs at both ends of the calendar: a 5-point lead is cold.
    event = Event(lead_id="L1", type="page_view", at=LAST, id="e1")
    (result,) = assess_all([LEAD], [event], MODEL, as_of=DAY_AFTER_LAST)
    assert result.score.total == pytest.approx(5.0)
    assert result.temperature == "cold"


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_moment_outside_the_calendar_in_utc_is_refused_by_name(text: str) -> None:
    with pytest.raises(InvalidEventError, match=r"Event\.at: .* is out of range in UTC"):
        Event(lead_id="L1", type="page_view", at=text)


# --------------------------------------------------------------------------- every entry point

EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
MIN = datetime.min.replace(tzinfo=UTC)
MAX = datetime.max.replace(tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
"""ISO strings that a datetime holds, but whose UTC time is before year 1 or after 9999."""

PACKAGED = ls.load_model("b2b-default")
DECAYS = [
    NoDecay(),
    HalfLife(days=30),
    HalfLife(days=1e-9),  # 0.5 ** (age / a millisecond): underflows to 0.0 at once
    HalfLife(days=365_000),
    Linear(over="1d"),
    Linear(over=timedelta(days=365_000)),
    Window(days=365_000),
    Window(months=12),
    Window(months=12_000),
    Steps([("7d", 1.0), ("30d", 0.5), (timedelta(days=365_000), 0.0)]),
]


def far_model(decay: Any) -> ScoringModel:
    """A model whose every kind of time-window rule meets the far dates: a decayed event
    rule with a per-day limit, a repeat within a thousand years, a rate and the packaged
    model's rules (dormancy, caps, limits)."""
    extra = [
        EventRule(name="any", when=when(type="page_view"), points=7, decay=decay,
                  limit=ls.Limit(count=1, per="1000d")),
        RepeatRule(name="again", when=when(type="page_view"), times=2,
                   within=timedelta(days=365_000), points=3, decay=decay),
        RateRule(name="rate", numerator=when(type="page_view"), denominator=ls.All(),
                 within=timedelta(days=365_000), at_least=0.1, min_denominator=1, points=2),
    ]  # fmt: skip
    return ScoringModel(name="far", rules=[*PACKAGED.rules, *extra], default_decay=decay, version=1)


MODELS = [pytest.param(far_model(d), id=repr(d)) for d in DECAYS]
FAR_LEAD = Lead(id="L1", attributes={"role": "manager"}, status="lost", status_changed_at=EARLIEST)


def event(at: Any, n: int = 0) -> Event:
    return Event(lead_id="L1", type="page_view", at=at, id=f"e{n}",
                 properties={"category": "service"})  # fmt: skip


def outcome(call: Callable[[], Any]) -> Any:
    """The result of ``call``, or the LeadScoringError it raised (whose text must say
    something); any other exception fails the test."""
    try:
        return call()
    except LeadScoringError as exc:
        error = exc
    assert str(error).strip(), f"an empty message from {type(error).__name__}"
    return error


def finite_totals(results: Any) -> None:
    for result in results:
        score = getattr(result, "score", result)
        assert math.isfinite(score.total), score
        for value in score.by_rule.values():
            assert math.isfinite(value), score


PAIRS = [
    (EARLIEST, EARLIEST),
    (EARLIEST, LATEST),
    (EARLIEST, MAX),
    (MIN, MAX),
    (MIN, MIN),
    (LATEST, LATEST),
    (MAX, MAX),
    (EARLIEST, NOW),
    (NOW, LATEST),
    (NOW, MAX),
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("at", "as_of"), PAIRS, ids=lambda d: d.isoformat()[:10])
def test_batch_engines_score_far_dates(model: ScoringModel, at: datetime, as_of: datetime) -> None:
    events = [event(at, 0), event(at + timedelta(microseconds=1), 1)] if at < MAX else [event(at)]
    for run in (ls.score_all, ls.assess_all):
        result = outcome(lambda run=run: run([FAR_LEAD], events, model, as_of=as_of))
        assert not isinstance(result, LeadScoringError), result
        finite_totals(result)
    single = outcome(lambda: ls.score(FAR_LEAD, events, model, as_of=as_of))
    assert not isinstance(single, LeadScoringError), single
    finite_totals([single])


@pytest.mark.parametrize("model", MODELS)
def test_an_event_9998_years_old_decays_to_nothing_or_almost(model: ScoringModel) -> None:
    result = ls.score(FAR_LEAD, [event(EARLIEST)], model, as_of=LATEST)
    decay = model.default_decay
    weight = result.by_rule.get("any", 0.0) / 7
    assert math.isfinite(result.total)
    if isinstance(decay, NoDecay):
        assert weight == pytest.approx(1.0)
    else:
        assert 0.0 <= weight < 0.5


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("at", "as_of"), PAIRS, ids=lambda d: d.isoformat()[:10])
def test_the_scorer_scores_far_dates(model: ScoringModel, at: datetime, as_of: datetime) -> None:
    scorer = Scorer(model)
    scorer.add_lead(FAR_LEAD)
    outcome(lambda: scorer.add(event(at)))
    result = outcome(lambda: scorer.scores(as_of))
    if isinstance(result, LeadScoringError):
        assert as_of < at
        assert "as_of" in str(result)
    else:
        finite_totals(result.values() if isinstance(result, dict) else result)
    outcome(lambda: scorer.assess_all(as_of))
    snapshot = json.loads(json.dumps(scorer.snapshot()))
    again = Scorer.restore(model, snapshot)
    assert outcome(lambda: again.scores(as_of)) == result or isinstance(result, Exception)


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_an_offset_that_leaves_the_range_names_the_field(text: str) -> None:
    with pytest.raises(ls.InvalidEventError, match=r"Event\.at: .*out of range in UTC"):
        event(text)
    lead_error = outcome(lambda: Lead(id="L1", status="lost", status_changed_at=text))
    assert isinstance(lead_error, LeadScoringError)
    assert "status_changed_at" in str(lead_error)
    for run in (ls.score_all, ls.assess_all):
        with pytest.raises(InvalidValueError, match=r"as_of: .*out of range in UTC"):
            run([FAR_LEAD], [event(NOW)], PACKAGED, as_of=text)
    with pytest.raises(InvalidValueError, match=r"as_of: .*out of range in UTC"):
        ls.score(FAR_LEAD, [event(NOW)], PACKAGED, as_of=text)
    scorer = Scorer(PACKAGED)
    scorer.add(event(NOW))
    with pytest.raises(InvalidValueError, match=r"as_of: .*out of range in UTC"):
        scorer.scores(text)


@pytest.mark.parametrize("model", MODELS[:4])
@pytest.mark.parametrize(("at", "as_of"), PAIRS, ids=lambda d: d.isoformat()[:10])
def test_score_frame_scores_far_dates(model: ScoringModel, at: datetime, as_of: datetime) -> None:
    frame = pd.DataFrame(
        {"lead_id": ["L1", "L1"], "type": ["page_view"] * 2, "at": [at, at],
         "id": ["e0", "e1"], "category": ["service"] * 2}
    )  # fmt: skip
    result = outcome(lambda: ls.score_frame(frame, model, as_of=as_of))
    if isinstance(result, LeadScoringError):
        assert any(word in str(result) for word in ("at", "as_of")), result
        return
    for value in result.select_dtypes("number").to_numpy().ravel():
        assert math.isfinite(value)
    batch = ls.score_all([Lead(id="L1")], [event(at, 0), event(at, 1)], model, as_of=as_of)
    assert result["total"].iloc[0] == pytest.approx(batch[0].total)


def test_an_event_at_the_first_microsecond_counts_in_its_windows() -> None:
    model = far_model(NoDecay())
    events = [event(MIN, 0), event(MIN, 1)]
    frame = pd.DataFrame({"lead_id": ["L1", "L1"], "type": ["page_view"] * 2, "at": [MIN, MIN],
                          "id": ["e0", "e1"], "category": ["service"] * 2})  # fmt: skip
    by_frame = ls.score_frame(frame, model, as_of=MIN, by_rule=True).iloc[0]
    (batch,) = ls.score_all([Lead(id="L1")], events, model, as_of=MIN)
    scorer = Scorer(model)
    scorer.add_many(events)
    incremental = scorer.score("L1", MIN)
    assert by_frame["by_rule.any"] == 7.0  # limited to one event per 1000 days
    assert by_frame["by_rule.again"] == 3.0  # two events: the repeat is met
    assert batch.by_rule["any"] == 7.0
    assert batch.by_rule["again"] == 3.0
    assert incremental.by_rule == batch.by_rule


def test_a_window_before_the_calendar_is_below_every_moment() -> None:
    from leadscoring.core.times import BEFORE_CALENDAR, BEFORE_CALENDAR_US, EARLIEST_US

    year_950 = datetime(950, 1, 1, tzinfo=UTC)
    start = ls.scoring.semantics.window_start(year_950, timedelta(days=365_000))
    assert start is BEFORE_CALENDAR
    # both sides: datetime's own comparisons defer to the subclass's reflected ones
    assert MIN > start  # noqa: SIM300
    assert not MIN <= start  # noqa: SIM300
    assert start < MIN
    assert start <= MIN
    assert start == BEFORE_CALENDAR
    assert start != MIN
    assert ls.scoring.semantics.window_start_us(EARLIEST_US, timedelta(1)) == BEFORE_CALENDAR_US
    # Window(1000 years) at the year 950: an event at the first microsecond has weight 1
    assert Window(days=365_000).weight_at(MIN, year_950) == 1.0


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_score_frame_names_as_of_out_of_range(text: str) -> None:
    frame = pd.DataFrame({"lead_id": ["L1"], "type": ["page_view"], "at": [NOW]})
    with pytest.raises(InvalidValueError, match=r"as_of: .*out of range in UTC"):
        ls.score_frame(frame, PACKAGED, as_of=text)


AT_TEXTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-02T00:00:00+14:00",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-30T23:59:59-14:00",
]


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
@pytest.mark.parametrize("text", AT_TEXTS)
def test_loaders_read_far_timestamps(tmp_path: Path, kind: str, text: str) -> None:
    path = write_events(tmp_path, kind, text)
    loaded = ls.read_events(path).rows
    (only,) = loaded
    assert only.at == ls.Event(lead_id="L1", type="page_view", at=text).at
    result = ls.score_all([FAR_LEAD], loaded, far_model(HalfLife(days=1e-9)), as_of=MAX)
    finite_totals(result)


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
@pytest.mark.parametrize("text", [*OUT_OF_RANGE, "99999-01-01T00:00:00Z", "0000-12-31T00:00:00Z"])
@pytest.mark.parametrize("assume_tz", [None, "Pacific/Kiritimati", "Etc/GMT+12"])
def test_loaders_name_the_row_of_a_timestamp_out_of_range(
    tmp_path: Path, kind: str, text: str, assume_tz: str | None
) -> None:
    path = write_events(tmp_path, kind, text)
    with pytest.raises(ls.InvalidInputError, match=r"row 1, column 'at'") as info:
        ls.read_events(path, assume_tz=assume_tz)
    assert info.value.row == 1
    assert info.value.column == "at"
    collected = ls.read_events(path, errors="collect", assume_tz=assume_tz)
    assert collected.rows == ()
    assert len(collected.rejected) == 1


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
@pytest.mark.parametrize("text", ["0001-01-01T00:00:00", "9999-12-31T23:59:59"])
@pytest.mark.parametrize("assume_tz", ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Tokyo"])
def test_an_assumed_zone_that_pushes_a_naive_time_out_of_range(
    tmp_path: Path, kind: str, text: str, assume_tz: str
) -> None:
    path = write_events(tmp_path, kind, text)
    result = outcome(lambda: ls.read_events(path, assume_tz=assume_tz))
    if isinstance(result, LeadScoringError):
        assert isinstance(result, ls.InvalidInputError), result
        assert result.column == "at", result
    else:
        (only,) = result.rows
        assert only.at.tzinfo is not None


def write_events(folder: Path, kind: str, text: str) -> Path:
    path = folder / f"events.{kind}"
    if kind == "jsonl":
        row = {"lead_id": "L1", "type": "page_view", "at": text, "category": "service"}
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    else:
        path.write_text(f"lead_id,type,at,category\nL1,page_view,{text},service\n", "utf-8")
    return path


# --------------------------------------------------------------------------- the CLI

CLI_TIMES = ["0001-01-01T00:00:00Z", "0001-01-02T12:00:00Z", "9999-12-31T23:59:59Z"]


@pytest.mark.parametrize("command", ["score", "assess", "assess --engine frame"])
@pytest.mark.parametrize("at", CLI_TIMES)
@pytest.mark.parametrize("as_of", [*CLI_TIMES, "9999-12-31T23:59:59.999999Z"])
def test_the_cli_scores_far_dates_or_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, at: str, as_of: str
) -> None:
    """Every far pair gives exit status 0 and finite JSON numbers, or a one-line error
    naming the field (an event after as_of is simply not counted yet)."""
    from leadscoring.cli import main

    (tmp_path / "leads.csv").write_text("id,status,role\nL1,lost,manager\n", "utf-8")
    rows = f"id,lead_id,type,at,category\ne1,L1,page_view,{at},pricing\n"
    rows += f"e2,L1,page_view,{at},service\n"
    (tmp_path / "events.csv").write_text(rows, "utf-8")
    files = ["--leads", str(tmp_path / "leads.csv"), "--events", str(tmp_path / "events.csv")]
    args = [*command.split(), "--model", "b2b-default", *files, "--as-of", as_of,
            "--format", "json"]  # fmt: skip
    status = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert status == 0, err
    document = json.loads(out)
    results = document.get("scores") or document.get("assessments")
    (only,) = results
    total = only.get("total", only.get("score"))
    assert isinstance(total, int | float)
    assert math.isfinite(total)


@pytest.mark.parametrize("as_of", OUT_OF_RANGE)
def test_the_cli_names_an_as_of_outside_the_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str
) -> None:
    from leadscoring.cli import main

    """A usage error (exit status 2) that says the moment is out of range."""
    (tmp_path / "leads.csv").write_text("id\nL1\n", "utf-8")
    with pytest.raises(SystemExit) as info:
        main(["score", "--model", "b2b-default", "--leads", str(tmp_path / "leads.csv"),
              "--as-of", as_of])  # fmt: skip
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Traceback" not in err
    assert f"argument --as-of: {as_of} is out of range in UTC" in err, err
