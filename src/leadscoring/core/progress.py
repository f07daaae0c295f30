"""Progress bars for long calls (``progress=True``), through ``tqdm.auto`` when installed.

Off by default and silent unless asked: a call given ``progress=False`` never imports tqdm
and never prints. ``tqdm`` is an optional extra (``pip install 'leadscoring[progress]'``);
asking for progress without it raises :class:`~leadscoring.InvalidValueError` saying so.
Nothing here reads the clock itself: tqdm does, for its display only.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .errors import InvalidValueError

__all__ = ["check_progress", "track"]

T = TypeVar("T")


def check_progress(value: object, field: str = "progress") -> bool:
    """``value`` if it is ``True`` or ``False``; anything else names ``field``."""
    if not isinstance(value, bool):
        raise InvalidValueError(field, f"expected True or False, got {value!r}")
    return value


def _tqdm() -> Any:
    try:
        return importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        raise InvalidValueError(
            "progress",
            "progress=True needs tqdm, which is not installed; install it with "
            "pip install 'leadscoring[progress]' (or pip install tqdm), or leave progress off",
        ) from None


def track(
    items: Iterable[T], *, progress: bool, desc: str, total: int | None = None, unit: str = "it"
) -> Iterator[T]:
    """``items`` as they come, with a progress bar when ``progress`` is true.

    ``progress`` is checked (and tqdm imported) at once, not on the first item. ``total``
    defaults to ``len(items)`` when it has one. The bar closes when the items are used up
    or the iterator is closed.
    """
    if not check_progress(progress):
        return iter(items)
    tqdm = _tqdm()
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    return _with_bar(items, tqdm(total=total, desc=desc, unit=unit, leave=False))


def _with_bar(items: Iterable[T], bar: Any) -> Iterator[T]:
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()
