"""The conformance table: inputs and hand-derived scores that every engine must agree on.

Each :class:`Case` is one scoring question (leads, events, model, ``as_of``) with either the
expected numbers per lead or the :class:`~leadscoring.LeadScoringError` subclass every engine
must raise. Every expected number is derived by hand from the documentation
(``docs/concepts.md``, ``docs/model-format.md``, ``docs/dormancy.md``) in the comment next to
it; none is copied from the output of the code. Numbers are written as the arithmetic that
gives them, so the derivation and the value cannot drift apart.

Constraints that keep the table usable by the frame engines: one type per event property
name within a case, no ``None`` properties, every event names a lead of the case, ids are
strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Required, TypedDict

from leadscoring import (
    AttributeRule,
    Decay,
    DormancyPolicy,
    Event,
    EventRule,
    Field,
    HalfLife,
    InvalidEventError,
    Lead,
    LeadScoringError,
    Limit,
    Linear,
    NoDecay,
    Not,
    RateRule,
    ReactivationRule,
    RepeatRule,
    Rule,
    ScoringModel,
    Steps,
    Window,
    contains,
    exists,
    gte,
    prefix,
    when,
)

__all__ = ["CASES", "Case", "Expected"]

Scalar = str | int | float | bool


class Expected(TypedDict, total=False):
    """What one lead must score: ``total`` always, the rest where the case is about them."""

    total: Required[float]
    fit: float
    engagement: float
    by_rule: Mapping[str, float]
    by_group: Mapping[str, float]


@dataclass(frozen=True)
class Case:
    """One scoring question and its hand-derived answer (``expected``) or error (``raises``)."""

    name: str
    doc: str
    leads: tuple[Lead, ...]
    events: tuple[Event, ...]
    model: ScoringModel
    as_of: datetime
    expected: Mapping[str, Expected] | None = None
    raises: type[LeadScoringError] | None = None

    def __post_init__(self) -> None:
        if (self.expected is None) == (self.raises is None):
            raise ValueError(f"case {self.name!r}: give exactly one of expected or raises")
        if self.expected is not None and set(self.expected) != {x.id for x in self.leads}:
            raise ValueError(f"case {self.name!r}: expected must name every lead")
        ids = {x.id for x in self.leads}
        strays = {e.lead_id for e in self.events} - ids
        if strays:
            raise ValueError(f"case {self.name!r}: events of unknown leads {sorted(strays)}")


# --------------------------------------------------------------------------- helpers

T0 = datetime(2026, 1, 1, tzinfo=UTC)
"""Day 0 of most cases."""

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def day(n: float) -> datetime:
    """``n`` days after :data:`T0`."""
    return T0 + timedelta(days=n)


def utc(
    year: int, month: int, date: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A UTC moment."""
    return datetime(year, month, date, hour, minute, second, tzinfo=UTC)


def ev(
    lead: str,
    kind: str,
    at: datetime,
    *,
    event_id: str | None = None,
    **properties: Scalar,
) -> Event:
    """An event of type ``kind`` by ``lead`` at ``at``."""
    return Event(lead_id=lead, type=kind, at=at, properties=properties, id=event_id)


def view(lead: str, at: datetime, category: str = "pricing", event_id: str | None = None) -> Event:
    """A ``page_view`` of a page of ``category``."""
    return ev(lead, "page_view", at, event_id=event_id, category=category)


def leads(*ids: str) -> tuple[Lead, ...]:
    """Leads without attributes."""
    return tuple(Lead(id=x) for x in ids)


def model(
    *rules: Rule,
    default_decay: Decay | None = None,
    group_caps: Mapping[str, float] | None = None,
    floor: float | None = None,
    ceiling: float | None = None,
    dormancy: DormancyPolicy | None = None,
) -> ScoringModel:
    """A model of ``rules``; everything not given keeps the library's default."""
    return ScoringModel(
        name="conformance",
        rules=list(rules),
        default_decay=NoDecay() if default_decay is None else default_decay,
        group_caps={} if group_caps is None else dict(group_caps),
        floor=floor,
        ceiling=ceiling,
        dormancy=DormancyPolicy() if dormancy is None else dormancy,
    )


def pricing(
    points: float = 10,
    decay: Decay | None = None,
    *,
    cap: float | None = None,
    limit: Limit | None = None,
    group: str = "engagement",
) -> EventRule:
    """The rule "pricing page": ``points`` per pricing page view."""
    return EventRule(
        name="pricing page",
        when=when(type="page_view", category="pricing"),
        points=points,
        decay=decay,
        cap=cap,
        limit=limit,
        group=group,
    )


def views(name: str, decay: Decay | None, points: float = 10) -> EventRule:
    """A rule called ``name``: ``points`` per page view of any kind, faded by ``decay``."""
    return EventRule(name=name, when=when(type="page_view"), points=points, decay=decay)


def each(value: float, *ids: str) -> dict[str, Expected]:
    """The same total for every lead of ``ids``."""
    return {x: {"total": value} for x in ids}


SERVICE = when(type="page_view", category=["service", "case_study"])
"""The events of the repeat rules: service and case study views."""

REPEAT_DECAY: Decay = HalfLife(days=10)

def email(lead: str, kind: str, days: float, event_id: str | None = None) -> Event:
    """An email event (``delivered`` or ``open``) ``days`` after :data:`T0`."""
    return ev(lead, f"email_{kind}", day(days), event_id=event_id)


RATE_DECAY: Decay = HalfLife(days=30)
"""The decay of the rate rule cases (30 days halve the points)."""


def opens(
    at_least: float = 0.4,
    min_denominator: int = 5,
    decay: Decay | None = RATE_DECAY,
    within: str = "90d",
) -> RateRule:
    """The rate rule "reads our emails": 10 points while opens are at least ``at_least``
    of the deliveries of the last ``within`` (at least ``min_denominator`` of them)."""
    return RateRule(
        name="reads our emails",
        numerator=when(type="email_open"),
        denominator=when(type="email_delivered"),
        within=within,
        at_least=at_least,
        min_denominator=min_denominator,
        points=10,
        decay=decay,
    )


YEAR_1 = utc(1, 1, 1)
"""The earliest day a datetime can hold."""

# --------------------------------------------------------------------------- the table

