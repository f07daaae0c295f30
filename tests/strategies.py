"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from leadscoring import (
    All,
    AnyOf,
    AttributeRule,
    Condition,
    Decay,
    DormancyPolicy,
    Event,
    EventRule,
    Field,
    GradeScale,
    HalfLife,
    JourneyClassifier,
    Lead,
    LeadStatus,
    Limit,
    Linear,
    Matcher,
    NoDecay,
    Not,
    Playbook,
    PriorityGrid,
    ReactivationRule,
    RepeatRule,
    Rule,
    ScoringModel,
    Steps,
    TemperatureClassifier,
    Window,
    between,
    contains,
    eq,
    exists,
    glob,
    gt,
    gte,
    lt,
    lte,
    one_of,
    prefix,
)
from leadscoring.core.rules import REACTIVATION_KINDS, RateRule
from leadscoring.typing import Scalar

T0 = datetime(2026, 1, 1, tzinfo=UTC)
"""The start of generated timelines."""

# --- core: leads, events, conditions, decays, rules, models ------------------------------
# Used by test_event, test_lead, test_matchers, test_conditions, test_decay, test_rules,
# test_model and test_engine; `models()` also feeds the config round-trip tests.
# Strategy builders are cached: building a strategy anew at every draw is slow.

EVENT_TYPES = ("page_view", "email_open", "email_click", "form_submit", "webinar")
"""The event types generated events use (rules built from the same names match them)."""

CATEGORIES = ("pricing", "service", "case_study", "blog", "faq")
"""The values of the generated ``category`` property."""

FIELD_NAMES = (
    "type", "category", "duration_s", "url", "id", "industry", "employees", "role", "status",
    "opt_in", "score", "region",
)
"""Field names conditions use. None of them is ``any``, ``all`` or ``not``, the combinator
keys of the model file format, so every generated condition has a data form."""

ENGAGEMENT_GROUPS = ("engagement", "email", "web")
FIT_GROUPS = ("fit", "firmographic")
"""Groups of attribute rules; disjoint from ``ENGAGEMENT_GROUPS`` as a model requires."""

RULE_KINDS = ("event", "repeat", "rate", "attribute", "reactivation")


@cache
def scalars(*, allow_none: bool = True) -> st.SearchStrategy[Scalar]:
    """Property and attribute values of every kind: text, int, finite float, bool, None."""
    values = st.one_of(
        st.text(max_size=8),
        st.integers(-1000, 1000),
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        st.booleans(),
    )
    return values | st.none() if allow_none else values


