"""Customer price lists through the import: agreed prices per item number or product, with
validity, checked against the customers and the catalogue; `full` removes what a named
customer's list no longer holds, and the price rule (kvote.catalog.prices) applies them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kvote.catalog.models import AgreedPrice, ImportKind, ImportMode, ImportStatus, Variant
from kvote.catalog.prices import variant_prices
from kvote.catalog.tests.imports_helpers import (  # noqa: F401 (import_files: a fixture)
    csv_bytes,
    import_files,
    small_catalogue,
    start,
    start_and_apply,
    supplier_staff,
)
from tests.factories import AgreedPriceFactory, CompanyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_files")]

COLUMNS = ["customer_number", "item_number", "product_number", "price", "valid_from", "valid_to"]


def price_list(*rows: dict[str, str], mode: ImportMode = ImportMode.UPSERT, apply: bool = False):
    content = csv_bytes(list(rows), columns=COLUMNS)
    if apply:
        return start_and_apply(supplier_staff(), content, kind=ImportKind.PRICE_LIST, mode=mode)
    return start(supplier_staff(), content, kind=ImportKind.PRICE_LIST, mode=mode)


def test_an_item_price_beats_the_product_price_within_its_validity():
    product = small_catalogue()
    company = CompanyFactory(customer_number="K-1")
    today = timezone.localdate()
    price_list(
        {"customer_number": "K-1", "product_number": "P-1", "price": "450,00"},
        {
            "customer_number": "K-1",
            "item_number": "I-M",
            "price": "400.00",
            "valid_from": (today - timedelta(days=1)).isoformat(),
            "valid_to": (today + timedelta(days=1)).isoformat(),
        },
        {
            "customer_number": "K-1",
            "item_number": "I-L",
            "price": "300",
            "valid_from": (today + timedelta(days=10)).isoformat(),
        },
        apply=True,
    )
    variants = Variant.objects.filter(product=product).select_related("product")
    prices = {
        v.item_number: p
        for v in variants
        for k, p in variant_prices(company_id=company.pk, variants=[v]).items()
    }
    assert prices["I-M"].amount == Decimal("400.00") and prices["I-M"].agreed
    assert prices["I-S"].amount == Decimal("450.00")
    assert prices["I-L"].amount == Decimal("450.00")  # its own price starts in ten days
    later = {
        v.item_number: p
        for v in variants
        for k, p in variant_prices(
            company_id=company.pk, variants=[v], on=today + timedelta(days=10)
        ).items()
    }
    assert later["I-L"].amount == Decimal("300.00")
    assert later["I-M"].amount == Decimal("450.00")  # its own price ended


def test_bad_price_list_rows_are_listed_and_nothing_is_written():
    small_catalogue()
    CompanyFactory(customer_number="K-1")
    catalogue_import = price_list(
        {"customer_number": "K-404", "item_number": "I-M", "price": "1"},  # 2
        {"customer_number": "K-1", "item_number": "NOPE", "price": "1"},  # 3
        {"customer_number": "K-1", "product_number": "NOPE", "price": "1"},  # 4
        {"customer_number": "K-1", "item_number": "I-M", "product_number": "P-1", "price": "1"},
        {"customer_number": "K-1", "price": "1"},  # 6
        {
            "customer_number": "K-1",
            "item_number": "I-S",
            "price": "1",
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
        },  # 7
        {"customer_number": "K-1", "item_number": "I-L", "price": "1,001"},  # 8
        {"customer_number": "K-1", "item_number": "I-L", "price": "2", "valid_from": "2026-1-1"},
        {"customer_number": "K-1", "product_number": "P-1", "price": "2"},  # 10: good
        {"customer_number": "K-1", "product_number": "P-1", "price": "3"},  # 11: same again
        {"customer_number": "", "product_number": "P-1", "price": ""},  # 12
    )
    assert catalogue_import.status == ImportStatus.INVALID
    assert {(e["row"], e["column"]) for e in catalogue_import.errors} == {
        (2, "customer_number"),
        (3, "item_number"),
        (4, "product_number"),
        (5, "product_number"),
        (6, "item_number"),
        (7, "valid_to"),
        (8, "price"),
        (9, "valid_from"),
        (11, "valid_from"),
        (12, "customer_number"),
        (12, "price"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in catalogue_import.errors}
    assert messages[(2, "customer_number")] == "No customer has the customer number K-404."
    assert "Row 10" in messages[(11, "valid_from")]
    assert not AgreedPrice.objects.exists()


def test_upsert_changes_prices_and_full_removes_what_a_named_customer_no_longer_has():
    product = small_catalogue()
    k1 = CompanyFactory(customer_number="K-1")
    k2 = CompanyFactory(customer_number="K-2")
    m = Variant.objects.get(item_number="I-M")
    kept = AgreedPriceFactory(company=k1, product=product, price=Decimal("450.00"))
    dropped = AgreedPriceFactory(company=k1, product=product, variant=m, price=Decimal("1.00"))
    other = AgreedPriceFactory(company=k2, product=product, price=Decimal("9.00"))
    upsert = price_list(
        {
            "customer_number": "K-1",
            "product_number": "P-1",
            "price": "440",
            "valid_to": "2030-12-31",
        },
    )
    assert upsert.counts == {
        "rows": 1,
        "new": 0,
        "changed": 1,
        "unchanged": 0,
        "deactivated": 0,
        "errors": 0,
    }
    assert upsert.changes["changed"][0]["fields"] == [
        {"field": "price", "old": "450.00", "new": "440.00"},
        {"field": "valid_to", "old": "", "new": "2030-12-31"},
    ]
    full = price_list(
        {"customer_number": "K-1", "product_number": "P-1", "price": "440"},
        {"customer_number": "K-1", "item_number": "I-S", "price": "400"},
        mode=ImportMode.FULL,
        apply=True,
    )
    assert full.counts["deactivated"] == 1 and full.counts["new"] == 1
    assert not AgreedPrice.objects.filter(pk=dropped.pk).exists()
    kept.refresh_from_db()
    assert kept.price == Decimal("440.00") and kept.valid_to is None
    assert AgreedPrice.objects.get(pk=other.pk).price == Decimal("9.00")
    assert AgreedPrice.objects.get(company=k1, variant__item_number="I-S").price == Decimal(
        "400.00"
    )


def test_a_price_list_preview_is_stale_after_a_change_to_its_customer_price_rows():
    from kvote.catalog.errors import CatalogueError
    from kvote.catalog.imports.services import import_apply
    from kvote.common.errors import ServiceError

    product = small_catalogue()
    k1 = CompanyFactory(customer_number="K-1")
    k2 = CompanyFactory(customer_number="K-2")
    price = AgreedPriceFactory(company=k1, product=product, price=Decimal("450.00"))
    unrelated = AgreedPriceFactory(company=k2, product=product, price=Decimal("9.00"))
    staff = supplier_staff()
    content = csv_bytes(
        [{"customer_number": "K-1", "product_number": "P-1", "price": "1"}], columns=COLUMNS
    )
    first = start(staff, content, kind=ImportKind.PRICE_LIST)
    AgreedPrice.objects.filter(pk=unrelated.pk).update(price=Decimal("8.00"))
    import_apply(actor=staff, import_id=first.pk)  # another customer's change: not stale
    second = start(staff, content.replace(b";1\r\n", b";2\r\n"), kind=ImportKind.PRICE_LIST)
    AgreedPrice.objects.filter(pk=price.pk).update(valid_from=date(2020, 1, 1))
    with pytest.raises(ServiceError) as refused:
        import_apply(actor=staff, import_id=second.pk)
    assert refused.value.code == CatalogueError.STALE
    assert AgreedPrice.objects.get(pk=price.pk).price == Decimal("1.00")
