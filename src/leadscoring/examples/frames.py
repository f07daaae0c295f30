"""The sample data as DataFrames, built in bulk: :func:`sample_frames`.

Up to :data:`EXACT_UP_TO` leads, the frames hold exactly :func:`sample_dataset`'s data.
Above it, :func:`sample_dataset` generates a base of journeys (about one fiftieth of the
leads, at least :data:`EXACT_UP_TO`) and the frames hold copies of it: each copy with its
own lead, account and cookie ids, and every time of the copy shifted back by one random
amount under a week (whole seconds), so every interval inside a lead's, an account's and
a cookie's history is kept and every planted reactivation, account return and
identification stays planted, its ground truth shifted with it. The copying is column
work (numpy indexing, the DataFrame library's own gather and string concatenation), which
is what makes a million events take about a second instead of half a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from ..assessment.to_frame import Backend
from ..core.aliases import Timestamp
from ..core.checks import check_choice
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.identity import Identity, IdentityMap
from ..core.lead import Lead
from ..core.times import to_us, to_utc
from .dataset import (
    SAMPLE_AS_OF,
    GroundTruth,
    PlantedAccountReturn,
    PlantedIdentification,
    PlantedReactivation,
    SampleDataset,
    sample_dataset,
)

__all__ = ["EXACT_UP_TO", "SampleFrames", "sample_frames"]

EXACT_UP_TO = 2_000
"""Up to this many leads, :func:`sample_frames` is exactly :func:`sample_dataset`."""

_COPIES = 50
"""Above :data:`EXACT_UP_TO` leads, each generated journey appears about this often."""

_MAX_SHIFT_S = 7 * 86_400
"""Each copy's times move back by a whole number of seconds below this (a week)."""

Kind = Literal["text", "int", "float", "bool", "time", "object"]


@attrs.frozen(kw_only=True)
class SampleFrames:
    """The sample as DataFrames (pandas or polars), ready for the columnar engine.

    ``leads`` has one row per lead: ``lead_id``, ``status``, ``status_changed_at``,
    ``account_id`` and one column per attribute (``industry``, ``role``, ``company_size``,
    ``region``, ``source``, ``buying_role``). ``events``, ``cookie_events`` and
    ``anonymous_events`` have ``lead_id``, ``type``, ``at``, ``id`` and one column per
    event property, as :class:`SampleDataset` splits them; ``identities`` links the
    cookies to their leads. Times are timezone-aware (UTC), ids are text, absent values
    null. ``copies`` says how often each generated journey appears (1: the frames are
    exactly ``sample_dataset(seed, n_leads)``). The rows are in the order the data was
    generated (by copy, then as :class:`SampleDataset` orders them), not by time.
    """

    leads: Any
    events: Any
    cookie_events: Any
    anonymous_events: Any
    identities: IdentityMap
    as_of: datetime
    planted: GroundTruth
    copies: int


