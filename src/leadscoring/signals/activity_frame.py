"""The activity detector of :mod:`.activity` on whole columns at once (the columnar path).

The same rules as :func:`~leadscoring.activity` (``docs/dormancy.md``), for every lead of a
table in one pass of array operations, with no Python loop over leads or events:

- **thresholds**: the gaps of at least ``session_gap`` between consecutive activity events
  form, per lead, a growing list; the median of each prefix is read from a wavelet matrix
  over the gaps' ranks (one vectorised step per bit of the rank, for every prefix at
  once), then ``max(dormant_after, cadence_factor * median)`` with
  :class:`~datetime.timedelta`'s own rounding (half to even, exact);
- **returns**: every position whose silence reaches the threshold before it is a
  candidate; its completion (an intent event of a lost deal or customer, or the
  ``burst_min_events``-th event within ``burst_within``) is found for all candidates at
  once, one vectorised step per event of a burst;
- **used-up returns**: the reactivations are the greedy chain over completing candidates
  (the first, then the first starting after the event that completed it, ...), every
  lead's chain advancing at once, one step per reactivation.

Only imported by the frame path (it needs numpy, an optional extra). Rows must be one
lead's events after another, each lead's in the order :func:`~leadscoring.core.event.dedupe_sorted`
gives them, already cut at ``as_of`` and de-duplicated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import attrs
import numpy as np

from ..core.lead import LeadStatus
from ..core.times import span_us
from .activity import ActivityState, ReactivationKind
from .dormancy import DormancyPolicy

__all__ = [
    "KINDS",
    "STATES",
    "Detected",
    "detect",
    "kth_smallest",
    "special_kinds",
    "states",
    "thresholds",
]

Array = np.ndarray[Any, Any]

KINDS: tuple[ReactivationKind, ...] = (
    ReactivationKind.RETURN_AFTER_SILENCE,
    ReactivationKind.LOST_DEAL_RETURN,
    ReactivationKind.CUSTOMER_RETURN,
)
"""Reactivation kinds by code (0: a plain return; 1: a lost deal; 2: a customer)."""

STATES: tuple[ActivityState, ...] = (
    ActivityState.NEW,
    ActivityState.ACTIVE,
    ActivityState.DORMANT,
    ActivityState.REACTIVATED,
)
"""Activity states by code."""

CAP = 2**62
"""Thresholds above this many microseconds (146,000 years) are kept at it in the arrays:
no silence between two datetimes is that long, so every comparison stays exact; their
exact values are in :attr:`Detected.exact`."""

_HALF = 2.0**52
"""From here on a float no longer holds half microseconds: rounding goes the exact way."""


def _group_starts(lead: Array) -> Array:
    """For rows sorted by lead: the position where each row's lead starts."""
    first = np.ones(len(lead), dtype=bool)
    first[1:] = lead[1:] != lead[:-1]
    return np.maximum.accumulate(np.where(first, np.arange(len(lead)), 0))


def kth_smallest(values: Array, lo: Array, hi: Array, k: Array) -> Array:
    """For each query ``i``: the ``k[i]``-th smallest (0-based) of ``values[lo[i]:hi[i]]``.

    ``values`` are distinct integers in ``[0, len(values))`` (ranks). A wavelet matrix,
    built and queried one bit at a time (top bit first) for all queries together, so
    memory stays linear and the work is ``O((len(values) + queries) * bits)``.
    """
    n = len(values)
    out = np.zeros(len(lo), dtype=np.int64)
    if not n or not len(lo):
        return out
    current = values.astype(np.int64, copy=True)
    lo, hi, k = lo.astype(np.int64), hi.astype(np.int64), k.astype(np.int64)
    for level in reversed(range(max(1, (n - 1).bit_length()))):
        bit = (current >> level) & 1
        zeros = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(bit == 0, out=zeros[1:])
        total_zeros = zeros[-1]
        z_lo, z_hi = zeros[lo], zeros[hi]
        inside = z_hi - z_lo
        left = k < inside
        out |= np.where(left, 0, 1 << level)
        k = np.where(left, k, k - inside)
        lo = np.where(left, z_lo, total_zeros + lo - z_lo)
        hi = np.where(left, z_hi, total_zeros + hi - z_hi)
        current = np.concatenate((current[bit == 0], current[bit == 1]))
    return out


