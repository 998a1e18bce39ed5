from decimal import Decimal

import pytest

from kvote.checkout.models import CartLine
from kvote.checkout.services import (
    cart_add,
    cart_line_remove,
    cart_line_update,
    checkout_details_save,
    order_submit,
)
from kvote.common.errors import ServiceError
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderLine, OrderState
from tests.asserts import raises_not_found
from tests.factories import (
    AgreedPriceFactory,
    DeliveryAddressFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    return VariantFactory(product__list_price=Decimal("499.90"))


def _ready_cart(actor, variant, quantity=2):
    fill_cart(actor, variant, quantity=quantity, reference="PO-77")


def test_order_submit_makes_a_released_order_with_lines_totals_and_history(buyer, variant):
    _ready_cart(buyer, variant, quantity=3)
    order = order_submit(actor=buyer, idempotency_key="k1")

    assert order.state == OrderState.RELEASED
    assert order.number == f"KV-{order.pk:06d}"
    assert order.customer_reference == "PO-77"
    assert (order.delivery_name, order.delivery_postal_code) == ("Ola Nordmann", "0155")
    assert order.total_excl_vat == Decimal("1499.70")
    assert order.vat == Decimal("374.93")
    assert order.total_incl_vat == Decimal("1874.63")
    line = OrderLine.objects.get(order=order)
    assert (line.item_number, line.quantity, line.unit_price) == (
        variant.item_number,
        3,
        Decimal("499.90"),
    )
    assert line.recipient == buyer.employee
    assert line.company_id == order.company_id
    assert [(h.from_state, h.to_state, h.actor) for h in order.history.all()] == [
        ("", OrderState.RELEASED, buyer)
    ]
    assert not CartLine.objects.filter(cart__user=buyer).exists()


def test_agreed_price_wins_over_list_price(company, buyer, variant):
    AgreedPriceFactory(company=company, product=variant.product, price=Decimal("350.00"))
    _ready_cart(buyer, variant, quantity=1)
    order = order_submit(actor=buyer, idempotency_key="k1")
    assert order.total_excl_vat == Decimal("350.00")


def test_same_idempotency_key_returns_the_same_order(buyer, variant):
    _ready_cart(buyer, variant)
    first = order_submit(actor=buyer, idempotency_key="same")
    again = order_submit(actor=buyer, idempotency_key="same")
    assert again.pk == first.pk
    assert Order.objects.count() == 1


def test_empty_cart_is_refused(buyer):
    with pytest.raises(ServiceError) as exc:
        order_submit(actor=buyer, idempotency_key="k1")
    assert exc.value.code == OrderError.EMPTY_CART
    assert not Order.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "1000", "abc", "1.5", "", None, "-1"])
def test_bad_quantities_are_refused_and_the_cart_is_unchanged(buyer, variant, quantity):
    cart_add(actor=buyer, variant_id=variant.pk, quantity=2)
    line = CartLine.objects.get()
    with pytest.raises(ServiceError) as exc:
        cart_add(actor=buyer, variant_id=variant.pk, quantity=quantity)
    assert exc.value.code == OrderError.INVALID_QUANTITY
    if quantity is not None:  # None means "leave the quantity" to an update
        with pytest.raises(ServiceError):
            cart_line_update(actor=buyer, line_id=line.pk, quantity=quantity)
    line.refresh_from_db()
    assert line.quantity == 2


def test_adding_the_same_variant_adds_to_its_line_up_to_999(buyer, variant):
    cart_add(actor=buyer, variant_id=variant.pk, quantity=500)
    cart_add(actor=buyer, variant_id=variant.pk, quantity=499)
    assert CartLine.objects.get().quantity == 999
    with pytest.raises(ServiceError) as exc:
        cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    assert exc.value.code == OrderError.INVALID_QUANTITY
    assert CartLine.objects.get().quantity == 999


def test_variant_made_inactive_after_it_was_put_in_the_cart_is_refused_at_submit(buyer, variant):
    _ready_cart(buyer, variant)
    variant.is_active = False
    variant.save()
    with pytest.raises(ServiceError) as exc:
        order_submit(actor=buyer, idempotency_key="k1")
    assert exc.value.code == OrderError.INACTIVE_ITEM
    assert CartLine.objects.filter(cart__user=buyer).count() == 1
    assert not Order.objects.exists()


def test_budget_holder_orders_for_themselves_only(holder, team, variant):
    colleague = team[0]
    with pytest.raises(ServiceError) as exc:
        cart_add(actor=holder, variant_id=variant.pk, quantity=1, recipient_id=colleague.pk)
    assert exc.value.code == OrderError.RECIPIENT_NOT_ALLOWED
    line = cart_add(actor=holder, variant_id=variant.pk, quantity=1)
    assert line.recipient == holder.employee


