"""The price rule (kvote.catalog.prices): item price before product price before list price,
each only on the days it is valid, the latest start winning; and every page that shows or
charges a price asks it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from kvote.catalog.models import Product
from kvote.catalog.prices import Price, today, variant_prices, with_price
from kvote.catalog.selectors import product_page
from kvote.checkout.selectors import cart_view
from kvote.checkout.services import cart_add
from kvote.people.models import User
from tests.factories import AgreedPriceFactory, CompanyFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def price_of(company_id: int, variant, on: date | None = None) -> Price:
    return variant_prices(company_id=company_id, variants=[variant], on=on)[variant.pk]


def test_list_price_without_an_agreement(company):
    variant = VariantFactory(product__list_price=Decimal("500.00"))
    assert price_of(company.pk, variant) == Price(Decimal("500.00"), agreed=False)


def test_product_price_holds_for_every_item_and_the_item_price_goes_first(company):
    product = ProductFactory(list_price=Decimal("500.00"))
    small, large = VariantFactory(product=product), VariantFactory(product=product)
    AgreedPriceFactory(company=company, product=product, price=Decimal("400.00"))
    AgreedPriceFactory(company=company, product=product, variant=large, price=Decimal("450.00"))
    assert price_of(company.pk, small) == Price(Decimal("400.00"), agreed=True)
    assert price_of(company.pk, large) == Price(Decimal("450.00"), agreed=True)


def test_another_companys_agreement_is_not_ours(company):
    variant = VariantFactory(product__list_price=Decimal("500.00"))
    AgreedPriceFactory(company=CompanyFactory(), product=variant.product, price=Decimal("1.00"))
    assert price_of(company.pk, variant).amount == Decimal("500.00")


def test_only_on_the_days_it_is_valid_both_days_included(company):
    variant = VariantFactory(product__list_price=Decimal("500.00"))
    start, end = date(2026, 12, 1), date(2026, 12, 31)
    AgreedPriceFactory(
        company=company,
        product=variant.product,
        price=Decimal("300.00"),
        valid_from=start,
        valid_to=end,
    )
    assert price_of(company.pk, variant, start - DAY).amount == Decimal("500.00")
    assert price_of(company.pk, variant, start).amount == Decimal("300.00")
    assert price_of(company.pk, variant, end).amount == Decimal("300.00")
    assert price_of(company.pk, variant, end + DAY).amount == Decimal("500.00")


def test_the_latest_start_wins_and_an_open_start_is_the_earliest(company):
    variant = VariantFactory(product__list_price=Decimal("500.00"))
    AgreedPriceFactory(company=company, product=variant.product, price=Decimal("400.00"))
    AgreedPriceFactory(
        company=company,
        product=variant.product,
        price=Decimal("380.00"),
        valid_from=date(2026, 1, 1),
    )
    AgreedPriceFactory(
        company=company,
        product=variant.product,
        price=Decimal("360.00"),
        valid_from=date(2027, 1, 1),
    )
    assert price_of(company.pk, variant, date(2025, 6, 1)).amount == Decimal("400.00")
    assert price_of(company.pk, variant, date(2026, 6, 1)).amount == Decimal("380.00")
    assert price_of(company.pk, variant, date(2027, 6, 1)).amount == Decimal("360.00")


def test_an_expired_item_price_falls_back_to_the_product_price(company):
    variant = VariantFactory(product__list_price=Decimal("500.00"))
    AgreedPriceFactory(company=company, product=variant.product, price=Decimal("400.00"))
    AgreedPriceFactory(
        company=company,
        product=variant.product,
        variant=variant,
        price=Decimal("350.00"),
        valid_to=today() - DAY,
    )
    assert price_of(company.pk, variant) == Price(Decimal("400.00"), agreed=True)


def test_the_card_price_is_the_product_level_price_valid_today(company):
    product = ProductFactory(list_price=Decimal("500.00"))
    AgreedPriceFactory(
        company=company, product=product, price=Decimal("100.00"), valid_from=today() + DAY
    )
    row = with_price(Product.objects.filter(pk=product.pk), company_id=company.pk).get()
    assert (row.price, row.agreed_price) == (Decimal("500.00"), None)
    AgreedPriceFactory(company=company, product=product, price=Decimal("450.00"))
    row = with_price(Product.objects.filter(pk=product.pk), company_id=company.pk).get()
    assert (row.price, row.agreed_price) == (Decimal("450.00"), Decimal("450.00"))


def test_one_query_for_any_number_of_variants(company, django_assert_num_queries):
    variants = [VariantFactory() for _ in range(5)]
    for v in variants[:3]:
        AgreedPriceFactory(company=company, product=v.product, variant=v)
    with django_assert_num_queries(1):
        prices = variant_prices(company_id=company.pk, variants=variants)
    assert [p.agreed for p in prices.values()] == [True, True, True, False, False]


def test_the_database_refuses_two_rows_for_one_start_and_a_period_that_ends_before_it_starts(
    company,
):
    variant = VariantFactory()
    AgreedPriceFactory(company=company, product=variant.product, variant=variant)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreedPriceFactory(company=company, product=variant.product, variant=variant)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreedPriceFactory(
            company=company,
            product=variant.product,
            valid_from=date(2027, 1, 2),
            valid_to=date(2027, 1, 1),
        )


def test_the_product_page_and_the_cart_charge_the_item_price_and_say_it_is_agreed(
    buyer: User, client: Client
):
    product = ProductFactory(list_price=Decimal("500.00"))
    variant = VariantFactory(product=product, size="M")
    AgreedPriceFactory(
        company=buyer.company, product=product, variant=variant, price=Decimal("420.00")
    )
    page = product_page(actor=buyer, product_id=product.pk)
    assert page.price == Price(Decimal("420.00"), agreed=True)
    cart_add(actor=buyer, variant_id=variant.pk, quantity=2)
    [row] = cart_view(actor=buyer).rows
    assert (row.unit_price, row.line_total) == (Decimal("420.00"), Decimal("840.00"))
    client.force_login(buyer)
    html = client.get(reverse("catalog:product", args=[product.pk])).content.decode()
    assert 'data-price-kind="agreed"' in html and 'data-price-kind="list"' not in html
