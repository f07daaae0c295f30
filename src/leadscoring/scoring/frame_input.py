"""Reading the tables of the frame functions: :class:`FrameInput`, once per call.

An events table (and maybe a leads table) is checked, its rows given their lead (an
alias's re-keyed to its lead with ``identities``: :mod:`.frame_identities`), the rows that
count at ``as_of`` chosen (known lead, not after ``as_of``, one copy of each id unless the
caller vouches for them: ``ids``, ``core.checks.check_ids``) and its columns coded
(:mod:`.frame_columns`), for :func:`~leadscoring.scoring.frame.frame_scores`, the activity
detector (:mod:`.frame_activity`) and the assessment tables. Needs the
optional ``frames`` extra (:func:`_modules` says which package is missing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.checks import FrameIds, OnUnknown, check_ids, report_unknown
from ..core.errors import InvalidEventError, InvalidInputError, InvalidValueError
from ..core.event import Event, canonical, event_sort_key, plain_value
from ..core.identity import Identities, check_identities, source_id
from ..core.lead import Lead, LeadStatus
from ..core.times import from_us, to_us
from ..signals.dormancy import DormancyPolicy

if TYPE_CHECKING:
    import numpy as np

    from .frame_columns import Coded, Table

__all__ = ["FrameInput"]

_EVENT_COLUMNS = ("lead_id", "type", "at", "id")


def _modules() -> None:
    try:
        import narwhals  # noqa: F401
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"the DataFrame functions need the optional 'frames' extra ({exc.name} is missing): "
            "pip install 'leadscoring[frames]'"
        ) from exc


class FrameInput:
    """An events table (and maybe a leads table) read and checked once, for every frame
    call: the leads, each row's lead, the rows that count at ``as_of`` (known lead, not
    after ``as_of``, one copy of each id), and the columns as codes.

    ``ids`` (``core.checks.check_ids``): ``"check"`` looks for repeated (lead, id)
    pairs, ``"unique"`` takes the caller's word that there are none (every counted row is an
    event), ``"absent"`` requires the table to have no ``id`` column.

    With ``identities``, the rows of each alias linked by ``as_of`` are its lead's (their
    ids qualified by the alias) and the leads table's rows of such aliases are left out
    (:mod:`~leadscoring.scoring.frame_identities`): everything read from here on sees
    the united histories."""

    def __init__(
        self,
        events_df: Any,
        leads_df: Any,
        moment: datetime,
        on_unknown: OnUnknown,
        *,
        identities: Identities | None = None,
        ids: FrameIds = "check",
    ):
        _modules()
        self.id_mode = check_ids(ids)
        import numpy as np

        from .frame_columns import Table
        from .frame_identities import kept_leads, rekey
        from .frame_rules import Masks

        links = check_identities(identities)
        roots = links.roots(moment) if links is not None else {}
        self.moment = moment
        self.now = to_us(moment)
        events = self.events = Table(events_df, "events_df")
        events.require("lead_id", "type", "at")
        if self.id_mode == "absent" and "id" in events.columns:
            raise InvalidInputError(
                "ids='absent' says the table has no event ids, but it has an 'id' column: "
                "drop the column, or pass ids='unique' (no lead repeats an id) or "
                "ids='check' (the default: repeated ids are looked for, a repeat counts once)",
                source=events.source, column="id",
            )  # fmt: skip
        self.at, _ = events.times("at", required=True)
        self._sources = events.text("lead_id", required=True)
        lead_col, self._moved = rekey(self._sources, roots)
        self.types = events.text("type", required=True)
        self._ids: Coded | None = None
        self.leads = Table(leads_df, "leads_df") if leads_df is not None else None
        if self.leads is not None and roots:
            self.leads = kept_leads(self.leads, _given(self.leads), roots)
        self.statuses = None if self.leads is None else _statuses(self.leads)
        self.lead_ids, self.lead_of = _leads(lead_col, self.leads, self.at <= self.now, on_unknown)
        kept = (self.at <= self.now) & (self.lead_of >= 0)
        rows = np.flatnonzero(kept)
        if (
            self.id_mode == "check"
            and "id" in events.columns
            and not _ids_distinct(events, rows, self.lead_of, self._moved, self._sources)
        ):
            rows = _dedupe(events, rows, self.lead_of, self.ids_coded(), self.at, self.lead_ids)
        self.rows = rows
        self.every_row = len(rows) == events.rows
        self.masks = Masks(self.column, len(rows))
        self._ordered: np.ndarray[Any, Any] | None = None
        self._activity: dict[tuple[DormancyPolicy, bool], Any] = {}
        self._values: dict[str, np.ndarray[Any, Any]] = {}

    @property
    def ids(self) -> Coded | None:
        """The ``id`` column as codes over the table's rows (``None``: no such column),
        factorised when first asked for."""
        return self.ids_coded() if "id" in self.events.columns else None

    def id_at(self, row: int) -> str | None:
        """The id of one table row as an :class:`Event` holds it (without factorising the
        column when it was not needed yet)."""
        if "id" not in self.events.columns:
            return None
        if self._ids is not None:
            code = int(self._ids.codes[row])
            return None if code < 0 else str(self._ids.values[code])
        column = self._values.get("id")
        if column is None:
            column = self._values["id"] = self.events.values("id")
        value = plain_value(column[row])
        if _same(value, None):
            return None
        if self._moved is not None and self._moved[row]:  # an alias's: qualified
            return source_id(str(self._sources.values[self._sources.codes[row]]), str(value))
        return str(value)

    def ids_coded(self) -> Coded:
        """The ``id`` column as codes (it must exist); the ids of an alias's rows
        qualified by the alias."""
        if self._ids is None:
            ids = self.events.text("id", required=False)
            if self._moved is not None:
                from .frame_identities import qualify_ids

                ids = qualify_ids(ids, self._sources, self._moved)
            self._ids = ids
        return self._ids

    def native(self, data: dict[str, Any]) -> Any:
        """A table of the input's kind (pandas or polars) from columns."""
        from .frame_columns import native_table

        return native_table(self.events.native_namespace(), data)

    def column(self, name: str) -> Coded | None:
        """An events column as codes over the counted rows (``None``: no such column)."""
        if name == "type":
            found: Coded | None = self.types
        elif name == "id":
            found = self.ids
        elif name in _EVENT_COLUMNS or name not in self.events.columns:
            return None
        else:
            found = self.events.coded(name)
        return found if found is None or self.every_row else found.take(self.rows)

    def property_names(self) -> list[str]:
        """The columns that hold event properties."""
        return [c for c in self.events.columns if c not in _EVENT_COLUMNS]

    def event(self, row: int, lead_id: str | None = None) -> Event:
        """The :class:`Event` of one table row, as the object path would hold it."""
        properties: dict[str, Any] = {}
        for name in self.property_names():
            column = self._values.get(name)
            if column is None:
                column = self._values[name] = self.events.values(name)
            value = column[row]
            if not _same(value, None):
                properties[name] = plain_value(value)
        event_id = self.id_at(row)
        if lead_id is None:
            lead_id = str(self.lead_ids[int(self.lead_of[row])])
        try:
            return Event(
                lead_id=lead_id, type=self.types.values[self.types.codes[row]],
                at=from_us(int(self.at[row])), properties=properties, id=event_id,
            )  # fmt: skip
        except InvalidValueError as exc:
            raise InvalidInputError(exc.message, source=self.events.source, row=row + 1) from None

    def ordered(self) -> np.ndarray[Any, Any]:
        """The counted rows (positions in the table) by lead, then in the order the object
        path processes a lead's events (time, then type, id and properties for ties)."""
        if self._ordered is None:
            import numpy as np

            rows = self.rows
            lead, at = self.lead_of[rows], self.at[rows]
            order = np.lexsort((at, lead))
            rows, lead, at = rows[order], lead[order], at[order]
            tie = np.zeros(len(rows), dtype=bool)
            tie[1:] = (lead[1:] == lead[:-1]) & (at[1:] == at[:-1])
            if tie.any():
                rows = self._break_ties(rows, tie)
            self._ordered = rows
        return self._ordered

    def _break_ties(self, rows: np.ndarray[Any, Any], tie: np.ndarray[Any, Any]) -> Any:
        """Rows at the same moment of the same lead put in :func:`event_sort_key` order
        (``tie[i]``: row ``i`` is at the moment of row ``i - 1``); only those rows are read."""
        import numpy as np

        out = rows.copy()
        begins = np.flatnonzero(~tie[:-1] & tie[1:])  # the first row of each run of ties
        runs = []
        for begin in begins.tolist():
            stop = begin + 1
            while stop < len(tie) and tie[stop]:
                stop += 1
            runs.append((begin, stop))
        involved = sorted({int(r) for begin, stop in runs for r in rows[begin:stop]})
        keys = {row: event_sort_key(event) for row, event in self.events_at(involved).items()}
        for begin, stop in runs:
            block = rows[begin:stop].tolist()
            block.sort(key=keys.__getitem__)
            out[begin:stop] = block
        return out

    def events_at(self, rows: Sequence[int]) -> dict[int, Event]:
        """The :class:`Event` of each of some table rows (reading only those rows), with
        lead id ``"-"``: what orders events, not whose they are."""
        import narwhals.stable.v1 as nw

        if not rows:
            return {}
        names = self.property_names()
        columns: dict[str, list[Any]] = {}
        if names:
            picked = self.events.frame[list(rows)]
            for name in names:
                series = picked[name]
                if isinstance(series.dtype, nw.Datetime | nw.Duration | nw.Date):
                    columns[name] = self.events.values(name)[list(rows)].tolist()
                else:
                    columns[name] = series.to_list()
        out = {}
        for index, row in enumerate(rows):
            properties: dict[str, Any] = {}
            for name in names:
                value = columns[name][index]
                if not _same(value, None):
                    properties[name] = plain_value(value)
            try:
                out[row] = Event(
                    lead_id="-", type=self.types.values[self.types.codes[row]],
                    at=from_us(int(self.at[row])), properties=properties, id=self.id_at(row),
                )  # fmt: skip
            except InvalidValueError as exc:
                raise InvalidInputError(
                    exc.message, source=self.events.source, row=row + 1
                ) from None
        return out

    def records(self) -> list[Lead]:
        """A :class:`Lead` per output row: id, status and status change (attributes apart)."""
        return _records(self.leads, self.statuses, self.lead_ids)

    def status_arrays(self) -> tuple[list[str], Any, Any, Any]:
        """Status values by code, each lead's status code, its status change (µs) and
        whether that is unknown (per output row)."""
        import numpy as np

        count = len(self.lead_ids)
        if self.leads is None or self.statuses is None:
            none = np.zeros(count, dtype=np.int64)
            return [LeadStatus.OPEN.value], none, none, np.ones(count, dtype=bool)
        changed = np.zeros(count, dtype=np.int64)
        unknown = np.ones(count, dtype=bool)
        if "status_changed_at" in self.leads.columns:
            changed, unknown = self.leads.times("status_changed_at", required=False)
        return list(self.statuses.values), self.statuses.codes, changed, unknown

    def activity(self, policy: DormancyPolicy, *, states: bool = True) -> Any:
        """The activity detector's findings under ``policy`` (kept per policy);
        ``states=False``: the reactivations are enough (the leads' states may be left out)."""
        found = self._activity.get((policy, True))
        if found is None and not states:
            found = self._activity.get((policy, False))
        if found is None:
            from .frame_activity import detect_frame

            found = self._activity[(policy, states)] = detect_frame(self, policy, states=states)
        return found


