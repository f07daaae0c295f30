"""A synthetic B2B sample: a few hundred leads with a year of realistic journeys.

The data is made up but shaped like a Japanese B2B vendor's marketing automation log:
blog readers who stay cold, researchers who go from service pages to case studies to
pricing to an inquiry, comparers who dwell on the pricing page, newsletter-only contacts,
webinar attendees, lost deals (失注) and past customers (休眠顧客) who come back, bursts of
visits after a long silence, unsubscribes and bounces, and some noise.

Most leads work at a company with other leads (an account, a buying group with roles);
browsing done before a visitor filled in a form is recorded under a cookie, linked to the
lead by an :class:`~leadscoring.Identity`; a few cookies are never identified; and a few
customer and lost-deal accounts come back as a group, through several people, none of
whom alone would count as a return.

It is generated from ``random.Random(seed)`` alone, so the same seed always gives the
same data on every platform. The ground truth is kept alongside (:class:`GroundTruth`):
each lead's persona, every reactivation and account return that was planted, and who
each cookie is, so a detector's recall can be measured.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import attrs

from ..core.aliases import Scalar, Timestamp
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.identity import Identity, IdentityMap
from ..core.lead import Lead
from ..core.mapping import FrozenMap
from ..core.progress import check_progress, track
from ..core.times import to_utc
from ._accounts import ACCOUNT_SHARE, ROLES, Runs, assign, group, plant_returns, runs
from ._identities import anonymous_visitors, identify
from ._journey import ACTIVITY_FREE_TYPES, Journey, campaigns
from ._personas import PERSONAS, Draft, Persona

__all__ = [
    "ACCOUNT_ROLES",
    "PERSONA_NAMES",
    "SAMPLE_AS_OF",
    "GroundTruth",
    "PlantedAccountReturn",
    "PlantedIdentification",
    "PlantedReactivation",
    "SampleDataset",
    "sample_dataset",
]

SAMPLE_AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
"""The moment the sample is observed at: every event happens before it."""

PERSONA_NAMES: tuple[str, ...] = tuple(p.name for p in PERSONAS)
"""The persona names, in the order of their description in the docs."""

ACCOUNT_ROLES: tuple[str, ...] = ROLES
"""The buying-group roles of account members (their ``buying_role`` attribute):
``decision_maker``, ``champion``, ``influencer``, ``user``. Every lead also keeps its job
(``role``), which the fit rules read; leads without an account have no buying role."""

REACTIVATION_KINDS = ("return_after_silence", "lost_deal_return", "customer_return")


@attrs.frozen(kw_only=True)
class PlantedReactivation:
    """A return after silence that the generator put into a lead's history on purpose.

    ``at`` is when a detector should report it: the first returning intent page view of
    a lost deal or a customer, or the third returning activity event of a surge.
    ``silent_since`` is the lead's last activity before the silence, ``returned_at`` its
    first event after it.
    """

    lead_id: str
    kind: str
    at: datetime
    silent_since: datetime
    returned_at: datetime


@attrs.frozen(kw_only=True)
class PlantedAccountReturn:
    """An account that came back as a group: no member alone is a reactivation.

    The account (its members' events united, with the account's status: ``won`` or
    ``lost``, changed at the latest member's change) was silent from ``silent_since``
    (its last activity) to ``returned_at`` (the first event back); ``at`` is when a
    detector should report the return, of ``kind`` ``customer_return`` or
    ``lost_deal_return``.
    """

    account_id: str
    kind: str
    at: datetime
    silent_since: datetime
    returned_at: datetime


@attrs.frozen(kw_only=True)
class PlantedIdentification:
    """Cookie ``alias`` is lead ``lead_id`` from ``at`` (its form fill) on.

    ``lead_id`` is the person, also for a cookie linked through a second cookie (a
    device change): ``SampleDataset.identities.lead_of(alias)`` resolves to it.
    """

    alias: str
    lead_id: str
    at: datetime


def _frozen_map(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return FrozenMap(value)


@attrs.frozen(kw_only=True)
class GroundTruth:
    """What the generator planted: each lead's persona, the reactivations, the account
    returns, who each identified cookie is, and the complete buying groups."""

    personas: Mapping[str, str] = attrs.field(converter=_frozen_map)
    reactivations: tuple[PlantedReactivation, ...]
    account_returns: tuple[PlantedAccountReturn, ...] = ()
    identifications: tuple[PlantedIdentification, ...] = ()
    complete_accounts: tuple[str, ...] = ()
    """The accounts whose buying group is complete: each of :data:`ACCOUNT_ROLES` held by
    a member with engaging events of their own and no unsubscribe or bounce. The others
    lack a role altogether."""

    def lead_ids(self, persona: str) -> tuple[str, ...]:
        """The ids of the leads of ``persona``, in lead order.

        >>> sample_dataset(n_leads=30).planted.lead_ids("researcher")[:2]
        ('L0007', 'L0018')
        """
        return tuple(lead_id for lead_id, name in self.personas.items() if name == persona)


@attrs.frozen(kw_only=True)
class SampleDataset:
    """Leads, their events (oldest first), the observation moment, and the ground truth.

    ``events`` are the leads' own events: every one belongs to a lead of ``leads``.
    ``cookie_events`` were recorded under cookies that ``identities`` link to leads (the
    browsing before a form fill); ``anonymous_events`` under cookies never identified.
    Scoring ``events + cookie_events`` with ``identities=identities`` gives every lead its
    whole history; ``anonymous_events`` belong to no lead (``on_unknown="ignore"``).
    """

    leads: tuple[Lead, ...]
    events: tuple[Event, ...]
    as_of: datetime
    planted: GroundTruth
    cookie_events: tuple[Event, ...] = ()
    anonymous_events: tuple[Event, ...] = ()
    identities: IdentityMap = attrs.field(factory=IdentityMap)

    def events_of(self, lead_id: str) -> tuple[Event, ...]:
        """The events of one lead, oldest first."""
        return tuple(e for e in self.events if e.lead_id == lead_id)

    def accounts(self) -> dict[str, tuple[str, ...]]:
        """Each account id, in order, with its members' lead ids, in lead order.

        >>> members = sample_dataset(n_leads=30).accounts()
        >>> all(2 <= len(ids) <= 6 for ids in members.values())
        True
        """
        out: dict[str, list[str]] = {}
        for lead in self.leads:
            if lead.account_id is not None:
                out.setdefault(lead.account_id, []).append(lead.id)
        return {account: tuple(out[account]) for account in sorted(out)}


def sample_dataset(
    seed: int = 0, n_leads: int = 300, *, as_of: Timestamp = SAMPLE_AS_OF, progress: bool = False
) -> SampleDataset:
    """Generate the sample: ``n_leads`` leads with about a year of events before ``as_of``.

    Personas are allotted by fixed shares (every persona appears once ``n_leads >= 13``)
    and shuffled; attributes and journeys are drawn from ``random.Random(seed)``.
    ``progress=True`` shows a bar over the leads (needs ``tqdm``: the ``progress`` extra).

    >>> data = sample_dataset(seed=1, n_leads=50)
    >>> len(data.leads), data.planted.personas["L0001"] in PERSONA_NAMES
    (50, True)
    >>> all(e.at <= data.as_of for e in data.events)
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidValueError("seed", f"must be an int, got {seed!r}")
    if not isinstance(n_leads, int) or isinstance(n_leads, bool) or n_leads < 0:
        raise InvalidValueError("n_leads", f"must be a non-negative int, got {n_leads!r}")
    observed = to_utc(as_of, "as_of")
    check_progress(progress)
    rng = random.Random(seed)
    calendar = campaigns(observed)
    width = max(4, len(str(n_leads)))
    chosen = [p for p, count in zip(PERSONAS, _allot(n_leads), strict=True) for _ in range(count)]
    rng.shuffle(chosen)

    drafts: list[Draft] = []
    planted: list[PlantedReactivation] = []
    cookie_events: list[Event] = []
    links: list[Identity] = []
    identified: list[PlantedIdentification] = []
    full: dict[str, Runs] = {}  # each lead's stretches of activity, cookies included
    taken: set[str] = set()
    bar = track(chosen, progress=progress, desc="sample leads", unit="leads")
    for number, persona in enumerate(bar, start=1):
        lead_id = f"L{number:0{width}d}"
        draft = Draft(id=lead_id, persona=persona, attributes=_attributes(rng, persona))
        drafts.append(draft)
        if persona.with_account:  # built below, with the other members of its account
            continue
        journey = Journey(lead_id, rng, observed, calendar)
        outcome = persona.build(journey)
        cookies = identify(rng, journey, taken)
        draft.settle(journey, outcome, cookies.sources if cookies else ())
        if cookies is not None:
            full[lead_id] = runs(journey.activity_times())
            cookie_events += draft.cookie_events
            links += cookies.links
            identified += [
                PlantedIdentification(alias=a, lead_id=i, at=t) for a, i, t in cookies.truth
            ]
        if outcome.returned is not None:
            planted.append(_planted(journey, *outcome.returned))

    returns = plant_returns(rng, [d for d in drafts if d.persona.with_account], observed, calendar)
    anonymous = anonymous_visitors(rng, n_leads // 25, observed, calendar, taken)
    own = {d.id: runs(_activity(d.events)) for d in drafts}
    full = {d.id: full.get(d.id, own[d.id]) for d in drafts}
    grouped = [list(r.members) for r in returns]
    wanted = round(ACCOUNT_SHARE * n_leads) - sum(len(g) for g in grouped)
    candidates = [
        d
        for d in drafts
        if not d.persona.with_account
        and d.persona.profile != "job_seeker"
        and d.attributes["role"] != "student"
    ]
    grouped += group(rng, candidates, full, own, wanted)
    order = {d.id: n for n, d in enumerate(drafts)}
    complete = assign(rng, grouped, order)

    leads = tuple(
        Lead(
            id=d.id,
            attributes=d.attributes,
            status=d.status,
            status_changed_at=d.status_changed_at,
            account_id=d.account_id,
        )
        for d in drafts
    )
    account_returns = [
        PlantedAccountReturn(
            account_id=r.members[0].account_id or "",
            kind=r.kind,
            at=r.at,
            silent_since=r.silent_since,
            returned_at=r.returned_at,
        )
        for r in returns
    ]
    planted.sort(key=lambda r: (r.at, r.lead_id))
    account_returns.sort(key=lambda r: (r.at, r.account_id))
    identified.sort(key=lambda i: (i.at, i.alias))
    return SampleDataset(
        leads=leads,
        events=_in_order(e for d in drafts for e in d.events),
        as_of=observed,
        planted=GroundTruth(
            personas={d.id: d.persona.name for d in drafts},
            reactivations=tuple(planted),
            account_returns=tuple(account_returns),
            identifications=tuple(identified),
            complete_accounts=tuple(sorted(complete)),
        ),
        cookie_events=_in_order(cookie_events),
        anonymous_events=_in_order(anonymous),
        identities=IdentityMap(links),
    )


def _activity(events: Iterable[Event]) -> list[datetime]:
    return [e.at for e in events if e.type not in ACTIVITY_FREE_TYPES]


def _in_order(events: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(sorted(events, key=lambda e: (e.at, e.lead_id, e.id or "")))


def _allot(n_leads: int) -> list[int]:
    """Lead counts per persona by largest remainder; each persona at least one if room."""
    total = sum(p.weight for p in PERSONAS)
    exact = [p.weight * n_leads / total for p in PERSONAS]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(PERSONAS)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: n_leads - sum(counts)]:
        counts[i] += 1
    if n_leads >= len(PERSONAS):
        for i, count in enumerate(counts):
            if count == 0:
                counts[counts.index(max(counts))] -= 1
                counts[i] = 1
    return counts


def _planted(journey: Journey, kind: str, returned: datetime) -> PlantedReactivation:
    silent_since = journey.last_activity(before=returned)
    back = [t for t in journey.activity_times() if t >= returned]
    surge = kind == "return_after_silence"
    if silent_since is None or (surge and len(back) < 3):  # pragma: no cover - invariant
        raise RuntimeError(f"sample generator bug: malformed return for {journey.lead_id}")
    at = back[2] if surge else returned
    return PlantedReactivation(
        lead_id=journey.lead_id,
        kind=kind,
        at=at,
        silent_since=silent_since,
        returned_at=returned,
    )


# -- attributes --------------------------------------------------------------------------

_INDUSTRIES = (
    "manufacturing", "it", "retail", "finance", "healthcare",
    "logistics", "construction", "education", "public_sector",
)  # fmt: skip
_INDUSTRY_WEIGHTS = {
    "target": (30, 28, 9, 9, 7, 6, 5, 3, 3),
    "general": (15, 15, 15, 11, 11, 8, 8, 10, 7),
    "job_seeker": (15, 20, 15, 10, 10, 8, 8, 8, 6),
}
_ROLES = ("executive", "manager", "practitioner", "student")
_ROLE_WEIGHTS = {
    "target": (20, 42, 36, 2),
    "general": (8, 24, 54, 14),
    "job_seeker": (0, 5, 40, 55),
}
_SIZES = ((1, 9), (10, 49), (50, 99), (100, 299), (300, 999), (1000, 4999), (5000, 30000))
_SIZE_WEIGHTS = {
    "target": (4, 12, 14, 26, 22, 14, 8),
    "general": (14, 24, 18, 18, 13, 9, 4),
    "job_seeker": (14, 24, 18, 18, 13, 9, 4),
}
_REGIONS = (
    "kanto", "kansai", "chubu", "kyushu", "tohoku", "chugoku", "hokkaido", "shikoku", "overseas",
)  # fmt: skip
_REGION_WEIGHTS = (40, 18, 14, 8, 5, 5, 5, 3, 2)


def _attributes(rng: random.Random, persona: Persona) -> dict[str, Scalar]:
    """Industry, role, company size (employees), region and lead source of one lead.

    Students have no company: their industry is ``education`` and they carry no size.
    """
    profile = persona.profile
    weights = _ROLE_WEIGHTS[profile]
    if persona.with_account:  # works at the account's company
        weights = (*weights[:-1], 0)
    role = rng.choices(_ROLES, weights)[0]
    out: dict[str, Scalar] = {"industry": "education", "role": role}
    if role != "student":
        out["industry"] = rng.choices(_INDUSTRIES, _INDUSTRY_WEIGHTS[profile])[0]
        low, high = rng.choices(_SIZES, _SIZE_WEIGHTS[profile])[0]
        out["company_size"] = rng.randint(low, high)
    out["region"] = rng.choices(_REGIONS, _REGION_WEIGHTS)[0]
    out["source"] = rng.choice(persona.sources)
    return out
