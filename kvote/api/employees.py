"""Employees: the lists (My employees, All employees), adding and changing employees, what one
employee bought, and their budget. Thin: the rules live in kvote.people and kvote.budgets.

- `scope=all` (the default) is open to every user of the company: it feeds the recipient picker.
  `scope=mine` (the employees the caller supervises) is for supervisors and company admins.
- `budget` (the current budget period's figures) and `purchased_total` (what the employee
  bought in the period of `from`/`to`/`period`, read as on the web pages: kvote.employees.periods;
  by default the current budget period) are filled for supervisors and company admins and null
  for everyone else.
- `supervisor` is `{"id", "name"}` of the supervising login, or null; `email` is the email of
  the employee's own login, or null when they have none.
- Adding, changing and budgets: company admins for any employee, supervisors for their own
  (403 `not_yours` otherwise); other users get 403 `forbidden`. Another company's employee: 404.
- Sizes (`/{employee_id}/sizes`): kept by the employee themselves, their supervisor and company
  admins (kvote.people.roles.may_keep_sizes); for anyone else the employee is 404. `PUT` sets
  exactly the groups it names and leaves the others as they are.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kvote.api.employee_schemas import (
    BudgetIn,
    EmployeeIn,
    EmployeeListQuery,
    EmployeeOut,
    EmployeePatch,
    PeriodQuery,
    PurchaseList,
    PurchaseOut,
    PurchaseQuery,
    SizeGroupOut,
    SizesIn,
    SizesOut,
)
from kvote.api.errors import FORBIDDEN, ApiError
from kvote.api.schemas import (
    AUTH_ERRORS,
    BudgetOut,
    PathId,
    PersonOut,
    budget_out,
    error_responses,
    paged,
)
from kvote.api.types import ApiRequest
from kvote.budgets.errors import BudgetError
from kvote.budgets.selectors import figures_for_employees
from kvote.budgets.services import budget_set
from kvote.catalog.services import employee_sizes_set
from kvote.catalog.size_profiles import SizesError, size_profile
from kvote.catalog.sizes import SizeGroupSizes, size_groups
from kvote.common.dates import DateRange
from kvote.common.errors import ServiceError
from kvote.common.money import ZERO
from kvote.common.tenancy import company_id_of
from kvote.employees import selectors
from kvote.employees.periods import parse_period
from kvote.people import roles, services
from kvote.people import selectors as people_selectors
from kvote.people.models import Employee, User

router = Router(tags=["employees"])

NO_BUDGET = "no_budget"

EMPLOYEE_ERRORS = (*AUTH_ERRORS, 403, 404)


def _require_role(actor: User) -> None:
    """Employees' details and changes are for supervisors and company admins."""
    company_id_of(actor)
    if not roles.may_manage_employees(actor):
        raise ApiError(
            403, FORBIDDEN, _("Only supervisors and company admins may see or change employees.")
        )


def _period(actor: User, query: PeriodQuery | None = None) -> DateRange:
    """The days asked for (none: the default period); 400 `invalid_period` when unreadable."""
    if query is None:
        return parse_period(actor=actor).range
    return parse_period(actor=actor, preset=query.period, first=query.first, last=query.last).range


def _employee_out(
    employee: Employee, *, budget: BudgetOut | None, total: Decimal | None
) -> EmployeeOut:
    user, supervisor = employee.user, employee.supervisor
    return EmployeeOut(
        id=employee.pk,
        number=employee.number,
        name=employee.name,
        email=user.email if user is not None else None,
        supervisor=PersonOut(id=supervisor.pk, name=supervisor.full_name) if supervisor else None,
        active=employee.is_active,
        budget=budget,
        purchased_total=total,
    )


def _one(actor: User, employee_id: int, period: DateRange) -> EmployeeOut:
    """One employee as the lists show them, with budget and what they bought in `period`."""
    employee, lines = selectors.employee_purchases(
        actor=actor, employee_id=employee_id, period=period
    )
    total = lines.aggregate(total=Sum("line_total"))["total"] or ZERO
    figures = figures_for_employees(company_id=employee.company_id, employee_ids=[employee.pk])
    return _employee_out(employee, budget=budget_out(figures.get(employee.pk)), total=total)


