from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from kvote.budgets.errors import BudgetError
from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.selectors import budget_figures, my_budget
from kvote.budgets.services import budget_set, budget_set_many, company_budget_period_set
from kvote.checkout.services import order_submit
from kvote.common.errors import CommonError, ServiceError
from kvote.companies.periods import Period, PeriodKind, period_containing
from kvote.ordering.models import Order, OrderState
from kvote.ordering.states import order_transition
from kvote.ordering.tests.test_states import _run_at_once
from tests.factories import (
    CompanyFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    member,
    place_order,
)

OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (PeriodKind.YEAR, date(2026, 11, 27), date(2026, 1, 1), date(2027, 1, 1)),
        (PeriodKind.HALF_YEAR, date(2026, 6, 30), date(2026, 1, 1), date(2026, 7, 1)),
        (PeriodKind.HALF_YEAR, date(2026, 7, 1), date(2026, 7, 1), date(2027, 1, 1)),
        (PeriodKind.QUARTER, date(2026, 11, 27), date(2026, 10, 1), date(2027, 1, 1)),
        (PeriodKind.MONTH, date(2026, 2, 28), date(2026, 2, 1), date(2026, 3, 1)),
        (PeriodKind.MONTH, date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_periods_of_the_calendar(kind, day, start, end) -> None:
    assert period_containing(kind, day) == Period(start, end)


def test_a_year_from_a_chosen_date() -> None:
    april = date(2020, 4, 15)
    assert period_containing(PeriodKind.CUSTOM_YEAR, date(2026, 4, 14), april) == Period(
        date(2025, 4, 15), date(2026, 4, 15)
    )
    assert period_containing(PeriodKind.CUSTOM_YEAR, date(2026, 4, 15), april) == Period(
        date(2026, 4, 15), date(2027, 4, 15)
    )
    leap = date(2024, 2, 29)
    assert period_containing(PeriodKind.CUSTOM_YEAR, date(2025, 3, 1), leap) == Period(
        date(2025, 2, 28), date(2026, 2, 28)
    )


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def admin(company):
    return member(company, is_company_admin=True)


@pytest.fixture
def holder(company):
    return member(company)  # a budget holder once a test gives them a budget


@pytest.mark.django_db
def test_admin_sets_a_budget_and_every_change_is_kept(admin, holder) -> None:
    budget = budget_set(actor=admin, employee_id=holder.employee.pk, amount="5 000,00", on=TODAY)
    assert (budget.amount, budget.period_start, budget.period_end) == (
        Decimal("5000.00"),
        date(2026, 1, 1),
        date(2027, 1, 1),
    )
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="4500", on=TODAY)
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="4500.00", on=TODAY)  # no change
    changes = list(
        BudgetChange.objects.order_by("id").values_list("old_amount", "new_amount", "actor")
    )
    assert changes == [
        (None, Decimal("5000.00"), admin.pk),
        (Decimal("5000.00"), Decimal("4500.00"), admin.pk),
    ]
    assert Budget.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["-1", "12,345", "abc", "", "1e3x", "NaN", "100000000000"])
def test_bad_amounts_are_refused_and_nothing_is_saved(admin, holder, amount) -> None:
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="100", on=TODAY)
    with pytest.raises(ServiceError) as exc:
        budget_set(actor=admin, employee_id=holder.employee.pk, amount=amount, on=TODAY)
    assert exc.value.code == BudgetError.INVALID_AMOUNT
    assert Budget.objects.get().amount == Decimal("100.00")
    assert BudgetChange.objects.count() == 1


@pytest.mark.django_db
def test_supervisor_sets_budgets_for_own_employees_only_all_or_nothing(company) -> None:
    leader = member(company, is_supervisor=True)
    mine = [EmployeeFactory(company=company, supervisor=leader) for _ in range(3)]
    other = EmployeeFactory(company=company)
    foreign = EmployeeFactory()
    for outsider in (other, foreign):
        with pytest.raises(ServiceError) as exc:
            budget_set_many(
                actor=leader,
                employee_ids=[*(e.pk for e in mine), outsider.pk],
                amount="1000",
                on=TODAY,
            )
        assert exc.value.code == BudgetError.NOT_YOUR_EMPLOYEE
    assert Budget.objects.count() == 0
    budgets = budget_set_many(
        actor=leader, employee_ids=[e.pk for e in mine], amount="1000", on=TODAY
    )
    assert {b.employee_id for b in budgets} == {e.pk for e in mine}
    plain = member(company)
    with pytest.raises(ServiceError):
        budget_set(actor=plain, employee_id=mine[0].pk, amount="1", on=TODAY)


