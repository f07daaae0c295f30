"""The checks of the values a snapshot holds: the checksum of its content, integers and
times in range, finite numbers, lists of times in order, lists of a given length.

The snapshot loader (:mod:`.snapshot`) names the JSON path: a ``ValueError`` or
``TypeError`` from these becomes a :class:`~leadscoring.SnapshotError`, so nothing out of
range gets into a restored ``Scorer``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from ..core.times import EARLIEST_US, to_us

__all__ = [
    "MAX_US",
    "check_float",
    "check_int",
    "check_length",
    "check_time",
    "check_times",
    "checksum",
]


MAX_US = to_us(datetime.max.replace(tzinfo=UTC))
"""The latest representable moment in microseconds (9999-12-31 23:59:59.999999 UTC)."""


def check_int(value: object, low: int = 0, high: int = 2**63 - 1) -> int:
    """``value`` if it is an integer (not a bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r:.40}")
    if not low <= value <= high:
        raise ValueError(f"{value!r} is out of range [{low}, {high}]")
    return value


def check_time(value: object) -> int:
    """``value`` if it is a time in microseconds a datetime can hold."""
    return check_int(value, EARLIEST_US, MAX_US)


def check_float(value: object, low: float = 0.0) -> float:
    """``value`` as a float if it is a finite number (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r:.40}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{value!r:.40} is too large") from None
    if not math.isfinite(number) or number < low:
        raise ValueError(f"expected a finite number of at least {low}, got {value!r:.40}")
    return number


def check_times(values: object) -> list[int]:
    """``values`` if it is a list of times in order."""
    if not isinstance(values, list):
        raise TypeError(f"expected a list of times, got {type(values).__name__}")
    out = [check_time(v) for v in values]
    if any(a > b for a, b in pairwise(out)):
        raise ValueError("times are not in order")
    return out


def check_length(data: object, length: int) -> list[Any]:
    """``data`` if it is a list of ``length`` items."""
    if not isinstance(data, list) or len(data) != length:
        raise ValueError(f"expected a list of {length} items, got {data!r:.60}")
    return data


def checksum(snapshot: Mapping[str, Any]) -> str | None:
    """The BLAKE2b digest (16 bytes, hex) of the canonical JSON of ``snapshot`` without its
    ``"checksum"`` key; ``None`` if it has no canonical JSON (a NaN, a value JSON cannot
    write, keys of mixed types)."""
    rest = {key: value for key, value in snapshot.items() if key != "checksum"}
    try:
        text = json.dumps(
            rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
