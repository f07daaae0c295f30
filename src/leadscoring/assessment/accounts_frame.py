"""Accounts on tables: :func:`assess_accounts_frame`.

:func:`assess_accounts_frame` is :func:`~leadscoring.assess_accounts` for an events table
and a leads table with an ``account_id`` column: one row per account, ranked the same way,
with the numbers and labels of the object path. Nothing about scoring is decided here:

- the members are scored by :func:`~leadscoring.score_frame`'s engine (caps, limits and
  event ids stay per person), after ``identities=`` united their histories;
- the account's activity is the vectorised detector's
  (:func:`~leadscoring.activity_frame`'s) on the members' rows re-keyed to their account,
  each event id qualified by its member (:func:`~leadscoring.core.identity.source_id`), with
  the status :func:`~leadscoring.assessment.accounts.account_lead` gives the account;
- each account is made by the one roll-up every engine shares
  (:func:`~leadscoring.assessment.accounts.account_assessment`), and becomes a row by the
  one row builder :func:`~leadscoring.to_frame` uses for a list of
  :class:`~leadscoring.AccountAssessment` (:func:`~leadscoring.assessment.to_frame.account_row`).

>>> import pandas as pd
>>> from datetime import UTC, datetime
>>> model = ScoringModel(name="m", rules=[EventRule(name="visit", when={"type": "page_view"},
...                      points=10)])
>>> events = pd.DataFrame({"lead_id": ["ann", "bob", "cy"], "type": ["page_view"] * 3,
...     "at": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-05-01"], utc=True)})
>>> leads = pd.DataFrame({"lead_id": ["ann", "bob", "cy"], "account_id": ["acme", "acme", None],
...                       "role": ["champion", "user", None]})
>>> table = assess_accounts_frame(events, model, as_of=datetime(2026, 5, 2, tzinfo=UTC),
...                               leads_df=leads)
>>> columns = ["account_id", "score", "engaged_members", "member_1", "missing_roles"]
>>> table[columns].to_dict("records")
[{'account_id': 'acme', 'score': 20.0, 'engaged_members': 2, 'member_1': 'ann', \
'missing_roles': 'decision_maker, influencer'}]
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.checks import FrameIds, OnUnknown, check_choice, check_moment
from ..core.errors import InvalidInputError, InvalidValueError
from ..core.identity import Identities
from ..core.lead import LeadStatus
from ..core.times import from_us
from ..model.scoring_model import ScoringModel, check_model
from ..signals.activity import Activity, Reactivation
from ..stages.accounts import AccountPolicy
from .accounts import (
    AccountAssessment,
    AccountMember,
    account_assessment,
    account_numbers,
    check_policy,
    population_of,
    rank_accounts,
)
from .to_frame import ACCOUNT_COLUMNS, Backend, account_row, table_of

if TYPE_CHECKING:
    import numpy as np

    from ..scoring.frame_activity import ActivityFound
    from ..scoring.frame_columns import Coded, Table
    from ..scoring.frame_input import FrameInput

    Array = np.ndarray[Any, Any]

__all__ = ["assess_accounts_frame"]

_ACCOUNT_ID = "account_id"
_ROLE_COLUMNS = ("lead_id", "status", "status_changed_at", "account_id")
"""Columns of a leads table that are no attributes (a role is never read from them)."""


def assess_accounts_frame(
    events_df: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_df: Any,
    identities: Identities | None = None,
    accounts: AccountPolicy | None = None,
    on_unknown: OnUnknown = "raise",
    ids: FrameIds = "check",
) -> Any:
    """:func:`~leadscoring.assess_accounts` on tables: one row per ``account_id`` of
    ``leads_df``, ranked by priority, then score (highest first), then account id; a
    table of the input's kind (pandas or polars).

    ``events_df`` and ``leads_df`` are read as :func:`~leadscoring.score_frame` reads them;
    ``leads_df`` is required and needs an ``account_id`` column (a lead whose cell is null
    belongs to no account, and is no account). The role of a member is the leads table's
    column named by the policy's ``role_attribute``. ``accounts`` overrides the model's
    :class:`~leadscoring.AccountPolicy`; ``identities`` unite histories first, and events
    of unknown leads are refused, warned about or skipped as ``on_unknown`` says, as in
    :func:`~leadscoring.assess_frame`. ``ids`` (``"check"``, ``"unique"`` or ``"absent"``)
    says what the ``id`` column promises, as for :func:`~leadscoring.score_frame`.

    The values are those of :func:`~leadscoring.assess_accounts` on the same data (labels
    exactly, numbers to floating-point rounding), and the columns those of
    :func:`~leadscoring.to_frame` on its result: ``account_id``, ``as_of``, ``priority``,
    ``score``, ``fit``, ``engagement``, ``temperature``, ``grade``, ``activity`` (the
    account's activity state), ``members``, ``engaged_members``, ``role_coverage``,
    ``missing_roles`` (one text, heaviest role first, joined by ``", "``; ``""`` when none
    is missing), ``member_1`` ... ``member_3`` (the best members by total) with
    ``member_<n>_points`` (their totals), ``reason_1`` ... ``reason_3`` with
    ``reason_<n>_points`` (the rules that moved the members' scores most, summed over the
    members), then the account's ``last_active_at``, ``dormant_since``, ``threshold``,
    ``reactivations``, ``reactivated_at``, ``reactivation_kind`` and ``silence`` (as
    :func:`~leadscoring.activity_frame` names them). Nulls where there are fewer members or
    reasons, or no reactivation.
    """
    from ..scoring.frame_activity import backend_of
    from ..scoring.frame_input import FrameInput, _modules

    _modules()
    model = check_model(model)
    policy = check_policy(accounts, model)
    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    moment = check_moment(as_of)
    if leads_df is None:
        raise InvalidValueError(
            "leads_df", "expected a leads table with an 'account_id' column, got None"
        )
    frame = FrameInput(events_df, leads_df, moment, on_unknown, identities=identities, ids=ids)
    ranked = _assess(frame, model, policy)
    backend: Backend = "polars" if backend_of(frame) == "polars" else "pandas"
    out = table_of([account_row(a) for a in ranked], backend, ACCOUNT_COLUMNS)
    space = frame.events.native_namespace()
    if space.__name__.startswith("pyarrow"):  # a pyarrow Table in, a pyarrow Table out
        from ..scoring.frame_columns import native_table

        return native_table(space, {name: out[name] for name in out.columns})
    return out


def _assess(
    frame: FrameInput, model: ScoringModel, policy: AccountPolicy
) -> list[AccountAssessment]:
    """Every account of ``frame``'s leads, assessed and ranked."""
    import numpy as np

    from ..scoring.compiled import compile_model
    from ..scoring.frame import frame_scores

    leads = frame.leads
    if leads is None:  # pragma: no cover - leads_df is required
        raise InvalidValueError("leads_df", "expected a leads table")
    account = _accounts(leads)
    names = list(account.values)
    if not names:
        return []
    compiled = compile_model(model)
    numbers = frame_scores(frame, compiled)
    rules = [cr.name for cr in compiled.rules]
    # by rule, summed over each account's members in the leads' order (as the object
    # path adds them: ufunc.at adds one row at a time, in order)
    codes = account.codes
    mine = np.flatnonzero(codes >= 0)
    sums = np.zeros((len(names), len(rules)), dtype=np.float64)
    if rules:
        points = np.column_stack([numbers[f"by_rule.{rule}"] for rule in rules])
        np.add.at(sums, codes[mine], points[mine])
    members = _members(frame, leads, policy, numbers, mine, codes, len(names))
    found = _activities(frame, model, account, mine)
    population = population_of((account_numbers(m, policy) for m in members), model, policy)
    return rank_accounts(
        account_assessment(
            names[a], frame.moment, members[a], dict(zip(rules, sums[a].tolist(), strict=True)),
            found[a], model, policy, population,
        )
        for a in range(len(names))
    )  # fmt: skip


def _accounts(leads: Table) -> Coded:
    """Each lead's account (codes into the account ids, in order of first appearance;
    ``-1``: none); a missing ``account_id`` column raises, naming the column."""
    if _ACCOUNT_ID not in leads.columns:
        from ..loaders._cells import did_you_mean

        raise InvalidInputError(
            f"missing required column {_ACCOUNT_ID!r}: accounts are made from the leads' "
            f"{_ACCOUNT_ID!r} (columns: {', '.join(leads.columns)})"
            f"{did_you_mean(_ACCOUNT_ID, leads.columns)}",
            source=leads.source, column=_ACCOUNT_ID,
        )  # fmt: skip
    return leads.text(_ACCOUNT_ID, required=False)


def _members(
    frame: FrameInput,
    leads: Table,
    policy: AccountPolicy,
    numbers: dict[str, Array],
    mine: Array,
    codes: Array,
    count: int,
) -> list[list[AccountMember]]:
    """Each account's members, in the leads' order, as the roll-up sees them (role from
    the ``role_attribute`` column, as :func:`~leadscoring.assessment.accounts.member`
    reads it from a lead's attributes)."""
    roles = _roles(leads, policy.role_attribute)
    totals, fits = numbers["total"].tolist(), numbers["fit"].tolist()
    engagements = numbers["engagement"].tolist()
    out: list[list[AccountMember]] = [[] for _ in range(count)]
    for index, code in zip(mine.tolist(), codes[mine].tolist(), strict=True):
        role = roles[index]
        person = AccountMember(
            lead_id=str(frame.lead_ids[index]), role=role, weight=policy.weight(role),
            total=totals[index], fit=fits[index], engagement=engagements[index],
        )  # fmt: skip
        out[code].append(person)
    return out


def _roles(leads: Table, name: str) -> list[str | None]:
    """Each lead's role: the text of its ``name`` cell (``None``: null, empty, not text)."""
    if name in _ROLE_COLUMNS or name not in leads.columns:
        return [None] * leads.rows
    coded = leads.coded(name)
    table = [v if isinstance(v, str) and v else None for v in coded.values] + [None]
    return [table[code] for code in coded.codes.tolist()]


# --- the accounts' activity -----------------------------------------------------------------


def _activities(
    frame: FrameInput, model: ScoringModel, account: Coded, mine: Array
) -> list[Activity]:
    """Each account's :class:`~leadscoring.Activity`: the detector on its members' counted
    rows as one history (ids qualified by member), with the account's status."""
    from ..scoring.frame_input import FrameInput

    events = _account_events(frame, account)
    statuses = _account_statuses(frame, account, mine)
    united = FrameInput(events, statuses, frame.moment, "raise", ids=frame.id_mode)
    found = united.activity(model.dormancy)
    return _activity_values(united, found)


def _account_events(frame: FrameInput, account: Coded) -> Any:
    """The counted rows of account members as a table of the accounts: ``lead_id`` the
    account, ``id`` qualified by the member (``ann/e1``; ``cookie/e1`` of an alias of
    ann's is ``ann/cookie/e1``), ``at`` as read; the other columns as they are."""
    import narwhals.stable.v1 as nw
    import numpy as np

    from ..scoring.frame_identities import qualified

    rows = frame.rows
    code = account.codes[frame.lead_of[rows]]
    take = rows[code >= 0]
    code = code[code >= 0]
    table = frame.events.frame[take]
    space = nw.get_native_namespace(table)
    owners = np.asarray(account.values, dtype=object)[code]
    columns = [
        nw.new_series("lead_id", owners.tolist(), nw.String(), native_namespace=space),
        nw.new_series(
            "at", frame.at[take].astype("datetime64[us]"), nw.Datetime("us"),
            native_namespace=space,
        ),
    ]  # fmt: skip
    given = frame.ids
    if given is not None:
        members = np.asarray(frame.lead_ids, dtype=object)[frame.lead_of[take]]
        id_codes = given.codes[take]
        values = np.asarray([*given.values, None], dtype=object)[id_codes]
        has = id_codes >= 0
        values[has] = qualified(members[has], values[has])
        columns.append(nw.new_series("id", values.tolist(), nw.String(), native_namespace=space))
    return table.with_columns(*columns).with_columns(nw.col("at").dt.replace_time_zone("UTC"))


def _account_statuses(frame: FrameInput, account: Coded, mine: Array) -> Any:
    """A leads table of the accounts with the status
    :func:`~leadscoring.assessment.accounts.account_lead` gives each: ``won`` (changed at
    the latest known change of a customer member) if any member is a customer, else
    ``lost`` (likewise) if any is a lost deal, else ``disqualified`` if all are, else
    ``open``."""
    import numpy as np

    from ..scoring.frame_activity import backend_of, times

    count = len(account.values)
    values, status_of, changed, unknown = frame.status_arrays()
    status = np.asarray(values, dtype=object)[status_of][mine]
    code = account.codes[mine]
    changed, unknown = changed[mine], unknown[mine]
    members = np.bincount(code, minlength=count)
    out = np.full(count, LeadStatus.OPEN.value, dtype=object)
    disqualified = np.bincount(code[status == LeadStatus.DISQUALIFIED.value], minlength=count)
    out[disqualified == members] = LeadStatus.DISQUALIFIED.value
    when = np.zeros(count, dtype=np.int64)
    missing = np.ones(count, dtype=bool)
    for kind in (LeadStatus.LOST, LeadStatus.WON):  # won last: it wins over lost
        having = status == kind.value
        some = np.bincount(code[having], minlength=count) > 0
        known = having & ~unknown
        latest = np.full(count, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(latest, code[known], changed[known])
        dated = latest > np.iinfo(np.int64).min
        out[some] = kind.value
        when = np.where(some, np.where(dated, latest, 0), when)
        missing = np.where(some, ~dated, missing)
    backend = backend_of(frame)
    data = {
        "lead_id": list(account.values),
        "status": out.tolist(),
        "status_changed_at": times(when, missing, backend),
    }
    return frame.native(data)


def _activity_values(frame: FrameInput, found: ActivityFound) -> list[Activity]:
    """The detector's findings on ``frame`` as one :class:`~leadscoring.Activity` per lead
    (what :func:`~leadscoring.activity_frame` and
    :func:`~leadscoring.reactivations_frame` tabulate)."""
    from ..signals.activity_frame import KINDS, STATES

    s = found.state
    count = len(frame.lead_ids)
    start, done = found.found.start, found.found.done
    back: list[list[Reactivation]] = [[] for _ in range(count)]
    if len(done):
        at = found.at
        ids = [frame.id_at(row) for row in found.rows[done].tolist()]
        since, first = at[start - 1].tolist(), at[start].tolist()
        for j, (who, when, kind, events) in enumerate(
            zip(found.back_lead.tolist(), found.back_at.tolist(), found.kind_values.tolist(),
                (done - start + 1).tolist(), strict=True)
        ):  # fmt: skip
            found_back = Reactivation(
                at=from_us(when), kind=KINDS[kind], silent_since=from_us(since[j]),
                silence=timedelta(microseconds=first[j] - since[j]), events=events,
                event_id=ids[j],
            )  # fmt: skip
            back[who].append(found_back)
    exact: dict[int, timedelta] = s["exact"]
    last_at = found.at[s["last"]].tolist() if len(found.at) else [0] * count
    out = []
    for index, (state, last, threshold, dormant) in enumerate(
        zip(s["state"].tolist(), s["last"].tolist(), s["threshold"].tolist(),
            s["dormant"].tolist(), strict=True)
    ):  # fmt: skip
        limit = exact.get(index, timedelta(microseconds=threshold))
        active = None if last < 0 else from_us(last_at[index])
        value = Activity(
            lead_id=str(frame.lead_ids[index]), as_of=frame.moment, state=STATES[state],
            last_active_at=active,
            dormant_since=active + limit if dormant and active is not None else None,
            threshold=limit, reactivations=tuple(back[index]),
        )  # fmt: skip
        out.append(value)
    return out
