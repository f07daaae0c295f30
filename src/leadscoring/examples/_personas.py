"""The personas of the sample dataset and how each one's journey unfolds.

Every persona builds one lead's events into a :class:`Journey` and says where the lead
stands with sales. Journeys are built so that ground truth is unambiguous:

- leads without a planted reactivation never go 90 days without activity between two
  activity events (they may fall silent at the end: that is dormancy, not a return);
- planted returns come after at least 124 days of silence, after a history whose median
  gap is a few days at most (so the silence threshold is the policy's ``dormant_after``);
- a lost deal's or customer's first returning event is an intent page view (service,
  product, pricing or case study) after its status changed; a surge after silence brings
  at least three visits within nine days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import attrs

from ..core.aliases import Scalar
from ..core.event import Event
from ..core.lead import LeadStatus
from ._journey import PRODUCTS, Journey, Outcome, Page, forward
from ._returning import customer_return, lost_deal_return, lost_silent, surge_after_silence

__all__ = ["PERSONAS", "Draft", "Persona"]

_SURVEY_PAGES: tuple[Page, ...] = ("blog", "product", "company", "pricing", "careers", "faq")
_JOB_HUNT: tuple[list[Page], ...] = (["careers", "company"], ["careers"] * 2, ["blog", "careers"])
_WEBINARS = (
    "lead-scoring-in-practice",
    "from-cold-to-hot-nurturing",
    "dx-for-manufacturers",
    "crm-migration-checklist",
)


@attrs.frozen(kw_only=True)
class Persona:
    """A kind of lead: name, share of the sample, attribute profile, lead sources, journey."""

    name: str
    description: str
    weight: int
    profile: str
    sources: tuple[str, ...]
    build: Callable[[Journey], Outcome]
    with_account: bool = False
    """Built together with the other members of its account (``_accounts``); ``build``
    is then the journey of a lead left without colleagues (a sample too small)."""


@attrs.define(kw_only=True)
class Draft:
    """One lead while the sample is made: its persona, attributes, status and events are
    settled step by step (journeys, accounts, cookies) before the :class:`Lead` is."""

    id: str
    persona: Persona
    attributes: dict[str, Scalar]
    status: LeadStatus = LeadStatus.OPEN
    status_changed_at: datetime | None = None
    events: tuple[Event, ...] = ()
    cookie_events: tuple[Event, ...] = ()
    account_id: str | None = None

    def settle(self, journey: Journey, outcome: Outcome, sources: Sequence[str] = ()) -> None:
        """Take the journey's events (the first ones recorded under ``sources``, cookies)
        and the outcome's status."""
        self.status = outcome.status
        self.status_changed_at = outcome.status_changed_at
        self.events, self.cookie_events = journey.split(sources)


def _days_ago(j: Journey, at: datetime) -> int:
    return (j.as_of - at).days


# -- cold and lukewarm -------------------------------------------------------------------


def _blog_reader(j: Journey) -> Outcome:
    rng = j.rng
    gaps = [rng.randint(3, 45) for _ in range(rng.randint(0, 7))]
    days = forward(rng.randint(sum(gaps) + 1, max(sum(gaps) + 1, 340)), gaps)
    starts = [j.visit(d, ["blog"] * rng.choice((1, 1, 1, 2, 3))) for d in days]
    if rng.random() < 0.4:  # subscribes on one of the visits; the newsletter follows
        subscribed = j.after(rng.choice(starts))
        j.add("form_submit", subscribed, form="newsletter")
        for campaign in j.campaigns:
            if subscribed < campaign.sent_at < starts[-1] and rng.random() < 0.35:
                j.email(campaign)
    return Outcome()


