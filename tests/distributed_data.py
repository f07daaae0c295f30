"""Small events and leads tables shared by the Dask and Spark tests (the sample's, its
cookies', identities, accounts), and the comparison of a distributed result with the
single-process columnar engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from leadscoring import AccountPolicy, Event, Identity, IdentityMap, TemperatureClassifier
from leadscoring.examples import default_model, sample_dataset

DATA = sample_dataset(seed=3, n_leads=30)
MODEL = default_model()
AS_OF = DATA.as_of


def events_table() -> pd.DataFrame:
    """The sample's events as a pandas table (UTC times, properties as columns)."""
    return _table(DATA.events)


def _table(events: Iterable[Event]) -> pd.DataFrame:
    """Events as a pandas table (UTC times, properties as columns)."""
    table = pd.DataFrame(
        [{"lead_id": e.lead_id, "type": e.type, "at": e.at, "id": e.id, **e.properties}
         for e in events]
    )  # fmt: skip
    table["at"] = pd.to_datetime(table["at"], utc=True).astype("datetime64[us, UTC]")
    return table


def leads_table() -> pd.DataFrame:
    """The sample's leads as a pandas table, plus two leads without any events."""
    rows = [
        {"lead_id": x.id, "status": x.status.value, "status_changed_at": x.status_changed_at,
         **x.attributes}
        for x in DATA.leads
    ]  # fmt: skip
    rows.append({"lead_id": "Q-silent-1", "status": "open", "industry": "manufacturing"})
    rows.append({"lead_id": "Q-silent-2", "status": "won", "status_changed_at": AS_OF})
    leads = pd.DataFrame(rows)
    leads["status_changed_at"] = pd.to_datetime(leads["status_changed_at"], utc=True).astype(
        "datetime64[us, UTC]"
    )
    return leads


def assert_same(got: pd.DataFrame, expected: pd.DataFrame, key: str = "lead_id") -> None:
    """``got`` equals ``expected`` row for row after sorting both by ``key``: the same
    columns in the same order, numbers within 1e-9 (in a column of numbers and nulls too),
    labels and times exactly."""
    assert list(got.columns) == list(expected.columns)
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert len(got) == len(expected)
    for name in expected.columns:
        left, right = got[name], expected[name]
        if pd.api.types.is_float_dtype(right.dtype):
            assert ((left - right).abs().fillna(0) <= 1e-9).all(), name
            assert (left.isna() == right.isna()).all(), name
        else:
            mine, theirs = _cells(left), _cells(right)
            assert [_rounded(v) for v in mine] == [_rounded(v) for v in theirs], name
            for a, b in zip(mine, theirs, strict=True):
                if isinstance(b, float):
                    assert abs(a - b) <= 1e-9, name


def _cells(series: pd.Series) -> list[Any]:
    """A column's cells as plain values, nulls as ``None``."""
    return [None if pd.isna(v) else v for v in series.astype(object).tolist()]


def _rounded(value: Any) -> Any:
    """A float as a placeholder (compared within 1e-9 on its own), anything else as it is."""
    return "<float>" if isinstance(value, float) else value


# --- identities ----------------------------------------------------------------------------

DAY = timedelta(days=1)
EARLIER = AS_OF - 10 * DAY
"""A second moment: some links are after it (their aliases still visitors of their own),
one chain is resolved only half-way, and the events after it are not counted."""

EXTRA_LINKS = (
    # linked after AS_OF: at both moments cookie-late is a visitor (a lead) of its own
    Identity(alias="cookie-late", lead_id="L0001", at=AS_OF + DAY),
    # a duplicate record: its leads row is left out, its events are L0002's
    Identity(alias="L-dup", lead_id="L0002", at=AS_OF - 20 * DAY),
    # a chain: at EARLIER only device-1 -> cookie-mid counts (cookie-mid is a visitor)
    Identity(alias="device-1", lead_id="cookie-mid", at=AS_OF - 20 * DAY),
    Identity(alias="cookie-mid", lead_id="L0003", at=AS_OF - 5 * DAY),
    # L0004 already has "cookie-x/e1", a copy of cookie-x's "e1": counted once once linked
    Identity(alias="cookie-x", lead_id="L0004", at=AS_OF - 30 * DAY),
    # a lead named only through its alias's events (no events, no leads row of its own)
    Identity(alias="ghost-cookie", lead_id="L-new", at=AS_OF - 40 * DAY),
)
IDENTITIES = IdentityMap([*DATA.identities, *EXTRA_LINKS])


def _visit(lead_id: str, at: datetime, event_id: str, category: str = "pricing") -> Event:
    return Event(lead_id=lead_id, type="page_view", at=at, id=event_id,
                 properties={"category": category, "url": f"/{category}"})  # fmt: skip


