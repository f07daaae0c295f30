"""Tests of leadscoring.learning.binning: supervised, monotone cut points."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring.learning.binning import Bin, monotone_bins, monotone_cuts

# Eight values, one per pre-bin (each distinct value is a cut point of the 20 quantiles):
#   value  1  2  3  4  5  6  7  8
#   label  0  0  1  0  1  1  1  1
VALUES = [1, 2, 3, 4, 5, 6, 7, 8]
LABELS = [False, False, True, False, True, True, True, True]


def test_hand_worked_pooling() -> None:
    """Rates 0 0 1 0 1 1 1 1. Pooling violators upwards joins 3 and 4 (rate 1/2): the
    rates 0, 0, 1/2, 1, 1, 1, 1 rise. Bins under min_count=2 are then pooled, the smallest
    first (ties: the lowest), with the neighbour of closer rate (ties: the left one):
    [1,2)+[2,3) -> [<3] 0/2; [5,6)+[6,7) -> 2/2 (right, rate 1 = 1); +[7,8) -> 3/3 (tie,
    left); [8,) joins it -> [>=5] 4/4. Cut points: 3 and 5."""
    bins = monotone_bins(VALUES, LABELS, max_bins=10, min_count=2, min_gain=0.0)
    assert bins == [Bin(None, 3.0, 2, 0), Bin(3.0, 5.0, 2, 1), Bin(5.0, None, 4, 4)]
    assert monotone_cuts(VALUES, LABELS, max_bins=10, min_count=2, min_gain=0.0) == [3.0, 5.0]


def test_hand_worked_merging_down_to_max_bins() -> None:
    """With two bins at most, the pair losing less likelihood is pooled:
    pooling 0/2 and 1/2 into 1/4 loses 0 + 2 ln(1/2) - (ln(1/4) + 3 ln(3/4)) = 0.863;
    pooling 1/2 and 4/4 into 5/6 loses 2 ln(1/2) - (5 ln(5/6) + ln(1/6)) = 1.317.
    So the first pair goes, and the one cut point left is 5."""
    assert monotone_cuts(VALUES, LABELS, max_bins=2, min_count=2, min_gain=0.0) == [5.0]


def test_hand_worked_merging_of_insignificant_steps() -> None:
    """By default a step stays only if it is worth ``min_gain`` = 1.92 log-likelihood.
    From the three bins above, pooling 0/2 with 1/2 loses 0.863 < 1.92: pooled. Pooling
    the resulting 1/4 with 4/4 into 5/8 would lose
    (ln(1/4) + 3 ln(3/4)) - (5 ln(5/8) + 3 ln(3/8)) = -2.249 + 5.292 = 3.04: kept."""
    assert monotone_cuts(VALUES, LABELS, max_bins=10, min_count=2) == [5.0]


def test_falling_rates_give_a_falling_binning() -> None:
    """The likelier direction is kept: here the rate falls with the value."""
    bins = monotone_bins(VALUES, [not y for y in LABELS], max_bins=10, min_count=2, min_gain=0.0)
    rates = [b.rate for b in bins]
    assert rates == sorted(rates, reverse=True)
    assert [b.low for b in bins[1:]] == [3.0, 5.0]


def test_no_signal_gives_one_bin() -> None:
    """Equal rates everywhere: the violators pool into one bin, no cut point."""
    values = list(range(40))
    labels = [k % 2 == 0 for k in range(40)]  # 0 1 0 1 ...: every pair of pre-bins ties
    assert len(monotone_bins(values, labels, max_bins=10, min_count=5)) <= 2


def test_cut_points_read_well() -> None:
    """Cut points are rounded to two significant digits."""
    values = [float(v) * 7.31 for v in range(500)]
    labels = [v > 1800 for v in values]
    cuts = monotone_cuts(values, labels, max_bins=10, min_count=20)
    assert cuts
    assert all(float(f"{c:.2g}") == c for c in cuts)


def test_empty_and_mismatched_input() -> None:
    assert monotone_bins([], [], max_bins=5, min_count=1) == []
    with pytest.raises(ValueError, match="differ"):
        monotone_bins([1.0], [], max_bins=5, min_count=1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=-50, max_value=50), st.booleans()), min_size=1, max_size=120
    ),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=30),
)
def test_bins_are_monotone_and_respect_the_limits(
    data: list[tuple[int, bool]], max_bins: int, min_count: int
) -> None:
    """Whatever the data: rates rise or fall throughout, every bin holds at least
    ``min_count`` values (unless there is one bin), at most ``max_bins`` bins, every value
    in exactly one bin, and the same answer twice."""
    values = [float(v) for v, _ in data]
    labels = [y for _, y in data]
    bins = monotone_bins(values, labels, max_bins=max_bins, min_count=min_count)
    assert bins == monotone_bins(values, labels, max_bins=max_bins, min_count=min_count)
    rates = [b.rate for b in bins]
    assert rates in (sorted(rates), sorted(rates, reverse=True))
    assert len(bins) <= max_bins
    assert sum(b.count for b in bins) == len(values)
    assert sum(b.positives for b in bins) == sum(labels)
    if len(bins) > 1:
        assert all(b.count >= min_count for b in bins)
    assert bins[0].low is None
    assert bins[-1].high is None
    for left, right in pairwise(bins):
        assert left.high == right.low
    for v in values:
        inside = [
            b for b in bins if (b.low is None or v >= b.low) and (b.high is None or v < b.high)
        ]
        assert len(inside) == 1
