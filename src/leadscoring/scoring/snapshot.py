"""A :class:`~leadscoring.Scorer`'s state as plain data, and back.

The snapshot is JSON-able::

    {"format": "leadscoring.scoring.scorer", "version": 4,
     "model": {"name": ..., "version": ..., "fingerprint": ...},
     "kinds": [[type, [[property, kind, repr], ...]], ...],
     "links": [[alias, lead_id, at], ...],
     "leads": {lead_id: {"lead": Lead.to_dict() or null, "latest": int or null,
                         "ids": {event_id: digest}, "foreign": [event_id, ...],
                         "rules": {rule_name: state},
                         "activity": {"times", "kinds", "intent", "ids"} or null,
                         "journey": {stage: state} or null,
                         "interest": [views, purchases, participations, seen, last,
                                      amounts] or null,
                         "labels": [...] or null}},
     "checksum": hex digest}

``links`` are the scorer's identities (:meth:`Scorer.link <leadscoring.Scorer.link>`):
each alias, the lead it was linked to and when (a snapshot of some leads carries the links
whose lead, at the end of the chain, is among them). ``foreign`` (only when there are
any) lists the ids of a lead's events that came from an alias, already qualified by it
(``cookie-7/e1``). Version 2 (before identities: no ``links``, no ``foreign``) still loads.

``checksum`` (version 4) is the BLAKE2b digest (16 bytes, in hex) of the canonical JSON of
the rest of the snapshot (:func:`checksum`: sorted keys, no spaces, ``ensure_ascii=False``,
no NaN): a snapshot changed after it was made is refused at ``$.checksum`` before anything
else is read, as is a version-4 snapshot without one. Versions 2 and 3 have none and are
read as before (their values range-checked like every snapshot's). The checksum guards
against accidents (a value edited by hand, a truncated or merged file), not an attacker,
who can recompute it: that is what the checks of every value below are for. The rows of
the SQLite store (:mod:`.store`) carry none; the store's file is read with the same checks.

Times are integer microseconds since the Unix epoch (UTC); long lists of them (and of
indexes into ``kinds``, the event types and properties the activity log orders ties by)
are packed as text (:mod:`.packing`). Floats are written exactly by ``json`` (``repr``
round-trips), so a restored scorer continues bit for bit. The model fingerprint covers
what shapes the state (rules, default decay, dormancy policy, journey classifier): a model
changed without a new version is refused too.

Everything read is checked: a missing key, a wrong type, a NaN, a negative or
out-of-range number, a count that disagrees with its list raise
:class:`~leadscoring.SnapshotError` naming the JSON path (``$.leads['L1'].rules['visit']:
...``); nothing gets in that could give a wrong score or an ``OverflowError`` later.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

import attrs

from ..core.errors import InvalidInputError, LeadScoringError, SnapshotError
from ..core.identity import Identity, IdentityMap
from ..core.lead import Lead
from ..core.times import from_us, to_us
from ..model.scoring_model import ScoringModel
from ..signals.activity import ActivityState
from ..signals.journey import EVIDENCE_STAGES, JourneyStage
from ..stages.classifiers import FitGrade, Temperature
from .activity_log import ActivityLog, Key
from .compiled import CompiledModel
from .scorer_state import LeadState, Plan
from .signal_state import Journey, Tally
from .snapshot_checks import check_float, check_int, check_time, checksum

__all__ = [
    "FORMAT",
    "VERSION",
    "VERSIONS",
    "Loaded",
    "Parts",
    "checksum",
    "dump",
    "header",
    "link_rows",
    "load",
    "model_fingerprint",
]

FORMAT = "leadscoring.scoring.scorer"
VERSION = 4
VERSIONS = (2, 3, 4)
"""The versions :func:`load` reads: 4 (with a checksum), 3 (identities, no checksum) and 2
(the same without links)."""
_ENTRY_KEYS = frozenset(
    {"lead", "latest", "ids", "foreign", "rules", "activity", "journey", "interest", "labels"}
)
T = TypeVar("T")


def model_fingerprint(model: ScoringModel) -> str:
    """A digest of what shapes a scorer's state: the rules, default decay, dormancy policy
    and journey classifier."""
    data = model.to_dict()
    shape = {key: data.get(key) for key in ("rules", "default_decay", "dormancy", "journey")}
    text = json.dumps(shape, sort_keys=True, default=repr).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


_CHANGED = "the snapshot was changed after it was made (checksum mismatch); take a new snapshot"


def check_checksum(snapshot: Mapping[str, Any]) -> None:
    """Refuse a snapshot whose ``checksum`` is not that of its content, or a version-4
    snapshot without one (older versions have none)."""
    if "checksum" not in snapshot:
        if snapshot.get("version") == VERSION:
            raise _fail("$.checksum", f"missing: {_CHANGED}")
        return
    given = snapshot["checksum"]
    if not isinstance(given, str) or checksum(snapshot) != given:
        raise _fail("$.checksum", _CHANGED)


def header(model: ScoringModel) -> dict[str, Any]:
    """The part of a snapshot that names its format and model."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "model": {
            "name": model.name,
            "version": model.version,
            "fingerprint": model_fingerprint(model),
        },
    }


