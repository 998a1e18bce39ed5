"""Order reads: Mine ordrer, the company's orders, one order with its lines and history, in a
fixed number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.catalog.images import colour_pictures
from kvote.catalog.stock import availability, delivery_summary
from kvote.common.dates import local_bounds
from kvote.common.errors import CommonError, ServiceError
from kvote.common.tenancy import get_scoped, scoped
from kvote.ordering.models import Order, OrderLine, OrderState, OrderStateChange
from kvote.ordering.states import AWAITING_DELIVERY, RELEASED_OR_LATER
from kvote.people import roles
from kvote.people.models import User


def order_visible_to(*, actor: User) -> QuerySet[Order]:
    """Orders the actor may open: their own, those for their own employee, or all as admin."""
    qs = scoped(Order, actor)
    if roles.is_company_admin(actor):
        return qs
    return qs.filter(Q(placed_by=actor) | Q(lines__recipient__user=actor)).distinct()


def my_orders(*, actor: User, state: str = "") -> QuerySet[Order]:
    """Mine ordrer: the orders the actor placed, newest first."""
    qs = scoped(Order, actor).filter(placed_by=actor)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-placed_at", "-id")


def lines_shown(lines: Iterable[OrderLine], *, today: date | None = None) -> list[OrderLine]:
    """Order lines as the pages show them (ordering/includes/order_lines.html): each with
    `picture`, the small picture of its product in its colour (kvote.catalog.images), and
    `delivery`, how it is expected to be delivered as its variant's stock stands today
    (kvote.catalog.stock.availability: today's estimate, not a promise). The lines must be read
    with their variant (select_related("variant")); then one query for any number of lines,
    none without lines."""
    lines = list(lines)
    if not lines:
        return lines
    pictures = colour_pictures(pairs=[(line.variant.product_id, line.colour) for line in lines])
    today = today or timezone.localdate()
    for line in lines:
        line.picture = pictures[(line.variant.product_id, line.colour)]  # type: ignore[attr-defined]
        line.delivery = availability(line.variant, line.quantity, today=today)  # type: ignore[attr-defined]
    return lines


@dataclass
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    history: list[OrderStateChange]

    @property
    def awaits_delivery(self) -> bool:
        """Neither shipped nor stopped: its lines' expected delivery still means something."""
        return self.order.state in AWAITING_DELIVERY

    @property
    def delivery_summary(self) -> str:
        """When all its lines are expected, as their stock stands today (order_detail(shown=
        True); '' otherwise)."""
        return delivery_summary([line.delivery for line in self.lines if hasattr(line, "delivery")])

    @property
    def is_released(self) -> bool:
        """Released to the supplier: on its way there, or there."""
        return self.order.state in RELEASED_OR_LATER

    @property
    def sent_at(self) -> datetime | None:
        """When the supplier got it: the history's change to "sent"."""
        return next((c.created_at for c in self.history if c.to_state == OrderState.SENT), None)


def access_order(*, actor: User, order_id: int) -> Order:
    """An order the actor may open (order_visible_to), with who placed and decided it;
    NotFound for any other, of the company or not."""
    orders = order_visible_to(actor=actor).select_related("placed_by", "decided_by")
    return get_scoped(orders, actor, pk=order_id)


def access_placed_order(*, actor: User, order_id: int) -> Order:
    """An order the actor placed (what only its orderer may do: cancel); NotFound for any
    other."""
    return get_scoped(Order, actor, pk=order_id, placed_by=actor)


def order_detail(*, actor: User, order_id: int, shown: bool = False) -> OrderDetail:
    """One order with its lines and history; NotFound when the actor may not see it. Three
    queries; with `shown` (the web pages), four: its lines' pictures and expected delivery
    (lines_shown)."""
    order = access_order(actor=actor, order_id=order_id)
    lines = order.lines.select_related("recipient", "variant").order_by("id")
    return OrderDetail(
        order=order,
        lines=lines_shown(lines) if shown else list(lines),
        history=list(order.history.select_related("actor").order_by("created_at", "id")),
    )


def company_orders(*, actor: User, state: str = "") -> QuerySet[Order]:
    """Every order of the actor's company, newest first: for company admins only."""
    if not roles.is_company_admin(actor):
        raise ServiceError(
            CommonError.ADMIN_ONLY, _("Only a company admin sees all the company's orders.")
        )
    qs = scoped(Order, actor)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-placed_at", "-id")


def orders_placed_between(
    *,
    actor: User,
    state: str = "",
    placed_from: date | None = None,
    placed_to: date | None = None,
    whole_company: bool = False,
) -> QuerySet[Order]:
    """Mine ordrer (or, for a company admin, the company's orders) filtered by status and by
    the local dates the orders were placed (inclusive)."""
    if whole_company:
        qs = company_orders(actor=actor, state=state)
    else:
        qs = my_orders(actor=actor, state=state)
    start, end = local_bounds(placed_from, placed_to)
    if start is not None:
        qs = qs.filter(placed_at__gte=start)
    if end is not None:
        qs = qs.filter(placed_at__lt=end)
    return qs


def with_lines_and_history(orders: QuerySet[Order], *, variants: bool = False) -> QuerySet[Order]:
    """Orders with who placed and decided them, their lines (with `variants`, each with its
    variant) and their history (with each change's actor): three queries for any number of
    orders."""
    lines = OrderLine.objects.order_by("id")
    return orders.select_related("placed_by", "decided_by").prefetch_related(
        Prefetch("lines", queryset=lines.select_related("variant") if variants else lines),
        Prefetch(
            "history",
            queryset=OrderStateChange.objects.select_related("actor").order_by("created_at", "id"),
        ),
    )


def order_with_lines_and_history(*, order: Order) -> Order:
    """`order` read again with its lines and history (after a service changed it): three
    queries."""
    return with_lines_and_history(Order.objects.filter(pk=order.pk)).get()


@dataclass
class OrderRow:
    order: Order
    recipients: str


def order_rows(*, actor: User, orders: Iterable[Order]) -> list[OrderRow]:
    """Orders for a list page, each with its recipients' names. One query for any number."""
    orders = list(orders)
    names: dict[int, list[str]] = {order.pk: [] for order in orders}
    lines = (
        scoped(OrderLine, actor)
        .filter(order_id__in=names.keys())
        .values_list("order_id", "recipient_name")
        .order_by("order_id", "recipient_name")
        .distinct()
    )
    for order_id, name in lines:
        if name not in names[order_id]:
            names[order_id].append(name)
    return [OrderRow(order=order, recipients=", ".join(names[order.pk])) for order in orders]
