"""Shared generators and checks of the fuzzers (tests/test_fuzz_*.py, benchmarks/fuzz.py).

A fuzzer starts from a valid document (the packaged model ``b2b-default`` as plain data, or
a :class:`~leadscoring.Scorer` snapshot), mutates it at random JSON paths (deletes,
replacements by values of any type, near-miss edits, added keys, duplicated and
lengthened lists, deeply nested conditions) and hands it to a public entry point. The
``check_*`` functions state what must hold and return ``"accepted"`` or ``"refused"``:

* a refusal is a :class:`~leadscoring.LeadScoringError` with a non-empty message that
  names where (a JSON path, a field or a file);
* an accepted document works: scores are finite, and the round trips give equal values;
* anything else (``RecursionError``, ``OverflowError``, ``KeyError``, ``TypeError``,
  ``ValueError`` ...) escapes, and an ``AssertionError`` means a broken promise.

Not a test module (no ``test_`` prefix): it is imported by the tests (pytest puts
``tests/`` on ``sys.path``) and by ``benchmarks/fuzz.py`` (which does the same).
"""

from __future__ import annotations

import copy
import json
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from hypothesis import strategies as st

from leadscoring import (
    Event,
    InvalidInputError,
    InvalidModelError,
    InvalidValueError,
    Lead,
    LeadScore,
    LeadScoringError,
    ScoringModel,
    SnapshotError,
    dump_model,
    load_model,
    model_schema,
    score,
)
from leadscoring.assessment.stream import Scorer
from leadscoring.model.config import model_from_dict, model_to_text, parse_model_text
from leadscoring.scoring.snapshot_checks import checksum

Outcome = Literal["accepted", "refused"]
JsonPath = tuple[str | int, ...]
T = TypeVar("T")

# --------------------------------------------------------------------------- base data

T0 = datetime(2026, 1, 5, tzinfo=UTC)
END = T0 + timedelta(days=300)
"""Every fixed event lies in ``[T0, END)``; scores are taken at ``END``."""

MODEL = load_model("b2b-default")
MODEL_DOCUMENT: dict[str, Any] = json.loads(json.dumps(MODEL.to_dict()))
"""The packaged model as the plain data of its JSON file."""

LEADS = (
    Lead(
        id="L1",
        attributes={"industry": "it", "role": "manager", "company_size": 500},
    ),
    Lead(id="L2", status="lost", status_changed_at=T0),
    Lead(id="L3", attributes={"company_size": -1e308, "industry": "é" * 50}),
)

_KINDS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("page_view", {"category": "blog", "duration_s": 10}),
    ("page_view", {"category": "service", "product": "crm"}),
    ("page_view", {"category": "case_study"}),
    ("page_view", {"category": "pricing", "duration_s": 1e308}),
    ("email_open", {}),
    ("email_click", {}),
    ("download", {}),
    ("form_submit", {"form": "contact"}),
    ("purchase", {"amount": 10}),
    ("webinar", {}),
    ("unsubscribe", {}),
)


def fixed_events() -> list[Event]:
    """Events of every type the packaged model scores, for L1 to L3, with a long silence
    (so reactivations are found) and some ids."""
    out = []
    for n in range(36):
        kind, props = _KINDS[n % len(_KINDS)]
        day = n * 2 if n < 18 else n * 2 + 120
        out.append(
            Event(
                lead_id=f"L{n % 3 + 1}",
                type=kind,
                at=T0 + timedelta(days=day, hours=n % 5),
                properties=props,
                id=f"e{n}" if n % 2 else None,
            )
        )
    return out


EVENTS = tuple(fixed_events())

# --------------------------------------------------------------------------- values


def _schema_words() -> list[str]:
    """Every property name and enumerated value of the model's JSON Schema."""
    words: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    words.update(value)
                if key == "enum" and isinstance(value, list):
                    words.update(v for v in value if isinstance(v, str))
                if key == "const" and isinstance(value, str):
                    words.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(model_schema())
    return sorted(words)


