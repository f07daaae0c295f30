"""Tests of assess_accounts_frame: accounts on DataFrames, equal to assess_accounts.

The reference is :func:`leadscoring.assess_accounts` on the same leads, events and links,
turned into a table by :func:`leadscoring.to_frame` (labels exactly, numbers within 1e-9);
golden values are worked out by hand in the comments.

The model of the examples (``tests/test_accounts.py``'s): ``it`` (industry it) 15 fit
points, ``big`` (200 employees or more) 10 fit points, ``visit`` 10 points a page view
with a 30-day half-life (a view 30 days old is worth 5). The account ``acme``:

======  ==============  ===  ==========  =====
member  role            fit  engagement  total
======  ==============  ===  ==========  =====
ann     champion        15   20 (2 now)  35
bob     decision_maker  25   0           25
cat     user            0    5 (30 d)    5
======  ==============  ===  ==========  =====

and ``beta``, eve alone (fit 15, no events); dan has no account.
"""

from __future__ import annotations

import math
import warnings
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("narwhals")

from leadscoring import (  # noqa: E402
    AccountAssessment,
    AccountPolicy,
    Event,
    Identity,
    IdentityMap,
    InvalidInputError,
    InvalidValueError,
    Lead,
    ScoringModel,
    UnknownLeadError,
    UnknownLeadWarning,
    assess_accounts,
    to_frame,
)
from leadscoring.assessment.accounts_frame import assess_accounts_frame  # noqa: E402
from leadscoring.assessment.to_frame import ACCOUNT_COLUMNS, account_row  # noqa: E402
from leadscoring.stages.accounts import ACCOUNT_SCORES  # noqa: E402
from strategies import (  # noqa: E402
    T0,
    activity_leads,
    dormancy_policies,
    event_conditions,
    lead_conditions,
    models,
    priority_grids,
    temperature_classifiers,
)
from test_accounts import AS_OF, DAY, EVENTS, LEADS, MODEL, view  # noqa: E402
from test_activity_frame import rows_of  # noqa: E402
from test_frame import events_table  # noqa: E402
from test_frame_identities import (  # noqa: E402
    attempt,
    histories,
    identity_maps,
    lead_lists,
)

BACKENDS = ["pandas", "polars"]


def leads_frame(lead_list: list[Lead], backend: str = "pandas") -> Any:
    """Leads as a table: lead_id, status, status_changed_at, account_id, the attributes."""
    rows = [
        {"lead_id": x.id, "status": x.status.value, "status_changed_at": x.status_changed_at,
         "account_id": x.account_id, **x.attributes}
        for x in lead_list
    ]  # fmt: skip
    if backend == "polars":
        pl = pytest.importorskip("polars")
        schema = {"lead_id": pl.String, "status": pl.String, "account_id": pl.String,
                  "status_changed_at": pl.Datetime("us", "UTC")}  # fmt: skip
        return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
    table = pd.DataFrame(rows)
    table["status_changed_at"] = pd.to_datetime(table["status_changed_at"], utc=True)
    return table


def assert_same(table: Any, expected: list[AccountAssessment], backend: str = "pandas") -> None:
    """Every column of every row equals to_frame's row of the account: text, integers,
    times and nulls exactly, floats within 1e-9; the same columns, in the same order."""
    reference = to_frame(expected, "polars" if backend == "polars" else "pandas")
    if expected:
        assert list(table.columns) == list(reference.columns)
    got, want = rows_of(table), rows_of(reference)
    assert [r["account_id"] for r in got] == [r["account_id"] for r in want]
    for row, ref in zip(got, want, strict=True):
        for name, value in ref.items():
            mine = row[name]
            if isinstance(value, float) and not math.isnan(value):
                assert mine == pytest.approx(value, rel=1e-9, abs=1e-9), name
            else:
                assert mine == value, name


