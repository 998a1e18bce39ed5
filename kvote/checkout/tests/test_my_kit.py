"""«Mitt utstyr» on Min side: the own employee's kit, item by item (allowed, used, remaining, the
part awaiting approval), read by kvote.kits.selectors.kits_for_employees."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import Variant
from kvote.checkout.services import order_submit
from kvote.people.models import User
from tests.factories import CategoryFactory, VariantFactory, fill_cart, give_kit

pytestmark = pytest.mark.django_db

# Min side's queries (kvote/checkout/tests/test_budget_pages.py: MY_PAGE_QUERIES = 12, one of
# them reads the kit with its items) and, with a kit, what counts against it: one more.
MY_PAGE_KIT_QUERIES = 13


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def items_of(page: str) -> list[dict[str, str]]:
    """Each kit item of «Mitt utstyr»: its figures (data attributes) and its words."""
    found = []
    for attrs, body in re.findall(r'<li class="kv-kit-item[^"]*"([^>]*)>(.*?)</li>', page, re.S):
        figures = dict(re.findall(r'data-(allowed|used|pending|remaining)="(-?\d+)"', attrs))
        label = re.search(r'kv-kit-item__label">(.*?)</span>', body, re.S)
        words = re.sub(r"<[^>]+>", " ", body.split('kv-kit-item__words" data-size="sm">', 1)[1])
        assert label
        found.append({**figures, "label": label.group(1), "words": " ".join(words.split())})
    return found


def order(actor: User, variant: Variant, quantity: int, key: str) -> None:
    fill_cart(actor, variant, quantity=quantity)
    order_submit(actor=actor, idempotency_key=key)


@pytest.fixture
def kit_world(holder: User) -> tuple[Variant, Variant]:
    jackets = CategoryFactory(name="Jakker", name_en="Jackets")
    jacket = VariantFactory(product__category=jackets, product__list_price=Decimal("100.00"))
    shoe = VariantFactory(product__name_en="Safety shoe", product__list_price=Decimal("200.00"))
    give_kit(holder.employee, (jackets, 3), (shoe.product, 1), name="Elektriker")
    return jacket, shoe


def test_my_page_shows_each_kit_item_allowed_used_and_remaining(
    holder: User, kit_world: tuple[Variant, Variant]
) -> None:
    jacket, _shoe = kit_world
    order(holder, jacket, 2, "a")  # kr 200 of the holder's kr 1 000: released
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    assert 'id="kit-heading"' in page and "<strong>Elektriker</strong>" in page
    assert items_of(page) == [
        {
            "allowed": "3",
            "used": "2",
            "pending": "0",
            "remaining": "1",
            "label": "Jackets",
            "words": "2 of 3 used, 1 left",
        },
        {
            "allowed": "1",
            "used": "0",
            "pending": "0",
            "remaining": "1",
            "label": "Safety shoe",
            "words": "0 of 1 used, 1 left",
        },
    ]


def test_pending_pieces_are_said_and_an_item_beyond_the_kit_is_marked(
    holder: User, kit_world: tuple[Variant, Variant]
) -> None:
    jacket, shoe = kit_world
    order(holder, shoe, 2, "a")  # kr 400: within the budget, beyond the kit → approval
    order(holder, jacket, 3, "b")  # used up
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    jackets, shoes = items_of(page)
    assert jackets["words"] == "3 of 3 used, 0 left" and "Used up" in page
    assert (shoes["used"], shoes["pending"], shoes["remaining"]) == ("2", "2", "-1")
    assert shoes["words"] == "2 of 1 used, 1 beyond the kit of which 2 await approval"
    assert 'kv-kit-item kv-kit-item--over"' in page and "Beyond the kit" in page
    # The bar is as wide as what is used, and marks where the kit ends.
    assert 'class="kv-use-bar kv-use-bar--over"' in page and 'x1="50%"' in page


def test_without_a_kit_there_is_no_section(holder: User) -> None:
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    assert 'id="kit-heading"' not in page


def test_my_page_with_a_kit_makes_a_fixed_number_of_queries(
    holder: User,
    kit_world: tuple[Variant, Variant],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    jacket, _shoe = kit_world
    client = client_for(holder)
    url = reverse("checkout:my_page")
    order(holder, jacket, 1, "a")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        order(holder, VariantFactory(product__category=jacket.product.category), 1, f"m{i}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert items_of(page)[0]["used"] == "7"
    assert len(few) == len(many)
    with django_assert_num_queries(MY_PAGE_KIT_QUERIES):
        client.get(url)
