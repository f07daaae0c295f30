"""Tests of leadscoring.scoring.semantics: the scoring rules, once, and their vectorised forms.

The scalar forms are checked on hand-worked examples; each vectorised form (what the
columnar engine runs) is checked against its scalar form on generated rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    EventRule,
    HalfLife,
    Lead,
    Limit,
    NoDecay,
    RateRule,
    RepeatRule,
    ScoringModel,
    Window,
    when,
)
from leadscoring.core.times import (
    BEFORE_CALENDAR,
    BEFORE_CALENDAR_US,
    EARLIEST,
    EARLIEST_US,
    from_us,
    to_us,
)
from leadscoring.scoring.compiled import CompiledRule, compile_model
from leadscoring.scoring.semantics import (
    Limiter,
    Repeater,
    clamp,
    finish,
    limiter_for,
    rate_at,
    rate_met,
    repeater_for,
    window_exit,
    window_exit_us,
    window_start,
    window_start_us,
)

np = pytest.importorskip("numpy")
arrays = pytest.importorskip("leadscoring.scoring.semantics.arrays")

T = datetime(2026, 3, 31, tzinfo=UTC)
HOUR = 3_600_000_000
"""One hour in microseconds."""


def _rule(**kwargs: object) -> CompiledRule:
    """The compiled form of one event or repeat rule."""
    kind = RepeatRule if "times" in kwargs else EventRule
    rule = kind(name="r", when=when(type="page_view"), points=10, **kwargs)  # type: ignore[arg-type]
    return compile_model(ScoringModel(name="m", rules=[rule])).rules[0]


# --------------------------------------------------------------------------- windows


def test_window_start_is_calendar_aware_and_starts_before_the_calendar() -> None:
    """31 March minus a month is 28 February; a thousand years before year 950 is before
    the calendar, earlier than year 1 itself."""
    assert window_start(T, relativedelta(months=1)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert window_start(T, timedelta(days=1)) == datetime(2026, 3, 30, tzinfo=UTC)
    year_950 = datetime(950, 1, 1, tzinfo=UTC)
    assert window_start(year_950, relativedelta(years=1000)) is BEFORE_CALENDAR
    assert window_start(year_950, timedelta(days=365_000)) is BEFORE_CALENDAR
    assert window_start(year_950, timedelta(days=365_000)) < EARLIEST


@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.one_of(
        st.integers(1, 12_000).map(lambda m: relativedelta(months=m)),
        st.integers(1, 365_000).map(lambda d: timedelta(days=d)),
        st.integers(1, 10**6).map(lambda s: timedelta(seconds=s)),
    ),
)
def test_window_start_on_microseconds_equals_on_datetimes(
    moment: datetime, span: relativedelta | timedelta
) -> None:
    """The microsecond form is the datetime form, exactly, a start before the calendar
    included (one microsecond before the earliest moment)."""
    at = moment.replace(tzinfo=UTC)
    got = window_start_us(to_us(at), span)
    start = window_start(at, span)
    if start is BEFORE_CALENDAR:
        assert got == BEFORE_CALENDAR_US == EARLIEST_US - 1
    else:
        assert got == to_us(start) >= EARLIEST_US


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(8999, 12, 31)),
    st.one_of(
        st.integers(1, 10**6).map(lambda us: timedelta(microseconds=us)),
        st.integers(1, 365_000).map(lambda d: timedelta(days=d)),
    ),
)
def test_window_exit_is_the_first_moment_whose_window_leaves_the_event_out(
    moment: datetime, span: timedelta
) -> None:
    """At window_exit(at) the window (window_start(t), t] no longer holds ``at``; a
    microsecond earlier it still did; the microsecond form is the same moment."""
    at = moment.replace(tzinfo=UTC)
    out = window_exit(at, span)
    assert window_start(out, span) >= at
    assert window_start(out - timedelta(microseconds=1), span) < at
    assert window_exit_us(to_us(at), span) == to_us(out)


# --------------------------------------------------------------------------- counting


def test_limiter_once_per_day_counts_again_a_day_later() -> None:
    """Limit(1, per=1d): events at 0h, 12h, 24h, 30h -> the 0h and the 24h count (the
    window (at - 1d, at] of the 24h event no longer holds the 0h one)."""
    limiter = limiter_for(_rule(limit=Limit(count=1, per="1d")), us=True)
    assert limiter is not None
    assert [limiter.admit(h * HOUR) for h in (0, 12, 24, 30)] == [True, False, True, False]


def test_limiter_without_per_counts_the_first_n_ever() -> None:
    """Limit(count=2): the first two events count, however far apart the rest are."""
    limiter: Limiter[int] = Limiter(2, None)
    assert [limiter.admit(h * HOUR) for h in (0, 1000, 10**6)] == [True, True, False]


def test_repeater_fires_at_the_completing_event_then_cools_down() -> None:
    """times=3, within=10h, events at hours 0, 1, 2, 3, 4, 12, 13:
    2h fires (0, 1, 2 lie in (-8h, 2h]); 3h and 4h are blocked (the firing at 2h is still
    inside their windows); 12h fires ((2h, 12h] holds 3, 4, 12 and no longer the firing
    at 2h); 13h is blocked by the firing at 12h."""
    repeater: Repeater[int] = Repeater(3, lambda at: at - 10 * HOUR)
    fired = [repeater.fire(h * HOUR) for h in (0, 1, 2, 3, 4, 12, 13)]
    assert fired == [False, False, True, False, False, True, False]


def test_clamp_reports_zero_not_negative_zero() -> None:
    """A cap of 0 clamps to 0.0, never -0.0; open ends do not clamp."""
    assert str(clamp(-5.0, -0.0, 0.0)) == "0.0"
    assert clamp(7.0, None, 5.0) == 5.0
    assert clamp(-7.0, -5.0, None) == -5.0
    assert clamp(3.0, None, None) == 3.0


def test_finish_applies_rule_caps_then_group_caps_then_floor() -> None:
    """Rule 'a' 40 capped at 30; group 'web' = 30 + 15 = 45 capped at 35; fit 10;
    total 45 (no ceiling); with a negative rule of -100, engagement -100 + 35 = -65 and
    fit 10 give -55, raised to the floor 0."""
    model = ScoringModel(
        name="m",
        rules=[
            EventRule(name="a", when=when(type="x"), points=1, cap=30, group="web"),
            EventRule(name="b", when=when(type="y"), points=1, group="web"),
            EventRule(name="neg", when=when(type="z"), points=-1),
            AttributeRule(name="f", when=when(industry="it"), points=10),
        ],
        group_caps={"web": 35},
        floor=0,
    )
    compiled = compile_model(model)
    totals = finish(compiled, [40.0, 15.0, 0.0, 10.0])
    assert (totals.total, totals.fit, totals.engagement) == (45.0, 10.0, 35.0)
    assert totals.by_rule == {"a": 30.0, "b": 15.0, "neg": 0.0, "f": 10.0}
    low = finish(compiled, [40.0, 15.0, -100.0, 10.0])
    assert (low.total, low.engagement) == (0.0, -65.0)


def _rate(within: timedelta = timedelta(hours=10), **kwargs: object) -> CompiledRule:
    """The compiled form of a rate rule: opens per delivery."""
    settings: dict[str, object] = {"at_least": 0.5, "min_denominator": 2, **kwargs}
    rule = RateRule(name="rate", numerator=when(type="open"), denominator=when(type="sent"),
                    within=within, points=10, **settings)  # type: ignore[arg-type]  # fmt: skip
    return compile_model(ScoringModel(name="m", rules=[rule])).rules[0]


def test_rate_met_needs_the_count_and_the_share() -> None:
    """at_least 0.5, min_denominator 2: 1 of 2 holds, 1 of 3 does not, 1 of 1 is too few,
    2 of 1 (the numerator may exceed the denominator) holds."""
    rule = _rate()
    assert [rate_met(rule, k, n) for k, n in ((1, 2), (1, 3), (1, 1), (3, 2), (0, 0))] == [
        True, False, False, True, False,
    ]  # fmt: skip


def test_rate_at_dates_the_last_switch_to_met() -> None:
    """within 10h, at_least 0.5, at least 2 sent. sent at 0h, 1h, 2h; opened at 3h, 15h.
    Moments: 0h (1 sent), 1h, 2h (0 of 3), 3h (1 of 3: no); 10h, 11h, 12h the sent leave
    ((0h, 10h] holds 1h, 2h and 3h: 1 of 2: met since 10h; 11h: 1 of 1: too few, lost);
    13h the open leaves. sent again at 14h, 16h: 16h: 15h of (6h, 16h] opens 1 of 2: met
    since 16h. At 20h: (10h, 20h] holds sent 14h, 16h and open 15h: met since 16h, 1 of 2;
    at 10h exactly: met since 10h; a microsecond before 10h: not met; at 12h: not met."""
    rule = _rate()
    sent = [h * HOUR for h in (0, 1, 2, 14, 16)]
    opened = [h * HOUR for h in (3, 15)]
    assert rate_at(rule, opened, sent, 20 * HOUR, us=True) == (16 * HOUR, 1, 2)
    assert rate_at(rule, opened, sent, 10 * HOUR, us=True) == (10 * HOUR, 1, 2)
    assert rate_at(rule, opened, sent, 10 * HOUR - 1, us=True) is None
    assert rate_at(rule, opened, sent, 12 * HOUR, us=True) is None
    moments = [from_us(at) for at in sent], [from_us(at) for at in opened]
    found = rate_at(rule, moments[1], moments[0], from_us(20 * HOUR))
    assert found == (from_us(16 * HOUR), 1, 2)


def test_rate_at_ignores_events_after_as_of() -> None:
    """Times after as_of are not seen: an open at 5h does not count at 4h."""
    rule = _rate(min_denominator=1)
    assert rate_at(rule, [5 * HOUR], [0, HOUR], 4 * HOUR, us=True) is None
    assert rate_at(rule, [5 * HOUR], [0, HOUR], 5 * HOUR, us=True) == (5 * HOUR, 1, 2)


# --------------------------------------------------------------------------- vectorised


rows = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 400)), min_size=0, max_size=60
)
"""(lead, hour) pairs: up to four leads, events within a few weeks."""

rules = st.one_of(
    st.builds(lambda n: _rule(limit=Limit(count=n)), st.integers(1, 4)),
    st.builds(
        lambda n, h: _rule(limit=Limit(count=n, per=timedelta(hours=h))),
        st.integers(1, 4),
        st.integers(1, 72),
    ),
    st.builds(lambda n: _rule(limit=Limit(count=n, per="P1M")), st.integers(1, 3)),
    st.builds(
        lambda t, h: _rule(times=t, within=timedelta(hours=h)),
        st.integers(1, 5),
        st.integers(1, 72),
    ),
)
"""Rules with every kind of limit, and repeat rules."""


def _scalar_counted(rule: CompiledRule, lead: list[int], at: list[int]) -> list[bool]:
    """The scalar semantics, lead by lead, on rows sorted by lead and time."""
    out: list[bool] = []
    counters: dict[int, Limiter[int] | Repeater[int] | None] = {}
    for who, moment in zip(lead, at, strict=True):
        if who not in counters:
            counters[who] = (
                repeater_for(rule, us=True) if rule.within is not None
                else limiter_for(rule, us=True)
            )  # fmt: skip
        counter = counters[who]
        if isinstance(counter, Repeater):
            out.append(counter.fire(moment))
        elif counter is None:
            out.append(True)
        else:
            out.append(counter.admit(moment))
    return out


@given(rules, rows, st.booleans())
def test_vectorised_counting_equals_the_scalar_rules(
    rule: CompiledRule, pairs: list[tuple[int, int]], ranks: bool
) -> None:
    """arrays.counted (chains, window counts, first N, the Limiter loop) picks exactly the
    rows the scalar Limiter and Repeater pick, with packed keys and with rank keys."""
    base = to_us(T)
    lead = np.array([p[0] for p in pairs], dtype=np.int64)
    at = np.array([base + p[1] * HOUR for p in pairs], dtype=np.int64)
    order = arrays.order(lead, at)
    lead, at = lead[order], at[order]
    with pytest.MonkeyPatch.context() as patch:
        if ranks:
            patch.setattr(arrays, "_PACKED_LIMIT", 0)
        got = arrays.counted(rule, lead, at)
    assert got.tolist() == _scalar_counted(rule, lead.tolist(), at.tolist())


@given(
    st.lists(st.tuples(st.floats(-100, 100), st.floats(-100, 100), st.floats(0, 20)),
             min_size=1, max_size=10),
    st.one_of(st.none(), st.floats(-50, 0)),
    st.one_of(st.none(), st.floats(0, 80)),
)  # fmt: skip
def test_vectorised_finish_equals_the_scalar_finish(
    sums: list[tuple[float, float, float]], floor: float | None, ceiling: float | None
) -> None:
    """arrays.finish gives, lead by lead, what finish gives: caps, group caps, clamps."""
    model = ScoringModel(
        name="m",
        rules=[
            EventRule(name="a", when=when(type="x"), points=1, cap=40, group="web"),
            EventRule(name="b", when=when(type="y"), points=1, group="web"),
            AttributeRule(name="f", when=when(industry="it"), points=1),
        ],
        group_caps={"web": 60, "fit": 15},
        floor=floor,
        ceiling=ceiling,
    )
    compiled = compile_model(model)
    table = np.array(sums, dtype=np.float64)
    got = arrays.finish(compiled, table)
    for i, row in enumerate(sums):
        want = finish(compiled, row)
        assert got["total"][i] == want.total
        assert got["fit"][i] == want.fit
        assert got["engagement"][i] == want.engagement
        for group, value in want.by_group.items():
            assert got[f"by_group.{group}"][i] == value
        for name, value in want.by_rule.items():
            assert got[f"by_rule.{name}"][i] == value


@given(
    st.sampled_from([NoDecay(), HalfLife(days=3), Window(days=2), Window(months=1)]),
    st.lists(st.integers(0, 2000), min_size=1, max_size=30),
)
def test_each_decay_gives_the_same_weight_in_its_three_forms(
    decay: NoDecay | HalfLife | Window, hours: list[int]
) -> None:
    """weight_at (datetimes), weigher_us (microseconds) and weights_us (arrays) agree."""
    as_of = to_us(T)
    times = [as_of - h * HOUR for h in hours]
    vector = decay.weights_us(np.array(times, dtype=np.int64), as_of).tolist()
    weigh = decay.weigher_us(as_of)
    for at, from_array in zip(times, vector, strict=True):
        expected = decay.weight_at(from_us(at), T)
        assert weigh(at) == expected
        assert from_array == pytest.approx(expected, rel=1e-14)


def test_attribute_rules_match_the_lead_once() -> None:
    """An attribute rule gives its points once for a matching lead, nothing otherwise."""
    from leadscoring.scoring.semantics import attribute_points

    model = ScoringModel(
        name="m", rules=[AttributeRule(name="f", when=when(industry="it"), points=15)]
    )
    rule = compile_model(model).rules[0]
    assert attribute_points(rule, Lead(id="a", attributes={"industry": "it"})) == 15.0
    assert attribute_points(rule, Lead(id="b", attributes={"industry": "retail"})) is None


@st.composite
def rate_rows(draw: st.DrawFn) -> tuple[list[tuple[int, int, str]], int]:
    """(lead, hour, side) triples and an as_of hour: each lead's events a few hours apart
    (so windows of hours hold several), sent more often than opened, as_of up to two
    days after the last, so that shares are met, lost, and met as old events leave."""
    out: list[tuple[int, int, str]] = []
    for lead in range(draw(st.integers(1, 4))):
        hour = draw(st.integers(0, 24))
        for _ in range(draw(st.integers(0, 15))):
            hour += draw(st.integers(0, 12))
            out.append((lead, hour, draw(st.sampled_from(["sent", "sent", "open", "both"]))))
    last = max((t[1] for t in out), default=0)
    return out, last + draw(st.integers(-24, 48))


rate_rules = st.builds(
    _rate,
    within=st.integers(1, 48).map(lambda h: timedelta(hours=h)),
    at_least=st.sampled_from([0.1, 0.25, 1 / 3, 0.5, 1.0]) | st.floats(0, 1, exclude_min=True),
    min_denominator=st.integers(1, 4),
)


@settings(max_examples=300)
@given(rate_rules, rate_rows(), st.booleans())
def test_vectorised_rates_equal_the_scalar_rule(
    rule: CompiledRule, drawn: tuple[list[tuple[int, int, str]], int], ranks: bool
) -> None:
    """arrays.rates finds, for every lead, what rate_at finds on its times: met or not,
    since when and the counts at as_of; with packed keys and with rank keys; the element-
    wise window start and share are the scalar ones."""
    triples, hour = drawn
    as_of = to_us(T) + hour * HOUR
    seen = [t for t in triples if to_us(T) + t[1] * HOUR <= as_of]
    lead = np.array([t[0] for t in seen], dtype=np.int64)
    at = np.array([to_us(T) + t[1] * HOUR for t in seen], dtype=np.int64)
    numerator = np.array([t[2] != "sent" for t in seen], dtype=bool)
    denominator = np.array([t[2] != "open" for t in seen], dtype=bool)
    with pytest.MonkeyPatch.context() as patch:
        if ranks:
            patch.setattr(arrays, "_PACKED_LIMIT", 0)
        met, since, k, n = arrays.rates(rule, lead, at, numerator, denominator, as_of)
    got = {int(x): (int(s), int(a), int(b)) for x, s, a, b in zip(met, since, k, n, strict=True)}
    want = {}
    for who in range(4):
        mine = [i for i in range(len(seen)) if lead[i] == who]
        found = rate_at(
            rule,
            sorted(int(at[i]) for i in mine if numerator[i]),
            sorted(int(at[i]) for i in mine if denominator[i]),
            as_of,
            us=True,
        )
        if found is not None:
            want[who] = (found.since, found.numerator, found.denominator)
    assert got == want
    assert rule.within is not None
    starts = arrays.window_starts(at, rule.within).tolist()
    assert starts == [window_start_us(int(x), rule.within) for x in at.tolist()]
    counts = np.array([0, 1, 2, 3, 5]), np.array([0, 1, 4, 3, 10])
    shares = arrays.rates_met(rule, *counts).tolist()
    assert shares == [rate_met(rule, int(a), int(b)) for a, b in zip(*counts, strict=True)]
