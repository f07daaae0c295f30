"""Type aliases for code that calls leadscoring, each with its meaning.

Import these in your own annotations::

    from leadscoring.typing import Scalar, Timestamp
"""

from .core.aliases import Scalar, Timestamp
from .core.identity import Identities

__all__ = ["Identities", "Scalar", "Timestamp"]
