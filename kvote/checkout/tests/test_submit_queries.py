"""order_submit's queries, pinned exactly: an order that waits for approval costs the same
whether 1, 5 or 20 company admins are told (nothing is done per approver while the budget rows
are locked), and an order within budget costs what it did. SQLite and PostgreSQL agree."""

from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from kvote.budgets.services import budget_set
from kvote.checkout.services import order_submit
from kvote.jobs.models import Job
from kvote.ordering.models import OrderState
from kvote.people.models import User
from tests.factories import CompanyFactory, VariantFactory, fill_cart, member

pytestmark = pytest.mark.django_db

# Savepoint and its release; the cart, locked, and the key not used before; the cart's lines,
# products and prices (the assortment setting is the actor's company's, read with the user);
# the company; the budget rows, found and locked, and
# their figures (the budgets, then their sums); the recipients' kits, locked, and (none here)
# their assignments; the order, its number, its lines and its first
# history row; then (within budget) that the company is still active and the supplier's outbox
# row, or (awaiting approval) the approvers and their emails; the cart emptied.
WITHIN_BUDGET = 22
AWAITING_APPROVAL = 22


def holder_with_admins(admins: int) -> User:
    """A budget holder with kr 1 000 and no supervisor (so the admins decide), in a company
    with `admins` company admins."""
    company = CompanyFactory()
    first = member(company, is_company_admin=True)
    for i in range(admins - 1):
        member(company, is_company_admin=True, language="en" if i % 2 else "nb")
    holder = member(company)  # a budget holder: budget_set below
    budget_set(actor=first, employee_id=holder.employee.pk, amount="1000")
    return holder


@pytest.mark.parametrize("admins", [1, 5, 20])
def test_an_order_over_budget_costs_the_same_for_any_number_of_approvers(
    admins: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    holder = holder_with_admins(admins)
    fill_cart(holder, VariantFactory(product__list_price=Decimal("1500.00")))
    with django_assert_num_queries(AWAITING_APPROVAL):
        order = order_submit(actor=holder, idempotency_key="over")
    assert order.state == OrderState.AWAITING_APPROVAL
    assert Job.objects.filter(kind="email", company_id=order.company_id).count() == admins


@pytest.mark.parametrize("admins", [1, 20])
def test_an_order_within_budget(
    admins: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    holder = holder_with_admins(admins)
    fill_cart(holder, VariantFactory(product__list_price=Decimal("100.00")))
    with django_assert_num_queries(WITHIN_BUDGET):
        order = order_submit(actor=holder, idempotency_key="within")
    assert order.state == OrderState.RELEASED
    assert not Job.objects.exists()
