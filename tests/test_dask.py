"""leadscoring.dask on a two-worker distributed.LocalCluster: the same numbers and labels
as the single-process columnar engine (with ``identities=`` too, and for accounts), the
meta from the model alone, one compilation of the model per worker process, buckets by
``partition_of``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytest.importorskip("narwhals")

import pandas as pd  # noqa: E402

from distributed_data import (  # noqa: E402
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
from leadscoring import (  # noqa: E402
    AccountPolicy,
    IdentityMap,
    InvalidInputError,
    InvalidValueError,
    TemperatureClassifier,
    UnknownLeadError,
    UnknownLeadWarning,
)
from leadscoring.assessment.accounts_frame import assess_accounts_frame  # noqa: E402
from leadscoring.assessment.frame import assess_frame  # noqa: E402
from leadscoring.dask import (  # noqa: E402
    activity_dask,
    assess_accounts_dask,
    assess_dask,
    score_dask,
)
from leadscoring.scoring.frame import score_frame  # noqa: E402
from leadscoring.scoring.frame_activity import activity_frame  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of two worker processes with little memory, for the module."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="768MiB",
        dashboard_address=None,
    )  # fmt: skip
    with cluster, distributed.Client(cluster) as found:
        yield found


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    """The sample events (pandas)."""
    return events_table()


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    """The sample leads, two of them without events (pandas)."""
    return leads_table()


def _split(events: pd.DataFrame, leads: pd.DataFrame) -> tuple[Any, Any]:
    """The tables as Dask frames of several partitions each (a lead's rows spread out)."""
    return dd.from_pandas(events, npartitions=3), dd.from_pandas(leads, npartitions=2)


def test_score_dask_matches_score_frame(client: Any, events: Any, leads: Any) -> None:
    """score_dask with a leads table gives score_frame's rows, leads without events too."""
    ev, ld = _split(events, leads)
    got = score_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld, by_rule=True).compute()
    expected = score_frame(events, MODEL, as_of=AS_OF, leads_df=leads, by_rule=True)
    assert {"Q-silent-1", "Q-silent-2"} <= set(got["lead_id"])
    assert_same(got, expected)


def test_score_dask_without_leads(client: Any, events: Any) -> None:
    """Without a leads table the leads are those the events name, as in score_frame."""
    got = score_dask(dd.from_pandas(events, npartitions=4), MODEL, as_of=AS_OF, partitions=3)
    assert_same(got.compute(), score_frame(events, MODEL, as_of=AS_OF))


def test_assess_dask_matches_assess_frame(client: Any, events: Any, leads: Any) -> None:
    """assess_dask gives assess_frame's columns and values (compared by lead id)."""
    ev, ld = _split(events, leads)
    previous = {"L0001": "hot", "L0002": "cold"}
    got = assess_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld, previous=previous).compute()
    expected = assess_frame(events, MODEL, as_of=AS_OF, leads_df=leads, previous=previous)
    assert_same(got, expected)


def test_activity_dask_matches_activity_frame(client: Any, events: Any, leads: Any) -> None:
    """activity_dask gives activity_frame's states, thresholds and reactivations."""
    ev, ld = _split(events, leads)
    got = activity_dask(ev, as_of=AS_OF, leads_ddf=ld, policy=MODEL.dormancy).compute()
    expected = activity_frame(events, as_of=AS_OF, leads_df=leads, policy=MODEL.dormancy)
    assert_same(got, expected)


def test_meta_is_known_before_compute_and_matches(client: Any, events: Any) -> None:
    """The declared meta has the computed result's columns and dtypes."""
    lazy = assess_dask(dd.from_pandas(events, npartitions=2), MODEL, as_of=AS_OF)
    computed = lazy.compute()
    assert list(lazy._meta.columns) == list(computed.columns)
    assert lazy._meta.dtypes.to_dict() == computed.dtypes.to_dict()


def test_model_compiles_once_per_worker(client: Any, events: Any) -> None:
    """Each worker process reads and compiles the model's text at most once."""
    from leadscoring.integrations._partitions import model_of

    client.run(model_of.cache_clear)
    ev = dd.from_pandas(events, npartitions=4)
    score_dask(ev, MODEL, as_of=AS_OF, partitions=6).compute()
    score_dask(ev, MODEL, as_of=AS_OF, partitions=6).compute()
    misses = client.run(lambda: model_of.cache_info().misses)
    assert all(m <= 1 for m in misses.values())
    assert sum(misses.values()) >= 1


def test_unknown_leads_raise_as_in_score_frame(client: Any, events: Any, leads: Any) -> None:
    """Events of leads missing from the leads table raise UnknownLeadError by default."""
    ev, ld = _split(events, leads[leads["lead_id"] != "L0001"])
    with pytest.raises(UnknownLeadError):
        score_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld).compute()


