"""Identities on the object engines: an alias's history is its lead's, retroactively.

Golden numbers come from one rule worked by hand: a page view is worth 10 points with a
30-day half-life, so a view 30 days before ``as_of`` is worth 5 and one at ``as_of`` 10.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadscoring import (
    AttributeRule,
    Event,
    EventRule,
    HalfLife,
    Identity,
    IdentityMap,
    InvalidEventError,
    InvalidInputError,
    InvalidValueError,
    Lead,
    LeadStatus,
    Limit,
    ScoringModel,
    UnknownLeadError,
    activity,
    activity_all,
    assess,
    assess_all,
    gte,
    merge,
    score,
    score_all,
    timeline,
)
from leadscoring.core.identity import source_id
from strategies import event_lists, models

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
MODEL = ScoringModel(
    name="visits",
    rules=[EventRule(name="visit", when={"type": "page_view"}, points=10)],
    default_decay=HalfLife(days=30),
)


def view(lead_id: str, at: datetime, event_id: str | None = None, **props: str) -> Event:
    return Event(lead_id=lead_id, type="page_view", at=at, id=event_id, properties=props)


def link(alias: str, lead_id: str, at: datetime = AS_OF - DAY) -> Identity:
    return Identity(alias=alias, lead_id=lead_id, at=at)


# --- hand-worked cases ------------------------------------------------------------------


def test_a_cookies_earlier_browsing_counts_once_it_is_identified() -> None:
    # The cookie viewed a page 30 days before as_of (5.0) and was identified a day before
    # as_of; the lead itself viewed at as_of (10.0): 15.0 united, 10.0 on its own.
    events = [view("cookie-7", AS_OF - 30 * DAY, "e1"), view("ann", AS_OF, "e1")]
    ids = IdentityMap([link("cookie-7", "ann")])
    assert score(Lead(id="ann"), events, MODEL, as_of=AS_OF).total == 10.0
    assert score(Lead(id="ann"), events, MODEL, as_of=AS_OF, identities=ids).total == 15.0
    assert score(Lead(id="ann"), events, MODEL, as_of=AS_OF, identities=list(ids)).total == 15.0


def test_before_the_link_the_alias_is_a_visitor_of_its_own() -> None:
    # Scored 10 days before as_of (before the link at as_of - 1 day), the cookie's view
    # 20 days earlier is the cookie's: ann has nothing (0.0), the cookie 10 * 0.5^(20/30).
    events = [view("cookie-7", AS_OF - 30 * DAY)]
    ids = IdentityMap([link("cookie-7", "ann")])
    early = AS_OF - 10 * DAY
    results = score_all(
        [Lead(id="ann"), Lead(id="cookie-7")], events, MODEL, as_of=early, identities=ids
    )
    assert [(r.lead_id, r.total) for r in results] == [
        ("ann", 0.0),
        ("cookie-7", pytest.approx(10 * 0.5 ** (20 / 30))),
    ]
    # From the link on, the cookie is no lead of its own: score_all leaves it out.
    later = score_all(
        [Lead(id="ann"), Lead(id="cookie-7")], events, MODEL, as_of=AS_OF, identities=ids
    )
    assert [(r.lead_id, r.total) for r in later] == [("ann", 5.0)]


def test_chained_aliases_resolve_to_the_lead() -> None:
    # phone-cookie -> laptop-cookie (a device change, 20 days before as_of), laptop-cookie
    # -> ann (identified 5 days before). Views at as_of - 30d (5.0), as_of (10.0, laptop)
    # and as_of (10.0, ann): 25.0 for ann at as_of.
    events = [
        view("phone", AS_OF - 30 * DAY, "p1"),
        view("laptop", AS_OF, "l1"),
        view("ann", AS_OF, "a1"),
    ]
    ids = IdentityMap(
        [link("phone", "laptop", AS_OF - 20 * DAY), link("laptop", "ann", AS_OF - 5 * DAY)]
    )
    assert ids.lead_of("phone") == "ann"
    assert ids.aliases_of("ann") == {"laptop": AS_OF - 5 * DAY, "phone": AS_OF - 5 * DAY}
    assert score(Lead(id="ann"), events, MODEL, as_of=AS_OF, identities=ids).total == 25.0
    # Between the two links, the phone's history is the laptop cookie's: 10 days before
    # as_of, the phone's view (20 days old) is worth 10 * 0.5^(20/30) to "laptop".
    mid = AS_OF - 10 * DAY
    laptop = score(Lead(id="laptop"), events, MODEL, as_of=mid, identities=ids)
    assert laptop.total == pytest.approx(10 * 0.5 ** (20 / 30))


def test_two_aliases_sharing_an_event_id_are_not_copies() -> None:
    # Two cookies each number their first event "e1", and the lead's own first event is
    # "e1" too, all at as_of: three sources, three views, 30.0. A copy within one source
    # (the same "e1" sent twice by cookie-a) still counts once.
    events = [
        view("cookie-a", AS_OF, "e1"),
        view("cookie-a", AS_OF, "e1"),
        view("cookie-b", AS_OF, "e1"),
        view("ann", AS_OF, "e1", category="pricing"),
    ]
    ids = [link("cookie-a", "ann"), link("cookie-b", "ann")]
    assert score(Lead(id="ann"), events, MODEL, as_of=AS_OF, identities=ids).total == 30.0


def test_a_conflicting_copy_within_one_source_is_still_an_error() -> None:
    events = [view("cookie-a", AS_OF, "e1"), view("cookie-a", AS_OF - DAY, "e1")]
    with pytest.raises(InvalidEventError, match="cookie-a/e1"):
        score(Lead(id="ann"), events, MODEL, as_of=AS_OF, identities=[link("cookie-a", "ann")])


def test_ids_are_qualified_by_their_source() -> None:
    assert source_id("cookie-7", "e1") == "cookie-7/e1"
    assert source_id("cookie-7", None) is None
    moved = IdentityMap([link("cookie-7", "ann")]).rekey([view("cookie-7", AS_OF, "e1")])
    assert [(e.lead_id, e.id) for e in moved] == [("ann", "cookie-7/e1")]


def test_a_limit_applies_to_the_united_history() -> None:
    # At most 2 views count: the lead's own (at as_of) and the cookie's two earlier ones
    # are three; the two earliest count (the limit keeps the first N in time): the
    # cookie's at as_of - 60d (2.5) and as_of - 30d (5.0): 7.5.
    limited = ScoringModel(
        name="limited",
        rules=[
            EventRule(name="visit", when={"type": "page_view"}, points=10, limit=Limit(count=2))
        ],
        default_decay=HalfLife(days=30),
    )
    events = [view("c", AS_OF - 60 * DAY), view("c", AS_OF - 30 * DAY), view("ann", AS_OF)]
    got = score(Lead(id="ann"), events, limited, as_of=AS_OF, identities=[link("c", "ann")])
    assert got.total == 7.5


def test_scoring_an_alias_itself_says_whose_it_is() -> None:
    with pytest.raises(InvalidValueError, match="alias of lead 'ann'"):
        score(Lead(id="c"), [], MODEL, as_of=AS_OF, identities=[link("c", "ann")])


def test_events_of_an_alias_whose_lead_is_not_given_are_unknown() -> None:
    events = [view("c", AS_OF)]
    with pytest.raises(UnknownLeadError, match="'bob'"):
        score_all([Lead(id="ann")], events, MODEL, as_of=AS_OF, identities=[link("c", "bob")])


def test_timeline_jumps_when_the_alias_is_linked() -> None:
    # The cookie viewed at day 0; linked at day 2; ann has no events of her own. Sampled
    # daily from day 0 to day 3: 0, 0, then 10 * 0.5^(2/30) and 10 * 0.5^(3/30).
    day0 = AS_OF - 10 * DAY
    events = [view("c", day0)]
    ids = [link("c", "ann", day0 + 2 * DAY)]
    got = timeline(Lead(id="ann"), events, MODEL, start=day0, end=day0 + 3 * DAY, identities=ids)
    assert [r.total for r in got] == [
        0.0,
        0.0,
        pytest.approx(10 * 0.5 ** (2 / 30)),
        pytest.approx(10 * 0.5 ** (3 / 30)),
    ]


def test_assess_and_activity_see_the_united_history() -> None:
    # The cookie was busy 200 days ago; ann's own single visit is today. Alone, ann is
    # active with one event; united, her last activity is still today but her history
    # starts 200 days ago.
    events = [view("c", AS_OF - 200 * DAY, f"c{i}") for i in range(3)] + [view("ann", AS_OF)]
    ids = [link("c", "ann")]
    alone = assess(Lead(id="ann"), events, MODEL, as_of=AS_OF)
    united = assess(Lead(id="ann"), events, MODEL, as_of=AS_OF, identities=ids)
    assert alone.score.total == 10.0
    assert united.score.total == pytest.approx(10 + 3 * 10 * 0.5 ** (200 / 30))
    ranked = assess_all([Lead(id="ann"), Lead(id="c")], events, MODEL, as_of=AS_OF, identities=ids)
    assert [a.lead_id for a in ranked] == ["ann"]
    own = activity(Lead(id="ann"), events, as_of=AS_OF, identities=ids)
    assert own == activity_all([Lead(id="ann")], events, as_of=AS_OF, identities=ids)[0]
    assert own.last_active_at == AS_OF


# --- the identity map -------------------------------------------------------------------


def test_an_alias_claimed_by_two_leads_names_both() -> None:
    with pytest.raises(InvalidInputError, match=r"'ann'.*'bob'") as caught:
        IdentityMap([link("c", "ann"), link("c", "bob")])
    assert caught.value.row == 2


def test_a_cycle_names_both_ids() -> None:
    with pytest.raises(InvalidInputError, match="cycle"):
        IdentityMap([link("a", "b"), link("b", "c"), link("c", "a")])


def test_the_same_link_twice_counts_once_at_its_earliest() -> None:
    ids = IdentityMap([link("c", "ann", AS_OF), link("c", "ann", AS_OF - 5 * DAY)])
    assert ids.links == (link("c", "ann", AS_OF - 5 * DAY),)


def test_a_link_to_itself_and_a_naive_time_are_refused() -> None:
    with pytest.raises(InvalidValueError, match=r"Identity\.alias"):
        Identity(alias="ann", lead_id="ann", at=AS_OF)
    with pytest.raises(InvalidValueError, match=r"Identity\.at"):
        Identity(alias="c", lead_id="ann", at=datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="expected an Identity"):
        IdentityMap([("c", "ann")])  # type: ignore[list-item]


# --- merging two known leads -------------------------------------------------------------


FIT = ScoringModel(
    name="fit",
    rules=[
        AttributeRule(name="it", when={"industry": "it"}, points=15),
        AttributeRule(name="big", when={"employees": gte(200)}, points=10),
        EventRule(name="visit", when={"type": "page_view"}, points=10),
    ],
    default_decay=HalfLife(days=30),
)


def test_a_merged_lead_is_scored_as_if_it_had_always_been_one() -> None:
    # ann@old is in IT (15 fit) and viewed 30 days ago (5.0); ann@new has 300 employees
    # (10 fit) and viewed today (10.0): merged, 25 fit + 15 engagement = 40.
    old = Lead(id="ann@old", attributes={"industry": "it", "employees": ""})
    new = Lead(id="ann@new", attributes={"employees": 300})
    events = [view("ann@old", AS_OF - 30 * DAY, "e1"), view("ann@new", AS_OF, "e1")]
    merged = merge(into=old, from_=new, at=AS_OF - DAY)
    assert merged.lead.attributes == {"industry": "it", "employees": 300}
    assert merged.identity == link("ann@new", "ann@old")
    results = score_all([merged.lead, new], events, FIT, as_of=AS_OF, identities=[merged.identity])
    assert [(r.lead_id, r.fit, r.engagement, r.total) for r in results] == [
        ("ann@old", 25.0, 15.0, 40.0)
    ]


def test_merge_strategies_per_field() -> None:
    a = Lead(id="A", attributes={"industry": "it", "role": "", "region": "kanto"})
    b = Lead(id="B", attributes={"industry": "retail", "role": "manager"}, account_id="acme",
             status="won", status_changed_at=AS_OF - DAY)  # fmt: skip
    keep = merge(into=a, from_=b, at=AS_OF, default="keep").lead
    assert keep.attributes == {"industry": "it", "role": "", "region": "kanto"}
    assert (keep.status, keep.account_id) == (LeadStatus.OPEN, None)
    newest = merge(into=a, from_=b, at=AS_OF, default="newest").lead
    assert newest.attributes == {"industry": "retail", "role": "manager", "region": "kanto"}
    assert (newest.status, newest.status_changed_at) == (LeadStatus.WON, AS_OF - DAY)
    mixed = merge(into=a, from_=b, at=AS_OF, fields={"industry": "newest"}).lead
    assert mixed.attributes == {"industry": "retail", "role": "manager", "region": "kanto"}
    assert mixed.account_id == "acme"  # non_empty: A has none, B's is taken
    with pytest.raises(InvalidValueError, match=r"fields\['role'\]"):
        merge(into=a, from_=b, at=AS_OF, fields={"role": "longest"})  # type: ignore[dict-item]
    with pytest.raises(InvalidValueError, match="into itself"):
        merge(into=a, from_=a, at=AS_OF)


# --- properties ---------------------------------------------------------------------------

LEADS = ("L0", "L1", "L2")
ALIASES = ("c0", "c1", "c2")


@st.composite
def identity_maps(draw: st.DrawFn) -> list[Identity]:
    """Links of each cookie (maybe) to a lead or to an earlier cookie: no cycles."""
    out = []
    for index, alias in enumerate(ALIASES):
        if draw(st.booleans()):
            target = draw(st.sampled_from(LEADS + ALIASES[:index]))
            at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 130)))
            out.append(Identity(alias=alias, lead_id=target, at=at))
    return out


def by_hand(events: list[Event], links: list[Identity], as_of: datetime) -> list[Event]:
    """Each event moved to the end of its chain of links known at ``as_of``."""
    target = {link.alias: link for link in links}
    out = []
    for event in events:
        root = event.lead_id
        while root in target and target[root].at <= as_of:
            root = target[root].lead_id
        if root == event.lead_id:
            out.append(event)
        else:
            qualified = None if event.id is None else f"{event.lead_id}/{event.id}"
            out.append(Event(lead_id=root, type=event.type, at=event.at,
                             properties=event.properties, id=qualified))  # fmt: skip
    return out


@settings(max_examples=80, deadline=None)
@given(
    models(max_rules=5),
    event_lists(LEADS + ALIASES, max_size=25, with_ids=True),
    identity_maps(),
    st.integers(0, 140),
    st.randoms(use_true_random=False),
)
def test_scoring_with_identities_equals_scoring_events_rekeyed_to_their_lead(
    model: ScoringModel,
    events: list[Event],
    links: list[Identity],
    day: int,
    rng: random.Random,
) -> None:
    as_of = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
    roots = IdentityMap(links).roots(as_of)
    leads = [Lead(id=i) for i in LEADS + ALIASES]
    kept = [lead for lead in leads if lead.id not in roots]
    shuffled = list(events)
    rng.shuffle(shuffled)
    got = score_all(leads, shuffled, model, as_of=as_of, identities=links)
    want = score_all(kept, by_hand(events, links, as_of), model, as_of=as_of)
    assert [r.lead_id for r in got] == [r.lead_id for r in want]
    for g, w in zip(got, want, strict=True):
        assert g.total == pytest.approx(w.total, rel=1e-9, abs=1e-9)
        assert g.by_rule == pytest.approx(w.by_rule, rel=1e-9, abs=1e-9)
    assessed = assess_all(leads, shuffled, model, as_of=as_of, identities=links)
    expected = assess_all(kept, by_hand(events, links, as_of), model, as_of=as_of)
    assert [(a.lead_id, a.activity, a.journey) for a in assessed] == [
        (a.lead_id, a.activity, a.journey) for a in expected
    ]
