"""A synthetic B2B sample: a few hundred leads with a year of realistic journeys.

The data is made up but shaped like a Japanese B2B vendor's marketing automation log:
blog readers who stay cold, researchers who go from service pages to case studies to
pricing to an inquiry, comparers who dwell on the pricing page, newsletter-only contacts,
webinar attendees, lost deals (失注) and past customers (休眠顧客) who come back, bursts of
visits after a long silence, unsubscribes and bounces, and some noise.

It is generated from ``random.Random(seed)`` alone, so the same seed always gives the
same data on every platform. The ground truth is kept alongside (:class:`GroundTruth`):
each lead's persona, and every reactivation that was planted, so a detector's recall
can be measured.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime

import attrs

from ..core.aliases import Scalar, Timestamp
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.lead import Lead
from ..core.mapping import FrozenMap
from ..core.progress import check_progress, track
from ..core.times import to_utc
from ._journey import Journey, campaigns
from ._personas import PERSONAS, Persona

__all__ = [
    "PERSONA_NAMES",
    "SAMPLE_AS_OF",
    "GroundTruth",
    "PlantedReactivation",
    "SampleDataset",
    "sample_dataset",
]

SAMPLE_AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
"""The moment the sample is observed at: every event happens before it."""

PERSONA_NAMES: tuple[str, ...] = tuple(p.name for p in PERSONAS)
"""The persona names, in the order of their description in the docs."""

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


def _frozen_map(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return FrozenMap(value)


@attrs.frozen(kw_only=True)
class GroundTruth:
    """What the generator planted: each lead's persona and the reactivations."""

    personas: Mapping[str, str] = attrs.field(converter=_frozen_map)
    reactivations: tuple[PlantedReactivation, ...]

    def lead_ids(self, persona: str) -> tuple[str, ...]:
        """The ids of the leads of ``persona``, in lead order.

        >>> sample_dataset(n_leads=30).planted.lead_ids("researcher")[:2]
        ('L0007', 'L0018')
        """
        return tuple(lead_id for lead_id, name in self.personas.items() if name == persona)


@attrs.frozen(kw_only=True)
class SampleDataset:
    """Leads, their events (oldest first), the observation moment, and the ground truth."""

    leads: tuple[Lead, ...]
    events: tuple[Event, ...]
    as_of: datetime
    planted: GroundTruth

    def events_of(self, lead_id: str) -> tuple[Event, ...]:
        """The events of one lead, oldest first."""
        return tuple(e for e in self.events if e.lead_id == lead_id)


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

    leads: list[Lead] = []
    events: list[Event] = []
    personas: dict[str, str] = {}
    planted: list[PlantedReactivation] = []
    bar = track(chosen, progress=progress, desc="sample leads", unit="leads")
    for number, persona in enumerate(bar, start=1):
        lead_id = f"L{number:0{width}d}"
        attributes = _attributes(rng, persona)
        journey = Journey(lead_id, rng, observed, calendar)
        outcome = persona.build(journey)
        leads.append(
            Lead(
                id=lead_id,
                attributes=attributes,
                status=outcome.status,
                status_changed_at=outcome.status_changed_at,
            )
        )
        events.extend(journey.finish())
        personas[lead_id] = persona.name
        if outcome.returned is not None:
            planted.append(_planted(journey, *outcome.returned))

    events.sort(key=lambda e: (e.at, e.lead_id, e.id or ""))
    planted.sort(key=lambda r: (r.at, r.lead_id))
    return SampleDataset(
        leads=tuple(leads),
        events=tuple(events),
        as_of=observed,
        planted=GroundTruth(personas=personas, reactivations=tuple(planted)),
    )


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
    role = rng.choices(_ROLES, _ROLE_WEIGHTS[profile])[0]
    out: dict[str, Scalar] = {"industry": "education", "role": role}
    if role != "student":
        out["industry"] = rng.choices(_INDUSTRIES, _INDUSTRY_WEIGHTS[profile])[0]
        low, high = rng.choices(_SIZES, _SIZE_WEIGHTS[profile])[0]
        out["company_size"] = rng.randint(low, high)
    out["region"] = rng.choices(_REGIONS, _REGION_WEIGHTS)[0]
    out["source"] = rng.choice(persona.sources)
    return out
