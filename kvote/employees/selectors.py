"""«Mine ansatte»: the employee lists with what each has bought, and the drill-down.

"Bought" is the same figure that counts against budgets (DESIGN.md, "Recipients"): order lines
whose recipient is the employee, in orders not rejected or cancelled, placed in the period.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kvote.common.money import ZERO
from kvote.common.tenancy import company_id_of, get_scoped_or_404, scoped
from kvote.ordering.models import OrderLine
from kvote.ordering.states import COUNTING_STATES
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.selectors import search_employees

MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class DateRange:
    """Days from `first` to `last`, both included; None means open on that side."""

    first: date | None = None
    last: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as aware datetimes in the portal's time zone: [start, end)."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.first, time.min, tz) if self.first else None
        end = datetime.combine(self.last + timedelta(days=1), time.min, tz) if self.last else None
        return start, end


def _bought_filter(prefix: str, period: DateRange) -> Q:
    start, end = period.bounds()
    condition = Q(**{f"{prefix}order__state__in": COUNTING_STATES})
    if start is not None:
        condition &= Q(**{f"{prefix}order__placed_at__gte": start})
    if end is not None:
        condition &= Q(**{f"{prefix}order__placed_at__lt": end})
    return condition


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
        total: Any = Sum("order_lines__line_total", filter=_bought_filter("order_lines__", period))
    else:
        # Sorted by name or number, a correlated subquery lets PostgreSQL sum only the rows of
        # the page it returns (bench/README.md has the figures).
        lines = OrderLine.objects.filter(
            _bought_filter("", period), company_id=OuterRef("company_id"), recipient=OuterRef("pk")
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


def visible_employee(*, actor: User, employee_id: int) -> Employee:
    """An employee the actor may look at in «Mine ansatte»: any of the company's for an admin
    or a supervisor (Alle ansatte); 404 otherwise."""
    if not roles.may_manage_employees(actor):
        company_id_of(actor)
        from django.http import Http404

        raise Http404
    return get_scoped_or_404(Employee.objects.select_related("supervisor"), actor, pk=employee_id)


def employee_purchases(
    *, actor: User, employee_id: int, period: DateRange
) -> tuple[Employee, QuerySet[OrderLine]]:
    """The drill-down: what one employee has bought in the period, newest first."""
    employee = visible_employee(actor=actor, employee_id=employee_id)
    lines = (
        scoped(OrderLine, actor)
        .filter(recipient=employee)
        .filter(_bought_filter("", period))
        .select_related("order")
        .order_by("-order__placed_at", "-order_id", "id")
    )
    return employee, lines


def employee_count(*, actor: User, mine: bool, query: str = "") -> int:
    """How many employees employee_list(actor, mine, query=query) lists, counted without its
    totals (the paginator's count over the aggregate would join every order line)."""
    return _listed(actor=actor, mine=mine, query=query).count()
