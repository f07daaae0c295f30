"""One call from leads and events to who to call today, and why.

:func:`assess` scores a lead and labels it: activity, temperature, journey stage, fit
grade, priority, next action, interest profile and segments. :func:`assess_all` does it
for many leads and ranks them by priority, then score. :func:`changes` says what moved
between two assessments, for triggers (a sales alert when a lead turns hot).

The classifiers come from the model (``model.temperature``, ``model.journey``,
``model.grades``, ``model.priority``, ``model.playbook``, ``model.dormancy``); keyword
arguments override them for one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.aliases import Timestamp
from ..core.checks import (
    OnUnknown,
    check_lead,
    check_moment,
    events_of,
    expect,
    group_events,
    united_leads,
)
from ..core.display import fmt, html_block, html_table, moment
from ..core.errors import InvalidValueError
from ..core.event import Event
from ..core.identity import Identities, check_identities
from ..core.lead import Lead
from ..core.mapping import FrozenMap
from ..core.progress import check_progress, track
from ..core.results import LeadScore
from ..model.scoring_model import ScoringModel, check_model
from ..scoring.compiled import compile_model
from ..scoring.engine import score_prepared
from ..signals.activity import Activity, DormancyPolicy, activity
from ..signals.interest import InterestPolicy, InterestProfile, profile_prepared
from ..signals.journey import JourneyClassifier, JourneyStage, check_events
from ..stages.classifiers import (
    FitGrade,
    GradeScale,
    PriorityGrid,
    Temperature,
    TemperatureClassifier,
    rank_in,
)
from ..stages.playbook import Playbook
from .segments import Segment, check_segments

__all__ = [
    "Assessment",
    "assess",
    "assess_all",
    "format_assessments",
]


def _fmt(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _evidence(value: Mapping[JourneyStage, float]) -> FrozenMap[JourneyStage, float]:
    return FrozenMap(value)


@attrs.frozen(kw_only=True)
class Assessment:
    """Everything known about a lead at ``as_of``: score, labels, next action and why.

    ``evidence`` holds the decayed journey evidence of each stage; ``segments`` the names
    of the segments the lead belongs to (of those passed to :func:`assess`).
    """

    lead: Lead
    score: LeadScore
    activity: Activity
    temperature: Temperature
    journey: JourneyStage
    evidence: Mapping[JourneyStage, float] = attrs.field(converter=_evidence)
    grade: FitGrade
    priority: int
    action: str
    interest: InterestProfile
    segments: tuple[str, ...] = ()

    @property
    def lead_id(self) -> str:
        """The lead's id."""
        return self.lead.id

    def __repr__(self) -> str:
        """A one-line summary: priority, score, labels and the action."""
        return (
            f"Assessment(lead_id={self.lead_id!r}, as_of={moment(self.as_of)!r}, "
            f"priority={self.priority}, total={fmt(self.score.total)}, "
            f"temperature={self.temperature.value!r}, journey={self.journey.value!r}, "
            f"grade={self.grade.value!r}, activity={self.activity.state.value!r}, "
            f"action={self.action!r})"
        )

    def _repr_html_(self) -> str:
        """The labels, the action and the reasons as HTML (notebooks)."""
        s = self.score
        labels = html_table(
            (
                "priority",
                "total",
                "fit",
                "engagement",
                "temperature",
                "journey",
                "grade",
                "activity",
                "action",
            ),
            [
                (
                    self.priority,
                    fmt(s.total),
                    fmt(s.fit),
                    fmt(s.engagement),
                    self.temperature.value,
                    self.journey.value,
                    self.grade.value,
                    self.activity.state.value,
                    self.action,
                )
            ],
            numeric=(0, 1, 2, 3),
        )
        reasons = html_table(
            ("reason", "points"), [(r, fmt(p)) for r, p in self.reasons(5)], numeric=(1,)
        )
        lines = [f"segments: {', '.join(self.segments)}"] if self.segments else []
        title = f"Lead {self.lead_id} at {moment(self.as_of)} UTC"
        return html_block(title, lines, [labels, reasons])

    @property
    def as_of(self) -> datetime:
        """The moment of the assessment."""
        return self.score.as_of

    def reasons(self, n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` rules that moved the score most, as ``(rule, points)``."""
        return self.score.top_reasons(n)

    def explain(self) -> str:
        """A readable summary: labels, the action, the journey evidence and the reasons."""
        s = self.score
        lines = [
            f"Lead {self.lead_id} at {self.as_of:%Y-%m-%d %H:%M} UTC: priority {self.priority}, "
            f"{self.temperature.value}, {self.journey.value}, grade {self.grade.value}, "
            f"{self.activity.state.value}",
            f"  score     {_fmt(s.total)} (fit {_fmt(s.fit)}, engagement {_fmt(s.engagement)})",
            f"  action    {self.action}",
            "  journey   "
            + ", ".join(f"{st.value} {v:.2f}" for st, v in self.evidence.items() if v > 0)
            if any(self.evidence.values())
            else "  journey   no recent evidence",
            "  reasons   " + (_reasons(self.reasons(5)) or "no rule matched"),
        ]
        interest = self.interest
        if interest.top_product is not None:
            lines.append(
                f"  interest  {interest.top_product} "
                f"({interest.pattern.value}, focus {interest.focus:.0%})"
            )
        elif interest.top_category is not None:
            lines.append(f"  interest  {interest.top_category} pages")
        if self.segments:
            lines.append("  segments  " + ", ".join(self.segments))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Flat plain data (JSON-able), one row per lead for a DataFrame."""
        return {
            "lead_id": self.lead_id,
            "as_of": self.as_of.isoformat(),
            "priority": self.priority,
            "total": self.score.total,
            "fit": self.score.fit,
            "engagement": self.score.engagement,
            "temperature": self.temperature.value,
            "journey": self.journey.value,
            "grade": self.grade.value,
            "activity": self.activity.state.value,
            "action": self.action,
            "reasons": [[rule, pts] for rule, pts in self.reasons()],
            "evidence": {st.value: v for st, v in self.evidence.items()},
            "top_product": self.interest.top_product,
            "interest_pattern": self.interest.pattern.value,
            "buyer": self.interest.buyer.value,
            "participation": self.interest.participation.value,
            "segments": list(self.segments),
        }


def _reasons(reasons: Iterable[tuple[str, float]]) -> str:
    return ", ".join(f"{rule} {'+' if pts >= 0 else '-'}{_fmt(abs(pts))}" for rule, pts in reasons)


# --- settings ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Settings:
    temperature: TemperatureClassifier
    journey: JourneyClassifier
    grades: GradeScale
    priority: PriorityGrid
    playbook: Playbook
    dormancy: DormancyPolicy
    interest: InterestPolicy
    segments: tuple[Segment, ...]


def _pick(value: object, default: object, kind: type, field: str) -> Any:
    return expect(default if value is None else value, kind, field)


def _settings(model: object, o: Mapping[str, object]) -> tuple[ScoringModel, _Settings]:
    """The model, and its classifiers with the overrides ``o`` (``None``: the model's own)."""
    checked = check_model(model)
    settings = _Settings(
        temperature=_pick(
            o["temperature"], checked.temperature, TemperatureClassifier, "temperature"
        ),
        journey=_pick(o["journey"], checked.journey, JourneyClassifier, "journey"),
        grades=_pick(o["grades"], checked.grades, GradeScale, "grades"),
        priority=_pick(o["priority"], checked.priority, PriorityGrid, "priority"),
        playbook=_pick(o["playbook"], checked.playbook, Playbook, "playbook"),
        dormancy=_pick(o["dormancy"], checked.dormancy, DormancyPolicy, "dormancy"),
        interest=_pick(o["interest"], InterestPolicy(), InterestPolicy, "interest"),
        segments=check_segments(o["segments"] or ()),  # type: ignore[arg-type]
    )
    return checked, settings


def _previous_temperature(value: object, field: str = "previous") -> Temperature | None:
    if value is None or isinstance(value, Temperature):
        return value
    if isinstance(value, Assessment):
        return value.temperature
    if isinstance(value, str) and value in {t.value for t in Temperature}:
        return Temperature(value)
    message = f"expected an Assessment, a Temperature or None, got {value!r:.60}"
    raise InvalidValueError(field, message)


def _label(
    lead: Lead,
    events: Sequence[Event],
    score: LeadScore,
    s: _Settings,
    previous: Temperature | None,
    population: Sequence[float] | None,
) -> Assessment:
    moment = score.as_of
    return label_parts(
        lead,
        score,
        activity(lead, events, as_of=moment, policy=s.dormancy),
        s.journey.evidence_prepared(events, moment),
        profile_prepared(lead.id, events, moment, s.interest),
        s,
        previous,
        population,
    )


def label_parts(
    lead: Lead,
    score: LeadScore,
    activity: Activity,
    evidence: Mapping[JourneyStage, float],
    interest: InterestProfile,
    s: _Settings,
    previous: Temperature | None,
    population: Sequence[float] | None,
) -> Assessment:
    """The labelling of :func:`assess`, from parts already computed (the incremental
    :class:`~leadscoring.assessment.stream.Scorer` keeps them instead of the events)."""
    value = s.temperature.value(score)
    if population is not None:
        value = rank_in(population, value)
    temperature = s.temperature.classify_value(value, previous)
    stage = s.journey.stage_of(evidence)
    grade = s.grades.grade(score)
    base = Assessment(
        lead=lead,
        score=score,
        activity=activity,
        temperature=temperature,
        journey=stage,
        evidence=evidence,
        grade=grade,
        priority=s.priority.priority(grade, temperature),
        action=s.playbook.action(temperature, stage),
        interest=interest,
    )
    if not s.segments:
        return base
    return attrs.evolve(base, segments=tuple(g.name for g in s.segments if g.matches(base)))


def _population(s: _Settings, values: Iterable[LeadScore | float] | None) -> list[float] | None:
    if s.temperature.basis != "percentile":
        return None
    if values is None:
        raise InvalidValueError(
            "population",
            "the temperature classifier uses percentile bands: pass population= (the scores of "
            "all leads), or use assess_all",
        )
    out = sorted(s.temperature.value(v) for v in values)
    if not out:
        raise InvalidValueError("population", "percentile bands need a non-empty population")
    return out


def assess(
    lead: Lead,
    events: Iterable[Event],
    model: ScoringModel,
    *,
    as_of: Timestamp,
    temperature: TemperatureClassifier | None = None,
    journey: JourneyClassifier | None = None,
    grades: GradeScale | None = None,
    priority: PriorityGrid | None = None,
    playbook: Playbook | None = None,
    dormancy: DormancyPolicy | None = None,
    interest: InterestPolicy | None = None,
    segments: Iterable[Segment] = (),
    previous: Assessment | Temperature | None = None,
    population: Iterable[LeadScore | float] | None = None,
    identities: Identities | None = None,
) -> Assessment:
    """Score ``lead`` at ``as_of`` and label it; the result does not depend on event order.

    Classifiers default to the model's own; pass one to override it for this call.
    ``previous`` (the last assessment or temperature) turns on temperature hysteresis.
    ``population`` is needed only for percentile temperature bands. With ``identities``,
    the lead's aliases' events (linked by ``as_of``) are its own, as in
    :func:`~leadscoring.score`.
    """
    model, s = _settings(
        model,
        {
            "temperature": temperature,
            "journey": journey,
            "grades": grades,
            "priority": priority,
            "playbook": playbook,
            "dormancy": dormancy,
            "interest": interest,
            "segments": segments,
        },
    )
    lead = check_lead(lead)
    moment = check_moment(as_of)
    own = events_of(lead.id, events, moment, check_identities(identities))
    score = score_prepared(lead, own, compile_model(model), moment)
    pop = _population(s, population)
    return _label(lead, own, score, s, _previous_temperature(previous), pop)


def _rank_key(a: Assessment) -> tuple[int, float, str]:
    return (a.priority, -a.score.total, a.lead_id)


def assess_all(
    leads: Iterable[Lead],
    events: Iterable[Event],
    model: ScoringModel,
    *,
    as_of: Timestamp,
    temperature: TemperatureClassifier | None = None,
    journey: JourneyClassifier | None = None,
    grades: GradeScale | None = None,
    priority: PriorityGrid | None = None,
    playbook: Playbook | None = None,
    dormancy: DormancyPolicy | None = None,
    interest: InterestPolicy | None = None,
    segments: Iterable[Segment] = (),
    previous: Iterable[Assessment] | Mapping[str, Assessment | Temperature] | None = None,
    on_unknown: OnUnknown = "raise",
    identities: Identities | None = None,
    progress: bool = False,
) -> list[Assessment]:
    """Assess many leads and rank them: priority first (1 first), then score (highest
    first), then lead id.

    Percentile temperature bands use these leads as the population. ``previous`` (the last
    run's assessments, or lead id → temperature) turns on hysteresis. Events of unknown
    leads are handled as in :func:`~leadscoring.score_all` (``on_unknown``), and so are
    ``identities`` (an alias's history is its lead's; an alias gets no assessment).
    ``progress=True`` shows a bar over the leads (needs ``tqdm``: the ``progress`` extra).
    """
    model, s = _settings(
        model,
        {
            "temperature": temperature,
            "journey": journey,
            "grades": grades,
            "priority": priority,
            "playbook": playbook,
            "dormancy": dormancy,
            "interest": interest,
            "segments": segments,
        },
    )
    moment = check_moment(as_of)
    check_progress(progress)
    links = check_identities(identities)
    lead_list = united_leads(leads, links, moment)
    grouped = group_events(
        lead_list, check_events(events), as_of=moment, on_unknown=on_unknown, identities=links
    )
    compiled = compile_model(model)
    bar = track(lead_list, progress=progress, desc="assessing", unit="leads")
    scores = [score_prepared(lead, grouped[lead.id], compiled, moment) for lead in bar]
    pop = _population(s, scores) if lead_list else None
    before = _previous_map(previous)
    out = [
        _label(lead, grouped[lead.id], sc, s, before.get(lead.id), pop)
        for lead, sc in zip(lead_list, scores, strict=True)
    ]
    return sorted(out, key=_rank_key)


def _previous_map(value: object) -> dict[str, Temperature | None]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): _previous_temperature(v, f"previous[{k!r}]") for k, v in value.items()}
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValueError("previous", f"expected assessments or a mapping, got {value!r:.60}")
    out: dict[str, Temperature | None] = {}
    for index, item in enumerate(value):
        if not isinstance(item, Assessment):
            message = f"expected an Assessment, got {item!r:.60}"
            raise InvalidValueError(f"previous[{index}]", message)
        out[item.lead_id] = item.temperature
    return out


# --- table ------------------------------------------------------------------------------


def format_assessments(assessments: Iterable[Assessment], *, top: int | None = None) -> str:
    """A ranked, explained table: one line of labels per lead, then its action and reasons.

    ``top`` keeps the first ``top`` assessments (in the order given: :func:`assess_all`
    ranks them).
    """
    rows = list(assessments)
    if top is not None:
        rows = rows[: max(top, 0)]
    head = ("#", "lead", "score", "temperature", "stage", "grade", "priority", "activity")
    table = [head] + [
        (
            str(n),
            a.lead_id,
            _fmt(a.score.total),
            a.temperature.value,
            a.journey.value,
            a.grade.value,
            str(a.priority),
            a.activity.state.value,
        )
        for n, a in enumerate(rows, start=1)
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    right = {0, 2, 6}
    lines = []
    for index, row in enumerate(table):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if index:
            a = rows[index - 1]
            pad = " " * (widths[0] + 2)
            lines.append(f"{pad}action: {a.action}")
            lines.append(f"{pad}why:    {_reasons(a.reasons()) or 'no rule matched'}")
    if not rows:
        lines.append("(no leads)")
    return "\n".join(lines)
