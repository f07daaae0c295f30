"""Interest profile: what a lead looks at, how focused it is, what it buys and attends.

The inputs for segmenting by web behaviour (category interest, focus vs breadth),
purchase history (new / repeat / heavy) and event participation (first-timer /
enthusiast). One product viewed again and again can mean more intent than many products
viewed once: :attr:`InterestProfile.focus` and :attr:`InterestProfile.pattern` tell them
apart.

>>> from datetime import UTC, datetime
>>> views = [Event(lead_id="L1", type="page_view", at=f"2026-03-0{d}T10:00:00Z",
...                properties={"category": "product", "product": "crm"}) for d in (1, 2, 3)]
>>> p = interest_profile(Lead(id="L1"), views, as_of=datetime(2026, 3, 4, tzinfo=UTC))
>>> p.top_product, p.focus, p.pattern.value
('crm', 1.0, 'focused')
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.aliases import Timestamp
from ..core.checks import check_lead, check_moment, events_of, expect
from ..core.errors import ErrorDetail, InvalidModelError, InvalidValueError
from ..core.event import Event
from ..core.lead import Lead
from ..core.mapping import FrozenMap
from ..core.plain.forms import convert_table, number, raise_if
from ..core.times import Duration, format_duration, parse_duration

__all__ = [
    "BuyerType",
    "InterestPattern",
    "InterestPolicy",
    "InterestProfile",
    "ParticipationLevel",
    "interest_profile",
    "profile_from_counts",
    "top_value",
]


class InterestPattern(enum.StrEnum):
    """How a lead's product views are spread."""

    NONE = "none"
    """No product page views."""
    LIGHT = "light"
    """A few product views: neither focused nor broad yet."""
    FOCUSED = "focused"
    """One product viewed again and again (``focus_min_views``, ``focus_min_share``)."""
    BROAD = "broad"
    """Many products (``broad_min_products``), none dominating."""


class BuyerType(enum.StrEnum):
    """Purchase history: none, new (one purchase), repeat, heavy (``heavy_min`` or more)."""

    NONE = "none"
    NEW = "new"
    REPEAT = "repeat"
    HEAVY = "heavy"


class ParticipationLevel(enum.StrEnum):
    """Event participation: none, first-timer (once), repeat, enthusiast (``enthusiast_min``+)."""

    NONE = "none"
    FIRST_TIMER = "first_timer"
    REPEAT = "repeat"
    ENTHUSIAST = "enthusiast"


def _names(path: str) -> Callable[[object], frozenset[str]]:
    def convert(value: object) -> frozenset[str]:
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise InvalidModelError(f"expected a list of strings, got {value!r:.60}", path=path)
        items = list(value)
        bad = [i for i, item in enumerate(items) if not isinstance(item, str) or not item]
        message = "must be a non-empty string"
        raise_if([ErrorDetail(path=f"{path}[{i}]", message=message) for i in bad])
        return frozenset(items)

    return convert


