"""The demo's order history: about fifty orders over the last 18 months, placed through the
ordering services as the users who would place them, then dated back and moved along the
supplier's states (sent, confirmed, shipped) as the supplier would have.

The plan comes from a seeded random generator and the demo data alone, so it is the same on
every run; each order has the idempotency key `demo-<n>` and is skipped when it exists.

The employees with a demo budget get their orders of the current budget period from
PERIOD_ORDERS instead of the generator, so what they have spent is the same whatever the date:
the generator's lines for them in the current period are left out. Those orders have the key
`demo-<period start>-<n>`, so seeding again in a new period gives that period its orders too.

The history is placed with the companies' approval rules paused: it went to the supplier at once
and emails nobody. The orders that do wait for approval are waiting.py's.
"""

import random
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from kvote.catalog.models import Variant
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.services import cart_add, checkout_details_save, order_submit
from kvote.companies.models import ApprovalPolicy, Company, DeliveryAddress
from kvote.companies.periods import Period, PeriodKind, period_containing
from kvote.demo import catalogue, data
from kvote.jobs.lease import LeaseStatus
from kvote.ordering.models import Order, OrderLine, OrderState, OrderStateChange
from kvote.ordering.states import order_transition
from kvote.people.models import Employee, User
from kvote.supplier.models import Delivery
from kvote.supplier.outbox import delivery_enqueue

ORDER_COUNT = 50
OLDEST_DAYS_AGO = 540  # about 18 months
SEED = 2024


@dataclass(frozen=True)
class Orderer:
    email: str
    company: data.CompanyData
    recipients: tuple[str, ...]  # employee numbers the orderer orders for
    weight: int


ORDERERS = (
    Orderer("ansatt1@nordlys.example", data.NORDLYS, ("1002",), 5),
    Orderer("ansatt2@nordlys.example", data.NORDLYS, ("1003",), 4),
    Orderer(
        "innkjop@nordlys.example",
        data.NORDLYS,
        ("1004", "1005", "1006", "1007", "1008", "1011", "1012", "1013"),
        8,
    ),
    Orderer(
        "leder@nordlys.example",
        data.NORDLYS,
        ("1001", "1002", "1003", "1004", "1006", "1007", "1009"),
        5,
    ),
    Orderer("admin@nordlys.example", data.NORDLYS, ("1000", "1008", "1011"), 2),
    Orderer("leder@fjord.example", data.FJORD, ("2001", "2002", "2003", "2004"), 4),
    Orderer("ansatt1@fjord.example", data.FJORD, ("2002",), 3),
)

# One-off delivery addresses: building sites (name, street, postal code, city).
SITES = {
    data.NORDLYS.org_number: (
        ("Byggeplass Lørenskog, Henrik Bakken", "Solheimveien 10", "1473", "Lørenskog"),
        ("Byggeplass Bjørvika, anleggsleder", "Dronning Eufemias gate 30", "0191", "Oslo"),
    ),
    data.FJORD.org_number: (
        ("Byggeplass Sandsli, Eirik Tveit", "Sandslimarka 51", "5254", "Sandsli"),
    ),
}


@dataclass(frozen=True)
class PeriodOrder:
    """An order a budget holder placed for themselves earlier in the current budget period."""

    email: str
    at: float  # how far into the period so far it was placed: 0 (its start) up to 1 (now)
    lines: tuple[tuple[str, str, int], ...]  # (product code, colour code, quantity)


# Spent, at the demo's prices: Nordlys 1002 1 564,00 of 5 000 (so the Norwegian browser
# journey's 3 297,00 still fits); 1003 1 184,00 of 2 000 (a T-shirt fits, a winter jacket goes
# over); Fjord 2002 1 447,00 of 3 000.
PERIOD_ORDERS = (
    PeriodOrder("ansatt1@nordlys.example", 0.2, (("AAPW-1101", "BLK", 1), ("AAPW-1501", "GRY", 2))),
    PeriodOrder("ansatt2@nordlys.example", 0.3, (("AAPW-1004", "NAV", 1), ("AAPW-1501", "GRY", 1))),
    PeriodOrder("ansatt1@fjord.example", 0.4, (("AAPW-1401", "BLK", 1),)),
    PeriodOrder("ansatt1@nordlys.example", 0.6, (("AAPW-1201", "GRY", 3),)),
    PeriodOrder("ansatt2@nordlys.example", 0.8, (("AAPW-1201", "NAV", 3), ("AAPW-1301", "HVY", 1))),
    PeriodOrder("ansatt1@fjord.example", 0.9, (("AAPW-1503", "GRY", 2),)),
)