@pytest.mark.django_db
def test_periods_must_not_overlap_for_one_employee(admin, holder, company) -> None:
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="1000", on=TODAY)
    company_budget_period_set(actor=admin, kind=PeriodKind.QUARTER)
    with pytest.raises(ServiceError) as exc:
        budget_set(actor=admin, employee_id=holder.employee.pk, amount="300", on=TODAY)
    assert exc.value.code == BudgetError.PERIOD_OVERLAP
    assert Budget.objects.count() == 1
    # Next year's quarters are free.
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="300", on=date(2027, 2, 1))
    assert Budget.objects.count() == 2


@pytest.mark.django_db
def test_only_a_company_admin_chooses_the_period(admin, holder) -> None:
    with pytest.raises(ServiceError) as exc:
        company_budget_period_set(actor=holder, kind=PeriodKind.MONTH)
    assert exc.value.code == CommonError.ADMIN_ONLY
    with pytest.raises(ServiceError) as exc:
        company_budget_period_set(actor=admin, kind=PeriodKind.CUSTOM_YEAR)
    assert exc.value.code == BudgetError.INVALID_PERIOD
    company = company_budget_period_set(
        actor=admin, kind=PeriodKind.CUSTOM_YEAR, year_start=date(2026, 4, 1)
    )
    assert company.budget_period_of(TODAY) == Period(date(2026, 4, 1), date(2027, 4, 1))


@pytest.mark.django_db
def test_spent_pending_remaining_follow_the_order_states(admin, holder) -> None:
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="1000")
    released = place_order(holder, "600.00", key="a")
    assert released.state == OrderState.RELEASED
    waiting = place_order(holder, "700.00", key="b")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    figures = budget_figures(actor=holder, employee_ids=[holder.employee.pk])[holder.employee.pk]
    assert (figures.spent, figures.pending, figures.remaining) == (
        Decimal("1300.00"),
        Decimal("700.00"),
        Decimal("-300.00"),
    )
    order_transition(order=waiting, to_state=OrderState.REJECTED, actor=admin)
    figures = budget_figures(actor=holder, employee_ids=[holder.employee.pk])[holder.employee.pk]
    assert (figures.spent, figures.pending, figures.remaining) == (
        Decimal("600.00"),
        Decimal("0.00"),
        Decimal("400.00"),
    )
    mine = my_budget(actor=holder)
    assert mine is not None and [line.order for line in mine.lines] == [released]


@pytest.mark.django_db
def test_spent_counts_orders_placed_inside_the_period_in_oslo_time(admin, holder) -> None:
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="1000", on=TODAY)
    before = place_order(holder, "100.00", key="before")
    inside = place_order(holder, "200.00", key="inside")
    # 23:30 on 31 December 2025 in Oslo is still last year; 00:30 on 1 January is this year.
    Order.objects.filter(pk=before.pk).update(placed_at=datetime(2025, 12, 31, 23, 30, tzinfo=OSLO))
    Order.objects.filter(pk=inside.pk).update(placed_at=datetime(2026, 1, 1, 0, 30, tzinfo=OSLO))
    figures = budget_figures(actor=holder, employee_ids=[holder.employee.pk], on=TODAY)
    assert figures[holder.employee.pk].spent == Decimal("200.00")


@pytest.mark.django_db
def test_recipients_without_a_budget_never_hold_an_order(company) -> None:
    buyer = member(company)
    order = place_order(buyer, "99999.00", key="big")
    assert order.state == OrderState.RELEASED


@pytest.mark.django_db
def test_an_order_for_someone_else_draws_on_their_budget(company, admin, holder) -> None:
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="100")
    buyer = member(company)
    order = place_order(buyer, "150.00", key="for-holder", recipient=holder.employee)
    assert order.state == OrderState.AWAITING_APPROVAL
    assert budget_figures(actor=admin, employee_ids=[holder.employee.pk])[
        holder.employee.pk
    ].remaining == Decimal("-50.00")


@pytest.mark.django_db(transaction=True)
def test_twenty_orders_at_once_on_a_budget_that_covers_five() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is proven on PostgreSQL")
    company = CompanyFactory()
    admin = member(company, is_company_admin=True)
    holder_employee = EmployeeFactory(company=company)
    buyers = [member(company) for _ in range(20)]
    budget_set(actor=admin, employee_id=holder_employee.pk, amount="1000.00")
    variant = VariantFactory(product__list_price=Decimal("200.00"))
    for buyer in buyers:
        fill_cart(buyer, variant, recipient=holder_employee)

    results = _run_at_once(
        20, lambda i: order_submit(actor=buyers[i], idempotency_key=f"k{i}").state
    )

    assert sorted(map(str, results)) == sorted(
        [OrderState.RELEASED] * 5 + [OrderState.AWAITING_APPROVAL] * 15
    ), results
    figures = budget_figures(actor=admin, employee_ids=[holder_employee.pk])[holder_employee.pk]
    assert figures.spent == Decimal("4000.00")
    assert figures.pending == Decimal("3000.00")
    assert figures.remaining == Decimal("-3000.00")
