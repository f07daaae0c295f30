"""The ``b2b-default`` scoring model: a starting point built from Japanese MA practice.

Fit (who the lead is) and engagement (what the lead did) are scored separately. The
engagement signals follow the source material: long visits to the pricing page, going
back and forth between service pages and case studies, the company profile and contact
pages, FAQ reading, downloads, document requests (資料請求), webinars and seminars,
email opens and clicks, and, biggest of all, an inquiry or a demo request. A lead who
comes back after a silence earns a reactivation bonus; unsubscribes and bounces cost.

Every engagement point halves every 30 days (``HalfLife(days=30)``) unless the rule says
otherwise; email points together are capped at 25; the total stays within 0..200.

Treat it as a first draft to refine against your own won deals (see the calibration
docs): what counts as hot differs per company.

The model is data: ``src/leadscoring/models/b2b-default.toml``, read with
:func:`~leadscoring.load_model` and documented rule by rule in ``docs/default-model.md``.
Copy that file to start your own.
"""

from __future__ import annotations

from functools import cache

from ..model.config import load_model
from ..model.scoring_model import ScoringModel

__all__ = ["TARGET_INDUSTRIES", "default_model"]

TARGET_INDUSTRIES = ("manufacturing", "it")
"""The industries the sample vendor sells to best (the ``target industry`` rule's list)."""


@cache
def default_model() -> ScoringModel:
    """The ``b2b-default`` model (the packaged ``b2b-default.toml``): 3 fit rules and 17
    engagement rules. Models are immutable, so every call returns the same value.

    >>> model = default_model()
    >>> model.name, len(model.rules), model.default_decay
    ('b2b-default', 20, HalfLife(days=30))
    """
    return load_model("b2b-default")
