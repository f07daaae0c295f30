"""Tests for leadscoring.examples: the sample dataset, the default model and the demo."""

from __future__ import annotations

import io
import itertools
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from leadscoring import (
    Event,
    EventType,
    InvalidValueError,
    Lead,
    LeadStatus,
    NaiveDatetimeError,
    PageCategory,
    activity_all,
    score,
    score_all,
)
from leadscoring.examples import (
    ACCOUNT_ROLES,
    PERSONA_NAMES,
    SAMPLE_AS_OF,
    TARGET_INDUSTRIES,
    SampleDataset,
    default_model,
    sample_dataset,
)
from leadscoring.examples.demo import run_demo

ACTIVITY_FREE = {"bounce", "unsubscribe"}
INTENT = {"service", "product", "pricing", "case_study"}


@pytest.fixture(scope="module")
def data() -> SampleDataset:
    """The default sample (seed 0, 300 leads)."""
    return sample_dataset()


def _by_lead(data: SampleDataset) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {lead.id: [] for lead in data.leads}
    for event in data.events:
        out[event.lead_id].append(event)
    return out


# --- determinism and shape ----------------------------------------------------------------


def test_same_seed_gives_identical_data(data: SampleDataset) -> None:
    """Generating twice with the same seed gives equal leads, events and ground truth."""
    again = sample_dataset(0)
    assert again.leads == data.leads
    assert again.events == data.events
    assert again.planted == data.planted
    assert again == data


def test_different_seeds_give_different_data(data: SampleDataset) -> None:
    """Another seed gives other events and another persona order."""
    other = sample_dataset(1)
    assert other.events != data.events
    assert other.planted.personas != data.planted.personas


def test_default_size_and_as_of(data: SampleDataset) -> None:
    """The default sample has 300 leads observed at SAMPLE_AS_OF, a few thousand events."""
    assert len(data.leads) == 300
    assert data.as_of == SAMPLE_AS_OF == datetime(2026, 6, 30, tzinfo=UTC)
    assert 1500 < len(data.events) < 6000


def test_every_persona_is_present(data: SampleDataset) -> None:
    """Every persona has leads, in proportion to its share (e.g. 20% blog readers)."""
    counts = Counter(data.planted.personas.values())
    assert set(counts) == set(PERSONA_NAMES)
    assert counts["blog_reader"] == 60
    assert counts["researcher"] == 24
    assert sum(counts.values()) == 300
    assert set(data.planted.personas) == {lead.id for lead in data.leads}


def test_small_samples_still_cover_every_persona() -> None:
    """With as many leads as personas each persona gets one; zero leads is an empty sample."""
    small = sample_dataset(3, n_leads=len(PERSONA_NAMES))
    assert sorted(small.planted.personas.values()) == sorted(PERSONA_NAMES)
    empty = sample_dataset(n_leads=0)
    assert empty.leads == ()
    assert empty.events == ()
    assert empty.planted.reactivations == ()


def test_datetimes_are_aware_and_not_after_as_of(data: SampleDataset) -> None:
    """Every event time and status change is UTC-aware and at or before as_of."""
    for event in data.events:
        assert event.at.tzinfo is UTC
        assert event.at <= data.as_of
    for lead in data.leads:
        if lead.status_changed_at is not None:
            assert lead.status_changed_at.tzinfo is UTC
            assert lead.status_changed_at <= data.as_of
    assert min(e.at for e in data.events) >= data.as_of - timedelta(days=400)


def test_custom_as_of_moves_the_whole_sample() -> None:
    """Given another as_of (an ISO string works), every event falls in the year before it."""
    moment = datetime(2025, 3, 31, 12, tzinfo=UTC)
    moved = sample_dataset(2, n_leads=60, as_of="2025-03-31T21:00:00+09:00")
    assert moved.as_of == moment
    assert all(moment - timedelta(days=400) <= e.at <= moment for e in moved.events)


def test_event_ids_are_unique_and_leads_exist(data: SampleDataset) -> None:
    """Every event has its own id and belongs to a lead of the sample; events are in time order."""
    ids = [e.id for e in data.events]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    lead_ids = {lead.id for lead in data.leads}
    assert {e.lead_id for e in data.events} <= lead_ids
    assert [e.at for e in data.events] == sorted(e.at for e in data.events)


