"""Hypothesis strategies that widen what the engine equivalence tests generate.

:mod:`strategies` draws events on a 15-minute grid over 120 days of 2026, durations up to
about a year and calendar lengths up to two years. The strategies here reach the edges the
engines' own arithmetic has to handle:

- **time**: event times over the years 1 to 9999 (kept :data:`EDGE_MARGIN` away from
  ``datetime``'s own limits, so what is tested is the engines' arithmetic, not
  ``datetime``'s range), dense clusters within hours or days (so limits, repeats and
  bursts trigger), and silences followed by bursts (so reactivations trigger);
- **durations**: from a microsecond to 1000 years, fixed or calendar (``Window(months=...)``,
  ``"P<n>M"``, ``"P<n>Y"``), half-lives from under a second to 1000 years;
- **rules and models**: every rule kind with limits (``per`` fixed or calendar), repeats,
  rate rules (shares from a sliver to all, windows up to 1000 years), reactivations with
  and without ``kinds``, caps, group caps, floor and ceiling, negative points, and
  dormancy policies from hours to centuries;
- **data**: leads with attributes and statuses whose status changes fall inside their
  histories, events with ids (some repeated as exact copies, some ids shared between
  leads), and ``as_of`` before, at and long after the events.

Every value of one property name has one type (``category`` and ``url`` always ``str``,
``duration_s`` always ``int``; no ``None``), since a polars column has one type.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import NamedTuple, TypeAlias

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from leadscoring import (
    All,
    AttributeRule,
    Condition,
    Decay,
    DormancyPolicy,
    Event,
    EventRule,
    Field,
    HalfLife,
    Lead,
    LeadStatus,
    Limit,
    Linear,
    NoDecay,
    RateRule,
    ReactivationKind,
    ReactivationRule,
    RepeatRule,
    Rule,
    ScoringModel,
    Steps,
    Window,
    one_of,
)
from strategies import (
    CATEGORIES,
    ENGAGEMENT_GROUPS,
    EVENT_TYPES,
    FIT_GROUPS,
    RULE_KINDS,
    T0,
    caps,
    dormancy_policies,
    event_conditions,
    lead_attributes,
    lead_conditions,
    points,
    rule_names,
    shares,
)

Duration: TypeAlias = timedelta | relativedelta
"""A fixed or a calendar duration."""

Properties = dict[str, str | int]
"""Event properties as generated: text or whole numbers, one type per name."""

__all__ = [
    "EDGE_MARGIN",
    "LEAD_IDS",
    "MAX_T",
    "MIN_T",
    "MODES",
    "Duration",
    "Properties",
    "Scenario",
    "as_of_moments",
    "copies",
    "lead_events",
    "model_lengths",
    "move",
    "scenarios",
    "shift",
    "wide_decays",
    "wide_dormancy_policies",
    "wide_durations",
    "wide_event_conditions",
    "wide_events",
    "wide_leads",
    "wide_limits",
    "wide_models",
    "wide_rules",
]

EDGE_MARGIN = timedelta(days=7)
"""How far generated moments stay from ``datetime.min`` and ``datetime.max``."""

MIN_T = datetime.min.replace(tzinfo=UTC) + EDGE_MARGIN
"""The earliest generated moment (8 January of the year 1)."""

MAX_T = datetime.max.replace(tzinfo=UTC).replace(microsecond=0) - EDGE_MARGIN
"""The latest generated moment (24 December 9999, 23:59:59)."""

LEAD_IDS = ("L1", "L2", "L3")
"""The leads of a scenario."""

MODES = ("dense", "bursty", "spread", "echo")
"""How one lead's event times are drawn (see :func:`lead_events`)."""

WIDE_TYPES = (*EVENT_TYPES, "bounce")
"""Event types: those the rules' conditions name, and ``bounce``, which the default
dormancy policy does not count as activity."""

