"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from leadscoring import DormancyPolicy, Event, Lead

T0 = datetime(2026, 1, 1, tzinfo=UTC)
"""The start of generated timelines."""

# --- activity (tests/test_activity.py) ---------------------------------------------------

ACTIVITY_TYPES = ("page_view", "page_view", "email_open", "form_submit", "bounce", "unsubscribe")
PAGE_CATEGORIES = ("blog", "pricing", "service", "faq", "product", "case_study")

# Gaps mix same-visit minutes, days, and long silences, so dormancy and bursts both occur.
_gaps = st.one_of(
    st.integers(0, 120).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 20).map(lambda d: timedelta(days=d)),
    st.integers(30, 250).map(lambda d: timedelta(days=d)),
)


@st.composite
def lead_histories(draw: st.DrawFn, lead_id: str = "L1", max_size: int = 25) -> list[Event]:
    """Events of one lead in time order, ids unique or absent."""
    gaps = draw(st.lists(_gaps, max_size=max_size))
    at, out = T0, []
    for index, gap in enumerate(gaps):
        at += gap
        kind = draw(st.sampled_from(ACTIVITY_TYPES))
        category = draw(st.sampled_from(PAGE_CATEGORIES))
        has_id = draw(st.booleans())
        out.append(
            Event(
                lead_id=lead_id, type=kind, at=at, properties={"category": category},
                id=f"{lead_id}-{index}" if has_id else None,
            )
        )
    return out


def activity_leads(lead_id: str = "L1") -> st.SearchStrategy[Lead]:
    """A lead of any status, its status change unknown or somewhere in the first 2 years."""
    return st.builds(
        Lead,
        id=st.just(lead_id),
        status=st.sampled_from(["open", "won", "lost", "disqualified"]),
        status_changed_at=st.none() | st.integers(0, 730).map(lambda d: T0 + timedelta(days=d)),
    )


def dormancy_policies() -> st.SearchStrategy[DormancyPolicy]:
    """Valid policies, from quick (days) to slow (months)."""
    days = st.integers(1, 120).map(lambda d: timedelta(days=d))
    return st.builds(
        DormancyPolicy,
        dormant_after=days,
        cadence_factor=st.floats(1.0, 5.0),
        min_history=st.integers(1, 5),
        session_gap=st.integers(1, 180).map(lambda m: timedelta(minutes=m)),
        burst_within=st.integers(1, 30).map(lambda d: timedelta(days=d)),
        burst_min_events=st.integers(1, 5),
        reactivated_for=days,
        ignore_types=st.sampled_from([frozenset({"bounce", "unsubscribe"}), frozenset()]),
        intent_types=st.sampled_from(
            [frozenset({"page_view"}), frozenset({"page_view", "form_submit"})]
        ),
        intent_categories=st.sampled_from(
            [frozenset({"service", "product", "pricing", "case_study"}), frozenset({"faq"})]
        ),
    )


# --- loaders (tests/test_loaders.py) -----------------------------------------------------

loadable_text = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
"""Text a file keeps as written: anything but a blank string (blank cells are absent)."""

loadable_numbers = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)
"""Numbers a numeric column reads back exactly: ints, and finite floats (written with repr)."""

loadable_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
"""Event times in UTC, as a loader returns them."""


def csv_events(lead_ids: st.SearchStrategy[str] = loadable_text) -> st.SearchStrategy[Event]:
    """Events for a CSV with the columns lead_id, type, at, id, category, duration_s."""
    return st.builds(
        Event,
        lead_id=lead_ids,
        type=loadable_text,
        at=loadable_times,
        id=st.none() | loadable_text,
        properties=st.fixed_dictionaries(
            {}, optional={"category": loadable_text, "duration_s": loadable_numbers}
        ),
    )


def jsonl_events() -> st.SearchStrategy[Event]:
    """Events with any property names and JSON-typed values, as ``Event.to_dict`` writes them."""
    values = loadable_text | loadable_numbers | st.booleans()
    return st.builds(
        Event,
        lead_id=loadable_text,
        type=loadable_text,
        at=loadable_times,
        id=st.none() | loadable_text,
        properties=st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=4),
    )
