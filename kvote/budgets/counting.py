"""What counts against a budget: the one rule that budgets, Min side, «Mine ansatte» (lists,
drill-down, exports), the approval queue and the API all use.

An order line counts against its recipient's budget for a stretch of days when its order
- is in one of COUNTING_STATES (awaiting approval, released, sent, confirmed, shipped: not
  rejected, not cancelled), and
- was placed in those days: from local midnight of the first day up to, not including, local
  midnight after the last, in the portal's time zone (kvote.common.dates.local_bounds).

*Pending* is the part still awaiting approval. The period is compared on `order.placed_at`
itself with datetime bounds, so the orders' (company, state, placed_at) index serves it; a date
cast of `placed_at` (`__date`) would hide the column from every index.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum, Value

from kvote.common.dates import DateRange
from kvote.common.money import ZERO
from kvote.ordering.models import OrderLine, OrderState
from kvote.ordering.states import COUNTING_STATES

# The part of what counts that still awaits a decision.
PENDING_STATES = frozenset({OrderState.AWAITING_APPROVAL})
assert PENDING_STATES <= COUNTING_STATES


def counts(days: DateRange, *, prefix: str = "", pending: bool = False) -> Q:
    """The condition on order lines (reached from the queried model through `prefix`, e.g.
    "order_lines__") that count in `days`; `pending=True`: only those awaiting approval."""
    start, end = days.bounds()
    states = sorted(PENDING_STATES if pending else COUNTING_STATES)  # the same SQL every time
    condition = Q(**{f"{prefix}order__state__in": states})
    if start is not None:
        condition &= Q(**{f"{prefix}order__placed_at__gte": start})
    if end is not None:
        condition &= Q(**{f"{prefix}order__placed_at__lt": end})
    return condition


def counted_lines(*, company_id: int, employee_id: int, days: DateRange) -> QuerySet[OrderLine]:
    """The lines that count against the employee in `days`, with their orders, newest first:
    Min side's budget lines and the «Mine ansatte» drill-down."""
    return (
        OrderLine.objects.filter(counts(days), company_id=company_id, recipient_id=employee_id)
        .select_related("order")
        .order_by("-order__placed_at", "-order_id", "id")
    )


Key = tuple[DateRange, int, int]  # days, company id, employee id


def counted_sums(wanted: Iterable[Key]) -> dict[Key, tuple[Decimal, Decimal]]:
    """(days, company id, employee id) → (spent, pending): what counts against each employee in
    those days. One query whatever the number of employees, stretches of days and orders: one
    aggregate per distinct stretch, each with constant bounds, joined by UNION ALL (usually there
    is one: the company's current budget period). None when nothing is wanted."""
    wanted = list(wanted)
    groups: dict[DateRange, list[tuple[int, int]]] = {}
    for days, company_id, employee_id in wanted:
        groups.setdefault(days, []).append((company_id, employee_id))
    ranges = list(groups)
    parts = [
        OrderLine.objects.filter(
            counts(days),
            company_id__in={company_id for company_id, _ in groups[days]},
            recipient_id__in={employee_id for _, employee_id in groups[days]},
        )
        .order_by()
        .values("company_id", "recipient_id")
        .annotate(
            days=Value(index),
            spent=Sum("line_total"),
            pending=Sum("line_total", filter=Q(order__state__in=sorted(PENDING_STATES))),
        )
        .values_list("days", "company_id", "recipient_id", "spent", "pending")
        for index, days in enumerate(ranges)
    ]
    found: dict[Key, tuple[Decimal, Decimal]] = {}
    if parts:
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for index, company_id, employee_id, spent, pending in rows:
            found[(ranges[index], company_id, employee_id)] = (spent or ZERO, pending or ZERO)
    return {key: found.get(key, (ZERO, ZERO)) for key in wanted}
