"""Building one lead's events: visits of page views, emails, forms (sample data internals).

Times are laid out in whole days counted back from ``as_of``; each day gets a random time
inside Japanese business hours (09:00-19:00 JST, i.e. 00:00-10:00 UTC), so a moment
``days_ago >= 1`` days back is always before ``as_of``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from ..core.aliases import Scalar
from ..core.event import Event
from ..core.lead import LeadStatus

__all__ = [
    "ACTIVITY_FREE_TYPES",
    "PRODUCTS",
    "Campaign",
    "Journey",
    "Outcome",
    "Page",
    "Record",
    "campaigns",
    "forward",
]

PRODUCTS = ("crm", "ma", "sfa")
"""The sample vendor sells three products: CRM, marketing automation, sales force automation."""

ACTIVITY_FREE_TYPES = frozenset({"bounce", "unsubscribe"})
"""Event types that are not activity (the default ``DormancyPolicy.ignore_types``)."""

_BUSINESS_HOURS_S = 10 * 3600

_BLOG_SLUGS = (
    "what-is-marketing-automation",
    "lead-nurturing-basics",
    "email-open-rate-tips",
    "dx-for-manufacturing",
    "crm-vs-sfa",
    "hot-lead-checklist",
    "webinar-marketing-guide",
    "inside-sales-playbook",
    "content-marketing-kpi",
    "seo-for-b2b",
    "remote-sales-tools",
    "customer-success-101",
)
_CASE_STUDIES = (
    "precision-parts-maker",
    "saas-startup-growth",
    "regional-retail-chain",
    "regional-bank",
    "clinic-network",
    "it-services-firm",
    "logistics-company",
)
_CAREERS = ("sales", "engineering", "marketing", "new-graduates")

# Dwell time ranges in seconds per page category.
_DWELL = {
    "blog": (25, 300),
    "product": (30, 240),
    "service": (40, 260),
    "case_study": (60, 420),
    "pricing": (15, 90),
    "faq": (20, 200),
    "company": (15, 120),
    "contact": (10, 90),
    "careers": (30, 240),
}


@attrs.frozen(kw_only=True)
class Campaign:
    """An email send: its name (the ``campaign`` property) and when it went out."""

    name: str
    sent_at: datetime
    kind: str


def campaigns(as_of: datetime) -> tuple[Campaign, ...]:
    """The sample vendor's email calendar for the year before ``as_of``, oldest first.

    A monthly newsletter, a webinar invitation every two months and a quarterly
    case-study digest; no two sends are more than 30 days apart.
    """
    sends: list[tuple[int, str]] = []
    sends += [(30 * k - 12, "newsletter") for k in range(1, 13)]
    sends += [(60 * k - 40, "webinar-invite") for k in range(1, 7)]
    sends += [(90 * k - 5, "case-study-digest") for k in range(1, 5)]
    out = []
    for days_ago, kind in sends:
        sent_at = as_of - timedelta(days=days_ago) + timedelta(hours=1)
        sent_at = sent_at.replace(minute=0, second=0, microsecond=0)
        out.append(Campaign(name=f"{kind}-{sent_at:%Y%m%d}", sent_at=sent_at, kind=kind))
    return tuple(sorted(out, key=lambda c: c.sent_at))


Page = str | tuple[str, str]
"""A page to visit: a category, or ``(category, product)`` for product and service pages."""

Record = tuple[datetime, str, dict[str, Scalar]]
"""One recorded event: its time, type and properties."""


class Journey:
    """Collects one lead's events; :meth:`finish` sorts them and gives them ids."""

    __slots__ = ("_records", "as_of", "campaigns", "lead_id", "rng")

    def __init__(
        self, lead_id: str, rng: random.Random, as_of: datetime, calendar: Sequence[Campaign]
    ) -> None:
        self.lead_id = lead_id
        self.rng = rng
        self.as_of = as_of
        self.campaigns = tuple(calendar)
        self._records: list[Record] = []

    # -- time -------------------------------------------------------------------------

    def day(self, days_ago: int) -> datetime:
        """A random business-hours moment ``days_ago`` (at least 1) days before ``as_of``."""
        start = self.as_of - timedelta(days=max(days_ago, 1))
        return start + timedelta(seconds=self.rng.randrange(_BUSINESS_HOURS_S))

    def last_activity(self, before: datetime | None = None) -> datetime | None:
        """The latest activity event (not a bounce or unsubscribe) before ``before``."""
        times = [
            at
            for at, type_, _ in self._records
            if type_ not in ACTIVITY_FREE_TYPES and (before is None or at < before)
        ]
        return max(times, default=None)

    def activity_times(self) -> list[datetime]:
        """The times of all activity events so far, oldest first."""
        return sorted(at for at, type_, _ in self._records if type_ not in ACTIVITY_FREE_TYPES)

    # -- events -----------------------------------------------------------------------

    def add(self, type_: str, at: datetime, **properties: Scalar) -> datetime:
        """Record one event (dropped when it would fall after ``as_of``); returns ``at``."""
        if at <= self.as_of:
            self._records.append((at, type_, properties))
        return at

    def page(self, at: datetime, page: Page, *, dwell: tuple[int, int] | None = None) -> int:
        """Record a page view at ``at``; returns the dwell time in seconds."""
        category, product = (page, None) if isinstance(page, str) else page
        low, high = dwell or _DWELL[category]
        duration = self.rng.randint(low, high)
        props: dict[str, Scalar] = {"category": category, "duration_s": duration}
        if category in ("product", "service"):
            product = product or self.rng.choice(PRODUCTS)
            props["product"] = product
            base = "/products" if category == "product" else "/services"
            props["url"] = f"{base}/{product}"
        else:
            props["url"] = self._url(category)
        self.add("page_view", at, **props)
        return duration

    def _url(self, category: str) -> str:
        if category == "blog":
            return f"/blog/{self.rng.choice(_BLOG_SLUGS)}"
        if category == "case_study":
            return f"/case-studies/{self.rng.choice(_CASE_STUDIES)}"
        if category == "careers":
            return f"/careers/{self.rng.choice(_CAREERS)}"
        return "/" + category.replace("_", "-")

    def visit(
        self,
        days_ago: int,
        pages: Sequence[Page],
        *,
        pricing_dwell: tuple[int, int] | None = None,
    ) -> datetime:
        """Record one visit (a session of page views one after another); returns its start."""
        start = at = self.day(days_ago)
        for page in pages:
            dwell = pricing_dwell if page == "pricing" else None
            seconds = self.page(at, page, dwell=dwell)
            at += timedelta(seconds=seconds + self.rng.randint(2, 30))
        return start

    def after(self, at: datetime, low_s: int = 60, high_s: int = 900) -> datetime:
        """A moment a few minutes (``low_s``..``high_s`` seconds) after ``at``."""
        return at + timedelta(seconds=self.rng.randint(low_s, high_s))

    def email(self, campaign: Campaign, *, click: bool = False) -> datetime | None:
        """Open (and maybe click) ``campaign`` within three days of the send."""
        opened = campaign.sent_at + timedelta(minutes=self.rng.randint(5, 72 * 60))
        if opened > self.as_of:
            return None
        self.add("email_open", opened, campaign=campaign.name)
        if click:
            target = "/webinars" if campaign.kind == "webinar-invite" else self._url("blog")
            if campaign.kind == "case-study-digest":
                target = self._url("case_study")
            self.add("email_click", self.after(opened, 5, 300), campaign=campaign.name, url=target)
        return opened

    def records(self) -> list[Record]:
        """The records so far, ``(at, type, properties)``, oldest first."""
        return sorted(self._records, key=_record_key)

    def finish(self) -> tuple[Event, ...]:
        """The events, oldest first, with ids ``<lead id>-E001``, ``-E002``, ..."""
        return self.split(())[0]

    def split(self, sources: Sequence[str]) -> tuple[tuple[Event, ...], tuple[Event, ...]]:
        """The lead's own events and those recorded under other ``sources`` (cookies).

        The first ``len(sources)`` events, oldest first, are recorded under those sources,
        with the ids they have in the lead's history (``<lead id>-E001``, ...); the rest
        are the lead's own, numbered from ``<lead id>-E001`` again (two sources that
        number their events the same way).
        """
        records = self.records()
        prefix = self.lead_id
        theirs = tuple(
            Event(lead_id=source, type=type_, at=at, properties=props, id=f"{prefix}-E{n:03d}")
            for n, (source, (at, type_, props)) in enumerate(
                zip(sources, records, strict=False), start=1
            )
        )
        own = tuple(
            Event(lead_id=prefix, type=type_, at=at, properties=props, id=f"{prefix}-E{n:03d}")
            for n, (at, type_, props) in enumerate(records[len(theirs) :], start=1)
        )
        return own, theirs


def _record_key(record: Record) -> tuple[object, ...]:
    at, type_, props = record
    return (at, type_, sorted((k, repr(v)) for k, v in props.items()))


@attrs.frozen(kw_only=True)
class Outcome:
    """Where a persona leaves its lead: status, and the first returning event if planted."""

    status: LeadStatus = LeadStatus.OPEN
    status_changed_at: datetime | None = None
    returned: tuple[str, datetime] | None = None


def forward(start_ago: int, gaps: Sequence[int]) -> list[int]:
    """Days-ago of visits starting ``start_ago`` days back, each ``gap`` days after the last."""
    days = [start_ago]
    for gap in gaps:
        days.append(days[-1] - gap)
    return days
