"""Accounts scored as one: buying groups rolled up from their members' scores.

Each member is scored as a lead of its own (caps and limits stay per person, event ids
stay per person); :class:`~leadscoring.AccountPolicy` says how the account's score is
made from theirs. The account's activity runs the dormancy detector on the union of its
members' events, with the account's status (won if any member is a customer, else lost
if any member is a lost deal), so an account whose people come back is noticed even when
no single person's return would count.

One roll-up (:func:`account_assessment`) serves every engine: the object path here and
the columnar path (:func:`~leadscoring.assess_accounts_frame`) hand it the same members.

>>> from leadscoring import Event, EventRule, Lead, ScoringModel
>>> model = ScoringModel(name="m", rules=[EventRule(name="visit", when={"type": "page_view"},
...                      points=10)])
>>> leads = [Lead(id="ann", account_id="acme", attributes={"role": "champion"}),
...          Lead(id="bob", account_id="acme", attributes={"role": "user"})]
>>> events = [Event(lead_id=i, type="page_view", at="2026-05-01T00:00:00Z") for i in ("ann", "bob")]
>>> [(a.account_id, a.score, a.engaged_members) for a in
...  assess_accounts(leads, events, as_of="2026-05-02T00:00:00Z", model=model)]
[('acme', 20.0, 2)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.aliases import Timestamp
from ..core.checks import OnUnknown, check_moment, expect, group_events, united_leads
from ..core.display import fmt, html_block, html_table, moment
from ..core.event import Event, dedupe_sorted
from ..core.identity import Identities, check_identities, moved
from ..core.lead import Lead, LeadStatus
from ..core.results import LeadScore
from ..model.scoring_model import ScoringModel, check_model
from ..scoring.compiled import compile_model
from ..scoring.engine import score_prepared
from ..signals.activity import Activity, activity
from ..stages.accounts import AccountPolicy
from ..stages.classifiers import FitGrade, Temperature, rank_in

__all__ = [
    "AccountAssessment",
    "AccountMember",
    "account_assessment",
    "account_lead",
    "account_numbers",
    "assess_accounts",
    "check_policy",
]


@attrs.frozen(kw_only=True)
class AccountMember:
    """One member of an account as the roll-up sees it: their scores, role and weight."""

    lead_id: str
    role: str | None
    weight: float
    total: float
    fit: float
    engagement: float

    @property
    def engaged(self) -> bool:
        """The member engaged: engagement above 0."""
        return self.engagement > 0

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return attrs.asdict(self)


def member(lead: Lead, score: LeadScore, policy: AccountPolicy) -> AccountMember:
    """``lead`` (scored ``score``) as a member of its account under ``policy``."""
    role = lead.attributes.get(policy.role_attribute)
    role = role if isinstance(role, str) and role else None
    return AccountMember(
        lead_id=lead.id, role=role, weight=policy.weight(role),
        total=score.total, fit=score.fit, engagement=score.engagement,
    )  # fmt: skip


def _ranked(members: Iterable[AccountMember]) -> list[AccountMember]:
    return sorted(members, key=lambda m: (-m.total, m.lead_id))


def account_numbers(
    members: Sequence[AccountMember], policy: AccountPolicy
) -> tuple[float, float, float]:
    """``(score, fit, engagement)`` of an account with these members under ``policy``.

    ``fit`` is the best member fit; ``engagement`` the members' weighted engagement summed
    and capped at ``engagement_cap``; ``score`` as ``policy.score`` says. Members are taken
    best total first, so every engine adds them up in the same order.
    """
    ranked = _ranked(members)
    if not ranked:
        return 0.0, 0.0, 0.0
    fit = max(m.fit for m in ranked)
    engagement = 0.0
    for m in ranked:
        engagement += m.weight * m.engagement
    if policy.engagement_cap is not None:
        engagement = min(engagement, policy.engagement_cap)
    weighted = sorted((m.weight * m.total for m in ranked), reverse=True)
    if policy.score == "best_fit_plus_engagement":
        score = fit + engagement
    elif policy.score == "sum":
        score = 0.0
        for value in weighted:
            score += value
    elif policy.score == "max":
        score = weighted[0]
    else:  # top_k_mean
        best = weighted[: policy.top_k]
        total = 0.0
        for value in best:
            total += value
        score = total / len(best)
    return score, fit, engagement


def account_lead(account_id: str, members: Iterable[Lead]) -> Lead:
    """The account as one lead for the activity detector: ``WON`` (changed at the latest
    member's change) if any member is a customer, else ``LOST`` if any is a lost deal,
    else ``DISQUALIFIED`` if all are, else ``OPEN``."""
    people = list(members)
    for status in (LeadStatus.WON, LeadStatus.LOST):
        having = [p for p in people if p.status is status]
        if having:
            changes = [p.status_changed_at for p in having if p.status_changed_at is not None]
            return Lead(id=account_id, status=status, status_changed_at=max(changes, default=None))
    if people and all(p.status is LeadStatus.DISQUALIFIED for p in people):
        return Lead(id=account_id, status=LeadStatus.DISQUALIFIED)
    return Lead(id=account_id)


@attrs.frozen(kw_only=True)
class AccountAssessment:
    """An account at ``as_of``: its score made from its members', labels, buying-group
    coverage and activity.

    ``members`` and ``engaged_members`` count the account's leads (engaged: engagement
    above 0); ``top_members`` are the ``top_k`` best by total; ``reasons`` the rules that
    moved the members' scores most, summed over the members, as ``(rule, points)``.
    """

    account_id: str
    as_of: datetime
    score: float
    fit: float
    engagement: float
    temperature: Temperature
    grade: FitGrade
    priority: int
    members: int
    engaged_members: int
    role_coverage: float
    missing_roles: tuple[str, ...]
    top_members: tuple[AccountMember, ...]
    reasons: tuple[tuple[str, float], ...]
    activity: Activity

    def __repr__(self) -> str:
        return (
            f"AccountAssessment(account_id={self.account_id!r}, as_of={moment(self.as_of)!r}, "
            f"priority={self.priority}, score={fmt(self.score)}, "
            f"temperature={self.temperature.value!r}, members={self.members}, "
            f"engaged_members={self.engaged_members}, "
            f"role_coverage={fmt(self.role_coverage)}, activity={self.activity.state.value!r})"
        )

    def explain(self) -> str:
        """A readable summary: labels, score, buying group, members and reasons."""
        people = ", ".join(
            f"{m.lead_id}{f' ({m.role})' if m.role else ''} {fmt(m.total)}"
            for m in self.top_members
        )
        missing = ", ".join(self.missing_roles) or "none"
        reasons = ", ".join(f"{rule} {fmt(points)}" for rule, points in self.reasons)
        lines = [
            f"Account {self.account_id} at {self.as_of:%Y-%m-%d %H:%M} UTC: priority "
            f"{self.priority}, {self.temperature.value}, grade {self.grade.value}, "
            f"{self.activity.state.value}",
            f"  score     {fmt(self.score)} (fit {fmt(self.fit)}, "
            f"engagement {fmt(self.engagement)})",
            f"  members   {self.engaged_members} of {self.members} engaged; roles covered "
            f"{self.role_coverage:.0%}, missing: {missing}",
            f"  top       {people or 'no members'}",
            f"  reasons   {reasons or 'no rule matched'}",
        ]
        last = self.activity.last_reactivation
        if last is not None:
            lines.append(
                f"  returned  {last.kind.value} at {last.at:%Y-%m-%d} after "
                f"{last.silence.days} days of silence"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Labels, members and reasons as HTML (notebooks)."""
        labels = html_table(
            ("priority", "score", "fit", "engagement", "temperature", "grade", "activity",
             "engaged", "roles covered"),
            [(self.priority, fmt(self.score), fmt(self.fit), fmt(self.engagement),
              self.temperature.value, self.grade.value, self.activity.state.value,
              f"{self.engaged_members}/{self.members}", f"{self.role_coverage:.0%}")],
            numeric=(0, 1, 2, 3),
        )  # fmt: skip
        people = html_table(
            ("member", "role", "total", "fit", "engagement"),
            [(m.lead_id, m.role or "", fmt(m.total), fmt(m.fit), fmt(m.engagement))
             for m in self.top_members],
            numeric=(2, 3, 4),
        )  # fmt: skip
        reasons = html_table(
            ("reason", "points"), [(r, fmt(p)) for r, p in self.reasons], numeric=(1,)
        )
        lines = [f"missing roles: {', '.join(self.missing_roles)}"] if self.missing_roles else []
        title = f"Account {self.account_id} at {moment(self.as_of)} UTC"
        return html_block(title, lines, [labels, people, reasons])

    def to_dict(self) -> dict[str, Any]:
        """Flat plain data (JSON-able), one row per account for a DataFrame."""
        last = self.activity.last_reactivation
        return {
            "account_id": self.account_id,
            "as_of": self.as_of.isoformat(),
            "priority": self.priority,
            "score": self.score,
            "fit": self.fit,
            "engagement": self.engagement,
            "temperature": self.temperature.value,
            "grade": self.grade.value,
            "activity": self.activity.state.value,
            "members": self.members,
            "engaged_members": self.engaged_members,
            "role_coverage": self.role_coverage,
            "missing_roles": list(self.missing_roles),
            "top_members": [m.lead_id for m in self.top_members],
            "reasons": [[rule, points] for rule, points in self.reasons],
            "reactivated_at": None if last is None else last.at.isoformat(),
            "reactivation_kind": None if last is None else last.kind.value,
        }


