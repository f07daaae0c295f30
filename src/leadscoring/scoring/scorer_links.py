"""How a :class:`~leadscoring.scoring.scorer.Scorer` unites an alias with its lead.

:meth:`Scorer.link <leadscoring.Scorer.link>` (and the lead form of
:meth:`Scorer.merge <leadscoring.Scorer.merge>`) makes an alias one with a lead. A link is
checked against the scorer before anything changes (:meth:`ScorerLinks._prepare_link`,
:meth:`ScorerLinks._check_ids`), then applied: the same link made earlier only moves its
moment (:meth:`ScorerLinks._relink`); a new one drops the alias's record and labels and
combines its state exactly into the lead's (:meth:`ScorerLinks._apply_link`,
:meth:`ScorerLinks._absorb`: every rule's state, the activity log, journey and interest,
the ids, each qualified by the alias as :func:`~leadscoring.core.identity.source_id`
does). Snapshots carry the links of their leads (:meth:`ScorerLinks._links_of`), checked
against the scorer's when taken over (:meth:`ScorerLinks._check_links`), the chains
recomputed after (:meth:`ScorerLinks._rebuild_links`).

The tables, set by :class:`~leadscoring.scoring.scorer.Scorer` and read under its lock:
``_links`` (alias -> its link, as given), ``_roots`` (alias -> its lead, the end of its
chain), ``_aliases`` (lead -> every alias of it) and ``_since`` (lead -> its aliases'
latest link, in microseconds).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.checks import expect
from ..core.conditions import All, AnyOf, Condition, Field, Not
from ..core.errors import InvalidEventError, InvalidInputError, InvalidValueError, SnapshotError
from ..core.identity import Identity, IdentityMap, MergeStrategy, source_id
from ..core.identity import merge as merge_records
from ..core.lead import Lead
from ..core.rules import EventRule, RateRule, RepeatRule
from ..core.times import EARLIEST_US, to_us
from ..model.scoring_model import ScoringModel
from . import snapshot as _snapshot
from .activity_log import ActivityLog
from .scorer_state import LeadState, Plan
from .signal_state import Journey, Tally

__all__ = ["ScorerLinks", "id_readers"]


def _reads_ids(condition: Condition) -> bool:
    if isinstance(condition, Field):
        return condition.name == "id"
    if isinstance(condition, Not):
        return _reads_ids(condition.condition)
    if isinstance(condition, All | AnyOf):
        return any(_reads_ids(c) for c in condition.conditions)
    return False  # pragma: no cover - every condition is one of the four


def id_readers(model: ScoringModel) -> list[str]:
    """What in ``model`` reads an event's ``id`` (rule names, ``journey stage ...``): once
    an alias is linked, its earlier events were matched under ids that are no longer
    theirs, so such a model cannot unite histories incrementally."""
    out = [
        f"rule {rule.name!r}"
        for rule in model.rules
        if (isinstance(rule, EventRule | RepeatRule) and _reads_ids(rule.when))
        or (
            isinstance(rule, RateRule)
            and (_reads_ids(rule.numerator) or _reads_ids(rule.denominator))
        )
    ]
    for stage, conditions in model.journey.stages.items():
        if any(_reads_ids(c) for c in conditions):
            out.append(f"journey stage {stage.value!r}")
    return out


def _qualifier(alias: str, foreign: set[str] | None) -> Callable[[str], str]:
    """How an id of ``alias``'s state reads in its lead's: qualified by the alias, unless
    it came from one of the alias's own aliases (qualified by that source already)."""
    ids = foreign or set()

    def qualify(event_id: str) -> str:
        return event_id if event_id in ids else str(source_id(alias, event_id))

    return qualify


Saving = tuple[list[str], dict[str, Any]]
"""What a change writes to the store: the leads whose rows to write, and ``_save``'s
keyword arguments (``links``, ``drop``)."""


def _link_of(alias: object, lead_id: object, at: datetime | str) -> Identity:
    """The link, checked: two different ids and a moment."""
    alias_, lead_ = expect(alias, str, "alias"), expect(lead_id, str, "lead_id")
    if alias_ == lead_:
        raise InvalidValueError("lead_id", f"{alias_!r} cannot be linked to itself")
    return Identity(alias=alias_, lead_id=lead_, at=at)


