"""Journey stages: where a lead is in its buying journey, from recent behaviour.

情報収集 (information gathering) → 興味関心 (interest) → 比較検討 (comparison) → ready for
sales. Each stage has evidence: conditions on events, such as "a page view of the pricing
page". Each matching event counts its decay weight at ``as_of`` (1 when fresh, half after
one half-life); the stage is the most advanced one whose evidence (its own plus that of
the stages after it) reaches its ``min_evidence``. Old evidence fades, so a lead that
compared plans two months ago and now only reads product pages is back in interest.

>>> from datetime import UTC, datetime
>>> seen = [Event(lead_id="L1", type="page_view", at="2026-03-02T10:00:00Z",
...               properties={"category": "pricing"})] * 2
>>> JourneyClassifier().classify(seen, as_of=datetime(2026, 3, 2, 12, tzinfo=UTC))
<JourneyStage.COMPARISON: 'comparison'>
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any

import attrs

from ..core.aliases import Timestamp
from ..core.checks import check_events as checked_events
from ..core.checks import check_moment
from ..core.conditions import Condition, compile_condition, condition_types, event_getter
from ..core.decay import Decay, HalfLife
from ..core.errors import ErrorDetail, InvalidModelError, InvalidValueError
from ..core.event import Event, dedupe_sorted
from ..core.mapping import FrozenMap
from ..core.plain.forms import (
    check_keys,
    condition_to_data,
    convert_table,
    decay_from_data,
    decay_to_data,
    number,
    raise_if,
    table,
    to_condition,
)

__all__ = [
    "DEFAULT_EVIDENCE",
    "DEFAULT_MIN_EVIDENCE",
    "EVIDENCE_STAGES",
    "JourneyClassifier",
    "JourneyStage",
]


class JourneyStage(enum.StrEnum):
    """A stage of the buying journey, from ``NONE`` to ``SALES_READY`` (compare :attr:`rank`)."""

    NONE = "none"
    """No recent evidence of any stage."""
    INFORMATION_GATHERING = "information_gathering"
    """情報収集: reading blog posts and articles."""
    INTEREST = "interest"
    """興味関心: product and service pages, downloads, webinars, email clicks."""
    COMPARISON = "comparison"
    """比較検討: pricing, case studies, FAQ, company profile, contact page."""
    SALES_READY = "sales_ready"
    """Asked for contact: an inquiry, a demo request, a contact or document-request form."""

    @property
    def rank(self) -> int:
        """0 for ``NONE`` up to 4 for ``SALES_READY``."""
        return _STAGES.index(self)


_STAGES = tuple(JourneyStage)
EVIDENCE_STAGES = _STAGES[1:]
"""The stages evidence can show (every stage but ``NONE``), in order."""
_STAGE_NAMES = tuple(s.value for s in EVIDENCE_STAGES)

DEFAULT_EVIDENCE: Mapping[str, tuple[Mapping[str, Any], ...]] = {
    "information_gathering": ({"type": "page_view", "category": ["blog", "article"]},),
    "interest": (
        {"type": "page_view", "category": ["product", "service"]},
        {"type": "download"},
        {"type": ["webinar", "event_attended"]},
        {"type": "email_click"},
    ),
    "comparison": (
        {"type": "page_view", "category": ["pricing", "case_study", "faq", "company", "contact"]},
    ),
    "sales_ready": (
        {"type": ["inquiry", "demo_request"]},
        {"type": "form_submit", "form": ["contact", "document_request"]},
    ),
}
"""The default evidence of each stage, in the data form of the ``[journey.stages]`` section."""

DEFAULT_MIN_EVIDENCE: Mapping[str, float] = {
    "information_gathering": 0.5,
    "interest": 1.0,
    "comparison": 1.5,
    "sales_ready": 0.5,
}
"""How much decayed evidence each stage needs by default (see :class:`JourneyClassifier`)."""

Evidence = FrozenMap[JourneyStage, tuple[Condition, ...]]
_Matchers = tuple[tuple[JourneyStage, Callable[[Event], bool]], ...]


def _stages(value: Mapping[str, Iterable[Condition | Mapping[str, object]]]) -> Evidence:
    """Every evidence stage's conditions; stages not given keep their default."""
    given = table(value, "stages")
    errors = check_keys({str(k): v for k, v in given.items()}, _STAGE_NAMES, "stage", "stages.")
    out: dict[JourneyStage, tuple[Condition, ...]] = {}
    for name in _STAGE_NAMES:
        stage = JourneyStage(name)
        items: object = given.get(stage, given.get(name, DEFAULT_EVIDENCE[name]))
        if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
            message = f"expected a list of conditions, got {items!r:.60}"
            errors.append(ErrorDetail(path=f"stages.{name}", message=message))
            continue
        conditions: list[Condition] = []
        for index, item in enumerate(items):
            try:
                conditions.append(to_condition(item, f"stages.{name}[{index}]"))
            except InvalidModelError as exc:
                errors.extend(exc.errors)
        out[stage] = tuple(conditions)
    raise_if(errors)
    return FrozenMap(out)


