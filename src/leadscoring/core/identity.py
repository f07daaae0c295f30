"""Identities: an anonymous visitor (a cookie, a device, an old email) known to be a lead.

An :class:`Identity` says that from ``at`` on, ``alias`` is ``lead_id``: every event of the
alias, before ``at`` as well as after, is then the lead's (the browsing a visitor did before
filling in a form counts once their email is known). An :class:`IdentityMap` holds the
links, checked once: chains resolve (cookie → old email → lead), a cycle or an alias
claimed by two leads is an :class:`~leadscoring.InvalidInputError` naming both.

Event ids are unique per *source* (the ``lead_id`` an event arrived with): an alias's
event keeps its id qualified by the alias (``e1`` of ``cookie-7`` is ``cookie-7/e1`` in
the lead's history), so two sources that both number their events ``e1`` are not copies
of each other; copies are the same id from the same source.

>>> from datetime import UTC, datetime
>>> links = IdentityMap([Identity(alias="cookie-7", lead_id="ann@example.com",
...                               at="2026-05-01T00:00:00Z")])
>>> links.lead_of("cookie-7")
'ann@example.com'
>>> links.lead_of("cookie-7", as_of=datetime(2026, 4, 1, tzinfo=UTC))  # not yet known
'cookie-7'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Literal, TypeAlias

import attrs

from .errors import InvalidInputError, InvalidLeadError, InvalidValueError
from .event import Event
from .lead import Lead, LeadStatus
from .times import EARLIEST, to_utc

__all__ = [
    "Identities",
    "Identity",
    "IdentityMap",
    "Merge",
    "MergeStrategy",
    "check_identities",
    "merge",
    "moved",
    "source_id",
]

MergeStrategy = Literal["keep", "newest", "non_empty"]
"""How :func:`merge` combines one field of two lead records."""

_STRATEGIES: tuple[str, ...] = ("keep", "newest", "non_empty")


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, f"must be a non-empty string, got {value!r}")
    return value


def _alias(value: str) -> str:
    return _text(value, "Identity.alias")


def _lead_id(value: str) -> str:
    return _text(value, "Identity.lead_id")


def _at(value: datetime | str) -> datetime:
    return to_utc(value, "Identity.at")


@attrs.frozen(kw_only=True)
class Identity:
    """``alias`` (a cookie id, a device id, an old email) is ``lead_id`` from ``at`` on.

    From ``at`` on, all of the alias's history, earlier events included, is the lead's;
    scored at a moment before ``at``, the alias is still a visitor of its own.
    """

    alias: str = attrs.field(converter=_alias)
    lead_id: str = attrs.field(converter=_lead_id)
    at: datetime = attrs.field(converter=_at)

    def __attrs_post_init__(self) -> None:
        if self.alias == self.lead_id:
            raise InvalidValueError(
                "Identity.alias", f"{self.alias!r} is linked to itself; an alias names another id"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able): ``alias``, ``lead_id``, ``at`` (ISO 8601)."""
        return {"alias": self.alias, "lead_id": self.lead_id, "at": self.at.isoformat()}


def source_id(source: str, event_id: str | None) -> str | None:
    """The id an event of ``source`` has in another lead's history (``source/id``), so
    that ids stay unique per source once histories are united."""
    return None if event_id is None else f"{source}/{event_id}"


def _links(values: object, source: str) -> list[Identity]:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise InvalidValueError("identities", f"expected Identity links, got {values!r:.60}")
    out = []
    for index, item in enumerate(values):
        if not isinstance(item, Identity):
            raise InvalidInputError(
                f"expected an Identity, got {type(item).__name__}", source=source, row=index + 1
            )
        out.append(item)
    return out


