"""The command line, run as a user or a backend tool would: ``python -m leadscoring ...``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from leadscoring import load_model, read_events, read_leads, score_all
from leadscoring.cli.io import Progress, numeric_fields
from leadscoring.cli.main import main
from leadscoring.loaders import EventColumns, LeadColumns

AS_OF = "2026-06-30T00:00:00Z"

LEADS = """id,status,industry,role,company_size
L1,open,it,manager,250
L2,open,retail,staff,10
L3,lost,manufacturing,executive,1200
"""

# Under b2b-default (30-day half-life) at 2026-06-30T00:00Z:
# L1: fit 15 (it) + 10 (manager) + 10 (250 >= 100) = 35; pricing 30 days ago 10 * 0.5 = 5,
#     long pricing visit (95 s) 5 * 0.5 = 2.5, case study now 5 * 1 = 5 -> engagement 12.5,
#     total 47.5.
# L2: fit 0; blog 60 days ago 1 * 0.25 = 0.25 -> total 0.25.
# L3: fit 15 + 10 + 10 = 35; inquiry 30 days ago 40 * 0.5 = 20 -> total 55.
EVENTS = """id,lead_id,type,at,category,duration_s
e1,L1,page_view,2026-05-31T00:00:00Z,pricing,95
e2,L1,page_view,2026-06-30T00:00:00Z,case_study,
e3,L2,page_view,2026-05-01T00:00:00Z,blog,
e4,L3,inquiry,2026-05-31T00:00:00Z,,
"""

BROKEN = """name = "my model"
default_decay = { half_life = "P1M" }

[[rules]]
name = "pricing"
kind = "event"
when = { type = "page_view", duration_s = { gtee = 60 } }
points = 10

[[rules]]
name = "pricing"
kind = "evnt"
points = 5
"""


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m leadscoring ARGS`` in ``cwd``, capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "leadscoring", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, encoding="utf-8", check=False,
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A folder with leads.csv, events.csv and a broken model file."""
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


SCORE = ("score", "--model", "b2b-default", "--leads", "leads.csv", "--events", "events.csv",
         "--as-of", AS_OF)


# --------------------------------------------------------------------------- usage


def test_help_and_usage_errors(data: Path) -> None:
    """--help exits 0; a missing command, option or a naive --as-of exits 2."""
    assert run("--help", cwd=data).returncode == 0
    assert run(cwd=data).returncode == 2
    assert run("score", "--leads", "leads.csv", cwd=data).returncode == 2
    naive = run(*SCORE[:-1], "2026-06-30", cwd=data)
    assert naive.returncode == 2
    assert "'2026-06-30' has no time zone" in naive.stderr
    assert run(*SCORE, "--format", "xml", cwd=data).returncode == 2


def test_explain_flag_with_csv_is_a_usage_error(data: Path) -> None:
    """--explain has nothing to add to CSV, so asking for both is wrong usage."""
    result = run(*SCORE, "--format", "csv", "--explain", cwd=data)
    assert result.returncode == 2
    assert "--explain cannot be used with --format csv" in result.stderr


# --------------------------------------------------------------------------- validate


def test_validate_a_good_model(data: Path) -> None:
    """A valid model prints one ok line and exits 0."""
    result = run("validate", "b2b-default", cwd=data)
    assert result.returncode == 0
    assert result.stdout == "b2b-default: ok (b2b-default v1, 20 rules)\n"
    assert result.stderr == ""


def test_validate_a_broken_model(data: Path) -> None:
    """Every problem goes to stderr, one line each with the file, JSON path and hint."""
    result = run("validate", "bad.toml", cwd=data)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bad.toml: $.default_decay.half_life: 'P1M' uses months or years, which are calendar "
        "units and not allowed here; use days (e.g. '90d')",
        "bad.toml: $.rules[0].when.duration_s: unknown operator 'gtee' (did you mean 'gte'?)",
        "bad.toml: $.rules[1].kind: unknown rule kind 'evnt' (did you mean 'event'?)",
        "bad.toml: $.rules[1].name: duplicate rule name 'pricing' (already used by "
        "$.rules[0]; names must be unique)",
    ]


