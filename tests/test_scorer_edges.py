"""Window edges, calendar windows and late events on every engine, worked out by hand.

Each case names the mistake it catches (a mutation of the shared semantics that the other
tests let through): a calendar ``Limit.per`` read as a fixed span or not at all, the
window start added instead of subtracted, the half-open edges of limit and repeat windows
(``<=`` against ``<``), the repeat rule's refire edge, a late earlier event that must take
the place of a counted one under ``Limit(count=N)``, a half-life state restored from a
snapshot, and the ``Scorer``'s contribution dates.

Every case is checked on ``score``, on a ``Scorer`` fed in time order and in reverse, and
(where pandas is installed) on ``score_frame``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadscoring import (
    Event,
    EventRule,
    HalfLife,
    Lead,
    Limit,
    NoDecay,
    RepeatRule,
    Scorer,
    ScoringModel,
    score,
    score_frame,
)

US = timedelta(microseconds=1)
DAY = timedelta(days=1)
T0 = datetime(2026, 3, 10, 10, tzinfo=UTC)


def view(at: datetime, n: int) -> Event:
    return Event(lead_id="L1", type="page_view", at=at, id=f"e{n}")


def model_of(rule: EventRule | RepeatRule) -> ScoringModel:
    return ScoringModel(name="edges", rules=[rule], default_decay=NoDecay())


def totals(model: ScoringModel, events: list[Event], as_of: datetime) -> list[float]:
    """The lead's total on every engine: score, Scorer in order, Scorer in reverse order,
    and score_frame (pandas) when installed."""
    out = [score(Lead(id="L1"), events, model, as_of=as_of).total]
    for order in (events, events[::-1]):
        scorer = Scorer(model)
        scorer.add_many(order)  # add_many sorts its batch: add one by one for the reverse
        out.append(scorer.score("L1", as_of).total)
        scorer = Scorer(model)
        for event in order:
            scorer.add(event)
        out.append(scorer.score("L1", as_of).total)
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame({
        "lead_id": [e.lead_id for e in events],
        "type": [e.type for e in events],
        "at": pd.to_datetime([e.at for e in events], utc=True),
        "id": [e.id for e in events],
    })  # fmt: skip
    out.append(float(score_frame(table, model, as_of=as_of)["total"].iloc[0]))
    return out


def test_a_calendar_month_limit_counts_by_the_calendar() -> None:
    """``Limit(count=1, per="P1M")``, 1 point, views on 31 Jan, 28 Feb and 1 Mar, 10:00.

    31 Jan counts (nothing before). 28 Feb: its window (28 Jan 10:00, 28 Feb 10:00] holds
    the counted 31 Jan: refused. 1 Mar: its window (1 Feb 10:00, 1 Mar 10:00] holds only
    the refused 28 Feb: counts. Total 2. (A fixed 30 days would refuse 1 Mar too, since
    its window would start on 30 Jan: 1. No window: 1. A start added instead of subtracted
    leaves every window empty: 3.)"""
    rule = EventRule(name="view", when={"type": "page_view"}, points=1,
                     limit=Limit(count=1, per="P1M"))  # fmt: skip
    at = [datetime(2026, m, d, 10, tzinfo=UTC) for m, d in ((1, 31), (2, 28), (3, 1))]
    events = [view(t, n) for n, t in enumerate(at)]
    assert totals(model_of(rule), events, at[-1]) == [2.0] * 6


def test_a_limit_window_is_half_open() -> None:
    """``Limit(count=1, per="1d")``, 1 point, views at t, t + 1d - 1µs, t + 1d, t + 2d - 1µs.

    t counts. t + 1d - 1µs: its window (t - 1µs, t + 1d - 1µs] holds t: refused. t + 1d:
    its window (t, t + 1d] no longer holds t (exactly one day old is out) and the refused
    view does not count: counts. t + 2d - 1µs: its window holds t + 1d: refused. Total 2
    (an edge read as closed refuses t + 1d as well: 1)."""
    rule = EventRule(name="view", when={"type": "page_view"}, points=1,
                     limit=Limit(count=1, per="1d"))  # fmt: skip
    at = [T0, T0 + DAY - US, T0 + DAY, T0 + 2 * DAY - US]
    events = [view(t, n) for n, t in enumerate(at)]
    assert totals(model_of(rule), events, at[-1]) == [2.0] * 6


def test_a_repeat_window_is_half_open() -> None:
    """``RepeatRule(times=2, within="1d")``, 10 points.

    Views at t and t + 1d: the second's window (t, t + 1d] holds one view only: no firing.
    Views at t + 10d and t + 11d - 1µs: the second's window holds both: one firing, 10."""
    rule = RepeatRule(name="again", when={"type": "page_view"}, times=2, within="1d",
                      points=10)  # fmt: skip
    apart = [view(T0, 0), view(T0 + DAY, 1)]
    assert totals(model_of(rule), apart, T0 + 20 * DAY) == [0.0] * 6
    close = [*apart, view(T0 + 10 * DAY, 2), view(T0 + 11 * DAY - US, 3)]
    assert totals(model_of(rule), close, T0 + 20 * DAY) == [10.0] * 6