def _given(leads: Table) -> Coded:
    """The leads table's ``lead_id`` column, checked: present, text, each id once."""
    import numpy as np

    leads.require("lead_id")
    given = leads.text("lead_id", required=True)
    if len(given.values) != leads.rows:
        counts = np.bincount(given.codes, minlength=len(given.values))
        twice = given.values[int(np.argmax(counts))]
        raise InvalidInputError(
            f"lead id {twice!r} is given twice", source=leads.source, column="lead_id"
        )
    return given


def _leads(
    lead_col: Coded, leads: Table | None, counted: np.ndarray[Any, Any], on_unknown: OnUnknown
) -> tuple[list[object], np.ndarray[Any, Any]]:
    """The output's lead ids, and each event row's lead index (-1: unknown, skipped).
    Unknown leads are reported for the ``counted`` rows (those not after ``as_of``), as
    :func:`~leadscoring.score_all` reports them."""
    import numpy as np

    if leads is None:
        return list(lead_col.values), lead_col.codes
    given = _given(leads)
    import pandas as pd

    known = pd.Index(given.values).get_indexer(lead_col.values)  # ids unique: index = row
    lead_of = np.append(known, -1).astype(np.int64)[lead_col.codes]
    unknown = (lead_of < 0) & counted
    if unknown.any():
        names = sorted({str(lead_col.values[c]) for c in np.unique(lead_col.codes[unknown])})
        report_unknown(names, int(unknown.sum()), on_unknown)
    return list(given.values), lead_of


