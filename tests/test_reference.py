"""The API reference site: every public name has an entry, every page is in the navigation,
and public signatures show the types users pass (never a bare ``object``)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import attrs
import pytest

import leadscoring

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"
ENTRY = re.compile(r"^::: leadscoring\.([A-Za-z_][A-Za-z0-9_.]*)\s*$", re.M)


def _entries() -> set[str]:
    found: set[str] = set()
    for page in REFERENCE.glob("*.md"):
        found.update(ENTRY.findall(page.read_text(encoding="utf-8")))
    return found


def test_every_public_name_has_a_reference_entry() -> None:
    """Each name of ``leadscoring.__all__`` appears as ``::: leadscoring.NAME`` on a page."""
    missing = sorted(set(leadscoring.__all__) - _entries())
    assert missing == []


def test_every_reference_entry_names_something_public() -> None:
    """An entry names a public name, a public module, or a name of one of the public
    integration modules that exists there (no stale entries)."""
    import importlib

    modules = {"typing", "examples", "plot", "sklearn", "dask", "spark"}

    def public(entry: str) -> bool:
        if entry in leadscoring.__all__ or entry in modules:
            return True
        module, _, name = entry.partition(".")
        return module in modules and hasattr(importlib.import_module(f"leadscoring.{module}"), name)

    stale = sorted(n for n in _entries() if not public(n))
    assert stale == []


def test_every_docs_page_is_in_the_navigation() -> None:
    """Each Markdown page under ``docs/`` is listed in the ``nav`` of ``mkdocs.yml``."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").glob("**/*.md"))
    assert [p for p in pages if f": {p}" not in nav] == []


ATTRS_CLASSES = [
    name
    for name in leadscoring.__all__
    if inspect.isclass(getattr(leadscoring, name)) and attrs.has(getattr(leadscoring, name))
]


@pytest.mark.parametrize("name", ATTRS_CLASSES)
def test_public_signatures_show_real_types(name: str) -> None:
    """No parameter of a public value's constructor is annotated ``object`` or ``Any``."""
    signature = inspect.signature(getattr(leadscoring, name))
    vague = [
        p.name for p in signature.parameters.values() if str(p.annotation) in ("object", "Any")
    ]
    assert vague == []


def test_lead_and_event_signatures_name_what_they_take() -> None:
    """``Lead`` and ``Event`` show the types a caller gives (text times, plain mappings)."""
    event = inspect.signature(leadscoring.Event).parameters
    assert event["at"].annotation == "datetime | str"
    lead = inspect.signature(leadscoring.Lead).parameters
    assert lead["status"].annotation == "LeadStatus | str"
    assert lead["attributes"].annotation == "Mapping[str, Scalar]"