SCHEMA_WORDS = _schema_words()
WORDS = [
    *SCHEMA_WORDS,
    *(rule["name"] for rule in MODEL_DOCUMENT["rules"]),
    "page_view", "email_open", "purchase", "blog", "pricing", "type", "category",
    "30d", "1d", "1w", "0d", "-1d", "1h", "999999999999999d", "1e400d", "nan", "inf",
    "L1", "L2", "L3", "cookie-1", "hot", "warm", "cold", "A", "B", "active", "dormant",
    "", " ", "\x00", "\ufeff", "é", "💥", "\u202e", "\ud800", "$", "*", "[", "'",
]  # fmt: skip
"""Words that reach deeper than random text: the schema's keys and enums, rule names,
event types, durations (some out of range), lead ids, labels and odd characters."""

EXTREME_NUMBERS: list[int | float] = [
    0, -0.0, 1, -1, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, 10**400, -(10**400),
    1e9, 1e9 + 1, 1e308, -1e308, 1.7976931348623157e308, 5e-324, math.nan, math.inf,
    -math.inf, 0.1, 1e-300,
]  # fmt: skip

_huge_text = st.builds(
    lambda n, c: c * n, st.integers(1_000, 200_000), st.sampled_from(["x", "é", "💥", "9", " "])
)
scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from(EXTREME_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
    _huge_text,
)
"""One JSON-ish leaf: None, a bool, an integer or float of any size (NaN and infinities
too), a word, random or huge text."""

keys: st.SearchStrategy[str] = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))

json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=4),
    ),
    max_leaves=8,
)
"""A value of any type, nested a little."""


@st.composite
def nested_conditions(draw: st.DrawFn, low: int = 10, high: int = 500) -> dict[str, Any]:
    """A condition nested ``low`` to ``high`` levels deep in ``all``/``any``/``not``
    (each level of ``all``/``any`` is two levels of the document: a table and a list)."""
    depth = draw(st.integers(low, high))
    pattern = draw(st.lists(st.sampled_from(["all", "any", "not"]), min_size=1, max_size=3))
    condition: dict[str, Any] = draw(
        st.sampled_from([{"type": "page_view"}, {"category": {"gte": 1}}, {}])
    )
    for level in range(depth):
        op = pattern[level % len(pattern)]
        condition = {"not": condition} if op == "not" else {op: [condition]}
    return condition


@st.composite
def new_rules(draw: st.DrawFn) -> dict[str, Any]:
    """A rule of some kind with plausible and random fields."""
    rule: dict[str, Any] = {
        "name": draw(st.sampled_from(WORDS) | st.text(max_size=10)),
        "kind": draw(st.sampled_from(["event", "attribute", "repeat", "rate", "reactivation"])),
    }
    fields = {
        "when": st.one_of(json_values, nested_conditions(1, 70), st.just({"type": "page_view"})),
        "points": st.one_of(st.sampled_from(EXTREME_NUMBERS), st.integers(-100, 100)),
        "cap": st.one_of(st.sampled_from(EXTREME_NUMBERS), st.integers(-5, 100)),
        "times": st.integers(-2, 10**20),
        "within": st.sampled_from(WORDS),
        "decay": st.one_of(st.just({"half_life": "1d"}), json_values),
        "limit": st.one_of(st.just({"count": 1, "per": "1d"}), json_values),
        "numerator": st.one_of(st.just({"type": "email_open"}), nested_conditions(1, 70)),
        "denominator": st.just({}),
        "at_least": st.floats(allow_nan=True, allow_infinity=True),
        "min_denominator": st.integers(-1, 10),
        "group": st.sampled_from(WORDS),
    }
    for key in draw(st.lists(st.sampled_from(sorted(fields)), max_size=6, unique=True)):
        rule[key] = draw(fields[key])
    return rule


# --------------------------------------------------------------------------- mutations


