"""The catalogue marks what the person a line is for is entitled to («I utstyrspakken – 1 igjen»,
«Brukt opp») and filters to it («Bare mitt utstyr»): kvote.catalog.entitlements, read by
kvote.checkout.selectors.catalogue_entitlement (whom the line is for: the cart's rule)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import Category, Product, Variant
from kvote.checkout.services import order_submit
from kvote.people.models import Employee, User
from tests.factories import (
    CategoryFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    give_kit,
)
from tests.world import Fjord

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:list")

# The catalogue's pins (kvote/catalog/tests/test_views.py: 10 for the list, 10 for a product
# page, of which two ask for the own employee and whether they have a kit, with its items)
# and, with a kit, what counts against it: one more.
LIST_KIT_QUERIES = 11
PRODUCT_KIT_QUERIES = 11


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def marks(page: str) -> dict[str, str]:
    """Each card's mark by the product's name ("" for none)."""
    found = {}
    for card in re.findall(
        r'<li class="ds-card kv-card">(.*?)</li>\s*(?=<li class="ds-card|</ul>)', page, re.S
    ):
        name = re.search(r'kv-card__link"[^>]*>(.*?)</a>', card, re.S)
        mark = re.search(r'<p class="ds-paragraph kv-kit-mark".*?</p>', card, re.S)
        assert name
        found[name.group(1)] = (
            " ".join(re.sub(r"<[^>]+>", " ", mark.group(0)).split()) if mark else ""
        )
    return found


def order(
    actor: User, variant: Variant, quantity: int, key: str, recipient: Employee | None = None
) -> None:
    fill_cart(actor, variant, quantity=quantity, recipient=recipient)
    order_submit(actor=actor, idempotency_key=key)


class Goods:
    def __init__(self) -> None:
        self.jackets: Category = CategoryFactory(name="Jakker", name_en="Jackets", slug="jakker")
        self.jacket: Variant = VariantFactory(
            product__category=self.jackets,
            product__name_en="Work jacket",
            product__list_price=Decimal("100.00"),
        )
        self.parka: Variant = VariantFactory(
            product__category=self.jackets,
            product__name_en="Parka",
            product__list_price=Decimal("100.00"),
        )
        shoes = CategoryFactory(name="Sko", name_en="Shoes", slug="sko")
        caps = CategoryFactory(name="Caps", name_en="Caps", slug="caps")
        self.shoe: Variant = VariantFactory(
            product__category=shoes,
            product__name_en="Safety shoe",
            product__list_price=Decimal("100.00"),
        )
        self.cap: Variant = VariantFactory(
            product__category=caps, product__name_en="Cap", product__list_price=Decimal("100.00")
        )

    @property
    def shoe_product(self) -> Product:
        return self.shoe.product


@pytest.fixture
def goods(db: None) -> Goods:
    return Goods()


def test_the_cards_mark_what_the_own_kit_holds_and_what_is_left(holder: User, goods: Goods) -> None:
    give_kit(holder.employee, (goods.jackets, 2), (goods.shoe_product, 1))
    order(holder, goods.shoe, 1, "a")
    order(holder, goods.jacket, 1, "b")
    page = client_for(holder).get(LIST).content.decode()
    assert marks(page) == {
        "Work jacket": "In the kit – 1 left",  # the category's item: 2, one used
        "Parka": "In the kit – 1 left",
        "Safety shoe": "In the kit – used up",
        "Cap": "",
    }
    assert "Only my equipment" in page and 'name="recipient"' not in page
    assert "what your kit Elektriker gives you this period" in page


def test_only_my_equipment_filters_to_the_kit(holder: User, goods: Goods) -> None:
    give_kit(holder.employee, (goods.jackets, 2), (goods.shoe_product, 1))
    client = client_for(holder)
    response = client.get(LIST, {"kit": "1"})
    assert sorted(marks(response.content.decode())) == ["Parka", "Safety shoe", "Work jacket"]
    assert 'id="id_kit" name="kit" value="1" checked' in response.content.decode()
    # with a search and a category too
    assert list(marks(client.get(LIST, {"kit": "1", "q": "parka"}).content.decode())) == ["Parka"]
    empty = client.get(LIST, {"kit": "1", "q": "cap"}).content.decode()
    assert marks(empty) == {} and "No products match «cap»." in empty


def test_without_a_kit_nothing_is_marked_and_the_filter_filters_nothing(
    holder: User, goods: Goods
) -> None:
    page = client_for(holder).get(LIST, {"kit": "1"}).content.decode()
    assert set(marks(page).values()) == {""} and len(marks(page)) == 4
    assert 'id="id_kit"' not in page


def test_a_buyer_sees_the_chosen_recipients_kit(
    buyer: User, team: list[Employee], goods: Goods
) -> None:
    anne = team[0]
    give_kit(anne, (goods.shoe_product, 2), name="Lager")
    order(buyer, goods.shoe, 1, "a", recipient=anne)
    page = client_for(buyer).get(LIST, {"recipient": anne.pk, "kit": "1"}).content.decode()
    assert marks(page) == {"Safety shoe": "In the kit – 1 left"}
    assert f"Only the equipment of {anne.name}" in page
    assert f'<input type="hidden" name="recipient" value="{anne.pk}">' in page
    assert f"what the kit Lager of {anne.name} gives" in page
    assert re.search(rf'href="/[^"]*/{goods.shoe_product.pk}/\?recipient={anne.pk}"', page)
    # and the product page says so
    product = (
        client_for(buyer)
        .get(reverse("catalog:product", args=[goods.shoe_product.pk]), {"recipient": anne.pk})
        .content.decode()
    )
    assert "In the kit – 1 left" in product and f"In the kit of {anne.name}." in product


def test_one_who_orders_for_themselves_only_sees_their_own_kit_whatever_is_asked(
    holder: User, team: list[Employee], fjord: Fjord, goods: Goods
) -> None:
    anne = team[0]
    give_kit(holder.employee, (goods.jackets, 2), name="Eget")
    give_kit(anne, (goods.shoe_product, 2), name="Annes")
    stranger = EmployeeFactory(company=fjord.company)
    give_kit(stranger, (goods.cap.product, 5), name="Fjords")
    client = client_for(holder)
    for asked in (anne.pk, stranger.pk, 0, "x"):
        page = client.get(LIST, {"recipient": asked}).content.decode()
        assert "what your kit Eget gives you" in page, asked
        assert marks(page)["Safety shoe"] == "" and marks(page)["Cap"] == ""
        assert 'name="recipient"' not in page


def test_a_buyer_cannot_see_another_companys_kit(buyer: User, fjord: Fjord, goods: Goods) -> None:
    stranger = EmployeeFactory(company=fjord.company)
    give_kit(stranger, (goods.cap.product, 5), name="Fjords")
    page = client_for(buyer).get(LIST, {"recipient": stranger.pk}).content.decode()
    assert "Fjords" not in page and set(marks(page).values()) == {""}


def test_the_product_page_marks_the_own_kit(holder: User, goods: Goods) -> None:
    give_kit(holder.employee, (goods.jackets, 1))
    order(holder, goods.jacket, 1, "a")
    client = client_for(holder)
    page = client.get(reverse("catalog:product", args=[goods.parka.product.pk])).content.decode()
    assert "In the kit – used up" in page and "In the kit of" not in page
    cap = client.get(reverse("catalog:product", args=[goods.cap.product.pk])).content.decode()
    assert "kv-kit-mark" not in cap


def test_the_catalogue_with_a_kit_makes_a_fixed_number_of_queries(
    holder: User, goods: Goods, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    give_kit(holder.employee, (goods.jackets, 50), (goods.shoe_product, 1))
    client = client_for(holder)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"kit": "1"})
    for n in range(12):
        variant = VariantFactory(
            product__category=goods.jackets, product__list_price=Decimal("10.00")
        )
        order(holder, variant, 1, f"m{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST, {"kit": "1"}).content.decode()
    assert len(marks(page)) == 15 and marks(page)["Parka"] == "In the kit – 38 left"
    assert len(few) == len(many)
    with django_assert_num_queries(LIST_KIT_QUERIES):
        client.get(LIST, {"kit": "1"})
    with django_assert_num_queries(PRODUCT_KIT_QUERIES):
        client.get(reverse("catalog:product", args=[goods.parka.product.pk]))