_US = timedelta(microseconds=1)
_LOW_US = (MIN_T - T0) // _US
_HIGH_US = (MAX_T - T0) // _US
_DAY_US = 86_400 * 10**6
_YEAR_DAYS = 365
_MAX_DAYS = 1000 * _YEAR_DAYS
"""The longest fixed duration accepted (1000 years of 365 days)."""


def shift(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta`` clamped into ``[MIN_T, MAX_T]`` (never overflowing)."""
    return _at(_us(moment) + delta // _US)


def move(moment: datetime, length: Duration, sign: int = 1) -> datetime:
    """``moment + sign * length`` (calendar-aware for months and years), clamped into
    ``[MIN_T, MAX_T]``."""
    if isinstance(length, timedelta):
        return shift(moment, sign * length)
    try:
        moved = moment + length if sign > 0 else moment - length
    except (OverflowError, ValueError):  # past the year 9999 or before the year 1
        return MAX_T if sign > 0 else MIN_T
    return min(max(moved, MIN_T), MAX_T)


def _us(moment: datetime) -> int:
    return (moment - T0) // _US


def _at(offset_us: int) -> datetime:
    """The moment ``offset_us`` microseconds after :data:`~strategies.T0`, clamped into
    ``[MIN_T, MAX_T]`` (integers, so nothing overflows on the way)."""
    return T0 + timedelta(microseconds=min(max(offset_us, _LOW_US), _HIGH_US))


# --- durations and decays -----------------------------------------------------------------


@cache
def wide_durations() -> st.SearchStrategy[timedelta]:
    """Positive fixed durations from a microsecond to 1000 years (365-day years)."""
    return st.one_of(
        st.integers(1, 10**6).map(lambda us: timedelta(microseconds=us)),
        st.integers(1, 10**6).map(lambda s: timedelta(seconds=s)),
        st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m)),
        st.integers(1, 400).map(lambda d: timedelta(days=d)),
        st.integers(1, _MAX_DAYS).map(lambda d: timedelta(days=d)),
        st.just(timedelta(days=_MAX_DAYS)),
    )


@cache
def calendar_lengths() -> st.SearchStrategy[relativedelta | str]:
    """Calendar lengths up to 1000 years: ``"P<n>M"``, ``"P<n>Y"``, ``"P<y>Y<m>M"`` and
    ``relativedelta`` values."""
    return st.one_of(
        st.integers(1, 12 * 1000).map(lambda n: f"P{n}M"),
        st.integers(1, 1000).map(lambda n: f"P{n}Y"),
        st.tuples(st.integers(1, 999), st.integers(1, 11)).map(lambda ym: f"P{ym[0]}Y{ym[1]}M"),
        st.sampled_from(["P1M", "P1Y", "P100Y", "P500Y", "P999Y11M", "P1000Y", "P12000M"]),
        st.integers(1, 12 * 1000).map(lambda n: relativedelta(months=n)),
    )


@cache
def _step_ages() -> st.SearchStrategy[list[timedelta]]:
    return st.lists(wide_durations(), min_size=1, max_size=4, unique=True)


@cache
def _step_weights(size: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.floats(0, 1), min_size=size, max_size=size)


@st.composite
def wide_steps(draw: st.DrawFn) -> Steps:
    """A valid ``Steps`` whose ages reach up to 1000 years."""
    ages = draw(_step_ages())
    weights = draw(_step_weights(len(ages)))
    return Steps(list(zip(sorted(ages), sorted(weights, reverse=True), strict=True)))


@cache
def wide_decays() -> st.SearchStrategy[Decay]:
    """Every decay kind at every scale: half-lives from about a microsecond to 1000 years,
    linear decays and fixed windows up to 1000 years, calendar windows (``months=`` and
    ``"P<n>M"``/``"P<n>Y"`` lengths) up to 1000 years, wide steps, no decay."""
    return st.one_of(
        st.just(NoDecay()),
        st.floats(1e-11, 1e-2).map(lambda d: HalfLife(days=d)),  # ~1 µs to ~15 minutes
        st.integers(1, 365).map(lambda d: HalfLife(days=d)),
        st.floats(1.0, float(_MAX_DAYS)).map(lambda d: HalfLife(days=d)),
        st.just(HalfLife(days=_MAX_DAYS)),
        wide_durations().map(lambda d: Linear(over=d)),
        st.integers(1, _MAX_DAYS).map(lambda d: Window(days=d)),
        wide_durations().map(lambda d: Window(length=d)),
        st.integers(1, 12 * 1000).map(lambda m: Window(months=m)),
        calendar_lengths().map(lambda length: Window(length=length)),
        wide_steps(),
    )


@cache
def wide_limits() -> st.SearchStrategy[Limit]:
    """``Limit(count=N)`` without ``per``, with a fixed ``per`` (a microsecond to 1000
    years) and with a calendar ``per`` (``"P1M"`` to ``"P1000Y"``)."""
    per = st.none() | wide_durations() | calendar_lengths()
    return st.builds(Limit, count=st.integers(1, 5), per=per)


# --- rules and models ---------------------------------------------------------------------
# Strategies are built once (module constants or cached builders): building one anew at
# every draw makes hypothesis validate it again, which costs more than the draw itself.

_KINDS = st.none() | st.frozensets(
    st.sampled_from(sorted(k.value for k in ReactivationKind)), min_size=1
)
_FIT_GROUPS = st.sampled_from(FIT_GROUPS)
_ENGAGEMENT_GROUPS = st.sampled_from(ENGAGEMENT_GROUPS)
_TIMES = st.integers(1, 6)
_MIN_DENOMINATORS = st.integers(1, 2) | st.integers(1, 6)
_FLOORS = st.none() | st.integers(-100, 50) | st.floats(-100, 50)
_CEILING_GAPS = st.none() | st.integers(0, 400) | st.floats(0, 400)
"""How far the ceiling is above the floor (above -100 without a floor)."""


@cache
def _optional_decays() -> st.SearchStrategy[Decay | None]:
    return st.none() | wide_decays()


@cache
def _optional_caps() -> st.SearchStrategy[int | float | None]:
    return st.none() | caps()


@cache
def _optional_limits() -> st.SearchStrategy[Limit | None]:
    return st.none() | wide_limits()


@cache
def _sampled(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


@cache
def _index(size: int) -> st.SearchStrategy[int]:
    """An index into a sequence of ``size`` items."""
    return st.integers(0, size - 1)


@cache
def wide_event_conditions() -> st.SearchStrategy[Condition]:
    """:func:`strategies.event_conditions`, plus conditions most events match (every
    event, one of a few types), so that limits, repeats and caps see many events."""
    types = st.lists(st.sampled_from(EVENT_TYPES), min_size=1, max_size=3)
    return st.one_of(
        event_conditions(),
        st.just(All()),
        types.map(lambda ts: Field("type", one_of(ts))),
    )


_DENOMINATORS = st.just(All()) | wide_event_conditions()
"""A rate rule's denominator: often every event, so that shares are met and lost."""


@st.composite
def wide_rules(draw: st.DrawFn, name: str, *, kinds: Sequence[str] = RULE_KINDS) -> Rule:
    """One rule called ``name`` of one of ``kinds`` (event rules twice as often as each
    other kind), with conditions over the generated vocabulary, any finite points
    (negative too), wide decays, caps and limits; repeat rules with ``times`` 1 to 6 and
    ``within`` up to 1000 years; rate rules over two such conditions with any share,
    ``min_denominator`` 1 to 6 and ``within`` up to 1000 years; reactivation rules with
    and without ``kinds``."""
    kind = draw(_sampled(tuple(k for k in kinds for _ in range(2 if k == "event" else 1))))
    pts = draw(points())
    if kind == "attribute":
        return AttributeRule(
            name=name, when=draw(lead_conditions()), points=pts, group=draw(_FIT_GROUPS)
        )
    decay = draw(_optional_decays())
    group = draw(_ENGAGEMENT_GROUPS)
    if kind == "reactivation":
        return ReactivationRule(name=name, points=pts, decay=decay, kinds=draw(_KINDS), group=group)
    if kind == "rate":
        return RateRule(
            name=name,
            numerator=draw(wide_event_conditions()),
            denominator=draw(_DENOMINATORS),
            within=draw(wide_durations()),
            at_least=draw(shares()),
            min_denominator=draw(_MIN_DENOMINATORS),
            points=pts,
            decay=decay,
            group=group,
        )
    if kind == "repeat":
        return RepeatRule(
            name=name,
            when=draw(wide_event_conditions()),
            times=draw(_TIMES),
            within=draw(wide_durations()),
            points=pts,
            decay=decay,
            group=group,
        )
    return EventRule(
        name=name,
        when=draw(wide_event_conditions()),
        points=pts,
        decay=decay,
        cap=draw(_optional_caps()),
        limit=draw(_optional_limits()),
        group=group,
    )


@cache
def wide_dormancy_policies() -> st.SearchStrategy[DormancyPolicy]:
    """The default policy, the policies of :func:`strategies.dormancy_policies`, and
    policies whose durations range from minutes to centuries."""
    span = st.one_of(
        st.integers(1, 48).map(lambda h: timedelta(hours=h)),
        st.integers(1, 400).map(lambda d: timedelta(days=d)),
        st.integers(1, 300 * _YEAR_DAYS).map(lambda d: timedelta(days=d)),
    )
    names = st.frozensets(st.sampled_from(WIDE_TYPES), max_size=3)
    wide = st.builds(
        DormancyPolicy,
        dormant_after=span,
        cadence_factor=st.floats(1.0, 10.0),
        min_history=st.integers(1, 6),
        session_gap=st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m)),
        burst_within=span,
        burst_min_events=st.integers(1, 6),
        reactivated_for=span,
        ignore_types=names,
        intent_types=names.filter(bool),
        intent_categories=st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=3),
    )
    return st.just(DormancyPolicy()) | dormancy_policies() | wide


