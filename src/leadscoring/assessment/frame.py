"""The whole assessment on tables: :func:`assess_frame`.

:func:`assess_frame` is :func:`~leadscoring.assess_all` for an events table: one row per
lead, ranked the same way, with every label and number :meth:`Assessment.to_dict
<leadscoring.Assessment.to_dict>` gives, as flat columns. The scores come from
:func:`~leadscoring.score_frame`'s engine, the activity from the vectorised detector, the
journey evidence and interest counts from one mask per condition; the labels come from
the very classifiers the object path uses, called once per distinct value (a
temperature per distinct score, an action per temperature and stage).

>>> import pandas as pd
>>> from datetime import UTC, datetime
>>> from leadscoring.examples import default_model
>>> events = pd.DataFrame({"lead_id": ["L1", "L1", "L2"], "type": ["page_view"] * 3,
...     "at": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-02"], utc=True),
...     "category": ["pricing", "pricing", "blog"]})
>>> table = assess_frame(events, default_model(), as_of=datetime(2026, 6, 3, tzinfo=UTC))
>>> table[["lead_id", "priority", "temperature", "journey"]].to_dict("records")
[{'lead_id': 'L1', 'priority': 5, 'temperature': 'cold', 'journey': 'comparison'}, \
{'lead_id': 'L2', 'priority': 5, 'temperature': 'cold', 'journey': 'information_gathering'}]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.checks import FrameIds, OnUnknown, check_choice, check_moment
from ..core.errors import InvalidInputError
from ..core.identity import Identities
from ..core.times import to_us
from ..model.scoring_model import ScoringModel
from ..scoring.compiled import compile_model
from ..signals.dormancy import DormancyPolicy
from ..signals.interest import (
    BuyerType,
    InterestPattern,
    InterestPolicy,
    ParticipationLevel,
    _level,
)
from ..signals.journey import EVIDENCE_STAGES, JourneyClassifier, JourneyStage
from ..stages.classifiers import (
    GradeScale,
    PriorityGrid,
    Temperature,
    TemperatureClassifier,
)
from ..stages.playbook import Playbook
from .assessment import _previous_temperature, _Settings, _settings
from .segments import SEGMENT_FIELDS, Segment

if TYPE_CHECKING:
    import numpy as np

    from ..scoring.frame_columns import Coded
    from ..scoring.frame_input import FrameInput

    Array = np.ndarray[Any, Any]

__all__ = ["REASONS", "assess_frame"]

_TEMPERATURES = tuple(Temperature)
REASONS = 3
"""How many reasons an assessment row carries (``reason_1`` ... ``reason_3``)."""


def _distinct(values: Sequence[Any], label: Callable[[Any], Any]) -> list[Any]:
    """``[label(v) for v in values]``, calling ``label`` once per distinct value."""
    seen: dict[Any, Any] = {}
    out = []
    for value in values:
        found = seen.get(value, seen)
        if found is seen:
            found = seen[value] = label(value)
        out.append(found)
    return out


def assess_frame(
    events_df: Any,
    model: ScoringModel,
    *,
    as_of: datetime,
    leads_df: Any = None,
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
    identities: Identities | None = None,
    ids: FrameIds = "check",
) -> Any:
    """:func:`~leadscoring.assess_all` on tables: one row per lead, ranked by priority,
    then score (highest first), then lead id; a table of the input's kind.

    ``events_df`` and ``leads_df`` are read as :func:`~leadscoring.score_frame` reads them
    (every lead of ``leads_df``, and with ``on_unknown`` the events of other leads are
    refused, warned about or skipped). ``previous`` (the table of the last run, with
    ``lead_id`` and ``temperature`` columns, or a mapping lead id → temperature or
    assessment) turns on hysteresis; ``segments`` and the classifier overrides are those
    of :func:`~leadscoring.assess_all`. ``identities`` unite histories as in
    :func:`~leadscoring.score_frame` (an alias's rows are its lead's from its link on;
    an alias gets no row). ``ids`` (``"check"``, ``"unique"`` or ``"absent"``) says what
    the ``id`` column promises, as for :func:`~leadscoring.score_frame`: ``"unique"``
    skips looking for repeated (lead, id) pairs and gives the same table when there are
    none.

    Columns: ``lead_id``, ``as_of``, ``priority``, ``total``, ``fit``, ``engagement``,
    ``temperature``, ``journey``, ``grade``, ``activity``, ``action``, ``top_product``,
    ``interest_pattern``, ``buyer``, ``participation``, one ``by_group.<group>`` per group,
    ``evidence.<stage>`` per journey stage, ``reason_1`` ... ``reason_3`` with
    ``reason_<n>_points`` (nulls where fewer rules moved the score) and a boolean
    ``segment.<name>`` per segment.
    """
    from ..scoring.frame_input import FrameInput, _modules

    _modules()
    model, s = _settings(
        model,
        {
            "temperature": temperature, "journey": journey, "grades": grades,
            "priority": priority, "playbook": playbook, "dormancy": dormancy,
            "interest": interest, "segments": segments,
        },
    )  # fmt: skip
    check_choice(on_unknown, ("raise", "warn", "ignore"), "on_unknown")
    frame = FrameInput(
        events_df, leads_df, check_moment(as_of), on_unknown, identities=identities, ids=ids
    )
    before = _previous(previous, frame.lead_ids)
    data = _assess(frame, model, s, before)
    return frame.native(data)


def _previous(value: Any, lead_ids: Sequence[object]) -> list[Temperature | None]:
    """Each lead's previous temperature, from a table or a mapping (``None``: none)."""
    if value is None:
        return [None] * len(lead_ids)
    if isinstance(value, Mapping):
        known = {str(k): _previous_temperature(v, f"previous[{k!r}]") for k, v in value.items()}
        return [known.get(str(lead_id)) for lead_id in lead_ids]
    from ..scoring.frame_columns import Table

    table = Table(value, "previous")
    table.require("lead_id", "temperature")
    ids = table.text("lead_id", required=True)
    temps = table.coded("temperature")
    names = {t.value for t in Temperature}
    for index, name in enumerate(temps.values):
        if name not in names:
            rows = temps.codes == index
            first = int(rows.argmax()) + 1
            raise InvalidInputError(
                f"unknown temperature {name!r}; one of {', '.join(sorted(names))}",
                source="previous", row=first, column="temperature",
            )  # fmt: skip
    found: dict[str, Temperature | None] = {}
    for id_code, temp_code in zip(ids.codes.tolist(), temps.codes.tolist(), strict=True):
        found[str(ids.values[id_code])] = (
            None if temp_code < 0 else Temperature(temps.values[temp_code])
        )
    return [found.get(str(lead_id)) for lead_id in lead_ids]