@cache
def moments(start: datetime = T0, days: int = 120) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes on a 15-minute grid in ``[start, start + days]`` (ties happen)."""
    return st.integers(0, days * 96).map(lambda q: start + timedelta(minutes=15 * q))


@cache
def event_properties() -> st.SearchStrategy[dict[str, Scalar]]:
    """Properties of a page view or email: ``category``, ``duration_s``, ``url`` (each may
    be missing), sometimes of an unexpected kind."""
    return st.fixed_dictionaries(
        {},
        optional={
            "category": st.sampled_from(CATEGORIES) | st.sampled_from(["PRICING", "Blog"]),
            "duration_s": st.integers(0, 600) | st.sampled_from([30.5, "60", True, None]),
            "url": st.sampled_from(["/pricing", "/Pricing/plans", "/blog/a", "/case/x"]),
        },
    )


@st.composite
def events(
    draw: st.DrawFn,
    lead_ids: Sequence[str] = ("L1",),
    start: datetime = T0,
    event_id: str | None = None,
) -> Event:
    """One event of one of ``lead_ids``, with ``id`` ``event_id`` (``None``: no id)."""
    return Event(
        lead_id=draw(st.sampled_from(lead_ids)),
        type=draw(st.sampled_from(EVENT_TYPES)),
        at=draw(moments(start)),
        properties=draw(event_properties()),
        id=event_id,
    )


@st.composite
def event_lists(
    draw: st.DrawFn,
    lead_ids: Sequence[str] = ("L1",),
    *,
    max_size: int = 20,
    with_ids: bool | None = None,
) -> list[Event]:
    """Events of ``lead_ids``; ids are unique (``e0``, ``e1``...) and present on all
    (``with_ids=True``), none (``False``) or some (``None``) of them."""
    size = draw(st.integers(0, max_size))
    out = []
    for index in range(size):
        has_id = draw(st.booleans()) if with_ids is None else with_ids
        out.append(draw(events(lead_ids, event_id=f"e{index}" if has_id else None)))
    return out


@cache
def lead_attributes() -> st.SearchStrategy[dict[str, Scalar]]:
    """Firmographic attributes, each possibly missing."""
    return st.fixed_dictionaries(
        {},
        optional={
            "industry": st.sampled_from(["it", "manufacturing", "retail", "IT"]),
            "employees": st.integers(1, 5000),
            "role": st.sampled_from(["executive", "manager", "staff"]),
            "opt_in": st.booleans(),
        },
    )


def leads(lead_id: str | st.SearchStrategy[str] = "L1") -> st.SearchStrategy[Lead]:
    """A lead with firmographic attributes, any status, and maybe a status change."""
    ids = lead_id if isinstance(lead_id, st.SearchStrategy) else st.just(lead_id)
    return st.builds(
        Lead,
        id=ids,
        attributes=lead_attributes(),
        status=st.sampled_from(list(LeadStatus)),
        status_changed_at=st.none() | moments(T0 - timedelta(days=400), days=400),
        account_id=st.none() | st.sampled_from(["A1", "A2"]),
    )


# Conditions ------------------------------------------------------------------------------


@cache
def numbers() -> st.SearchStrategy[int | float]:
    """Finite numbers as matcher arguments."""
    return st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@cache
def matchers(*, allow_none: bool = True) -> st.SearchStrategy[Matcher]:
    """Any matcher of the closed table, with any valid arguments (``allow_none=False``
    keeps ``None`` out of ``eq`` and ``one_of``, for formats without a null)."""
    values = scalars(allow_none=allow_none)
    text = st.text(min_size=1, max_size=8)
    ordered = st.tuples(numbers(), numbers()).map(sorted)
    return st.one_of(
        values.map(eq),
        st.lists(values, min_size=1, max_size=4).map(one_of),
        st.sampled_from([gt, gte, lt, lte]).flatmap(lambda op: numbers().map(op)),
        ordered.map(lambda pair: between(pair[0], pair[1])),
        st.builds(contains, text, case_sensitive=st.booleans()),
        st.builds(glob, text, case_sensitive=st.booleans()),
        st.builds(prefix, text, case_sensitive=st.booleans()),
        st.booleans().map(exists),
    )


@cache
def fields(*, allow_none: bool = True) -> st.SearchStrategy[Field]:
    """A ``Field`` over ``FIELD_NAMES`` with any matcher."""
    return st.builds(Field, st.sampled_from(FIELD_NAMES), matchers(allow_none=allow_none))


def combine(
    leaves: st.SearchStrategy[Condition], max_leaves: int = 6
) -> st.SearchStrategy[Condition]:
    """Condition trees of ``All``, ``AnyOf`` and ``Not`` over ``leaves``."""

    def extend(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        return st.one_of(
            st.lists(children, max_size=3).map(lambda cs: All(*cs)),
            st.lists(children, min_size=1, max_size=3).map(lambda cs: AnyOf(*cs)),
            children.map(Not),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


@cache
def conditions(*, allow_none: bool = True) -> st.SearchStrategy[Condition]:
    """Any condition: arbitrary matchers on ``FIELD_NAMES``, arbitrarily combined."""
    return combine(fields(allow_none=allow_none))


def data_field_names() -> st.SearchStrategy[str]:
    """Any field name a model file must be able to write: free text, and the keys the data
    form gives a meaning (``all``, ``any``, ``not``, ``field``, ``match``)."""
    reserved = st.sampled_from(["all", "any", "not", "field", "match", "type"])
    return reserved | st.text(min_size=1, max_size=8)


def any_conditions(*, allow_none: bool = True) -> st.SearchStrategy[Condition]:
    """Conditions over any field names, reserved words included (for config round trips)."""
    return combine(st.builds(Field, data_field_names(), matchers(allow_none=allow_none)))


@cache
def event_fields() -> st.SearchStrategy[Field]:
    """Fields that generated events often satisfy (and often do not)."""
    return st.one_of(
        st.sampled_from(EVENT_TYPES).map(lambda t: Field("type", t)),
        st.lists(st.sampled_from(EVENT_TYPES), min_size=1, max_size=3).map(
            lambda ts: Field("type", one_of(ts))
        ),
        st.sampled_from(CATEGORIES).map(lambda c: Field("category", c)),
        st.sampled_from([gte(60), lt(120), between(30, 300)]).map(
            lambda m: Field("duration_s", m)
        ),
        st.sampled_from([contains("pricing"), glob("/blog/*"), prefix("/case")]).map(
            lambda m: Field("url", m)
        ),
        st.booleans().map(lambda present: Field("category", exists(present))),
    )


@cache
def event_conditions() -> st.SearchStrategy[Condition]:
    """Conditions over the vocabulary of generated events, so rules match some of them:
    half are the typical ``when(type=..., category=..., ...)``, half arbitrary trees."""
    types = st.sampled_from(EVENT_TYPES) | st.lists(
        st.sampled_from(EVENT_TYPES), min_size=1, max_size=2
    ).map(one_of)
    categories = st.sampled_from(CATEGORIES) | st.lists(
        st.sampled_from(CATEGORIES), min_size=1, max_size=2
    ).map(one_of)
    typical = st.builds(
        lambda t, c, more: All(Field("type", t), Field("category", c), *more),
        types,
        categories,
        st.lists(event_fields(), max_size=1),
    )
    return typical | combine(event_fields(), max_leaves=4)


@cache
def lead_conditions() -> st.SearchStrategy[Condition]:
    """Attribute conditions over the vocabulary of generated leads."""
    leaf = st.one_of(
        st.sampled_from(["it", "manufacturing", "retail"]).map(lambda v: Field("industry", v)),
        st.sampled_from([gte(100), lt(50)]).map(lambda m: Field("employees", m)),
        st.sampled_from(list(LeadStatus)).map(lambda s: Field("status", s.value)),
        st.booleans().map(lambda b: Field("opt_in", b)),
    )
    return combine(leaf, max_leaves=3)


# Decays ----------------------------------------------------------------------------------


@cache
def fixed_durations() -> st.SearchStrategy[timedelta]:
    """Positive fixed durations in whole days, hours or seconds."""
    return st.one_of(
        st.integers(1, 400).map(lambda d: timedelta(days=d)),
        st.integers(1, 2000).map(lambda h: timedelta(hours=h)),
        st.integers(1, 10**7).map(lambda s: timedelta(seconds=s)),
    )


@cache
def calendar_durations() -> st.SearchStrategy[relativedelta]:
    """Whole calendar months (up to two years)."""
    return st.integers(1, 24).map(lambda m: relativedelta(months=m))


@st.composite
def steps(draw: st.DrawFn) -> Steps:
    """A valid ``Steps``: increasing ages, weights in [0, 1] that never increase."""
    ages = draw(st.lists(fixed_durations(), min_size=1, max_size=4, unique=True))
    weights = draw(st.lists(st.floats(0, 1), min_size=len(ages), max_size=len(ages)))
    return Steps(list(zip(sorted(ages), sorted(weights, reverse=True), strict=True)))


@cache
def decays() -> st.SearchStrategy[Decay]:
    """Every decay kind. Half-lives are whole hours so their text form is exact."""
    return st.one_of(
        st.just(NoDecay()),
        st.integers(1, 24 * 400).map(lambda h: HalfLife(days=h / 24)),
        st.integers(1, 365).map(lambda d: HalfLife(days=d)),
        fixed_durations().map(lambda d: Linear(over=d)),
        st.integers(1, 400).map(lambda d: Window(days=d)),
        fixed_durations().map(lambda d: Window(length=d)),
        st.integers(1, 24).map(lambda m: Window(months=m)),
        steps(),
    )


# Rules and models ------------------------------------------------------------------------


@cache
def points() -> st.SearchStrategy[int | float]:
    """Rule points: finite, possibly negative or zero."""
    return st.integers(-100, 100) | st.floats(-100, 100, allow_nan=False, allow_infinity=False)


@cache
def caps() -> st.SearchStrategy[int | float]:
    """Caps: finite and non-negative (zero included)."""
    return st.integers(0, 200) | st.floats(0, 200, allow_nan=False, allow_infinity=False)


@cache
def limits() -> st.SearchStrategy[Limit]:
    """Limits without ``per``, with a fixed ``per`` and with calendar months."""
    per = st.none() | fixed_durations() | calendar_durations()
    return st.builds(Limit, count=st.integers(1, 5), per=per)


@cache
def shares() -> st.SearchStrategy[int | float]:
    """A rate rule's ``at_least``: round shares (a third, 40%, all) and any in ``(0, 1]``."""
    round_shares = st.sampled_from([0.25, 1 / 3, 0.4, 0.5, 2 / 3, 0.75, 1.0, 1])
    return round_shares | st.floats(0, 1, exclude_min=True)


