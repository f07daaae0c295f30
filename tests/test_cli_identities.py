"""``--identities FILE`` on ``score``, ``explain`` and ``assess``: a cookie's history is its
lead's from the link on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leadscoring.cli.main import main

AS_OF = "2026-06-30T00:00:00Z"

LEADS = """id,industry,role,company_size
L1,it,manager,250
L2,retail,staff,10
L1-old,,,
"""

# cookie-7 reads the pricing page for 95 s, 30 days before AS_OF; it is identified as L1
# on 2026-06-15. L1's own event has the id e1 too: ids are per source, so the two are two
# events (the cookie's becomes cookie-7/e1). L1-old is an old record of L1, merged in.
EVENTS = """id,lead_id,type,at,category,duration_s
e1,cookie-7,page_view,2026-05-31T00:00:00Z,pricing,95
e1,L1,page_view,2026-06-30T00:00:00Z,case_study,
e3,L2,page_view,2026-05-01T00:00:00Z,blog,
"""

IDENTITIES = """alias,lead_id,at
cookie-7,L1,2026-06-15T00:00:00Z
L1-old,L1,2026-06-01T00:00:00Z
"""

# Under b2b-default (30-day half-life, fit rules never decay) at AS_OF:
# L1 alone:  fit 15 (it) + 10 (manager) + 10 (250 >= 100) = 35; case study today 5 * 1 = 5
#            -> total 40, engagement 5.
# L1 united: + the cookie's pricing view 30 days ago: pricing 10 * 0.5 = 5 and long
#            pricing visit (95 s >= 60) 5 * 0.5 = 2.5 -> engagement 12.5, total 47.5.
# L2:        fit 0; a blog view 60 days ago 1 * 0.25 = 0.25 -> total 0.25.
# L1-old and cookie-7 are aliases of L1 by AS_OF: no row of their own.
L1_ALONE, L1_UNITED, L2 = 40.0, 47.5, 0.25


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """leads.csv, events.csv, identities.csv and identities.jsonl in one folder."""
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "identities.csv").write_text(IDENTITIES, encoding="utf-8")
    rows = [line.split(",") for line in IDENTITIES.splitlines()[1:]]
    (tmp_path / "identities.jsonl").write_text(
        "".join(json.dumps({"alias": a, "lead_id": b, "at": c}) + "\n" for a, b, c in rows),
        encoding="utf-8",
    )
    return tmp_path


def run(
    folder: Path, capsys: pytest.CaptureFixture[str], *args: str, identities: str | None
) -> tuple[int, str, str]:
    """``leadscoring ARGS`` on the folder's files (``--identities`` when given)."""
    command = [
        *args, "--model", "b2b-default", "--leads", str(folder / "leads.csv"),
        "--events", str(folder / "events.csv"),
    ]  # fmt: skip
    if identities is not None:
        command += ["--identities", str(folder / identities)]
    if "--as-of" not in command:
        command += ["--as-of", AS_OF]
    status = main(command)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def totals(document: dict[str, Any], key: str) -> dict[str, float]:
    return {row["lead_id"]: row["total"] for row in document[key]}


@pytest.mark.parametrize("identities", ["identities.csv", "identities.jsonl"])
def test_score_moves_the_cookies_history_to_the_lead(
    files: Path, capsys: pytest.CaptureFixture[str], identities: str
) -> None:
    """With --identities L1 scores on its own and the cookie's events; the aliases get no
    row; the cookie's event keeps its id, qualified by the cookie."""
    status, out, err = run(files, capsys, "score", "--format", "json", "--explain",
                           identities=identities)  # fmt: skip
    assert status == 0, err
    document = json.loads(out)
    assert totals(document, "scores") == {"L1": L1_UNITED, "L2": L2}
    l1 = document["scores"][0]
    assert (l1["fit"], l1["engagement"]) == (35.0, 12.5)
    assert {(c["rule"], c["event_id"], c["points"]) for c in l1["contributions"]} >= {
        ("pricing page", "cookie-7/e1", 5.0),
        ("long pricing visit", "cookie-7/e1", 2.5),
        ("case study", "e1", 5.0),
    }


