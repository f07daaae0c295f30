"""Type aliases for code that calls leadscoring, each with its meaning.

Import these in your own annotations::

    from leadscoring.typing import Scalar, Timestamp
"""

from .core.aliases import Scalar, Timestamp
from .core.identity import Identities
from .learning.psi import DriftBand

__all__ = ["DriftBand", "Identities", "Scalar", "Timestamp"]