@router.get(
    "",
    response={200: paged(EmployeeOut), **error_responses(*EMPLOYEE_ERRORS)},
    summary="List employees",
)
def employee_list(request: ApiRequest, query: Query[EmployeeListQuery]) -> dict[str, Any]:
    """Active employees by name, searchable by name or employee number. Four queries besides
    authentication (company, count, page, budgets), whatever the number of employees and
    orders."""
    actor = request.auth
    mine = query.scope == "mine"
    privileged = roles.may_manage_employees(actor)
    if mine and not privileged:
        company_id_of(actor)
        raise ApiError(
            403, FORBIDDEN, _("Only supervisors and company admins have employees of their own.")
        )
    period = _period(actor, query)
    count = selectors.employee_count(actor=actor, mine=mine, query=query.q)
    rows: list[Employee] = []
    if query.offset < count:
        employees = selectors.employee_list(actor=actor, mine=mine, period=period, query=query.q)
        rows = list(employees.select_related("user")[query.offset : query.offset + query.limit])
    figures = (
        figures_for_employees(company_id=company_id_of(actor), employee_ids=[e.pk for e in rows])
        if privileged and rows
        else {}
    )
    items = [
        _employee_out(
            e,
            budget=budget_out(figures.get(e.pk)),
            total=e.total if privileged else None,  # type: ignore[attr-defined]
        )
        for e in rows
    ]
    return {"items": items, "count": count}


@router.post(
    "",
    response={201: EmployeeOut, **error_responses(*EMPLOYEE_ERRORS, 409)},
    summary="Add an employee",
)
def employee_create(request: ApiRequest, payload: EmployeeIn) -> Status[EmployeeOut]:
    """Add an employee, supervised by the caller unless a company admin names `supervisor_id`
    (an active supervisor or company admin of the company). A number already used in the
    company is 409 `duplicate_employee_number`; an `email` whose login would be the employee's
    own supervisor (nobody supervises their own employee record) is 400 `own_supervisor`."""
    actor = request.auth
    _require_role(actor)
    employee = services.employee_create(
        actor=actor,
        name=payload.name,
        number=payload.number,
        email=payload.email or "",
        supervisor_id=payload.supervisor_id,
    )
    return Status(201, _one(actor, employee.pk, _period(actor)))


@router.get(
    "/{employee_id}",
    response={200: EmployeeOut, **error_responses(*EMPLOYEE_ERRORS)},
    summary="One employee",
)
def employee_detail(
    request: ApiRequest, employee_id: PathId, query: Query[PeriodQuery]
) -> EmployeeOut:
    """One employee of the company (deactivated ones too), with what they bought in the
    period."""
    _require_role(request.auth)
    return _one(request.auth, employee_id, _period(request.auth, query))


@router.patch(
    "/{employee_id}",
    response={200: EmployeeOut, **error_responses(*EMPLOYEE_ERRORS, 409)},
    summary="Change an employee",
)
def employee_update(
    request: ApiRequest, employee_id: PathId, payload: EmployeePatch
) -> EmployeeOut:
    """Change the name or employee number (fields left out stay); `"active": false`
    deactivates (gone from the lists and the recipient picker, history kept), `true`
    reactivates. A number already used in the company is 409 `duplicate_employee_number`."""
    actor = request.auth
    _require_role(actor)
    services.employee_update(
        actor=actor,
        employee_id=employee_id,
        name=payload.name,
        number=payload.number,
        active=payload.active,
    )
    return _one(actor, employee_id, _period(actor))


@router.get(
    "/{employee_id}/purchases",
    response={200: PurchaseList, **error_responses(*EMPLOYEE_ERRORS)},
    summary="What one employee bought",
)
def employee_purchases(
    request: ApiRequest, employee_id: PathId, query: Query[PurchaseQuery]
) -> dict[str, Any]:
    """The order lines whose recipient is the employee, in orders placed in the period that are
    not rejected or cancelled, newest first: the figure that counts against their budget.
    Without `from`/`to`/`period`: the current budget period."""
    actor = request.auth
    _require_role(actor)
    _employee, lines = selectors.employee_purchases(
        actor=actor, employee_id=employee_id, period=_period(actor, query)
    )
    summary = lines.order_by().aggregate(total=Sum("line_total"), count=Count("pk"))
    count = summary["count"]
    page = list(lines[query.offset : query.offset + query.limit]) if query.offset < count else []
    items = [
        PurchaseOut(
            order_id=line.order_id,
            order_number=line.order.number,
            ordered_at=line.order.placed_at,
            sku=line.item_number,
            product_name=line.display_product_name,
            colour=line.display_colour,
            size=line.size,
            quantity=line.quantity,
            line_total=line.line_total,
        )
        for line in page
    ]
    return {"items": items, "count": count, "total": summary["total"] or ZERO}