@cache
def rule_names() -> st.SearchStrategy[str]:
    """Rule names, including spaces, punctuation and Japanese (names are free text)."""
    alphabet = st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"])
    return st.text(alphabet, min_size=1, max_size=20).filter(str.strip)


@st.composite
def rules(
    draw: st.DrawFn,
    name: str,
    *,
    kinds: Sequence[str] = RULE_KINDS,
    when: st.SearchStrategy[Condition] | None = None,
    who: st.SearchStrategy[Condition] | None = None,
    point_values: st.SearchStrategy[int | float] | None = None,
    capped: bool = True,
) -> Rule:
    """One rule called ``name`` of one of ``kinds``. ``when`` and ``who`` give its event
    and lead conditions (default: any condition), ``point_values`` its points (default:
    any finite number); ``capped=False`` leaves out caps and limits."""
    kind = draw(st.sampled_from(kinds))
    pts = draw(point_values if point_values is not None else points())
    decay = draw(st.none() | decays())
    if kind == "attribute":
        condition = draw(who if who is not None else conditions())
        group = draw(st.sampled_from(FIT_GROUPS))
        return AttributeRule(name=name, when=condition, points=pts, group=group)
    group = draw(st.sampled_from(ENGAGEMENT_GROUPS))
    if kind == "reactivation":
        kinds_ = draw(st.none() | st.sets(st.sampled_from(sorted(REACTIVATION_KINDS)), min_size=1))
        return ReactivationRule(name=name, points=pts, decay=decay, kinds=kinds_, group=group)
    condition = draw(when if when is not None else conditions())
    if kind == "rate":
        return RateRule(
            name=name,
            numerator=condition,
            denominator=draw(when if when is not None else conditions()),
            within=draw(fixed_durations()),
            at_least=draw(shares()),
            min_denominator=draw(st.integers(1, 4)),
            points=pts,
            decay=decay,
            group=group,
        )
    if kind == "repeat":
        return RepeatRule(
            name=name,
            when=condition,
            times=draw(st.integers(1, 4)),
            within=draw(fixed_durations()),
            points=pts,
            decay=decay,
            group=group,
        )
    return EventRule(
        name=name,
        when=condition,
        points=pts,
        decay=decay,
        cap=draw(st.none() | caps()) if capped else None,
        limit=draw(st.none() | limits()) if capped else None,
        group=group,
    )


