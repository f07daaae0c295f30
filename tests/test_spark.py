"""leadscoring.spark on local[2] with a non-UTC session time zone: the same numbers and
labels as the single-process columnar engine (with ``identities=`` too, and for accounts),
times read and written as UTC instants, buckets by ``partition_of``."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
pytest.importorskip("narwhals")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Spark tests need a Java runtime", allow_module_level=True)

import pandas as pd
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import TimestampType

from distributed_data import (
    AS_OF,
    EARLIER,
    IDENTITIES,
    MODEL,
    POLICY,
    account_tables,
    assert_same,
    events_table,
    identity_events_table,
    identity_leads_table,
    leads_table,
)
from leadscoring import (
    AccountPolicy,
    Identity,
    InvalidValueError,
    TemperatureClassifier,
    UnknownLeadError,
    UnknownLeadWarning,
)
from leadscoring.assessment.accounts_frame import assess_accounts_frame
from leadscoring.assessment.frame import assess_frame
from leadscoring.scoring.frame import score_frame
from leadscoring.scoring.frame_activity import activity_frame
from leadscoring.spark import activity_spark, assess_accounts_spark, assess_spark, score_spark

ZONE = "Asia/Tokyo"
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[2] session for the module, its session time zone not UTC."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)  # the workers import leadscoring
        session = (
            SparkSession.builder.master("local[2]")
            .appName("leadscoring-tests")
            .config("spark.sql.session.timeZone", ZONE)
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    """The sample events (pandas)."""
    return events_table()


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    """The sample leads, two of them without events (pandas)."""
    return leads_table()


@pytest.fixture(scope="module")
def frames(spark: Any, events: pd.DataFrame, leads: pd.DataFrame) -> tuple[Any, Any]:
    """The tables as PySpark DataFrames (times as instants: ``timestamp`` columns)."""
    return spark.createDataFrame(events), spark.createDataFrame(leads)


def _collect(sdf: Any) -> pd.DataFrame:
    """A result as pandas, its timestamps read as UTC instants (not session wall time)."""
    times = [f.name for f in sdf.schema.fields if isinstance(f.dataType, TimestampType)]
    picked = [
        sf.unix_micros(sf.col(f"`{c}`")).alias(c) if c in times else sf.col(f"`{c}`")
        for c in sdf.columns
    ]
    out = sdf.select(*picked).toPandas()
    for name in times:
        out[name] = pd.to_datetime(out[name], unit="us", utc=True)
    return out


def test_session_time_zone_is_not_utc(spark: Any) -> None:
    """The session runs in Asia/Tokyo, so a time read as wall clock would be 9 hours off."""
    assert spark.conf.get("spark.sql.session.timeZone") == ZONE


def test_score_spark_matches_score_frame(frames: Any, events: Any, leads: Any) -> None:
    """score_spark cogrouped with the leads gives score_frame's rows, silent leads too."""
    ev, ld = frames
    got = _collect(score_spark(ev, MODEL, as_of=AS_OF, leads_sdf=ld, by_rule=True))
    expected = score_frame(events, MODEL, as_of=AS_OF, leads_df=leads, by_rule=True)
    assert {"Q-silent-1", "Q-silent-2"} <= set(got["lead_id"])
    assert_same(got, expected)


def test_score_spark_without_leads(frames: Any, events: Any) -> None:
    """Without a leads table the leads are those the events name (3 buckets)."""
    got = _collect(score_spark(frames[0], MODEL, as_of=AS_OF, partitions=3))
    assert_same(got, score_frame(events, MODEL, as_of=AS_OF))


def test_assess_spark_matches_assess_frame(frames: Any, events: Any, leads: Any) -> None:
    """assess_spark gives assess_frame's columns and values, ``as_of`` as the UTC instant."""
    ev, ld = frames
    previous = {"L0001": "hot", "L0002": "cold"}
    got = _collect(assess_spark(ev, MODEL, as_of=AS_OF, leads_sdf=ld, previous=previous))
    expected = assess_frame(events, MODEL, as_of=AS_OF, leads_df=leads, previous=previous)
    assert_same(got, expected)


