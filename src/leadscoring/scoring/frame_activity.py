"""Activity and reactivations on tables: :func:`activity_frame` and :func:`reactivations_frame`.

The detection is :mod:`leadscoring.signals.activity_frame` (the rules of
:func:`~leadscoring.activity`, vectorised); this module reads the tables for it, and turns
what it finds into tables of the input's kind.

>>> import pandas as pd
>>> from datetime import UTC, datetime
>>> events = pd.DataFrame({"lead_id": ["L1"] * 4, "type": ["page_view"] * 4,
...     "at": pd.to_datetime(["2026-01-01", "2026-05-01", "2026-05-02", "2026-05-03"],
...                          utc=True)})
>>> table = activity_frame(events, as_of=datetime(2026, 5, 10, tzinfo=UTC))
>>> table[["lead_id", "state", "reactivation_kind"]].to_dict("records")
[{'lead_id': 'L1', 'state': 'reactivated', 'reactivation_kind': 'return_after_silence'}]
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..core.checks import FrameIds, OnUnknown, check_choice, check_moment, expect
from ..core.identity import Identities
from ..signals.dormancy import DormancyPolicy

if TYPE_CHECKING:
    import numpy as np

    from ..signals.activity_frame import Detected
    from .frame_input import FrameInput

    Array = np.ndarray[Any, Any]

__all__ = ["ActivityFound", "activity_frame", "detect_frame", "reactivations_frame"]

_DEFAULT_POLICY = DormancyPolicy()


@attrs.frozen(kw_only=True)
class ActivityFound:
    """The detector's findings on a :class:`~leadscoring.scoring.frame_input.FrameInput`.

    ``rows`` are the activity events (table positions) in processing order, ``lead`` and
    ``at`` theirs; per reactivation: ``back_lead`` (output row of its lead), ``back_at``,
    ``kind_values`` (codes into ``kind_names``); ``state`` holds the per-lead arrays of
    :func:`~leadscoring.signals.activity_frame.states` (empty when not asked for).
    """

    rows: Array
    lead: Array
    at: Array
    found: Detected
    back_lead: Array
    back_at: Array
    kind_values: Array
    kind_names: tuple[str, ...]
    state: dict[str, Any]


def detect_frame(
    frame: FrameInput, policy: DormancyPolicy, *, states: bool = True
) -> ActivityFound:
    """Run the vectorised detector on the counted rows of ``frame`` under ``policy``
    (``states=False``: the reactivations only, as scoring needs them)."""
    import numpy as np

    from ..signals.activity_frame import KINDS, detect, special_kinds
    from ..signals.activity_frame import states as lead_states

    rows = frame.ordered()
    types = frame.types
    active_type = np.array(
        [value not in policy.ignore_types for value in types.values] + [False], dtype=bool
    )
    rows = rows[active_type[types.codes[rows]]]
    lead, at = frame.lead_of[rows], frame.at[rows]
    intent_type = np.array(
        [value in policy.intent_types for value in types.values] + [False], dtype=bool
    )
    intent = intent_type[types.codes[rows]]
    if "category" in frame.events.columns and len(rows):
        category = frame.events.coded("category")
        wanted = [_member(value, policy.intent_categories) for value in category.values]
        intent &= np.array([*wanted, False], dtype=bool)[category.codes[rows]]
    else:
        intent &= False
    statuses, status_of, changed, unknown = frame.status_arrays()
    special = special_kinds(statuses, status_of, changed, unknown, lead, at)
    found = detect(lead, at, intent, special, policy, last=states)
    return ActivityFound(
        rows=rows, lead=lead, at=at, found=found,
        back_lead=lead[found.done], back_at=at[found.done], kind_values=found.kind,
        kind_names=tuple(k.value for k in KINDS),
        state=lead_states(len(frame.lead_ids), lead, at, found, frame.now, policy)
        if states else {},
    )  # fmt: skip


def _member(value: object, names: frozenset[str]) -> bool:
    """``value in names`` as the object path tests a property (unhashable: never)."""
    try:
        return value in names
    except TypeError:  # pragma: no cover - table cells are scalars
        return False


def _policy(policy: DormancyPolicy | None) -> DormancyPolicy:
    return _DEFAULT_POLICY if policy is None else expect(policy, DormancyPolicy, "policy")


def _frame(
    events_df: Any,
    leads_df: Any,
    as_of: datetime,
    on_unknown: OnUnknown,
    identities: Identities | None,
    ids: FrameIds,
) -> FrameInput:
    from .frame_input import FrameInput

    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    return FrameInput(
        events_df, leads_df, check_moment(as_of), on_unknown, identities=identities, ids=ids
    )


def times(us: Array, missing: Array, backend: str) -> Any:
    """Microseconds since the epoch as a UTC datetime column (nulls where ``missing``)."""
    import numpy as np

    values = np.where(missing, np.datetime64("NaT", "us"), us.astype("datetime64[us]"))
    if backend == "polars":
        import polars as pl

        return pl.Series(values).dt.replace_time_zone("UTC")
    import pandas as pd

    return pd.Series(values).dt.tz_localize("UTC")


def floats(values: Array, missing: Array, backend: str) -> Any:
    """Floats as a number column with nulls where ``missing`` (pandas: NaN; polars: null,
    not NaN), a number column even when every value is missing or there is none."""
    import numpy as np

    out = np.where(missing, np.nan, values.astype(np.float64))
    if backend == "polars":
        import polars as pl

        return pl.Series(out, dtype=pl.Float64).fill_nan(None)
    return out


def durations(us: Array, missing: Array, exact: dict[int, timedelta], backend: str) -> Any:
    """Microseconds as a duration column (nulls where ``missing``); values beyond what a
    64-bit column holds (``exact``, by position) make it a column of Python timedeltas."""
    import numpy as np

    if exact:
        values: list[timedelta | None] = [
            None if gone else exact.get(i, timedelta(microseconds=int(v)))
            for i, (v, gone) in enumerate(zip(us.tolist(), missing.tolist(), strict=True))
        ]
        if backend == "polars":
            import polars as pl

            return pl.Series(values, dtype=pl.Object)
        import pandas as pd

        return pd.Series(values, dtype=object)
    array = np.where(missing, np.timedelta64("NaT", "us"), us.astype("timedelta64[us]"))
    if backend == "polars":
        import polars as pl

        return pl.Series(array)
    import pandas as pd

    return pd.Series(array)


def backend_of(frame: FrameInput) -> str:
    """``"polars"`` for polars input, else ``"pandas"``."""
    return "polars" if frame.events.native_namespace().__name__.startswith("polars") else "pandas"


def activity_columns(frame: FrameInput, found: ActivityFound) -> dict[str, Any]:
    """The columns of :func:`activity_frame` (without ``lead_id``), per lead."""
    import numpy as np

    from ..signals.activity_frame import KINDS, STATES

    backend = backend_of(frame)
    s = found.state
    count = len(frame.lead_ids)
    last, latest = s["last"], s["latest"]
    no_activity, no_back = last < 0, latest < 0
    last_at = np.where(no_activity, 0, found.at[np.maximum(last, 0)] if len(found.at) else 0)
    exact = s["exact"]
    pick = np.maximum(latest, 0)
    has = len(found.found.done) > 0
    back_at = np.where(no_back, 0, found.back_at[pick] if has else 0)
    start = found.found.start[pick] if has else np.zeros(count, dtype=np.int64)
    silence = np.where(no_back, 0, (found.at[start] - found.at[start - 1]) if has else 0)
    state_names = np.array([x.value for x in STATES], dtype=object)
    kind_names = np.array([None, *(k.value for k in KINDS)], dtype=object)
    kind = np.where(no_back, 0, found.kind_values[pick] + 1 if has else 0)
    return {
        "as_of": times(np.full(count, frame.now, dtype=np.int64), np.zeros(count, bool), backend),
        "state": state_names[s["state"]].tolist(),
        "last_active_at": times(last_at, no_activity, backend),
        "dormant_since": times(last_at + np.where(s["dormant"], s["threshold"], 0),
                               ~s["dormant"], backend),
        "threshold": durations(s["threshold"], np.zeros(count, bool), exact, backend),
        "reactivations": s["count"],
        "reactivated_at": times(back_at, no_back, backend),
        "reactivation_kind": kind_names[kind].tolist(),
        "silence": durations(silence, no_back, {}, backend),
    }  # fmt: skip


def activity_frame(
    events_df: Any,
    *,
    as_of: datetime,
    leads_df: Any = None,
    policy: DormancyPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    identities: Identities | None = None,
    ids: FrameIds = "check",
) -> Any:
    """Every lead's activity at ``as_of``, as :func:`~leadscoring.activity_all` finds it:
    one row per lead (of ``leads_df``, or those the events name, as in
    :func:`~leadscoring.score_frame`), a table of the input's kind.

    Columns: ``lead_id``, ``as_of``, ``state`` (``new``, ``active``, ``dormant``,
    ``reactivated``), ``last_active_at``, ``dormant_since``, ``threshold`` (a duration),
    ``reactivations`` (how many), and the last reactivation's ``reactivated_at``,
    ``reactivation_kind`` and ``silence`` (nulls without one). ``leads_df`` gives the
    statuses (``status``, ``status_changed_at``) lost deals and customers return by.
    ``identities`` unite histories as in :func:`~leadscoring.score_frame` (an alias's
    rows are its lead's from its link on; an alias gets no row). ``ids`` (``"check"``,
    ``"unique"`` or ``"absent"``) says what the ``id`` column promises, as for
    :func:`~leadscoring.score_frame`.
    """
    policy = _policy(policy)
    frame = _frame(events_df, leads_df, as_of, on_unknown, identities, ids)
    found = frame.activity(policy)
    return frame.native({"lead_id": frame.lead_ids, **activity_columns(frame, found)})


def reactivations_frame(
    events_df: Any,
    *,
    as_of: datetime,
    leads_df: Any = None,
    policy: DormancyPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    identities: Identities | None = None,
    ids: FrameIds = "check",
) -> Any:
    """Every reactivation found up to ``as_of``, one row each (by lead, oldest first), as
    :attr:`Activity.reactivations <leadscoring.Activity.reactivations>` lists them.

    Columns: ``lead_id``, ``at``, ``kind``, ``silent_since``, ``silence`` (a duration),
    ``events`` and ``event_id`` (the completing event's id, null without one; an alias's
    event's id qualified by the alias, ``cookie-7/e1``). Arguments as in
    :func:`activity_frame`.
    """
    import numpy as np

    policy = _policy(policy)
    frame = _frame(events_df, leads_df, as_of, on_unknown, identities, ids)
    found = frame.activity(policy)
    backend = backend_of(frame)
    start, done = found.found.start, found.found.done
    none = np.zeros(len(start), dtype=bool)
    event_id = [frame.id_at(row) for row in found.rows[done].tolist()]
    lead_ids = np.array(frame.lead_ids, dtype=object)
    kinds = np.array(found.kind_names, dtype=object)
    return frame.native(
        {
            "lead_id": lead_ids[found.back_lead].tolist(),
            "at": times(found.back_at, none, backend),
            "kind": kinds[found.kind_values].tolist(),
            "silent_since": times(found.at[start - 1] if len(start) else start, none, backend),
            "silence": durations(
                found.at[start] - found.at[start - 1] if len(start) else start, none, {}, backend
            ),
            "events": done - start + 1,
            "event_id": event_id,
        }
    )
