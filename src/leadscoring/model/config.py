"""Models as data: plain dicts, TOML and JSON files, packaged models and a JSON Schema.

One document describes how a company scores: the model's name, version, default decay,
caps and rules, and optional sections (``dormancy``, and the stage settings) that take
their defaults when left out. The format is written out in ``docs/model-format.md``.

>>> model = load_model("b2b-default")
>>> model.name, model_from_dict(model.to_dict()) == model
('b2b-default', True)

Reading collects every problem before it raises :class:`~leadscoring.InvalidModelError`;
each :class:`~leadscoring.ErrorDetail` has a JSON path, a message and, for misspelt keys,
operators and kinds, a "did you mean" hint::

    $.rules[2].when.duration_s: unknown operator 'gtee' (did you mean 'gte'?)

Nothing here evaluates code: keys and operators are looked up in closed tables.
"""

from __future__ import annotations

import errno
import json
import os
import re
import tomllib
import warnings
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import attrs

from ..core.errors import ErrorDetail, InvalidModelError, InvalidValueError, ShadowedModelWarning
from ..core.json_keys import DuplicateKeyError, unique_keys
from ..core.limits import (
    MAX_CONDITION_DEPTH,
    MAX_DOCUMENT_DEPTH,
    document_problem,
    read_int,
    text_depth,
    without_long_integers,
)
from ..core.plain.reader import Reader, at, child, describe, did_you_mean
from ..core.plain.rules import decay_data, read_decay, read_rule, rule_data
from ..core.rules import AttributeRule, Rule
from ..signals.activity import DormancyPolicy
from ..signals.journey import JourneyClassifier
from ..stages.accounts import AccountPolicy
from ..stages.classifiers import GradeScale, PriorityGrid, TemperatureClassifier
from ..stages.playbook import Playbook
from . import toml_writer as _toml
from .schema import model_schema
from .scoring_model import ScoringModel, check_model

__all__ = [
    "SECTIONS",
    "dump_model",
    "load_model",
    "model_from_dict",
    "model_schema",
    "model_to_dict",
    "model_to_text",
    "model_warnings",
    "packaged_models",
]

ModelFormat = Literal["toml", "json"]

SECTIONS: dict[str, tuple[str, Any]] = {
    "dormancy": ("dormancy", DormancyPolicy),
    "temperature": ("temperature", TemperatureClassifier),
    "journey": ("journey", JourneyClassifier),
    "grades": ("grades", GradeScale),
    "priority": ("priority", PriorityGrid),
    "playbook": ("playbook", Playbook),
    "accounts": ("accounts", AccountPolicy),
}
"""Optional sections of a model document: key -> (``ScoringModel`` field, settings class).

A settings class is built with no arguments for its defaults and has ``to_dict()`` and
``from_dict(data)`` (raising :class:`~leadscoring.InvalidModelError` with paths relative to
the section). A section is read and written only when the model has that field.
"""

_TOP_KEYS = ("name", "version", "default_decay", "group_caps", "floor", "ceiling")
_PACKAGE = "leadscoring"
_BARE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _sections() -> dict[str, tuple[str, Any]]:
    names = {f.name for f in attrs.fields(ScoringModel)}
    return {key: spec for key, spec in SECTIONS.items() if spec[0] in names}


# --------------------------------------------------------------------------- to data


def model_to_dict(model: ScoringModel) -> dict[str, Any]:
    """The model as plain data (JSON- and TOML-able); keys at their default are left out.

    ``model_from_dict(model_to_dict(model)) == model`` for every valid model.
    """
    out: dict[str, Any] = {
        "name": model.name,
        "version": model.version,
        "default_decay": decay_data(model.default_decay),
    }
    if model.group_caps:
        out["group_caps"] = dict(model.group_caps)
    if model.floor is not None:
        out["floor"] = model.floor
    if model.ceiling is not None:
        out["ceiling"] = model.ceiling
    fields = attrs.asdict(model, recurse=False)  # the model's own fields, by name
    for key, (field, cls) in _sections().items():
        data = fields[field].to_dict()
        defaults = cls().to_dict()
        changed = {k: v for k, v in data.items() if k not in defaults or defaults[k] != v}
        if changed:
            out[key] = changed
    out["rules"] = [rule_data(rule) for rule in model.rules]
    return out


# --------------------------------------------------------------------------- from data


