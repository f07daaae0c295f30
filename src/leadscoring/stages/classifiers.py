"""Stage labels from a score: temperature, fit grade and priority.

- :class:`TemperatureClassifier` turns a score into a :class:`Temperature` (cold, warm,
  hot), with hysteresis when the previous temperature is known.
- :class:`GradeScale` turns the fit score into a :class:`FitGrade` (A to D).
- :class:`PriorityGrid` turns grade × temperature into a priority (1 = call first).

Each is a frozen value with ``to_dict()`` and ``from_dict()``: the ``[temperature]``,
``[grades]`` and ``[priority]`` sections of a model file.

>>> TemperatureClassifier(warm=30, hot=60).classify(72)
<Temperature.HOT: 'hot'>
>>> GradeScale().grade(25)
<FitGrade.B: 'B'>
>>> PriorityGrid().priority(FitGrade.A, Temperature.HOT)
1
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..core.errors import ErrorDetail, InvalidModelError, InvalidValueError
from ..core.mapping import FrozenMap
from ..core.plain.forms import check_keys, convert_table, number, raise_if, table
from ..core.results import LeadScore

__all__ = [
    "FitGrade",
    "GradeScale",
    "PriorityGrid",
    "Temperature",
    "TemperatureClassifier",
]


class Temperature(enum.StrEnum):
    """How hot a lead is: ``COLD`` < ``WARM`` < ``HOT`` (compare with :attr:`rank`)."""

    COLD = "cold"
    """Not yet interested (コールドリード): content, research and targeting."""
    WARM = "warm"
    """Interested, a relationship being built (ウォームリード): regular nurturing."""
    HOT = "hot"
    """High purchase intent (ホットリード, 今すぐ客): sales follows up now."""

    @property
    def rank(self) -> int:
        """0 for cold, 1 for warm, 2 for hot."""
        return _TEMPERATURES.index(self)


_TEMPERATURES = (Temperature.COLD, Temperature.WARM, Temperature.HOT)


class FitGrade(enum.StrEnum):
    """How well a lead fits the ideal customer, from its fit score: ``A`` (best) to ``D``."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def rank(self) -> int:
        """3 for A down to 0 for D (higher is better)."""
        return 3 - _GRADES.index(self)


_GRADES = (FitGrade.A, FitGrade.B, FitGrade.C, FitGrade.D)

_MEASURES: dict[str, Callable[[LeadScore], float]] = {
    "total": lambda s: s.total,
    "fit": lambda s: s.fit,
    "engagement": lambda s: s.engagement,
}
_BASES = ("points", "percentile")


def _band(
    value: float, bands: Sequence[tuple[int, float]], keep: int = 0, margin: float = 0.0
) -> int:
    """The highest band rank whose threshold ``value`` reaches (0 when none).

    Bands at or below ``keep`` (the previous band) are left only below
    ``threshold - margin``; higher bands need their full threshold.
    """
    best = 0
    for rank, threshold in bands:
        needed = threshold - margin if rank <= keep else threshold
        if value >= needed and rank > best:
            best = rank
    return best