CASES: tuple[Case, ...] = (
    # ------------------------------------------------------------------ HalfLife
    Case(
        name="halflife-age-zero",
        doc="An event at as_of has weight 1 under a half-life.",
        leads=leads("a"),
        events=(view("a", day(100)),),
        model=model(pricing(decay=HalfLife(days=30))),
        as_of=day(100),
        expected={"a": {"total": 10, "engagement": 10, "by_rule": {"pricing page": 10}}},
        # age 0: 10 * 0.5 ** (0 / 30) = 10
    ),
    Case(
        name="halflife-whole-half-lives",
        doc="One, two and three half-lives halve the points one, two and three times.",
        leads=leads("a", "b", "c"),
        events=(view("a", day(70)), view("b", day(40)), view("c", day(10))),
        model=model(pricing(decay=HalfLife(days=30))),
        as_of=day(100),
        expected={
            "a": {"total": 5},  # 10 * 0.5 ** (30/30) = 5
            "b": {"total": 2.5},  # 10 * 0.5 ** (60/30) = 2.5
            "c": {"total": 1.25},  # 10 * 0.5 ** (90/30) = 1.25
        },
    ),
    Case(
        name="halflife-fractional-ages",
        doc="Ages that are not whole half-lives give fractional powers of one half.",
        leads=leads("a", "b", "c"),
        events=(
            view("a", day(100) - 36 * HOUR),
            view("b", day(100) - 12 * HOUR),
            view("c", day(100) - SECOND),
        ),
        model=model(pricing(decay=HalfLife(days=1))),
        as_of=day(100),
        expected={
            "a": {"total": 10 * 0.5**1.5},  # 36h / 24h = 1.5 half-lives: 3.5355...
            "b": {"total": 10 * 0.5**0.5},  # 12h / 24h = 0.5 half-lives: 7.0710...
            "c": {"total": 10 * 0.5 ** (1 / 86_400)},  # 1 s of a 86400 s half-life
        },
    ),
    Case(
        name="halflife-fractional-days",
        doc="A half-life of half a day and a 45-day age on a 30-day half-life.",
        leads=leads("a", "b"),
        events=(view("a", day(99)), view("b", day(55))),
        model=model(
            pricing(decay=HalfLife(days=0.5)),
            EventRule(name="slow", when=when(type="page_view"), points=4, decay=HalfLife(days=30)),
        ),
        as_of=day(100),
        expected={
            # a: age 1 day = 2 half-lives of 0.5 day: 10 * 0.25 = 2.5;
            #    slow: 4 * 0.5 ** (1/30)
            "a": {
                "total": 2.5 + 4 * 0.5 ** (1 / 30),
                "by_rule": {"pricing page": 2.5, "slow": 4 * 0.5 ** (1 / 30)},
            },
            # b: age 45 days: pricing 10 * 0.5 ** 90 (about 8e-27), slow 4 * 0.5 ** 1.5
            "b": {
                "total": 10 * 0.5**90 + 4 * 0.5**1.5,
                "by_rule": {"pricing page": 10 * 0.5**90, "slow": 4 * 0.5**1.5},
            },
        },
    ),
    # ------------------------------------------------------------------ Linear
    Case(
        name="linear-inside-at-and-beyond",
        doc="Linear falls from 1 at age 0 to 0 exactly at over, and stays 0 beyond.",
        leads=leads("a", "b", "c", "d", "e"),
        events=(
            view("a", day(100)),
            view("b", day(55)),
            view("c", day(70)),
            view("d", day(10)),
            view("e", day(0)),
        ),
        model=model(pricing(decay=Linear(over="90d"))),
        as_of=day(100),
        expected={
            "a": {"total": 10},  # age 0: 10 * (1 - 0/90) = 10
            "b": {"total": 5},  # age 45: 10 * (1 - 45/90) = 5
            "c": {"total": 10 * (1 - 30 / 90)},  # age 30: 10 * 2/3 = 6.666...
            "d": {"total": 0},  # age 90 = over: 10 * (1 - 90/90) = 0
            "e": {"total": 0},  # age 100: max(0, 1 - 100/90) = 0
        },
    ),
    # ------------------------------------------------------------------ Window (days)
    Case(
        name="window-days-edges",
        doc="Window(days=30) covers (as_of - 30d, as_of]: exactly 30 days old is out.",
        leads=leads("a", "b", "c", "d"),
        events=(
            view("a", day(100)),
            view("b", day(70) + SECOND),
            view("c", day(70)),
            view("d", day(69)),
        ),
        model=model(pricing(decay=Window(days=30))),
        as_of=day(100),
        expected={
            "a": {"total": 10},  # age 0: inside
            "b": {"total": 10},  # age 30d - 1s: inside
            "c": {"total": 0},  # age exactly 30d: at the open end, out
            "d": {"total": 0},  # age 31d: out
        },
    ),
    # ------------------------------------------------------------------ Window (months)
    Case(
        name="window-month-march-31",
        doc="Window(months=1) on 31 March 2026 starts at 28 February 2026 (no 29th).",
        leads=leads("a", "b", "c"),
        events=(
            view("a", utc(2026, 2, 28)),
            view("b", utc(2026, 2, 28, 0, 0, 1)),
            view("c", utc(2026, 3, 1)),
        ),
        model=model(pricing(decay=Window(months=1))),
        as_of=utc(2026, 3, 31),
        expected={
            "a": {"total": 0},  # 31 Mar - 1 month = 28 Feb 00:00 (clipped): at the start, out
            "b": {"total": 10},  # one second after the start: in
            "c": {"total": 10},  # 1 Mar: in
        },
    ),
    Case(
        name="window-month-march-31-leap",
        doc="Window(months=1) on 31 March 2024 starts at 29 February 2024.",
        leads=leads("a", "b", "c"),
        events=(
            view("a", utc(2024, 2, 29)),
            view("b", utc(2024, 2, 29, 12)),
            view("c", utc(2024, 2, 28, 12)),
        ),
        model=model(pricing(decay=Window(months=1))),
        as_of=utc(2024, 3, 31),
        expected={
            "a": {"total": 0},  # 31 Mar 2024 - 1 month = 29 Feb 00:00: at the start, out
            "b": {"total": 10},  # 29 Feb 12:00: in
            "c": {"total": 0},  # 28 Feb 12:00: before the start, out
        },
    ),
    Case(
        name="window-three-months-may-31",
        doc="Window(months=3) on 31 May 2026 starts at 28 February 2026.",
        leads=leads("a", "b", "c"),
        events=(
            view("a", utc(2026, 2, 28)),
            view("b", utc(2026, 2, 28, 6)),
            view("c", utc(2026, 2, 27)),
        ),
        model=model(pricing(decay=Window(months=3))),
        as_of=utc(2026, 5, 31),
        expected={
            "a": {"total": 0},  # 31 May - 3 months = 28 Feb 00:00 (clipped): out
            "b": {"total": 10},  # 28 Feb 06:00: in
            "c": {"total": 0},  # 27 Feb: out
        },
    ),
    Case(
        name="window-three-months-may-31-leap",
        doc="Window(months=3) on 31 May 2024 starts at 29 February 2024.",
        leads=leads("a", "b", "c"),
        events=(
            view("a", utc(2024, 2, 29)),
            view("b", utc(2024, 2, 29, 6)),
            view("c", utc(2024, 2, 28, 23)),
        ),
        model=model(pricing(decay=Window(months=3))),
        as_of=utc(2024, 5, 31),
        expected={
            "a": {"total": 0},  # 31 May 2024 - 3 months = 29 Feb 00:00 (clipped): out
            "b": {"total": 10},  # 29 Feb 06:00: in
            "c": {"total": 0},  # 28 Feb 23:00: out
        },
    ),
    # ------------------------------------------------------------------ leap days
    Case(
        name="leap-day-halflife",
        doc="29 February 2024 is a real day: 28 Feb to 1 Mar 2024 is two days.",
        leads=leads("a", "b"),
        events=(view("a", utc(2024, 2, 29)), view("b", utc(2024, 2, 28))),
        model=model(pricing(decay=HalfLife(days=1))),
        as_of=utc(2024, 3, 1),
        expected={
            "a": {"total": 5},  # 29 Feb -> 1 Mar: 1 day: 10 * 0.5 = 5
            "b": {"total": 2.5},  # 28 Feb -> 1 Mar 2024: 2 days: 10 * 0.25 = 2.5
        },
    ),
    Case(
        name="leap-day-one-year-window",
        doc="A P1Y window on 28 Feb 2025 12:00 starts at 28 Feb 2024 12:00 and holds 29 Feb.",
        leads=leads("a", "b", "c"),
        events=(
            view("a", utc(2024, 2, 29)),
            view("b", utc(2024, 2, 28, 12)),
            view("c", utc(2024, 2, 28, 13)),
        ),
        model=model(pricing(decay=Window(length="P1Y"))),
        as_of=utc(2025, 2, 28, 12),
        expected={
            "a": {"total": 10},  # 29 Feb 2024 > 28 Feb 2024 12:00: in
            "b": {"total": 0},  # exactly at the start: out
            "c": {"total": 10},  # an hour after the start: in
        },
    ),
    # ------------------------------------------------------------------ Steps
    Case(
        name="steps-each-boundary",
        doc="Steps give 1 before the first step and each step's weight from its age on.",
        leads=leads("a", "b", "c", "d", "e", "f", "g", "h"),
        events=(
            view("a", day(300)),
            view("b", day(293) + SECOND),
            view("c", day(293)),
            view("d", day(271)),
            view("e", day(270)),
            view("f", day(211)),
            view("g", day(210)),
            view("h", day(100)),
        ),
        model=model(pricing(decay=Steps([("7d", 0.8), ("30d", 0.5), ("90d", 0.0)]))),
        as_of=day(300),
        expected={
            "a": {"total": 10},  # age 0, before the first step: weight 1
            "b": {"total": 10},  # age 7d - 1s: still before the first step
            "c": {"total": 8},  # age exactly 7d: 10 * 0.8
            "d": {"total": 8},  # age 29d: 10 * 0.8
            "e": {"total": 5},  # age exactly 30d: 10 * 0.5
            "f": {"total": 5},  # age 89d: 10 * 0.5
            "g": {"total": 0},  # age exactly 90d: 10 * 0
            "h": {"total": 0},  # age 200d: 10 * 0
        },
    ),
    # ------------------------------------------------------------------ NoDecay, default
    Case(
        name="nodecay-years-old",
        doc="NoDecay keeps full points for an event five years old.",
        leads=leads("a"),
        events=(view("a", utc(2021, 1, 1)),),
        model=model(pricing(decay=NoDecay())),
        as_of=utc(2026, 1, 1),
        expected={"a": {"total": 10}},  # weight 1 at every age
    ),
    Case(
        name="default-decay-for-rules-without-decay",
        doc="A rule without decay uses the model's default; NoDecay on a rule turns it off.",
        leads=leads("a"),
        events=(view("a", day(90)),),
        model=model(
            views("default", None),
            views("none", NoDecay()),
            views("linear", Linear(over="20d")),
            default_decay=HalfLife(days=10),
        ),
        as_of=day(100),
        expected={
            "a": {
                # age 10 days: default 10 * 0.5 ** (10/10) = 5; none 10;
                # linear 10 * (1 - 10/20) = 5; total 5 + 10 + 5 = 20
                "total": 20,
                "engagement": 20,
                "by_rule": {"default": 5, "none": 10, "linear": 5},
            }
        },
    ),
    # ------------------------------------------------------------------ extreme times
    Case(
        name="window-p1000y-year-900",
        doc="A 1000-year window in year 950 reaches before year 1: it holds every event.",
        leads=leads("a"),
        events=(view("a", utc(900, 6, 1)),),
        model=model(pricing(decay=Window(length="P1000Y"))),
        as_of=utc(950, 1, 1),
        # 950 - 1000 years is before year 1: the window starts before the calendar,
        # and 900-06-01 is after its start: 10 points
        expected={"a": {"total": 10.0, "by_rule": {"pricing page": 10.0}}},
    ),
    Case(
        name="limit-p1000y-two-events",
        doc="Limit(count=2, per=P1000Y) lets two events of the 10th century count.",
        leads=leads("a"),
        events=(view("a", utc(900, 1, 1)), view("a", utc(910, 1, 1))),
        model=model(pricing(limit=Limit(count=2, per="P1000Y"))),
        as_of=utc(950, 1, 1),
        # 900: no earlier counted event: counts; 910: window (910 - 1000y -> year 1, 910]
        # holds one counted event < 2: counts. 10 + 10 = 20
        expected={"a": {"total": 20}},
    ),
    Case(
        name="limit-p1000y-three-events",
        doc="Limit(count=2, per=P1000Y) stops the third event of the 10th century.",
        leads=leads("a"),
        events=(
            view("a", utc(900, 1, 1)),
            view("a", utc(910, 1, 1)),
            view("a", utc(920, 1, 1)),
        ),
        model=model(pricing(limit=Limit(count=2, per="P1000Y"))),
        as_of=utc(950, 1, 1),
        # 900 and 910 count (as above); 920: window starts before year 1, holds both
        # counted events, 2 is not < 2: out. 10 + 10 = 20
        expected={"a": {"total": 20}},
    ),
    Case(
        name="year-1-decays",
        doc="An event on 0001-01-01 under a window, a half-life and steps nine days later.",
        leads=leads("a"),
        # 06:00, not 00:00: an event at exactly 0001-01-01 00:00 is the next case
        events=(view("a", YEAR_1 + 6 * HOUR),),
        model=model(
            views("window", Window(days=30)),
            views("half", HalfLife(days=1)),
            views("steps", Steps([("7d", 0.5)])),
        ),
        as_of=utc(1, 1, 10, 6),
        expected={
            "a": {
                # window: as_of - 30d is before year 1: the window starts before
                # the calendar, and 06:00 is after its start: in, 10
                # half: age 9 days: 10 * 0.5 ** 9 = 10/512
                # steps: age 9d >= 7d: 10 * 0.5 = 5
                "total": 10 + 10 / 512 + 5,
                "by_rule": {"window": 10, "half": 10 / 512, "steps": 5},
            }
        },
    ),
    Case(
        name="year-1-midnight-edge",
        doc="An event at the earliest moment is inside a window that starts before the calendar.",
        leads=leads("a"),
        events=(view("a", YEAR_1),),
        model=model(views("window", Window(days=30)), views("none", NoDecay())),
        as_of=utc(1, 1, 10),
        # window: as_of - 30d is before year 1, so the window starts before the calendar,
        # below every moment, and (start, as_of] holds the event at exactly 00:00: 10
        # (docs/concepts.md, Decisions); none: 10. 10 + 10 = 20
        expected={"a": {"total": 20, "by_rule": {"window": 10, "none": 10}}},
    ),
    Case(
        name="year-1-limit-per-day",
        doc="Once a day on the first two days of year 1 (the window starts before the calendar).",
        leads=leads("a"),
        events=(
            view("a", YEAR_1 + 6 * HOUR),
            view("a", YEAR_1 + 18 * HOUR),
            view("a", YEAR_1 + DAY + 6 * HOUR),
        ),
        model=model(pricing(limit=Limit(count=1, per="1d"))),
        as_of=utc(1, 1, 3),
        # 01-01 06:00 counts (nothing earlier); 18:00: 18:00 - 1d is before year 1, the
        # window (before the calendar, 18:00] holds 06:00: out; 01-02 06:00: window
        # (01-01 06:00, 01-02 06:00] excludes the counted 06:00: counts. 10 + 10 = 20
        expected={"a": {"total": 20}},
    ),
    Case(
        name="year-1-repeat",
        doc="A repeat rule completing on 0001-01-02, its window reaching before year 1.",
        leads=leads("a"),
        events=(
            view("a", YEAR_1 + 6 * HOUR, "service"),
            view("a", YEAR_1 + DAY + 6 * HOUR, "service"),
        ),
        model=model(
            RepeatRule(name="back and forth", when=SERVICE, times=2, within="7d", points=15)
        ),
        as_of=utc(1, 1, 5),
        # at 01-02 06:00 the window (01-02 06:00 - 7d, before the calendar,
        # 01-02 06:00] holds both events: fires at 01-02 06:00; NoDecay: 15
        expected={"a": {"total": 15}},
    ),
    Case(
        name="year-9999",
        doc="Events on the last day a datetime can hold.",
        leads=leads("a"),
        events=(view("a", utc(9999, 12, 31)),),
        model=model(
            views("half", HalfLife(days=0.5)),
            views("window", Window(days=1)),
            views("linear", Linear(over="1d")),
        ),
        as_of=utc(9999, 12, 31, 12),
        expected={
            "a": {
                # age 12 hours: half 10 * 0.5 ** (0.5/0.5) = 5; window (1d) in: 10;
                # linear 10 * (1 - 0.5) = 5. Total 20
                "total": 20,
                "by_rule": {"half": 5, "window": 10, "linear": 5},
            }
        },
    ),
    Case(
        name="year-1-to-9999",
        doc="An event on 0001-01-01 scored on 9999-12-31 under every long decay.",
        leads=leads("a"),
        events=(view("a", YEAR_1),),
        model=model(
            views("half", HalfLife(days=365_000)),
            views("linear", Linear(over="365000d")),
            views("window", Window(length="P1000Y")),
            views("window days", Window(days=365_000)),
            views("none", NoDecay()),
        ),
        as_of=utc(9999, 12, 31),
        expected={
            "a": {
                # age: 9999 years of 365 days + 2424 leap days (2499 multiples of 4 below
                # 10000, less 99 centuries, plus 24 multiples of 400) = 3652059 days to
                # 10000-01-01, one less to 9999-12-31: 3652058 days.
                # half: 10 * 0.5 ** (3652058 / 365000); linear, both windows: 0; none: 10
                "total": 10 * 0.5 ** (3_652_058 / 365_000) + 10,
                "by_rule": {
                    "half": 10 * 0.5 ** (3_652_058 / 365_000),
                    "linear": 0,
                    "window": 0,
                    "window days": 0,
                    "none": 10,
                },
            }
        },
    ),
    Case(
        name="thousand-years-halflife-and-window",
        doc="A 365000-day half-life and a P1000Y window over exactly a thousand years.",
        leads=leads("a", "b"),
        events=(view("a", utc(1026, 1, 1)), view("b", utc(1026, 1, 1, 0, 0, 1))),
        model=model(
            views("half", HalfLife(days=365_000)),
            views("window", Window(length="P1000Y")),
        ),
        as_of=utc(2026, 1, 1),
        expected={
            # 1026-01-01 -> 2026-01-01: 1000 * 365 days + 243 leap days (250 multiples of
            # 4 in 1028..2024, less 1100, 1300, 1400, 1500, 1700, 1800, 1900) = 365243 days.
            # a: half 10 * 0.5 ** (365243/365000); window starts at 1026-01-01 00:00: out
            "a": {
                "total": 10 * 0.5 ** (365_243 / 365_000),
                "by_rule": {"half": 10 * 0.5 ** (365_243 / 365_000), "window": 0},
            },
            # b: one second later: half 10 * 0.5 ** ((365243 * 86400 - 1) / (365000 * 86400));
            #    window: in, 10
            "b": {
                "total": 10 * 0.5 ** ((365_243 * 86_400 - 1) / (365_000 * 86_400)) + 10,
                "by_rule": {
                    "half": 10 * 0.5 ** ((365_243 * 86_400 - 1) / (365_000 * 86_400)),
                    "window": 10,
                },
            },
        },
    ),
    Case(
        name="linear-365000-days-in-the-last-millennium",
        doc="A 365000-day linear decay and the longest windows at the end of year 9999.",
        leads=leads("a"),
        events=(view("a", utc(9001, 1, 1)),),
        model=model(
            views("linear", Linear(over="365000d")),
            views("window", Window(length="P1000Y")),
            views("window days", Window(days=365_000)),
        ),
        as_of=utc(9999, 12, 31),
        expected={
            "a": {
                # 9001-01-01 -> 10000-01-01: 999 years; leap years 9004..9996: 249
                # multiples of 4 less the 7 non-leap centuries 9100, 9300, 9400, 9500,
                # 9700, 9800, 9900 = 242. 999 * 365 + 242 = 364877 days to 10000-01-01,
                # so 364876 days to 9999-12-31.
                # linear: 10 * (1 - 364876/365000) = 10 * 124/365000
                # window P1000Y starts 8999-12-31: in, 10; window 365000 days: in, 10
                "total": 10 * 124 / 365_000 + 20,
                "by_rule": {"linear": 10 * 124 / 365_000, "window": 10, "window days": 10},
            }
        },
    ),
    # ------------------------------------------------------------------ limits
    Case(
        name="limit-first-n-ever",
        doc="Limit(count=2) without per counts the first two events ever.",
        leads=leads("a"),
        events=tuple(view("a", day(d)) for d in (300, 0, 200, 100)),
        model=model(pricing(limit=Limit(count=2))),
        as_of=day(400),
        # in time order: day 0 and day 100 count, day 200 and 300 do not: 2 * 10 = 20
        expected={"a": {"total": 20}},
    ),
    Case(
        name="limit-spent-on-decayed-events",
        doc="Limits count before decay: the first events use the limit even once faded.",
        leads=leads("a"),
        events=tuple(view("a", day(d)) for d in (0, 10, 50, 55)),
        model=model(
            EventRule(
                name="window",
                when=when(type="page_view"),
                points=10,
                decay=Window(days=30),
                limit=Limit(count=2),
            ),
            EventRule(
                name="half",
                when=when(type="page_view"),
                points=10,
                decay=HalfLife(days=10),
                limit=Limit(count=2),
            ),
        ),
        as_of=day(60),
        expected={
            "a": {
                # both rules count day 0 and day 10 only.
                # window: ages 60 and 50 >= 30: out, 0 (days 50 and 55 never count)
                # half: 10 * 0.5 ** 6 + 10 * 0.5 ** 5 = 0.15625 + 0.3125 = 0.46875
                "total": 0.46875,
                "by_rule": {"window": 0, "half": 0.46875},
            }
        },
    ),
    Case(
        name="limit-once-per-day",
        doc="Limit(count=1, per=1d): an event exactly a day after a counted one counts.",
        leads=leads("a"),
        events=(
            view("a", day(2) + 9 * HOUR),
            view("a", day(0) + 10 * HOUR),
            view("a", day(1) + 9 * HOUR),
            view("a", day(2) + 9 * HOUR - timedelta(minutes=1)),
            view("a", day(0) + 9 * HOUR),
        ),
        model=model(pricing(limit=Limit(count=1, per="1d"))),
        as_of=day(5),
        # in time order: d0 09:00 counts; d0 10:00: (d-1 10:00, d0 10:00] holds d0 09:00:
        # out; d1 09:00: (d0 09:00, d1 09:00] excludes d0 09:00: counts; d2 08:59:
        # (d1 08:59, d2 08:59] holds d1 09:00: out; d2 09:00: (d1 09:00, d2 09:00]
        # excludes d1 09:00 (and d2 08:59 did not count): counts. 3 * 10 = 30
        expected={"a": {"total": 30}},
    ),
    Case(
        name="limit-two-per-week",
        doc="Limit(count=2, per=7d) over a fortnight of daily views.",
        leads=leads("a"),
        events=tuple(view("a", day(d)) for d in (0, 1, 2, 6, 7, 8, 9)),
        model=model(pricing(points=5, limit=Limit(count=2, per="7d"))),
        as_of=day(20),
        # 0: counts; 1: (-6, 1] holds {0}: counts; 2: (-5, 2] holds {0, 1}: out;
        # 6: (-1, 6] holds {0, 1}: out; 7: (0, 7] holds {1}: counts;
        # 8: (1, 8] holds {7}: counts; 9: (2, 9] holds {7, 8}: out.
        # counted 0, 1, 7, 8: 4 * 5 = 20
        expected={"a": {"total": 20}},
    ),
    Case(
        name="limit-per-calendar-month",
        doc="Limit(count=1, per=P1M) measured in calendar months across month ends.",
        leads=leads("a"),
        events=tuple(
            view("a", utc(2026, m, d)) for m, d in ((1, 31), (2, 28), (3, 1), (3, 31), (4, 1))
        ),
        model=model(pricing(limit=Limit(count=1, per="P1M"))),
        as_of=utc(2026, 5, 1),
        # 31 Jan: counts. 28 Feb: (28 Jan, 28 Feb] holds 31 Jan: out.
        # 1 Mar: (1 Feb, 1 Mar] holds no counted event: counts.
        # 31 Mar: (28 Feb (clipped), 31 Mar] holds 1 Mar: out.
        # 1 Apr: (1 Mar, 1 Apr] excludes 1 Mar at the open end: counts. 3 * 10 = 30
        expected={"a": {"total": 30}},
    ),
    Case(
        name="limit-same-moment",
        doc="Two matching events at the same moment under once a day: one counts.",
        leads=leads("a"),
        events=(
            ev("a", "page_view", day(1), category="pricing", url="/pricing/a"),
            ev("a", "page_view", day(1), category="pricing", url="/pricing/b"),
        ),
        model=model(pricing(limit=Limit(count=1, per="1d"))),
        as_of=day(2),
        # whichever is ordered first counts; the other finds it inside (at - 1d, at]: 10
        expected={"a": {"total": 10}},
    ),
    # ------------------------------------------------------------------ repeat rules
    Case(
        name="repeat-cooldown-and-decay",
        doc="A repeat rule fires, waits out its window, fires again; each firing decays.",
        leads=leads("a"),
        # given newest first, so the Scorer replays late events
        events=tuple(view("a", day(d), "service") for d in (10, 9, 5, 3, 1, 0)),
        model=model(
            RepeatRule(
                name="back and forth",
                when=SERVICE,
                times=2,
                within="7d",
                points=10,
                decay=HalfLife(days=10),
            )
        ),
        as_of=day(21),
        # day 1: (-6, 1] holds 0, 1: fires. days 3 and 5: less than 7 days since day 1:
        # no. day 9: 8 days since the firing; (2, 9] holds 3, 5, 9: fires. day 10: no.
        # 10 * 0.5 ** ((21 - 1)/10) + 10 * 0.5 ** ((21 - 9)/10) = 2.5 + 10 * 0.5 ** 1.2
        expected={
            "a": {
                "total": 2.5 + 10 * 0.5**1.2,
                "by_rule": {"back and forth": 2.5 + 10 * 0.5**1.2},
            }
        },
    ),
    Case(
        name="repeat-window-edge",
        doc="A repeat rule's window (at - within, at] leaves out an event exactly within old.",
        leads=leads("a", "b"),
        events=(
            *(view("a", day(d), "case_study") for d in (0, 7, 14)),
            view("b", day(0), "service"),
            view("b", day(7) - SECOND, "case_study"),
        ),
        model=model(
            RepeatRule(name="back and forth", when=SERVICE, times=2, within="7d", points=15)
        ),
        as_of=day(20),
        expected={
            # a: day 7: (0, 7] holds only day 7; day 14: (7, 14] only day 14: never fires
            "a": {"total": 0},
            # b: 7d - 1s after day 0: (day 0 - 1s, ...] holds both: fires: 15
            "b": {"total": 15},
        },
    ),
    Case(
        name="repeat-cooldown-edge",
        doc="A repeat rule may fire again exactly within after it fired.",
        leads=leads("a"),
        events=tuple(view("a", day(d), "service") for d in (0, 3, 7, 10, 14.5)),
        model=model(RepeatRule(name="every visit", when=SERVICE, times=1, within="7d", points=5)),
        as_of=day(20),
        # times=1: every matching event completes the count. fires at 0; 3: 3 days since:
        # no; 7: 7 days have passed since day 0: fires; 10: 3 days since day 7: no;
        # 14.5: 7.5 days since day 7: fires. 3 * 5 = 15
        expected={"a": {"total": 15}},
    ),
    Case(
        name="repeat-only-matching-events",
        doc="Only matching events count towards a repeat; firings decay from their own time.",
        leads=leads("a"),
        events=(
            *(view("a", day(d), "service") for d in (0, 2, 4, 5, 6, 8, 10, 11, 12, 13)),
            view("a", day(1), "blog"),
            view("a", day(3), "blog"),
        ),
        model=model(
            RepeatRule(
                name="back and forth",
                when=SERVICE,
                times=3,
                within="7d",
                points=15,
                decay=Window(days=10),
            )
        ),
        as_of=day(20),
        # service views only (blog never matches): day 4: (-3, 4] holds 0, 2, 4: fires.
        # 5, 6, 8, 10: less than 7 days since day 4: no. day 11: (4, 11] holds
        # 5, 6, 8, 10, 11: fires. 12, 13: no.
        # Window(10d) at day 20: the day-4 firing (age 16) is out, day 11 (age 9) is in:
        # 15. (Counting blog views would fire at 2 and 10, and give 0.)
        expected={"a": {"total": 15}},
    ),
    # ------------------------------------------------------------------ rate rules
    Case(
        name="rate-met-at-the-event-that-reaches-the-share",
        doc="A rate rule is met once the share and the count are reached, decayed from then.",
        leads=leads("a", "b"),
        events=(
            # given newest first, so the Scorer inserts late events
            *(email("a", "open", d) for d in (31, 11)),
            *(email("a", "delivered", d) for d in (40, 30, 20, 10, 0)),
            *(email("b", "delivered", d) for d in (0, 10, 20, 30, 40, 50, 60)),
            *(email("b", "open", d) for d in (11, 31)),
        ),
        model=model(opens()),
        as_of=day(70),
        # a: delivered 0, 10, 20, 30, 40; opened 11, 31. Nothing leaves (-20, 70]. Day 40:
        # 2 of 5 = 0.4 >= 0.4 with 5 >= 5 delivered: met since day 40 (before: fewer than 5
        # delivered). At day 70: 10 * 0.5 ** (30 / 30) = 5.
        # b: the same, then delivered 50 and 60 without opens: 2 of 7 < 0.4 at day 70: 0.
        expected={
            "a": {"total": 5, "by_rule": {"reads our emails": 5}},
            "b": {"total": 0, "by_rule": {"reads our emails": 0}},
        },
    ),
    Case(
        name="rate-met-when-old-events-leave-the-window",
        doc="Old deliveries leaving the window can make a rate rule met, from that moment.",
        leads=leads("a", "b"),
        events=(
            *(email("a", "delivered", d) for d in (0, 1, 2, 3, 50, 60, 70)),
            *(email("a", "open", d) for d in (51, 61, 71)),
            # b: the same, 10 days and one microsecond later
            *(
                ev("b", f"email_{k}", day(d + 10) + timedelta(microseconds=1))
                for k, ds in (("delivered", (0, 1, 2, 3, 50, 60, 70)), ("open", (51, 61, 71)))
                for d in ds
            ),
        ),
        model=model(opens(at_least=0.5, min_denominator=3)),
        as_of=day(100),
        # a: up to day 71, 3 opens of 7 deliveries = 0.43 < 0.5. Day 90: the day-0 delivery
        # leaves (0, 90]: 3 of 6 = 0.5: met since day 90; 91, 92, 93: 3 of 5, 4, 3: still
        # met. At day 100 (10, 100]: 3 of 3, met since day 90: 10 * 0.5 ** (10 / 30).
        # b: its day-0 delivery leaves at day 100 + 1 µs, after as_of: 3 of 7: 0.
        expected={
            "a": {"total": 10 * 0.5 ** (1 / 3)},
            "b": {"total": 0},
        },
    ),
    Case(
        name="rate-lost-and-met-again",
        doc="A rate rule lost and met again decays from the latest time it became met.",
        leads=leads("a"),
        events=(
            *(email("a", "delivered", d) for d in (0, 10, 20, 30, 40, 50, 60)),
            *(email("a", "open", d) for d in (5, 15, 65)),
        ),
        model=model(opens()),
        as_of=day(80),
        # day 40: 2 of 5 = 0.4: met since 40. day 50: 2 of 6 = 0.33: lost. day 60: 2 of 7.
        # day 65: 3 of 7 = 0.43: met since 65. At day 80 ((-10, 80] holds all): still met:
        # 10 * 0.5 ** (15 / 30)
        expected={"a": {"total": 10 * 0.5**0.5}},
    ),
    Case(
        name="rate-min-denominator-and-copies",
        doc="Copies of a delivery count once, so a rate rule can miss its minimum count.",
        leads=leads("a", "b"),
        events=(
            *(email("a", "delivered", d, f"d{d}") for d in (0, 10, 20, 30)),
            email("a", "delivered", 30, "d30"),  # a copy: the same event
            *(email("a", "open", d) for d in (1, 11, 21, 31)),
            *(email("b", "delivered", d, f"d{d}") for d in (0, 10, 20, 30, 35)),
            *(email("b", "open", d) for d in (1, 11)),
        ),
        model=model(opens(decay=NoDecay())),
        as_of=day(40),
        # a: 4 deliveries (the copy counts once), 4 opens: 100% but 4 < 5: 0.
        # b: 5 deliveries, 2 opens: 0.4 from day 35 on; no decay: 10
        expected={"a": {"total": 0}, "b": {"total": 10}},
    ),
    Case(
        name="rate-window-decay-from-the-moment-met",
        doc="A rate rule met for longer than its Window decay gives nothing.",
        leads=leads("a", "b"),
        events=(
            *(email("a", "delivered", d) for d in (0, 1, 2, 3, 4)),
            *(email("a", "open", d) for d in (0, 1)),
            *(email("b", "delivered", d) for d in (20, 21, 22, 23, 24)),
            *(email("b", "open", d) for d in (20, 21)),
        ),
        model=model(opens(decay=Window(days=30))),
        as_of=day(40),
        # a: met since day 4 (2 of 5): 36 days ago, outside a 30-day window: 0.
        # b: met since day 24: 16 days ago: 10
        expected={"a": {"total": 0}, "b": {"total": 10}},
    ),
    # ------------------------------------------------------------------ caps
    Case(
        name="rule-cap",
        doc="cap=30 clamps four 10-point views to 30.",
        leads=leads("a"),
        events=tuple(view("a", day(d)) for d in range(4)),
        model=model(pricing(cap=30)),
        as_of=day(5),
        expected={"a": {"total": 30, "by_rule": {"pricing page": 30}}},  # min(40, 30) = 30
    ),
    Case(
        name="rule-cap-negative",
        doc="A cap clamps a negative sum to -cap.",
        leads=leads("a"),
        events=tuple(ev("a", "unsubscribe", day(d)) for d in range(4)),
        model=model(
            EventRule(name="unsubscribe", when=when(type="unsubscribe"), points=-10, cap=25)
        ),
        as_of=day(5),
        expected={"a": {"total": -25, "engagement": -25}},  # max(-40, -25) = -25
    ),
    Case(
        name="rule-cap-after-decay",
        doc="A cap clamps the decayed sum, not the base points.",
        leads=leads("a", "b"),
        events=(
            *(view("a", day(d)) for d in (30, 20, 10, 0)),
            view("b", day(20)),
            view("b", day(10)),
        ),
        model=model(pricing(decay=HalfLife(days=10), cap=15)),
        as_of=day(30),
        expected={
            "a": {"total": 15},  # 10 + 5 + 2.5 + 1.25 = 18.75 > 15: 15
            "b": {"total": 7.5},  # 5 + 2.5 = 7.5 <= 15: 7.5
        },
    ),
    Case(
        name="group-cap",
        doc="A group cap clamps the sum of its rules; by_rule keeps each rule's own sum.",
        leads=leads("a"),
        events=(
            *(ev("a", "email_open", day(d)) for d in (1, 2, 3)),
            ev("a", "email_click", day(1)),
            ev("a", "email_click", day(2)),
            view("a", day(3)),
        ),
        model=model(
            EventRule(name="email open", when=when(type="email_open"), points=2, group="email"),
            EventRule(name="email click", when=when(type="email_click"), points=5, group="email"),
            pricing(),
            group_caps={"email": 10},
        ),
        as_of=day(5),
        expected={
            "a": {
                # email: 3 * 2 + 2 * 5 = 16, capped at 10; engagement group: 10
                "total": 20,
                "engagement": 20,
                "by_rule": {"email open": 6, "email click": 10, "pricing page": 10},
                "by_group": {"email": 10, "engagement": 10},
            }
        },
    ),
    Case(
        name="group-cap-negative",
        doc="A group cap clamps a negative group sum to -cap.",
        leads=leads("a"),
        events=(
            ev("a", "unsubscribe", day(1)),
            ev("a", "complaint", day(2)),
            view("a", day(3)),
        ),
        model=model(
            EventRule(name="unsubscribe", when=when(type="unsubscribe"), points=-15, group="bad"),
            EventRule(name="complaint", when=when(type="complaint"), points=-15, group="bad"),
            pricing(points=5),
            group_caps={"bad": 20},
        ),
        as_of=day(5),
        expected={
            "a": {
                # bad: -15 - 15 = -30, clamped to -20; engagement 5; total -20 + 5 = -15
                "total": -15,
                "by_group": {"bad": -20, "engagement": 5},
                "by_rule": {"unsubscribe": -15, "complaint": -15, "pricing page": 5},
            }
        },
    ),
    Case(
        name="group-cap-fit",
        doc="Group caps apply to attribute (fit) groups too.",
        leads=(Lead(id="a", attributes={"industry": "it", "role": "cto"}),),
        events=(),
        model=model(
            AttributeRule(name="industry", when=when(industry="it"), points=20),
            AttributeRule(name="role", when=when(role="cto"), points=15),
            group_caps={"fit": 30},
        ),
        as_of=day(5),
        # 20 + 15 = 35, capped at 30
        expected={"a": {"total": 30, "fit": 30, "engagement": 0, "by_group": {"fit": 30}}},
    ),
    Case(
        name="rule-cap-then-group-cap",
        doc="Rule caps apply first, then the group cap on their sum.",
        leads=leads("a"),
        events=(*(view("a", day(d)) for d in range(4)), ev("a", "demo_request", day(4))),
        model=model(
            pricing(cap=30, group="web"),
            EventRule(name="demo", when=when(type="demo_request"), points=15, group="web"),
            group_caps={"web": 40},
        ),
        as_of=day(5),
        expected={
            "a": {
                # pricing 40 -> 30 (rule cap); demo 15; web 30 + 15 = 45 -> 40
                "total": 40,
                "by_rule": {"pricing page": 30, "demo": 15},
                "by_group": {"web": 40},
            }
        },
    ),
    Case(
        name="floor",
        doc="floor=0 keeps the total at 0; fit and engagement stay unclamped.",
        leads=leads("a"),
        events=(view("a", day(1)), ev("a", "unsubscribe", day(2))),
        model=model(
            pricing(),
            EventRule(name="unsubscribe", when=when(type="unsubscribe"), points=-50),
            floor=0,
        ),
        as_of=day(5),
        # engagement 10 - 50 = -40; total max(0, -40) = 0
        expected={"a": {"total": 0, "engagement": -40, "fit": 0}},
    ),
    Case(
        name="ceiling",
        doc="ceiling=100 clamps fit + engagement of 120 to 100.",
        leads=(Lead(id="a", attributes={"industry": "it"}),),
        events=tuple(view("a", day(d)) for d in range(6)),
        model=model(
            AttributeRule(name="industry", when=when(industry="it"), points=60),
            pricing(),
            ceiling=100,
        ),
        as_of=day(10),
        # fit 60, engagement 6 * 10 = 60; total min(100, 120) = 100
        expected={"a": {"total": 100, "fit": 60, "engagement": 60}},
    ),
    Case(
        name="floor-and-ceiling",
        doc="A total inside [floor, ceiling] is unchanged; below the floor it is raised.",
        leads=leads("a", "b"),
        events=(
            *(view("a", day(d)) for d in range(5)),
            ev("b", "unsubscribe", day(1)),
        ),
        model=model(
            pricing(),
            EventRule(name="unsubscribe", when=when(type="unsubscribe"), points=-30),
            floor=-10,
            ceiling=100,
        ),
        as_of=day(10),
        expected={
            "a": {"total": 50, "engagement": 50},  # 5 * 10 = 50, inside [-10, 100]
            "b": {"total": -10, "engagement": -30},  # -30 raised to the floor -10
        },
    ),
    Case(
        name="negative-points-decay",
        doc="Negative points fade like positive ones.",
        leads=leads("a"),
        events=(ev("a", "unsubscribe", day(90)), view("a", day(0))),
        model=model(
            EventRule(name="unsubscribe", when=when(type="unsubscribe"), points=-20),
            pricing(decay=NoDecay()),
            default_decay=HalfLife(days=10),
        ),
        as_of=day(100),
        # unsubscribe: -20 * 0.5 ** (10/10) = -10; pricing (NoDecay): 10; total 0
        expected={"a": {"total": 0, "by_rule": {"unsubscribe": -10, "pricing page": 10}}},
    ),
    # ------------------------------------------------------------------ attribute rules
    Case(
        name="attribute-never-decays",
        doc="Fit never decays, even under a one-day default half-life a thousand days on.",
        leads=(Lead(id="a", attributes={"industry": "it"}),),
        events=(view("a", day(0)),),
        model=model(
            AttributeRule(name="industry", when=when(industry="it"), points=15),
            pricing(),
            default_decay=HalfLife(days=1),
        ),
        as_of=day(1000),
        # fit 15; engagement 10 * 0.5 ** 1000 (about 9e-301)
        expected={"a": {"total": 15 + 10 * 0.5**1000, "fit": 15, "engagement": 10 * 0.5**1000}},
    ),
    Case(
        name="attribute-conditions",
        doc="Attribute rules on one_of, gte (boundary included) and equality.",
        leads=(
            Lead(id="a", attributes={"industry": "manufacturing", "size": 500, "role": "manager"}),
            Lead(id="b", attributes={"industry": "retail", "size": 50, "role": "engineer"}),
            Lead(id="c", attributes={"industry": "it", "size": 100, "role": "manager"}),
            Lead(id="d", attributes={"industry": "it", "size": 99, "role": "engineer"}),
        ),
        events=(),
        model=model(
            AttributeRule(name="industry", when=when(industry=["manufacturing", "it"]), points=15),
            AttributeRule(name="size", when=when(size=gte(100)), points=10),
            AttributeRule(name="manager", when=when(role="manager"), points=5),
        ),
        as_of=day(1),
        expected={
            "a": {"total": 30, "fit": 30},  # 15 + 10 + 5
            "b": {"total": 0, "fit": 0},  # nothing matches
            "c": {"total": 30, "fit": 30},  # 15 + 10 (100 >= 100) + 5
            "d": {"total": 15, "fit": 15},  # 15; 99 < 100; engineer
        },
    ),
    Case(
        name="attribute-status",
        doc="Attribute conditions see the lead's status.",
        leads=(
            Lead(id="open"),
            Lead(id="won", status="won", status_changed_at=day(1)),
            Lead(id="lost", status="lost", status_changed_at=day(1)),
            Lead(id="dq", status="disqualified", status_changed_at=day(1)),
        ),
        events=(),
        model=model(
            AttributeRule(name="customer", when=when(status="won"), points=20),
            AttributeRule(name="gone", when=when(status=["lost", "disqualified"]), points=-10),
            AttributeRule(name="open", when=when(status="open"), points=5),
        ),
        as_of=day(2),
        expected={
            "open": {"total": 5, "fit": 5},
            "won": {"total": 20, "fit": 20},
            "lost": {"total": -10, "fit": -10},
            "dq": {"total": -10, "fit": -10},
        },
    ),
    Case(
        name="attribute-missing-field",
        doc="A missing attribute never matches, except under Not.",
        leads=(
            Lead(id="a", attributes={"industry": "it"}),
            Lead(id="b", attributes={"industry": "retail"}),
            Lead(id="c"),
        ),
        events=(),
        model=model(
            AttributeRule(name="it", when=when(industry="it"), points=10),
            AttributeRule(name="not retail", when=Not(Field("industry", "retail")), points=3),
            AttributeRule(name="has industry", when=when(industry=exists(True)), points=1),
        ),
        as_of=day(1),
        expected={
            "a": {"total": 14},  # it 10 + not retail 3 + has industry 1
            "b": {"total": 1},  # has industry 1
            "c": {"total": 3},  # missing: only Not matches: 3
        },
    ),
    # ------------------------------------------------------------------ reactivation
    Case(
        name="reactivation-after-silence",
        doc="Silent 120 days, then three events in ten days: reactivated at the third.",
        leads=leads("a"),
        events=tuple(view("a", day(d), "blog") for d in (0, 120, 125, 130)),
        model=model(
            ReactivationRule(name="back", points=20),
            EventRule(name="pages", when=when(type="page_view"), points=2, decay=NoDecay()),
            default_decay=HalfLife(days=10),
        ),
        as_of=day(140),
        expected={
            "a": {
                # threshold after day 0: 90d (1 activity event < min_history 3).
                # day 120: silent 120d >= 90d: a return. 3 events in [120, 134]:
                # 120, 125, 130: reactivation at day 130.
                # back (model default half-life 10d): 20 * 0.5 ** (10/10) = 10
                # pages: 4 * 2 = 8. total 18
                "total": 18,
                "by_rule": {"back": 10, "pages": 8},
            }
        },
    ),
    Case(
        name="reactivation-burst-window-end",
        doc="The burst window includes first + burst_within; a second later is too thin.",
        leads=leads("a", "b"),
        events=(
            *(view("a", day(d), "blog") for d in (0, 120, 127, 134)),
            *(view("b", day(d), "blog") for d in (0, 120, 127)),
            view("b", day(134) + SECOND, "blog"),
        ),
        model=model(ReactivationRule(name="back", points=20, decay=HalfLife(days=6))),
        as_of=day(140),
        expected={
            # a: return at 120 (silence 120 >= 90); 3rd event at 134 = 120 + 14d,
            #    inside (inclusive): reactivation at 134: 20 * 0.5 ** (6/6) = 10
            "a": {"total": 10},
            # b: the window [120, 134] holds 120, 127 only: too thin. Later events follow
            #    silences of 7 days < 90: no return. 0
            "b": {"total": 0},
        },
    ),
    Case(
        name="reactivation-silence-edge",
        doc="A silence exactly the threshold is a return; a second less is not.",
        leads=leads("a", "b"),
        events=(
            *(view("a", day(d), "blog") for d in (0, 90, 91, 92)),
            view("b", day(0), "blog"),
            view("b", day(90) - SECOND, "blog"),
            view("b", day(91), "blog"),
            view("b", day(92), "blog"),
        ),
        model=model(ReactivationRule(name="back", points=10)),
        as_of=day(100),
        expected={
            # a: day 90: silence 90d >= 90d: return; 90, 91, 92 within 14d: reactivated, 10
            "a": {"total": 10},
            # b: 90d - 1s < 90d: no return; then silences of about 1 day: never. 0
            "b": {"total": 0},
        },
    ),
    Case(
        name="reactivation-lost-deal-return",
        doc="A lost lead returning with one pricing view gives lost_deal_return.",
        leads=(Lead(id="globex", status="lost", status_changed_at=day(20)),),
        events=(
            ev("globex", "email_click", day(10), category="newsletter"),
            view("globex", day(130), "pricing", event_id="g2"),
        ),
        model=model(
            ReactivationRule(
                name="lost back", points=25, kinds=["lost_deal_return"], decay=Window(length="P1M")
            ),
            ReactivationRule(name="silence back", points=10, kinds=["return_after_silence"]),
        ),
        as_of=day(131),
        expected={
            "globex": {
                # threshold after day 10: 90d; day 130: silent 120d: a return. LOST, the
                # pricing view is after status_changed_at (day 20) and an intent event:
                # lost_deal_return at day 130. Window P1M at day 131: in, 25.
                # silence back: kind filtered out, 0
                "total": 25,
                "by_rule": {"lost back": 25, "silence back": 0},
            }
        },
    ),
    Case(
        name="reactivation-lost-status-timing",
        doc="Intent before a lost status change is no lost return; unknown change time is.",
        leads=(
            Lead(id="late", status="lost", status_changed_at=day(140)),
            Lead(id="always", status="lost"),
        ),
        events=(
            ev("late", "email_click", day(10), category="newsletter"),
            view("late", day(130), "pricing"),
            ev("always", "email_click", day(10), category="newsletter"),
            view("always", day(130), "pricing"),
        ),
        model=model(
            ReactivationRule(
                name="lost back", points=25, kinds=["lost_deal_return"], decay=Window(length="P1M")
            ),
            ReactivationRule(name="any back", points=10),
        ),
        as_of=day(150),
        expected={
            # late: day 130 is a return (silent 120d) but before the status change (day
            #   140): an ordinary return needing 3 events within 14d; it has 1. 0
            "late": {"total": 0, "by_rule": {"lost back": 0, "any back": 0}},
            # always: lost all along: lost_deal_return at day 130; Window P1M at day 150
            #   (20 days on): in. lost back 25, any back (all kinds, NoDecay) 10. 35
            "always": {"total": 35, "by_rule": {"lost back": 25, "any back": 10}},
        },
    ),
    Case(
        name="reactivation-customer-return-kinds",
        doc="A won lead's return is customer_return; kinds= filters which rules score it.",
        leads=(Lead(id="a", status="won", status_changed_at=day(5)),),
        events=(view("a", day(0), "blog"), view("a", day(100), "product")),
        model=model(
            ReactivationRule(name="any", points=30),
            ReactivationRule(name="lost only", points=25, kinds=["lost_deal_return"]),
            ReactivationRule(name="customer", points=12, kinds={"customer_return"}),
        ),
        as_of=day(101),
        expected={
            "a": {
                # threshold after day 0: 90d; day 100: silent 100d: a return. WON, the
                # product view is after day 5 and an intent event: customer_return at 100.
                # any 30 + customer 12 = 42; lost only 0
                "total": 42,
                "by_rule": {"any": 30, "lost only": 0, "customer": 12},
            }
        },
    ),
    Case(
        name="reactivation-lost-never-quiet",
        doc="A lost lead that never went quiet has not come back.",
        leads=(Lead(id="a", status="lost", status_changed_at=day(1)),),
        events=(*(view("a", day(d), "blog") for d in (0, 30, 60)), view("a", day(100))),
        model=model(ReactivationRule(name="back", points=25)),
        as_of=day(110),
        # threshold after day 60: 3 events, gaps 30d, 30d: max(90d, 3 * 30d) = 90d.
        # day 100 (pricing): silent 40d < 90d: not a return. 0
        expected={"a": {"total": 0}},
    ),
    Case(
        name="reactivation-bounce-is-not-activity",
        doc="A bounce does not break a silence: it is not activity.",
        leads=leads("a"),
        events=(
            view("a", day(0), "blog"),
            ev("a", "bounce", day(60), category="newsletter"),
            *(view("a", day(d), "blog") for d in (100, 101, 102)),
        ),
        model=model(ReactivationRule(name="back", points=10)),
        as_of=day(110),
        # last activity day 0 (the bounce is ignored): silent 100d >= 90d at day 100;
        # 100, 101, 102 in 14d: reactivated at 102: 10 (NoDecay)
        expected={"a": {"total": 10}},
    ),
    Case(
        name="reactivation-cadence-threshold",
        doc="A lead visiting every 60 days has a 180-day threshold; a 130-day gap is no return.",
        leads=leads("steady", "quiet"),
        events=(
            *(view("steady", day(d), "blog") for d in (0, 60, 120, 250, 251, 252)),
            *(view("quiet", day(d), "blog") for d in (0, 100, 101, 102)),
        ),
        model=model(ReactivationRule(name="back", points=10)),
        as_of=day(260),
        expected={
            # steady: 60 and 120 follow silences of 60d < 90d. After day 120: 3 events,
            # gaps 60, 60: threshold max(90, 3 * 60) = 180d. day 250: silent 130d < 180d:
            # no return; 251, 252 follow 1-day gaps. 0
            "steady": {"total": 0},
            # quiet: threshold 90d after day 0; day 100 silent 100d: return; 100-102: 10
            "quiet": {"total": 10},
        },
    ),
    Case(
        name="reactivation-twice",
        doc="Two reactivations, each decaying from its own time.",
        leads=leads("a"),
        events=tuple(view("a", day(d), "blog") for d in (0, 100, 101, 102, 200, 201, 202)),
        model=model(ReactivationRule(name="back", points=10, decay=HalfLife(days=100))),
        as_of=day(302),
        # first: silent 100d after day 0 (threshold 90d): reactivated at 102.
        # threshold after 102: 4 events, gaps 100, 1, 1: median 1d, 3d < 90d: 90d.
        # day 200: silent 98d >= 90d: return; 200-202: reactivated at 202.
        # 10 * 0.5 ** (200/100) + 10 * 0.5 ** (100/100) = 2.5 + 5 = 7.5
        expected={"a": {"total": 7.5}},
    ),
    Case(
        name="reactivation-model-policy",
        doc="The model's DormancyPolicy decides: 30-day silence, bursts of two.",
        leads=leads("a", "b"),
        events=(
            *(view("a", day(d), "blog") for d in (0, 40, 41)),
            *(view("b", day(d), "blog") for d in (0, 25, 26)),
        ),
        model=model(
            ReactivationRule(name="back", points=10, decay=Window(days=30)),
            dormancy=DormancyPolicy(dormant_after="30d", burst_min_events=2),
        ),
        as_of=day(50),
        expected={
            # a: silent 40d >= 30d: return at 40; 2 events (40, 41): reactivated at 41;
            #    Window 30d at day 50: in, 10
            "a": {"total": 10},
            # b: silent 25d < 30d: no return. 0
            "b": {"total": 0},
        },
    ),
    # ------------------------------------------------------------------ duplicate ids
    Case(
        name="duplicate-copies-count-once",
        doc="Exact copies of an event (same id) count once; another id is another event.",
        leads=leads("a"),
        events=(
            view("a", day(1), event_id="e1"),
            view("a", day(1), event_id="e1"),
            view("a", day(1), event_id="e2"),
            view("a", day(1), event_id="e1"),
        ),
        model=model(pricing()),
        as_of=day(2),
        expected={"a": {"total": 20}},  # e1 once + e2 once: 2 * 10
    ),
    Case(
        name="duplicate-id-conflicting-time",
        doc="Two different events sharing an id within a lead are an error.",
        leads=leads("a"),
        events=(view("a", day(1), event_id="e1"), view("a", day(2), event_id="e1")),
        model=model(pricing()),
        as_of=day(3),
        raises=InvalidEventError,
    ),
    Case(
        name="duplicate-id-conflicting-properties",
        doc="Same id, same time, different properties: an error.",
        leads=leads("a"),
        events=(
            view("a", day(1), "pricing", event_id="e1"),
            view("a", day(1), "service", event_id="e1"),
        ),
        model=model(pricing()),
        as_of=day(3),
        raises=InvalidEventError,
    ),
    Case(
        name="duplicate-id-in-two-leads",
        doc="The same id in two different leads names two events.",
        leads=leads("a", "b"),
        events=(view("a", day(1), event_id="e1"), view("b", day(1), event_id="e1")),
        model=model(pricing()),
        as_of=day(2),
        expected=each(10, "a", "b"),  # one event each: 10
    ),
    Case(
        name="duplicate-conflict-after-as-of",
        doc="Events after as_of are cut before duplicates are checked.",
        leads=leads("a"),
        events=(view("a", day(1), event_id="e1"), view("a", day(200), event_id="e1")),
        model=model(pricing()),
        as_of=day(100),
        expected={"a": {"total": 10}},  # only the day-1 event exists at day 100: 10
    ),
    # ------------------------------------------------------------------ as_of, leads
    Case(
        name="events-after-as-of",
        doc="An event at as_of counts; one a microsecond later does not.",
        leads=leads("a", "b"),
        events=(view("a", day(10)), view("b", day(10) + timedelta(microseconds=1))),
        model=model(pricing()),
        as_of=day(10),
        expected={"a": {"total": 10}, "b": {"total": 0}},
    ),
    Case(
        name="nothing-matches",
        doc="Leads whose events match no rule, or with no events, get only their fit.",
        leads=(
            Lead(id="a", attributes={"industry": "retail"}),
            Lead(id="b", attributes={"industry": "it"}),
        ),
        events=(ev("a", "email_open", day(1)), view("a", day(2), "blog")),
        model=model(
            AttributeRule(name="industry", when=when(industry="it"), points=15),
            pricing(),
        ),
        as_of=day(5),
        expected={
            "a": {"total": 0, "fit": 0, "engagement": 0},  # no pricing view, not it
            "b": {"total": 15, "fit": 15, "engagement": 0},  # no events: fit 15
        },
    ),
    Case(
        name="several-leads",
        doc="Several leads with interleaved events, each scored on its own events.",
        leads=(
            Lead(id="c", attributes={"industry": "it"}),
            Lead(id="a", attributes={"industry": "retail"}),
            Lead(id="b", attributes={"industry": "it"}),
        ),
        events=(
            view("a", day(80)),
            view("b", day(90)),
            view("c", day(100)),
            view("a", day(90)),
            ev("b", "unsubscribe", day(95)),
        ),
        model=model(
            AttributeRule(name="industry", when=when(industry="it"), points=15),
            pricing(decay=HalfLife(days=10)),
            EventRule(name="unsubscribe", when=when(type="unsubscribe"), points=-8),
        ),
        as_of=day(100),
        expected={
            "c": {"total": 25, "fit": 15, "engagement": 10},  # 15 + 10 (age 0)
            "a": {"total": 7.5, "fit": 0, "engagement": 7.5},  # 10 * 0.25 + 10 * 0.5
            "b": {"total": 12, "fit": 15, "engagement": -3},  # 15 + 10 * 0.5 - 8
        },
    ),
    Case(
        name="time-zone-offsets",
        doc="Event times with an offset are moments: +09:00 10:00 is 01:00 UTC.",
        leads=leads("a", "b"),
        events=(
            view("a", datetime(2026, 6, 1, 10, tzinfo=timezone(timedelta(hours=9)))),
            view("b", datetime(2026, 7, 1, 10, 0, 1, tzinfo=timezone(timedelta(hours=9)))),
        ),
        model=model(pricing(decay=HalfLife(days=30))),
        as_of=utc(2026, 7, 1, 1),
        expected={
            "a": {"total": 5},  # 1 Jun 01:00 UTC -> 1 Jul 01:00 UTC: 30 days: 10 * 0.5
            "b": {"total": 0},  # 1 Jul 01:00:01 UTC is after as_of: ignored
        },
    ),
    Case(
        name="property-matchers",
        doc="gte on an int property (missing never matches) and contains ignoring case.",
        leads=leads("a", "b", "c", "d"),
        events=(
            ev("a", "page_view", day(1), category="pricing", duration_s=95, url="/pricing"),
            ev("b", "page_view", day(1), category="pricing", duration_s=30, url="/pricing"),
            ev("c", "page_view", day(1), category="pricing", url="/Pricing/Plans"),
            ev("d", "page_view", day(1), category="blog", duration_s=60, url="/blog/x"),
        ),
        model=model(
            EventRule(
                name="long visit", when=when(type="page_view", duration_s=gte(60)), points=10
            ),
            EventRule(name="pricing url", when=when(url=contains("/pricing")), points=5),
        ),
        as_of=day(2),
        expected={
            "a": {"total": 15},  # 95 >= 60: 10; url holds /pricing: 5
            "b": {"total": 5},  # 30 < 60; url: 5
            "c": {"total": 5},  # no duration_s: no; /Pricing/Plans holds /pricing: 5
            "d": {"total": 10},  # 60 >= 60: 10; /blog/x: no
        },
    ),
    Case(
        name="event-id-condition",
        doc="An event condition sees the event id; an event without an id has none.",
        leads=leads("a", "b", "c"),
        events=(
            view("a", day(1), event_id="web-1"),
            view("b", day(1), event_id="app-1"),
            view("c", day(1)),
        ),
        model=model(EventRule(name="web", when=when(id=prefix("web-")), points=10)),
        as_of=day(2),
        expected={"a": {"total": 10}, "b": {"total": 0}, "c": {"total": 0}},
    ),
)
"""Every conformance case; the test runs each of them on every engine."""