def _min_evidence(value: Mapping[str, float]) -> FrozenMap[JourneyStage, float]:
    """Every evidence stage's minimum; stages not given keep their default."""
    given = table(value, "min_evidence")
    errors = check_keys(
        {str(k): v for k, v in given.items()}, _STAGE_NAMES, "stage", "min_evidence."
    )
    out: dict[JourneyStage, float] = {}
    for name in _STAGE_NAMES:
        stage = JourneyStage(name)
        raw = given.get(stage, given.get(name, DEFAULT_MIN_EVIDENCE[name]))
        path = f"min_evidence.{name}"
        try:
            amount = number(raw, path)
            if amount <= 0:
                raise InvalidModelError(f"must be above 0, got {raw!r}", path=path)
            out[stage] = amount
        except InvalidModelError as exc:
            errors.extend(exc.errors)
    raise_if(errors)
    return FrozenMap(out)


def _decay(value: Decay | Mapping[str, object] | str) -> Decay:
    return decay_from_data(value, "decay")


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "stages": _stages,
    "min_evidence": _min_evidence,
    "decay": _decay,
}


def check_events(events: Iterable[Event], *, one_lead: bool = False) -> list[Event]:
    """``events`` as a list, refusing anything that is not an :class:`Event` (and, with
    ``one_lead``, events of several leads) with :class:`~leadscoring.InvalidValueError`."""
    out = checked_events(events)
    leads = {e.lead_id for e in out}
    if one_lead and len(leads) > 1:
        raise InvalidValueError(
            "events", f"expected the events of one lead, got leads {sorted(leads)[:3]!r}"
        )
    return out