def test_events_carry_the_documented_properties(data: SampleDataset) -> None:
    """Page views carry category, url, duration_s (and product); emails carry a campaign."""
    categories = {c.value for c in PageCategory}
    for event in data.events:
        props = event.properties
        assert event.type in {t.value for t in EventType}
        if event.type == "page_view":
            assert props["category"] in categories
            assert isinstance(props["url"], str)
            assert props["url"].startswith("/")
            assert isinstance(props["duration_s"], int)
            assert props["duration_s"] > 0
            if props["category"] in ("product", "service"):
                assert props["product"] in ("crm", "ma", "sfa")
        elif event.type in ("email_open", "email_click", "unsubscribe", "bounce"):
            assert isinstance(props["campaign"], str)
        elif event.type == "form_submit":
            assert props["form"] in ("document_request", "contact", "newsletter")
        elif event.type == "download":
            assert isinstance(props["asset"], str)
    seen = Counter(e.type for e in data.events)
    assert set(seen) == {t.value for t in EventType}


def test_attributes_are_realistic(data: SampleDataset) -> None:
    """Leads carry industry, role (the job), region and source; non-students a company
    size; account members also a buying-group role, other leads none."""
    for lead in data.leads:
        attrs = lead.attributes
        assert {"industry", "role", "region", "source"} <= set(attrs)
        assert attrs["role"] in ("executive", "manager", "practitioner", "student")
        if lead.account_id is None:
            assert "buying_role" not in attrs
        else:
            assert attrs["buying_role"] in ACCOUNT_ROLES
        if attrs["role"] == "student":
            assert "company_size" not in attrs
        else:
            size = attrs["company_size"]
            assert isinstance(size, int)
            assert 1 <= size <= 30000
    regions = Counter(lead.attributes["region"] for lead in data.leads)
    assert regions.most_common(1)[0][0] == "kanto"


def test_target_industries_lean_towards_good_journeys(data: SampleDataset) -> None:
    """Researchers and comparers are more often in a target industry than blog readers."""

    def share(personas: set[str]) -> float:
        leads = [ld for ld in data.leads if data.planted.personas[ld.id] in personas]
        return sum(ld.attributes["industry"] in TARGET_INDUSTRIES for ld in leads) / len(leads)

    assert share({"researcher", "comparer"}) > share({"blog_reader"}) + 0.1


def test_statuses_follow_the_personas(data: SampleDataset) -> None:
    """Lost deals are LOST, returning customers WON with a purchase, members of a
    returning account WON or LOST as their account, everyone else OPEN."""
    persona = data.planted.personas
    events = _by_lead(data)
    for lead in data.leads:
        name = persona[lead.id]
        if name == "account_return":
            assert lead.status in (LeadStatus.WON, LeadStatus.LOST)
            assert lead.status_changed_at is not None
        elif name in ("lost_deal_return", "lost_silent"):
            assert lead.status is LeadStatus.LOST
            assert lead.status_changed_at is not None
        elif name == "customer_return":
            assert lead.status is LeadStatus.WON
            bought = [e.at for e in events[lead.id] if e.type == "purchase"]
            assert bought == [lead.status_changed_at]
        else:
            assert lead.status is LeadStatus.OPEN
            assert lead.status_changed_at is None


# --- ground truth: planted reactivations -----------------------------------------------------

