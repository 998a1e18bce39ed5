"""The demo's orders that await approval: placed after the budgets and the approval rules are in
force, so they wait for a manager as a real order would, and the approver gets the email.

Emma Strand (1006, no login, supervised by leder@nordlys.example) has a budget of 1 000,00; the
buyer orders her a winter jacket that takes her over it, so under Nordlys' `over_budget` policy
the order waits for leder@nordlys.example in «Til godkjenning». No login's own budget is
touched, so the browser journeys' figures stay as they were.

Each order has the key `demo-waiting-<period start>-<n>` and is placed once per budget period:
seeding again leaves it as it is, decided or not (`seed_demo --reset` brings it back).
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from kvote.demo import catalogue
from kvote.demo.orders import ORDERERS, LinePlan, OrderPlan, demo_companies, place_plans, sizes_of


@dataclass(frozen=True)
class WaitingOrder:
    email: str  # who places it
    recipient: str  # the employee number it is for
    lines: tuple[tuple[str, str, int], ...]  # (product code, colour code, quantity)


WAITING_ORDERS = (WaitingOrder("innkjop@nordlys.example", "1006", (("AAPW-1001", "NAV", 1),)),)


def waiting_plans(*, now: datetime, period_starts: dict[str, str]) -> list[OrderPlan]:
    """The waiting orders as plans, placed today shortly before `now`: after every order of
    the history (which ends yesterday, or on the period's first day before 0.9 of the time
    since midnight), so order numbers still rise with the dates."""
    orderers = {o.email: o for o in ORDERERS}
    products = {p.code: p for p in catalogue.PRODUCTS}
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), time()))
    placed_at = (midnight + (now - midnight) * 0.95).replace(microsecond=0)
    plans = []
    for n, waiting in enumerate(WAITING_ORDERS, start=1):
        orderer = orderers[waiting.email]
        sizes = sizes_of(waiting.recipient)
        lines = []
        for code, colour, quantity in waiting.lines:
            product = products[code]
            item_number = product.item_number(colour, sizes[product.sizes])
            lines.append(LinePlan(item_number, quantity, waiting.recipient))
        start = period_starts[orderer.company.org_number]
        plans.append(
            OrderPlan(
                key=f"demo-waiting-{start}-{n}",
                orderer=orderer,
                placed_at=placed_at,
                lines=tuple(lines),
                address=0,
                reference="",
            )
        )
    return plans


def seed_waiting_orders(*, now: datetime | None = None) -> int:
    """Place the waiting orders not placed yet in the current budget period, under the
    companies' approval rules; returns how many were placed."""
    now = now or timezone.now()
    companies = demo_companies()
    today = timezone.localdate(now)
    periods = {org: company.budget_period_of(today) for org, company in companies.items()}
    starts = {org: f"{period.start:%Y%m%d}" for org, period in periods.items()}
    return place_plans(
        waiting_plans(now=now, period_starts=starts),
        companies=companies,
        periods=periods,
        now=now,
    )
