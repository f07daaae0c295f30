"""How a :class:`~leadscoring.scoring.scorer.Scorer` is kept: snapshots and the store.

:meth:`Scorer.snapshot <leadscoring.Scorer.snapshot>` gives the state as plain data
(format: :mod:`leadscoring.scoring.snapshot`), :meth:`Scorer.restore
<leadscoring.Scorer.restore>` continues from one and the snapshot form of
:meth:`Scorer.merge <leadscoring.Scorer.merge>` takes over its leads
(:meth:`ScorerPersistence._merge`; the lead form is in :mod:`.scorer_links`). With
:meth:`Scorer.open <leadscoring.Scorer.open>` the state lives in SQLite
(:mod:`leadscoring.scoring.store`): every change is written by
:meth:`ScorerPersistence._save` before the call returns, and :meth:`Scorer.close
<leadscoring.Scorer.close>` (or leaving a ``with`` block) closes the file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ..core.checks import check_iterable, expect
from ..core.errors import InvalidValueError
from ..core.identity import Identity, MergeStrategy
from ..core.lead import Lead
from ..model.scoring_model import ScoringModel
from . import snapshot as _snapshot
from .activity_log import Key
from .compiled import CompiledModel
from .scorer_state import LeadState, Plan

__all__ = ["ScorerPersistence"]

S = TypeVar("S", bound="ScorerPersistence")
V = TypeVar("V")


def _replace(table: dict[str, V], part: Mapping[str, V], lead_id: str) -> None:
    if lead_id in part:
        table[lead_id] = part[lead_id]
    else:
        table.pop(lead_id, None)


class ScorerPersistence:
    """The snapshot and store half of :class:`~leadscoring.scoring.scorer.Scorer`:
    :meth:`snapshot`, :meth:`restore`, :meth:`merge`, :meth:`open`, :meth:`close` and
    writing each change to the store. A mixin: the state it reads is the scorer's
    (declared here, set by ``Scorer.__init__``); the public methods take the scorer's
    lock as they always did, and :meth:`_merge` and :meth:`_save` are called under it
    (or on a scorer no other thread sees yet: :meth:`restore`, :meth:`open`)."""

    # The scorer's state, set by Scorer.__init__ (see there for what each table holds).
    _model: ScoringModel
    _compiled: CompiledModel
    _plans: list[Plan | None]
    _leads: dict[str, LeadState]
    _records: dict[str, Lead]
    _known: dict[str, None]
    _labels: dict[str, list[Any]]
    _kinds: dict[Key, Key]
    _kind_ids: dict[Key, int]
    _links: dict[str, Identity]
    _lock: threading.RLock
    _store: Any  # a .store.Store once opened

    if TYPE_CHECKING:  # the Scorer's methods these call (and ScorerLinks')

        def __init__(self, model: ScoringModel) -> None: ...

        def _check_known(self, lead_id: str) -> None: ...

        def _links_of(self, lead_ids: Iterable[str]) -> list[Identity]: ...

        def _check_links(self, loaded: _snapshot.Loaded) -> None: ...

        def _rebuild_links(self) -> None: ...

        def _merge_leads(
            self,
            into: str,
            from_: str,
            at: datetime | str,
            fields: Mapping[str, MergeStrategy] | None,
            default: MergeStrategy,
        ) -> Lead: ...

    # -------------------------------------------------------------------------- state

    def snapshot(self, lead_ids: Iterable[str] | None = None) -> dict[str, Any]:
        """The scorer's state as plain data (JSON-able), for :meth:`restore` or
        :meth:`merge`; ``lead_ids`` takes only those leads (each must be known).

        Times are integer microseconds since the Unix epoch (UTC), long lists of them
        packed as text; the model is named by name, version and a fingerprint of what
        shapes the state (format: :mod:`leadscoring.scoring.snapshot`).
        """
        with self._lock:
            if lead_ids is None:
                order: list[str] = list(self._known)
            else:
                order = []
                for index, lead_id in enumerate(check_iterable(lead_ids, "lead_ids")):
                    expect(lead_id, str, f"lead_ids[{index}]")
                    self._check_known(str(lead_id))
                    order.append(str(lead_id))
            return _snapshot.dump(self._model, self._parts_of(order), links=self._links_of(order))

    def _parts_of(self, order: Iterable[str]) -> _snapshot.Parts:
        return _snapshot.Parts(
            self._compiled,
            self._plans,
            self._records,
            self._leads,
            self._labels,
            list(dict.fromkeys(order)),
        )

    @classmethod
    def restore(cls: type[S], model: ScoringModel, snapshot: Mapping[str, Any]) -> S:
        """A scorer that continues exactly where the one that took ``snapshot`` stopped.

        Raises :class:`~leadscoring.SnapshotError` if the snapshot was changed after it
        was made (its ``checksum``: at ``$.checksum``), is malformed (naming the JSON
        path) or was taken with another model (another name or version, or other
        rules under the same version).
        """
        scorer = cls(model)
        scorer._merge(snapshot)
        return scorer

    @overload
    def merge(self, snapshot: Mapping[str, Any]) -> list[str]: ...

    @overload
    def merge(
        self,
        snapshot: None = None,
        *,
        into: str,
        from_: str,
        at: datetime | str,
        fields: Mapping[str, MergeStrategy] | None = None,
        default: MergeStrategy = "non_empty",
    ) -> Lead: ...

    def merge(
        self,
        snapshot: Mapping[str, Any] | None = None,
        *,
        into: str | None = None,
        from_: str | None = None,
        at: datetime | str | None = None,
        fields: Mapping[str, MergeStrategy] | None = None,
        default: MergeStrategy = "non_empty",
    ) -> list[str] | Lead:
        """Take over the leads of a snapshot, or merge two known leads into one.

        ``merge(snapshot)`` takes over the leads of ``snapshot`` (from :meth:`snapshot`,
        of any scorer with the same model): each replaces this scorer's state of that
        lead, and the snapshot's links are this scorer's. Returns their ids. Moves leads
        between workers: ``b.merge(a.snapshot(lead_ids=ids))``, then ``a.forget(id)`` for
        each. Checked in full before anything changes.

        ``merge(into=..., from_=..., at=...)`` merges the known lead ``from_`` into the
        known lead ``into`` at ``at``: the records are combined field by field
        (:func:`leadscoring.merge`, with ``fields`` and ``default``), the histories as
        :meth:`link` ``(from_, into, at)`` unites them. Returns the merged record; the
        scores equal the batch engines' with ``leads=[merged, ...]`` and
        ``identities=[Identity(alias=from_, lead_id=into, at=at)]``.
        """
        lead_form = (into, from_, at) != (None, None, None) or fields is not None
        if snapshot is not None and (lead_form or default != "non_empty"):
            raise InvalidValueError(
                "merge",
                "give either a snapshot (merge(snapshot)) or two leads "
                "(merge(into=..., from_=..., at=...)), not both",
            )
        if snapshot is not None:
            with self._lock:
                return self._merge(snapshot)
        missing = [n for n, v in (("into", into), ("from_", from_), ("at", at)) if v is None]
        if missing:
            raise InvalidValueError(
                "merge",
                f"missing {', '.join(missing)}: merge(snapshot) takes over a snapshot's "
                "leads, merge(into=..., from_=..., at=...) merges two known leads",
            )
        return self._merge_leads(into, from_, at, fields, default)  # type: ignore[arg-type]

    def _merge(self, snapshot: Mapping[str, Any], *, verify: bool = True) -> list[str]:
        loaded = _snapshot.load(
            self._model, self._compiled, self._plans, snapshot, self._kinds, verify=verify
        )
        self._check_links(loaded)
        if self._store is None and not self._kind_ids:
            self._kind_ids = {key: n for n, key in enumerate(loaded.kinds)}
        for lead_id in loaded.order:
            self._known.setdefault(lead_id)
            _replace(self._records, loaded.records, lead_id)
            _replace(self._leads, loaded.leads, lead_id)
            _replace(self._labels, loaded.labels, lead_id)
        changed = []
        for identity in loaded.links:
            first = self._links.get(identity.alias)
            if first is None or identity.at < first.at:
                self._links[identity.alias] = identity
                changed.append(identity)
        if changed:
            self._rebuild_links()
        self._save(loaded.order, links=changed)
        return loaded.order

    # -------------------------------------------------------------------------- store

    @classmethod
    def open(cls: type[S], path: str | PathLike[str], model: ScoringModel) -> S:
        """A scorer whose state lives in the SQLite file ``path`` (created if missing):
        every :meth:`add`, :meth:`add_many` (one transaction), :meth:`add_lead`,
        :meth:`forget`, :meth:`merge` and the change feed's baseline is written before
        the call returns, so nothing acknowledged is lost in a crash; opening the file
        again continues exactly. A file written with another model (name, version or
        rules) raises :class:`~leadscoring.SnapshotError`, as :meth:`restore` does.
        """
        from .store import Store

        scorer = cls(model)
        store = Store.open(path, _snapshot.header(scorer._model))
        try:
            scorer._merge(store.load(), verify=False)  # the store's rows carry no checksum
        except BaseException:
            store.close()
            raise
        scorer._store = store
        return scorer

    def close(self) -> None:
        """Close the store (a scorer without one: nothing to do). Safe to call twice."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _save(
        self,
        lead_ids: Iterable[str],
        *,
        links: Iterable[Identity] = (),
        drop: Iterable[str] = (),
    ) -> None:
        """Write these leads' state and these links to the store and erase the rows of the
        leads in ``drop``, in one transaction (under the lock)."""
        if self._store is None:
            return
        order = [i for i in lead_ids if i in self._known]
        made, gone = list(links), list(drop)
        if order or made or gone:
            parts = self._parts_of(order)
            data = _snapshot.dump(
                self._model, parts, self._kind_ids, made or None, with_checksum=False
            )
            self._store.save(data, drop=gone)
