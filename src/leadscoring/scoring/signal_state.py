"""What the incremental :class:`~leadscoring.Scorer` keeps per lead for the journey stage
and the interest profile (the parts of an :class:`~leadscoring.Assessment` besides the
score and the activity):

==================  ===============================================  ======================
signal              state per lead                                   size
==================  ===============================================  ======================
journey evidence    per stage, the state of the journey decay, as     a half-life: 3 numbers
                    a rule's (:mod:`.scorer_state`): a half-life's     per stage; a window:
                    ``W, ref, n``, or the times whose weight can       the times in it
                    still change
interest profile    page views, views per category and product with   one count and one time
                    the time of the latest, purchases with their      per distinct value; one
                    amounts, participations                           float per purchase
==================  ===============================================  ======================

Both combine exactly when an alias's history becomes its lead's (``absorb``): the journey
per stage as a rule's state does (:mod:`.scorer_state`), the tally by adding counts,
taking the later latest view of each value and pooling the amounts.

Which stages an event is evidence of is asked of the classifier itself
(``JourneyClassifier.evidence_prepared`` on the event alone, at its own time, where every
decay weighs 1). The profile is finished with the interest module's own ranking
(``top_value``, ``profile_from_counts``), for the default
:class:`~leadscoring.signals.interest.InterestPolicy` that ``assess`` uses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.event import Event
from ..core.times import from_us
from ..signals.interest import (
    InterestPolicy,
    InterestProfile,
    profile_from_counts,
    top_value,
)
from ..signals.journey import EVIDENCE_STAGES, JourneyClassifier, JourneyStage
from .scorer_state import DecayedSum, KeptTimes, output_plan

__all__ = ["INTEREST", "Journey", "Tally"]

INTEREST = InterestPolicy()
"""The interest policy ``assess`` uses when none is given (a model does not carry one)."""

_INDEX = {stage: i for i, stage in enumerate(EVIDENCE_STAGES)}


class Journey:
    """The journey evidence of a lead: one decayed sum per stage."""

    def __init__(self, classifier: JourneyClassifier) -> None:
        self.classifier = classifier
        self.plan: DecayedSum | KeptTimes = output_plan(classifier.decay)

    def stages(self, event: Event) -> list[int]:
        """The indexes of the stages ``event`` is evidence of."""
        return [_INDEX[stage] for stage in self.classifier.stages_of(event)]

    def add(self, states: list[Any], stages: list[int], at: int) -> None:
        """Count an event at ``at`` for ``stages`` in ``states`` (one per stage)."""
        for index in stages:
            state = states[index]
            if state is None:
                state = states[index] = self.plan.start()
            self.plan.add(state, at)

    def absorb(self, states: list[Any], other: list[Any]) -> None:
        """Count ``other``'s evidence (another history's states, one per stage) too."""
        for index, state in enumerate(other):
            if state is None:
                continue
            if states[index] is None:
                states[index] = state
            else:
                self.plan.absorb(states[index], state)

    def evidence(self, states: list[Any] | None, now: int) -> dict[JourneyStage, float]:
        """The decayed evidence of each stage at ``now``."""
        out = dict.fromkeys(EVIDENCE_STAGES, 0.0)
        if states is not None:
            for index, state in enumerate(states):
                if state is not None:
                    out[EVIDENCE_STAGES[index]] = self.plan.value(state, now)[0]
        return out


class Tally:
    """One lead's counts for its interest profile (the default interest policy)."""

    __slots__ = ("amounts", "last", "participations", "purchases", "seen", "views")

    def __init__(self) -> None:
        self.views = self.purchases = self.participations = 0
        self.seen: dict[str, dict[str, int]] = {}  # property -> value -> views
        self.last: dict[str, int] = {}  # "property\0value" -> latest view (microseconds)
        self.amounts: list[float] = []

    def add(self, event: Event, at: int, policy: InterestPolicy = INTEREST) -> bool:
        """Count ``event``; ``False`` if it is none of a view, a purchase, a participation."""
        counted = False
        if event.type in policy.page_types:
            counted = True
            self.views += 1
            for key in (policy.category_property, policy.product_property):
                value = event.properties.get(key)
                if isinstance(value, str) and value:
                    counts = self.seen.setdefault(key, {})
                    counts[value] = counts.get(value, 0) + 1
                    where = f"{key}\0{value}"
                    if self.last.get(where, at) <= at:
                        self.last[where] = at
        if event.type in policy.purchase_types:
            counted = True
            self.purchases += 1
            amount = event.properties.get("amount")
            if isinstance(amount, int | float) and not isinstance(amount, bool):
                self.amounts.append(float(amount))
        if event.type in policy.participation_types:
            counted = True
            self.participations += 1
        return counted

    def absorb(self, other: Tally) -> None:
        """Count ``other``'s events (another history) too: counts add, each value's latest
        view is the later one, amounts are pooled (their sum, ``math.fsum``, is exact in
        any order)."""
        self.views += other.views
        self.purchases += other.purchases
        self.participations += other.participations
        for key, counts in other.seen.items():
            mine = self.seen.setdefault(key, {})
            for value, count in counts.items():
                mine[value] = mine.get(value, 0) + count
        for where, at in other.last.items():
            if self.last.get(where, at) <= at:
                self.last[where] = at
        self.amounts.extend(other.amounts)

    def _ranked(self, key: str) -> tuple[dict[str, int], str | None]:
        counts = self.seen.get(key, {})
        last: dict[str, datetime] = {k: from_us(self.last[f"{key}\0{k}"]) for k in counts}
        return dict(sorted(counts.items())), top_value(counts, last)

    def profile(
        self, lead_id: str, as_of: datetime, policy: InterestPolicy = INTEREST
    ) -> InterestProfile:
        """The :class:`~leadscoring.signals.interest.InterestProfile` at ``as_of``."""
        categories, top_category = self._ranked(policy.category_property)
        products, top_product = self._ranked(policy.product_property)
        return profile_from_counts(
            lead_id,
            as_of,
            policy,
            views=self.views,
            categories=categories,
            products=products,
            top_category=top_category,
            top_product=top_product,
            purchases=self.purchases,
            amounts=self.amounts,
            participations=self.participations,
        )

    def to_data(self) -> list[Any]:
        """``[views, purchases, participations, seen, last, amounts]``."""
        return [
            self.views,
            self.purchases,
            self.participations,
            {k: dict(v) for k, v in self.seen.items()},
            dict(self.last),
            list(self.amounts),
        ]


def empty_profile(lead_id: str, as_of: datetime) -> InterestProfile:
    """The profile of a lead without events."""
    return Tally().profile(lead_id, as_of)