def _email_only(j: Journey) -> Outcome:
    rng = j.rng
    sends = j.campaigns
    first = rng.randrange(max(1, len(sends) * 2 // 3))
    last = rng.randrange(first, len(sends))
    open_rate, click_rate = rng.uniform(0.3, 0.8), rng.uniform(0.05, 0.35)
    opened: datetime | None = None
    for campaign in sends[first : last + 1]:
        overdue = opened is None or campaign.sent_at - opened >= timedelta(days=45)
        if overdue or rng.random() < open_rate:
            opened = j.email(campaign, click=rng.random() < click_rate) or opened
    return Outcome()


def _webinar_attendee(j: Journey) -> Outcome:
    rng = j.rng
    invites = [c for c in j.campaigns if c.kind == "webinar-invite"]
    invite = rng.choice(invites)
    j.email(invite, click=True)
    held = invite.sent_at + timedelta(days=rng.randint(7, 12), hours=rng.choice((4, 6)))
    title = rng.choice(_WEBINARS)
    j.add("webinar", held, title=title, minutes=rng.randint(15, 60))
    if rng.random() < 0.6:
        j.add("download", j.after(held, 3600, 86400), asset=f"webinar-slides-{title}")
    product = rng.choice(PRODUCTS)
    day = _days_ago(j, held)
    for _ in range(rng.randint(1, 3)):
        day -= rng.randint(2, 15)
        if day < 1:
            break
        pages: list[Page] = [("product", product), ("service", product), "case_study"]
        j.visit(day, pages[: rng.randint(1, 3)])
    if rng.random() < 0.3 and day - 20 >= 1:
        seminar_day = day - rng.randint(20, min(50, day - 1))
        j.add("event_attended", j.day(seminar_day), event="ma-expo-tokyo")
    return Outcome()


def _unsubscribed(j: Journey) -> Outcome:
    rng = j.rng
    sends = j.campaigns
    first = rng.randrange(len(sends) - 1)
    last = min(first + rng.randint(1, 4), len(sends) - 1)
    for campaign in sends[first:last]:
        j.email(campaign, click=rng.random() < 0.1)
    opened = j.email(sends[last])
    if opened is not None:
        j.add("unsubscribe", j.after(opened, 10, 300), campaign=sends[last].name)
    return Outcome()


def _bounced(j: Journey) -> Outcome:
    rng = j.rng
    campaign = rng.choice(j.campaigns)
    if rng.random() < 0.5:
        day = _days_ago(j, campaign.sent_at) + rng.randint(1, 20)
        for _ in range(rng.randint(1, 2)):
            j.visit(day, [rng.choice(("blog", "product"))])
            day += rng.randint(1, 10)
    j.add("bounce", j.after(campaign.sent_at, 30, 600), campaign=campaign.name, reason="hard")
    return Outcome()


def _job_seeker(j: Journey) -> Outcome:
    rng = j.rng
    day = rng.randint(30, 340)
    for _ in range(rng.randint(1, 3)):
        j.visit(day, rng.choice(_JOB_HUNT))
        day -= rng.randint(1, 10)
    return Outcome()


def _noise(j: Journey) -> Outcome:
    rng = j.rng
    if rng.random() < 0.25:  # imported from a business card, never seen since
        return Outcome()
    day = rng.randint(40, 360)
    for _ in range(rng.randint(1, 3)):
        j.visit(day, [rng.choice(_SURVEY_PAGES)], pricing_dwell=(5, 40))
        day -= rng.randint(1, 30)
    return Outcome()


# -- hot ---------------------------------------------------------------------------------


def _researcher(j: Journey) -> Outcome:
    rng = j.rng
    product = rng.choice(PRODUCTS)
    service: Page = ("service", product)
    gaps = [rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 5), rng.randint(1, 4)]
    days = forward(sum(gaps) + rng.randint(3, 45), gaps)
    j.visit(days[0], [rng.choice(("blog", service)), service])
    j.visit(days[1], [service, "case_study", service])
    j.visit(days[2], ["case_study", service, "case_study"])
    start = j.visit(days[3], [service, "pricing", "faq"], pricing_dwell=(45, 300))
    if rng.random() < 0.6:
        j.add("download", j.after(start, 600, 1800), asset=f"{product}-whitepaper")
    start = j.visit(days[4], ["case_study", "pricing", "contact"], pricing_dwell=(60, 360))
    if rng.random() < 0.7:
        j.add("form_submit", j.after(start, 1800, 2400), form="document_request", product=product)
    if rng.random() < 0.75:
        asked = j.after(start, 2700, 5400)
        how = rng.random()
        if how < 0.25:
            j.add("form_submit", asked, form="contact", product=product)
        else:
            j.add("demo_request" if how < 0.5 else "inquiry", asked, product=product)
    return Outcome()


def _comparer(j: Journey) -> Outcome:
    rng = j.rng
    main, other = rng.sample(PRODUCTS, 2)
    gaps = [rng.randint(1, 6) for _ in range(rng.randint(2, 5))]
    days = forward(sum(gaps) + rng.randint(1, 30), gaps)
    extras: list[Page] = [("product", other), "faq", "company", "case_study", ("service", main)]
    for n, day in enumerate(days):
        pages: list[Page] = [("product", main)] if n == 0 else []
        pages += rng.sample(extras, rng.randint(1, 3))
        if n < 2 or rng.random() < 0.7:
            pages.insert(rng.randint(0, len(pages)), "pricing")
        if n == len(days) - 1:
            pages += ["company", "contact"]
        start = j.visit(day, pages, pricing_dwell=(60, 420))
    if rng.random() < 0.4:
        j.add("download", j.after(start, 1800, 3600), asset="plan-comparison-sheet")
    return Outcome()


# fmt: off
PERSONAS: tuple[Persona, ...] = (
    Persona(
        name="blog_reader",
        description="reads blog articles now and then; stays cold",
        weight=20, profile="general", sources=("organic_search", "social", "newsletter"),
        build=_blog_reader,
    ),
    Persona(
        name="researcher",
        description="service pages, case studies back and forth, pricing, then an inquiry (hot)",
        weight=8, profile="target", sources=("organic_search", "ads", "referral"),
        build=_researcher,
    ),
    Persona(
        name="comparer",
        description="long pricing visits, FAQ, company and contact pages (comparison stage)",
        weight=7, profile="target", sources=("organic_search", "ads", "comparison_site"),
        build=_comparer,
    ),
    Persona(
        name="email_only",
        description="opens and sometimes clicks newsletters; never visits the site",
        weight=12, profile="general", sources=("business_card", "trade_show"),
        build=_email_only,
    ),
    Persona(
        name="webinar_attendee",
        description="registers from an invitation, attends a webinar, looks at products",
        weight=8, profile="target", sources=("webinar", "partner"),
        build=_webinar_attendee,
    ),
    Persona(
        name="lost_deal_return",
        description="a lost deal (失注) that went silent and comes back to service and pricing",
        weight=5, profile="target", sources=("inside_sales", "referral"),
        build=lost_deal_return,
    ),
    Persona(
        name="lost_silent",
        description="a lost deal that went silent and stays silent",
        weight=4, profile="target", sources=("inside_sales", "referral"),
        build=lost_silent,
    ),
    Persona(
        name="customer_return",
        description="a past customer (休眠顧客) who comes back to look at another product",
        weight=5, profile="target", sources=("inside_sales", "referral"),
        build=customer_return,
    ),
    Persona(
        name="surge_after_silence",
        description="months of nothing, then a burst of visits: the obstacle is gone",
        weight=6, profile="target", sources=("organic_search", "newsletter"),
        build=surge_after_silence,
    ),
    Persona(
        name="account_return",
        description="a member of a customer's or lost deal's buying group that comes back "
        "months later through several people, each with a visit or two",
        weight=4, profile="target", sources=("inside_sales", "referral", "trade_show"),
        build=lost_silent, with_account=True,
    ),
    Persona(
        name="unsubscribed",
        description="opens a few emails, then unsubscribes",
        weight=5, profile="general", sources=("business_card", "trade_show"),
        build=_unsubscribed,
    ),
    Persona(
        name="bounced",
        description="an email address that bounces, after a visit or two at most",
        weight=3, profile="general", sources=("business_card", "list_purchase"),
        build=_bounced,
    ),
    Persona(
        name="job_seeker",
        description="careers and company pages: wants a job, not a product",
        weight=4, profile="job_seeker", sources=("organic_search",),
        build=_job_seeker,
    ),
    Persona(
        name="noise",
        description="one to three stray page views, or nothing at all",
        weight=9, profile="general", sources=("organic_search", "business_card", "ads"),
        build=_noise,
    ),
)
# fmt: on
"""Every persona of the sample, with its share (weights sum to 100)."""