@cache
def _policies() -> st.SearchStrategy[DormancyPolicy]:
    """The default dormancy policy or any valid one."""
    return st.just(DormancyPolicy()) | dormancy_policies()


@st.composite
def models(
    draw: st.DrawFn,
    *,
    kinds: Sequence[str] = RULE_KINDS,
    when: st.SearchStrategy[Condition] | None = None,
    who: st.SearchStrategy[Condition] | None = None,
    point_values: st.SearchStrategy[int | float] | None = None,
    capped: bool = True,
    allow_none: bool = True,
    max_rules: int = 6,
    stages: bool = False,
) -> ScoringModel:
    """A valid ``ScoringModel``: every rule kind, decay kind, matcher and combinator,
    limits, caps, group caps, floor and ceiling, version and dormancy policy.

    With the defaults it is arbitrary (for round-trip tests). ``when``/``who`` narrow the
    conditions (e.g. to ``event_conditions()``/``lead_conditions()``), ``capped=False``
    leaves out every cap, limit, group cap and ceiling, ``allow_none=False`` keeps
    ``None`` out of matchers (TOML has no null). ``stages=True`` also draws the stage
    settings (temperature, journey, grades, priority, playbook); otherwise they are the
    defaults.
    """
    if when is None:
        when = conditions(allow_none=allow_none)
    if who is None:
        who = conditions(allow_none=allow_none)
    names = draw(st.lists(rule_names(), max_size=max_rules, unique=True))
    model_rules = [
        draw(rules(n, kinds=kinds, when=when, who=who, point_values=point_values, capped=capped))
        for n in names
    ]
    groups = sorted({r.group for r in model_rules} | {"unused"})
    group_caps = draw(st.dictionaries(st.sampled_from(groups), caps())) if capped else {}
    ceiling = draw(st.none() | st.integers(50, 500)) if capped else None
    settings: dict[str, object] = {}
    if stages:
        settings = {
            "temperature": draw(temperature_classifiers(percentile=None)),
            "journey": draw(journey_classifiers()),
            "grades": draw(grade_scales()),
            "priority": draw(priority_grids()),
            "playbook": draw(playbooks()),
        }
    return ScoringModel(
        name=draw(rule_names()),
        rules=model_rules,
        default_decay=draw(decays()),
        group_caps=group_caps,
        floor=draw(st.none() | st.integers(-50, 50)),
        ceiling=ceiling,
        version=draw(st.integers(1, 1000)),
        dormancy=draw(_policies()),
        **settings,  # type: ignore[arg-type]
    )