@attrs.frozen(init=False, repr=False)
class IdentityMap:
    """Links of aliases to leads, checked once (frozen).

    ``IdentityMap(links)`` takes :class:`Identity` values; the loaders read them from a
    file (:func:`~leadscoring.read_identities`) or a table
    (:func:`~leadscoring.identities_from_frame`). The same link given twice counts once
    (at its earliest ``at``). An alias linked to two different leads, or links that form
    a cycle, raise :class:`~leadscoring.InvalidInputError` naming the row and both ids.
    """

    links: tuple[Identity, ...]
    _target: Mapping[str, Identity] = attrs.field(eq=False, hash=False)

    def __init__(self, links: Iterable[Identity] = (), *, source: str = "identities") -> None:
        target: dict[str, Identity] = {}
        rows: dict[str, int] = {}
        for row, link in enumerate(_links(links, source), start=1):
            first = target.get(link.alias)
            if first is not None and first.lead_id != link.lead_id:
                raise InvalidInputError(
                    f"alias {link.alias!r} is claimed by two leads: {first.lead_id!r} "
                    f"(row {rows[link.alias]}) and {link.lead_id!r}; an alias belongs to one "
                    "lead (to move it, merge the two leads instead)",
                    source=source, row=row, column="alias",
                )  # fmt: skip
            if first is None or link.at < first.at:
                target[link.alias] = link
                rows.setdefault(link.alias, row)
        for alias in target:
            seen = [alias]
            step = target[alias].lead_id
            while step in target:
                if step in seen:
                    loop = " -> ".join([*seen[seen.index(step) :], step])
                    raise InvalidInputError(
                        f"the links form a cycle ({loop}); {step!r} and "
                        f"{seen[-1]!r} cannot both be aliases of each other",
                        source=source, row=rows[alias], column="lead_id",
                    )  # fmt: skip
                seen.append(step)
                step = target[step].lead_id
        ordered = tuple(sorted(target.values(), key=lambda i: (i.at, i.alias)))
        object.__setattr__(self, "links", ordered)
        object.__setattr__(self, "_target", target)

    def __len__(self) -> int:
        return len(self.links)

    def __iter__(self) -> Iterator[Identity]:
        return iter(self.links)

    def __contains__(self, alias: object) -> bool:
        return alias in self._target

    def __repr__(self) -> str:
        return f"<IdentityMap links={len(self.links)}>"

    def lead_of(self, lead_id: str, as_of: datetime | None = None) -> str:
        """The lead ``lead_id`` belongs to at ``as_of`` (every link when ``None``): itself
        unless it is an alias, through chains of aliases."""
        return self._root(lead_id, as_of)[0]

    def _root(self, lead_id: str, as_of: datetime | None) -> tuple[str, datetime]:
        """The lead at the end of ``lead_id``'s chain at ``as_of`` and the moment from
        which the chain is complete (the latest ``at`` on it)."""
        since = EARLIEST
        link = self._target.get(lead_id)
        while link is not None and (as_of is None or link.at <= as_of):
            lead_id, since = link.lead_id, max(since, link.at)
            link = self._target.get(lead_id)
        return lead_id, since

    def roots(self, as_of: datetime | None = None) -> dict[str, str]:
        """Every alias linked by ``as_of`` (every link when ``None``) → its lead."""
        out = {}
        for alias in self._target:
            root = self._root(alias, as_of)[0]
            if root != alias:
                out[alias] = root
        return out

    def aliases_of(self, lead_id: str, as_of: datetime | None = None) -> dict[str, datetime]:
        """The aliases that belong to ``lead_id`` (by ``as_of``), each with the moment from
        which it does (the latest link on its chain)."""
        out = {}
        for alias in self._target:
            root, since = self._root(alias, as_of)
            if root == lead_id:
                out[alias] = since
        return dict(sorted(out.items()))

    def rekey(self, events: Iterable[Event], *, as_of: datetime | None = None) -> list[Event]:
        """``events`` with each alias's events moved to its lead (by ``as_of``): the
        ``lead_id`` becomes the lead's, the ``id`` is qualified by the alias
        (:func:`source_id`); other events are returned as they are."""
        roots = self.roots(as_of)
        return [moved(e, roots[e.lead_id]) if e.lead_id in roots else e for e in events]

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every link as plain data, in time order."""
        return [link.to_dict() for link in self.links]


def moved(event: Event, lead_id: str) -> Event:
    """``event`` as an event of ``lead_id``: its id qualified by its source
    (:func:`source_id`)."""
    return Event(
        lead_id=lead_id, type=event.type, at=event.at, properties=event.properties,
        id=source_id(event.lead_id, event.id),
    )  # fmt: skip


Identities: TypeAlias = "IdentityMap | Iterable[Identity]"
"""What an ``identities=`` argument takes: an :class:`IdentityMap` or the links to make one."""


def check_identities(value: object, field: str = "identities") -> IdentityMap | None:
    """``None`` (or an empty map), an :class:`IdentityMap`, or links to make one."""
    if value is None:
        return None
    found = value if isinstance(value, IdentityMap) else IdentityMap(_links(value, field))
    return found if found.links else None


# --- merging two known leads ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Merge:
    """The outcome of :func:`merge`: the combined record and the link that unites the
    histories (``identity.alias`` is the lead merged in). Pass ``lead`` in place of both
    records and ``identity`` in ``identities=``."""

    lead: Lead
    identity: Identity


def _empty(value: object) -> bool:
    return value is None or value == ""


def _pick(strategy: str, mine: object, theirs: object, field: str) -> object:
    if strategy == "keep":
        return mine
    if strategy == "newest":
        return mine if _empty(theirs) else theirs
    if strategy == "non_empty":
        return theirs if _empty(mine) else mine
    allowed = ", ".join(repr(s) for s in _STRATEGIES)
    raise InvalidValueError(f"fields[{field!r}]", f"must be one of {allowed}, got {strategy!r}")


def merge(
    *,
    into: Lead,
    from_: Lead,
    at: datetime | str,
    fields: Mapping[str, MergeStrategy] | None = None,
    default: MergeStrategy = "non_empty",
) -> Merge:
    """Merge the known lead ``from_`` into ``into`` at ``at``: one record, one history.

    Each field is combined by a strategy (``fields`` by attribute name, and ``"status"``
    (with its ``status_changed_at``) and ``"account_id"``; ``default`` for the rest):

    - ``"keep"``: ``into``'s value, even when it has none;
    - ``"newest"``: ``from_``'s value where it has one (the record merged in is the newer
      one: the contact a form just created), else ``into``'s;
    - ``"non_empty"``: ``into``'s value where it has one, else ``from_``'s.

    A value is empty when it is missing, ``None`` or ``""``; a status is empty when it is
    ``open`` without a change date. The merged lead is scored as if it had always been
    one: pass ``Merge.lead`` as the lead and ``Merge.identity`` among the identities.

    >>> a = Lead(id="A", attributes={"industry": "it"})
    >>> b = Lead(id="B", attributes={"industry": "", "employees": 300})
    >>> merge(into=a, from_=b, at="2026-05-01T00:00:00Z").lead.attributes
    {'employees': 300, 'industry': 'it'}
    """
    if not isinstance(into, Lead) or not isinstance(from_, Lead):
        bad = "into" if not isinstance(into, Lead) else "from_"
        raise InvalidValueError(bad, "expected a Lead")
    if into.id == from_.id:
        raise InvalidValueError("from_", f"lead {into.id!r} cannot be merged into itself")
    chosen = dict(fields or {})
    _pick(default, None, None, "default")  # check the default once
    for name, strategy in chosen.items():
        _pick(strategy, None, None, name)
    attributes: dict[str, Any] = {}
    for name in sorted(set(into.attributes) | set(from_.attributes)):
        value = _pick(
            chosen.get(name, default), into.attributes.get(name), from_.attributes.get(name), name
        )
        if value is not None:
            attributes[name] = value
    mine_status = None if _open(into) else (into.status, into.status_changed_at)
    their_status = None if _open(from_) else (from_.status, from_.status_changed_at)
    status = _pick(chosen.get("status", default), mine_status, their_status, "status")
    account = _pick(
        chosen.get("account_id", default), into.account_id, from_.account_id, "account_id"
    )
    status_value, changed = status if isinstance(status, tuple) else (LeadStatus.OPEN, None)
    try:
        lead = Lead(
            id=into.id, attributes=attributes, status=status_value,
            status_changed_at=changed, account_id=account if isinstance(account, str) else None,
        )  # fmt: skip
    except InvalidLeadError as exc:  # pragma: no cover - both records were valid
        raise InvalidValueError("merge", exc.message) from None
    return Merge(lead=lead, identity=Identity(alias=from_.id, lead_id=into.id, at=at))


def _open(lead: Lead) -> bool:
    return lead.status is LeadStatus.OPEN and lead.status_changed_at is None
