"""Tests of leadscoring.core.rules: EventRule, RepeatRule, AttributeRule, ReactivationRule,
Limit."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from leadscoring import (
    AttributeRule,
    EventRule,
    HalfLife,
    InvalidModelError,
    LeadScoringError,
    Limit,
    ReactivationRule,
    RepeatRule,
    gte,
    when,
)
from leadscoring.core.rules import REACTIVATION_KINDS

PAGE = when(type="page_view")


def test_rule_defaults() -> None:
    """Event-like rules default to group 'engagement', attribute rules to 'fit'; decay None."""
    event = EventRule(name="a", when=PAGE, points=1)
    assert (event.decay, event.cap, event.limit, event.group) == (None, None, None, "engagement")
    assert AttributeRule(name="b", when=when(industry="it"), points=1).group == "fit"
    repeat = RepeatRule(name="c", when=PAGE, times=3, within="7d", points=1)
    assert (repeat.decay, repeat.group) == (None, "engagement")
    reactivation = ReactivationRule(name="d", points=1)
    assert (reactivation.kinds, reactivation.decay, reactivation.group) == (
        None, None, "engagement",
    )  # fmt: skip


def test_when_accepts_a_mapping_as_sugar() -> None:
    """A mapping given as `when` is read as when(**mapping)."""
    rule = EventRule(name="a", when={"type": "page_view", "duration_s": gte(60)}, points=5)
    assert rule.when == when(type="page_view", duration_s=gte(60))


def test_durations_are_parsed() -> None:
    """within, Limit.per and text forms become timedelta (or relativedelta for months)."""
    assert RepeatRule(name="r", when=PAGE, times=2, within="P7D", points=1).within == timedelta(7)
    assert Limit(count=1, per="1d").per == timedelta(days=1)
    assert Limit(count=1, per="P1M").per == relativedelta(months=1)
    assert Limit(count=3).per is None


def test_reactivation_kinds_become_a_frozenset() -> None:
    """kinds given as a list are stored as a frozenset of known kinds."""
    rule = ReactivationRule(name="r", points=5, kinds=["lost_deal_return", "customer_return"])
    assert rule.kinds == frozenset({"lost_deal_return", "customer_return"})
    assert frozenset({"return_after_silence", "lost_deal_return", "customer_return"}) == (
        REACTIVATION_KINDS
    )


def test_rules_are_frozen_hashable_values() -> None:
    """Equal rules are equal and hash alike; a rule cannot be changed in place."""
    a = EventRule(name="a", when={"type": "x"}, points=1, decay=HalfLife(days=7))
    b = EventRule(name="a", when=when(type="x"), points=1.0, decay=HalfLife(days=7.0))
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.points = 2  # type: ignore[misc]


GOOD = {"name": "r", "when": PAGE, "points": 1}


@pytest.mark.parametrize(
    ("make", "path", "fragment"),
    [
        (lambda: EventRule(**{**GOOD, "name": ""}), "name", "non-empty string"),
        (lambda: EventRule(**{**GOOD, "name": "  "}), "name", "non-empty string"),
        (lambda: EventRule(**{**GOOD, "name": 5}), "name", "non-empty string"),
        (lambda: EventRule(**{**GOOD, "points": float("nan")}), "points", "finite"),
        (lambda: EventRule(**{**GOOD, "points": float("inf")}), "points", "finite"),
        (lambda: EventRule(**{**GOOD, "points": "10"}), "points", "expected a number"),
        (lambda: EventRule(**{**GOOD, "points": True}), "points", "expected a number"),
        (lambda: EventRule(**{**GOOD, "cap": -1}), "cap", "finite number >= 0"),
        (lambda: EventRule(**{**GOOD, "cap": float("nan")}), "cap", "finite number >= 0"),
        (lambda: EventRule(**{**GOOD, "cap": "30"}), "cap", "expected a number"),
        (lambda: EventRule(**{**GOOD, "decay": "30d"}), "decay", "expected a decay"),
        (lambda: EventRule(**{**GOOD, "decay": object()}), "decay", "expected a decay"),
        (lambda: EventRule(**{**GOOD, "limit": {"count": 1}}), "limit", "expected a Limit"),
        (lambda: EventRule(**{**GOOD, "when": "page_view"}), "when", "expected a condition"),
        (lambda: EventRule(**{**GOOD, "when": {1: "x"}}), "when", "field names must be"),
        (lambda: EventRule(**{**GOOD, "group": ""}), "group", "non-empty string"),
        (lambda: AttributeRule(**{**GOOD, "points": None}), "points", "expected a number"),
        (lambda: Limit(count=0), "count", "whole number >= 1"),
        (lambda: Limit(count=1.5), "count", "whole number >= 1"),
        (lambda: Limit(count=True), "count", "whole number >= 1"),
        (lambda: Limit(count=1, per="0d"), "per", "positive"),
        (lambda: Limit(count=1, per="daily"), "per", "cannot parse duration"),
        (lambda: RepeatRule(**GOOD, times=0, within="7d"), "times", "whole number >= 1"),
        (lambda: RepeatRule(**GOOD, times=2, within="P1M"), "within", "uses months"),
        (lambda: RepeatRule(**GOOD, times=2, within=relativedelta(months=1)), "within",
         "months and years"),
        (lambda: RepeatRule(**GOOD, times=2, within="-7d"), "within", "cannot parse"),
        (lambda: ReactivationRule(name="r", points=1, kinds=["comeback"]), "kinds",
         "unknown reactivation kind"),
        (lambda: ReactivationRule(name="r", points=1, kinds=[]), "kinds",
         "unknown reactivation kind"),
        (lambda: ReactivationRule(name="r", points=1, kinds="lost_deal_return"), "kinds",
         "expected a list of kinds"),
        (lambda: ReactivationRule(name="r", points=1, kinds=[["x"]]), "kinds",
         "expected a list of kinds"),
    ],
)  # fmt: skip
def test_bad_rule_fields_raise_invalid_model_error_with_a_path(
    make: object, path: str, fragment: str
) -> None:
    """Every bad rule field raises InvalidModelError (a ValueError) whose path names it."""
    with pytest.raises(InvalidModelError, match=fragment) as info:
        make()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LeadScoringError)
    assert [e.path for e in info.value.errors] == [path]
    assert str(info.value).startswith(f"{path}: ")


def test_unknown_reactivation_kind_lists_the_known_ones() -> None:
    """The message of an unknown kind lists the three known kinds."""
    with pytest.raises(InvalidModelError) as info:
        ReactivationRule(name="r", points=1, kinds=["comeback"])
    message = str(info.value)
    assert "['comeback']" in message
    assert all(kind in message for kind in REACTIVATION_KINDS)


def test_rule_reprs_show_every_field() -> None:
    """The repr of a rule is the call that builds it, nested values included."""
    rule = EventRule(name="pricing", when=when(type="page_view"), points=10, cap=30)
    assert repr(rule) == (
        "EventRule(name='pricing', when=All(Field('type', eq('page_view'))), points=10, "
        "decay=None, cap=30, limit=None, group='engagement')"
    )
