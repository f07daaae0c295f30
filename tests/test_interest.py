"""Tests for leadscoring.signals.interest: focus vs breadth, purchases and participation."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    BuyerType,
    Event,
    InterestPattern,
    InterestPolicy,
    InvalidModelError,
    InvalidValueError,
    Lead,
    ParticipationLevel,
    interest_profile,
)
from leadscoring.signals.interest import InterestProfile
from strategies import T0, stage_histories

AS_OF = datetime(2026, 4, 1, tzinfo=UTC)
LEAD = Lead(id="L1")


def view(day: int, category: str, product: str | None = None, lead_id: str = "L1") -> Event:
    """A page view on day ``day`` of March 2026."""
    props: dict[str, str] = {"category": category}
    if product is not None:
        props["product"] = product
    return Event(
        lead_id=lead_id, type="page_view", at=datetime(2026, 3, day, 10, tzinfo=UTC),
        properties=props,
    )


def act(day: int, type: str, **props: str | int | float) -> Event:
    """An event of ``type`` on day ``day`` of March 2026."""
    return Event(lead_id="L1", type=type, at=datetime(2026, 3, day, 10, tzinfo=UTC),
                 properties=props)


def profile(events: list[Event], policy: InterestPolicy | None = None) -> InterestProfile:
    """The profile of lead L1 at AS_OF."""
    return interest_profile(LEAD, events, as_of=AS_OF, policy=policy or InterestPolicy())


# --- focus vs breadth ---------------------------------------------------------------------


def test_one_product_again_and_again_is_focused() -> None:
    """CRM viewed 4 times, MA once: focus 4/5 = 0.8 >= 0.6 with 4 >= 3 views: focused."""
    p = profile([view(d, "product", "crm") for d in (1, 2, 3, 4)] + [view(5, "product", "ma")])
    assert p.top_product == "crm"
    assert p.by_product == {"crm": 4, "ma": 1}
    assert p.focus == 0.8
    assert p.pattern is InterestPattern.FOCUSED
    assert p.dominant_interest == "crm"


def test_many_products_once_is_broad() -> None:
    """Three products once each: focus 1/3, three products: broad."""
    p = profile([view(1, "product", "crm"), view(2, "service", "ma"), view(3, "product", "sfa")])
    assert p.focus == pytest.approx(1 / 3)
    assert p.products_viewed == 3
    assert p.pattern is InterestPattern.BROAD
    assert p.by_category == {"product": 2, "service": 1}


def test_few_product_views_are_light() -> None:
    """Two views of one product: not enough to be focused, too few products to be broad."""
    p = profile([view(1, "product", "crm"), view(2, "product", "crm")])
    assert (p.focus, p.pattern) == (1.0, InterestPattern.LIGHT)


def test_focused_needs_the_share_too() -> None:
    """CRM 3 times and MA, SFA twice each: focus 3/7 = 0.43 < 0.6, three products: broad."""
    events = [view(d, "product", "crm") for d in (1, 2, 3)]
    events += [view(d, "product", p) for d in (4, 5) for p in ("ma", "sfa")]
    p = profile(events)
    assert p.focus == pytest.approx(3 / 7)
    assert p.pattern is InterestPattern.BROAD


def test_no_product_views() -> None:
    """Only blog posts: no pattern, the dominant interest is the blog category."""
    p = profile([view(1, "blog"), view(2, "blog"), view(3, "pricing")])
    assert p.pattern is InterestPattern.NONE
    assert (p.top_product, p.top_category, p.dominant_interest) == (None, "blog", "blog")
    assert p.focus == 0.0
    assert p.page_views == 3


def test_ties_go_to_the_most_recent() -> None:
    """Two products viewed twice each: the one seen last is the top product."""
    events = [view(1, "product", "crm"), view(2, "product", "ma"), view(3, "product", "crm"),
              view(4, "product", "ma")]
    assert profile(events).top_product == "ma"


def test_views_within_a_window() -> None:
    """views_within keeps only recent page views; purchases still count over all history."""
    old = [view(1, "product", "crm")] * 3 + [act(1, "purchase", amount=10)]
    recent = [view(30, "product", "ma")]
    p = profile(old + recent, InterestPolicy(views_within="7d"))
    assert p.by_product == {"ma": 1}
    assert p.purchases == 1


def test_focus_thresholds_are_settings() -> None:
    """With focus_min_views=2 two CRM views are already focused."""
    p = profile([view(1, "product", "crm"), view(2, "product", "crm")],
                InterestPolicy(focus_min_views=2))
    assert p.pattern is InterestPattern.FOCUSED


# --- purchases and participation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "buyer"),
    [(0, BuyerType.NONE), (1, BuyerType.NEW), (2, BuyerType.REPEAT), (4, BuyerType.REPEAT),
     (5, BuyerType.HEAVY), (9, BuyerType.HEAVY)],
)
def test_purchase_history(count: int, buyer: BuyerType) -> None:
    """One purchase is new, 2 to 4 repeat, 5 or more heavy (heavy_min=5)."""
    events = [act(d + 1, "purchase", amount=100.5) for d in range(count)]
    p = profile(events)
    assert (p.purchases, p.buyer) == (count, buyer)
    assert p.purchase_amount == pytest.approx(100.5 * count)


@pytest.mark.parametrize(
    ("count", "level"),
    [(0, ParticipationLevel.NONE), (1, ParticipationLevel.FIRST_TIMER),
     (2, ParticipationLevel.REPEAT), (3, ParticipationLevel.ENTHUSIAST)],
)
def test_participation(count: int, level: ParticipationLevel) -> None:
    """Webinars and seminars count: once is a first-timer, three times an enthusiast."""
    kinds = ["webinar", "event_attended", "webinar"][:count]
    p = profile([act(d + 1, k) for d, k in enumerate(kinds)])
    assert (p.participations, p.participation) == (count, level)


def test_other_leads_future_events_and_duplicates() -> None:
    """Events of other leads and after as_of are ignored; an id counts once."""
    dup = Event(lead_id="L1", type="purchase", at=datetime(2026, 3, 1, tzinfo=UTC), id="p1")
    later = Event(lead_id="L1", type="purchase", at=AS_OF + timedelta(days=1))
    p = profile([dup, dup, later, view(2, "product", "crm", lead_id="L2")])
    assert (p.purchases, p.page_views) == (1, 0)


def test_to_dict_is_json() -> None:
    """to_dict is plain data."""
    p = profile([view(1, "product", "crm"), act(2, "webinar")])
    data = json.loads(json.dumps(p.to_dict()))
    assert data["top_product"] == "crm"
    assert data["participation"] == "first_timer"


# --- policy as data ---------------------------------------------------------------------------


def test_policy_round_trip_and_errors() -> None:
    """The policy round-trips; bad and unknown keys are all reported."""
    policy = InterestPolicy(views_within="P3M", heavy_min=10, participation_types=["webinar"])
    assert InterestPolicy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy
    with pytest.raises(InvalidModelError) as exc:
        InterestPolicy.from_dict({"heavy_min": 0, "focus_min_share": 2, "purchase_type": []})
    by_path = {e.path: e for e in exc.value.errors}
    assert set(by_path) == {"heavy_min", "focus_min_share", "purchase_type"}
    assert by_path["purchase_type"].hint == "did you mean 'purchase_types'?"


def test_bad_arguments() -> None:
    """A lead that is not a Lead, or a policy that is not one, is an InvalidValueError."""
    with pytest.raises(InvalidValueError):
        interest_profile("L1", [], as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        interest_profile(LEAD, [], as_of=AS_OF, policy={})  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"events\[0\]"):
        interest_profile(LEAD, [None], as_of=AS_OF)  # type: ignore[list-item]


@given(stage_histories(), st.randoms(use_true_random=False))
def test_order_does_not_matter(events: list[Event], rnd: random.Random) -> None:
    """The profile does not depend on the order of the events."""
    shuffled = list(events)
    rnd.shuffle(shuffled)
    as_of = T0 + timedelta(days=90)
    assert interest_profile(LEAD, shuffled, as_of=as_of) == interest_profile(
        LEAD, events, as_of=as_of
    )