def test_activity_spark_matches_activity_frame(frames: Any, events: Any, leads: Any) -> None:
    """activity_spark gives activity_frame's states, times, thresholds and silences."""
    ev, ld = frames
    got = _collect(activity_spark(ev, as_of=AS_OF, leads_sdf=ld, policy=MODEL.dormancy))
    expected = activity_frame(events, as_of=AS_OF, leads_df=leads, policy=MODEL.dormancy)
    assert_same(got, expected)


def test_schema_is_derived_before_running(frames: Any) -> None:
    """The result's schema is known lazily; names with dots are whole columns."""
    lazy = score_spark(frames[0], MODEL, as_of=AS_OF)
    assert lazy.columns[:4] == ["lead_id", "total", "fit", "engagement"]
    assert "by_group.email" in lazy.columns


def test_bad_arguments_name_the_argument(frames: Any, events: Any) -> None:
    """A pandas table or a Spark ``previous`` is refused, naming the argument."""
    with pytest.raises(InvalidValueError, match=r"events_sdf.*createDataFrame"):
        score_spark(events, MODEL, as_of=AS_OF)
    with pytest.raises(InvalidValueError, match=r"previous.*mapping"):
        assess_spark(frames[0], MODEL, as_of=AS_OF, previous=frames[0])


@pytest.fixture(scope="module")
def united() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events of leads, of their aliases and of anonymous cookies; leads with two rows of
    aliases (one linked after AS_OF, one before)."""
    return identity_events_table(), identity_leads_table()


@pytest.mark.parametrize(
    ("kind", "as_of"),
    [("score", AS_OF), ("score", EARLIER), ("assess", AS_OF), ("activity", EARLIER)],
    ids=["score", "score-earlier", "assess", "activity-earlier"],
)
def test_identities_match_the_columnar_engine(
    spark: Any, united: Any, kind: str, as_of: Any
) -> None:
    """With identities (chains, a link after as_of, an alias with a leads row, a copy of
    an event given qualified), each adapter gives the columnar function's rows."""
    events, leads = united
    ev, ld = spark.createDataFrame(events), spark.createDataFrame(leads)
    common: dict[str, Any] = {"as_of": as_of, "on_unknown": "ignore", "identities": IDENTITIES}
    if kind == "score":
        got = score_spark(ev, MODEL, leads_sdf=ld, by_rule=True, **common)
        expected = score_frame(events, MODEL, leads_df=leads, by_rule=True, **common)
    elif kind == "assess":
        got = assess_spark(ev, MODEL, leads_sdf=ld, previous={"L0019": "hot"}, **common)
        expected = assess_frame(events, MODEL, leads_df=leads, previous={"L0019": "hot"},
                                **common)  # fmt: skip
    else:
        got = activity_spark(ev, leads_sdf=ld, policy=MODEL.dormancy, **common)
        expected = activity_frame(events, leads_df=leads, policy=MODEL.dormancy, **common)
    found = _collect(got)
    assert_same(found, expected)
    ids = set(found["lead_id"])
    assert "cookie-late" in ids  # linked after as_of: a lead of its own
    assert not ids & {"L-dup", "cookie-cd570921e8", "cookie-x"}  # aliases by then


def test_identities_without_leads_or_ids(spark: Any, united: Any) -> None:
    """Links as a list of Identity, no leads table (a lead only its alias names gets its
    row), and events without an ``id`` column."""
    events, _ = united
    links = list(IDENTITIES)
    got = _collect(score_spark(spark.createDataFrame(events), MODEL, as_of=AS_OF,
                               identities=links, partitions=3))  # fmt: skip
    assert_same(got, score_frame(events, MODEL, as_of=AS_OF, identities=links))
    assert "L-new" in set(got["lead_id"])
    bare = events.drop(columns=["id"])
    got = _collect(score_spark(spark.createDataFrame(bare), MODEL, as_of=AS_OF, identities=links))
    assert_same(got, score_frame(bare, MODEL, as_of=AS_OF, identities=links))