# --- activity (tests/test_activity.py) ---------------------------------------------------

ACTIVITY_TYPES = ("page_view", "page_view", "email_open", "form_submit", "bounce", "unsubscribe")
PAGE_CATEGORIES = ("blog", "pricing", "service", "faq", "product", "case_study")

# Gaps mix same-visit minutes, days, and long silences, so dormancy and bursts both occur.
_gaps = st.one_of(
    st.integers(0, 120).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 20).map(lambda d: timedelta(days=d)),
    st.integers(30, 250).map(lambda d: timedelta(days=d)),
)


@st.composite
def lead_histories(draw: st.DrawFn, lead_id: str = "L1", max_size: int = 25) -> list[Event]:
    """Events of one lead in time order, ids unique or absent."""
    gaps = draw(st.lists(_gaps, max_size=max_size))
    at, out = T0, []
    for index, gap in enumerate(gaps):
        at += gap
        kind = draw(st.sampled_from(ACTIVITY_TYPES))
        category = draw(st.sampled_from(PAGE_CATEGORIES))
        has_id = draw(st.booleans())
        out.append(
            Event(
                lead_id=lead_id, type=kind, at=at, properties={"category": category},
                id=f"{lead_id}-{index}" if has_id else None,
            )
        )
    return out


def activity_leads(lead_id: str = "L1") -> st.SearchStrategy[Lead]:
    """A lead of any status, its status change unknown or somewhere in the first 2 years."""
    return st.builds(
        Lead,
        id=st.just(lead_id),
        status=st.sampled_from(["open", "won", "lost", "disqualified"]),
        status_changed_at=st.none() | st.integers(0, 730).map(lambda d: T0 + timedelta(days=d)),
    )


def dormancy_policies() -> st.SearchStrategy[DormancyPolicy]:
    """Valid policies, from quick (days) to slow (months)."""
    days = st.integers(1, 120).map(lambda d: timedelta(days=d))
    return st.builds(
        DormancyPolicy,
        dormant_after=days,
        cadence_factor=st.floats(1.0, 5.0),
        min_history=st.integers(1, 5),
        session_gap=st.integers(1, 180).map(lambda m: timedelta(minutes=m)),
        burst_within=st.integers(1, 30).map(lambda d: timedelta(days=d)),
        burst_min_events=st.integers(1, 5),
        reactivated_for=days,
        ignore_types=st.sampled_from([frozenset({"bounce", "unsubscribe"}), frozenset()]),
        intent_types=st.sampled_from(
            [frozenset({"page_view"}), frozenset({"page_view", "form_submit"})]
        ),
        intent_categories=st.sampled_from(
            [frozenset({"service", "product", "pricing", "case_study"}), frozenset({"faq"})]
        ),
    )


# --- loaders (tests/test_loaders.py) -----------------------------------------------------

loadable_text = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
"""Text a file keeps as written: anything but a blank string (blank cells are absent)."""

loadable_numbers = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)
"""Numbers a numeric column reads back exactly: ints, and finite floats (written with repr)."""

loadable_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
"""Event times in UTC, as a loader returns them."""


def csv_events(lead_ids: st.SearchStrategy[str] = loadable_text) -> st.SearchStrategy[Event]:
    """Events for a CSV with the columns lead_id, type, at, id, category, duration_s."""
    return st.builds(
        Event,
        lead_id=lead_ids,
        type=loadable_text,
        at=loadable_times,
        id=st.none() | loadable_text,
        properties=st.fixed_dictionaries(
            {}, optional={"category": loadable_text, "duration_s": loadable_numbers}
        ),
    )


def jsonl_events() -> st.SearchStrategy[Event]:
    """Events with any property names and JSON-typed values, as ``Event.to_dict`` writes them."""
    values = loadable_text | loadable_numbers | st.booleans()
    return st.builds(
        Event,
        lead_id=loadable_text,
        type=loadable_text,
        at=loadable_times,
        id=st.none() | loadable_text,
        properties=st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=4),
    )