class ScorerLinks:
    """The identity half of :class:`~leadscoring.scoring.scorer.Scorer`: links, lead
    merges and moving an alias's state into its lead's. A mixin: the state it reads is the
    scorer's (declared here, set by ``Scorer.__init__``), and every method is called under
    the scorer's lock, except :meth:`_link` and :meth:`_merge_leads`, which take it once
    (for :meth:`Scorer.link <leadscoring.Scorer.link>` and the lead form of
    :meth:`Scorer.merge <leadscoring.Scorer.merge>`)."""

    # The scorer's state, set by Scorer.__init__ (see there for what each table holds).
    _links: dict[str, Identity]
    _roots: dict[str, str]
    _aliases: dict[str, dict[str, None]]
    _since: dict[str, int]
    _id_readers: list[str]
    _leads: dict[str, LeadState]
    _records: dict[str, Lead]
    _known: dict[str, None]
    _labels: dict[str, list[Any]]
    _plans: list[Plan | None]
    _journey: Journey
    _lock: threading.RLock

    if TYPE_CHECKING:  # the Scorer's methods these call

        def _record(self, lead: Lead | str) -> Lead: ...

        def _save(
            self,
            lead_ids: Iterable[str],
            *,
            links: Iterable[Identity] = (),
            drop: Iterable[str] = (),
        ) -> None: ...

    def _link(self, alias: str, lead_id: str, at: datetime | str) -> None:
        """:meth:`Scorer.link <leadscoring.Scorer.link>`: check, then apply under the lock."""
        identity = _link_of(alias, lead_id, at)
        with self._lock:
            apply = self._prepare_link(identity)
            if apply is not None:
                touched, changes = apply()
                self._save(touched, **changes)

    def _prepare_link(self, identity: Identity) -> Callable[[], Saving] | None:
        """Check ``identity`` against the scorer; ``None`` if it changes nothing, else a
        function that applies it and returns ``_save``'s arguments (call under the lock)."""
        alias, given = identity.alias, identity.lead_id
        first = self._links.get(alias)
        if first is not None:
            if first.lead_id != given:
                raise InvalidValueError(
                    "alias",
                    f"alias {alias!r} is already linked to lead {first.lead_id!r}; it cannot "
                    f"also be lead {given!r} (an alias belongs to one lead: to move it, "
                    "merge the two leads instead)",
                )
            if identity.at >= first.at:
                return None
            return lambda: self._relink(identity)
        root = self._roots.get(given, given)
        if root == alias:
            raise InvalidValueError(
                "lead_id",
                f"{given!r} is already an alias of {alias!r}; linking {alias!r} to it would "
                "make a cycle",
            )
        other = self._leads.get(alias)
        if other is not None and self._id_readers:
            raise InvalidValueError(
                "alias",
                f"the model's {', '.join(self._id_readers)} reads event ids, and alias "
                f"{alias!r}'s events were matched under their own ids, not the ids they "
                f"have as lead {root!r}'s (the scorer keeps no events to match again); "
                "score the united history with score_all(..., identities=...)",
            )
        if other is not None:
            self._check_ids(root, alias, other)
        return lambda: self._apply_link(identity, root, other)

    def _check_ids(self, root: str, alias: str, other: LeadState) -> None:
        """Raise if an event of ``alias`` would share its qualified id with one the lead
        ``root`` already has (a copy cannot be told apart from the state kept)."""
        mine = self._leads.get(root)
        if other.ids is None or mine is None or mine.ids is None:
            return
        qualify = _qualifier(alias, other.foreign)
        for event_id, digest in other.ids.items():
            as_lead = qualify(event_id)
            found = mine.ids.get(as_lead)
            if found is None:
                continue
            if found != digest:
                raise InvalidEventError(
                    "Event.id",
                    f"two different events of lead {root!r} share id {as_lead!r}: the "
                    f"lead's own and alias {alias!r}'s {event_id!r}",
                )
            raise InvalidEventError(
                "Event.id",
                f"lead {root!r} already has event {as_lead!r}, a copy of alias {alias!r}'s "
                f"event {event_id!r}: the scorer keeps no events, so it cannot count the "
                "copy once in the united history (give each source's events their own "
                "ids, or score the history with score_all(..., identities=...))",
            )

    def _relink(self, identity: Identity) -> Saving:
        """The same link, made earlier: only the recorded moment moves."""
        self._links[identity.alias] = identity
        self._rebuild_links()
        return [], {"links": [identity]}

    def _apply_link(self, identity: Identity, root: str, other: LeadState | None) -> Saving:
        alias = identity.alias
        for table in (self._known, self._records, self._labels, self._leads):
            table.pop(alias, None)
        self._known.setdefault(root)
        if other is not None:
            mine = self._leads.get(root)
            if mine is None:
                mine = self._leads[root] = LeadState(len(self._plans))
            self._absorb(mine, other, _qualifier(alias, other.foreign))
        members = self._aliases.pop(alias, {})
        members[alias] = None
        self._aliases.setdefault(root, {}).update(members)
        for member in members:
            self._roots[member] = root
        self._links[alias] = identity
        since = max(to_us(identity.at), self._since.pop(alias, EARLIEST_US))
        self._since[root] = max(since, self._since.get(root, EARLIEST_US))
        return [root], {"links": [identity], "drop": [alias]}

    def _absorb(self, mine: LeadState, other: LeadState, qualify: Callable[[str], str]) -> None:
        """Combine ``other`` (an alias's state) into ``mine``: every part exactly."""
        if other.latest is not None and (mine.latest is None or other.latest > mine.latest):
            mine.latest = other.latest
        if other.ids:
            ids = mine.ids if mine.ids is not None else {}
            foreign = mine.foreign if mine.foreign is not None else set()
            for event_id, digest in other.ids.items():
                as_lead = qualify(event_id)
                ids[as_lead] = digest
                foreign.add(as_lead)
            mine.ids, mine.foreign = ids, foreign
        for index, plan in enumerate(self._plans):
            theirs = other.rules[index]
            if plan is None or theirs is None:
                continue
            if mine.rules[index] is None:
                mine.rules[index] = theirs
            else:
                plan.absorb(mine.rules[index], theirs)
        if other.activity is not None:
            if mine.activity is None:
                mine.activity = ActivityLog()
            mine.activity.absorb(other.activity, qualify)
        if other.journey is not None:
            if mine.journey is None:
                mine.journey = [None] * len(other.journey)
            self._journey.absorb(mine.journey, other.journey)
        if other.interest is not None:
            if mine.interest is None:
                mine.interest = Tally()
            mine.interest.absorb(other.interest)

    def _rebuild_links(self) -> None:
        """The roots, aliases and link moments per lead, from ``_links``."""
        self._roots, self._aliases, self._since = {}, {}, {}
        for alias, identity in self._links.items():
            root, step = alias, identity  # type: str, Identity | None
            while step is not None:  # the links form no cycle (checked when made)
                root = step.lead_id
                step = self._links.get(root)
            self._roots[alias] = root
            self._aliases.setdefault(root, {})[alias] = None
            at = to_us(identity.at)
            self._since[root] = max(at, self._since.get(root, at))

    def _links_of(self, lead_ids: Iterable[str]) -> list[Identity]:
        """The links whose lead (at the end of the chain) is one of ``lead_ids``."""
        wanted = set(lead_ids)
        return [i for alias, i in self._links.items() if self._roots[alias] in wanted]

    def _merge_leads(
        self,
        into: str,
        from_: str,
        at: datetime | str,
        fields: Mapping[str, MergeStrategy] | None,
        default: MergeStrategy,
    ) -> Lead:
        identity = _link_of(expect(from_, str, "from_"), expect(into, str, "into"), at)
        with self._lock:
            mine, theirs = self._record(into), self._record(from_)  # both known leads
            merged = merge_records(
                into=mine, from_=theirs, at=identity.at, fields=fields, default=default
            )
            apply = self._prepare_link(merged.identity)
            touched, changes = apply() if apply is not None else ([into], {})  # never None
            self._records[into] = merged.lead
            self._save(touched, **changes)
            return merged.lead

    def _check_links(self, loaded: _snapshot.Loaded) -> None:
        """Refuse a snapshot whose leads or links contradict this scorer's links."""
        for lead_id in loaded.order:
            if lead_id in self._roots:
                raise SnapshotError(
                    f"$.leads[{lead_id!r}]: is an alias of lead {self._roots[lead_id]!r} in "
                    "this scorer; an alias has no state of its own"
                )
        for index, identity in enumerate(loaded.links):
            alias, first = identity.alias, self._links.get(identity.alias)
            if first is not None and first.lead_id != identity.lead_id:
                raise SnapshotError(
                    f"$.links[{index}]: alias {alias!r} is linked to lead {identity.lead_id!r}"
                    f" in the snapshot and to lead {first.lead_id!r} in this scorer"
                )
            if alias in self._known and alias not in loaded.order:
                raise SnapshotError(
                    f"$.links[{index}]: alias {alias!r} is a lead of this scorer, with state "
                    f"of its own; link it first (Scorer.link({alias!r}, "
                    f"{identity.lead_id!r}, ...)) or forget it"
                )
        if loaded.links:
            try:
                IdentityMap([*self._links.values(), *loaded.links], source="$.links")
            except InvalidInputError as exc:
                raise SnapshotError(f"$.links: {exc.reason}") from None