def sample_frames(
    n_leads: int = 300,
    *,
    seed: int = 0,
    as_of: Timestamp = SAMPLE_AS_OF,
    backend: Backend = "pandas",
) -> SampleFrames:
    """The sample data as DataFrames directly (``backend``: ``"pandas"`` or ``"polars"``).

    Up to :data:`EXACT_UP_TO` leads this is ``sample_dataset(seed, n_leads)`` as tables;
    above, copies of a generated base with their own ids and times (see the module
    documentation and ``docs/examples.md``). Deterministic: the same arguments give the
    same frames on every platform.

    >>> frames = sample_frames(50, seed=1)
    >>> len(frames.leads), frames.copies
    (50, 1)
    >>> list(frames.events.columns[:4])
    ['lead_id', 'type', 'at', 'id']
    """
    check_choice(backend, ("pandas", "polars"), "backend")
    if not isinstance(n_leads, int) or isinstance(n_leads, bool) or n_leads < 0:
        raise InvalidValueError("n_leads", f"must be a non-negative int, got {n_leads!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidValueError("seed", f"must be an int, got {seed!r}")
    observed = to_utc(as_of, "as_of")
    if n_leads <= EXACT_UP_TO:
        parts = [(sample_dataset(seed, n_leads, as_of=observed), 1)]
    else:
        copies = n_leads // max(EXACT_UP_TO, n_leads // _COPIES)
        size, rest = divmod(n_leads, copies)
        parts = [(sample_dataset(seed, size, as_of=observed), copies)]
        if rest:  # fewer leads than copies: a small sample of their own, once
            parts.append((sample_dataset(seed + 1, rest, as_of=observed), 1))
    return _Builder(backend, n_leads, seed, observed).build(parts)


# ------------------------------------------------------------------------- building


@attrs.define
class _Names:
    """The ids met in one part's events (its leads and cookies), each with a code: a
    column of codes then gathers the ids of every copy at once (:meth:`renamed`)."""

    base: list[str] = attrs.field(factory=list)
    index: dict[str, int] = attrs.field(factory=dict)

    def code(self, name: str) -> int:
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.base)
            self.base.append(name)
        return found

    def renamed(self, np: Any, span: range, leads: dict[str, int], lead_ids: Any) -> Any:
        """The ids of every copy in ``span``, copy after copy, in code order: a lead is
        ``lead_ids[copy, its position]``; a cookie keeps its id in copy 0 and has
        ``-<copy>`` appended in the others."""
        position = np.array([leads.get(name, -1) for name in self.base], dtype=np.int64)
        is_lead = position >= 0
        out = np.empty((len(span), len(self.base)), dtype=object)
        out[:, is_lead] = lead_ids[:, position[is_lead]]
        cookies = [name for name, at in zip(self.base, position.tolist(), strict=True) if at < 0]
        for row, copy in enumerate(span):
            out[row, ~is_lead] = cookies if copy == 0 else [f"{c}-{copy}" for c in cookies]
        return out.ravel()