@router.get(
    "/{employee_id}/budget",
    response={200: BudgetOut, **error_responses(*EMPLOYEE_ERRORS)},
    summary="An employee's current budget",
)
def employee_budget(request: ApiRequest, employee_id: PathId) -> BudgetOut:
    """The budget of the current budget period with what is spent, pending and remaining.
    404 `no_budget` when the employee has none for this period."""
    actor = request.auth
    _require_role(actor)
    employee = people_selectors.access_employee(actor=actor, employee_id=employee_id)
    figures = figures_for_employees(company_id=employee.company_id, employee_ids=[employee.pk])
    budget = budget_out(figures.get(employee.pk))
    if budget is None:
        raise ApiError(
            404, NO_BUDGET, _("%(name)s has no budget for this period.") % {"name": employee.name}
        )
    return budget


@router.put(
    "/{employee_id}/budget",
    response={200: BudgetOut, **error_responses(*EMPLOYEE_ERRORS, 409)},
    summary="Set an employee's budget",
)
def employee_budget_set(request: ApiRequest, employee_id: PathId, payload: BudgetIn) -> BudgetOut:
    """Set the budget of the current budget period (every change is kept: who, when, old,
    new). Company admins for anyone, supervisors for their own employees; nobody for their own
    employee record (403 `not_your_employee`)."""
    actor = request.auth
    _require_role(actor)
    employee = people_selectors.access_employee(actor=actor, employee_id=employee_id)
    try:
        budget_set(actor=actor, employee_id=employee.pk, amount=payload.amount)
    except ServiceError as exc:
        if exc.code == BudgetError.INVALID_AMOUNT:
            raise ApiError(400, exc.code, exc.message, {"amount": exc.message}) from exc
        raise
    figures = figures_for_employees(company_id=employee.company_id, employee_ids=[employee.pk])
    budget = budget_out(figures.get(employee.pk))
    assert budget is not None
    return budget


def _sizes_out(groups: list[SizeGroupSizes], sizes: dict[str, str | None]) -> SizesOut:
    return SizesOut(
        groups=[SizeGroupOut(key=g.key.value, label=g.label, sizes=g.sizes) for g in groups],
        sizes=sizes,
    )


@router.get(
    "/{employee_id}/sizes",
    response={200: SizesOut, **error_responses(*AUTH_ERRORS, 404)},
    summary="An employee's sizes",
)
def employee_sizes(request: ApiRequest, employee_id: PathId) -> SizesOut:
    """The size groups of the catalogue with their sizes, and the employee's size in each
    group (null: none). For the employee themselves, their supervisor and company admins;
    anyone else gets 404."""
    profile = size_profile(actor=request.auth, employee_id=employee_id)
    return _sizes_out(profile.groups, profile.sizes)


@router.put(
    "/{employee_id}/sizes",
    response={200: SizesOut, **error_responses(*AUTH_ERRORS, 404)},
    summary="Set an employee's sizes",
)
def employee_sizes_put(request: ApiRequest, employee_id: PathId, payload: SizesIn) -> SizesOut:
    """Set the sizes of exactly the groups in `sizes` (null or "" clears one); groups left out
    stay as they are. Each size must be one of its group's sizes in the catalogue (compared
    without regard to case, stored as the catalogue writes it). All or nothing: a size not in
    its group is 400 `size_not_in_group`, a key that is no group 400 `unknown_size_group`,
    with `fields` naming every bad group (`sizes.<key>`). Answers as GET, after the change."""
    try:
        sizes = employee_sizes_set(actor=request.auth, employee_id=employee_id, sizes=payload.sizes)
    except SizesError as exc:
        fields = {f"sizes.{key}": message for key, message in exc.fields.items()}
        raise ApiError(400, exc.code, exc.message, fields) from exc
    return _sizes_out(size_groups(), sizes)