def test_validate_json_output(data: Path) -> None:
    """--format json describes each file: valid, model summary, errors with path and hint."""
    result = run("validate", "b2b-default", "bad.toml", "missing.toml", "--format", "json",
                 cwd=data)
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["schema_version"] == 1
    assert out["kind"] == "validation"
    assert out["valid"] is False
    good, bad, missing = out["results"]
    assert good == {"source": "b2b-default", "valid": True, "errors": [], "warnings": [],
                    "model": {"name": "b2b-default", "version": 1, "rules": 20}}
    assert bad["model"] is None
    assert bad["errors"][1] == {"path": "$.rules[0].when.duration_s",
                                "message": "unknown operator 'gtee'",
                                "hint": "did you mean 'gte'?"}
    assert missing["errors"][0]["message"] == "no model file 'missing.toml'"


def test_validate_reads_stdin_and_warns(data: Path) -> None:
    """``-`` reads the model from stdin (JSON or TOML); warnings do not fail validation."""
    model = {"name": "m", "group_caps": {"emial": 5},
             "rules": [{"name": "r", "kind": "event", "when": {}, "points": 1, "group": "email"}]}
    result = run("validate", "-", cwd=data, stdin=json.dumps(model))
    assert result.returncode == 0
    assert result.stdout == "-: ok (m v1, 1 rules)\n"
    assert result.stderr == (
        "-: warning: $.group_caps.emial: no rule is in group 'emial', so this cap does "
        "nothing (did you mean 'email'?)\n"
    )


# --------------------------------------------------------------------------- score


def test_score_json_shape_and_numbers(data: Path) -> None:
    """The JSON document has the documented shape and the hand-worked numbers."""
    result = run(*SCORE, "--format", "json", cwd=data)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == ["schema_version", "kind", "model", "as_of", "count", "scores",
                         "rejected"]
    assert out["schema_version"] == 1
    assert out["kind"] == "scores"
    assert out["model"] == {"name": "b2b-default", "version": 1}
    assert out["as_of"] == "2026-06-30T00:00:00+00:00"
    assert out["count"] == 3
    assert out["rejected"] == []
    totals = {s["lead_id"]: (s["total"], s["fit"], s["engagement"]) for s in out["scores"]}
    assert totals == {"L1": (47.5, 35.0, 12.5), "L2": (0.25, 0.0, 0.25), "L3": (55.0, 35.0, 20.0)}
    first = out["scores"][0]
    assert list(first) == ["lead_id", "total", "fit", "engagement", "by_group", "by_rule",
                           "top_reasons"]
    assert first["top_reasons"][0] == {"rule": "target industry", "points": 15.0}


def test_score_matches_the_library(data: Path) -> None:
    """The CLI gives the numbers the library gives for the same files."""
    model = load_model("b2b-default")
    leads = read_leads(data / "leads.csv", columns=LeadColumns(numeric=("company_size",))).rows
    events = read_events(data / "events.csv", columns=EventColumns(numeric=("duration_s",))).rows
    expected = score_all(leads, events, model, as_of=AS_OF)  # type: ignore[arg-type]
    out = json.loads(run(*SCORE, "--format", "json", "--explain", cwd=data).stdout)
    for record, score in zip(out["scores"], expected, strict=True):
        assert record["by_rule"] == dict(score.by_rule)
        assert record["contributions"] == [c.to_dict() for c in score.contributions]


def test_score_jsonl(data: Path) -> None:
    """One self-describing JSON object per line, one line per lead, in the leads' order."""
    result = run(*SCORE, "--format", "jsonl", cwd=data)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["lead_id"] for line in lines] == ["L1", "L2", "L3"]
    assert all(line["schema_version"] == 1 and line["kind"] == "score" for line in lines)
    assert lines[2]["total"] == 55.0


