"""The outbox row of a released order, written by the order state machine in the releasing
transaction (kept apart from the delivery services, which use the state machine themselves)."""

from django.conf import settings

from kvote.ordering.models import Order
from kvote.supplier.models import Delivery


def delivery_enqueue(*, order: Order) -> Delivery:
    """Queue a released order for the supplier. Call it inside the releasing transaction."""
    return Delivery.objects.create(
        company_id=order.company_id,
        order=order,
        max_attempts=settings.KVOTE_DELIVERY_MAX_ATTEMPTS,
    )
