"""``progress=``: off by default and silent; on, a tqdm bar on stderr; without tqdm, an
error saying how to install it."""

from __future__ import annotations

import io
import sys

import pytest

from leadscoring import (
    AttributeRule,
    InvalidValueError,
    Lead,
    ScoringModel,
    assess_all,
    read_leads,
    score_all,
    when,
)
from leadscoring.examples import sample_dataset

MODEL = ScoringModel(name="m", rules=[AttributeRule(name="a", when=when(x="1"), points=10)])
LEADS = [Lead(id=f"L{i}", attributes={"x": str(i % 2)}) for i in range(30)]
AS_OF = "2026-01-01T00:00:00Z"


def test_progress_is_off_by_default_and_prints_nothing(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """Without ``progress`` nothing is written to stdout or stderr."""
    score_all(LEADS, [], MODEL, as_of=AS_OF)
    assess_all(LEADS, [], MODEL, as_of=AS_OF)
    read_leads(io.StringIO("id\nL1\n"), format="csv")
    assert capsys.readouterr() == ("", "")


def test_progress_draws_a_bar_and_keeps_the_results(capsys: pytest.CaptureFixture[str]) -> None:
    """``progress=True`` writes a bar counting the leads to stderr; the scores are the same."""
    plain = score_all(LEADS, [], MODEL, as_of=AS_OF)
    shown = score_all(LEADS, [], MODEL, as_of=AS_OF, progress=True)
    assert shown == plain
    err = capsys.readouterr().err
    assert "scoring" in err
    assert "/30" in err


def test_progress_on_the_loaders_and_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    """Loaders count rows, sample generation counts leads."""
    read_leads(io.StringIO("id\nL1\nL2\n"), format="csv", progress=True)
    sample_dataset(n_leads=20, progress=True)
    err = capsys.readouterr().err
    assert "reading <input>" in err
    assert "sample leads" in err
    assert "/20" in err


def test_progress_must_be_a_bool() -> None:
    """A non-bool ``progress`` names the argument."""
    with pytest.raises(InvalidValueError, match=r"^progress: expected True or False, got 'yes'"):
        score_all(LEADS, [], MODEL, as_of=AS_OF, progress="yes")  # type: ignore[arg-type]


def test_progress_without_tqdm_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With tqdm missing, ``progress=True`` raises naming the ``progress`` extra."""
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import tqdm.auto now fails
    with pytest.raises(InvalidValueError, match=r"leadscoring\[progress\]"):
        score_all(LEADS, [], MODEL, as_of=AS_OF, progress=True)