@cache
def _rule_name_lists(max_rules: int) -> st.SearchStrategy[list[str]]:
    return st.lists(rule_names(), min_size=1, max_size=max_rules, unique=True)


@cache
def _group_caps(groups: tuple[str, ...]) -> st.SearchStrategy[dict[str, int | float]]:
    return st.dictionaries(st.sampled_from(groups), caps(), max_size=3)


@st.composite
def wide_models(
    draw: st.DrawFn, *, kinds: Sequence[str] = RULE_KINDS, max_rules: int = 5
) -> ScoringModel:
    """A valid model of up to ``max_rules`` :func:`wide_rules`, a wide default decay, group
    caps (on used and unused groups), a floor and a ceiling (either may be absent; the
    floor may be negative) and a varied dormancy policy."""
    names = draw(_rule_name_lists(max_rules))
    model_rules = [draw(wide_rules(n, kinds=kinds)) for n in names]
    groups = tuple(sorted({r.group for r in model_rules} | {"unused"}))
    floor = draw(_FLOORS)
    gap = draw(_CEILING_GAPS)
    ceiling = None if gap is None else (-100 if floor is None else floor) + gap
    return ScoringModel(
        name="wide",
        rules=model_rules,
        default_decay=draw(wide_decays()),
        group_caps=draw(_group_caps(groups)),
        floor=floor,
        ceiling=ceiling,
        dormancy=draw(wide_dormancy_policies()),
    )


