"""The event loaders against a simple reference, on random mixes of good and bad rows.

Each row is drawn as a good or a bad row of a known kind. The reference says what must
come out: a good row gives the ``Event(...)`` built directly from its values (empty
values left out); a bad row is rejected with its row number, column and the start of its
reason; a row reusing an earlier kept row's (lead id, event id) for different content is
rejected at ``id`` naming that row, an exact copy is kept. ``read_events`` (collect and
raise) and ``iter_events`` must all agree with it, in JSON Lines and in CSV, whichever
path (the usual or the general one) each row takes inside the loader.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import Event, InvalidInputError
from leadscoring.loaders import RejectedRow, iter_events, read_events

KEYS = ("category", "url", "n")
START = datetime(2026, 4, 1, tzinfo=UTC)

# What the reference expects of a row: an Event, a rejection (column, reason start), or
# None for a blank line (skipped, still counted).
Expected = Event | tuple[str | None, str] | None

_text = st.text(st.sampled_from("ab ,\"'é-"), min_size=1, max_size=6).filter(
    lambda s: s.strip() != ""
)
_lead = st.sampled_from(["L1", "L2", " L3"])
_type = st.sampled_from(["page_view", "email_open", "form submit"])
_id = st.none() | st.sampled_from(["e1", "e2", "e3"])
_at = st.builds(
    lambda minutes, hours: (
        START + timedelta(minutes=minutes)
        if hours is None
        else (START + timedelta(minutes=minutes)).astimezone(timezone(timedelta(hours=hours)))
    ),
    st.integers(0, 3),
    st.none() | st.sampled_from([-5, 0, 9]),
)


def _canonical(event: Event) -> tuple[Any, ...]:
    """An event's content as the loaders compare it for a reused id: numbers by value
    (1 is 1.0), booleans apart from numbers, strings apart from both."""

    def tag(value: object) -> tuple[str, object]:
        if isinstance(value, bool):
            return ("b", value)
        if isinstance(value, int | float):
            return ("n", float(value))
        return ("s", value)

    return (event.type, event.at, sorted((k, tag(v)) for k, v in event.properties.items()))


def reference(expected: list[Expected]) -> tuple[list[Event], list[tuple[int, str | None, str]]]:
    """The events kept and the (row, column, reason start) rejected, in order."""
    kept: list[Event] = []
    rejected: list[tuple[int, str | None, str]] = []
    first: dict[tuple[str, str], tuple[int, Event]] = {}
    for row, want in enumerate(expected, start=1):
        if want is None:
            continue
        if isinstance(want, tuple):
            rejected.append((row, *want))
            continue
        if want.id is not None:
            seen = first.setdefault((want.lead_id, want.id), (row, want))
            if _canonical(seen[1]) != _canonical(want):
                rejected.append((row, "id", f"event id {want.id!r} of lead "
                                 f"{want.lead_id!r} is used by row {seen[0]} "))  # fmt: skip
                continue
        kept.append(want)
    return kept, rejected


def _check(text: str, fmt: str, expected: list[Expected]) -> None:
    kept, rejected = reference(expected)

    def found(bad: list[RejectedRow]) -> list[tuple[int, str | None, str]]:
        return [(r.row, r.column, r.reason) for r in bad]

    def agree(rows: list[Event], bad: list[RejectedRow]) -> None:
        assert rows == kept
        for got, want in zip(rows, kept, strict=True):  # types too: 1 is not 1.0 here
            assert [type(v) for v in got.properties.values()] == [
                type(v) for v in want.properties.values()
            ]
        got_bad = found(bad)
        assert [(r, c) for r, c, _ in got_bad] == [(r, c) for r, c, _ in rejected], got_bad
        for (_, _, reason), (_, _, start) in zip(got_bad, rejected, strict=True):
            assert reason.startswith(start), (reason, start)

    result = read_events(io.StringIO(text), format=fmt, errors="collect")  # type: ignore[arg-type]
    agree(list(result.rows), list(result.rejected))
    streamed: list[RejectedRow] = []
    rows = list(iter_events(io.StringIO(text), format=fmt, on_reject=streamed.append))  # type: ignore[arg-type]
    agree(rows, streamed)
    if rejected:
        with pytest.raises(InvalidInputError) as raised:
            read_events(io.StringIO(text), format=fmt)  # type: ignore[arg-type]
        assert (raised.value.row, raised.value.column) == rejected[0][:2]
    else:
        assert list(read_events(io.StringIO(text), format=fmt).rows) == kept  # type: ignore[arg-type]


# --- JSON Lines ----------------------------------------------------------------------------

_json_value = (
    _text
    | st.sampled_from(["", "  "])
    | st.integers(-5, 5)
    | st.sampled_from([0.5, 2.0, -1.25])
    | st.booleans()
    | st.none()
)


@st.composite
def jsonl_row(draw: st.DrawFn) -> tuple[str, Expected]:
    """One line of a JSON Lines file and what the reference expects of it."""
    lead, kind, at, event_id = draw(_lead), draw(_type), draw(_at), draw(_id)
    props = draw(st.dictionaries(st.sampled_from(KEYS), _json_value, max_size=3))
    nested = draw(st.booleans())
    record: dict[str, Any] = {"lead_id": lead, "type": kind, "at": at.isoformat()}
    if event_id is not None:
        record["id"] = event_id
    if nested:
        record["properties"] = props
    else:
        record.update(props)
    kept = {k: v for k, v in props.items() if v is not None and not (isinstance(v, str)
            and not v.strip())}  # fmt: skip
    good: Expected = Event(lead_id=lead, type=kind, at=at, properties=kept, id=event_id)
    bad = draw(st.sampled_from([
        "good", "good", "good", "good", "blank", "empty lead", "missing type", "naive",
        "not a time", "boolean lead", "array value", "twice", "not json", "not an object",
        "integer lead",
    ]))  # fmt: skip
    if bad == "good":
        return json.dumps(record), good
    if bad == "blank":
        return "   ", None
    if bad == "empty lead":
        record["lead_id"] = draw(st.sampled_from(["", "  "]))
        return json.dumps(record), ("lead_id", "required value is empty")
    if bad == "missing type":
        del record["type"]
        return json.dumps(record), ("type", "missing key 'type'")
    if bad == "naive":
        record["at"] = at.replace(tzinfo=None).isoformat()
        return json.dumps(record), ("at", "naive timestamp")
    if bad == "not a time":
        record["at"] = "yesterday"
        return json.dumps(record), ("at", "not an ISO 8601 timestamp")
    if bad == "boolean lead":
        record["lead_id"] = True
        return json.dumps(record), ("lead_id", "expected a string")
    if bad == "integer lead":  # a JSON integer id is read as its text: a good row
        record["lead_id"] = 7
        return json.dumps(record), Event(
            lead_id="7", type=kind, at=at, properties=kept, id=event_id
        )
    if bad == "array value":
        record["url"] = [1, 2]
        if nested:
            record.pop("properties")
            record.update({k: v for k, v in props.items() if k != "url"})
        return json.dumps(record), ("url", "expected a string, number, boolean or null")
    if bad == "twice":
        record = {k: v for k, v in record.items() if k not in props}
        record["properties"] = {**props, "url": "/a"}
        record["url"] = "/b"
        return json.dumps(record), ("properties", "'url' is given both")
    if bad == "not json":
        return json.dumps(record)[:-1], (None, "malformed JSON")
    return json.dumps([record]), (None, "expected a JSON object, got an array")


def _with_copies(rows: list[tuple[str, Expected]], copies: list[int]) -> list[tuple[str, Expected]]:
    """``rows`` with exact copies of some rows appended (a copy of a kept row is kept)."""
    return rows + [rows[i % len(rows)] for i in copies] if rows else rows


@given(st.lists(jsonl_row(), max_size=14), st.lists(st.integers(0, 20), max_size=3))
def test_jsonl_agrees_with_the_reference(
    rows: list[tuple[str, Expected]], copies: list[int]
) -> None:
    rows = _with_copies(rows, copies)
    text = "".join(line + "\n" for line, _ in rows)
    _check(text, "jsonl", [want for _, want in rows])


# --- CSV -----------------------------------------------------------------------------------

HEADER = ["lead_id", "type", "at", "id", *KEYS]


@st.composite
def csv_row(draw: st.DrawFn) -> tuple[list[str], Expected]:
    """One record of a CSV file (its cells) and what the reference expects of it."""
    lead, kind, at, event_id = draw(_lead), draw(_type), draw(_at), draw(_id)
    values = [draw(_text | st.sampled_from(["", " "])) for _ in KEYS]
    cells = [lead, kind, at.isoformat(), event_id or "", *values]
    kept = {k: v for k, v in zip(KEYS, values, strict=True) if v.strip()}
    good: Expected = Event(lead_id=lead, type=kind, at=at, properties=kept, id=event_id)
    bad = draw(st.sampled_from([
        "good", "good", "good", "good", "blank", "empty lead", "empty type", "naive",
        "not a time", "short", "long",
    ]))  # fmt: skip
    if bad == "good":
        return cells, good
    if bad == "blank":
        return [], None
    if bad == "empty lead":
        cells[0] = draw(st.sampled_from(["", "  "]))
        return cells, ("lead_id", "required value is empty")
    if bad == "empty type":
        cells[1] = ""
        return cells, ("type", "required value is empty")
    if bad == "naive":
        cells[2] = at.replace(tzinfo=None).isoformat()
        return cells, ("at", "naive timestamp")
    if bad == "not a time":
        cells[2] = "2026-13-01T00:00:00Z"
        return cells, ("at", "not an ISO 8601 timestamp")
    if bad == "short":
        return cells[:3], (None, f"the row has 3 cells but the header has {len(HEADER)} columns")
    return [*cells, "x"], (None, f"the row has {len(HEADER) + 1} cells but the header has")


@given(st.lists(csv_row(), max_size=14), st.lists(st.integers(0, 20), max_size=3))
def test_csv_agrees_with_the_reference(
    rows: list[tuple[list[str], Expected]], copies: list[int]
) -> None:
    rows = _with_copies(rows, copies)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for cells, _ in rows:
        writer.writerow(cells)
    _check(out.getvalue(), "csv", [want for _, want in rows])


def test_the_reference_sees_a_reused_id() -> None:
    """The property's reference itself: a different event under a kept id is rejected."""
    first = Event(lead_id="L1", type="a", at=START, id="e1", properties={"n": 1})
    copy = Event(lead_id="L1", type="a", at=START, id="e1", properties={"n": 1.0})
    other = Event(lead_id="L1", type="a", at=START, id="e1", properties={"n": True})
    kept, rejected = reference([first, copy, other])
    assert kept == [first, copy]
    assert [(r, c) for r, c, _ in rejected] == [(3, "id")]