def accounts_of(
    lead_list: list[Lead], history: list[Event], backend: str = "pandas", **options: Any
) -> Any:
    """assess_accounts_frame on the tables of ``lead_list`` and ``history``."""
    model = options.pop("model", MODEL)
    as_of = options.pop("as_of", AS_OF)
    return assess_accounts_frame(events_table(history, backend), model, as_of=as_of,
                                 leads_df=leads_frame(lead_list, backend), **options)  # fmt: skip


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_hand_worked_accounts(backend: str) -> None:
    """acme: fit = bob's 25, engagement = 20 + 0 + 5 = 25, score 50: warm (30 <= 50 <
    60), grade B (20 <= 25 < 30), priority B-warm 3. Champion and user engaged: 2 of the
    4 default roles, coverage 0.5, missing the decision maker and the influencer. Top
    members by total: ann 35, bob 25, cat 5. Reasons summed over the members: it 15 + 15
    = 30, visit 20 + 5 = 25, big 10. Active: its last event (ann's) is at as_of.

    beta: eve's fit 15 (grade C), nobody engaged: cold, priority C-cold 5, every role
    missing (in name order: all weigh 1), one reason (it 15); no events: a new account
    with the default 90-day threshold. dan has no account: no row."""
    table = accounts_of(LEADS, EVENTS, backend)
    rows = rows_of(table)
    assert list(table.columns) == list(ACCOUNT_COLUMNS)
    acme, beta = rows
    assert {k: acme[k] for k in ("account_id", "score", "fit", "engagement", "temperature",
                                 "grade", "priority", "activity")} == {
        "account_id": "acme", "score": 50.0, "fit": 25.0, "engagement": 25.0,
        "temperature": "warm", "grade": "B", "priority": 3, "activity": "active",
    }  # fmt: skip
    assert (acme["members"], acme["engaged_members"], acme["role_coverage"]) == (3, 2, 0.5)
    assert acme["missing_roles"] == "decision_maker, influencer"
    assert [(acme[f"member_{n}"], acme[f"member_{n}_points"]) for n in (1, 2, 3)] == [
        ("ann", 35.0), ("bob", 25.0), ("cat", 5.0)
    ]  # fmt: skip
    assert [(acme[f"reason_{n}"], acme[f"reason_{n}_points"]) for n in (1, 2, 3)] == [
        ("it", 30.0), ("visit", 25.0), ("big", 10.0)
    ]  # fmt: skip
    assert (acme["last_active_at"], acme["reactivations"]) == (AS_OF, 0)
    assert (beta["account_id"], beta["score"], beta["temperature"], beta["priority"]) == (
        "beta", 15.0, "cold", 5
    )  # fmt: skip
    assert beta["missing_roles"] == "champion, decision_maker, influencer, user"
    assert (beta["member_1"], beta["member_2"], beta["reason_2"]) == ("eve", None, None)
    assert (beta["activity"], beta["last_active_at"], beta["threshold"]) == (
        "new", None, timedelta(days=90)
    )  # fmt: skip
    want = assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=MODEL)
    assert_same(table, want, backend)
    if backend == "pandas":  # to_frame's table, dtypes included
        pd.testing.assert_frame_equal(table, to_frame(want), rtol=1e-12)
    else:
        pl = pytest.importorskip("polars")
        assert isinstance(table, pl.DataFrame)
        assert table.schema == to_frame(want, "polars").schema


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_score_policy_and_role_weights(backend: str) -> None:
    """Weights decision_maker 3, champion 2, user 0.5 (influencer 1): engagement 2 * 20
    + 0.5 * 5 = 42.5; best fit plus engagement 25 + 42.5 = 67.5; sum 2 * 35 + 3 * 25 + 0.5
    * 5 = 147.5; max bob's 3 * 25 = 75; top-2 mean (75 + 70) / 2 = 72.5. Coverage: the
    champion and the user engaged, 2.5 of 6.5."""
    weights = {"decision_maker": 3, "champion": 2, "influencer": 1, "user": 0.5}
    expected = {"best_fit_plus_engagement": 67.5, "sum": 147.5, "max": 75.0,
                "top_k_mean": 72.5}  # fmt: skip
    for name in ACCOUNT_SCORES:
        policy = AccountPolicy(score=name, top_k=2, role_weights=weights)
        table = accounts_of(LEADS, EVENTS, backend, accounts=policy)
        acme = rows_of(table)[0]
        assert acme["score"] == expected[name], name
        assert acme["role_coverage"] == pytest.approx(2.5 / 6.5)
        assert acme["missing_roles"] == "decision_maker, influencer"
        assert (acme["member_2"], acme["member_3"]) == ("bob", None)  # top_k 2
        assert_same(table, assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=MODEL,
                                           accounts=policy), backend)  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_account_returns_through_a_new_persons_cookie(backend: str) -> None:
    """Both members are customers since 300 days before as_of; c1 was active 320 days
    ago (three views two hours apart). A cookie reads the pricing page the day before
    as_of, and is known to be c2 (the new contact) from two days before: the account's
    history is c1's views and the cookie's, a won account needs one intent event after
    its status changed: a customer return at as_of - 1 day, completed by the cookie's
    event, ``x1`` of ``cookie``, ``cookie/x1`` in c2's history and ``c2/cookie/x1`` in the
    account's. The silence: from c1's last view (-320 days + 4 hours) to the cookie's.
    Engagement: c2's view a day old, 10 * 0.5 ** (1 / 30) = 9.772, c1's three views
    320 days (less 0, 2 and 4 hours) old, 10 * 0.5 ** (age / 30) each, about 0.006."""
    won = AS_OF - 300 * DAY
    people = [Lead(id=c, account_id="cust", status="won", status_changed_at=won)
              for c in ("c1", "c2")]  # fmt: skip
    history = [view("c1", AS_OF - 320 * DAY + i * timedelta(hours=2), f"x{i}") for i in range(3)]
    history.append(view("cookie", AS_OF - DAY, "x1", "pricing"))
    links = IdentityMap([Identity(alias="cookie", lead_id="c2", at=AS_OF - 2 * DAY)])
    table = accounts_of(people, history, backend, identities=links)
    (row,) = rows_of(table)
    assert (row["activity"], row["reactivations"], row["reactivation_kind"]) == (
        "reactivated", 1, "customer_return"
    )  # fmt: skip
    assert row["reactivated_at"] == AS_OF - DAY
    assert row["silence"] == timedelta(days=319, hours=-4)  # from c1's last view at -320d+4h
    old = sum(10 * 0.5 ** ((320 - i / 12) / 30) for i in range(3))
    assert row["engagement"] == pytest.approx(10 * 0.5 ** (1 / 30) + old, rel=1e-12)
    assert (row["member_1"], row["member_2"]) == ("c2", "c1")
    want = assess_accounts(people, history, as_of=AS_OF, model=MODEL, identities=links)
    assert want[0].activity.last_reactivation is not None
    assert want[0].activity.last_reactivation.event_id == "c2/cookie/x1"
    assert_same(table, want, backend)
    # Without the link the cookie is an unknown lead.
    with pytest.raises(UnknownLeadError, match="cookie"):
        accounts_of(people, history, backend)


