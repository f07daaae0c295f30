"""The sample's accounts, cookies and planted account returns, checked with the real
detector and the real identity map: structural facts only, nothing copied from the output."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from leadscoring import (
    DormancyPolicy,
    Event,
    Lead,
    LeadStatus,
    ReactivationKind,
    UnknownLeadError,
    activity,
    activity_all,
    assess_accounts,
    score_all,
)
from leadscoring.examples import (
    ACCOUNT_ROLES,
    SampleDataset,
    default_model,
    sample_dataset,
)

ACTIVITY_FREE = {"bounce", "unsubscribe"}
INTENT = {"service", "product", "pricing", "case_study"}
STATUS_KIND = {
    LeadStatus.WON: ReactivationKind.CUSTOMER_RETURN.value,
    LeadStatus.LOST: ReactivationKind.LOST_DEAL_RETURN.value,
}


@pytest.fixture(scope="module")
def data() -> SampleDataset:
    """The default sample (seed 0, 300 leads)."""
    return sample_dataset(0)


def _histories(data: SampleDataset, *, united: bool) -> dict[str, list[Event]]:
    """Each lead's events: its own, or (``united``) with its cookies' re-keyed to it."""
    events = list(data.events)
    if united:
        events = data.identities.rekey([*events, *data.cookie_events])
    out: dict[str, list[Event]] = {lead.id: [] for lead in data.leads}
    for event in events:
        out[event.lead_id].append(event)
    return out


def _account_lead(account_id: str, members: list[Lead]) -> Lead:
    """The account as one lead: won if a member is, else lost if one is, else open;
    changed at the latest change of the members with that status."""
    for status in (LeadStatus.WON, LeadStatus.LOST):
        having = [m.status_changed_at for m in members if m.status is status]
        if having:
            changed = max(at for at in having if at is not None)
            return Lead(id=account_id, status=status, status_changed_at=changed)
    return Lead(id=account_id)


def _union(account_id: str, members: list[Lead], history: dict[str, list[Event]]) -> list[Event]:
    """The members' events as the account's, ids qualified by member."""
    return [
        Event(lead_id=account_id, type=e.type, at=e.at, properties=e.properties,
              id=f"{m.id}/{e.id}")
        for m in members
        for e in history[m.id]
    ]  # fmt: skip


def _members(data: SampleDataset) -> dict[str, list[Lead]]:
    out: dict[str, list[Lead]] = {}
    for lead in data.leads:
        if lead.account_id is not None:
            out.setdefault(lead.account_id, []).append(lead)
    return out


# --- (d) accounts, members and roles --------------------------------------------------------


def test_accounts_have_two_to_six_members_with_roles(data: SampleDataset) -> None:
    """Accounts have 2-6 members, each with a buying-group role, sharing the account's
    industry and company size; about 60% of the leads are members; accounts() agrees."""
    accounts = _members(data)
    assert accounts
    assert {a: tuple(m.id for m in ms) for a, ms in accounts.items()} == data.accounts()
    for members in accounts.values():
        assert 2 <= len(members) <= 6
        assert {m.attributes["buying_role"] for m in members} <= set(ACCOUNT_ROLES)
        assert len({m.attributes["industry"] for m in members}) == 1
        assert len({m.attributes["company_size"] for m in members}) == 1
    share = sum(len(ms) for ms in accounts.values()) / len(data.leads)
    assert 0.5 <= share <= 0.7
    assert ACCOUNT_ROLES == ("decision_maker", "champion", "influencer", "user")
    loners = [lead for lead in data.leads if lead.account_id is None]
    assert all("buying_role" not in lead.attributes for lead in loners)
    jobs = {lead.attributes["role"] for lead in data.leads}  # the job stays, for fit
    assert jobs <= {"executive", "manager", "practitioner", "student"}


def test_some_buying_groups_are_complete_and_some_are_not(data: SampleDataset) -> None:
    """A complete account has every role held by a member with activity of their own;
    the others lack a role; assess_accounts sees full role coverage exactly for them."""
    accounts = _members(data)
    complete = set(data.planted.complete_accounts)
    assert complete
    assert complete < set(accounts)
    history = _histories(data, united=False)
    for account_id, members in accounts.items():
        roles = {m.attributes["buying_role"] for m in members}
        if account_id in complete:
            for role in ACCOUNT_ROLES:
                holders = [m for m in members if m.attributes["buying_role"] == role]
                assert any(history[m.id] for m in holders), (account_id, role)
        else:
            assert roles != set(ACCOUNT_ROLES)
    assessed = assess_accounts(data.leads, data.events, as_of=data.as_of, model=default_model())
    assert {a.account_id for a in assessed if a.role_coverage == 1.0} == complete


# --- (a) planted account returns --------------------------------------------------------------


def test_planted_account_returns_are_silent_groups_that_come_back(data: SampleDataset) -> None:
    """Each returning account is won or lost throughout, silent for longer than the policy's
    threshold, then back within days through several members, one of them new, each with
    one or two events."""
    planted = data.planted.account_returns
    assert len(planted) >= 2
    assert {p.kind for p in planted} == set(STATUS_KIND.values())
    accounts = _members(data)
    history = _histories(data, united=True)
    for p in planted:
        members = accounts[p.account_id]
        statuses = {m.status for m in members}
        assert len(statuses) == 1
        assert STATUS_KIND[statuses.pop()] == p.kind
        assert all(m.status_changed_at is not None for m in members)
        assert p.returned_at - p.silent_since > DormancyPolicy().dormant_after
        assert p.returned_at <= p.at <= p.returned_at + DormancyPolicy().burst_within
        back: dict[str, int] = {}
        for m in members:
            acts = [e.at for e in history[m.id] if e.type not in ACTIVITY_FREE]
            assert not [t for t in acts if p.silent_since < t < p.returned_at]
            after = [t for t in acts if t >= p.returned_at]
            if after:
                back[m.id] = len(after)
                assert max(after) - p.returned_at < timedelta(days=14)
        assert len(back) >= 2
        assert set(back.values()) <= {1, 2}
        newcomers = [m for m in back if not [e for e in history[m] if e.at < p.returned_at]]
        assert newcomers


@pytest.mark.parametrize("united", [False, True], ids=["own events", "with cookies"])
def test_account_returns_are_found_for_the_account_not_its_members(
    data: SampleDataset, united: bool
) -> None:
    """The detector finds each planted account return on the account's united events, of
    its kind at its moment, and none for any member alone; no other account returns."""
    history = _histories(data, united=united)
    planted = {p.account_id: p for p in data.planted.account_returns}
    found: set[tuple[str, str, datetime]] = set()
    for account_id, members in _members(data).items():
        account = _account_lead(account_id, members)
        result = activity(account, _union(account_id, members, history), as_of=data.as_of)
        found |= {(account_id, r.kind.value, r.at) for r in result.reactivations}
        if account_id in planted:
            for m in members:
                alone = activity(m, history[m.id], as_of=data.as_of)
                assert alone.reactivations == (), m.id
    assert found == {(p.account_id, p.kind, p.at) for p in planted.values()}


# --- (b) cookies and identities ---------------------------------------------------------------


def test_every_identified_cookie_resolves_to_a_lead_at_a_form_fill(data: SampleDataset) -> None:
    """Cookie events resolve to leads through the identities; every link is made at one of
    its lead's form fills, after all of the cookie's events; some links are chains."""
    roots = data.identities.roots()
    lead_ids = {lead.id for lead in data.leads}
    assert roots
    assert set(roots.values()) <= lead_ids
    assert all(alias.startswith("cookie-") for alias in roots)
    assert {e.lead_id for e in data.cookie_events} == set(roots)
    forms: dict[str, set[datetime]] = {}
    for event in data.events:
        if event.type == "form_submit":
            forms.setdefault(event.lead_id, set()).add(event.at)
    for link in data.identities:
        assert link.at in forms[roots[link.alias]]
    last_seen: dict[str, datetime] = {}
    for event in data.cookie_events:
        last_seen[event.lead_id] = max(event.at, last_seen.get(event.lead_id, event.at))
    for link in data.identities:
        assert last_seen[link.alias] < link.at
    chains = [link for link in data.identities if link.lead_id in data.identities]
    assert chains
    truth = {(p.alias, p.lead_id, p.at) for p in data.planted.identifications}
    assert {(a, lead) for a, lead, _ in truth} == set(roots.items())
    for alias, lead_id, at in truth:
        assert data.identities.aliases_of(lead_id)[alias] == at
    share = len(set(roots.values())) / len(data.leads)
    assert 0.05 <= share <= 0.25


def test_cookie_event_ids_reuse_the_leads_ids_without_clashing(data: SampleDataset) -> None:
    """Some cookie event ids are also ids of the lead's own events; united, both count."""
    roots = data.identities.roots()
    own = {(e.lead_id, e.id) for e in data.events}
    reused = [e for e in data.cookie_events if (roots[e.lead_id], e.id) in own]
    assert reused
    history = _histories(data, united=True)
    assert sum(len(h) for h in history.values()) == len(data.events) + len(data.cookie_events)