def json_paths(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Every path into ``value`` (the root ``()`` first, then depth first), containers and
    leaves; without recursion, so documents nested 1,000 deep are fine."""
    stack: list[tuple[Any, JsonPath]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        yield where
        if isinstance(item, dict):
            stack.extend((v, (*where, k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in reversed(list(enumerate(item))))


def copied(value: T) -> T:
    """A deep copy of ``value``; ``value`` itself if it is nested too deep to copy."""
    try:
        return copy.deepcopy(value)
    except RecursionError:
        return value


def get_at(doc: Any, path: JsonPath) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def set_at(doc: Any, path: JsonPath, value: Any) -> Any:
    """``doc`` with the value at ``path`` replaced (in place; the root is returned)."""
    if not path:
        return value
    get_at(doc, path[:-1])[path[-1]] = value
    return doc


@st.composite
def near_misses(draw: st.DrawFn, value: Any) -> Any:
    """A value close to ``value``: a number off by one, negated or scaled past its range,
    text cut, lengthened or with a character changed, a list or table missing an item."""
    if isinstance(value, bool):
        return draw(st.sampled_from([not value, int(value), str(value).lower()]))
    if isinstance(value, int | float):
        options: list[Any] = [value + 1, value - 1, -value, str(value), math.nan]
        try:  # an integer too large for a float (10**400) has no float neighbours
            options += [value * 10**20, float(value), value * 1e300, value + 0.5]
        except OverflowError:
            options += [value * 10**20, float("inf")]
        return draw(st.sampled_from(options))
    if isinstance(value, str):
        if not value:
            return draw(st.sampled_from(["x", " ", None, 0]))
        at = draw(st.integers(0, len(value) - 1))
        char = draw(st.sampled_from(["0", "9", "z", "-", "=", "\x00", "é", "\ud800", " "]))
        return draw(
            st.sampled_from(
                [value[:at], value[at:], value[:at] + char + value[at + 1 :],
                 value[:at] + char + value[at:], value * 2, value.upper(), value + "d"]
            )
        )  # fmt: skip
    if isinstance(value, list):
        if not value:
            return draw(st.sampled_from([[None], [0], [""], {}]))
        at = draw(st.integers(0, len(value) - 1))
        return draw(
            st.sampled_from(
                [value[:at] + value[at + 1 :], value[::-1], [*value, value[at]], value[at],
                 value * 2]
            )
        )  # fmt: skip
    if isinstance(value, dict):
        if not value:
            return draw(st.sampled_from([[], None, {"": None}]))
        drop = draw(st.sampled_from(sorted(value)))
        return draw(
            st.sampled_from([{k: v for k, v in value.items() if k != drop}, list(value.values())])
        )
    return draw(scalars)


Mutation = Literal["delete", "replace", "near", "add", "duplicate", "lengthen", "rename"]
MUTATIONS: tuple[Mutation, ...] = (
    "delete", "replace", "near", "near", "add", "duplicate", "lengthen", "rename",
)  # fmt: skip


@st.composite
def mutated(
    draw: st.DrawFn,
    base: Any,
    values: st.SearchStrategy[Any] = json_values,
    max_mutations: int = 3,
    extra: Sequence[Callable[[st.DrawFn, Any], Any]] = (),
) -> Any:
    """A deep copy of ``base`` changed 1 to ``max_mutations`` times at random paths:
    deleted, replaced by ``values``, a near miss, a key or item added, an item
    duplicated, a list made 10 to 2,000 times longer, a key renamed; ``extra`` are
    document-specific mutations (each takes ``draw`` and the document, returns it)."""
    doc = copied(base)
    lengthened = False  # once per document, so that sizes stay bounded
    for _ in range(draw(st.integers(1, max_mutations))):
        choice = draw(st.integers(0, len(MUTATIONS) + len(extra) - 1))
        if choice >= len(MUTATIONS):
            doc = extra[choice - len(MUTATIONS)](draw, doc)
            continue
        kind = MUTATIONS[choice]
        every = list(json_paths(doc))
        if kind in ("delete", "rename"):
            every = [p for p in every if p]
        elif kind in ("add", "duplicate", "lengthen"):
            every = [p for p in every if isinstance(get_at(doc, p), dict | list)]
            if kind != "add":
                every = [p for p in every if isinstance(get_at(doc, p), list) and get_at(doc, p)]
            if kind == "lengthen":
                every = [] if lengthened else [p for p in every if len(get_at(doc, p)) <= 20]
        if not every:
            continue
        path = draw(st.sampled_from(every))
        target = get_at(doc, path)
        if kind == "delete":
            del get_at(doc, path[:-1])[path[-1]]
        elif kind == "replace":
            doc = set_at(doc, path, draw(values))
        elif kind == "near":
            doc = set_at(doc, path, draw(near_misses(target)))
        elif kind == "add" and isinstance(target, dict):
            target[draw(keys)] = draw(values)
        elif kind == "add":
            target.insert(draw(st.integers(0, len(target))), draw(values))
        elif kind == "duplicate":
            target.append(copied(target[draw(st.integers(0, len(target) - 1))]))
        elif kind == "lengthen":
            lengthened = True
            times = draw(st.sampled_from([10, 100, 2_000 // len(target)]))
            target.extend(copied(target) if times == 10 else target * (times - 1))
        elif kind == "rename":
            parent = get_at(doc, path[:-1])
            if isinstance(parent, dict):
                parent[draw(keys)] = parent.pop(path[-1])
    return doc


# --------------------------------------------------------------------------- refusals


def check_refusal(exc: LeadScoringError, *, source: str | None = None) -> None:
    """A refusal says what and where: a non-empty message; an InvalidModelError's problems
    each have a JSON path (``$...``) and a message, shown in the text; an
    InvalidValueError names its field; a SnapshotError starts with a JSON path or speaks
    of the snapshot's model; an InvalidInputError names ``source``."""
    text = str(exc)
    assert text.strip(), f"{type(exc).__name__} with an empty message"
    if isinstance(exc, InvalidModelError):
        assert exc.errors, "an InvalidModelError without problems"
        for detail in exc.errors:
            assert detail.path.startswith("$"), f"not a JSON path: {detail.path!r}"
            assert detail.message.strip(), f"a problem without a message at {detail.path}"
            assert str(detail) in text
    elif isinstance(exc, InvalidValueError):
        assert exc.field, text
        assert text.startswith(exc.field), text
    elif isinstance(exc, SnapshotError):
        assert text.startswith("$") or "model" in text, f"no path in {text!r}"
    elif isinstance(exc, InvalidInputError) and source is not None:
        assert text.startswith(source), text


def _finite_score(result: LeadScore) -> None:
    numbers = [result.total, result.fit, result.engagement]
    numbers += [*result.by_group.values(), *result.by_rule.values()]
    assert all(math.isfinite(n) for n in numbers), f"a score that is not finite: {result!r}"


# --------------------------------------------------------------------------- models


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (which UTF-8 cannot encode)."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def check_model(model: ScoringModel) -> None:
    """An accepted model scores the fixed leads and events to finite numbers and round
    trips: data -> model -> data -> model, and its JSON and TOML text (UTF-8 encodable,
    as :func:`~leadscoring.dump_model` writes it) read back equal."""
    for lead in LEADS:
        _finite_score(score(lead, EVENTS, model, as_of=END))
    data = model.to_dict()
    json.dumps(data, allow_nan=False)
    again = model_from_dict(data)
    assert again == model, "model -> document -> model is not the same model"
    assert again.to_dict() == data, "document -> model -> document is not the same document"
    for fmt in ("json", "toml"):
        refusal: str | None = None
        try:
            text = model_to_text(model, fmt)
        except InvalidValueError as exc:
            refusal = str(exc)
        if refusal is not None:
            # TOML has no null and only 64-bit integers: a documented refusal
            assert fmt == "toml", refusal
            assert "cannot be written as TOML" in refusal, refusal
            continue
        if has_surrogates(text):  # UTF-8 cannot hold it: dump_model refuses, file untouched
            _refuses_to_dump(model, fmt)
        assert parse_model_text(text, fmt) == model, f"the {fmt} text reads back different"


def _refuses_to_dump(model: ScoringModel, fmt: str) -> None:
    """``dump_model`` raises a LeadScoringError and leaves the file as it was."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"model.{fmt}"
        target.write_text("the previous model", encoding="utf-8")
        try:
            dump_model(model, target)
        except LeadScoringError as exc:
            check_refusal(exc)
        else:
            raise AssertionError("dump_model wrote text UTF-8 cannot hold")
        assert target.read_text(encoding="utf-8") == "the previous model"


def _timed(times: list[float] | None, call: Callable[[], T]) -> T:
    """``call()``; its CPU time (``time.process_time``) appended to ``times`` if given,
    whether it returns or raises."""
    start = time.process_time()
    try:
        return call()
    finally:
        if times is not None:
            times.append(time.process_time() - start)


def check_model_document(doc: Any, times: list[float] | None = None) -> Outcome:
    """``model_from_dict(doc)``: refused with a LeadScoringError that names where, or a
    model that works (:func:`check_model`). ``times`` gets the CPU time of the call."""
    try:
        model = _timed(times, lambda: model_from_dict(doc))
    except LeadScoringError as exc:
        check_refusal(exc)
        return "refused"
    check_model(model)
    return "accepted"


def _model_extras() -> list[Callable[[st.DrawFn, Any], Any]]:
    def deep(draw: st.DrawFn, doc: Any) -> Any:
        rules = doc.get("rules") if isinstance(doc, dict) else None
        if isinstance(rules, list) and rules:
            rule = rules[draw(st.integers(0, len(rules) - 1))]
            if isinstance(rule, dict):
                rule[draw(st.sampled_from(["when", "numerator", "denominator"]))] = draw(
                    nested_conditions()
                )
        return doc

    def add_rule(draw: st.DrawFn, doc: Any) -> Any:
        if isinstance(doc, dict) and isinstance(doc.get("rules"), list):
            doc["rules"].append(draw(new_rules()))
        return doc

    def same_names(draw: st.DrawFn, doc: Any) -> Any:
        rules = doc.get("rules") if isinstance(doc, dict) else None
        if isinstance(rules, list) and len(rules) > 1:
            a, b = draw(st.lists(st.integers(0, len(rules) - 1), min_size=2, max_size=2))
            if isinstance(rules[a], dict) and isinstance(rules[b], dict):
                rules[a]["name"] = rules[b].get("name")
        return doc

    def long_list(draw: st.DrawFn, doc: Any) -> Any:
        rules = doc.get("rules") if isinstance(doc, dict) else None
        if isinstance(rules, list) and rules and isinstance(rules[0], dict):
            items = draw(st.sampled_from([list(range(10_000)), [f"v{n}" for n in range(10_000)]]))
            rules[0]["when"] = {"category": items}
        return doc

    def section(draw: st.DrawFn, doc: Any) -> Any:
        if isinstance(doc, dict):
            name = draw(
                st.sampled_from(
                    ["dormancy", "temperature", "journey", "grades", "priority", "playbook",
                     "accounts", "group_caps", "default_decay"]
                )
            )  # fmt: skip
            doc[name] = draw(st.dictionaries(keys, json_values, max_size=4))
        return doc

    return [deep, add_rule, same_names, long_list, section]


MODEL_EXTRAS = _model_extras()


def model_documents(max_mutations: int = 3) -> st.SearchStrategy[Any]:
    """The packaged model's document, mutated (see :func:`mutated`), with nested
    conditions, new rules, duplicate names, long lists and sections of random keys."""
    return mutated(MODEL_DOCUMENT, max_mutations=max_mutations, extra=MODEL_EXTRAS)


# --------------------------------------------------------------------------- model texts

_JUNK = [
    "{", "}", "[", "]", '"', "'", ",", ":", "=", "\n", "\r", "[[rules]]", "[rules]", "\x00",
    "\ufeff", "é", "NaN", "Infinity", "-Infinity", "nan", "inf", "1e400", "9" * 5000,
    "\\u0000", "\\ud800", "'''", '"""', "#", "\\", "true", "null", "[" * 300, "{" * 300,
    '{"a":' * 250, "a.b.c.d = 1", "x = 1\nx = 2", '"name": 1,', "0x10", "1_000",
    "1979-05-27T07:32:00Z",
]  # fmt: skip


