"""What an order does to a recipient's budget has one home (kvote.budgets.selectors.BudgetEffect):
the same order gives the same figures before it is placed (the review, the preview, order_submit)
and after, while it waits (the approval queue, the API's queue); each order counts in the budget
of the period holding its day; and the figures add up (tests/figures.py)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kvote.approvals.services import approval_policy_set
from kvote.budgets.selectors import (
    BudgetEffect,
    BudgetFigures,
    order_budget_effects,
    placed_order_effects,
)
from kvote.checkout.selectors import cart_amounts_by_recipient, cart_view
from kvote.checkout.services import order_submit
from kvote.companies.periods import Period
from kvote.ordering.models import Order, OrderLine, OrderState
from tests.factories import VariantFactory, fill_cart, give_budget, place_order
from tests.figures import assert_reconciles, shown
from tests.world import World

pytestmark = pytest.mark.django_db


def figures_of(effect: BudgetEffect) -> dict[str, Decimal]:
    return {
        "budget": effect.budget,
        "spent_before": effect.spent_before,
        "remaining_before": effect.remaining_before,
        "this_order": effect.this_order,
        "remaining_after": effect.remaining_after,
    }


def test_the_two_constructors_say_the_same_of_one_order_before_and_after_it_is_placed(
    world: World,
) -> None:
    anne, bjorn = world.team[0], world.team[1]  # Bjørn has no budget
    give_budget(anne, "500.00")
    place_order(world.holder, "300.00", key="earlier")  # released: spent before
    for recipient, price in ((anne, "450.00"), (world.holder.employee, "900.00"), (bjorn, "5")):
        fill_cart(
            world.buyer, VariantFactory(product__list_price=Decimal(price)), recipient=recipient
        )
    fill_cart(world.buyer, VariantFactory(product__list_price=Decimal("75.00")), recipient=anne)

    amounts = cart_amounts_by_recipient(view=cart_view(actor=world.buyer))
    before = order_budget_effects(company_id=world.company.pk, amounts=amounts)
    order = order_submit(actor=world.buyer, idempotency_key="k")
    assert order.state == OrderState.AWAITING_APPROVAL  # Anne goes over
    after = placed_order_effects(
        company_id=world.company.pk, orders=[order], lines=order.lines.all()
    )[order.pk]

    expected = {
        "Anne Berg": shown(500, 0, 500, 525, -25),
        "Mats Berg": shown(1000, 300, 700, 900, -200),
    }
    for effects in (before, after):
        assert [e.name for e in effects] == list(expected)  # by name; Bjørn has no budget
        assert {e.name: figures_of(e) for e in effects} == expected
        for effect in effects:
            assert_reconciles(figures_of(effect))
            assert effect.goes_over and effect.over_by == -effect.remaining_after
    assert [(e.employee_id, e.number, e.period) for e in before] == [
        (e.employee_id, e.number, e.period) for e in after
    ]


def test_within_budget_nothing_is_over() -> None:
    today = timezone.localdate()
    figures = BudgetFigures(
        employee_id=1,
        budget_id=1,
        period=Period(today, today + timedelta(days=1)),
        amount=Decimal("1000.00"),
        spent=Decimal("1000.00"),  # 400 before, and the placed order's 600
        pending=Decimal("600.00"),
    )
    line = OrderLine(
        recipient_id=1, recipient_name="Kari", recipient_number="7", line_total=Decimal("600.00")
    )
    effect = BudgetEffect.of_placed_order(lines=[line], figures=figures)
    assert figures_of(effect) == shown(1000, 400, 600, 600, 0)
    assert not effect.goes_over and effect.over_by == 0


def test_each_waiting_order_counts_in_the_budget_of_its_own_period(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    approval_policy_set(actor=world.admin, policy="always", threshold=None)  # every order waits
    holder = world.holder.employee
    last_year = date(timezone.localdate().year - 1, 6, 1)
    give_budget(holder, "400.00", on=last_year)
    old = place_order(world.holder, "150.00", key="old")
    Order.objects.filter(pk=old.pk).update(
        placed_at=timezone.make_aware(datetime.combine(last_year, datetime.min.time()))
        + timedelta(hours=12)
    )
    new = place_order(world.holder, "100.00", key="new")
    also = place_order(world.holder, "50.00", key="also")
    orders = list(Order.objects.filter(pk__in=[old.pk, new.pk, also.pk]).order_by("placed_at"))
    lines = list(OrderLine.objects.filter(order__in=orders))

    with django_assert_num_queries(2):  # the budgets, their sums
        effects = placed_order_effects(company_id=world.company.pk, orders=orders, lines=lines)
    assert {pk: [figures_of(e) for e in found] for pk, found in effects.items()} == {
        old.pk: [shown(400, 0, 400, 150, 250)],  # last year's budget
        new.pk: [shown(1000, 50, 950, 100, 850)],  # the other waiting order is spent besides
        also.pk: [shown(1000, 100, 900, 50, 850)],
    }
    assert effects[old.pk][0].period != effects[new.pk][0].period


def test_orders_without_budgets_or_lines_read_nothing_more(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    order = place_order(world.buyer, "100.00", key="k", recipient=world.team[2])  # no budget
    with django_assert_num_queries(0):
        assert placed_order_effects(company_id=world.company.pk, orders=[order], lines=[]) == {
            order.pk: []
        }
    with django_assert_num_queries(2):
        effects = placed_order_effects(
            company_id=world.company.pk, orders=[order], lines=list(order.lines.all())
        )
    assert effects == {order.pk: []}
    with django_assert_num_queries(0):
        assert placed_order_effects(company_id=world.company.pk, orders=[], lines=[]) == {}
