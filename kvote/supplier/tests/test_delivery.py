"""Every released order reaches the supplier once: the outbox, the transports, retries, and
workers that die. The supplier is a real HTTP server on loopback (kvote.supplier.receiver)."""

import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from kvote.approvals.services import approval_decide
from kvote.companies.models import ApprovalPolicy
from kvote.jobs.lease import LeaseStatus
from kvote.ordering.models import Order, OrderState
from kvote.supplier.models import Delivery
from kvote.supplier.receiver import Behaviour, SupplierReceiver
from kvote.supplier.services import deliveries_retry, deliveries_run_due, retry_delay
from kvote.supplier.transports import DeliveryFailed, FolderTransport, HttpTransport
from kvote.supplier.validation import document_problems
from tests.factories import CompanyFactory, member, place_order

pytestmark = pytest.mark.django_db
SECRET = "test-supplier-secret"


@pytest.fixture(autouse=True)
def _delivery_settings(settings):
    settings.KVOTE_SUPPLIER_SECRET = SECRET
    settings.KVOTE_DELIVERY_BACKOFF_SECONDS = 10


def _released(key: str = "k", **company: object) -> Order:
    buyer = member(CompanyFactory(**company))
    order = place_order(buyer, "250.00", key=key)
    assert order.state == OrderState.RELEASED
    return order


def _due_now() -> None:
    """Let the clock pass the backoff: what waiting would do, without the wait."""
    Delivery.objects.filter(status=LeaseStatus.PENDING).update(run_after=timezone.now())


def test_releasing_an_order_writes_its_outbox_row_in_the_same_transaction() -> None:
    order = _released()
    delivery = Delivery.objects.get(order=order)
    assert (delivery.status, delivery.attempts, delivery.company_id) == (
        LeaseStatus.PENDING,
        0,
        order.company_id,
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        place_order(order.placed_by, key="rolled-back")
        assert Delivery.objects.count() == 2
        raise RuntimeError("the release failed after the outbox row was written")
    assert Delivery.objects.count() == 1

    buyer = member(CompanyFactory(approval_policy=ApprovalPolicy.ALWAYS), budget="1000")

    waiting = place_order(buyer, key="w")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    assert not Delivery.objects.filter(order=waiting).exists()
    approver = member(buyer.company, is_company_admin=True, is_approver=True)
    approval_decide(actor=approver, order_id=waiting.pk, decision="approve")
    assert Delivery.objects.filter(order=waiting, status=LeaseStatus.PENDING).exists()


def test_the_folder_transport_writes_one_valid_file_per_order_and_marks_it_sent(
    tmp_path: Path,
) -> None:
    order = _released()
    assert deliveries_run_due(worker="w1", transport=FolderTransport(folder=tmp_path)) == 1

    written = tmp_path / f"{order.number}.xml"
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # no temporary files left
    assert document_problems(written.read_bytes()) == []
    order.refresh_from_db()
    assert order.state == OrderState.SENT
    assert order.history.filter(from_state=OrderState.RELEASED, to_state=OrderState.SENT).exists()
    delivery = order.delivery
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.transport) == (
        LeaseStatus.DONE,
        1,
        "folder",
    )
    assert delivery.receipt == str(written) and delivery.done_at is not None
    assert deliveries_run_due(worker="w1", transport=FolderTransport(folder=tmp_path)) == 0


def test_an_unwritable_folder_is_an_error_to_retry(tmp_path: Path) -> None:
    order = _released()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    deliveries_run_due(worker="w1", transport=FolderTransport(folder=blocker))
    delivery = Delivery.objects.get(order=order)
    assert (delivery.status, delivery.attempts) == (LeaseStatus.PENDING, 1)
    assert "not-a-folder" in delivery.last_error
    assert Order.objects.get(pk=order.pk).state == OrderState.RELEASED


def test_http_delivery_fails_three_times_then_arrives_once_signed_with_its_key() -> None:
    order = _released()
    with SupplierReceiver(secret=SECRET, behaviour=Behaviour(fail_first=3)) as supplier:
        transport = HttpTransport(url=supplier.url, secret=SECRET, timeout=5)
        for attempt in range(1, 5):
            assert deliveries_run_due(worker="w1", transport=transport) == 1
            delivery = Delivery.objects.get(order=order)
            assert delivery.attempts == attempt
            if attempt < 4:
                assert delivery.status == LeaseStatus.PENDING
                assert "HTTP 503" in delivery.last_error
                # exponential backoff, spread by jitter: 10 s, 20 s, 40 s ± 25 %
                wait = (delivery.run_after - timezone.now()).total_seconds()
                assert 10 * 2 ** (attempt - 1) * 0.7 < wait < 10 * 2 ** (attempt - 1) * 1.3
                assert deliveries_run_due(worker="w1", transport=transport) == 0  # not yet
                _due_now()
        got = supplier.received
    assert (got.requests, got.orders, got.refused_signatures) == (4, [order.number], 0)
    assert got.keys == {order.number: 1}
    assert document_problems(got.documents[order.number]) == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (LeaseStatus.DONE, "")
    assert Order.objects.get(pk=order.pk).state == OrderState.SENT


