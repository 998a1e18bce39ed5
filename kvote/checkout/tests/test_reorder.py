"""«Bestill igjen»: an earlier order's lines back in the cart (kvote.checkout.services.cart_reorder
and its pages)."""

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import AssortmentItem, Variant
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.services import cart_add, cart_reorder, order_submit
from kvote.companies.models import Company
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from tests.asserts import raises_not_found
from tests.factories import AgreedPriceFactory, VariantFactory, fill_cart
from tests.world import Fjord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The services speak the active language; the pages, the user's (English here)."""
    with translation.override("en"):
        yield


def _order(actor: User, lines: list[tuple[Variant, int, Employee | None]], key: str = "k") -> Order:
    for variant, quantity, recipient in lines:
        fill_cart(actor, variant, quantity=quantity, recipient=recipient)
    return order_submit(actor=actor, idempotency_key=key)


def _cart(actor: User) -> list[tuple[str, int, int | None]]:
    return [
        (line.variant.item_number, line.quantity, line.recipient_id)
        for line in CartLine.objects.filter(cart__user=actor).select_related("variant")
    ]


@pytest.fixture
def shirt() -> Variant:
    return VariantFactory(item_number="NL-1001-NAV-XL", product__list_price=Decimal("100.00"))


@pytest.fixture
def trousers() -> Variant:
    return VariantFactory(item_number="NL-2002-BLK-52", product__list_price=Decimal("300.00"))


# --- The service ---------------------------------------------------------------------------------


def test_the_lines_come_back_with_their_recipients_at_todays_prices(
    company: Company, buyer: User, team: list[Employee], shirt: Variant, trousers: Variant
) -> None:
    order = _order(buyer, [(shirt, 2, team[0]), (trousers, 1, team[1])])
    AgreedPriceFactory(company=company, product=shirt.product, price=Decimal("80.00"))

    outcome = cart_reorder(actor=buyer, order_id=order.pk)

    assert (outcome.order_number, outcome.added, outcome.refused) == (order.number, 2, [])
    assert _cart(buyer) == [
        (shirt.item_number, 2, team[0].pk),
        (trousers.item_number, 1, team[1].pk),
    ]
    [change] = outcome.price_changes
    assert (change.item_number, change.now, change.was) == (
        shirt.item_number,
        Decimal("80.00"),
        Decimal("100.00"),
    )


def test_ordering_the_same_order_again_adds_the_quantities_again(
    buyer: User, team: list[Employee], shirt: Variant
) -> None:
    order = _order(buyer, [(shirt, 3, team[0])])
    cart_reorder(actor=buyer, order_id=order.pk)
    cart_reorder(actor=buyer, order_id=order.pk)
    assert _cart(buyer) == [(shirt.item_number, 6, team[0].pk)]


def test_each_line_that_cannot_come_back_says_why_and_the_others_go_in(
    company: Company,
    buyer: User,
    team: list[Employee],
    shirt: Variant,
    trousers: Variant,
) -> None:
    retired: Variant = VariantFactory(item_number="NL-3003-RED-M")
    outside: Variant = VariantFactory(item_number="NL-4004-GRN-L")
    limited: Variant = VariantFactory(item_number="NL-5005-YLW-S")
    order = _order(
        buyer,
        [
            (shirt, 1, team[0]),  # comes back
            (retired, 1, team[0]),  # no longer sold
            (outside, 1, team[0]),  # not in the assortment any more
            (trousers, 1, team[2]),  # the recipient has left
            (limited, 5, team[0]),  # the cart's line would pass 999
        ],
    )
    Variant.objects.filter(pk=retired.pk).update(is_active=False)
    company.restrict_assortment = True
    company.save()
    for variant in (shirt, retired, trousers, limited):
        AssortmentItem.objects.create(company=company, product=variant.product)
    Employee.objects.filter(pk=team[2].pk).update(is_active=False)
    cart_add(actor=buyer, variant_id=limited.pk, quantity=997, recipient_id=team[0].pk)

    outcome = cart_reorder(actor=buyer, order_id=order.pk)

    assert outcome.added == 1
    assert [(line.item_number, line.reason) for line in outcome.refused] == [
        ("NL-3003-RED-M", "No longer sold."),
        ("NL-4004-GRN-L", "No longer in your company's assortment."),
        ("NL-2002-BLK-52", "Cecilie Eng is no longer an active employee."),
        ("NL-5005-YLW-S", "You already have 997 in the cart; one line holds at most 999."),
    ]
    refused = outcome.refused[2]
    assert (refused.product, refused.size, refused.recipient) == (
        trousers.product.name_en or trousers.product.name,
        trousers.size,
        "Cecilie Eng (203)",
    )
    assert sorted(_cart(buyer)) == sorted(
        [(shirt.item_number, 1, team[0].pk), ("NL-5005-YLW-S", 997, team[0].pk)]
    )


