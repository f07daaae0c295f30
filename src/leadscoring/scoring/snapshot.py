"""A :class:`~leadscoring.Scorer`'s state as plain data, and back.

The snapshot is JSON-able::

    {"format": "leadscoring.scoring.scorer", "version": 1,
     "model": {"name": ..., "version": ..., "fingerprint": ...},
     "leads": {lead_id: {"lead": Lead.to_dict() or null, "latest": int or null,
                         "ids": {event_id: digest}, "rules": {rule_name: state},
                         "history": [Event.to_dict(), ...]}}}

Times are integer microseconds since the Unix epoch (UTC), floats are written exactly by
``json`` (``repr`` round-trips), so a restored scorer continues bit for bit. The model
fingerprint covers what shapes the state (rules, default decay, dormancy policy): a model
changed without a new version is refused too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.errors import LeadScoringError, SnapshotError
from ..core.event import Event, event_sort_key
from ..core.lead import Lead
from ..model.scoring_model import ScoringModel
from .compiled import CompiledModel
from .scorer_state import LeadState, Plan

__all__ = ["FORMAT", "VERSION", "dump", "load", "model_fingerprint"]

FORMAT = "leadscoring.scoring.scorer"
VERSION = 1


def model_fingerprint(model: ScoringModel) -> str:
    """A digest of what shapes a scorer's state: the rules, default decay and dormancy."""
    data = model.to_dict()
    shape = {key: data.get(key) for key in ("rules", "default_decay", "dormancy")}
    text = json.dumps(shape, sort_keys=True, default=repr).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def dump(
    model: ScoringModel,
    compiled: CompiledModel,
    plans: Sequence[Plan | None],
    records: Mapping[str, Lead],
    leads: Mapping[str, LeadState],
    order: Sequence[str],
) -> dict[str, Any]:
    """The snapshot of a scorer's parts."""
    out: dict[str, Any] = {}
    for lead_id in order:
        record, state = records.get(lead_id), leads.get(lead_id)
        entry: dict[str, Any] = {"lead": None if record is None else record.to_dict()}
        if state is not None:
            entry["latest"] = state.latest
            entry["ids"] = dict(state.ids or {})
            entry["rules"] = {
                cr.name: plan.to_data(state.rules[cr.index])
                for cr, plan in zip(compiled.rules, plans, strict=True)
                if plan is not None and state.rules[cr.index] is not None
            }
            if state.history is not None:
                entry["history"] = [event.to_dict() for event in state.history]
        out[lead_id] = entry
    return {
        "format": FORMAT,
        "version": VERSION,
        "model": {
            "name": model.name,
            "version": model.version,
            "fingerprint": model_fingerprint(model),
        },
        "leads": out,
    }


def _fail(path: str, message: str) -> SnapshotError:
    return SnapshotError(f"{path}: {message}")


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"expected a table, got {type(value).__name__}")
    return value


def _check_model(model: ScoringModel, snapshot: Mapping[str, Any]) -> None:
    if snapshot.get("format") != FORMAT:
        raise _fail("$.format", f"not a scorer snapshot (expected {FORMAT!r})")
    if snapshot.get("version") != VERSION:
        raise _fail("$.version", f"unsupported snapshot version {snapshot.get('version')!r}")
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


def load(
    model: ScoringModel,
    compiled: CompiledModel,
    plans: Sequence[Plan | None],
    snapshot: object,
) -> tuple[dict[str, Lead], dict[str, LeadState], list[str]]:
    """The records, lead states and lead order of a snapshot, checked against ``model``."""
    data = _table(snapshot, "$")
    _check_model(model, data)
    by_name = {cr.name: cr for cr in compiled.rules}
    history = bool(compiled.reactivation_rules)
    records: dict[str, Lead] = {}
    leads: dict[str, LeadState] = {}
    for lead_id, raw in _table(data.get("leads"), "$.leads").items():
        path = f"$.leads[{lead_id!r}]"
        entry = _table(raw, path)
        try:
            if entry.get("lead") is not None:
                record = Lead(**_table(entry["lead"], f"{path}.lead"))
                if record.id != lead_id:
                    raise _fail(f"{path}.lead.id", f"is {record.id!r}")
                records[lead_id] = record
            if "rules" in entry:
                leads[lead_id] = _lead_state(entry, path, by_name, plans, history)
        except SnapshotError:
            raise
        except (LeadScoringError, KeyError, TypeError, ValueError) as exc:
            raise _fail(path, f"malformed lead state ({type(exc).__name__}: {exc})") from None
    return records, leads, [str(lead_id) for lead_id in data["leads"]]


def _lead_state(
    entry: Mapping[str, Any],
    path: str,
    by_name: Mapping[str, Any],
    plans: Sequence[Plan | None],
    history: bool,
) -> LeadState:
    state = LeadState(len(plans), history)
    latest = entry.get("latest")
    if latest is not None and (isinstance(latest, bool) or not isinstance(latest, int)):
        raise _fail(f"{path}.latest", f"expected microseconds, got {latest!r}")
    state.latest = latest
    ids = _table(entry.get("ids", {}), f"{path}.ids")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in ids.items()):
        raise _fail(f"{path}.ids", "expected event ids mapped to digests")
    state.ids = dict(ids) or None
    for name, value in _table(entry["rules"], f"{path}.rules").items():
        cr = by_name.get(name)
        plan = None if cr is None else plans[cr.index]
        if cr is None or plan is None:
            raise _fail(f"{path}.rules", f"no event or repeat rule {name!r} in the model")
        if not isinstance(value, list):
            raise _fail(f"{path}.rules[{name!r}]", "expected a list")
        state.rules[cr.index] = plan.from_data(value)
    if state.history is not None:
        events = [Event(**_table(e, f"{path}.history")) for e in entry.get("history", [])]
        state.history = sorted(events, key=event_sort_key)
    return state
