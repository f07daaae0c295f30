"""Outcomes: which leads converted, checked once for calibration and evaluation.

An outcome is ``True``/``False`` (or ``1``/``0``), ``None`` (did not convert), or the
moment the lead converted (an aware ``datetime`` or ISO 8601 text). A lead missing from
the mapping did not convert. With a moment, the lead counts as converted when it converted
after ``as_of`` and no later than ``as_of + horizon`` (any time after ``as_of`` without a
horizon); a lead that had already converted at ``as_of`` is left out, since its behaviour
before ``as_of`` cannot predict what already happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from ..core.checks import check_leads
from ..core.errors import InvalidValueError, NaiveDatetimeError
from ..core.lead import Lead
from ..core.times import parse_duration, to_utc

__all__ = ["Labelled", "label_ids", "label_leads"]

Outcome = bool | int | datetime | str | None


@attrs.frozen(kw_only=True)
class Labelled:
    """Leads (or lead ids) with their outcome, in the order given; ``excluded`` had
    converted already at ``as_of``."""

    leads: tuple[Lead, ...]
    labels: tuple[bool, ...]
    excluded: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    @property
    def positives(self) -> int:
        """How many of the leads converted."""
        return sum(self.labels)

    @property
    def negatives(self) -> int:
        """How many of the leads did not convert."""
        return len(self.labels) - self.positives


def _shown(ids: Sequence[str]) -> str:
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    return ", ".join(repr(i) for i in ids[:5]) + more


def _horizon(value: timedelta | str | None) -> timedelta | None:
    if value is None:
        return None
    parsed = parse_duration(value, "horizon")
    if not isinstance(parsed, timedelta) or parsed <= timedelta(0):
        raise InvalidValueError(
            "horizon", f"must be a positive fixed duration such as '90d', got {value!r}"
        )
    return parsed


def label_leads(
    leads: Iterable[Lead],
    outcomes: Mapping[str, Outcome],
    *,
    as_of: datetime | None,
    horizon: timedelta | str | None = None,
) -> Labelled:
    """Pair every lead with whether it converted; raise on outcomes that cannot be used.

    Errors (all :class:`~leadscoring.InvalidValueError`, a ``ValueError``) name the lead
    ids: outcomes for leads not given, values of the wrong kind, conversion moments
    without ``as_of``, and outcomes where nobody (or everybody) converted.
    """
    leads = check_leads(leads)
    by_id = {lead.id: lead for lead in leads}
    found = label_ids([lead.id for lead in leads], outcomes, as_of=as_of, horizon=horizon)
    return attrs.evolve(found, leads=tuple(by_id[i] for i in found.ids))


def _moment(value: datetime | str, lead_id: str) -> datetime:
    """A conversion moment; text that is not one says what an outcome may be."""
    field = f"outcomes[{lead_id!r}]"
    if isinstance(value, str):
        try:
            return to_utc(value, field)
        except NaiveDatetimeError:
            raise
        except InvalidValueError:
            raise InvalidValueError(
                field,
                f"{value!r} is not an outcome: give True/False (or 1/0) for converted or "
                "not, or the moment it converted as ISO 8601 text with an offset (e.g. "
                "'2026-06-30T00:00:00Z'); to read a yes/no column use read_lead_table",
            ) from None
    return to_utc(value, field)


def label_ids(
    ids: Sequence[str],
    outcomes: Mapping[str, Outcome],
    *,
    as_of: datetime | None,
    horizon: timedelta | str | None = None,
) -> Labelled:
    """Like :func:`label_leads` for bare lead ids (``Labelled.leads`` stays empty)."""
    if not isinstance(outcomes, Mapping):
        raise InvalidValueError(
            "outcomes", f"expected a mapping of lead id to outcome, got {type(outcomes).__name__}"
        )
    seen: set[str] = set()
    for lead_id in ids:
        if lead_id in seen:
            raise InvalidValueError("leads", f"lead id {lead_id!r} is given twice")
        seen.add(lead_id)
    unknown = sorted(str(k) for k in outcomes if k not in seen)
    if unknown:
        raise InvalidValueError(
            "outcomes",
            f"{len(unknown)} outcome(s) name lead ids that are not among the leads: "
            f"{_shown(unknown)}",
        )
    end = _horizon(horizon)
    kept: list[str] = []
    labels: list[bool] = []
    excluded: list[str] = []
    for lead_id in ids:
        value = outcomes.get(lead_id)
        if value is None or isinstance(value, bool):
            converted = bool(value)
        elif isinstance(value, int) and value in (0, 1):
            converted = value == 1
        elif isinstance(value, datetime | str):
            moment = _moment(value, lead_id)
            if as_of is None:
                raise InvalidValueError(
                    "as_of",
                    f"outcome of lead {lead_id!r} is a conversion moment; pass as_of (and "
                    "optionally horizon) to say which conversions count",
                )
            if moment <= as_of:
                excluded.append(lead_id)
                continue
            converted = end is None or moment <= as_of + end
        else:
            raise InvalidValueError(
                f"outcomes[{lead_id!r}]",
                f"expected True/False, 1/0, None or a conversion datetime, got {value!r}",
            )
        kept.append(lead_id)
        labels.append(converted)
    result = Labelled(leads=(), labels=tuple(labels), excluded=tuple(excluded), ids=tuple(kept))
    if not kept:
        raise InvalidValueError("leads", "no leads to learn from or to evaluate")
    if result.positives == 0:
        raise InvalidValueError(
            "outcomes",
            f"no lead converted among the {len(kept)} lead(s) given"
            + (f" (within the horizon after {as_of.isoformat()})" if as_of and end else "")
            + "; both converted and not-converted leads are needed",
        )
    if result.negatives == 0:
        raise InvalidValueError(
            "outcomes",
            f"every one of the {len(kept)} lead(s) converted (only one class); both "
            "converted and not-converted leads are needed (a lead missing from outcomes "
            "counts as not converted)",
        )
    return result
