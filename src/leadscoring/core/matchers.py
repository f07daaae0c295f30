"""Matchers: the closed table of tests a condition applies to one field's value.

``eq``, ``one_of``, ``gt``, ``gte``, ``lt``, ``lte``, ``between``, ``contains``, ``glob``,
``prefix`` and ``exists``: each factory returns a frozen value with a readable repr, a
``compile()`` that gives a plain closure, ``describe()`` for humans and ``to_data()`` for
the model file format. There is no regex and no code from strings.

Values of different kinds never match: ``1`` is not ``"1"`` and ``True`` is not ``1``.
Text matchers (``contains``, ``glob``, ``prefix``) ignore case unless told otherwise;
``eq`` and ``one_of`` compare exactly.

>>> one_of("pricing", "faq").compile()("faq")
True
>>> gte(60).compile()("60")
False
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from fnmatch import fnmatchcase
from typing import Any, ClassVar, TypeAlias

import attrs

from .aliases import Scalar
from .errors import InvalidModelError
from .limits import MAX_PATTERN_LENGTH, is_finite, number_repr

__all__ = [
    "MATCHERS",
    "MISSING",
    "Between",
    "Contains",
    "Eq",
    "Exists",
    "Glob",
    "Gt",
    "Gte",
    "Lt",
    "Lte",
    "Matcher",
    "OneOf",
    "Prefix",
    "between",
    "contains",
    "eq",
    "exists",
    "glob",
    "gt",
    "gte",
    "lt",
    "lte",
    "one_of",
    "prefix",
]


class _Missing:
    """The value a getter returns for a field the subject does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What a field getter returns when the subject lacks the field. It matches nothing."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(a: object, b: object) -> bool:
    """Equality that keeps kinds apart: bools only equal bools, numbers only numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str):  # a StrEnum member equals its text
        return a == b
    return type(a) is type(b) and a == b


def same_key(value: Scalar) -> tuple[str, object]:
    """A hashable key with ``same_key(a) == same_key(b)`` exactly when :func:`_same` says
    ``a`` and ``b`` are the same value: bools apart from numbers, ``1`` the same as ``1.0``,
    a StrEnum member the same as its text."""
    if isinstance(value, bool):
        return ("bool", value)
    if _is_number(value):
        return ("number", value)
    if isinstance(value, str):
        return ("text", str.__str__(value))
    return (type(value).__name__, value)


def _scalar(value: object, op: str) -> Scalar:
    if value is not None and not isinstance(value, str | int | float | bool):
        raise InvalidModelError(f"{op}: expected a scalar value, got {type(value).__name__}")
    if _is_number(value) and not is_finite(value):
        raise InvalidModelError(f"{op}: must be a finite number, got {number_repr(value)}")
    return value


def _number(value: object, op: str) -> int | float:
    if not _is_number(value):
        raise InvalidModelError(f"{op}: expected a number, got {value!r}")
    if not is_finite(value):
        raise InvalidModelError(f"{op}: must be a finite number, got {number_repr(value)}")
    return value


def _text(value: object, op: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidModelError(f"{op}: expected non-empty text, got {value!r}")
    return value


# --------------------------------------------------------------------------- matchers


@attrs.frozen(repr=False)
class _Compare:
    op: ClassVar[str] = ""
    symbol: ClassVar[str] = ""
    value: int | float = attrs.field()

    @value.validator
    def _check(self, _: object, value: object) -> None:
        _number(value, self.op)

    def compile(self) -> Callable[[object], bool]:
        bound, test = self.value, _COMPARE[self.op]
        return lambda v: _is_number(v) and test(v, bound)

    def to_data(self) -> object:
        return self.value

    def describe(self) -> str:
        return f"{self.symbol} {self.value!r}"

    def __repr__(self) -> str:
        return f"{self.op}({self.value!r})"


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda v, b: v > b,
    "gte": lambda v, b: v >= b,
    "lt": lambda v, b: v < b,
    "lte": lambda v, b: v <= b,
}


@attrs.frozen(repr=False)
class Gt(_Compare):
    """Matches numbers greater than ``value``."""

    op: ClassVar[str] = "gt"
    symbol: ClassVar[str] = ">"


@attrs.frozen(repr=False)
class Gte(_Compare):
    """Matches numbers greater than or equal to ``value``."""

    op: ClassVar[str] = "gte"
    symbol: ClassVar[str] = ">="


@attrs.frozen(repr=False)
class Lt(_Compare):
    """Matches numbers less than ``value``."""

    op: ClassVar[str] = "lt"
    symbol: ClassVar[str] = "<"


@attrs.frozen(repr=False)
class Lte(_Compare):
    """Matches numbers less than or equal to ``value``."""

    op: ClassVar[str] = "lte"
    symbol: ClassVar[str] = "<="


def _eq_value(value: object) -> Scalar:
    return _scalar(value, "eq")


@attrs.frozen(repr=False)
class Eq:
    """Matches a value equal to ``value`` (of the same kind)."""

    op: ClassVar[str] = "eq"
    value: Scalar = attrs.field(converter=_eq_value)

    def compile(self) -> Callable[[object], bool]:
        want = self.value
        if isinstance(want, str):
            return lambda v: v == want and isinstance(v, str)
        return lambda v: v is not MISSING and _same(v, want)

    def to_data(self) -> object:
        return self.value

    def describe(self) -> str:
        return f"= {self.value!r}"

    def __repr__(self) -> str:
        return f"eq({self.value!r})"


def _values(values: object) -> tuple[Scalar, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidModelError("one_of: expected a list of values")
    if isinstance(values, Set):  # no order of its own: sort, so equal sets give equal values
        values = sorted(values, key=lambda v: (type(v).__name__, repr(v)))
    out: list[Scalar] = []
    seen: set[tuple[str, object]] = set()  # by hash: the first of each value, in order
    for v in values:
        v = _scalar(v, "one_of")
        key = same_key(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    if not out:
        raise InvalidModelError("one_of: needs at least one value")
    return tuple(out)


@attrs.frozen(repr=False)
class OneOf:
    """Matches a value equal to one of ``values``."""

    op: ClassVar[str] = "one_of"
    values: tuple[Scalar, ...] = attrs.field(converter=_values)

    def compile(self) -> Callable[[object], bool]:
        if all(isinstance(v, str) for v in self.values):
            texts = frozenset(self.values)
            return lambda v: isinstance(v, str) and v in texts
        values = self.values
        return lambda v: v is not MISSING and any(_same(v, w) for w in values)

    def to_data(self) -> object:
        return list(self.values)

    def describe(self) -> str:
        return "in " + ", ".join(repr(v) for v in self.values)

    def __repr__(self) -> str:
        return f"one_of({', '.join(repr(v) for v in self.values)})"


@attrs.frozen(repr=False)
class Between:
    """Matches numbers with ``low <= value <= high``."""

    op: ClassVar[str] = "between"
    low: int | float = attrs.field()
    high: int | float = attrs.field()

    def __attrs_post_init__(self) -> None:
        _number(self.low, "between")
        _number(self.high, "between")
        if self.low > self.high:
            raise InvalidModelError(f"between: low {self.low!r} is above high {self.high!r}")

    def compile(self) -> Callable[[object], bool]:
        low, high = self.low, self.high
        return lambda v: _is_number(v) and low <= v <= high  # type: ignore[operator]

    def to_data(self) -> object:
        return [self.low, self.high]

    def describe(self) -> str:
        return f"between {self.low!r} and {self.high!r}"

    def __repr__(self) -> str:
        return f"between({self.low!r}, {self.high!r})"


@attrs.frozen(repr=False)
class _Text:
    op: ClassVar[str] = ""
    text: str = attrs.field()
    case_sensitive: bool = attrs.field(default=False, kw_only=True)

    @text.validator
    def _check(self, _: object, value: object) -> None:
        _text(value, self.op)

    @case_sensitive.validator
    def _check_case(self, _: object, value: object) -> None:
        if not isinstance(value, bool):
            raise InvalidModelError(
                f"{self.op}: case_sensitive must be true or false, got {value!r}"
            )

    def _test(self, value: str, text: str) -> bool:
        raise TypeError  # pragma: no cover - every subclass defines it

    def compile(self) -> Callable[[object], bool]:
        test = self._test
        if self.case_sensitive:
            text = self.text
            return lambda v: isinstance(v, str) and test(v, text)
        folded = self.text.casefold()
        return lambda v: isinstance(v, str) and test(v.casefold(), folded)

    def to_data(self) -> object:
        if self.case_sensitive:
            return {"text": self.text, "case_sensitive": True}
        return self.text

    def describe(self) -> str:
        return f"{self.op} {self.text!r}" + (" (case-sensitive)" if self.case_sensitive else "")

    def __repr__(self) -> str:
        extra = ", case_sensitive=True" if self.case_sensitive else ""
        return f"{self.op}({self.text!r}{extra})"


@attrs.frozen(repr=False)
class Contains(_Text):
    """Matches text containing ``text``."""

    op: ClassVar[str] = "contains"

    def _test(self, value: str, text: str) -> bool:
        return text in value


@attrs.frozen(repr=False)
class Glob(_Text):
    """Matches text against a shell-style pattern (``*``, ``?``, ``[abc]``)."""

    op: ClassVar[str] = "glob"

    def __attrs_post_init__(self) -> None:
        # fnmatch's translation is quadratic in the number of '[' of a pattern: bound it
        if len(self.text) > MAX_PATTERN_LENGTH:
            raise InvalidModelError(
                f"glob: a pattern is at most {MAX_PATTERN_LENGTH} characters, got "
                f"{len(self.text):,}; use prefix or contains for long texts"
            )

    def _test(self, value: str, text: str) -> bool:
        return fnmatchcase(value, text)


@attrs.frozen(repr=False)
class Prefix(_Text):
    """Matches text starting with ``text``."""

    op: ClassVar[str] = "prefix"

    def _test(self, value: str, text: str) -> bool:
        return value.startswith(text)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidModelError(f"exists: expected true or false, got {value!r}")
    return value


@attrs.frozen(repr=False)
class Exists:
    """Matches when the field is present (``exists(False)``: when it is absent)."""

    op: ClassVar[str] = "exists"
    present: bool = attrs.field(default=True, converter=_bool)

    def compile(self) -> Callable[[object], bool]:
        if self.present:
            return lambda v: v is not MISSING
        return lambda v: v is MISSING

    def to_data(self) -> object:
        return self.present

    def describe(self) -> str:
        return "is present" if self.present else "is absent"

    def __repr__(self) -> str:
        return "exists()" if self.present else "exists(False)"


Matcher: TypeAlias = Eq | OneOf | Gt | Gte | Lt | Lte | Between | Contains | Glob | Prefix | Exists
"""Any matcher value."""


def eq(value: Scalar) -> Eq:
    """Equal to ``value``."""
    return Eq(value)


def one_of(*values: Scalar | Iterable[Scalar]) -> OneOf:
    """Equal to one of the values: ``one_of("a", "b")`` or ``one_of(["a", "b"])``."""
    if len(values) == 1 and not isinstance(values[0], str) and isinstance(values[0], Iterable):
        return OneOf(values[0])
    return OneOf(values)


def gt(value: float) -> Gt:
    """A number greater than ``value``."""
    return Gt(value)


def gte(value: float) -> Gte:
    """A number greater than or equal to ``value``."""
    return Gte(value)


def lt(value: float) -> Lt:
    """A number less than ``value``."""
    return Lt(value)


def lte(value: float) -> Lte:
    """A number less than or equal to ``value``."""
    return Lte(value)


def between(low: float, high: float) -> Between:
    """A number in ``[low, high]`` (both ends included)."""
    return Between(low, high)


def contains(text: str, *, case_sensitive: bool = False) -> Contains:
    """Text containing ``text`` (case-insensitive by default)."""
    return Contains(text, case_sensitive=case_sensitive)


def glob(pattern: str, *, case_sensitive: bool = False) -> Glob:
    """Text matching a shell-style pattern such as ``"/pricing/*"``."""
    return Glob(pattern, case_sensitive=case_sensitive)


def prefix(text: str, *, case_sensitive: bool = False) -> Prefix:
    """Text starting with ``text``."""
    return Prefix(text, case_sensitive=case_sensitive)


def exists(present: bool = True) -> Exists:
    """The field is present (or, with ``False``, absent)."""
    return Exists(present)


MATCHERS: dict[str, Callable[..., Matcher]] = {
    "eq": eq,
    "one_of": one_of,
    "gt": gt,
    "gte": gte,
    "lt": lt,
    "lte": lte,
    "between": between,
    "contains": contains,
    "glob": glob,
    "prefix": prefix,
    "exists": exists,
}
"""The closed table of matcher operators, by their data-form name."""