@st.composite
def model_texts(draw: st.DrawFn) -> tuple[bytes, str]:
    """The bytes of a model file and its suffix (``.json``, ``.toml`` or none): the
    packaged model (or a mutated document) as JSON or TOML text, then damaged: slices cut,
    duplicated or moved, junk inserted, characters replaced, the end cut off; sometimes
    with a byte-order mark or latin-1 bytes."""
    fmt = draw(st.sampled_from(["json", "toml"]))
    if draw(st.booleans()):
        text = model_to_text(MODEL, fmt)  # type: ignore[arg-type]
    else:
        doc = draw(model_documents(max_mutations=1))
        try:
            text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
        except (TypeError, ValueError, RecursionError):
            text = model_to_text(MODEL, "json")
        fmt = "json"
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            text = draw(st.sampled_from(_JUNK))
            continue
        a = draw(st.integers(0, len(text) - 1))
        b = min(len(text), a + draw(st.integers(0, 60)))
        op = draw(st.sampled_from(["cut", "insert", "copy", "char", "truncate", "swap"]))
        if op == "cut":
            text = text[:a] + text[b:]
        elif op == "insert":
            text = text[:a] + draw(st.sampled_from(_JUNK)) + text[a:]
        elif op == "copy":
            text = text[:b] + text[a:b] * draw(st.integers(1, 50)) + text[b:]
        elif op == "char":
            text = text[:a] + draw(st.characters()) + text[a + 1 :]
        elif op == "truncate":
            text = text[:a]
        else:
            text = text[b:] + text[:b]
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data.replace("é".encode(), b"\xe9")
    if draw(st.integers(0, 4)) == 0:
        data = b"\xef\xbb\xbf" + data
    suffix = draw(st.sampled_from([f".{fmt}", f".{fmt}", ""]))
    return data, suffix