@dataclass(frozen=True)
class LinePlan:
    item_number: str
    quantity: int
    recipient: str  # employee number


@dataclass(frozen=True)
class OrderPlan:
    key: str
    orderer: Orderer
    placed_at: datetime
    lines: tuple[LinePlan, ...]
    address: int | tuple[str, str, str, str]  # index into the company's addresses, or one-off
    reference: str


def sizes_of(number: str) -> dict[tuple[str, ...], str]:
    """The sizes one person wears, the same on every order."""
    rng = random.Random(f"sizes-{number}")
    return {
        catalogue.GARMENT: rng.choice(catalogue.GARMENT[1:6]),
        catalogue.GARMENT_S: rng.choice(catalogue.GARMENT_S[:5]),
        catalogue.TROUSERS: rng.choice(catalogue.TROUSERS[1:7]),
        catalogue.SHOES: rng.choice(catalogue.SHOES[1:11]),
        catalogue.GLOVES: rng.choice(catalogue.GLOVES[1:4]),
        catalogue.ONESIZE: "Onesize",
    }


def _placed_at(rng: random.Random, today: date, days_ago: int) -> datetime:
    day = today - timedelta(days=days_ago)
    return timezone.make_aware(
        datetime.combine(day, time(rng.randint(7, 15), rng.randint(0, 59), rng.randint(0, 59)))
    )


def order_plans(*, now: datetime, periods: Mapping[str, Period] | None = None) -> list[OrderPlan]:
    """The order history up to `now`, oldest first (so order numbers rise with the dates).
    `periods` holds each company's current budget period by org number (default: the calendar
    year)."""
    today = timezone.localdate(now)
    current = {
        c.org_number: (periods or {}).get(c.org_number) or period_containing(PeriodKind.YEAR, today)
        for c in data.COMPANIES
    }
    plans = [
        kept
        for plan in _history_plans(today=today)
        if (kept := _without_budget_holders(plan, current[plan.orderer.company.org_number]))
    ]
    plans += _period_plans(now=now, periods=current)
    plans.sort(key=lambda plan: plan.placed_at)
    return plans


def _history_plans(*, today: date) -> list[OrderPlan]:
    """The generated history: the same for the same day."""
    rng = random.Random(SEED)
    products = [p for p in catalogue.PRODUCTS if p.is_active]
    plans = []
    for n in range(ORDER_COUNT):
        # Denser towards today, so the newest orders are still on their way.
        days_ago = round(OLDEST_DAYS_AGO * ((ORDER_COUNT - 1 - n) / (ORDER_COUNT - 1)) ** 1.5)
        days_ago = max(1, days_ago + (rng.randint(-3, 3) if days_ago > 20 else 0))
        orderer = rng.choices(ORDERERS, weights=[o.weight for o in ORDERERS])[0]
        lines = []
        for _ in range(rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]):
            product = rng.choice(products)
            recipient = rng.choice(orderer.recipients)
            size = sizes_of(recipient)[product.sizes]
            colours = [c for c in product.colours if (c, size) not in product.inactive_variants]
            cheap = product.list_price < 300
            lines.append(
                LinePlan(
                    item_number=product.item_number(rng.choice(colours), size),
                    quantity=rng.randint(1, 5) if cheap else rng.choice((1, 1, 1, 2)),
                    recipient=recipient,
                )
            )
        where = rng.random()
        address: int | tuple[str, str, str, str] = 0
        if where > 0.9:
            address = rng.choice(SITES[orderer.company.org_number])
        elif where > 0.7:
            address = 1
        reference = f"Prosjekt {rng.randint(2100, 2399)}" if rng.random() < 0.5 else ""
        plans.append(
            OrderPlan(
                key=f"demo-{n + 1}",
                orderer=orderer,
                placed_at=_placed_at(rng, today, days_ago),
                lines=tuple(lines),
                address=address,
                reference=reference,
            )
        )
    return plans


def _without_budget_holders(plan: OrderPlan, period: Period) -> OrderPlan | None:
    """The plan without its lines for budget holders when it falls in the current period (their
    spending there comes from PERIOD_ORDERS); None when no line is left."""
    if timezone.localdate(plan.placed_at) not in period:
        return plan
    org_number = plan.orderer.company.org_number
    lines = tuple(ln for ln in plan.lines if (org_number, ln.recipient) not in data.BUDGET_HOLDERS)
    if not lines:
        return None
    return plan if lines == plan.lines else replace(plan, lines=lines)


