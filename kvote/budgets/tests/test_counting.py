"""What counts against a budget has one home (kvote.budgets.counting): the budget's spent and
pending, Min side's lines, «Mine ansatte»'s totals (both ways of summing) and its drill-down
are the same figure, at the period's edges and on the days the clocks change, and no read
compares a date cast of `placed_at` (which would hide the column from its index)."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvote.approvals.selectors import approval_queue
from kvote.budgets.models import Budget
from kvote.budgets.selectors import figures_for_employees, figures_of, my_budget
from kvote.common.dates import DateRange
from kvote.employees.selectors import employee_list, employee_purchases
from kvote.ordering.models import Order, OrderState
from kvote.ordering.selectors import orders_placed_between
from kvote.people.models import Employee, User
from tests.factories import CompanyFactory, member, place_order

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# A budget period that starts and ends on the days the clocks change (29 March 2026: summer
# time begins; 25 October 2026: it ends). Its last day is 24 October.
START, END = date(2026, 3, 29), date(2026, 10, 25)
DAYS = DateRange(START, date(2026, 10, 24))
MIDDLE = datetime(2026, 6, 15, 12, 0, tzinfo=OSLO)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


# (state, placed at, amount, counts): one order per state inside the period, and orders half
# an hour inside and outside each edge. Amounts are powers of two: any wrong set shows.
ORDERS = [
    (OrderState.AWAITING_APPROVAL, MIDDLE, "1.00", True),
    (OrderState.RELEASED, MIDDLE, "2.00", True),
    (OrderState.SENT, MIDDLE, "4.00", True),
    (OrderState.CONFIRMED, MIDDLE, "8.00", True),
    (OrderState.SHIPPED, MIDDLE, "16.00", True),
    (OrderState.REJECTED, MIDDLE, "32.00", False),
    (OrderState.CANCELLED, MIDDLE, "64.00", False),
    (OrderState.RELEASED, at(2026, 3, 29, 0, 30), "128.00", True),  # first day, 23:30 UTC before
    (OrderState.AWAITING_APPROVAL, at(2026, 3, 28, 23, 30), "256.00", False),  # the day before
    (OrderState.RELEASED, at(2026, 10, 24, 23, 30), "512.00", True),  # the last day
    (OrderState.AWAITING_APPROVAL, at(2026, 10, 25, 0, 30), "1024.00", False),  # the end day
    (OrderState.AWAITING_APPROVAL, at(2026, 10, 24, 0, 30), "2048.00", True),
]
SPENT = sum((Decimal(a) for _s, _t, a, counts in ORDERS if counts), Decimal(0))
PENDING = sum(
    (Decimal(a) for s, _t, a, c in ORDERS if c and s == OrderState.AWAITING_APPROVAL), Decimal(0)
)


@pytest.fixture
def period_orders() -> tuple[User, User, Employee]:
    """A company admin who looks (and approves), and a budget holder with orders of their own in
    every state, in and around the edges of a budget period."""
    company = CompanyFactory()
    admin = member(company, is_company_admin=True)
    holder = member(company)
    employee = holder.employee
    Budget.objects.create(
        company=company, employee=employee, period_start=START, period_end=END, amount=5000
    )
    for n, (state, placed_at, amount, _counts) in enumerate(ORDERS):
        order = place_order(holder, amount, key=f"o{n}", recipient=employee)
        Order.objects.filter(pk=order.pk).update(state=state, placed_at=placed_at)
    return admin, holder, employee


def test_the_budget_min_side_the_lists_and_the_drill_down_count_the_same(period_orders) -> None:
    admin, _holder, employee = period_orders
    assert (Decimal("2719.00"), Decimal("2049.00")) == (SPENT, PENDING)
    on = date(2026, 6, 1)
    figures = figures_for_employees(
        company_id=employee.company_id, employee_ids=[employee.pk], on=on
    )[employee.pk]
    assert (figures.spent, figures.pending) == (SPENT, PENDING)
    assert figures.period.days == DAYS

    mine = my_budget(employee=employee, on=on)
    assert mine is not None and mine.figures == figures
    assert sum(line.line_total for line in mine.lines) == SPENT

    for sort in ("name", "total"):  # a correlated subquery, and a join with an aggregate
        listed = employee_list(actor=admin, mine=False, period=DAYS, sort=sort).get(pk=employee.pk)
        assert listed.total == SPENT, sort

    _employee, lines = employee_purchases(actor=admin, employee_id=employee.pk, period=DAYS)
    assert sum(line.line_total for line in lines) == SPENT
    assert [line.pk for line in lines] == [line.pk for line in mine.lines]


def test_figures_of_budgets_in_many_periods_are_one_query_after_the_budgets(period_orders) -> None:
    """Each budget is summed over its own period: one UNION ALL of constant-bound sums."""
    _admin, _holder, employee = period_orders
    for start, end in ((date(2025, 3, 29), START), (END, date(2027, 3, 29))):
        Budget.objects.create(
            company=employee.company,
            employee=employee,
            period_start=start,
            period_end=end,
            amount=100,
        )
    budgets = list(Budget.objects.filter(employee=employee).order_by("period_start"))
    with CaptureQueriesContext(connection) as queries:
        figures = figures_of(budgets)
    assert len(queries) == 1
    assert [(f.spent, f.pending) for f in figures] == [
        (Decimal("256.00"), Decimal("256.00")),  # 23:30 on the earlier period's last day
        (SPENT, PENDING),
        (Decimal("1024.00"), Decimal("1024.00")),  # 00:30 on the later period's first day
    ]
    with CaptureQueriesContext(connection) as queries:
        assert figures_of([]) == []
    assert len(queries) == 0


# No date cast of placed_at ------------------------------------------------------------------

# `placed_at` inside a function call (SQLite's django_datetime_cast_date, DATE(), CAST()), or
# converted on PostgreSQL (`AT TIME ZONE`, `::date`).
DATE_CAST = re.compile(
    r"""\w+\(\s*(?:"\w+"\.)?"?placed_at"?\s*[,)]|"?placed_at"?\s*(?:AT\s+TIME\s+ZONE|::)""",
    re.IGNORECASE,
)


def sql_of(read: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        read()
    return [query["sql"] for query in queries]


def test_the_detector_sees_a_date_cast() -> None:
    """The check below is not vacuous: it flags the `__date` lookup on this database."""
    sql = str(Order.objects.filter(placed_at__date__gte=START).query)
    assert DATE_CAST.search(sql), sql


def test_no_read_that_counts_casts_placed_at_to_a_date(period_orders) -> None:
    admin, _holder, employee = period_orders
    on = date(2026, 6, 1)
    reads: dict[str, Callable[[], object]] = {
        "budget figures": lambda: figures_for_employees(
            company_id=employee.company_id, employee_ids=[employee.pk], on=on
        ),
        "Min side": lambda: my_budget(employee=employee, on=on),
        "list by name": lambda: list(employee_list(actor=admin, mine=False, period=DAYS)),
        "list by total": lambda: list(
            employee_list(actor=admin, mine=False, period=DAYS, sort="total")
        ),
        "drill-down": lambda: list(
            employee_purchases(actor=admin, employee_id=employee.pk, period=DAYS)[1]
        ),
        "orders by date": lambda: list(
            orders_placed_between(
                actor=admin, placed_from=START, placed_to=DAYS.last, whole_company=True
            )
        ),
        "approval queue": lambda: approval_queue(actor=admin),
    }
    for name, read in reads.items():
        sql = sql_of(read)
        assert any("placed_at" in s for s in sql), name
        for statement in sql:
            assert not DATE_CAST.search(statement), (name, statement)


def test_the_counting_rule_is_spelt_out_in_one_module_only() -> None:
    """Which states count, and the period's bounds on placed_at, appear in kvote.budgets.counting
    (and the states' own table) only; `__date` on placed_at appears nowhere."""
    root = Path(settings.BASE_DIR) / "kvote"
    allowed = {root / "budgets" / "counting.py", root / "ordering" / "states.py"}
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        assert "placed_at__date" not in text, path
        if path not in allowed:
            assert "COUNTING_STATES" not in text, path
            assert "order__placed_at__" not in text, path
