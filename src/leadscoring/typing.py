"""Public type aliases, each with its meaning.

Import these in your own annotations::

    from leadscoring.typing import Scalar
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

__all__ = ["Predicate", "Scalar", "Timestamp"]

Scalar: TypeAlias = str | int | float | bool | None
"""A value of a lead attribute or an event property. Floats must be finite."""

Timestamp: TypeAlias = datetime | str
"""A timezone-aware ``datetime``, or an ISO 8601 string with an offset."""

Predicate: TypeAlias = Callable[[object], bool]
"""A compiled condition: takes a field value (or a missing marker) and answers."""
