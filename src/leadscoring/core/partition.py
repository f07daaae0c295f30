"""Which of ``n`` partitions a lead belongs to: one stable hash of the lead id, the same in
every process, machine and Python version.

``partition_of(lead_id, n)`` is the CRC-32 of the lead id's UTF-8 bytes (the checksum of
:func:`zlib.crc32`, of PNG and gzip: CRC-32/ISO-HDLC), modulo ``n``. Python's ``hash()``
of a string changes from one process to the next (``PYTHONHASHSEED``), so it cannot route
a lead's events to the same worker twice; this can, and it is what the Dask and Spark
adapters bucket the leads by (Spark computes the same checksum in the JVM:
``pmod(crc32(cast(lead_id as binary)), n)``). Route each lead's events, and its record,
to the scorer of its partition, and that scorer holds the lead's whole state.

>>> partition_of("123456789", 10)  # CRC-32 of b"123456789" is 0xCBF43926 = 3421780262
2
"""

from __future__ import annotations

import zlib

from .errors import InvalidValueError

__all__ = ["partition_of"]


def partition_of(lead_id: str, n: int) -> int:
    """The partition of ``lead_id`` among ``n``: an int from ``0`` to ``n - 1``.

    The CRC-32 of ``lead_id`` encoded as UTF-8, modulo ``n`` (a lone surrogate, which is
    no text, is encoded as by ``surrogatepass`` rather than refused). Stable: the same
    lead id and ``n`` give the same partition in every process and Python version.
    ``lead_id`` not a ``str`` or ``n`` not a positive int raise
    :class:`~leadscoring.InvalidValueError` naming the argument.

    >>> [partition_of(lead_id, 4) for lead_id in ("L0001", "L0002", "L0003")]
    [1, 3, 1]
    """
    if not isinstance(lead_id, str):
        raise InvalidValueError(
            "lead_id", f"expected a str (a lead id), got {type(lead_id).__name__}"
        )
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidValueError(
            "n", f"must be a positive int (the number of partitions), got {n!r}"
        )
    return zlib.crc32(lead_id.encode("utf-8", "surrogatepass")) % n
