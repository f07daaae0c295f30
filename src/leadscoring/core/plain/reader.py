"""Reading plain data with every problem collected: paths, hints and value checks (internal).

A :class:`Reader` gathers :class:`~leadscoring.ErrorDetail` s while the model readers walk
a document, so one pass reports every problem. Readers return ``None`` for a value they
rejected (after recording why); callers go on reading the rest.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from ..errors import ErrorDetail, InvalidModelError, InvalidValueError
from ..limits import MAX_POINTS, huge_message, is_finite, number_repr
from ..times import Duration, format_duration, parse_duration

__all__ = [
    "Reader",
    "at",
    "child",
    "describe",
    "did_you_mean",
    "duration_text",
    "quoted",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child(path: str, key: str) -> str:
    """The path of ``key`` inside the table at ``path``: ``$.a.b`` or ``$.a["b c"]``."""
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def at(path: str, index: int) -> str:
    """The path of item ``index`` of the list at ``path``: ``$.rules[2]``."""
    return f"{path}[{index}]"


def did_you_mean(word: object, options: Iterable[str]) -> str | None:
    """``"did you mean 'gte'?"`` when ``word`` is close to one of ``options``."""
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def one_of_hint(options: Iterable[str]) -> str:
    """``"one of: a, b, c"``."""
    return "one of: " + ", ".join(options)


def quoted(value: object) -> str:
    """``'x'`` for text, else :func:`describe`: for "unknown kind 'x'" messages."""
    return repr(value) if isinstance(value, str) else describe(value)


def describe(value: object) -> str:
    """A value as a model file would call it: ``the text 'x'``, ``a table``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, int | float):
        return f"the number {number_repr(value)}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def duration_text(value: Duration) -> str:
    """The text form of a duration that reads back exactly (ISO 8601 when the short form
    would round)."""
    text = format_duration(value)
    try:
        if parse_duration(text, calendar=True) == value:
            return text
    except InvalidValueError:
        pass
    if not isinstance(value, timedelta):  # pragma: no cover - calendar forms always read back
        return text
    seconds = f"{value.seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    return f"P{value.days}DT{seconds}S"


class Reader:
    """Collects the problems found while reading one document."""

    def __init__(self) -> None:
        self.errors: list[ErrorDetail] = []

    def error(self, path: str, message: str, hint: str | None = None) -> None:
        """Record one problem."""
        self.errors.append(ErrorDetail(path=path, message=message, hint=hint))

    def absorb(self, exc: InvalidModelError | InvalidValueError, path: str) -> None:
        """Record the problems of an error raised while building a value at ``path``."""
        if isinstance(exc, InvalidValueError):
            self.error(path, exc.message)
            return
        for detail in exc.errors:
            self.error(path, detail.message, detail.hint)

    def raise_if_any(self) -> None:
        """Raise :class:`~leadscoring.InvalidModelError` with every problem, if there are any."""
        if self.errors:
            raise InvalidModelError(self.errors)

    def table(self, value: object, path: str, what: str) -> Mapping[str, object] | None:
        """``value`` if it is a table, else record that it should be."""
        if isinstance(value, Mapping):
            return value
        self.error(path, f"{what} must be a table, got {describe(value)}")
        return None

    def keys(
        self,
        table: Mapping[str, object],
        path: str,
        *,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        what: str = "key",
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        """Record unknown keys (with a hint) and missing required keys.

        ``elsewhere`` maps keys that are valid in a sibling shape to a hint saying where.
        """
        for key in table:
            if key in allowed:
                continue
            if not isinstance(key, str):
                self.error(path, f"keys must be text, got {describe(key)}")
                continue
            hint = (elsewhere or {}).get(key) or did_you_mean(key, allowed)
            self.error(child(path, key), f"unknown {what} {key!r}", hint or one_of_hint(allowed))
        for key in required:
            if key not in table:
                self.error(path, f"missing required key {key!r}")

    def text(self, value: object, path: str, *, blank: bool = False) -> str | None:
        """A non-empty string (not only spaces, unless ``blank``)."""
        if isinstance(value, str) and (value.strip() or (blank and value)):
            return value
        self.error(path, f"expected non-empty text, got {describe(value)}")
        return None

    def boolean(self, value: object, path: str) -> bool | None:
        """``true`` or ``false``."""
        if isinstance(value, bool):
            return value
        self.error(path, f"expected true or false, got {describe(value)}")
        return None

    def number(self, value: object, path: str, *, minimum: float | None = None) -> float | None:
        """A finite number (not a boolean), at least ``minimum`` when given."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"expected a number, got {describe(value)}")
            return None
        if isinstance(value, int) and not is_finite(value):
            self.error(path, huge_message(number_repr(value)))
            return None
        if not is_finite(value):
            self.error(path, f"must be a finite number, got {value!r}")
            return None
        if minimum is not None and value < minimum:
            self.error(path, f"must be at least {minimum!r}, got {value!r}")
            return None
        return value

    def points(self, value: object, path: str) -> float | None:
        """A rule's points: a finite number at most :data:`~leadscoring.core.limits.MAX_POINTS`
        in size."""
        number = self.number(value, path)
        if number is not None and abs(number) > MAX_POINTS:
            self.error(path, f"points are at most {MAX_POINTS:g} in size, got {number!r}",
                       "scale the model's points down")
            return None
        return number

    def cap(self, value: object, path: str) -> float | None:
        """A cap: a finite number in ``[0, MAX_POINTS]`` (it clamps a sum to ``[-cap, cap]``)."""
        number = self.number(value, path)
        if number is not None and number < 0:
            self.error(path, f"a cap cannot be negative, got {number!r}",
                       "a cap clamps the sum to [-cap, cap]; leave it out for no cap")
            return None
        if number is not None and number > MAX_POINTS:
            self.error(path, f"a cap is at most {MAX_POINTS:g}, got {number!r}",
                       "leave the cap out for no cap")
            return None
        return number

    def whole(self, value: object, path: str, *, minimum: int = 1) -> int | None:
        """A whole number (not a boolean) at least ``minimum``."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"expected a whole number, got {describe(value)}")
            return None
        if value < minimum:
            self.error(path, f"must be at least {minimum}, got {value!r}")
            return None
        return value

    def duration(self, value: object, path: str, *, calendar: bool = False) -> Duration | None:
        """A duration such as ``"30d"`` or ``"P3M"`` (calendar units only if ``calendar``)."""
        if not isinstance(value, str):
            example = "'30d' or 'P3M'" if calendar else "'30d' or 'PT12H'"
            self.error(path, f"expected a duration such as {example}, got {describe(value)}")
            return None
        try:
            return parse_duration(value, path, calendar=calendar)
        except InvalidValueError as exc:
            self.error(path, exc.message)
        except OverflowError:
            self.error(path, f"duration {value!r} is too long")
        return None

    def fixed(self, value: object, path: str) -> timedelta | None:
        """A fixed-length duration (no months or years)."""
        result = self.duration(value, path)
        return result if isinstance(result, timedelta) else None