def _coverage(
    members: Sequence[AccountMember], policy: AccountPolicy
) -> tuple[float, tuple[str, ...]]:
    roles = policy.roles
    if not roles:
        return 1.0, ()
    held = {m.role for m in members if m.engaged}
    weight = sum(policy.role_weights[r] for r in roles)
    covered = sum(policy.role_weights[r] for r in roles if r in held)
    return covered / weight, tuple(r for r in roles if r not in held)


def _top_reasons(by_rule: Mapping[str, float], n: int = 3) -> tuple[tuple[str, float], ...]:
    ranked = sorted(
        ((rule, points) for rule, points in by_rule.items() if points != 0),
        key=lambda item: (-abs(item[1]), item[0]),
    )
    return tuple(ranked[:n])


def account_assessment(
    account_id: str,
    as_of: datetime,
    members: Sequence[AccountMember],
    by_rule: Mapping[str, float],
    account_activity: Activity,
    model: ScoringModel,
    policy: AccountPolicy,
    population: Sequence[float] | None = None,
) -> AccountAssessment:
    """The assessment of one account from its members (every engine's roll-up).

    ``by_rule`` is the members' points per rule summed; ``population`` the sorted values
    of every account (only for percentile temperature bands).
    """
    score, fit, engagement = account_numbers(members, policy)
    engaged = sum(1 for m in members if m.engaged)
    coverage, missing = _coverage(members, policy)
    classifier = policy.temperature or model.temperature
    value = {"total": score, "fit": fit, "engagement": engagement}[classifier.on]
    if engaged < policy.min_engaged:
        temperature = Temperature.COLD
    elif classifier.basis == "percentile":
        temperature = classifier.classify_value(rank_in(population or [value], value))
    else:
        temperature = classifier.classify_value(value)
    grade = model.grades.grade(fit)
    priority = (policy.priority or model.priority).priority(grade, temperature)
    return AccountAssessment(
        account_id=account_id, as_of=as_of, score=score, fit=fit, engagement=engagement,
        temperature=temperature, grade=grade, priority=priority, members=len(members),
        engaged_members=engaged, role_coverage=coverage, missing_roles=missing,
        top_members=tuple(_ranked(members)[: policy.top_k]),
        reasons=_top_reasons(by_rule), activity=account_activity,
    )  # fmt: skip


