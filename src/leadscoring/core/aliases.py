"""Public type aliases, each with its meaning.

Import these in your own annotations::

    from leadscoring.typing import Scalar
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

__all__ = ["Scalar", "Timestamp"]

Scalar: TypeAlias = str | int | float | bool | None
"""A value of a lead attribute or an event property. Floats must be finite."""

Timestamp: TypeAlias = datetime | str
"""A timezone-aware ``datetime``, or an ISO 8601 string with an offset."""
