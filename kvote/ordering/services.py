"""What changes a placed order outside the approval: the orderer cancelling it."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState
from kvote.ordering.selectors import access_placed_order
from kvote.ordering.states import order_transition
from kvote.people.models import User


def already_decided(order: Order) -> ServiceError:
    """The answer to anyone who comes too late: who decided the order, how, and when (or that
    it needed no decision). In the words of a decision, not of the state it led to: an
    approved order reads "approved" whether it is still on its way to the supplier or
    shipped."""
    order.refresh_from_db()
    if order.state == OrderState.REJECTED:
        decision = _("rejected")
    elif order.state == OrderState.CANCELLED:
        decision = _("cancelled")
    elif order.decided_at is not None:
        decision = _("approved")
    else:
        return ServiceError(
            OrderError.ALREADY_DECIDED,
            _("Order %(number)s needed no approval: it went to the supplier when it was placed.")
            % {"number": order.number},
        )
    who = order.decided_by.full_name if order.decided_by else order.placed_by.full_name
    when = order.decided_at or order.updated_at
    return ServiceError(
        OrderError.ALREADY_DECIDED,
        _("Order %(number)s was already decided: %(state)s by %(who)s on %(when)s.")
        % {
            "number": order.number,
            "state": decision,
            "who": who,
            "when": formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT"),
        },
    )


def order_cancel(*, actor: User, order_id: int) -> Order:
    """The orderer withdraws an order while it awaits approval."""
    order = access_placed_order(actor=actor, order_id=order_id)
    if order.state != OrderState.AWAITING_APPROVAL:
        raise ServiceError(
            OrderError.NOT_CANCELLABLE, _("Only an order awaiting approval can be cancelled.")
        )
    try:
        order_transition(order=order, to_state=OrderState.CANCELLED, actor=actor)
    except ServiceError as exc:
        if exc.code == OrderError.STATE_CHANGED:
            raise already_decided(order) from exc
        raise
    return order