@attrs.frozen
class Parts:
    """What :func:`dump` reads of a scorer (its tables, not copied) and which leads."""

    compiled: CompiledModel
    plans: Sequence[Plan | None]
    records: Mapping[str, Lead]
    leads: Mapping[str, LeadState]
    labels: Mapping[str, list[Any]]
    order: Sequence[str]


def _entry(parts: Parts, journey: Journey, lead_id: str, kinds: dict[Key, int]) -> dict[str, Any]:
    record, state = parts.records.get(lead_id), parts.leads.get(lead_id)
    entry: dict[str, Any] = {"lead": None if record is None else record.to_dict()}
    labels = parts.labels.get(lead_id)
    if labels is not None:
        entry["labels"] = list(labels)
    if state is None:
        return entry
    entry["latest"] = state.latest
    entry["ids"] = dict(state.ids or {})
    if state.foreign:
        entry["foreign"] = sorted(state.foreign)
    entry["rules"] = {
        cr.name: plan.to_data(state.rules[cr.index])
        for cr, plan in zip(parts.compiled.rules, parts.plans, strict=True)
        if plan is not None and state.rules[cr.index] is not None
    }
    entry["activity"] = None if state.activity is None else state.activity.to_data(kinds)
    entry["journey"] = (
        None
        if state.journey is None
        else {
            stage.value: journey.plan.to_data(value)
            for stage, value in zip(EVIDENCE_STAGES, state.journey, strict=True)
            if value is not None
        }
    )
    entry["interest"] = None if state.interest is None else state.interest.to_data()
    return entry


def link_rows(links: Iterable[Identity]) -> list[list[Any]]:
    """Links as the snapshot writes them: ``[alias, lead_id, at]`` (microseconds), in
    time order."""
    ordered = sorted(links, key=lambda i: (i.at, i.alias))
    return [[i.alias, i.lead_id, to_us(i.at)] for i in ordered]


def dump(
    model: ScoringModel,
    parts: Parts,
    kinds: dict[Key, int] | None = None,
    links: Iterable[Identity] | None = None,
    *,
    with_checksum: bool = True,
) -> dict[str, Any]:
    """The snapshot of ``parts.order``'s leads and of ``links``. ``kinds`` is the
    numbering of the activity logs' event kinds to extend (a fresh one when not given);
    without ``links`` the snapshot has no ``links`` key (a store write that changes none).
    ``with_checksum=False`` leaves out the ``checksum`` (the store's rows have none)."""
    numbering: dict[Key, int] = {} if kinds is None else kinds
    journey = Journey(model.journey)
    leads = {i: _entry(parts, journey, i, numbering) for i in parts.order}
    table = sorted(numbering, key=numbering.__getitem__)
    out: dict[str, Any] = {
        **header(model),
        "kinds": [[kind, [list(p) for p in props]] for kind, props in table],
    }
    if links is not None:
        out["links"] = link_rows(links)
    out["leads"] = leads
    if with_checksum:
        digest = checksum(out)
        if digest is None:  # pragma: no cover - every value written is finite JSON
            raise SnapshotError("the scorer's state has no canonical JSON (a NaN?)")
        out["checksum"] = digest
    return out