def _ids_distinct(
    events: Table,
    rows: np.ndarray[Any, Any],
    lead_of: np.ndarray[Any, Any],
    moved: np.ndarray[Any, Any] | None = None,
    sources: Coded | None = None,
) -> bool:
    """Whether no event id is given twice for a lead among ``rows``, known without
    factorising the ids: 64-bit hashes of (lead, id) that are all different prove it.
    ``False`` means "maybe" (a repeat, a hash collision, or ids that are not plain text,
    which :meth:`Table.text` then checks and reports). The ids of ``moved`` rows (an
    alias's) are hashed qualified by their source (``sources``: the original lead ids)."""
    import numpy as np
    import pandas as pd

    from .frame_identities import qualified_at

    series = events.frame["id"]
    if events.is_polars:
        import narwhals.stable.v1 as nw

        if series.dtype != nw.String:
            return False
        native = nw.to_native(series)
        if native.str.contains(r"^[\s\x1c-\x1f]*$").any():  # blank as str.strip() sees it
            return False
        hashes = np.asarray(native.hash(seed=0).to_numpy(), dtype=np.uint64)
        present = ~np.asarray(native.is_null().to_numpy(), dtype=bool)
        if moved is not None and sources is not None:
            import polars as pl

            hashes = hashes.copy()  # polars' buffer is read-only

            shift = np.flatnonzero(moved & present)
            texts = qualified_at(sources, shift, native.gather(shift).to_numpy())
            hashes[shift] = pl.Series(texts, dtype=pl.String).hash(seed=0).to_numpy()
    else:
        values = events.values("id").astype(object, copy=False)
        present = ~np.asarray(pd.isna(values), dtype=bool)
        texts = values[present]
        if pd.api.types.infer_dtype(texts, skipna=False) != "string" or not all(
            map(str.strip, texts)
        ):
            return False  # integers, blanks or other values: the full reading says which
        hashes = np.zeros(len(values), dtype=np.uint64)
        hashes[present] = pd.util.hash_array(texts, categorize=False)
        if moved is not None and sources is not None:
            shift = np.flatnonzero(moved & present)
            texts = qualified_at(sources, shift, values[shift])
            hashes[shift] = pd.util.hash_array(texts, categorize=False)
    chosen = rows[present[rows]]
    mixed = hashes[chosen] ^ (lead_of[chosen].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    mixed.sort()
    return not bool((mixed[1:] == mixed[:-1]).any())


def _same(a: object, b: object) -> bool:
    import pandas as pd

    a_missing, b_missing = bool(pd.isna(a)), bool(pd.isna(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return canonical(plain_value(a)) == canonical(plain_value(b))


def _dedupe(
    events: Table,
    rows: np.ndarray[Any, Any],
    lead_of: np.ndarray[Any, Any],
    ids: Coded,
    at: np.ndarray[Any, Any],
    lead_ids: Sequence[object],
) -> np.ndarray[Any, Any]:
    """``rows`` without later copies of an event id within a lead; different events
    sharing an id raise :class:`~leadscoring.InvalidEventError` (naming the lead by its
    id in the output, ``lead_ids``)."""
    import numpy as np

    if len(ids.values) == int((ids.codes >= 0).sum()):  # no id appears twice in the table
        return rows
    with_id = rows[ids.codes[rows] >= 0]
    keys = lead_of[with_id] * (len(ids.values) + 1) + ids.codes[with_id]
    order = np.argsort(keys, kind="stable")
    keys, with_id = keys[order], with_id[order]
    copy = np.zeros(len(keys), dtype=bool)
    copy[1:] = keys[1:] == keys[:-1]
    if not copy.any():
        return rows
    first = np.maximum.accumulate(np.where(~copy, np.arange(len(keys)), 0))
    pairs = list(zip(with_id[first[copy]].tolist(), with_id[copy].tolist(), strict=True))
    for name in events.columns:
        if name in ("lead_id", "id"):
            continue
        values = at if name == "at" else events.values(name)
        for a, b in pairs:
            if not _same(values[a], values[b]):
                lead = lead_ids[int(lead_of[a])]
                raise InvalidEventError(
                    "Event.id",
                    f"two different events of lead {lead!r} share id {ids.values[ids.codes[a]]!r} "
                    f"(events_df rows {a + 1} and {b + 1} differ in {name!r})",
                )
    return np.setdiff1d(rows, with_id[copy])


def _records(leads: Table | None, statuses: Coded | None, lead_ids: Sequence[object]) -> list[Lead]:
    """A :class:`Lead` per output row: id, status and status change (attributes apart)."""
    if leads is None or statuses is None:
        return [Lead(id=str(lead_id)) for lead_id in lead_ids]
    changed: list[int | None] = [None] * leads.rows
    if "status_changed_at" in leads.columns:
        stamps, nulls = leads.times("status_changed_at", required=False)
        changed = [None if n else s for s, n in zip(stamps.tolist(), nulls.tolist(), strict=True)]
    return [
        Lead(
            id=str(lead_id),
            status=statuses.values[code],
            status_changed_at=None if when is None else from_us(when),
        )
        for lead_id, code, when in zip(lead_ids, statuses.codes.tolist(), changed, strict=True)
    ]


def _statuses(leads: Table) -> Coded:
    """Each lead's status as a condition sees it (``"open"`` when absent); unknown raise."""
    import numpy as np

    from .frame_columns import Coded

    if "status" not in leads.columns:
        return Coded(np.zeros(leads.rows, dtype=np.int64), [LeadStatus.OPEN.value])
    coded = leads.coded("status")
    values: list[str] = []
    for value in coded.values:
        try:
            values.append(LeadStatus(str(value).lower()).value)
        except ValueError:
            allowed = ", ".join(s.value for s in LeadStatus)
            raise InvalidInputError(
                f"unknown status {value!r}; one of {allowed}", source=leads.source, column="status"
            ) from None
    values.append(LeadStatus.OPEN.value)
    return Coded(np.where(coded.codes < 0, len(values) - 1, coded.codes), values)
