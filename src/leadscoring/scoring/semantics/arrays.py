"""The vectorised forms of the scoring rules, beside their scalar forms in :mod:`.scalar`.

The columnar engine (:func:`~leadscoring.score_frame`) works on numpy arrays of rows
sorted by lead, then time (integer microseconds since the epoch):

- :func:`counted`: which matching rows a limit or repeat rule counts. ``Limit(count=N)``
  keeps each lead's first N rows; ``Limit(count=1, per=P)`` and repeat rules are
  *chains*: the first row that qualifies, then the first one at least ``P`` (or
  ``within``) later, and so on; the chains of all leads advance together, one step per
  counted event (:func:`_chain`); other limits (``count > 1`` with ``per``, calendar
  ``per``) run the scalar :class:`~.scalar.Limiter` on the rule's rows;
- :func:`rates`: where a rate rule is met at ``as_of`` and since when
  (:func:`~.scalar.rate_at`, with :func:`rates_met` and :func:`window_starts`);
- :func:`reactivation_points`: what a reactivation rule gives for each reactivation found
  (:func:`~.scalar.reactivation_points`);
- :func:`clamp` and :func:`finish`: caps, floor and ceiling for every lead at once;
- :func:`top_reasons`: each lead's ``n`` rules that moved the score most
  (:meth:`~leadscoring.LeadScore.top_reasons`).

Only the times of counted rows matter (ties in time weigh the same), so rows are ordered
by lead and time, never by the full event key.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ...core.times import BEFORE_CALENDAR_US, span_us
from .scalar import limiter_for, window_start_us

if TYPE_CHECKING:
    from ..compiled import CompiledModel, CompiledRule

__all__ = [
    "clamp",
    "counted",
    "finish",
    "order",
    "rates",
    "rates_met",
    "reactivation_points",
    "top_reasons",
    "window_starts",
]

Array = np.ndarray[Any, Any]
_PACKED_LIMIT = 2**62
"""Packed keys ``lead * span + time`` must stay below this; beyond it, ranks are used."""


def order(lead: Array, at: Array) -> Array:
    """Row order by lead, then time (stable)."""
    return np.lexsort((at, lead))


def _group_starts(lead: Array) -> Array:
    """For rows sorted by lead: the position where each row's lead starts."""
    first = np.ones(len(lead), dtype=bool)
    first[1:] = lead[1:] != lead[:-1]
    return np.maximum.accumulate(np.where(first, np.arange(len(lead)), 0))


class _Keys:
    """Integer keys that sort rows (already sorted by lead, then time) and let one
    ``searchsorted`` find, for every row at once, the first row of the same lead at or
    after a time: ``lead * span + (time - base)`` when that fits in 62 bits, else the
    time's rank among the distinct times (exact either way, never an overflow)."""

    def __init__(self, lead: Array, at: Array, reach: int) -> None:
        self.lead = lead.astype(np.int64)
        low, high = int(at.min()), int(at.max())
        self.span = high - low + 2 * reach + 2
        self.base = low - reach
        self.distinct: Array | None = None
        if (int(lead.max()) + 1) * self.span >= _PACKED_LIMIT:
            self.distinct = np.unique(at)
            self.span = len(self.distinct) + 1
        self.keys = self._key(self.lead, at, "left")

    def _key(self, lead: Array, times: Array, side: Literal["left", "right"]) -> Array:
        if self.distinct is None:
            packed: Array = lead * self.span + (times - self.base)
            return packed
        ranked: Array = lead * self.span + np.searchsorted(self.distinct, times, side=side)
        return ranked

    def first(self, rows: Array, times: Array, *, after: bool) -> Array:
        """For each of ``rows``: the position (in ``keys``) of its lead's first row with a
        time ``> times`` (``after``) or ``>= times``; past the lead's rows if there is none."""
        return self.first_of(self.lead[rows], times, after=after)

    def first_of(self, lead: Array, times: Array, *, after: bool) -> Array:
        """:meth:`first` for any leads (``lead``) and times within the keys' reach."""
        side: Literal["left", "right"] = "right" if after else "left"
        target = self._key(lead, times, side)
        if self.distinct is not None:  # a rank already says "at" or "after"
            side = "left"
        found: Array = np.searchsorted(self.keys, target, side=side)
        return found

    def subset(self, rows: Array) -> _Keys:
        """The keys of some of the rows, in the same key space (still sorted)."""
        sub = copy.copy(self)
        sub.lead, sub.keys = self.lead[rows], self.keys[rows]
        return sub


