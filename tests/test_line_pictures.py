"""Pictures everywhere a garment is named, and its stock where the choice is made: every page
that lists lines (the cart, the review, the confirmation, the order, the approval queue, the
drill-down, Min side) shows each line's small picture with its alt text and srcset, and reads
the same number of queries for 3 lines as for 40; the product page's size picker likewise for 3
and for 40 sizes."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvote.budgets.selectors import MY_BUDGET_LINES
from kvote.catalog.models import Product
from kvote.checkout.services import order_submit
from kvote.ordering.models import Order, OrderState
from kvote.people.models import User
from tests.factories import ProductFactory, VariantFactory, fill_cart, ready_image
from tests.world import holder_of, leader_of, nordlys

pytestmark = pytest.mark.django_db

PAGE_SIZE = 24  # the drill-down's page (settings.KVOTE_PAGE_SIZE, set below)
PICTURE = re.compile(r"<picture .*?</picture>", re.S)

# The pinned counts, each the same for 3 and for 40 lines; each page reads its lines' pictures
# in one query (kvote.catalog.images.colour_pictures, through kvote.ordering.selectors
# .lines_shown for order lines). Kits (kvote.kits.selectors) add one query where a page asks
# who has one (review, queue, drill-down, Min side); the drill-down reads the employee's sizes
# too (kvote.catalog.sizes).
QUERIES = {
    "cart": 8,
    "review": 11,
    "confirmation": 7,
    "order": 7,
    "queue": 11,
    "drill_down": 10,
    "my_page": 12,  # 13 when the budget's lines fill more than a page (their count)
}


@dataclass
class Shop:
    holder: User
    leader: User
    order: Order

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def shop_with(lines: int) -> Shop:
    """A company whose budget holder ordered `lines` products (every other one with a ready
    picture of its colour), beyond the budget (so it awaits the leader), and has the same in
    the cart again."""
    company = nordlys()
    leader = leader_of(company)
    holder = holder_of(company, leader)
    variants = []
    for n in range(lines):
        variant = VariantFactory(product__list_price=Decimal("500.00"), stock=n % 3)
        if n % 2 == 0:
            ready_image(variant.product, colour=variant.colour)
        variants.append(variant)
        fill_cart(holder, variant, recipient=holder.employee)
    order = order_submit(actor=holder, idempotency_key=f"pictures-{lines}")
    assert order.state == OrderState.AWAITING_APPROVAL
    for variant in variants:
        fill_cart(holder, variant, recipient=holder.employee)
    return Shop(holder=holder, leader=leader, order=order)


PAGES: dict[str, tuple[str, Callable[[Shop], str]]] = {
    "cart": ("holder", lambda shop: reverse("checkout:cart")),
    "review": ("holder", lambda shop: reverse("checkout:checkout_review")),
    "confirmation": (
        "holder",
        lambda shop: reverse("checkout:order_confirmation", args=[shop.order.pk]),
    ),
    "order": ("holder", lambda shop: reverse("ordering:order_detail", args=[shop.order.pk])),
    "queue": ("leader", lambda shop: reverse("approvals:queue")),
    "drill_down": (
        "leader",
        lambda shop: reverse("employee_purchases", args=[shop.holder.employee.pk]),
    ),
    "my_page": ("holder", lambda shop: reverse("checkout:my_page")),
}


def measured(shop: Shop, page: str) -> tuple[int, str]:
    who, url_of = PAGES[page]
    client = shop.client(getattr(shop, who))
    url = url_of(shop)
    assert client.get(url).status_code == 200  # the session settles
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


@pytest.mark.parametrize("page", list(PAGES))
def test_every_line_shows_its_picture_and_the_queries_do_not_grow_with_the_lines(
    page: str, settings
) -> None:
    settings.KVOTE_PAGE_SIZE = PAGE_SIZE
    counts = []
    for lines in (3, 40):
        count, html = measured(shop_with(lines), page)
        counts.append(count)
        pictures = PICTURE.findall(html)
        shown = {"drill_down": PAGE_SIZE, "my_page": MY_BUDGET_LINES}.get(page, lines)
        assert len(pictures) == min(lines, shown), page
        ready = [p for p in pictures if "srcset=" in p]
        assert len(ready) == (len(pictures) + 1) // 2, page  # every other one has a picture
        for picture in ready:
            assert re.search(r'alt="Work jacket \d+, Navy"', picture), picture
            assert 'sizes="4rem"' in picture and " 400w" in picture, picture
            assert 'width="800" height="800"' in picture, picture
        # The first line's picture loads at once, the others when they come near.
        assert 'loading="lazy"' not in pictures[0]
        assert all('loading="lazy"' in p for p in pictures[1:])
    paged = 1 if page == "my_page" else 0  # 40 lines: Min side counts its budget's lines
    assert counts == [QUERIES[page], QUERIES[page] + paged], (page, counts)


def test_the_order_pages_say_the_expected_delivery_and_that_it_is_todays_estimate() -> None:
    shop = shop_with(3)  # stock 0, 1, 2 of quantity 1: one back order without a date
    note = "Expected delivery is today's estimate from the supplier's stock"
    for page in ("confirmation", "order"):
        _count, html = measured(shop, page)
        assert html.count('class="ds-tag kv-delivery"') == 3, page
        assert "Back order – no delivery date yet" in html and note in html, page
        assert "Some products have no delivery date yet: see each product" in html, page
    _count, queue = measured(shop, "queue")
    assert "kv-delivery" not in queue  # the approver decides; delivery is the orderer's page
    shop.order.state = OrderState.SHIPPED
    shop.order.save()
    _count, shipped = measured(shop, "order")
    assert "kv-delivery" not in shipped and note not in shipped


def product_with_sizes(sizes: int) -> Product:
    product: Product = ProductFactory()
    for n in range(sizes):
        VariantFactory(product=product, colour="Sort", size=f"S{n}", size_position=n, stock=n % 7)
    ready_image(product, colour="Sort")
    return product


def test_the_size_picker_reads_the_same_queries_for_3_and_40_sizes(buyer: User) -> None:
    client = Client()
    client.force_login(buyer)
    counts = []
    for sizes in (3, 40):
        url = reverse("catalog:product", args=[product_with_sizes(sizes).pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        counts.append(len(queries))
        assert html.count('class="kv-size-chip__stock"') == sizes
    # session, user (with the company's assortment setting and whether the buyer is a budget
    # holder), cart count, product, variants, the recipients with their sizes, price,
    # pictures, and whose kit marks it (the own employee, whether they have a kit)
    assert counts == [10, 10]
