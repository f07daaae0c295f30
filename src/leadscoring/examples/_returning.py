"""Personas that go silent and (mostly) come back: lost deals, customers, surges.

Their returns are the planted reactivations of the sample (see ``_personas``): each comes
after at least 124 silent days, following a history whose median gap is a few days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..core.lead import LeadStatus
from ._journey import PRODUCTS, Journey, Outcome, Page, forward

__all__ = [
    "customer_return",
    "deal",
    "lost_deal_return",
    "lost_silent",
    "onboarding",
    "surge_after_silence",
]


def deal(j: Journey, last_ago: int, product: str) -> datetime:
    """A journey that ends in an inquiry ``last_ago`` days back; returns the last event."""
    rng = j.rng
    gaps = [rng.randint(1, 7) for _ in range(rng.randint(3, 5))]
    days = forward(last_ago + sum(gaps), gaps)
    pool: list[Page] = [("service", product), "case_study", "pricing", "faq", ("product", product)]
    j.visit(days[0], [("service", product), "case_study"])
    for day in days[1:-1]:
        j.visit(day, rng.sample(pool, 3), pricing_dwell=(60, 300))
    start = j.visit(days[-1], ["pricing", "contact"], pricing_dwell=(60, 300))
    last = j.add("inquiry", j.after(start, 1800, 3600), product=product)
    if rng.random() < 0.5:
        last = j.add("demo_request", j.after(start, 3700, 7200), product=product)
    return last


def onboarding(j: Journey, last_ago: int, product: str) -> tuple[datetime, list[int]]:
    """A deal, a purchase and a few weeks of onboarding visits, the last ``last_ago`` days
    back; returns the purchase time and the days-ago of the onboarding visits."""
    rng = j.rng
    gaps = [rng.randint(3, 10) for _ in range(rng.randint(1, 2))]
    days = forward(last_ago + sum(gaps), gaps)
    bought_ago = days[0] + rng.randint(5, 20)
    deal(j, bought_ago + rng.randint(10, 30), product)
    amount = rng.choice((600_000, 1_200_000, 2_400_000, 4_800_000))
    bought = j.add("purchase", j.day(bought_ago), product=product, amount=amount)
    for day in days:
        j.visit(day, rng.sample([("product", product), "faq", "blog"], rng.randint(1, 2)))
    return bought, days


def _come_back(j: Journey, days: list[int], first: Page, pool: Sequence[Page]) -> datetime:
    rng = j.rng
    start = j.visit(days[0], [first, rng.choice(pool)], pricing_dwell=(60, 300))
    for day in days[1:]:
        j.visit(day, rng.sample(list(pool), 2), pricing_dwell=(60, 300))
    return start


def _return_days(j: Journey) -> list[int]:
    rng = j.rng
    gaps = [rng.randint(2, 6) for _ in range(rng.randint(0, 3))]
    return forward(sum(gaps) + rng.randint(1, 45), gaps)


def lost_deal_return(j: Journey) -> Outcome:
    rng = j.rng
    product = rng.choice(PRODUCTS)
    back = _return_days(j)
    last = deal(j, back[0] + rng.randint(125, 180), product)
    changed = last + timedelta(days=rng.randint(14, 60))
    first: Page = rng.choice((("service", product), "pricing"))
    pool: list[Page] = ["pricing", ("service", product), "case_study", "faq", "contact"]
    returned = _come_back(j, back, first, pool)
    return Outcome(
        status=LeadStatus.LOST,
        status_changed_at=changed,
        returned=("lost_deal_return", returned),
    )


def lost_silent(j: Journey) -> Outcome:
    rng = j.rng
    last = deal(j, rng.randint(100, 300), rng.choice(PRODUCTS))
    changed = min(last + timedelta(days=rng.randint(14, 60)), j.as_of)
    return Outcome(status=LeadStatus.LOST, status_changed_at=changed)


def customer_return(j: Journey) -> Outcome:
    rng = j.rng
    product, other = rng.sample(PRODUCTS, 2)
    back = _return_days(j)
    bought, _ = onboarding(j, back[0] + rng.randint(125, 180), product)
    first: Page = rng.choice((("service", other), ("product", other), "pricing"))
    pool: list[Page] = [("service", other), ("product", other), "pricing", "case_study"]
    returned = _come_back(j, back, first, pool)
    return Outcome(
        status=LeadStatus.WON,
        status_changed_at=bought,
        returned=("customer_return", returned),
    )


def surge_after_silence(j: Journey) -> Outcome:
    rng = j.rng
    product = rng.choice(PRODUCTS)
    gaps = [rng.randint(1, 4), rng.randint(1, 4)]
    gaps += [rng.randint(2, 8) for _ in range(rng.randint(0, 3))]
    burst = forward(sum(gaps) + rng.randint(1, 45), gaps)
    history_gaps = [rng.randint(2, 15) for _ in range(rng.randint(2, 5))]
    history = forward(burst[0] + rng.randint(125, 180) + sum(history_gaps), history_gaps)
    for day in history:
        j.visit(day, [rng.choice(("blog", "blog", ("product", product)))])
    pool: list[Page] = [("service", product), ("product", product), "pricing", "case_study"]
    returned = start = j.visit(burst[0], [rng.choice(pool)], pricing_dwell=(30, 300))
    for day in burst[1:]:
        start = j.visit(day, rng.sample(pool, rng.randint(1, 2)), pricing_dwell=(30, 300))
    if rng.random() < 0.3:
        j.add("inquiry", j.after(start, 1800, 3600), product=product)
    return Outcome(returned=("return_after_silence", returned))
