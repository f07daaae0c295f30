"""The feedback loop: sales' verdicts on leads called hot, traced back to the rules.

Sales call the hot leads and say whether each was a real opportunity (accepted) or not
(rejected). :func:`feedback` takes those verdicts and the scores the leads had when they
were called, and reports which rules gave the rejected leads their points, so the next
model can lower them (or :func:`~leadscoring.learning.calibrate` can learn from
:meth:`FeedbackReport.outcomes`). See ``docs/calibration.md``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..core.display import html_block, html_table
from ..core.errors import InvalidValueError
from ..core.mapping import FrozenMap
from ..core.results import LeadScore
from .report_text import table

__all__ = ["FeedbackReport", "RuleFeedback", "Verdict", "feedback"]


class Verdict(enum.StrEnum):
    """What sales said about a lead they were handed."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


@attrs.frozen(kw_only=True)
class RuleFeedback:
    """How one rule fared among the judged leads it gave points to.

    ``evidence`` is the smoothed log-odds of rejection among those leads minus the overall
    log-odds (weight of evidence): above zero the rule is found more among rejected leads
    than its share of all leads would suggest. ``review`` flags rules worth lowering: more
    rejections than overall, on at least ``min_leads`` leads.
    """

    rule: str
    accepted: int
    rejected: int
    rejection_rate: float
    points_accepted: float
    points_rejected: float
    share_of_rejected_points: float
    evidence: float
    review: bool


@attrs.frozen(kw_only=True)
class RejectedLead:
    """A rejected lead, its score and the rules that gave it the most points."""

    lead_id: str
    total: float
    reasons: tuple[tuple[str, float], ...]


@attrs.frozen(kw_only=True)
class FeedbackReport:
    """Verdict counts, every rule that gave judged leads points (most points among
    rejected leads first), and the rejected leads with their top reasons."""

    accepted: int
    rejected: int
    rejection_rate: float
    rules: tuple[RuleFeedback, ...]
    rejected_leads: tuple[RejectedLead, ...]
    verdicts: Mapping[str, Verdict] = attrs.field(repr=False)

    def __repr__(self) -> str:
        """A one-line summary; :meth:`summary` has the table of rules."""
        return (
            f"FeedbackReport(accepted={self.accepted}, rejected={self.rejected}, "
            f"rejection_rate={self.rejection_rate:.2f}, rules={len(self.rules)}, "
            f"to_review={[r.rule for r in self.to_review]!r})"
        )

    def _repr_html_(self) -> str:
        """The counts and the rules (those to review marked) as HTML (notebooks)."""
        total = self.accepted + self.rejected
        title = (f"Sales feedback on {total} lead(s): {self.accepted} accepted, "
                 f"{self.rejected} rejected ({self.rejection_rate:.0%} rejected)")
        rows = [(r.rule, r.accepted, r.rejected, f"{r.rejection_rate:.0%}",
                 f"{r.points_rejected:.0f} ({r.share_of_rejected_points:.0%})",
                 f"{r.evidence:+.2f}", "review" if r.review else "") for r in self.rules]
        table = html_table(("rule", "accepted", "rejected", "rejected %", "points in rejected",
                            "evidence", ""), rows, numeric=(1, 2, 3, 4, 5))
        return html_block(title, (), [table])

    @property
    def to_review(self) -> tuple[RuleFeedback, ...]:
        """The rules flagged for review, most points among rejected leads first."""
        return tuple(r for r in self.rules if r.review)

    def outcomes(self) -> dict[str, bool]:
        """The verdicts as outcomes (accepted = converted) for the next calibration."""
        return {lead_id: v is Verdict.ACCEPTED for lead_id, v in self.verdicts.items()}

    def summary(self) -> str:
        """A readable text: the counts, then the rules, flagged ones marked ``review``."""
        total = self.accepted + self.rejected
        lines = [f"Sales feedback on {total} lead(s): {self.accepted} accepted, "
                 f"{self.rejected} rejected ({self.rejection_rate:.0%} rejected)", ""]
        rows = [("rule", "accepted", "rejected", "rejected %", "points in rejected",
                 "evidence", "")]
        for r in self.rules:
            rows.append((r.rule, str(r.accepted), str(r.rejected), f"{r.rejection_rate:.0%}",
                         f"{r.points_rejected:.0f} ({r.share_of_rejected_points:.0%})",
                         f"{r.evidence:+.2f}", "review" if r.review else ""))
        lines += table(rows, [False, True, True, True, True, True, False])
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "rejection_rate": self.rejection_rate,
            "rules": [attrs.asdict(r) for r in self.rules],
            "rejected_leads": [
                {"lead_id": x.lead_id, "total": x.total, "reasons": [list(p) for p in x.reasons]}
                for x in self.rejected_leads
            ],
        }