def _assess(
    frame: FrameInput, model: ScoringModel, s: _Settings, before: list[Temperature | None]
) -> dict[str, Any]:
    """The columns of :func:`assess_frame`, ranked."""
    import numpy as np

    from ..scoring.frame_activity import activity_columns, backend_of, floats
    from ..scoring.semantics.arrays import top_reasons

    compiled = compile_model(model)
    count = len(frame.lead_ids)
    found = frame.activity(s.dormancy)  # first: scoring reuses it when the policy is the same
    numbers = _numbers(frame, compiled)
    value = numbers[s.temperature.on]
    if s.temperature.basis == "percentile" and count:
        population = np.sort(value)
        value = 100.0 * np.searchsorted(population, value, side="left") / count
    temperatures = _distinct(
        list(zip(value.tolist(), before, strict=True)),
        lambda pair: s.temperature.classify_value(pair[0], pair[1]),
    )
    evidence, stages = _journey(frame, s.journey)
    grades = _distinct(numbers["fit"].tolist(), s.grades.grade)
    priorities = _distinct(
        list(zip(grades, temperatures, strict=True)), lambda p: s.priority.priority(*p)
    )
    actions = _distinct(
        list(zip(temperatures, stages, strict=True)), lambda p: s.playbook.action(*p)
    )
    act = activity_columns(frame, found)
    profile = _interest(frame, s.interest)
    names = [cr.name for cr in compiled.rules]
    by_rule = (
        np.column_stack([numbers[f"by_rule.{n}"] for n in names])
        if names
        else (np.zeros((count, 0)))
    )
    reason_index, reason_points = top_reasons(names, by_rule, REASONS)
    data: dict[str, Any] = {
        "lead_id": list(frame.lead_ids),
        "as_of": act["as_of"],
        "priority": np.array(priorities, dtype=np.int64),
        "total": numbers["total"],
        "fit": numbers["fit"],
        "engagement": numbers["engagement"],
        "temperature": [t.value for t in temperatures],
        "journey": [st.value for st in stages],
        "grade": [g.value for g in grades],
        "activity": act["state"],
        "action": actions,
        "top_product": profile["top_product"],
        "interest_pattern": profile["interest_pattern"],
        "buyer": profile["buyer"],
        "participation": profile["participation"],
    }
    for group in compiled.groups:
        data[f"by_group.{group}"] = numbers[f"by_group.{group}"]
    for stage in EVIDENCE_STAGES:
        data[f"evidence.{stage.value}"] = evidence[stage]
    labels = np.array([*names, None], dtype=object)
    backend = backend_of(frame)
    for n in range(REASONS):
        chosen = reason_index[:, n]
        data[f"reason_{n + 1}"] = labels[chosen].tolist()
        data[f"reason_{n + 1}_points"] = floats(reason_points[:, n], chosen < 0, backend)
    if s.segments:
        derived = {**data, **profile, "score": numbers["total"], "activity": act["state"],
                   "reactivations": act["reactivations"]}  # fmt: skip
        masks = _segment_masks(frame, derived)
        for segment in s.segments:
            data[f"segment.{segment.name}"] = masks(segment.when)
    order = _rank(frame.lead_ids, data["priority"], numbers["total"])
    return {name: _take(values, order) for name, values in data.items()}