def test_a_lost_account_and_an_all_disqualified_one() -> None:
    """The status of an account is its members': a lost deal among open leads makes it
    lost (changed at its change); all disqualified, disqualified. The lost account's old
    member comes back (one intent view after 200 days of silence: a lost-deal return)."""
    lost_at = AS_OF - 100 * DAY
    people = [
        Lead(id="l1", account_id="gone", status="lost", status_changed_at=lost_at),
        Lead(id="l2", account_id="gone"),
        Lead(id="d1", account_id="no", status="disqualified"),
        Lead(id="d2", account_id="no", status="disqualified"),
    ]
    history = [view("l1", AS_OF - 300 * DAY + i * timedelta(hours=1), f"h{i}") for i in range(3)]
    history += [view("l2", AS_OF - 2 * DAY, "h1", "pricing"), view("d1", AS_OF - DAY, "q")]
    table = accounts_of(people, history)
    want = assess_accounts(people, history, as_of=AS_OF, model=MODEL)
    gone = next(a for a in want if a.account_id == "gone")
    assert gone.activity.last_reactivation is not None
    assert gone.activity.last_reactivation.kind.value == "lost_deal_return"
    assert_same(table, want)


def test_to_frame_of_accounts_has_the_frame_columns() -> None:
    """to_frame takes a list of AccountAssessment: one row each, the columns of
    assess_accounts_frame (the one row builder), mixed kinds refused."""
    found = assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=MODEL)
    table = to_frame(found)
    assert list(table.columns) == list(ACCOUNT_COLUMNS) == list(account_row(found[0]))
    assert table["account_id"].tolist() == ["acme", "beta"]
    assert str(table["as_of"].dtype) == "datetime64[us, UTC]"
    assert str(table["threshold"].dtype) == "timedelta64[us]"
    with pytest.raises(InvalidValueError, match=r"results\[1\]: expected a AccountAssessment"):
        to_frame([found[0], found[0].activity])


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["accountId", "Account ID", "account"])
def test_a_missing_account_id_column_is_named(name: str) -> None:
    """The leads table must have ``account_id``; a near miss is suggested."""
    leads = leads_frame(LEADS).rename(columns={"account_id": name})
    with pytest.raises(InvalidInputError) as info:
        assess_accounts_frame(events_table(EVENTS), MODEL, as_of=AS_OF, leads_df=leads)
    assert (info.value.source, info.value.column) == ("leads_df", "account_id")
    assert "missing required column 'account_id'" in str(info.value)
    assert f"did you mean {name!r}?" in str(info.value)