def test_identities_with_integer_ids(spark: Any) -> None:
    """Integer lead and event ids are read as their digits, as the columnar engine reads
    them; an id column of another type is refused with identities, naming the column."""
    at = pd.Timestamp(AS_OF) - pd.Timedelta(days=3)
    events = pd.DataFrame({"lead_id": [7, 8, 8], "type": ["page_view"] * 3, "at": [at] * 3,
                           "id": [1, 1, 2], "category": ["pricing"] * 3})  # fmt: skip
    events["at"] = events["at"].astype("datetime64[us, UTC]")
    links = [Identity(alias="8", lead_id="7", at=AS_OF)]
    got = _collect(score_spark(spark.createDataFrame(events), MODEL, as_of=AS_OF,
                               identities=links))  # fmt: skip
    assert_same(got, score_frame(events, MODEL, as_of=AS_OF, identities=links))
    assert got["lead_id"].tolist() == ["7"]
    floats = spark.createDataFrame(events.assign(id=[1.0, 1.0, 2.0]))
    with pytest.raises(InvalidValueError, match=r"events_sdf.*'id' is double"):
        score_spark(floats, MODEL, as_of=AS_OF, identities=links)


def test_bad_identities_are_refused_before_running(frames: Any) -> None:
    """Something that is not links raises at the call, naming ``identities``."""
    with pytest.raises(InvalidValueError, match="identities"):
        score_spark(frames[0], MODEL, as_of=AS_OF, identities="cookie-7")  # type: ignore[arg-type]


def test_buckets_are_partition_of(spark: Any, events: Any) -> None:
    """Spark's bucket (the JVM's CRC-32) is partition_of(lead_id, n) for every id, text
    beyond ASCII and integer ids (as their digits) too."""
    from leadscoring.core.partition import partition_of
    from leadscoring.integrations._partitions import BUCKET
    from leadscoring.integrations.spark import bucket_column

    ids = [*sorted(set(events["lead_id"])), "ü-lead", "山田@example.jp", "😀", "a b"]
    for n in (1, 3, 7, 64):
        rows = spark.createDataFrame(pd.DataFrame({"lead_id": ids}))
        got = rows.select("lead_id", bucket_column(n)).toPandas()
        assert got[BUCKET].tolist() == [partition_of(v, n) for v in ids]
    numbers = spark.createDataFrame(pd.DataFrame({"lead_id": [5, 17, 123456789]}))
    got = numbers.select(bucket_column(10)).toPandas()[BUCKET].tolist()
    assert got == [partition_of(v, 10) for v in ("5", "17", "123456789")]


# --- accounts --------------------------------------------------------------------------------


def test_assess_accounts_spark_matches_assess_accounts_frame(spark: Any) -> None:
    """One row per account with assess_accounts_frame's values and times (an account
    without events, one back from a long silence), more buckets than accounts."""
    events, leads = account_tables()
    lazy = assess_accounts_spark(spark.createDataFrame(events), MODEL, as_of=AS_OF,
                                 leads_sdf=spark.createDataFrame(leads), partitions=16)  # fmt: skip
    from leadscoring.assessment.to_frame import ACCOUNT_COLUMNS

    assert lazy.columns == list(ACCOUNT_COLUMNS)
    got = _collect(lazy)
    expected = assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=leads)
    assert_same(got, expected, key="account_id")
    assert got.set_index("account_id").loc["B-03", "reactivation_kind"] == "return_after_silence"