def _take(values: Any, order: Array) -> Any:
    """A column (list, array or series) in ``order``."""
    import numpy as np

    if isinstance(values, list):
        return [values[i] for i in order.tolist()]
    if isinstance(values, np.ndarray):
        return values[order]
    if hasattr(values, "iloc"):  # pandas
        return values.iloc[order].reset_index(drop=True)
    return values.gather(order)  # polars


def _rank(lead_ids: Sequence[object], priority: Array, total: Array) -> Array:
    """Row order of :func:`~leadscoring.assess_all`: priority, then -total, then lead id."""
    import numpy as np

    by_id = sorted(range(len(lead_ids)), key=lambda i: str(lead_ids[i]))
    id_rank = np.empty(len(lead_ids), dtype=np.int64)
    id_rank[by_id] = np.arange(len(lead_ids))
    order: Array = np.lexsort((id_rank, -total, priority))
    return order


def _numbers(frame: FrameInput, compiled: Any) -> dict[str, Array]:
    from ..scoring.frame import frame_scores

    return frame_scores(frame, compiled)


# --- journey ------------------------------------------------------------------------------


def _journey(
    frame: FrameInput, journey: JourneyClassifier
) -> tuple[dict[JourneyStage, Array], list[JourneyStage]]:
    """Each stage's decayed evidence per lead, and each lead's stage.

    Sums are ``bincount`` s; where a lead's cumulative evidence lies within rounding of a
    stage's minimum, its evidence is summed again exactly (``math.fsum``, as the object
    path sums it) so the stage is the object path's to the last bit.
    """
    import numpy as np

    rows = frame.rows
    count = len(frame.lead_ids)
    lead = frame.lead_of[rows]
    weight = journey.decay.weights_us(frame.at[rows], frame.now)
    matched: dict[JourneyStage, Array] = {}
    evidence: dict[JourneyStage, Array] = {}
    for stage in EVIDENCE_STAGES:
        mask = np.zeros(len(rows), dtype=bool)
        for condition in journey.stages.get(stage, ()):
            mask |= frame.masks(condition)
        matched[stage] = mask
        evidence[stage] = np.bincount(
            lead[mask], weights=weight[mask], minlength=count
        ).astype(np.float64, copy=False)  # an empty bincount is int64
    later = np.zeros(count, dtype=np.float64)
    near = np.zeros(count, dtype=bool)
    scaled = weight * 2.0**24
    # dyadic weights with small sums (windows, no decay): every float sum is exact
    exact = bool(np.array_equal(scaled, np.round(scaled)) and float(scaled.sum()) < 2.0**50)
    for stage in reversed(EVIDENCE_STAGES if not exact else ()):
        later = later + evidence[stage]
        minimum = journey.min_evidence[stage]
        near |= np.abs(later - minimum) <= 1e-9 * (1.0 + np.abs(later))
    close = np.flatnonzero(near)
    if len(close):
        chosen = near[lead]
        order = np.argsort(lead[chosen], kind="stable")
        who = lead[chosen][order]
        bounds = [*np.searchsorted(who, close).tolist(), len(who)]
        for stage in EVIDENCE_STAGES:
            parts = np.where(matched[stage][chosen], weight[chosen], 0.0)[order].tolist()
            for k, index in enumerate(close.tolist()):
                evidence[stage][index] = math.fsum(parts[bounds[k] : bounds[k + 1]])
    stage_rows = np.zeros(count, dtype=np.int64)  # 0: none, else 1 + stage position
    later = np.zeros(count, dtype=np.float64)
    decided = np.zeros(count, dtype=bool)
    for position in reversed(range(len(EVIDENCE_STAGES))):
        stage = EVIDENCE_STAGES[position]
        later = later + evidence[stage]
        reached = ~decided & (later >= journey.min_evidence[stage])
        stage_rows[reached] = position + 1
        decided |= reached
    every = (JourneyStage.NONE, *EVIDENCE_STAGES)
    out = [every[i] for i in stage_rows.tolist()]
    for index in np.flatnonzero(near).tolist():
        out[index] = journey.stage_of({st: float(evidence[st][index]) for st in EVIDENCE_STAGES})
    return evidence, out


