"""The error tree of leadscoring.

Every error the library raises on purpose derives from :class:`LeadScoringError`, so one
``except LeadScoringError`` catches them all. Errors that stand for a bad value also derive
from :class:`ValueError`::

    LeadScoringError
    ├── InvalidValueError (ValueError)          a bad value given to a constructor or function
    │   ├── NaiveDatetimeError                  a datetime without a time zone
    │   ├── InvalidEventError                   an Event field is wrong
    │   │   └── NaiveEventDatetimeError         ... a naive Event.at (also a NaiveDatetimeError)
    │   └── InvalidLeadError                    a Lead field is wrong
    │       └── NaiveLeadDatetimeError          ... a naive status_changed_at (likewise)
    ├── InvalidModelError (ValueError)          a model, rule, condition or decay is wrong;
    │                                           ``.errors`` lists every problem with its path
    ├── InvalidInputError (ValueError)          a loader met a bad row: file, row, column, reason
    ├── UnknownLeadError (ValueError)           events name leads that were not given
    └── SnapshotError (ValueError)              a scorer snapshot cannot be restored

Messages name the field, JSON path or row so the problem can be found without a debugger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "ColumnNameWarning",
    "ErrorDetail",
    "InvalidEventError",
    "InvalidInputError",
    "InvalidLeadError",
    "InvalidModelError",
    "InvalidValueError",
    "LeadScoringError",
    "NaiveDatetimeError",
    "NaiveEventDatetimeError",
    "NaiveLeadDatetimeError",
    "ShadowedModelWarning",
    "SnapshotError",
    "UnknownLeadError",
    "UnknownLeadWarning",
]


class LeadScoringError(Exception):
    """The root of every error raised by leadscoring."""


class InvalidValueError(LeadScoringError, ValueError):
    """A value given to a constructor or function is not acceptable.

    ``field`` names the offending field (``"Event.at"``, ``"as_of"``).
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class NaiveDatetimeError(InvalidValueError):
    """A datetime has no time zone; leadscoring never guesses one."""


class InvalidEventError(InvalidValueError):
    """An :class:`~leadscoring.Event` field is wrong."""


class InvalidLeadError(InvalidValueError):
    """A :class:`~leadscoring.Lead` field is wrong."""


class NaiveEventDatetimeError(NaiveDatetimeError, InvalidEventError):
    """A naive ``Event.at``: both a :class:`NaiveDatetimeError` and an
    :class:`InvalidEventError`."""


class NaiveLeadDatetimeError(NaiveDatetimeError, InvalidLeadError):
    """A naive ``Lead.status_changed_at``: both a :class:`NaiveDatetimeError` and an
    :class:`InvalidLeadError`."""


@attrs.frozen(kw_only=True)
class ErrorDetail:
    """One problem in a model: where it is (a JSON path), what is wrong, and a hint."""

    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def under(self, prefix: str) -> ErrorDetail:
        """The same problem with its path placed under ``prefix``."""
        if self.path in ("", "$"):
            return attrs.evolve(self, path=prefix)
        if self.path.startswith("$"):
            rest = self.path[1:]
            return attrs.evolve(self, path=prefix + rest)
        joiner = "" if self.path.startswith("[") else "."
        return attrs.evolve(self, path=f"{prefix}{joiner}{self.path}")


class InvalidModelError(LeadScoringError, ValueError):
    """A scoring model (or one of its rules, conditions or decays) is invalid.

    ``errors`` holds every problem found, each with a JSON path, a message and, where
    one helps, a hint such as ``did you mean 'gte'?``.
    """

    def __init__(self, errors: Iterable[ErrorDetail] | str, *, path: str = "$") -> None:
        if isinstance(errors, str):
            errors = [ErrorDetail(path=path, message=errors)]
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        lines = [str(e) for e in self.errors]
        if len(lines) == 1:
            text = lines[0]
        else:
            text = f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)
        super().__init__(text)


class InvalidInputError(LeadScoringError, ValueError):
    """A loader met a bad row or file.

    ``source`` is the file name (or ``"<input>"``), ``row`` the 1-based data row (the
    header is row 0 in CSV files; ``None`` for file-level problems), ``column`` the
    column or key, ``reason`` what is wrong.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str = "<input>",
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.source = source
        self.row = row
        self.column = column
        where = source
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {reason}")


class UnknownLeadError(LeadScoringError, ValueError):
    """Events refer to lead ids that are not among the leads given."""

    def __init__(self, lead_ids: Sequence[str], event_count: int) -> None:
        self.lead_ids = tuple(lead_ids)
        self.event_count = event_count
        shown = ", ".join(repr(i) for i in self.lead_ids[:5])
        more = f" and {len(self.lead_ids) - 5} more" if len(self.lead_ids) > 5 else ""
        super().__init__(
            f"{event_count} event(s) belong to {len(self.lead_ids)} unknown lead id(s): "
            f"{shown}{more}; pass the leads, or on_unknown='ignore' to skip them on purpose"
        )


class SnapshotError(LeadScoringError, ValueError):
    """A :class:`~leadscoring.Scorer` snapshot is malformed or belongs to another model."""


class ColumnNameWarning(UserWarning):
    """A file's column nearly matches a column the loader looks for (``event_id`` beside a
    missing ``id``, ``Status`` for ``status``) and is read as a plain property or
    attribute; loaders given ``strict=True`` raise :class:`InvalidInputError` instead."""


class ShadowedModelWarning(UserWarning):
    """:func:`~leadscoring.load_model` was given a packaged model's name (``"b2b-default"``)
    and read a file of that name in the working directory instead: rename the file, or pass
    it as ``./b2b-default`` to mean the file."""


class UnknownLeadWarning(UserWarning):
    """Events named leads that were not given (issued with ``on_unknown="warn"``)."""
