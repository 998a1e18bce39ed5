"""Budget figures, computed in one place: every page, export and endpoint reads them here.

spent     = what counts against the employee in the budget's period (kvote.budgets.counting: the
            order lines whose recipient is the employee, in orders placed in the period that
            are not rejected or cancelled, awaiting approval included);
pending   = the part of spent that still awaits approval;
remaining = budget − spent (may be negative).

What one order does to a recipient's budget is `BudgetEffect` (budget − spent before this
order = remaining before; remaining before − this order = remaining after), for an order not
yet placed (`order_budget_effects`) and for placed orders awaiting approval
(`placed_order_effects`).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from kvote.budgets.counting import counted_lines, counted_sums
from kvote.budgets.models import Budget, BudgetChange
from kvote.common.errors import not_found
from kvote.common.money import ZERO, round_money
from kvote.common.tenancy import company_id_of, scoped
from kvote.companies.models import Company
from kvote.companies.periods import Period
from kvote.ordering.models import Order, OrderLine
from kvote.ordering.selectors import lines_shown
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.selectors import search_employees


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
    """What one order does to one recipient's budget: the one home of the figures the review,
    order_submit, the approval queue and the API show and decide by, in the same words
    everywhere, so that a reader can check them by eye:

        Budget − Spent before this order = Remaining before
        Remaining before − This order   = Remaining after   (below zero: «i minus etter kjøp»)

    Made by one of two constructors, by how the order stands to the counting rule
    (kvote.budgets.counting): `before_placing`, an order not yet placed (the cart, the API's
    preview, order_submit deciding): nothing of it is counted yet; `of_placed_order`, a placed
    order that counts (awaiting approval): its amount is in the budget's spent and is taken out
    again. The effect keeps no "spent" that holds the order, so no page can show one.

    "Spent before this order" is everything else that counts against the budget in its period:
    for a waiting order, the recipient's other orders that wait too (placed later ones
    included). So every waiting order of a recipient ends at the same "Remaining after": the
    remaining that Min side shows (which counts what awaits approval)."""

    employee_id: int
    name: str
    number: str
    period: Period
    budget: Decimal
    spent_before: Decimal  # what counts against the budget in the period, but this order
    this_order: Decimal  # this order's lines for the recipient

    @classmethod
    def before_placing(
        cls, *, employee: Employee, figures: BudgetFigures, amount: Decimal
    ) -> "BudgetEffect":
        """An order not yet placed: `figures` do not count it."""
        return cls(
            employee_id=employee.pk,
            name=employee.name,
            number=employee.number,
            period=figures.period,
            budget=figures.amount,
            spent_before=figures.spent,
            this_order=amount,
        )

    @classmethod
    def of_placed_order(
        cls, *, lines: Sequence[OrderLine], figures: BudgetFigures
    ) -> "BudgetEffect":
        """A placed order that counts (awaiting approval) in the period of `figures`: `lines`,
        its lines for one recipient, are part of that recipient's spent. The recipient as the
        order names them (name and number when it was placed)."""
        amount = sum((line.line_total for line in lines), ZERO)
        return cls(
            employee_id=lines[0].recipient_id,
            name=lines[0].recipient_name,
            number=lines[0].recipient_number,
            period=figures.period,
            budget=figures.amount,
            spent_before=figures.spent - amount,
            this_order=amount,
        )

    @property
    def remaining_before(self) -> Decimal:
        return self.budget - self.spent_before

    @property
    def remaining_after(self) -> Decimal:
        return self.remaining_before - self.this_order

    @property
    def goes_over(self) -> bool:
        """«Du er i minus etter kjøp»."""
        return self.remaining_after < 0

    @property
    def over_by(self) -> Decimal:
        """How far below zero the order takes the budget (0 when it stays within)."""
        return max(ZERO, -self.remaining_after)


def figures_of(budgets: Iterable[Budget]) -> list[BudgetFigures]:
    """The figures of these budgets, in their order, each summed over its own period by the one
    rule of kvote.budgets.counting. Besides reading the budgets, one query whatever the number
    of budgets, periods and orders; none without budgets."""
    budgets = list(budgets)
    keys = [
        (Period(b.period_start, b.period_end).days, b.company_id, b.employee_id) for b in budgets
    ]
    sums = counted_sums(keys)
    return [_figures(b, *sums[key]) for b, key in zip(budgets, keys, strict=True)]


def _figures(budget: Budget, spent: Decimal, pending: Decimal) -> BudgetFigures:
    return BudgetFigures(
        employee_id=budget.employee_id,
        budget_id=budget.pk,
        period=Period(budget.period_start, budget.period_end),
        amount=budget.amount,
        spent=round_money(spent),
        pending=round_money(pending),
    )


def current_budgets(*, company_id: int, on: date) -> QuerySet[Budget]:
    return Budget.objects.filter(company_id=company_id, period_start__lte=on, period_end__gt=on)


def figures_for_employees(
    *, company_id: int, employee_ids: Iterable[int], on: date | None = None
) -> dict[int, BudgetFigures]:
    """The budget figures of each employee that has a budget for the period holding `on`."""
    on = on or timezone.localdate()
    budgets = current_budgets(company_id=company_id, on=on).filter(
        employee_id__in=list(employee_ids)
    )
    return {figures.employee_id: figures for figures in figures_of(budgets)}


def budget_figures(
    *, actor: User, employee_ids: Iterable[int], on: date | None = None
) -> dict[int, BudgetFigures]:
    return figures_for_employees(company_id=company_id_of(actor), employee_ids=employee_ids, on=on)


def order_budget_effects(
    *, company_id: int, amounts: dict[Employee, Decimal], on: date | None = None
) -> list[BudgetEffect]:
    """What an order not yet placed would do: for each recipient with a budget in the period
    holding `on` (today), by name. Two queries (budgets, their sums)."""
    figures = figures_for_employees(
        company_id=company_id, employee_ids=[e.pk for e in amounts], on=on
    )
    effects = [
        BudgetEffect.before_placing(employee=employee, figures=figures[employee.pk], amount=amount)
        for employee, amount in amounts.items()
        if employee.pk in figures
    ]
    return sorted(effects, key=_by_name)


def placed_order_effects(
    *, company_id: int, orders: Iterable[Order], lines: Iterable[OrderLine]
) -> dict[int, list[BudgetEffect]]:
    """What placed orders that count (awaiting approval) do, order id → for each recipient with
    a budget in the period holding the order's day, by name. `lines`: the orders' lines. Two
    queries (the budgets, their sums) whatever the number of orders, recipients and periods;
    none without lines."""
    days = {order.pk: timezone.localdate(order.placed_at) for order in orders}
    grouped: dict[int, dict[int, list[OrderLine]]] = {pk: {} for pk in days}
    for line in lines:
        grouped[line.order_id].setdefault(line.recipient_id, []).append(line)
    recipient_ids = {pk for recipients in grouped.values() for pk in recipients}
    if not recipient_ids:
        return {pk: [] for pk in days}
    budgets = Budget.objects.filter(
        company_id=company_id,
        employee_id__in=recipient_ids,
        period_start__lte=max(days.values()),
        period_end__gt=min(days.values()),
    )
    periods: dict[int, list[BudgetFigures]] = {}
    for figures in figures_of(budgets):
        periods.setdefault(figures.employee_id, []).append(figures)
    effects: dict[int, list[BudgetEffect]] = {}
    for order_id, recipients in grouped.items():
        found = [
            BudgetEffect.of_placed_order(lines=recipient_lines, figures=figures)
            for employee_id, recipient_lines in recipients.items()
            for figures in periods.get(employee_id, [])
            if days[order_id] in figures.period
        ]
        effects[order_id] = sorted(found, key=_by_name)
    return effects


def _by_name(effect: BudgetEffect) -> tuple[str, str]:
    return (effect.name, effect.number)


# Min side shows the budget's lines a page at a time, newest first.
MY_BUDGET_LINES = 10


@dataclass(frozen=True)
class MyBudget:
    figures: BudgetFigures
    page: Page[OrderLine]  # the budget's lines, a page of MY_BUDGET_LINES

    @property
    def lines(self) -> list[OrderLine]:
        return list(self.page.object_list)


def my_budget(
    *, employee: Employee | None, on: date | None = None, page: str | int | None = None
) -> MyBudget | None:
    """Min side for a budget holder: `employee`'s (the actor's own) current budget and a page
    (`page`, the first by default) of the order lines that used it, newest first, each with its
    picture and expected delivery (lines_shown). Four queries (budget, its sums, the first
    page's lines, their pictures) when the lines fit on one page, whatever the number of
    orders; one more (the count) when they do not."""
    if employee is None:
        return None
    figures = figures_for_employees(
        company_id=employee.company_id, employee_ids=[employee.pk], on=on
    ).get(employee.pk)
    if figures is None:
        return None
    lines = counted_lines(
        company_id=employee.company_id, employee_id=employee.pk, days=figures.period.days
    ).select_related("variant")
    paginator = Paginator(lines, MY_BUDGET_LINES)
    shown: Page[OrderLine]
    if str(page or "1") == "1":
        first = list(lines[: MY_BUDGET_LINES + 1])
        if len(first) <= MY_BUDGET_LINES:  # all of them: the count is known
            paginator.__dict__["count"] = len(first)  # (a cached_property)
        shown = Page(first[:MY_BUDGET_LINES], 1, paginator)
    else:
        shown = paginator.get_page(page)
    shown.object_list = lines_shown(shown.object_list)
    return MyBudget(figures=figures, page=shown)


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
    return roles.budget_employees(actor, scoped(Employee, actor).filter(is_active=True))


def overlapping(*, employee_ids: Iterable[int], period: Period) -> QuerySet[Budget]:
    """The employees' budgets whose periods share a day with `period`."""
    return Budget.objects.filter(
        Q(employee_id__in=list(employee_ids))
        & Q(period_start__lt=period.end)
        & Q(period_end__gt=period.start)
    )


# The pages where budgets are set (kvote.budgets.views).


def employees_matching(*, actor: User, query: str = "") -> QuerySet[Employee]:
    """The employees whose budgets the actor may set, filtered by name or employee number.
    Budgets are set by company admins and supervisors; to anyone else the pages do not
    exist."""
    roles.require(actor, roles.may_set_budgets)
    employees = search_employees(manageable_employees(actor=actor), query)
    return employees.order_by("name", "number", "pk")


def access_budget_employee(*, actor: User, employee_id: int) -> Employee:
    """One employee the actor may set budgets for; NotFound for anyone else (another
    company's, another supervisor's)."""
    employee = employees_matching(actor=actor).filter(pk=employee_id).first()
    if employee is None:
        raise not_found()
    return employee


@dataclass(frozen=True)
class BudgetRow:
    employee: Employee
    figures: BudgetFigures | None  # None: no budget for the period holding today


@dataclass(frozen=True)
class BudgetList:
    period: Period  # the company's current period: the one a budget set now covers
    page: Page  # of BudgetRow


def budget_list(
    *,
    actor: User,
    query: str = "",
    page_number: int | str | None = 1,
    per_page: int | None = None,
    on: date | None = None,
) -> BudgetList:
    """One page of the budgets page: each employee with the figures of their current budget.
    Five queries (company, count, employees, budgets, their sums), whatever the number of
    employees and orders. A page number out of range gives the nearest page."""
    on = on or timezone.localdate()
    employees = employees_matching(actor=actor, query=query)
    company = Company.objects.get(pk=company_id_of(actor))
    paginator: Paginator[Any] = Paginator(employees, per_page or settings.KVOTE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    shown: list[Employee] = list(page.object_list)
    figures = figures_for_employees(
        company_id=company.pk, employee_ids=[e.pk for e in shown], on=on
    )
    page.object_list = [BudgetRow(employee=e, figures=figures.get(e.pk)) for e in shown]
    return BudgetList(period=company.budget_period_of(on), page=page)


@dataclass(frozen=True)
class BudgetChangeRow:
    change: BudgetChange  # with actor and budget
    period: Period


@dataclass(frozen=True)
class BudgetHistory:
    employee: Employee
    budgets: list[BudgetFigures]  # newest period first
    changes: list[BudgetChangeRow]  # newest first


def budget_history(*, actor: User, employee_id: int) -> BudgetHistory:
    """An employee's budgets per period with their figures, and every change of an amount.
    Four queries (employee, budgets, their sums, changes), whatever the number of budgets,
    changes and orders."""
    employee = access_budget_employee(actor=actor, employee_id=employee_id)
    budgets = figures_of(
        Budget.objects.filter(company_id=employee.company_id, employee=employee).order_by(
            "-period_start"
        )
    )
    return BudgetHistory(
        employee=employee,
        budgets=budgets,
        changes=[
            BudgetChangeRow(c, Period(c.budget.period_start, c.budget.period_end))
            for c in budget_changes(actor=actor, employee_id=employee.pk)
        ],
    )


def budget_settings(*, actor: User) -> Company:
    """The actor's company, for its budget period settings: company admins only."""
    roles.require(actor, roles.is_company_admin)
    return Company.objects.get(pk=company_id_of(actor))
