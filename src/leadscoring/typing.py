"""Type aliases for code that calls leadscoring, each with its meaning.

Import these in your own annotations::

    from leadscoring.typing import Scalar, Timestamp
"""

from .core.aliases import Scalar, Timestamp

__all__ = ["Scalar", "Timestamp"]
