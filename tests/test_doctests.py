"""The examples in the docstrings run and print what they say.

Every module of the package is imported and its doctests run with the public names of
``leadscoring`` in scope, so an example can use ``Event`` or ``when`` without importing.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import leadscoring

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(leadscoring.__path__, prefix="leadscoring.")
)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _run(name: str) -> tuple[doctest.TestResults, str]:
    """Run the doctests of module ``name``; return the results and the failure report."""
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    for test in finder.find(module, name, globs=None, extraglobs=vars(leadscoring)):
        runner.run(test, out=report.append)
    return runner.summarize(verbose=False), "".join(report)


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests_pass(name: str) -> None:
    """Every doctest in the module prints what its docstring says."""
    results, report = _run(name)
    assert results.failed == 0, report


@pytest.mark.parametrize(
    "name",
    ["leadscoring.core.times", "leadscoring.core.conditions", "leadscoring.core.decay",
     "leadscoring.scoring.engine", "leadscoring.core.event", "leadscoring.core.lead",
     "leadscoring.core.matchers", "leadscoring.core.rules"],
)  # fmt: skip
def test_core_modules_have_examples(name: str) -> None:
    """The core modules document themselves with runnable examples (so the check above bites)."""
    results, _ = _run(name)
    assert results.attempted > 0