def _decay_lengths(decay: Decay | None) -> list[Duration]:
    if isinstance(decay, Window):
        return [decay.length]
    if isinstance(decay, Linear):
        return [decay.over]
    if isinstance(decay, Steps):
        return [age for age, _ in decay.steps]
    if isinstance(decay, HalfLife):
        return [timedelta(days=decay.days)]
    return []


def model_lengths(model: ScoringModel) -> tuple[Duration, ...]:
    """Every length a model's results turn on: window lengths, linear spans, step ages,
    half-lives, ``Limit.per``, ``RepeatRule.within``, ``RateRule.within`` and the dormancy
    policy's spans."""
    out = _decay_lengths(model.default_decay)
    for rule in model.rules:
        if isinstance(rule, EventRule | RepeatRule | RateRule | ReactivationRule):
            out += _decay_lengths(rule.decay)
        if isinstance(rule, EventRule) and rule.limit is not None and rule.limit.per is not None:
            out.append(rule.limit.per)
        if isinstance(rule, RepeatRule | RateRule):
            out.append(rule.within)
    policy = model.dormancy
    out += [policy.dormant_after, policy.burst_within, policy.reactivated_for, policy.session_gap]
    return tuple(out)


# --- events -------------------------------------------------------------------------------

_ANYWHERE = st.integers(_LOW_US, _HIGH_US)
"""Any moment of the generated range, in microseconds from ``T0``."""

