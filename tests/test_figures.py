"""The figures in the docs are drawn by docs/make_figures.py from the current code."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("matplotlib")

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_figure_is_drawn_and_shown(tmp_path: Path) -> None:
    """The script writes each figure as a PNG, and each one the docs show is committed and
    named by a page."""
    script = _script()
    written = script.draw(tmp_path, n_leads=60)
    assert sorted(p.name for p in written) == sorted(script.FIGURES)
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pages = "".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    for name in script.FIGURES:
        assert (DOCS / "images" / name).is_file()
        assert f"images/{name}" in pages
