"""«Mine ansatte»: the employee lists with what each has bought, and the drill-down.

"Bought" is the same figure that counts against budgets (DESIGN.md, "Recipients"): order lines
whose recipient is the employee, in orders not rejected or cancelled, placed in the period. The
rule lives in kvote.budgets.counting; the period comes from kvote.employees.periods.
"""

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from kvote.budgets.counting import counted_lines, counts
from kvote.common.dates import DateRange
from kvote.common.money import ZERO
from kvote.common.tenancy import company_id_of, scoped
from kvote.ordering.models import OrderLine
from kvote.people.employee_rules import may_name_supervisor, supervisors
from kvote.people.models import Employee, User
from kvote.people.selectors import access_employee, search_employees

MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)


def _listed(*, actor: User, mine: bool, query: str) -> QuerySet[Employee]:
    """Who a list shows: the actor's employees (mine) or all active ones, matching `query`."""
    qs = scoped(Employee, actor).filter(is_active=True)
    if mine:
        qs = qs.filter(supervisor=actor)
    return search_employees(qs, query)


def employee_list(
    *, actor: User, mine: bool, period: DateRange, query: str = "", sort: str = "name"
) -> QuerySet[Employee]:
    """«Ansattliste» (mine=True: the employees the actor supervises) or «Alle ansatte» (every
    active employee), each annotated with `total` bought in the period: one aggregate query."""
    qs = _listed(actor=actor, mine=mine, query=query)
    if sort.lstrip("-") == "total":
        # Sorting by total needs every employee's total: one join and aggregate is cheapest.
        total: Any = Sum("order_lines__line_total", filter=counts(period, prefix="order_lines__"))
    else:
        # Sorted by name or number, a correlated subquery lets PostgreSQL sum only the rows of
        # the page it returns (bench/README.md has the figures).
        lines = OrderLine.objects.filter(
            counts(period), company_id=OuterRef("company_id"), recipient=OuterRef("pk")
        )
        total = Subquery(
            lines.order_by().values("recipient_id").annotate(t=Sum("line_total")).values("t"),
            output_field=MONEY,
        )
    qs = qs.select_related("supervisor").annotate(
        total=Coalesce(total, Value(ZERO), output_field=MONEY)
    )
    order = {
        "name": ["name", "number"],
        "number": ["number"],
        "total": ["-total", "name"],
        "-name": ["-name", "number"],
        "-number": ["-number"],
        "-total": ["total", "name"],
    }.get(sort, ["name", "number"])
    return qs.order_by(*order, "pk")


def employee_purchases(
    *, actor: User, employee_id: int, period: DateRange
) -> tuple[Employee, QuerySet[OrderLine]]:
    """The drill-down: what one employee has bought in the period, newest first."""
    employee = access_employee(actor=actor, employee_id=employee_id)
    lines = counted_lines(company_id=employee.company_id, employee_id=employee.pk, days=period)
    return employee, lines


def employee_count(*, actor: User, mine: bool, query: str = "") -> int:
    """How many employees employee_list(actor, mine, query=query) lists, counted without its
    totals (the paginator's count over the aggregate would join every order line)."""
    return _listed(actor=actor, mine=mine, query=query).count()


def supervisor_choices(*, actor: User) -> list[User] | None:
    """Whom the actor may name supervisor of a new employee, by name (one query), or None when
    the actor may name only themselves (kvote.people.employee_rules decides both)."""
    if not may_name_supervisor(actor):
        return None
    return list(supervisors(company_id=company_id_of(actor)).order_by("full_name", "email"))
