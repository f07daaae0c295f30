"""Tests of leadscoring.core.lead: Lead and LeadStatus."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given

from leadscoring import (
    InvalidLeadError,
    InvalidValueError,
    Lead,
    LeadScoringError,
    LeadStatus,
    NaiveDatetimeError,
)
from strategies import leads


def test_lead_defaults() -> None:
    """A lead needs only an id: no attributes, OPEN, no status change, no account."""
    lead = Lead(id="L1")
    assert lead.attributes == {}
    assert lead.status is LeadStatus.OPEN
    assert lead.status_changed_at is None
    assert lead.account_id is None


def test_lead_status_values_match_the_design() -> None:
    """The four statuses and their text values are the ones the design names."""
    assert [s.value for s in LeadStatus] == ["open", "won", "lost", "disqualified"]


@pytest.mark.parametrize(
    ("given_status", "expected"),
    [
        ("lost", LeadStatus.LOST),
        ("WON", LeadStatus.WON),
        (LeadStatus.DISQUALIFIED, LeadStatus.DISQUALIFIED),
        ("Open", LeadStatus.OPEN),
    ],
)
def test_lead_status_accepts_members_and_text_in_any_case(
    given_status: object, expected: LeadStatus
) -> None:
    """A status is a LeadStatus or its text value, case-insensitively."""
    assert Lead(id="L1", status=given_status).status is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("status", ["closed", "", None, 1, ["won"]])
def test_unknown_lead_status_raises_invalid_lead_error(status: object) -> None:
    """An unknown status raises InvalidLeadError naming Lead.status and listing the known ones."""
    with pytest.raises(InvalidLeadError, match=r"^Lead.status: unknown status .*open, won") as e:
        Lead(id="L1", status=status)  # type: ignore[arg-type]
    assert isinstance(e.value, LeadScoringError)
    assert isinstance(e.value, ValueError)
    assert e.value.field == "Lead.status"


@pytest.mark.parametrize("lead_id", ["", "   ", None, 7])
def test_empty_or_non_text_lead_id_raises(lead_id: object) -> None:
    """Lead.id must be non-empty text."""
    with pytest.raises(InvalidLeadError, match=r"^Lead.id: must be a non-empty string"):
        Lead(id=lead_id)  # type: ignore[arg-type]


@pytest.mark.parametrize("account_id", ["", 5])
def test_bad_account_id_raises(account_id: object) -> None:
    """Lead.account_id is None or non-empty text."""
    with pytest.raises(InvalidLeadError, match=r"^Lead.account_id: "):
        Lead(id="L1", account_id=account_id)  # type: ignore[arg-type]


def test_attributes_are_copied_and_read_only() -> None:
    """The lead keeps its own read-only copy: changing the caller's dict changes nothing."""
    given_attributes = {"industry": "it", "employees": 120}
    lead = Lead(id="L1", attributes=given_attributes)
    given_attributes["industry"] = "retail"
    assert lead.attributes == {"industry": "it", "employees": 120}
    with pytest.raises(TypeError):
        lead.attributes["industry"] = "retail"  # type: ignore[index]


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"revenue": float("nan")}, "Lead.attributes['revenue']"),
        ({"revenue": float("inf")}, "Lead.attributes['revenue']"),
        ({"tags": ["a", "b"]}, "Lead.attributes['tags']"),
        ({"address": {"city": "Tokyo"}}, "Lead.attributes['address']"),
        ({"since": datetime(2026, 1, 1, tzinfo=UTC)}, "Lead.attributes['since']"),
        ({"": "x"}, "Lead.attributes"),
        ({3: "x"}, "Lead.attributes"),
        ([("industry", "it")], "Lead.attributes"),
    ],
)
def test_bad_attributes_raise_naming_the_attribute(attributes: object, field: str) -> None:
    """NaN/inf, non-scalar values, bad keys and non-mappings raise InvalidLeadError by name."""
    with pytest.raises(InvalidLeadError) as info:
        Lead(id="L1", attributes=attributes)  # type: ignore[arg-type]
    assert info.value.field == field
    assert str(info.value).startswith(field + ": ")


def test_scalar_attribute_values_of_every_kind_are_kept() -> None:
    """str, int, float, bool and None are all valid attribute values and stay as given."""
    values = {"a": "x", "b": 1, "c": 2.5, "d": True, "e": None}
    assert dict(Lead(id="L1", attributes=values).attributes) == values


def test_status_changed_at_is_normalised_to_utc() -> None:
    """A status change at 09:00+09:00 is stored as 00:00 UTC; text is parsed too."""
    jst = timezone(timedelta(hours=9))
    lead = Lead(id="L1", status_changed_at=datetime(2026, 1, 10, 9, tzinfo=jst))
    assert lead.status_changed_at == datetime(2026, 1, 10, 0, tzinfo=UTC)
    assert lead.status_changed_at.tzinfo is UTC
    assert Lead(id="L1", status_changed_at="2026-01-10T00:00:00Z") == lead


def test_naive_status_changed_at_raises_naive_datetime_error() -> None:
    """A naive status change time raises NaiveDatetimeError naming Lead.status_changed_at."""
    with pytest.raises(NaiveDatetimeError, match=r"^Lead.status_changed_at: naive") as info:
        Lead(id="L1", status="lost", status_changed_at=datetime(2026, 1, 10))
    assert isinstance(info.value, InvalidValueError)
    assert isinstance(info.value, ValueError)


def test_unparsable_status_changed_at_raises_invalid_lead_error() -> None:
    """Text that is not a datetime raises InvalidLeadError naming the field."""
    with pytest.raises(InvalidLeadError, match=r"^Lead.status_changed_at: not an ISO 8601"):
        Lead(id="L1", status_changed_at="last tuesday")


def test_leads_are_frozen_hashable_values() -> None:
    """Equal leads (attributes in any order) are equal and hash alike; fields cannot be set."""
    a = Lead(id="L1", attributes={"x": 1, "y": "z"})
    b = Lead(id="L1", attributes={"y": "z", "x": 1})
    assert a == b
    assert hash(a) == hash(b)
    assert a != Lead(id="L1", attributes={"x": 2, "y": "z"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.id = "L2"  # type: ignore[misc]


def test_lead_to_dict_is_plain_json_data() -> None:
    """to_dict gives plain JSON-able data with the status as text and the time in ISO form."""
    lead = Lead(
        id="L1",
        attributes={"industry": "it"},
        status="won",
        status_changed_at="2026-01-10T00:00:00Z",
        account_id="A1",
    )
    data = lead.to_dict()
    assert data == {
        "id": "L1",
        "attributes": {"industry": "it"},
        "status": "won",
        "status_changed_at": "2026-01-10T00:00:00+00:00",
        "account_id": "A1",
    }
    assert json.loads(json.dumps(data)) == data


@given(leads())
def test_lead_to_dict_round_trips(lead: Lead) -> None:
    """Lead(**lead.to_dict()) rebuilds an equal lead."""
    assert Lead(**lead.to_dict()) == lead


def test_a_naive_status_change_is_both_naive_and_a_lead_error() -> None:
    """A naive status_changed_at is an InvalidLeadError and a NaiveDatetimeError."""
    from leadscoring import InvalidLeadError, NaiveDatetimeError

    with pytest.raises(InvalidLeadError, match=r"^Lead\.status_changed_at: naive") as caught:
        Lead(id="L1", status="lost", status_changed_at=datetime(2026, 1, 1))
    assert isinstance(caught.value, NaiveDatetimeError)
