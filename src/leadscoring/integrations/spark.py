"""The columnar engine on PySpark DataFrames: ``score_spark``, ``assess_spark``,
``activity_spark``.

Each groups the events (and the leads table, cogrouped the same way) by a bucket,
:func:`~leadscoring.core.partition.partition_of` of the lead id (the same CRC-32,
computed in the JVM: ``pmod(crc32(cast(lead_id as binary)), n)``), and runs the columnar
engine once per bucket with ``groupBy(...).applyInPandas(...)`` (``cogroup(...)`` with a
leads table), against a Spark schema derived from the model. Timestamp columns are handed
to pandas as microseconds since the epoch and read back as UTC, so the session time zone
never enters the numbers (Spark otherwise gives pandas wall-clock times in the session
zone). The model travels as its JSON text and is compiled once per Python worker process.
With ``identities=``, a pandas UDF re-keys the ``lead_id`` and ``id`` columns (only those
two travel to Python) before the grouping, with the columnar engine's own functions, so
an alias's rows are grouped with its lead's; the links travel as a plain ``dict`` alias →
lead in the UDFs' closures (which classic PySpark broadcasts once over 1 MB). Needs the
``spark`` extra: ``pip install 'leadscoring[spark]'`` (and a Java runtime).
"""

from __future__ import annotations

from collections.abc import Iterable
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
    check_partitions,
    check_previous,
    check_roots,
    model_text,
    output_columns,
    resolved,
    run_bucket,
)

__all__ = ["activity_spark", "assess_spark", "bucket_column", "score_spark", "spark_schema"]

_SPARK_TYPES = {
    "text": "string",
    "whole": "bigint",
    "bool": "boolean",
    "time": "timestamp",
    "duration": "interval day to second",
    "float": "double",
}


def _spark() -> Any:
    """``pyspark.sql``, or an ImportError naming the extra."""
    try:
        import pyarrow  # noqa: F401
        import pyspark.sql
    except ImportError as exc:
        raise ImportError(
            f"leadscoring.spark needs the optional 'spark' extra ({exc.name} is missing): "
            "pip install 'leadscoring[spark]'"
        ) from exc
    return pyspark.sql


def spark_schema(columns: list[tuple[str, str]]) -> str:
    """A Spark DDL schema for the result's columns (names in backticks: they hold dots)."""
    return ", ".join(f"`{name.replace('`', '``')}` {_SPARK_TYPES[kind]}" for name, kind in columns)


def _check_frame(value: object, field: str, sql: Any) -> Any:
    """A PySpark DataFrame with a ``lead_id`` column, or an error naming ``field``."""
    if not isinstance(value, sql.DataFrame):
        raise InvalidValueError(
            field,
            f"expected a PySpark DataFrame, got {type(value).__name__}; convert a pandas "
            "table with spark.createDataFrame(table)",
        )
    if "lead_id" not in value.columns:
        raise InvalidValueError(field, "has no 'lead_id' column; name the lead id column lead_id")
    return value


def bucket_column(n: int) -> Any:
    """The bucket of each row as a Spark column: ``partition_of(lead_id, n)``, the CRC-32
    of the lead id's UTF-8 bytes modulo ``n``, computed in the JVM (an integer id is
    hashed as its digits, as the engine reads it)."""
    from pyspark.sql import functions as sf

    text = sf.col("lead_id").cast("string").cast("binary")
    return sf.pmod(sf.crc32(text), sf.lit(n)).cast("int").alias(BUCKET)


def _prepared(frame: Any, n: int) -> tuple[Any, list[str], list[str]]:
    """``frame`` with the bucket column and its timestamps as epoch microseconds; the
    names of its columns and of those timestamp columns."""
    from pyspark.sql import functions as sf
    from pyspark.sql.types import TimestampType

    times = [f.name for f in frame.schema.fields if isinstance(f.dataType, TimestampType)]
    selected = [
        sf.unix_micros(sf.col(f"`{name}`")).alias(name) if name in times else sf.col(f"`{name}`")
        for name in frame.columns
    ]
    return frame.select(*selected, bucket_column(n)), list(frame.columns), times