def _verdict(lead_id: str, value: object) -> Verdict:
    if isinstance(value, bool):
        return Verdict.ACCEPTED if value else Verdict.REJECTED
    if isinstance(value, str):
        try:
            return Verdict(value.strip().lower())
        except ValueError:
            pass
    raise InvalidValueError(
        f"verdicts[{lead_id!r}]", f"expected 'accepted', 'rejected', True or False, got {value!r}"
    )


def feedback(
    scores: Iterable[LeadScore],
    verdicts: Mapping[str, Verdict | str | bool],
    *,
    smoothing: float = 1.0,
    min_leads: int = 3,
) -> FeedbackReport:
    """Trace sales' verdicts back to the rules that scored the leads.

    ``scores`` are the :class:`~leadscoring.LeadScore` s the leads had when sales got them
    (leads without a verdict are skipped); ``verdicts`` maps lead id to ``"accepted"`` /
    ``"rejected"`` (or ``True`` / ``False``). Only rules that gave a lead positive points
    count as having driven it. ``smoothing`` pseudo-leads at the overall rejection rate
    keep ``evidence`` sane for rules seen on few leads.
    """
    if not isinstance(verdicts, Mapping) or not verdicts:
        raise InvalidValueError("verdicts", "give at least one verdict (lead id -> 'accepted' "
                                "or 'rejected')")
    if isinstance(smoothing, bool) or not isinstance(smoothing, int | float) or smoothing <= 0:
        raise InvalidValueError("smoothing", f"must be a positive number, got {smoothing!r}")
    if isinstance(min_leads, bool) or not isinstance(min_leads, int) or min_leads < 1:
        raise InvalidValueError("min_leads", f"must be a whole number >= 1, got {min_leads!r}")
    judged: dict[str, Verdict] = {str(k): _verdict(str(k), v) for k, v in verdicts.items()}
    by_lead: dict[str, LeadScore] = {}
    for s in scores:
        if not isinstance(s, LeadScore):
            raise InvalidValueError("scores", f"expected LeadScore values, got {type(s).__name__}")
        if s.lead_id in judged:
            by_lead[s.lead_id] = s
    missing = sorted(set(judged) - set(by_lead))
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InvalidValueError("verdicts", f"no score given for judged lead(s) {shown}")
    rejected = sum(1 for v in judged.values() if v is Verdict.REJECTED)
    accepted = len(judged) - rejected
    rate = rejected / len(judged)
    counts: dict[str, list[float]] = {}  # rule -> [accepted, rejected, pts acc, pts rej]
    for lead_id, s in by_lead.items():
        bad = judged[lead_id] is Verdict.REJECTED
        for rule, points in s.by_rule.items():
            if points > 0:
                c = counts.setdefault(rule, [0, 0, 0.0, 0.0])
                c[1 if bad else 0] += 1
                c[3 if bad else 2] += points
    rejected_points = math.fsum(c[3] for c in counts.values())
    mixed = 0 < rejected < len(judged)
    prior = math.log(rate / (1 - rate)) if mixed else 0.0
    rows = []
    for rule, (acc, rej, pts_acc, pts_rej) in counts.items():
        evidence = 0.0
        if mixed:
            evidence = math.log((rej + smoothing * rate) / (acc + smoothing * (1 - rate))) - prior
        fired = int(acc + rej)
        rows.append(RuleFeedback(
            rule=rule, accepted=int(acc), rejected=int(rej), rejection_rate=rej / fired,
            points_accepted=pts_acc, points_rejected=pts_rej,
            share_of_rejected_points=pts_rej / rejected_points if rejected_points else 0.0,
            evidence=evidence,
            review=fired >= min_leads and rej / fired > rate and evidence > 0,
        ))
    rows.sort(key=lambda r: (-r.points_rejected, -r.evidence, r.rule))
    bad_leads = tuple(
        RejectedLead(lead_id=lead_id, total=s.total, reasons=tuple(s.top_reasons(3)))
        for lead_id, s in sorted(by_lead.items())
        if judged[lead_id] is Verdict.REJECTED
    )
    return FeedbackReport(accepted=accepted, rejected=rejected, rejection_rate=rate,
                          rules=tuple(rows), rejected_leads=bad_leads,
                          verdicts=FrozenMap(judged))