def test_a_timeout_is_retried_and_the_supplier_sees_the_repeat_by_its_key() -> None:
    """The supplier took the order but answered too late: the retry carries the same key, so
    it is recognised as a repeat, not a second order."""
    order = _released()
    stall = Behaviour(stall_first=1, stall_seconds=30)
    with SupplierReceiver(secret=SECRET, behaviour=stall) as supplier:
        transport = HttpTransport(url=supplier.url, secret=SECRET, timeout=0.5)
        deliveries_run_due(worker="w1", transport=transport)
        delivery = Delivery.objects.get(order=order)
        assert delivery.status == LeaseStatus.PENDING
        assert "no answer" in delivery.last_error
        supplier.release()  # the stalled request now completes on the supplier's side
        _due_now()
        # The backoff's wait, as the signing clock sees it: the retry is signed anew, later.
        # (Signed in the same second, it would be the same message, refused as a replay.)
        later = HttpTransport(
            url=supplier.url, secret=SECRET, timeout=0.5, clock=lambda: time.time() + 10
        )
        deliveries_run_due(worker="w1", transport=later)
        got = supplier.received
    assert got.orders == [order.number]
    assert got.keys == {order.number: 2}
    assert Delivery.objects.get(order=order).status == LeaseStatus.DONE


def test_a_wrong_secret_is_refused_by_the_supplier_and_retried() -> None:
    order = _released()
    with SupplierReceiver(secret=SECRET) as supplier:
        wrong = HttpTransport(url=supplier.url, secret="not-the-secret", timeout=5)
        deliveries_run_due(worker="w1", transport=wrong)
        assert supplier.received.refused_signatures == 1
        assert supplier.received.orders == []
    assert "HTTP 401" in Delivery.objects.get(order=order).last_error


def test_an_unreachable_supplier_is_an_error_to_retry() -> None:
    with SupplierReceiver(secret=SECRET) as supplier:
        url = supplier.url  # the port is closed once the server stops
    with pytest.raises(DeliveryFailed, match="could not reach"):
        HttpTransport(url=url, secret=SECRET, timeout=2).send(order_number="X", document=b"<x/>")


def test_after_the_last_attempt_it_is_failed_with_its_error_and_can_be_retried(
    settings, tmp_path: Path
) -> None:
    settings.KVOTE_DELIVERY_MAX_ATTEMPTS = 2
    order = _released()
    with SupplierReceiver(secret=SECRET, behaviour=Behaviour(fail_first=2)) as supplier:
        transport = HttpTransport(url=supplier.url, secret=SECRET, timeout=5)
        deliveries_run_due(worker="w1", transport=transport)
        _due_now()
        deliveries_run_due(worker="w1", transport=transport)
        delivery = Delivery.objects.get(order=order)
        assert (delivery.status, delivery.attempts) == (LeaseStatus.FAILED, 2)
        assert "HTTP 503" in delivery.last_error
        _due_now()
        assert deliveries_run_due(worker="w1", transport=transport) == 0  # failed stays failed

        assert deliveries_retry(deliveries=Delivery.objects.all()) == 1
        assert deliveries_run_due(worker="w1", transport=transport) == 1
        assert supplier.received.orders == [order.number]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (LeaseStatus.DONE, 1)


def test_a_document_that_breaks_the_rules_is_failed_at_once_not_sent(
    settings, tmp_path: Path
) -> None:
    settings.KVOTE_SUPPLIER_ORG_NUMBER = "not-a-number"  # breaks the 0192 identifier rules
    order = _released()
    deliveries_run_due(worker="w1", transport=FolderTransport(folder=tmp_path))
    delivery = Delivery.objects.get(order=order)
    assert delivery.status == LeaseStatus.FAILED
    assert "not a valid PEPPOL order" in delivery.last_error
    assert list(tmp_path.iterdir()) == []


def test_a_worker_whose_lease_was_taken_over_does_not_record_over_its_successor(
    tmp_path: Path,
) -> None:
    from kvote.supplier.services import deliveries_claim, delivery_run

    order = _released()
    [stale] = deliveries_claim(worker="slow")
    Delivery.objects.filter(pk=stale.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert deliveries_run_due(worker="fast", transport=FolderTransport(folder=tmp_path)) == 1
    assert not delivery_run(
        delivery=stale, worker="slow", transport=FolderTransport(folder=tmp_path)
    )
    delivery = Delivery.objects.get(order=order)
    assert (delivery.status, delivery.attempts) == (LeaseStatus.DONE, 1)
    assert order.history.filter(to_state=OrderState.SENT).count() == 1


def test_retry_delays_grow_exponentially_with_jitter_and_are_capped(settings) -> None:
    settings.KVOTE_DELIVERY_BACKOFF_SECONDS = 10
    first = {retry_delay(1).total_seconds() for _ in range(50)}
    assert min(first) >= 7.5 and max(first) <= 12.5 and len(first) > 1
    assert all(15 <= retry_delay(2).total_seconds() <= 25 for _ in range(20))
    assert retry_delay(40) <= timedelta(hours=1)


def test_money_in_the_document_matches_the_order() -> None:
    order = _released()
    with SupplierReceiver(secret=SECRET) as supplier:
        deliveries_run_due(
            worker="w1", transport=HttpTransport(url=supplier.url, secret=SECRET, timeout=5)
        )
        document = supplier.received.documents[order.number].decode()
    assert f"<cbc:ID>{order.number}</cbc:ID>" in document
    assert str(order.total_excl_vat) in document and order.total_excl_vat == Decimal("250.00")