# --- interest -------------------------------------------------------------------------------


def _interest(frame: FrameInput, policy: InterestPolicy) -> dict[str, Any]:
    """The interest profile of every lead (the columns segments and assessments read)."""
    import numpy as np

    rows = frame.rows
    count = len(frame.lead_ids)
    lead, at = frame.lead_of[rows], frame.at[rows]
    types = frame.column("type")
    if types is None:  # pragma: no cover - the type column is required when the frame is read
        raise InvalidInputError("the events table has no 'type' column", column="type")

    def of_types(names: frozenset[str]) -> Array:
        table = [value in names for value in types.values]
        return types.lookup(table, False)

    page = of_types(policy.page_types)
    if policy.views_within is not None:
        page &= at > to_us(frame.moment - policy.views_within)
    views = np.bincount(lead[page], minlength=count)
    tops: dict[str, tuple[list[object], Array, Array, Array]] = {}
    for key in (policy.category_property, policy.product_property):
        tops[key] = _top(frame.column(key), page, lead, at, count)
    top_category, _, _, _ = tops[policy.category_property]
    top_product, top_views, total_product, products = tops[policy.product_property]
    with np.errstate(divide="ignore", invalid="ignore"):
        focus = np.where(total_product > 0, top_views / np.maximum(total_product, 1), 0.0)
    focused = (top_views >= policy.focus_min_views) & (focus >= policy.focus_min_share)
    pattern = np.where(
        products == 0, 0,
        np.where(focused, 1, np.where(products >= policy.broad_min_products, 2, 3)),
    )  # fmt: skip
    patterns = np.array(
        [InterestPattern.NONE, InterestPattern.FOCUSED, InterestPattern.BROAD,
         InterestPattern.LIGHT], dtype=object,
    )  # fmt: skip
    purchase = of_types(policy.purchase_types)
    purchases = np.bincount(lead[purchase], minlength=count)
    amount: Array = np.zeros(count, dtype=np.float64)
    amounts = frame.column("amount")
    if amounts is not None:
        numeric = [
            float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
            for v in amounts.values
        ]
        usable = np.array([v is not None for v in numeric] + [False], dtype=bool)
        value = np.array([v or 0.0 for v in numeric] + [0.0], dtype=np.float64)
        take = purchase & usable[amounts.codes]
        amount = np.bincount(lead[take], weights=value[amounts.codes[take]], minlength=count)
    participations = np.bincount(lead[of_types(policy.participation_types)], minlength=count)
    buyers = tuple(BuyerType)
    levels = tuple(ParticipationLevel)
    dominant = [p if p is not None else c for p, c in zip(top_product, top_category, strict=True)]
    return {
        "top_product": top_product,
        "interest_pattern": [p.value for p in patterns[pattern].tolist()],
        "buyer": _distinct(purchases.tolist(), lambda n: buyers[_level(n, policy.heavy_min)].value),
        "participation": _distinct(
            participations.tolist(), lambda n: levels[_level(n, policy.enthusiast_min)].value
        ),
        "page_views": views,
        "top_category": top_category,
        "dominant_interest": dominant,
        "focus": focus,
        "products_viewed": products,
        "purchases": purchases,
        "purchase_amount": amount,
        "participations": participations,
    }