def _chain(keys: _Keys, at: Array, eligible: Array, gap: int) -> Array:
    """Rows (sorted by lead and time) picked greedily: each lead's first eligible row, then
    the first eligible row at least ``gap`` after the last pick, and so on; every lead's
    chain advances at once, one pick per step."""
    picked = np.zeros(len(at), dtype=bool)
    rows = np.flatnonzero(eligible)
    if not len(rows):
        return picked
    sub = keys.subset(rows)
    lead = sub.lead
    nxt = sub.first(np.arange(len(rows)), at[rows] + gap, after=False)
    valid = nxt < len(rows)
    valid[valid] = lead[nxt[valid]] == lead[valid]
    nxt = np.where(valid, nxt, -1)
    first = np.ones(len(rows), dtype=bool)
    first[1:] = lead[1:] != lead[:-1]
    frontier = np.flatnonzero(first)
    while len(frontier):
        picked[rows[frontier]] = True
        frontier = nxt[frontier]
        frontier = frontier[frontier >= 0]
    return picked


def _window_counts(keys: _Keys, at: Array, span: int) -> Array:
    """For rows sorted by lead and time: how many rows of the lead, up to and including
    this one, fall in ``(at - span, at]`` (the repeat rule's window)."""
    everyone = np.arange(len(at))
    return everyone - keys.first(everyone, at - span, after=True) + 1


def _first_n(lead: Array, count: int) -> Array:
    """For rows sorted by lead: each lead's first ``count`` rows."""
    return (np.arange(len(lead)) - _group_starts(lead)) < count


def _limited_loop(lead: Array, at: Array, cr: CompiledRule) -> Array:
    """The scalar :class:`~.scalar.Limiter`, lead by lead, for the limits the vectorised
    forms do not cover (``count > 1`` with ``per``, calendar ``per``)."""
    keep = np.zeros(len(lead), dtype=bool)
    limiter = None
    current = None
    for row, (who, moment) in enumerate(zip(lead.tolist(), at.tolist(), strict=True)):
        if who != current or limiter is None:
            current, limiter = who, limiter_for(cr, us=True)
        if limiter is not None and limiter.admit(moment):
            keep[row] = True
    return keep


def counted(cr: CompiledRule, lead: Array, at: Array) -> Array:
    """Which of a rule's matching rows (sorted by lead and time) count: the vectorised
    :class:`~.scalar.Limiter` and :class:`~.scalar.Repeater`."""
    if not len(lead):
        return np.zeros(0, dtype=bool)
    if cr.within is not None:  # a repeat rule
        within = span_us(cr.within)
        keys = _Keys(lead, at, within)
        return _chain(keys, at, _window_counts(keys, at, within) >= cr.times, within)
    if cr.limit_count is None:
        return np.ones(len(lead), dtype=bool)
    if cr.limit_per is None:
        return _first_n(lead, cr.limit_count)
    if cr.limit_count == 1 and isinstance(cr.limit_per, timedelta):
        per = span_us(cr.limit_per)
        return _chain(_Keys(lead, at, per), at, np.ones(len(lead), dtype=bool), per)
    return _limited_loop(lead, at, cr)


def window_starts(at: Array, span: timedelta) -> Array:
    """:func:`~.scalar.window_start_us` element-wise, for a fixed ``span``: ``at - span``,
    with :data:`~leadscoring.core.times.BEFORE_CALENDAR_US` for a start before year 1."""
    starts: Array = np.maximum(at - span_us(span), BEFORE_CALENDAR_US)
    return starts


def rates_met(rule: CompiledRule, numerator: Array, denominator: Array) -> Array:
    """:func:`~.scalar.rate_met` element-wise (the same float division of the counts)."""
    share = numerator / np.maximum(denominator, 1)  # the division only counts where n >= 1
    met: Array = (denominator >= rule.min_denominator) & (share >= rule.at_least)
    return met


def rates(
    rule: CompiledRule, lead: Array, at: Array, numerator: Array, denominator: Array, as_of: int
) -> tuple[Array, Array, Array, Array]:
    """:func:`~.scalar.rate_at` for every lead at once. The rows (any order) are the events
    matching either side of the rate rule ``rule``: their lead, time (µs, ``<= as_of``)
    and whether each matches the ``numerator`` and the ``denominator``.

    Returns the leads (ascending) where the rule is met at ``as_of``, and for each the
    moment it last became met and its numerator and denominator counts at ``as_of``. As
    in the scalar form, the rule is evaluated at every moment an event enters the window
    (its time) or leaves it (:func:`~.scalar.window_exit_us`, up to ``as_of``), and at
    ``as_of``: the counts come from prefix sums over the rows sorted by lead and time,
    the last run of moments where the rule holds from one sort of those moments.
    """
    empty = np.zeros(0, dtype=np.int64)
    if not len(lead) or rule.within is None:
        return empty, empty, empty, empty
    span = rule.within
    rows = order(lead, at)
    lead, at = lead[rows].astype(np.int64), at[rows]
    low, high = int(at.min()), int(at.max())
    keys = _Keys(lead, at, 1)
    sums_k = np.concatenate(([0], np.cumsum(numerator[rows], dtype=np.int64)))
    sums_n = np.concatenate(([0], np.cumsum(denominator[rows], dtype=np.int64)))
    present = np.unique(lead)
    leaving = at <= window_start_us(as_of, span)
    exits = at[leaving] + span_us(span)  # window_exit_us, element-wise
    due = exits <= as_of
    moment_lead = np.concatenate((lead, lead[leaving][due], present))
    moment = np.concatenate((at, exits[due], np.full(len(present), as_of, dtype=np.int64)))

    def upto(times: Array) -> Array:  # rows of each moment's lead at or before ``times``
        return keys.first_of(moment_lead, np.clip(times, low - 1, high), after=True)

    end, start = upto(moment), upto(window_starts(moment, span))
    k, n = sums_k[end] - sums_k[start], sums_n[end] - sums_n[start]
    by = np.lexsort((moment, moment_lead))
    moment_lead, moment, k, n = moment_lead[by], moment[by], k[by], n[by]
    met = rates_met(rule, k, n)
    first = np.searchsorted(moment_lead, present, side="left")
    last = np.searchsorted(moment_lead, present, side="right") - 1  # at as_of
    unmet = np.flatnonzero(~met)
    latest_unmet = first - 1
    np.maximum.at(latest_unmet, np.searchsorted(present, moment_lead[unmet]), unmet)
    now = met[last]
    since = moment[latest_unmet[now] + 1]
    return present[now], since, k[last[now]], n[last[now]]