EXTRA_EVENTS = (
    _visit("cookie-late", AS_OF - 40 * DAY, "e1"),
    _visit("cookie-late", AS_OF - 2 * DAY, "e2"),
    _visit("L-dup", AS_OF - 25 * DAY, "e1"),
    _visit("L-dup", AS_OF - 1 * DAY, "e2", "service"),
    _visit("device-1", AS_OF - 30 * DAY, "d1"),
    _visit("device-1", AS_OF - 12 * DAY, "d2"),
    _visit("cookie-mid", AS_OF - 15 * DAY, "m1", "case_study"),
    _visit("cookie-mid", AS_OF - 3 * DAY, "m2"),
    _visit("cookie-x", AS_OF - 50 * DAY, "e1"),
    _visit("L0004", AS_OF - 50 * DAY, "cookie-x/e1"),  # the same event, given qualified
    _visit("cookie-x", AS_OF - 4 * DAY, "e2", "blog"),
    _visit("ghost-cookie", AS_OF - 60 * DAY, "g1"),
    _visit("ghost-cookie", AS_OF - 11 * DAY, "g2"),
)


def identity_events_table() -> pd.DataFrame:
    """The sample's events, its cookies' events (linked and anonymous) and the events of
    the aliases of :data:`EXTRA_LINKS`, as one pandas table."""
    every = [*DATA.events, *DATA.cookie_events, *DATA.anonymous_events, *EXTRA_EVENTS]
    return _table(every)


def identity_leads_table() -> pd.DataFrame:
    """:func:`leads_table` plus a row for ``cookie-late`` (a lead of its own until its
    link) and one for ``L-dup`` (an alias of L0002 by then: its row is left out)."""
    leads = leads_table()
    extra = pd.DataFrame(
        {"lead_id": ["cookie-late", "L-dup"], "status": ["open", "open"],
         "industry": ["it", "retail"]}
    )  # fmt: skip
    out = pd.concat([leads, extra], ignore_index=True)
    out["status_changed_at"] = out["status_changed_at"].astype("datetime64[us, UTC]")
    return out


# --- accounts ------------------------------------------------------------------------------

EXTRA_ACCOUNTS = {
    # L0019 with its cookie's browsing, L0002 with L-dup's events
    "L0001": "B-01", "L0002": "B-01", "L0019": "B-01",
    # L0003 (a chain of aliases) and L0004 (cookie-x) with a won lead without events
    "L0003": "B-02", "L0004": "B-02", "Q-silent-2": "B-02",
    "Q-silent-1": "B-03",  # an account without any events
    "L0005": "B-04", "L0006": "B-04", "L0007": "B-04", "L0008": "B-04",  # more than top 3
    "L0027": "B-05", "L0010": "B-05",  # L0027 has a cookie
    "cookie-late": "B-06",  # a lead of its own (linked after AS_OF)
    "L-dup": "B-07",  # an alias by then: its row is left out, and the account with it
}  # fmt: skip
"""Accounts beside the sample's (A0001, A0002): members of the sample's leads, of the
leads of :func:`leads_table` without events and of those :func:`identity_leads_table`
adds."""

_ROLES = ("decision_maker", "champion", "user", None)


def with_accounts(leads: pd.DataFrame) -> pd.DataFrame:
    """``leads`` with an ``account_id`` column (the sample's accounts and
    :data:`EXTRA_ACCOUNTS`; ``None`` for a lead of no account) and a ``buying_role`` (the
    model's ``role_attribute``) for the members of the extra accounts."""
    sample = {x.id: x.account_id for x in DATA.leads if x.account_id is not None}
    accounts = {**sample, **EXTRA_ACCOUNTS}
    out = leads.copy()
    out["account_id"] = pd.Series(
        [accounts.get(v) for v in out["lead_id"]], index=out.index, dtype=object
    )
    roles = out["buying_role"].astype(object).where(out["buying_role"].notna(), None).tolist()
    for index, lead_id in enumerate(out["lead_id"]):
        if lead_id in EXTRA_ACCOUNTS:
            roles[index] = _ROLES[index % len(_ROLES)]
    out["buying_role"] = pd.Series(roles, index=out.index, dtype=object)
    return out


RETURN_EVENTS = (
    _visit("Q-silent-1", AS_OF - 170 * DAY, "r1", "blog"),
    _visit("Q-silent-1", AS_OF - 160 * DAY, "r2", "blog"),
    _visit("Q-silent-1", AS_OF - 150 * DAY, "r3", "product"),
    # after 143 silent days, three visits within 14 days: the account B-03 is back
    _visit("Q-silent-1", AS_OF - 7 * DAY, "r4"),
    _visit("Q-silent-1", AS_OF - 5 * DAY, "r5", "service"),
    _visit("Q-silent-1", AS_OF - 3 * DAY, "r6"),
)


def account_tables(*, identities: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and leads of accounts: :func:`events_table` and :func:`leads_table` (or
    their ``identity_`` versions) with the accounts of :func:`with_accounts`, and the
    return of the account B-03 from a long silence."""
    events = identity_events_table() if identities else events_table()
    leads = identity_leads_table() if identities else leads_table()
    events = pd.concat([events, _table(RETURN_EVENTS)], ignore_index=True)
    return events, with_accounts(leads)


POLICY = AccountPolicy(
    score="top_k_mean", top_k=2, engagement_cap=40.0, role_attribute="buying_role",
    role_weights={"decision_maker": 2.0, "champion": 1.5, "user": 0.5}, min_engaged=1,
    temperature=TemperatureClassifier(warm=25, hot=45), priority={"B": {"warm": 1}},
)  # fmt: skip
"""An ``accounts=`` override: another score, cap, weights, bands and priority grid."""