def test_bad_arguments_name_the_argument(events: Any) -> None:
    """A pandas table, a bad partition count or a Dask ``previous`` is refused by name."""
    ev = dd.from_pandas(events, npartitions=2)
    with pytest.raises(InvalidValueError, match=r"events_ddf.*from_pandas"):
        score_dask(events, MODEL, as_of=AS_OF)
    with pytest.raises(InvalidValueError, match="partitions"):
        score_dask(ev, MODEL, as_of=AS_OF, partitions=0)
    with pytest.raises(InvalidValueError, match=r"previous.*mapping"):
        assess_dask(ev, MODEL, as_of=AS_OF, previous=ev)
    with pytest.raises(InvalidValueError, match="lead_id"):
        score_dask(ev.drop(columns=["lead_id"]), MODEL, as_of=AS_OF)


# --- identities and buckets ------------------------------------------------------------------


@pytest.fixture(scope="module")
def united() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events of leads, of their aliases and of anonymous cookies; leads with two rows of
    aliases (one linked after AS_OF, one before)."""
    return identity_events_table(), identity_leads_table()


@pytest.mark.parametrize("as_of", [AS_OF, EARLIER], ids=["as_of", "earlier"])
@pytest.mark.parametrize("kind", ["score", "assess", "activity"])
def test_identities_match_the_columnar_engine(
    client: Any, united: Any, kind: str, as_of: Any
) -> None:
    """With identities (chains, a link after as_of, an alias with a leads row, a copy of
    an event given qualified), each adapter gives the columnar function's rows."""
    events, leads = united
    ev, ld = dd.from_pandas(events, npartitions=3), dd.from_pandas(leads, npartitions=2)
    common: dict[str, Any] = {"as_of": as_of, "on_unknown": "ignore", "identities": IDENTITIES}
    if kind == "score":
        got = score_dask(ev, MODEL, leads_ddf=ld, by_rule=True, **common)
        expected = score_frame(events, MODEL, leads_df=leads, by_rule=True, **common)
    elif kind == "assess":
        got = assess_dask(ev, MODEL, leads_ddf=ld, previous={"L0019": "hot"}, **common)
        expected = assess_frame(events, MODEL, leads_df=leads, previous={"L0019": "hot"},
                                **common)  # fmt: skip
    else:
        got = activity_dask(ev, leads_ddf=ld, policy=MODEL.dormancy, **common)
        expected = activity_frame(events, leads_df=leads, policy=MODEL.dormancy, **common)
    found = got.compute()
    assert_same(found, expected)
    ids = set(found["lead_id"])
    assert "cookie-late" in ids  # linked after as_of: a lead of its own
    assert not ids & {"L-dup", "cookie-cd570921e8", "cookie-x"}  # aliases by then


def test_identities_without_leads_table(client: Any, united: Any) -> None:
    """Links given as a list of Identity; a lead only its alias names gets its row."""
    events, _ = united
    links = list(IDENTITIES)
    got = score_dask(dd.from_pandas(events, npartitions=4), MODEL, as_of=AS_OF,
                     identities=links, partitions=3).compute()  # fmt: skip
    expected = score_frame(events, MODEL, as_of=AS_OF, identities=links)
    assert_same(got, expected)
    assert "L-new" in set(got["lead_id"])
    plain = score_frame(events, MODEL, as_of=AS_OF).set_index("lead_id")["total"]
    united_total = got.set_index("lead_id")["total"]
    assert united_total["L0019"] > plain["L0019"]  # its cookie's browsing counts


def test_identities_travel_as_plain_data(united: Any) -> None:
    """The graph holds the links resolved to a dict of text, never a pickled IdentityMap;
    an empty map changes nothing."""
    import pickle

    events, _ = united
    lazy = score_dask(dd.from_pandas(events, npartitions=2), MODEL, as_of=AS_OF,
                      identities=IDENTITIES)  # fmt: skip
    graph = dict(lazy.__dask_graph__())
    assert b"IdentityMap" not in pickle.dumps(graph)
    roots = IDENTITIES.roots(AS_OF)
    held = [v for v in graph.values() if isinstance(getattr(v, "value", None), dict)]
    assert [node.value for node in held] == [roots]  # one node of the graph, for every task
    empty = score_dask(dd.from_pandas(events, npartitions=2), MODEL, as_of=AS_OF,
                       identities=IdentityMap())  # fmt: skip
    plain = score_dask(dd.from_pandas(events, npartitions=2), MODEL, as_of=AS_OF)
    assert len(dict(empty.__dask_graph__())) == len(dict(plain.__dask_graph__()))


