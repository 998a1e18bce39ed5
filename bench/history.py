"""The order history for one scale: orders and lines over `years`, written with COPY.

Orders are spread evenly over the years and numbered in time order (B0000001, …: the portal's
own orders are KV-<id>, so numbers stay unique); a random recipient is any employee (so a
company orders in proportion to its size), sometimes with one or two colleagues; the orderer is
the recipient (when a budget holder), their supervisor or the company admin. States: orders
older than two weeks are shipped (92 %), rejected or cancelled; the last two weeks also hold
orders awaiting approval, sent and confirmed. No order is left "released" (the outbox starts
empty, so the delivery worker's drain measures only what the load adds).

Three histories are the same at every scale (their own random stream), so the per-employee
pages compare like with like across XS, S and M: the bench buyer's own orders (Min side), the
drill-down employee's, and 20 recent orders awaiting the bench supervisor's approval."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from bench.bulk import (
    Copier,
    Progress,
    cents,
    indexes_create,
    indexes_drop,
    next_id,
    sequences_reset,
    text,
    triggers_off,
    triggers_on,
)
from bench.data import Scale
from bench.people import World
from kvote.ordering.models import Order, OrderLine

LINE_COUNTS = range(1, 10)
LINE_WEIGHTS = (25, 20, 15, 12, 10, 8, 5, 3, 2)  # 3.3 lines an order
QUANTITIES = (1,) * 70 + (2,) * 20 + (3,) * 5 + (4,) * 3 + (5,) * 2
RANDOM, BUYER, DRILL, QUEUE = range(4)


@dataclass
class Counts:
    orders: int = 0
    lines: int = 0
    big_company_lines: int = 0
    special_lines: int = 0


def _state(rng: random.Random, days: float) -> str:
    if days < 14:
        return rng.choices(
            ("awaiting_approval", "sent", "confirmed", "shipped", "rejected", "cancelled"),
            (10, 10, 20, 55, 3, 2),
        )[0]
    return rng.choices(("shipped", "rejected", "cancelled"), (92, 4, 4))[0]


def _specials(span: float) -> list[tuple[float, int, int]]:
    """(age in seconds, kind, line count) of the histories kept equal at every scale."""
    rng = random.Random(2026)
    found = [(rng.uniform(0, span), BUYER, rng.randint(1, 2)) for _ in range(24)]
    found += [(rng.uniform(0, span), DRILL, rng.randint(1, 3)) for _ in range(30)]
    found += [(rng.uniform(3600, 10 * 86400), QUEUE, rng.randint(1, 3)) for _ in range(20)]
    return sorted(found, reverse=True)


def generate(scale: Scale, world: World, seed: int) -> Counts:
    rng = random.Random(seed + 1)
    now = timezone.now()
    span = scale.years * 365 * 86400.0
    specials = _specials(span)
    target = scale.order_lines - sum(count for _age, _kind, count in specials)
    counts: list[int] = []
    total = 0
    while total < target:
        count = min(rng.choices(LINE_COUNTS, LINE_WEIGHTS)[0], target - total)
        counts.append(count)
        total += count
    ages = sorted((rng.uniform(0, span) for _ in counts), reverse=True)
    dropped = indexes_drop(Order) + indexes_drop(OrderLine)
    fast = triggers_off()
    writer = _Writer(world, rng, now, scale.order_lines)
    queue_placers = [i for i in world.team if world.employee_user[i]]
    special = iter(specials)
    upcoming = next(special, None)
    for age, count in zip(ages, counts, strict=True):
        while upcoming is not None and upcoming[0] >= age:
            writer.special(upcoming, queue_placers)
            upcoming = next(special, None)
        writer.random_order(age, count)
    while upcoming is not None:
        writer.special(upcoming, queue_placers)
        upcoming = next(special, None)
    writer.close()
    if fast:
        triggers_on()
    indexes_create(dropped, "indexes")
    sequences_reset(Order, OrderLine)
    return writer.counts


class _Writer:
    def __init__(self, world: World, rng: random.Random, now: datetime, lines: int) -> None:
        self.world, self.rng, self.now = world, rng, now
        self.counts = Counts()
        self.order_id, self.line_id = next_id(Order), next_id(OrderLine)
        self.orders = Copier(
            Order,
            (
                *("id", "created_at", "updated_at", "company_id", "number", "state"),
                *("placed_by_id", "placed_at", "idempotency_key", "delivery_name"),
                *("delivery_street", "delivery_postal_code", "delivery_city"),
                *("total_excl_vat", "vat", "total_incl_vat"),
            ),
        )
        self.lines = Copier(
            OrderLine,
            (
                *("id", "created_at", "updated_at", "company_id", "order_id", "variant_id"),
                *("item_number", "product_name", "product_name_en", "colour", "colour_en"),
                *("size", "quantity", "unit_price", "line_total"),
                *("recipient_id", "recipient_name", "recipient_number"),
            ),
        )
        self.lines.before_flush = self.orders.flush  # orders first: their lines refer to them
        self.progress = Progress("order lines", lines)
        self.excluded = {world.buyer_index, world.drilldown_index}
        self.address = [
            "\t".join(map(text, (c.name, "Industriveien 1", "0580", "Oslo")))
            for c in world.companies
        ]

    def random_order(self, age: float, count: int) -> None:
        world, rng = self.world, self.rng
        employees = len(world.employee_ids)
        first = rng.randrange(employees)
        while first in self.excluded:
            first = rng.randrange(employees)
        company = world.employee_company[first]
        recipients = [first]
        more = rng.random()
        if more < 0.2:
            low, high = world.company_range[company]
            for _ in range(1 if more < 0.15 else 2):
                other = rng.randrange(low, high)
                if other not in self.excluded:
                    recipients.append(other)
        if len(recipients) == 1 and world.employee_user[first] and rng.random() < 0.7:
            placed_by = world.employee_user[first]
        elif world.employee_supervisor[first] and rng.random() < 0.8:
            placed_by = world.employee_supervisor[first]
        else:
            placed_by = world.company_admin[company]
        state = _state(rng, age / 86400)
        self._order(company, placed_by, age, state, [rng.choice(recipients) for _ in range(count)])

    def special(self, plan: tuple[float, int, int], queue_placers: list[int]) -> None:
        world = self.world
        age, kind, count = plan
        rng = random.Random(int(age))  # the same lines at every scale
        if kind == BUYER:
            who = world.buyer_index
            placed_by = world.employee_user[who]
        elif kind == DRILL:
            who = world.drilldown_index
            placed_by = world.supervisor_id
        else:
            who = queue_placers[int(age) % len(queue_placers)]
            placed_by = world.employee_user[who]
        state = "awaiting_approval" if kind == QUEUE else _state(rng, age / 86400)
        self._order(0, placed_by, age, state, [who] * count, rng, special=True)

    def _order(
        self,
        company: int,
        placed_by: int,
        age: float,
        state: str,
        recipients: list[int],
        rng: random.Random | None = None,
        special: bool = False,
    ) -> None:
        world = self.world
        rng = rng or self.rng
        variants = world.variants
        assortment = world.assortment.get(company)
        agreed = world.agreed.get(company, {})
        order_id = self.order_id
        self.order_id += 1
        placed = (self.now - timedelta(seconds=age)).isoformat()
        company_id = world.companies[company].pk
        head = f"{placed}\t{placed}\t{company_id}\t{order_id}\t"
        total = 0
        for recipient in recipients:
            # a few items sell the most
            index = rng.choice(assortment) if assortment else int(len(variants) * rng.random() ** 2)
            variant_id, product_id, variant_text = variants[index]
            unit = agreed.get(product_id) or world.prices[product_id]
            quantity = rng.choice(QUANTITIES)
            total += unit * quantity
            self.lines.write_text(
                f"{self.line_id}\t{head}{variant_id}\t{variant_text}\t{quantity}\t{cents(unit)}\t"
                f"{cents(unit * quantity)}\t{world.employees[recipient]}"
            )
            self.line_id += 1
        vat = (total * 25 + 50) // 100
        self.orders.write_text(
            f"{order_id}\t{placed}\t{placed}\t{company_id}\tB{order_id:07d}\t{state}\t"
            f"{placed_by}\t{placed}\tbench-{order_id}\t{self.address[company]}\t"
            f"{cents(total)}\t{cents(vat)}\t{cents(total + vat)}"
        )
        counts = self.counts
        counts.orders += 1
        counts.lines += len(recipients)
        if company == 0:
            counts.big_company_lines += len(recipients)
        if special:
            counts.special_lines += len(recipients)
        self.progress.step(len(recipients))

    def close(self) -> None:
        self.lines.flush()
        self.orders.flush()
        self.progress.done()
