"""The signing scheme over real HTTP on loopback, both ways (issue 13): the supplier's replies
to the portal served by a real server (pytest-django's `live_server`), and our deliveries to the
stand-in supplier (`SupplierReceiver`). A fresh message is taken; the same bytes to another
order, a stale time, a repeat and a wrong secret are refused, each with its own JSON code; a
rotation accepts the old and the new secret, and then only the new."""

import json
import time
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from kvote.ordering.models import Order, OrderState
from kvote.supplier import signing
from kvote.supplier.receiver import SupplierReceiver
from kvote.supplier.services import deliveries_run_due
from kvote.supplier.transports import DeliveryFailed, FolderTransport, HttpTransport
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import CompanyFactory, member, place_order

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "the-current-supplier-secret-0123456789"
OLD_SECRET = "the-previous-supplier-secret-987654321"


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.KVOTE_SUPPLIER_SECRET = SECRET
    settings.KVOTE_SUPPLIER_SECRET_PREVIOUS = ""
    settings.KVOTE_SIGNATURE_TOLERANCE_SECONDS = 300


def _sent(tmp_path: Path, count: int = 1) -> list[Order]:
    orders = [place_order(member(CompanyFactory()), "120.00") for _ in range(count)]
    deliveries_run_due(worker="w", transport=FolderTransport(folder=tmp_path))
    return [Order.objects.get(pk=order.pk) for order in orders]


def _signed(
    base: str,
    number: str,
    status: str = "confirmed",
    *,
    secrets: str | list[str] = SECRET,
    at: int | None = None,
) -> tuple[str, bytes, dict[str, str]]:
    url = base + reverse("supplier:order_status", args=[number])
    body = json.dumps({"status": status, "comment": ""}).encode()
    header = signing.header_value(
        method="POST", path=signing.url_path(url), body=body, secrets=secrets, timestamp=at
    )
    return url, body, {"Content-Type": "application/json", signing.HEADER: header}


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=30)


def _state(order: Order) -> str:
    return Order.objects.get(pk=order.pk).state


