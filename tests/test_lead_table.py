"""read_lead_table: a lead table with an outcome column into leads and outcomes, with the
loaders' row-level errors; evaluate without as_of when no times are involved."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
import pytest

from leadscoring import (
    AttributeRule,
    Event,
    InvalidInputError,
    InvalidValueError,
    Lead,
    ScoringModel,
    assess_all,
    calibrate,
    evaluate,
    read_lead_table,
    score_all,
    when,
)

TEXT = """id,plan,seats,converted,converted_at
L1,pro,12,yes,2026-03-01T00:00:00Z
L2,free,1,no,
L3,pro,30,Yes,
L4,free,,0,
"""


def test_reads_leads_outcomes_and_numbers() -> None:
    """Outcomes are read from yes/no/0 text; a column of numbers becomes numbers; an empty
    cell is left out of the attributes."""
    table = read_lead_table(io.StringIO(TEXT), id="id", outcome="converted", format="csv",
                            attributes=["plan", "seats"])
    assert [lead.id for lead in table.leads] == ["L1", "L2", "L3", "L4"]
    assert dict(table.outcomes) == {"L1": True, "L2": False, "L3": True, "L4": False}
    assert table.leads[0].attributes == {"plan": "pro", "seats": 12}
    assert table.leads[3].attributes == {"plan": "free"}
    assert table.numeric == ("seats",)
    assert table.conversions == 2


def test_conversion_moments_come_from_converted_at() -> None:
    """With ``converted_at`` a converted lead's outcome is its conversion moment."""
    table = read_lead_table(io.StringIO(TEXT), id="id", outcome="converted",
                            converted_at="converted_at", format="csv")
    assert table.outcomes["L1"] == datetime(2026, 3, 1, tzinfo=UTC)
    assert table.outcomes["L3"] is True
    assert table.outcomes["L2"] is False
    assert "converted_at" not in table.leads[0].attributes


def test_a_bad_outcome_names_the_row_and_the_fix() -> None:
    """An outcome that is neither raises naming file, row and column, and how to name the
    values; ``errors="collect"`` keeps the other rows."""
    text = "id,won\nL1,yes\nL2,maybe\nL3,no\n"
    with pytest.raises(InvalidInputError) as caught:
        read_lead_table(io.StringIO(text), id="id", outcome="won", format="csv")
    assert (caught.value.row, caught.value.column) == (2, "won")
    assert "pass positive=[...] and negative=[...]" in str(caught.value)
    table = read_lead_table(io.StringIO(text), id="id", outcome="won", format="csv",
                            errors="collect")
    assert [lead.id for lead in table.leads] == ["L1", "L3"]
    assert [r.row for r in table.rejected] == [2]
    custom = read_lead_table(io.StringIO(text), id="id", outcome="won", format="csv",
                             positive=["yes", "maybe"])
    assert custom.outcomes["L2"] is True


def test_a_repeated_id_names_the_first_row() -> None:
    """A lead id given twice is a bad row naming the row that has it."""
    with pytest.raises(InvalidInputError, match=r"row 2, column 'id': duplicate lead id 'L1'"):
        read_lead_table(io.StringIO("id,c\nL1,1\nL1,0\n"), id="id", outcome="c", format="csv")


def test_a_missing_column_and_missing_outcome_argument_are_named() -> None:
    """A missing outcome column names it; giving neither outcome nor converted_at is an
    argument error."""
    with pytest.raises(InvalidInputError, match="'won'"):
        read_lead_table(io.StringIO("id,c\nL1,1\n"), id="id", outcome="won", format="csv")
    with pytest.raises(InvalidValueError, match=r"^outcome: name the outcome column"):
        read_lead_table(io.StringIO("id,c\nL1,1\n"), id="id", format="csv")


def test_a_pandas_frame_reads_like_its_csv() -> None:
    """A DataFrame gives the same leads and outcomes as the CSV text it came from."""
    frame = pd.read_csv(io.StringIO(TEXT))
    from_frame = read_lead_table(frame, id="id", outcome="converted",
                                 attributes=["plan", "seats"])
    from_text = read_lead_table(io.StringIO(TEXT), id="id", outcome="converted",
                                format="csv", attributes=["plan", "seats"])
    assert from_frame.leads == from_text.leads
    assert dict(from_frame.outcomes) == dict(from_text.outcomes)


def test_evaluate_without_as_of_when_no_times_are_involved() -> None:
    """A lead table evaluates without ``as_of``: 10 leads with x=1 all convert, 2 of 10
    with x=0 do; AUC = (80 wins + 16 ties / 2) / (12 * 8) = 88 / 96."""
    model = ScoringModel(name="m", rules=[AttributeRule(name="a", when=when(x="1"), points=10)])
    leads = [Lead(id=f"L{i}", attributes={"x": str(i % 2)}) for i in range(20)]
    outcomes = {f"L{i}": i % 2 == 1 or i % 5 == 0 for i in range(20)}
    report = evaluate(model, leads, outcomes, bootstrap=0)
    assert report.as_of is None
    assert report.auc == pytest.approx(88 / 96)
    event = Event(lead_id="L1", type="page_view", at="2026-01-01T00:00:00Z")
    with pytest.raises(InvalidValueError, match=r"^as_of: 1 event\(s\) are given"):
        evaluate(model, leads, outcomes, [event], bootstrap=0)


@pytest.mark.filterwarnings("ignore::leadscoring.SmallSampleWarning")
def test_a_lead_table_feeds_calibrate() -> None:
    """calibrate takes the table's leads and outcomes as they are."""
    rows = "".join(f"L{i},{'pro' if i % 3 == 0 else 'free'},{int(i % 3 == 0)}\n"
                   for i in range(60))
    table = read_lead_table(io.StringIO("id,plan,won\n" + rows), id="id", outcome="won",
                            format="csv")
    model = calibrate(table.leads, table.outcomes, min_support=5)
    assert any("plan" in rule.name for rule in model.rules)


def test_assess_all_takes_the_model_positionally_like_score_all() -> None:
    """``assess_all(leads, events, model, as_of=...)`` works as ``score_all`` does, and the
    keyword form still works."""
    model = ScoringModel(name="m", rules=[AttributeRule(name="a", when=when(x="1"), points=10)])
    leads = [Lead(id="L1", attributes={"x": "1"})]
    at = "2026-01-01T00:00:00Z"
    positional = assess_all(leads, [], model, as_of=at)
    keyword = assess_all(leads, [], as_of=at, model=model)
    assert positional == keyword
    assert positional[0].score == score_all(leads, [], model, as_of=at)[0]
