"""Tests of ``identities=`` on the DataFrame engines: score_frame, assess_frame,
activity_frame and reactivations_frame unite an alias's history with its lead's.

The reference is the object path on the same leads, events and links (``score_all``,
``assess_all``, ``activity_all`` with ``identities=``); golden numbers are worked out by
hand in the comments next to them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("narwhals")

from leadscoring import (  # noqa: E402
    Activity,
    DormancyPolicy,
    Event,
    EventRule,
    HalfLife,
    Identity,
    IdentityMap,
    InvalidEventError,
    InvalidInputError,
    InvalidValueError,
    Lead,
    LeadScoringError,
    NoDecay,
    ScoringModel,
    UnknownLeadError,
    activity_all,
    assess_all,
    assess_frame,
    glob,
    prefix,
    score_all,
    score_frame,
)
from leadscoring.core.identity import source_id  # noqa: E402
from leadscoring.scoring.frame_activity import activity_frame, reactivations_frame  # noqa: E402
from leadscoring.scoring.frame_identities import qualified  # noqa: E402
from strategies import (  # noqa: E402
    T0,
    activity_leads,
    dormancy_policies,
    event_conditions,
    events,
    lead_conditions,
    lead_histories,
    leads,
    models,
    moments,
    stage_histories,
)
from test_activity_frame import (  # noqa: E402
    assert_same_activity,
    assert_same_reactivations,
    rows_of,
)
from test_activity_frame import leads_table as status_table  # noqa: E402
from test_assess_frame import assert_same  # noqa: E402
from test_frame import (  # noqa: E402
    assert_rows_match,
    events_table,
    leads_table,
    one_type_per_column,
    without_nones,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
ANN, COOKIE = "ann@example.com", "cookie-91"

MODEL = ScoringModel(
    name="m",
    rules=[
        EventRule(name="pricing page", when={"type": "page_view", "category": "pricing"},
                  points=20),
        EventRule(name="page view", when={"type": "page_view"}, points=5),
    ],
    default_decay=HalfLife(days=30),
)  # fmt: skip
"""A pricing view is worth 20 + 5 = 25 points when it happens, any other view 5; both
halve every 30 days."""

COUNT = ScoringModel(name="count", rules=[EventRule(name="v", when={"type": "page_view"},
                                                    points=1)])  # fmt: skip
"""One point per page view, never decaying."""


def view(who: str, at: datetime, event_id: str | None, category: str = "blog") -> Event:
    return Event(lead_id=who, type="page_view", at=at, id=event_id,
                 properties={"category": category})  # fmt: skip


def linked(*links: tuple[str, str, datetime]) -> IdentityMap:
    return IdentityMap([Identity(alias=a, lead_id=b, at=at) for a, b, at in links])


def totals(table: Any) -> dict[str, float]:
    return {row["lead_id"]: row["total"] for row in rows_of(table)}


BACKENDS = ["pandas", "polars"]


def frame_of(lead_list: list[Lead], backend: str) -> Any:
    """Leads as a table of ``backend``: lead_id, status, status_changed_at, attributes."""
    if backend == "pandas":
        return leads_table(lead_list)
    pl = pytest.importorskip("polars")
    rows = [
        {"lead_id": x.id, "status": x.status.value, "status_changed_at": x.status_changed_at,
         **x.attributes}
        for x in lead_list
    ]  # fmt: skip
    schema = {"lead_id": pl.String, "status": pl.String,
              "status_changed_at": pl.Datetime("us", "UTC")}  # fmt: skip
    return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)


# --------------------------------------------------------------------------- examples

HISTORY = [
    view(COOKIE, NOW - 30 * DAY, "v1", "pricing"),
    Event(lead_id=ANN, type="form_submit", at=NOW - DAY, id="f1"),
    view(ANN, NOW, "v1"),
]
"""The docs' story: a cookie reads the pricing page a month before it fills in a form
(which tells us it is Ann); Ann reads a blog post today."""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cookies_visit_before_identification_counts_for_the_lead(backend: str) -> None:
    """Linked the day before: the cookie's pricing view, 30 days old, is Ann's: 25 points
    halved once, 12.5, plus her blog view today, 5: 17.5. Alone Ann has her 5 points and
    the cookie (a visitor of its own) its 12.5."""
    events = events_table(HISTORY, backend)
    links = linked((COOKIE, ANN, NOW - DAY))
    united = score_frame(events, MODEL, as_of=NOW, identities=links, by_rule=True)
    assert totals(united) == {ANN: 17.5}
    assert totals(score_frame(events, MODEL, as_of=NOW)) == {COOKIE: 12.5, ANN: 5.0}
    ann = frame_of([Lead(id=ANN)], backend)
    assert totals(score_frame(events, MODEL, as_of=NOW, leads_df=ann, identities=links)) == {
        ANN: 17.5
    }
    with pytest.raises(UnknownLeadError, match=COOKIE):  # not linked: the cookie is unknown
        score_frame(events, MODEL, as_of=NOW, leads_df=ann)
    # the object path agrees, and accepts the links as a plain list too
    expected = score_all([Lead(id=ANN)], HISTORY, MODEL, as_of=NOW, identities=links)
    assert_rows_match(united, expected)
    assert_rows_match(
        score_frame(events, MODEL, as_of=NOW, identities=list(links), by_rule=True), expected
    )


def test_a_link_made_after_as_of_does_not_apply() -> None:
    """Two days before now the form was not filled in yet (the link is at now - 1 day): the
    cookie is a visitor of its own, its view 28 days old: 25 * 0.5 ** (28 / 30); Ann's
    events are all later, 0 (she is listed: the events name her)."""
    events = events_table(HISTORY)
    before = NOW - 2 * DAY
    out = score_frame(events, MODEL, as_of=before, identities=linked((COOKIE, ANN, NOW - DAY)))
    assert out["lead_id"].tolist() == [COOKIE, ANN]
    assert out["total"].tolist() == pytest.approx([25 * 0.5 ** (28 / 30), 0.0], rel=1e-12)
    # a lead row of the cookie stays until the link is made, and goes from then on
    both = leads_table([Lead(id=ANN), Lead(id=COOKIE)])
    links = linked((COOKIE, ANN, NOW - DAY))
    assert score_frame(events, MODEL, as_of=before, leads_df=both, identities=links)[
        "lead_id"
    ].tolist() == [ANN, COOKIE]
    assert score_frame(events, MODEL, as_of=NOW - DAY, leads_df=both, identities=links)[
        "lead_id"
    ].tolist() == [ANN]


@pytest.mark.parametrize("backend", BACKENDS)
def test_chained_aliases_join_when_the_last_link_is_made(backend: str) -> None:
    """phone → laptop on day 10, laptop → Ann on day 20. A view each (no decay, 1 point):
    on day 15 the laptop cookie has its view and the phone's (2), Ann hers (1); on day 25
    Ann has all three. The phone's event keeps its source: ``phone/p1`` (a rule on that id
    gives 7 points), not ``laptop/phone/p1``."""
    t = datetime(2026, 1, 1, tzinfo=UTC)
    history = [
        view("phone", t, "p1"), view("laptop", t + DAY, "p1"), view(ANN, t + 2 * DAY, "p1"),
    ]  # fmt: skip
    links = linked(("phone", "laptop", t + 10 * DAY), ("laptop", ANN, t + 20 * DAY))
    model = ScoringModel(
        name="ids",
        rules=[*COUNT.rules, EventRule(name="phone id", when={"id": "phone/p1"}, points=7)],
    )
    events = events_table(history, backend)
    mid = score_frame(events, model, as_of=t + 15 * DAY, identities=links, by_rule=True)
    assert rows_of(mid) == [
        {"lead_id": "laptop", "total": 9.0, "fit": 0.0, "engagement": 9.0,
         "by_group.engagement": 9.0, "by_rule.v": 2.0, "by_rule.phone id": 7.0},
        {"lead_id": ANN, "total": 1.0, "fit": 0.0, "engagement": 1.0,
         "by_group.engagement": 1.0, "by_rule.v": 1.0, "by_rule.phone id": 0.0},
    ]  # fmt: skip
    late = score_frame(events, model, as_of=t + 25 * DAY, identities=links)
    assert totals(late) == {ANN: 10.0}
    for as_of in (t + 15 * DAY, t + 25 * DAY):
        lead_list = [Lead(id=i) for i in ("phone", "laptop", ANN)]
        assert_rows_match(
            score_frame(events, model, as_of=as_of, identities=links,
                        leads_df=frame_of(lead_list, backend), by_rule=True),
            score_all(lead_list, history, model, as_of=as_of, identities=links),
        )  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_aliases_sharing_an_event_id_both_count(backend: str) -> None:
    """Two cookies both number their first view ``e1`` (the same moment and page): united
    they are ``a/e1`` and ``b/e1``, two views (2 points), where two rows of one source with
    the same id are one event (1 point)."""
    twin = [view("a", NOW - DAY, "e1"), view("b", NOW - DAY, "e1")]
    links = linked(("a", ANN, NOW - DAY), ("b", ANN, NOW - DAY))
    out = score_frame(events_table(twin, backend), COUNT, as_of=NOW, identities=links)
    assert totals(out) == {ANN: 2.0}
    same = [view("a", NOW - DAY, "e1"), view("a", NOW - DAY, "e1")]
    out = score_frame(events_table(same, backend), COUNT, as_of=NOW, identities=links)
    assert totals(out) == {ANN: 1.0}
    assert [s.total for s in score_all([Lead(id=ANN)], twin, COUNT, as_of=NOW,
                                       identities=links)] == [2.0]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_alias_row_of_the_leads_table_is_dropped(backend: str) -> None:
    """The cookie has a row of its own in the leads table (with attributes): linked, it
    gives no result, and the other leads keep their order and attributes."""
    lead_list = [
        Lead(id="bob", attributes={"industry": "it"}),
        Lead(id=COOKIE, attributes={"industry": "retail"}),
        Lead(id=ANN, attributes={"industry": "it"}),
    ]
    links = linked((COOKIE, ANN, NOW - DAY))
    events = events_table([*HISTORY, view("bob", NOW, "b1")], backend)
    leads_df = frame_of(lead_list, backend)
    from leadscoring import AttributeRule

    model = ScoringModel(
        name="fit", rules=[*MODEL.rules, AttributeRule(name="it", when={"industry": "it"},
                                                       points=15)],
        default_decay=HalfLife(days=30),
    )  # fmt: skip
    out = score_frame(events, model, as_of=NOW, leads_df=leads_df, identities=links,
                      by_rule=True)  # fmt: skip
    assert rows_of(out)[0]["lead_id"] == "bob"
    assert totals(out) == {"bob": 20.0, ANN: 32.5}  # 15 fit + 5; 15 fit + 12.5 + 5
    assert_rows_match(out, score_all(lead_list, [*HISTORY, view("bob", NOW, "b1")], model,
                                     as_of=NOW, identities=links))  # fmt: skip
    assessed = assess_frame(events, model, as_of=NOW, leads_df=leads_df, identities=links)
    assert sorted(assessed["lead_id"].to_list()) == [ANN, "bob"]
    states = activity_frame(events, as_of=NOW, leads_df=leads_df, identities=links)
    assert states["lead_id"].to_list() == ["bob", ANN]


def test_without_leads_a_lead_first_seen_through_an_alias_stands_where_that_row_is() -> None:
    """Rows: the cookie (Ann's alias), Bob, Ann. The leads, in order of first appearance
    after re-keying: Ann (at the cookie's row), then Bob."""
    rows = [view(COOKIE, NOW - 2 * DAY, "c1"), view("bob", NOW, "b1"), view(ANN, NOW, "a1")]
    out = score_frame(events_table(rows), COUNT, as_of=NOW,
                      identities=linked((COOKIE, ANN, NOW - DAY)))  # fmt: skip
    assert rows_of(out) == [
        {"lead_id": ANN, "total": 2.0, "fit": 0.0, "engagement": 2.0, "by_group.engagement": 2.0},
        {"lead_id": "bob", "total": 1.0, "fit": 0.0, "engagement": 1.0,
         "by_group.engagement": 1.0},
    ]  # fmt: skip


@pytest.mark.parametrize("kind", ["category", "integers", "polars enum"])
def test_coded_lead_columns_of_every_kind_are_rekeyed_alike(kind: str) -> None:
    """A categorical (pandas ``category``, polars ``Enum``) or integer ``lead_id`` column,
    with unused categories and an alias whose lead has no rows of its own: the table of
    the text column. Rows 7 (cookie of 9), 5, 7, 8 (alias of 5): leads 9, then 5."""
    t = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [7, 5, 7, 8]
    links = linked(("7", "9", t), ("8", "5", t))
    at = pd.to_datetime([t + i * DAY for i in range(4)], utc=True)
    text = pd.DataFrame({"lead_id": [str(i) for i in ids], "type": ["page_view"] * 4,
                         "at": at, "id": ["e1", "e1", "e2", "e1"]})  # fmt: skip
    if kind == "category":
        table = text.astype({"lead_id": pd.CategoricalDtype(["1", "8", "7", "5"])})
    elif kind == "integers":
        table = text.assign(lead_id=ids)
    else:
        pl = pytest.importorskip("polars")
        table = pl.from_dict({c: text[c].tolist() for c in ("type", "id")}).with_columns(
            lead_id=pl.Series([str(i) for i in ids], dtype=pl.Enum(["1", "8", "7", "5"])),
            at=pl.Series(list(at.to_pydatetime()), dtype=pl.Datetime("us", "UTC")),
        )
    as_of = t + 10 * DAY
    out = score_frame(table, COUNT, as_of=as_of, identities=links)
    assert [(r["lead_id"], r["total"]) for r in rows_of(out)] == [("9", 2.0), ("5", 2.0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_ids_are_qualified_as_their_decimal_text(backend: str) -> None:
    """An integer ``id`` column: the cookie's event 1 is ``cookie-91/1`` (as ``Event`` reads
    an int id: its text), the lead's own 1 stays ``1``: a rule on ``cookie-91/*`` ids
    gives 3 points once."""
    history = [
        Event(lead_id=COOKIE, type="page_view", at=NOW - DAY, id=1),
        Event(lead_id=ANN, type="page_view", at=NOW, id=1),
    ]
    model = ScoringModel(name="ids", rules=[
        *COUNT.rules, EventRule(name="cookie id", when={"id": glob(f"{COOKIE}/*")}, points=3),
        EventRule(name="one", when={"id": "1"}, points=100),
    ])  # fmt: skip
    data = {"lead_id": [COOKIE, ANN], "type": ["page_view"] * 2, "id": [1, 1]}
    if backend == "polars":
        pl = pytest.importorskip("polars")
        events = pl.DataFrame(data).with_columns(
            at=pl.Series([NOW - DAY, NOW], dtype=pl.Datetime("us", "UTC"))
        )
        assert events.schema["id"] == pl.Int64
    else:
        events = pd.DataFrame({**data, "at": pd.to_datetime([NOW - DAY, NOW], utc=True)})
        assert events["id"].dtype == np.int64
    links = linked((COOKIE, ANN, NOW - DAY))
    out = score_frame(events, model, as_of=NOW, identities=links, by_rule=True)
    assert rows_of(out)[0]["by_rule.cookie id"] == 3.0
    assert rows_of(out)[0]["by_rule.one"] == 100.0
    assert_rows_match(out, score_all([Lead(id=ANN)], history, model, as_of=NOW,
                                     identities=links))  # fmt: skip
    back = reactivations_frame(  # Ann's event 1, the cookie's event 2 back after a silence
        pd.DataFrame({"lead_id": [ANN, COOKIE], "type": ["page_view"] * 2, "id": [1, 2],
                      "at": pd.to_datetime([NOW - 400 * DAY, NOW], utc=True)}),
        as_of=NOW, identities=links, policy=DormancyPolicy(burst_min_events=1),
    )  # fmt: skip
    assert back["event_id"].tolist() == [f"{COOKIE}/2"]


def test_a_qualified_id_given_as_such_is_the_same_id() -> None:
    """Ann's own event ``cookie-91/v1`` and the cookie's ``v1`` are one id once united: an
    equal event is a copy (counts once), a different one raises, as in score_all."""
    copy = view(ANN, NOW - 30 * DAY, "cookie-91/v1", "pricing")
    links = linked((COOKIE, ANN, NOW - DAY))
    history = [*HISTORY, copy]
    out = score_frame(events_table(history), MODEL, as_of=NOW, identities=links)
    assert totals(out) == {ANN: 17.5}
    assert [s.total for s in score_all([Lead(id=ANN)], history, MODEL, as_of=NOW,
                                       identities=links)] == [17.5]  # fmt: skip
    other = attrs.evolve(copy, at=NOW - 29 * DAY)
    with pytest.raises(InvalidEventError, match=f"lead '{ANN}' share id 'cookie-91/v1'"):
        score_frame(events_table([*HISTORY, other]), MODEL, as_of=NOW, identities=links)
    with pytest.raises(InvalidEventError):
        score_all([Lead(id=ANN)], [*HISTORY, other], MODEL, as_of=NOW, identities=links)


def test_qualified_equals_source_id() -> None:
    """The vectorised ``source/id`` is :func:`source_id` of each pair."""

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.text(min_size=1), st.text(min_size=1)), max_size=20))
    def check(pairs: list[tuple[str, str]]) -> None:
        sources = np.array([s for s, _ in pairs], dtype=object)
        ids = np.array([i for _, i in pairs], dtype=object)
        assert qualified(sources, ids).tolist() == [source_id(s, i) for s, i in pairs]

    check()


def test_links_are_checked_and_nothing_changes_without_them() -> None:
    """``None``, an empty list, or links no row is concerned by: the plain table; a string
    is no links; the events of an unknown lead after ``as_of`` are not reported, as in
    score_all."""
    events = events_table(HISTORY)
    plain = score_frame(events, MODEL, as_of=NOW)
    for links in (None, [], linked(("nobody", ANN, NOW))):
        pd.testing.assert_frame_equal(
            score_frame(events, MODEL, as_of=NOW, identities=links), plain
        )
    with pytest.raises(InvalidValueError, match="identities"):
        score_frame(events, MODEL, as_of=NOW, identities="cookie")  # type: ignore[arg-type]
    later = events_table([*HISTORY, view("stranger", NOW + DAY, None)])
    ann = leads_table([Lead(id=ANN), Lead(id=COOKIE)])
    assert totals(score_frame(later, MODEL, as_of=NOW, leads_df=ann)) == {ANN: 5.0, COOKIE: 12.5}
    assert [s.total for s in score_all([Lead(id=ANN), Lead(id=COOKIE)], [
        *HISTORY, view("stranger", NOW + DAY, None)], MODEL, as_of=NOW)] == [5.0, 12.5]  # fmt: skip


def test_bad_lead_rows_are_named_by_their_row_in_the_table_given() -> None:
    """Row 1 (the cookie) is left out; a bad value in row 3 is still row 3."""
    links = linked((COOKIE, ANN, NOW - DAY))
    events = events_table(HISTORY)
    text_times = pd.DataFrame({"lead_id": [COOKIE, ANN, "bob"],
                               "status_changed_at": [None, None, "not a time"]})  # fmt: skip
    with pytest.raises(InvalidInputError) as info:
        activity_frame(events, as_of=NOW, leads_df=text_times, identities=links)
    assert (info.value.source, info.value.row, info.value.column) == (
        "leads_df", 3, "status_changed_at"
    )  # fmt: skip
    from leadscoring import AttributeRule

    fit = ScoringModel(name="fit", rules=[AttributeRule(name="big", when={"employees": prefix("1")},
                                                        points=1)])  # fmt: skip
    infinite = pd.DataFrame({"lead_id": [COOKIE, ANN, "bob"], "employees": [1.0, 2.0, np.inf]})
    with pytest.raises(InvalidInputError, match="infinite") as info:
        score_frame(events, fit, as_of=NOW, leads_df=infinite, identities=links)
    assert (info.value.row, info.value.column) == (3, "employees")
    twice = pd.DataFrame({"lead_id": [COOKIE, COOKIE, ANN]})
    with pytest.raises(InvalidInputError, match="given twice"):
        score_frame(events, MODEL, as_of=NOW, leads_df=twice, identities=links)


@pytest.mark.parametrize("backend", BACKENDS)
def test_activity_and_reactivations_see_the_united_history(backend: str) -> None:
    """Ann's view 400 days ago and the cookie's view today are one history: a return after
    a silence (one event is enough under this policy) completed by the cookie's event,
    ``cookie-91/new`` in her history. Apart, both are new leads with one event each."""
    history = [view(ANN, NOW - 400 * DAY, "v1"), view(COOKIE, NOW, "new")]
    links = linked((COOKIE, ANN, NOW - DAY))
    policy = DormancyPolicy(burst_min_events=1)
    events = events_table(history, backend)
    expected = activity_all([Lead(id=ANN)], history, as_of=NOW, policy=policy,
                            identities=links)  # fmt: skip
    states = activity_frame(events, as_of=NOW, identities=links, policy=policy)
    assert_same_activity(states, expected)
    assert rows_of(states)[0]["state"] == "reactivated"
    back = reactivations_frame(events, as_of=NOW, identities=links, policy=policy)
    assert_same_reactivations(back, expected)
    assert [r["event_id"] for r in rows_of(back)] == [f"{COOKIE}/new"]
    alone = activity_frame(events, as_of=NOW, policy=policy)
    assert alone["lead_id"].to_list() == [ANN, COOKIE]
    assert reactivations_frame(events, as_of=NOW, policy=policy).shape[0] == 0


# --------------------------------------------------------------------------- properties

LEAD_IDS = ("L1", "L2", "L3")
COOKIES = ("c1", "c2")
SOURCES = LEAD_IDS + COOKIES


@st.composite
def identity_maps(draw: st.DrawFn) -> IdentityMap:
    """Links among the lead ids and the cookies: chains, leads merged into leads, links
    given twice (the earliest counts), some made after ``as_of``; never a cycle."""
    order = draw(st.permutations(SOURCES))
    links = []
    for index in range(1, len(order)):
        if draw(st.integers(0, 2)) == 0:
            continue
        target = draw(st.sampled_from(order[:index]))
        links.append(Identity(alias=order[index], lead_id=target, at=draw(moments())))
        if draw(st.integers(0, 4)) == 0:
            links.append(Identity(alias=order[index], lead_id=target, at=draw(moments())))
    return IdentityMap(draw(st.permutations(links)))


def renumbered(history: list[Event]) -> list[Event]:
    """Each source numbers its events ``e0``, ``e1``...: sources share ids."""
    return [e if e.id is None else attrs.evolve(e, id=f"e{i}") for i, e in enumerate(history)]


@st.composite
def histories(draw: st.DrawFn, kind: str = "score") -> list[Event]:
    """Events of every source (ids shared across sources), with some exact copies and,
    now and then, a lead's event whose id is a cookie's qualified one."""
    out: list[Event] = []
    for source in SOURCES:
        if kind == "score":
            size = draw(st.integers(0, 5))
            mine = [draw(events((source,), event_id=draw(st.sampled_from([None, "x"]))))
                    for _ in range(size)]  # fmt: skip
        elif kind == "activity":
            mine = draw(lead_histories(source, max_size=6))
        else:
            mine = [*draw(stage_histories(source, max_size=5)),
                    *draw(lead_histories(source, max_size=3))]  # fmt: skip
        out.extend(renumbered(mine))
    if out and draw(st.integers(0, 3)) == 0:
        out.append(draw(st.sampled_from(out)))  # an exact copy
    if out and draw(st.integers(0, 5)) == 0:
        base = draw(st.sampled_from(out))
        out.append(attrs.evolve(base, lead_id=draw(st.sampled_from(LEAD_IDS)),
                                id=f"{draw(st.sampled_from(COOKIES))}/e0"))  # fmt: skip
    return without_nones(draw(st.permutations(out)))


@st.composite
def lead_lists(draw: st.DrawFn, make: Any = leads) -> list[Lead]:
    """The three leads, and some cookies with rows of their own, in any order."""
    chosen = [*LEAD_IDS, *(c for c in COOKIES if draw(st.booleans()))]
    return [draw(make(lead_id)) for lead_id in draw(st.permutations(chosen))]


def attempt(run: Any) -> Any:
    """``run()``, or the class of the :class:`LeadScoringError` it raised."""
    try:
        return run()
    except LeadScoringError as error:
        return type(error)


def first_appearance(history: list[Event], links: IdentityMap, as_of: datetime) -> list[Lead]:
    """The leads a table without ``leads_df`` lists: those the re-keyed rows name, in
    order of first appearance."""
    return [Lead(id=i) for i in dict.fromkeys(links.lead_of(e.lead_id, as_of) for e in history)]


@st.composite
def with_id_rules(draw: st.DrawFn) -> ScoringModel:
    """A random model plus rules on qualified and plain ids."""
    model = draw(models(when=event_conditions(), who=lead_conditions()))
    extra = [
        EventRule(name="qualified id", when={"id": glob("c*/*")}, points=3),
        EventRule(name="first id", when={"id": "e0"}, points=2, decay=NoDecay()),
    ]
    assume(not {r.name for r in model.rules} & {r.name for r in extra})
    return attrs.evolve(model, rules=[*model.rules, *extra])


scoring_models = with_id_rules()
ON_UNKNOWN = st.sampled_from(["raise", "ignore"])


def compare(got: Any, want: Any, check: Any) -> None:
    """Both raised the same error class, or ``check(got, want)``."""
    if isinstance(want, type) or isinstance(got, type):
        assert got == want
    else:
        check(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_score_frame_equals_score_all(backend: str) -> None:
    """Random models, histories, leads (cookies among them or not) and links: the table is
    score_all's with the same ``identities``, with and without ``leads_df``."""

    @settings(max_examples=60 if backend == "pandas" else 30, deadline=None)
    @given(scoring_models, histories(), lead_lists(), identity_maps(), st.integers(0, 130),
           ON_UNKNOWN)  # fmt: skip
    def check(
        model: ScoringModel, history: list[Event], lead_list: list[Lead], links: IdentityMap,
        days: int, on_unknown: Any,
    ) -> None:  # fmt: skip
        as_of = T0 + timedelta(days=days)
        if backend == "polars":  # a polars column holds one type
            history = one_type_per_column(history)
        table = events_table(history, backend)
        want = attempt(lambda: score_all(lead_list, history, model, as_of=as_of,
                                         on_unknown=on_unknown, identities=links))  # fmt: skip
        got = attempt(lambda: score_frame(table, model, as_of=as_of,
                                          leads_df=frame_of(lead_list, backend),
                                          on_unknown=on_unknown, identities=links,
                                          by_rule=True))  # fmt: skip
        compare(got, want, assert_rows_match)
        named = first_appearance(history, links, as_of)
        want = attempt(lambda: score_all(named, history, model, as_of=as_of, identities=links))
        got = attempt(lambda: score_frame(table, model, as_of=as_of, identities=links,
                                          by_rule=True))  # fmt: skip
        compare(got, want, assert_rows_match)

    check()


@settings(max_examples=30, deadline=None)
@given(scoring_models, histories(), identity_maps(), st.integers(0, 130))
def test_score_frame_equals_score_frame_on_the_rekeyed_events(
    model: ScoringModel, history: list[Event], links: IdentityMap, days: int
) -> None:
    """``identities=`` is the table of ``IdentityMap.rekey`` (lead ids and qualified ids
    as ``moved`` makes them) without the links."""
    as_of = T0 + timedelta(days=days)
    want = attempt(lambda: score_frame(events_table(links.rekey(history, as_of=as_of)), model,
                                       as_of=as_of, by_rule=True))  # fmt: skip
    got = attempt(lambda: score_frame(events_table(history), model, as_of=as_of,
                                      identities=links, by_rule=True))  # fmt: skip
    if isinstance(want, type) or isinstance(got, type):
        assert got == want
    else:
        pd.testing.assert_frame_equal(got, want, rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    models(when=event_conditions(), who=lead_conditions(), stages=True),
    histories("assess"), lead_lists(), identity_maps(), st.integers(0, 130), ON_UNKNOWN,
)  # fmt: skip
def test_assess_frame_equals_assess_all(
    model: ScoringModel, history: list[Event], lead_list: list[Lead], links: IdentityMap,
    days: int, on_unknown: Any,
) -> None:  # fmt: skip
    """The whole assessment, ranked, on the united histories; alias rows left out."""
    as_of = T0 + timedelta(days=days)
    want = attempt(lambda: assess_all(lead_list, history, model=model, as_of=as_of,
                                      on_unknown=on_unknown, identities=links))  # fmt: skip
    got = attempt(lambda: assess_frame(events_table(history), model, as_of=as_of,
                                       leads_df=leads_table(lead_list), on_unknown=on_unknown,
                                       identities=links))  # fmt: skip
    compare(got, want, assert_same)


@settings(max_examples=20, deadline=None)
@given(models(when=event_conditions(), who=lead_conditions(), stages=True),
       histories("assess"), identity_maps(), st.integers(0, 130))  # fmt: skip
def test_assess_frame_on_polars_equals_assess_all(
    model: ScoringModel, history: list[Event], links: IdentityMap, days: int
) -> None:
    """The same on a polars table without leads: the leads the re-keyed rows name."""
    pytest.importorskip("polars")
    history = [attrs.evolve(e, properties={k: v for k, v in e.properties.items()
                                           if k != "amount"}) for e in history]  # fmt: skip
    as_of = T0 + timedelta(days=days)
    named = first_appearance(history, links, as_of)
    want = attempt(lambda: assess_all(named, history, model=model, as_of=as_of,
                                      identities=links))  # fmt: skip
    got = attempt(lambda: assess_frame(events_table(history, "polars"), model, as_of=as_of,
                                       identities=links))  # fmt: skip
    compare(got, want, assert_same)


def assert_activity(got: tuple[Any, Any], want: list[Activity]) -> None:
    assert_same_activity(got[0], want)
    assert_same_reactivations(got[1], want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_activity_frame_equals_activity_all(backend: str) -> None:
    """Activity states and every reactivation (completing event ids qualified) are
    activity_all's on the united histories."""

    @settings(max_examples=40 if backend == "pandas" else 25, deadline=None)
    @given(histories("activity"), lead_lists(activity_leads), identity_maps(),
           dormancy_policies(), st.integers(0, 400), ON_UNKNOWN)  # fmt: skip
    def check(
        history: list[Event], lead_list: list[Lead], links: IdentityMap, policy: Any,
        days: int, on_unknown: Any,
    ) -> None:  # fmt: skip
        as_of = T0 + timedelta(days=days)
        table, leads_df = events_table(history, backend), status_table(lead_list, backend)
        want = attempt(lambda: activity_all(lead_list, history, as_of=as_of, policy=policy,
                                            on_unknown=on_unknown, identities=links))  # fmt: skip

        def run() -> tuple[Any, Any]:
            options: dict[str, Any] = {"as_of": as_of, "leads_df": leads_df, "policy": policy,
                                       "on_unknown": on_unknown, "identities": links}  # fmt: skip
            return activity_frame(table, **options), reactivations_frame(table, **options)

        compare(attempt(run), want, assert_activity)

    check()