_MILLENNIUM_US = 1000 * _YEAR_DAYS * _DAY_US

_EDGES = st.one_of(
    st.integers(0, 30 * _DAY_US).map(lambda d: _LOW_US + d),
    st.integers(0, 30 * _DAY_US).map(lambda d: _HIGH_US - d),
    st.integers(0, _MILLENNIUM_US).map(lambda d: _LOW_US + d),
    st.integers(0, _MILLENNIUM_US).map(lambda d: _HIGH_US - d),
)
"""Moments within a month or a millennium of either end of the generated range, where
windows and limits of up to 1000 years reach past the year 1 (or ``as_of`` past 9999)."""

_ANCHORS = st.one_of(st.integers(-400 * _DAY_US, 400 * _DAY_US), _ANYWHERE, _EDGES)
"""Where a lead's history starts: near 2026, anywhere in the years 1 to 9999, or near the
edges of the generated range."""

_DENSE_STEPS = st.one_of(
    st.just(0),
    st.integers(0, 96).map(lambda q: q * 15 * 60 * 10**6),  # a 15-minute grid
    st.integers(1, 3600).map(lambda s: s * 10**6),
    st.integers(1, 3 * _DAY_US),
)
"""Gaps inside a cluster: ties, seconds, minutes, up to a few days."""

_SILENCES = st.one_of(
    st.integers(1, 400).map(lambda d: d * _DAY_US),
    st.integers(1, 60 * _YEAR_DAYS).map(lambda d: d * _DAY_US),
    st.integers(1, 2000 * _YEAR_DAYS).map(lambda d: d * _DAY_US),
)
"""Silences between bursts: weeks, months, years, centuries."""

