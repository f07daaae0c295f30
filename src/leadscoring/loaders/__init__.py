"""Loading leads and events from CSV and JSON Lines files, safely.

Every row is either kept or rejected with a reason; nothing is dropped silently::

    read_leads / read_events      -> LoadResult(rows, rejected)   whole file
    iter_leads / iter_events      -> a generator of Lead / Event  streaming, flat memory
    read_identities               -> IdentityMap                  aliases -> leads
    LeadColumns / EventColumns    which column holds what (and IdentityColumns)
    RejectedRow                   source, row, column, reason, raw

With ``errors="raise"`` (the default) the first bad row raises
:class:`~leadscoring.InvalidInputError`; with ``errors="collect"`` the good rows come back
with every rejected row. Problems with the whole file (no header, a missing column,
undecodable text, damaged gzip data) always raise; a line over 1 Mi characters is a
rejected row. Identity files are raise-only: a half-read map would give
histories to the wrong leads. See ``docs/loading.md``.
"""

from __future__ import annotations

from ._columns import EventColumns, LeadColumns
from ._read import iter_events, iter_leads, read_events, read_leads
from ._result import LoadResult, RejectedRow
from .identities import IdentityColumns, read_identities

__all__ = [
    "EventColumns",
    "IdentityColumns",
    "LeadColumns",
    "LoadResult",
    "RejectedRow",
    "iter_events",
    "iter_leads",
    "read_events",
    "read_identities",
    "read_leads",
]