KIND_OF = {
    "surge_after_silence": "return_after_silence",
    "lost_deal_return": "lost_deal_return",
    "customer_return": "customer_return",
}


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_planted_reactivations_are_listed_and_real(seed: int) -> None:
    """Each returning persona has one planted return after >= 120 silent days, as documented."""
    data = sample_dataset(seed)
    events = _by_lead(data)
    leads = {lead.id: lead for lead in data.leads}
    planted = {p.lead_id: p for p in data.planted.reactivations}
    expected = {i: KIND_OF[n] for i, n in data.planted.personas.items() if n in KIND_OF}
    assert {i: p.kind for i, p in planted.items()} == expected
    assert len(planted) == len(data.planted.reactivations)
    for lead_id, p in planted.items():
        acts = [e for e in events[lead_id] if e.type not in ACTIVITY_FREE]
        before = [e.at for e in acts if e.at < p.returned_at]
        back = [e for e in acts if e.at >= p.returned_at]
        assert max(before) == p.silent_since
        assert p.returned_at - p.silent_since >= timedelta(days=120)
        if p.kind == "return_after_silence":
            assert back[2].at == p.at
            assert p.at - p.returned_at <= timedelta(days=14)
        else:
            first = back[0]
            assert p.at == p.returned_at == first.at
            assert first.type == "page_view"
            assert first.properties["category"] in INTENT
            changed = leads[lead_id].status_changed_at
            assert changed is not None
            assert changed < p.returned_at


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_other_leads_never_return_from_a_long_silence(seed: int) -> None:
    """Leads without a planted return have no 90-day gap between two activity events
    (members of a returning account come back as the account, not alone)."""
    data = sample_dataset(seed)
    planted = {p.lead_id for p in data.planted.reactivations}
    returning = {p.account_id for p in data.planted.account_returns}
    planted |= {lead.id for lead in data.leads if lead.account_id in returning}
    for lead_id, events in _by_lead(data).items():
        if lead_id in planted:
            continue
        times = [e.at for e in events if e.type not in ACTIVITY_FREE]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap < timedelta(days=90) for gap in gaps), lead_id


def test_activity_detector_finds_exactly_the_planted_returns(data: SampleDataset) -> None:
    """Under the default DormancyPolicy, activity_all reports the planted returns and no others."""
    found = {
        (a.lead_id, r.kind.value, r.at)
        for a in activity_all(data.leads, data.events, as_of=data.as_of)
        for r in a.reactivations
    }
    planted = {(p.lead_id, p.kind, p.at) for p in data.planted.reactivations}
    assert len(planted) == 48
    assert found == planted


# --- the default model ---------------------------------------------------------------------


def test_default_model_shape() -> None:
    """b2b-default: 20 uniquely named rules, 30-day half-life, email capped at 25, 0..200."""
    model = default_model()
    assert model.name == "b2b-default"
    assert len(model.rules) == 20
    assert len({r.name for r in model.rules}) == 20
    assert model.group_caps == {"email": 25}
    assert (model.floor, model.ceiling) == (0, 200)
    assert model.fit_groups == frozenset({"fit"})
    assert default_model() == model


def test_default_model_golden_score() -> None:
    """A hand-worked lead: fit 35, pricing 30 days ago 7.5, one open a day 1, inquiry 40.

    fit: it (15) + manager (10) + 250 employees (10) = 35.
    pricing page 10 + long pricing visit (95 s >= 60) 5 = 15, 30 days old: 15 * 0.5 = 7.5.
    three opens at as_of: once a day, so 1. inquiry today: 40.
    unsubscribe 200 days ago: -20, never decays. total 35 + 7.5 + 1 + 40 - 20 = 63.5.
    """
    now = SAMPLE_AS_OF
    lead = Lead(id="G1", attributes={"industry": "it", "role": "manager", "company_size": 250})
    events = [
        Event(
            lead_id="G1",
            type="page_view",
            at=now - timedelta(days=30),
            properties={"category": "pricing", "duration_s": 95},
        ),
        *(
            Event(lead_id="G1", type="email_open", at=now, id=f"open-{n}")
            for n in (1, 2, 3)
        ),
        Event(lead_id="G1", type="inquiry", at=now),
        Event(lead_id="G1", type="unsubscribe", at=now - timedelta(days=200)),
    ]
    result = score(lead, events, default_model(), as_of=now)
    assert result.fit == pytest.approx(35)
    assert result.by_rule["pricing page"] == pytest.approx(5)
    assert result.by_rule["long pricing visit"] == pytest.approx(2.5)
    assert result.by_group["email"] == pytest.approx(1)
    assert result.total == pytest.approx(63.5)