def test_score_csv_sorted_and_cut(data: Path) -> None:
    """CSV has a column per group; --sort total --top 2 keeps the two best leads."""
    result = run(*SCORE, "--format", "csv", "--sort", "total", "--top", "2", cwd=data)
    rows = result.stdout.splitlines()
    assert rows[0] == ("lead_id,as_of,total,fit,engagement,group:fit,group:engagement,"
                       "group:email,top_reasons")
    assert rows[1].startswith("L3,2026-06-30T00:00:00+00:00,55.0,35.0,20.0,35.0,20.0,0.0,")
    assert rows[2].startswith("L1,")
    assert len(rows) == 3


def test_score_table_with_explanations(data: Path) -> None:
    """The table lists every lead; --explain adds each lead's explanation."""
    result = run(*SCORE, "--explain", cwd=data)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "b2b-default v1: 3 leads scored at 2026-06-30 00:00 UTC"
    assert lines[2].split()[:4] == ["L1", "47.5", "35", "12.5"]
    assert "Lead L3 at 2026-06-30 00:00 UTC: total 55 (fit 35, engagement 20)" in result.stdout
    assert "\r" not in result.stderr  # no progress bar in a pipe


def test_bad_rows_fail_or_are_skipped(data: Path) -> None:
    """A bad row fails with file, row and column; --on-bad-row skip reports it and goes on."""
    (data / "events.csv").write_text(EVENTS + "e5,L1,page_view,yesterday,pricing,\n",
                                     encoding="utf-8")
    failed = run(*SCORE, cwd=data)
    assert failed.returncode == 1
    assert failed.stderr.startswith("events.csv, row 5, column 'at':")
    skipped = run(*SCORE, "--on-bad-row", "skip", "--format", "json", cwd=data)
    assert skipped.returncode == 0
    assert skipped.stderr.startswith("warning: skipped events.csv, row 5, column 'at':")
    [rejected] = json.loads(skipped.stdout)["rejected"]
    assert (rejected["source"], rejected["row"], rejected["column"]) == ("events.csv", 5, "at")


def test_events_of_unknown_leads(data: Path) -> None:
    """Events of leads not in --leads fail by default, and the message names the option."""
    (data / "events.csv").write_text(EVENTS + "e9,L9,page_view,2026-06-01T00:00:00Z,blog,\n",
                                     encoding="utf-8")
    failed = run(*SCORE, cwd=data)
    assert failed.returncode == 1
    assert "'L9'" in failed.stderr
    assert "--on-unknown ignore" in failed.stderr
    warned = run(*SCORE, "--on-unknown", "warn", cwd=data)
    assert warned.returncode == 0
    assert warned.stderr.startswith("warning: 1 event(s) belong to 1 unknown lead id(s)")


def test_missing_files_and_invalid_models(data: Path) -> None:
    """A missing input file or an invalid model exits 1 with the reason on stderr."""
    missing = run("score", "--model", "b2b-default", "--leads", "nope.csv", cwd=data)
    assert missing.returncode == 1
    assert "nope.csv" in missing.stderr
    invalid = run("score", "--model", "bad.toml", "--leads", "leads.csv", cwd=data)
    assert invalid.returncode == 1
    assert invalid.stderr.splitlines()[1].startswith("bad.toml: $.rules[0].when.duration_s:")


def test_default_as_of_is_now(data: Path) -> None:
    """Without --as-of the CLI scores now (the only clock read in the package)."""
    result = run("score", "--model", "b2b-default", "--leads", "leads.csv", "--format", "json",
                 cwd=data)
    assert result.returncode == 0
    assert json.loads(result.stdout)["as_of"] >= "2026-01-01"


# --------------------------------------------------------------------------- other commands


