"""Budget figures, computed in one place: every page, export and endpoint reads them here.

spent     = the sum of the order lines whose recipient is the employee, in orders placed in the
            budget's period that are not rejected or cancelled (awaiting approval included);
pending   = the part of spent that still awaits approval;
remaining = budget − spent (may be negative).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.periods import Period
from kvote.common.money import ZERO, round_money
from kvote.common.tenancy import company_id_of, scoped
from kvote.ordering.models import OrderLine, OrderState
from kvote.ordering.states import COUNTING_STATES
from kvote.people.models import Employee, User

MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class BudgetFigures:
    employee_id: int
    budget_id: int
    period: Period
    amount: Decimal
    spent: Decimal
    pending: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent

    @property
    def is_over(self) -> bool:
        return self.remaining < 0

    @property
    def used_percent(self) -> int:
        """How full the bar is: 0–100 (spent beyond the budget shows as a full bar)."""
        if self.amount <= 0:
            return 100 if self.spent > 0 else 0
        return min(100, int(self.spent * 100 / self.amount))


@dataclass(frozen=True)
class BudgetEffect:
    """What one order does to one recipient's budget (the review and order_submit share it)."""

    employee: Employee
    figures: BudgetFigures
    order_amount: Decimal

    @property
    def remaining_now(self) -> Decimal:
        return self.figures.remaining

    @property
    def remaining_after(self) -> Decimal:
        return self.figures.remaining - self.order_amount

    @property
    def goes_over(self) -> bool:
        """«Du er i minus etter kjøp»."""
        return self.remaining_after < 0


def _line_sum(*states: str) -> Subquery:
    lines = (
        OrderLine.objects.filter(
            company_id=OuterRef("company_id"),
            recipient_id=OuterRef("employee_id"),
            order__state__in=states,
            order__placed_at__date__gte=OuterRef("period_start"),
            order__placed_at__date__lt=OuterRef("period_end"),
        )
        .order_by()
        .values("recipient_id")
        .annotate(total=Sum("line_total"))
        .values("total")
    )
    return Subquery(lines, output_field=MONEY)


def budgets_with_figures(queryset: QuerySet[Budget]) -> QuerySet[Budget]:
    """Annotate budgets with `spent` and `pending`: one query, whatever the number of orders."""
    return queryset.annotate(
        spent=Coalesce(_line_sum(*COUNTING_STATES), Value(ZERO), output_field=MONEY),
        pending=Coalesce(_line_sum(OrderState.AWAITING_APPROVAL), Value(ZERO), output_field=MONEY),
    )


def _figures(budget: Budget) -> BudgetFigures:
    return BudgetFigures(
        employee_id=budget.employee_id,
        budget_id=budget.pk,
        period=Period(budget.period_start, budget.period_end),
        amount=budget.amount,
        spent=round_money(budget.spent),  # type: ignore[attr-defined]
        pending=round_money(budget.pending),  # type: ignore[attr-defined]
    )


def current_budgets(*, company_id: int, on: date) -> QuerySet[Budget]:
    return Budget.objects.filter(company_id=company_id, period_start__lte=on, period_end__gt=on)


def figures_for_employees(
    *, company_id: int, employee_ids: Iterable[int], on: date | None = None
) -> dict[int, BudgetFigures]:
    """The budget figures of each employee that has a budget for the period holding `on`."""
    on = on or timezone.localdate()
    budgets = budgets_with_figures(
        current_budgets(company_id=company_id, on=on).filter(employee_id__in=list(employee_ids))
    )
    return {b.employee_id: _figures(b) for b in budgets}


def budget_figures(
    *, actor: User, employee_ids: Iterable[int], on: date | None = None
) -> dict[int, BudgetFigures]:
    return figures_for_employees(company_id=company_id_of(actor), employee_ids=employee_ids, on=on)


def order_budget_effects(
    *, company_id: int, amounts: dict[Employee, Decimal], on: date | None = None
) -> list[BudgetEffect]:
    """For each recipient with a budget: remaining now, this order's amount, remaining after."""
    figures = figures_for_employees(
        company_id=company_id, employee_ids=[e.pk for e in amounts], on=on
    )
    return [
        BudgetEffect(employee=employee, figures=figures[employee.pk], order_amount=amount)
        for employee, amount in sorted(amounts.items(), key=lambda item: item[0].name)
        if employee.pk in figures
    ]


@dataclass(frozen=True)
class MyBudget:
    figures: BudgetFigures
    lines: list[OrderLine]


def my_budget(*, actor: User, on: date | None = None) -> MyBudget | None:
    """Min side for a budget holder: the current budget and the order lines that used it.
    Three queries, whatever the number of orders."""
    employee = scoped(Employee, actor).filter(user=actor).first()
    if employee is None:
        return None
    figures = figures_for_employees(
        company_id=employee.company_id, employee_ids=[employee.pk], on=on
    ).get(employee.pk)
    if figures is None:
        return None
    lines = list(
        scoped(OrderLine, actor)
        .filter(
            recipient=employee,
            order__state__in=COUNTING_STATES,
            order__placed_at__date__gte=figures.period.start,
            order__placed_at__date__lt=figures.period.end,
        )
        .select_related("order")
        .order_by("-order__placed_at", "-order_id", "id")
    )
    return MyBudget(figures=figures, lines=lines)


def budget_changes(*, actor: User, employee_id: int) -> QuerySet[BudgetChange]:
    return (
        scoped(BudgetChange, actor)
        .filter(budget__employee_id=employee_id)
        .select_related("actor", "budget")
        .order_by("-created_at", "-id")
    )


def manageable_employees(*, actor: User) -> QuerySet[Employee]:
    """Whose budgets the actor may set: all employees for a company admin, a supervisor's own
    employees (Ansattliste) otherwise; nobody for other roles."""
    qs = scoped(Employee, actor).filter(is_active=True)
    if actor.is_company_admin:
        return qs
    if actor.is_supervisor:
        return qs.filter(supervisor=actor)
    return qs.none()


def overlapping(*, employee_id: int, period: Period) -> QuerySet[Budget]:
    return Budget.objects.filter(
        Q(employee_id=employee_id) & Q(period_start__lt=period.end) & Q(period_end__gt=period.start)
    )
