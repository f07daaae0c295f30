"""A scikit-learn estimator around :func:`~leadscoring.calibrate` (the ``sklearn`` extra).

:class:`PointsTableClassifier` learns a points table (a :class:`~leadscoring.ScoringModel`
of attribute rules) in ``fit`` and scores with it, so calibration goes into a
``Pipeline``, ``cross_val_score`` or ``GridSearchCV`` like any classifier::

    from sklearn.model_selection import cross_val_score
    from leadscoring.sklearn import PointsTableClassifier

    cross_val_score(PointsTableClassifier(max_rules=20), frame, converted, scoring="roc_auc")

``X`` is a pandas or polars DataFrame (one column per attribute), a sequence of
:class:`~leadscoring.Lead` values or of mappings (attribute name -> value), or a 2-D array
(columns ``x0``, ``x1``, ...). ``y`` holds the outcomes (``True``/``False`` or ``1``/``0``).
Importing this module needs scikit-learn (``pip install 'leadscoring[sklearn]'``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .core.errors import InvalidValueError
from .core.lead import Lead
from .core.times import EPOCH
from .learning.calibrate import calibrate
from .learning.lead_table import _plain
from .model.scoring_model import ScoringModel
from .scoring.engine import score_all

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError as exc:  # pragma: no cover - the extra is installed in CI
    raise ImportError(
        "leadscoring.sklearn needs scikit-learn: pip install 'leadscoring[sklearn]' "
        "(or pip install scikit-learn)"
    ) from exc

__all__ = ["PointsTableClassifier"]


def _rows(X: Any) -> list[Lead]:
    """``X`` as leads (ids ``row0``, ``row1``, ... unless ``X`` holds leads)."""
    if hasattr(X, "to_dicts"):  # polars
        records: Sequence[Any] = X.to_dicts()
    elif hasattr(X, "to_dict") and hasattr(X, "columns"):  # pandas
        records = X.to_dict("records")
    elif hasattr(X, "tolist") and getattr(X, "ndim", 1) == 2:  # numpy
        records = [{f"x{j}": v for j, v in enumerate(row)} for row in X.tolist()]
    elif isinstance(X, Sequence) and not isinstance(X, str):
        records = X
    else:
        raise InvalidValueError(
            "X", f"expected a DataFrame, leads, mappings or a 2-D array, got {type(X).__name__}"
        )
    leads: list[Lead] = []
    for index, record in enumerate(records):
        if isinstance(record, Lead):
            leads.append(record)
        elif isinstance(record, Mapping):
            values = {str(k): _plain(v) for k, v in record.items()}
            attributes = {k: v for k, v in values.items() if v is not None}
            leads.append(Lead(id=f"row{index}", attributes=attributes))  # type: ignore[arg-type]
        else:
            raise InvalidValueError(
                f"X[{index}]", f"expected a Lead or a mapping, got {type(record).__name__}"
            )
    return leads


def _labels(y: Any, n: int) -> list[bool]:
    values = list(y.tolist() if hasattr(y, "tolist") else y)
    if len(values) != n:
        raise InvalidValueError("y", f"has {len(values)} outcomes for {n} rows of X")
    out = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or value in (0, 1):
            out.append(bool(value))
        else:
            raise InvalidValueError(f"y[{index}]", f"expected True/False or 1/0, got {value!r}")
    return out


class PointsTableClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A points table learnt by :func:`~leadscoring.calibrate`, as a scikit-learn classifier.

    The parameters are those of ``calibrate`` for attribute rules. After ``fit``,
    ``model_`` is the learnt :class:`~leadscoring.ScoringModel` and ``classes_`` is
    ``[False, True]``. ``decision_function`` gives each row's score (points);
    ``predict_proba`` turns points into a probability on calibrate's scale: even odds at
    ``even_odds_score``, odds doubling every ``points_to_double_odds`` points.
    """

    def __init__(
        self,
        *,
        method: str = "logistic",
        max_rules: int = 40,
        min_support: int | None = None,
        bins: int = 10,
        smoothing: float = 5.0,
        penalty: float = 1.0,
        attributes: Sequence[str] | None = None,
        points_to_double_odds: float = 10.0,
        even_odds_score: float = 50.0,
        name: str = "calibrated",
    ) -> None:
        self.method = method
        self.max_rules = max_rules
        self.min_support = min_support
        self.bins = bins
        self.smoothing = smoothing
        self.penalty = penalty
        self.attributes = attributes
        self.points_to_double_odds = points_to_double_odds
        self.even_odds_score = even_odds_score
        self.name = name

    def fit(self, X: Any, y: Any) -> PointsTableClassifier:
        """Learn the points table from rows ``X`` and outcomes ``y``; returns ``self``."""
        leads = _rows(X)
        labels = _labels(y, len(leads))
        if len({lead.id for lead in leads}) != len(leads):
            raise InvalidValueError("X", "two rows are leads with the same id")
        outcomes = {lead.id: label for lead, label in zip(leads, labels, strict=True)}
        self.model_: ScoringModel = calibrate(
            leads, outcomes, method=self.method,  # type: ignore[call-overload]
            max_rules=self.max_rules, min_support=self.min_support, bins=self.bins,
            smoothing=self.smoothing, penalty=self.penalty, attributes=self.attributes,
            points_to_double_odds=self.points_to_double_odds,
            even_odds_score=self.even_odds_score, name=self.name,
        )
        self.classes_ = [False, True]
        return self

    def _model(self) -> ScoringModel:
        model: ScoringModel | None = getattr(self, "model_", None)
        if model is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("PointsTableClassifier is not fitted yet; call fit(X, y) first")
        return model

    def decision_function(self, X: Any) -> list[float]:
        """Each row's total score under the learnt table (higher: more likely to convert)."""
        model = self._model()
        unique = [
            Lead(id=f"row{i}", attributes=lead.attributes) for i, lead in enumerate(_rows(X))
        ]
        return [s.total for s in score_all(unique, (), model, as_of=EPOCH)]

    def predict_proba(self, X: Any) -> list[list[float]]:
        """``[P(not converted), P(converted)]`` for each row, from its points."""
        scale = math.log(2.0) / self.points_to_double_odds
        out = []
        for total in self.decision_function(X):
            z = (total - self.even_odds_score) * scale
            p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
            out.append([1.0 - p, p])
        return out

    def predict(self, X: Any) -> list[bool]:
        """``True`` for rows more likely to convert than not (score above even odds)."""
        return [p[1] > 0.5 for p in self.predict_proba(X)]
