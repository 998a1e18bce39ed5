"""The outbox row of a released order. The order state machine calls `delivery_enqueue` in the
releasing transaction: SupplierConfig.ready registers it for entering "released"."""

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


def on_release(order: Order) -> None:
    """The state machine's handler for entering "released" (registered in SupplierConfig)."""
    delivery_enqueue(order=order)