class _Builder:
    """Copies of each part's columns, gathered into one table per kind."""

    def __init__(self, backend: Backend, n_leads: int, seed: int, as_of: datetime) -> None:
        import numpy as np

        self.np = np
        self.backend = backend
        self.as_of = as_of
        self.width = max(4, len(str(n_leads)))
        self.rng = np.random.default_rng(seed)
        self.tables: dict[str, list[dict[str, Any]]] = {
            "leads": [], "events": [], "cookie_events": [], "anonymous_events": []
        }  # fmt: skip
        self.copy = 0  # copies made so far, all parts together
        self.lead_number = 0
        self.account_number = 0
        self.links: list[Identity] = []
        self.personas: dict[str, str] = {}
        self.reactivations: list[PlantedReactivation] = []
        self.account_returns: list[PlantedAccountReturn] = []
        self.identifications: list[PlantedIdentification] = []
        self.complete: list[str] = []

    def build(self, parts: Sequence[tuple[SampleDataset, int]]) -> SampleFrames:
        total = sum(copies for _, copies in parts)
        for data, copies in parts:
            self._part(data, copies)
        frames = {kind: self._frame(pieces, kind) for kind, pieces in self.tables.items()}
        return SampleFrames(
            **frames,
            identities=IdentityMap(self.links),
            as_of=self.as_of,
            planted=GroundTruth(
                personas=self.personas,
                reactivations=tuple(sorted(self.reactivations, key=lambda r: (r.at, r.lead_id))),
                account_returns=tuple(
                    sorted(self.account_returns, key=lambda r: (r.at, r.account_id))
                ),
                identifications=tuple(sorted(self.identifications, key=lambda i: (i.at, i.alias))),
                complete_accounts=tuple(sorted(self.complete)),
            ),
            copies=total,
        )

    # -- one part: a generated sample, copied ``copies`` times -------------------------

    def _part(self, data: SampleDataset, copies: int) -> None:
        np = self.np
        first = self.copy
        span = range(first, first + copies)
        self.copy += copies
        if first == 0:  # the first copy keeps the generated times
            shifts = np.concatenate(([0], self.rng.integers(0, _MAX_SHIFT_S, copies - 1)))
        else:
            shifts = self.rng.integers(0, _MAX_SHIFT_S, copies)
        shifts = shifts.astype(np.int64) * 1_000_000
        lead_base, account_base = self.lead_number, self.account_number
        leads = {lead.id: i for i, lead in enumerate(data.leads)}
        accounts: dict[str, int] = {}
        for lead in data.leads:
            if lead.account_id is not None:
                accounts.setdefault(lead.account_id, len(accounts))
        n, m = len(leads), len(accounts)
        width = self.width
        lead_ids = [f"L{lead_base + c * n + i + 1:0{width}d}" for c in range(copies)
                    for i in range(n)]  # fmt: skip
        account_ids = [f"A{account_base + c * m + i + 1:0{width}d}" for c in range(copies)
                       for i in range(m)]  # fmt: skip
        self.lead_number += n * copies
        self.account_number += m * copies

        def who(name: str, copy: int) -> str:  # a lead, or a cookie, in copy ``copy``
            found = leads.get(name)
            if found is not None:
                return lead_ids[(copy - first) * n + found]
            return name if copy == 0 else f"{name}-{copy}"

        def account(name: str | None, copy: int) -> str | None:
            return None if name is None else account_ids[(copy - first) * m + accounts[name]]

        self._leads(data.leads, lead_ids, account_ids, accounts, copies, shifts)
        by_copy = _objects(np, lead_ids).reshape(copies, n)
        for kind, events in (("events", data.events), ("cookie_events", data.cookie_events),
                             ("anonymous_events", data.anonymous_events)):  # fmt: skip
            self._events(kind, events, span, shifts, leads, by_copy)
        persona = [data.planted.personas[lead.id] for lead in data.leads]
        self.personas.update(zip(lead_ids, persona * copies, strict=True))
        self._truth(data, span, shifts, who, account)

    def _leads(
        self,
        leads: Sequence[Lead],
        lead_ids: list[str],
        account_ids: list[str],
        accounts: dict[str, int],
        copies: int,
        shifts: Any,
    ) -> None:
        np = self.np
        m = len(accounts)
        rows = np.tile(np.arange(len(leads)), copies)
        copy = np.repeat(np.arange(copies), len(leads))
        columns: dict[str, Column] = {
            "lead_id": ("text", _objects(np, lead_ids), np.arange(len(rows))),
            "status": ("text", _objects(np, [x.status.value for x in leads]), copies),
        }
        changed = [x.status_changed_at for x in leads]
        columns["status_changed_at"] = ("time", *_shifted(np, changed, rows, shifts[copy]))
        code = np.array([m if x.account_id is None else accounts[x.account_id]
                         for x in leads], dtype=np.int64)[rows]  # fmt: skip
        where = np.where(code == m, copies * m, copy * m + code)
        columns["account_id"] = ("text", _objects(np, [*account_ids, None]), where)
        for name in dict.fromkeys(k for x in leads for k in x.attributes):
            values = [x.attributes.get(name) for x in leads]
            columns[name] = (_kind(values), _objects(np, values), copies)
        self.tables["leads"].append(columns)

    def _events(
        self,
        kind: str,
        events: Sequence[Event],
        span: range,
        shifts: Any,
        leads: dict[str, int],
        lead_ids: Any,
    ) -> None:
        np = self.np
        copies = len(span)
        if not events:
            return
        rows = np.tile(np.arange(len(events)), copies)
        copy = np.repeat(np.arange(copies), len(events))
        # ids are <owner>-E<n>: the owner renamed in the copy, the number kept
        owner, number = zip(*(_split_id(e.id) for e in events), strict=True)
        names = _Names()
        lead_code = np.array([names.code(e.lead_id) for e in events], dtype=np.int64)
        owner_code = np.array([names.code(o) for o in owner], dtype=np.int64)
        renamed = names.renamed(np, span, leads, lead_ids)
        offset = copy * len(names.base)
        columns: dict[str, Column] = {
            "lead_id": ("text", renamed, offset + lead_code[rows]),
            "type": ("text", _objects(np, [e.type for e in events]), copies),
        }
        at = np.array([to_us(e.at) for e in events], dtype=np.int64)[rows] - shifts[copy]
        columns["at"] = ("time", at, np.zeros(len(at), dtype=bool))
        columns["id"] = ("id", (renamed, offset + owner_code[rows]),
                         (_objects(np, number), copies))  # fmt: skip
        for name in dict.fromkeys(k for e in events for k in e.properties):
            values = [e.properties.get(name) for e in events]
            columns[name] = (_kind(values), _objects(np, values), copies)
        self.tables[kind].append(columns)

    def _truth(
        self,
        data: SampleDataset,
        span: range,
        shifts: Any,
        who: Callable[[str, int], str],
        account: Callable[[str | None, int], str | None],
    ) -> None:
        truth = data.planted
        for index, copy in enumerate(span):
            back = timedelta(microseconds=int(shifts[index]))
            self.reactivations += [
                PlantedReactivation(lead_id=who(r.lead_id, copy), kind=r.kind, at=r.at - back,
                                    silent_since=r.silent_since - back,
                                    returned_at=r.returned_at - back)
                for r in truth.reactivations
            ]  # fmt: skip
            self.account_returns += [
                PlantedAccountReturn(account_id=account(r.account_id, copy) or "", kind=r.kind,
                                     at=r.at - back, silent_since=r.silent_since - back,
                                     returned_at=r.returned_at - back)
                for r in truth.account_returns
            ]  # fmt: skip
            self.identifications += [
                PlantedIdentification(alias=who(i.alias, copy), lead_id=who(i.lead_id, copy),
                                      at=i.at - back)
                for i in truth.identifications
            ]  # fmt: skip
            self.complete += [account(a, copy) or "" for a in truth.complete_accounts]
            self.links += [
                Identity(alias=who(link.alias, copy), lead_id=who(link.lead_id, copy),
                         at=link.at - back)
                for link in data.identities.links
            ]  # fmt: skip

    # -- tables -------------------------------------------------------------------------

    def _frame(self, pieces: list[dict[str, Column]], kind: str) -> Any:
        """One table of the pieces' columns (a column a piece lacks is null there)."""
        np = self.np
        if not pieces:  # no rows: the fixed columns all the same
            none, empty = _objects(np, [None]), np.zeros(0, dtype=np.int64)
            fixed = ("lead_id", "status", "account_id") if kind == "leads" else (
                "lead_id", "type", "id")  # fmt: skip
            time = "status_changed_at" if kind == "leads" else "at"
            piece: dict[str, Column] = dict.fromkeys(fixed, ("text", none, empty))
            piece[time] = ("time", empty, np.zeros(0, dtype=bool))
            order = [*fixed[:2], time, fixed[2]]
            pieces = [{name: piece[name] for name in order}]
        names = list(dict.fromkeys(name for piece in pieces for name in piece))
        sizes = [len(piece["lead_id"][2]) for piece in pieces]
        table: dict[str, Column] = {}
        for name in names:
            kinds = {piece[name][0] for piece in pieces if name in piece}
            kind = kinds.pop() if len(kinds) == 1 else "object"
            if kind == "time":
                times = [piece.get(name) or ("time", np.zeros(size, np.int64), np.ones(size, bool))
                         for piece, size in zip(pieces, sizes, strict=True)]  # fmt: skip
                table[name] = ("time", np.concatenate([t[1] for t in times]),
                               np.concatenate([t[2] for t in times]))  # fmt: skip
            elif kind == "id":
                owners = [piece[name][1] for piece in pieces]
                numbers = [piece[name][2] for piece in pieces]
                table[name] = ("id", _joined(np, owners), _joined(np, numbers))
            else:
                coded = [(piece[name][1], piece[name][2]) if name in piece
                         else (_objects(np, [None]), np.zeros(size, dtype=np.int64))
                         for piece, size in zip(pieces, sizes, strict=True)]  # fmt: skip
                table[name] = (kind, *_joined(np, coded))
        if self.backend == "polars":
            return _polars(np, table)
        return _pandas(np, table)


