"""The columnar engine on Dask DataFrames: ``score_dask``, ``assess_dask``, ``activity_dask``.

Each shuffles the events (and the leads table, the same way) by the lead's bucket,
:func:`~leadscoring.core.partition.partition_of` of its id, so every lead's rows land in
one partition, then calls the columnar engine once per partition with
``map_partitions``. With ``identities=``, each alias's rows are re-keyed to its lead (and
their ids qualified) partition by partition before the shuffle, so they land with the
lead's. The output ``meta`` is derived from the model alone; the model travels to the
workers as its JSON text and is compiled once per worker process, the identities as one
plain ``dict`` alias → lead (a single key of the graph, not a copy per task).
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
from ..stages.classifiers import GradeScale, PriorityGrid, TemperatureClassifier
from ..stages.playbook import Playbook
from ._partitions import (
    BUCKET,
    Kind,
    buckets,
    check_partitions,
    check_previous,
    check_roots,
    model_text,
    output_columns,
    pandas_meta,
    resolve_events,
    run_bucket,
)

__all__ = ["activity_dask", "assess_dask", "score_dask"]


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
    text = None if model is None else model_text(check_model(model))
    columns = output_columns(kind, text, moment, options)
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
    ``identities`` as for :func:`score_dask`.
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
