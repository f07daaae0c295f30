"""Conditions: which events or leads a rule applies to, as frozen values, never code.

A condition is built from :class:`Field` (a name and a matcher) and the combinators
:class:`All`, :class:`AnyOf` and :class:`Not`. Matchers come from a closed table:
:func:`eq`, :func:`one_of`, :func:`gt`, :func:`gte`, :func:`lt`, :func:`lte`,
:func:`between`, :func:`contains`, :func:`glob`, :func:`prefix` and :func:`exists`.
:func:`when` is the short way to write the common case::

    >>> when(type="page_view", category="pricing", duration_s=gte(60))
    All(Field('type', eq('page_view')), Field('category', eq('pricing')), \
Field('duration_s', gte(60)))

A missing field never matches, except under :class:`Not` (and ``exists(False)``).
The matchers themselves live in :mod:`leadscoring.core.matchers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import attrs

from .aliases import Scalar
from .errors import InvalidModelError
from .limits import MAX_CONDITION_DEPTH
from .matchers import (
    MATCHERS,
    MISSING,
    Between,
    Contains,
    Eq,
    Exists,
    Glob,
    Gt,
    Gte,
    Lt,
    Lte,
    Matcher,
    OneOf,
    Prefix,
    between,
    contains,
    eq,
    exists,
    glob,
    gt,
    gte,
    lt,
    lte,
    one_of,
    prefix,
)

if TYPE_CHECKING:
    from .event import Event
    from .lead import Lead

__all__ = [
    "MATCHERS",
    "MISSING",
    "All",
    "AnyOf",
    "Condition",
    "Field",
    "Matcher",
    "MatcherLike",
    "Not",
    "between",
    "compile_condition",
    "condition_types",
    "contains",
    "depth",
    "eq",
    "event_getter",
    "exists",
    "glob",
    "gt",
    "gte",
    "lead_getter",
    "lt",
    "lte",
    "one_of",
    "pinned",
    "prefix",
    "to_matcher",
    "when",
]

T = TypeVar("T")


# --------------------------------------------------------------------------- conditions


def _field_name(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidModelError(f"Field.name: must be a non-empty string, got {value!r}")
    return value


MatcherLike: TypeAlias = "Matcher | Scalar | Iterable[Scalar] | Mapping[str, object]"
"""What a field may be given: a matcher, a plain value (equals), a list of values (one of)
or an operator table as in a model file (``{"gte": 60}``, ``{"between": [10, 20]}``)."""

_PLAIN_HINT = (
    "give a matcher such as gte(60), a plain value (text, number, true/false), a list of "
    "values, or an operator table such as {'gte': 60}"
)


def to_matcher(value: object, path: str = "Field.matcher") -> Matcher:
    """``value`` as a matcher (see :data:`MatcherLike`); an operator table is read as in a
    model file, and every problem names ``path`` (the field) with a hint."""
    if isinstance(value, Eq | OneOf | Gt | Gte | Lt | Lte | Between | Contains | Glob | Prefix):
        return value
    if isinstance(value, Exists):
        return value
    if isinstance(value, Mapping):
        from .plain.conditions import read_matcher  # plain/ imports this module
        from .plain.reader import Reader

        reader = Reader()
        field = path.rsplit(".", 1)[-1]
        matcher = read_matcher(reader, dict(value), path, field)
        reader.raise_if_any()
        if matcher is None:  # pragma: no cover - the reader records why
            raise InvalidModelError("not a matcher", path=path)
        return matcher
    if isinstance(value, list | tuple | set | frozenset):
        try:
            return one_of(value)
        except InvalidModelError as exc:
            raise InvalidModelError([e.under(path) for e in exc.errors]) from None
    if value is not None and not isinstance(value, str | int | float | bool):
        raise InvalidModelError(
            f"expected a matcher or a plain value, got {type(value).__name__} {value!r:.40}; "
            f"{_PLAIN_HINT}",
            path=path,
        )
    try:
        return eq(value)
    except InvalidModelError as exc:
        raise InvalidModelError([e.under(path) for e in exc.errors]) from None


def _matcher(value: MatcherLike) -> Matcher:
    return to_matcher(value)


class _Combinable:
    __slots__ = ()  # keeps the attrs subclasses slotted (no per-instance __dict__)

    def __and__(self, other: Condition) -> All:
        return All(self, other)  # type: ignore[arg-type]

    def __or__(self, other: Condition) -> AnyOf:
        return AnyOf(self, other)  # type: ignore[arg-type]

    def __invert__(self) -> Not:
        return Not(self)  # type: ignore[arg-type]


@attrs.frozen(repr=False)
class Field(_Combinable):
    """The field ``name`` matches ``matcher`` (a plain value means equals)."""

    name: str = attrs.field(converter=_field_name)
    matcher: Matcher = attrs.field(converter=_matcher)

    def describe(self) -> str:
        return f"{self.name} {self.matcher.describe()}"

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.matcher!r})"


def _conditions(values: Iterable[object]) -> tuple[Condition, ...]:
    out = tuple(values)
    for c in out:
        if not isinstance(c, Field | All | AnyOf | Not):
            raise InvalidModelError(f"expected a condition, got {type(c).__name__} {c!r}")
    return out  # type: ignore[return-value]


def depth(condition: Condition) -> int:
    """How many combinators (:class:`All`, :class:`AnyOf`, :class:`Not`) nest in
    ``condition``, counting its own: ``Field`` 0, ``when(...)`` 1, ``Not(when(...))`` 2."""
    if isinstance(condition, Field):
        return 0
    if isinstance(condition, Not):
        return 1 + depth(condition.condition)
    return 1 + max((depth(c) for c in condition.conditions), default=0)


def _check_depth(parts: tuple[Condition, ...]) -> None:
    """Refuse a combinator of ``parts`` that would nest more than MAX_CONDITION_DEPTH deep
    (its parts were checked when they were built, so this recursion is bounded)."""
    deepest = max((depth(c) for c in parts), default=0)
    if deepest >= MAX_CONDITION_DEPTH:
        raise InvalidModelError(
            f"conditions nest at most {MAX_CONDITION_DEPTH} combinators (all, any, not) deep; "
            "this one is deeper: flatten it (all of alls is one all, not of not is the "
            "condition itself)"
        )


@attrs.frozen(init=False, repr=False)
class All(_Combinable):
    """Every condition holds. ``All()`` with none always holds."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        parts = _conditions(conditions)
        _check_depth(parts)
        self.__attrs_init__(parts)

    def describe(self) -> str:
        if not self.conditions:
            return "always"
        return " and ".join(_group(c) for c in self.conditions)

    def __repr__(self) -> str:
        return f"All({', '.join(repr(c) for c in self.conditions)})"


