"""Fuzzers of model documents and model files (shared generators: tests/fuzzing.py).

Starting from the packaged model ``b2b-default``, documents are mutated at random JSON
paths: keys deleted or renamed, values replaced by any type (huge and non-finite numbers,
huge and odd unicode text, lists, tables), near misses, conditions nested 10 to 500 deep,
duplicate rule names, long lists, sections of random keys. Each must either build a model
that scores the fixed events to finite numbers and round-trips (data, JSON and TOML text),
or raise a :class:`~leadscoring.LeadScoringError` whose message names where; never another
exception. The text fuzzers damage the bytes of JSON and TOML model files the same way.

The default runs are quick; the ``slow`` variants (run in CI) try many more examples.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import (
    MODEL,
    MODEL_DOCUMENT,
    check_model,
    check_model_document,
    check_model_file,
    check_model_text,
    model_documents,
    model_texts,
    nested_conditions,
)
from leadscoring import (
    InvalidModelError,
    InvalidValueError,
    LeadScoringError,
    dump_model,
    load_model,
)
from leadscoring.core.limits import MAX_CONDITION_DEPTH
from leadscoring.model.config import model_from_dict, model_to_text, parse_model_text

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_the_base_document_is_accepted_and_round_trips() -> None:
    """The starting point of the fuzzers is a valid, working model."""
    assert model_from_dict(MODEL_DOCUMENT) == MODEL
    assert check_model_document(MODEL_DOCUMENT) == "accepted"
    check_model(MODEL)


@QUICK
@given(model_documents())
def test_mutated_model_documents_work_or_are_refused_with_a_path(doc: Any) -> None:
    """``model_from_dict`` of a mutated document: a working, round-tripping model, or a
    LeadScoringError whose problems each name a JSON path; nothing else."""
    check_model_document(doc)


@pytest.mark.slow
@SLOW
@given(model_documents(max_mutations=5))
def test_mutated_model_documents_slow(doc: Any) -> None:
    """The same, with more examples and up to five mutations each."""
    check_model_document(doc)


@settings(max_examples=60, deadline=None)
@given(nested_conditions(10, 500), st.sampled_from(["when", "numerator", "denominator"]))
def test_deeply_nested_conditions_are_refused_or_work(condition: dict[str, Any], key: str) -> None:
    """Conditions 10 to 500 levels deep: refused from the depth limit on (an
    InvalidModelError naming the path, never a RecursionError), a working model below it
    (an event rule's ``when``; a rate rule's sides nest one level less)."""
    rule: dict[str, Any] = {"name": "deep", "kind": "rate" if key != "when" else "event"}
    rule["points"] = 1
    rule |= {"numerator": {}, "denominator": {}, "within": "30d", "at_least": 0.5}
    rule[key] = condition
    if key == "when":
        rule = {k: v for k, v in rule.items() if k in ("name", "kind", "points", "when")}
    outcome = check_model_document({**MODEL_DOCUMENT, "rules": [*MODEL_DOCUMENT["rules"], rule]})
    levels, inner = 1, condition
    while set(inner) & {"all", "any", "not"}:
        levels, inner = (
            levels + 1,
            inner["not"] if "not" in inner else next(iter(inner.values()))[0],
        )
    if levels > MAX_CONDITION_DEPTH:
        assert outcome == "refused"
    elif key == "when":
        assert outcome == "accepted"


@QUICK
@given(model_texts())
def test_damaged_model_text_works_or_is_refused(data: tuple[bytes, str]) -> None:
    """``parse_model_text`` of damaged JSON or TOML text: a working model or a
    LeadScoringError naming where (``$`` for syntax errors)."""
    check_model_text(*data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_texts())
def test_damaged_model_files_work_or_are_refused(
    tmp_path_factory: pytest.TempPathFactory, data: tuple[bytes, str]
) -> None:
    """``load_model(path)`` of a damaged file (odd bytes, byte-order marks, no suffix):
    a working model or a LeadScoringError; never UnicodeDecodeError or the like."""
    check_model_file(*data, tmp_path_factory.mktemp("model"))


@pytest.mark.slow
@SLOW
@given(model_texts())
def test_damaged_model_text_slow(data: tuple[bytes, str]) -> None:
    """The text fuzzer with more examples."""
    check_model_text(*data)


@pytest.mark.slow
@settings(SLOW, max_examples=500)
@given(model_texts())
def test_damaged_model_files_slow(
    tmp_path_factory: pytest.TempPathFactory, data: tuple[bytes, str]
) -> None:
    """The file fuzzer with more examples."""
    check_model_file(*data, tmp_path_factory.mktemp("model"))


def test_dump_model_of_a_lone_surrogate_is_refused(tmp_path: Path) -> None:
    """Found by the fuzzer: the JSON escape ``\\ud800`` reads as a lone surrogate, which
    ``load_model`` keeps as text (the model's name here); ``dump_model`` raised
    ``UnicodeEncodeError`` and left the target file empty. It now raises
    InvalidValueError naming the character before the file is touched."""
    rule = {"name": "a", "kind": "event", "when": {"type": "page_view"}, "points": 1}
    source = tmp_path / "m.json"
    source.write_text(json.dumps({"name": "m\ud800", "rules": [rule]}), encoding="utf-8")
    try:
        model = load_model(source)
    except LeadScoringError:
        return  # refused when read: fixed
    target = tmp_path / "out.json"
    target.write_text("the previous model", encoding="utf-8")
    with pytest.raises(InvalidValueError, match=r"model: .*lone surrogate '\\ud800' after '.*\"m'"):
        dump_model(model, target)
    assert target.read_text(encoding="utf-8") == "the previous model"


def test_long_digit_runs_in_toml_strings_read_back_unchanged() -> None:
    """Found by the fuzzer: before ``tomllib`` reads a model, every run of more than 4,300
    digits is replaced by ``inf`` (``core.limits.without_long_integers``) so that a huge
    integer reads and is refused at its path; the replacement was made inside strings
    (and comments) too, so ``"a999...9b"`` read as ``"ainfb"``. Only runs outside strings
    and comments are replaced now; a huge integer is still refused at its path."""
    rule = {"name": "a" + "9" * 5000 + "b", "kind": "event", "when": {"type": "page_view"}}
    model = model_from_dict({"name": "m", "rules": [{**rule, "points": 1}]})
    text = model_to_text(model, "toml")
    assert parse_model_text(text, "toml") == model
    commented = text + "# " + "1" * 5000 + "\n"
    assert parse_model_text(commented, "toml") == model
    huge = text.replace("points = 1", "points = " + "9" * 5000)
    with pytest.raises(InvalidModelError, match=r"\$\.rules\[0\]\.points"):
        parse_model_text(huge, "toml")