def _top(
    coded: Coded | None, page: Array, lead: Array, at: Array, count: int
) -> tuple[list[object], Array, Array, Array]:
    """Per lead: the most viewed value of a property (ties: the most recently seen, then
    the first by name), its views, the views with a value, and how many values."""
    import numpy as np

    none = np.zeros(count, dtype=np.int64)
    if coded is None:
        return [None] * count, none, none, none
    usable = np.array([isinstance(v, str) and bool(v) for v in coded.values] + [False], dtype=bool)
    take = page & usable[coded.codes]
    if not take.any():
        return [None] * count, none, none, none
    who, code, when = lead[take], coded.codes[take], at[take]
    width = len(coded.values)
    pairs, inverse = np.unique(who * width + code, return_inverse=True)
    views = np.bincount(inverse)
    last = np.full(len(pairs), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, inverse, when)
    owner, value = pairs // width, pairs % width
    by_name = sorted(range(width), key=lambda i: str(coded.values[i]))
    name_rank = np.empty(width, dtype=np.int64)
    name_rank[by_name] = np.arange(width)
    stamp = last / 1_000_000  # datetime.timestamp(), as the object path breaks ties
    order = np.lexsort((name_rank[value], -stamp, -views, owner))
    first = np.ones(len(order), dtype=bool)
    first[1:] = owner[order][1:] != owner[order][:-1]
    best = order[first]
    top_code = np.full(count, -1, dtype=np.int64)
    top_code[owner[best]] = value[best]
    top_views = np.zeros(count, dtype=np.int64)
    top_views[owner[best]] = views[best]
    names = np.array([*coded.values, None], dtype=object)
    total = np.bincount(owner, weights=views, minlength=count).astype(np.int64)
    distinct = np.bincount(owner, minlength=count)
    return names[top_code].tolist(), top_views, total, distinct


# --- segments -----------------------------------------------------------------------------


def _segment_masks(frame: FrameInput, derived: Mapping[str, Any]) -> Any:
    """Segment conditions as masks over the leads: derived values by name, then the leads
    table's attributes (also as ``attributes.<name>``)."""
    import numpy as np

    from ..scoring.frame_columns import Coded, factorize
    from ..scoring.frame_rules import Masks

    count = len(frame.lead_ids)
    roles = ("lead_id", "status", "status_changed_at", "account_id")
    extra = {"lead_id": list(frame.lead_ids)}

    def column(name: str) -> Coded | None:
        if name in SEGMENT_FIELDS:
            if name == "status":
                return frame.statuses or Coded(np.zeros(count, np.int64), ["open"])
            if name == "account_id":
                leads = frame.leads
                if leads is None or "account_id" not in leads.columns:
                    return None
                return leads.coded("account_id")
            values = extra.get(name, derived.get(name))
            if values is None:  # pragma: no cover - every derived name is computed
                return None
            if hasattr(values, "to_numpy"):
                values = values.to_numpy()
            return factorize(np.asarray(values, dtype=object))
        key = name.removeprefix("attributes.")
        leads = frame.leads
        if leads is None or key in roles or key not in leads.columns:
            return None
        return leads.coded(key)

    return Masks(column, count)