def model_from_dict(data: Mapping[str, Any]) -> ScoringModel:
    """Build a model from plain data, collecting every problem before raising.

    Raises :class:`~leadscoring.InvalidModelError` whose ``errors`` list each problem with
    its JSON path (``$.rules[2].when.duration_s``), a message and, where one helps, a hint.
    """
    problem = document_problem(data)
    if problem is not None:
        raise InvalidModelError(problem[1], path=problem[0])
    r = Reader()
    table = r.table(data, "$", "a model")
    if table is None:
        raise InvalidModelError(r.errors)
    sections = _sections()
    allowed = ("$schema", *_TOP_KEYS, *sections, "rules")
    r.keys(table, "$", allowed=allowed, required=("name", "rules"))
    values: dict[str, Any] = {}
    readers: dict[str, Callable[[object, str], object]] = {
        "name": lambda v, p: r.text(v, p),
        "version": lambda v, p: r.whole(v, p),
        "default_decay": lambda v, p: read_decay(r, v, p),
        "group_caps": lambda v, p: _group_caps(r, v, p),
        "floor": lambda v, p: r.number(v, p),
        "ceiling": lambda v, p: r.number(v, p),
    }
    for key, read in readers.items():
        if key in table and (key == "name" or table[key] is not None):
            values[key] = read(table[key], child("$", key))
    for key, (field, cls) in sections.items():
        if table.get(key) is not None:
            values[field] = _section(r, cls, table[key], child("$", key))
    if "$schema" in table and not isinstance(table["$schema"], str):
        r.error(child("$", "$schema"), f"expected text, got {describe(table['$schema'])}")
    rules = _rules(r, table["rules"]) if "rules" in table else None
    _cross_checks(r, values, rules, table.get("rules"))
    r.raise_if_any()
    return ScoringModel(rules=[rule for _, rule in rules or []], **values)


def _group_caps(r: Reader, value: object, path: str) -> dict[str, float] | None:
    table = r.table(value, path, "group_caps")
    if table is None:
        return None
    out: dict[str, float] = {}
    for group, cap in table.items():
        if not isinstance(group, str) or not group:
            r.error(path, f"group names must be non-empty text, got {describe(group)}")
            continue
        number = r.cap(cap, child(path, group))
        if number is not None:
            out[group] = number
    return out


def _section(r: Reader, cls: Any, value: object, path: str) -> object:
    if not isinstance(value, Mapping):
        r.error(path, f"expected a table, got {describe(value)}")
        return None
    try:
        return cls.from_dict(value)
    except InvalidModelError as exc:
        r.errors.extend(detail.under(path) for detail in exc.errors)
    except InvalidValueError as exc:
        r.error(path, exc.message)
    return None


def _rules(r: Reader, value: object) -> list[tuple[int, Rule]] | None:
    if not isinstance(value, list | tuple):
        r.error("$.rules", f"expected a list of rules, got {describe(value)}",
                "in TOML, write each rule under its own [[rules]] header")
        return None
    out = []
    for i, item in enumerate(value):
        rule = read_rule(r, item, at("$.rules", i))
        if rule is not None:
            out.append((i, rule))
    return out


def _cross_checks(
    r: Reader, values: Mapping[str, Any], rules: list[tuple[int, Rule]] | None, raw: object
) -> None:
    floor, ceiling = values.get("floor"), values.get("ceiling")
    if floor is not None and ceiling is not None and floor > ceiling:
        r.error("$.ceiling", f"ceiling {ceiling!r} is below floor {floor!r}")
    if isinstance(raw, list | tuple):
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            name = item.get("name") if isinstance(item, Mapping) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                r.error(child(at("$.rules", i), "name"), f"duplicate rule name {name!r}",
                        f"already used by $.rules[{seen[name]}]; names must be unique")
            else:
                seen[name] = i
    fit: dict[str, int] = {}
    other: dict[str, int] = {}
    for i, rule in rules or []:
        (fit if isinstance(rule, AttributeRule) else other).setdefault(rule.group, i)
    for group, i in fit.items():
        if group in other:
            r.error(child(at("$.rules", max(i, other[group])), "group"),
                    f"group {group!r} mixes attribute rules with event rules",
                    "fit and engagement groups must be distinct")


def model_warnings(model: ScoringModel) -> list[ErrorDetail]:
    """Things that are valid but probably mistakes, such as a cap on a group no rule uses."""
    groups = model.groups
    out = []
    for group in model.group_caps:
        if group not in groups:
            out.append(
                ErrorDetail(
                    path=child("$.group_caps", group),
                    message=f"no rule is in group {group!r}, so this cap does nothing",
                    hint=did_you_mean(group, groups),
                )
            )
    return out


# --------------------------------------------------------------------------- files


def packaged_models() -> list[str]:
    """The names of the models shipped inside the package (``"b2b-default"``, ...)."""
    folder = resources.files(_PACKAGE).joinpath("models")
    return sorted(
        item.name.removesuffix(".toml")
        for item in folder.iterdir()
        if item.name.endswith(".toml")
    )


def _format_of(path: Path, text: str) -> ModelFormat:
    suffix = path.suffix.lower()
    if suffix in (".toml", ".json"):
        return "toml" if suffix == ".toml" else "json"
    if suffix:
        raise InvalidModelError(f"unsupported model file type {suffix!r}; use .toml or .json")
    return "json" if text.lstrip().startswith("{") else "toml"


