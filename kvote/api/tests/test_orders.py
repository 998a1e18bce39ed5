"""Orders through the API: preview and submit from a list of lines (the cart is not touched),
idempotent retries, the list, one order, cancelling; every refusal a 4xx with a code."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kvote.api.tests.core_helpers import Api
from kvote.approvals.services import approval_policy_set
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_add
from kvote.ordering.models import Order, OrderState
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import (
    CompanyFactory,
    DeliveryAddressFactory,
    EmployeeFactory,
    VariantFactory,
    member,
    place_order,
)
from tests.world import order_awaiting

pytestmark = pytest.mark.django_db


def _lines(*items: tuple[object, int], recipient_id: int | None = None) -> list[dict]:
    lines = []
    for variant, quantity in items:
        line = {"sku": variant.item_number, "quantity": quantity}
        if recipient_id is not None:
            line["recipient_id"] = recipient_id
        lines.append(line)
    return lines


# --- Preview -------------------------------------------------------------------------------------


def test_preview_prices_the_lines_at_the_companys_price_and_places_nothing(shop):
    response = shop.api(shop.buyer).post(
        "/orders/preview", {"lines": _lines((shop.jacket, 2), (shop.shirt, 3))}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(ln["sku"], ln["unit_price"], ln["line_total"]) for ln in body["lines"]] == [
        (shop.jacket.item_number, "500.00", "1000.00"),
        (shop.shirt.item_number, "123.45", "370.35"),
    ]
    assert body["lines"][0]["recipient"] == {
        "id": shop.buyer.employee.pk,
        "number": shop.buyer.employee.number,
        "name": shop.buyer.employee.name,
    }
    assert (body["total_excl_vat"], body["vat"], body["total_incl_vat"]) == (
        "1370.35",
        "342.59",
        "1712.94",
    )
    assert body["budgets"] == []
    assert body["requires_approval"] is False and body["approval_reason"] is None
    assert not Order.objects.exists()


def test_preview_shows_the_budget_effect_and_why_the_order_would_wait(shop):
    body = shop.api(shop.holder).post("/orders/preview", {"lines": _lines((shop.jacket, 3))}).json()
    year = timezone.localdate().year
    assert body["budgets"] == [
        {
            "employee_id": shop.holder.employee.pk,
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            # budget − spent_before = remaining_before; remaining_before − this_order =
            # remaining_after: the review's words (tests/figures.py)
            "budget": "1000.00",
            "spent_before": "0.00",
            "remaining_before": "1000.00",
            "this_order": "1500.00",
            "remaining_after": "-500.00",
            "over_budget": True,
            # the older names, kept: amount, spent, remaining, order_amount
            "amount": "1000.00",
            "spent": "0.00",
            "remaining": "1000.00",
            "order_amount": "1500.00",
            "currency": "NOK",
        }
    ]
    assert body["requires_approval"] is True
    assert body["approval_reason"] == "over_budget"


@pytest.mark.parametrize(
    "policy, threshold, who, reason",
    [("none", "100", "buyer", "threshold"), ("always", None, "holder", "always")],
)
def test_preview_names_the_threshold_and_the_always_policy(shop, policy, threshold, who, reason):
    approval_policy_set(actor=shop.admin, policy=policy, threshold=threshold)
    body = (
        shop.api(getattr(shop, who))
        .post("/orders/preview", {"lines": _lines((shop.shirt, 1))})
        .json()
    )
    assert (body["requires_approval"], body["approval_reason"]) == (True, reason)


def test_preview_and_submit_leave_the_cart_alone(shop):
    cart_add(actor=shop.buyer, variant_id=shop.jacket.pk, quantity=4)
    api = shop.api(shop.buyer)
    assert api.post("/orders/preview", {"lines": _lines((shop.shirt, 1))}).status_code == 200
    assert api.post("/orders", {"lines": _lines((shop.shirt, 1))}).status_code == 201
    assert list(CartLine.objects.values_list("variant_id", "quantity")) == [(shop.jacket.pk, 4)]


# --- Submit --------------------------------------------------------------------------------------


def test_submit_places_the_order_and_answers_201_with_it(shop):
    response = shop.api(shop.buyer).post(
        "/orders",
        {
            "lines": _lines((shop.shirt, 2), recipient_id=shop.holder.employee.pk),
            "reference": "  PO-17 ",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert body["id"] == order.pk and body["number"] == order.number
    assert body["status"] == "released"
    assert body["placed_by"] == {"id": shop.buyer.pk, "name": shop.buyer.full_name}
    assert body["reference"] == "PO-17"
    assert body["delivery_address"]["id"] == shop.address.pk
    assert body["lines"] == [
        {
            "sku": shop.shirt.item_number,
            "product_name": shop.shirt.product.name_en,  # in the buyer's language
            "colour": "Red",
            "size": shop.shirt.size,
            "quantity": 2,
            "unit_price": "123.45",
            "line_total": "246.90",
            "recipient": {
                "id": shop.holder.employee.pk,
                "number": shop.holder.employee.number,
                "name": shop.holder.employee.name,
            },
        }
    ]
    assert (body["total_excl_vat"], body["vat"], body["total_incl_vat"]) == (
        "246.90",
        "61.73",
        "308.63",
    )
    assert body["decision"] is None
    assert [(h["from"], h["to"], h["by"]["id"]) for h in body["history"]] == [
        (None, "released", shop.buyer.pk)
    ]
    assert body["placed_at"].endswith(("+01:00", "+02:00"))


def test_an_order_over_budget_waits_for_approval_and_tells_the_approver(shop, mailoutbox):
    from kvote.jobs.models import Job

    response = shop.api(shop.holder).post("/orders", {"lines": _lines((shop.jacket, 3))})
    assert response.json()["status"] == OrderState.AWAITING_APPROVAL
    assert Job.objects.count() == 1  # the approver's email, queued with the order


def test_a_one_off_address_and_a_saved_one(shop):
    other = DeliveryAddressFactory(company=shop.company, label="Bergen")
    api = shop.api(shop.buyer)
    one_off = {"name": "Kari", "street": "Storgata 1", "postal_code": "0155", "city": "Oslo"}
    first = api.post("/orders", {"lines": _lines((shop.shirt, 1)), "delivery_address": one_off})
    assert first.json()["delivery_address"] == {**one_off, "id": None, "country": "NO"}
    second = api.post(
        "/orders", {"lines": _lines((shop.shirt, 1)), "delivery_address_id": other.pk}
    )
    assert second.json()["delivery_address"]["id"] == other.pk


def test_without_any_delivery_address_the_order_is_refused(shop):
    shop.address.is_default = False
    shop.address.save()
    response = shop.api(shop.buyer).post("/orders", {"lines": _lines((shop.shirt, 1))})
    assert response.status_code == 400
    assert response.json()["code"] == "address_required"


def test_a_retried_submit_with_the_same_key_returns_the_same_order(shop):
    api = shop.api(shop.buyer)
    body = {"lines": _lines((shop.shirt, 1))}
    first = api.post("/orders", body, **{"Idempotency-Key": "retry-1"})
    again = api.post("/orders", body, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_409(shop):
    api = shop.api(shop.buyer)
    api.post("/orders", {"lines": _lines((shop.shirt, 1))}, **{"Idempotency-Key": "k"})
    for other in (
        {"lines": _lines((shop.shirt, 2))},
        {"lines": _lines((shop.shirt, 1)), "reference": "x"},
        {"lines": _lines((shop.jacket, 1))},
    ):
        response = api.post("/orders", other, **{"Idempotency-Key": "k"})
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_keys_belong_to_their_user_and_no_key_means_no_deduplication(shop):
    body = {"lines": _lines((shop.shirt, 1))}
    a = shop.api(shop.buyer).post("/orders", body, **{"Idempotency-Key": "same"})
    b = shop.api(shop.admin).post("/orders", body, **{"Idempotency-Key": "same"})
    assert a.json()["id"] != b.json()["id"]
    api = shop.api(shop.buyer)
    assert api.post("/orders", body).json()["id"] != api.post("/orders", body).json()["id"]
    long_key = "x" * 300
    assert api.post("/orders", body, **{"Idempotency-Key": long_key}).status_code == 400
    key_64 = "y" * 64
    first = api.post("/orders", body, **{"Idempotency-Key": key_64}).json()
    assert api.post("/orders", body, **{"Idempotency-Key": key_64}).json()["id"] == first["id"]


def test_a_web_order_and_an_api_order_share_one_core(shop):
    """The cart path and the API path price, lock and decide the same way."""
    web = place_order(shop.holder, "600.00", key="web")
    api_order = shop.api(shop.holder).post(
        "/orders", {"lines": [{"sku": web.lines.get().item_number, "quantity": 1}]}
    )
    assert web.state == OrderState.RELEASED  # 600 of 1000
    assert api_order.json()["status"] == OrderState.AWAITING_APPROVAL  # 1200 of 1000


# --- Refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, field",
    [
        ([{"sku": "V1", "quantity": "2"}], "lines.0.quantity"),
        ([{"sku": "V1", "quantity": 1.5}], "lines.0.quantity"),
        ([{"sku": "V1", "quantity": True}], "lines.0.quantity"),
        ([{"sku": "V1", "quantity": 0}], "lines.0.quantity"),
        ([{"sku": "V1", "quantity": -3}], "lines.0.quantity"),
        ([{"sku": "V1", "quantity": 1000}], "lines.0.quantity"),
        ([{"sku": "V1", "quantity": 10**40}], "lines.0.quantity"),
        ([{"sku": 7, "quantity": 1}], "lines.0.sku"),
        ([{"sku": "", "quantity": 1}], "lines.0.sku"),
        ([{"sku": "V" * 41, "quantity": 1}], "lines.0.sku"),
        ([{"quantity": 1}], "lines.0.sku"),
        ([{"sku": "V1", "quantity": 1, "recipient_id": "3"}], "lines.0.recipient_id"),
        ([{"sku": "V1", "quantity": 1, "recipient_id": 0}], "lines.0.recipient_id"),
        ([{"sku": "V1", "quantity": 1, "recipient_id": 2**70}], "lines.0.recipient_id"),
        ([], "lines"),
        ([{"sku": "V1", "quantity": 1}] * 101, "lines"),
        ("V1", "lines"),
        (None, "lines"),
    ],
)
def test_wrong_types_and_out_of_range_values_are_400_with_the_field(shop, lines, field):
    for path in ("/orders/preview", "/orders"):
        response = shop.api(shop.buyer).post(path, {"lines": lines})
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "invalid"
        assert field in response.json()["fields"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"reference": "x" * 101}, "reference"),
        ({"reference": 5}, "reference"),
        ({"delivery_address_id": "1"}, "delivery_address_id"),
        (
            {"delivery_address": {"name": "A", "street": "B", "postal_code": "12", "city": "C"}},
            "delivery_address.postal_code",
        ),
        ({"delivery_address": {"name": "A"}}, "delivery_address.street"),
    ],
)
def test_bad_address_and_reference_are_400(shop, extra, field):
    response = shop.api(shop.buyer).post("/orders", {"lines": _lines((shop.shirt, 1)), **extra})
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_both_kinds_of_address_at_once_is_400(shop):
    one_off = {"name": "Kari", "street": "Storgata 1", "postal_code": "0155", "city": "Oslo"}
    response = shop.api(shop.buyer).post(
        "/orders",
        {
            "lines": _lines((shop.shirt, 1)),
            "delivery_address_id": shop.address.pk,
            "delivery_address": one_off,
        },
    )
    assert response.status_code == 400
    assert "delivery_address" in response.json()["fields"]


@pytest.mark.parametrize("raw", [b"{", b"lines=1", b'{"lines": [}', b"\x00\x01"])
def test_malformed_json_is_400(shop, raw):
    response = shop.api(shop.buyer).raw_post("/orders", raw, "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_unknown_and_unorderable_skus_are_refused_naming_the_line(shop):
    api = shop.api(shop.buyer)
    unknown = api.post(
        "/orders", {"lines": [*_lines((shop.shirt, 1)), {"sku": "NOPE-1", "quantity": 1}]}
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_item"
    assert "2" in unknown.json()["message"] and "NOPE-1" in unknown.json()["message"]
    retired = VariantFactory(is_active=False)
    inactive = api.post("/orders/preview", {"lines": _lines((retired, 1))})
    assert (inactive.status_code, inactive.json()["code"]) == (400, "inactive_item")
    shop.company.restrict_assortment = True
    shop.company.save()
    outside = api.post("/orders/preview", {"lines": _lines((shop.jacket, 1))})
    assert (outside.status_code, outside.json()["code"]) == (400, "inactive_item")
    assert not Order.objects.exists()


def test_recipients_the_caller_may_not_order_for_are_403(shop):
    stranger = EmployeeFactory(company=CompanyFactory())
    inactive = EmployeeFactory(company=shop.company, is_active=False)
    api = shop.api(shop.buyer)
    for employee in (stranger, inactive):
        response = api.post("/orders", {"lines": _lines((shop.shirt, 1), recipient_id=employee.pk)})
        assert response.status_code == 403
        assert response.json()["code"] == "recipient_not_allowed"
    own_only = shop.api(shop.holder).post(
        "/orders/preview",
        {"lines": _lines((shop.shirt, 1), recipient_id=shop.buyer.employee.pk)},
    )
    assert (own_only.status_code, own_only.json()["code"]) == (403, "recipient_not_allowed")
    assert not Order.objects.exists()


def test_a_user_without_an_employee_must_name_the_recipient(shop):
    loner = member(shop.company)
    loner.employee.delete()
    response = shop.api(loner).post("/orders/preview", {"lines": _lines((shop.shirt, 1))})
    assert (response.status_code, response.json()["code"]) == (400, "recipient_required")


def test_another_companys_saved_address_is_refused(shop):
    foreign = DeliveryAddressFactory(company=CompanyFactory())
    response = shop.api(shop.buyer).post(
        "/orders", {"lines": _lines((shop.shirt, 1)), "delivery_address_id": foreign.pk}
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_address")


def test_an_order_too_large_for_the_books_is_refused_not_a_500(shop):
    dear = VariantFactory(product__list_price=Decimal("9999999999.99"))
    response = shop.api(shop.buyer).post("/orders", {"lines": _lines((dear, 999))})
    assert (response.status_code, response.json()["code"]) == (400, "order_too_large")


# --- Reading orders ------------------------------------------------------------------------------


def test_the_list_has_my_orders_newest_first_filtered_by_status(shop):
    mine = [place_order(shop.buyer, key=f"m{i}") for i in range(3)]
    place_order(shop.admin, key="other")
    api = shop.api(shop.buyer)
    body = api.get("/orders").json()
    assert body["count"] == 3
    assert [o["id"] for o in body["items"]] == [o.pk for o in reversed(mine)]
    assert api.get("/orders", {"status": "released"}).json()["count"] == 3
    assert api.get("/orders", {"status": "rejected"}).json() == {"items": [], "count": 0}
    assert api.get("/orders", {"limit": 2, "offset": 2}).json()["count"] == 3
    assert len(api.get("/orders", {"limit": 2, "offset": 2}).json()["items"]) == 1
    assert api.get("/orders", {"offset": 10}).json() == {"items": [], "count": 3}


def test_scope_company_is_for_company_admins(shop):
    place_order(shop.buyer, key="a")
    place_order(shop.holder, key="b")
    place_order(member(CompanyFactory()), key="c")
    assert shop.api(shop.admin).get("/orders", {"scope": "company"}).json()["count"] == 2
    refused = shop.api(shop.buyer).get("/orders", {"scope": "company"})
    assert (refused.status_code, refused.json()["code"]) == (403, "admin_only")


def test_dates_filter_the_list(shop):
    from django.utils import timezone

    place_order(shop.buyer, key="a")
    today = timezone.localdate().isoformat()
    api = shop.api(shop.buyer)
    assert api.get("/orders", {"from": today, "to": today}).json()["count"] == 1
    assert api.get("/orders", {"to": "2000-01-01"}).json()["count"] == 0


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**20}, "offset"),
        ({"status": "lost"}, "status"),
        ({"scope": "world"}, "scope"),
        ({"from": "2025-02-30"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2025-13-01"}, "to"),
        ({"from": "2025-03-01", "to": "2025-02-01"}, "to"),
    ],
)
def test_bad_list_parameters_are_400(shop, params, field):
    response = shop.api(shop.buyer).get("/orders", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_the_list_reads_a_fixed_number_of_queries(shop, django_assert_num_queries):
    api = shop.api(shop.admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/orders", {"scope": "company"}).status_code == 200
        return len(queries)

    place_order(shop.buyer, key="first")
    count()  # the token's first use is written once; later requests only read it
    few = count()
    for i in range(12):
        place_order(shop.buyer, key=f"k{i}", recipient=EmployeeFactory(company=shop.company))
    assert count() == few
    # token, count, orders with who placed and decided them, their lines, their history
    with django_assert_num_queries(5):
        api.get("/orders", {"scope": "company"})


def test_one_order_for_whoever_may_see_it_and_404_for_anyone_else(shop):
    order = place_order(shop.buyer, key="a", recipient=shop.holder.employee)
    assert shop.api(shop.buyer).get(f"/orders/{order.pk}").json()["id"] == order.pk
    assert shop.api(shop.holder).get(f"/orders/{order.pk}").status_code == 200  # the recipient
    assert shop.api(shop.admin).get(f"/orders/{order.pk}").status_code == 200
    for outsider in (shop.leader, member(CompanyFactory(), is_company_admin=True)):
        response = shop.api(outsider).get(f"/orders/{order.pk}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    api = shop.api(shop.buyer)
    assert api.get("/orders/99999999").status_code == 404
    for bad in ("abc", "0", "-1", str(2**80)):
        assert api.get(f"/orders/{bad}").status_code == 400


# --- Cancelling ----------------------------------------------------------------------------------


def test_the_orderer_cancels_an_order_awaiting_approval(shop):
    order = place_order(shop.holder, "1500.00", key="a")
    assert order.state == OrderState.AWAITING_APPROVAL
    response = shop.api(shop.holder).post(f"/orders/{order.pk}/cancel")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["history"][-1]["from"] == "awaiting_approval"
    assert body["history"][-1]["to"] == "cancelled"
    again = shop.api(shop.holder).post(f"/orders/{order.pk}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "not_cancellable")


def test_nobody_else_cancels_and_a_released_order_is_409(shop):
    waiting = place_order(shop.holder, "1500.00", key="a")
    for other in (shop.admin, shop.leader, member(CompanyFactory())):
        assert shop.api(other).post(f"/orders/{waiting.pk}/cancel").status_code == 404
    released = place_order(shop.buyer, key="b")
    response = shop.api(shop.buyer).post(f"/orders/{released.pk}/cancel")
    assert (response.status_code, response.json()["code"]) == (409, "not_cancellable")
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL


# Cancelling reads the token, the order, then changes the state and writes the history row (in
# savepoints), and answers with the order, its lines and history: the same for 1 and 20 lines.
CANCEL_QUERIES = 9


@pytest.mark.parametrize("lines", [1, 20])
def test_cancelling_makes_a_fixed_number_of_queries(leader, lines, django_assert_num_queries):
    order = order_awaiting(leader, lines=lines)
    api = Api(order.placed_by)
    api.get("/orders")  # the token's first use is written once
    with django_assert_num_queries(CANCEL_QUERIES):
        response = api.post(f"/orders/{order.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_every_order_endpoint_is_401_without_login(client):
    api = Api(None, client=client)
    for response in (
        api.get("/orders"),
        api.get("/orders/1"),
        api.post("/orders", {"lines": []}),
        api.post("/orders/preview", {"lines": []}),
        api.post("/orders/1/cancel"),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


# --- At the same moment (PostgreSQL) -------------------------------------------------------------


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_orders_at_once_on_one_budget_cannot_all_skip_approval(shop):
    # the holder's budget is 1000
    buyers = [member(shop.company) for _ in range(8)]
    apis = [Api(buyer) for buyer in buyers]
    variant = VariantFactory(product__list_price=Decimal("400.00"))
    body = {"lines": _lines((variant, 1), recipient_id=shop.holder.employee.pk)}
    results = run_at_once(8, lambda i: apis[i].post("/orders", body).json()["status"])
    assert sorted(map(str, results)) == sorted(["released"] * 2 + ["awaiting_approval"] * 6)


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_retried_submit_at_the_same_moment_makes_one_order(shop):
    api = Api(shop.buyer)
    body = {"lines": _lines((shop.shirt, 2))}
    results = run_at_once(
        6, lambda i: api.post("/orders", body, **{"Idempotency-Key": "retry"}).json()["id"]
    )
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Order.objects.count() == 1


def test_text_with_nul_characters_is_400_not_a_database_error(shop):
    api = shop.api(shop.buyer)
    response = api.post("/orders", {"lines": [{"sku": "V\x001", "quantity": 1}]})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    response = api.post("/orders", {"lines": _lines((shop.shirt, 1)), "reference": "a\x00"})
    assert response.status_code == 400
    assert api.get("/products", {"q": "jakke\x00"}).status_code == 400
    assert api.get("/orders", {"status\x00": "x"}).status_code == 400
    assert not Order.objects.exists()


def test_preview_reads_a_fixed_number_of_queries_for_any_number_of_lines(shop):
    api = shop.api(shop.admin)
    api.get("/me")  # the token's first use is written once

    def count(lines: list[dict]) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.post("/orders/preview", {"lines": lines}).status_code == 200
        return len(queries)

    few = count(_lines((shop.shirt, 1)))
    recipients = EmployeeFactory.create_batch(10, company=shop.company)
    many = [
        {"sku": VariantFactory().item_number, "quantity": 2, "recipient_id": employee.pk}
        for employee in recipients
    ]
    # token, company, variants, own employee or the named recipients, assortment flag,
    # orderable products, prices, delivery address, budgets, kit assignments
    assert count(many) == few <= 10