def test_a_repeat_rule_refires_once_its_window_no_longer_holds_the_firing() -> None:
    """``RepeatRule(times=1, within="1d")``, 10 points: views at t, t + 1d - 1µs, t + 1d.

    It fires at t. At t + 1d - 1µs the window (t - 1µs, t + 1d - 1µs] still holds the
    firing at t: blocked. At t + 1d the window (t, t + 1d] no longer does: it fires again.
    Two firings, 20 (an edge off by one either way gives 10 or 30)."""
    rule = RepeatRule(name="again", when={"type": "page_view"}, times=1, within="1d",
                      points=10)  # fmt: skip
    events = [view(T0, 0), view(T0 + DAY - US, 1), view(T0 + DAY, 2)]
    assert totals(model_of(rule), events, T0 + 5 * DAY) == [20.0] * 6


@pytest.mark.parametrize("count", [1, 2])
def test_a_late_earlier_event_takes_the_place_of_a_counted_one(count: int) -> None:
    """``Limit(count=N)`` (no ``per``: the first N ever count), 8 points, a half-life of
    one day, views at T - 2d, T - 1d and T, scored at T; the Scorer gets T - 2d last.

    N = 1: only T - 2d counts, 8 * 0.5 ** 2 = 2 (keeping the first one it saw, T - 1d,
    would give 4). N = 2: T - 2d and T - 1d count, 2 + 8 * 0.5 = 6 (keeping T: 4 + 8 = 12)."""
    rule = EventRule(name="view", when={"type": "page_view"}, points=8,
                     limit=Limit(count=count), decay=HalfLife(days=1))  # fmt: skip
    now = T0 + 2 * DAY
    events = [view(T0 + DAY, 1), view(now, 2), view(T0, 0)]  # the earliest arrives last
    want = {1: 2.0, 2: 6.0}[count]
    for total in totals(model_of(rule), events, now):
        assert total == pytest.approx(want, abs=1e-12)
    scorer = Scorer(model_of(rule))
    for event in events:  # strictly in arrival order
        scorer.add(event)
    assert scorer.score("L1", now).total == pytest.approx(want, abs=1e-12)


def test_a_restored_half_life_state_goes_on_decaying() -> None:
    """10 points halving every 10 days: a view at T - 10d, a snapshot, a restore, then a
    view at T. At T: 10 * 0.5 + 10 = 15, as the uninterrupted scorer and score() say; a
    day later both views are one day older: 10 * 0.5 ** 1.1 + 10 * 0.5 ** 0.1."""
    rule = EventRule(name="view", when={"type": "page_view"}, points=10,
                     decay=HalfLife(days=10))  # fmt: skip
    model = model_of(rule)
    now = T0 + 10 * DAY
    first, second = view(T0, 0), view(now, 1)
    scorer = Scorer(model)
    scorer.add(first)
    restored = Scorer.restore(model, scorer.snapshot())
    restored.add(second)
    assert restored.score("L1", now).total == pytest.approx(15.0, abs=1e-12)
    later = now + DAY
    want = 10 * 0.5**1.1 + 10 * 0.5**0.1
    assert restored.score("L1", later).total == pytest.approx(want, abs=1e-12)
    assert score(Lead(id="L1"), [first, second], model, as_of=later).total == pytest.approx(
        want, abs=1e-12
    )


def test_scorer_contributions_are_dated_at_the_latest_counted_event() -> None:
    """One contribution per rule, dated at its latest counted event, before and after a
    restore: with ``Limit(count=2)`` and views at t, t + 1d, t + 2d the third does not
    count, so the date is t + 1d (never the epoch); ``score()``'s latest row agrees."""
    rule = EventRule(name="view", when={"type": "page_view"}, points=3,
                     limit=Limit(count=2))  # fmt: skip
    model = model_of(rule)
    events = [view(T0 + k * DAY, k) for k in range(3)]
    as_of = T0 + 3 * DAY
    scorer = Scorer(model)
    scorer.add_many(events)
    for s in (scorer, Scorer.restore(model, scorer.snapshot())):
        [row] = s.score("L1", as_of).contributions
        assert row.event_at == T0 + DAY
        assert row.points == 6
    batch = score(Lead(id="L1"), events, model, as_of=as_of).contributions
    assert max(c.event_at for c in batch if c.event_at is not None) == T0 + DAY
