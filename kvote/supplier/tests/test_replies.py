"""The supplier's signed status replies move orders to confirmed and shipped, and refuse what
they must: bad signatures, unknown orders, impossible transitions. Refusals change nothing."""

import json
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kvote.checkout.services import order_submit
from kvote.companies.models import ApprovalPolicy
from kvote.ordering.models import Order, OrderState
from kvote.people.models import User
from kvote.supplier import signing
from kvote.supplier.services import deliveries_run_due
from kvote.supplier.transports import FolderTransport
from tests.factories import CompanyFactory, VariantFactory, fill_cart, member, place_order

pytestmark = pytest.mark.django_db
SECRET = "test-supplier-secret"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.KVOTE_SUPPLIER_SECRET = SECRET


def _reply(
    client: Client, number: str, body: object, *, secret: str = SECRET, raw: bytes | None = None
):
    data = raw if raw is not None else json.dumps(body).encode()
    path = reverse("supplier:order_status", args=[number])
    return client.post(
        path,
        data=data,
        content_type="application/json",
        headers={
            "X-Kvote-Signature": signing.header_value(
                method="POST", path=path, body=data, secrets=secret
            )
        },
    )


@pytest.fixture
def sent(tmp_path: Path, buyer: User) -> Order:
    order = place_order(buyer, "120.00")
    deliveries_run_due(worker="w", transport=FolderTransport(folder=tmp_path))
    order.refresh_from_db()
    assert order.state == OrderState.SENT
    return order


def _history(order: Order) -> list[tuple[str, str]]:
    return list(order.history.order_by("id").values_list("from_state", "to_state"))


def test_confirmed_then_shipped_and_a_repeat_changes_nothing(client: Client, sent: Order) -> None:
    answer = _reply(client, sent.number, {"status": "confirmed", "comment": "Pakkes fredag"})
    assert answer.status_code == 200
    assert answer.json() == {"order_number": sent.number, "status": "confirmed", "changed": True}
    assert _reply(client, sent.number, {"status": "confirmed"}).json()["changed"] is False
    assert _reply(client, sent.number, {"status": "shipped"}).json()["status"] == "shipped"
    assert _history(sent)[-2:] == [("sent", "confirmed"), ("confirmed", "shipped")]
    assert sent.history.get(to_state="confirmed").comment == "Pakkes fredag"
    assert sent.history.get(to_state="confirmed").actor is None


def test_a_reply_may_skip_ahead_but_never_go_back(client: Client, sent: Order) -> None:
    assert _reply(client, sent.number, {"status": "shipped"}).status_code == 200
    assert _history(sent)[-2:] == [("sent", "confirmed"), ("confirmed", "shipped")]
    before = _history(sent)
    answer = _reply(client, sent.number, {"status": "confirmed"})
    assert answer.status_code == 409
    assert answer.json()["code"] == "impossible_transition"
    assert "Shipped" in answer.json()["message"]
    assert _history(sent) == before


def test_a_reply_that_overtakes_the_delivery_record_counts_as_sent(client: Client) -> None:
    order = place_order(member(CompanyFactory()), "120.00")
    assert order.state == OrderState.RELEASED
    assert _reply(client, order.number, {"status": "confirmed"}).status_code == 200
    assert _history(order)[-2:] == [("released", "sent"), ("sent", "confirmed")]