def test_bad_arguments_are_named() -> None:
    events, leads = events_table(EVENTS), leads_frame(LEADS)
    with pytest.raises(InvalidValueError, match="leads_df"):
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=None)
    with pytest.raises(InvalidValueError, match="accounts"):
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=leads,
                              accounts={"score": "sum"})  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(InvalidValueError, match="on_unknown"):
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=leads,
                              on_unknown="skip")  # type: ignore[arg-type]  # fmt: skip
    with pytest.raises(InvalidInputError, match="pandas or polars"):
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=[1, 2])
    blank = leads.assign(account_id=["acme", "", "acme", None, "beta"])
    with pytest.raises(InvalidInputError) as info:
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=blank)
    assert (info.value.row, info.value.column) == (2, "account_id")


def test_events_of_unknown_leads_follow_on_unknown() -> None:
    """A stranger's view: refused, warned about, or skipped; warned or skipped, the
    accounts are those of the object path (which skips it too)."""
    history = [*EVENTS, Event(lead_id="stranger", type="page_view", at=AS_OF)]
    with pytest.raises(UnknownLeadError, match="stranger"):
        accounts_of(LEADS, history)
    want = assess_accounts(LEADS, history, as_of=AS_OF, model=MODEL, on_unknown="ignore")
    with pytest.warns(UnknownLeadWarning, match="stranger"):
        assert_same(accounts_of(LEADS, history, on_unknown="warn"), want)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(accounts_of(LEADS, history, on_unknown="ignore"), want)


def test_integer_account_ids_are_text_and_no_account_is_an_empty_table() -> None:
    """An integer ``account_id`` column is read as text (as the loaders read ids): dan
    is account 9 (fit 15, one view now, 10: 25 points, warm only from 30: cold); leads
    without accounts give a table with the columns and no row."""
    leads = leads_frame(LEADS).assign(account_id=[7, 7, 7, 9, 8])
    table = assess_accounts_frame(events_table(EVENTS), MODEL, as_of=AS_OF, leads_df=leads)
    assert table["account_id"].tolist() == ["7", "9", "8"]
    assert table["score"].tolist() == [50.0, 25.0, 15.0]
    nobody = [attrs.evolve(x, account_id=None) for x in LEADS]
    empty = accounts_of(nobody, EVENTS)
    assert list(empty.columns) == list(ACCOUNT_COLUMNS)
    assert len(empty) == 0
    assert assess_accounts(nobody, EVENTS, as_of=AS_OF, model=MODEL) == []


# --------------------------------------------------------------------------- properties

ROLE_NAMES = ("executive", "manager", "staff", "champion")
"""The generated leads' ``role`` values (and one they never hold)."""


@st.composite
def account_policies(draw: st.DrawFn) -> AccountPolicy:
    """Every way to score an account: each score, top_k, caps, weights of the generated
    roles (0 among them: a role outside the group), min_engaged, both temperature bases
    (percentile: ranked among the accounts) and priority grids."""
    weight = st.sampled_from([0, 0.5, 1, 2.5])
    return AccountPolicy(
        score=draw(st.sampled_from(ACCOUNT_SCORES)),
        top_k=draw(st.integers(1, 4)),
        engagement_cap=draw(st.none() | st.sampled_from([0, 5, 40.5])),
        role_weights=draw(st.dictionaries(st.sampled_from(ROLE_NAMES), weight, max_size=4)),
        min_engaged=draw(st.integers(0, 2)),
        temperature=draw(st.none() | temperature_classifiers(percentile=None)),
        priority=draw(st.none() | priority_grids()),
    )


scoring_models = models(when=event_conditions(), who=lead_conditions(), stages=True)
"""Models of every rule kind, with random stage settings and dormancy policies."""
account_histories = st.sampled_from(["assess", "activity"]).flatmap(histories)
"""Histories of every source: journeys and purchases, or long silences and returns."""
unknown_choices = st.sampled_from(["ignore", "ignore", "raise"])
"""Mostly skipped (the cookies' rows are often of no lead), sometimes refused."""