def _text_column(frame: Any, name: str) -> Any:
    """Column ``name`` as text for the re-keying UDF: a string column as it is, integers as
    their digits (as the engine reads them); any other type is refused, as the engine
    would refuse it, naming the column."""
    from pyspark.sql import functions as sf
    from pyspark.sql.types import IntegralType, StringType

    kind = frame.schema[name].dataType
    if isinstance(kind, StringType):
        return sf.col(name)
    if isinstance(kind, IntegralType):
        return sf.col(name).cast("string")
    raise InvalidValueError(
        "events_sdf",
        f"column {name!r} is {kind.simpleString()}; lead and event ids are text (or integers)",
    )


def _resolved(frame: Any, roots: dict[str, str]) -> Any:
    """``frame`` with each alias's rows its lead's: ``lead_id`` and ``id`` re-keyed by
    :func:`resolved` in a pandas UDF (only those two columns go to Python), as text."""
    import pandas as pd
    from pyspark.sql import functions as sf
    from pyspark.sql.pandas.functions import pandas_udf as make_udf

    has_ids = "id" in frame.columns
    inputs = [_text_column(frame, "lead_id")]

    def leads_only(lead_ids: Any) -> Any:
        return pd.Series(resolved(lead_ids, None, roots, "events_sdf")[0], dtype=object)

    def with_ids(lead_ids: Any, ids: Any) -> Any:
        lead_out, id_out = resolved(lead_ids, ids, roots, "events_sdf")
        return pd.DataFrame({"lead_id": lead_out, "id": id_out})

    # Spark reads the kind of UDF from the hints: real classes, not this module's strings.
    leads_only.__annotations__ = {"lead_ids": pd.Series, "return": pd.Series}
    with_ids.__annotations__ = {"lead_ids": pd.Series, "ids": pd.Series, "return": pd.DataFrame}
    pandas_udf: Any = make_udf  # its overloads are keyed on the hints' types
    if has_ids:
        inputs.append(_text_column(frame, "id"))
        udf = pandas_udf(with_ids, "lead_id string, id string")
    else:
        udf = pandas_udf(leads_only, "string")
    found = "__leadscoring_resolved__"
    frame = frame.withColumn(found, udf(*inputs))
    picked = []
    for name in frame.columns:
        if name == found:
            continue
        if name == "lead_id":
            picked.append((sf.col(f"{found}.lead_id") if has_ids else sf.col(found)).alias(name))
        elif name == "id" and has_ids:
            picked.append(sf.col(f"{found}.id").alias(name))
        else:
            picked.append(sf.col(f"`{name}`"))
    return frame.select(*picked)


def _pandas(part: Any, names: list[str], times: list[str]) -> Any:
    """A bucket's rows as the engine reads them: the columns it had in Spark, the
    timestamps back from epoch microseconds to UTC datetimes."""
    import pandas as pd

    if len(part.columns) == 0:
        part = pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    for name in times:
        micros = pd.array(part[name], dtype="Int64")
        part[name] = pd.Series(
            pd.to_datetime(micros.to_numpy(dtype="float64", na_value=float("nan")),
                           unit="us", utc=True),
            index=part.index,
        ).astype("datetime64[us, UTC]")  # fmt: skip
    return part


