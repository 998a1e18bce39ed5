"""What a load run must leave true, read from the database after it (Django set up by the caller
for the bench database): every released order delivered exactly once, budgets exact, and no
order released that should have waited for approval."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from kvote.approvals.policy import approval_need
from kvote.budgets.models import Budget
from kvote.budgets.selectors import figures_of
from kvote.companies.models import Company
from kvote.jobs.lease import LeaseStatus
from kvote.kits.models import KitAssignment, KitItem
from kvote.kits.selectors import item_for
from kvote.ordering.models import Order, OrderLine, OrderState, OrderStateChange
from kvote.ordering.states import COUNTING_STATES
from kvote.people import roles
from kvote.people.models import User
from kvote.supplier.models import Delivery


@dataclass(frozen=True)
class Baseline:
    """Where the database stood before the load: what the run adds comes after these ids."""

    max_order_id: int
    max_delivery_id: int
    pending_delivery_ids: list[int]
    taken_at: datetime

    @classmethod
    def now(cls) -> Baseline:
        return cls(
            max_order_id=Order.objects.aggregate(m=Max("pk"))["m"] or 0,
            max_delivery_id=Delivery.objects.aggregate(m=Max("pk"))["m"] or 0,
            pending_delivery_ids=list(
                Delivery.objects.filter(status=LeaseStatus.PENDING).values_list("pk", flat=True)
            ),
            taken_at=timezone.now(),
        )

    def deliveries(self) -> Any:
        from django.db.models import Q

        return Delivery.objects.filter(
            Q(pk__gt=self.max_delivery_id) | Q(pk__in=self.pending_delivery_ids)
        )


def orders_summary(base: Baseline) -> dict[str, int]:
    """The orders the load placed, by state now."""
    rows = Order.objects.filter(pk__gt=base.max_order_id).values_list("state", flat=True)
    return dict(Counter(rows))


def drain(base: Baseline, *, timeout: float) -> dict[str, Any]:
    """Wait until the run's outbox is empty (the caller started the workers); the rate is taken
    from the deliveries' own done_at times (first to last), and from the wall clock."""
    started = time.time()
    scope = base.deliveries()
    total = scope.count()
    while scope.filter(status=LeaseStatus.PENDING).exists():
        if time.time() - started > timeout:
            break
        time.sleep(0.25)
    wall = time.time() - started
    done = scope.filter(status=LeaseStatus.DONE)
    times = sorted(done.values_list("done_at", flat=True))
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    by_worker = Counter(done.values_list("leased_by", flat=True))
    return {
        "deliveries": total,
        "done": len(times),
        "pending": scope.filter(status=LeaseStatus.PENDING).count(),
        "failed": scope.filter(status=LeaseStatus.FAILED).count(),
        "seconds_wall_incl_start": round(wall, 2),
        "seconds_first_to_last": round(span, 2),
        "orders_per_second": round((len(times) - 1) / span, 1) if span > 0 else None,
        "orders_per_second_wall": round(len(times) / wall, 1) if wall > 0 else None,
        "by_worker": dict(by_worker),
    }


def exactly_once(base: Baseline, received_new: list[str], keys: Counter[str]) -> dict[str, Any]:
    """Every delivery of the run done, each of its orders taken once as new by the receiver, no
    order the receiver took twice, and every order released in the run has its delivery."""
    scope = base.deliveries()
    numbers = set(scope.values_list("order__number", flat=True))
    taken = Counter(received_new)
    released_in_run = set(
        OrderStateChange.objects.filter(
            to_state=OrderState.RELEASED, created_at__gte=base.taken_at
        ).values_list("order__number", flat=True)
    )
    not_sent = scope.exclude(
        order__state__in=[OrderState.SENT, OrderState.CONFIRMED, OrderState.SHIPPED]
    ).count()
    result = {
        "deliveries": len(numbers),
        "deliveries_not_done": scope.exclude(status=LeaseStatus.DONE).count(),
        "received_as_new": len(taken),
        "received_twice_as_new": sum(1 for n in taken.values() if n > 1),
        "missing_at_receiver": len(numbers - set(taken)),
        "received_but_not_ours": len(set(taken) - numbers),
        "released_without_delivery": len(released_in_run - numbers),
        "orders_not_marked_sent": not_sent,
        "repeated_requests": sum(n - 1 for n in keys.values() if n > 1),
    }
    result["ok"] = all(
        result[k] == 0
        for k in (
            "deliveries_not_done",
            "received_twice_as_new",
            "missing_at_receiver",
            "received_but_not_ours",
            "released_without_delivery",
            "orders_not_marked_sent",
        )
    )
    return result


