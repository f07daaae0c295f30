"""The columnar engine on Dask DataFrames: ``score_dask``, ``assess_dask``, ``activity_dask``
and ``assess_accounts_dask``.

Each shuffles the events (and the leads table, the same way) by the lead's bucket,
:func:`~leadscoring.core.partition.partition_of` of its id, so every lead's rows land in
one partition, then calls the columnar engine once per partition with
``map_partitions``. With ``identities=``, each alias's rows are re-keyed to its lead (and
their ids qualified) partition by partition before the shuffle, so they land with the
lead's. The output ``meta`` is derived from the model alone; the model travels to the
workers as its JSON text and is compiled once per worker process, the identities as one
plain ``dict`` alias → lead (a single key of the graph, not a copy per task).

``assess_accounts_dask`` buckets by account instead: the (resolved) events and the leads'
``lead_id`` and ``account_id`` are shuffled by lead, each event row is given its lead's
account there (:func:`_routed`), then the events and the leads table are shuffled by the
account's bucket, and :func:`~leadscoring.assess_accounts_frame` runs once per bucket.
Needs the ``dask`` extra: ``pip install 'leadscoring[dask]'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..assessment.segments import Segment, check_segments
from ..core.checks import OnUnknown, check_choice, check_moment, expect
from ..core.errors import InvalidValueError
from ..core.identity import Identities
from ..model.scoring_model import ScoringModel, check_model
from ..signals.dormancy import DormancyPolicy
from ..signals.interest import InterestPolicy
from ..signals.journey import JourneyClassifier
from ..stages.accounts import AccountPolicy
from ..stages.classifiers import GradeScale, PriorityGrid, TemperatureClassifier
from ..stages.playbook import Playbook
from ._partitions import (
    BUCKET,
    Kind,
    buckets,
    check_bands,
    check_partitions,
    check_previous,
    check_roots,
    lead_accounts,
    model_text,
    output_columns,
    pandas_meta,
    policy_text,
    resolve_events,
    resolved,
    run_bucket,
)

__all__ = ["activity_dask", "assess_accounts_dask", "assess_dask", "score_dask"]


def _dask() -> Any:
    """``dask.dataframe``, or an ImportError naming the extra."""
    try:
        import dask.dataframe
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"leadscoring.dask needs the optional 'dask' extra ({exc.name} is missing): "
            "pip install 'leadscoring[dask]'"
        ) from exc
    return dask.dataframe


def _check_frame(value: object, field: str, dd: Any) -> Any:
    """A Dask DataFrame with a ``lead_id`` column, or an error naming ``field``."""
    if not isinstance(value, dd.DataFrame):
        raise InvalidValueError(
            field,
            f"expected a Dask DataFrame, got {type(value).__name__}; convert a pandas table "
            "with dask.dataframe.from_pandas(table, npartitions=...)",
        )
    if "lead_id" not in value.columns:
        raise InvalidValueError(field, "has no 'lead_id' column; name the lead id column lead_id")
    return value


def _bucket_of(part: Any, n: int) -> Any:
    """``part`` with the bucket column: ``partition_of(lead_id, n)``."""
    return part.assign(**{BUCKET: buckets(part["lead_id"], n)})


def _shuffle(frame: Any, n: int) -> Any:
    """``frame`` in ``n`` partitions, each holding every row of its buckets."""
    import numpy as np

    meta = frame._meta.assign(**{BUCKET: np.int64(0)})
    with_bucket = frame.map_partitions(_bucket_of, n, meta=meta)
    return with_bucket.shuffle(on=BUCKET, npartitions=n)


def _resolved(events: Any, roots: Any) -> Any:
    """``events`` with each alias's rows its lead's (:func:`resolve_events`, partition
    by partition): ``lead_id`` and ``id`` become object columns of text."""
    text = {name: events._meta[name].astype(object) for name in ("lead_id", "id")
            if name in events.columns}  # fmt: skip
    return events.map_partitions(
        resolve_events, roots, "events_ddf", meta=events._meta.assign(**text)
    )


def _bucket_call(
    events: Any,
    *rest: Any,
    kind: Kind,
    text: str | None,
    as_of: datetime,
    options: Mapping[str, Any],
    columns: list[tuple[str, str]],
    roots: Any = None,
) -> Any:
    """The columnar engine on one partition (and its leads partition, if any)."""
    leads = rest[0] if rest else None
    return run_bucket(kind, text, events, leads, as_of, options, columns, roots)


def _run(
    kind: Kind,
    events_ddf: Any,
    model: ScoringModel | None,
    as_of: datetime,
    leads_ddf: Any,
    partitions: int | None,
    options: dict[str, Any],
    identities: Identities | None,
) -> Any:
    """Resolve the identities, shuffle, then one engine call per partition; ``meta`` from
    the model alone."""
    dd = _dask()
    moment = check_moment(as_of)
    events = _check_frame(events_ddf, "events_ddf", dd)
    leads = None if leads_ddf is None else _check_frame(leads_ddf, "leads_ddf", dd)
    check_choice(options["on_unknown"], ("raise", "warn", "ignore"), "on_unknown")
    n = check_partitions(partitions)
    if n is None:
        n = max(events.npartitions, 1 if leads is None else leads.npartitions)
    checked = None if model is None else check_model(model)
    text = None if checked is None else model_text(checked)
    columns = output_columns(kind, text, moment, options)
    if kind == "assess" and checked is not None:
        given = options["temperature"]
        field = "model.temperature" if given is None else "temperature"
        check_bands(checked.temperature if given is None else given, field, "lead")
    found = check_roots(identities, moment)
    roots = None
    if found:
        from dask.delayed import delayed

        roots = delayed(found, pure=True)  # one key of the graph, not a copy per task
        events = _resolved(events, roots)
    frames = [_shuffle(events, n)]
    if leads is not None:
        frames.append(_shuffle(leads, n))
    return dd.map_partitions(
        _bucket_call, *frames, meta=pandas_meta(columns), align_dataframes=False,
        kind=kind, text=text, as_of=moment, options=options, columns=columns, roots=roots,
    )  # fmt: skip


def score_dask(
    events_ddf: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_ddf: Any = None,
    on_unknown: OnUnknown = "raise",
    by_rule: bool = False,
    partitions: int | None = None,
    identities: Identities | None = None,
) -> Any:
    """:func:`~leadscoring.score_frame` on Dask DataFrames: a lazy Dask DataFrame with one
    row per lead and the columns ``score_frame`` gives.

    ``events_ddf`` and ``leads_ddf`` hold the columns ``score_frame`` reads; both are
    shuffled by lead id into ``partitions`` buckets (default: as many as ``events_ddf``
    has partitions), so a lead without events keeps its fit score. Rows come in bucket
    order, not by lead id: sort if the order matters.

    ``identities`` unite histories as in ``score_frame``: each alias linked by ``as_of``
    is re-keyed to its lead before the shuffle (its ids qualified, ``cookie-7/e1``), so
    its rows are scored with the lead's; a row of ``leads_ddf`` of such an alias gives no
    result. The links travel to the workers as plain data (alias → lead).
    """
    expect(by_rule, bool, "by_rule")
    return _run("score", events_ddf, model, as_of, leads_ddf, partitions,
                {"on_unknown": on_unknown, "by_rule": by_rule}, identities)  # fmt: skip


def assess_dask(
    events_ddf: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_ddf: Any = None,
    previous: Any = None,
    segments: Iterable[Segment] = (),
    on_unknown: OnUnknown = "raise",
    temperature: TemperatureClassifier | None = None,
    journey: JourneyClassifier | None = None,
    grades: GradeScale | None = None,
    priority: PriorityGrid | None = None,
    playbook: Playbook | None = None,
    dormancy: DormancyPolicy | None = None,
    interest: InterestPolicy | None = None,
    partitions: int | None = None,
    identities: Identities | None = None,
) -> Any:
    """:func:`~leadscoring.assess_frame` on Dask DataFrames: a lazy Dask DataFrame with one
    row per lead and the columns ``assess_frame`` gives.

    Arguments as for :func:`score_dask` and ``assess_frame``; ``previous`` is a mapping
    lead id → temperature (or a small pandas table), sent to every worker. The rows are
    not ranked across partitions: sort by ``priority`` and ``total`` for a call list.
    ``identities`` as for :func:`score_dask`. Percentile temperature bands are refused:
    they rank each lead among all leads, and a partition holds only some.
    """
    options: dict[str, Any] = {
        "previous": check_previous(previous, "Dask"),
        "segments": check_segments(segments),
        "on_unknown": on_unknown,
        "temperature": temperature,
        "journey": journey,
        "grades": grades,
        "priority": priority,
        "playbook": playbook,
        "dormancy": dormancy,
        "interest": interest,
    }
    return _run("assess", events_ddf, model, as_of, leads_ddf, partitions, options, identities)


def activity_dask(
    events_ddf: Any,
    *,
    as_of: datetime,
    leads_ddf: Any = None,
    policy: DormancyPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    partitions: int | None = None,
    identities: Identities | None = None,
) -> Any:
    """:func:`~leadscoring.activity_frame` on Dask DataFrames: a lazy Dask DataFrame with
    one row per lead (its activity state and last reactivation).

    Arguments as for :func:`score_dask` and ``activity_frame`` (``identities`` too).
    """
    return _run("activity", events_ddf, None, as_of, leads_ddf, partitions,
                {"policy": policy, "on_unknown": on_unknown}, identities)  # fmt: skip


# --- accounts ----------------------------------------------------------------------------


def _routed(events: Any, keys: Any, n: int) -> Any:
    """One partition of events (shuffled by lead, with the leads' ``lead_id`` and
    ``account_id`` of the same leads) with the bucket of each row's account; the rows of
    a lead without an account are dropped, those of a lead not in the leads table keep the
    bucket of their own lead id, so the engine there reports them as ``on_unknown`` says."""
    import numpy as np
    import pandas as pd

    events = events.drop(columns=[BUCKET])
    ids, accounts = lead_accounts(keys.drop(columns=[BUCKET]), "leads_ddf")
    lead_ids = resolved(events["lead_id"], None, {}, "events_ddf")[0]
    at = pd.Index(ids).get_indexer(lead_ids)
    unknown = at < 0
    account = np.full(len(at), None, dtype=object)
    account[~unknown] = accounts[at[~unknown]]
    keep = unknown | pd.notna(account)
    key = np.where(unknown, lead_ids, account)[keep]
    return events[keep].assign(**{BUCKET: buckets(key, n)})


def _account_bucket(leads: Any, n: int) -> Any:
    """One partition of the leads table with the bucket of each lead's account; leads
    without an account (no account's members) are dropped."""
    import pandas as pd

    _, accounts = lead_accounts(leads[["lead_id", "account_id"]], "leads_ddf")
    keep = pd.notna(accounts)
    return leads[keep].assign(**{BUCKET: buckets(accounts[keep], n)})


def assess_accounts_dask(
    events_ddf: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_ddf: Any,
    identities: Identities | None = None,
    accounts: AccountPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    partitions: int | None = None,
) -> Any:
    """:func:`~leadscoring.assess_accounts_frame` on Dask DataFrames: a lazy Dask DataFrame
    with one row per account and the columns ``assess_accounts_frame`` gives.

    ``leads_ddf`` is required and needs an ``account_id`` column. ``identities`` are
    resolved before any shuffle, as in :func:`score_dask` (an alias's rows are its
    lead's). Each event row is then given its lead's account (a shuffle of the events and
    of the leads' ``lead_id`` and ``account_id`` by lead), and the events and the leads
    table are shuffled by account id into ``partitions`` buckets (default: as many as the
    larger of the two frames has partitions), ``assess_accounts_frame`` running once per
    bucket. Events of leads without an account are dropped; those of leads not in
    ``leads_ddf`` go to the bucket of their own lead id, where the engine raises
    :class:`~leadscoring.UnknownLeadError` (at ``compute``), warns or skips them as
    ``on_unknown`` says: the error names the unknown leads of that bucket, and a warning
    is issued where the bucket runs (a worker's process on a cluster). A lead id given
    twice in ``leads_ddf`` raises :class:`~leadscoring.InvalidInputError` (at
    ``compute``), as in ``assess_accounts_frame``. ``accounts``
    overrides the model's :class:`~leadscoring.AccountPolicy` and travels as plain data;
    percentile temperature bands are refused (they rank among all accounts).

    The rows are not ranked across partitions: sort by ``priority``, then ``score``
    (highest first) and ``account_id`` for the ranked list ``assess_accounts_frame``
    gives.
    """
    import numpy as np

    dd = _dask()
    moment = check_moment(as_of)
    events = _check_frame(events_ddf, "events_ddf", dd)
    if leads_ddf is None:
        raise InvalidValueError(
            "leads_ddf", "expected a Dask DataFrame of leads with an 'account_id' column, got None"
        )
    leads = _check_frame(leads_ddf, "leads_ddf", dd)
    if "account_id" not in leads.columns:
        raise InvalidValueError(
            "leads_ddf", "has no 'account_id' column; accounts are made from the leads' account_id"
        )
    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    n = check_partitions(partitions)
    if n is None:
        n = max(events.npartitions, leads.npartitions)
    checked = check_model(model)
    text = model_text(checked)
    options = {"accounts": policy_text(accounts, checked), "on_unknown": on_unknown}
    columns = output_columns("accounts", text, moment, options)
    found = check_roots(identities, moment)
    roots = None
    if found:
        from dask.delayed import delayed

        roots = delayed(found, pure=True)  # one key of the graph, not a copy per task
        events = _resolved(events, roots)
    by_lead = _shuffle(events, n)
    keys = _shuffle(leads[["lead_id", "account_id"]], n)
    routed = dd.map_partitions(_routed, by_lead, keys, n, meta=by_lead._meta,
                               align_dataframes=False)  # fmt: skip
    members = leads.map_partitions(
        _account_bucket, n, meta=leads._meta.assign(**{BUCKET: np.int64(0)})
    )
    frames = [routed.shuffle(on=BUCKET, npartitions=n), members.shuffle(on=BUCKET, npartitions=n)]
    return dd.map_partitions(
        _bucket_call, *frames, meta=pandas_meta(columns), align_dataframes=False,
        kind="accounts", text=text, as_of=moment, options=options, columns=columns, roots=roots,
    )  # fmt: skip