# ------------------------------------------------------------------------------- load


def _fail(path: str, message: str) -> SnapshotError:
    return SnapshotError(f"{path}: {message}")


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"expected a table, got {type(value).__name__}")
    if not all(isinstance(k, str) for k in value):
        raise _fail(path, "expected text keys")
    return value


def _at(path: str, read: Callable[[], T]) -> T:
    """``read()``, with its TypeError, ValueError or LeadScoringError as a SnapshotError
    at ``path``."""
    try:
        return read()
    except SnapshotError:
        raise
    except (LeadScoringError, TypeError, ValueError, OverflowError, KeyError) as exc:
        raise _fail(path, str(exc) or type(exc).__name__) from None


def check_header(model: ScoringModel, snapshot: Mapping[str, Any]) -> None:
    """Refuse a snapshot of another format, version or model."""
    if snapshot.get("format") != FORMAT:
        raise _fail("$.format", f"not a scorer snapshot (expected {FORMAT!r})")
    version = snapshot.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        raise _fail("$.version", f"unsupported snapshot version {version!r}")
    taken = _table(snapshot.get("model"), "$.model")
    name, version = taken.get("name"), taken.get("version")
    if name != model.name or version != model.version:
        raise SnapshotError(
            f"the snapshot was taken with model {name!r} version {version!r}; this scorer's "
            f"model is {model.name!r} version {model.version!r}"
        )
    if taken.get("fingerprint") != model_fingerprint(model):
        raise SnapshotError(
            f"the snapshot's model {name!r} version {version!r} had different rules than "
            "this one; give a changed model a new version (its state cannot be reused)"
        )


@attrs.frozen
class Loaded:
    """A snapshot read back: records, lead states, change-feed labels, lead order, the
    event kinds and the identity links."""

    records: dict[str, Lead]
    leads: dict[str, LeadState]
    labels: dict[str, list[Any]]
    order: list[str]
    kinds: list[Key]
    links: list[Identity] = attrs.field(factory=list)


def _kinds(value: object, intern: dict[Key, Key]) -> list[Key]:
    if not isinstance(value, list):
        raise _fail("$.kinds", "expected a list")
    out: list[Key] = []
    for index, item in enumerate(value):
        path = f"$.kinds[{index}]"
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], list)):  # fmt: skip
            raise _fail(path, "expected [type, properties]")
        props: list[tuple[str, str, str]] = []
        for part in item[1]:
            if not (isinstance(part, list) and len(part) == 3
                    and all(isinstance(p, str) for p in part)):  # fmt: skip
                raise _fail(path, "expected properties as [name, kind, value] texts")
            props.append((part[0], part[1], part[2]))
        key: Key = (item[0], tuple(props))
        out.append(intern.setdefault(key, key))
    return out


def load(
    model: ScoringModel,
    compiled: CompiledModel,
    plans: Sequence[Plan | None],
    snapshot: object,
    intern: dict[Key, Key] | None = None,
    *,
    verify: bool = True,
) -> Loaded:
    """The records, lead states, labels and lead order of a snapshot, checked in full
    against ``model``. ``intern`` shares the event kinds with a scorer's. The checksum is
    compared first; ``verify=False`` skips it (the store's file, which has none)."""
    data = _table(snapshot, "$")
    if verify:
        check_checksum(data)
    check_header(model, data)
    kinds = _kinds(data.get("kinds"), {} if intern is None else intern)
    by_name = {cr.name: cr for cr in compiled.rules}
    journey = Journey(model.journey)
    loaded = Loaded({}, {}, {}, [], kinds)
    for lead_id, raw in _table(data.get("leads"), "$.leads").items():
        path = f"$.leads[{lead_id!r}]"
        entry = _table(raw, path)
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise _fail(path, f"unknown key {sorted(unknown)[0]!r}")
        if not lead_id:
            raise _fail(path, "a lead id must not be empty")
        if "lead" not in entry:
            raise _fail(path, "missing key 'lead'")
        if entry["lead"] is not None:
            record = _at(f"{path}.lead", partial(_lead, _table(entry["lead"], f"{path}.lead")))
            if record.id != lead_id:
                raise _fail(f"{path}.lead.id", f"is {record.id!r}, not the lead's id")
            loaded.records[lead_id] = record
        if entry.get("labels") is not None:
            loaded.labels[lead_id] = _labels(entry["labels"], f"{path}.labels")
        if "rules" in entry:
            loaded.leads[lead_id] = _lead_state(entry, path, by_name, plans, kinds, journey)
        loaded.order.append(lead_id)
    if "links" in data:
        loaded.links.extend(_links(data["links"], loaded.order))
    return loaded


