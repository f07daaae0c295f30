"""Messages a new user meets: each names the field, file or row at fault and says how to fix
it, in the spelling of the API it came through (Python or the command line)."""

from __future__ import annotations

import gzip
import io
import warnings
from pathlib import Path

import pytest

from leadscoring import (
    AttributeRule,
    ColumnNameWarning,
    EventColumns,
    EventRule,
    InvalidEventError,
    InvalidInputError,
    InvalidValueError,
    Lead,
    ScoringModel,
    calibrate,
    gte,
    read_events,
    read_leads,
    score,
    when,
)
from leadscoring.cli.main import main

AS_OF = "2026-06-30T00:00:00Z"
MODEL = ScoringModel(
    name="m",
    rules=[
        AttributeRule(name="big", when=when(size=gte(100)), points=10),
        EventRule(name="long visit", when=when(type="page_view", duration_s=gte(60)), points=5),
    ],
)


def test_an_unparsable_as_of_names_the_argument_and_shows_the_form() -> None:
    """``as_of='yesterday'`` names ``as_of`` and an example, not the date parser's words."""
    with pytest.raises(InvalidValueError) as caught:
        score(Lead(id="L1"), [], MODEL, as_of="yesterday")
    text = str(caught.value)
    assert text.startswith("as_of: not an ISO 8601 datetime: 'yesterday'; write e.g. ")
    assert "Expected" not in text
    assert "digits" not in text


def test_a_yes_outcome_says_what_an_outcome_may_be() -> None:
    """A calibrate outcome ``'yes'`` names the lead's outcome and the accepted forms."""
    leads = [Lead(id="a"), Lead(id="b")]
    with pytest.raises(InvalidValueError) as caught:
        calibrate(leads, {"a": "yes", "b": False}, as_of=AS_OF)
    text = str(caught.value)
    assert text.startswith("outcomes['a']: 'yes' is not an outcome: give True/False")
    assert "too short" not in text


def test_a_corrupt_gzip_file_is_named(tmp_path: Path) -> None:
    """A ``.gz`` file that is not gzip names the file and the fix."""
    path = tmp_path / "events.csv.gz"
    path.write_bytes(b"no gzip here")
    with pytest.raises(InvalidInputError) as caught:
        read_events(path)
    assert caught.value.source == str(path)
    assert "not a gzip file" in str(caught.value)
    assert "b'no'" not in str(caught.value)


def test_a_truncated_gzip_file_is_named(tmp_path: Path) -> None:
    """A gzip file cut short names the file and says it is truncated."""
    path = tmp_path / "events.csv.gz"
    rows = b"L1,page_view,2026-06-01T00:00:00Z\n" * 200
    path.write_bytes(gzip.compress(b"lead_id,type,at\n" + rows)[:40])
    with pytest.raises(InvalidInputError, match=r"events\.csv\.gz: the gzip data ends early"):
        read_events(path)