# --- stages (tests/test_stages.py, test_journey.py, test_interest.py, test_assessment.py) ---

STAGE_TYPES = (
    "page_view", "page_view", "page_view", "email_click", "download", "webinar",
    "event_attended", "inquiry", "demo_request", "form_submit", "purchase", "bounce",
)
STAGE_CATEGORIES = ("blog", "product", "service", "pricing", "case_study", "faq", "company")
PRODUCTS = ("crm", "ma", "sfa")


def thresholds() -> st.SearchStrategy[int | float]:
    """Band thresholds: whole or fractional, possibly negative."""
    return st.integers(-50, 150) | st.floats(-50, 150, allow_nan=False, allow_infinity=False)


def temperature_classifiers(
    *, percentile: bool | None = False
) -> st.SearchStrategy[TemperatureClassifier]:
    """Valid ``TemperatureClassifier`` s, thresholds in any order (``percentile=None``: both
    bases)."""
    points_basis = st.builds(
        TemperatureClassifier,
        warm=thresholds(),
        hot=thresholds(),
        exit_margin=st.integers(0, 20) | st.floats(0, 20),
        on=st.sampled_from(["total", "fit", "engagement"]),
    )
    pct = st.integers(0, 100) | st.floats(0, 100)
    percentile_basis = st.builds(
        TemperatureClassifier, warm=pct, hot=pct, exit_margin=st.integers(0, 10),
        basis=st.just("percentile"),
    )
    if percentile is None:
        return points_basis | percentile_basis
    return percentile_basis if percentile else points_basis


def grade_scales() -> st.SearchStrategy[GradeScale]:
    """Valid ``GradeScale`` s, thresholds in any order."""
    return st.builds(GradeScale, a=thresholds(), b=thresholds(), c=thresholds())


def priority_grids() -> st.SearchStrategy[PriorityGrid]:
    """``PriorityGrid`` s with some cells changed."""
    cells = st.dictionaries(
        st.sampled_from(["hot", "warm", "cold"]), st.integers(1, 12), max_size=3
    )
    return st.dictionaries(st.sampled_from("ABCD"), cells, max_size=4).map(
        lambda grid: PriorityGrid(grid=grid)
    )


def playbooks() -> st.SearchStrategy[Playbook]:
    """``Playbook`` s with some temperatures' tables replaced."""
    text = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
    keys = st.sampled_from(["interest", "comparison", "sales_ready", "none"])
    table = st.builds(
        lambda default, extra: {"default": default, **extra},
        text,
        st.dictionaries(keys, text, max_size=2),
    )
    return st.dictionaries(st.sampled_from(["hot", "warm", "cold"]), table, max_size=3).map(
        lambda actions: Playbook(actions=actions)
    )


def journey_classifiers() -> st.SearchStrategy[JourneyClassifier]:
    """``JourneyClassifier`` s: stages re-mapped to generated event conditions, any decay,
    positive minimums."""
    stage = st.sampled_from(["information_gathering", "interest", "comparison", "sales_ready"])
    return st.builds(
        JourneyClassifier,
        stages=st.dictionaries(stage, st.lists(event_conditions(), max_size=3), max_size=2),
        min_evidence=st.dictionaries(stage, st.floats(0.01, 5), max_size=4),
        decay=decays(),
    )


@st.composite
def stage_histories(draw: st.DrawFn, lead_id: str = "L1", max_size: int = 25) -> list[Event]:
    """Events of one lead over 120 days from ``T0``: page views of every category and
    product, forms, inquiries, purchases and webinars; ids unique or absent."""
    out = []
    for index in range(draw(st.integers(0, max_size))):
        kind = draw(st.sampled_from(STAGE_TYPES))
        props: dict[str, Scalar] = {}
        if kind == "page_view":
            props["category"] = draw(st.sampled_from(STAGE_CATEGORIES))
            if props["category"] in ("product", "service"):
                props["product"] = draw(st.sampled_from(PRODUCTS))
        elif kind == "form_submit":
            props["form"] = draw(st.sampled_from(["contact", "document_request", "newsletter"]))
        elif kind == "purchase":
            props["amount"] = draw(st.integers(1, 100) | st.floats(0.5, 100.0))
        has_id = draw(st.booleans())
        out.append(
            Event(
                lead_id=lead_id, type=kind, at=draw(moments(T0, days=120)), properties=props,
                id=f"{lead_id}-s{index}" if has_id else None,
            )
        )
    return out
