from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kvote.budgets.errors import BudgetError
from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.selectors import budget_figures, my_budget
from kvote.budgets.services import budget_set, budget_set_many, company_budget_period_set
from kvote.checkout.services import order_submit
from kvote.common.errors import CommonError, ServiceError
from kvote.companies.periods import Period, PeriodKind, period_containing
from kvote.ordering.models import Order, OrderState
from kvote.ordering.states import order_transition
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import (
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


@pytest.mark.django_db
def test_admin_sets_a_budget_and_every_change_is_kept(admin, team) -> None:
    anne = team[0]  # no budget yet
    budget = budget_set(actor=admin, employee_id=anne.pk, amount="5 000,00", on=TODAY)
    assert (budget.amount, budget.period_start, budget.period_end) == (
        Decimal("5000.00"),
        date(2026, 1, 1),
        date(2027, 1, 1),
    )
    budget_set(actor=admin, employee_id=anne.pk, amount="4500", on=TODAY)
    budget_set(actor=admin, employee_id=anne.pk, amount="4500.00", on=TODAY)  # no change
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
def test_bad_amounts_are_refused_and_nothing_is_saved(admin, team, amount) -> None:
    anne = team[0]
    budget_set(actor=admin, employee_id=anne.pk, amount="100", on=TODAY)
    with pytest.raises(ServiceError) as exc:
        budget_set(actor=admin, employee_id=anne.pk, amount=amount, on=TODAY)
    assert exc.value.code == BudgetError.INVALID_AMOUNT
    assert Budget.objects.get().amount == Decimal("100.00")
    assert BudgetChange.objects.count() == 1


@pytest.mark.django_db
def test_supervisor_sets_budgets_for_own_employees_only_all_or_nothing(
    leader, team, outsider, buyer, fjord
) -> None:
    for stranger in (outsider, fjord.leader.employee):
        with pytest.raises(ServiceError) as exc:
            budget_set_many(
                actor=leader,
                employee_ids=[*(e.pk for e in team), stranger.pk],
                amount="1000",
                on=TODAY,
            )
        assert exc.value.code == BudgetError.NOT_YOUR_EMPLOYEE
    assert Budget.objects.count() == 0
    budgets = budget_set_many(
        actor=leader, employee_ids=[e.pk for e in team], amount="1000", on=TODAY
    )
    assert {b.employee_id for b in budgets} == {e.pk for e in team}
    with pytest.raises(ServiceError):
        budget_set(actor=buyer, employee_id=team[0].pk, amount="1", on=TODAY)


@pytest.mark.django_db
def test_many_at_once_keeps_a_change_for_each_budget_made_or_changed_only(admin, team) -> None:
    anne, bjorn, cecilie = team
    budget_set(actor=admin, employee_id=anne.pk, amount="500", on=TODAY)  # will change
    budget_set(actor=admin, employee_id=bjorn.pk, amount="800", on=TODAY)  # stays as it is
    budgets = budget_set_many(
        actor=admin, employee_ids=[cecilie.pk, bjorn.pk, anne.pk, anne.pk], amount="800", on=TODAY
    )
    assert [(b.employee, b.amount) for b in budgets] == [
        (e, Decimal("800.00")) for e in sorted(team, key=lambda e: e.pk)
    ]
    assert {b.employee_id: b.amount for b in Budget.objects.all()} == {
        e.pk: Decimal("800.00") for e in team
    }
    changes = BudgetChange.objects.order_by("id").values_list(
        "budget__employee", "old_amount", "new_amount", "actor"
    )
    assert list(changes) == [
        (anne.pk, None, Decimal("500.00"), admin.pk),
        (bjorn.pk, None, Decimal("800.00"), admin.pk),
        *sorted(
            [
                (anne.pk, Decimal("500.00"), Decimal("800.00"), admin.pk),
                (cecilie.pk, None, Decimal("800.00"), admin.pk),
            ]
        ),
    ]


@pytest.mark.django_db
def test_many_at_once_names_the_first_employee_whose_period_overlaps_and_saves_none(
    admin, team
) -> None:
    _, bjorn, cecilie = team
    for employee in (bjorn, cecilie):
        budget_set(actor=admin, employee_id=employee.pk, amount="100", on=TODAY)
    company_budget_period_set(actor=admin, kind=PeriodKind.QUARTER)
    with pytest.raises(ServiceError) as exc:
        budget_set_many(actor=admin, employee_ids=[e.pk for e in team], amount="300", on=TODAY)
    assert exc.value.code == BudgetError.PERIOD_OVERLAP
    first = min(bjorn, cecilie, key=lambda e: e.pk)
    assert exc.value.message.startswith(f"{first.name} ")
    assert Budget.objects.count() == 2 and BudgetChange.objects.count() == 2


@pytest.mark.django_db
def test_periods_must_not_overlap_for_one_employee(admin, team) -> None:
    anne = team[0]
    budget_set(actor=admin, employee_id=anne.pk, amount="1000", on=TODAY)
    company_budget_period_set(actor=admin, kind=PeriodKind.QUARTER)
    with pytest.raises(ServiceError) as exc:
        budget_set(actor=admin, employee_id=anne.pk, amount="300", on=TODAY)
    assert exc.value.code == BudgetError.PERIOD_OVERLAP
    assert Budget.objects.count() == 1
    # Next year's quarters are free.
    budget_set(actor=admin, employee_id=anne.pk, amount="300", on=date(2027, 2, 1))
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
    mine = my_budget(employee=holder.employee)
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
def test_recipients_without_a_budget_never_hold_an_order(buyer) -> None:
    order = place_order(buyer, "99999.00", key="big")
    assert order.state == OrderState.RELEASED


@pytest.mark.django_db
def test_an_order_for_someone_else_draws_on_their_budget(admin, holder, buyer) -> None:
    budget_set(actor=admin, employee_id=holder.employee.pk, amount="100")
    order = place_order(buyer, "150.00", key="for-holder", recipient=holder.employee)
    assert order.state == OrderState.AWAITING_APPROVAL
    assert budget_figures(actor=admin, employee_ids=[holder.employee.pk])[
        holder.employee.pk
    ].remaining == Decimal("-50.00")


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_twenty_orders_at_once_on_a_budget_that_covers_five(company, admin, holder) -> None:
    holder_employee = holder.employee  # kr 1 000: five orders of kr 200
    buyers = [member(company) for _ in range(20)]
    variant = VariantFactory(product__list_price=Decimal("200.00"))
    for buyer in buyers:
        fill_cart(buyer, variant, recipient=holder_employee)

    results = run_at_once(
        20, lambda i: order_submit(actor=buyers[i], idempotency_key=f"k{i}").state
    )

    assert sorted(map(str, results)) == sorted(
        [OrderState.RELEASED] * 5 + [OrderState.AWAITING_APPROVAL] * 15
    ), results
    figures = budget_figures(actor=admin, employee_ids=[holder_employee.pk])[holder_employee.pk]
    assert figures.spent == Decimal("4000.00")
    assert figures.pending == Decimal("3000.00")
    assert figures.remaining == Decimal("-3000.00")
