"""Identities on tables: an alias's rows re-keyed to its lead, once, on the coded columns.

What :func:`~leadscoring.score_all` does with ``identities=`` (``core/checks.py``:
``group_events`` and ``united_leads``), for :class:`~leadscoring.scoring.frame_input.FrameInput`:
at ``as_of``, the rows of an alias linked by then are rows of its lead, their ``id``
qualified by the alias (:func:`~leadscoring.core.identity.source_id`: ``e1`` of
``cookie-7`` is ``cookie-7/e1``), and the rows of the leads table whose ``lead_id`` is
such an alias are left out (their history is their lead's).

Nothing here loops over the events in Python: the lead ids are re-keyed on their distinct
values (a loop over the aliases only), and the qualified ids are built by one vectorised
string concatenation (:func:`qualified`, tested equal to ``source_id``).

Only imported by :mod:`leadscoring.scoring.frame_input`, after the optional packages were found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..core.errors import InvalidInputError
from .frame_columns import Coded, Table

__all__ = [
    "KeptRows",
    "first_appearance",
    "kept_leads",
    "qualified",
    "qualified_at",
    "qualify_ids",
    "rekey",
]

Array = np.ndarray[Any, Any]
T = TypeVar("T")


def first_appearance(codes: Array, values: Any) -> Coded:
    """``codes`` into ``values`` as a :class:`Coded` with only the values some row uses,
    in order of their first row (``-1`` stays missing)."""
    width = len(values)
    present = codes >= 0
    first = np.full(width, len(codes), dtype=np.int64)
    np.minimum.at(first, codes[present], np.flatnonzero(present))
    used = np.flatnonzero(first < len(codes))
    used = used[np.argsort(first[used], kind="stable")]
    remap = np.full(width + 1, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return Coded(remap[codes], [values[i] for i in used.tolist()])


def rekey(lead_col: Coded, roots: Mapping[str, str]) -> tuple[Coded, Array | None]:
    """The lead column with every alias of ``roots`` (alias → lead) replaced by its lead,
    distinct values in order of first appearance after re-keying, and which rows moved
    (``None``: no row is an alias's).

    A table's coded column lists its values in order of first appearance (what
    ``score_frame`` lists the leads by), so a lead's first row after re-keying is that of
    the first of its values (its own id or an alias's): the order is found on the
    distinct values, without reading the rows again."""
    if not roots:
        return lead_col, None
    values = lead_col.values
    aliases = list(roots)
    index = pd.Index(np.asarray(values, dtype=object))
    where = index.get_indexer(aliases)
    found = np.flatnonzero(where >= 0)
    if not len(found):
        return lead_col, None
    width = len(values)
    targets = np.asarray([roots[aliases[i]] for i in found.tolist()], dtype=object)  # aliases
    target_at = index.get_indexer(targets)
    absent = target_at < 0  # a lead only its aliases' rows name: a value of its own
    extra, names = pd.factorize(targets[absent])
    target_at[absent] = width + extra
    mapping = np.arange(width, dtype=np.int64)
    mapping[where[found]] = target_at
    first = np.full(width + len(names), width, dtype=np.int64)  # per value: its first value
    np.minimum.at(first, mapping, np.arange(width, dtype=np.int64))
    used = np.flatnonzero(first < width)
    used = used[np.argsort(first[used], kind="stable")]
    remap = np.full(width + len(names), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    every = [*values, *names.tolist()]
    is_alias = np.zeros(width, dtype=bool)
    is_alias[where[found]] = True
    rekeyed = Coded(remap[mapping][lead_col.codes], [every[i] for i in used.tolist()])
    return rekeyed, is_alias[lead_col.codes]


def qualified(sources: Array, ids: Array) -> Array:
    """``source_id(source, id)`` of each pair of two object arrays of text, vectorised:
    ``f"{source}/{id}"``."""
    out: Array = sources.astype(object) + "/" + ids.astype(object)
    return out


def qualified_at(sources: Coded, rows: Array, ids: Array) -> Array:
    """The qualified ids of some moved ``rows`` (``ids``: their ids as text), their source
    read from the original lead column ``sources``."""
    return qualified(np.asarray(sources.values, dtype=object)[sources.codes[rows]], ids)


def qualify_ids(ids: Coded, sources: Coded, moved: Array) -> Coded:
    """The id column with the id of every moved row (``moved``) qualified by its source
    (the row's original ``lead_id`` in ``sources``); a qualified id that another row has
    already (``cookie/e1`` given as such) is the same id, as in the object path."""
    take = np.flatnonzero(moved & (ids.codes >= 0))
    if not len(take):
        return ids
    given = np.asarray(ids.values, dtype=object)
    texts = qualified_at(sources, take, given[ids.codes[take]])
    codes, uniques = pd.factorize(np.concatenate([given, texts]))
    out = ids.codes.copy()
    out[take] = codes[len(given) :]
    return first_appearance(out, uniques.tolist())


def kept_leads(leads: Table, given: Coded, roots: Mapping[str, str]) -> Table:
    """The leads table without the rows whose ``lead_id`` (``given``) is an alias of
    ``roots``; the table itself when no row is."""
    if not roots:
        return leads
    where = pd.Index(np.asarray(given.values, dtype=object)).get_indexer(list(roots))
    where = where[where >= 0]
    if not len(where):
        return leads
    alias = np.zeros(len(given.values) + 1, dtype=bool)
    alias[where] = True
    return KeptRows(leads, np.flatnonzero(~alias[given.codes]))


class KeptRows(Table):
    """Some rows of a table, read as a table of their own; an error names the row of the
    original table (``rows``: the kept rows' positions there)."""

    def __init__(self, table: Table, rows: Array) -> None:
        super().__init__(table.frame[rows], table.source)
        self._origin = rows
        self._reading = False

    def _named(self, read: Callable[[], T]) -> T:
        if self._reading:  # an inner call: the outermost one renames the row
            return read()
        self._reading = True
        try:
            return read()
        except InvalidInputError as exc:
            if exc.row is None or not 0 < exc.row <= len(self._origin):
                raise
            raise InvalidInputError(
                exc.reason, source=exc.source, row=int(self._origin[exc.row - 1]) + 1,
                column=exc.column,
            ) from None  # fmt: skip
        finally:
            self._reading = False

    def coded(self, name: str, *, required: bool = False) -> Coded:
        return self._named(lambda: super(KeptRows, self).coded(name, required=required))

    def text(self, name: str, *, required: bool) -> Coded:
        return self._named(lambda: super(KeptRows, self).text(name, required=required))

    def times(self, name: str, *, required: bool) -> tuple[Array, Array]:
        return self._named(lambda: super(KeptRows, self).times(name, required=required))