def test_an_employee_gets_back_only_their_own_lines_of_an_order_placed_for_others(
    buyer: User, holder: User, team: list[Employee], shirt: Variant, trousers: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, holder.employee), (trousers, 1, team[0])])

    outcome = cart_reorder(actor=holder, order_id=order.pk)

    assert outcome.added == 1
    assert [(line.item_number, line.reason) for line in outcome.refused] == [
        (trousers.item_number, "You can only order for yourself.")
    ]
    assert _cart(holder) == [(shirt.item_number, 1, holder.employee.pk)]


def test_nothing_is_written_when_no_line_can_come_back(
    buyer: User, team: list[Employee], shirt: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, team[0])])
    Variant.objects.filter(pk=shirt.pk).update(is_active=False)
    Cart.objects.filter(user=buyer).delete()

    outcome = cart_reorder(actor=buyer, order_id=order.pk)

    assert (outcome.added, len(outcome.refused)) == (0, 1)
    assert not Cart.objects.filter(user=buyer).exists()


# --- Who may order which order again -------------------------------------------------------------


def test_another_companys_order_is_not_found(
    buyer: User, team: list[Employee], fjord: Fjord, shirt: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, team[0])])
    for actor in (fjord.admin, fjord.leader):
        with raises_not_found():
            cart_reorder(actor=actor, order_id=order.pk)
    assert not CartLine.objects.filter(cart__user__in=[fjord.admin, fjord.leader]).exists()


def test_a_colleagues_order_the_actor_cannot_open_is_not_found(
    buyer: User,
    holder: User,
    other_leader: User,
    team: list[Employee],
    shirt: Variant,
) -> None:
    order = _order(buyer, [(shirt, 1, team[0])])  # for the leader's team
    for actor in (holder, other_leader):  # not theirs, nor for anyone they supervise
        with raises_not_found():
            cart_reorder(actor=actor, order_id=order.pk)
    with raises_not_found():
        cart_reorder(actor=buyer, order_id=order.pk + 1000)


def test_a_supervisor_orders_again_what_their_employee_got(
    buyer: User,
    leader: User,
    holder: User,
    outsider: Employee,
    team: list[Employee],
    shirt: Variant,
    trousers: Variant,
) -> None:
    order = _order(buyer, [(shirt, 2, holder.employee), (trousers, 1, outsider)])

    # From the drill-down of Mats Berg: only his line.
    outcome = cart_reorder(actor=leader, order_id=order.pk, recipient_id=holder.employee.pk)
    assert (outcome.added, outcome.refused) == (1, [])
    assert _cart(leader) == [(shirt.item_number, 2, holder.employee.pk)]

    # The outsider is not the leader's: that line of the order is not theirs to see.
    with raises_not_found():
        cart_reorder(actor=leader, order_id=order.pk, recipient_id=outsider.pk)
    outcome = cart_reorder(actor=leader, order_id=order.pk)
    assert outcome.added == 1  # the holder's line only


# --- Queries --------------------------------------------------------------------------------------

REORDER_QUERIES = 12