def _text(value: object, path: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{what} must be a non-empty text, got {value!r:.40}")
    return value


def _links(value: object, leads: Collection[str]) -> list[Identity]:
    """The identity links: each ``[alias, lead_id, at]``; an alias once, no cycle, every
    alias's lead (at the end of its chain) a lead of the snapshot, no alias a lead."""
    if not isinstance(value, list):
        raise _fail("$.links", f"expected a list of [alias, lead_id, at], got {value!r:.40}")
    known = set(leads)
    out: list[Identity] = []
    rows: dict[str, int] = {}
    for index, item in enumerate(value):
        path = f"$.links[{index}]"
        if not isinstance(item, list) or len(item) != 3:
            raise _fail(path, f"expected [alias, lead_id, at], got {item!r:.60}")
        alias = _text(item[0], f"{path}[0]", "an alias")
        lead_id = _text(item[1], f"{path}[1]", "a lead id")
        at = _at(f"{path}[2]", partial(check_time, item[2]))
        if alias in rows:
            raise _fail(path, f"alias {alias!r} is linked twice (also $.links[{rows[alias]}])")
        if alias in known:
            raise _fail(
                path, f"alias {alias!r} is also a lead of the snapshot; an alias has no state"
            )
        out.append(_at(path, partial(Identity, alias=alias, lead_id=lead_id, at=from_us(at))))
        rows[alias] = index
    try:
        links = IdentityMap(out, source="$.links")
    except InvalidInputError as exc:
        raise _fail(f"$.links[{(exc.row or 1) - 1}]", exc.reason) from None
    for alias, lead_id in links.roots().items():
        if lead_id not in known:
            raise _fail(
                f"$.links[{rows[alias]}]",
                f"alias {alias!r} belongs to lead {lead_id!r}, which is not in $.leads",
            )
    return out


_LABELS: tuple[frozenset[str] | None, ...] = (
    frozenset(Temperature), frozenset(JourneyStage), frozenset(FitGrade), None,
    frozenset(ActivityState), None,
)  # fmt: skip


def _labels(value: object, path: str) -> list[Any]:
    """The change feed's labels: temperature, journey, grade, priority, activity, action,
    segments."""
    if not isinstance(value, list) or len(value) != 7:
        raise _fail(path, "expected a list of 7 labels")
    for index, allowed in enumerate(_LABELS):
        item = value[index]
        if index == 3:
            _at(f"{path}[3]", partial(check_int, item, 1))
        elif not isinstance(item, str) or (allowed is not None and item not in allowed):
            raise _fail(f"{path}[{index}]", f"not a label: {item!r:.40}")
    segments = value[6]
    if not isinstance(segments, list) or not all(isinstance(g, str) for g in segments):
        raise _fail(f"{path}[6]", "expected a list of segment names")
    return list(value)


def _required(entry: Mapping[str, Any], path: str, key: str) -> Any:
    if key not in entry:
        raise _fail(path, f"missing key {key!r}")
    return entry[key]


def _lead_state(
    entry: Mapping[str, Any],
    path: str,
    by_name: Mapping[str, Any],
    plans: Sequence[Plan | None],
    kinds: Sequence[Key],
    journey: Journey,
) -> LeadState:
    state = LeadState(len(plans))
    latest = _required(entry, path, "latest")
    state.latest = None if latest is None else _at(f"{path}.latest", lambda: check_time(latest))
    ids = _table(_required(entry, path, "ids"), f"{path}.ids")
    for event_id, digest in ids.items():
        if not (isinstance(digest, str) and len(digest) == 16
                and all(c in "0123456789abcdef" for c in digest)):  # fmt: skip
            raise _fail(f"{path}.ids[{event_id!r}]", "expected a 16-digit hex digest")
    state.ids = dict(ids) or None
    foreign = entry.get("foreign")
    if foreign is not None:
        if not isinstance(foreign, list) or not all(isinstance(i, str) for i in foreign):
            raise _fail(f"{path}.foreign", "expected a list of event ids")
        missing = [i for i in foreign if i not in ids]
        if missing:
            raise _fail(f"{path}.foreign", f"event id {missing[0]!r} is not in the lead's ids")
        state.foreign = set(foreign) or None
    for name, value in _table(entry["rules"], f"{path}.rules").items():
        cr = by_name.get(name)
        plan = None if cr is None else plans[cr.index]
        if cr is None or plan is None:
            raise _fail(f"{path}.rules", f"no event, repeat or rate rule {name!r} in the model")
        state.rules[cr.index] = _at(f"{path}.rules[{name!r}]", partial(plan.from_data, value))
    activity = _required(entry, path, "activity")
    if activity is not None:
        state.activity = _at(f"{path}.activity", lambda: ActivityLog.from_data(activity, kinds))
    stages = _required(entry, path, "journey")
    if stages is not None:
        state.journey = [None] * len(EVIDENCE_STAGES)
        for name, value in _table(stages, f"{path}.journey").items():
            if name not in {s.value for s in EVIDENCE_STAGES}:
                raise _fail(f"{path}.journey", f"no journey stage {name!r}")
            index = [s.value for s in EVIDENCE_STAGES].index(name)
            state.journey[index] = _at(
                f"{path}.journey[{name!r}]", partial(journey.plan.from_data, value)
            )
    interest = _required(entry, path, "interest")
    if interest is not None:
        state.interest = _at(f"{path}.interest", lambda: _tally(interest))
    _check_latest(state, path)
    return state


def _lead(data: object) -> Lead:
    return Lead(**_table(data, "lead"))


def _tally(data: object) -> Tally:
    if not isinstance(data, list) or len(data) != 6:
        raise ValueError("expected [views, purchases, participations, seen, last, amounts]")
    views, purchases, participations, seen, last, amounts = data
    tally = Tally()
    tally.views, tally.purchases = check_int(views), check_int(purchases)
    tally.participations = check_int(participations)
    if not isinstance(seen, dict) or not isinstance(last, dict) or not isinstance(amounts, list):
        raise TypeError("expected tables of views and latest times, and a list of amounts")
    for key, counts in seen.items():
        if not isinstance(counts, dict) or not all(isinstance(v, str) for v in counts):
            raise TypeError(f"seen[{key!r}]: expected a table of counts")
        tally.seen[str(key)] = {v: check_int(n, 1) for v, n in counts.items()}
        if sum(tally.seen[key].values()) > tally.views:
            raise ValueError(f"seen[{key!r}]: more views counted than page views")
    wanted = {f"{k}\0{v}" for k, counts in tally.seen.items() for v in counts}
    if set(last) != wanted:
        raise ValueError("last: the latest times do not match the values seen")
    tally.last = {str(k): check_time(v) for k, v in last.items()}
    tally.amounts = [check_float(a, -math.inf) for a in amounts]
    if len(tally.amounts) > tally.purchases:
        raise ValueError(f"{len(tally.amounts)} amounts for {tally.purchases} purchases")
    return tally


def _check_latest(state: LeadState, path: str) -> None:
    log = state.activity
    if log is not None and len(log) and (state.latest is None or log.times[-1] > state.latest):
        raise _fail(f"{path}.latest", "is before the lead's latest activity")