def test_anonymous_cookies_belong_to_no_lead(data: SampleDataset) -> None:
    """Unidentified cookies' events are kept apart: no lead, no link; adding them to the
    events needs on_unknown='ignore'."""
    assert data.anonymous_events
    anonymous = {e.lead_id for e in data.anonymous_events}
    assert all(cookie.startswith("cookie-") for cookie in anonymous)
    assert anonymous.isdisjoint({lead.id for lead in data.leads})
    assert anonymous.isdisjoint(data.identities.roots())
    assert len(anonymous) >= 3
    everything = [*data.events, *data.cookie_events, *data.anonymous_events]
    model = default_model()
    with pytest.raises(UnknownLeadError):
        score_all(data.leads, everything, model, as_of=data.as_of, identities=data.identities)
    scores = score_all(data.leads, everything, model, as_of=data.as_of,
                       identities=data.identities, on_unknown="ignore")  # fmt: skip
    assert len(scores) == len(data.leads)


def test_the_planted_reactivations_hold_with_the_cookies_too(data: SampleDataset) -> None:
    """United with their cookies, the leads' reactivations are still exactly the planted."""
    found = {
        (a.lead_id, r.kind.value, r.at)
        for a in activity_all(data.leads, [*data.events, *data.cookie_events],
                              as_of=data.as_of, identities=data.identities)
        for r in a.reactivations
    }  # fmt: skip
    assert found == {(p.lead_id, p.kind, p.at) for p in data.planted.reactivations}