def _count(path: str) -> Callable[[object], int]:
    def convert(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidModelError(f"must be a whole number >= 1, got {value!r}", path=path)
        return value

    return convert


def _text(path: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str) or not value:
            raise InvalidModelError(f"must be a non-empty string, got {value!r}", path=path)
        return value

    return convert


# Named converters (the attrs mypy plugin needs named functions), one per field.
def _page_types(value: Iterable[str]) -> frozenset[str]:
    return _names("page_types")(value)


def _purchase_types(value: Iterable[str]) -> frozenset[str]:
    return _names("purchase_types")(value)


def _participation_types(value: Iterable[str]) -> frozenset[str]:
    return _names("participation_types")(value)


def _product_property(value: str) -> str:
    return _text("product_property")(value)


def _category_property(value: str) -> str:
    return _text("category_property")(value)


def _views_within(value: Duration | str | None) -> Duration | None:
    if value is None:
        return None
    try:
        return parse_duration(value, "views_within", calendar=True)
    except InvalidValueError as exc:
        raise InvalidModelError(exc.message, path="views_within") from None


def _focus_min_views(value: int) -> int:
    return _count("focus_min_views")(value)


def _focus_min_share(value: float) -> float:
    return number(value, "focus_min_share", minimum=0, maximum=1)


def _broad_min_products(value: int) -> int:
    return _count("broad_min_products")(value)


def _heavy_min(value: int) -> int:
    return _count("heavy_min")(value)


def _enthusiast_min(value: int) -> int:
    return _count("enthusiast_min")(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "page_types": _page_types,
    "product_property": _product_property,
    "category_property": _category_property,
    "views_within": _views_within,
    "focus_min_views": _focus_min_views,
    "focus_min_share": _focus_min_share,
    "broad_min_products": _broad_min_products,
    "purchase_types": _purchase_types,
    "heavy_min": _heavy_min,
    "participation_types": _participation_types,
    "enthusiast_min": _enthusiast_min,
}


@attrs.frozen(kw_only=True)
class InterestPolicy:
    """What counts as a view, a purchase and a participation, and the thresholds.

    - Page views are events of ``page_types``; their ``category_property`` and
      ``product_property`` values are counted (``views_within``: only views in the window
      ending at ``as_of``; ``None``: all history).
    - ``FOCUSED``: the top product has at least ``focus_min_views`` views and at least
      ``focus_min_share`` of all product views. ``BROAD``: not focused, and at least
      ``broad_min_products`` distinct products. ``LIGHT``: other product viewers.
    - Purchases are events of ``purchase_types`` (all history): 1 is ``NEW``, from 2
      ``REPEAT``, from ``heavy_min`` ``HEAVY``. Their ``amount`` property is summed.
    - Participations are events of ``participation_types``: 1 is ``FIRST_TIMER``, from 2
      ``REPEAT``, from ``enthusiast_min`` ``ENTHUSIAST``.
    """

    page_types: frozenset[str] = attrs.field(
        default=frozenset({"page_view"}), converter=_page_types
    )
    product_property: str = attrs.field(default="product", converter=_product_property)
    category_property: str = attrs.field(default="category", converter=_category_property)
    views_within: Duration | None = attrs.field(default=None, converter=_views_within)
    focus_min_views: int = attrs.field(default=3, converter=_focus_min_views)
    focus_min_share: float = attrs.field(default=0.6, converter=_focus_min_share)
    broad_min_products: int = attrs.field(default=3, converter=_broad_min_products)
    purchase_types: frozenset[str] = attrs.field(
        default=frozenset({"purchase"}), converter=_purchase_types
    )
    heavy_min: int = attrs.field(default=5, converter=_heavy_min)
    participation_types: frozenset[str] = attrs.field(
        default=frozenset({"webinar", "event_attended"}), converter=_participation_types
    )
    enthusiast_min: int = attrs.field(default=3, converter=_enthusiast_min)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` reads back (``views_within`` left out if unset)."""
        out: dict[str, Any] = {
            "page_types": sorted(self.page_types),
            "product_property": self.product_property,
            "category_property": self.category_property,
            "focus_min_views": self.focus_min_views,
            "focus_min_share": self.focus_min_share,
            "broad_min_products": self.broad_min_products,
            "purchase_types": sorted(self.purchase_types),
            "heavy_min": self.heavy_min,
            "participation_types": sorted(self.participation_types),
            "enthusiast_min": self.enthusiast_min,
        }
        if self.views_within is not None:
            out["views_within"] = format_duration(self.views_within)
        return out

    @classmethod
    def from_dict(cls, data: object) -> InterestPolicy:
        """Build from plain data; missing keys take their defaults; every problem collected."""
        values, errors = convert_table(data, _CONVERTERS, "interest setting")
        raise_if(errors)
        return cls(**values)


def top_value(counts: Mapping[str, int], last: Mapping[str, datetime]) -> str | None:
    """The most counted key; ties go to the most recently seen, then the first by name."""
    if not counts:
        return None
    return min(counts, key=lambda k: (-counts[k], -last[k].timestamp(), k))


def _level(count: int, high: int) -> int:
    """0 for none, 1 for once, 3 from ``high`` (at least 2) on, else 2."""
    if count <= 1:
        return count
    return 3 if count >= high else 2


def _counts(value: Mapping[str, int]) -> FrozenMap[str, int]:
    return FrozenMap(value)


@attrs.frozen(kw_only=True)
class InterestProfile:
    """What a lead looks at, buys and attends, up to ``as_of``.

    ``by_category`` and ``by_product`` count page views; ``focus`` is the top product's
    share of product views (0 without any); ``pattern`` says focused, broad or light.
    """

    lead_id: str
    as_of: datetime
    page_views: int
    by_category: Mapping[str, int] = attrs.field(converter=_counts)
    by_product: Mapping[str, int] = attrs.field(converter=_counts)
    top_category: str | None
    top_product: str | None
    focus: float
    pattern: InterestPattern
    purchases: int
    purchase_amount: float
    buyer: BuyerType
    participations: int
    participation: ParticipationLevel

    @property
    def products_viewed(self) -> int:
        """How many distinct products the lead viewed."""
        return len(self.by_product)

    @property
    def dominant_interest(self) -> str | None:
        """The top product, or else the top page category, or ``None``."""
        return self.top_product if self.top_product is not None else self.top_category

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able)."""
        return {
            "lead_id": self.lead_id,
            "as_of": self.as_of.isoformat(),
            "page_views": self.page_views,
            "by_category": dict(self.by_category),
            "by_product": dict(self.by_product),
            "top_category": self.top_category,
            "top_product": self.top_product,
            "dominant_interest": self.dominant_interest,
            "focus": self.focus,
            "pattern": self.pattern.value,
            "purchases": self.purchases,
            "purchase_amount": self.purchase_amount,
            "buyer": self.buyer.value,
            "participations": self.participations,
            "participation": self.participation.value,
        }


def profile_prepared(
    lead_id: str, events: Iterable[Event], as_of: datetime, policy: InterestPolicy
) -> InterestProfile:
    """The profile from one lead's events, already deduplicated and ``<= as_of``."""
    start = None if policy.views_within is None else as_of - policy.views_within
    categories: dict[str, int] = {}
    products: dict[str, int] = {}
    last: dict[str, datetime] = {}
    views = purchases = participations = 0
    amounts: list[float] = []
    for event in events:
        if event.type in policy.page_types and (start is None or event.at > start):
            views += 1
            for key, counts in (
                (policy.category_property, categories),
                (policy.product_property, products),
            ):
                value = event.properties.get(key)
                if isinstance(value, str) and value:
                    counts[value] = counts.get(value, 0) + 1
                    last[f"{key}\0{value}"] = event.at
        if event.type in policy.purchase_types:
            purchases += 1
            amount = event.properties.get("amount")
            if isinstance(amount, int | float) and not isinstance(amount, bool):
                amounts.append(float(amount))
        if event.type in policy.participation_types:
            participations += 1
    top_product = top_value(
        products, {k: last[f"{policy.product_property}\0{k}"] for k in products}
    )
    top_category = top_value(
        categories, {k: last[f"{policy.category_property}\0{k}"] for k in categories}
    )
    return profile_from_counts(
        lead_id,
        as_of,
        policy,
        views=views,
        categories=dict(sorted(categories.items())),
        products=dict(sorted(products.items())),
        top_category=top_category,
        top_product=top_product,
        purchases=purchases,
        amounts=amounts,
        participations=participations,
    )


def profile_from_counts(
    lead_id: str,
    as_of: datetime,
    policy: InterestPolicy,
    *,
    views: int,
    categories: dict[str, int],
    products: dict[str, int],
    top_category: str | None,
    top_product: str | None,
    purchases: int,
    amounts: Sequence[float],
    participations: int,
) -> InterestProfile:
    """The profile from its counts: the focus, the pattern (focused / broad / light) and
    the buyer and participation levels, as every engine derives them."""
    total_product = sum(products.values())
    top_views = products[top_product] if top_product is not None else 0
    focus = top_views / total_product if total_product else 0.0
    if not products:
        pattern = InterestPattern.NONE
    elif top_views >= policy.focus_min_views and focus >= policy.focus_min_share:
        pattern = InterestPattern.FOCUSED
    elif len(products) >= policy.broad_min_products:
        pattern = InterestPattern.BROAD
    else:
        pattern = InterestPattern.LIGHT
    return InterestProfile(
        lead_id=lead_id,
        as_of=as_of,
        page_views=views,
        by_category=categories,
        by_product=products,
        top_category=top_category,
        top_product=top_product,
        focus=focus,
        pattern=pattern,
        purchases=purchases,
        purchase_amount=math.fsum(amounts),
        buyer=tuple(BuyerType)[_level(purchases, policy.heavy_min)],
        participations=participations,
        participation=tuple(ParticipationLevel)[_level(participations, policy.enthusiast_min)],
    )


_DEFAULT_POLICY = InterestPolicy()


def interest_profile(
    lead: Lead,
    events: Iterable[Event],
    *,
    as_of: Timestamp,
    policy: InterestPolicy = _DEFAULT_POLICY,
) -> InterestProfile:
    """The interest profile of ``lead`` at ``as_of``.

    Events of other leads and after ``as_of`` are ignored; events sharing an ``id`` count
    once; the order of ``events`` does not matter.
    """
    lead = check_lead(lead)
    policy = expect(policy, InterestPolicy, "policy")
    moment = check_moment(as_of)
    own = events_of(lead.id, events, moment)
    return profile_prepared(lead.id, own, moment, policy)