def parse_model_text(text: str, format: ModelFormat) -> ScoringModel:
    """Read a model from TOML or JSON text (syntax errors are InvalidModelError at ``$``)."""
    return model_from_dict(parse_text(text, format))  # type: ignore[arg-type]


def parse_text(text: str, format: ModelFormat) -> object:
    """TOML or JSON text as plain data, checked against the document limits (depth, huge
    integers) before anything converts it: every problem is InvalidModelError."""
    if text_depth(text, format) > MAX_DOCUMENT_DEPTH:
        raise InvalidModelError(
            f"not a model: nested more than {MAX_DOCUMENT_DEPTH} lists and tables deep; "
            f"flatten the document (conditions nest at most {MAX_CONDITION_DEPTH} deep)"
        )
    data: object
    long_integers = False
    if format == "toml":
        text, long_integers = without_long_integers(text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidModelError(f"not valid TOML: {exc}") from None
    else:
        long: list[bool] = []  # whether an integer was too long to read (as infinity)

        def parse_int(digits: str) -> int | float:
            value = read_int(digits)
            if isinstance(value, float):
                long.append(True)
            return value

        try:
            data = json.loads(text, object_pairs_hook=unique_keys, parse_int=parse_int)
        except DuplicateKeyError as exc:
            raise InvalidModelError(f"duplicate key {exc.key!r} in a JSON object") from None
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            raise InvalidModelError(f"not valid JSON: {exc.msg} ({where})") from None
        long_integers = bool(long)
    problem = document_problem(data, long_integers=long_integers)
    if problem is not None:
        raise InvalidModelError(problem[1], path=problem[0])
    return data


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidModelError(f"{path} is not UTF-8 text ({exc.reason})") from None


def load_model(source: str | os.PathLike[str] | Mapping[str, Any]) -> ScoringModel:
    """Load a model from a TOML or JSON file, a packaged model name, or a mapping.

    A string without a suffix that is not an existing path names a packaged model
    (``load_model("b2b-default")``). A missing file raises ``FileNotFoundError``; anything
    wrong inside raises :class:`~leadscoring.InvalidModelError` with every problem.
    """
    if isinstance(source, Mapping):
        return model_from_dict(source)
    if not isinstance(source, str | os.PathLike):
        raise InvalidValueError(
            "source", f"expected a path, a packaged model name or a mapping, got {source!r}"
        )
    path = Path(source)
    if path.is_file():
        if isinstance(source, str) and _BARE_NAME.fullmatch(source) and source in packaged_models():
            warnings.warn(
                f"{source!r} names both a file in {os.getcwd()!r} and a packaged model; the "
                f"file is read: rename it, or write ./{source} to mean the file",
                ShadowedModelWarning,
                stacklevel=2,
            )
        text = _read_text(path)
        return parse_model_text(text, _format_of(path, text))
    if isinstance(source, str) and _BARE_NAME.fullmatch(source):
        packaged = resources.files(_PACKAGE).joinpath("models", f"{source}.toml")
        if packaged.is_file():
            return parse_model_text(packaged.read_text(encoding="utf-8"), "toml")
        known = packaged_models()
        hint = did_you_mean(source, known)
        message = (
            f"no model file {source!r} and no packaged model of that name"
            f"{f' ({hint})' if hint else ''}; packaged models: {', '.join(known)}"
        )
        raise FileNotFoundError(errno.ENOENT, message, source)
    raise FileNotFoundError(errno.ENOENT, f"no model file {os.fspath(source)!r}", os.fspath(source))


def model_to_text(model: ScoringModel, format: ModelFormat = "toml") -> str:
    """The model as TOML or JSON text (what :func:`dump_model` writes)."""
    data = model_to_dict(check_model(model))
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if format != "toml":
        raise InvalidValueError("format", f"must be 'toml' or 'json', got {format!r}")
    try:
        return _toml.dumps(data)
    except _toml.TomlWriteError as exc:
        raise InvalidValueError("model", f"cannot be written as TOML: {exc}") from None


def dump_model(
    model: ScoringModel, path: str | os.PathLike[str], *, format: ModelFormat | None = None
) -> Path:
    """Write ``model`` to ``path`` as TOML or JSON (from the suffix unless ``format``
    says); returns the path. :func:`load_model` reads it back equal."""
    target = Path(path)
    if format is None:
        suffix = target.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise InvalidValueError(
                "path", f"cannot tell the format from {target.name!r}; use .toml or .json"
            )
        format = "toml" if suffix == ".toml" else "json"
    text = model_to_text(model, format)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: refused before the file is touched
        around = text[max(exc.start - 30, 0) : exc.start].rsplit("\n", 1)[-1]
        raise InvalidValueError(
            "model",
            f"holds text that is not valid Unicode (the lone surrogate {text[exc.start]!r} "
            f"after {around!r}); it cannot be written as UTF-8: replace it with the "
            "character it was meant to be",
        ) from None
    target.write_bytes(data)
    return target
