"""Column mappings: which column of a file holds what."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..core.errors import InvalidValueError
from ..core.mapping import FrozenMap

__all__ = ["EventColumns", "Extras", "LeadColumns"]


def _as_tuple(value: Iterable[str]) -> Any:
    """Converter: a list or other iterable of names becomes a tuple (validators check it)."""
    if isinstance(value, Iterable) and not isinstance(value, str | Mapping):
        return tuple(value)
    return value


def _as_selection(value: Iterable[str] | Mapping[str, str] | None) -> Any:
    """Converter: a mapping becomes a read-only copy, an iterable a tuple."""
    if value is None:
        return None
    return FrozenMap(value) if isinstance(value, Mapping) else _as_tuple(value)


def _no_duplicates(field: str, names: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidValueError(field, f"{name!r} is named twice")
        seen.add(name)


def _where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def _check_name(field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, f"must be a non-empty column name, got {value!r}")


def _column(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: a non-empty column name."""
    _check_name(_where(instance, attribute), value)


def _optional_column(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: a non-empty column name, or ``None``."""
    if value is not None:
        _check_name(_where(instance, attribute), value)


def _columns(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: a tuple of distinct non-empty column names."""
    field = _where(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidValueError(
            field, f"give a tuple of column names such as ('duration_s',), got {value!r}"
        )
    for name in value:
        _check_name(field, name)
    _no_duplicates(field, value)


def _selection(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: ``None``, a tuple of column names, or a mapping column -> name."""
    if isinstance(value, Mapping):
        field = _where(instance, attribute)
        for source, name in value.items():
            _check_name(field, source)
            _check_name(f"{field}[{source!r}]", name)
        _no_duplicates(f"{field} (target names)", tuple(value.values()))
    elif value is not None:
        _columns(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Extras:
    """The non-role part of a column mapping, as one loader needs it (internal)."""

    roles: frozenset[str]
    pairs: tuple[tuple[str, str], ...] | None
    numeric: frozenset[str]
    nested: str | None
    beside_nested: frozenset[str] = frozenset()
    """The keys a row may have besides its extras: the role columns and ``nested``."""


def _extras(
    kind: str,
    roles: dict[str, str | None],
    selection: tuple[str, ...] | Mapping[str, str] | None,
    numeric: tuple[str, ...],
    nested: str | None,
    extras_field: str,
    extra: str,
) -> Extras:
    used: dict[str, str] = {}
    for role, column in roles.items():
        if column is None:
            continue
        if column in used:
            raise InvalidValueError(
                kind, f"column {column!r} is both the {used[column]} and the {role} column"
            )
        used[column] = role
    if isinstance(selection, Mapping):
        pairs: tuple[tuple[str, str], ...] | None = tuple(selection.items())
    elif selection is not None:
        pairs = tuple((name, name) for name in selection)
    else:
        pairs = None
    for source, _ in pairs or ():
        if source in used:
            raise InvalidValueError(
                f"{kind}.{extras_field}",
                f"{source!r} is already the {used[source]} column",
            )
    for name in numeric:
        if name in used:
            raise InvalidValueError(
                f"{kind}.numeric", f"{name!r} is the {used[name]} column, not {extra}"
            )
        if pairs is not None and name not in {source for source, _ in pairs}:
            raise InvalidValueError(
                f"{kind}.numeric", f"{name!r} is not among the {extras_field} {selection!r}"
            )
    if nested is not None and nested in used:
        raise InvalidValueError(f"{kind}.{extras_field}_object", f"{nested!r} is a role column")
    role_columns = frozenset(used)
    beside = role_columns if nested is None else role_columns | {nested}
    return Extras(
        roles=role_columns,
        pairs=pairs,
        numeric=frozenset(numeric),
        nested=nested,
        beside_nested=beside,
    )


@attrs.frozen(kw_only=True)
class EventColumns:
    """Where an event file keeps each field of an :class:`~leadscoring.Event`.

    ``lead_id``, ``type`` and ``at`` name required columns. ``id`` names an optional
    column: used when the file has it (``None``: never). ``properties`` picks the columns
    that become event properties: ``None`` (every other column), a tuple of column names,
    or a mapping of column -> property name. ``numeric`` lists property columns parsed as
    numbers (``"95"`` -> ``95``, ``"1.5"`` -> ``1.5``). In JSON Lines a key named
    ``properties_object`` holding an object has its entries read as if they were top-level
    keys, so the lines :meth:`Event.to_dict <leadscoring.Event.to_dict>` writes read back.

    >>> EventColumns(lead_id="email", at="timestamp", properties={"page": "url"})
    EventColumns(lead_id='email', type='type', at='timestamp', id='id', \
properties={'page': 'url'}, numeric=(), properties_object='properties')
    """

    lead_id: str = attrs.field(default="lead_id", validator=_column)
    type: str = attrs.field(default="type", validator=_column)
    at: str = attrs.field(default="at", validator=_column)
    id: str | None = attrs.field(default="id", validator=_optional_column)
    properties: tuple[str, ...] | Mapping[str, str] | None = attrs.field(
        default=None, converter=_as_selection, validator=_selection
    )
    numeric: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple, validator=_columns)
    properties_object: str | None = attrs.field(default="properties", validator=_optional_column)
    _extras: Extras = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        roles = {"lead id": self.lead_id, "type": self.type, "at": self.at, "id": self.id}
        extras = _extras(
            "EventColumns", roles, self.properties, self.numeric, self.properties_object,
            "properties", "a property",
        )
        object.__setattr__(self, "_extras", extras)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every event row must have."""
        return (self.lead_id, self.type, self.at)


@attrs.frozen(kw_only=True)
class LeadColumns:
    """Where a lead file keeps each field of a :class:`~leadscoring.Lead`.

    ``id`` names the required lead id column. ``status``, ``status_changed_at`` and
    ``account_id`` name optional columns: used when the file has them (``None``: never).
    ``attributes`` picks the columns that become lead attributes: ``None`` (every other
    column), a tuple of column names, or a mapping of column -> attribute name.
    ``numeric`` lists attribute columns parsed as numbers. In JSON Lines a key named
    ``attributes_object`` holding an object has its entries read as if they were top-level
    keys, so the lines :meth:`Lead.to_dict <leadscoring.Lead.to_dict>` writes read back.

    >>> LeadColumns(id="Prospect ID", attributes=("Lead Source", "TotalVisits"),
    ...             numeric=("TotalVisits",)).required
    ('Prospect ID',)
    """

    id: str = attrs.field(default="id", validator=_column)
    status: str | None = attrs.field(default="status", validator=_optional_column)
    status_changed_at: str | None = attrs.field(
        default="status_changed_at", validator=_optional_column
    )
    account_id: str | None = attrs.field(default="account_id", validator=_optional_column)
    attributes: tuple[str, ...] | Mapping[str, str] | None = attrs.field(
        default=None, converter=_as_selection, validator=_selection
    )
    numeric: tuple[str, ...] = attrs.field(default=(), converter=_as_tuple, validator=_columns)
    attributes_object: str | None = attrs.field(default="attributes", validator=_optional_column)
    _extras: Extras = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        roles = {
            "id": self.id,
            "status": self.status,
            "status_changed_at": self.status_changed_at,
            "account_id": self.account_id,
        }
        extras = _extras(
            "LeadColumns", roles, self.attributes, self.numeric, self.attributes_object,
            "attributes", "an attribute",
        )
        object.__setattr__(self, "_extras", extras)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every lead row must have."""
        return (self.id,)
