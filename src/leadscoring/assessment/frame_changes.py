"""The stage changes between two assessment tables: :func:`changes_frame`, as
:func:`~leadscoring.changes_all` gives them for two lists of assessments."""

from __future__ import annotations

from typing import Any

from ..core.event import plain_value
from ..signals.journey import JourneyStage
from ..stages.classifiers import FitGrade, Temperature

__all__ = ["changes_frame"]


_DIMENSIONS = ("temperature", "journey", "grade", "priority", "activity", "action")


def _ranks(dimension: str) -> dict[object, int] | None:
    if dimension == "temperature":
        return {t.value: t.rank for t in Temperature}
    if dimension == "journey":
        return {st.value: st.rank for st in JourneyStage}
    if dimension == "grade":
        return {g.value: g.rank for g in FitGrade}
    return None


def changes_frame(before: Any, after: Any) -> Any:
    """The stage changes between two tables of :func:`assess_frame`, as
    :func:`~leadscoring.changes_all` gives them: for each lead of ``after`` in its order,
    temperature, journey, grade, priority, activity and action that moved, then segments
    left and entered; a lead missing from ``before`` reports every dimension.

    Columns: ``lead_id``, ``dimension``, ``before``, ``after``, ``direction`` (``up``,
    ``down`` or null) and ``at`` (``after``'s ``as_of``). In a polars table ``before`` and
    ``after`` are text (a priority as its number's text); pandas keeps the numbers.
    """
    import numpy as np
    import pandas as pd

    from ..scoring.frame_columns import Table

    old, new = Table(before, "before"), Table(after, "after")
    need = ("lead_id", "as_of", *_DIMENSIONS)
    old.require(*need)
    new.require(*need)
    segments = [c for c in new.columns if c.startswith("segment.")]
    old_ids = [str(v) for v in old.frame["lead_id"].to_list()]
    new_ids = [str(v) for v in new.frame["lead_id"].to_list()]
    where = pd.Index(old_ids).get_indexer(new_ids)
    fresh = where < 0
    at = new.frame["as_of"].to_list()
    out: list[tuple[int, int, str, str, object, object, str | None]] = []
    for d, dimension in enumerate(_DIMENSIONS):
        after_values = new.frame[dimension].to_list()
        before_values = old.frame[dimension].to_list()
        ranks = _ranks(dimension)
        for i, value in enumerate(after_values):
            if fresh[i]:
                out.append((i, d, new_ids[i], dimension, None, plain_value(value), None))
                continue
            was = before_values[where[i]]
            if plain_value(was) == plain_value(value):
                continue
            direction: str | None = None
            if ranks is not None:
                direction = "up" if ranks[value] > ranks[was] else "down"
            elif dimension == "priority":
                direction = "up" if -int(value) > -int(was) else "down"
            out.append(
                (i, d, new_ids[i], dimension, plain_value(was), plain_value(value), direction)
            )
    for j, name in enumerate(segments):
        inside = [bool(v) for v in new.frame[name].to_list()]
        had = (
            [bool(v) for v in old.frame[name].to_list()]
            if name in old.columns else [False] * len(old_ids)
        )  # fmt: skip
        label = name.removeprefix("segment.")
        for i, now_in in enumerate(inside):
            was_in = False if fresh[i] else had[where[i]]
            if was_in and not now_in:
                out.append((i, 6 + j, new_ids[i], "segment", label, None, None))
            elif now_in and not was_in:
                out.append((i, 6 + len(segments) + j, new_ids[i], "segment", None, label, None))
    out.sort(key=lambda item: (item[0], item[1]))
    polars = new.native_namespace().__name__.startswith("polars")

    def cell(value: object) -> object:
        return None if value is None else str(value) if polars else value

    data = {
        "lead_id": [o[2] for o in out],
        "dimension": [o[3] for o in out],
        "before": [cell(o[4]) for o in out],
        "after": [cell(o[5]) for o in out],
        "direction": [o[6] for o in out],
        "at": [at[o[0]] for o in out],
    }
    if not polars:
        return pd.DataFrame(
            {**data, "at": pd.Series(data["at"], dtype=new.frame["as_of"].to_native().dtype)}
        )
    import polars as pl

    schema = {"before": pl.String, "after": pl.String, "direction": pl.String,
              "lead_id": pl.String, "dimension": pl.String,
              "at": new.frame["as_of"].to_native().dtype}  # fmt: skip
    del np
    return pl.DataFrame(data, schema=schema)
