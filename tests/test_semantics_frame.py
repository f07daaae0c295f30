"""The vectorised forms of the rules the whole-table assessment adds, against their scalar
forms: reactivation points (:func:`~leadscoring.scoring.semantics.scalar.reactivation_points`)
and the top reasons (:meth:`~leadscoring.LeadScore.top_reasons`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import ReactivationKind, ReactivationRule, ScoringModel
from leadscoring.core.results import lead_score
from leadscoring.core.times import to_us
from leadscoring.scoring.compiled import compile_model
from leadscoring.scoring.semantics import reactivation_points
from leadscoring.signals.activity import Reactivation
from strategies import decays

np = pytest.importorskip("numpy")
arrays = pytest.importorskip("leadscoring.scoring.semantics.arrays")

T = datetime(2026, 3, 31, tzinfo=UTC)
KINDS = tuple(ReactivationKind)


def test_reactivation_points_golden() -> None:
    """A 20-point rule for lost deals, half-life 30 days: a lost deal return 30 days ago is
    worth 20 * 0.5 = 10; a plain return gives nothing (not the rule's kind)."""
    from leadscoring import HalfLife

    rule = ReactivationRule(name="back", points=20, kinds=["lost_deal_return"],
                            decay=HalfLife(days=30))  # fmt: skip
    cr = compile_model(ScoringModel(name="m", rules=[rule])).rules[0]
    at = np.array([to_us(T - timedelta(days=30))] * 2, dtype=np.int64)
    names = [k.value for k in KINDS]
    got = arrays.reactivation_points(cr, np.array([1, 0]), names, at, to_us(T))
    assert got.tolist() == [10.0, 0.0]


@settings(max_examples=80)
@given(
    decays(),
    st.none() | st.sets(st.sampled_from([k.value for k in KINDS]), min_size=1),
    st.lists(st.tuples(st.integers(0, 2), st.integers(-400, 0)), max_size=12),
)
def test_reactivation_points_equal_the_scalar_form(
    decay: object, kinds: set[str] | None, found: list[tuple[int, int]]
) -> None:
    """Any decay and kinds: each reactivation's points are the scalar rule's (0 where the
    scalar form gives none)."""
    rule = ReactivationRule(name="back", points=7.5, kinds=kinds, decay=decay)  # type: ignore[arg-type]
    cr = compile_model(ScoringModel(name="m", rules=[rule])).rules[0]
    moments = [T + timedelta(days=d, hours=5) for _, d in found]
    want = []
    for (kind, _), at in zip(found, moments, strict=True):
        r = Reactivation(at=at, kind=KINDS[kind], silent_since=at, silence=timedelta(0),
                         events=1)  # fmt: skip
        given_points = reactivation_points(cr, r, T)
        want.append(0.0 if given_points is None else given_points[1])
    got = arrays.reactivation_points(
        cr, np.array([k for k, _ in found], dtype=np.int64), [k.value for k in KINDS],
        np.array([to_us(m) for m in moments], dtype=np.int64), to_us(T),
    )  # fmt: skip
    assert got.tolist() == pytest.approx(want, rel=1e-12, abs=0)


@settings(max_examples=80)
@given(
    st.lists(st.text(min_size=1, max_size=3), min_size=0, max_size=6, unique=True).flatmap(
        lambda names: st.tuples(
            st.just(names),
            st.lists(
                st.lists(
                    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0]),
                    min_size=len(names),
                    max_size=len(names),
                ),
                min_size=1,
                max_size=4,
            ),
        )
    ),
    st.integers(1, 4),
)
def test_top_reasons_equal_lead_score_top_reasons(
    case: tuple[list[str], list[list[float]]], n: int
) -> None:
    """Every lead's top reasons (ties by name, zeros left out) are LeadScore.top_reasons."""
    names, rows = case
    index, points = arrays.top_reasons(names, np.array(rows, dtype=np.float64).reshape(
        len(rows), len(names)), n)  # fmt: skip
    for lead, row in enumerate(rows):
        score = lead_score("L", T, 0.0, 0.0, 0.0, {}, dict(zip(names, row, strict=True)), ())
        want = score.top_reasons(n)
        got = [(names[i], p) for i, p in zip(index[lead], points[lead], strict=True) if i >= 0]
        assert got == want