def check_model_file(
    data: bytes, suffix: str, folder: Path, times: list[float] | None = None
) -> Outcome:
    """``load_model(path)`` of a file of ``data``: refused with a LeadScoringError naming
    where, or a model that works (:func:`check_model`)."""
    path = folder / f"model{suffix}"
    path.write_bytes(data)
    try:
        model = _timed(times, lambda: load_model(path))
    except LeadScoringError as exc:
        check_refusal(exc)
        return "refused"
    check_model(model)
    return "accepted"


def check_model_text(data: bytes, suffix: str, times: list[float] | None = None) -> Outcome:
    """``parse_model_text`` of the text (what :func:`~leadscoring.load_model` does after
    reading a file) without a file: UTF-8 decoded (bad bytes replaced), format from the
    suffix (JSON when none)."""
    fmt: Literal["json", "toml"] = "toml" if suffix == ".toml" else "json"
    try:
        text = data.decode("utf-8-sig", "replace")
        model = _timed(times, lambda: parse_model_text(text, fmt))
    except LeadScoringError as exc:
        check_refusal(exc)
        return "refused"
    check_model(model)
    return "accepted"


# --------------------------------------------------------------------------- snapshots


def snapshot_scorer() -> Scorer:
    """A scorer with the packaged model and every kind of state: lead records (one lost,
    for a lost-deal return), limits, repeats, reactivations, journey, interest (purchase
    amounts), event ids, an identity link, an alias's event and the change feed's
    labels."""
    scorer = Scorer(MODEL)
    for lead in LEADS:
        scorer.add_lead(lead)
    scorer.link("cookie-1", "L3", T0)
    for event in EVENTS:
        scorer.add(event)
    scorer.add(Event(lead_id="cookie-1", type="download", at=T0 + timedelta(days=3), id="c1"))
    scorer.changes(END)
    return scorer