def test_two_different_events_sharing_an_id_name_the_rows() -> None:
    """The second row reusing an event id for a different event names the first row."""
    text = (
        "lead_id,type,at,id\n"
        "L1,page_view,2026-06-01T00:00:00Z,e1\n"
        "L1,page_view,2026-06-01T00:00:00Z,e1\n"
        "L1,inquiry,2026-06-02T00:00:00Z,e1\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        read_events(io.StringIO(text), format="csv")
    assert (caught.value.row, caught.value.column) == (3, "id")
    assert "is used by row 1 for a different event; give each event its own id" in str(
        caught.value
    )


def test_two_different_events_sharing_an_id_in_python_are_described_briefly() -> None:
    """In Python the message says type and time of both events, not two whole reprs."""
    from leadscoring.core.event import Event, dedupe_sorted

    first = Event(lead_id="L1", type="page_view", at=AS_OF, id="e1")
    second = Event(lead_id="L1", type="inquiry", at=AS_OF, id="e1")
    with pytest.raises(InvalidEventError) as caught:
        dedupe_sorted([first, second])
    text = str(caught.value)
    assert "Event(" not in text
    assert "give each event its own id" in text


def test_a_near_miss_id_column_warns_and_strict_raises() -> None:
    """``event_id`` beside a missing ``id`` warns once, naming the column and the fix;
    ``strict=True`` raises instead."""
    text = "lead_id,type,at,event_id\n" + "L1,page_view,2026-06-01T00:00:00Z,e1\n" * 2
    with pytest.warns(ColumnNameWarning, match=r"column 'event_id' .* the id column 'id'") as w:
        read_events(io.StringIO(text), format="csv")
    assert len([x for x in w if issubclass(x.category, ColumnNameWarning)]) == 1
    with pytest.raises(InvalidInputError) as caught:
        read_events(io.StringIO(text), format="csv", strict=True)
    assert caught.value.column == "event_id"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_events(io.StringIO(text), format="csv", columns=EventColumns(id="event_id"))


def test_a_near_miss_status_column_warns() -> None:
    """A leads file with ``Status`` (not ``status``) warns that lost deals would be missed."""
    text = "id,Status\nL1,lost\n"
    with pytest.warns(ColumnNameWarning, match=r"'Status' .* the status column 'status'"):
        leads = read_leads(io.StringIO(text), format="csv").rows
    assert leads[0].attributes["Status"] == "lost"


def test_numbers_as_text_are_read_as_numbers_given_the_model() -> None:
    """With ``model=`` the loaders read ``"95"`` as 95 for properties the rules compare to
    numbers (so ``gte(60)`` matches), and leave other text alone."""
    text = "lead_id,type,at,duration_s,page\nL1,page_view,2026-06-01T00:00:00Z,95,10\n"
    plain = read_events(io.StringIO(text), format="csv").rows[0]
    assert plain.properties["duration_s"] == "95"
    typed = read_events(io.StringIO(text), format="csv", model=MODEL).rows[0]
    assert typed.properties == {"duration_s": 95, "page": "10"}
    leads = read_leads(io.StringIO("id,size\nL1,250\n"), format="csv", model=MODEL).rows
    assert score(leads[0], [typed], MODEL, as_of=AS_OF).total == 15


def test_unknown_json_lines_keys_are_counted() -> None:
    """Keys no rule of the model reads are counted per name in ``unknown_keys``."""
    lines = (
        '{"lead_id": "L1", "type": "page_view", "at": "2026-06-01T00:00:00Z", '
        '"duration_s": 90, "evnt_id": "x"}\n'
        '{"lead_id": "L1", "type": "page_view", "at": "2026-06-02T00:00:00Z", "evnt_id": "y"}\n'
    )
    result = read_events(io.StringIO(lines), format="jsonl", model=MODEL)
    assert dict(result.unknown_keys) == {"evnt_id": 2}
    assert dict(read_events(io.StringIO(lines), format="jsonl").unknown_keys) == {}


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(args)
    return status, capsys.readouterr().err


def test_cli_leads_given_an_events_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``score --leads events.csv`` exits 1 and says to pass it as ``--events``."""
    events = tmp_path / "events.csv"
    events.write_text("id,lead_id,type,at\ne1,L1,page_view,2026-06-01T00:00:00Z\n")
    status, err = _cli(["score", "--model", "b2b-default", "--leads", str(events),
                        "--as-of", AS_OF], capsys)
    assert status == 1
    assert "looks like an events file" in err
    assert "pass it as --events" in err


def test_cli_unknown_lead_warning_uses_the_cli_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--on-unknown warn`` the warning names ``--on-unknown ignore``, never
    ``on_unknown='ignore'``."""
    leads = tmp_path / "leads.csv"
    leads.write_text("id\nL1\n")
    events = tmp_path / "events.csv"
    events.write_text("lead_id,type,at\nL9,page_view,2026-06-01T00:00:00Z\n")
    status, err = _cli(["score", "--model", "b2b-default", "--leads", str(leads), "--events",
                        str(events), "--as-of", AS_OF, "--on-unknown", "warn"], capsys)
    assert status == 0
    assert "--on-unknown ignore" in err
    assert "on_unknown=" not in err


def test_cli_explain_suggests_the_id_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``explain l1`` for a file holding ``L1`` says ``did you mean 'L1'?``; an id like
    none of the file's shows a few of them."""
    leads = tmp_path / "leads.csv"
    leads.write_text("id\nL1\nL2\n")
    base = ["--model", "b2b-default", "--leads", str(leads), "--as-of", AS_OF]
    status, err = _cli(["explain", "l1", *base], capsys)
    assert status == 1
    assert f"{leads}: unknown lead id 'l1' (did you mean 'L1'?)" in err
    _, err = _cli(["explain", "zzz", *base], capsys)
    assert "the file's lead ids look like 'L1', 'L2'" in err


def test_cli_near_miss_column_warning_has_no_python_remedy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line prints the near-miss column warning without ``EventColumns(...)``."""
    leads = tmp_path / "leads.csv"
    leads.write_text("id\nL1\n")
    events = tmp_path / "events.csv"
    events.write_text("lead_id,type,at,event_id\nL1,page_view,2026-06-01T00:00:00Z,e1\n")
    status, err = _cli(["score", "--model", "b2b-default", "--leads", str(leads), "--events",
                        str(events), "--as-of", AS_OF], capsys)
    assert status == 0
    assert "warning: " in err
    assert "rename it 'id'" in err
    assert "EventColumns" not in err
    assert "strict" not in err
