"""What the Dask and Spark adapters share: the model as text, the per-process model cache,
the output columns derived from the model, and the call of the columnar engine on one
bucket of leads.

The model travels to the workers as its JSON text (:func:`model_text`), never as a pickle
of its compiled form; :func:`model_of` reads and compiles it once per process (a cache by
text). :func:`output_columns` finds the result's columns by running the columnar engine
on one lead without events, on the driver, without touching the distributed data; each
column's type follows from its name (:func:`column_kind`), so the Dask ``meta`` and the
Spark schema are fixed before anything runs.

Both adapters bucket a lead by :func:`~leadscoring.core.partition.partition_of` of its
id (:func:`buckets`; Spark computes the same CRC-32 in the JVM). With ``identities=``, the
links are resolved on the driver to plain data, each alias linked by ``as_of`` → its lead
(:func:`check_roots`: what the columnar engine resolves them to), and the events' lead
and event ids are re-keyed before the shuffle by the columnar engine's own functions
(:func:`resolved`), so an alias's rows land in its lead's bucket; a bucket's leads table
loses the rows of aliases there (:func:`run_bucket`).

Accounts (kind ``"accounts"``) are bucketed by :func:`partition_of` of the account id
instead: each event row is first given its lead's account (:func:`lead_accounts` reads
the leads' ids and accounts as the columnar engine reads them), then every row of an
account lands in one bucket. The account policy travels as JSON text too
(:func:`policy_text`, :func:`policy_of`), and the result's columns are
:data:`~leadscoring.assessment.to_frame.ACCOUNT_COLUMNS` (:func:`account_kind`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from ..assessment.accounts import check_policy
from ..assessment.to_frame import ACCOUNT_COLUMNS
from ..core.errors import InvalidInputError, InvalidValueError
from ..core.identity import check_identities
from ..core.partition import partition_of
from ..model.config import model_to_text, parse_model_text
from ..model.scoring_model import ScoringModel
from ..stages.accounts import AccountPolicy
from ..stages.classifiers import TemperatureClassifier

__all__ = [
    "BUCKET",
    "Kind",
    "account_kind",
    "buckets",
    "check_bands",
    "check_partitions",
    "check_previous",
    "check_roots",
    "column_kind",
    "conform",
    "lead_accounts",
    "model_of",
    "model_text",
    "output_columns",
    "pandas_meta",
    "policy_of",
    "policy_text",
    "resolve_events",
    "resolved",
    "run_bucket",
]

Kind = Literal["score", "assess", "activity", "accounts"]
"""Which columnar function a distributed call runs."""

BUCKET = "__leadscoring_bucket__"
"""The helper column holding a row's bucket (a stable hash of its lead id)."""

_TEXT = frozenset(
    {"lead_id", "temperature", "journey", "grade", "activity", "action", "top_product",
     "interest_pattern", "buyer", "participation", "state", "reactivation_kind",
     "reason_1", "reason_2", "reason_3"}
)  # fmt: skip
_WHOLE = frozenset({"priority", "reactivations"})
_TIMES = frozenset({"as_of", "last_active_at", "dormant_since", "reactivated_at"})
_DURATIONS = frozenset({"threshold", "silence"})
_ACCOUNT_TEXT = frozenset({"account_id", "missing_roles", "member_1", "member_2", "member_3"})
_ACCOUNT_WHOLE = frozenset({"members", "engaged_members"})


def _modules() -> None:
    """Raise a clear ImportError when the ``frames`` extra is missing."""
    try:
        import narwhals  # noqa: F401
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extras pull them in
        raise ImportError(
            f"the distributed functions need the optional 'frames' extra ({exc.name} is "
            "missing): pip install 'leadscoring[frames]'"
        ) from exc


def model_text(model: ScoringModel) -> str:
    """The model as the JSON text that travels to the workers."""
    return model_to_text(model, "json")


@functools.lru_cache(maxsize=16)
def model_of(text: str) -> ScoringModel:
    """The model of ``text``, read and compiled once per process (later calls: cached)."""
    from ..scoring.compiled import compile_model

    model = parse_model_text(text, "json")
    compile_model(model)
    return model


