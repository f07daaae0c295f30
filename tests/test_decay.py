"""Tests of leadscoring.core.decay: HalfLife, Linear, Window, Steps and NoDecay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    Decay,
    HalfLife,
    InvalidModelError,
    InvalidValueError,
    LeadScoringError,
    Linear,
    NoDecay,
    Steps,
    Window,
)
from leadscoring.core.times import sub_duration, to_us
from strategies import decays

DAY = timedelta(days=1)
AS_OF = datetime(2026, 3, 31, tzinfo=UTC)

ages = st.integers(0, 3 * 10**13).map(lambda us: timedelta(microseconds=us))
"""Ages from zero to about a year, to the microsecond."""

# --------------------------------------------------------------------------- golden weights


@pytest.mark.parametrize(
    ("days", "weight"),
    [
        (0, 1.0),
        (30, 0.5),  # one half-life
        (60, 0.25),  # two half-lives
        (90, 0.125),
        (15, 0.7071067811865476),  # half a half-life: 0.5 ** 0.5 = 1 / sqrt(2)
        (-5, 1.0),  # an event "from the future" is not boosted above 1
    ],
)
def test_half_life_weights(days: float, weight: float) -> None:
    """HalfLife(days=30): 0.5 ** (age / 30 days), worked out by hand."""
    assert HalfLife(days=30).weight(days * DAY) == pytest.approx(weight, rel=1e-12)


@pytest.mark.parametrize(
    ("days", "weight"),
    [(0, 1.0), (22.5, 0.75), (45, 0.5), (89, 1 / 90), (90, 0.0), (120, 0.0), (-1, 1.0)],
)
def test_linear_weights(days: float, weight: float) -> None:
    """Linear(over=90d): 1 - age / 90 days, never below 0 (45 days: 1 - 45/90 = 0.5)."""
    assert Linear(over="90d").weight(days * DAY) == pytest.approx(weight, rel=1e-12)
    assert Linear(over=timedelta(days=90)) == Linear(over="90d") == Linear(over="P90D")


def test_fixed_window_weights() -> None:
    """Window(days=7) is 1 for ages below 7 days and 0 from exactly 7 days on."""
    window = Window(days=7)
    assert window.weight(timedelta(0)) == 1.0
    assert window.weight(7 * DAY - timedelta(microseconds=1)) == 1.0
    assert window.weight(7 * DAY) == 0.0
    at_edge = AS_OF - 7 * DAY
    assert window.weight_at(at_edge, AS_OF) == 0.0  # (as_of - 7d, as_of]: the edge is out
    assert window.weight_at(at_edge + timedelta(seconds=1), AS_OF) == 1.0


@pytest.mark.parametrize(
    ("as_of", "inside", "outside"),
    [
        # 31 March 2026 minus one month clips to 28 February (no 29-31 Feb in 2026):
        # the window is (2026-02-28T00:00, 2026-03-31T00:00].
        (AS_OF, datetime(2026, 2, 28, 12, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC)),
        # Leap year: 31 March 2024 minus one month is 29 February 2024.
        (
            datetime(2024, 3, 31, tzinfo=UTC),
            datetime(2024, 2, 29, 0, 0, 1, tzinfo=UTC),
            datetime(2024, 2, 29, tzinfo=UTC),
        ),
        # Mid-month: 15 March minus one month is 15 February, to the second.
        (
            datetime(2026, 3, 15, 9, tzinfo=UTC),
            datetime(2026, 2, 15, 9, 0, 1, tzinfo=UTC),
            datetime(2026, 2, 15, 9, tzinfo=UTC),
        ),
    ],
)
def test_calendar_month_window_clips_to_month_end(
    as_of: datetime, inside: datetime, outside: datetime
) -> None:
    """Window(months=1) reaches back one calendar month (relativedelta), edge excluded."""
    window = Window(months=1)
    assert window.weight_at(inside, as_of) == 1.0
    assert window.weight_at(outside, as_of) == 0.0
    assert window.weight_at(as_of, as_of) == 1.0
    # The microsecond form draws the same edge.
    weigh = window.weigher_us(to_us(as_of))
    assert (weigh(to_us(inside)), weigh(to_us(outside))) == (1.0, 0.0)


def test_calendar_window_has_no_weight_by_age() -> None:
    """A month has no fixed length: Window(months=1).weight(age) raises InvalidValueError."""
    with pytest.raises(InvalidValueError, match=r"^age: .*calendar months"):
        Window(months=1).weight(DAY)


@pytest.mark.parametrize(
    ("days", "weight"),
    [(0, 1.0), (6, 1.0), (7, 1.0), (29, 1.0), (30, 0.5), (89, 0.5), (90, 0.0), (400, 0.0)],
)
def test_steps_weights(days: int, weight: float) -> None:
    """Steps 7d->1.0, 30d->0.5, 90d->0.0: each weight holds from its age on; 1 before."""
    decay = Steps([("7d", 1.0), ("30d", 0.5), ("90d", 0.0)])
    assert decay.weight(days * DAY) == weight


def test_steps_before_the_first_step_weigh_one() -> None:
    """With a first step 7d->0.8, an event 3 days old still weighs 1, one 7 days old 0.8."""
    decay = Steps([(timedelta(days=7), 0.8)])
    assert decay.weight(3 * DAY) == 1.0
    assert decay.weight(7 * DAY) == 0.8


def test_no_decay_always_weighs_one() -> None:
    """NoDecay gives weight 1 at every age and never settles to another weight."""
    assert NoDecay().weight(10_000 * DAY) == 1.0
    assert NoDecay().weight_at(AS_OF - 10_000 * DAY, AS_OF) == 1.0
    assert NoDecay().settles() is None


@pytest.mark.parametrize(
    ("decay", "settles"),
    [
        (NoDecay(), None),
        (HalfLife(days=1), None),
        (Linear(over="10d"), (10 * DAY, 0.0)),
        (Window(days=7), (7 * DAY, 0.0)),
        (Window(months=1), (relativedelta(months=1), 0.0)),
        (Steps([("7d", 0.5), ("30d", 0.0), ("90d", 0.0)]), (90 * DAY, 0.0)),
        (Steps([("7d", 0.5)]), (7 * DAY, 0.5)),
    ],
)
def test_settles_gives_the_age_from_which_the_weight_is_final(
    decay: Decay, settles: tuple[object, float] | None
) -> None:
    """settles(): from that age on (edge included) the weight is the final one, for good;
    the incremental scorer drops an event's time once it is that old."""
    assert decay.settles() == settles
    if settles is not None:
        span, final = decay.settles()  # type: ignore[misc]
        edge = sub_duration(AS_OF, span)
        for older in (timedelta(0), DAY, 400 * DAY):
            assert decay.weight_at(edge - older, AS_OF) == final


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: HalfLife(days=0), "days: must be a positive finite number"),
        (lambda: HalfLife(days=-30), "days: must be a positive finite number"),
        (lambda: HalfLife(days=float("nan")), "days: must be a positive finite number"),
        (lambda: HalfLife(days=float("inf")), "days: must be a positive finite number"),
        (lambda: HalfLife(days="30d"), "days: expected a number of days"),
        (lambda: HalfLife(days="P1M"), "days: expected a number of days"),  # months: no
        (lambda: HalfLife(days=True), "days: expected a number of days"),
        (lambda: Linear(over="P1M"), "over: 'P1M' uses months"),
        (lambda: Linear(over=relativedelta(months=3)), "over: months and years"),
        (lambda: Linear(over="0d"), "over: duration must be positive"),
        (lambda: Linear(over="a while"), "over: cannot parse duration"),
        (lambda: Linear(over=90), "over: expected a duration"),
        (lambda: Window(), "Window: give exactly one of days or months"),
        (lambda: Window(days=7, months=1), "Window: give exactly one of days or months"),
        (lambda: Window(days=0), "days: must be a positive finite number"),
        (lambda: Window(months=0), "months: .*must be a positive whole number"),
        (lambda: Window(months=1.5), "months: .*must be a positive whole number"),
        (lambda: Window(months=True), "months: .*must be a positive whole number"),
        (lambda: Window(length="P1M2D"), "length: 'P1M2D' mixes"),
        (lambda: Steps([]), "steps: needs at least one"),
        (lambda: Steps(5), "steps: expected a list"),
        (lambda: Steps([("7d",)]), r"steps\[0\]: expected an \[age, weight\] pair"),
        (lambda: Steps([("7d", 1.5)]), r"steps\[0\]\[1\]: weight must be in \[0, 1\]"),
        (lambda: Steps([("7d", -0.1)]), r"steps\[0\]\[1\]: weight must be in \[0, 1\]"),
        (lambda: Steps([("7d", True)]), r"steps\[0\]\[1\]: weight must be a number"),
        (lambda: Steps([("P1M", 0.5)]), r"steps\[0\]\[0\]: 'P1M' uses months"),
        (lambda: Steps([("0d", 0.5)]), r"steps\[0\]\[0\]: duration must be positive"),
        (lambda: Steps([("30d", 0.5), ("7d", 0.2)]), r"steps\[1\]\[0\]: ages must increase"),
        (lambda: Steps([("7d", 0.5), ("7d", 0.2)]), r"steps\[1\]\[0\]: ages must increase"),
        (lambda: Steps([("7d", 0.2), ("30d", 0.5)]), r"steps\[1\]\[1\]: weights must not"),
    ],
)
def test_bad_decays_raise_invalid_model_error_naming_the_field(
    make: object, fragment: str
) -> None:
    """Bad half-lives, spans, windows and steps raise InvalidModelError (a ValueError) by
    name; months are refused where a fixed length is meant."""
    with pytest.raises(InvalidModelError, match=fragment) as info:
        make()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LeadScoringError)


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("decay", "text"),
    [
        (NoDecay(), "NoDecay()"),
        (HalfLife(), "HalfLife(days=30)"),
        (HalfLife(days=7.5), "HalfLife(days=7.5)"),
        (Linear(over=timedelta(days=14)), "Linear(over='2w')"),
        (Window(days=7), "Window(days=7)"),
        (Window(days=1.5), "Window(days=1.5)"),
        (Window(months=3), "Window(months=3)"),
        (Window(length="P1Y"), "Window(months=12)"),
        (Steps([("7d", 1), ("30d", 0.5)]), "Steps([('1w', 1.0), ('30d', 0.5)])"),
    ],
)
def test_decays_print_as_themselves(decay: Decay, text: str) -> None:
    """Each decay's repr is the call that builds it."""
    assert repr(decay) == text