def test_hot_personas_outscore_cold_blog_readers(data: SampleDataset) -> None:
    """Under default_model, researchers and comparers score well above blog readers on average."""
    scores = score_all(data.leads, data.events, default_model(), as_of=data.as_of)
    by_persona: dict[str, list[float]] = {}
    for result in scores:
        by_persona.setdefault(data.planted.personas[result.lead_id], []).append(result.total)
    hot = statistics.mean(by_persona["researcher"] + by_persona["comparer"])
    cold = statistics.mean(by_persona["blog_reader"])
    assert hot > 2 * cold
    assert statistics.mean(by_persona["unsubscribed"]) < cold


# --- errors and the demo -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_leads": -1}, "n_leads"),
        ({"n_leads": 2.5}, "n_leads"),
        ({"seed": "zero"}, "seed"),
        ({"as_of": "not a date"}, "as_of"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, object], field: str) -> None:
    """A bad seed, size or as_of raises InvalidValueError naming the argument."""
    with pytest.raises(InvalidValueError) as info:
        sample_dataset(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_naive_as_of_is_rejected() -> None:
    """A naive as_of raises NaiveDatetimeError: the sample never guesses a time zone."""
    with pytest.raises(NaiveDatetimeError):
        sample_dataset(as_of=datetime(2026, 6, 30))


def test_run_demo_prints_the_top_leads() -> None:
    """run_demo prints a header, one row per top lead with its reasons, then an explanation."""
    buffer = io.StringIO()
    assert run_demo(top=5, out=buffer) == 0
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "b2b-default v1: 300 sample leads (seed 0) scored at 2026-06-30 00:00 UTC"
    assert lines[2].split()[:6] == ["#", "lead", "persona", "total", "fit", "engagement"]
    rows = lines[3:8]
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert all("researcher" in row or "comparer" in row or "surge" in row for row in rows)
    assert lines[9].startswith("Lead " + rows[0].split()[1])


def test_run_demo_rejects_a_bad_top() -> None:
    """top must be a whole number of at least one."""
    with pytest.raises(InvalidValueError):
        run_demo(top=0, out=io.StringIO())


def test_run_demo_shows_the_leads_that_came_back() -> None:
    """The demo lists the planted returns of the last 90 days with their kind and silence."""
    buffer = io.StringIO()
    run_demo(top=3, out=buffer)
    text = buffer.getvalue()
    data = sample_dataset(seed=0)
    since = data.as_of - timedelta(days=90)
    recent = [p for p in data.planted.reactivations if p.at > since]
    assert f"Came back after a silence in the last 90 days: {len(recent)} leads" in text
    section = text.split("Came back after a silence")[1].splitlines()
    rows = section[2:5]
    newest = sorted(recent, key=lambda p: (p.at, p.lead_id), reverse=True)[:3]
    assert [row.split()[0] for row in rows] == [p.lead_id for p in newest]
    assert [row.split()[2] for row in rows] == [p.kind for p in newest]


def test_run_demo_shows_the_accounts_and_their_returns() -> None:
    """The demo ends with the top accounts as assess_accounts ranks them (with the cookies'
    browsing), then every planted account return, newest first."""
    from leadscoring import assess_accounts

    buffer = io.StringIO()
    run_demo(top=3, out=buffer)
    text = buffer.getvalue()
    data = sample_dataset(seed=0)
    ranked = assess_accounts(data.leads, [*data.events, *data.cookie_events], as_of=data.as_of,
                             model=default_model(), identities=data.identities)  # fmt: skip
    accounts = text.split("\nAccounts: ")[1].splitlines()
    assert accounts[0] == f"the top 3 of {len(data.accounts())} buying groups"
    assert accounts[1].split()[:4] == ["account", "members", "engaged", "score"]
    assert [row.split()[0] for row in accounts[2:5]] == [a.account_id for a in ranked[:3]]
    back = text.split("Accounts that came back as a group: ")[1].splitlines()
    planted = sorted(data.planted.account_returns, key=lambda p: p.at, reverse=True)
    assert back[0] == str(len(planted))
    assert [row.split()[:2] for row in back[2:]] == [[p.account_id, p.kind] for p in planted]
