"""Reading event and lead tables for :func:`~leadscoring.score_frame`, through narwhals.

Every column a rule reads becomes *codes* (an int array, ``-1`` for a missing value) and
the list of its distinct values as Python scalars, so a condition is evaluated once per
distinct value with the very closures the object path uses, then spread over the rows
with one array lookup. Text, numbers and booleans are kept apart the way conditions keep
them apart (``True`` is not ``1``).

Only imported by :mod:`leadscoring.scoring.frame_input`, after the optional packages were found.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import narwhals.stable.v1 as nw
import numpy as np
import pandas as pd

from ..core.errors import InvalidInputError, InvalidValueError
from ..core.times import to_us, to_utc

__all__ = ["Coded", "Table", "factorize", "native_table"]

_SAFE_OBJECT_KINDS = frozenset(
    {"string", "empty", "boolean", "integer", "floating", "mixed-integer-float", "decimal"}
)


class Coded:
    """A column as codes into its distinct values (``-1``: missing)."""

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray[Any, Any], values: list[Any]) -> None:
        self.codes = codes
        self.values = values

    def take(self, rows: np.ndarray[Any, Any]) -> Coded:
        """The same column for a subset of rows."""
        return Coded(self.codes[rows], self.values)

    def lookup(self, table: Sequence[bool], missing: bool) -> np.ndarray[Any, Any]:
        """Rows where ``table[value]`` holds (``missing`` for missing values)."""
        lut = np.array([*table, missing], dtype=bool)
        found: np.ndarray[Any, Any] = lut[self.codes]
        return found


def factorize(values: np.ndarray[Any, Any]) -> Coded:
    """Codes and distinct values of an array; None and NaN are missing; bools apart."""
    if values.dtype.kind in "iub":
        codes, uniques = pd.factorize(values)
        return Coded(codes.astype(np.int64), uniques.tolist())
    if values.dtype.kind == "f":
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return Coded(codes.astype(np.int64), uniques.tolist())
    values = values.astype(object, copy=False)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":  # the common case: text with maybe missing values
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return Coded(codes.astype(np.int64), uniques.tolist())
    if kind not in _SAFE_OBJECT_KINDS:
        is_bool = np.fromiter((type(v) is bool for v in values), bool, len(values))
        if is_bool.any():  # True == 1 for a hash table: code booleans separately
            rest = values.copy()
            rest[is_bool] = None
            coded = factorize(rest)
            flags = factorize(values[is_bool].astype(bool))
            codes = coded.codes.copy()
            codes[is_bool] = flags.codes + len(coded.values)
            return Coded(codes, coded.values + flags.values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    out = [v.item() if isinstance(v, np.generic) else v for v in uniques.tolist()]
    return Coded(codes.astype(np.int64), out)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def native_table(namespace: Any, data: dict[str, Any]) -> Any:
    """A table of the kind of ``namespace``'s frames (pandas, polars, or pyarrow: a
    ``pyarrow.Table``) from columns: numpy arrays, typed series, or lists of Python values.
    An empty list is a column of text (lead ids, labels), so an empty result keeps the
    column types of a full one instead of pandas' ``float64`` or polars' ``null``."""
    name = namespace.__name__
    if name.startswith("polars"):
        pl = namespace
        return pl.DataFrame({
            k: pl.Series(k, [], dtype=pl.String) if isinstance(v, list) and not v else v
            for k, v in data.items()
        })  # fmt: skip
    table = pd.DataFrame({
        k: np.array([], dtype=object) if isinstance(v, list) and not v else v
        for k, v in data.items()
    })  # fmt: skip
    if not name.startswith("pyarrow"):
        return table
    import pyarrow as pa

    out = pa.Table.from_pandas(table, preserve_index=False)
    for index, field in enumerate(out.schema):
        if pa.types.is_null(field.type):
            out = out.set_column(index, field.name, out.column(index).cast(pa.string()))
    return out


class Table:
    """An eager narwhals frame with the checks and conversions score_frame needs."""

    def __init__(self, native: Any, source: str) -> None:
        try:
            self.frame = nw.from_native(native, eager_only=True)
        except TypeError:
            raise InvalidInputError(
                f"expected a pandas or polars DataFrame, got {type(native).__name__}",
                source=source,
            ) from None
        self.source = source
        self.columns: list[str] = [str(c) for c in self.frame.columns]
        self.rows = len(self.frame)
        self._coded: dict[str, Coded] = {}
        self.is_polars = nw.get_native_namespace(self.frame).__name__.startswith("polars")
        self._text: dict[str, Coded] = {}

    def native_namespace(self) -> Any:
        """The module of the input frame's library (pandas, polars, ...)."""
        return nw.get_native_namespace(self.frame)

    def require(self, *names: str) -> None:
        """Raise if a required column is absent."""
        for name in names:
            if name not in self.columns:
                raise InvalidInputError(
                    f"missing required column {name!r} (columns: {', '.join(self.columns)})",
                    source=self.source,
                    column=name,
                )

    def _fail(self, column: str, rows: np.ndarray[Any, Any], reason: str) -> InvalidInputError:
        first = int(np.flatnonzero(rows)[0]) + 1 if rows.any() else None
        return InvalidInputError(reason, source=self.source, row=first, column=column)

    def values(self, name: str) -> np.ndarray[Any, Any]:
        """A column as a numpy array (no conversion of its values)."""
        return np.asarray(self.frame[name].to_numpy())

    def coded(self, name: str, *, required: bool = False) -> Coded:
        """The column as codes (cached); ``required`` columns may not hold nulls."""
        found = self._coded.get(name)
        if found is not None:
            return found
        series = self.frame[name]
        if isinstance(series.dtype, nw.Datetime | nw.Duration | nw.Date):
            raise InvalidInputError(
                f"expected text, numbers or booleans, got {series.dtype}",
                source=self.source,
                column=name,
            )
        fast = self._polars_text(series) or self._categories(series)
        if fast is not None:
            if required and (fast.codes < 0).any():
                raise self._fail(name, fast.codes < 0, "missing value in a required column")
            self._coded[name] = fast
            return fast
        values = self.values(name)
        if values.dtype.kind == "f" and np.isinf(values).any():
            raise self._fail(name, np.isinf(values), "infinite numbers are not allowed")
        coded = factorize(values)
        if required and (coded.codes < 0).any():
            raise self._fail(name, coded.codes < 0, "missing value in a required column")
        self._coded[name] = coded
        return coded

    def _polars_text(self, series: Any) -> Coded | None:
        """A polars text column factorised by polars itself (no Python strings per row):
        its distinct values in order of appearance, each row's code by an ``Enum`` cast."""
        if series.dtype != nw.String or not self.is_polars:
            return None
        import polars as pl

        native = nw.to_native(series)
        distinct = native.unique(maintain_order=True).drop_nulls()
        physical = native.cast(pl.Enum(distinct)).to_physical().cast(pl.Int64)
        codes = np.asarray(physical.fill_null(-1).to_numpy(), dtype=np.int64)
        return Coded(codes, distinct.to_list())

    def _categories(self, series: Any) -> Coded | None:
        """A categorical column (pandas ``category``, polars ``Enum``) read from its codes,
        without hashing its values again: distinct values in order of first appearance,
        categories no row uses left out (what :func:`factorize` gives)."""
        if isinstance(series.dtype, nw.Enum) and self.is_polars:
            native = nw.to_native(series)
            codes = np.asarray(
                native.to_physical().cast(int).fill_null(-1).to_numpy(), dtype=np.int64
            )
            categories = list(native.dtype.categories)
        elif isinstance(series.dtype, nw.Categorical) and not self.is_polars:
            native = nw.to_native(series)
            codes = np.asarray(native.cat.codes.to_numpy(), dtype=np.int64)
            categories = [v.item() if isinstance(v, np.generic) else v
                          for v in native.cat.categories.tolist()]  # fmt: skip
        else:
            return None
        used, first = np.unique(codes, return_index=True)
        if len(used) and used[0] < 0:
            used, first = used[1:], first[1:]
        used = used[np.argsort(first, kind="stable")]
        remap = np.full(len(categories) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return Coded(remap[codes], [categories[i] for i in used.tolist()])

    def text(self, name: str, *, required: bool) -> Coded:
        """A column of non-blank text (lead ids, types, event ids), cached; integers are
        read as their text, as :class:`~leadscoring.Event` reads an integer id."""
        found = self._text.get(name)
        if found is not None:
            return found
        coded = self.coded(name, required=required)
        found = coded
        if pd.api.types.infer_dtype(np.asarray(coded.values, dtype=object)) != "string" or not all(
            map(str.strip, coded.values)
        ):
            found = self._text_slowly(name, coded)
        self._text[name] = found
        return found

    def _text_slowly(self, name: str, coded: Coded) -> Coded:
        """Integers as text (``5`` and ``"5"`` one value); anything else but text raises."""
        values: list[str] = []
        for index, value in enumerate(coded.values):
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str) or not value.strip():
                bad = coded.codes == index
                raise self._fail(name, bad, f"expected a non-empty text, got {value!r}")
            values.append(str(value))
        distinct = list(dict.fromkeys(values))
        if len(distinct) == len(values):
            return Coded(coded.codes, values)
        position = {value: index for index, value in enumerate(distinct)}
        remap = np.array([position[v] for v in values] + [-1], dtype=np.int64)
        return Coded(remap[coded.codes], distinct)

    def times(
        self, name: str, *, required: bool
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Microseconds since the epoch (UTC) and a null mask; naive times are refused."""
        series = self.frame[name]
        dtype = series.dtype
        if isinstance(dtype, nw.Datetime):
            if dtype.time_zone is None:
                raise InvalidInputError(
                    "naive timestamps (no time zone): attach one, e.g. "
                    "df[col].dt.tz_localize('UTC') in pandas or "
                    "pl.col(col).dt.replace_time_zone('UTC') in polars",
                    source=self.source,
                    column=name,
                )
            nulls = np.asarray(series.is_null().to_numpy(), dtype=bool)
            stamps = series.dt.timestamp("us").to_numpy()
            us = np.where(nulls, 0, np.nan_to_num(stamps)).astype(np.int64)
        else:  # text or Python datetimes: read each value as Event.at reads it
            values = self.values(name).astype(object)
            nulls = np.array([v is None or _is_nan(v) for v in values], dtype=bool)
            us = np.zeros(len(values), dtype=np.int64)
            for row, value in enumerate(values):
                if nulls[row]:
                    continue
                try:
                    us[row] = to_us(to_utc(value, name))
                except InvalidValueError as exc:
                    raise InvalidInputError(
                        exc.message, source=self.source, row=row + 1, column=name
                    ) from None
        if required and nulls.any():
            raise self._fail(name, nulls, "missing value in a required column")
        return us, nulls
