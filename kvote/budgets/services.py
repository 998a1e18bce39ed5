"""Setting budgets: one at a time or many at once, every change of an amount kept."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.budgets.errors import BudgetError
from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.selectors import manageable_employees, overlapping
from kvote.common.errors import CommonError, ServiceError
from kvote.common.money import MONEY_MAX_DIGITS, format_nok, parse_money
from kvote.common.tenancy import company_id_of
from kvote.companies.models import Company
from kvote.companies.periods import Period, PeriodKind
from kvote.people import roles
from kvote.people.models import Employee, User

MAX_AMOUNT = Decimal(10 ** (MONEY_MAX_DIGITS - 2)) - Decimal("0.01")


def parse_budget_amount(value: Decimal | str) -> Decimal:
    """A budget amount: at least 0, at most two decimals; Norwegian or English notation."""
    try:
        amount = value if isinstance(value, Decimal) else parse_money(str(value))
    except (ValueError, InvalidOperation):
        amount = None
    if amount is None or not amount.is_finite():
        raise ServiceError(
            BudgetError.INVALID_AMOUNT, _("Write the amount as a number, e.g. 5 000,00.")
        )
    if amount < 0:
        raise ServiceError(BudgetError.INVALID_AMOUNT, _("A budget cannot be negative."))
    if amount > MAX_AMOUNT:  # before quantize(), which fails on a huge amount ("1e30")
        raise ServiceError(
            BudgetError.INVALID_AMOUNT,
            _("A budget can be at most %(max)s.") % {"max": format_nok(MAX_AMOUNT)},
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(BudgetError.INVALID_AMOUNT, _("A budget has at most two decimals."))
    return amount.quantize(Decimal("0.01"))


def _employees_for_update(*, actor: User, employee_ids: Iterable[int]) -> list[Employee]:
    ids = sorted(set(employee_ids))
    if not ids:
        raise ServiceError(BudgetError.NO_EMPLOYEES, _("Choose at least one employee."))
    employees = list(
        manageable_employees(actor=actor).filter(pk__in=ids).select_for_update().order_by("pk")
    )
    if len(employees) != len(ids):
        if Employee.objects.filter(pk__in=ids, user=actor).exists():
            raise own_budget_refused()
        raise ServiceError(
            BudgetError.NOT_YOUR_EMPLOYEE,
            _("You can set budgets only for the employees you are responsible for."),
        )
    return employees


def own_budget_refused() -> ServiceError:
    """The answer to anyone setting the budget of their own employee record
    (kvote.people.roles.may_set_budgets: nobody does, on any path)."""
    return ServiceError(
        BudgetError.NOT_YOUR_EMPLOYEE,
        _("Nobody sets their own budget: another company admin, or your supervisor, sets it."),
    )


def _set_all(
    *, actor: User, employees: list[Employee], period: Period, amount: Decimal
) -> list[Budget]:
    """Give each employee (locked, in pk order) `amount` for `period`, keeping every change, in
    a fixed number of queries however many employees there are."""
    same_start = {
        b.employee_id: b
        for b in Budget.objects.filter(
            employee_id__in=[e.pk for e in employees], period_start=period.start
        )
    }
    # A budget starting the same day but of another length is no budget for this period: it
    # overlaps it, and is found below.
    kept = {pk: b for pk, b in same_start.items() if b.period_end == period.end}
    missing = [e for e in employees if e.pk not in kept]
    if missing:
        clashes = overlapping(employee_ids=[e.pk for e in missing], period=period)
        first_clash: dict[int, Budget] = {}
        for other in clashes:  # the model's ordering: by employee, latest period first
            first_clash.setdefault(other.employee_id, other)
        for employee in missing:
            clash = first_clash.get(employee.pk)
            if clash is not None:
                raise ServiceError(
                    BudgetError.PERIOD_OVERLAP,
                    _("%(name)s already has a budget for %(period)s, which overlaps this period.")
                    % {
                        "name": employee.name,
                        "period": Period(clash.period_start, clash.period_end).label(),
                    },
                )
    created = Budget.objects.bulk_create(
        Budget(
            company_id=employee.company_id,
            employee=employee,
            period_start=period.start,
            period_end=period.end,
            amount=amount,
        )
        for employee in missing
    )
    changed = [b for b in kept.values() if b.amount != amount]
    old_amounts = {b.pk: b.amount for b in changed}
    if changed:
        now = timezone.now()
        Budget.objects.filter(pk__in=old_amounts).update(amount=amount, updated_at=now)
        for budget in changed:
            budget.amount, budget.updated_at = amount, now
    by_employee = {**kept, **{b.employee_id: b for b in created}}
    new_or_changed = {b.pk for b in created} | old_amounts.keys()
    BudgetChange.objects.bulk_create(
        BudgetChange(
            company_id=budget.company_id,
            budget=budget,
            actor=actor,
            old_amount=old_amounts.get(budget.pk),
            new_amount=amount,
        )
        for budget in (by_employee[e.pk] for e in employees)
        if budget.pk in new_or_changed
    )
    return [by_employee[e.pk] for e in employees]


def budget_set_many(
    *,
    actor: User,
    employee_ids: Iterable[int],
    amount: Decimal | str,
    on: date | None = None,
) -> list[Budget]:
    """Give each employee the same budget for the company's period holding `on` (today).
    All or nothing: one refused employee and none is changed."""
    value = parse_budget_amount(amount)
    company = Company.objects.get(pk=company_id_of(actor))
    period = company.budget_period_of(on or timezone.localdate())
    with transaction.atomic():
        employees = _employees_for_update(actor=actor, employee_ids=employee_ids)
        return _set_all(actor=actor, employees=employees, period=period, amount=value)


def budget_set(
    *, actor: User, employee_id: int, amount: Decimal | str, on: date | None = None
) -> Budget:
    return budget_set_many(actor=actor, employee_ids=[employee_id], amount=amount, on=on)[0]


def company_budget_period_set(*, actor: User, kind: str, year_start: date | None = None) -> Company:
    """A company admin chooses the budget period; budgets already set keep their periods."""
    if not roles.is_company_admin(actor):
        raise ServiceError(
            CommonError.ADMIN_ONLY, _("Only a company admin can change the budget period.")
        )
    if kind not in PeriodKind.values:
        raise ServiceError(BudgetError.INVALID_PERIOD, _("Choose one of the budget periods."))
    if kind == PeriodKind.CUSTOM_YEAR and year_start is None:
        raise ServiceError(BudgetError.INVALID_PERIOD, _("Choose the date the budget year starts."))
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id_of(actor))
        company.budget_period = kind
        company.budget_year_start = year_start if kind == PeriodKind.CUSTOM_YEAR else None
        company.save(update_fields=["budget_period", "budget_year_start", "updated_at"])
        return company


def budgets_lock(*, company_id: int, employee_ids: Iterable[int], on: date) -> None:
    """Lock the budget rows an order is about to draw on, always in the same order, so two
    orders on one budget take turns: the second re-reads `spent` after the first committed."""
    list(
        Budget.objects.select_for_update()
        .filter(
            company_id=company_id,
            employee_id__in=sorted(set(employee_ids)),
            period_start__lte=on,
            period_end__gt=on,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def budget_back_office_check(*, actor: User, budget: Budget) -> None:
    """What a budget saved in the back office must hold (the same rules as in the portal):
    nobody sets their own (`roles.is_own_record`: one of the staff linked to the employee),
    an amount ≥ 0 with two decimals at most, a period that is not empty, no overlap with
    another budget of the employee, and the employee of an existing budget stays the same."""
    if roles.is_own_record(actor, budget.employee):
        raise own_budget_refused()
    parse_budget_amount(budget.amount)
    if budget.period_end <= budget.period_start:
        raise ServiceError(
            BudgetError.INVALID_PERIOD, _("The period must end after the day it starts.")
        )
    if budget.pk is not None:
        before = Budget.objects.filter(pk=budget.pk).values_list("employee_id", flat=True).first()
        if before is not None and before != budget.employee_id:
            raise ServiceError(
                BudgetError.EMPLOYEE_CHANGED,
                _("A budget stays with its employee; add a new budget for another employee."),
            )
    period = Period(budget.period_start, budget.period_end)
    others = overlapping(employee_ids=[budget.employee_id], period=period).exclude(pk=budget.pk)
    clash = others.first()
    if clash is not None:
        raise ServiceError(
            BudgetError.PERIOD_OVERLAP,
            _("The employee already has a budget for %(period)s, which overlaps this period.")
            % {"period": Period(clash.period_start, clash.period_end).label()},
        )


def budget_back_office_save(*, actor: User, budget: Budget) -> Budget:
    """Supplier staff add or correct a budget in the back office. The company follows the
    employee, and a change of the amount is kept (who, when, old, new) like in the portal."""
    with transaction.atomic():
        employee = Employee.objects.select_for_update().get(pk=budget.employee_id)
        old_amount = None
        if budget.pk is not None:
            old_amount = (
                Budget.objects.select_for_update()
                .filter(pk=budget.pk)
                .values_list("amount", flat=True)
                .first()
            )
        budget.employee = employee
        budget_back_office_check(actor=actor, budget=budget)  # again, the employee locked
        budget.amount = parse_budget_amount(budget.amount)
        budget.company_id = employee.company_id
        budget.save()
        if old_amount is None or old_amount != budget.amount:
            BudgetChange.objects.create(
                company_id=employee.company_id,
                budget=budget,
                actor=actor,
                old_amount=old_amount,
                new_amount=budget.amount,
            )
        return budget
