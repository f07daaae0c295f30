"""Small events and leads tables shared by the Dask and Spark tests, and the comparison
of a distributed result with the single-process columnar engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from leadscoring import Event, Identity, IdentityMap
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


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """``got`` equals ``expected`` row for row after sorting both by lead id: the same
    columns in the same order, numbers within 1e-9, labels and times exactly."""
    assert list(got.columns) == list(expected.columns)
    got = got.sort_values("lead_id").reset_index(drop=True)
    expected = expected.sort_values("lead_id").reset_index(drop=True)
    assert len(got) == len(expected)
    for name in expected.columns:
        left, right = got[name], expected[name]
        if pd.api.types.is_float_dtype(right.dtype):
            assert ((left - right).abs().fillna(0) <= 1e-9).all(), name
            assert (left.isna() == right.isna()).all(), name
        else:
            assert _cells(left) == _cells(right), name


def _cells(series: pd.Series) -> list[Any]:
    """A column's cells as plain values, nulls as ``None``."""
    return [None if pd.isna(v) else v for v in series.astype(object).tolist()]


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