@attrs.frozen(init=False, repr=False)
class AnyOf(_Combinable):
    """At least one condition holds."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        if not conditions:
            raise InvalidModelError("AnyOf: needs at least one condition")
        parts = _conditions(conditions)
        _check_depth(parts)
        self.__attrs_init__(parts)

    def describe(self) -> str:
        return " or ".join(_group(c) for c in self.conditions)

    def __repr__(self) -> str:
        return f"AnyOf({', '.join(repr(c) for c in self.conditions)})"


def _one_condition(value: Condition) -> Condition:
    parts = _conditions([value])
    _check_depth(parts)
    return parts[0]


@attrs.frozen(repr=False)
class Not(_Combinable):
    """The condition does not hold (a missing field does not hold, so ``Not`` matches it)."""

    condition: Condition = attrs.field(converter=_one_condition)

    def describe(self) -> str:
        return f"not {_group(self.condition)}"

    def __repr__(self) -> str:
        return f"Not({self.condition!r})"


Condition: TypeAlias = Field | All | AnyOf | Not
"""Any condition value."""


def _group(c: Condition) -> str:
    text = c.describe()
    return f"({text})" if isinstance(c, All | AnyOf) and len(c.conditions) > 1 else text


def when(**fields: MatcherLike) -> All:
    """Build an :class:`All` of :class:`Field` s: a plain value means equals, a list or set
    means one of, a matcher is used as it is, and an operator table reads as in a model file
    (``when(duration_s={"gte": 60})`` is ``when(duration_s=gte(60))``).

    >>> when(type="page_view", category=["service", "case_study"]).describe()
    "type = 'page_view' and category in 'service', 'case_study'"
    """
    return All(*(Field(name, to_matcher(value, name)) for name, value in fields.items()))


def compile_condition(
    condition: Condition, getter: Callable[[str], Callable[[T], object]]
) -> Callable[[T], bool]:
    """Turn ``condition`` into a plain closure over a subject of type ``T``.

    ``getter(name)`` returns a function reading field ``name`` from a subject, or
    :data:`MISSING` when the subject lacks it.
    """
    if isinstance(condition, Field):
        read, test = getter(condition.name), condition.matcher.compile()
        return lambda subject: test(read(subject))
    if isinstance(condition, Not):
        inner = compile_condition(condition.condition, getter)
        return lambda subject: not inner(subject)
    parts = [compile_condition(c, getter) for c in condition.conditions]
    if len(parts) == 1:
        return parts[0]
    # Two parts (the common case) as one expression; more as a loop, never a generator:
    # same short-circuit order as all()/any(), several times cheaper per call.
    if isinstance(condition, All):
        if not parts:
            return lambda subject: True
        if len(parts) == 2:
            first, second = parts
            return lambda subject: first(subject) and second(subject)

        def all_of(subject: T) -> bool:
            for part in parts:  # noqa: SIM110 - a loop, not all(<generator>): faster
                if not part(subject):
                    return False
            return True

        return all_of
    if len(parts) == 2:
        first, second = parts
        return lambda subject: first(subject) or second(subject)

    def any_of(subject: T) -> bool:
        for part in parts:  # noqa: SIM110 - a loop, not any(<generator>): faster
            if part(subject):
                return True
        return False

    return any_of


def pinned(condition: Condition, name: str, *, always_text: bool = False) -> frozenset[str] | None:
    """The texts field ``name`` must equal for ``condition`` to hold, or ``None`` if the
    condition does not pin it to texts.

    ``None`` also when the condition could hold with a value that is not text, unless
    ``always_text`` says the field is text whenever present (an event's ``type``): then
    non-text values in ``eq`` / ``one_of`` simply never match.
    """
    if isinstance(condition, Field):
        if condition.name != name:
            return None
        m = condition.matcher
        if isinstance(m, Eq):
            if isinstance(m.value, str):
                return frozenset([m.value])
            return frozenset() if always_text else None
        if isinstance(m, OneOf):
            texts = frozenset(v for v in m.values if isinstance(v, str))
            return texts if always_text or len(texts) == len(m.values) else None
        return None
    if isinstance(condition, All):
        found: frozenset[str] | None = None
        for part in condition.conditions:
            values = pinned(part, name, always_text=always_text)
            if values is not None:
                found = values if found is None else found & values
        return found
    if isinstance(condition, AnyOf):
        union: set[str] = set()
        for part in condition.conditions:
            values = pinned(part, name, always_text=always_text)
            if values is None:
                return None
            union |= values
        return frozenset(union)
    return None


def condition_types(condition: Condition) -> frozenset[str] | None:
    """The event types a condition can match, or ``None`` when it does not restrict ``type``."""
    return pinned(condition, "type", always_text=True)


def event_getter(name: str) -> Callable[[Event], object]:
    """Read the field an event condition calls ``name``: ``type``, ``id`` or a property."""
    if name == "type":
        return lambda e: e.type
    if name == "id":
        return lambda e: MISSING if e.id is None else e.id
    return lambda e: e.properties.get(name, MISSING)


def lead_getter(name: str) -> Callable[[Lead], object]:
    """Read the field an attribute condition calls ``name``: ``status`` or an attribute."""
    if name == "status":
        return lambda lead: lead.status.value
    return lambda lead: lead.attributes.get(name, MISSING)
