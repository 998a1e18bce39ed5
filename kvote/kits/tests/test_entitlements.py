"""What counts against a kit, the company's three policies for an order beyond it, and the
lock that keeps two orders from both taking the last piece."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kvote.approvals.policy import ApprovalReason
from kvote.checkout.selectors import checkout_review
from kvote.checkout.services import order_submit
from kvote.common.errors import ServiceError
from kvote.companies.models import EntitlementPolicy
from kvote.kits.selectors import kits_for_employees, placed_order_entitlement_effects
from kvote.ordering.models import Order, OrderLine, OrderState
from kvote.ordering.states import order_transition
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import (
    CategoryFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    give_kit,
    member,
)

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def jackets(db):
    return CategoryFactory(name="Jakker", name_en="Jackets")


@pytest.fixture
def jacket(jackets):
    return VariantFactory(product__category=jackets, product__name="Arbeidsjakke")


@pytest.fixture
def shoes(db):
    return CategoryFactory(name="Sko", name_en="Shoes", slug="sko")


@pytest.fixture
def shoe(shoes):
    return VariantFactory(product__category=shoes, product__name="Vernesko")


def policy(company, value):
    company.over_entitlement = value
    company.save(update_fields=["over_entitlement"])


def order(actor, variant, quantity=1, *, recipient=None, key="k"):
    fill_cart(actor, variant, quantity=quantity, recipient=recipient)
    return order_submit(actor=actor, idempotency_key=key)


@pytest.mark.django_db
def test_used_counts_the_recipients_lines_per_item_product_before_category(
    company, buyer, jackets, jacket, shoes, shoe
):
    kari = EmployeeFactory(company=company, name="Kari")
    other_jacket = VariantFactory(product__category=jackets)
    give_kit(kari, (jackets, 3), (other_jacket.product, 1), (shoe.product, 1))
    order(buyer, jacket, 2, recipient=kari, key="a")
    order(buyer, other_jacket, 1, recipient=kari, key="b")  # its own item, not «Jakker»
    order(buyer, VariantFactory(product__category=shoes), 4, recipient=kari, key="c")  # no item
    kit = kits_for_employees(company=company, employee_ids=[kari.pk])[kari.pk]
    assert [(i.allowed, i.used, i.remaining) for i in kit.items] == [
        (3, 2, 1),
        (1, 1, 0),
        (1, 0, 1),
    ]
    assert (kit.allowed, kit.used, kit.used_percent) == (5, 3, 60)


@pytest.mark.django_db
def test_rejected_cancelled_and_other_periods_do_not_count_pending_does(
    company, buyer, leader, jackets, jacket
):
    kari = EmployeeFactory(company=company)
    give_kit(kari, (jackets, 5))
    policy(company, EntitlementPolicy.APPROVAL)
    first = order(buyer, jacket, 5, recipient=kari, key="a")
    assert first.state == OrderState.RELEASED
    waiting = order(buyer, jacket, 1, recipient=kari, key="b")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    figures = kits_for_employees(company=company, employee_ids=[kari.pk])[kari.pk].items[0]
    assert (figures.used, figures.pending, figures.remaining) == (6, 1, -1)
    order_transition(order=waiting, to_state=OrderState.REJECTED, actor=leader)
    Order.objects.filter(pk=first.pk).update(placed_at=datetime(2020, 6, 1, 12, tzinfo=OSLO))
    figures = kits_for_employees(company=company, employee_ids=[kari.pk])[kari.pk].items[0]
    assert (figures.used, figures.pending) == (0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "state", "reasons"),
    [
        (EntitlementPolicy.ALLOW, OrderState.RELEASED, []),
        (
            EntitlementPolicy.APPROVAL,
            OrderState.AWAITING_APPROVAL,
            [ApprovalReason.OVER_ENTITLEMENT],
        ),
    ],
)
def test_an_order_beyond_the_kit_is_released_or_waits_by_the_policy(
    company, buyer, jackets, jacket, value, state, reasons
):
    kari = EmployeeFactory(company=company, name="Kari Nordmann")
    give_kit(kari, (jackets, 2))
    policy(company, value)
    within = order(buyer, jacket, 2, recipient=kari, key="within")
    assert within.state == OrderState.RELEASED
    fill_cart(buyer, jacket, quantity=1, recipient=kari)
    review = checkout_review(actor=buyer)
    assert review.approval.kinds == reasons
    assert [
        (e.allowed, e.used_before, e.this_order, e.remaining_after) for e in review.entitlements
    ] == [(2, 2, 1, -1)]
    assert order_submit(actor=buyer, idempotency_key="beyond").state == state


@pytest.mark.django_db
def test_block_refuses_the_order_and_writes_nothing(company, buyer, jackets, jacket):
    kari = EmployeeFactory(company=company, name="Kari Nordmann")
    give_kit(kari, (jackets, 2))
    policy(company, EntitlementPolicy.BLOCK)
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        order(buyer, jacket, 3, recipient=kari)
    assert refused.value.code == "over_entitlement"
    assert "Kari Nordmann has 2 left of “Jackets”" in refused.value.message
    assert not Order.objects.exists() and not OrderLine.objects.exists()


@pytest.mark.django_db
def test_several_recipients_each_against_their_own_kit(company, buyer, jackets, jacket):
    kari, ola = (EmployeeFactory(company=company, name=n) for n in ("Kari", "Ola"))
    give_kit(kari, (jackets, 1))
    give_kit(ola, (jackets, 1), name="Lager")
    policy(company, EntitlementPolicy.APPROVAL)
    fill_cart(buyer, jacket, quantity=1, recipient=kari)
    fill_cart(buyer, VariantFactory(product__category=jackets), quantity=2, recipient=ola)
    placed = order_submit(actor=buyer, idempotency_key="two")
    assert placed.state == OrderState.AWAITING_APPROVAL
    lines = OrderLine.objects.filter(order=placed).select_related("variant")
    effects = placed_order_entitlement_effects(company=company, orders=[placed], lines=lines)
    assert [
        (e.name, e.allowed, e.used_before, e.this_order, e.remaining_after, e.over)
        for e in effects[placed.pk]
    ] == [("Kari", 1, 0, 1, 0, False), ("Ola", 1, 0, 2, -1, True)]


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_ten_orders_at_once_for_the_last_pieces_of_a_kit(company, jackets, jacket):
    kari = EmployeeFactory(company=company)
    give_kit(kari, (jackets, 3))
    policy(company, EntitlementPolicy.APPROVAL)
    buyers = [member(company) for _ in range(10)]
    for buyer in buyers:
        fill_cart(buyer, jacket, recipient=kari)

    results = run_at_once(
        10, lambda i: order_submit(actor=buyers[i], idempotency_key=f"k{i}").state
    )

    assert sorted(map(str, results)) == sorted(
        [OrderState.RELEASED] * 3 + [OrderState.AWAITING_APPROVAL] * 7
    ), results
    figures = kits_for_employees(company=company, employee_ids=[kari.pk])[kari.pk].items[0]
    assert (figures.used, figures.pending) == (10, 7)
