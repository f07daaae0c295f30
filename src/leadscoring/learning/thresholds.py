"""Precision and recall at a score threshold, and thresholds that meet a target."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ..core.errors import InvalidValueError
from .metrics import Groups

__all__ = ["ThresholdRow", "ThresholdSuggestion", "suggest", "threshold_row"]


@attrs.frozen(kw_only=True)
class ThresholdRow:
    """Leads scoring at or above ``threshold``: how many, their share of all leads, the
    share of them that converted (``precision``) and the share of conversions they hold
    (``recall``). ``precision`` is ``None`` when no lead reaches the threshold."""

    band: str
    threshold: float
    leads: int
    share: float
    precision: float | None
    recall: float


def threshold_row(band: str, threshold: float, scores: Sequence[float],
                  labels: Sequence[bool]) -> ThresholdRow:
    """The :class:`ThresholdRow` of ``score >= threshold``."""
    above = [y for s, y in zip(scores, labels, strict=True) if s >= threshold]
    hits = sum(above)
    return ThresholdRow(
        band=band, threshold=threshold, leads=len(above), share=len(above) / len(scores),
        precision=hits / len(above) if above else None, recall=hits / max(1, sum(labels)),
    )


@attrs.frozen(kw_only=True)
class ThresholdSuggestion:
    """Suggested ``warm`` and ``hot`` thresholds, with what each gives on the leads seen.

    Pass them on: ``TemperatureClassifier(warm=s.warm, hot=s.hot)``.
    """

    warm: float
    hot: float
    warm_row: ThresholdRow
    hot_row: ThresholdRow

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {"warm": self.warm, "hot": self.hot, "warm_row": attrs.asdict(self.warm_row),
                "hot_row": attrs.asdict(self.hot_row)}


def _target(field: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise InvalidValueError(field, f"must be a share in (0, 1], got {value!r}")
    return float(value)


def _whole(value: float) -> float:
    return float(int(value)) if float(value).is_integer() else value


def _pick(band: str, groups: Groups, share: float | None, precision: float | None,
          below: float | None) -> float:
    """The lowest score meeting the targets (the most leads), scanning from the top."""
    n = sum(groups.counts)
    count = hits = 0
    best: float | None = None
    best_precision = 0.0
    for value, c, p in zip(reversed(groups.values), reversed(groups.counts),
                           reversed(groups.positives), strict=True):
        count += c
        hits += p
        if below is not None and value >= below:
            continue
        if share is not None and count / n > share + 1e-12:
            break
        best_precision = max(best_precision, hits / count)
        if precision is None or hits / count >= precision - 1e-12:
            best = value
    if best is None:
        under = f" below hot ({below:g})" if below is not None else ""
        if precision is not None:
            raise InvalidValueError(
                f"{band}_precision",
                f"no score{under} reaches a precision of {precision:.0%}"
                + (f" within a share of {share:.0%}" if share is not None else "")
                + f"; the best is {best_precision:.1%}",
            )
        raise InvalidValueError(
            f"{band}_share",
            f"no score{under} keeps at most {share:.0%} of the leads at or above it "
            "(too many leads share the top scores)",
        )
    return _whole(best)


def suggest(
    scores: Sequence[float],
    labels: Sequence[bool],
    *,
    hot_share: float | None,
    hot_precision: float | None,
    warm_share: float | None,
    warm_precision: float | None,
) -> ThresholdSuggestion:
    """Warm and hot thresholds meeting the targets (see
    :meth:`~leadscoring.EvaluationReport.suggest_thresholds`)."""
    hot_share, hot_precision = _target("hot_share", hot_share), _target("hot_precision",
                                                                         hot_precision)
    warm_share = _target("warm_share", warm_share)
    warm_precision = _target("warm_precision", warm_precision)
    if hot_share is None and hot_precision is None:
        hot_share = 0.1
    if warm_share is None and warm_precision is None:
        warm_share = 0.3
    groups = Groups.of(scores, labels)
    hot = _pick("hot", groups, hot_share, hot_precision, None)
    warm = _pick("warm", groups, warm_share, warm_precision, hot)
    return ThresholdSuggestion(
        warm=warm, hot=hot, warm_row=threshold_row("warm", warm, scores, labels),
        hot_row=threshold_row("hot", hot, scores, labels),
    )