def test_equal_windows_given_differently_are_equal() -> None:
    """Window(days=7), Window(length='7d') and Window(length='1w') are one value."""
    assert Window(days=7) == Window(length="7d") == Window(length=timedelta(weeks=1))
    assert Window(months=12) == Window(length="P1Y")
    assert Window(months=1) != Window(days=30)
    assert Window(months=1).calendar is True
    assert Window(days=30).calendar is False


NAMESPACE = {"NoDecay": NoDecay, "HalfLife": HalfLife, "Linear": Linear, "Window": Window,
             "Steps": Steps}  # fmt: skip


@given(decays())
def test_any_decay_is_a_frozen_value_rebuilt_from_its_repr(decay: Decay) -> None:
    """eval(repr(d)) == d, and a decay cannot be changed in place."""
    assert eval(repr(decay), NAMESPACE) == decay
    assert hash(eval(repr(decay), NAMESPACE)) == hash(decay)
    with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
        decay.days = 1  # type: ignore[union-attr]


# --------------------------------------------------------------------------- properties


def _weight(decay: Decay, age: timedelta) -> float:
    """The weight at AS_OF of an event ``age`` old (weight_at works for calendar windows)."""
    return decay.weight_at(AS_OF - age, AS_OF)


@given(decays(), ages)
def test_weights_lie_between_zero_and_one(decay: Decay, age: timedelta) -> None:
    """weight(age) is in [0, 1] for every decay and age."""
    assert 0.0 <= _weight(decay, age) <= 1.0