def test_bad_identities_are_refused_before_computing(events: Any) -> None:
    """Something that is not links raises at the call, naming ``identities``."""
    ev = dd.from_pandas(events, npartitions=2)
    with pytest.raises(InvalidValueError, match="identities"):
        score_dask(ev, MODEL, as_of=AS_OF, identities="cookie-7")  # type: ignore[arg-type]
    bad: Any = [{"alias": "a", "lead_id": "b"}]
    with pytest.raises(InvalidInputError, match="expected an Identity"):
        activity_dask(ev, as_of=AS_OF, identities=bad)


def test_buckets_are_partition_of(events: Any) -> None:
    """The bucket of every row is partition_of(lead_id, n), integer ids as their digits."""
    from leadscoring.core.partition import partition_of
    from leadscoring.integrations._partitions import BUCKET
    from leadscoring.integrations.dask import _bucket_of

    part = pd.DataFrame({"lead_id": [*events["lead_id"], "ü-lead", "ann@example.com"]})
    for n in (1, 3, 7):
        got = _bucket_of(part, n)[BUCKET].tolist()
        assert got == [partition_of(v, n) for v in part["lead_id"]]
    numbers = pd.DataFrame({"lead_id": [5, 17, 5]})
    assert _bucket_of(numbers, 4)[BUCKET].tolist() == [partition_of(str(v), 4) for v in (5, 17, 5)]


# --- accounts --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accounts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample's events and leads with accounts (one without events, one back from a
    long silence, one of four members)."""
    return account_tables()


@pytest.fixture(scope="module")
def united_accounts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`account_tables` with the cookies, aliases and anonymous visitors."""
    return account_tables(identities=True)


def _frames(events: pd.DataFrame, leads: pd.DataFrame) -> tuple[Any, Any]:
    return dd.from_pandas(events, npartitions=3), dd.from_pandas(leads, npartitions=2)


def _accounts(events: pd.DataFrame, leads: pd.DataFrame, **options: Any) -> Any:
    """assess_accounts_dask on the tables as Dask frames of several partitions each."""
    ev, ld = _frames(events, leads)
    return assess_accounts_dask(ev, MODEL, leads_ddf=ld, **options)


def test_assess_accounts_dask_matches_assess_accounts_frame(client: Any, accounts: Any) -> None:
    """One row per account with assess_accounts_frame's values: members spread over the
    partitions, an account without events, a reactivated one."""
    events, leads = accounts
    got = _accounts(events, leads, as_of=AS_OF, partitions=3)
    found = got.compute()
    expected = assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=leads)
    assert_same(found, expected, key="account_id")
    rows = found.set_index("account_id")
    assert rows.loc["B-04", "members"] == 4
    assert rows.loc["B-03", "reactivation_kind"] == "return_after_silence"


@pytest.mark.parametrize("as_of", [AS_OF, EARLIER], ids=["as_of", "earlier"])
def test_assess_accounts_dask_with_identities(
    client: Any, united_accounts: Any, as_of: Any
) -> None:
    """With identities (cookies, chains, an alias with a leads row of another account, a
    link after as_of) and anonymous visitors skipped: assess_accounts_frame's rows."""
    events, leads = united_accounts
    common: dict[str, Any] = {"as_of": as_of, "identities": IDENTITIES, "on_unknown": "ignore"}
    got = _accounts(events, leads, **common).compute()
    expected = assess_accounts_frame(events, MODEL, leads_df=leads, **common)
    assert_same(got, expected, key="account_id")
    ids = set(got["account_id"])
    assert "B-06" in ids  # cookie-late's: linked after as_of, a lead of its own
    assert "B-07" not in ids  # L-dup's: an alias by then, its row left out
    plain = assess_accounts_frame(events, MODEL, as_of=as_of, leads_df=leads, on_unknown="ignore")
    united = got.set_index("account_id")["engagement"]
    assert united["A0001"] > plain.set_index("account_id")["engagement"]["A0001"]  # cookies


def test_assess_accounts_dask_with_a_policy(client: Any, united_accounts: Any) -> None:
    """An ``accounts=`` override gives assess_accounts_frame's rows under it; it travels
    as plain data, not as a pickled AccountPolicy (nor a pickled model)."""
    import pickle

    events, leads = united_accounts
    common: dict[str, Any] = {"as_of": AS_OF, "identities": IDENTITIES, "on_unknown": "ignore"}
    lazy = _accounts(events, leads, accounts=POLICY, partitions=5, **common)
    expected = assess_accounts_frame(events, MODEL, leads_df=leads, accounts=POLICY, **common)
    got = lazy.compute()
    assert_same(got, expected, key="account_id")
    default = assess_accounts_frame(events, MODEL, leads_df=leads, **common)
    assert got.set_index("account_id")["score"].sort_index().tolist() != pytest.approx(
        default.set_index("account_id")["score"].sort_index().tolist()
    )
    graph = pickle.dumps(dict(lazy.__dask_graph__()))
    assert b"AccountPolicy" not in graph
    assert b"ScoringModel" not in graph


