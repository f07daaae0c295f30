"""Tests of leadscoring.core.matchers: the closed table of tests on one field's value."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadscoring import (
    InvalidModelError,
    LeadScoringError,
    Matcher,
    PageCategory,
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
from leadscoring.core.matchers import MATCHERS, MISSING, OneOf
from strategies import matchers, numbers, scalars

# --------------------------------------------------------------------------- equality and kinds

KIND_CASES = [
    # (matcher, value, matches?)  kinds never mix: 1 is not "1", True is not 1
    (eq(1), 1, True),
    (eq(1), 1.0, True),
    (eq(1), "1", False),
    (eq(1), True, False),
    (eq("1"), "1", True),
    (eq("1"), 1, False),
    (eq(True), True, True),
    (eq(True), 1, False),
    (eq(True), 1.0, False),
    (eq(True), "True", False),
    (eq(False), 0, False),
    (eq(False), False, True),
    (eq(0), False, False),
    (eq(None), None, True),
    (eq(None), "", False),
    (eq("pricing"), "Pricing", False),
    (eq(""), "", True),
    (one_of(1, "b"), "1", False),
    (one_of(1, "b"), 1.0, True),
    (one_of(1, "b"), True, False),
    (one_of("a", "b"), "b", True),
    (one_of("a", "b"), "B", False),
    (one_of(True, None), True, True),
    (one_of(True, None), 1, False),
    (one_of(True, None), None, True),
]


@pytest.mark.parametrize(("matcher", "value", "expected"), KIND_CASES)
def test_eq_and_one_of_keep_kinds_apart(matcher: Matcher, value: object, expected: bool) -> None:
    """Equality never mixes kinds: numbers equal numbers, bools bools, text text, exactly."""
    assert matcher.compile()(value) is expected


@pytest.mark.parametrize(
    "matcher",
    [eq(None), eq("x"), eq(1), eq(False), one_of("a", 1), one_of("a"), gt(0), gte(0), lt(0),
     lte(0), between(-1, 1), contains("a"), glob("*"), prefix("a"), exists()],
)  # fmt: skip
def test_a_missing_field_never_matches(matcher: Matcher) -> None:
    """MISSING (the field is absent) matches no matcher but exists(False)."""
    assert matcher.compile()(MISSING) is False
    assert exists(False).compile()(MISSING) is True


def test_str_enum_members_compare_as_their_text() -> None:
    """A PageCategory member equals its text in eq and in one_of, mixed kinds included."""
    member = PageCategory.PRICING
    assert eq("pricing").compile()(member) is True
    assert one_of("pricing", 1).compile()(member) is True
    assert one_of(member, 1).compile()("pricing") is True
    assert eq(member).compile()("pricing") is True


def test_one_of_accepts_values_or_one_iterable_and_drops_duplicates() -> None:
    """one_of("a", "b") == one_of(["a", "b"]); repeated values (1 and 1.0) are kept once."""
    assert one_of("a", "b") == one_of(["a", "b"]) == one_of(("a", "b"))
    assert one_of(1, 1.0, "1").values == (1, "1")
    assert one_of(True, 1).values == (True, 1)
    assert one_of("abc").values == ("abc",)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: one_of(), "one_of: needs at least one value"),
        (lambda: one_of([]), "one_of: needs at least one value"),
        (lambda: OneOf("abc"), "one_of: expected a list"),
        (lambda: one_of("a", float("nan")), "one_of: must be a finite number"),
        (lambda: one_of("a", ["b"]), "one_of: expected a scalar"),
        (lambda: eq(float("inf")), "eq: must be a finite number"),
        (lambda: eq({"a": 1}), "eq: expected a scalar"),
    ],
)
def test_bad_equality_arguments_raise(make: Callable[[], object], fragment: str) -> None:
    """Empty one_of, NaN/inf and non-scalars raise InvalidModelError (a ValueError) by name."""
    with pytest.raises(InvalidModelError, match=fragment) as info:
        make()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LeadScoringError)


# --------------------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    ("matcher", "below", "at", "above"),
    [
        (gt(60), False, False, True),
        (gte(60), False, True, True),
        (lt(60), True, False, False),
        (lte(60), True, True, False),
    ],
)
def test_comparisons_at_the_boundary(matcher: Matcher, below: bool, at: bool, above: bool) -> None:
    """59, 60 and 60.5 against 60: strict and inclusive comparisons differ only at 60."""
    test = matcher.compile()
    assert (test(59), test(60), test(60.0), test(60.5)) == (below, at, at, above)


@pytest.mark.parametrize("matcher", [gt(0), gte(0), lt(100), lte(100), between(0, 100)])
@pytest.mark.parametrize("value", ["60", True, False, None])
def test_comparisons_never_match_text_bools_or_none(matcher: Matcher, value: object) -> None:
    """"60", True, False and None are not numbers, so no comparison matches them."""
    assert matcher.compile()(value) is False


def test_between_includes_both_ends() -> None:
    """between(30, 300) matches 30, 300 and what lies between, not 29.9 or 300.1."""
    test = between(30, 300).compile()
    assert [test(v) for v in (29.9, 30, 120, 300, 300.1)] == [False, True, True, True, False]
    assert between(5, 5).compile()(5) is True


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: between(5, 1), "between: low 5 is above high 1"),
        (lambda: between("a", 1), "between: expected a number"),
        (lambda: between(0, float("inf")), "between: must be a finite number"),
        (lambda: gt("5"), "gt: expected a number"),
        (lambda: gte(True), "gte: expected a number"),
        (lambda: lt(float("nan")), "lt: must be a finite number"),
        (lambda: lte(None), "lte: expected a number"),
    ],
)
def test_bad_comparison_arguments_raise(make: Callable[[], object], fragment: str) -> None:
    """between with low > high, and comparisons with non-numbers or NaN raise by name."""
    with pytest.raises(InvalidModelError, match=fragment) as info:
        make()
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        (contains("pricing"), "/Products/PRICING/plans", True),
        (contains("PRICING"), "/pricing", True),
        (contains("pricing", case_sensitive=True), "/PRICING", False),
        (contains("pricing", case_sensitive=True), "/pricing", True),
        (prefix("/blog"), "/BLOG/post", True),
        (prefix("/blog"), "/en/blog", False),
        (prefix("/Blog", case_sensitive=True), "/blog/post", False),
        (glob("/pricing/*"), "/Pricing/Enterprise", True),
        (glob("/pricing/*"), "/pricing", False),
        (glob("/case-?"), "/CASE-7", True),
        (glob("/case-[ab]"), "/case-c", False),
        (glob("/Case-*", case_sensitive=True), "/case-1", False),
        (contains("1"), 1, False),
        (prefix("t"), True, False),
    ],
)
def test_text_matchers_ignore_case_unless_told(
    matcher: Matcher, value: object, expected: bool
) -> None:
    """contains, glob and prefix ignore case by default, respect it when asked, and only
    ever match text."""
    assert matcher.compile()(value) is expected


@pytest.mark.parametrize("make", [contains, glob, prefix])
@pytest.mark.parametrize("text", ["", None, 3])
def test_text_matchers_need_non_empty_text(make: Callable[[object], object], text: object) -> None:
    """An empty or non-text argument raises InvalidModelError naming the operator."""
    with pytest.raises(InvalidModelError, match=f"{make.__name__}: expected non-empty text"):
        make(text)


def test_exists_matches_presence_including_none() -> None:
    """exists() matches any present value, None included; exists(False) only absence."""
    assert [exists().compile()(v) for v in (None, "", 0, MISSING)] == [True, True, True, False]
    assert [exists(False).compile()(v) for v in (None, MISSING)] == [False, True]


def test_exists_needs_a_bool() -> None:
    """exists("yes") raises InvalidModelError."""
    with pytest.raises(InvalidModelError, match="exists: expected true or false"):
        exists("yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("matcher", "text", "description", "data"),
    [
        (eq("x"), "eq('x')", "= 'x'", "x"),
        (one_of("a", 2), "one_of('a', 2)", "in 'a', 2", ["a", 2]),
        (gte(60), "gte(60)", ">= 60", 60),
        (lt(1.5), "lt(1.5)", "< 1.5", 1.5),
        (between(1, 2), "between(1, 2)", "between 1 and 2", [1, 2]),
        (contains("a"), "contains('a')", "contains 'a'", "a"),
        (
            glob("A*", case_sensitive=True),
            "glob('A*', case_sensitive=True)",
            "glob 'A*' (case-sensitive)",
            {"text": "A*", "case_sensitive": True},
        ),
        (exists(), "exists()", "is present", True),
        (exists(False), "exists(False)", "is absent", False),
    ],
)
def test_matchers_have_readable_reprs_descriptions_and_data(
    matcher: Matcher, text: str, description: str, data: object
) -> None:
    """repr reads like the factory call, describe() like prose, to_data() like the file format."""
    assert repr(matcher) == text
    assert matcher.describe() == description
    assert matcher.to_data() == data


def test_the_operator_table_is_closed_and_complete() -> None:
    """MATCHERS holds exactly the eleven operators of the design, each a factory."""
    assert sorted(MATCHERS) == sorted(
        ["eq", "one_of", "gt", "gte", "lt", "lte", "between", "contains", "glob", "prefix",
         "exists"]
    )  # fmt: skip
    assert MATCHERS["gte"](60) == gte(60)
    assert MATCHERS["between"](1, 2) == between(1, 2)


@given(matchers())
def test_matchers_are_frozen_hashable_and_rebuilt_from_their_repr(matcher: Matcher) -> None:
    """Every matcher is frozen, hashable, and eval(repr(m)) rebuilds an equal matcher."""
    namespace = {f.__name__: f for f in MATCHERS.values()}
    assert eval(repr(matcher), namespace) == matcher
    assert hash(matcher) == hash(attrs.evolve(matcher))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        matcher.op = "x"  # type: ignore[misc]


@given(scalars())
def test_eq_matches_its_own_value(value: object) -> None:
    """eq(v) matches v for every scalar v (None, bools, numbers and text alike)."""
    assert eq(value).compile()(value) is True  # type: ignore[arg-type]


@given(st.lists(scalars(), min_size=1, max_size=4), scalars())
def test_one_of_is_any_of_eq(values: list[object], value: object) -> None:
    """one_of(vs) matches exactly when some eq(v) does."""
    expected = any(eq(v).compile()(value) for v in values)  # type: ignore[arg-type]
    assert one_of(values).compile()(value) is expected  # type: ignore[arg-type]


@given(numbers(), scalars())
def test_gte_is_the_negation_of_lt_on_numbers(bound: float, value: object) -> None:
    """For a number, gte(b) holds exactly when lt(b) does not; for anything else, neither."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    assert gte(bound).compile()(value) is (is_number and not lt(bound).compile()(value))
    assert gt(bound).compile()(value) is (is_number and not lte(bound).compile()(value))


@pytest.mark.parametrize("make", [contains, glob, prefix])
def test_case_sensitive_must_be_a_bool(make: Callable[..., object]) -> None:
    """case_sensitive="no" is refused rather than read as true."""
    with pytest.raises(InvalidModelError, match="case_sensitive must be true or false"):
        make("a", case_sensitive="no")


def test_one_of_a_set_has_a_fixed_order() -> None:
    """A set has no order of its own, so one_of sorts it: equal sets give equal matchers."""
    # Sorted by (type name, repr): int 1 first, then the strings 'a' < 'b'.
    assert one_of({"b", "a", 1}).values == (1, "a", "b")
    assert one_of({"b", "a"}) == one_of(["a", "b"])
    # A list keeps the order it was written in.
    assert one_of(["b", "a"]).values == ("b", "a")