@pytest.mark.parametrize("lines", [3, 40])
def test_order_again_takes_the_same_queries_for_3_and_40_lines(
    buyer: User,
    team: list[Employee],
    lines: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    variants = [VariantFactory() for _ in range(lines)]
    order = _order(buyer, [(variant, 1, team[n % 3]) for n, variant in enumerate(variants)])
    cart_add(actor=buyer, variant_id=variants[0].pk, quantity=1, recipient_id=team[0].pk)
    actor = User.objects.get(pk=buyer.pk)
    with django_assert_num_queries(REORDER_QUERIES):
        outcome = cart_reorder(actor=actor, order_id=order.pk)
    assert outcome.added == lines


# --- The pages ------------------------------------------------------------------------------------


def test_order_again_from_the_order_page_shows_the_outcome_once_at_the_top_of_the_cart(
    client: Client, buyer: User, team: list[Employee], shirt: Variant, trousers: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, team[0]), (trousers, 2, team[1])])
    Employee.objects.filter(pk=team[1].pk).update(is_active=False)
    client.force_login(buyer)
    page = client.get(reverse("ordering:order_detail", args=[order.pk])).content.decode()
    action = reverse("checkout:order_again", args=[order.pk])
    assert f'action="{action}"' in page and "Order again" in page

    response = client.post(action)
    assert response.status_code == 302 and response["Location"] == reverse("checkout:cart")
    cart = client.get(reverse("checkout:cart")).content.decode()
    assert f"1 line from order {order.number} is in your cart." in cart
    refused = re.search(r'<ul class="kv-reorder__list">(.*?)</ul>', cart, re.S)
    assert refused is not None
    items = re.findall(r"<li>(.*?)</li>", refused.group(1), re.S)
    assert len(items) == 1
    assert trousers.item_number in items[0] and "Bjørn Dahl (102)" in items[0]
    assert "no longer an active employee" in items[0]
    again = client.get(reverse("checkout:cart")).content.decode()
    assert "is in your cart" not in again  # shown once


def test_the_cart_says_which_prices_changed(
    client: Client, company: Company, buyer: User, team: list[Employee], shirt: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, team[0])])
    AgreedPriceFactory(company=company, product=shirt.product, price=Decimal("80.00"))
    client.force_login(buyer)
    client.post(reverse("checkout:order_again", args=[order.pk]))
    cart = client.get(reverse("checkout:cart")).content.decode()
    assert "price now NOK 80.00 (was NOK 100.00)" in cart.replace("\xa0", " ")


def test_my_orders_has_a_button_per_order_and_a_get_goes_to_the_order(
    client: Client, buyer: User, team: list[Employee], shirt: Variant
) -> None:
    first = _order(buyer, [(shirt, 1, team[0])], key="a")
    second = _order(buyer, [(shirt, 1, team[1])], key="b")
    client.force_login(buyer)
    page = client.get(reverse("ordering:order_list")).content.decode()
    for order in (first, second):
        assert f'action="{reverse("checkout:order_again", args=[order.pk])}"' in page
        assert f'<span class="ds-sr-only"> {order.number}</span>' in page
    response = client.get(reverse("checkout:order_again", args=[first.pk]))
    assert response["Location"] == reverse("ordering:order_detail", args=[first.pk])
    assert not CartLine.objects.filter(cart__user=buyer).exists()


def test_the_drill_down_orders_again_the_employees_lines(
    client: Client, buyer: User, leader: User, holder: User, team: list[Employee], shirt: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, holder.employee), (shirt, 4, team[0])])
    client.force_login(leader)
    page = client.get(reverse("employee_purchases", args=[holder.employee.pk])).content.decode()
    action = reverse("checkout:order_again", args=[order.pk])
    assert f'action="{action}"' in page
    assert f'name="recipient" value="{holder.employee.pk}"' in page
    response = client.post(action, {"recipient": str(holder.employee.pk)})
    assert response["Location"] == reverse("checkout:cart")
    assert _cart(leader) == [(shirt.item_number, 1, holder.employee.pk)]


def test_order_again_of_an_order_not_yours_is_a_404(
    client: Client, buyer: User, other_leader: User, team: list[Employee], shirt: Variant
) -> None:
    order = _order(buyer, [(shirt, 1, team[0])])
    client.force_login(other_leader)
    assert client.post(reverse("checkout:order_again", args=[order.pk])).status_code == 404
    assert not CartLine.objects.filter(cart__user=other_leader).exists()