@given(decays())
def test_weight_at_age_zero_is_one(decay: Decay) -> None:
    """An event at as_of has its full points."""
    assert _weight(decay, timedelta(0)) == 1.0


@given(decays(), ages, ages)
def test_weights_never_increase_with_age(decay: Decay, a: timedelta, b: timedelta) -> None:
    """The older of two events never weighs more."""
    young, old = sorted([a, b])
    assert _weight(decay, old) <= _weight(decay, young)


@given(decays().filter(lambda d: not (isinstance(d, Window) and d.calendar)), ages)
def test_weight_at_equals_weight_of_the_age(decay: Decay, age: timedelta) -> None:
    """For fixed-length decays, weight_at(at, as_of) == weight(as_of - at)."""
    assert decay.weight_at(AS_OF - age, AS_OF) == decay.weight(age)


@given(st.integers(1, 24 * 400).map(lambda h: h / 24), ages)
def test_half_life_halves_at_each_half_life(days: float, age: timedelta) -> None:
    """HalfLife(days=h): weight(age + h) is half of weight(age), and weight(h) is 0.5."""
    decay = HalfLife(days=days)
    half = timedelta(days=days)
    assert decay.weight(half) == pytest.approx(0.5, rel=1e-9)
    assert decay.weight(age + half) == pytest.approx(decay.weight(age) / 2, rel=1e-9)
