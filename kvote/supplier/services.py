"""Released orders reach the supplier once: the outbox, its workers, and the supplier's replies.

Releasing an order writes its `Delivery` row in the same transaction (`delivery_enqueue`, called
by the order state machine), so an order is released exactly when it is queued. Workers
(`manage.py deliver_orders`) lease due rows, build and check the PEPPOL document, hand it to the
transport, and then, in one transaction, mark the row sent and the order "sent to supplier".
A worker that dies between sending and recording leaves the row to be taken over when its lease
runs out and sent again with the same idempotency key (the order number), which the supplier
recognises as a repeat: delivered at least once, received as one order.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.common.text import clean_text, normalise_line
from kvote.companies.models import Company
from kvote.jobs import lease
from kvote.ordering import states
from kvote.ordering.models import Order, OrderState
from kvote.supplier.document import order_document
from kvote.supplier.errors import SupplierReplyError
from kvote.supplier.models import Delivery, SeenSignature
from kvote.supplier.transports import DeliveryFailed, Transport, transport_from_settings
from kvote.supplier.validation import document_problems

logger = logging.getLogger(__name__)

BACKOFF_MAX = timedelta(hours=1)
JITTER = 0.25


def retry_delay(attempts: int) -> timedelta:
    """About base × 2^(attempts-1), ±25 %, at most an hour."""
    return lease.backoff(
        attempts,
        base_seconds=settings.KVOTE_DELIVERY_BACKOFF_SECONDS,
        cap=BACKOFF_MAX,
        jitter=JITTER,
    )


def worker_id() -> str:
    return lease.worker_name("deliver")


def deliveries_claim(*, worker: str, limit: int = 10) -> list[Delivery]:
    """Due deliveries of active companies: a deactivated company's released orders wait in the
    outbox (nothing of it goes out) and go when it is active again."""
    active = Company.objects.filter(is_active=True).values("pk")
    return lease.lease_claim(
        Delivery.objects.select_related("order").filter(company_id__in=active),
        worker=worker,
        limit=limit,
        lease=timedelta(seconds=settings.KVOTE_DELIVERY_LEASE_SECONDS),
    )


def delivery_run(*, delivery: Delivery, worker: str, transport: Transport) -> bool:
    """Send one leased delivery and record what happened. True when it was sent."""
    order = delivery.order
    try:
        document = order_document(order)
        if settings.KVOTE_DELIVERY_VALIDATE and (problems := document_problems(document)):
            # A document that breaks the rules will not get better by waiting: fail at once,
            # visible in the back office, and fix the data or the code before retrying.
            lease.lease_fail(
                delivery,
                worker=worker,
                error="The document is not a valid PEPPOL order:\n" + "\n".join(problems),
                retry_in=timedelta(0),
                final=True,
            )
            logger.error("order %s: invalid document: %s", order.number, problems)
            return False
        receipt = transport.send(order_number=order.number, document=document)
    except Exception as exc:
        error = str(exc) if isinstance(exc, DeliveryFailed) else lease.exception_text(exc)
        failed = lease.lease_fail(
            delivery, worker=worker, error=error, retry_in=retry_delay(delivery.attempts + 1)
        )
        logger.warning(
            "order %s: delivery attempt %s failed%s: %s",
            order.number,
            delivery.attempts + 1,
            " for good" if failed else "",
            error,
        )
        return False
    with transaction.atomic():
        recorded = lease.lease_succeed(
            delivery, worker=worker, transport=transport.name, receipt=receipt[:300]
        )
        if recorded:
            _mark_sent(order)
    if not recorded:
        logger.warning("order %s: sent, but another worker had taken it over", order.number)
    return recorded


def _mark_sent(order: Order) -> None:
    """The order is with the supplier, unless the supplier already said more (a reply can
    overtake a worker that died before recording the delivery)."""
    current = Order.objects.select_for_update().get(pk=order.pk)
    if current.state == OrderState.RELEASED:
        states.order_transition(order=current, to_state=OrderState.SENT, actor=None)


def deliveries_run_due(
    *, worker: str | None = None, limit: int = 10, transport: Transport | None = None
) -> int:
    """Claim and send what is due; how many deliveries were tried."""
    worker = worker or worker_id()
    transport = transport or transport_from_settings()
    claimed = deliveries_claim(worker=worker, limit=limit)
    for delivery in claimed:
        delivery_run(delivery=delivery, worker=worker, transport=transport)
    return len(claimed)


def deliveries_retry(*, deliveries: QuerySet[Delivery]) -> int:
    """Try failed deliveries again from now, with a fresh set of attempts (the back office)."""
    return lease.lease_retry(deliveries)


# What the supplier may report. A reply may skip ahead through the state machine's own
# transitions (an order reported shipped was sent and confirmed first); it may not go back.
REPORTABLE = {OrderState.CONFIRMED, OrderState.SHIPPED}
COMMENT_MAX = 2000


@dataclass(frozen=True)
class ReplyOutcome:
    order: Order
    changed: bool


ORDER_NUMBER_MAX = Order._meta.get_field("number").max_length or 20


def _may_be_an_order_number(value: str) -> bool:
    """Not longer than the column and nothing that cleaning would change (no NUL or other
    control character, which PostgreSQL refuses even to compare): anything else is no order's
    number and never reaches the database."""
    return 0 < len(value) <= ORDER_NUMBER_MAX and normalise_line(value) == value


def order_status_report(*, order_number: str, status: str, comment: str = "") -> ReplyOutcome:
    """The supplier reports that an order is confirmed or shipped. Repeating a report changes
    nothing; a report that would move the order back, or concerns an order that was never
    released, is refused."""
    comment = clean_text(
        comment,
        max_length=COMMENT_MAX,
        label=_("The comment"),
        code=SupplierReplyError.MALFORMED,
        field="comment",
    )
    if status not in REPORTABLE:
        raise ServiceError(
            SupplierReplyError.UNKNOWN_STATUS,
            _("The status must be one of: %(choices)s.")
            % {"choices": ", ".join(sorted(REPORTABLE))},
        )
    if not _may_be_an_order_number(order_number):
        raise ServiceError(
            SupplierReplyError.UNKNOWN_ORDER, _("There is no order with that number.")
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_number).first()
        if order is None:
            raise ServiceError(
                SupplierReplyError.UNKNOWN_ORDER,
                _("There is no order %(number)s.") % {"number": order_number},
            )
        if order.state == status:
            return ReplyOutcome(order=order, changed=False)
        path = states.path_between(order.state, status)
        if order.state not in states.RELEASED_OR_LATER or path is None:
            raise ServiceError(
                SupplierReplyError.IMPOSSIBLE_TRANSITION,
                _("Order %(number)s is “%(state)s” and cannot become “%(to)s”.")
                % {
                    "number": order.number,
                    "state": OrderState(order.state).label,
                    "to": OrderState(status).label,
                },
            )
        for step in path:
            states.order_transition(
                order=order,
                to_state=step,
                actor=None,
                comment=comment if step == status else "",
            )
        return ReplyOutcome(order=order, changed=True)


@dataclass(frozen=True)
class SeenSignatures:
    """The portal's replay store for `signing.verify`: one `SeenSignature` row per message taken,
    in the database, so it holds across processes and workers. The row is written (and
    committed, unless the caller holds a transaction) before the reply has any effect: a message
    is used up once its signature holds, whatever the answer. Rows whose message is past the
    tolerance are deleted on the way (one indexed DELETE)."""

    tolerance: int

    def claim(self, key: str, timestamp: int) -> bool:
        horizon = timezone.now() - timedelta(seconds=self.tolerance + 1)
        SeenSignature.objects.filter(signed_at__lt=horizon).delete()
        signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
        table = connection.ops.quote_name(SeenSignature._meta.db_table)
        column = connection.ops.quote_name("key")
        with connection.cursor() as cursor:
            # Two copies at once: the unique key makes the second wait for the first and then
            # insert nothing (PostgreSQL and SQLite alike), so exactly one is taken.
            cursor.execute(
                f"INSERT INTO {table} ({column}, signed_at) VALUES (%s, %s) "
                f"ON CONFLICT ({column}) DO NOTHING",
                [key, connection.ops.adapt_datetimefield_value(signed_at)],
            )
            return cursor.rowcount == 1
