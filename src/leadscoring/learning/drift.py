"""Score drift: has the population of scores moved since a reference run?

:func:`drift` compares two populations of scores (``score_all`` at two moments, or a
saved run and today's) with the population stability index and gives a
:class:`DriftReport`: the PSI of the score, of each rule's firing rate and of the rule
mix, each in a band, and an overall verdict. See ``docs/honest.md``.

The arithmetic, all of it order-independent:

- **PSI** of two distributions over the same bins, as shares: ``Σ (now − then) ·
  ln(now / then)``. A share of 0 is replaced by :data:`EPSILON` (``1e-4``) on either side,
  so a bin that is empty at one moment gives a large but finite term. Every term is ``>= 0``
  and the PSI of identical distributions is exactly 0.
- **The score**: the bins are fixed on ``scores_then``, at its quantiles (deciles by
  default: ``bins=10``, linear interpolation as in ``numpy.quantile``), equal edges
  collapsed, so a score held by many leads (often 0) is one bin rather than several empty
  ones. A bin holds the scores above its lower edge up to and including its upper edge; the
  first bin is open below and the last open above, so scores outside the old range count.
- **Each rule** (``RuleDrift``): the share of leads it fired for (gave non-zero points,
  negative points included), then and now, and the PSI of fired / not fired (two bins).
- **The rule mix**: each rule's share of all the points the population got (absolute
  values, after caps, so a rule taking 20 points away counts 20), then and now, and the
  PSI over the rules as categories. The score may keep its shape while its points come
  from other rules; the mix shows it.
- **Bands**: ``stable`` below 0.1, ``watch`` from 0.1 to 0.25 (both included), ``act``
  above 0.25. The verdict is the worst band of the score, the mix and every rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ..core.display import html_block, html_table, moment
from ..core.errors import InvalidValueError
from .populations import RuleTally, ScorePopulation, _is_frame, population
from .psi import (
    ACT_ABOVE,
    EPSILON,
    STABLE_BELOW,
    DriftBand,
    _shares,
    _term,
    psi,
    psi_band,
    score_edges,
)
from .report_text import table

__all__ = [
    "DriftBin",
    "DriftReport",
    "RuleDrift",
    "compare_populations",
    "drift",
]

_RANK: dict[DriftBand, int] = {"stable": 0, "watch": 1, "act": 2}


@attrs.frozen(kw_only=True)
class DriftBin:
    """One bin of the score: scores above ``low`` up to and including ``high`` (``None``:
    open), the share of leads in it then and now, and its term of the score's PSI."""

    low: float | None
    high: float | None
    then: float
    now: float
    psi: float


@attrs.frozen(kw_only=True)
class RuleDrift:
    """One rule, then and now.

    ``fired_then`` / ``fired_now``: the share of leads the rule gave non-zero points to;
    ``psi`` (and ``band``): the PSI of fired / not fired. ``points_share_then`` /
    ``points_share_now``: the rule's share of all the points the population got
    (absolute values). ``in_then`` / ``in_now``: whether the rule is in that population's
    scores at all (a rule added or removed between the runs fires for nobody on the other
    side, which is a change of model rather than of leads).
    """

    rule: str
    fired_then: float
    fired_now: float
    psi: float
    band: DriftBand
    points_share_then: float
    points_share_now: float
    in_then: bool = True
    in_now: bool = True


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def _span(b: DriftBin) -> str:
    if b.low is None and b.high is None:
        return "all"
    if b.low is None:
        return f"<= {_num(b.high)}"
    if b.high is None:
        return f"> {_num(b.low)}"
    return f"{_num(b.low)} to {_num(b.high)}"


_RULE_HEADER = ("rule", "fired then", "fired now", "PSI", "band", "points then", "points now")


