"""Accounts of the sample: buying groups, their roles, and the planted account returns.

About 60% of the leads (never students or job seekers) work at a company with other
leads: an account of 2 to 6 members who share its industry and company size and each hold
a buying-group role (:data:`ROLES`, the ``buying_role`` attribute; ``role`` stays the
person's job). Accounts are drawn from leads of one attribute profile
(the personas with good journeys share accounts, as in real data), and a lead joins only
when the union of the members' activity keeps no 90-day gap between two activity events,
with and without the cookies' browsing: an account never comes back from a silence the
generator did not plant.

The ``account_return`` persona's leads are built here as accounts of their own: a
customer (``WON``) or lost deal (``LOST``) whose people all fall silent for 124 days or
more, then come back within ten days, several of them, each with a visit of one or two
page views. Old members come back only to pages that are no intent on their own (blog,
FAQ, company profile), so no member alone is a reactivation; at least one member is new
(no history at all) and opens with an intent page view, so the account is one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from ..core.event import Event
from ..core.lead import LeadStatus
from ._journey import ACTIVITY_FREE_TYPES, PRODUCTS, Campaign, Journey, Page
from ._personas import Draft
from ._returning import deal, onboarding

__all__ = ["ACCOUNT_SHARE", "ROLES", "AccountReturn", "assign", "group", "plant_returns"]

ROLES: tuple[str, ...] = ("decision_maker", "champion", "influencer", "user")
"""The buying-group roles of account members (the ``role`` attribute)."""

ACCOUNT_SHARE = 0.6
"""The share of the leads that belong to an account."""

_NO_GAP = timedelta(days=90)
_BURST_WITHIN = timedelta(days=14)
_INTENT = frozenset({"service", "product", "pricing", "case_study"})
_QUIET_PAGES: tuple[Page, ...] = ("blog", "faq", "company")
_SIZES = (2, 2, 3, 3, 3, 4, 4, 5, 6)
_TRIES = 12
_COMPLETE_SHARE = 0.6
_ENGAGING_TYPES = frozenset(
    {"email_open", "email_click", "download", "webinar", "event_attended", "inquiry",
     "demo_request"}
)  # fmt: skip


@attrs.frozen(kw_only=True)
class AccountReturn:
    """A planted account return: its members (the first is the account's main contact)
    and when the account's silence began and ended."""

    members: tuple[Draft, ...]
    kind: str
    at: datetime
    silent_since: datetime
    returned_at: datetime


# -- planted account returns -------------------------------------------------------------


def plant_returns(
    rng: random.Random, drafts: Sequence[Draft], as_of: datetime, calendar: Sequence[Campaign]
) -> list[AccountReturn]:
    """Build the ``account_return`` leads as accounts of 2 to 5 (3 or more when there are
    enough), customers and lost deals in turn; a lone lead gets its persona's own journey."""
    sizes = _sizes(rng, len(drafts))
    won = rng.random() < 0.5
    out: list[AccountReturn] = []
    start = 0
    for size in sizes:
        out.append(_account_return(rng, drafts[start : start + size], as_of, calendar, won))
        start += size
        won = not won
    for draft in drafts[start:]:
        journey = Journey(draft.id, rng, as_of, calendar)
        draft.settle(journey, draft.persona.build(journey))
    return out


def _sizes(rng: random.Random, count: int) -> list[int]:
    sizes = []
    left = count
    while left >= 2:
        size = left if left <= 5 else rng.randint(3, min(5, left - 3))
        sizes.append(size)
        left -= size
    return sizes


def _account_return(
    rng: random.Random,
    members: Sequence[Draft],
    as_of: datetime,
    calendar: Sequence[Campaign],
    won: bool,
) -> AccountReturn:
    journeys = [Journey(m.id, rng, as_of, calendar) for m in members]
    new = 1 if len(members) <= 3 else rng.choice((1, 2))
    old = journeys[:-new]
    back = rng.randint(10, 60)  # days ago of the first day back
    last_ago = back + rng.randint(125, 180)  # the history's last day
    product = rng.choice(PRODUCTS)
    main = old[0]
    if won:
        changed, _ = onboarding(main, last_ago, product)
    else:
        changed = deal(main, last_ago, product) + timedelta(days=rng.randint(14, 60))
    pool: list[Page] = [
        ("service", product), "case_study", "pricing", "faq", ("product", product), "company",
    ]  # fmt: skip
    for colleague in old[1:]:
        for _ in range(rng.randint(1, 3)):
            pages = rng.sample(pool, rng.randint(1, 3))
            colleague.visit(rng.randint(last_ago, last_ago + 30), pages, pricing_dwell=(30, 240))
    returning = old if len(old) <= 2 else rng.sample(old, len(old) - 1)
    for j in returning:  # the old contacts drift back first, then someone new looks closer
        j.visit(rng.randint(back - 3, back), rng.sample(_QUIET_PAGES, rng.randint(1, 2)))
    intent: tuple[Page, ...] = ("pricing", ("service", product), ("product", product), "case_study")
    for j in journeys[-new:]:
        pages = [rng.choice(intent)]
        if rng.random() < 0.5:
            pages.append(rng.choice(("faq", "company", "case_study", "pricing")))
        j.visit(rng.randint(back - 9, back - 4), pages, pricing_dwell=(60, 300))
    status = LeadStatus.WON if won else LeadStatus.LOST
    for n, (draft, journey) in enumerate(zip(members, journeys, strict=True)):
        draft.status = status
        draft.status_changed_at = changed + timedelta(hours=rng.randint(0, 48) if n else 0)
        draft.events = journey.finish()
    cut = as_of - timedelta(days=back)
    union = sorted(
        (e for m in members for e in m.events if e.type not in ACTIVITY_FREE_TYPES),
        key=lambda e: e.at,
    )
    history = [e.at for e in union if e.at < cut]
    came_back = [e for e in union if e.at >= cut]
    latest_change = max(m.status_changed_at or changed for m in members)
    at = _completed(came_back)
    if not history or at is None or latest_change >= came_back[0].at:  # pragma: no cover
        raise RuntimeError("sample generator bug: malformed account return")
    return AccountReturn(
        members=tuple(members),
        kind="customer_return" if won else "lost_deal_return",
        at=at,
        silent_since=max(history),
        returned_at=came_back[0].at,
    )


def _completed(came_back: Sequence[Event]) -> datetime | None:
    """When a return of a lost deal or customer completes (the dormancy contract): the
    first intent page view among the first three returning events within 14 days of the
    first, else the third of them."""
    for n, event in enumerate(came_back[:3]):
        if event.at - came_back[0].at > _BURST_WITHIN:
            return None
        if event.type == "page_view" and event.properties.get("category") in _INTENT:
            return event.at
        if n == 2:
            return event.at
    return None


# -- grouping the other leads ------------------------------------------------------------

Runs = list[tuple[datetime, datetime]]


def runs(times: Iterable[datetime]) -> Runs:
    """The stretches of activity of sorted ``times``: each gap inside one is under 90 days."""
    out: Runs = []
    for at in times:
        if out and at - out[-1][1] < _NO_GAP:
            out[-1] = (out[-1][0], at)
        else:
            out.append((at, at))
    return out


def _joined(stretches: Runs) -> Runs | None:
    """The union of ``stretches`` as one, or ``None`` if it leaves a 90-day gap."""
    if not stretches:
        return []
    ordered = sorted(stretches)
    reach = ordered[0][1]
    for start, end in ordered[1:]:
        if start - reach >= _NO_GAP:
            return None
        reach = max(reach, end)
    return [(ordered[0][0], reach)]


def group(
    rng: random.Random,
    drafts: Sequence[Draft],
    full: Mapping[str, Runs],
    own: Mapping[str, Runs],
    wanted: int,
) -> list[list[Draft]]:
    """About ``wanted`` of ``drafts`` in accounts of 2 to 6, each drawn from the leads of
    one profile and one industry (so that grouping keeps every lead's own industry);
    ``full`` and ``own`` are each lead's activity stretches with and without its cookies."""
    pools: dict[tuple[str, str], list[Draft]] = {}
    for draft in drafts:
        key = (draft.persona.profile, str(draft.attributes["industry"]))
        pools.setdefault(key, []).append(draft)
    out: list[list[Draft]] = []
    for profile in sorted(pools):
        pool = pools[profile]
        rng.shuffle(pool)
        out += _fill(rng, pool, round(wanted * len(pool) / len(drafts)), full, own)
    return out


def _fill(
    rng: random.Random,
    pool: list[Draft],
    need: int,
    full: Mapping[str, Runs],
    own: Mapping[str, Runs],
) -> list[list[Draft]]:
    out: list[list[Draft]] = []
    while need >= 2 and len(pool) >= 2:
        size = min(rng.choice(_SIZES), need)
        first = pool.pop()
        members = [first]
        with_cookies, without = full[first.id], own[first.id]
        for _ in range(_TRIES):
            if len(members) >= size or not pool:
                break
            k = rng.randrange(len(pool))
            candidate = pool[k]
            a = _joined(with_cookies + full[candidate.id])
            b = _joined(without + own[candidate.id]) if a is not None else None
            if a is None or b is None:
                continue
            pool[k] = pool[-1]
            pool.pop()
            members.append(candidate)
            with_cookies, without = a, b
        if len(members) >= 2:
            out.append(members)
            need -= len(members)
    return out


# -- account ids, shared attributes and roles --------------------------------------------


def engaged(events: Iterable[Event]) -> bool:
    """Whether a member's own events make them engaged: a page view (careers aside), an
    email open or click, a download, a webinar or seminar, a document request, a contact
    form, an inquiry or a demo request, and no unsubscribe or bounce."""
    found = False
    for e in events:
        if e.type in ACTIVITY_FREE_TYPES:
            return False
        found = found or (
            (e.type == "page_view" and e.properties.get("category") != "careers")
            or e.type in _ENGAGING_TYPES
            or (e.type == "form_submit" and e.properties.get("form") != "newsletter")
        )
    return found


def assign(
    rng: random.Random, groups: Sequence[Sequence[Draft]], order: Mapping[str, int]
) -> list[str]:
    """Number the accounts (``A0001``, ... in the order of their first member), give each
    member the account's industry and size and a role; returns the ids of the accounts
    whose buying group is complete (every role held by an engaged member)."""
    width = max(4, len(str(len(groups))))
    ranked = sorted(groups, key=lambda members: min(order[m.id] for m in members))
    complete: list[str] = []
    for number, members in enumerate(ranked, start=1):
        account_id = f"A{number:0{width}d}"
        anchor = members[0].attributes
        active = [m for m in members if engaged(m.events)]
        whole = len(active) >= len(ROLES) and rng.random() < _COMPLETE_SHARE
        if whole:
            roles = dict(zip((m.id for m in rng.sample(active, len(ROLES))), ROLES, strict=True))
            held = ROLES[1:]
            complete.append(account_id)
        else:
            missing = rng.choice(ROLES)
            roles = {}
            held = tuple(r for r in ROLES if r != missing)
        for m in sorted(members, key=lambda m: order[m.id]):
            m.account_id = account_id
            m.attributes["industry"] = anchor["industry"]
            m.attributes["company_size"] = anchor["company_size"]
            m.attributes["buying_role"] = roles.get(m.id) or rng.choice(held)
    return complete
