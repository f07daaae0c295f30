"""Frozen attrs values built from values already checked, by filling their slots.

A frozen attrs class's ``__init__`` converts and validates what it is given. The scoring
loops make their results from values they built themselves (floats, UTC datetimes, frozen
maps, contribution rows), so running the converters again only costs time.
:func:`slot_builder` makes the same object, equal to one made through ``__init__``, by
setting each slot in field order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["slot_builder"]

T = TypeVar("T")


def slot_builder(cls: type[T]) -> Callable[..., T]:
    """A function ``build(*values)`` making a ``cls`` from one value per attrs field, in
    field order (private and ``init=False`` fields included), without running
    converters or validators.

    >>> @attrs.frozen
    ... class Point:
    ...     x: int
    ...     y: int
    >>> slot_builder(Point)(1, 2) == Point(1, 2)
    True
    """
    setters = tuple(vars(cls)[field.name].__set__ for field in attrs.fields(cls))  # type: ignore[arg-type]
    new = object.__new__

    def build(*values: Any) -> T:
        obj = new(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(obj, value)
        return obj

    return build