def test_a_fresh_reply_is_taken_and_the_same_bytes_never_again(live_server, tmp_path) -> None:
    first, second = _sent(tmp_path, 2)
    url, body, headers = _signed(live_server.url, first.number)

    answer = _post(url, body, headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "confirmed"

    repeat = _post(url, body, headers)
    assert (repeat.status_code, repeat.json()["code"]) == (401, "replayed_signature")

    elsewhere = _post(url.replace(first.number, second.number), body, headers)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (401, "bad_signature")
    assert (_state(first), _state(second)) == (OrderState.CONFIRMED, OrderState.SENT)


@pytest.mark.parametrize("offset", [-310, 310])  # clear of the clock's second
def test_a_stale_reply_is_refused_either_way(live_server, tmp_path, offset: int) -> None:
    [order] = _sent(tmp_path)
    url, body, headers = _signed(live_server.url, order.number, at=int(time.time()) + offset)
    answer = _post(url, body, headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "stale_signature")
    assert "300 seconds" in answer.json()["message"]
    assert _state(order) == OrderState.SENT


def test_a_wrong_secret_and_a_hostile_header_are_refused(live_server, tmp_path) -> None:
    [order] = _sent(tmp_path)
    url, body, headers = _signed(live_server.url, order.number, secrets="not-the-secret")
    answer = _post(url, body, headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")
    for hostile in ["t=1,v1=zz", "", "t=" + "9" * 5000, "sha256=" + "0" * 64]:
        answer = _post(url, body, {**headers, signing.HEADER: hostile})
        assert (answer.status_code, answer.json()["code"]) == (401, "malformed_signature")
    raw = httpx.post(
        url, content=body, headers=[(signing.HEADER.encode(), "t=1,v1=é".encode())], timeout=30
    )
    assert (raw.status_code, raw.json()["code"]) == (401, "malformed_signature")
    assert _state(order) == OrderState.SENT


def test_a_rotation_takes_both_secrets_then_only_the_new(live_server, settings, tmp_path) -> None:
    orders = _sent(tmp_path, 4)
    settings.KVOTE_SUPPLIER_SECRET = SECRET  # the new one, ours to sign with
    settings.KVOTE_SUPPLIER_SECRET_PREVIOUS = OLD_SECRET  # the supplier may not have it yet
    assert _post(*_signed(live_server.url, orders[0].number, secrets=OLD_SECRET)).is_success
    assert _post(*_signed(live_server.url, orders[1].number, secrets=SECRET)).is_success

    settings.KVOTE_SUPPLIER_SECRET_PREVIOUS = ""  # the supplier has switched
    answer = _post(*_signed(live_server.url, orders[2].number, secrets=OLD_SECRET))
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")
    assert _post(*_signed(live_server.url, orders[3].number, secrets=SECRET)).is_success
    assert [_state(o) for o in orders] == [
        OrderState.CONFIRMED,
        OrderState.CONFIRMED,
        OrderState.SENT,
        OrderState.CONFIRMED,
    ]


@pytest.mark.parametrize("number", ["\x00", "KV-\x00001", "ø" * 30, "K" * 200, "KV-٠٠٠١"])
def test_an_order_number_no_order_can_have_is_a_json_404(live_server, number: str) -> None:
    answer = _post(*_signed(live_server.url, number))
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_order")


@postgresql_only("two requests at once are proven on PostgreSQL")
def test_the_same_reply_sent_at_once_is_taken_once(live_server, tmp_path) -> None:
    [order] = _sent(tmp_path)
    url, body, headers = _signed(live_server.url, order.number, "shipped")
    answers = run_at_once(6, lambda i: _post(url, body, headers))
    codes = sorted(a.json().get("code", "taken") for a in answers if isinstance(a, httpx.Response))
    assert codes == ["replayed_signature"] * 5 + ["taken"], answers
    assert _state(order) == OrderState.SHIPPED
    assert order.history.filter(to_state=OrderState.SHIPPED).count() == 1


# Our deliveries to the supplier, checked by the stand-in supplier with the same `verify`.


def _released() -> Order:
    return place_order(member(CompanyFactory()), "250.00")


def test_a_fresh_delivery_is_taken(tmp_path) -> None:
    order = _released()
    with SupplierReceiver(secret=SECRET) as supplier:
        transport = HttpTransport(url=supplier.url, secret=SECRET, timeout=5)
        assert transport.send(order_number=order.number, document=b"<Order/>").startswith(
            "HTTP 201"
        )
    assert supplier.received.orders == [order.number]


@pytest.mark.parametrize("offset", [-310, 310])  # clear of the clock's second
def test_a_stale_delivery_is_refused(offset: int) -> None:
    with SupplierReceiver(secret=SECRET) as supplier:
        transport = HttpTransport(
            url=supplier.url, secret=SECRET, timeout=5, clock=lambda: time.time() + offset
        )
        with pytest.raises(DeliveryFailed, match="401: signature: stale"):
            transport.send(order_number="KV-000001", document=b"<Order/>")
    assert supplier.received.orders == []


def test_a_delivery_with_the_wrong_secret_is_refused() -> None:
    with SupplierReceiver(secret=SECRET) as supplier:
        transport = HttpTransport(url=supplier.url, secret="not-the-secret", timeout=5)
        with pytest.raises(DeliveryFailed, match="401: signature: bad_signature"):
            transport.send(order_number="KV-000001", document=b"<Order/>")
    assert supplier.received.refusals == {"bad_signature": 1}


def test_a_repeated_delivery_is_refused_and_a_resent_one_is_a_repeat_of_the_order() -> None:
    now = time.time()
    with SupplierReceiver(secret=SECRET) as supplier:
        same = HttpTransport(url=supplier.url, secret=SECRET, timeout=5, clock=lambda: now)
        assert same.send(order_number="KV-000001", document=b"<Order/>").startswith("HTTP 201")
        with pytest.raises(DeliveryFailed, match="401: signature: replayed"):  # the same bytes
            same.send(order_number="KV-000001", document=b"<Order/>")
        later = HttpTransport(url=supplier.url, secret=SECRET, timeout=5, clock=lambda: now + 1)
        assert later.send(order_number="KV-000001", document=b"<Order/>").startswith("HTTP 200")
        # The same signed bytes to another path of the supplier: not what was signed.
        header = signing.header_value(
            method="POST", path=signing.url_path(supplier.url), body=b"<Order/>", secrets=SECRET
        )
        answer = httpx.post(
            supplier.url.replace("/orders", "/other"),
            content=b"<Order/>",
            headers={signing.HEADER: header, "Idempotency-Key": "KV-000002"},
        )
        assert answer.status_code == 401
    assert supplier.received.orders == ["KV-000001"]
    assert supplier.received.refusals == {"replayed": 1, "bad_signature": 1}
