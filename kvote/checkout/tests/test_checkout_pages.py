"""The checkout says its limits where they are typed and cuts nothing without a word; the
confirmation is a success with the order's lines, totals, delivery and what happens next."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kvote.checkout.models import Cart
from kvote.checkout.services import cart_add, order_submit
from kvote.companies.models import Company
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee, User
from tests.asserts import TABLE, assert_each_row_is_a_card
from tests.factories import ONE_OFF_ADDRESS, VariantFactory, fill_cart, place_order

pytestmark = pytest.mark.django_db

REFERENCE_TOO_LONG = "Your reference can be at most 100 characters."


@pytest.fixture
def client(buyer: User) -> Client:
    client = Client()
    client.force_login(buyer)
    cart_add(actor=buyer, variant_id=VariantFactory().pk, quantity=1)
    return client


def field_tag(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]* name="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_text_field_of_the_checkout_cuts_what_is_typed(client: Client) -> None:
    html = client.get(reverse("checkout:checkout")).content.decode()
    for name in ["customer_reference", *ONE_OFF_ADDRESS]:
        assert "maxlength" not in field_tag(html, name), name
    reference = field_tag(html, "customer_reference")
    assert 'aria-describedby="id_customer_reference-help"' in reference
    help_text = re.search(r'id="id_customer_reference-help">(.*?)</div>', html)
    assert help_text and "at most 100 characters" in help_text.group(1)


def test_a_reference_over_the_limit_is_refused_at_the_field_and_nothing_is_kept(
    client: Client, buyer: User
) -> None:
    data = {"delivery": "one_off", **ONE_OFF_ADDRESS}
    too_long = "P" * 101
    response = client.post(reverse("checkout:checkout"), {**data, "customer_reference": too_long})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{too_long}"' in html  # what was typed, whole
    error = re.search(r'id="id_customer_reference-error">(.*?)</p>', html)
    assert error and error.group(1) == REFERENCE_TOO_LONG
    assert 'class="ds-error-summary"' in html and html.index("ds-error-summary") < html.index(
        'name="customer_reference"'
    )
    cart = Cart.objects.get(user=buyer)
    assert (cart.customer_reference, cart.use_one_off_address) == ("", False)

    response = client.post(reverse("checkout:checkout"), {**data, "customer_reference": "P" * 100})
    assert response["Location"] == reverse("checkout:checkout_review")
    assert Cart.objects.get(user=buyer).customer_reference == "P" * 100


def test_a_one_off_address_over_its_limits_is_refused_at_the_field(
    client: Client, buyer: User
) -> None:
    data = {"delivery": "one_off", **ONE_OFF_ADDRESS, "one_off_name": "N" * 201}
    html = client.post(reverse("checkout:checkout"), data).content.decode()
    error = re.search(r'id="id_one_off_name-error">(.*?)</p>', html)
    assert error and error.group(1) == "The name or attention can be at most 200 characters."
    assert 'value="0155"' in html and Cart.objects.get(user=buyer).one_off_name == ""
    data = {"delivery": "one_off", **ONE_OFF_ADDRESS, "one_off_postal_code": "01550"}
    html = client.post(reverse("checkout:checkout"), data).content.decode()
    assert "A Norwegian postal code has four digits." in html and 'value="01550"' in html


# --- the confirmation ----------------------------------------------------------------------------


def test_the_confirmation_is_a_success_with_what_was_ordered_and_what_happens_next(
    buyer: User, team: list[Employee]
) -> None:
    client = Client()
    client.force_login(buyer)
    jacket = VariantFactory(product__list_price=Decimal("1000.00"), colour_en="Navy", size="L")
    cap = VariantFactory(product__list_price=Decimal("120.00"), colour_en="Black", size="One")
    fill_cart(buyer, jacket, quantity=2, recipient=team[0], reference="Prosjekt 7")
    fill_cart(buyer, cap, quantity=3, recipient=team[1], reference="Prosjekt 7")
    order = order_submit(actor=buyer, idempotency_key="k")
    assert order.state == OrderState.RELEASED
    html = client.get(reverse("checkout:order_confirmation", args=[order.pk])).content.decode()

    box = re.search(r'<div class="ds-alert" data-color="(\w+)">(.*?)</div>', html, flags=re.S)
    assert box and box.group(1) == "success"
    assert "Thank you for your order" in box.group(2) and order.number in box.group(2)
    # No warning box (a line's back order is a warning-coloured tag, not an alert).
    assert 'class="ds-alert" data-color="warning"' not in html
    text = plain(html)
    for line, variant, recipient, each, total in [
        (2, jacket, team[0], "1,000.00", "2,000.00"),
        (3, cap, team[1], "120.00", "360.00"),
    ]:
        row = re.search(rf"{variant.item_number}.*?</tr>", html, flags=re.S)
        assert row, variant.item_number
        cells = plain(row.group(0))
        for expected in [
            variant.product.name_en or variant.product.name,
            variant.colour_en,
            variant.size,
            str(line),
            f"{recipient.name} ({recipient.number})",
            each,
            total,
        ]:
            assert expected in cells, (expected, cells)
    for figure in ["2,360.00", "590.00", "2,950.00"]:
        assert figure in text
    assert "Ola Nordmann Storgata 1 0155 Oslo" in text and "Prosjekt 7" in text
    assert "What happens now" in text and "Sent to supplier" in text
    assert "The order is sent to the supplier." in text and "waits for approval" not in text


def test_the_confirmation_of_an_order_awaiting_approval_says_it_waits_and_how_to_cancel(
    company: Company, holder: User
) -> None:
    client = Client()
    client.force_login(holder)
    order = place_order(holder, "1500.00")  # over the kr 1 000 budget
    assert order.state == OrderState.AWAITING_APPROVAL
    html = client.get(reverse("checkout:order_confirmation", args=[order.pk])).content.decode()
    assert re.search(r'<div class="ds-alert" data-color="success">', html)
    text = plain(html)
    assert "Awaiting approval" in text
    assert "The order waits for approval by the nearest manager" in text
    assert "you can cancel it on the order's page" in text.replace("&#x27;", "'")
    assert "The order is sent to the supplier." not in text
    assert Order.objects.count() == 1


def test_the_review_shows_each_line_as_a_card_on_a_phone(buyer: User, team: list[Employee]) -> None:
    client = Client()
    client.force_login(buyer)
    for employee in team[:2]:
        fill_cart(buyer, VariantFactory(), recipient=employee)
    page = client.get(reverse("checkout:checkout_review")).content.decode()
    (table,) = [t for t in TABLE.findall(page) if "Products in the order" in t]
    assert assert_each_row_is_a_card(table) == 2