def _period_plans(*, now: datetime, periods: Mapping[str, Period]) -> list[OrderPlan]:
    orderers = {o.email: o for o in ORDERERS}
    products = {p.code: p for p in catalogue.PRODUCTS}
    plans = []
    for n, planned in enumerate(PERIOD_ORDERS, start=1):
        orderer = orderers[planned.email]
        (recipient,) = orderer.recipients  # a budget holder orders for themselves
        sizes = sizes_of(recipient)
        period = periods[orderer.company.org_number]
        plans.append(
            OrderPlan(
                key=f"demo-{period.start:%Y%m%d}-{n}",
                orderer=orderer,
                placed_at=_in_period_so_far(period.start, now, planned.at, n),
                lines=tuple(
                    LinePlan(
                        item_number=products[code].item_number(colour, sizes[products[code].sizes]),
                        quantity=quantity,
                        recipient=recipient,
                    )
                    for code, colour, quantity in planned.lines
                ),
                address=0,
                reference="",
            )
        )
    return plans


def _in_period_so_far(start: date, now: datetime, at: float, n: int) -> datetime:
    """A time `at` (0–1) of the way from the period's start to now: in working hours on a day
    before today, or, on the period's first day, between midnight and now."""
    days = (timezone.localdate(now) - start).days
    if days >= 1:
        day = start + timedelta(days=int(days * at))  # before today, as at < 1
        return timezone.make_aware(datetime.combine(day, time(8 + n % 7, (17 * n) % 60)))
    midnight = timezone.make_aware(datetime.combine(start, time()))
    return (midnight + (now - midnight) * at).replace(microsecond=0)


def seed_orders(*, now: datetime | None = None) -> int:
    """Place the planned orders that do not exist yet; returns how many were placed. The
    history was placed before the companies' approval rules: it went to the supplier at once."""
    now = now or timezone.now()
    companies = demo_companies()
    today = timezone.localdate(now)
    periods = {org: company.budget_period_of(today) for org, company in companies.items()}
    plans = order_plans(now=now, periods=periods)
    with _approval_paused(companies.values()):
        return place_plans(plans, companies=companies, periods=periods, now=now)


def demo_companies() -> dict[str, Company]:
    """The demo's companies by org number."""
    return {
        c.org_number: c
        for c in Company.objects.filter(org_number__in=[c.org_number for c in data.COMPANIES])
    }


def place_plans(
    plans: list[OrderPlan],
    *,
    companies: Mapping[str, Company],
    periods: Mapping[str, Period],
    now: datetime,
) -> int:
    """Place the plans whose idempotency key is not taken yet, as their orderers, under the
    rules in force; date them back. Returns how many were placed."""
    existing = set(
        Order.objects.filter(
            company__in=companies.values(), idempotency_key__in=[p.key for p in plans]
        ).values_list("company_id", "idempotency_key")
    )
    todo = [p for p in plans if (companies[p.orderer.company.org_number].pk, p.key) not in existing]
    if not todo:
        return 0
    users = {u.email: u for u in User.objects.filter(email__in=[o.email for o in ORDERERS])}
    employees = {
        (e.company_id, e.number): e for e in Employee.objects.filter(company__in=companies.values())
    }
    addresses = {
        company_id: list(
            DeliveryAddress.objects.filter(company_id=company_id).order_by("-is_default", "label")
        )
        for company_id in (c.pk for c in companies.values())
    }
    variants = dict(
        Variant.objects.filter(
            item_number__in={line.item_number for p in todo for line in p.lines}
        ).values_list("item_number", "pk")
    )
    for plan in todo:
        company = companies[plan.orderer.company.org_number]
        actor = users[plan.orderer.email]
        with _cart_kept(actor):
            for line in plan.lines:
                cart_add(
                    actor=actor,
                    variant_id=variants[line.item_number],
                    quantity=line.quantity,
                    recipient_id=employees[(company.pk, line.recipient)].pk,
                )
            if isinstance(plan.address, int):
                checkout_details_save(
                    actor=actor,
                    delivery_address_id=addresses[company.pk][plan.address].pk,
                    customer_reference=plan.reference,
                )
            else:
                name, street, postal_code, city = plan.address
                checkout_details_save(
                    actor=actor,
                    delivery_address_id=None,
                    one_off_name=name,
                    one_off_street=street,
                    one_off_postal_code=postal_code,
                    one_off_city=city,
                    customer_reference=plan.reference,
                )
            order = order_submit(actor=actor, idempotency_key=plan.key)
        if timezone.localdate(plan.placed_at) not in periods[plan.orderer.company.org_number]:
            _released_when_placed(order)
        _date_back(order, plan.placed_at, now)
    return len(todo)


