"""Tests of leadscoring.scoring.semantics: the scoring rules, once, and their vectorised forms.

The scalar forms are checked on hand-worked examples; each vectorised form (what the
columnar engine runs) is checked against its scalar form on generated rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    EventRule,
    HalfLife,
    Lead,
    Limit,
    NoDecay,
    RepeatRule,
    ScoringModel,
    Window,
    when,
)
from leadscoring.core.times import EARLIEST, EARLIEST_US, from_us, to_us
from leadscoring.scoring.compiled import CompiledRule, compile_model
from leadscoring.scoring.semantics import (
    Limiter,
    Repeater,
    clamp,
    finish,
    limiter_for,
    repeater_for,
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


def test_window_start_is_calendar_aware_and_saturates() -> None:
    """31 March minus a month is 28 February; a thousand years before year 950 is year 1."""
    assert window_start(T, relativedelta(months=1)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert window_start(T, timedelta(days=1)) == datetime(2026, 3, 30, tzinfo=UTC)
    year_950 = datetime(950, 1, 1, tzinfo=UTC)
    assert window_start(year_950, relativedelta(years=1000)) == EARLIEST
    assert window_start(year_950, timedelta(days=365_000)) == EARLIEST


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
    """The microsecond form is the datetime form, exactly, saturation included."""
    at = moment.replace(tzinfo=UTC)
    got = window_start_us(to_us(at), span)
    assert got == to_us(window_start(at, span))
    assert got >= EARLIEST_US


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
