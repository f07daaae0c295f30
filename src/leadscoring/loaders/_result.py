"""What a loader returns: the rows it kept and every row it rejected, with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

from ..core.errors import InvalidInputError
from ..core.mapping import FrozenMap

__all__ = ["LoadResult", "RejectedRow"]

T = TypeVar("T")


def _raw(value: Mapping[str, object] | None) -> Mapping[str, object] | None:
    return None if value is None else FrozenMap(value)


def _counts(value: Mapping[str, int]) -> FrozenMap[str, int]:
    return FrozenMap(dict(sorted(value.items())))


@attrs.frozen(kw_only=True)
class RejectedRow:
    """A row a loader refused, and why.

    ``source`` is the file name (or ``"<input>"``). ``row`` is the row number: in CSV the
    header is row 0 and the first data row is 1 (row ``n`` is spreadsheet row ``n + 1``);
    in JSON Lines it is the line number. ``column`` is the column or key at fault
    (``None`` when the whole row is wrong, ``"#5"`` for the fifth column when it has no
    name in the header). ``reason`` says what is wrong. ``raw`` is the row as read
    (column -> cell), or ``None`` when the line could not be parsed at all.

    ``str(rejected)`` reads like the :class:`~leadscoring.InvalidInputError` the loader
    raises for the same row when ``errors="raise"``.
    """

    source: str
    row: int
    column: str | None
    reason: str
    raw: Mapping[str, object] | None = attrs.field(default=None, converter=_raw, hash=False)

    def to_error(self) -> InvalidInputError:
        """The :class:`~leadscoring.InvalidInputError` that stands for this row."""
        return InvalidInputError(
            self.reason, source=self.source, row=self.row, column=self.column
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able when the raw cells are)."""
        return {
            "source": self.source,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "raw": None if self.raw is None else dict(self.raw),
        }

    def __str__(self) -> str:
        return str(self.to_error())


@attrs.frozen(kw_only=True)
class LoadResult(Generic[T]):
    """The rows a loader kept, in file order, and the rows it rejected.

    Every loader returns this type. With ``errors="raise"`` (the default) the first bad
    row raises :class:`~leadscoring.InvalidInputError` instead, so ``rejected`` is always
    empty; with ``errors="collect"`` every bad row is in ``rejected`` with its reason.
    A row is either kept or rejected: none is dropped silently.
    """

    rows: tuple[T, ...]
    rejected: tuple[RejectedRow, ...] = ()
    unknown_keys: Mapping[str, int] = attrs.field(factory=FrozenMap, converter=_counts)
    """Keys (JSON Lines) or columns (CSV) that are neither a role column nor selected by
    ``columns`` nor read by a rule of the ``model`` given to the loader, with the number of
    rows holding a value for each: a misspelt key shows up here. Empty when the loader was
    given neither a selection nor a model (every other key is then a property)."""

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.rejected