def _rule_cells(r: RuleDrift) -> tuple[str, ...]:
    """One rule's row of the text and HTML tables (:data:`_RULE_HEADER`)."""
    return (
        _rule_name(r),
        f"{r.fired_then:.1%}",
        f"{r.fired_now:.1%}",
        f"{r.psi:.3f}",
        r.band,
        f"{r.points_share_then:.1%}",
        f"{r.points_share_now:.1%}",
    )


def _rule_name(r: RuleDrift) -> str:
    if not r.in_then:
        return f"{r.rule} (only now)"
    if not r.in_now:
        return f"{r.rule} (only then)"
    return r.rule


@attrs.frozen(kw_only=True)
class DriftReport:
    """How far the scores moved from ``scores_then`` to ``scores_now``.

    ``score_psi`` / ``score_band``: the PSI of the score over ``score_bins`` (fixed on the
    leads then); ``mix_psi`` / ``mix_band``: of the rules' shares of the points (``None``
    without per-rule points); ``rules``: one :class:`RuleDrift` per rule, most drifted
    first; ``verdict``: the worst band of them all. ``to_dict()`` gives plain data,
    ``summary()`` (and ``str()``) a readable text.
    """

    verdict: DriftBand
    leads_then: int
    leads_now: int
    as_of_then: datetime | None
    as_of_now: datetime | None
    bins: int
    score_psi: float
    score_band: DriftBand
    score_bins: tuple[DriftBin, ...]
    mix_psi: float | None
    mix_band: DriftBand | None
    rules: tuple[RuleDrift, ...]
    epsilon: float = EPSILON

    def drivers(self) -> list[str]:
        """What is in the verdict's band, in words (empty when the verdict is ``stable``).

        The score comes first, then the rule mix, then the rules, most drifted first.
        """
        if self.verdict == "stable":
            return []
        found = []
        if self.score_band == self.verdict:
            found.append(f"the score (PSI {self.score_psi:.3f})")
        if self.mix_band == self.verdict and self.mix_psi is not None:
            found.append(f"the rule mix (PSI {self.mix_psi:.3f})")
        found += [
            f"rule {_rule_name(r)!r} (PSI {r.psi:.3f})"
            for r in self.rules
            if r.band == self.verdict
        ]
        return found

    def _head(self) -> str:
        def when(at: datetime | None) -> str:
            return f" ({moment(at)} UTC)" if at else ""

        return (
            f"Score drift: {self.leads_then} leads then{when(self.as_of_then)}, "
            f"{self.leads_now} now{when(self.as_of_now)}"
        )

    def _lines(self) -> list[str]:
        lines = [
            f"Verdict: {self.verdict} (PSI bands: stable < {STABLE_BELOW:g}, watch "
            f"{STABLE_BELOW:g} to {ACT_ABOVE:g}, act > {ACT_ABOVE:g})",
            f"Score PSI {self.score_psi:.3f}: {self.score_band}",
        ]
        if self.mix_psi is not None:
            lines.append(
                f"Rule mix PSI {self.mix_psi:.3f}: {self.mix_band} "
                "(each rule's share of all points)"
            )
        elif not self.rules:
            lines.append("No per-rule points: the score alone is compared")
        drivers = self.drivers()
        if drivers:
            lines.append(f"{self.verdict}: " + "; ".join(drivers))
        return lines

    def summary(self) -> str:
        """The verdict and the PSIs, the score's bins, and the rules, most drifted first."""
        merged = len(self.score_bins) < self.bins
        note = f" ({self.bins} asked for; equal edges merged)" if merged else ""
        lines = [
            self._head(),
            *self._lines(),
            "",
            f"Score, in {len(self.score_bins)} bins fixed on the leads then{note}:",
        ]
        rows = [("score", "then", "now", "PSI")]
        rows += [
            (_span(b), f"{b.then:.1%}", f"{b.now:.1%}", f"{b.psi:.3f}") for b in self.score_bins
        ]
        lines += table(rows, [False, True, True, True])
        if self.rules:
            lines += [
                "",
                "Rules, most drifted first (fired: the share of leads given points; "
                "points: the share of all points):",
            ]
            rule_rows = [_RULE_HEADER, *(_rule_cells(r) for r in self.rules)]
            lines += table(rule_rows, [False, True, True, True, False, True, True])
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        """A one-line summary; :meth:`summary` (or ``str()``) has the tables."""
        mix = "None" if self.mix_psi is None else f"{self.mix_psi:.3f}"
        return (
            f"DriftReport(verdict={self.verdict!r}, score_psi={self.score_psi:.3f}, "
            f"mix_psi={mix}, leads_then={self.leads_then}, leads_now={self.leads_now}, "
            f"{len(self.rules)} rule(s))"
        )

    def _repr_html_(self) -> str:
        """The verdict, the score's bins and the rules as HTML (notebooks)."""
        bins = html_table(
            ("score", "then", "now", "PSI"),
            [(_span(b), f"{b.then:.1%}", f"{b.now:.1%}", f"{b.psi:.3f}") for b in self.score_bins],
            numeric=(1, 2, 3),
        )
        tables = [bins]
        if self.rules:
            tables.append(
                html_table(
                    _RULE_HEADER,
                    [_rule_cells(r) for r in self.rules],
                    numeric=(1, 2, 3, 5, 6),
                )
            )
        return html_block(self._head(), self._lines(), tables)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able): every figure above, bands as strings."""
        return {
            "verdict": self.verdict,
            "leads_then": self.leads_then,
            "leads_now": self.leads_now,
            "as_of_then": self.as_of_then.isoformat() if self.as_of_then else None,
            "as_of_now": self.as_of_now.isoformat() if self.as_of_now else None,
            "bins": self.bins,
            "epsilon": self.epsilon,
            "stable_below": STABLE_BELOW,
            "act_above": ACT_ABOVE,
            "score_psi": self.score_psi,
            "score_band": self.score_band,
            "score_bins": [attrs.asdict(b) for b in self.score_bins],
            "mix_psi": self.mix_psi,
            "mix_band": self.mix_band,
            "rules": [attrs.asdict(r) for r in self.rules],
            "drivers": self.drivers(),
        }


# --------------------------------------------------------------------------- drift


def _check_bins(bins: object) -> int:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        raise InvalidValueError(
            "bins", f"must be a whole number of at least 2, got {bins!r} (10 gives deciles)"
        )
    return bins


def _worst(bands: Iterable[DriftBand]) -> DriftBand:
    return max(bands, key=_RANK.__getitem__)


def _rule_rows(
    then: ScorePopulation, now: ScorePopulation
) -> tuple[tuple[RuleDrift, ...], float | None]:
    then_rules, now_rules = then.rules or {}, now.rules or {}
    names = sorted(set(then_rules) | set(now_rules))
    if not names:
        return (), None
    none = RuleTally(fired=0, points=0.0)
    then_points = math.fsum(t.points for t in then_rules.values())
    now_points = math.fsum(t.points for t in now_rules.values())
    rows = []
    for rule in names:
        a, b = then_rules.get(rule, none), now_rules.get(rule, none)
        fired_then, fired_now = a.fired / len(then.totals), b.fired / len(now.totals)
        value = psi((fired_then, 1 - fired_then), (fired_now, 1 - fired_now))
        rows.append(
            RuleDrift(
                rule=rule,
                fired_then=fired_then,
                fired_now=fired_now,
                psi=value,
                band=psi_band(value),
                points_share_then=a.points / then_points if then_points else 0.0,
                points_share_now=b.points / now_points if now_points else 0.0,
                in_then=rule in then_rules,
                in_now=rule in now_rules,
            )
        )
    mix = psi([r.points_share_then for r in rows], [r.points_share_now for r in rows])
    rows.sort(key=lambda r: (-r.psi, r.rule))
    return tuple(rows), mix


def compare_populations(
    then: ScorePopulation, now: ScorePopulation, *, bins: int = 10
) -> DriftReport:
    """The :class:`DriftReport` of two :class:`ScorePopulation` s (what :func:`drift` and
    ``leadscoring drift`` compute, once their inputs are read)."""
    bins = _check_bins(bins)
    for side in (then, now):
        if not side.totals:
            raise InvalidValueError(
                side.source,
                "has no scores; drift compares two populations of at least one "
                "lead each (score_all on the leads, or a file from leadscoring score)",
            )
    if (then.rules is None) != (now.rules is None):
        bare, other = (then, now) if then.rules is None else (now, then)
        raise InvalidValueError(
            bare.source, f"has no per-rule points, but {other.source} has; {bare.hint}"
        )
    edges = score_edges(then.totals, bins)
    then_shares, now_shares = _shares(then.totals, edges), _shares(now.totals, edges)
    score_bins = tuple(
        DriftBin(
            low=edges[k - 1] if k else None,
            high=edges[k] if k < len(edges) else None,
            then=a,
            now=b,
            psi=_term(a, b),
        )
        for k, (a, b) in enumerate(zip(then_shares, now_shares, strict=True))
    )
    score_psi = math.fsum(b.psi for b in score_bins)
    rules, mix = _rule_rows(then, now)
    mix_band = None if mix is None else psi_band(mix)
    bands = [psi_band(score_psi), *(r.band for r in rules)]
    if mix_band is not None:
        bands.append(mix_band)
    return DriftReport(
        verdict=_worst(bands),
        leads_then=len(then.totals),
        leads_now=len(now.totals),
        as_of_then=then.as_of,
        as_of_now=now.as_of,
        bins=bins,
        score_psi=score_psi,
        score_band=psi_band(score_psi),
        score_bins=score_bins,
        mix_psi=mix,
        mix_band=mix_band,
        rules=rules,
    )


def drift(scores_then: Any, scores_now: Any, *, bins: int = 10) -> DriftReport:
    """How far the scores moved from ``scores_then`` to ``scores_now``: the PSI of the score
    and of each rule's share, each in a band, and a verdict (see the module docstring).

    Both are collections of :class:`~leadscoring.LeadScore` (``score_all`` at two moments,
    or a saved run and today's), or both tables with a ``total`` column and, for the
    rules, ``by_rule.<rule>`` columns (``score_frame(..., by_rule=True)``, pandas or
    polars). The score's ``bins`` (at least 2; deciles by default) are fixed on
    ``scores_then``.

    Raises :class:`~leadscoring.InvalidValueError` naming the argument for an empty input,
    an item that is not a ``LeadScore``, a table beside objects, per-rule points on one
    side only, and ``bins`` below 2.

    >>> from datetime import UTC, datetime
    >>> at = datetime(2026, 6, 30, tzinfo=UTC)
    >>> def scores(*totals):
    ...     return [LeadScore(lead_id=f"L{k}", as_of=at, total=t, fit=t, engagement=0,
    ...                       by_group={}, by_rule={}, contributions=()) for k, t in
    ...             enumerate(totals)]
    >>> report = drift(scores(1, 2, 3, 4, 5, 6, 7, 8), scores(1, 1, 1, 1, 3, 5, 7, 8), bins=4)
    >>> round(report.score_psi, 4), report.verdict
    (0.3466, 'act')
    """
    then_is_frame, now_is_frame = _is_frame(scores_then), _is_frame(scores_now)
    then = population(scores_then, "scores_then")
    if then_is_frame != now_is_frame:
        kinds = {True: "a table", False: "LeadScore results"}
        raise InvalidValueError(
            "scores_now",
            f"is {kinds[now_is_frame]} but scores_then is "
            f"{kinds[then_is_frame]}; give both as LeadScore results (score_all) or both "
            "as tables (score_frame(..., by_rule=True))",
        )
    now = population(scores_now, "scores_now")
    return compare_populations(then, now, bins=bins)