def test_assess_accounts_spark_with_identities_and_a_policy(spark: Any) -> None:
    """With identities (cookies, chains, an alias with a leads row, a link after as_of),
    an ``accounts=`` override, and the anonymous visitors warned about on the driver with
    the columnar engine's very message."""
    import warnings

    events, leads = account_tables(identities=True)
    common: dict[str, Any] = {"as_of": AS_OF, "identities": IDENTITIES, "accounts": POLICY}
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always", UnknownLeadWarning)
        expected = assess_accounts_frame(events, MODEL, leads_df=leads, on_unknown="warn",
                                         **common)  # fmt: skip
    with pytest.warns(UnknownLeadWarning) as mine:
        lazy = assess_accounts_spark(spark.createDataFrame(events), MODEL,
                                     leads_sdf=spark.createDataFrame(leads), on_unknown="warn",
                                     **common)  # fmt: skip
    texts = [str(w.message) for w in mine if issubclass(w.category, UnknownLeadWarning)]
    assert texts == [str(w.message) for w in theirs]
    assert "'cookie-a40d48dfab'" in texts[0]  # an anonymous visitor
    got = _collect(lazy)
    assert_same(got, expected, key="account_id")
    ids = set(got["account_id"])
    assert "B-06" in ids  # cookie-late's: linked after as_of, a lead of its own
    assert "B-07" not in ids  # L-dup's: an alias by then, its row left out


def test_assess_accounts_spark_unknown_and_duplicate_leads(spark: Any) -> None:
    """Events of a lead missing from the leads table raise UnknownLeadError at the call,
    on the driver, as assess_accounts_frame raises it; a lead id given twice fails the
    job, naming it; percentile bands and a missing account_id are refused by name."""
    events, leads = account_tables()
    fewer = leads[leads["lead_id"] != "L0001"]
    ev = spark.createDataFrame(events)
    with pytest.raises(UnknownLeadError) as theirs:
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=fewer)
    with pytest.raises(UnknownLeadError) as mine:
        assess_accounts_spark(ev, MODEL, as_of=AS_OF, leads_sdf=spark.createDataFrame(fewer))
    assert str(mine.value) == str(theirs.value)
    assert mine.value.lead_ids == ("L0001",)
    twice = pd.concat([leads, leads[leads["lead_id"] == "L0002"].assign(account_id="B-09")])
    lazy = assess_accounts_spark(ev, MODEL, as_of=AS_OF, leads_sdf=spark.createDataFrame(twice),
                                 on_unknown="ignore")  # fmt: skip
    with pytest.raises(PySparkException, match="'L0002' is given twice"):
        lazy.collect()
    bands = AccountPolicy(temperature=TemperatureClassifier(warm=50, hot=90, basis="percentile"))
    ld = spark.createDataFrame(leads)
    with pytest.raises(InvalidValueError, match=r"accounts\.temperature.*percentile"):
        assess_accounts_spark(ev, MODEL, as_of=AS_OF, leads_sdf=ld, accounts=bands)
    with pytest.raises(InvalidValueError, match=r"leads_sdf.*account_id"):
        assess_accounts_spark(ev, MODEL, as_of=AS_OF, leads_sdf=ld.drop("account_id"))
    with pytest.raises(InvalidValueError, match=r"temperature.*percentile"):
        assess_spark(ev, MODEL, as_of=AS_OF, temperature=bands.temperature)


def test_docs_spark_recipe_runs(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Spark recipe of docs/distributed.md (its ``py`` block, after the page's first
    block writing the Parquet files) runs; it stops the session, so it runs last."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "distributed.md").read_text()
    setup = re.findall(r"^```python[ \t]*\n(.*?)^```", page, re.S | re.M)[0]
    (recipe,) = re.findall(r"^```py[ \t]*\n(.*?)^```", page, re.S | re.M)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_distributed"}
    exec(compile(setup, "distributed.md[setup]", "exec"), namespace)
    exec(compile(recipe, "distributed.md[spark]", "exec"), namespace)
    assert (tmp_path / "assessed-spark").is_dir()