def _choice(options: Sequence[str], path: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            known = ", ".join(map(repr, options))
            raise InvalidModelError(f"must be one of {known}, got {value!r}", path=path)
        return value

    return convert


# Named converters (the attrs mypy plugin needs named functions), one per field.
def _warm(value: float) -> int | float:
    return number(value, "warm")


def _hot(value: float) -> int | float:
    return number(value, "hot")


def _margin(value: float) -> int | float:
    return number(value, "exit_margin", minimum=0)


def _on(value: str) -> str:
    return _choice(tuple(_MEASURES), "on")(value)


def _basis(value: str) -> str:
    return _choice(_BASES, "basis")(value)


def _a(value: float) -> int | float:
    return number(value, "a")


def _b(value: float) -> int | float:
    return number(value, "b")


def _c(value: float) -> int | float:
    return number(value, "c")


def _as_value(score: LeadScore | float, measure: Callable[[LeadScore], float], field: str) -> float:
    if isinstance(score, LeadScore):
        return measure(score)
    if isinstance(score, bool) or not isinstance(score, int | float) or score != score:
        raise InvalidValueError(field, f"expected a LeadScore or a number, got {score!r}")
    return float(score)


def _from_table(
    section: str, data: object, converters: Mapping[str, Callable[[Any], Any]]
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """Convert each known key, collecting every problem; unknown keys are problems too."""
    return convert_table(data, converters, f"{section} setting")


def _percentile_problems(values: Mapping[str, Any]) -> list[ErrorDetail]:
    if values.get("basis") != "percentile":
        return []
    return [
        ErrorDetail(path=name, message=f"a percentile must be in [0, 100], got {values[name]!r}")
        for name in ("warm", "hot")
        if name in values and not 0 <= values[name] <= 100
    ]


_TEMPERATURE_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "warm": _warm,
    "hot": _hot,
    "exit_margin": _margin,
    "on": _on,
    "basis": _basis,
}


@attrs.frozen(kw_only=True)
class TemperatureClassifier:
    """Cold, warm or hot from a score: the highest band whose threshold the value reaches.

    - ``warm``, ``hot``: thresholds (a value equal to a threshold reaches it). Given in
      any order, the highest band reached wins: with ``warm >= hot`` no lead is warm.
    - ``on``: the value classified: ``"total"``, ``"fit"`` or ``"engagement"``.
    - ``exit_margin``: hysteresis. Given the previous temperature, a lead stays in a band
      (and in every band below it) until the value drops below that band's threshold
      minus ``exit_margin``; entering a higher band still needs its full threshold.
    - ``basis="percentile"``: ``warm`` and ``hot`` are percentile ranks in [0, 100] of the
      value within a population (``hot=90``: hot when at least 90% of the population
      scores strictly lower, i.e. the top 10%). Percentile bands drift as the population
      changes: the same score can turn cold because others improved.

    >>> c = TemperatureClassifier(warm=30, hot=60, exit_margin=5)
    >>> c.classify(57), c.classify(57, previous=Temperature.HOT)
    (<Temperature.WARM: 'warm'>, <Temperature.HOT: 'hot'>)
    """

    warm: int | float = attrs.field(default=30, converter=_warm)
    hot: int | float = attrs.field(default=60, converter=_hot)
    exit_margin: int | float = attrs.field(default=0, converter=_margin)
    on: str = attrs.field(default="total", converter=_on)
    basis: str = attrs.field(default="points", converter=_basis)

    def __attrs_post_init__(self) -> None:
        raise_if(_percentile_problems(attrs.asdict(self)))

    @property
    def thresholds(self) -> dict[Temperature, float]:
        """The threshold of each band above cold."""
        return {Temperature.WARM: self.warm, Temperature.HOT: self.hot}

    def value(self, score: LeadScore | float) -> float:
        """The value classified: ``score.total``, ``.fit`` or ``.engagement`` as ``on`` says
        (a plain number is taken as it is)."""
        return _as_value(score, _MEASURES[self.on], "score")

    def percentile_rank(
        self, score: LeadScore | float, population: Iterable[LeadScore | float]
    ) -> float:
        """The share (in percent) of ``population`` whose value is strictly below ``score``'s."""
        values = sorted(self.value(s) for s in population)
        if not values:
            raise InvalidValueError("population", "percentile bands need a non-empty population")
        return rank_in(values, self.value(score))

    def classify(
        self,
        score: LeadScore | float,
        previous: Temperature | None = None,
        *,
        population: Iterable[LeadScore | float] | None = None,
    ) -> Temperature:
        """The temperature of ``score`` (a :class:`LeadScore` or a number).

        ``previous`` turns on hysteresis (``exit_margin``). With ``basis="percentile"``,
        ``population`` (the scores of all leads, including this one) is required.
        """
        if self.basis == "percentile":
            if population is None:
                raise InvalidValueError(
                    "population",
                    "percentile bands need the population (use assess_all, or pass population=)",
                )
            return self.classify_value(self.percentile_rank(score, population), previous)
        return self.classify_value(self.value(score), previous)

    def classify_value(self, value: float, previous: Temperature | None = None) -> Temperature:
        """The temperature of an already measured value (a percentile rank for that basis)."""
        if previous is not None and not isinstance(previous, Temperature):
            previous = _temperature(previous)
        keep = previous.rank if previous is not None else 0
        margin = float(self.exit_margin) if previous is not None else 0.0
        bands = ((1, float(self.warm)), (2, float(self.hot)))
        return _TEMPERATURES[_band(value, bands, keep, margin)]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``[temperature]`` section) that :meth:`from_dict` reads back."""
        return {
            "warm": self.warm,
            "hot": self.hot,
            "exit_margin": self.exit_margin,
            "on": self.on,
            "basis": self.basis,
        }

    @classmethod
    def from_dict(cls, data: object) -> TemperatureClassifier:
        """Build from plain data; missing keys take their defaults, every problem is
        collected into one :class:`~leadscoring.InvalidModelError`."""
        values, errors = _from_table("temperature", data, _TEMPERATURE_CONVERTERS)
        raise_if(errors + _percentile_problems({"basis": "points", **values}))
        return cls(**values)


def rank_in(sorted_values: Sequence[float], value: float) -> float:
    """The percentage of ``sorted_values`` strictly below ``value``."""
    return 100.0 * bisect_left(sorted_values, value) / len(sorted_values)


def _temperature(value: object) -> Temperature:
    if isinstance(value, str) and value in _TEMPERATURE_NAMES:
        return Temperature(value)
    known = ", ".join(_TEMPERATURE_NAMES)
    raise InvalidValueError("previous", f"unknown temperature {value!r}; one of {known}")


_TEMPERATURE_NAMES = tuple(t.value for t in _TEMPERATURES)


_GRADE_CONVERTERS: dict[str, Callable[[Any], Any]] = {"a": _a, "b": _b, "c": _c}


@attrs.frozen(kw_only=True)
class GradeScale:
    """Fit grades from the fit score: ``A`` from ``a`` points, ``B`` from ``b``, ``C`` from
    ``c``, else ``D``. Thresholds may be given in any order; the best grade reached wins.

    A model without attribute rules has ``fit == 0`` for everyone: all ``D`` by default
    (``GradeScale(a=0)`` makes everyone ``A``).

    >>> [GradeScale(a=30, b=20, c=10).grade(x).value for x in (35, 30, 29.5, 10, 0)]
    ['A', 'A', 'B', 'C', 'D']
    """

    a: int | float = attrs.field(default=30, converter=_a)
    b: int | float = attrs.field(default=20, converter=_b)
    c: int | float = attrs.field(default=10, converter=_c)

    def grade(self, score: LeadScore | float) -> FitGrade:
        """The grade of ``score.fit`` (or of a plain number)."""
        value = _as_value(score, _MEASURES["fit"], "score")
        bands = ((3, float(self.a)), (2, float(self.b)), (1, float(self.c)))
        return _GRADES[3 - _band(value, bands)]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``[grades]`` section) that :meth:`from_dict` reads back."""
        return {"a": self.a, "b": self.b, "c": self.c}

    @classmethod
    def from_dict(cls, data: object) -> GradeScale:
        """Build from plain data; missing keys take their defaults."""
        values, errors = _from_table("grades", data, _GRADE_CONVERTERS)
        raise_if(errors)
        return cls(**values)


