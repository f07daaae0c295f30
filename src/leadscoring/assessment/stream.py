"""The incremental scorer with assessments and a change feed: what a CRM backend needs.

:class:`Scorer` is :class:`leadscoring.scoring.scorer.Scorer` (scores from a stream of
events, compact state, snapshots, a SQLite store, thread safety) with three more methods,
:meth:`~Scorer.assess`, :meth:`~Scorer.assess_all` and :meth:`~Scorer.changes`. It lives
here, one layer above the scoring engines, because an assessment is made by this layer's
labelling code (:func:`~leadscoring.assessment.assessment.label_parts`, the very code
:func:`~leadscoring.assess` uses) and ``scoring/`` may not import ``assessment/``. The
scoring layer exposes the parts (score, activity, journey evidence, interest profile,
:meth:`leadscoring.scoring.scorer.Scorer._parts`) and keeps the change feed's labels as
plain data with the rest of each lead's state, so they are snapshotted and stored too.

>>> from datetime import UTC, datetime
>>> from leadscoring import Event, load_model
>>> from leadscoring.assessment.stream import Scorer
>>> scorer = Scorer(load_model("b2b-default"))
>>> scorer.add(Event(lead_id="L1", type="inquiry", at="2026-05-01T09:00:00Z"))
True
>>> [str(c) for c in scorer.changes(datetime(2026, 5, 1, 10, tzinfo=UTC))][:2]
['L1 temperature: None -> warm', 'L1 journey: None -> sales_ready']
>>> scorer.changes(datetime(2026, 5, 1, 11, tzinfo=UTC))
[]
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.checks import check_moment
from ..core.lead import Lead
from ..core.times import to_us
from ..model.scoring_model import ScoringModel
from ..scoring.scorer import Scorer as _Scorer
from ..stages.classifiers import Temperature
from .assessment import Assessment, _population, _rank_key, _settings, label_parts
from .changes import Labels, StageChange, changes_since, labels_of

__all__ = ["Scorer"]

_NO_OVERRIDES: dict[str, object] = dict.fromkeys(
    ("temperature", "journey", "grades", "priority", "playbook", "dormancy", "interest",
     "segments")
)  # fmt: skip


def _labels(data: list[Any] | None) -> Labels | None:
    if data is None:
        return None
    t, j, g, p, state, action, segments = data
    return (t, j, g, p, state, action, tuple(segments))


class Scorer(_Scorer):
    """The incremental :class:`~leadscoring.scoring.scorer.Scorer`, with assessments.

    - :meth:`assess` and :meth:`assess_all` give the :class:`~leadscoring.Assessment` s
      that :func:`~leadscoring.assess` and :func:`~leadscoring.assess_all` give on each
      lead's full history, with the model's classifiers and the default interest policy;
      temperature hysteresis starts from the lead's labels at the last :meth:`changes`.
    - :meth:`changes` is a notification feed: the :class:`~leadscoring.StageChange` s
      since the previous call (temperature, journey, grade, priority, activity, action),
      each reported once. Every lead is assessed, not only those with new events: time
      alone turns a lead dormant or cools it down. So after :meth:`link` or a lead
      :meth:`merge`, the next call reports the lead's moves on the united history (against
      the lead's last report; the alias, whose labels are dropped, is reported no more).
    """

    def __init__(self, model: ScoringModel) -> None:
        super().__init__(model)
        self._settings = _settings(self._model, _NO_OVERRIDES)[1]

    def _population(self, moment: datetime, now: int) -> list[float] | None:
        if self._settings.temperature.basis != "percentile" or not self._known:
            return None
        scores = [self._score(self._record(i), moment, now) for i in self._known]
        return _population(self._settings, scores)

    def _assess(
        self, lead: Lead, moment: datetime, now: int, population: list[float] | None
    ) -> Assessment:
        labels = _labels(self._labels.get(lead.id))
        previous = None if labels is None else Temperature(labels[0])
        return label_parts(*self._parts(lead, moment, now), self._settings, previous, population)

    def assess(self, lead: Lead | str, as_of: datetime) -> Assessment:
        """The assessment of ``lead`` (a :class:`~leadscoring.Lead`, used as given, or a
        known lead id) at ``as_of``: ``assess(lead, history, model, as_of=as_of,
        previous=<its temperature at the last changes()>)``. With percentile temperature
        bands the population is every lead the scorer knows."""
        moment = check_moment(as_of)
        now = to_us(moment)
        with self._lock:
            record = self._record(lead)
            return self._assess(record, moment, now, self._population(moment, now))

    def assess_all(self, as_of: datetime) -> list[Assessment]:
        """Every known lead's assessment at ``as_of``, ranked as
        :func:`~leadscoring.assess_all` ranks them (priority, then score, then id)."""
        moment = check_moment(as_of)
        now = to_us(moment)
        with self._lock:
            return self._assess_all(moment, now)

    def _assess_all(self, moment: datetime, now: int) -> list[Assessment]:
        population = self._population(moment, now)
        out = [self._assess(self._record(i), moment, now, population) for i in self._known]
        return sorted(out, key=_rank_key)

    def changes(self, as_of: datetime) -> list[StageChange]:
        """What moved since the previous call, for every lead, in :meth:`assess_all`'s
        order: ``changes_all(previous_assessments, assess_all(as_of))``, with a lead not
        reported before counted as new (every dimension, ``before=None``). The labels
        reported become the baseline of the next call (and are stored with the state)."""
        moment = check_moment(as_of)
        now = to_us(moment)
        with self._lock:
            out: list[StageChange] = []
            moved: list[str] = []
            for assessment in self._assess_all(moment, now):
                lead_id = assessment.lead_id
                found = changes_since(_labels(self._labels.get(lead_id)), assessment)
                if found:
                    out.extend(found)
                    labels = labels_of(assessment)
                    self._labels[lead_id] = [*labels[:6], list(labels[6])]
                    moved.append(lead_id)
            self._save(moved)
            return out
