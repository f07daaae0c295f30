"""Train/test splits for validation: :func:`split_by_time` (and a seeded random split).

A time-ordered split fits on the earliest leads and tests on the latest, the way a model
is used: learned from the past, applied to leads that come later. A lead's time is when
it was *created*, taken from a lead attribute (``by="created_at"``: an ISO 8601 text with
an offset) or, by default, the moment of its first event. Leads are ordered by that time
(ties by lead id), and the latest ``test_share`` of them are the test part.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

import attrs

from ..core.checks import check_events, check_leads
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.lead import Lead
from ..core.times import to_utc
from ..model.scoring_model import ScoringModel
from .evaluate import EvaluationReport
from .outcomes import Outcome

__all__ = ["TimeSplit", "ValidatedModel", "Validation", "split_at_random", "split_by_time"]

Validation = Literal["time", "random"]
"""How :func:`~leadscoring.calibrate` holds out test leads: latest ones, or at random."""


@attrs.frozen(kw_only=True)
class TimeSplit:
    """Leads, outcomes and events split into a part to fit on and a part to test on.

    ``kind`` is ``"time"`` or ``"random"``; for a time split ``cutoff`` is the time of the
    first test lead (every fitted lead is at or before it) and ``by`` says where the times
    came from (``"first event"`` or the attribute's name).
    """

    kind: Validation
    by: str | None
    cutoff: datetime | None
    test_share: float
    train_leads: tuple[Lead, ...] = attrs.field(repr=False)
    test_leads: tuple[Lead, ...] = attrs.field(repr=False)
    train_outcomes: Mapping[str, Outcome] = attrs.field(repr=False)
    test_outcomes: Mapping[str, Outcome] = attrs.field(repr=False)
    train_events: tuple[Event, ...] = attrs.field(repr=False)
    test_events: tuple[Event, ...] = attrs.field(repr=False)

    def describe(self) -> str:
        """A phrase naming the split, as reports show it.

        >>> from leadscoring import Lead
        >>> leads = [Lead(id=f"L{k}", attributes={"created_at": f"2026-01-0{k + 1}T00:00:00Z"})
        ...          for k in range(5)]
        >>> split_by_time(leads, {}, by="created_at", test_share=0.2).describe()[-39:]
        'latest (by created_at, from 2026-01-05)'
        """
        fit, test = len(self.train_leads), len(self.test_leads)
        if self.kind == "random":
            return f"random: fit on {fit} leads, tested on {test} others"
        since = f", from {self.cutoff:%Y-%m-%d}" if self.cutoff else ""
        return (f"time-ordered: fit on the {fit} earliest leads, tested on the {test} latest "
                f"(by {self.by}{since})")


def _share(test_share: object) -> float:
    if (isinstance(test_share, bool) or not isinstance(test_share, int | float)
            or not 0 < test_share < 1):
        raise InvalidValueError(
            "test_share", f"must be a number between 0 and 1 (e.g. 0.2), got {test_share!r}"
        )
    return float(test_share)


def _sizes(n: int, share: float) -> int:
    """How many leads are tested: ``share`` of them rounded, at least one, leaving one to fit."""
    if n < 2:
        raise InvalidValueError("leads", f"a split needs at least 2 leads, got {n}")
    return min(n - 1, max(1, math.floor(n * share + 0.5)))


def _parts(kind: Validation, by: str | None, cutoff: datetime | None, share: float,
           train: list[Lead], test: list[Lead], outcomes: Mapping[str, Outcome],
           events: list[Event]) -> TimeSplit:
    if not isinstance(outcomes, Mapping):
        raise InvalidValueError(
            "outcomes", f"expected a mapping of lead id to outcome, got {type(outcomes).__name__}"
        )
    fit = {lead.id for lead in train}
    tested = {lead.id for lead in test}
    return TimeSplit(
        kind=kind, by=by, cutoff=cutoff, test_share=share,
        train_leads=tuple(train), test_leads=tuple(test),
        train_outcomes={k: v for k, v in outcomes.items() if k in fit},
        test_outcomes={k: v for k, v in outcomes.items() if k in tested},
        train_events=tuple(e for e in events if e.lead_id in fit),
        test_events=tuple(e for e in events if e.lead_id in tested),
    )


def split_by_time(
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    events: Iterable[Event] = (),
    *,
    test_share: float = 0.2,
    by: str | None = None,
) -> TimeSplit:
    """Fit on the earliest leads, test on the latest ``test_share`` (20%) of them.

    The test part holds ``test_share`` of the leads rounded to a whole number (at least
    one, and at least one lead is left to fit on).

    A lead's time is its attribute ``by`` (an ISO 8601 time with an offset), or, with
    ``by=None``, its first event's moment. Outcomes and events follow their leads;
    outcomes of leads not given are dropped. Raises
    :class:`~leadscoring.InvalidValueError` naming leads that have no time.

    >>> from datetime import UTC, datetime
    >>> from leadscoring import Event
    >>> leads = [Lead(id=i) for i in ("new", "old", "mid")]
    >>> events = [Event(lead_id=i, type="visit", at=datetime(2026, m, 1, tzinfo=UTC))
    ...           for i, m in (("new", 3), ("old", 1), ("mid", 2))]
    >>> part = split_by_time(leads, {"old": True}, events, test_share=0.34)
    >>> [lead.id for lead in part.train_leads], [lead.id for lead in part.test_leads]
    (['old', 'mid'], ['new'])
    """
    share = _share(test_share)
    leads = check_leads(leads)
    events = check_events(events)
    if by is not None and (not isinstance(by, str) or not by):
        raise InvalidValueError("by", f"must be an attribute name or None, got {by!r}")
    times: dict[str, datetime] = {}
    if by is None:
        for event in events:
            if event.lead_id not in times or event.at < times[event.lead_id]:
                times[event.lead_id] = event.at
    else:
        for lead in leads:
            value = lead.attributes.get(by)
            if value is not None:
                times[lead.id] = to_utc(value, f"leads[{lead.id!r}].attributes[{by!r}]")
    missing = [lead.id for lead in leads if lead.id not in times]
    if missing:
        where = "no events" if by is None else f"no {by!r} attribute"
        shown = ", ".join(repr(i) for i in missing[:5])
        raise InvalidValueError(
            "leads", f"{len(missing)} lead(s) have {where}, so no time to order by: {shown}; "
            "pass by= the attribute holding each lead's creation time"
        )
    ordered = sorted(leads, key=lambda lead: (times[lead.id], lead.id))
    test = _sizes(len(ordered), share)
    cut = len(ordered) - test
    return _parts("time", by or "first event", times[ordered[cut].id], share, ordered[:cut],
                  ordered[cut:], outcomes, events)


def split_at_random(
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    events: Iterable[Event] = (),
    *,
    test_share: float = 0.2,
    seed: int = 0,
) -> TimeSplit:
    """Test on a random ``test_share`` of the leads (``random.Random(seed)``), fit on the rest.

    >>> part = split_at_random([Lead(id=f"L{k}") for k in range(10)], {}, seed=1)
    >>> len(part.train_leads), len(part.test_leads), part.kind
    (8, 2, 'random')
    """
    share = _share(test_share)
    leads = sorted(check_leads(leads), key=lambda lead: lead.id)
    events = check_events(events)
    shuffled = list(leads)
    random.Random(seed).shuffle(shuffled)
    test = _sizes(len(shuffled), share)
    chosen = {lead.id for lead in shuffled[:test]}
    return _parts("random", None, None, share, [x for x in leads if x.id not in chosen],
                  [x for x in leads if x.id in chosen], outcomes, events)


@attrs.frozen(kw_only=True)
class ValidatedModel:
    """What :func:`~leadscoring.calibrate` gives with ``validation=``: the model fitted on
    the fit part, its :class:`~leadscoring.EvaluationReport` on the held-out part (whose
    ``validation`` names the split), and the split itself."""

    model: ScoringModel
    report: EvaluationReport
    split: TimeSplit = attrs.field(repr=False)