def test_assess_accounts_dask_unknown_leads(accounts: Any) -> None:
    """Events of a lead missing from the leads table raise UnknownLeadError at compute (the
    columnar engine's class), warn with UnknownLeadWarning and are skipped, or are skipped
    silently, as ``on_unknown`` says; the warning is issued where the bucket runs (here:
    the synchronous scheduler, in this process)."""
    import warnings

    import dask

    events, leads = accounts
    fewer = leads[leads["lead_id"] != "L0001"]  # a member of B-01
    with pytest.raises(UnknownLeadError, match="'L0001'"):
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=fewer)
    expected = assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=fewer,
                                     on_unknown="ignore")  # fmt: skip
    local = {"scheduler": "sync", "dataframe.shuffle.method": "tasks"}  # not the cluster's
    with dask.config.set(local):
        with pytest.raises(UnknownLeadError, match="'L0001'"):
            _accounts(events, fewer, as_of=AS_OF).compute()
        warned = _accounts(events, fewer, as_of=AS_OF, on_unknown="warn")
        with pytest.warns(UnknownLeadWarning, match="'L0001'"):
            found = warned.compute()
        assert_same(found, expected, key="account_id")
        quiet = _accounts(events, fewer, as_of=AS_OF, on_unknown="ignore")
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnknownLeadWarning)
            assert_same(quiet.compute(), expected, key="account_id")


def test_assess_accounts_dask_unknown_leads_raise_on_the_cluster(
    client: Any, accounts: Any
) -> None:
    """On the cluster too, the error reaches the caller as UnknownLeadError."""
    events, leads = accounts
    ev, ld = _frames(events, leads[leads["lead_id"] != "L0001"])
    with pytest.raises(UnknownLeadError):
        assess_accounts_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld).compute()


def test_assess_accounts_dask_meta_and_empty_buckets(client: Any, accounts: Any) -> None:
    """The meta (from the model alone) has the columns of assess_accounts_frame and the
    dtypes of every partition, empty buckets included."""
    from leadscoring.assessment.to_frame import ACCOUNT_COLUMNS

    events, leads = accounts
    lazy = _accounts(events, leads, as_of=AS_OF, partitions=16)
    assert list(lazy._meta.columns) == list(ACCOUNT_COLUMNS)
    parts = client.gather(client.compute(lazy.to_delayed()))
    assert any(len(part) == 0 for part in parts)
    for part in parts:
        assert part.dtypes.to_dict() == lazy._meta.dtypes.to_dict()
    kinds = lazy._meta.dtypes.astype(str).to_dict()
    assert kinds["members"] == kinds["priority"] == "int64"
    assert kinds["member_3_points"] == kinds["score"] == "float64"
    assert kinds["reactivated_at"] == "datetime64[us, UTC]"
    assert kinds["silence"] == "timedelta64[us]"


def test_assess_accounts_dask_lead_given_twice(client: Any, accounts: Any) -> None:
    """A lead id given twice (here: in two accounts) raises as the columnar engine does."""
    events, leads = accounts
    twice = pd.concat([leads, leads[leads["lead_id"] == "L0002"].assign(account_id="B-09")])
    with pytest.raises(InvalidInputError, match="'L0002' is given twice"):
        assess_accounts_frame(events, MODEL, as_of=AS_OF, leads_df=twice)
    with pytest.raises(InvalidInputError, match="'L0002' is given twice"):
        _accounts(events, twice, as_of=AS_OF).compute()


def test_assess_accounts_dask_bad_arguments(accounts: Any) -> None:
    """No leads table, one without account_id, a policy that is not one, percentile bands
    (they rank among all accounts, not a bucket's) are refused at the call, by name."""
    events, leads = accounts
    ev, ld = _frames(events, leads)
    with pytest.raises(InvalidValueError, match=r"leads_ddf.*account_id"):
        assess_accounts_dask(ev, MODEL, as_of=AS_OF, leads_ddf=None)
    with pytest.raises(InvalidValueError, match=r"leads_ddf.*account_id"):
        assess_accounts_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld.drop(columns=["account_id"]))
    bad: Any = {"score": "sum"}
    with pytest.raises(InvalidValueError, match="accounts"):
        assess_accounts_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld, accounts=bad)
    with pytest.raises(InvalidValueError, match="on_unknown"):
        assess_accounts_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld, on_unknown="skip")  # type: ignore[arg-type]
    bands = TemperatureClassifier(warm=50, hot=90, basis="percentile")
    with pytest.raises(InvalidValueError, match=r"accounts\.temperature.*percentile"):
        assess_accounts_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld,
                             accounts=AccountPolicy(temperature=bands))  # fmt: skip
    with pytest.raises(InvalidValueError, match=r"temperature.*percentile"):
        assess_dask(ev, MODEL, as_of=AS_OF, leads_ddf=ld, temperature=bands)