_SPREAD = st.one_of(
    st.integers(_LOW_US // _DAY_US, _HIGH_US // _DAY_US).map(lambda d: d * _DAY_US),
    _ANYWHERE,
    _EDGES,
)
"""Independent moments anywhere (on whole days, so some tie, or to the microsecond), often
near the edges."""

_JITTER = st.sampled_from([0, 0, 1, -1])
"""Microseconds off an exact length: on the edge, just after it, just before it."""

_MODES = st.sampled_from(MODES)
_ONE_IN_FOUR = st.integers(0, 3)
_TYPES = st.sampled_from(("page_view", "page_view", *WIDE_TYPES))
_HAS_ID = st.booleans()


@st.composite
def _offsets(draw: st.DrawFn, mode: str, size: int, lengths: Sequence[Duration] = ()) -> list[int]:
    """``size`` event times of one lead, in microseconds from ``T0`` (unclamped)."""
    if mode == "spread":
        return [draw(_SPREAD) for _ in range(size)]
    at = draw(_ANCHORS)
    out: list[int] = []
    for index in range(size):
        if index == 0:
            pass
        elif mode == "bursty" and draw(_ONE_IN_FOUR) == 0:
            at += draw(_SILENCES)
        elif mode == "echo" and lengths and draw(_ONE_IN_FOUR) != 0:
            length = lengths[draw(_index(len(lengths)))]
            at = _us(move(_at(at), length)) + draw(_JITTER)
        else:
            at += draw(_DENSE_STEPS)
        out.append(at)
    return out


@cache
def wide_properties() -> st.SearchStrategy[Properties]:
    """``category`` (str, usually present), ``duration_s`` (int) and ``url`` (str), each
    possibly missing; never ``None`` and never of another type."""
    category: st.SearchStrategy[str | int] = st.sampled_from(CATEGORIES) | st.sampled_from(
        ["PRICING", "Blog"]
    )
    others: dict[str, st.SearchStrategy[str | int]] = {
        "duration_s": st.integers(0, 600) | st.integers(0, 10**9),
        "url": st.sampled_from(["/pricing", "/Pricing/plans", "/blog/a", "/case/x"]),
    }
    return st.fixed_dictionaries({"category": category}, optional=others) | st.fixed_dictionaries(
        {}, optional={"category": category, **others}
    )


@cache
def _sizes(max_size: int) -> st.SearchStrategy[int]:
    return st.integers(0, max_size)


@st.composite
def lead_events(
    draw: st.DrawFn,
    lead_id: str,
    *,
    max_size: int = 10,
    lengths: Sequence[Duration] = (),
) -> list[Event]:
    """One lead's events in one of :data:`MODES`:

    - ``dense``: a cluster of ties, seconds, minutes and hours (limits, repeats, bursts);
    - ``bursty``: such clusters separated by silences of weeks to centuries
      (reactivations);
    - ``spread``: independent times anywhere in the years 1 to 9999;
    - ``echo``: gaps of exactly one of ``lengths`` (a model's windows, limits, repeats:
      :func:`model_lengths`), or a microsecond more or less, so events fall on the edges.

    Ids are ``e<i>`` (so the same id occurs in several leads: different events) or absent.
    """
    mode = draw(_MODES)
    size = draw(_sizes(max_size))
    out = []
    for index, offset in enumerate(draw(_offsets(mode, size, lengths))):
        out.append(
            Event(
                lead_id=lead_id,
                type=draw(_TYPES),
                at=_at(offset),
                properties=draw(wide_properties()),
                id=f"e{index}" if draw(_HAS_ID) else None,
            )
        )
    return out


def copies(events: Sequence[Event]) -> list[Event]:
    """A new, equal :class:`Event` for each of ``events`` (an exact copy, not the same
    object)."""
    return [
        Event(lead_id=e.lead_id, type=e.type, at=e.at, properties=dict(e.properties), id=e.id)
        for e in events
    ]


@cache
def _picks(size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(_index(size), max_size=4)


@st.composite
def wide_events(
    draw: st.DrawFn, lead_ids: Sequence[str] = LEAD_IDS, lengths: Sequence[Duration] = ()
) -> list[Event]:
    """The events of ``lead_ids`` (:func:`lead_events` each, ``echo`` ing ``lengths``),
    plus exact copies of some events with an id and repeats of some without (which count
    twice), in any order."""
    out: list[Event] = []
    for lead_id in lead_ids:
        out.extend(draw(lead_events(lead_id, lengths=lengths)))
    if out:
        out.extend(copies([out[i] for i in draw(_picks(len(out)))]))
    return list(draw(st.permutations(out)))


# --- leads and scenarios ------------------------------------------------------------------

_STATUSES = st.sampled_from([LeadStatus.LOST, LeadStatus.WON, *LeadStatus])
_CHANGES = st.sampled_from(["none", "near", "anywhere"])
_NEAR = st.integers(-30 * 86_400, 30 * 86_400).map(lambda s: timedelta(seconds=s))
_WHEN = st.sampled_from(["after", "at", "before", "edge", "anywhere"])
_AHEAD = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 96).map(lambda q: timedelta(minutes=15 * q)),
    wide_durations(),
)
_ANY_MOMENT = _ANYWHERE | _EDGES


