"""The ordering pages through the Django client: cart, checkout, review, submit, confirmation,
Min side, Mine ordrer and the order's detail."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from kvote.catalog.models import Variant
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.services import cart_add, checkout_details_save, order_submit
from kvote.common.money import format_nok
from kvote.companies.models import Company, DeliveryAddress
from kvote.ordering.models import Order, OrderState
from kvote.ordering.states import order_transition
from kvote.people.models import Employee, User
from tests.factories import (
    CompanyFactory,
    DeliveryAddressFactory,
    EmployeeFactory,
    UserFactory,
    VariantFactory,
    member,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ONE_OFF = {
    "delivery": "one_off",
    "one_off_name": "Kari Nordmann",
    "one_off_street": "Storgata 1",
    "one_off_postal_code": "0155",
    "one_off_city": "Oslo",
    "customer_reference": "Prosjekt 42",
}


@pytest.fixture
def colleague(company: Company) -> Employee:
    employee: Employee = EmployeeFactory(company=company, name="Per Ansatt", number="1004")
    return employee


@pytest.fixture
def variant() -> Variant:
    variant: Variant = VariantFactory(
        product__list_price=Decimal("500.00"), colour="Marine", colour_en="Navy", size="L"
    )
    return variant


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client(buyer: User) -> Client:
    return client_for(buyer)


def messages_of(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def nok(amount: str) -> str:
    return format_nok(Decimal(amount), "en")


def lines_of(user: User) -> list[tuple[int, int, int | None]]:
    return list(
        CartLine.objects.filter(cart__user=user)
        .order_by("id")
        .values_list("variant_id", "quantity", "recipient_id")
    )


def place_order(user: User, variant: Variant, key: str, recipient: Employee | None = None) -> Order:
    cart_add(
        actor=user,
        variant_id=variant.pk,
        quantity=1,
        recipient_id=recipient.pk if recipient else None,
    )
    checkout_details_save(
        actor=user,
        delivery_address_id=None,
        one_off_name="A",
        one_off_street="B 1",
        one_off_postal_code="0001",
        one_off_city="C",
    )
    return order_submit(actor=user, idempotency_key=key)


# --- the whole journey --------------------------------------------------------------------------


def test_the_whole_journey_from_cart_to_my_orders(
    client: Client, buyer: User, colleague: Employee, variant: Variant
) -> None:
    product_url = reverse("catalog:product", args=[variant.product_id])
    response = client.post(
        reverse("checkout:cart_add"),
        {"variant_id": variant.pk, "quantity": "2", "next": product_url},
    )
    assert response.status_code == 302
    assert response["Location"] == product_url
    assert any("Added to cart" in m for m in messages_of(response))
    (line,) = CartLine.objects.filter(cart__user=buyer)
    assert line.recipient == buyer.employee  # a buyer's line is for themselves by default

    page = client.get(reverse("checkout:cart"))
    assert page.status_code == 200
    html = page.content.decode()
    assert variant.item_number in html and "Navy" in html and nok("1000") in html
    assert f'<option value="{colleague.pk}"' in html

    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]),
        {"quantity": "2", "recipient": str(colleague.pk)},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.recipient == colleague

    response = client.post(reverse("checkout:checkout"), ONE_OFF)
    assert response["Location"] == reverse("checkout:checkout_review")

    review = client.get(reverse("checkout:checkout_review"))
    html = review.content.decode()
    for text in [nok("1000"), nok("250"), nok("1250"), "Storgata 1", "0155 Oslo", "Prosjekt 42"]:
        assert text in html
    assert "Per Ansatt (1004)" in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert key is not None

    response = client.post(reverse("checkout:order_submit"), {"idempotency_key": key.group(1)})
    order = Order.objects.get(placed_by=buyer)
    assert response["Location"] == reverse("checkout:order_confirmation", args=[order.pk])
    assert not CartLine.objects.filter(cart__user=buyer).exists()

    confirmation = client.get(response["Location"]).content.decode()
    assert "Thank you" in confirmation and order.number in confirmation
    assert nok("1250") in confirmation

    orders = client.get(reverse("ordering:order_list")).content.decode()
    assert order.number in orders and "Per Ansatt" in orders and "Prosjekt 42" in orders
    assert "Sent to supplier" in orders and nok("1000") in orders and nok("1250") in orders

    detail = client.get(reverse("ordering:order_detail", args=[order.pk])).content.decode()
    # The buyer reads English, so the colour is the English name kept on the line.
    for text in [variant.item_number, "Navy", ">L<", "Per Ansatt (1004)", "Kari Nordmann"]:
        assert text in detail
    assert "New order" in detail and "Sent to supplier" in detail and buyer.full_name in detail

    my_page = client.get(reverse("checkout:my_page")).content.decode()
    assert order.number in my_page and buyer.employee.number in my_page


def test_order_detail_shows_every_change_of_state(
    client: Client, buyer: User, variant: Variant
) -> None:
    order = place_order(buyer, variant, "k1")
    order_transition(order=order, to_state=OrderState.SENT, actor=None, comment="Delivered")
    html = client.get(reverse("ordering:order_detail", args=[order.pk])).content.decode()
    assert "Received by supplier" in html and "Delivered" in html and "Automatic" in html


# --- recipients ---------------------------------------------------------------------------------


def test_a_budget_holder_orders_for_themselves_only(
    holder: User, colleague: Employee, variant: Variant
) -> None:
    client = client_for(holder)
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    (line,) = CartLine.objects.filter(cart__user=holder)
    assert line.recipient == holder.employee

    html = client.get(reverse("checkout:cart")).content.decode()
    assert 'name="recipient"' not in html
    assert holder.employee.name in html

    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]),
        {"quantity": "1", "recipient": str(colleague.pk)},
    )
    assert "You can only order for yourself." in response.content.decode()
    line.refresh_from_db()
    assert line.recipient == holder.employee

    response = client.post(
        reverse("checkout:cart_add"),
        {"variant_id": variant.pk, "quantity": "1", "recipient": str(colleague.pk)},
    )
    assert "You can only order for yourself." in messages_of(response)
    assert lines_of(holder) == [(variant.pk, 1, holder.employee.pk)]


def test_a_buyer_picks_an_employee_of_their_own_company_only(
    client: Client, buyer: User, colleague: Employee, variant: Variant
) -> None:
    stranger: Employee = EmployeeFactory(company=CompanyFactory(), name="Fremmed Person")
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    (line,) = CartLine.objects.filter(cart__user=buyer)

    html = client.get(reverse("checkout:cart")).content.decode()
    assert "Fremmed Person" not in html

    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]),
        {"quantity": "1", "recipient": str(stranger.pk)},
    )
    assert "The chosen employee cannot receive orders." in response.content.decode()
    assert lines_of(buyer) == [(variant.pk, 1, buyer.employee.pk)]

    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]),
        {"quantity": "1", "recipient": "9" * 30},
    )
    assert "The chosen employee cannot receive orders." in response.content.decode()

    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]),
        {"quantity": "3", "recipient": str(colleague.pk)},
    )
    assert response.status_code == 302
    assert lines_of(buyer) == [(variant.pk, 3, colleague.pk)]


def test_a_line_without_recipient_is_flagged_and_blocks_the_order(
    client: Client, buyer: User, variant: Variant
) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    CartLine.objects.filter(cart__user=buyer).update(recipient=None)
    client.post(reverse("checkout:checkout"), ONE_OFF)

    html = client.get(reverse("checkout:cart")).content.decode()
    assert "Choose who this is for" in html
    assert f"Choose who item number “{variant.item_number}” is for." in html

    review = client.get(reverse("checkout:checkout_review")).content.decode()
    assert f"Choose who item number “{variant.item_number}” is for." in review
    assert "Fix it in the cart" in review and "Place order" not in review

    response = client.post(reverse("checkout:order_submit"), {"idempotency_key": "abc"})
    assert response["Location"] == reverse("checkout:checkout_review")
    assert not Order.objects.exists()


def test_employee_search_lists_only_what_the_actor_may_choose(
    client: Client, company: Company, buyer: User, holder: User, colleague: Employee
) -> None:
    EmployeeFactory(company=company, name="Per Inaktiv", is_active=False)
    EmployeeFactory(company=CompanyFactory(), name="Per Fremmed")
    response = client.get(reverse("checkout:employee_search"), {"q": "Per", "line": "7"}, **HTMX)
    html = response.content.decode()
    assert f'<option value="{colleague.pk}">Per Ansatt (1004)</option>' in html
    assert "Inaktiv" not in html and "Fremmed" not in html
    assert 'id="recipient-status-7"' in html and "1 employee found." in html

    by_number = client.get(reverse("checkout:employee_search"), {"q": "100"}).content.decode()
    assert "Per Ansatt" in by_number

    kept = client.get(
        reverse("checkout:employee_search"), {"q": "zzz", "recipient": str(buyer.employee.pk)}
    ).content.decode()
    assert f'value="{buyer.employee.pk}" selected' in kept and "0 employees found." not in kept
    kept = client.get(
        reverse("checkout:employee_search"),
        {"q": "zzz", "recipient": str(buyer.employee.pk), "line": "7"},
    ).content.decode()
    assert "0 employees found." in kept
    for odd in ["9" * 30, "²", "-1", "abc"]:
        response = client.get(reverse("checkout:employee_search"), {"recipient": odd, "line": odd})
        assert response.status_code == 200

    only_self = client_for(holder).get(reverse("checkout:employee_search"), {"q": ""})
    assert re.findall(r'<option value="(\d+)"', only_self.content.decode()) == [
        str(holder.employee.pk)
    ]


# --- bad input ----------------------------------------------------------------------------------


BAD_QUANTITIES = ["0", "1000", "abc", "1.5", "", "-1", "2.0"]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_bad_quantity_when_adding_is_refused_and_the_cart_kept(
    client: Client, buyer: User, variant: Variant, quantity: str
) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "2"})
    before = lines_of(buyer)
    response = client.post(
        reverse("checkout:cart_add"),
        {"variant_id": variant.pk, "quantity": quantity, "next": "/catalog/"},
    )
    assert response.status_code == 302 and response["Location"] == "/catalog/"
    assert "The quantity must be a whole number from 1 to 999." in messages_of(response)
    assert lines_of(buyer) == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_bad_quantity_on_a_line_is_refused_and_what_was_typed_is_shown(
    client: Client, buyer: User, variant: Variant, quantity: str
) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "2"})
    before = lines_of(buyer)
    line = CartLine.objects.get(cart__user=buyer)
    response = client.post(
        reverse("checkout:cart_line_update", args=[line.pk]), {"quantity": quantity}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The quantity must be a whole number from 1 to 999." in html
    assert f'value="{quantity}" aria-invalid="true"' in html
    assert lines_of(buyer) == before


def test_adding_beyond_999_on_one_line_is_refused(
    client: Client, buyer: User, variant: Variant
) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "998"})
    response = client.post(
        reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "2"}
    )
    assert any("one line holds at most 999" in m for m in messages_of(response))
    assert lines_of(buyer) == [(variant.pk, 998, buyer.employee.pk)]


def test_an_unavailable_variant_and_an_unsafe_next_are_refused(
    client: Client, buyer: User, variant: Variant
) -> None:
    inactive: Variant = VariantFactory(is_active=False)
    for variant_id in [str(inactive.pk), "999999", "abc", ""]:
        response = client.post(
            reverse("checkout:cart_add"),
            {"variant_id": variant_id, "quantity": "1", "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("checkout:cart")
        assert messages_of(response)
    assert lines_of(buyer) == []


def test_adding_with_htmx_answers_a_fragment_that_updates_the_badge(
    client: Client, variant: Variant
) -> None:
    response = client.post(
        reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Added to cart" in html  # into the page's role=status
    assert 'id="cart-count"' in html and 'data-count="1" hx-swap-oob="true"' in html
    refused = client.post(
        reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "0"}, **HTMX
    )
    assert 'role="alert"' in refused.content.decode()


def test_quick_order_from_the_cart(client: Client, buyer: User, variant: Variant) -> None:
    response = client.post(
        reverse("checkout:quick_order"), {"lines": f" {variant.item_number.lower()} 3"}
    )
    assert response.status_code == 302
    assert lines_of(buyer) == [(variant.pk, 3, buyer.employee.pk)]

    response = client.post(reverse("checkout:quick_order"), {"lines": "NOPE-1 1"}, follow=True)
    html = response.content.decode()
    assert "There is no item number “NOPE-1”." in html
    assert "NOPE-1 1</textarea>" in html  # what was typed is kept
    assert lines_of(buyer) == [(variant.pk, 3, buyer.employee.pk)]


def test_removing_a_line(client: Client, buyer: User, variant: Variant) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    line = CartLine.objects.get(cart__user=buyer)
    response = client.post(reverse("checkout:cart_line_remove", args=[line.pk]))
    assert response.status_code == 302
    assert lines_of(buyer) == []
    html = client.get(reverse("checkout:cart")).content.decode()
    assert "Your cart is empty." in html and reverse("catalog:list") in html


def test_an_empty_cart_cannot_check_out_or_be_submitted(client: Client, buyer: User) -> None:
    for url in [reverse("checkout:checkout"), reverse("checkout:checkout_review")]:
        response = client.get(url)
        assert response["Location"] == reverse("checkout:cart")
        assert any("Your cart is empty" in m for m in messages_of(response))
    response = client.post(reverse("checkout:checkout"), ONE_OFF)
    assert response["Location"] == reverse("checkout:cart")
    response = client.post(reverse("checkout:order_submit"), {"idempotency_key": "abc"})
    assert response["Location"] == reverse("checkout:cart")
    assert "Your cart is empty." in messages_of(response)
    assert not Order.objects.exists()


# --- checkout -----------------------------------------------------------------------------------


def test_checkout_preselects_the_default_address_then_what_the_cart_holds(
    client: Client, company: Company, buyer: User, variant: Variant
) -> None:
    DeliveryAddressFactory(company=company, label="A-lager")
    default: DeliveryAddress = DeliveryAddressFactory(
        company=company, label="Hovedkontor", is_default=True
    )
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    html = client.get(reverse("checkout:checkout")).content.decode()
    assert re.search(rf'value="{default.pk}"[^>]*checked', html)
    assert 'type="radio"' in html and "<legend" in html

    client.post(reverse("checkout:checkout"), ONE_OFF)
    html = client.get(reverse("checkout:checkout")).content.decode()
    assert re.search(r'value="one_off"[^>]*checked', html)
    assert 'value="Storgata 1"' in html and 'value="Prosjekt 42"' in html


def test_checkout_with_a_saved_address(
    client: Client, company: Company, buyer: User, variant: Variant
) -> None:
    address: DeliveryAddress = DeliveryAddressFactory(company=company, street="Lagerveien 9")
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    response = client.post(
        reverse("checkout:checkout"), {"delivery": str(address.pk), "customer_reference": ""}
    )
    assert response.status_code == 302
    cart = Cart.objects.get(user=buyer)
    assert cart.delivery_address == address and not cart.use_one_off_address
    assert "Lagerveien 9" in client.get(reverse("checkout:checkout_review")).content.decode()


def test_a_foreign_address_is_refused_and_the_earlier_choice_kept(
    client: Client, company: Company, buyer: User, variant: Variant
) -> None:
    own: DeliveryAddress = DeliveryAddressFactory(company=company)
    foreign: DeliveryAddress = DeliveryAddressFactory(company=CompanyFactory())
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    client.post(reverse("checkout:checkout"), {"delivery": str(own.pk)})

    response = client.post(
        reverse("checkout:checkout"),
        {"delivery": str(foreign.pk), "customer_reference": "Ny ref"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose one of your company&#x27;s delivery addresses." in html
    assert 'value="Ny ref"' in html
    assert foreign.street not in html
    cart = Cart.objects.get(user=buyer)
    assert cart.delivery_address == own and cart.customer_reference == ""


def test_an_incomplete_one_off_address_is_refused_with_what_was_typed(
    client: Client, buyer: User, variant: Variant
) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    response = client.post(
        reverse("checkout:checkout"),
        {**ONE_OFF, "one_off_city": "", "one_off_postal_code": "12a"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fill in this field for a one-off address." in html
    assert "A Norwegian postal code has four digits." in html
    assert 'value="Kari Nordmann"' in html and 'value="12a"' in html
    assert Cart.objects.get(user=buyer).one_off_name == ""


def test_review_says_when_no_address_is_chosen(client: Client, variant: Variant) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    html = client.get(reverse("checkout:checkout_review")).content.decode()
    assert "Choose where the order goes." in html and "Choose a delivery address" in html
    assert "Place order" not in html


def test_a_double_submit_with_the_same_key_makes_one_order(
    client: Client, buyer: User, variant: Variant
) -> None:
    client.post(reverse("checkout:cart_add"), {"variant_id": variant.pk, "quantity": "1"})
    client.post(reverse("checkout:checkout"), ONE_OFF)
    first = client.post(reverse("checkout:order_submit"), {"idempotency_key": "a" * 32})
    second = client.post(reverse("checkout:order_submit"), {"idempotency_key": "a" * 32})
    order = Order.objects.get()
    assert first["Location"] == second["Location"]
    assert first["Location"] == reverse("checkout:order_confirmation", args=[order.pk])


# --- access -------------------------------------------------------------------------------------


POST_ONLY = [
    ("checkout:cart_add", []),
    ("checkout:cart_line_update", [1]),
    ("checkout:cart_line_remove", [1]),
    ("checkout:order_submit", []),
]


@pytest.mark.parametrize(("name", "args"), POST_ONLY)
def test_post_only_endpoints_send_a_get_to_their_page(
    client: Client, name: str, args: list[int]
) -> None:
    client.force_login(member(CompanyFactory()))
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"] in (reverse("checkout:cart"), reverse("checkout:checkout"))


def test_pages_need_a_login() -> None:
    response = Client().get(reverse("checkout:cart"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_other_peoples_orders_and_lines_are_not_found(
    client: Client, company: Company, variant: Variant
) -> None:
    other = member(CompanyFactory())
    foreign_order = place_order(other, variant, "x")
    cart_add(actor=other, variant_id=variant.pk, quantity=1)
    foreign_line = CartLine.objects.get(cart__user=other)
    colleague = member(company)
    colleagues_order = place_order(colleague, variant, "y")

    for order in [foreign_order, colleagues_order]:
        for name in ["ordering:order_detail", "checkout:order_confirmation"]:
            assert client.get(reverse(name, args=[order.pk])).status_code == 404
    update = reverse("checkout:cart_line_update", args=[foreign_line.pk])
    assert client.post(update, {"quantity": "5"}).status_code == 404
    assert client.post(update, {"quantity": "abc"}).status_code == 404
    remove = reverse("checkout:cart_line_remove", args=[foreign_line.pk])
    assert client.post(remove).status_code == 404
    assert lines_of(other) == [(variant.pk, 1, other.employee.pk)]


def test_supplier_staff_without_a_company_get_not_found() -> None:
    staff: User = UserFactory(company=None, is_staff=True)
    client = client_for(staff)
    for name in ["checkout:cart", "checkout:my_page", "ordering:order_list", "checkout:checkout"]:
        assert client.get(reverse(name)).status_code == 404


# --- Mine ordrer --------------------------------------------------------------------------------


def test_my_orders_filters_by_status_and_dates(
    client: Client, buyer: User, variant: Variant
) -> None:
    old = place_order(buyer, variant, "old")
    new = place_order(buyer, variant, "new")
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=40))
    order_transition(order=new, to_state=OrderState.SENT, actor=None)
    today = timezone.localdate()
    url = reverse("ordering:order_list")

    html = client.get(url, {"placed_from": str(today - timedelta(days=7))}).content.decode()
    assert new.number in html and old.number not in html
    html = client.get(url, {"placed_to": str(today - timedelta(days=7))}).content.decode()
    assert old.number in html and new.number not in html
    typed = (today - timedelta(days=7)).strftime("%d.%m.%Y")
    html = client.get(url, {"placed_to": typed}).content.decode()
    assert old.number in html and new.number not in html
    html = client.get(url, {"state": "released"}).content.decode()
    assert old.number in html and new.number not in html
    html = client.get(url, {"state": "shipped"}).content.decode()
    assert "No orders match the filter." in html


@pytest.mark.parametrize(
    "query",
    [
        {"placed_from": "2025-13-45"},
        {"placed_to": "yesterday"},
        {"placed_from": "2025-02-01", "placed_to": "2025-01-01"},
        {"state": "nonsense"},
    ],
)
def test_an_invalid_filter_is_a_form_error(
    client: Client, buyer: User, variant: Variant, query: dict[str, str]
) -> None:
    order = place_order(buyer, variant, "k")
    response = client.get(reverse("ordering:order_list"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ds-validation-message" in html
    assert order.number in html  # the invalid filter is not applied


def test_my_orders_is_paginated(
    client: Client, buyer: User, variant: Variant, settings: Settings
) -> None:
    settings.KVOTE_PAGE_SIZE = 2
    orders = [place_order(buyer, variant, f"k{i}") for i in range(5)]
    url = reverse("ordering:order_list")

    first = client.get(url).content.decode()
    assert orders[4].number in first and orders[3].number in first
    assert orders[2].number not in first
    assert "Orders 1–2 of 5" in first and "page=2" in first

    last = client.get(url, {"page": "99", "state": "released"}).content.decode()
    assert orders[0].number in last and "Orders 5–5 of 5" in last
    assert "state=released&amp;page=2" in last  # links keep the filter

    assert "Orders 1–2 of 5" in client.get(url, {"page": "abc"}).content.decode()


def test_my_page_shows_who_i_am_and_my_five_latest_orders(
    company: Company, leader: User, variant: Variant
) -> None:
    user = leader  # number 1001, supervisor and approver, no budget
    orders = [place_order(user, variant, f"k{i}") for i in range(6)]
    html = client_for(user).get(reverse("checkout:my_page")).content.decode()
    assert user.full_name in html and company.name in html and "1001" in html
    assert "Buyer, Supervisor, Approver" in html
    assert all(order.number in html for order in orders[1:])
    assert orders[0].number not in html
    assert reverse("ordering:order_list") in html
    assert "My budget" not in html and 'id="budget-heading"' not in html  # no budget, no section


# --- query counts -------------------------------------------------------------------------------


def test_the_cart_page_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    company: Company,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    EmployeeFactory.create_batch(5, company=company)
    for _ in range(12):
        variant: Variant = VariantFactory()
        cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    # 9: the user is read with their company and whether they are a budget holder (who orders
    # for themselves only) or picks any employee (kvote.people.backends, kvote.people.roles);
    # one reads the lines' pictures (kvote.catalog.images.colour_pictures).
    with django_assert_num_queries(9):
        response = client.get(reverse("checkout:cart"))
    assert response.content.decode().count('class="ds-card kv-cart-line"') == 12


def test_the_order_list_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    company: Company,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for i in range(15):
        place_order(buyer, VariantFactory(), f"k{i}", EmployeeFactory(company=company))
    with django_assert_num_queries(6):
        response = client.get(reverse("ordering:order_list"))
    assert response.content.decode().count("ds-tag") == 15


def test_the_order_detail_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    company: Company,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(10):
        variant: Variant = VariantFactory()
        cart_add(
            actor=buyer,
            variant_id=variant.pk,
            quantity=2,
            recipient_id=EmployeeFactory(company=company).pk,
        )
    order = place_order(buyer, VariantFactory(), "k")
    with django_assert_num_queries(7):  # one of them the lines' pictures
        response = client.get(reverse("ordering:order_detail", args=[order.pk]))
    html = response.content.decode()
    item_numbers = list(order.lines.values_list("item_number", flat=True))
    assert len(item_numbers) == 11 and all(number in html for number in item_numbers)


def test_my_page_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    company: Company,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for i in range(8):
        place_order(buyer, VariantFactory(), f"k{i}", EmployeeFactory(company=company))
    # 9 with no budget (the budget section adds three: its sums, its lines and their
    # pictures; test_budget_pages; the roles it names are read with the user), one whether
    # the user has a kit, with its items (one more with one: test_my_kit)
    with django_assert_num_queries(9):
        response = client.get(reverse("checkout:my_page"))
    assert response.status_code == 200


# Adding to the cart: session and user (with the company, whether its assortment is
# restricted); the variant, the product's price, the recipient; in a savepoint the cart (read,
# then locked) and the line to add to or insert. With htmx the answer also reads the cart for
# the confirmation and the badge (the cart, its lines, their prices) and the cart context
# processor counts its lines. The same with 1 and with 20 lines already in the cart.
CART_ADD_QUERIES = 11
CART_ADD_HTMX_QUERIES = 15
# Updating a line: session and user (with whether the actor, a buyer, is a budget holder, who
# may order for themselves only: kvote.people.roles); the recipient; the line and its update.
LINE_UPDATE_QUERIES = 7


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(
    ("headers", "queries"), [({}, CART_ADD_QUERIES), (HTMX, CART_ADD_HTMX_QUERIES)]
)
def test_adding_to_the_cart_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    lines: int,
    headers: dict[str, str],
    queries: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(lines):
        cart_add(actor=buyer, variant_id=VariantFactory().pk, quantity=1)
    variant = VariantFactory()
    data = {"variant_id": variant.pk, "quantity": "2", "recipient": buyer.employee.pk}
    with django_assert_num_queries(queries):
        response = client.post(reverse("checkout:cart_add"), data, **headers)
    assert response.status_code == (200 if headers else 302)
    assert len(lines_of(buyer)) == lines + 1


@pytest.mark.parametrize("lines", [1, 20])
def test_updating_a_cart_line_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    colleague: Employee,
    lines: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(lines):
        cart_add(actor=buyer, variant_id=VariantFactory().pk, quantity=1)
    line = CartLine.objects.filter(cart__user=buyer).last()
    assert line is not None
    url = reverse("checkout:cart_line_update", args=[line.pk])
    with django_assert_num_queries(LINE_UPDATE_QUERIES):
        response = client.post(url, {"quantity": "3", "recipient": colleague.pk})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.recipient) == (3, colleague)
