"""Workers as processes: `deliver_orders` drains the outbox, any number may run at once, and one
killed in the middle of a delivery is finished by the next. Real processes and threads against
PostgreSQL (SQLite's test database lives in this process's memory, out of a child's reach)."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kvote.jobs.lease import LeaseStatus
from kvote.ordering.models import Order, OrderState
from kvote.supplier.models import Delivery
from kvote.supplier.receiver import Behaviour, SupplierReceiver
from kvote.supplier.services import deliveries_run_due
from kvote.supplier.transports import HttpTransport
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import CompanyFactory, member, place_order

ROOT = Path(__file__).resolve().parents[3]
SECRET = "test-supplier-secret"


def _orders(n: int) -> list[Order]:
    buyer = member(CompanyFactory())
    return [place_order(buyer, "99.00", key=f"k{i}") for i in range(n)]


@pytest.mark.django_db
def test_deliver_orders_once_drains_the_outbox_into_the_folder(settings, tmp_path: Path) -> None:
    settings.KVOTE_OUTBOX_DIR = tmp_path
    orders = _orders(12)  # more than one batch
    out = io.StringIO()
    call_command("deliver_orders", "--once", "--batch", "5", stdout=out)
    assert "(folder)" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{o.number}.xml" for o in orders)
    assert set(Order.objects.values_list("state", flat=True)) == {OrderState.SENT}
    assert not Delivery.objects.exclude(status=LeaseStatus.DONE).exists()


@postgresql_only("worker processes and threads are proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_workers_at_once_deliver_every_order_exactly_once() -> None:
    orders = _orders(30)
    with SupplierReceiver(secret=SECRET, behaviour=Behaviour(fail_first=5)) as supplier:
        transport = HttpTransport(url=supplier.url, secret=SECRET, timeout=5)

        def work(i: int) -> int:
            sent = 0
            for _ in range(20):
                Delivery.objects.filter(status=LeaseStatus.PENDING, leased_by="").update(
                    run_after=timezone.now()
                )
                sent += deliveries_run_due(worker=f"w{i}", limit=3, transport=transport)
            return sent

        results = run_at_once(4, work)
        got = supplier.received
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(got.orders) == sorted(o.number for o in orders)
    assert set(got.keys.values()) == {1}  # no order was even sent twice
    assert Delivery.objects.filter(status=LeaseStatus.DONE).count() == 30
    assert Order.objects.filter(state=OrderState.SENT).count() == 30


def _worker_process(url: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        KVOTE_DELIVERY_TRANSPORT="http",
        KVOTE_DELIVERY_URL=url,
        KVOTE_SUPPLIER_SECRET=SECRET,
        KVOTE_DELIVERY_TIMEOUT="60",
        KVOTE_DELIVERY_LEASE_SECONDS="2",
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_orders"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@postgresql_only("worker processes and threads are proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_delivery_is_finished_by_another() -> None:
    [order] = _orders(1)
    with SupplierReceiver(secret=SECRET, behaviour=Behaviour(stall_first=1)) as supplier:
        worker = _worker_process(supplier.url)
        try:
            assert supplier.stalled.wait(60), "the worker process never reached the supplier"
            delivery = Delivery.objects.get(order=order)
            assert delivery.leased_by.endswith(":deliver") and delivery.status == "pending"
            os.kill(worker.pid, signal.SIGKILL)  # dies while the supplier holds its request
            worker.wait(30)
        finally:
            if worker.poll() is None:
                worker.kill()
        supplier.release()  # the supplier took the order, but nobody heard it answer

        transport = HttpTransport(url=supplier.url, secret=SECRET, timeout=5)
        assert deliveries_run_due(worker="second", transport=transport) == 0  # still leased
        deadline = time.monotonic() + 30
        while not deliveries_run_due(worker="second", transport=transport):
            assert time.monotonic() < deadline, "the lease never ran out"
            time.sleep(0.2)
        got = supplier.received
    assert got.orders == [order.number]  # one order at the supplier ...
    assert got.keys == {order.number: 2}  # ... though it came twice, with the same key
    delivery.refresh_from_db()
    assert (delivery.status, delivery.leased_by) == (LeaseStatus.DONE, "second")
    assert Order.objects.get(pk=order.pk).state == OrderState.SENT
