"""A bundled sample dataset and a default B2B model, for notebooks, docs and tests.

>>> from leadscoring.examples import default_model, sample_dataset
>>> data = sample_dataset(seed=0)
>>> len(data.leads)
300

The data is synthetic and deterministic: the same ``seed`` always gives the same leads
and events. See ``docs/examples.md`` for the personas, the accounts, the cookies and the
ground truth.
"""

from __future__ import annotations

from .dataset import (
    ACCOUNT_ROLES,
    PERSONA_NAMES,
    SAMPLE_AS_OF,
    GroundTruth,
    PlantedAccountReturn,
    PlantedIdentification,
    PlantedReactivation,
    SampleDataset,
    sample_dataset,
)
from .frames import EXACT_UP_TO, SampleFrames, sample_frames
from .model import TARGET_INDUSTRIES, default_model

__all__ = [
    "ACCOUNT_ROLES",
    "EXACT_UP_TO",
    "PERSONA_NAMES",
    "SAMPLE_AS_OF",
    "TARGET_INDUSTRIES",
    "GroundTruth",
    "PlantedAccountReturn",
    "PlantedIdentification",
    "PlantedReactivation",
    "SampleDataset",
    "SampleFrames",
    "default_model",
    "sample_dataset",
    "sample_frames",
]