_DEFAULT_GRID: dict[str, dict[str, int]] = {
    "A": {"hot": 1, "warm": 2, "cold": 4},
    "B": {"hot": 2, "warm": 3, "cold": 4},
    "C": {"hot": 3, "warm": 4, "cold": 5},
    "D": {"hot": 4, "warm": 5, "cold": 5},
}

Grid = FrozenMap[FitGrade, FrozenMap[Temperature, int]]


def _cell(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidModelError(f"must be a whole number >= 1, got {value!r}", path=path)
    return value


def _grid(value: Mapping[str, Mapping[str, int]]) -> Grid:
    """The full grid: the cells given override the defaults; every problem is collected."""
    if isinstance(value, FrozenMap) and len(value) == len(_GRADES) and all(
        isinstance(k, FitGrade) and isinstance(v, FrozenMap) for k, v in value.items()
    ):
        return value
    given = table(value)
    errors = check_keys(given, [g.value for g in _GRADES], "grade")
    cells = {g: dict(row) for g, row in _DEFAULT_GRID.items()}
    for grade, row in given.items():
        if grade not in cells:
            continue
        if not isinstance(row, Mapping):
            errors.append(ErrorDetail(path=str(grade), message=f"expected a table, got {row!r}"))
            continue
        errors += check_keys(row, [t.value for t in _TEMPERATURES], "temperature", f"{grade}.")
        for temp, cell in row.items():
            if temp in cells[grade]:
                try:
                    cells[grade][temp] = _cell(cell, f"{grade}.{temp}")
                except InvalidModelError as exc:
                    errors.extend(exc.errors)
    raise_if(errors)
    return FrozenMap(
        {
            FitGrade(g): FrozenMap({Temperature(t): p for t, p in row.items()})
            for g, row in cells.items()
        }
    )


@attrs.frozen(kw_only=True, repr=False)
class PriorityGrid:
    """Priority (1 = call first) for each fit grade × temperature.

    The default puts ``A``-hot first, then weighs temperature and fit together::

              hot  warm  cold
        A      1     2     4
        B      2     3     4
        C      3     4     5
        D      4     5     5

    ``grid`` gives the cells to change, as ``{"D": {"hot": 2}}``; the others keep their
    default. Leads with the same priority are ranked by score.
    """

    grid: Grid = attrs.field(factory=lambda: _grid({}), converter=_grid)

    def priority(self, grade: FitGrade | str, temperature: Temperature | str) -> int:
        """The priority of a lead with this grade and temperature."""
        try:
            return self.grid[FitGrade(grade)][Temperature(temperature)]
        except ValueError:
            raise InvalidValueError(
                "grade", f"unknown grade or temperature {grade!r}, {temperature!r}"
            ) from None

    def __repr__(self) -> str:
        return f"PriorityGrid(grid={self.to_dict()!r})"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``[priority]`` section): ``{"A": {"hot": 1, ...}, ...}``."""
        return {g.value: {t.value: p for t, p in row.items()} for g, row in self.grid.items()}

    @classmethod
    def from_dict(cls, data: object) -> PriorityGrid:
        """Build from plain data; cells left out keep their default."""
        return cls(grid=table(data))
