"""Model files and outputs against hostile inputs: huge numbers, deep nesting, sums that
stay finite, inputs that must not cost quadratic time, and safe CSV / terminal output.

Every refusal is an :class:`InvalidModelError` (never a bare ``OverflowError``,
``ValueError`` or ``RecursionError``) naming the JSON path.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import math
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leadscoring import (
    All,
    AnyOf,
    EventRule,
    Field,
    HalfLife,
    InvalidModelError,
    Not,
    ScoringModel,
    dump_model,
    load_model,
    when,
)
from leadscoring.cli.io import csv_cell, printable
from leadscoring.cli.main import main
from leadscoring.core import matchers
from leadscoring.core.conditions import depth
from leadscoring.core.errors import ShadowedModelWarning
from leadscoring.core.limits import (
    MAX_CONDITION_DEPTH,
    MAX_DOCUMENT_DEPTH,
    MAX_PATTERN_LENGTH,
    MAX_POINTS,
    is_finite,
)
from leadscoring.core.matchers import between, eq, glob, gte, one_of
from leadscoring.model.config import model_from_dict, model_to_dict, parse_model_text

HUGE = 10**400
LONG_DIGITS = "9" * 5000  # more digits than Python converts


def _model(**rule: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "a",
        "kind": "event",
        "when": {"type": "page_view"},
        "points": 1,
    }
    return {"name": "m", "rules": [{**base, **rule}]}


def _paths(make: Any) -> list[str]:
    with pytest.raises(InvalidModelError) as info:
        make()
    return [e.path for e in info.value.errors]


# --------------------------------------------------------------------------- 1. numbers


def test_is_finite_never_overflows() -> None:
    assert is_finite(1)
    assert is_finite(-1e308)
    assert is_finite(int(1.7976931348623157e308))
    assert not is_finite(HUGE)
    assert not is_finite(-HUGE)
    assert not is_finite(math.inf)
    assert not is_finite(math.nan)
    assert not is_finite(True)
    assert not is_finite("1")


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (_model(points=HUGE), "$.rules[0].points"),
        (_model(cap=HUGE), "$.rules[0].cap"),
        (_model(when={"n": {"gte": HUGE}}), "$.rules[0].when.n.gte"),
        (_model(when={"n": HUGE}), "$.rules[0].when.n"),
        (_model(when={"n": [1, HUGE]}), "$.rules[0].when.n[1]"),
        (_model(when={"n": {"between": [0, HUGE]}}), "$.rules[0].when.n.between[1]"),
        (_model(decay={"half_life": HUGE}), "$.rules[0].decay.half_life"),
        ({**_model(), "default_decay": {"half_life": -HUGE}}, "$.default_decay.half_life"),
        ({**_model(), "group_caps": {"engagement": HUGE}}, "$.group_caps.engagement"),
        ({**_model(), "floor": -HUGE}, "$.floor"),
        ({**_model(), "dormancy": {"cadence_factor": HUGE}}, "$.dormancy.cadence_factor"),
        ({**_model(), "temperature": {"hot": HUGE}}, "$.temperature.hot"),
        ({**_model(), "grades": {"a": HUGE}}, "$.grades.a"),
        ({**_model(), "journey": {"min_evidence": {"interest": HUGE}}},
         "$.journey.min_evidence.interest"),
        ({**_model(), "unknown": HUGE}, "$.unknown"),
    ],
)  # fmt: skip
def test_huge_integers_are_invalid_model_errors_with_their_path(
    data: dict[str, Any], path: str
) -> None:
    assert path in _paths(lambda: model_from_dict(data))


@pytest.mark.parametrize(
    "make",
    [
        lambda: EventRule(name="a", when=when(type="x"), points=HUGE),
        lambda: EventRule(name="a", when=when(type="x"), points=1, cap=HUGE),
        lambda: gte(HUGE),
        lambda: eq(-HUGE),
        lambda: between(0, HUGE),
        lambda: one_of([1, HUGE]),
        lambda: HalfLife(days=HUGE),
        lambda: when(n={"lte": HUGE}),
    ],
)
def test_huge_integers_from_python_are_invalid_model_errors(make: Any) -> None:
    with pytest.raises(InvalidModelError):
        make()


def test_integers_too_long_to_read_name_their_path_in_toml_and_json() -> None:
    toml = (
        f'name = "m"\n[[rules]]\nname = "a"\nkind = "event"\nwhen = {{ type = "x" }}\n'
        f"points = {LONG_DIGITS}\n"
    )
    text = json.dumps(_model(points=123)).replace("123", LONG_DIGITS)
    for source, format in ((toml, "toml"), (text, "json")):
        with pytest.raises(InvalidModelError) as info:
            parse_model_text(source, format)  # type: ignore[arg-type]
        (error,) = info.value.errors
        assert error.path == "$.rules[0].points"
        assert "4,300 digits" in error.message


def test_validate_prints_the_path_of_a_huge_number_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, digits in (("big.toml", "1" + "0" * 400), ("long.toml", LONG_DIGITS)):
        path = tmp_path / name
        path.write_text(
            f'name = "m"\n[[rules]]\nname = "a"\nkind = "event"\n'
            f'when = {{ type = "x" }}\npoints = {digits}\n'
        )
        assert main(["validate", str(path)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"{path}: $.rules[0].points: ")
        assert "Traceback" not in err


# --------------------------------------------------------------------------- 2. nesting


def _nested(levels: int, kind: str) -> dict[str, Any]:
    """A condition of ``levels`` nested combinators."""
    condition: dict[str, Any] = {"type": "x"}  # one level: a table is an All
    for _ in range(levels - 1):
        condition = {"not": condition} if kind == "not" else {kind: [condition]}
    return condition


@pytest.mark.parametrize("format", ["json", "toml"])
@pytest.mark.parametrize("where", ["rules", "unknown"])
def test_a_thousand_deep_document_is_refused(format: str, where: str) -> None:
    deep = "[" * 1000 + "]" * 1000
    if format == "json":
        text = f'{{"name": "m", "{where}": {deep}}}'
    else:
        text = f'name = "m"\n{where} = {deep}\n'
    with pytest.raises(InvalidModelError, match=f"more than {MAX_DOCUMENT_DEPTH}"):
        parse_model_text(text, format)  # type: ignore[arg-type]


def test_a_thousand_deep_toml_table_header_is_refused() -> None:
    text = 'name = "m"\nrules = []\n[' + ".".join(["a"] * 1000) + "]\nb = 1\n"
    with pytest.raises(InvalidModelError, match=f"more than {MAX_DOCUMENT_DEPTH}") as info:
        parse_model_text(text, "toml")
    assert info.value.errors[0].path.startswith("$.a.a.a")


def test_a_thousand_deep_mapping_is_refused() -> None:
    data: Any = []
    for _ in range(1000):
        data = [data]
    with pytest.raises(InvalidModelError, match="tables and lists deep"):
        model_from_dict({"name": "m", "rules": [], "extra": data})


def test_a_cyclic_mapping_is_refused() -> None:
    data: dict[str, Any] = {"name": "m", "rules": []}
    data["self"] = data
    with pytest.raises(InvalidModelError, match="tables and lists deep"):
        model_from_dict(data)


@pytest.mark.parametrize("kind", ["all", "any", "not"])
@pytest.mark.parametrize("levels", [MAX_CONDITION_DEPTH + 1, 250, 500])
def test_conditions_deeper_than_the_limit_are_refused_with_their_path(
    kind: str, levels: int
) -> None:
    paths = _paths(lambda: model_from_dict(_model(when=_nested(levels, kind))))
    assert paths
    assert all(p.startswith("$.rules[0].when") for p in paths)


@pytest.mark.parametrize("kind", ["all", "any", "not"])
def test_conditions_at_the_limit_read_dump_and_load_back(kind: str, tmp_path: Path) -> None:
    model = model_from_dict(_model(when=_nested(MAX_CONDITION_DEPTH, kind)))
    assert depth(model.rules[0].when) == MAX_CONDITION_DEPTH  # type: ignore[union-attr]
    for suffix in (".toml", ".json"):
        path = dump_model(model, tmp_path / f"m{suffix}")
        assert load_model(path) == model
    assert model_from_dict(model_to_dict(model)) == model


@pytest.mark.parametrize("wrap", [Not, All, AnyOf])
def test_python_conditions_deeper_than_the_limit_are_refused(wrap: Any) -> None:
    condition: Any = Field("type", "x")
    for _ in range(MAX_CONDITION_DEPTH):
        condition = wrap(condition)
    assert depth(condition) == MAX_CONDITION_DEPTH
    with pytest.raises(InvalidModelError, match=f"at most {MAX_CONDITION_DEPTH}"):
        wrap(condition)
    with pytest.raises(InvalidModelError):
        All(Field("a", 1), condition, Field("b", 2)) if wrap is not All else Not(condition)


def test_dump_model_of_the_deepest_python_condition_round_trips(tmp_path: Path) -> None:
    condition: Any = when(type="x")
    for _ in range(MAX_CONDITION_DEPTH - 1):
        condition = Not(condition)
    model = ScoringModel(name="m", rules=[EventRule(name="a", when=condition, points=1)])
    assert load_model(dump_model(model, tmp_path / "m.toml")) == model


def test_the_schema_states_the_bounds() -> None:
    from leadscoring.model.schema import model_schema

    schema = model_schema()
    assert str(MAX_CONDITION_DEPTH) in schema["$defs"]["condition"]["description"]
    assert str(MAX_DOCUMENT_DEPTH) in schema["description"]
    points = schema["$defs"]["event_rule"]["properties"]["points"]
    assert points["maximum"] == MAX_POINTS
    assert points["minimum"] == -MAX_POINTS
    assert schema["$defs"]["event_rule"]["properties"]["cap"]["maximum"] == MAX_POINTS
    glob_arg = schema["$defs"]["operator"]["oneOf"]
    texts = [o["properties"]["glob"] for o in glob_arg if "glob" in o["properties"]]
    assert texts[0]["oneOf"][0]["maxLength"] == MAX_PATTERN_LENGTH


# --------------------------------------------------------------------------- 3. sums


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (_model(points=1e308), "$.rules[0].points"),
        (_model(points=-1e10), "$.rules[0].points"),
        (_model(cap=2e9), "$.rules[0].cap"),
        ({**_model(), "group_caps": {"engagement": 1e300}}, "$.group_caps.engagement"),
    ],
)
def test_points_and_caps_beyond_the_maximum_are_refused(data: dict[str, Any], path: str) -> None:
    assert _paths(lambda: model_from_dict(data)) == [path]


def test_points_beyond_the_maximum_are_refused_from_python() -> None:
    with pytest.raises(InvalidModelError, match="points"):
        EventRule(name="a", when=when(type="x"), points=1e308)
    with pytest.raises(InvalidModelError, match="cap"):
        EventRule(name="a", when=when(type="x"), points=1, cap=1e308)
    assert EventRule(name="a", when=when(type="x"), points=-MAX_POINTS).points == -MAX_POINTS


def test_json_scores_of_the_largest_points_stay_finite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "m.json"
    model.write_text(json.dumps({"name": "m", "rules": [
        {"name": "up", "kind": "event", "when": {"type": "up"}, "points": MAX_POINTS},
        {"name": "down", "kind": "event", "when": {"type": "down"}, "points": -MAX_POINTS},
    ]}))  # fmt: skip
    (tmp_path / "leads.csv").write_text("id\nL1\nL2\n")
    rows = ["lead_id,type,at"]
    rows += [f"L1,up,2026-01-0{1 + i % 9}T00:00:00Z" for i in range(50)]
    rows += ["L2,up,2026-01-01T00:00:00Z", "L2,down,2026-01-02T00:00:00Z"]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    args = ["score", "--model", str(model), "--leads", str(tmp_path / "leads.csv"),
            "--events", str(tmp_path / "events.csv"), "--as-of", "2026-02-01T00:00:00Z",
            "--format", "json"]  # fmt: skip
    assert main(args) == 0
    scores = json.loads(capsys.readouterr().out)["scores"]
    assert all(math.isfinite(s["total"]) for s in scores)


# --------------------------------------------------------------------------- 4. cost


@pytest.fixture
def counted_same(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the comparisons of values that one_of's duplicate removal makes."""
    calls = [0]
    original_same, original_key = matchers._same, matchers.same_key

    def same(a: object, b: object) -> bool:
        calls[0] += 1
        return original_same(a, b)

    def key(value: Any) -> tuple[str, object]:
        calls[0] += 1
        return original_key(value)

    monkeypatch.setattr(matchers, "_same", same)
    monkeypatch.setattr(matchers, "same_key", key)
    return calls


