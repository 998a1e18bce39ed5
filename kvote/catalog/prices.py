"""What a company pays: the one home of the price rule, used by the catalogue pages, the cart,
the checkout, the API and the price list import.

A company's price for an item number on a day is, in this order:
1. its agreed price for that item number valid on the day,
2. its agreed price for the item's product valid on the day,
3. the product's list price.
Where several agreed rows of one level are valid on the day, the one that started last wins (an
open start counts as the earliest). Valid from and to are whole days, both included, in the
portal's time zone.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone

from kvote.catalog.models import AgreedPrice, Product, Variant


@dataclass(frozen=True)
class Price:
    """A price excl. VAT and whether it is the company's agreed price (else the list price)."""

    amount: Decimal
    agreed: bool


def today() -> date:
    return timezone.localdate()


def valid_on(day: date) -> Q:
    """The agreed price rows valid on `day`."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def _latest_first() -> list[OrderBy | str]:
    return [F("valid_from").desc(nulls_last=True), "-pk"]


def with_price(products: QuerySet[Product], *, company_id: int) -> QuerySet[Product]:
    """The products annotated with `agreed_price` (the company's product-level agreed price
    valid today, or None) and `price` (that, or the list price): what a card shows."""
    agreed = (
        AgreedPrice.objects.filter(
            valid_on(today()), company_id=company_id, product=OuterRef("pk"), variant__isnull=True
        )
        .order_by(*_latest_first())
        .values("price")[:1]
    )
    money: DecimalField = DecimalField(max_digits=12, decimal_places=2)
    return products.annotate(agreed_price=Subquery(agreed, output_field=money)).annotate(
        price=Coalesce("agreed_price", "list_price", output_field=money)
    )


def variant_prices(
    *, company_id: int, variants: Iterable[Variant], on: date | None = None
) -> dict[int, Price]:
    """The price of each variant (by pk) for the company on the day (today). Reads
    `variant.product.list_price`, so load the product with the variants. One query."""
    variants = list(variants)
    if not variants:
        return {}
    day = on or today()
    rows = (
        AgreedPrice.objects.filter(valid_on(day), company_id=company_id)
        .filter(
            Q(variant_id__in={v.pk for v in variants})
            | Q(variant__isnull=True, product_id__in={v.product_id for v in variants})
        )
        .order_by(*_latest_first())
        .values_list("product_id", "variant_id", "price")
    )
    by_variant: dict[int, Decimal] = {}
    by_product: dict[int, Decimal] = {}
    for product_id, variant_id, price in rows:  # latest start first: keep the first seen
        if variant_id is None:
            by_product.setdefault(product_id, price)
        else:
            by_variant.setdefault(variant_id, price)
    prices = {}
    for variant in variants:
        agreed = by_variant.get(variant.pk, by_product.get(variant.product_id))
        prices[variant.pk] = (
            Price(amount=variant.product.list_price, agreed=False)
            if agreed is None
            else Price(amount=agreed, agreed=True)
        )
    return prices