Column = tuple[Any, ...]
"""``(kind, values, codes)``: the column is ``values[codes]``, or ``values`` repeated
``codes`` times when ``codes`` is an int (the rows of a copy are the base's, in order);
``("time", us, null)``; ``("id", (values, codes), (values, codes))``: the two coded
parts joined as text."""


def _codes(np: Any, values: Any, codes: Any) -> Any:
    """``codes`` as an array (an int: ``values`` repeated that many times)."""
    if isinstance(codes, int):
        return np.tile(np.arange(len(values)), codes)
    return codes


def _joined(np: Any, coded: Sequence[tuple[Any, Any]]) -> tuple[Any, Any]:
    """Coded columns one after the other, as one ``(values, codes)``."""
    if len(coded) == 1:
        return coded[0]
    coded = [(values, _codes(np, values, codes)) for values, codes in coded]
    starts = np.cumsum([0] + [len(values) for values, _ in coded[:-1]])
    values = np.concatenate([values for values, _ in coded])
    codes = np.concatenate([codes + start for (_, codes), start in zip(coded, starts, strict=True)])
    return values, codes


def _split_id(event_id: str | None) -> tuple[str, str]:
    """``("L0007", "-E003")`` for ``"L0007-E003"`` (the generator numbers every event)."""
    if event_id is None:  # pragma: no cover - the generator gives every event an id
        raise RuntimeError("sample generator bug: an event without an id")
    owner, _, number = event_id.rpartition("-E")
    return owner, "-E" + number