@cache
def base_snapshot() -> dict[str, Any]:
    """The snapshot of :func:`snapshot_scorer`, as read back from its JSON text."""
    data: dict[str, Any] = json.loads(json.dumps(snapshot_scorer().snapshot()))
    return data


def _snapshot_words() -> list[str]:
    snap = base_snapshot()
    texts = {v for p in json_paths(snap) if isinstance(v := get_at(snap, p), str)}
    texts |= {k for p in json_paths(snap) if isinstance(v := get_at(snap, p), dict) for k in v}
    return sorted(texts, key=lambda t: (len(t), t))[:200]


snapshot_values: st.SearchStrategy[Any] = st.one_of(
    json_values,
    st.deferred(lambda: st.sampled_from(_snapshot_words())),
    st.integers(-(2**64), 2**64),
    st.sampled_from([253402300799999999, 253402300800000000, -62135596800000000, -(10**30)]),
)
"""Values for snapshots: any value, and the snapshot's own texts (lead ids, rule names,
packed times, digests) and times just inside and outside the range of a datetime."""

Seal = Literal["keep", "reseal", "old"]


def sealed(data: Any, seal: Seal) -> Any:
    """``data`` with its checksum as it was (``keep``), recomputed as a tamperer would
    (``reseal``), or removed and the version made 3 (``old``: a snapshot of a version
    without checksums, or one that has no canonical JSON, as with a NaN)."""
    if not isinstance(data, dict) or seal == "keep":
        return data
    digest = checksum(data) if seal == "reseal" else None
    if digest is not None:
        return {**data, "checksum": digest}
    rest = {k: v for k, v in data.items() if k != "checksum"}
    return {**rest, "version": 3} if "version" in rest else rest


