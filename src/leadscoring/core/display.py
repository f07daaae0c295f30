"""Rich display in notebooks: small HTML tables for ``_repr_html_`` (internal).

Every cell is escaped; nothing here imports IPython. Numbers are shown with at most two
decimals (``22.5``, ``0.33``), times as ``YYYY-MM-DD HH:MM`` UTC.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime

__all__ = ["fmt", "html_block", "html_table", "moment"]


def fmt(x: float | None) -> str:
    """A number with at most two decimals and no trailing zeros (``None``: an empty cell)."""
    if x is None:
        return ""
    if x != x:  # NaN
        return "nan"
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def moment(at: datetime | None) -> str:
    """A UTC time as ``YYYY-MM-DD HH:MM`` (``None``: an empty cell)."""
    return "" if at is None else f"{at:%Y-%m-%d %H:%M}"


def html_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, numeric: Iterable[int] = ()
) -> str:
    """An HTML table; ``numeric`` lists the column indexes aligned right."""
    right = set(numeric)

    def cell(tag: str, index: int, value: object) -> str:
        style = ' style="text-align:right"' if index in right else ' style="text-align:left"'
        return f"<{tag}{style}>{html.escape(str(value))}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_block(title: str, lines: Iterable[str] = (), tables: Iterable[str] = ()) -> str:
    """A titled block: a bold title, lines of text (escaped), then tables (HTML as given)."""
    parts = [f"<div><p><strong>{html.escape(title)}</strong></p>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in lines]
    parts += list(tables)
    parts.append("</div>")
    return "".join(parts)