def test_buyer_picks_any_active_employee_of_their_company_only(company, buyer, variant):
    colleague = EmployeeFactory(company=company)
    stranger = EmployeeFactory()  # another company
    former = EmployeeFactory(company=company, is_active=False)
    line = cart_add(actor=buyer, variant_id=variant.pk, quantity=1, recipient_id=colleague.pk)
    assert line.recipient == colleague
    for employee in (stranger, former):
        with pytest.raises(ServiceError) as exc:
            cart_line_update(actor=buyer, line_id=line.pk, recipient_id=employee.pk)
        assert exc.value.code == OrderError.RECIPIENT_NOT_ALLOWED
    line.refresh_from_db()
    assert line.recipient == colleague


def test_line_without_recipient_blocks_the_order(company, variant):
    no_employee = member(company)
    no_employee.employee.delete()
    no_employee.refresh_from_db()
    _ready_cart(no_employee, variant)
    with pytest.raises(ServiceError) as exc:
        order_submit(actor=no_employee, idempotency_key="k1")
    assert exc.value.code == OrderError.RECIPIENT_REQUIRED


def test_recipient_deactivated_after_adding_blocks_the_order(company, buyer, variant):
    colleague = EmployeeFactory(company=company)
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1, recipient_id=colleague.pk)
    _ready_cart(buyer, variant)
    colleague.is_active = False
    colleague.save()
    with pytest.raises(ServiceError) as exc:
        order_submit(actor=buyer, idempotency_key="k1")
    assert exc.value.code == OrderError.RECIPIENT_NOT_ALLOWED


def test_saved_address_of_the_company_is_copied_onto_the_order(company, buyer, variant):
    address = DeliveryAddressFactory(company=company, street="Kaia 5", city="Bergen")
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    checkout_details_save(actor=buyer, delivery_address_id=address.pk, customer_reference="")
    order = order_submit(actor=buyer, idempotency_key="k1")
    assert (order.delivery_address, order.delivery_street, order.delivery_city) == (
        address,
        "Kaia 5",
        "Bergen",
    )


def test_foreign_address_is_refused_and_the_earlier_choice_is_kept(company, buyer, variant):
    own = DeliveryAddressFactory(company=company)
    foreign = DeliveryAddressFactory()
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    checkout_details_save(actor=buyer, delivery_address_id=own.pk)
    with pytest.raises(ServiceError) as exc:
        checkout_details_save(actor=buyer, delivery_address_id=foreign.pk)
    assert exc.value.code == OrderError.INVALID_ADDRESS
    buyer.cart.refresh_from_db()
    assert buyer.cart.delivery_address == own


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"one_off_name": ""}, OrderError.ADDRESS_REQUIRED),
        ({"one_off_postal_code": "12345"}, OrderError.INVALID_ADDRESS),
        ({"one_off_postal_code": "12a4"}, OrderError.INVALID_ADDRESS),
        # Issue 13: four ASCII digits only, not other scripts' digits or a line break after;
        # and each line of the address must show something once cleaned.
        ({"one_off_postal_code": "٠١٥٠"}, OrderError.INVALID_ADDRESS),
        ({"one_off_postal_code": "０１５０"}, OrderError.INVALID_ADDRESS),
        ({"one_off_name": "\x00\x01\x1b\u202e"}, OrderError.ADDRESS_REQUIRED),
        ({"one_off_street": "\u200b\u200e\u0301"}, OrderError.ADDRESS_REQUIRED),
        ({"one_off_city": "\u2028\xa0\ufeff"}, OrderError.ADDRESS_REQUIRED),
        ({"customer_reference": "x" * 101}, OrderError.INVALID_REFERENCE),
    ],
)
def test_incomplete_one_off_address_is_refused(buyer, fields, code):
    good = {
        "one_off_name": "Kari",
        "one_off_street": "Gate 1",
        "one_off_postal_code": "7010",
        "one_off_city": "Trondheim",
    }
    with pytest.raises(ServiceError) as exc:
        checkout_details_save(actor=buyer, delivery_address_id=None, **{**good, **fields})
    assert exc.value.code == code


def test_no_address_chosen_blocks_the_order(buyer, variant):
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    with pytest.raises(ServiceError) as exc:
        order_submit(actor=buyer, idempotency_key="k1")
    assert exc.value.code == OrderError.ADDRESS_REQUIRED


def test_cart_lines_of_another_user_are_not_found(company, buyer, variant):
    other = member(company)
    line = cart_add(actor=other, variant_id=variant.pk, quantity=1)
    with raises_not_found():
        cart_line_remove(actor=buyer, line_id=line.pk)
    with raises_not_found():
        cart_line_update(actor=buyer, line_id=line.pk, quantity=3)
    assert CartLine.objects.get(pk=line.pk).quantity == 1


def test_supplier_staff_without_company_cannot_shop(variant):
    from tests.factories import UserFactory

    staff = UserFactory(company=None, is_staff=True)
    with raises_not_found():
        cart_add(actor=staff, variant_id=variant.pk, quantity=1)