def snapshots(max_mutations: int = 3) -> st.SearchStrategy[Any]:
    """The base snapshot mutated (see :func:`mutated`), then sealed: mostly with the
    checksum recomputed, so the checks of the values are what is tested."""
    seal = st.sampled_from(["reseal", "reseal", "reseal", "old", "keep"])
    return st.builds(
        sealed, mutated(base_snapshot(), snapshot_values, max_mutations=max_mutations), seal
    )


def check_scorer(scorer: Scorer) -> None:
    """A restored scorer scores and assesses each lead (or refuses with a
    LeadScoringError) to finite numbers, snapshots again to JSON that restores to the same
    snapshot and scores, and takes a new event."""
    for lead_id in scorer.lead_ids:
        try:
            _finite_score(scorer.score(lead_id, END))
            assessment = scorer.assess(lead_id, END)
        except LeadScoringError as exc:
            check_refusal(exc)
            continue
        _finite_score(assessment.score)
        assert all(math.isfinite(v) for v in assessment.evidence.values())
    again = scorer.snapshot()
    json.dumps(again, allow_nan=False)
    twice = Scorer.restore(MODEL, again)
    assert twice.snapshot() == again, "snapshot -> restore -> snapshot is not the same"
    try:
        first = scorer.scores(END)
    except LeadScoringError:
        pass
    else:
        assert twice.scores(END) == first, "the restored copy scores differently"
    for lead_id in scorer.lead_ids[:2]:
        try:
            scorer.add(Event(lead_id=lead_id, type="page_view", at=END, id="new"))
            _finite_score(scorer.score(lead_id, END + timedelta(days=1)))
        except LeadScoringError as exc:
            check_refusal(exc)


def check_snapshot(data: Any, times: list[float] | None = None) -> Outcome:
    """``Scorer.restore(model, data)``: refused with a SnapshotError (or another
    LeadScoringError) naming where, or a scorer that works (:func:`check_scorer`)."""
    before = repr(data)
    try:
        scorer = _timed(times, lambda: Scorer.restore(MODEL, data))
    except LeadScoringError as exc:
        check_refusal(exc)
        return "refused"
    check_scorer(scorer)
    assert repr(data) == before, "the restored scorer changed the snapshot it was given"
    return "accepted"


_NUMBER_TOKEN = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NUMBER_TEXTS = [
    "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 400, "-1", "0", "-0.0", "1.5",
    "253402300800000000", "-62135596800000001", "1e308", "5e-324", "true", "null", '"1"',
]  # fmt: skip


@st.composite
def snapshot_texts(draw: st.DrawFn) -> str:
    """The JSON text of a (sometimes mutated) snapshot with a number token replaced (by
    NaN, Infinity, huge or out-of-range numbers, other types), a slice cut, duplicated or
    replaced, a character changed, or digits inserted."""
    data = draw(st.one_of(st.just(base_snapshot()), snapshots(max_mutations=1)))
    try:
        text = json.dumps(data)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(base_snapshot())
    for _ in range(draw(st.integers(1, 3))):
        a = draw(st.integers(0, max(0, len(text) - 1)))
        b = min(len(text), a + draw(st.integers(0, 40)))
        op = draw(st.sampled_from(["number", "number", "cut", "copy", "char", "digits", "junk"]))
        numbers = list(_NUMBER_TOKEN.finditer(text))
        if op == "number" and numbers:
            token = numbers[draw(st.integers(0, len(numbers) - 1))]
            new = draw(st.sampled_from(_NUMBER_TEXTS))
            text = text[: token.start()] + new + text[token.end() :]
        elif op == "cut":
            text = text[:a] + text[b:]
        elif op == "copy":
            text = text[:b] + text[a:b] + text[b:]
        elif op == "char":
            text = text[:a] + draw(st.characters()) + text[a + 1 :]
        elif op == "digits":
            digits = draw(st.sampled_from(["9", "0", "99999999999", "-", ".5", "e9"]))
            text = text[:a] + digits + text[a:]
        else:
            text = text[:a] + draw(st.sampled_from(_JUNK)) + text[b:]
    return text


def check_snapshot_text(text: str, seal: Seal, times: list[float] | None = None) -> Outcome | None:
    """The snapshot read from JSON text (``json.loads``: leadscoring has no text reader
    of its own) and restored, sealed as ``seal`` says; ``None`` if the text is not JSON."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return check_snapshot(sealed(data, seal), times)