def column_kind(name: str) -> str:
    """The type of one output column, from its name: ``text``, ``whole``, ``bool``,
    ``time``, ``duration`` or ``float``."""
    if name in _TEXT:
        return "text"
    if name in _WHOLE:
        return "whole"
    if name in _TIMES:
        return "time"
    if name in _DURATIONS:
        return "duration"
    if name.startswith("segment."):
        return "bool"
    return "float"


def account_kind(name: str) -> str:
    """The type of one column of an account row (:func:`column_kind`'s kinds): the member
    ids and ``missing_roles`` are text, the member counts whole numbers, the rest as in a
    lead's row (``member_<n>_points`` floats)."""
    if name in _ACCOUNT_TEXT:
        return "text"
    if name in _ACCOUNT_WHOLE:
        return "whole"
    return column_kind(name)


def check_partitions(value: object, field: str = "partitions") -> int | None:
    """``None`` or a positive int: how many buckets the leads are shuffled into."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidValueError(
            field, f"must be a positive int (the number of lead buckets) or None, got {value!r}"
        )
    return value


def check_previous(value: object, frame_kind: str) -> Any:
    """``previous`` as the workers get it: ``None``, a mapping or a pandas/polars table
    (sent to every worker as it is); a distributed frame is refused with the fix."""
    if value is None or isinstance(value, Mapping):
        return value
    module = type(value).__module__
    if module.startswith(("dask", "pyspark")):
        raise InvalidValueError(
            "previous",
            f"a {frame_kind} DataFrame is not accepted; pass last run's temperatures as a "
            "mapping lead id -> temperature (or a pandas table with lead_id and temperature), "
            "e.g. dict(zip(last['lead_id'], last['temperature'])) after collecting it",
        )
    return value


def check_bands(classifier: object, field: str, what: str) -> None:
    """Refuse percentile temperature bands: they rank each lead (account) among all of
    them, and a distributed call classifies one bucket at a time, so the ranks would be
    among that bucket's only (not the single process's numbers)."""
    if isinstance(classifier, TemperatureClassifier) and classifier.basis == "percentile":
        raise InvalidValueError(
            field,
            f"percentile temperature bands rank each {what} among all {what}s, but the "
            f"distributed functions classify one bucket of {what}s at a time; use points "
            "bands (basis='points'), or the single-process function",
        )


def policy_text(accounts: object, model: ScoringModel) -> str:
    """The account policy of a call (``accounts``, or the model's own) as the JSON text of
    :meth:`AccountPolicy.to_dict <leadscoring.AccountPolicy.to_dict>` that travels to the
    workers; percentile bands are refused (:func:`check_bands`)."""
    policy = check_policy(accounts, model)
    if policy.temperature is None:
        check_bands(model.temperature, "model.temperature", "account")
    else:
        field = "accounts" if accounts is not None else "model.accounts"
        check_bands(policy.temperature, f"{field}.temperature", "account")
    return json.dumps(policy.to_dict(), sort_keys=True)


@functools.lru_cache(maxsize=16)
def policy_of(text: str) -> AccountPolicy:
    """The :class:`~leadscoring.AccountPolicy` of :func:`policy_text`'s ``text`` (cached)."""
    return AccountPolicy.from_dict(json.loads(text))


def check_roots(identities: object, as_of: datetime) -> dict[str, str]:
    """``identities`` (what ``score_frame(identities=...)`` takes) as the workers get them:
    every alias linked by ``as_of`` → its lead at the end of the chain
    (:meth:`~leadscoring.IdentityMap.roots`, what the columnar engine resolves the links
    to), a plain ``dict`` of text; empty without links. A link whose ``at`` is after
    ``as_of`` is not in it: that alias is still a visitor of its own."""
    links = check_identities(identities)
    return {} if links is None else links.roots(as_of)


def buckets(lead_ids: Any, n: int) -> Any:
    """Each row's bucket (an int64 array): :func:`partition_of` of its lead id as text
    (an integer id as its digits, as the engine reads it; a missing one: bucket 0),
    computed once per distinct id."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(lead_ids, dtype=object).to_numpy())
    found = np.asarray([partition_of(str(v), n) for v in uniques.tolist()] + [0], dtype=np.int64)
    return found[codes]


def _cells(column: Any) -> Any:
    """A coded column back to its cells: an object array, ``None`` where missing."""
    import numpy as np

    values = np.empty(len(column.values) + 1, dtype=object)
    values[: len(column.values)] = column.values
    values[-1] = None
    return values[column.codes]


def resolved(lead_ids: Any, ids: Any, roots: Mapping[str, str], source: str) -> tuple[Any, Any]:
    """The lead id and event id of each row (two object arrays, the second ``None``
    without ids) once the aliases of ``roots`` are their leads': the columnar engine's
    own re-keying (:func:`~leadscoring.scoring.frame_identities.rekey` and
    :func:`~leadscoring.scoring.frame_identities.qualify_ids`, the ids of an alias's rows
    qualified by it, ``cookie-7/e1``), on the ids read as text as the engine reads them.
    ``lead_ids`` and ``ids`` are the columns of one partition (any sequences); bad cells
    raise :class:`~leadscoring.InvalidInputError` naming ``source``."""
    import pandas as pd

    from ..scoring.frame_columns import Table
    from ..scoring.frame_identities import qualify_ids, rekey

    columns = {"lead_id": pd.Series(lead_ids, dtype=object).to_numpy()}
    if ids is not None:
        columns["id"] = pd.Series(ids, dtype=object).to_numpy()
    table = Table(pd.DataFrame(columns), source)
    sources = table.text("lead_id", required=True)
    lead_col, moved = rekey(sources, roots)
    if ids is None:
        return _cells(lead_col), None
    id_col = table.text("id", required=False)
    if moved is not None:
        id_col = qualify_ids(id_col, sources, moved)
    return _cells(lead_col), _cells(id_col)


def lead_accounts(keys: Any, source: str) -> tuple[Any, Any]:
    """The lead id and the account of each row of a leads table (or of a part of it holding
    every row of its lead ids): two object arrays of text, the account ``None`` where the
    lead has none, both read as the columnar engine reads them (integers as their
    digits; a bad cell raises :class:`~leadscoring.InvalidInputError` naming ``source``).
    A lead id given twice raises as the engine raises it."""
    import numpy as np

    from ..scoring.frame_columns import Table

    table = Table(keys, source)
    given = table.text("lead_id", required=True)
    if len(given.values) != table.rows:
        counts = np.bincount(given.codes, minlength=len(given.values))
        twice = given.values[int(np.argmax(counts))]
        raise InvalidInputError(
            f"lead id {twice!r} is given twice", source=source, column="lead_id"
        )
    return _cells(given), _cells(table.text("account_id", required=False))


def resolve_events(part: Any, roots: Mapping[str, str], source: str) -> Any:
    """One pandas partition of events with its ``lead_id`` and ``id`` columns as
    :func:`resolved` gives them (object columns of text)."""
    has_ids = "id" in part.columns
    lead_ids, ids = resolved(part["lead_id"], part["id"] if has_ids else None, roots, source)
    found = part.assign(lead_id=lead_ids)
    return found.assign(id=ids) if has_ids else found


def _kept(leads: Any, roots: Mapping[str, str], source: str) -> Any:
    """A pandas leads table without the rows of aliases of ``roots`` (their history is
    their lead's), through the columnar engine's own
    :func:`~leadscoring.scoring.frame_identities.kept_leads`."""
    from ..scoring.frame_columns import Table
    from ..scoring.frame_identities import kept_leads

    table = Table(leads, source)
    kept = kept_leads(table, table.text("lead_id", required=True), roots)
    return leads if kept is table else kept.frame.to_native().reset_index(drop=True)


def _call(
    kind: Kind,
    text: str | None,
    events: Any,
    leads: Any,
    as_of: datetime,
    options: Mapping[str, Any],
) -> Any:
    """One call of the columnar engine on pandas tables."""
    if kind == "accounts":
        from ..assessment.accounts_frame import assess_accounts_frame

        if text is None:  # pragma: no cover - the accounts are given the model
            raise InvalidValueError("model", "accounts need a model")
        policy = policy_of(options["accounts"])
        return assess_accounts_frame(events, model_of(text), as_of=as_of, leads_df=leads,
                                     accounts=policy, on_unknown=options["on_unknown"])  # fmt: skip
    if kind == "activity":
        from ..scoring.frame_activity import activity_frame

        return activity_frame(events, as_of=as_of, leads_df=leads, **options)
    if text is None:  # pragma: no cover - every kind but activity is given the model
        raise InvalidValueError("model", f"{kind} needs a model")
    model = model_of(text)
    if kind == "score":
        from ..scoring.frame import score_frame

        return score_frame(events, model, as_of=as_of, leads_df=leads, **options)
    from ..assessment.frame import assess_frame

    return assess_frame(events, model, as_of=as_of, leads_df=leads, **options)


def output_columns(
    kind: Kind, text: str | None, as_of: datetime, options: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """The result's columns and their kinds (see :func:`column_kind`), from the model and
    the options alone: the engine is run on one lead without events, on the driver (an
    account row has fixed columns, :data:`ACCOUNT_COLUMNS`)."""
    _modules()
    import pandas as pd

    if kind == "accounts":
        return [(name, account_kind(name)) for name in ACCOUNT_COLUMNS]

    events = pd.DataFrame(
        {
            "lead_id": pd.Series([], dtype=object),
            "type": pd.Series([], dtype=object),
            "at": pd.Series([], dtype="datetime64[us, UTC]"),
        }
    )
    leads = pd.DataFrame({"lead_id": ["-"]})
    out = _call(kind, text, events, leads, as_of, {**options, "on_unknown": "ignore"})
    return [(str(name), column_kind(str(name))) for name in out.columns]


def _dtype(kind: str) -> Any:
    """The pandas dtype of a column kind (text: what pandas infers for strings)."""
    import pandas as pd

    return {
        "text": pd.Series(["a"]).dtype,
        "whole": "int64",
        "bool": "bool",
        "time": "datetime64[us, UTC]",
        "duration": "timedelta64[us]",
        "float": "float64",
    }[kind]


def pandas_meta(columns: list[tuple[str, str]]) -> Any:
    """An empty pandas table with the result's columns and dtypes (the Dask ``meta``)."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series([], dtype=_dtype(kind)) for name, kind in columns})


def conform(out: Any, columns: list[tuple[str, str]]) -> Any:
    """``out`` with exactly the declared columns and dtypes (an engine result on few or no
    rows may infer other dtypes, e.g. an all-null text column as object)."""
    import pandas as pd

    data: dict[str, Any] = {}
    for name, kind in columns:
        series = out[name]
        dtype = _dtype(kind)
        if kind == "text" and str(dtype) == "object":
            data[name] = series.astype(object).where(series.notna(), None)
        elif kind == "float":
            data[name] = pd.to_numeric(series, errors="raise").astype("float64")
        elif series.dtype != dtype:
            data[name] = series.astype(dtype)
        else:
            data[name] = series
    return pd.DataFrame(data, index=pd.RangeIndex(len(out)))


def run_bucket(
    kind: Kind,
    text: str | None,
    events: Any,
    leads: Any,
    as_of: datetime,
    options: Mapping[str, Any],
    columns: list[tuple[str, str]],
    roots: Mapping[str, str] | None = None,
) -> Any:
    """The columnar engine on one bucket of leads (pandas tables, the bucket column
    dropped; the events' ids already :func:`resolved`, the leads table's rows of the
    aliases of ``roots`` left out here); a bucket without leads gives the empty result."""
    events = events.drop(columns=[BUCKET], errors="ignore").reset_index(drop=True)
    if leads is not None:
        leads = leads.drop(columns=[BUCKET], errors="ignore").reset_index(drop=True)
        if roots and len(leads):
            leads = _kept(leads, roots, "leads_df")
    if len(events) == 0 and (leads is None or len(leads) == 0):
        return pandas_meta(columns)
    out = _call(kind, text, events, leads, as_of, options)
    return conform(out, columns)