def compare(got: Any, want: Any, backend: str) -> None:
    """Both raised the same error class, or the table is to_frame's of the accounts."""
    if isinstance(want, type) or isinstance(got, type):
        assert got == want
    else:
        assert_same(got, want, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_assess_accounts_frame_equals_assess_accounts(backend: str) -> None:
    """Random models, policies, leads (accounts A1, A2 or none; cookies with rows of
    their own or not), histories and links: the table is to_frame(assess_accounts(...)),
    ranked the same, with and without ``identities``."""

    @settings(max_examples=50 if backend == "pandas" else 30, deadline=None)
    @given(scoring_models, account_policies(), account_histories, lead_lists(),
           identity_maps(), st.integers(0, 400), unknown_choices, st.booleans())  # fmt: skip
    def check(
        model: ScoringModel, policy: AccountPolicy, history: list[Event], lead_list: list[Lead],
        links: IdentityMap, days: int, on_unknown: Any, linked: bool,
    ) -> None:  # fmt: skip
        if backend == "polars":  # polars columns hold one type: no mixed-type amounts
            history = [attrs.evolve(e, properties={k: v for k, v in e.properties.items()
                                                   if k != "amount"}) for e in history]  # fmt: skip
        as_of = T0 + timedelta(days=days)
        ids = links if linked else None
        want = attempt(lambda: assess_accounts(lead_list, history, as_of=as_of, model=model,
                                               identities=ids, accounts=policy,
                                               on_unknown=on_unknown))  # fmt: skip
        got = attempt(lambda: accounts_of(lead_list, history, backend, model=model,
                                          as_of=as_of, identities=ids, accounts=policy,
                                          on_unknown=on_unknown))  # fmt: skip
        compare(got, want, backend)

    check()


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(ACCOUNT_SCORES), account_histories, lead_lists(), identity_maps(),
       st.integers(0, 400))  # fmt: skip
def test_each_score_choice_with_the_models_policy(
    score: str, history: list[Event], lead_list: list[Lead], links: IdentityMap, days: int
) -> None:
    """The policy of the model (not ``accounts=``) is the one used, for each score."""
    model = attrs.evolve(MODEL, accounts=AccountPolicy(score=score, min_engaged=0))
    as_of = T0 + timedelta(days=days)
    want = attempt(lambda: assess_accounts(lead_list, history, as_of=as_of, model=model,
                                           identities=links, on_unknown="ignore"))  # fmt: skip
    got = attempt(lambda: accounts_of(lead_list, history, model=model, as_of=as_of,
                                      identities=links, on_unknown="ignore"))  # fmt: skip
    compare(got, want, "pandas")


@st.composite
def buying_groups(draw: st.DrawFn) -> list[Lead]:
    """The leads (and cookies with rows of their own) of any status, each in account A1
    or A2: long silences of people who come back together."""
    return [attrs.evolve(x, account_id=draw(st.sampled_from(["A1", "A2"])))
            for x in draw(lead_lists(activity_leads))]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_accounts_activity_equals_the_object_paths(backend: str) -> None:
    """Every member in an account, histories of silences and returns, any dormancy
    policy, any statuses: the account's state, silence threshold and reactivations (the
    last one's kind, time and silence) are those of the object path."""

    @settings(max_examples=40 if backend == "pandas" else 25, deadline=None)
    @given(buying_groups(), histories("activity"), identity_maps(), dormancy_policies(),
           st.integers(0, 500), st.booleans())  # fmt: skip
    def check(
        lead_list: list[Lead], history: list[Event], links: IdentityMap, policy: Any,
        days: int, linked: bool,
    ) -> None:  # fmt: skip
        model = attrs.evolve(MODEL, dormancy=policy)
        as_of = T0 + timedelta(days=days)
        ids = links if linked else None
        want = attempt(lambda: assess_accounts(lead_list, history, as_of=as_of, model=model,
                                               identities=ids, on_unknown="ignore"))  # fmt: skip
        got = attempt(lambda: accounts_of(lead_list, history, backend, model=model,
                                          as_of=as_of, identities=ids,
                                          on_unknown="ignore"))  # fmt: skip
        compare(got, want, backend)

    check()
