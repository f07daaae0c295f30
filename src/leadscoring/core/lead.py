"""Leads: who may buy, with their attributes and where they stand with sales."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .aliases import Scalar
from .errors import InvalidLeadError, NaiveLeadDatetimeError
from .mapping import FrozenMap, freeze_scalars
from .times import to_utc

__all__ = ["Lead", "LeadStatus"]


class LeadStatus(enum.StrEnum):
    """Where a lead stands with sales.

    ``WON`` is a customer; ``LOST`` a closed-lost deal (失注); both may go dormant and come
    back (see :func:`~leadscoring.signals.activity`).
    """

    OPEN = "open"
    WON = "won"
    LOST = "lost"
    DISQUALIFIED = "disqualified"


def _lead_id(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidLeadError("Lead.id", f"must be a non-empty string, got {value!r}")
    return value


def _status(value: LeadStatus | str) -> LeadStatus:
    if isinstance(value, LeadStatus):
        return value
    try:
        return LeadStatus(str(value).lower())
    except ValueError:
        known = ", ".join(s.value for s in LeadStatus)
        raise InvalidLeadError("Lead.status", f"unknown status {value!r}; one of {known}") from None


def _attributes(value: Mapping[str, Scalar]) -> FrozenMap[str, Scalar]:
    return freeze_scalars(value, "Lead.attributes", InvalidLeadError)


def _changed_at(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    return to_utc(value, "Lead.status_changed_at", InvalidLeadError, NaiveLeadDatetimeError)


def _account_id(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidLeadError("Lead.account_id", f"must be a non-empty string, got {value!r}")
    return value


@attrs.frozen(kw_only=True)
class Lead:
    """A person or company that may buy (リード, 見込み客).

    >>> Lead(id="L1", attributes={"industry": "it"}, status="lost",
    ...      status_changed_at="2026-01-10T00:00:00Z")
    Lead(id='L1', attributes={'industry': 'it'}, status=<LeadStatus.LOST: 'lost'>, \
status_changed_at=datetime.datetime(2026, 1, 10, 0, 0, tzinfo=datetime.timezone.utc), \
account_id=None)
    """

    id: str = attrs.field(converter=_lead_id)
    attributes: Mapping[str, Scalar] = attrs.field(factory=FrozenMap, converter=_attributes)
    status: LeadStatus = attrs.field(default=LeadStatus.OPEN, converter=_status)
    status_changed_at: datetime | None = attrs.field(default=None, converter=_changed_at)
    account_id: str | None = attrs.field(default=None, converter=_account_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {
            "id": self.id,
            "attributes": dict(self.attributes),
            "status": self.status.value,
            "status_changed_at": (
                self.status_changed_at.isoformat() if self.status_changed_at else None
            ),
            "account_id": self.account_id,
        }
