"""Tests of leadscoring.core.event: Event, EventType, PageCategory, ordering and de-duplication."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    Event,
    EventType,
    InvalidEventError,
    InvalidValueError,
    LeadScoringError,
    NaiveDatetimeError,
    PageCategory,
)
from leadscoring.core.event import dedupe_sorted, event_sort_key
from strategies import event_lists

T = datetime(2026, 4, 1, tzinfo=UTC)


def test_event_types_and_page_categories_match_the_design() -> None:
    """The well-known event types and page categories are exactly the design's lists."""
    assert [t.value for t in EventType] == [
        "page_view", "email_open", "email_click", "form_submit", "download", "webinar",
        "event_attended", "inquiry", "demo_request", "purchase", "unsubscribe", "bounce",
    ]  # fmt: skip
    assert [c.value for c in PageCategory] == [
        "blog", "product", "service", "case_study", "pricing", "faq", "company", "contact",
        "careers",
    ]  # fmt: skip


def test_event_time_is_normalised_to_utc() -> None:
    """09:00 at +09:00 is stored as 00:00 UTC, whether given as a datetime or as text."""
    jst = timezone(timedelta(hours=9))
    a = Event(lead_id="L1", type="page_view", at=datetime(2026, 4, 1, 9, tzinfo=jst))
    b = Event(lead_id="L1", type="page_view", at="2026-04-01T09:00:00+09:00")
    assert a.at == b.at == T
    assert a.at.tzinfo is UTC
    assert a == b


@pytest.mark.parametrize("at", [datetime(2026, 4, 1, 9), "2026-04-01T09:00:00"])
def test_naive_event_time_raises_naive_datetime_error(at: object) -> None:
    """A naive Event.at raises NaiveDatetimeError (a ValueError) naming Event.at."""
    with pytest.raises(NaiveDatetimeError, match=r"^Event.at: naive datetime") as info:
        Event(lead_id="L1", type="page_view", at=at)  # type: ignore[arg-type]
    assert isinstance(info.value, LeadScoringError)
    assert isinstance(info.value, ValueError)
    assert info.value.field == "Event.at"


@pytest.mark.parametrize("at", ["yesterday", 1_775_000_000, None])
def test_bad_event_time_raises_invalid_event_error(at: object) -> None:
    """Unparsable or non-datetime times raise InvalidEventError naming Event.at."""
    with pytest.raises(InvalidEventError, match=r"^Event.at: "):
        Event(lead_id="L1", type="page_view", at=at)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lead_id": ""}, "Event.lead_id"),
        ({"lead_id": "  "}, "Event.lead_id"),
        ({"lead_id": 3}, "Event.lead_id"),
        ({"type": ""}, "Event.type"),
        ({"type": None}, "Event.type"),
        ({"id": ""}, "Event.id"),
        ({"id": " "}, "Event.id"),
        ({"id": True}, "Event.id"),
        ({"id": 1.5}, "Event.id"),
    ],
)
def test_empty_or_non_text_ids_raise_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    """Empty lead ids, types and event ids raise InvalidEventError naming the field."""
    base: dict[str, object] = {"lead_id": "L1", "type": "page_view", "at": T}
    with pytest.raises(InvalidEventError, match="must be a non-empty string") as info:
        Event(**{**base, **kwargs})  # type: ignore[arg-type]
    assert info.value.field == field
    assert isinstance(info.value, InvalidValueError)


def test_integer_event_ids_become_text() -> None:
    """An integer id is stored as its text, so 7 and "7" are the same id."""
    assert Event(lead_id="L1", type="x", at=T, id=7).id == "7"
    assert Event(lead_id="L1", type="x", at=T, id=7) == Event(lead_id="L1", type="x", at=T, id="7")


def test_event_type_members_are_stored_as_plain_text() -> None:
    """EventType.PAGE_VIEW is stored as the str 'page_view' (not the enum member)."""
    event = Event(lead_id="L1", type=EventType.PAGE_VIEW, at=T)
    assert event.type == "page_view"
    assert type(event.type) is str


@pytest.mark.parametrize(
    ("properties", "field"),
    [
        ({"duration_s": float("nan")}, "Event.properties['duration_s']"),
        ({"duration_s": float("-inf")}, "Event.properties['duration_s']"),
        ({"tags": ["a"]}, "Event.properties['tags']"),
        ({"utm": {"source": "x"}}, "Event.properties['utm']"),
        ({"": 1}, "Event.properties"),
        ({1: 1}, "Event.properties"),
        ("category=pricing", "Event.properties"),
    ],
)
def test_bad_properties_raise_naming_the_property(properties: object, field: str) -> None:
    """NaN/inf, non-scalar values, bad keys and non-mappings raise InvalidEventError by name."""
    with pytest.raises(InvalidEventError) as info:
        Event(lead_id="L1", type="page_view", at=T, properties=properties)  # type: ignore[arg-type]
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_properties_are_copied_and_read_only() -> None:
    """The event keeps a read-only copy of its properties."""
    given_properties = {"category": "pricing"}
    event = Event(lead_id="L1", type="page_view", at=T, properties=given_properties)
    given_properties["category"] = "blog"
    assert event.properties == {"category": "pricing"}
    with pytest.raises(TypeError):
        event.properties["category"] = "blog"  # type: ignore[index]