def test_one_of_removes_duplicates_in_linear_work(counted_same: list[int]) -> None:
    work = []
    for n in (1000, 8000):
        counted_same[0] = 0
        one_of([f"v{i}" for i in range(n)] + list(range(n)))
        work.append(counted_same[0])
    assert work[1] <= 8 * work[0] * 1.1


def test_one_of_keeps_kinds_apart_when_it_removes_duplicates() -> None:
    class Color(str):
        pass

    values = one_of([True, 1, 1.0, 0, False, 0.0, -0.0, None, None, "a", Color("a"), "1"])
    assert values.values == (True, 1, 0, False, None, "a", "1")
    assert one_of([1.0, 1]).values == (1.0,)


def test_glob_patterns_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidModelError, match=f"at most {MAX_PATTERN_LENGTH}"):
        glob("[" * (MAX_PATTERN_LENGTH + 1))
    paths = _paths(lambda: model_from_dict(_model(when={"url": {"glob": "[" * 8000}})))
    assert paths == ["$.rules[0].when.url"]
    steps = [0]
    translate = fnmatch.translate

    def counted(pattern: str) -> str:
        steps[0] += len(pattern) ** 2  # the translation's worst case
        return translate(pattern)

    monkeypatch.setattr(fnmatch, "translate", counted)
    # the longest pattern allowed costs at most 1e6 steps of translation, once
    matcher = glob("[" * MAX_PATTERN_LENGTH).compile()
    assert matcher("[" * MAX_PATTERN_LENGTH) is True
    assert steps[0] <= MAX_PATTERN_LENGTH**2


