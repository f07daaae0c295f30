"""The documentation's code examples run.

Every ```python block of README.md and docs/*.md is executed, each file's blocks in
order in one namespace, so an example that stops working fails the suite. A block whose
first line is ``# requires: pkg1, pkg2`` is skipped when an optional package is missing.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("**/*.md")])
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```", re.S | re.M)


def _blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


EXAMPLE_PAGES = [page for page in PAGES if _blocks(page)]


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page's python blocks run in order without raising."""
    blocks = _blocks(page)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, code in enumerate(blocks, start=1):
        first = code.splitlines()[0] if code.strip() else ""
        if first.startswith("# requires:"):
            missing = [
                name.strip()
                for name in first.removeprefix("# requires:").split(",")
                if name.strip() and importlib.util.find_spec(name.strip()) is None
            ]
            if missing:
                pytest.skip(f"block {number} needs {', '.join(missing)}")
        try:
            exec(compile(code, f"{page.name}[block {number}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{page.name} block {number} raised {type(exc).__name__}: {exc}")


def test_docs_have_examples() -> None:
    """The concept pages carry runnable examples (a page of prose alone would go stale)."""
    pages_with_code = [p.name for p in EXAMPLE_PAGES]
    assert "README.md" in pages_with_code
    assert "concepts.md" in pages_with_code
