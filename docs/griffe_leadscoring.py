"""A griffe extension for the reference pages (used by ``mkdocs.yml``, not by the library).

The library's docstrings are written in the reStructuredText style of the standard
library (``:class:`~leadscoring.Lead```, ``::`` blocks, doctests); this turns them into the
Markdown that mkdocstrings renders: roles become code spans, doctests fenced ``pycon``
blocks. attrs classes get the ``__init__`` signature attrs writes at runtime (its parameter
types are those of the field converters, the values users pass).
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`~?([^`]+)`")


def _role(match: re.Match[str]) -> str:
    target = match.group(1)
    if "<" in target and target.endswith(">"):  # :meth:`text <target>`
        target = target.split("<", 1)[0].strip()
    return f"`{target.rsplit('.', 1)[-1] if match.group(0).count('~') else target}`"


def _fence_doctests(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            out += [f"{indent}```pycon", *(f"{indent}{b}" for b in block), f"{indent}```"]
            continue
        if line.rstrip().endswith("::") and not line.strip().startswith(".."):
            out.append(line.rstrip()[:-1] if not line.rstrip().endswith(" ::") else line.rstrip()[:-3])
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            body = inspect.cleandoc("\n".join(block)) if block else ""
            out += ["", "```", *body.split("\n"), "```", ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def to_markdown(text: str) -> str:
    """A reStructuredText-style docstring as Markdown."""
    text = _ROLE.sub(_role, text)
    text = text.replace("\\\n", "")  # doctest line continuations
    return _fence_doctests(text)


def _annotation(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _default(value: object) -> str:
    """A default as the signature shows it (an attrs factory as ``...``)."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    text = repr(value)
    return "..." if text.startswith("<") or text == "NOTHING" else text


class LeadscoringDocs(griffe.Extension):
    """Markdown docstrings and runtime ``__init__`` signatures of attrs classes."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of every object."""
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)

    def on_class(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Give an attrs class the signature attrs generates."""
        if "__init__" in cls.members:
            return
        try:
            runtime = getattr(importlib.import_module(cls.module.path), cls.name)
        except (ImportError, AttributeError):
            return
        if not hasattr(runtime, "__attrs_attrs__"):
            return
        try:
            signature = inspect.signature(runtime)
        except (TypeError, ValueError):
            return
        kinds = {
            inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
            inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
            inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
            inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
            inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
        }
        params = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for p in signature.parameters.values():
            default = None
            if p.default is not inspect.Parameter.empty:
                default = _default(p.default)
            params.append(
                griffe.Parameter(
                    p.name, annotation=_annotation(p.annotation), kind=kinds[p.kind],
                    default=default,
                )
            )
        init = griffe.Function(
            "__init__", parameters=griffe.Parameters(*params), returns="None",
            lineno=cls.lineno, endlineno=cls.lineno,
        )
        cls.set_member("__init__", init)