def test_without_identities_the_cookie_is_an_unknown_lead(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --identities: the cookie's events are of an unknown lead (exit 1), or skipped."""
    status, _, err = run(files, capsys, "score", identities=None)
    assert status == 1
    assert "unknown lead id(s): 'cookie-7'" in err
    status, out, err = run(files, capsys, "score", "--format", "json", "--on-unknown",
                           "ignore", identities=None)  # fmt: skip
    assert status == 0, err
    # L1-old is a lead of its own without identities (no fit rule matches: 0).
    assert totals(json.loads(out), "scores") == {"L1": L1_ALONE, "L2": L2, "L1-old": 0.0}


def test_a_link_counts_from_its_moment(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At 2026-06-10 the cookie is not yet L1 (a visitor not in --leads: skipped), while
    L1-old (linked 2026-06-01) already is. L1 then has its fit alone: its own view is
    later; L2's blog view is 40 days old: 1 * 0.5 ** (40 / 30) = 0.397 (rounded)."""
    status, out, err = run(files, capsys, "score", "--format", "json", "--as-of",
                           "2026-06-10T00:00:00Z", "--on-unknown", "ignore",
                           identities="identities.csv")  # fmt: skip
    assert status == 0, err
    got = totals(json.loads(out), "scores")
    assert set(got) == {"L1", "L2"}
    assert got["L1"] == 35.0
    assert got["L2"] == pytest.approx(0.5 ** (40 / 30))


def test_explain_an_alias_names_its_lead(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """explain of an alias fails (exit 1) saying whose alias it is; explain of the lead
    shows the cookie's events."""
    status, _, err = run(files, capsys, "explain", "cookie-7", identities="identities.csv")
    assert status == 1
    assert err.strip() == (
        f"{files / 'identities.csv'}: 'cookie-7' is an alias of lead 'L1'; its history is "
        "that lead's: explain 'L1'"
    )
    status, out, err = run(files, capsys, "explain", "L1", identities="identities.csv")
    assert status == 0, err
    assert "total 47.5 (fit 35, engagement 12.5)" in out
    assert "long pricing visit" in out


def test_a_bad_identity_row_fails_even_when_skipping_bad_rows(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Identities are read whole or not at all: --on-bad-row skip does not skip them."""
    (files / "bad.csv").write_text("alias,lead_id,at\ncookie-7,L1,2026-06-15 00:00\n",
                                   encoding="utf-8")  # fmt: skip
    status, out, err = run(files, capsys, "score", "--on-bad-row", "skip", identities="bad.csv")
    assert status == 1
    assert out == ""
    assert err.startswith(f"{files / 'bad.csv'}, row 1, column 'at': naive timestamp")
    (files / "typo.csv").write_text("alais,lead_id,at\n", encoding="utf-8")
    status, _, err = run(files, capsys, "score", identities="typo.csv")
    assert status == 1
    assert "missing column 'alias'" in err
    assert "did you mean 'alais'?" in err


@pytest.mark.parametrize("engine", ["objects", "frame"])
def test_assess_moves_the_cookies_history_on_both_engines(
    files: Path, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    """assess ranks L1 on its united history (47.5, as score) and gives the aliases no
    row, on the objects and the frame engine alike."""
    if engine == "frame":
        pytest.importorskip("pandas")
        pytest.importorskip("narwhals")
    status, out, err = run(files, capsys, "assess", "--format", "json", "--engine", engine,
                           identities="identities.csv")  # fmt: skip
    assert status == 0, err
    document = json.loads(out)
    assert [row["lead_id"] for row in document["assessments"]] == ["L1", "L2"]
    assert totals(document, "assessments") == pytest.approx({"L1": L1_UNITED, "L2": L2})
    status, out, err = run(files, capsys, "assess", "--format", "json", "--engine", engine,
                           "--on-unknown", "ignore", identities=None)  # fmt: skip
    assert status == 0, err
    assert totals(json.loads(out), "assessments") == pytest.approx(
        {"L1": L1_ALONE, "L2": L2, "L1-old": 0.0}
    )