def _run(
    kind: Kind,
    events_sdf: Any,
    model: ScoringModel | None,
    as_of: datetime,
    leads_sdf: Any,
    partitions: int | None,
    options: dict[str, Any],
    identities: Identities | None,
) -> Any:
    """Resolve the identities, bucket, group, one engine call per bucket; the schema from
    the model alone."""
    sql = _spark()
    moment = check_moment(as_of)
    events = _check_frame(events_sdf, "events_sdf", sql)
    leads = None if leads_sdf is None else _check_frame(leads_sdf, "leads_sdf", sql)
    check_choice(options["on_unknown"], ("raise", "warn", "ignore"), "on_unknown")
    n = check_partitions(partitions)
    if n is None:
        n = int(events.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    text = None if model is None else model_text(check_model(model))
    columns = output_columns(kind, text, moment, options)
    schema = spark_schema(columns)
    roots = check_roots(identities, moment)
    if roots:
        events = _resolved(events, roots)
    events, event_names, event_times = _prepared(events, n)
    if leads is None:

        def one(part: Any) -> Any:
            found = _pandas(part, event_names, event_times)
            return run_bucket(kind, text, found, None, moment, options, columns)

        return events.groupBy(BUCKET).applyInPandas(one, schema=schema)
    leads, lead_names, lead_times = _prepared(leads, n)
    kept = roots or None  # a bucket's leads lose the rows of aliases

    def both(part: Any, lead_part: Any) -> Any:
        found = _pandas(part, event_names, event_times)
        known = _pandas(lead_part, lead_names, lead_times)
        return run_bucket(kind, text, found, known, moment, options, columns, kept)

    grouped = events.groupBy(BUCKET).cogroup(leads.groupBy(BUCKET))
    return grouped.applyInPandas(both, schema=schema)


def score_spark(
    events_sdf: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_sdf: Any = None,
    on_unknown: OnUnknown = "raise",
    by_rule: bool = False,
    partitions: int | None = None,
    identities: Identities | None = None,
) -> Any:
    """:func:`~leadscoring.score_frame` on PySpark DataFrames: a lazy PySpark DataFrame
    with one row per lead and the columns ``score_frame`` gives.

    ``events_sdf`` and ``leads_sdf`` hold the columns ``score_frame`` reads (timestamps
    as Spark ``timestamp`` columns); both are grouped by a hash of the lead id into
    ``partitions`` buckets (default: ``spark.sql.shuffle.partitions``), cogrouped so a lead
    without events keeps its fit score. Rows come in no particular order.

    ``identities`` unite histories as in ``score_frame``: each alias linked by ``as_of``
    is re-keyed to its lead before the grouping (its ids qualified, ``cookie-7/e1``), so
    its rows are scored with the lead's; a row of ``leads_sdf`` of such an alias gives no
    result. The links travel to the workers as plain data (alias → lead).
    """
    expect(by_rule, bool, "by_rule")
    return _run("score", events_sdf, model, as_of, leads_sdf, partitions,
                {"on_unknown": on_unknown, "by_rule": by_rule}, identities)  # fmt: skip


def assess_spark(
    events_sdf: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_sdf: Any = None,
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
    """:func:`~leadscoring.assess_frame` on PySpark DataFrames: a lazy PySpark DataFrame
    with one row per lead and the columns ``assess_frame`` gives.

    Arguments as for :func:`score_spark` and ``assess_frame``; ``previous`` is a mapping
    lead id → temperature (or a small pandas table), sent to every worker. The rows are
    not ranked: order by ``priority`` and ``total`` for a call list. ``identities`` as
    for :func:`score_spark`.
    """
    options: dict[str, Any] = {
        "previous": check_previous(previous, "PySpark"),
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
    return _run("assess", events_sdf, model, as_of, leads_sdf, partitions, options, identities)


def activity_spark(
    events_sdf: Any,
    *,
    as_of: datetime,
    leads_sdf: Any = None,
    policy: DormancyPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    partitions: int | None = None,
    identities: Identities | None = None,
) -> Any:
    """:func:`~leadscoring.activity_frame` on PySpark DataFrames: a lazy PySpark DataFrame
    with one row per lead (its activity state and last reactivation).

    Arguments as for :func:`score_spark` and ``activity_frame`` (``identities`` too).
    """
    return _run("activity", events_sdf, None, as_of, leads_sdf, partitions,
                {"policy": policy, "on_unknown": on_unknown}, identities)  # fmt: skip