def population_of(
    numbers: Iterable[tuple[float, float, float]], model: ScoringModel, policy: AccountPolicy
) -> list[float] | None:
    """The sorted values the temperature classifier ranks accounts among (percentile
    bands only; ``None`` otherwise), from each account's ``(score, fit, engagement)``."""
    classifier = policy.temperature or model.temperature
    if classifier.basis != "percentile":
        return None
    index = {"total": 0, "fit": 1, "engagement": 2}[classifier.on]
    return sorted(n[index] for n in numbers)


def rank_accounts(accounts: Iterable[AccountAssessment]) -> list[AccountAssessment]:
    """Ranked like :func:`~leadscoring.assess_all`: priority, then score (highest first),
    then account id."""
    return sorted(accounts, key=lambda a: (a.priority, -a.score, a.account_id))


def check_policy(value: object, model: ScoringModel) -> AccountPolicy:
    """``value`` (``None``: the model's own policy) as an :class:`AccountPolicy`."""
    return expect(model.accounts if value is None else value, AccountPolicy, "accounts")


def assess_accounts(
    leads: Iterable[Lead],
    events: Iterable[Event],
    *,
    as_of: Timestamp,
    model: ScoringModel,
    identities: Identities | None = None,
    accounts: AccountPolicy | None = None,
    on_unknown: OnUnknown = "raise",
) -> list[AccountAssessment]:
    """One :class:`AccountAssessment` per ``account_id`` among ``leads``, ranked like
    :func:`~leadscoring.assess_all`; leads without an account are not accounts.

    ``accounts`` overrides the model's :class:`~leadscoring.AccountPolicy` for this call.
    ``identities`` unite histories first (an alias's events are its lead's), as in
    :func:`~leadscoring.score_all`; events of unknown leads are handled as there.
    """
    model = check_model(model)
    policy = check_policy(accounts, model)
    moment_ = check_moment(as_of)
    links = check_identities(identities)
    lead_list = united_leads(leads, links, moment_)
    grouped = group_events(
        lead_list, events, as_of=moment_, on_unknown=on_unknown, identities=links
    )
    compiled = compile_model(model)
    by_account: dict[str, list[Lead]] = {}
    for lead in lead_list:
        if lead.account_id is not None:
            by_account.setdefault(lead.account_id, []).append(lead)
    parts = []
    for account_id, people in by_account.items():
        scores = [score_prepared(p, grouped[p.id], compiled, moment_) for p in people]
        by_rule: dict[str, float] = {}
        for score in scores:  # in the leads' order, as the columnar engine adds them
            for rule, points in score.by_rule.items():
                by_rule[rule] = by_rule.get(rule, 0.0) + points
        united = dedupe_sorted(moved(e, account_id) for p in people for e in grouped[p.id])
        found = activity(
            account_lead(account_id, people), united, as_of=moment_, policy=model.dormancy
        )
        members = [member(p, s, policy) for p, s in zip(people, scores, strict=True)]
        parts.append((account_id, members, by_rule, found))
    population = population_of((account_numbers(p[1], policy) for p in parts), model, policy)
    return rank_accounts(
        account_assessment(a, moment_, m, r, f, model, policy, population) for a, m, r, f in parts
    )
