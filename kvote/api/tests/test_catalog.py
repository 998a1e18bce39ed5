"""The catalogue and the delivery addresses through the API: the caller's company's products,
prices and addresses only."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvote.api.tests.core_helpers import Api
from kvote.catalog.models import AssortmentItem, ProductImage
from tests.factories import (
    AgreedPriceFactory,
    DeliveryAddressFactory,
    ProductFactory,
    VariantFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(company):
    """A buyer of the world's company who reads Norwegian (the world's people read English)."""
    return Api(member(company, language="nb"))


def test_products_have_variants_with_sku_colour_size_and_the_companys_price(company, api):
    listed = VariantFactory(product__list_price=Decimal("500.00"), colour="Marine", size="M")
    VariantFactory(product=listed.product, colour="Marine", size="L", item_number="J-L")
    VariantFactory(product=listed.product, size="XL", is_active=False)
    agreed = AgreedPriceFactory(company=company, price=Decimal("99.50"))
    VariantFactory(product=agreed.product, item_number="S-1")
    AgreedPriceFactory(price=Decimal("1.00"), product=listed.product)  # another company's

    body = api.get("/products").json()
    assert body["count"] == 2
    by_code = {p["code"]: p for p in body["items"]}
    jacket = by_code[listed.product.code]
    assert jacket["price"] == "500.00"
    assert jacket["name"] == listed.product.name
    assert jacket["category"] == listed.product.category.name
    assert sorted((v["sku"], v["colour"], v["size"], v["price"]) for v in jacket["variants"]) == [
        ("J-L", "Marine", "L", "500.00"),
        (listed.item_number, "Marine", "M", "500.00"),
    ]
    assert by_code[agreed.product.code]["variants"][0]["price"] == "99.50"


def test_search_and_paging(api):
    VariantFactory(product__name="Regnjakke", item_number="RJ-1")
    VariantFactory(product__name="Fleecegenser", item_number="FG-1")
    assert [p["name"] for p in api.get("/products", {"q": "regn"}).json()["items"]] == ["Regnjakke"]
    assert api.get("/products", {"q": "FG-1"}).json()["count"] == 1
    page = api.get("/products", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert api.get("/products", {"q": "x" * 201}).status_code == 400
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "all"}):
        response = api.get("/products", bad)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"


def test_a_restricted_assortment_shows_only_its_products(company, api):
    inside = VariantFactory()
    VariantFactory()
    company.restrict_assortment = True
    company.save()
    AssortmentItem.objects.create(company=company, product=inside.product)
    assert [p["id"] for p in api.get("/products").json()["items"]] == [inside.product.pk]


def test_products_read_a_fixed_number_of_queries(api, django_assert_num_queries):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/products").status_code == 200
        return len(queries)

    VariantFactory()
    count()
    few = count()
    for _ in range(10):
        product = ProductFactory()
        VariantFactory.create_batch(3, product=product)
    assert count() == few
    # token (with the user and their company, whose assortment flag it holds), count, products
    # (with price and category), variants, their prices, their pictures
    with django_assert_num_queries(6):
        api.get("/products")


def test_addresses_are_the_companys_active_ones_default_first(company, api):
    DeliveryAddressFactory(company=company, label="B-lager")
    default = DeliveryAddressFactory(company=company, label="Z-lager", is_default=True)
    DeliveryAddressFactory(company=company, label="Old", is_active=False)
    DeliveryAddressFactory(label="Foreign")
    body = api.get("/addresses").json()
    assert [a["label"] for a in body["items"]] == ["Z-lager", "B-lager"]
    assert body["items"][0] == {
        "id": default.pk,
        "label": "Z-lager",
        "name": default.recipient_name,
        "street": default.street,
        "postal_code": default.postal_code,
        "city": default.city,
        "country": "NO",
        "is_default": True,
    }


def test_addresses_read_a_fixed_number_of_queries(company, api, django_assert_num_queries):
    DeliveryAddressFactory(company=company)
    api.get("/addresses")
    DeliveryAddressFactory.create_batch(10, company=company)
    with django_assert_num_queries(3):  # token, count, addresses
        assert api.get("/addresses").json()["count"] == 11


def test_catalogue_needs_a_login(client):
    for path in ("/api/v1/products", "/api/v1/addresses"):
        assert client.get(path).status_code == 401


def test_each_variant_says_its_stock(api):
    product = ProductFactory()
    VariantFactory(product=product, item_number="IN", stock=40, size="S", size_position=1)
    VariantFactory(product=product, item_number="FEW", stock=2, size="M", size_position=2)
    VariantFactory(
        product=product,
        item_number="OUT",
        stock=0,
        restock_date=date(2099, 12, 14),
        size="L",
        size_position=3,
    )
    VariantFactory(
        product=product, item_number="MTO", stock=0, lead_time_days=10, size="XL", size_position=4
    )
    variants = api.get("/products").json()["items"][0]["variants"]
    assert {v["sku"]: v["stock"] for v in variants} == {
        "IN": {"on_hand": 40, "restock_date": None, "lead_time_days": None, "status": "in_stock"},
        "FEW": {"on_hand": 2, "restock_date": None, "lead_time_days": None, "status": "few_left"},
        "OUT": {
            "on_hand": 0,
            "restock_date": "2099-12-14",
            "lead_time_days": None,
            "status": "out_of_stock",
        },
        "MTO": {
            "on_hand": 0,
            "restock_date": None,
            "lead_time_days": 10,
            "status": "made_to_order",
        },
    }


def test_products_carry_their_ready_pictures_as_absolute_urls_in_gallery_order(api):
    variant = VariantFactory()
    product = variant.product
    ready = {
        size: {
            "jpeg": f"products/renditions/x-{size}.jpg",
            "webp": f"products/renditions/x-{size}.webp",
            "width": width,
            "height": width,
        }
        for size, width in (("card", 400), ("page", 800), ("zoom", 1600))
    }
    ProductImage.objects.create(
        product=product, position=2, status="ready", renditions=ready, alt="Baksiden"
    )
    ProductImage.objects.create(
        product=product,
        position=1,
        status="ready",
        renditions=ready,
        alt="Forsiden",
        colour="Marine",
    )
    ProductImage.objects.create(product=product, position=0, status="pending")
    ProductImage.objects.create(product=product, position=0, status="failed", error="404")
    [item] = api.get("/products").json()["items"]
    assert [(i["alt"], i["colour"]) for i in item["images"]] == [
        ("Forsiden", "Marine"),
        ("Baksiden", ""),
    ]
    assert all(
        i["url"].startswith("http://testserver/media/products/renditions/") for i in item["images"]
    )


def test_a_product_without_ready_pictures_has_none(api):
    VariantFactory()
    [item] = api.get("/products").json()["items"]
    assert item["images"] == []
