"""Cookies of the sample: browsing done before a visitor was known, and visitors never known.

A lead whose first form fill (``form_submit``) came after some browsing, and browsing
only (page views and downloads), browsed anonymously until then: that browsing is recorded
under a cookie id (``cookie-…``) linked to the lead from the moment of the form fill (an
:class:`~leadscoring.Identity`). Some of them changed device
on the way: their earlier visits are under a first cookie, linked to the second at the same
moment (a chain: first cookie, second cookie, lead).

A cookie's events keep the ids they had in the lead's history (``L0007-E001``, ...) and the
lead's own events are numbered from ``E001`` again, so the same id string comes from two
sources, as it does when two systems number their records the same way: ids are unique per
source, and the engines keep both.

A few other cookies are never identified: visitors who belong to no lead.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from ..core.event import Event
from ..core.identity import Identity
from ._journey import Campaign, Journey, Page

__all__ = ["Identified", "anonymous_visitors", "cookie_id", "identify"]

_CHAIN_SHARE = 0.25
_WEB_TYPES = frozenset({"page_view", "download"})
_VISIT_GAP = timedelta(minutes=30)
_BROWSING: tuple[Page, ...] = (
    "blog", "pricing", ("product", "crm"), ("product", "ma"), "case_study", "company", "careers",
    "faq",
)  # fmt: skip


@attrs.frozen(kw_only=True)
class Identified:
    """One lead's cookies: who recorded each of its first events (``sources``), the links,
    and who each cookie really is (``(alias, lead id, at)``: the lead, for every cookie)."""

    sources: tuple[str, ...]
    links: tuple[Identity, ...]
    truth: tuple[tuple[str, str, datetime], ...]


def cookie_id(rng: random.Random, taken: set[str]) -> str:
    """A new cookie id, ``cookie-`` and ten hex digits, not in ``taken`` (then taken)."""
    while True:
        cookie = f"cookie-{rng.getrandbits(40):010x}"
        if cookie not in taken:
            taken.add(cookie)
            return cookie


def identify(rng: random.Random, journey: Journey, taken: set[str]) -> Identified | None:
    """The cookies of a lead whose first form fill came after browsing only, or ``None``."""
    records = journey.records()
    at = next((r[0] for r in records if r[1] == "form_submit"), None)
    if at is None:
        return None
    before = [r for r in records if r[0] < at]
    if not before or any(r[1] not in _WEB_TYPES for r in before):
        return None
    visits = _visits([r[0] for r in before])
    cookie = cookie_id(rng, taken)
    links = [Identity(alias=cookie, lead_id=journey.lead_id, at=at)]
    truth = [(cookie, journey.lead_id, at)]
    sources = [cookie] * len(before)
    if len(visits) >= 2 and rng.random() < _CHAIN_SHARE:  # a device change on the way
        first = cookie_id(rng, taken)
        links.append(Identity(alias=first, lead_id=cookie, at=at))
        truth.append((first, journey.lead_id, at))
        split = sum(visits[: rng.randrange(1, len(visits))])
        sources[:split] = [first] * split
    return Identified(sources=tuple(sources), links=tuple(links), truth=tuple(truth))


def _visits(times: Sequence[datetime]) -> list[int]:
    """The number of events in each visit (a new visit after 30 minutes without one)."""
    sizes: list[int] = []
    for n, at in enumerate(times):
        if n and at - times[n - 1] < _VISIT_GAP:
            sizes[-1] += 1
        else:
            sizes.append(1)
    return sizes


def anonymous_visitors(
    rng: random.Random,
    count: int,
    as_of: datetime,
    calendar: Sequence[Campaign],
    taken: set[str],
) -> list[Event]:
    """The events of ``count`` cookies that are never identified: one to three visits each."""
    out: list[Event] = []
    for _ in range(count):
        journey = Journey(cookie_id(rng, taken), rng, as_of, calendar)
        day = rng.randint(1, 360)
        for _ in range(rng.randint(1, 3)):
            pages = rng.sample(_BROWSING, rng.randint(1, 3))
            journey.visit(day, pages, pricing_dwell=(10, 200))
            day = max(1, day - rng.randint(1, 40))
        out += journey.finish()
    return out
