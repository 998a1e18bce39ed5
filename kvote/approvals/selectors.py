"""Who decides which order, and what an approver sees. One rule, in SQL (`_deciders`):

An order awaiting approval is decided by the supervisors of its recipients (nærmeste leder),
except the one who placed it and anyone who is themselves a recipient; where no such
supervisor exists, by the company's active admins who are not recipients. A substitute decides
for an approver while the substitution runs. Only users of the order's company decide it.

Nobody decides an order for themselves. "For themselves" means: the actor placed the order, or
a line of it has the actor's own employee record (the one their login is linked to, active or
not) as recipient. Such an actor decides none of the order (not the other lines either): not
in their own right, not standing in for an approver, and nobody stands in for them on it. A
supervisor who is a recipient is passed over as the placer is: the order goes to the other
recipients' supervisors, else to the admins who are not recipients (an order for the only
admin, with nobody above, waits until it is cancelled).

The rule is asked both ways, each in one query: the orders a user decides (`orders_to_decide`,
`may_decide`) and the users who decide an order (`approvers_of`). `decides_whatever_state`
asks it without the state: who may hear about an order's decision (a refusal for anyone else
is "not found", whatever the order's state, so the state never leaks).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.approvals.models import Substitute
from kvote.approvals.policy import ApprovalNeed, approval_need
from kvote.budgets.selectors import BudgetEffect, placed_order_effects
from kvote.common.errors import CommonError, ServiceError, not_found
from kvote.common.tenancy import company_id_of, scoped
from kvote.companies.models import ApprovalPolicy, Company
from kvote.kits.selectors import (
    EntitlementEffect,
    RecipientEntitlements,
    entitlements_by_recipient,
    placed_order_entitlement_effects,
)
from kvote.kits.services import over_kit_names
from kvote.ordering.models import Order, OrderLine, OrderState
from kvote.ordering.selectors import lines_shown
from kvote.people import roles
from kvote.people.models import Employee, User

# An order's id or its placer's id: Value(id), or an OuterRef to the order of an outer query.
OrderRef = Combinable


def _levels_down(ref: OrderRef, levels: int) -> OrderRef:
    """`ref` as a subquery `levels` deep inside the query that holds it sees it."""
    for _level in range(levels):
        ref = OuterRef(ref) if isinstance(ref, OuterRef) else ref
    return ref


def _deciders(
    *, order: OrderRef, placed_by: OrderRef, company_id: int, on: date, awaiting: bool = True
) -> QuerySet[User]:
    """The users who may decide `order` (placed by `placed_by`, of `company_id`) on `on`: the
    rule of this module, stated once. A user may appear more than once. `awaiting=False`: who
    decides it, or would, were it still awaiting approval."""

    def recipient_logins(levels: int) -> QuerySet[OrderLine, dict[str, Any]]:
        """The logins whose own employee record receives a line of the order."""
        return OrderLine.objects.filter(
            order=_levels_down(order, levels), recipient__user__isnull=False
        ).values("recipient__user")

    # The lines whose recipient has a supervisor other than the one who placed the order and
    # other than the recipients themselves.
    supervised = (
        OrderLine.objects.filter(order=_levels_down(order, 1), recipient__supervisor__isnull=False)
        .exclude(recipient__supervisor=_levels_down(placed_by, 1))
        .exclude(recipient__supervisor__in=recipient_logins(2))
    )
    admins = roles.company_admins(User.objects.filter(company_id=company_id, is_active=True))
    admins_not_receiving = admins.exclude(pk__in=recipient_logins(2)).values("pk")

    def approves(user: str) -> Q:
        """The user at lookup path `user` ("" for the user row itself) decides the order in
        their own right: a supervisor of those lines or, where there is none, an active admin
        who is no recipient."""
        return Q(**{f"{user}pk__in": supervised.values("recipient__supervisor")}) | (
            Q(**{f"{user}pk__in": admins_not_receiving}) & ~Q(Exists(supervised))
        )

    # One substitution row, running on `on`, whose approver decides in their own right.
    standing_in = Q(
        substituting_for__company_id=company_id,
        substituting_for__starts_on__lte=on,
        substituting_for__ends_on__gte=on,
    ) & approves("substituting_for__approver__")
    deciders = (
        User.objects.filter(company_id=company_id)
        .exclude(pk=placed_by)
        .exclude(pk__in=recipient_logins(1))
        .filter(approves("") | standing_in)
    )
    if not awaiting:
        return deciders
    waiting = Order.objects.filter(pk=_levels_down(order, 1), state=OrderState.AWAITING_APPROVAL)
    return deciders.filter(Exists(waiting))


def principals_of(*, actor: User, on: date | None = None) -> set[int]:
    """The actor and every approver the actor stands in for today."""
    on = on or timezone.localdate()
    standing_in_for = (
        scoped(Substitute, actor)
        .filter(substitute=actor, starts_on__lte=on, ends_on__gte=on)
        .values_list("approver_id", flat=True)
    )
    return {actor.pk, *standing_in_for}


def _decided_by(actor: User, *, on: date | None = None, awaiting: bool = True) -> Exists:
    """The SQL test, on a query of orders, that the actor decides the order."""
    deciders = _deciders(
        order=OuterRef("pk"),
        placed_by=OuterRef("placed_by_id"),
        company_id=company_id_of(actor),
        on=on or timezone.localdate(),
        awaiting=awaiting,
    )
    return Exists(deciders.filter(pk=actor.pk))


def orders_to_decide(*, actor: User, on: date | None = None) -> QuerySet[Order]:
    """The orders awaiting the actor's decision (or a decision the actor may take as
    substitute), oldest first."""
    return (
        # The state here only narrows the scan to the waiting orders; the rule checks it too.
        scoped(Order, actor)
        .filter(state=OrderState.AWAITING_APPROVAL)
        .filter(_decided_by(actor, on=on))
        .select_related("placed_by", "company")  # the company: its budget period (the kits)
        .order_by("placed_at", "id")
    )


def decides_whatever_state(*, actor: User, order_ids: list[int]) -> QuerySet[Order]:
    """The orders of `order_ids` the actor decides, or would decide were they still awaiting
    approval, and those they placed (they know those anyway): the orders whose decision the
    actor may be told about. The permission, without the state."""
    return scoped(Order, actor).filter(
        Q(pk__in=order_ids) & (Q(placed_by=actor) | _decided_by(actor, awaiting=False))
    )


def access_decidable_order(*, actor: User, order_id: int) -> Order:
    """An order the actor decides (in whatever state) or placed, with its placer; NotFound
    for any other order, the same answer whatever its state (another company's, one for
    the actor themselves, one of another supervisor's employees)."""
    order = (
        decides_whatever_state(actor=actor, order_ids=[order_id])
        .select_related("placed_by")
        .first()
    )
    if order is None:
        raise not_found()
    return order


def may_decide(*, actor: User, order: Order) -> bool:
    return orders_to_decide(actor=actor).filter(pk=order.pk).exists()


def approvers_of(*, order: Order) -> list[User]:
    """Everyone active who may decide `order` now, to tell them. One query, whatever the number
    of admins, supervisors and substitutes."""
    deciders = _deciders(
        order=Value(order.pk),
        placed_by=Value(order.placed_by_id),
        company_id=order.company_id,
        on=timezone.localdate(),
    )
    return list(User.objects.filter(pk__in=deciders.values("pk"), is_active=True).order_by("pk"))


@dataclass(frozen=True)
class WaitingOrder:
    """An order awaiting a decision, with its lines."""

    order: Order
    lines: list[OrderLine]

    @property
    def recipients(self) -> list[str]:
        return sorted({f"{line.recipient_name} ({line.recipient_number})" for line in self.lines})


@dataclass(frozen=True)
class OrderToDecide(WaitingOrder):
    """…and what it does to each recipient's budget (kvote.budgets.selectors.BudgetEffect) and
    kit (kvote.kits.selectors.EntitlementEffect, in the same words)."""

    effects: list[BudgetEffect]
    entitlements: list[EntitlementEffect] = field(default_factory=list)

    @property
    def goes_over(self) -> bool:
        """The order takes a recipient below zero («i minus etter kjøp»)."""
        return any(effect.goes_over for effect in self.effects)

    @property
    def kits(self) -> list[RecipientEntitlements]:
        return entitlements_by_recipient(self.entitlements)

    @property
    def over_kit(self) -> bool:
        """The order takes a recipient beyond their kit."""
        return any(effect.over for effect in self.entitlements)


@dataclass(frozen=True)
class PlacedOrderEffects:
    """What orders awaiting approval do, order id → effects: on budgets and on kits."""

    budgets: dict[int, list[BudgetEffect]]
    kits: dict[int, list[EntitlementEffect]]


def placed_effects(*, orders: Sequence[Order], lines: Iterable[OrderLine]) -> PlacedOrderEffects:
    """The budget and kit effects of orders awaiting approval, for the queue and the API
    (kvote.budgets.selectors.placed_order_effects, kvote.kits.selectors
    .placed_order_entitlement_effects). The orders are of one company, read with it
    (orders_to_decide joins it); `lines`: their lines, with their variants. Up to six queries
    (budgets and their sums; the kits' assignments, then the products' categories, the kits'
    items and the pieces counted when a recipient has a kit), whatever the number of orders;
    none without orders."""
    if not orders:
        return PlacedOrderEffects(budgets={}, kits={})
    lines = list(lines)
    company = orders[0].company
    return PlacedOrderEffects(
        budgets=placed_order_effects(company_id=company.pk, orders=orders, lines=lines),
        kits=placed_order_entitlement_effects(company=company, orders=orders, lines=lines),
    )


def _with_lines(orders: list[Order], *, shown: bool = False) -> dict[int, list[OrderLine]]:
    """Each order's lines, in the order they were added. One query; none without orders. With
    `shown`, each line has its picture and expected delivery too (lines_shown): one more."""
    by_order: dict[int, list[OrderLine]] = {o.pk: [] for o in orders}
    if orders:
        lines = OrderLine.objects.filter(order__in=orders).order_by("order_id", "id")
        for line in lines_shown(lines.select_related("variant")) if shown else lines:
            by_order[line.order_id].append(line)
    return by_order


def approval_queue(*, actor: User) -> list[OrderToDecide]:
    """«Til godkjenning»: each order awaiting the actor, oldest first, with its lines and, per
    recipient with a budget or a kit, what the order does to it. Six queries (orders, lines,
    their pictures, budgets, their sums, kit assignments) whatever the number of orders,
    recipients and periods; three more when a recipient has a kit (placed_effects)."""
    orders = list(orders_to_decide(actor=actor))
    lines = _with_lines(orders, shown=True)
    effects = placed_effects(
        orders=orders, lines=[line for order_lines in lines.values() for line in order_lines]
    )
    return [
        OrderToDecide(
            order=order,
            lines=lines[order.pk],
            effects=effects.budgets[order.pk],
            entitlements=effects.kits[order.pk],
        )
        for order in orders
    ]


@dataclass(frozen=True)
class AwaitingDecision:
    """Min side's «Til godkjenning»: how many orders await the actor, and the newest few."""

    count: int
    newest: list[WaitingOrder]


def awaiting_decision(*, actor: User, newest: int) -> AwaitingDecision:
    """How many orders await the actor's decision, and the `newest` latest placed with their
    lines. Three queries (count, orders, lines)."""
    waiting = orders_to_decide(actor=actor)
    count = waiting.count()
    latest = list(waiting.order_by("-placed_at", "-id")[:newest]) if count else []
    lines = _with_lines(latest)
    return AwaitingDecision(
        count=count, newest=[WaitingOrder(order=o, lines=lines[o.pk]) for o in latest]
    )


def responsible_for(*, actor: User) -> QuerySet[Employee]:
    """The employees the actor is responsible for (as supervisor, or standing in)."""
    return (
        scoped(Employee, actor)
        .filter(supervisor_id__in=principals_of(actor=actor), is_active=True)
        .exclude(user=actor)  # nobody is responsible for themselves, not even standing in
        .order_by("name", "number")
    )


def substitutes_of(*, actor: User) -> QuerySet[Substitute]:
    return (
        scoped(Substitute, actor)
        .filter(approver=actor, ends_on__gte=timezone.localdate())
        .select_related("substitute")
        .order_by("starts_on")
    )


def company_policy(*, actor: User) -> Company:
    """The actor's company with its approval policy: company admins only (others are refused
    with `admin_only`; the web page does not exist for them)."""
    company_id = company_id_of(actor)  # a user of no company: not found
    if not roles.is_company_admin(actor):
        raise ServiceError(
            CommonError.ADMIN_ONLY, _("Only a company admin can see or change the approval policy.")
        )
    return Company.objects.only(
        "name", "approval_policy", "approval_threshold", "over_entitlement"
    ).get(pk=company_id)


def order_approval_need(
    *,
    company: Company,
    placed_by: User,
    effects: list[BudgetEffect],
    total_excl_vat: Decimal,
    entitlements: Sequence[EntitlementEffect] = (),
) -> ApprovalNeed:
    """Whether (and why) an order needs approval under its company's policy: the review page
    tells the orderer, and order_submit decides by the same answer."""
    return approval_need(
        policy=company.approval_policy,
        threshold=company.approval_threshold,
        # Asked only where the answer matters (`always`), so other policies cost no query.
        placed_by_budget_holder=(
            company.approval_policy == ApprovalPolicy.ALWAYS and roles.is_budget_holder(placed_by)
        ),
        over_budget_names=[e.name for e in effects if e.goes_over],
        total_excl_vat=total_excl_vat,
        entitlement_policy=company.over_entitlement,
        over_entitlement_names=over_kit_names(entitlements),
    )