@attrs.frozen(kw_only=True, repr=False)
class JourneyClassifier:
    """The journey stage from recent, decayed evidence.

    - ``stages``: for each stage, the event conditions that are evidence of it (a list of
      conditions or ``when`` tables). Stages not given keep :data:`DEFAULT_EVIDENCE`; an
      empty list means the stage is never reached. An event counts once for each stage
      whose conditions it matches (once, however many of that stage's conditions match).
    - ``decay``: how evidence fades with age (default ``HalfLife(days=14)``; a
      ``Window(days=30)`` counts events of the last 30 days fully).
    - ``min_evidence``: the sum of decay weights a stage needs (defaults: information
      gathering 0.5, interest 1.0, comparison 1.5, sales ready 0.5). With a 14-day
      half-life, 0.5 is one event within the last two weeks, 1.5 is for example two
      comparison page views within the last week.

    The stage is the most advanced one whose evidence reaches its minimum (``NONE``
    when none does). A stage's evidence includes that of the stages after it: a lead
    that compares prices is interested too, so one pricing view (1.0, short of
    comparison's 1.5) still makes a lead ``INTEREST``. Adding an event never moves a lead
    back.
    """

    stages: Evidence = attrs.field(factory=lambda: _stages({}), converter=_stages)
    min_evidence: FrozenMap[JourneyStage, float] = attrs.field(
        factory=lambda: _min_evidence({}), converter=_min_evidence
    )
    decay: Decay = attrs.field(factory=lambda: HalfLife(days=14), converter=_decay)

    @cached_property
    def _matchers(self) -> tuple[dict[str, _Matchers], _Matchers]:
        """The compiled conditions by the event type they can match, and those that may
        match any type (included in every type's list), in stage order."""
        typed: dict[str, list[tuple[int, JourneyStage, Callable[[Event], bool]]]] = {}
        any_type: list[tuple[int, JourneyStage, Callable[[Event], bool]]] = []
        index = 0
        for stage, conditions in self.stages.items():
            for condition in conditions:
                item = (index, stage, compile_condition(condition, event_getter))
                index += 1
                types = condition_types(condition)
                if types is None:
                    any_type.append(item)
                for kind in types or ():
                    typed.setdefault(kind, []).append(item)
        by_type = {
            kind: tuple((s, m) for _, s, m in sorted([*items, *any_type], key=lambda x: x[0]))
            for kind, items in typed.items()
        }
        return by_type, tuple((s, m) for _, s, m in any_type)

    def evidence(self, events: Iterable[Event], *, as_of: Timestamp) -> dict[JourneyStage, float]:
        """The decayed evidence of each stage at ``as_of`` (events after it are ignored).

        ``events`` are one lead's events, in any order; events sharing an ``id`` count once.
        """
        moment = check_moment(as_of)
        own = dedupe_sorted(e for e in check_events(events, one_lead=True) if e.at <= moment)
        return self.evidence_prepared(own, moment)

    def evidence_prepared(
        self, events: Iterable[Event], as_of: datetime
    ) -> dict[JourneyStage, float]:
        """:meth:`evidence` of events already checked, deduplicated and ``<= as_of``."""
        weights: dict[JourneyStage, list[float]] = {stage: [] for stage in EVIDENCE_STAGES}
        for event in events:
            stages = self.stages_of(event)
            if stages:
                weight = self.decay.weight_at(event.at, as_of)
                for stage in stages:
                    weights[stage].append(weight)
        # fsum is exact, so the sum does not depend on the order of the events.
        return {stage: math.fsum(ws) for stage, ws in weights.items()}

    def stages_of(self, event: Event) -> tuple[JourneyStage, ...]:
        """The stages ``event`` is evidence of, each once, in stage order."""
        by_type, any_type = self._matchers
        found: list[JourneyStage] = []
        for stage, match in by_type.get(event.type, any_type):
            # conditions come in stage order: an event counts once per stage
            if (not found or found[-1] is not stage) and match(event):
                found.append(stage)
        return tuple(found)

    def stage_of(self, evidence: Mapping[JourneyStage, float]) -> JourneyStage:
        """The most advanced stage whose evidence, counting that of the stages after it,
        reaches its minimum."""
        later: list[float] = []
        for stage in reversed(EVIDENCE_STAGES):
            later.append(evidence.get(stage, 0.0))
            if math.fsum(later) >= self.min_evidence[stage]:
                return stage
        return JourneyStage.NONE

    def classify(self, events: Iterable[Event], *, as_of: Timestamp) -> JourneyStage:
        """The journey stage at ``as_of`` of the lead whose events these are."""
        return self.stage_of(self.evidence(events, as_of=as_of))

    def __repr__(self) -> str:
        stages = {s.value: list(cs) for s, cs in self.stages.items()}
        minimum = {s.value: m for s, m in self.min_evidence.items()}
        return (
            f"JourneyClassifier(stages={stages!r}, min_evidence={minimum!r}, "
            f"decay={self.decay!r})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``[journey]`` section) that :meth:`from_dict` reads back."""
        return {
            "decay": decay_to_data(self.decay),
            "min_evidence": {s.value: m for s, m in self.min_evidence.items()},
            "stages": {
                s.value: [condition_to_data(c) for c in cs] for s, cs in self.stages.items()
            },
        }

    @classmethod
    def from_dict(cls, data: object) -> JourneyClassifier:
        """Build from plain data; keys left out keep their defaults, and so do stages left
        out of ``stages`` and ``min_evidence``. Every problem is collected."""
        values, errors = convert_table(data, _CONVERTERS, "journey setting")
        raise_if(errors)
        return cls(**values)
