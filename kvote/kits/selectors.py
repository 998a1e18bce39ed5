"""Kit figures, computed in one place: Min side, the catalogue, the review, the approval queue,
«Mine ansatte», exports and the API all read them here.

What counts against a kit is what counts against a budget (kvote.budgets.counting: the order
lines whose recipient is the employee, in orders placed in the company's budget period that
holds the day, not rejected or cancelled, awaiting approval included), counted in pieces
instead of kroner. A line counts against the one kit item it belongs to: the item naming its
product, else the item naming its product's category (`item_for`); a line no item names is
outside the kit (only the budget in kroner governs it).

allowed   = the item's quantity per period;
used      = the pieces that count against the item in the period;
pending   = the part of used that still awaits approval;
remaining = allowed − used (may be negative).

What one order does to a kit item is `EntitlementEffect`, with the arithmetic of
kvote.budgets.selectors.BudgetEffect in pieces:

    Allowed − Used before this order = Remaining before
    Remaining before − This order    = Remaining after   (below zero: over the kit)
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from django.db.models import Q, Sum, Value
from django.utils import timezone

from kvote.budgets.counting import PENDING_STATES, counts
from kvote.catalog.models import Product, translated
from kvote.common.dates import DateRange
from kvote.companies.models import Company
from kvote.companies.periods import Period
from kvote.kits.models import KitAssignment, KitItem
from kvote.ordering.models import Order, OrderLine
from kvote.people.models import Employee


@dataclass(frozen=True)
class Ordered:
    """Pieces of one product for one employee, as a kit sees an order line."""

    employee_id: int
    product_id: int
    category_id: int | None
    quantity: int


class Target(Protocol):
    """What a kit item names: a product, or a category."""

    @property
    def product_id(self) -> int | None: ...

    @property
    def category_id(self) -> int | None: ...


T = TypeVar("T", bound=Target)


def item_for(items: Sequence[T], *, product_id: int, category_id: int | None) -> T | None:
    """The kit item a line of this product counts against: the item naming the product, else
    the one naming its category, else none."""
    for item in items:
        if item.product_id == product_id:
            return item
    for item in items:
        if item.category_id is not None and item.category_id == category_id:
            return item
    return None


def item_label(item: KitItem) -> str:
    """What a kit item is called on every page and in the API: its product's or category's
    name in the active language (the item's product or category must be loaded)."""
    if item.product is not None:
        return item.product.display_name
    assert item.category is not None
    return item.category.display_name


Key = tuple[DateRange, int]  # days, employee id
# (product id, category id) → (used, pending)
Counted = dict[tuple[int, int | None], tuple[int, int]]


def counted_pieces(*, company_id: int, wanted: Iterable[Key]) -> dict[Key, Counted]:
    """(days, employee id) → the pieces that count against the employee in those days, per
    product (with its category). One query whatever the number of employees, stretches of days
    and orders (one aggregate per distinct stretch, joined by UNION ALL); none when nothing is
    wanted."""
    wanted = list(wanted)
    groups: dict[DateRange, set[int]] = {}
    for days, employee_id in wanted:
        groups.setdefault(days, set()).add(employee_id)
    ranges = list(groups)
    parts = [
        OrderLine.objects.filter(counts(days), company_id=company_id, recipient_id__in=groups[days])
        .order_by()
        .values("recipient_id", "variant__product_id", "variant__product__category_id")
        .annotate(
            days=Value(index),
            used=Sum("quantity"),
            pending=Sum("quantity", filter=Q(order__state__in=sorted(PENDING_STATES))),
        )
        .values_list(
            "days",
            "recipient_id",
            "variant__product_id",
            "variant__product__category_id",
            "used",
            "pending",
        )
        for index, days in enumerate(ranges)
    ]
    found: dict[Key, Counted] = {key: {} for key in wanted}
    if parts:
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for index, employee_id, product_id, category_id, used, pending in rows:
            found[(ranges[index], employee_id)][(product_id, category_id)] = (
                used or 0,
                pending or 0,
            )
    return found


@dataclass(frozen=True)
class KitItemFigures:
    item_id: int
    label: str
    product_id: int | None
    category_id: int | None
    allowed: int
    used: int
    pending: int

    @property
    def remaining(self) -> int:
        return self.allowed - self.used

    @property
    def is_over(self) -> bool:
        return self.remaining < 0


@dataclass(frozen=True)
class EmployeeKit:
    """One employee's kit in one period, item by item."""

    employee_id: int
    kit_id: int
    kit_name: str
    period: Period
    items: list[KitItemFigures]

    @property
    def allowed(self) -> int:
        return sum(item.allowed for item in self.items)

    @property
    def used(self) -> int:
        """The pieces used, each item counted up to what it allows (a bar of the whole kit)."""
        return sum(min(item.used, item.allowed) for item in self.items)

    @property
    def used_percent(self) -> int:
        return min(100, self.used * 100 // self.allowed) if self.allowed else 0

    @property
    def is_over(self) -> bool:
        return any(item.is_over for item in self.items)


@dataclass(frozen=True)
class AssignedItem:
    """One item of an assigned kit, as the figures need it (its label in the active language)."""

    item_id: int
    product_id: int | None
    category_id: int | None
    quantity: int
    label: str


@dataclass(frozen=True)
class Assigned:
    """An employee's kit assignment with the kit's items, in the kit's order."""

    employee_id: int
    kit_id: int
    kit_name: str
    items: list[AssignedItem]


def _assignments(*, company_id: int, employee_ids: Iterable[int]) -> dict[int, Assigned]:
    """employee id → their kit with its items. One query (rows of values, an item per row, a
    kit without items once); none without employees."""
    ids = set(employee_ids)
    if not ids:
        return {}
    rows = (
        KitAssignment.objects.filter(company_id=company_id, employee_id__in=ids)
        .order_by("employee_id", "kit__items__id")
        .values_list(
            "employee_id",
            "kit_id",
            "kit__name",
            "kit__items__id",
            "kit__items__product_id",
            "kit__items__category_id",
            "kit__items__quantity",
            "kit__items__product__name",
            "kit__items__product__name_en",
            "kit__items__category__name",
            "kit__items__category__name_en",
        )
    )
    found: dict[int, Assigned] = {}
    for employee_id, kit_id, kit_name, item_id, product_id, category_id, quantity, *names in rows:
        assigned = found.get(employee_id)
        if assigned is None:
            assigned = found[employee_id] = Assigned(employee_id, kit_id, kit_name, [])
        if item_id is not None:
            product_name, product_name_en, category_name, category_name_en = names
            label = (  # item_label's rule (display_name) on the row's names
                translated(product_name, product_name_en)
                if product_id is not None
                else translated(category_name, category_name_en)
            )
            assigned.items.append(AssignedItem(item_id, product_id, category_id, quantity, label))
    return found


def _figures(assignment: Assigned, period: Period, counted: Counted) -> EmployeeKit:
    items = assignment.items
    used: dict[int, list[int]] = {item.item_id: [0, 0] for item in items}
    for (product_id, category_id), (pieces, pending) in counted.items():
        item = item_for(items, product_id=product_id, category_id=category_id)
        if item is not None:
            used[item.item_id][0] += pieces
            used[item.item_id][1] += pending
    return EmployeeKit(
        employee_id=assignment.employee_id,
        kit_id=assignment.kit_id,
        kit_name=assignment.kit_name,
        period=period,
        items=[
            KitItemFigures(
                item_id=item.item_id,
                label=item.label,
                product_id=item.product_id,
                category_id=item.category_id,
                allowed=item.quantity,
                used=used[item.item_id][0],
                pending=used[item.item_id][1],
            )
            for item in items
        ],
    )


def kits_for_employees(
    *, company: Company, employee_ids: Iterable[int], on: date | None = None
) -> dict[int, EmployeeKit]:
    """The kit figures of each of these employees that has a kit, in the company's budget
    period holding `on` (today). Two queries (assignments with their items, counts), whatever
    the number of employees and orders; one when none has a kit, none without employees."""
    period = company.budget_period_of(on or timezone.localdate())
    assignments = _assignments(company_id=company.pk, employee_ids=employee_ids)
    if not assignments:
        return {}
    counted = counted_pieces(
        company_id=company.pk, wanted=[(period.days, pk) for pk in assignments]
    )
    return {
        pk: _figures(assignment, period, counted[(period.days, pk)])
        for pk, assignment in assignments.items()
    }


@dataclass(frozen=True)
class EntitlementEffect:
    """What one order does to one kit item of one recipient: the one home of the figures the
    review, order_submit, the approval queue and the API show and decide by (see the module's
    docstring for the arithmetic). Like BudgetEffect, made before placing (nothing of the order
    counted yet) or of a placed order that counts (its pieces taken out of `used` again)."""

    employee_id: int
    name: str
    number: str
    label: str
    period: Period
    allowed: int
    used_before: int
    this_order: int

    @property
    def remaining_before(self) -> int:
        return self.allowed - self.used_before

    @property
    def remaining_after(self) -> int:
        return self.remaining_before - self.this_order

    @property
    def over(self) -> bool:
        return self.remaining_after < 0

    @property
    def over_by(self) -> int:
        return max(0, -self.remaining_after)


def _effects(
    *,
    kit: EmployeeKit,
    ordered: Iterable[Ordered],
    name: str,
    number: str,
    placed: bool,
) -> list[EntitlementEffect]:
    """The effects on the kit items `ordered` touches, in the kit's order."""
    pieces: dict[int, int] = {}
    for line in ordered:
        item = item_for(kit.items, product_id=line.product_id, category_id=line.category_id)
        if item is not None:
            pieces[item.item_id] = pieces.get(item.item_id, 0) + line.quantity
    return [
        EntitlementEffect(
            employee_id=kit.employee_id,
            name=name,
            number=number,
            label=figures.label,
            period=kit.period,
            allowed=figures.allowed,
            used_before=figures.used - pieces[figures.item_id] if placed else figures.used,
            this_order=pieces[figures.item_id],
        )
        for figures in kit.items
        if figures.item_id in pieces
    ]


def order_entitlement_effects(
    *,
    company: Company,
    ordered: Sequence[Ordered],
    employees: Iterable[Employee],
    on: date | None = None,
) -> list[EntitlementEffect]:
    """What an order not yet placed would do to its recipients' kits: one effect per kit item
    it touches, by recipient name, then the kit's order. Two queries when a recipient has a
    kit, one otherwise, none without lines."""
    if not ordered:
        return []
    named = {e.pk: e for e in employees}
    kits = kits_for_employees(company=company, employee_ids={o.employee_id for o in ordered}, on=on)
    effects: list[EntitlementEffect] = []
    for employee_id, kit in sorted(
        kits.items(), key=lambda pair: (named[pair[0]].name, named[pair[0]].number)
    ):
        effects += _effects(
            kit=kit,
            ordered=[o for o in ordered if o.employee_id == employee_id],
            name=named[employee_id].name,
            number=named[employee_id].number,
            placed=False,
        )
    return effects


def placed_order_entitlement_effects(
    *, company: Company, orders: Iterable[Order], lines: Iterable[OrderLine]
) -> dict[int, list[EntitlementEffect]]:
    """What placed orders that count (awaiting approval) do to their recipients' kits, order id
    → effects (by recipient name, then the kit's order), each in the company's period holding
    the order's day. `lines`: the orders' lines, with their variants. Three queries (products'
    categories, assignments with items, counts) whatever the number of orders; fewer when nobody
    has a kit."""
    days = {order.pk: timezone.localdate(order.placed_at) for order in orders}
    lines = list(lines)
    effects: dict[int, list[EntitlementEffect]] = {pk: [] for pk in days}
    if not lines:
        return effects
    assignments = _assignments(
        company_id=company.pk, employee_ids={line.recipient_id for line in lines}
    )
    if not assignments:
        return effects
    mine = [line for line in lines if line.recipient_id in assignments]
    categories = dict(
        Product.objects.filter(pk__in={line.variant.product_id for line in mine}).values_list(
            "pk", "category_id"
        )
    )
    periods = {pk: company.budget_period_of(day) for pk, day in days.items()}
    counted = counted_pieces(
        company_id=company.pk,
        wanted={(periods[line.order_id].days, line.recipient_id) for line in mine},
    )
    grouped: dict[tuple[int, int], list[OrderLine]] = {}
    for line in mine:
        grouped.setdefault((line.order_id, line.recipient_id), []).append(line)
    for (order_id, employee_id), recipient_lines in sorted(
        grouped.items(), key=lambda pair: (pair[1][0].recipient_name, pair[1][0].recipient_number)
    ):
        assignment, period = assignments[employee_id], periods[order_id]
        kit = _figures(assignment, period, counted[(period.days, employee_id)])
        effects[order_id] += _effects(
            kit=kit,
            ordered=[
                Ordered(
                    employee_id=employee_id,
                    product_id=line.variant.product_id,
                    category_id=categories.get(line.variant.product_id),
                    quantity=line.quantity,
                )
                for line in recipient_lines
            ],
            name=recipient_lines[0].recipient_name,
            number=recipient_lines[0].recipient_number,
            placed=True,
        )
    return effects


@dataclass(frozen=True)
class RecipientEntitlements:
    """One recipient's kit effects, as the review and the approval queue show them: a table
    per recipient, a row per kit item the order touches."""

    employee_id: int
    name: str
    number: str
    effects: list[EntitlementEffect]

    @property
    def over(self) -> bool:
        return any(effect.over for effect in self.effects)


def entitlements_by_recipient(effects: Iterable[EntitlementEffect]) -> list[RecipientEntitlements]:
    """`effects` (by recipient name, then the kit's order, as the functions above give them)
    grouped by recipient, in that order."""
    grouped: dict[int, list[EntitlementEffect]] = {}
    for effect in effects:
        grouped.setdefault(effect.employee_id, []).append(effect)
    return [
        RecipientEntitlements(
            employee_id=employee_id, name=found[0].name, number=found[0].number, effects=found
        )
        for employee_id, found in grouped.items()
    ]
