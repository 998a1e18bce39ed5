"""A proposed shape for the list's totals, measured next to kvote.people.selectors.employee_list.

employee_list sums `order_lines` through a LEFT JOIN with the period as a FILTER: PostgreSQL
joins and aggregates every line of the company (all years) before it can sort and take a page.
Here the total is a correlated subquery per employee: with ORDER BY name/number and LIMIT,
PostgreSQL evaluates it only for the rows of the page (the subquery uses the OrderLine
(company, recipient) index and the Order primary key). Sorting by total still needs every
employee's total. Same figures as employee_list (checked by the benchmark before timing)."""

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from kvote.common.money import ZERO
from kvote.common.tenancy import scoped
from kvote.ordering.models import OrderLine
from kvote.ordering.states import COUNTING_STATES
from kvote.people.models import Employee, User
from kvote.people.selectors import MONEY, DateRange

ORDER = {
    "name": ["name", "number"],
    "number": ["number"],
    "total": ["-total", "name"],
    "-name": ["-name", "number"],
    "-number": ["-number"],
    "-total": ["total", "name"],
}


def employee_list_by_subquery(
    *, actor: User, mine: bool, period: DateRange, query: str = "", sort: str = "name"
) -> QuerySet[Employee]:
    qs = scoped(Employee, actor).filter(is_active=True)
    if mine:
        qs = qs.filter(supervisor=actor)
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(number__startswith=query))
    start, end = period.bounds()
    lines = OrderLine.objects.filter(
        company_id=OuterRef("company_id"),
        recipient_id=OuterRef("pk"),
        order__state__in=COUNTING_STATES,
    )
    if start is not None:
        lines = lines.filter(order__placed_at__gte=start)
    if end is not None:
        lines = lines.filter(order__placed_at__lt=end)
    total = lines.order_by().values("recipient_id").annotate(t=Sum("line_total")).values("t")
    qs = qs.select_related("supervisor").annotate(
        total=Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)
    )
    return qs.order_by(*ORDER.get(sort, ORDER["name"]), "pk")