def budgets_exact(company_ids: set[int]) -> dict[str, Any]:
    """For every current budget in these companies: spent and pending from kvote.budgets'
    selectors equal the SQL sums of the employee's order lines in the period (counting states;
    awaiting approval)."""
    started = time.time()
    today = timezone.localdate()
    budgets = Budget.objects.filter(
        company_id__in=company_ids, period_start__lte=today, period_end__gt=today
    )
    selector = {f.budget_id: (f.spent, f.pending) for f in figures_of(budgets)}
    counting = list(COUNTING_STATES)
    sql = """
        SELECT b.id,
               COALESCE(SUM(l.line_total) FILTER (WHERE o.state = ANY(%s)), 0),
               COALESCE(SUM(l.line_total) FILTER (WHERE o.state = %s), 0)
        FROM budgets_budget b
        LEFT JOIN ordering_orderline l
               ON l.company_id = b.company_id AND l.recipient_id = b.employee_id
        LEFT JOIN ordering_order o
               ON o.id = l.order_id
              AND (o.placed_at AT TIME ZONE %s)::date >= b.period_start
              AND (o.placed_at AT TIME ZONE %s)::date < b.period_end
        WHERE b.company_id = ANY(%s) AND b.period_start <= %s AND b.period_end > %s
        GROUP BY b.id
    """
    params: list[Any] = [
        counting,
        OrderState.AWAITING_APPROVAL.value,
        settings.TIME_ZONE,
        settings.TIME_ZONE,
        list(company_ids),
        today,
        today,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = {row[0]: (Decimal(row[1]), Decimal(row[2])) for row in cursor.fetchall()}
    wrong = [pk for pk, figures in selector.items() if raw.get(pk) != figures]
    return {
        "budgets_checked": len(selector),
        "companies": len(company_ids),
        "mismatches": len(wrong),
        "mismatch_samples": [
            {"budget": pk, "selectors": [str(v) for v in selector[pk]], "sql": str(raw.get(pk))}
            for pk in wrong[:5]
        ],
        "seconds": round(time.time() - started, 1),
        "ok": not wrong and len(raw) == len(selector),
    }


def release_decisions(base: Baseline) -> dict[str, Any]:
    """Replays the policy for every order the run placed: with what the recipients' budgets had
    spent and their kits had used when it was placed (orders before it, by id: the budget and
    kit rows' locks order them), did it need approval? A released order that needed it is a
    violation. An order rejected around the time another was placed may or may not have counted
    for it: both readings are tried, and where they disagree the order is counted as ambiguous,
    not judged. Kits are counted in pieces per kit item (kvote.kits.selectors.item_for), in the
    company's budget period holding the order's day."""
    orders = {
        o["pk"]: o
        for o in Order.objects.filter(pk__gt=base.max_order_id).values(
            "pk", "company_id", "placed_by_id", "placed_at", "total_excl_vat"
        )
    }
    if not orders:
        return {"orders": 0, "violations": 0, "ok": True}
    created = dict(
        OrderStateChange.objects.filter(order_id__in=orders, from_state="").values_list(
            "order_id", "to_state"
        )
    )
    created_at = dict(
        OrderStateChange.objects.filter(order_id__in=orders, from_state="").values_list(
            "order_id", "created_at"
        )
    )
    piece = ("quantity", "variant__product_id", "variant__product__category_id")
    lines = list(
        OrderLine.objects.filter(order_id__in=orders).values(
            "order_id", "recipient_id", "line_total", *piece
        )
    )
    recipients = {line["recipient_id"] for line in lines}
    budgets: dict[int, list[tuple[date, date, Decimal]]] = defaultdict(list)
    for b in Budget.objects.filter(employee_id__in=recipients).values(
        "employee_id", "period_start", "period_end", "amount"
    ):
        budgets[b["employee_id"]].append((b["period_start"], b["period_end"], b["amount"]))
    history = list(
        OrderLine.objects.filter(recipient_id__in=recipients).values(
            "order_id", "recipient_id", "line_total", "order__state", "order__placed_at", *piece
        )
    )
    kit_items = _kit_items(recipients)
    ended = dict(
        OrderStateChange.objects.filter(
            order__lines__recipient_id__in=recipients,
            to_state__in=[OrderState.REJECTED, OrderState.CANCELLED],
        ).values_list("order_id", "created_at")
    )
    by_recipient: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in history:
        by_recipient[row["recipient_id"]].append(row)
    amounts: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    ordered: dict[int, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        amounts[line["order_id"]][line["recipient_id"]] += line["line_total"]
        ordered[line["order_id"]][line["recipient_id"]].append(line)
    companies = {
        c.pk: c for c in Company.objects.filter(pk__in={o["company_id"] for o in orders.values()})
    }
    holders = set(
        roles.with_any_role(
            User.objects.filter(pk__in={o["placed_by_id"] for o in orders.values()}),
            roles.Role.BUDGET_HOLDER,
        ).values_list("pk", flat=True)
    )
    counts: Counter[str] = Counter()
    samples = []
    slack = timedelta(seconds=1)
    for pk, order in orders.items():
        placed = order["placed_at"]
        day = timezone.localdate(placed)
        company = companies[order["company_id"]]

        def before(
            recipient: int, start: date, end: date, pk: int = pk, placed: datetime = placed
        ) -> dict[str, list[dict[str, Any]]]:
            """The recipient's lines that counted before this order, in [start, end): both
            readings ("low", "high") of orders ended around its time."""
            found: dict[str, list[dict[str, Any]]] = {"low": [], "high": []}
            for row in by_recipient[recipient]:
                if (
                    row["order_id"] >= pk
                    or not start <= timezone.localdate(row["order__placed_at"]) < end
                ):
                    continue
                if row["order__state"] in COUNTING_STATES:
                    found["low"].append(row)
                    found["high"].append(row)
                    continue
                ended_at = ended.get(row["order_id"])
                if ended_at is None:
                    continue
                if ended_at > created_at[pk]:  # decided after this order was placed: counted
                    found["low"].append(row)
                if ended_at >= placed - slack:  # might still have counted
                    found["high"].append(row)
            return found

        over: dict[str, list[str]] = {"low": [], "high": []}
        over_kit: dict[str, list[str]] = {"low": [], "high": []}
        for recipient, amount in amounts[pk].items():
            period = next(((s, e, a) for s, e, a in budgets[recipient] if s <= day < e), None)
            if period is not None:
                start, end, budget = period
                counted = before(recipient, start, end)
                for reading in ("low", "high"):
                    if sum(row["line_total"] for row in counted[reading]) + amount > budget:
                        over[reading].append(str(recipient))
            items = kit_items.get(recipient)
            if items:
                kit_period = company.budget_period_of(day)
                counted = before(recipient, kit_period.start, kit_period.end)
                this = _pieces(items, ordered[pk][recipient])
                for reading in ("low", "high"):
                    used = _pieces(items, counted[reading])
                    if any(used[item] + this[item] > quantity for item, quantity in this.allowed):
                        over_kit[reading].append(str(recipient))
        company = companies[order["company_id"]]
        need = {
            reading: approval_need(
                policy=company.approval_policy,
                threshold=company.approval_threshold,
                placed_by_budget_holder=order["placed_by_id"] in holders,
                over_budget_names=over[reading],
                total_excl_vat=order["total_excl_vat"],
                entitlement_policy=company.over_entitlement,
                over_entitlement_names=over_kit[reading],
            ).needed
            for reading in ("low", "high")
        }
        first = created.get(pk)
        counts[f"created_{first}"] += 1
        if need["low"] != need["high"]:
            counts["ambiguous"] += 1
        elif first == OrderState.RELEASED and need["low"]:
            counts["violations"] += 1
            samples.append(pk)
        elif first == OrderState.AWAITING_APPROVAL and not need["high"]:
            counts["waited_without_need"] += 1
            samples.append(pk)
    return {
        "orders": len(orders),
        **{k: counts[k] for k in sorted(counts)},
        "violations": counts["violations"],
        "waited_without_need": counts["waited_without_need"],
        "samples": samples[:10],
        "ok": counts["violations"] == 0 and counts["waited_without_need"] == 0,
    }


class _Pieces(Counter[int]):
    """Pieces per kit item id; `allowed`: (item id, quantity) of the items counted."""

    allowed: list[tuple[int, int]]


def _kit_items(recipients: set[int]) -> dict[int, list[KitItem]]:
    """Employee → the items of their kit (employees without one left out)."""
    kit_of = dict(
        KitAssignment.objects.filter(employee_id__in=recipients).values_list(
            "employee_id", "kit_id"
        )
    )
    items: dict[int, list[KitItem]] = defaultdict(list)
    for item in KitItem.objects.filter(kit_id__in=set(kit_of.values())).order_by("kit_id", "pk"):
        items[item.kit_id].append(item)
    return {employee: items[kit] for employee, kit in kit_of.items()}


def _pieces(items: list[KitItem], rows: list[dict[str, Any]]) -> _Pieces:
    """The pieces of `rows` (order lines as values) per kit item they count against."""
    found = _Pieces()
    found.allowed = []
    for row in rows:
        item = item_for(
            items,
            product_id=row["variant__product_id"],
            category_id=row["variant__product__category_id"],
        )
        if item is not None:
            if item.pk not in found:
                found.allowed.append((item.pk, item.quantity))
            found[item.pk] += row["quantity"]
    return found