def clamp(values: Array, low: float | None, high: float | None) -> Array:
    """:func:`~.scalar.clamp` element-wise."""
    out = values
    if high is not None:
        out = np.where(out > high, high, out)
    if low is not None:
        out = np.where(values < low, low + 0.0, out)
    return out


def finish(compiled: CompiledModel, sums: Array) -> dict[str, Array]:
    """The finishing step of :func:`~.scalar.finish`, for every lead at once."""
    leads = sums.shape[0]
    by_rule: dict[str, Array] = {}
    by_group = {g: np.zeros(leads, dtype=np.float64) for g in compiled.groups}
    for cr in compiled.rules:
        value = sums[:, cr.index]
        if cr.cap is not None:
            value = clamp(value, -cr.cap, cr.cap)
        by_rule[cr.name] = value
        by_group[cr.group] = by_group[cr.group] + value
    fit = np.zeros(leads, dtype=np.float64)
    engagement = np.zeros(leads, dtype=np.float64)
    for group, value in by_group.items():
        cap = compiled.group_caps.get(group)
        if cap is not None:
            value = by_group[group] = clamp(value, -cap, cap)
        if group in compiled.fit_groups:
            fit = fit + value
        else:
            engagement = engagement + value
    model = compiled.model
    total = clamp(fit + engagement, model.floor, model.ceiling)
    out = {"total": total, "fit": fit, "engagement": engagement}
    out.update({f"by_group.{g}": v for g, v in by_group.items()})
    out.update({f"by_rule.{r}": v for r, v in by_rule.items()})
    return out


def reactivation_points(
    rule: CompiledRule, kind: Array, names: Sequence[str], at: Array, as_of: int
) -> Array:
    """:func:`~.scalar.reactivation_points` for many reactivations: ``kind`` holds codes
    into ``names`` (the kinds' values), ``at`` their times (µs). Reactivations of other
    kinds, and those that weigh nothing, give 0."""
    weight = rule.decay.weights_us(at, as_of)
    wanted = np.ones(len(at), dtype=bool)
    if rule.kinds is not None:
        allowed = np.array([name in rule.kinds for name in names] or [False], dtype=bool)
        wanted = allowed[kind] if len(kind) else wanted
    points: Array = np.where(wanted & (weight > 0.0), rule.points * weight, 0.0)
    return points


def top_reasons(names: Sequence[str], by_rule: Array, n: int = 3) -> tuple[Array, Array]:
    """:meth:`~leadscoring.LeadScore.top_reasons` for every lead: ``by_rule`` holds one
    column per rule (named ``names``), one row per lead; the result is the rule index
    (``-1``: fewer than ``n`` rules moved the score) and points of each lead's ``n``
    largest non-zero rules by size, ties by rule name, largest first."""
    leads, rules = by_rule.shape
    index = np.full((leads, n), -1, dtype=np.int64)
    points = np.zeros((leads, n), dtype=np.float64)
    if not rules or not leads:
        return index, points
    by_name = np.argsort(np.array(names, dtype=object), kind="stable")
    ranked = np.empty(rules, dtype=np.int64)
    ranked[by_name] = np.arange(rules)  # each rule's place in name order
    size = np.abs(by_rule)
    order = np.lexsort((np.broadcast_to(ranked, size.shape), -size), axis=1)[:, :n]
    chosen = np.take_along_axis(by_rule, order, axis=1)
    present = chosen != 0
    width = order.shape[1]
    index[:, :width] = np.where(present, order, -1)
    points[:, :width] = np.where(present, chosen, 0.0)
    return index, points