def _half_even_mean(a: Array, b: Array) -> Array:
    """``(a + b) / 2`` as ``timedelta / 2`` rounds it: half a microsecond goes to even."""
    total = a + b
    half = total >> 1
    return half + ((total & 1) & (half & 1))


def _times_factor(median: Array, factor: float) -> tuple[Array, dict[int, timedelta]]:
    """``median * factor`` as ``timedelta * float`` gives it (exact, half to even), capped at
    :data:`CAP`; the positions whose exact value is above the cap, with that value."""
    product = median.astype(np.float64) * factor
    rounded = np.rint(product)
    doubtful = (product >= _HALF) | (product - np.floor(product) == 0.5)
    out = np.where(doubtful, 0, rounded).astype(np.int64)
    exact: dict[int, timedelta] = {}
    for position in np.flatnonzero(doubtful).tolist():
        try:
            value = timedelta(microseconds=int(median[position])) * factor
        except OverflowError:  # as the scalar detector: the lead never turns dormant
            value = timedelta.max
        micros = value // timedelta(microseconds=1)
        out[position] = min(micros, CAP)
        if micros > CAP:
            exact[position] = value
    return out, exact


def thresholds(
    lead: Array, at: Array, policy: DormancyPolicy, rows: Array | None = None
) -> tuple[Array, dict[int, timedelta]]:
    """The silence threshold after each of ``rows`` (activity rows; ``None``: all), in µs
    capped at :data:`CAP`, from the lead's activity up to and including the row; and the
    exact values above the cap, by position in ``rows``.

    A row after which the lead has no more counted gaps needs the median of all of them:
    one sort gives those. The other rows need the median of a prefix: a wavelet matrix
    over the gaps of their leads only.
    """
    n = len(at)
    wanted = np.arange(n) if rows is None else rows
    starts = _group_starts(lead)
    position = np.arange(n) - starts
    gap = np.zeros(n, dtype=np.int64)
    gap[1:] = at[1:] - at[:-1]
    counted = (position > 0) & (gap >= span_us(policy.session_gap))
    running: Array = np.cumsum(counted)
    before: Array = running[starts] - counted[starts]  # counted gaps of earlier leads
    count: Array = running - before
    dormant_after = span_us(policy.dormant_after)
    out = np.full(len(wanted), dormant_after, dtype=np.int64)
    if not len(wanted):
        return out, {}
    use = np.flatnonzero((position[wanted] + 1 >= policy.min_history) & (count[wanted] > 0))
    if not len(use):
        return out, {}
    row = wanted[use]
    gaps = gap[counted]
    owner = lead[counted]
    last = np.ones(n, dtype=bool)
    last[:-1] = lead[1:] != lead[:-1]
    ends = _lead_ends(running, last)  # counted gaps up to each row's lead's last row
    whole = running[row] == ends[row]
    lo, hi, c = before[row], running[row], count[row]
    low = np.zeros(len(row), dtype=np.int64)
    high = np.zeros(len(row), dtype=np.int64)
    if whole.any():  # the median of all the lead's gaps: sort each lead's gaps once
        ordered = gaps[np.lexsort((gaps, owner))]
        w = np.flatnonzero(whole)
        low[w] = ordered[lo[w] + (c[w] - 1) // 2]
        high[w] = ordered[lo[w] + c[w] // 2]
    part = np.flatnonzero(~whole)
    if len(part):  # medians of prefixes: the gaps of those leads only, in a wavelet matrix
        needed = np.zeros(int(lead.max()) + 1, dtype=bool)
        needed[lead[row[part]]] = True
        keep = needed[owner]
        kept = gaps[keep]
        shift = np.zeros(len(gaps) + 1, dtype=np.int64)
        np.cumsum(keep, out=shift[1:])
        order = np.argsort(kept, kind="stable")
        ranks = np.empty(len(kept), dtype=np.int64)
        ranks[order] = np.arange(len(kept))
        p_lo, p_hi, p_c = shift[lo[part]], shift[hi[part]], c[part]
        both = kth_smallest(
            ranks, np.concatenate((p_lo, p_lo)), np.concatenate((p_hi, p_hi)),
            np.concatenate(((p_c - 1) // 2, p_c // 2)),
        )  # fmt: skip
        low[part] = kept[order[both[: len(part)]]]
        high[part] = kept[order[both[len(part) :]]]
    median = np.where(c % 2 == 1, high, _half_even_mean(low, high))
    rhythm, exact = _times_factor(median, policy.cadence_factor)
    out[use] = np.maximum(rhythm, dormant_after)
    return out, {int(use[p]): value for p, value in exact.items()}


def _lead_ends(running: Array, last: Array) -> Array:
    """For rows sorted by lead: ``running`` at the last row of each row's lead."""
    marks = np.flatnonzero(last)
    sizes = np.diff(np.concatenate(([0], marks + 1)))
    ends: Array = np.repeat(running[marks], sizes)
    return ends


@attrs.frozen(kw_only=True)
class Detected:
    """What the detector found (rows are positions in the arrays given to :func:`detect`,
    which hold activity events only).

    ``last`` is each lead's last row (ascending), ``threshold`` the threshold after it
    (capped at :data:`CAP`; ``exact`` holds the exact values above it, by position in
    ``last``). Each reactivation ``i`` started at row ``start[i]`` (the first returning
    event; the silence began at row ``start[i] - 1``) and completed at row ``done[i]``,
    with kind code ``kind[i]`` (see :data:`KINDS`); they are sorted by row.
    """

    last: Array
    threshold: Array
    exact: dict[int, timedelta]
    start: Array
    done: Array
    kind: Array


def detect(
    lead: Array,
    at: Array,
    intent: Array,
    special: Array,
    policy: DormancyPolicy,
    *,
    last: bool = True,
) -> Detected:
    """Thresholds and reactivations of every lead at once (``last=False``: reactivations
    only, without the threshold after each lead's last row, which :func:`states` needs).

    ``lead`` (sorted), ``at`` (µs) and ``intent`` (the event is an intent event: type in
    ``intent_types``, category in ``intent_categories``) describe activity rows only.
    ``special`` is the kind code a return completing at each row would carry because of
    the lead's status (``1`` lost, ``2`` won, ``0`` otherwise, status changed strictly
    before the row; see :func:`special_kinds`).

    Thresholds are computed only where a decision reads them: after each lead's last row,
    and before each silence of at least ``dormant_after`` (a shorter one can never reach
    a threshold, which is never below ``dormant_after``).
    """
    n = len(at)
    empty = np.zeros(0, dtype=np.int64)
    ending = np.ones(n, dtype=bool)
    ending[:-1] = lead[1:] != lead[:-1]
    last_rows = np.flatnonzero(ending) if last else np.zeros(0, dtype=np.int64)
    first = np.ones(n, dtype=bool)
    first[1:] = ending[:-1]
    silence = np.zeros(n, dtype=np.int64)
    silence[1:] = at[1:] - at[:-1]
    long = np.flatnonzero(~first & (silence >= span_us(policy.dormant_after)))
    limit, exact = thresholds(lead, at, policy, np.concatenate((last_rows, long - 1)))
    last_limit = limit[: len(last_rows)]
    last_exact = {p: v for p, v in exact.items() if p < len(last_rows)}
    if not len(long):
        return Detected(last=last_rows, threshold=last_limit, exact=last_exact, start=empty,
                        done=empty, kind=empty)  # fmt: skip
    boundaries = np.flatnonzero(first)
    sizes = np.diff(np.append(boundaries, n))
    ends = np.repeat(boundaries + sizes, sizes)  # each row's lead's end (exclusive)
    candidates = long[silence[long] >= limit[len(last_rows) :]]
    done = np.full(len(candidates), -1, dtype=np.int64)
    kind = np.zeros(len(candidates), dtype=np.int64)
    alive = np.ones(len(candidates), dtype=bool)
    within = span_us(policy.burst_within)
    for step in range(policy.burst_min_events):
        if not alive.any():
            break
        row = np.minimum(candidates + step, n - 1)
        alive &= (candidates + step < ends[candidates]) & (at[row] - at[candidates] <= within)
        own = special[row]
        hit = alive & (((own > 0) & intent[row]) | (step + 1 >= policy.burst_min_events))
        done[hit] = row[hit]
        kind[hit] = own[hit]
        alive &= ~hit
    completing = done >= 0
    candidates, done, kind = candidates[completing], done[completing], kind[completing]
    picked = _chain(lead, candidates, done)
    return Detected(
        last=last_rows, threshold=last_limit, exact=last_exact, start=candidates[picked],
        done=done[picked], kind=kind[picked],
    )  # fmt: skip


def _chain(lead: Array, start: Array, done: Array) -> Array:
    """Which completing returns are reactivations: each lead's first, then the first that
    starts after the event completing the last one, and so on (every lead at once)."""
    picked = np.zeros(len(start), dtype=bool)
    if not len(start):
        return picked
    owner = lead[start]
    following = np.searchsorted(start, done, side="right")
    valid = following < len(start)
    valid[valid] = owner[following[valid]] == owner[valid]
    following = np.where(valid, following, -1)
    first = np.ones(len(start), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    frontier = np.flatnonzero(first)
    while len(frontier):
        picked[frontier] = True
        frontier = following[frontier]
        frontier = frontier[frontier >= 0]
    return picked


def special_kinds(
    statuses: Sequence[str],
    status_of: Array,
    changed: Array,
    changed_null: Array,
    lead: Array,
    at: Array,
) -> Array:
    """Per row, the kind code of a return completing there because of the lead's status:
    ``1`` for a ``LOST`` lead, ``2`` for a ``WON`` one whose status changed strictly before
    the row (or at an unknown time), else ``0``. ``statuses`` are status values by code,
    ``status_of`` each lead's code; ``changed`` (µs) and ``changed_null`` per lead."""
    by_status = np.array(
        [
            1 if value == LeadStatus.LOST.value else 2 if value == LeadStatus.WON.value else 0
            for value in statuses
        ]
        or [0],
        dtype=np.int64,
    )
    own = by_status[status_of[lead]] if len(lead) else np.zeros(0, dtype=np.int64)
    after = changed_null[lead] | (changed[lead] < at)
    return np.where(after, own, 0)


def states(
    count: int,
    lead: Array,
    at: Array,
    found: Detected,
    as_of: int,
    policy: DormancyPolicy,
) -> dict[str, Any]:
    """Per lead (``count`` of them): state code (see :data:`STATES`), last activity row
    (``-1``: none), threshold after it (``dormant_after`` without one; ``exact`` holds the
    values above :data:`CAP` by lead), whether dormant, the last reactivation (index into
    ``found``'s, ``-1``: none) and how many there were."""
    last = np.full(count, -1, dtype=np.int64)
    threshold = np.full(count, span_us(policy.dormant_after), dtype=np.int64)
    owners_of_last = lead[found.last] if len(found.last) else np.zeros(0, dtype=np.int64)
    last[owners_of_last] = found.last
    threshold[owners_of_last] = found.threshold
    exact = {int(owners_of_last[p]): value for p, value in found.exact.items()}
    active = last >= 0
    last_at = np.where(active, at[np.maximum(last, 0)] if len(at) else 0, 0)
    dormant = active & (as_of - last_at >= threshold)
    owners = lead[found.done] if len(found.done) else np.zeros(0, dtype=np.int64)
    latest = np.full(count, -1, dtype=np.int64)
    latest[owners] = np.arange(len(owners))  # sorted by row: the last one per lead wins
    how_many = np.bincount(owners, minlength=count)
    if len(owners):
        back_at = np.where(latest >= 0, at[found.done[np.maximum(latest, 0)]], 0)
    else:
        back_at = np.zeros(count, dtype=np.int64)
    recent = (latest >= 0) & (as_of - back_at < span_us(policy.reactivated_for))
    state = np.where(~active, 0, np.where(dormant, 2, np.where(recent, 3, 1)))
    return {
        "state": state,
        "last": last,
        "threshold": threshold,
        "exact": exact,
        "dormant": dormant,
        "latest": latest,
        "count": how_many,
    }
