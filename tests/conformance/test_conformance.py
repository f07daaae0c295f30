"""Conformance: every engine gives the hand-derived numbers of every case in ``cases.py``.

The engines (``engines.py``) are score_all, score, the incremental Scorer and score_frame on
pandas and on polars; the cases (``cases.py``) carry their expected numbers, each derived by
hand from the documentation. A case that fails on one engine only is a disagreement between
engines; the expected number is the documented one.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from cases import CASES, Case, Expected
from engines import ENGINES, Outcome

NEEDS: Mapping[str, tuple[str, ...]] = {
    "frame": ("narwhals", "numpy", "pandas"),
    "frame_polars": ("narwhals", "numpy", "pandas", "polars"),
}
"""The optional modules each frame engine needs; without them its tests are skipped."""


def _close(got: float, want: float) -> bool:
    return bool(got == pytest.approx(want, rel=1e-9, abs=1e-9))


def _mismatches(outcome: Outcome, want: Expected) -> list[str]:
    """Every expected number of ``want`` that ``outcome`` does not give."""
    problems: list[str] = []
    scalars = (
        ("total", outcome.total, want["total"]),
        ("fit", outcome.fit, want.get("fit")),
        ("engagement", outcome.engagement, want.get("engagement")),
    )
    for key, got, expected in scalars:
        if expected is not None and not _close(got, expected):
            problems.append(f"{outcome.lead_id}.{key}: got {got!r}, expected {expected!r}")
    tables = (
        ("by_rule", outcome.by_rule, want.get("by_rule", {})),
        ("by_group", outcome.by_group, want.get("by_group", {})),
    )
    for key, table, wanted in tables:
        for name, expected_value in wanted.items():
            if name not in table:
                problems.append(f"{outcome.lead_id}.{key}[{name!r}]: missing")
            elif not _close(table[name], expected_value):
                problems.append(
                    f"{outcome.lead_id}.{key}[{name!r}]: got {table[name]!r}, "
                    f"expected {expected_value!r}"
                )
    return problems


@pytest.mark.parametrize(
    ("case", "engine"),
    [
        pytest.param(case, engine, id=f"{case.name}-{engine}")
        for case in CASES
        for engine in ENGINES
    ],
)
def test_engine_matches_hand_derived_case(case: Case, engine: str) -> None:
    """The engine gives every hand-derived number of the case, or raises its error."""
    for module in NEEDS.get(engine, ()):
        pytest.importorskip(module)
    run = ENGINES[engine]
    if case.raises is not None:
        with pytest.raises(case.raises):
            run(case.leads, case.events, case.model, case.as_of)
        return
    assert case.expected is not None
    outcomes = run(case.leads, case.events, case.model, case.as_of)
    assert [o.lead_id for o in outcomes] == [lead.id for lead in case.leads]
    problems = [
        problem
        for outcome in outcomes
        for problem in _mismatches(outcome, case.expected[outcome.lead_id])
    ]
    assert not problems, f"{case.doc}\n" + "\n".join(problems)


def test_case_names_are_unique_and_documented() -> None:
    """Every case has a unique name and a one-sentence description."""
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert all(case.doc.strip().endswith(".") for case in CASES)