def _objects(np: Any, values: Sequence[object]) -> Any:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _shifted(np: Any, times: Sequence[datetime | None], rows: Any, shifts: Any) -> Any:
    """Microseconds of ``times`` (copied by ``rows``) moved back by ``shifts``, with the
    null mask of the absent ones."""
    us = np.array([0 if t is None else to_us(t) for t in times], dtype=np.int64)[rows]
    null = np.array([t is None for t in times], dtype=bool)[rows]
    return np.where(null, 0, us - shifts), null


def _kind(values: Sequence[object]) -> Kind:
    present = [v for v in values if v is not None]
    if all(isinstance(v, bool) for v in present):
        return "bool" if present else "text"
    if all(isinstance(v, str) for v in present):
        return "text"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float"
    return "object"


def _pandas(np: Any, table: dict[str, Column]) -> Any:
    import pandas as pd

    def text(values: Any, codes: Any, kind: str = "text") -> Any:
        base = pd.Series(values, dtype=object if kind == "object" else None)
        if isinstance(base.array, pd.arrays.ArrowStringArray):  # pandas' default with pyarrow
            import pyarrow as pa

            arrow = pa.array(base.array)
            if isinstance(codes, int):  # whole copies: the buffers one after the other
                return pd.Series(pa.concat_arrays([arrow] * codes), dtype=base.dtype)
            return pd.Series(arrow.take(pa.array(codes)), dtype=base.dtype)
        return pd.Series(base.to_numpy()[_codes(np, values, codes)], dtype=base.dtype)

    columns: dict[str, Any] = {}
    for name, (kind, first, second) in table.items():
        if kind == "time":
            stamps = first.astype("datetime64[us]")
            stamps[second] = np.datetime64("NaT")
            columns[name] = pd.Series(stamps).dt.tz_localize("UTC")
        elif kind == "id":
            columns[name] = text(*first) + text(*second)
        elif kind in ("int", "float"):
            numbers = np.array([np.nan if v is None else v for v in first], dtype=np.float64)
            picked = numbers[_codes(np, first, second)]
            nulls = np.isnan(picked)
            columns[name] = picked.astype(np.int64) if kind == "int" and not nulls.any() else picked
        else:
            columns[name] = text(first, second, kind)
    return pd.DataFrame(columns)


def _polars(np: Any, table: dict[str, Column]) -> Any:
    import polars as pl

    def coded(name: str, values: Any, codes: Any, dtype: Any = pl.String) -> Any:
        base = pl.Series(name, values.tolist(), dtype=dtype, strict=False)
        return base.gather(_codes(np, values, codes))

    columns: list[Any] = []
    for name, (kind, first, second) in table.items():
        if kind == "time":
            series = pl.Series(name, first, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
            if second.any():
                series = pl.select(
                    pl.when(pl.Series(second)).then(None).otherwise(series).alias(name)
                ).to_series()
            columns.append(series)
        elif kind == "id":
            columns.append((coded(name, *first) + coded(name, *second)).alias(name))
        else:
            dtype = {"text": pl.String, "int": pl.Int64, "float": pl.Float64,
                     "bool": pl.Boolean}.get(kind, pl.Object)  # fmt: skip
            columns.append(coded(name, first, second, dtype))
    return pl.DataFrame(columns)
