"""The columnar engine on PySpark DataFrames: ``score_spark``, ``assess_spark``,
``activity_spark`` and ``assess_accounts_spark``.

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
lead in the UDFs' closures (which classic PySpark broadcasts once over 1 MB).

``assess_accounts_spark`` groups by account instead: the (resolved) events are joined
with the leads' ``lead_id`` and ``account_id`` (a lead id given twice fails the job, as
the columnar engine refuses it), and the events and the leads table are grouped by
``pmod(crc32(cast(account_id as binary)), n)``. Events of unknown leads are found up front
by one Spark job, so ``UnknownLeadError`` is raised (or the warning issued) on the driver
as :func:`~leadscoring.assess_accounts_frame` raises it. Needs the ``spark`` extra:
``pip install 'leadscoring[spark]'`` (and a Java runtime).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..assessment.segments import Segment, check_segments
from ..core.checks import OnUnknown, check_choice, check_moment, expect, report_unknown
from ..core.errors import InvalidValueError
from ..core.identity import Identities
from ..core.times import to_us
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
    check_bands,
    check_partitions,
    check_previous,
    check_roots,
    model_text,
    output_columns,
    policy_text,
    resolved,
    run_bucket,
)

__all__ = [
    "activity_spark",
    "assess_accounts_spark",
    "assess_spark",
    "bucket_column",
    "score_spark",
    "spark_schema",
]

_LEAD = "__leadscoring_lead__"
_ACCOUNT = "__leadscoring_account__"
_ROWS = "__leadscoring_rows__"

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


def bucket_column(n: int, key: str = "lead_id") -> Any:
    """The bucket of each row as a Spark column: ``partition_of(lead_id, n)`` (or of the
    column ``key``), the CRC-32 of the id's UTF-8 bytes modulo ``n``, computed in the JVM
    (an integer id is hashed as its digits, as the engine reads it)."""
    from pyspark.sql import functions as sf

    text = sf.col(key).cast("string").cast("binary")
    return sf.pmod(sf.crc32(text), sf.lit(n)).cast("int").alias(BUCKET)


def _prepared(
    frame: Any, bucket: Any, names: list[str] | None = None
) -> tuple[Any, list[str], list[str]]:
    """``frame``'s columns (or those of ``names``) with the ``bucket`` column, timestamps
    as epoch microseconds; the names of those columns and of the timestamp columns."""
    from pyspark.sql import functions as sf
    from pyspark.sql.types import TimestampType

    names = list(frame.columns) if names is None else names
    times = [f.name for f in frame.schema.fields
             if f.name in names and isinstance(f.dataType, TimestampType)]  # fmt: skip
    selected = [
        sf.unix_micros(sf.col(f"`{name}`")).alias(name) if name in times else sf.col(f"`{name}`")
        for name in names
    ]
    return frame.select(*selected, bucket), names, times


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
    checked = None if model is None else check_model(model)
    text = None if checked is None else model_text(checked)
    columns = output_columns(kind, text, moment, options)
    if kind == "assess" and checked is not None:
        given = options["temperature"]
        field = "model.temperature" if given is None else "temperature"
        check_bands(checked.temperature if given is None else given, field, "lead")
    schema = spark_schema(columns)
    roots = check_roots(identities, moment)
    if roots:
        events = _resolved(events, roots)
    events, event_names, event_times = _prepared(events, bucket_column(n))
    if leads is None:

        def one(part: Any) -> Any:
            found = _pandas(part, event_names, event_times)
            return run_bucket(kind, text, found, None, moment, options, columns)

        return events.groupBy(BUCKET).applyInPandas(one, schema=schema)
    leads, lead_names, lead_times = _prepared(leads, bucket_column(n))
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
    for :func:`score_spark`. Percentile temperature bands are refused: they rank each
    lead among all leads, and a bucket holds only some.
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


# --- accounts ----------------------------------------------------------------------------


def _lead_accounts(leads: Any) -> Any:
    """One row per lead id of ``leads``: its id and its account as text (``_LEAD``,
    ``_ACCOUNT``); a lead id given twice fails the job when this is computed, as the
    columnar engine refuses it."""
    from pyspark.sql import functions as sf

    keys = leads.select(
        sf.col("lead_id").cast("string").alias(_LEAD),
        sf.col("account_id").cast("string").alias(_ACCOUNT),
    )
    once = keys.groupBy(_LEAD).agg(
        sf.count(sf.lit(1)).alias(_ROWS), sf.max(_ACCOUNT).alias(_ACCOUNT)
    )
    twice = sf.raise_error(
        sf.concat(sf.lit("leads_sdf, column 'lead_id': lead id '"), sf.col(_LEAD),
                  sf.lit("' is given twice"))
    )  # fmt: skip
    account = sf.when(sf.col(_ROWS) > 1, twice).otherwise(sf.col(_ACCOUNT))
    return once.select(_LEAD, account.alias(_ACCOUNT))


def _check_unknown(joined: Any, moment: datetime, on_unknown: OnUnknown) -> None:
    """Events of leads not in the leads table (those not after ``moment``), found by one
    Spark job and reported on the driver as the columnar engine reports them."""
    from pyspark.sql import functions as sf
    from pyspark.sql.types import TimestampType

    unknown = joined.where(sf.col(_LEAD).isNull() & sf.col("lead_id").isNotNull())
    if "at" in joined.columns and isinstance(joined.schema["at"].dataType, TimestampType):
        unknown = unknown.where(sf.unix_micros(sf.col("at")) <= sf.lit(to_us(moment)))
    found = unknown.groupBy(sf.col("lead_id").cast("string").alias(_LEAD)).count().collect()
    names = sorted(str(row[_LEAD]) for row in found)
    report_unknown(names, sum(int(row["count"]) for row in found), on_unknown)


def assess_accounts_spark(
    events_sdf: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_sdf: Any,
    identities: Identities | None = None,
    accounts: AccountPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    partitions: int | None = None,
) -> Any:
    """:func:`~leadscoring.assess_accounts_frame` on PySpark DataFrames: a lazy PySpark
    DataFrame with one row per account and the columns ``assess_accounts_frame`` gives.

    ``leads_sdf`` is required and needs an ``account_id`` column. ``identities`` are
    resolved before the grouping, as in :func:`score_spark`. The events are joined with
    the leads' ``lead_id`` and ``account_id``, then the events and the leads table are
    cogrouped by a hash of the account id into ``partitions`` buckets (default:
    ``spark.sql.shuffle.partitions``), ``assess_accounts_frame`` running once per bucket.
    Events of leads without an account are dropped. Events of leads not in ``leads_sdf``
    are looked for up front, by one Spark job at the call (``on_unknown="ignore"`` skips
    it), so :class:`~leadscoring.UnknownLeadError` is raised, or
    :class:`~leadscoring.UnknownLeadWarning` issued, on the driver, naming the same leads
    as ``assess_accounts_frame``; those events are then left out. A lead id given twice
    in ``leads_sdf`` fails the Spark job. ``accounts`` overrides the model's
    :class:`~leadscoring.AccountPolicy` and travels as plain data; percentile temperature
    bands are refused (they rank among all accounts).

    The rows are not ranked: order by ``priority``, then ``score`` (descending) and
    ``account_id`` for the ranked list ``assess_accounts_frame`` gives.
    """
    from pyspark.sql import functions as sf

    sql = _spark()
    moment = check_moment(as_of)
    events = _check_frame(events_sdf, "events_sdf", sql)
    if leads_sdf is None:
        raise InvalidValueError(
            "leads_sdf", "expected a PySpark DataFrame of leads with an 'account_id' column, "
            "got None",
        )  # fmt: skip
    leads = _check_frame(leads_sdf, "leads_sdf", sql)
    if "account_id" not in leads.columns:
        raise InvalidValueError(
            "leads_sdf", "has no 'account_id' column; accounts are made from the leads' account_id"
        )
    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    n = check_partitions(partitions)
    if n is None:
        n = int(events.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    checked = check_model(model)
    text = model_text(checked)
    options = {"accounts": policy_text(accounts, checked), "on_unknown": "ignore"}
    columns = output_columns("accounts", text, moment, options)
    schema = spark_schema(columns)
    roots = check_roots(identities, moment)
    if roots:
        events = _resolved(events, roots)
    names = list(events.columns)
    joined = events.join(
        _lead_accounts(leads), sf.col("lead_id").cast("string") == sf.col(_LEAD), "left"
    )
    if on_unknown != "ignore":
        _check_unknown(joined, moment, on_unknown)
    # a row without a lead id goes on (to the null bucket) for the engine to refuse it
    member_events = joined.where(sf.col(_ACCOUNT).isNotNull() | sf.col("lead_id").isNull())
    events, event_names, event_times = _prepared(member_events, bucket_column(n, _ACCOUNT), names)
    members = leads.where(sf.col("account_id").cast("string").isNotNull())
    leads, lead_names, lead_times = _prepared(members, bucket_column(n, "account_id"))
    kept = roots or None  # a bucket's leads lose the rows of aliases

    def both(part: Any, lead_part: Any) -> Any:
        found = _pandas(part, event_names, event_times)
        known = _pandas(lead_part, lead_names, lead_times)
        return run_bucket("accounts", text, found, known, moment, options, columns, kept)

    grouped = events.groupBy(BUCKET).cogroup(leads.groupBy(BUCKET))
    return grouped.applyInPandas(both, schema=schema)