# --------------------------------------------------------------------------- 5. output


def test_csv_cells_that_spreadsheets_run_are_neutralised() -> None:
    for text in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"):
        assert csv_cell(text) == "'" + text
        assert csv_cell(text, raw=True) == text
    assert csv_cell("L-1") == "L-1"


def _score_files(tmp_path: Path, lead_id: str) -> list[str]:
    for name, rows in (
        ("leads.csv", [["id"], [lead_id]]),
        ("events.csv", [["lead_id", "type", "at"], [lead_id, "page_view", "2026-01-01T00:00:00Z"]]),
    ):
        with (tmp_path / name).open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
    leads, events = str(tmp_path / "leads.csv"), str(tmp_path / "events.csv")
    as_of = "2026-02-01T00:00:00Z"
    return [
        "score",
        "--model",
        "b2b-default",
        "--leads",
        leads,
        "--events",
        events,
        "--as-of",
        as_of,
    ]


def test_score_csv_neutralises_formulas_unless_raw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _score_files(tmp_path, '=HYPERLINK("http://evil","x")')
    assert main([*args, "--format", "csv"]) == 0
    row = capsys.readouterr().out.splitlines()[1]
    assert row.startswith("\"'=HYPERLINK(")
    assert main([*args, "--format", "csv", "--csv-raw"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith('"=HYPERLINK(')


def test_tables_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert printable("L\x1b[31mred\u202e\r") == "L\\x1b[31mred\\u202e\\r"
    assert printable("plain — ünïcode　ok") == "plain — ünïcode　ok"
    args = _score_files(tmp_path, "L\x1b[2J1")
    assert main([*args, "--format", "table", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "L\\x1b[2J1" in out


def test_a_local_file_shadowing_a_packaged_model_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    dump_model(load_model("b2b-default"), tmp_path / "x.toml")
    (tmp_path / "b2b-default").write_text((tmp_path / "x.toml").read_text())
    with pytest.warns(ShadowedModelWarning, match="packaged model"):
        load_model("b2b-default")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model("./b2b-default")
        load_model(tmp_path / "b2b-default")
    assert issubclass(ShadowedModelWarning, UserWarning)


def test_the_cli_says_when_a_local_file_shadows_a_packaged_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    dump_model(load_model("b2b-default"), tmp_path / "x.toml")
    (tmp_path / "b2b-default").write_text((tmp_path / "x.toml").read_text())
    assert main(["validate", "b2b-default"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("b2b-default: warning: 'b2b-default' names both a file")


def test_rate_rule_sides_nest_one_level_less_and_still_score() -> None:
    from leadscoring import Event, Lead, RateRule, score

    def rate(numerator: Any) -> dict[str, Any]:
        return {"name": "m", "rules": [{
            "name": "r", "kind": "rate", "numerator": numerator,
            "denominator": {"type": "delivered"}, "within": "30d", "at_least": 0.5,
            "points": 5,
        }]}  # fmt: skip

    deepest = _nested(MAX_CONDITION_DEPTH - 1, "all")
    model = model_from_dict(rate(deepest))
    assert model_from_dict(model_to_dict(model)) == model
    at = datetime(2026, 1, 1, tzinfo=UTC)
    events = [Event(lead_id="L1", type=t, at=at) for t in ("x", "delivered")]
    result = score(Lead(id="L1"), events, as_of=at, model=model)
    assert result.total == 5
    paths = _paths(lambda: model_from_dict(rate(_nested(MAX_CONDITION_DEPTH, "all"))))
    assert len(paths) == 1
    assert paths[0].startswith("$.rules[0].numerator.all[0]")
    (rule,) = model.rules
    assert isinstance(rule, RateRule)
    with pytest.raises(InvalidModelError, match="rate rule"):
        RateRule(
            name="r",
            numerator=Not(rule.numerator),
            denominator=when(type="d"),
            within="30d",
            at_least=0.5,
            points=1,
        )


def test_long_floats_in_toml_still_read_as_floats() -> None:
    long_float = "1." + "0" * 5000 + "1"
    text = (
        f'name = "m"\nfloor = {long_float}\n[[rules]]\nname = "a"\nkind = "event"\n'
        f'when = {{ type = "x" }}\npoints = 1\n'
    )
    assert parse_model_text(text, "toml").floor == 1.0