@contextmanager
def _approval_paused(companies: Iterable[Company]) -> Iterator[None]:
    """While the history is placed, the companies approve nothing (so no order waits and no
    approver is emailed about the past); their demo rules are back afterwards. Written without
    touching `updated_at`, inside the seed's transaction: nobody else sees the pause."""
    ids = [c.pk for c in companies]
    saved = list(
        Company.objects.filter(pk__in=ids).values_list(
            "pk", "approval_policy", "approval_threshold"
        )
    )
    Company.objects.filter(pk__in=ids).update(
        approval_policy=ApprovalPolicy.NONE, approval_threshold=None
    )
    try:
        yield
    finally:
        for pk, policy, threshold in saved:
            Company.objects.filter(pk=pk).update(
                approval_policy=policy, approval_threshold=threshold
            )


def _released_when_placed(order: Order) -> None:
    """order_submit checked this order against today's budgets, but it is dated before the
    current budget period, where the demo has no budgets: when placed, it was released."""
    if order.state != OrderState.AWAITING_APPROVAL:
        return
    Order.objects.filter(pk=order.pk).update(state=OrderState.RELEASED)
    OrderStateChange.objects.filter(order=order).update(to_state=OrderState.RELEASED)
    order.state = OrderState.RELEASED
    delivery_enqueue(order=order)


def _date_back(order: Order, placed_at: datetime, now: datetime) -> None:
    """Move a fresh order to the time it was placed, and along the supplier's states as far as
    its age says (sent within minutes, confirmed the next day, shipped a few days later)."""
    Order.objects.filter(pk=order.pk).update(
        placed_at=placed_at, created_at=placed_at, updated_at=placed_at
    )
    OrderLine.objects.filter(order=order).update(created_at=placed_at, updated_at=placed_at)
    OrderStateChange.objects.filter(order=order).update(created_at=placed_at, updated_at=placed_at)
    if order.state != OrderState.RELEASED:
        return  # a later rule held it for approval: leave it where the rules put it
    steps = (
        (OrderState.SENT, placed_at + timedelta(minutes=12)),
        (OrderState.CONFIRMED, placed_at + timedelta(days=1, hours=2)),
        (OrderState.SHIPPED, placed_at + timedelta(days=3, hours=5)),
    )
    for to_state, at in steps:
        if at > now - timedelta(days=1):
            break
        change = order_transition(order=order, to_state=to_state, actor=None)
        OrderStateChange.objects.filter(pk=change.pk).update(created_at=at, updated_at=at)
        Order.objects.filter(pk=order.pk).update(updated_at=at)
        if to_state == OrderState.SENT:  # delivered back then, by the default transport
            Delivery.objects.filter(order=order).update(
                status=LeaseStatus.DONE,
                attempts=1,
                done_at=at,
                created_at=placed_at,
                transport="folder",
                receipt=f"{order.number}.xml",
            )


CART_CHOICES = (
    "delivery_address_id",
    "use_one_off_address",
    "one_off_name",
    "one_off_street",
    "one_off_postal_code",
    "one_off_city",
    "customer_reference",
)


@contextmanager
def _cart_kept(actor: User) -> Iterator[None]:
    """Order through the actor's cart without disturbing it: whatever the person had in their
    cart (lines and checkout choices) is put back as it was; a cart made here is removed."""
    cart = Cart.objects.filter(user=actor).first()
    if cart is None:
        yield
        Cart.objects.filter(user=actor).delete()
        return
    choices = {name: getattr(cart, name) for name in CART_CHOICES}
    lines = list(CartLine.objects.filter(cart=cart).order_by("created_at", "id"))
    CartLine.objects.filter(cart=cart).delete()
    yield
    Cart.objects.filter(pk=cart.pk).update(**choices)
    for line in lines:
        line.pk = None
    CartLine.objects.bulk_create(lines)
