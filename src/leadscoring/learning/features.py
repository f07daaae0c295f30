"""Candidate features for calibration: what a rule could say, and which leads it matches.

A candidate is a binary or count feature over the training leads that maps one-to-one onto
a rule: an attribute value, a group of rare values ("other"), a missing attribute, a
numeric threshold or range, a (decayed, capped) count of events of a type and category, or
a pair of binary attribute features that both hold ("A and B").
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Literal

import attrs

from ..core.aliases import Scalar
from ..core.conditions import All, AnyOf, Condition, Field, eq, exists, gte, lt, one_of, when
from ..core.decay import HalfLife
from ..core.event import Event
from ..core.lead import Lead
from ..core.rules import AttributeRule, EventRule, Rule
from .binning import monotone_cuts
from .logistic import Column

__all__ = [
    "Candidate",
    "attribute_candidates",
    "event_candidates",
    "event_keys",
    "nice",
    "ranges_from_thresholds",
    "to_rules",
]

Binning = Literal["quantile", "monotone", "both"]
"""How numeric attributes are cut: at quantiles, at supervised monotone cut points, or both."""

Kind = Literal["value", "other", "missing", "atleast", "range", "event", "pair"]


@attrs.frozen(kw_only=True)
class Candidate:
    """One feature: what it means, and its column over the training leads."""

    kind: Kind
    attribute: str = ""
    values: tuple[Scalar, ...] = ()
    low: float | None = None
    high: float | None = None
    event_type: str = ""
    category: str | None = None
    cap: float = 1.0
    has_none: bool = False
    parts: tuple[Candidate, ...] = ()
    column: Column = attrs.field(eq=False, repr=False, factory=lambda: ([], []))

    @property
    def support(self) -> int:
        """How many leads have a non-zero value."""
        return len(self.column[0])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def nice(value: float) -> int | float:
    """``value`` rounded to two significant digits, as an int when whole (347.0 -> 350)."""
    if value == 0 or not math.isfinite(value):
        return 0
    rounded = float(f"{value:.2g}")
    return int(rounded) if rounded.is_integer() else rounded


def _value_key(value: Scalar) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


def _binary(rows: Sequence[int]) -> Column:
    return (list(rows), [1.0] * len(rows))


def attribute_candidates(
    leads: Sequence[Lead],
    *,
    attributes: Sequence[str] | None,
    min_support: int,
    bins: int,
    ranges: bool,
    reference: bool,
    labels: Sequence[bool] | None = None,
    binning: Binning = "quantile",
) -> list[Candidate]:
    """Candidates from lead attributes.

    Numeric attributes are cut at up to ``bins`` quantiles (``binning="quantile"``) or,
    with ``binning="monotone"`` and the leads' ``labels``, at the edges of
    :func:`~leadscoring.learning.binning.monotone_bins` (supervised, monotone cut points,
    each bin holding at least ``min_support`` leads); ``"both"`` offers both sets.
    ``ranges`` gives disjoint numeric ranges instead of cumulative thresholds (``x >= t``).
    ``reference`` leaves out each categorical attribute's most common state (a value,
    "other" or missing), so that it scores zero and the features are not collinear.
    """
    n = len(leads)
    if attributes is None:
        names = sorted({k for lead in leads for k in lead.attributes})
    else:
        names = list(attributes)
    out: list[Candidate] = []
    for name in names:
        present: list[tuple[int, Scalar]] = []
        has_none = False
        for i, lead in enumerate(leads):
            v = lead.attributes.get(name)
            if v is None:
                has_none = has_none or name in lead.attributes
            else:
                present.append((i, v))
        missing = [i for i, lead in enumerate(leads) if lead.attributes.get(name) is None]
        numeric = bool(present) and all(_is_number(v) for _, v in present)
        found = (
            _numeric(name, present, n, min_support, bins, ranges,
                     _cuts(present, labels, bins, min_support, binning), binning == "both")
            if numeric
            else _categorical(name, present, n, min_support)
        )
        if min_support <= len(missing) <= n - min_support:
            found.append(Candidate(kind="missing", attribute=name, has_none=has_none,
                                   column=_binary(missing)))
        if reference and not numeric and found:
            top = max(found, key=lambda c: c.support)  # the first of the largest: stable
            found = [c for c in found if c is not top]
        out.extend(found)
    return out


def _categorical(name: str, present: list[tuple[int, Scalar]], n: int,
                 min_support: int) -> list[Candidate]:
    by_value: dict[tuple[str, str], list[int]] = {}
    value_of: dict[tuple[str, str], Scalar] = {}
    for i, v in present:
        key = _value_key(v)
        by_value.setdefault(key, []).append(i)
        value_of[key] = v
    out: list[Candidate] = []
    rare_rows: list[int] = []
    rare_values: list[Scalar] = []
    for key in sorted(by_value):
        rows = by_value[key]
        if len(rows) >= min_support:
            if len(rows) <= n - min_support:
                out.append(Candidate(kind="value", attribute=name, values=(value_of[key],),
                                     column=_binary(rows)))
        else:
            rare_rows.extend(rows)
            rare_values.append(value_of[key])
    if len(rare_values) > 1 and min_support <= len(rare_rows) <= n - min_support:
        out.append(Candidate(kind="other", attribute=name, values=tuple(rare_values),
                             column=_binary(sorted(rare_rows))))
    return out


def _cuts(present: list[tuple[int, Scalar]], labels: Sequence[bool] | None, bins: int,
          min_support: int, binning: Binning) -> list[float] | None:
    """The supervised cut points of ``binning`` (``None``: quantiles only)."""
    if binning == "quantile":
        return None
    if labels is None:
        raise ValueError(f"binning={binning!r} needs the labels")
    values = [float(v) for _, v in present]  # type: ignore[arg-type]
    return monotone_cuts(values, [labels[i] for i, _ in present], max_bins=bins,
                         min_count=min_support)


def _numeric(name: str, present: list[tuple[int, Scalar]], n: int, min_support: int,
             bins: int, ranges: bool, supervised: list[float] | None = None,
             quantiles_too: bool = False) -> list[Candidate]:
    values = sorted(float(v) for _, v in present)  # type: ignore[arg-type]
    m = len(values)
    proposed: list[float] = []
    quantiles = supervised is None or quantiles_too
    if quantiles:
        proposed = [float(nice(values[min(m - 1, (k * m) // bins)])) for k in range(1, bins)]
    if supervised:
        proposed = sorted({*proposed, *supervised})
    cuts: list[int | float] = []
    for t in proposed:
        t = nice(t)
        above = m - _count_below(values, t)
        if above >= min_support and m - above >= min_support and (not cuts or t > cuts[-1]):
            cuts.append(t)
    if not cuts:
        return []
    if not ranges:
        out = []
        for t in cuts:
            rows = [i for i, v in present if v >= t]  # type: ignore[operator]
            out.append(Candidate(kind="atleast", attribute=name, low=t, column=_binary(rows)))
        return out
    edges: list[int | float | None] = [None, *cuts, None]
    out = []
    for lo, hi in pairwise(edges):
        rows = [
            i for i, v in present
            if (lo is None or v >= lo) and (hi is None or v < hi)  # type: ignore[operator]
        ]
        if len(rows) >= min_support:
            out.append(Candidate(kind="range", attribute=name, low=lo, high=hi,
                                 column=_binary(rows)))
    return out


def _count_below(values: Sequence[float], t: float) -> int:
    return bisect_left(values, t)


def event_keys(event: Event) -> list[tuple[str, str | None]]:
    """The event candidates an event counts towards: its type, and type with category."""
    keys: list[tuple[str, str | None]] = [(event.type, None)]
    category = event.properties.get("category")
    if isinstance(category, str):
        keys.append((event.type, category))
    return keys


def event_candidates(
    leads: Sequence[Lead],
    grouped: Mapping[str, Sequence[Event]],
    *,
    as_of: datetime,
    half_life: float | None,
    min_support: int,
    presence: bool,
) -> list[Candidate]:
    """Candidates from events: per type and per type and category, each lead's count of
    such events decayed by ``half_life`` days (``None``: not decayed) and capped.

    The cap is the 90th percentile of the non-zero counts rounded up (at least 1); with
    ``presence`` it is 1, so the feature says "did this recently" rather than "how often".
    """
    decay = None if half_life is None else HalfLife(days=half_life)
    sums: dict[tuple[str, str | None], dict[int, float]] = {}
    for i, lead in enumerate(leads):
        for event in grouped.get(lead.id, ()):
            w = 1.0 if decay is None else decay.weight_at(event.at, as_of)
            for key in event_keys(event):
                per_lead = sums.setdefault(key, {})
                per_lead[i] = per_lead.get(i, 0.0) + w
    out: list[Candidate] = []
    n = len(leads)
    supported = {k for k, found in sums.items() if min_support <= len(found) <= n - min_support}
    for key in sorted(supported, key=lambda k: (k[0], k[1] or "")):
        per_lead = sums[key]
        if key[1] is None and _covered(key[0], per_lead, sums, supported, min_support):
            continue
        counts = sorted(per_lead.values())
        cap = 1.0 if presence else float(max(1, math.ceil(counts[(9 * len(counts)) // 10] - 1e-9)))
        rows = sorted(per_lead)
        column = (rows, [min(per_lead[r], cap) for r in rows])
        out.append(Candidate(kind="event", event_type=key[0], category=key[1], cap=cap,
                             column=column))
    return out


def _covered(event_type: str, per_lead: Mapping[int, float],
             sums: Mapping[tuple[str, str | None], Mapping[int, float]],
             supported: set[tuple[str, str | None]], min_support: int) -> bool:
    """Whether a type's events are (nearly) all in categories that have their own
    candidate: then a candidate for the type would only repeat their sum. It stays when
    at least ``min_support`` leads have events of the type outside those categories."""
    inside: dict[int, float] = {}
    for key, counts in sums.items():
        if key[0] == event_type and key[1] is not None and key in supported:
            for i, w in counts.items():
                inside[i] = inside.get(i, 0.0) + w
    if not inside:
        return False
    outside = sum(1 for i, w in per_lead.items() if w - inside.get(i, 0.0) > 1e-9 * w)
    return outside < min_support


def ranges_from_thresholds(chosen: Sequence[Candidate], leads: Sequence[Lead]) -> list[Candidate]:
    """Turn each attribute's chosen thresholds ``x >= t1 ... x >= tm`` into the disjoint
    ranges ``[t1, t2) ... [tm, inf)`` they define (the range below ``t1`` scores zero)."""
    out: list[Candidate] = []
    cuts: dict[str, list[float]] = {}
    for c in chosen:
        if c.kind == "atleast" and c.low is not None:
            if c.attribute not in cuts:
                out.append(c)  # a placeholder, replaced below in the same position
            cuts.setdefault(c.attribute, []).append(c.low)
        else:
            out.append(c)
    result: list[Candidate] = []
    for c in out:
        if c.kind != "atleast":
            result.append(c)
            continue
        edges = sorted(cuts[c.attribute])
        for lo, hi in zip(edges, [*edges[1:], None], strict=True):
            rows = []
            for i, lead in enumerate(leads):
                v = lead.attributes.get(c.attribute)
                if _is_number(v) and v >= lo and (hi is None or v < hi):  # type: ignore[operator]
                    rows.append(i)
            if rows:
                result.append(Candidate(kind="range", attribute=c.attribute, low=lo, high=hi,
                                        column=_binary(rows)))
    return result


PAIRABLE = ("value", "other", "missing", "range")
"""Kinds of candidates that can be paired: binary attribute features."""


def pair_candidates(chosen: Sequence[Candidate], labels: Sequence[bool],
                    probabilities: Sequence[float], *, min_support: int, top: int
                    ) -> list[Candidate]:
    """Up to ``top`` pairwise interactions ("both A and B") of the binary attribute
    candidates ``chosen``, from different attributes, that hold for at least
    ``min_support`` leads and leave at least as many out.

    They are ranked by the score test at the current fit (``probabilities``, one per
    lead): ``(sum of y - p)**2 / sum of p (1 - p)`` over the leads of the pair, the
    deviance a lone new coefficient would save to first order. Ties go to the earlier pair.
    """
    n = len(labels)
    binary = [c for c in chosen if c.kind in PAIRABLE]
    sets = [set(c.column[0]) for c in binary]
    scored: list[tuple[float, int, int, list[int]]] = []
    for a in range(len(binary)):
        for b in range(a + 1, len(binary)):
            if binary[a].attribute == binary[b].attribute:
                continue
            small, large = (a, b) if len(sets[a]) <= len(sets[b]) else (b, a)
            rows = sorted(r for r in binary[small].column[0] if r in sets[large])
            if not min_support <= len(rows) <= n - min_support:
                continue
            if len(rows) in (len(sets[a]), len(sets[b])):
                continue  # the pair is one of its parts
            g = math.fsum((1.0 if labels[r] else 0.0) - probabilities[r] for r in rows)
            info = math.fsum(probabilities[r] * (1.0 - probabilities[r]) for r in rows)
            if info > 0.0:
                scored.append((g * g / info, a, b, rows))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [Candidate(kind="pair", parts=(binary[a], binary[b]), column=_binary(rows))
            for _, a, b, rows in scored[:top]]


def _show(value: Scalar) -> str:
    return value if isinstance(value, str) else repr(value)


def _name_and_condition(c: Candidate) -> tuple[str, Condition]:
    if c.kind == "pair":
        names, conditions = zip(*(_name_and_condition(part) for part in c.parts), strict=True)
        flat: list[Condition] = []
        for condition in conditions:
            flat.extend(condition.conditions if isinstance(condition, All) else [condition])
        return " and ".join(names), All(*flat)
    a = c.attribute
    if c.kind == "value":
        return f"{a} = {_show(c.values[0])}", All(Field(a, eq(c.values[0])))
    if c.kind == "other":
        return f"{a} = other ({len(c.values)} values)", All(Field(a, one_of(c.values)))
    if c.kind == "missing":
        absent = Field(a, exists(False))
        return f"{a} missing", AnyOf(absent, Field(a, eq(None))) if c.has_none else All(absent)
    if c.kind in ("range", "atleast"):
        parts = []
        if c.low is not None:
            parts.append(Field(a, gte(c.low)))
        if c.high is not None:
            parts.append(Field(a, lt(c.high)))
        if c.low is None:
            label = f"{a} < {c.high!r}"
        elif c.high is None:
            label = f"{a} >= {c.low!r}"
        else:
            label = f"{a} in [{c.low!r}, {c.high!r})"
        return label, All(*parts)
    if c.category is None:
        return c.event_type, when(type=c.event_type)
    return f"{c.event_type}: {c.category}", when(type=c.event_type, category=c.category)


def _merge_ranges(scored: Sequence[tuple[Candidate, int]]) -> list[tuple[Candidate, int]]:
    """Join touching ranges of one attribute that earn the same points (scores unchanged)."""
    out: list[tuple[Candidate, int]] = []
    for c, points in scored:
        if out:
            last, last_points = out[-1]
            if (c.kind == last.kind == "range" and c.attribute == last.attribute
                    and points == last_points and last.high is not None and last.high == c.low):
                joined = attrs.evolve(last, high=c.high, column=([], []))
                out[-1] = (joined, points)
                continue
        out.append((c, points))
    return out


def to_rules(chosen: Sequence[tuple[Candidate, float]], scale: float) -> list[Rule]:
    """Rules with whole points ``round(scale * coef)``; those rounding to zero are left out,
    and touching ranges of one attribute with equal points become one range."""
    rules: list[Rule] = []
    names: set[str] = set()
    for c, points in _merge_ranges([(c, round(scale * coef)) for c, coef in chosen]):
        if points == 0:
            continue
        name, condition = _name_and_condition(c)
        base, k = name, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.add(name)
        if c.kind == "event":
            cap = abs(points) * round(c.cap)
            rules.append(EventRule(name=name, when=condition, points=points, cap=cap))
        else:
            rules.append(AttributeRule(name=name, when=condition, points=points))
    return rules
