"""The cart answers in place: adding from the product page with htmx (the confirmation with the
cart's new count and total, the header's badge out of band, a refusal at the quantity with
nothing changed), the header's mini-cart (the actor's own cart, in a fixed number of queries),
and the badge following a line saved in the cart. The browser's side is
tests/e2e/test_journey_cart_answers.py."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvote.catalog.models import AssortmentItem, Variant
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_add
from kvote.checkout.views.cart import CART_CHANGED_EVENT
from kvote.common.money import format_nok
from kvote.companies.models import Company
from kvote.people.models import User
from tests.factories import CompanyFactory, VariantFactory, member

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
QUANTITY_MESSAGE = "The quantity must be a whole number from 1 to 999."
NOT_AVAILABLE = "This product variant is not available to you."


@pytest.fixture
def client(buyer: User) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


@pytest.fixture
def variant() -> Variant:
    return VariantFactory(product__list_price=Decimal("500.00"))


def nok(amount: str) -> str:
    return " ".join(format_nok(Decimal(amount), "en").split())


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def element(html: str, element_id: str) -> str:
    """The whole element with this id (its opening tag and content)."""
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', html, flags=re.S)
    assert found, f"no #{element_id} in the answer"
    return found.group(0)


def add(client: Client, data: dict[str, str], htmx: bool = True) -> HttpResponse:
    response: HttpResponse = client.post(
        reverse("checkout:cart_add"), data, **(HTMX if htmx else {})
    )
    return response


def lines_of(user: User) -> list[tuple[int, int]]:
    return list(
        CartLine.objects.filter(cart__user=user)
        .order_by("pk")
        .values_list("variant_id", "quantity")
    )


# --- adding from the product page ----------------------------------------------------------------


def test_an_htmx_add_answers_with_the_confirmation_the_count_and_total_and_the_badge(
    client: Client, buyer: User, variant: Variant
) -> None:
    other = VariantFactory(product__list_price=Decimal("100.00"))
    cart_add(actor=buyer, variant_id=other.pk, quantity=3)

    response = add(client, {"variant_id": str(variant.pk), "quantity": "2"})

    assert response.status_code == 200
    html = response.content.decode()
    said = text(html)
    product = variant.product.display_name
    assert f"Added to cart: 2 × {product} (item number {variant.item_number})." in said
    # 2 lines: 3 × 100 + 2 × 500 = 1 300 excl. VAT.
    assert f"Cart: 2 items, {nok('1300.00')} excl. VAT." in said
    assert f'href="{reverse("checkout:cart")}"' in html
    assert f'href="{reverse("checkout:checkout")}"' in html
    badge = element(html, "cart-count")
    assert 'hx-swap-oob="true"' in badge
    assert 'data-count="2"' in badge
    error = element(html, "cart-add-error")
    assert 'hx-swap-oob="true"' in error and text(error) == ""
    assert response["HX-Trigger"] == CART_CHANGED_EVENT
    assert lines_of(buyer) == [(other.pk, 3), (variant.pk, 2)]


def test_an_add_without_script_goes_back_with_a_message(
    client: Client, buyer: User, variant: Variant
) -> None:
    back = reverse("catalog:product", args=[variant.product_id])
    response = add(
        client, {"variant_id": str(variant.pk), "quantity": "2", "next": back}, htmx=False
    )
    assert (response.status_code, response["Location"]) == (302, back)
    assert lines_of(buyer) == [(variant.pk, 2)]


def other_company_variant(company: Company) -> Variant:
    """A product of another company's own assortment, while this company orders only from
    its own."""
    ours = VariantFactory()
    theirs = VariantFactory()
    company.restrict_assortment = True
    company.save()
    AssortmentItem.objects.create(company=company, product=ours.product)
    AssortmentItem.objects.create(company=CompanyFactory(), product=theirs.product)
    return theirs


@pytest.mark.parametrize(
    ("case", "quantity", "message", "field"),
    [
        ("zero", "0", QUANTITY_MESSAGE, "quantity"),
        ("too many", "1000", QUANTITY_MESSAGE, "quantity"),
        ("not a number", "två", QUANTITY_MESSAGE, "quantity"),
        ("unknown variant", "2", NOT_AVAILABLE, ""),
        ("another company's variant", "2", NOT_AVAILABLE, ""),
        ("over the line's limit", "999", "You already have 1 in the cart", "quantity"),
    ],
)
def test_a_refused_add_says_why_at_the_quantity_and_changes_nothing(
    client: Client,
    buyer: User,
    company: Company,
    variant: Variant,
    case: str,
    quantity: str,
    message: str,
    field: str,
) -> None:
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    variant_id = str(variant.pk)
    if case == "unknown variant":
        variant_id = "999999"
    elif case == "another company's variant":
        variant_id = str(other_company_variant(company).pk)
    before = lines_of(buyer)

    response = add(client, {"variant_id": variant_id, "quantity": quantity})

    assert response.status_code == 200
    html = response.content.decode()
    error = element(html, "cart-add-error")
    assert message in text(error)
    assert 'role="alert"' in error
    assert (f'data-field="{field}"' in error) == bool(field)
    assert "Added to cart" not in html
    assert 'data-count="1"' in element(html, "cart-count")
    assert "HX-Trigger" not in response
    assert lines_of(buyer) == before


@pytest.mark.parametrize(
    "data",
    [{}, {"variant_id": "x", "quantity": "1"}, {"variant_id": "-1", "quantity": "-1"}],
)
def test_a_malformed_add_never_fails_the_server(client: Client, buyer: User, data) -> None:
    response = add(client, data)
    assert response.status_code == 200
    assert text(element(response.content.decode(), "cart-add-error"))
    assert lines_of(buyer) == []
    response = add(client, data, htmx=False)
    assert response.status_code == 302
    assert lines_of(buyer) == []


def test_the_product_page_adds_in_place_and_keeps_a_plain_form(
    client: Client, variant: Variant
) -> None:
    html = client.get(reverse("catalog:product", args=[variant.product_id])).content.decode()
    url = reverse("checkout:cart_add")
    form = re.search(rf'<form method="post" action="{url}"[^>]*>', html)
    assert form
    assert f'hx-post="{url}"' in form.group(0)
    assert 'hx-target="#cart-add-answer"' in form.group(0)
    assert re.search(r'<div id="cart-add-answer"[^>]* role="status"', html)
    assert 'aria-describedby="cart-add-error"' in html


# --- the header's mini-cart ----------------------------------------------------------------------


def summary(client: Client) -> HttpResponse:
    response: HttpResponse = client.get(reverse("checkout:cart_summary"), **HTMX)
    return response


def test_the_mini_cart_of_an_empty_cart_says_so(client: Client) -> None:
    response = summary(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your cart is empty." in text(html)
    assert reverse("checkout:checkout") not in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_mini_cart_shows_each_line_its_picture_and_the_total(
    client: Client, buyer: User, variant: Variant
) -> None:
    cart_add(actor=buyer, variant_id=variant.pk, quantity=2)
    cheap = VariantFactory(product__list_price=Decimal("100.00"))
    cart_add(actor=buyer, variant_id=cheap.pk, quantity=1)

    html = summary(client).content.decode()
    said = text(html)
    assert variant.product.display_name in said
    assert f"{variant.display_colour}, size {variant.size} · 2 pcs. {nok('1000.00')}" in said
    assert f"{cheap.display_colour}, size {cheap.size} · 1 pcs. {nok('100.00')}" in said
    assert f"Total excl. VAT {nok('1100.00')}" in said
    badge = element(html, "cart-count")
    assert 'hx-swap-oob="true"' in badge and 'data-count="2"' in badge
    assert html.count('class="kv-picture"') == 2
    assert 'sizes="48px"' in html or "placeholder" in html or "<img" in html
    assert f'href="{reverse("checkout:cart")}"' in html
    assert f'href="{reverse("checkout:checkout")}"' in html


def test_the_mini_cart_is_the_actors_own_cart_only(
    client: Client, buyer: User, company: Company, variant: Variant
) -> None:
    colleague = member(company)
    stranger = member(CompanyFactory())
    mine = VariantFactory()
    cart_add(actor=buyer, variant_id=mine.pk, quantity=1)
    cart_add(actor=colleague, variant_id=variant.pk, quantity=5)
    cart_add(actor=stranger, variant_id=variant.pk, quantity=7)

    said = text(summary(client).content.decode())
    assert mine.product.display_name in said
    assert variant.product.display_name not in said


def test_the_mini_cart_needs_a_login() -> None:
    url = reverse("checkout:cart_summary")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Session and user; the cart, its lines, their prices (one query) and the pictures of every
# line (one query); the header's line count (the context processor, on every render). The same
# with 3 lines and with 40.
SUMMARY_QUERIES = 7


def summary_queries(client: Client, buyer: User, lines: int) -> int:
    for _ in range(lines):
        cart_add(actor=buyer, variant_id=VariantFactory().pk, quantity=1)
    with CaptureQueriesContext(connection) as queries:
        response = summary(client)
    assert response.status_code == 200
    assert text(response.content.decode()).count(" pcs.") == lines
    return len(queries)


@pytest.mark.parametrize("lines", [3, 40])
def test_the_mini_cart_makes_a_fixed_number_of_queries(
    client: Client, buyer: User, lines: int
) -> None:
    assert summary_queries(client, buyer, lines) == SUMMARY_QUERIES


# --- the badge follows the cart page's saves ----------------------------------------------------


def test_a_line_saved_in_the_cart_updates_the_header_badge(
    client: Client, buyer: User, variant: Variant
) -> None:
    line = cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    cart_add(actor=buyer, variant_id=VariantFactory().pk, quantity=1)
    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]), {"quantity": "4"}, **HTMX
    )
    assert response.status_code == 200
    badge = element(response.content.decode(), "cart-count")
    assert 'hx-swap-oob="true"' in badge and 'data-count="2"' in badge
    assert response["HX-Trigger"] == CART_CHANGED_EVENT

    refused = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]), {"quantity": "0"}, **HTMX
    )
    assert "HX-Trigger" not in refused
    assert 'data-count="2"' in element(refused.content.decode(), "cart-count")