# --- (c) determinism --------------------------------------------------------------------------


def test_same_seed_gives_the_same_accounts_cookies_and_truth(data: SampleDataset) -> None:
    """Two calls with one seed are equal in every field; another seed differs."""
    again = sample_dataset(0)
    assert again == data
    assert again.cookie_events == data.cookie_events
    assert again.anonymous_events == data.anonymous_events
    assert again.identities == data.identities
    assert again.planted.account_returns == data.planted.account_returns
    assert again.planted.identifications == data.planted.identifications
    other = sample_dataset(1)
    assert other.identities != data.identities
    assert other.accounts() != data.accounts()


@pytest.mark.parametrize(("seed", "n_leads"), [(3, 14), (4, 30), (5, 60), (6, 1), (7, 0)])
def test_small_samples_keep_the_invariants(seed: int, n_leads: int) -> None:
    """Small samples still have accounts of 2-6 and resolving cookies; none are empty."""
    small = sample_dataset(seed, n_leads)
    assert all(2 <= len(ids) <= 6 for ids in small.accounts().values())
    roots = small.identities.roots()
    assert {e.lead_id for e in small.cookie_events} == set(roots)
    assert set(roots.values()) <= {lead.id for lead in small.leads}
    kinds = Counter(p.kind for p in small.planted.account_returns)
    assert set(kinds) <= set(STATUS_KIND.values())
    if n_leads == 0:
        assert small.cookie_events == small.anonymous_events == ()
        assert len(small.identities) == 0
