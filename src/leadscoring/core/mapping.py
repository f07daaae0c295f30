"""A read-only, hashable mapping, and the validation of scalar attribute/property values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NoReturn, TypeVar, final

from .aliases import Scalar
from .errors import InvalidValueError

__all__ = ["FrozenMap", "freeze_scalars"]

K = TypeVar("K")
V = TypeVar("V")


def _read_only(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only")


@final
class FrozenMap(dict[K, V]):
    """An immutable, hashable copy of a mapping; compares equal to an equal ``dict``.

    It is a ``dict`` underneath so reads run at C speed and ``json.dumps`` accepts it;
    every mutating method raises ``TypeError``.
    """

    __slots__ = ()

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return dict.__repr__(self)

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (FrozenMap, (dict(self),))

    def __copy__(self) -> FrozenMap[K, V]:
        return self

    def __deepcopy__(self, memo: object) -> FrozenMap[K, V]:
        return self


_PLAIN: frozenset[type] = frozenset({str, int, type(None)})
_STR: frozenset[type] = frozenset({str})


def freeze_scalars(
    value: object, field: str, error: type[InvalidValueError] = InvalidValueError
) -> FrozenMap[str, Scalar]:
    """Copy a mapping of ``str -> str | int | float | bool | None`` into a :class:`FrozenMap`.

    Keys must be non-empty strings; floats must be finite. Errors name ``field[key]``.
    """
    if value is None:
        return FrozenMap()
    if isinstance(value, FrozenMap):
        return value
    if (
        type(value) is dict
        and _PLAIN.issuperset(map(type, value.values()))
        and _STR.issuperset(map(type, value))
        and "" not in value
    ):
        # Fast path, one pass at C speed: exact str keys, none empty, and exact
        # str/int/None values need no further check (anything else: the general path).
        return FrozenMap(value)
    if not isinstance(value, Mapping):
        raise error(field, f"expected a mapping, got {type(value).__name__}")
    out: dict[str, Scalar] = {}
    for key, item in value.items():
        # Fast path: exact str key and exact str/int/None value (the usual case) need no
        # further check; anything else (subclasses, floats, errors) takes the general path.
        kind = type(item)
        if type(key) is str and key and (kind is str or kind is int or item is None):
            out[key] = item
            continue
        if not isinstance(key, str) or not key:
            raise error(field, f"keys must be non-empty strings, got {key!r}")
        if item is not None and not isinstance(item, str | int | float | bool):
            raise error(
                f"{field}[{key!r}]",
                f"values must be str, int, float, bool or None, got {type(item).__name__}",
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise error(f"{field}[{key!r}]", f"must be a finite number, got {item!r}")
        out[key] = item
    return FrozenMap(out)
