"""Accounts: buying groups rolled up from their members, worked by hand.

The model: ``it`` (industry it) 15 fit points, ``big`` (200 employees or more) 10
fit points, ``visit`` 10 points a page view with a 30-day half-life (a view 30 days old is
worth 5). The account ``acme`` has three members:

======  ==============  ===  ==========  =====
member  role            fit  engagement  total
======  ==============  ===  ==========  =====
ann     champion        15   20 (2 now)  35
bob     decision_maker  25   0           25
cat     user            0    5 (30 d)    5
======  ==============  ===  ==========  =====
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from leadscoring import (
    AccountAssessment,
    AccountPolicy,
    ActivityState,
    AttributeRule,
    Event,
    EventRule,
    FitGrade,
    HalfLife,
    Identity,
    InvalidModelError,
    InvalidValueError,
    Lead,
    LeadStatus,
    ReactivationKind,
    ScoringModel,
    Temperature,
    TemperatureClassifier,
    activity,
    assess_accounts,
    gte,
    load_model,
)
from leadscoring.model.config import model_to_dict, model_to_text

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
MODEL = ScoringModel(
    name="accounts",
    rules=[
        AttributeRule(name="it", when={"industry": "it"}, points=15),
        AttributeRule(name="big", when={"employees": gte(200)}, points=10),
        EventRule(name="visit", when={"type": "page_view"}, points=10),
    ],
    default_decay=HalfLife(days=30),
)
LEADS = [
    Lead(id="ann", account_id="acme", attributes={"role": "champion", "industry": "it"}),
    Lead(id="bob", account_id="acme",
         attributes={"role": "decision_maker", "industry": "it", "employees": 300}),
    Lead(id="cat", account_id="acme", attributes={"role": "user"}),
    Lead(id="dan", attributes={"industry": "it"}),  # no account: not an account
    Lead(id="eve", account_id="beta", attributes={"industry": "it"}),
]  # fmt: skip
EVENTS = [
    Event(lead_id="ann", type="page_view", at=AS_OF, id="e1"),
    Event(lead_id="ann", type="page_view", at=AS_OF, id="e2"),
    Event(lead_id="cat", type="page_view", at=AS_OF - 30 * DAY, id="e1"),
    Event(lead_id="dan", type="page_view", at=AS_OF, id="e1"),
]


def acme(policy: AccountPolicy | None = None) -> AccountAssessment:
    found = assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=MODEL, accounts=policy)
    return next(a for a in found if a.account_id == "acme")


def test_the_default_policy_is_best_fit_plus_summed_engagement() -> None:
    # fit = bob's 25; engagement = 20 + 0 + 5 = 25; score 50. Warm (30 <= 50 < 60), grade
    # B (20 <= 25 < 30), priority of B-warm 3. beta: eve's fit 15 (grade C), nobody
    # engaged: cold whatever its score, priority C-cold 5. dan has no account.
    found = assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=MODEL)
    assert [a.account_id for a in found] == ["acme", "beta"]
    a, b = found
    assert (a.score, a.fit, a.engagement) == (50.0, 25.0, 25.0)
    assert (a.temperature, a.grade, a.priority) == (Temperature.WARM, FitGrade.B, 3)
    assert (a.members, a.engaged_members) == (3, 2)
    assert [m.lead_id for m in a.top_members] == ["ann", "bob", "cat"]
    assert (b.score, b.temperature, b.priority, b.engaged_members) == (
        15.0, Temperature.COLD, 5, 0
    )  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "score"),
    [
        (AccountPolicy(score="sum"), 65.0),  # 35 + 25 + 5
        (AccountPolicy(score="max"), 35.0),  # ann
        (AccountPolicy(score="top_k_mean", top_k=2), 30.0),  # (35 + 25) / 2
        (AccountPolicy(score="top_k_mean", top_k=5), 65.0 / 3),  # all three: 65 / 3
        (AccountPolicy(engagement_cap=10), 35.0),  # 25 fit + min(25, 10)
    ],
)
def test_each_score_policy(policy: AccountPolicy, score: float) -> None:
    assert acme(policy).score == pytest.approx(score)


def test_role_weights_weigh_members_and_coverage() -> None:
    # Weights: decision_maker 3, champion 2, influencer 1, user 0.5.
    # engagement = 2 * 20 + 3 * 0 + 0.5 * 5 = 42.5; score = 25 + 42.5 = 67.5.
    # Engaged roles: champion (2) and user (0.5) of 6.5: coverage 2.5 / 6.5; missing the
    # decision maker and the influencer, heaviest first.
    weights = {"decision_maker": 3, "champion": 2, "influencer": 1, "user": 0.5}
    a = acme(AccountPolicy(role_weights=weights))
    assert (a.engagement, a.score) == (42.5, 67.5)
    assert a.role_coverage == pytest.approx(2.5 / 6.5)
    assert a.missing_roles == ("decision_maker", "influencer")
    # sum: 2 * 35 + 3 * 25 + 0.5 * 5 = 147.5; max: bob's 3 * 25 = 75.
    assert acme(AccountPolicy(score="sum", role_weights=weights)).score == 147.5
    assert acme(AccountPolicy(score="max", role_weights=weights)).score == 75.0


def test_default_roles_coverage() -> None:
    # The four default roles weigh 1 each: champion and user are engaged, 2 of 4.
    a = acme()
    assert a.role_coverage == 0.5
    assert a.missing_roles == ("decision_maker", "influencer")


def test_min_engaged_keeps_an_account_cold() -> None:
    # Two engaged members of the three required: cold, priority B-cold 4.
    a = acme(AccountPolicy(min_engaged=3))
    assert (a.temperature, a.priority) == (Temperature.COLD, 4)


def test_the_policys_own_temperature_bands() -> None:
    # 50 points with warm 60 / hot 120: cold.
    a = acme(AccountPolicy(temperature=TemperatureClassifier(warm=60, hot=120)))
    assert a.temperature is Temperature.COLD


def test_reasons_sum_the_members_points_per_rule() -> None:
    # it: 15 (ann) + 15 (bob) = 30; visit: 20 + 5 = 25; big: 10 (bob).
    assert acme().reasons == (("it", 30.0), ("visit", 25.0), ("big", 10.0))


def test_caps_and_event_ids_stay_per_member() -> None:
    # ann and cat both have an event "e1": per member they are two events, not a
    # conflict; a rule cap of 10 on visits caps each member, not the account.
    capped = attrs.evolve(
        MODEL,
        rules=[*MODEL.rules[:2], EventRule(name="visit", when={"type": "page_view"},
                                           points=10, cap=10)],
    )  # fmt: skip
    found = assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=capped)
    # ann min(20, 10) = 10, cat 5: engagement 15, score 25 + 15 = 40.
    assert (found[0].engagement, found[0].score) == (15.0, 40.0)


def test_identities_unite_before_the_roll_up() -> None:
    # A cookie viewed today and is ann's: ann's engagement 30, the account's 35, score 60.
    events = [*EVENTS, Event(lead_id="cookie", type="page_view", at=AS_OF, id="e1")]
    ids = [Identity(alias="cookie", lead_id="ann", at=AS_OF)]
    found = assess_accounts(LEADS, events, as_of=AS_OF, model=MODEL, identities=ids)
    assert (found[0].engagement, found[0].score) == (35.0, 60.0)


# --- account activity: a buying group coming back ----------------------------------------


def view(lead_id: str, at: datetime, event_id: str, category: str = "blog") -> Event:
    return Event(lead_id=lead_id, type="page_view", at=at, id=event_id,
                 properties={"category": category})  # fmt: skip


def test_an_account_returns_though_no_member_alone_does() -> None:
    # p1 was active 200 days ago (three views), then silent. Then p1, p2 and the new
    # p3 view one page each, on the three days before as_of. The default policy needs 3
    # activity events within 14 days after a silence of at least 90 days: p1 alone has
    # one returning event, p2 and p3 have no history before (nothing to return from).
    # United, the account was silent 197 days and then had three events in three days:
    # a return after silence, completed by p3's view the day before as_of.
    people = [Lead(id=p, account_id="old") for p in ("p1", "p2", "p3")]
    events = [view("p1", AS_OF - 200 * DAY + i * timedelta(hours=2), f"a{i}") for i in range(3)]
    events += [view("p1", AS_OF - 3 * DAY, "a9"), view("p2", AS_OF - 2 * DAY, "a1"),
               view("p3", AS_OF - DAY, "a1")]  # fmt: skip
    for person in people:
        assert activity(person, events, as_of=AS_OF).reactivations == ()
    account = assess_accounts(people, events, as_of=AS_OF, model=MODEL)[0]
    back = account.activity.last_reactivation
    assert back is not None
    assert (back.kind, back.at) == (ReactivationKind.RETURN_AFTER_SILENCE, AS_OF - DAY)
    assert account.activity.state is ActivityState.REACTIVATED


def test_a_customer_account_whose_new_person_reads_pricing_is_a_customer_return() -> None:
    # Both members are customers since 300 days before as_of; c1 was active 320 days
    # ago; the new c2 reads the pricing page the day before as_of (an intent event).
    # Alone, c2 has no earlier activity to return from; the account has: a won account
    # needs one intent event after its status changed.
    won = AS_OF - 300 * DAY
    people = [Lead(id=c, account_id="cust", status="won", status_changed_at=won)
              for c in ("c1", "c2")]  # fmt: skip
    events = [view("c1", AS_OF - 320 * DAY + i * timedelta(hours=2), f"x{i}") for i in range(3)]
    events.append(view("c2", AS_OF - DAY, "x1", "pricing"))
    assert activity(people[1], events, as_of=AS_OF).reactivations == ()
    account = assess_accounts(people, events, as_of=AS_OF, model=MODEL)[0]
    back = account.activity.last_reactivation
    assert back is not None
    assert (back.kind, back.at) == (ReactivationKind.CUSTOMER_RETURN, AS_OF - DAY)
    assert back.event_id == "c2/x1"  # ids are qualified by the member in the union


def test_the_account_status_comes_from_its_members() -> None:
    from leadscoring.assessment.accounts import account_lead

    lost = Lead(id="a", status="lost", status_changed_at=AS_OF - 5 * DAY)
    won = Lead(id="b", status="won", status_changed_at=AS_OF - 9 * DAY)
    won_later = Lead(id="c", status="won", status_changed_at=AS_OF - 2 * DAY)
    assert account_lead("x", [lost, won, won_later]).status_changed_at == AS_OF - 2 * DAY
    assert account_lead("x", [lost, won]).status is LeadStatus.WON
    assert account_lead("x", [lost, Lead(id="d")]).status is LeadStatus.LOST
    assert (
        account_lead("x", [Lead(id="d", status="disqualified")]).status is LeadStatus.DISQUALIFIED
    )
    assert account_lead("x", [Lead(id="d")]).status is LeadStatus.OPEN


# --- the policy as data --------------------------------------------------------------------


def test_the_accounts_section_round_trips_through_the_model_file() -> None:
    policy = AccountPolicy(score="top_k_mean", top_k=2, engagement_cap=40,
                           role_weights={"decision_maker": 3, "user": 0.5}, min_engaged=2,
                           temperature=TemperatureClassifier(warm=50, hot=100))  # fmt: skip
    model = attrs.evolve(MODEL, accounts=policy)
    text = model_to_text(model)
    assert "[accounts]" in text
    assert load_model(model_to_dict(model)) == model
    assert "accounts" not in model_to_dict(MODEL)  # the default is left out


def test_bad_accounts_settings_name_their_path() -> None:
    data = model_to_dict(MODEL) | {
        "accounts": {"score": "average", "top_k": 0, "role_weights": {"user": -1},
                     "min_engagd": 2, "temperature": {"warm": "x"}},
    }  # fmt: skip
    with pytest.raises(InvalidModelError) as caught:
        load_model(data)
    paths = {e.path: e for e in caught.value.errors}
    assert {"$.accounts.score", "$.accounts.top_k", "$.accounts.role_weights.user",
            "$.accounts.min_engagd", "$.accounts.temperature.warm"} <= set(paths)  # fmt: skip
    assert paths["$.accounts.min_engagd"].hint == "did you mean 'min_engaged'?"


def test_the_accounts_argument_must_be_a_policy() -> None:
    with pytest.raises(InvalidValueError, match="accounts"):
        assess_accounts(LEADS, EVENTS, as_of=AS_OF, model=MODEL, accounts={"score": "sum"})  # type: ignore[arg-type]


def test_to_dict_and_explain() -> None:
    a = acme()
    row = a.to_dict()
    assert row["account_id"] == "acme"
    assert row["score"] == 50.0
    assert row["top_members"] == ["ann", "bob", "cat"]
    assert row["missing_roles"] == ["decision_maker", "influencer"]
    text = a.explain()
    assert "2 of 3 engaged" in text
    assert "missing: decision_maker, influencer" in text
    assert "<table>" in a._repr_html_()
