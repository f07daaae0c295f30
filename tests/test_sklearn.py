"""leadscoring.sklearn.PointsTableClassifier works as a scikit-learn classifier: in a
Pipeline, cross_val_score and GridSearchCV."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from leadscoring import ScoringModel
from leadscoring.sklearn import PointsTableClassifier

pytestmark = pytest.mark.filterwarnings("ignore::leadscoring.SmallSampleWarning")


def _data(n: int = 240) -> tuple[pd.DataFrame, list[int]]:
    """Plan ``pro`` converts 2 times in 3, ``free`` 1 time in 6 (deterministic pattern)."""
    plans = ["pro" if i % 2 == 0 else "free" for i in range(n)]
    converted = [int(i % 3 != 0) if plan == "pro" else int(i % 12 == 1)
                 for i, plan in enumerate(plans)]
    return pd.DataFrame({"plan": plans}), converted


def test_fit_learns_a_points_table_and_scores_with_it() -> None:
    """``model_`` is a ScoringModel; pro leads score above free ones, and predict_proba
    maps points to a probability (each row sums to 1)."""
    X, y = _data()
    clf = PointsTableClassifier(min_support=5).fit(X, y)
    assert isinstance(clf.model_, ScoringModel)
    pro, free = clf.decision_function(pd.DataFrame({"plan": ["pro", "free"]}))
    assert pro > free
    proba = clf.predict_proba(pd.DataFrame({"plan": ["pro", "free"]}))
    assert all(abs(sum(row) - 1) < 1e-12 for row in proba)
    assert proba[0][1] > proba[1][1]
    assert clf.predict(pd.DataFrame({"plan": ["pro"]})) == [True]


def test_params_round_trip_and_clone() -> None:
    """get_params / set_params / clone see the constructor's parameters."""
    clf = PointsTableClassifier(max_rules=7)
    assert clf.get_params()["max_rules"] == 7
    assert clf.set_params(max_rules=3).max_rules == 3
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(NotFittedError):
        clf.decision_function(pd.DataFrame({"plan": ["pro"]}))


def test_in_a_pipeline_with_cross_validation() -> None:
    """In a Pipeline, 3-fold cross_val_score gives an AUC near the best one feature allows:
    (80 * 100 + (80 * 40 + 20 * 100) / 2) / (100 * 140) = 0.757 on the whole data."""
    X, y = _data()
    pipe = Pipeline([("same", FunctionTransformer(validate=False)),
                     ("points", PointsTableClassifier(min_support=5))])
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    aucs = cross_val_score(pipe, X, y, cv=folds, scoring="roc_auc")
    assert len(aucs) == 3
    assert min(aucs) > 0.65
    assert sum(aucs) / 3 == pytest.approx(0.757, abs=0.05)


def test_grid_search_picks_parameters() -> None:
    """GridSearchCV fits every candidate and exposes the best estimator's model."""
    X, y = _data()
    search = GridSearchCV(PointsTableClassifier(min_support=5),
                          {"method": ["logistic", "woe"]}, cv=3, scoring="roc_auc")
    search.fit(X, y)
    assert search.best_params_["method"] in ("logistic", "woe")
    assert isinstance(search.best_estimator_.model_, ScoringModel)