@st.composite
def wide_leads(draw: st.DrawFn, lead_id: str, history: Sequence[Event] = ()) -> Lead:
    """A lead with attributes, any status (won and lost often), its status change unknown,
    anywhere, or close to one of ``history`` 's events (so lost-deal and customer returns
    happen, before and after the change)."""
    change = draw(_CHANGES)
    changed: datetime | None = None
    if change == "near" and history:
        changed = shift(history[draw(_index(len(history)))].at, draw(_NEAR))
    elif change != "none":
        changed = _at(draw(_ANYWHERE))
    return Lead(
        id=lead_id,
        attributes=draw(lead_attributes()),
        status=draw(_STATUSES),
        status_changed_at=changed,
    )


@st.composite
def as_of_moments(
    draw: st.DrawFn, events: Sequence[Event], lengths: Sequence[Duration] = ()
) -> datetime:
    """An aware UTC ``as_of``: after the latest event (by nothing, minutes, or up to 1000
    years), exactly at an event, before some events, one of ``lengths`` after an event (a
    microsecond more or less: on a window's edge), or anywhere in the years 1 to 9999."""
    when = draw(_WHEN)
    if not events or when == "anywhere":
        return _at(draw(_ANY_MOMENT))
    if when == "after":
        return shift(max(e.at for e in events), draw(_AHEAD))
    at = events[draw(_index(len(events)))].at
    if when == "edge" and lengths:
        edge = move(at, lengths[draw(_index(len(lengths)))])
        return shift(edge, timedelta(microseconds=draw(_JITTER)))
    return at if when == "at" else shift(at, -draw(wide_durations()))


class Scenario(NamedTuple):
    """One case for every engine: a model, its leads, their events and ``as_of``."""

    model: ScoringModel
    leads: tuple[Lead, ...]
    events: list[Event]
    as_of: datetime

    def __repr__(self) -> str:
        """Everything that decides the scores (a model's own repr only summarises it)."""
        model = self.model
        parts = [f"rules={list(model.rules)!r}", f"default_decay={model.default_decay!r}"]
        if model.group_caps:
            parts.append(f"group_caps={dict(model.group_caps)!r}")
        for bound in ("floor", "ceiling"):
            if getattr(model, bound) is not None:
                parts.append(f"{bound}={getattr(model, bound)!r}")
        if model.dormancy != DormancyPolicy():
            parts.append(f"dormancy={model.dormancy!r}")
        return (
            f"Scenario(model=ScoringModel(name={model.name!r}, {', '.join(parts)}), "
            f"leads={self.leads!r}, events={self.events!r}, as_of={self.as_of!r})"
        )


@st.composite
def scenarios(
    draw: st.DrawFn, *, kinds: Sequence[str] = RULE_KINDS, max_rules: int = 5
) -> Scenario:
    """A :class:`Scenario` over :data:`LEAD_IDS`: a :func:`wide_models` model, the leads
    (:func:`wide_leads`, their status changes near their own events), :func:`wide_events`
    (some echoing the model's lengths) and an :func:`as_of_moments` moment."""
    model = draw(wide_models(kinds=kinds, max_rules=max_rules))
    lengths = model_lengths(model)
    history = draw(wide_events(lengths=lengths))
    leads = tuple(
        draw(wide_leads(lead_id, [e for e in history if e.lead_id == lead_id]))
        for lead_id in LEAD_IDS
    )
    as_of = draw(as_of_moments(history, lengths))
    return Scenario(model=model, leads=leads, events=history, as_of=as_of)
