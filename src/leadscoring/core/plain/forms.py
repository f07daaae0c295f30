"""Plain-data helpers for the stage settings (temperature, journey, grades, priority, playbook).

Each settings value reads itself from a table with ``from_dict`` and writes itself back
with ``to_dict``. These helpers collect every problem as an :class:`ErrorDetail` whose
path is relative to the section (``"hot"``, ``"stages.comparison[2]"``), give "did you
mean" hints for unknown keys, and read conditions and decays with the model file's own
readers (``docs/model-format.md``)::

    {"type": "page_view", "category": ["pricing", "faq"], "duration_s": {"gte": 60}}
    {"half_life": "14d"}   {"window": "P3M"}   "none"
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..conditions import All, AnyOf, Condition, Field, Matcher, Not, when
from ..decay import Decay, HalfLife, Linear, NoDecay, Steps, Window
from ..errors import ErrorDetail, InvalidModelError
from ..limits import is_finite, number_repr
from .conditions import condition_data, read_condition
from .reader import Reader
from .rules import decay_data, read_decay

__all__ = [
    "check_keys",
    "condition_from_data",
    "condition_to_data",
    "decay_from_data",
    "decay_to_data",
    "number",
    "raise_if",
    "table",
    "to_condition",
]



def raise_if(errors: Sequence[ErrorDetail]) -> None:
    """Raise :class:`InvalidModelError` with ``errors`` if there are any."""
    if errors:
        raise InvalidModelError(errors)


def table(data: object, path: str = "") -> Mapping[str, Any]:
    """``data`` as a mapping, or an :class:`InvalidModelError` at ``path``."""
    if not isinstance(data, Mapping):
        raise InvalidModelError(
            f"expected a table/object, got {type(data).__name__} {data!r:.60}", path=path or "$"
        )
    return data


def check_keys(
    data: Mapping[str, Any], known: Iterable[str], what: str, prefix: str = ""
) -> list[ErrorDetail]:
    """An error for each key of ``data`` not in ``known``, with a "did you mean" hint."""
    names = [str(k) for k in known]
    errors = []
    for key in data:
        if key in names:
            continue
        close = [n for n in names if n.casefold() == str(key).casefold()]
        close = close or difflib.get_close_matches(str(key), names, n=1)
        errors.append(
            ErrorDetail(
                path=f"{prefix}{key}",
                message=f"unknown {what} {key!r}",
                hint=f"did you mean {close[0]!r}?" if close else f"known: {', '.join(names)}",
            )
        )
    return errors


def convert_table(
    data: object, converters: Mapping[str, Callable[[Any], Any]], what: str
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """Convert each known key of a settings table, collecting every problem.

    Unknown keys are problems too (with a "did you mean" hint); ``what`` names a key in
    messages (``"journey setting"``).
    """
    mapping = table(data)
    errors = check_keys(mapping, converters, what)
    values: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in converters:
            try:
                values[key] = converters[key](value)
            except InvalidModelError as exc:
                errors.extend(exc.errors)
    return values, errors


def number(
    value: object, path: str, *, minimum: float | None = None, maximum: float | None = None
) -> int | float:
    """``value`` if it is a finite real number within the bounds (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidModelError(
            f"expected a number, got {type(value).__name__} {value!r}", path=path
        )
    if not is_finite(value):
        raise InvalidModelError(f"must be a finite number, got {number_repr(value)}", path=path)
    if minimum is not None and value < minimum:
        raise InvalidModelError(f"must be at least {minimum:g}, got {value!r}", path=path)
    if maximum is not None and value > maximum:
        raise InvalidModelError(f"must be at most {maximum:g}, got {value!r}", path=path)
    return value


# --- conditions and decays: the model file's own readers --------------------------------


def condition_from_data(data: object, path: str) -> Condition:
    """Read a condition from its data form (the one rules use in a model file)."""
    reader = Reader()
    condition = read_condition(reader, data, path)
    reader.raise_if_any()
    if condition is None:  # pragma: no cover - the reader records why
        raise InvalidModelError("not a condition", path=path)
    return condition


def condition_to_data(condition: Condition) -> dict[str, Any]:
    """The data form of ``condition``, which :func:`condition_from_data` reads back equal."""
    return condition_data(condition)


def to_condition(value: object, path: str) -> Condition:
    """A condition given in Python: a condition value, a data-form table, or ``when``
    keywords as a mapping (values may be matchers such as ``gte(60)``)."""
    if isinstance(value, Field | All | AnyOf | Not):
        return value
    if isinstance(value, Mapping):
        if any(isinstance(v, Matcher) for v in value.values()):
            return when(**{str(k): v for k, v in value.items()})
        return condition_from_data(value, path)
    raise InvalidModelError(
        f"expected a condition (when(...), Field, All, AnyOf, Not) or a table, got {value!r:.60}",
        path=path,
    )


def decay_from_data(data: object, path: str) -> Decay:
    """Read a decay: ``"none"``, ``{half_life = "14d"}``, ``{linear = "90d"}``,
    ``{window = "30d" | "P3M"}`` or ``{steps = [["7d", 1.0], ["30d", 0.5]]}``.

    A decay value (``HalfLife(days=14)``) is returned as it is.
    """
    if isinstance(data, NoDecay | HalfLife | Linear | Window | Steps):
        return data
    reader = Reader()
    decay = read_decay(reader, data, path)
    reader.raise_if_any()
    if decay is None:  # pragma: no cover - the reader records why
        raise InvalidModelError("not a decay", path=path)
    return decay


def decay_to_data(decay: Decay) -> object:
    """The data form of ``decay`` that :func:`decay_from_data` reads back."""
    return decay_data(decay)