def test_explain_some_leads(data: Path) -> None:
    """explain prints each chosen lead's table; an unknown id exits 1 with a suggestion."""
    args = ("--model", "b2b-default", "--leads", "leads.csv", "--events", "events.csv",
            "--as-of", AS_OF)
    result = run("explain", "L3", *args, cwd=data)
    assert result.returncode == 0
    assert result.stdout.startswith("Lead L3 at 2026-06-30 00:00 UTC: total 55")
    assert "inquiry or demo request" in result.stdout
    as_json = json.loads(run("explain", "L1", *args, "--format", "json", cwd=data).stdout)
    assert as_json["scores"][0]["lead_id"] == "L1"
    assert len(as_json["scores"][0]["contributions"]) == 6
    unknown = run("explain", "L33", *args, cwd=data)
    assert unknown.returncode == 1
    assert unknown.stderr == "leads.csv: unknown lead id 'L33' (did you mean 'L3'?)\n"


def test_assess(data: Path) -> None:
    """assess ranks the leads with their labels; JSON has the documented header."""
    result = run("assess", "--model", "b2b-default", "--leads", "leads.csv", "--events",
                 "events.csv", "--as-of", AS_OF, "--format", "json", cwd=data)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["schema_version"], out["kind"], out["count"]) == (1, "assessments", 3)
    assert {a["lead_id"] for a in out["assessments"]} == {"L1", "L2", "L3"}


def test_demo_and_schema(data: Path) -> None:
    """demo scores the sample data; schema prints the JSON Schema of model files."""
    demo = run("demo", "--top", "2", cwd=data)
    assert demo.returncode == 0
    assert demo.stdout.startswith("b2b-default v1: 300 sample leads (seed 0)")
    schema = json.loads(run("schema", cwd=data).stdout)
    assert schema["title"] == "leadscoring model"
    assert "condition" in schema["$defs"]


# --------------------------------------------------------------------------- in process


def test_main_returns_the_exit_status(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """main() returns the status instead of exiting (for embedding and the console script)."""
    monkeypatch.chdir(data)
    assert main(["validate", "b2b-default"]) == 0
    assert main(["validate", "bad.toml"]) == 1
    with pytest.raises(SystemExit) as usage:
        main(["validate"])
    assert usage.value.code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_long_inputs() -> None:
    """The bar draws on a terminal for long inputs, redraws only on change, and erases itself."""
    term = _Terminal()
    bar = Progress("scoring", total=4000, stream=term, width=10)
    for _ in range(4000):
        bar.advance()
    bar.close()
    text = term.getvalue()
    assert text.count("\r") == 101 + 2  # 0% .. 100%, then "\r    \r" to erase
    assert "scoring [##########] 100% 4000/4000" in text
    assert text.endswith("\r")
    quiet = io.StringIO()
    Progress("scoring", total=4000, stream=quiet).advance()
    assert quiet.getvalue() == ""
    short = _Terminal()
    Progress("scoring", total=10, stream=short).advance()
    assert short.getvalue() == ""


def test_numeric_columns_come_from_the_model() -> None:
    """Columns compared with numbers by the model are read from CSV as numbers."""
    assert numeric_fields(load_model("b2b-default")) == (
        frozenset({"company_size"}), frozenset({"duration_s"})
    )


def test_event_keys_no_rule_reads_are_named_with_counts(data: Path) -> None:
    """A column no rule reads (here a misspelt 'categroy' on two rows) is kept as a
    property and named on stderr with its count; the scores are unchanged and exit is 0."""
    misspelt = EVENTS.replace("category,duration_s", "categroy,duration_s").replace(
        "e3,L2,page_view,2026-05-01T00:00:00Z,blog,", "e3,L2,page_view,2026-05-01T00:00:00Z,,"
    )
    (data / "events.csv").write_text(misspelt, encoding="utf-8")
    result = run(*SCORE, "--format", "jsonl", cwd=data)
    assert result.returncode == 0
    # rows e1 and e2 have a value under 'categroy'; e3 and e4 have none (null cells).
    assert "keys no rule reads, kept as event properties: 'categroy' (2)" in result.stderr
