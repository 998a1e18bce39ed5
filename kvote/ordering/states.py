"""The order state machine: one table of allowed transitions and one function that applies them.

Apps above this one act on entering a state by registering a handler (`on_entering`), the way
the job queue names its handlers: kvote.supplier registers the outbox row of a released order,
written in the same transaction as the release.
A transition is a compare-and-set on the order's current state, so two actors deciding at once
cannot both win: the loser gets `OrderError.STATE_CHANGED` and nothing is written.
Nothing of a deactivated company (`Company.is_active` false) is released, by any caller: the
release's compare-and-set also asks that the company is active (`OrderError.COMPANY_INACTIVE`).
"""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.companies.models import Company
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState, OrderStateChange
from kvote.people.models import User

S = OrderState

TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({S.AWAITING_APPROVAL, S.RELEASED}),
    S.AWAITING_APPROVAL: frozenset({S.RELEASED, S.REJECTED, S.CANCELLED}),
    S.RELEASED: frozenset({S.SENT}),
    S.SENT: frozenset({S.CONFIRMED}),
    S.CONFIRMED: frozenset({S.SHIPPED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.SHIPPED: frozenset(),
}

# States whose lines count against budgets and in purchase totals.
COUNTING_STATES = frozenset({S.AWAITING_APPROVAL, S.RELEASED, S.SENT, S.CONFIRMED, S.SHIPPED})

# States of an order the supplier has been given or is being given: entering "released" writes
# its delivery (kvote.supplier registers that handler).
RELEASED_OR_LATER = frozenset({S.RELEASED, S.SENT, S.CONFIRMED, S.SHIPPED})

# States of an order on its way but not yet shipped: its lines' expected delivery is shown.
AWAITING_DELIVERY = frozenset({S.AWAITING_APPROVAL, S.RELEASED, S.SENT, S.CONFIRMED})


# state -> what must happen, in the same transaction, when an order enters it.
_ON_ENTERING: dict[str, list[Callable[[Order], object]]] = {}


def on_entering(state: str, handler: Callable[[Order], object]) -> None:
    """Run `handler(order)` inside the transaction whenever an order enters `state` (from an
    AppConfig.ready of an app above this one). Registering the same handler twice is a no-op."""
    handlers = _ON_ENTERING.setdefault(S(state), [])
    if handler not in handlers:
        handlers.append(handler)


def _entered(order: Order) -> None:
    for handler in _ON_ENTERING.get(order.state, []):
        handler(order)


def is_allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def path_between(from_state: str, to_state: str) -> list[str] | None:
    """The states an order passes through, after `from_state` up to `to_state`, by the fewest
    allowed transitions of the table; [] when it is already there, None when it cannot get
    there (the table never goes back)."""
    if from_state == to_state:
        return []
    paths: dict[str, list[str]] = {from_state: []}
    queue = [from_state]
    while queue:
        state = queue.pop(0)
        for following in sorted(TRANSITIONS.get(state, frozenset())):
            if following not in paths:
                paths[following] = [*paths[state], following]
                if following == to_state:
                    return paths[following]
                queue.append(following)
    return None


def _company_inactive() -> ServiceError:
    return ServiceError(
        OrderError.COMPANY_INACTIVE,
        _(
            "The company no longer has access to the portal: "
            "none of its orders is sent to the supplier."
        ),
    )


def _company_inactive_of(order: Order) -> bool:
    return Company.objects.filter(pk=order.company_id, is_active=False).exists()


def order_record_creation(*, order: Order, actor: User | None) -> OrderStateChange:
    """The first history row of a new order (from nothing to its first state)."""
    if not is_allowed("", order.state):
        raise ServiceError(OrderError.INVALID_TRANSITION, _("An order cannot start in this state."))
    if order.state == S.RELEASED and _company_inactive_of(order):
        raise _company_inactive()
    _entered(order)
    return OrderStateChange.objects.create(
        company_id=order.company_id, order=order, from_state="", to_state=order.state, actor=actor
    )


def order_transition(
    *, order: Order, to_state: str, actor: User | None, comment: str = ""
) -> OrderStateChange:
    """Move `order` from the state it was read in to `to_state`, and keep the history row."""
    from_state = order.state
    if not is_allowed(from_state, to_state):
        raise ServiceError(
            OrderError.INVALID_TRANSITION,
            _("An order that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(from_state).label, "to": S(to_state).label},
        )
    with transaction.atomic():
        current = Order.objects.filter(pk=order.pk, state=from_state)
        if to_state == S.RELEASED:
            # A subquery on the company, not a join: with a join Django moves the whole
            # condition, state included, into a subquery on the statement's snapshot, and
            # PostgreSQL no longer re-checks the state on a row another decision just committed.
            active = Company.objects.filter(is_active=True).values("pk")
            current = current.filter(company_id__in=active)
        updated = current.update(state=to_state)
        if updated != 1 and to_state == S.RELEASED and _company_inactive_of(order):
            raise _company_inactive()
        if updated != 1:
            raise ServiceError(
                OrderError.STATE_CHANGED,
                _("The order was changed by someone else in the meantime. Reload and try again."),
            )
        order.state = to_state
        _entered(order)  # e.g. the outbox row of a release: released exactly when queued
        return OrderStateChange.objects.create(
            company_id=order.company_id,
            order=order,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            comment=comment,
        )
