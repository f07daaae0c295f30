"""Learn a first points table from past outcomes: :func:`calibrate`.

Give the leads, which of them converted, and (optionally) their events; get back an
ordinary :class:`~leadscoring.ScoringModel` of :class:`~leadscoring.AttributeRule` s and
:class:`~leadscoring.EventRule` s with whole-number points, ready to edit, save and
evaluate. See ``docs/calibration.md``.

The points are on a log-odds scale: ``points_to_double_odds`` points (10 by default) double
the odds of converting, and the ``base`` rule makes a score of ``even_odds_score`` (50)
mean even odds. So with the defaults a score of 30 means about a 20% chance of
converting, 60 about 67% and 70 about 80% (on leads like the ones calibrated on).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, overload

import attrs

from ..core.checks import OnUnknown, check_choice, check_events, check_moment, group_events
from ..core.conditions import All
from ..core.decay import Decay, HalfLife, NoDecay
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.lead import Lead
from ..core.limits import is_finite
from ..core.progress import check_progress, track
from ..core.rules import AttributeRule
from ..model.scoring_model import ScoringModel
from .evaluate import evaluate
from .features import (
    Binning,
    Candidate,
    attribute_candidates,
    event_candidates,
    pair_candidates,
    ranges_from_thresholds,
    to_rules,
)
from .logistic import Fit, aic, design, fit_logistic, integer_points, lasso_path
from .outcomes import Labelled, Outcome, label_leads
from .split import ValidatedModel, Validation, split_at_random, split_by_time

__all__ = ["DEFAULT_HALF_LIVES", "Method", "SmallSampleWarning", "calibrate"]

Rounding = Literal["nearest", "optimise"]
"""How fitted log-odds become whole points: rounded, or optimised over the integers."""

Method = Literal["logistic", "woe"]
"""How points are learned: ``"logistic"`` fits them jointly, ``"woe"`` one by one."""

DEFAULT_HALF_LIVES: tuple[float | None, ...] = (7, 14, 30, 60, 90, 180, None)
"""Half-lives in days tried for event rules (``None``: no decay)."""

SMALL_SAMPLE = 50
"""Fewer converted (or not converted) leads than this trigger a :class:`SmallSampleWarning`."""


class SmallSampleWarning(UserWarning):
    """Calibration ran on few converted or few not-converted leads: points are rough.

    Silence it on purpose with ``warnings.simplefilter("ignore", SmallSampleWarning)``.
    """


@overload
def calibrate(
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    events: Iterable[Event] = ...,
    *,
    as_of: datetime | str | None = ...,
    horizon: timedelta | str | None = ...,
    method: Method = ...,
    max_rules: int = ...,
    min_support: int | None = ...,
    bins: int = ...,
    binning: Binning = ...,
    interactions: int = ...,
    rounding: Rounding = ...,
    smoothing: float = ...,
    penalty: float = ...,
    half_lives: Sequence[float | None] = ...,
    attributes: Sequence[str] | None = ...,
    points_to_double_odds: float = ...,
    even_odds_score: float | None = ...,
    name: str = ...,
    on_unknown: OnUnknown = ...,
    progress: bool = ...,
    validation: None = None,
    test_share: float = ...,
    time_by: str | None = ...,
) -> ScoringModel: ...


@overload
def calibrate(
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    events: Iterable[Event] = ...,
    *,
    as_of: datetime | str | None = ...,
    horizon: timedelta | str | None = ...,
    method: Method = ...,
    max_rules: int = ...,
    min_support: int | None = ...,
    bins: int = ...,
    binning: Binning = ...,
    interactions: int = ...,
    rounding: Rounding = ...,
    smoothing: float = ...,
    penalty: float = ...,
    half_lives: Sequence[float | None] = ...,
    attributes: Sequence[str] | None = ...,
    points_to_double_odds: float = ...,
    even_odds_score: float | None = ...,
    name: str = ...,
    on_unknown: OnUnknown = ...,
    progress: bool = ...,
    validation: Validation,
    test_share: float = ...,
    time_by: str | None = ...,
) -> ValidatedModel: ...


def calibrate(
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    events: Iterable[Event] = (),
    *,
    as_of: datetime | str | None = None,
    horizon: timedelta | str | None = None,
    method: Method = "logistic",
    max_rules: int = 40,
    min_support: int | None = None,
    bins: int = 10,
    binning: Binning = "quantile",
    interactions: int = 0,
    rounding: Rounding = "nearest",
    smoothing: float = 5.0,
    penalty: float = 1.0,
    half_lives: Sequence[float | None] = DEFAULT_HALF_LIVES,
    attributes: Sequence[str] | None = None,
    points_to_double_odds: float = 10.0,
    even_odds_score: float | None = 50.0,
    name: str = "calibrated",
    on_unknown: OnUnknown = "raise",
    progress: bool = False,
    validation: Validation | None = None,
    test_share: float = 0.2,
    time_by: str | None = None,
) -> ScoringModel | ValidatedModel:
    """Learn a points table from ``outcomes`` (lead id -> converted?).

    An outcome is ``True``/``False`` (``1``/``0``), ``None``, or the moment the lead
    converted; a lead missing from ``outcomes`` did not convert. With moments, a lead
    counts as converted when it converted after ``as_of`` and within ``horizon``; leads
    that had converted by ``as_of`` are left out. Events after ``as_of`` are ignored
    (default ``as_of``: the last event's time).

    Rules learned:

    - attribute values with at least ``min_support`` leads (rarer values grouped into one
      "other" rule, or dropped when even the group is too small), a rule for a missing
      attribute, and numeric attributes cut at up to ``bins`` quantiles into readable
      ranges (``"TotalVisits in [3, 5)"``);
    - event rules per event type and per type and ``category``, decayed with the
      half-life (from ``half_lives``) that fits the outcomes best, and capped.

    ``method="logistic"`` (the default) fits all points jointly: an L1 path chooses up to
    ``max_rules`` rules (by AIC), then an L2-penalised logistic regression (``penalty``)
    sets their points. ``method="woe"`` gives each rule its own smoothed weight of
    evidence (``smoothing`` pseudo-leads at the overall conversion rate are added to every
    group), like naive Bayes: simpler, but it counts correlated evidence twice.

    ``binning="monotone"`` cuts numeric attributes at supervised, monotone cut points
    (:func:`~leadscoring.learning.binning.monotone_bins`) instead of quantiles;
    ``binning="both"`` offers both. ``interactions=K`` (default 0: none) lets the ``K``
    most promising pairs of chosen rules (by the score test) compete in a second L1 path
    as "A and B" rules, within the same ``max_rules`` (``method="logistic"`` only).
    ``rounding="optimise"`` turns the
    fitted points into whole numbers by coordinate descent over the integers on the
    penalised logistic loss, from the rounded fit, so the training loss never rises
    (:func:`~leadscoring.learning.logistic.integer_points`; ``method="logistic"`` only).

    Points are log-odds times ``points_to_double_odds / ln 2``, rounded; a ``base`` rule
    (matching every lead) holds the intercept so that ``even_odds_score`` means even odds
    (``even_odds_score=None`` leaves it out). Rules rounding to zero points are dropped.

    ``validation="time"`` holds out the latest ``test_share`` (20%) of the leads, by
    :func:`~leadscoring.split_by_time` (creation time from the attribute ``time_by``, or
    the first event), fits on the rest and returns a :class:`~leadscoring.ValidatedModel`:
    the model, its :class:`~leadscoring.EvaluationReport` on the held-out leads (whose
    ``validation`` names the split) and the split. ``validation="random"`` holds out a
    seeded random share instead. The default (``None``) fits on every lead and returns the
    model alone.

    ``attributes`` limits the lead attributes used (default: all). Leave out fields filled
    in after the outcome was known (a sales note, a lost reason): they leak the answer.
    ``name`` names the model; ``on_unknown`` treats events of unknown leads as in
    :func:`~leadscoring.score_all`.

    ``progress=True`` shows a bar while the half-lives are tried (needs ``tqdm``, the
    ``progress`` extra); off by default.

    Raises :class:`~leadscoring.InvalidValueError` for outcomes of unknown leads, outcomes
    where nobody or everybody converted, and bad arguments. Warns with
    :class:`SmallSampleWarning` when either class has fewer than 50 leads.

    34% of the "pro" leads converted and 11% of the "free" ones: 21 points mean 11%, and
    21 + 19 = 40 points about 34% (50 would be even odds):

    >>> leads = [Lead(id=f"L{k:03d}", attributes={"plan": "pro" if k < 100 else "free"})
    ...          for k in range(300)]
    >>> won = {f"L{k:03d}": True for k in range(0, 300, 3) if k < 100 or k % 9 == 0}
    >>> [(rule.name, rule.points) for rule in calibrate(leads, won).rules]
    [('base', 21), ('plan = pro', 19)]
    """
    _check_arguments(method, max_rules, min_support, bins, smoothing, penalty,
                     points_to_double_odds, half_lives, even_odds_score, attributes)
    check_choice(binning, ("quantile", "monotone", "both"), "binning")
    check_choice(rounding, ("nearest", "optimise"), "rounding")
    if isinstance(interactions, bool) or not isinstance(interactions, int) or interactions < 0:
        raise InvalidValueError("interactions",
                                f"must be a whole number >= 0, got {interactions!r}")
    if validation is not None:
        return _validated(
            validation, test_share, time_by, list(leads), outcomes, list(events), as_of,
            {"horizon": horizon, "method": method, "max_rules": max_rules,
             "min_support": min_support, "bins": bins, "binning": binning,
             "interactions": interactions, "rounding": rounding, "smoothing": smoothing,
             "penalty": penalty, "half_lives": half_lives, "attributes": attributes,
             "points_to_double_odds": points_to_double_odds,
             "even_odds_score": even_odds_score, "name": name, "on_unknown": on_unknown,
             "progress": progress},
        )
    check_progress(progress)
    leads = list(leads)
    events = list(events)
    moment = None if as_of is None else check_moment(as_of)
    labelled = label_leads(leads, outcomes, as_of=moment, horizon=horizon)
    _warn_if_small(labelled)
    grouped = group_events(leads, events, as_of=moment, on_unknown=on_unknown) if events else {}
    if moment is None and any(grouped.values()):
        moment = max(e.at for evs in grouped.values() for e in evs)
    order = sorted(range(len(labelled.leads)), key=lambda i: labelled.leads[i].id)
    train = [labelled.leads[i] for i in order]
    labels = [labelled.labels[i] for i in order]
    n = len(train)
    support = min_support if min_support is not None else min(100, max(5, math.ceil(0.005 * n)))
    budget = max_rules - (1 if even_odds_score is not None else 0)
    cands = attribute_candidates(train, attributes=attributes, min_support=support, bins=bins,
                                 ranges=method == "woe", reference=method == "logistic",
                                 labels=labels, binning=binning)
    decay: Decay = NoDecay()
    if moment is not None and any(grouped.get(lead.id) for lead in train):
        steps = list(track(half_lives, progress=progress, desc="calibrate: trying half-lives"))
        half_life, event_cands = _choose_half_life(
            train, labels, grouped, moment, steps, support, penalty, method == "woe"
        )
        cands.extend(event_cands)
        if event_cands and half_life is not None:
            decay = HalfLife(days=half_life)
    scale = points_to_double_odds / math.log(2.0)
    if method == "woe":
        chosen, intercept = _woe(cands, labels, smoothing, budget)
    else:
        chosen, intercept = _logistic(cands, train, labels, penalty, budget, interactions,
                                      support)
        if rounding == "optimise" and chosen:
            chosen, intercept = _optimise_points(chosen, intercept, labels, scale, penalty,
                                                 even_odds_score)
    rules = to_rules(chosen, scale)
    if even_odds_score is not None:
        base = round(even_odds_score + scale * intercept)
        if base != 0:
            rules.insert(0, AttributeRule(name="base", when=All(), points=base))
    return ScoringModel(name=name, rules=rules, default_decay=decay)


def _validated(validation: object, test_share: float, time_by: str | None,
               leads: list[Lead], outcomes: Mapping[str, Outcome], events: list[Event],
               as_of: datetime | str | None, options: dict[str, Any]) -> ValidatedModel:
    """Split, fit on the fit part, evaluate on the held-out part (at the same ``as_of``)."""
    check_choice(validation, ("time", "random"), "validation")
    if validation == "time":
        part = split_by_time(leads, outcomes, events, test_share=test_share, by=time_by)
    else:
        part = split_at_random(leads, outcomes, events, test_share=test_share)
    moment = None if as_of is None else check_moment(as_of)
    if moment is None and events:
        moment = max(check_events(events), key=lambda e: e.at).at
    model = calibrate(part.train_leads, part.train_outcomes, part.train_events, as_of=moment,
                      **options)
    report = evaluate(model, part.test_leads, part.test_outcomes, part.test_events,
                      as_of=moment, horizon=options["horizon"], on_unknown="ignore")
    return ValidatedModel(model=model, report=attrs.evolve(report, validation=part.describe()),
                          split=part)


def _check_arguments(method: object, max_rules: object, min_support: object, bins: object,
                     smoothing: object, penalty: object, pdo: object,
                     half_lives: Sequence[object], even_odds: object, attributes: object
                     ) -> None:
    if method not in ("logistic", "woe"):
        raise InvalidValueError("method", f"must be 'logistic' or 'woe', got {method!r}")
    for field, value, low in (("max_rules", max_rules, 1), ("bins", bins, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidValueError(field, f"must be a whole number >= {low}, got {value!r}")
    if min_support is not None and (
        isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 1
    ):
        raise InvalidValueError("min_support", f"must be a whole number >= 1, got {min_support!r}")
    if not _number(smoothing) or smoothing <= 0:  # type: ignore[operator]
        raise InvalidValueError("smoothing", f"must be a positive number, got {smoothing!r}")
    if not _number(penalty) or penalty < 0:  # type: ignore[operator]
        raise InvalidValueError("penalty", f"must be a finite number >= 0, got {penalty!r}")
    if not _number(pdo) or pdo <= 0:  # type: ignore[operator]
        raise InvalidValueError("points_to_double_odds", f"must be a positive number, got {pdo!r}")
    if even_odds is not None and not _number(even_odds):
        raise InvalidValueError("even_odds_score", f"must be a number or None, got {even_odds!r}")
    if isinstance(attributes, str):
        raise InvalidValueError("attributes", f"expected a list of names, got {attributes!r}")
    for h in half_lives:
        if h is not None and (not _number(h) or h <= 0):  # type: ignore[operator]
            raise InvalidValueError(
                "half_lives", f"days must be positive numbers or None, got {h!r}"
            )
    if not half_lives:
        raise InvalidValueError("half_lives", "give at least one half-life (None for no decay)")


def _number(value: object) -> bool:
    return is_finite(value)  # a number (not a bool) within float range: never overflows


def _warn_if_small(labelled: Labelled) -> None:
    few = min(labelled.positives, labelled.negatives)
    if few < SMALL_SAMPLE:
        which = "converted" if labelled.positives <= labelled.negatives else "not-converted"
        warnings.warn(
            f"calibrating on only {few} {which} lead(s) of {len(labelled.leads)}: the points "
            "are rough and their uncertainty is wide; check the model with evaluate() on "
            "other leads and refine it with feedback() from sales",
            SmallSampleWarning,
            stacklevel=3,
        )


def _choose_half_life(
    train: Sequence[Lead], labels: Sequence[bool], grouped: Mapping[str, Sequence[Event]],
    as_of: datetime, half_lives: Sequence[float | None], support: int, penalty: float,
    presence: bool,
) -> tuple[float | None, list[Candidate]]:
    """The half-life whose event features fit the outcomes best (lowest deviance)."""
    best: tuple[float, float | None, list[Candidate]] | None = None
    for h in half_lives:
        cands = event_candidates(train, grouped, as_of=as_of, half_life=h,
                                 min_support=support, presence=presence)
        if not cands:
            return None, []
        fit = fit_logistic(design([c.column for c in cands], labels), l2=max(penalty, 1e-3))
        if best is None or fit.deviance < best[0] - 1e-9:
            best = (fit.deviance, h, cands)
    return (best[1], best[2]) if best is not None else (None, [])


def _logistic(cands: Sequence[Candidate], train: Sequence[Lead], labels: Sequence[bool],
              penalty: float, budget: int, interactions: int = 0, min_support: int = 1
              ) -> tuple[list[tuple[Candidate, float]], float]:
    """Choose rules on an L1 path (AIC), then fit their points with L2 only.

    With ``interactions``, the best pairs of the chosen rules (by the score test at that
    fit) join them, and a second L1 path over rules and pairs chooses again, within the
    same budget: a pair stays only when it pays for itself in AIC."""
    base = design([c.column for c in cands], labels)
    path = lasso_path(base, max_features=budget, l2=max(penalty, 1e-3))
    best = min(path, key=aic)
    chosen = ranges_from_thresholds([cands[j] for j in best.support], train)
    if not chosen:
        return [], best.intercept
    fit = fit_logistic(design([c.column for c in chosen], labels), l2=penalty,
                       start=_warm_start(best, cands, chosen))
    if interactions > 0:
        eta = [fit.intercept] * len(labels)
        for c, b in zip(chosen, fit.coefs, strict=True):
            for r, v in zip(*c.column, strict=True):
                eta[r] += b * v
        probabilities = [1.0 / (1.0 + math.exp(-e)) for e in eta]
        pairs = pair_candidates(chosen, labels, probabilities, min_support=min_support,
                                top=interactions)
        if pairs:
            pool = [*chosen, *pairs]
            second = lasso_path(design([c.column for c in pool], labels), max_features=budget,
                                l2=max(penalty, 1e-3))
            pick = min(second, key=aic)
            chosen = [pool[j] for j in pick.support]
            if not chosen:
                return [], pick.intercept
            warm = Fit(intercept=pick.intercept, coefs=tuple(pick.coefs[j] for j in pick.support),
                       deviance=pick.deviance, sweeps=0)
            fit = fit_logistic(design([c.column for c in chosen], labels), l2=penalty,
                               start=warm)
    return list(zip(chosen, fit.coefs, strict=True)), fit.intercept


def _warm_start(best: Fit, cands: Sequence[Candidate], chosen: Sequence[Candidate]) -> Fit:
    """The L1 fit ``best`` re-expressed on the ``chosen`` rules: a range ``[t_k, t_k+1)``
    made of thresholds ``x >= t_1 ... x >= t_m`` carries the sum of the coefficients of
    ``t_1 ... t_k`` (the same scores), every other rule its own coefficient."""
    own: dict[int, float] = {}
    steps: dict[str, list[tuple[float, float]]] = {}
    for j in best.support:
        c = cands[j]
        if c.kind == "atleast" and c.low is not None:
            steps.setdefault(c.attribute, []).append((c.low, best.coefs[j]))
        else:
            own[id(c)] = best.coefs[j]
    coefs: list[float] = []
    for c in chosen:
        if c.kind == "range" and c.attribute in steps and c.low is not None:
            coefs.append(math.fsum(b for t, b in steps[c.attribute] if t <= c.low))
        else:
            coefs.append(own.get(id(c), 0.0))
    return Fit(intercept=best.intercept, coefs=tuple(coefs), deviance=best.deviance, sweeps=0)


def _optimise_points(chosen: Sequence[tuple[Candidate, float]], intercept: float,
                     labels: Sequence[bool], scale: float, penalty: float,
                     even_odds_score: float | None) -> tuple[list[tuple[Candidate, float]], float]:
    """The fit's coefficients, as whole points optimised by
    :func:`~leadscoring.learning.logistic.integer_points` from their rounding (and the base
    rule's points with them; without a base rule the intercept stays as fitted). Returned
    as coefficients that :func:`~leadscoring.learning.features.to_rules` rounds back to
    exactly those points."""
    start = [round(scale * coef) for _, coef in chosen]
    if even_odds_score is not None:
        base, offset, free = round(even_odds_score + scale * intercept), -even_odds_score, True
    else:
        base, offset, free = 0, scale * intercept, False
    cols = design([c.column for c, _ in chosen], labels)
    pts, base, _, _ = integer_points(cols, start, base, scale=scale, offset=offset, l2=penalty,
                                     free_base=free)
    coefs = [(c, p / scale) for (c, _), p in zip(chosen, pts, strict=True)]
    return coefs, ((base + offset) / scale if free else intercept)


def _woe(cands: Sequence[Candidate], labels: Sequence[bool], smoothing: float,
         budget: int) -> tuple[list[tuple[Candidate, float]], float]:
    """Each candidate's smoothed weight of evidence; keep the most informative ones."""
    total = len(labels)
    pos_all = sum(labels)
    neg_all = total - pos_all
    rate = pos_all / total
    prior = math.log(rate / (1.0 - rate))
    scored: list[tuple[float, int, float]] = []
    for k, c in enumerate(cands):
        rows, values = c.column
        weight = math.fsum(values)
        pos = math.fsum(v for r, v in zip(rows, values, strict=True) if labels[r])
        neg = weight - pos
        woe = math.log((pos + smoothing * rate) / (neg + smoothing * (1.0 - rate))) - prior
        info = (pos / pos_all - neg / neg_all) * woe
        scored.append((info, k, woe))
    keep = sorted(sorted(scored, key=lambda t: (-t[0], t[1]))[:budget], key=lambda t: t[1])
    return [(cands[k], woe) for _, k, woe in keep], prior
