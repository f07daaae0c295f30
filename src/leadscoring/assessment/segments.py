"""Segments: named groups of leads, defined as conditions over who they are and what they do.

A segment's condition sees every lead attribute by name (also as ``attributes.<name>``),
``status`` and ``lead_id``, plus the values an assessment derives (see
:data:`SEGMENT_FIELDS`): ``score``, ``temperature``, ``journey``, ``grade``, ``activity``,
the interest profile (``top_product``, ``interest_pattern``, ``buyer``, ...). A derived
name wins over an attribute of the same name; ``attributes.<name>`` always reaches the
attribute.

>>> from leadscoring import when
>>> hot_focused = Segment(name="hot, one product", when=when(temperature="hot",
...                       interest_pattern="focused"))
>>> hot_focused.when.describe()
"temperature = 'hot' and interest_pattern = 'focused'"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs

from ..core.conditions import MISSING, Condition, compile_condition
from ..core.errors import ErrorDetail, InvalidModelError, InvalidValueError
from ..core.plain.forms import condition_to_data, convert_table, raise_if, table, to_condition

if TYPE_CHECKING:
    from .assessment import Assessment

__all__ = ["SEGMENT_FIELDS", "Segment", "segment", "segment_getter"]


def _value(value: object) -> object:
    return MISSING if value is None else value


SEGMENT_FIELDS: Mapping[str, Callable[[Assessment], object]] = {
    "lead_id": lambda a: a.lead.id,
    "status": lambda a: a.lead.status.value,
    "account_id": lambda a: _value(a.lead.account_id),
    "score": lambda a: a.score.total,
    "fit": lambda a: a.score.fit,
    "engagement": lambda a: a.score.engagement,
    "temperature": lambda a: a.temperature.value,
    "journey": lambda a: a.journey.value,
    "grade": lambda a: a.grade.value,
    "priority": lambda a: a.priority,
    "activity": lambda a: a.activity.state.value,
    "reactivations": lambda a: len(a.activity.reactivations),
    "page_views": lambda a: a.interest.page_views,
    "top_category": lambda a: _value(a.interest.top_category),
    "top_product": lambda a: _value(a.interest.top_product),
    "dominant_interest": lambda a: _value(a.interest.dominant_interest),
    "focus": lambda a: a.interest.focus,
    "interest_pattern": lambda a: a.interest.pattern.value,
    "products_viewed": lambda a: a.interest.products_viewed,
    "purchases": lambda a: a.interest.purchases,
    "purchase_amount": lambda a: a.interest.purchase_amount,
    "buyer": lambda a: a.interest.buyer.value,
    "participations": lambda a: a.interest.participations,
    "participation": lambda a: a.interest.participation.value,
}
"""The derived values a segment condition can use, by name (enums as their text values)."""


def segment_getter(name: str) -> Callable[[Assessment], object]:
    """Read the field a segment condition calls ``name`` from an assessment."""
    derived = SEGMENT_FIELDS.get(name)
    if derived is not None:
        return derived
    key = name.removeprefix("attributes.") if name.startswith("attributes.") else name
    return lambda a: a.lead.attributes.get(key, MISSING)


def _name(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidModelError(f"must be a non-empty string, got {value!r}", path="name")
    return value


def _when(value: Condition | Mapping[str, object]) -> Condition:
    return to_condition(value, "when")


def _description(value: str) -> str:
    if not isinstance(value, str):
        raise InvalidModelError(f"must be text, got {value!r}", path="description")
    return value


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "when": _when,
    "description": _description,
}


@attrs.frozen(kw_only=True)
class Segment:
    """A named group of leads: those whose assessment matches ``when``."""

    name: str = attrs.field(converter=_name)
    when: Condition = attrs.field(converter=_when)
    description: str = attrs.field(default="", converter=_description)

    @cached_property
    def _match(self) -> Callable[[Assessment], bool]:
        return compile_condition(self.when, segment_getter)

    def matches(self, assessment: Assessment) -> bool:
        """Whether the assessed lead belongs to this segment."""
        return self._match(assessment)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` reads back."""
        out: dict[str, Any] = {"name": self.name, "when": condition_to_data(self.when)}
        if self.description:
            out["description"] = self.description
        return out

    @classmethod
    def from_dict(cls, data: object) -> Segment:
        """Build from ``{name, when, description}``; every problem is collected."""
        given = table(data)
        values, errors = convert_table(given, _CONVERTERS, "segment key")
        errors += [
            ErrorDetail(path=key, message="missing")
            for key in ("name", "when")
            if key not in given
        ]
        raise_if(errors)
        return cls(**values)


def check_segments(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    """``segments`` as a tuple, checking their types and that names are unique."""
    if isinstance(segments, Segment):
        segments = [segments]
    out = tuple(segments)
    seen: set[str] = set()
    for index, item in enumerate(out):
        if not isinstance(item, Segment):
            raise InvalidValueError(
                f"segments[{index}]", f"expected a Segment, got {type(item).__name__}"
            )
        if item.name in seen:
            raise InvalidValueError(f"segments[{index}]", f"duplicate segment name {item.name!r}")
        seen.add(item.name)
    return out


def segment(
    assessments: Iterable[Assessment], segments: Sequence[Segment]
) -> dict[str, list[str]]:
    """Assign leads to segments: each segment's name → the ids of the leads in it.

    Every segment is a key (with an empty list when no lead matches); lead ids keep the
    order of ``assessments``; a lead can be in several segments or none.
    """
    checked = check_segments(segments)
    out: dict[str, list[str]] = {s.name: [] for s in checked}
    for a in assessments:
        for s in checked:
            if s.matches(a):
                out[s.name].append(a.lead.id)
    return out
