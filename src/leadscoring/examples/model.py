"""The ``b2b-default`` scoring model: a starting point built from Japanese MA practice.

Fit (who the lead is) and engagement (what the lead did) are scored separately. The
engagement signals follow the source material: long visits to the pricing page, going
back and forth between service pages and case studies, the company profile and contact
pages, FAQ reading, downloads, document requests (資料請求), webinars and seminars,
email opens and clicks, and, biggest of all, an inquiry or a demo request. A lead who
comes back after a silence earns a reactivation bonus; unsubscribes and bounces cost.

Every engagement point halves every 30 days (``HalfLife(days=30)``) unless the rule says
otherwise; email points together are capped at 25; the total stays within 0..200.

Treat it as a first draft to refine against your own won deals (see the calibration
docs): what counts as hot differs per company.
"""

from __future__ import annotations

from datetime import timedelta

from ..conditions import AnyOf, gte, when
from ..decay import HalfLife, NoDecay
from ..model import ScoringModel
from ..rules import AttributeRule, EventRule, Limit, ReactivationRule, RepeatRule, Rule

__all__ = ["TARGET_INDUSTRIES", "default_model"]

TARGET_INDUSTRIES = ("manufacturing", "it")
"""The industries the sample vendor sells to best."""

_ONCE_A_DAY = Limit(count=1, per=timedelta(days=1))


def _fit_rules() -> list[Rule]:
    return [
        AttributeRule(
            name="target industry",
            when=when(industry=list(TARGET_INDUSTRIES)),
            points=15,
        ),
        AttributeRule(
            name="decision maker",
            when=when(role=["executive", "manager"]),
            points=10,
        ),
        AttributeRule(
            name="company size 100+",
            when=when(company_size=gte(100)),
            points=10,
        ),
    ]


def _page_rules() -> list[Rule]:
    return [
        EventRule(
            name="blog article",
            when=when(type="page_view", category="blog"),
            points=1,
            limit=_ONCE_A_DAY,
            cap=5,
        ),
        EventRule(
            name="service or product page",
            when=when(type="page_view", category=["service", "product"]),
            points=3,
            cap=24,
        ),
        EventRule(
            name="case study",
            when=when(type="page_view", category="case_study"),
            points=5,
            cap=25,
        ),
        RepeatRule(
            name="service and case studies back and forth",
            when=when(type="page_view", category=["service", "case_study"]),
            times=4,
            within=timedelta(days=7),
            points=15,
        ),
        EventRule(
            name="pricing page",
            when=when(type="page_view", category="pricing"),
            points=10,
            cap=30,
        ),
        EventRule(
            name="long pricing visit",
            when=when(type="page_view", category="pricing", duration_s=gte(60)),
            points=5,
            cap=20,
        ),
        EventRule(
            name="company profile or contact page",
            when=when(type="page_view", category=["company", "contact"]),
            points=5,
            cap=15,
        ),
        EventRule(
            name="FAQ",
            when=when(type="page_view", category="faq"),
            points=3,
            cap=9,
        ),
    ]


def _action_rules() -> list[Rule]:
    return [
        EventRule(
            name="download",
            when=when(type="download"),
            points=8,
            cap=24,
        ),
        EventRule(
            name="document request",
            when=when(type="form_submit", form="document_request"),
            points=20,
        ),
        EventRule(
            name="webinar or seminar",
            when=when(type=["webinar", "event_attended"]),
            points=10,
        ),
        EventRule(
            name="email open",
            when=when(type="email_open"),
            points=1,
            limit=_ONCE_A_DAY,
            group="email",
        ),
        EventRule(
            name="email click",
            when=when(type="email_click"),
            points=3,
            group="email",
        ),
        EventRule(
            name="inquiry or demo request",
            when=AnyOf(
                when(type=["inquiry", "demo_request"]),
                when(type="form_submit", form="contact"),
            ),
            points=40,
        ),
        ReactivationRule(
            name="back after silence",
            points=20,
        ),
        EventRule(
            name="unsubscribed",
            when=when(type="unsubscribe"),
            points=-20,
            decay=NoDecay(),
        ),
        EventRule(
            name="email bounced",
            when=when(type="bounce"),
            points=-15,
            decay=NoDecay(),
        ),
    ]


def default_model() -> ScoringModel:
    """The ``b2b-default`` model: 3 fit rules and 17 engagement rules.

    >>> model = default_model()
    >>> model.name, len(model.rules), model.default_decay
    ('b2b-default', 20, HalfLife(days=30))
    """
    return ScoringModel(
        name="b2b-default",
        rules=[*_fit_rules(), *_page_rules(), *_action_rules()],
        default_decay=HalfLife(days=30),
        group_caps={"email": 25},
        floor=0,
        ceiling=200,
    )
