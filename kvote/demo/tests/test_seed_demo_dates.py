"""Seeding on a chosen date: early in January, when little or nothing of the budget period
has passed, the budget holders' orders still fall inside it and before now. Each test seeds an
empty database (not the module-wide demo of the other files)."""

from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from kvote.companies.periods import PeriodKind, period_containing
from kvote.demo import data
from kvote.demo.orders import PERIOD_ORDERS, order_plans
from kvote.demo.seed import seed_demo
from kvote.demo.tests.test_seed_demo_budgets import expect_demo_budgets
from kvote.ordering.models import Order, OrderState

pytestmark = [pytest.mark.django_db]


def at_the_clock(now: datetime) -> AbstractContextManager[object]:
    """The clock stands at `now` (Django's clock, which the services and models read)."""
    return mock.patch("django.utils.timezone.now", return_value=now)


@pytest.mark.parametrize(
    "now",
    [datetime(2027, 1, 1, 0, 20), datetime(2027, 1, 2, 7, 0)],
    ids=["new-years-night", "second-of-january"],
)
def test_seeding_early_in_january(now: datetime) -> None:
    """Only minutes or a day of the period have passed: the period's orders still fall in it,
    before now."""
    aware = timezone.make_aware(now)

    with at_the_clock(aware):  # order_submit dates an order by the clock
        seed_demo(now=aware)

    expect_demo_budgets(aware)
    period_orders = Order.objects.filter(idempotency_key__startswith="demo-20270101-")
    assert period_orders.count() == len(PERIOD_ORDERS)
    for order in period_orders:
        assert timezone.localdate(order.placed_at) == date(2027, 1, 1)
        assert order.state == OrderState.RELEASED  # too fresh to be sent on


def test_the_plan_gives_budget_holders_the_same_orders_in_the_period_every_day() -> None:
    """Whatever the day, the budget holders' lines in the current period are those of
    PERIOD_ORDERS, placed between the period's start and now; the history still has their
    orders from before the period."""
    holders = {(c.org_number, b.number) for c in data.COMPANIES for b in c.budgets}
    day = date(2026, 12, 20)
    for _ in range(30):  # about every 13 days for a year, plus the first days of the year
        now = timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=9))
        period = period_containing(PeriodKind.YEAR, day)
        start = timezone.make_aware(datetime.combine(period.start, datetime.min.time()))
        plans = order_plans(now=now)
        in_period = [
            (plan.key, line)
            for plan in plans
            for line in plan.lines
            if plan.placed_at >= start
            and (plan.orderer.company.org_number, line.recipient) in holders
        ]
        expected = sum(len(p.lines) for p in PERIOD_ORDERS)
        assert len(in_period) == expected, day
        assert {key for key, _line in in_period} == {
            f"demo-{period.start:%Y%m%d}-{n}" for n in range(1, len(PERIOD_ORDERS) + 1)
        }
        for plan in plans:
            assert plan.placed_at < now
        before = [p for p in plans if p.placed_at < start]
        for email in ("ansatt1@nordlys.example", "ansatt2@nordlys.example"):
            assert any(p.orderer.email == email for p in before), (day, email)
        day += timedelta(days=13 if day.month != 1 or day.day > 5 else 1)