def test_orders_that_were_never_released_cannot_be_confirmed(client: Client) -> None:
    company = CompanyFactory(approval_policy=ApprovalPolicy.ALWAYS)
    waiting = place_order(member(company, budget="1000"), "120.00")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    answer = _reply(client, waiting.number, {"status": "confirmed"})
    assert (answer.status_code, answer.json()["code"]) == (409, "impossible_transition")
    assert Order.objects.get(pk=waiting.pk).state == OrderState.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        (None, "malformed_signature"),
        ("sha256=" + "0" * 64, "malformed_signature"),  # the old scheme: no time, no path
        ("t=1700000000,v1=" + "0" * 64, "bad_signature"),
        ("wrong-secret", "bad_signature"),
        ("stale", "stale_signature"),
    ],
)
def test_bad_or_missing_signatures_are_refused(
    client: Client, sent: Order, signature: str | None, code: str
) -> None:
    body = json.dumps({"status": "confirmed"}).encode()
    path = reverse("supplier:order_status", args=[sent.number])
    headers = {}
    if signature == "wrong-secret":
        headers["X-Kvote-Signature"] = signing.header_value(
            method="POST", path=path, body=body, secrets="not-the-secret"
        )
    elif signature == "stale":
        headers["X-Kvote-Signature"] = signing.header_value(
            method="POST", path=path, body=body, secrets=SECRET, timestamp=int(time.time()) - 301
        )
    elif signature:
        headers["X-Kvote-Signature"] = signature
    answer = client.post(path, data=body, content_type="application/json", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (401, code)
    assert answer.json()["message"]
    assert Order.objects.get(pk=sent.pk).state == OrderState.SENT


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        (b"{not json", "malformed", 400),
        (b"\xff\xfe", "malformed", 400),
        (b"[]", "malformed", 400),
        (b'{"status": 3}', "malformed", 400),
        (b'{"status": "confirmed", "comment": ["x"]}', "malformed", 400),
        (b'{"status": "lost"}', "unknown_status", 400),
        (b'{"status": "cancelled"}', "unknown_status", 400),
    ],
)
def test_bad_bodies_get_a_clear_error_and_change_nothing(
    client: Client, sent: Order, raw: bytes, code: str, status: int
) -> None:
    answer = _reply(client, sent.number, None, raw=raw)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.json()["message"]
    assert Order.objects.get(pk=sent.pk).state == OrderState.SENT


def test_unknown_orders_are_404_and_only_post_is_allowed(client: Client, sent: Order) -> None:
    answer = _reply(client, "KV-999999", {"status": "confirmed"})
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_order")
    assert client.get(reverse("supplier:order_status", args=[sent.number])).status_code == 405


@pytest.mark.parametrize(
    "number", ["\x00", "KV-\x00001", "KV-000001\x1b", "ø" * 21, "K" * 10_000, "KV-٠٠٠١", " "]
)
def test_an_order_number_no_order_can_have_is_a_json_404(
    client: Client, sent: Order, number: str
) -> None:
    answer = _reply(client, number, {"status": "confirmed"})
    assert (answer.status_code, answer.json()["code"]) == (404, "unknown_order")
    assert answer.json()["message"].startswith("There is no order")


def test_errors_are_in_english_whatever_the_portal_language(client: Client, sent: Order) -> None:
    with translation.override("nb"):
        answer = _reply(client, "KV-999999", {"status": "confirmed"})
    assert answer.json()["message"] == "There is no order KV-999999."


@pytest.mark.django_db(transaction=True)
def test_the_supplier_reply_command_signs_and_posts_over_http(live_server, tmp_path) -> None:
    order = place_order(member(CompanyFactory()), "120.00")
    deliveries_run_due(worker="w", transport=FolderTransport(folder=tmp_path))
    call_command("supplier_reply", order.number, "confirmed", "--base-url", live_server.url)
    call_command("supplier_reply", order.number, "shipped", "--base-url", live_server.url)
    assert Order.objects.get(pk=order.pk).state == OrderState.SHIPPED
    with pytest.raises(CommandError, match="refused"):
        call_command("supplier_reply", "KV-999999", "shipped", "--base-url", live_server.url)


# A reply: the replay store (old rows deleted, this message's row inserted), then in savepoints,
# the order, the compare-and-set on its state and the history row. The same for an order of 1
# and of 20 lines.
REPLY_QUERIES = 9


@pytest.mark.parametrize("lines", [1, 20])
def test_a_reply_makes_a_fixed_number_of_queries(
    client: Client, buyer: User, tmp_path: Path, lines: int, django_assert_num_queries
) -> None:
    for _ in range(lines):
        fill_cart(buyer, VariantFactory(), recipient=buyer.employee)
    order = order_submit(actor=buyer, idempotency_key="lines")
    deliveries_run_due(worker="w", transport=FolderTransport(folder=tmp_path))
    with django_assert_num_queries(REPLY_QUERIES):
        answer = _reply(client, order.number, {"status": "confirmed"})
    assert answer.json()["changed"] is True
    assert Order.objects.get(pk=order.pk).lines.count() == lines