def test_field_reads_type_id_and_properties() -> None:
    """field() gives the type, the id, a property, or the default for a missing name."""
    event = Event(lead_id="L1", type="page_view", at=T, properties={"category": "faq"}, id="e1")
    assert event.field("type") == "page_view"
    assert event.field("id") == "e1"
    assert event.field("category") == "faq"
    assert event.field("url", "none") == "none"
    assert Event(lead_id="L1", type="x", at=T).field("id", "no id") == "no id"


def test_event_to_dict_is_plain_json_data() -> None:
    """to_dict gives plain JSON-able data with the time in ISO form."""
    event = Event(lead_id="L1", type="page_view", at=T, properties={"n": 1}, id="e1")
    data = event.to_dict()
    assert data == {
        "lead_id": "L1",
        "type": "page_view",
        "at": "2026-04-01T00:00:00+00:00",
        "properties": {"n": 1},
        "id": "e1",
    }
    assert json.loads(json.dumps(data)) == data
    assert Event(**data) == event


def test_event_sort_key_orders_by_time_first() -> None:
    """An earlier event sorts first whatever its type or id; ties break on type, then id."""
    late = Event(lead_id="L1", type="a", at=T + timedelta(seconds=1), id="a")
    early = Event(lead_id="L1", type="z", at=T, id="z")
    same_time_b = Event(lead_id="L1", type="b", at=T, id="2")
    same_time_b1 = Event(lead_id="L1", type="b", at=T, id="1")
    ordered = sorted([late, same_time_b, early, same_time_b1], key=event_sort_key)
    assert ordered == [same_time_b1, same_time_b, early, late]


@given(event_lists(with_ids=None), st.randoms())
def test_dedupe_sorted_does_not_depend_on_input_order(events: list[Event], rnd: object) -> None:
    """Shuffling the input never changes dedupe_sorted's output."""
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert dedupe_sorted(shuffled) == dedupe_sorted(events)


@given(event_lists(with_ids=True))
def test_dedupe_sorted_drops_repeated_copies(events: list[Event]) -> None:
    """Every event given twice (same id) is kept once, in time order."""
    out = dedupe_sorted(events + events)
    assert len(out) == len(events)
    assert [e.at for e in out] == sorted(e.at for e in events)


def test_dedupe_sorted_keeps_events_without_ids() -> None:
    """Two identical events without an id are two events (nothing says they are one)."""
    event = Event(lead_id="L1", type="page_view", at=T)
    assert dedupe_sorted([event, event]) == [event, event]


def test_dedupe_sorted_refuses_different_events_sharing_an_id() -> None:
    """Two different events with one id raise InvalidEventError naming the id and lead."""
    a = Event(lead_id="L1", type="page_view", at=T, id="e1")
    b = Event(lead_id="L1", type="page_view", at=T + timedelta(hours=1), id="e1")
    with pytest.raises(InvalidEventError, match=r"^Event.id: .*lead 'L1' share id 'e1'"):
        dedupe_sorted([a, b])


@pytest.mark.parametrize(("a", "b"), [(1, True), (0, False), (1.0, True)])
def test_same_id_with_a_bool_for_a_number_is_a_conflict(a: object, b: object) -> None:
    """1 == True in Python, but not to a condition: such events sharing an id conflict."""
    first = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"n": a})
    second = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"n": b})
    with pytest.raises(InvalidEventError, match="share id 'e1'"):
        dedupe_sorted([first, second])
    with pytest.raises(InvalidEventError, match="share id 'e1'"):
        dedupe_sorted([second, first])


@pytest.mark.parametrize(("a", "b"), [(1, 1.0), ("pricing", PageCategory.PRICING)])
def test_same_id_with_values_conditions_treat_alike_is_one_event(a: object, b: object) -> None:
    """60 and 60.0, or 'pricing' and PageCategory.PRICING, are copies: kept once."""
    first = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"n": a})
    second = Event(lead_id="L1", type="page_view", at=T, id="e1", properties={"n": b})
    (kept,) = dedupe_sorted([first, second])
    (kept_too,) = dedupe_sorted([second, first])
    assert type(kept.properties["n"]) is type(kept_too.properties["n"])  # the same copy


def test_a_naive_event_time_is_both_naive_and_an_event_error() -> None:
    """A naive Event.at is caught by except InvalidEventError and by except NaiveDatetimeError."""
    from leadscoring import InvalidEventError, NaiveDatetimeError

    with pytest.raises(InvalidEventError, match=r"^Event\.at: naive") as caught:
        Event(lead_id="L1", type="page_view", at=datetime(2026, 1, 1))
    assert isinstance(caught.value, NaiveDatetimeError)
