"""Approvals through the API: the queue, approving and rejecting, and every refusal."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvote.api.tests.core_helpers import Api
from kvote.approvals.services import Decision, approval_decide, approval_policy_set
from kvote.checkout.services import order_submit
from kvote.ordering.models import OrderState
from tests.factories import (
    CompanyFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    give_budget,
    member,
    place_order,
)
from tests.figures import assert_reconciles, json_figures, shown
from tests.world import order_awaiting

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(shop):
    """The budget holder's order over budget, awaiting the supervisor."""
    order = place_order(shop.holder, "1500.00", key="over")
    assert order.state == OrderState.AWAITING_APPROVAL
    return order


def test_the_queue_lists_the_orders_awaiting_my_decision(shop, waiting):
    body = Api(shop.leader).get("/approvals").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == waiting.pk
    assert body["items"][0]["status"] == "awaiting_approval"
    assert Api(shop.holder).get("/approvals").json() == {"items": [], "count": 0}
    assert Api(shop.buyer).get("/approvals").json()["count"] == 0
    assert Api(member(CompanyFactory(), is_company_admin=True)).get("/approvals").json() == {
        "items": [],
        "count": 0,
    }


def test_the_queue_says_what_each_order_does_to_each_budget(shop, waiting):
    """The figures of «Til godkjenning»: the order is counted in what is spent once placed, so
    spent_before leaves it out, and the figures add up (tests/figures.py)."""
    give_budget(shop.team[0], "100.00")
    earlier = place_order(shop.buyer, "40.00", key="earlier", recipient=shop.team[0])
    assert earlier.state == OrderState.RELEASED
    fill_cart(
        shop.buyer, VariantFactory(product__list_price=Decimal("80.00")), recipient=shop.team[1]
    )
    fill_cart(
        shop.buyer, VariantFactory(product__list_price=Decimal("70.00")), recipient=shop.team[0]
    )
    fill_cart(
        shop.buyer,
        VariantFactory(product__list_price=Decimal("20.00")),
        recipient=shop.holder.employee,
    )
    several = order_submit(actor=shop.buyer, idempotency_key="several")
    assert several.state == OrderState.AWAITING_APPROVAL  # Mats goes further over
    items = {item["id"]: item for item in Api(shop.leader).get("/approvals").json()["items"]}
    assert list(items) == [waiting.pk, several.pk]
    budgets = {
        order_id: {b["employee_id"]: json_figures(b) for b in item["budgets"]}
        for order_id, item in items.items()
    }
    mats, anne = shop.holder.employee.pk, shop.team[0].pk
    # What else counts against Mats's budget is spent before each of his two waiting orders
    # (the later order's 20 too): each leaves his budget where Min side says it is, at −520.
    assert budgets[waiting.pk] == {mats: with_aliases(shown(1000, 20, 980, 1500, -520))}
    assert Api(shop.holder).get("/me").json()["budget"]["remaining"] == "-520.00"
    # By name: Anne Berg (40 spent before: the order released at once), then Mats Berg (the
    # other waiting order's 1 500 spent before). Bjørn Dahl has no budget.
    assert budgets[several.pk] == {
        anne: with_aliases(shown(100, 40, 60, 70, -10)),
        mats: with_aliases(shown(1000, 1500, -500, 20, -520)),
    }
    assert [b["employee_id"] for b in items[several.pk]["budgets"]] == [anne, mats]
    for item in items.values():
        for effect in item["budgets"]:
            assert_reconciles(json_figures(effect))
            assert effect["over_budget"] is (Decimal(effect["remaining_after"]) < 0)


def with_aliases(figures: dict[str, Decimal]) -> dict[str, Decimal]:
    """The five figures and the older names the API keeps for three of them."""
    return {
        **figures,
        "spent": figures["spent_before"],
        "remaining": figures["remaining_before"],
    }


def test_approving_releases_the_order_and_records_the_decision(shop, waiting):
    response = Api(shop.leader).post(f"/approvals/{waiting.pk}/approve", {"comment": "OK"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "released"
    assert body["decision"]["by"] == {"id": shop.leader.pk, "name": shop.leader.full_name}
    assert body["decision"]["decision"] == "approved"
    assert body["decision"]["comment"] == "OK"
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        (None, "awaiting_approval"),
        ("awaiting_approval", "released"),
    ]
    assert Api(shop.leader).get("/approvals").json()["count"] == 0


def test_approving_needs_no_body(shop, waiting):
    assert Api(shop.leader).post(f"/approvals/{waiting.pk}/approve").status_code == 200


def test_rejecting_needs_a_comment(shop, waiting):
    api = Api(shop.leader)
    refused = api.post(f"/approvals/{waiting.pk}/reject", {})
    assert (refused.status_code, refused.json()["code"]) == (400, "comment_required")
    response = api.post(f"/approvals/{waiting.pk}/reject", {"comment": "Too dear"})
    assert response.json()["status"] == "rejected"
    assert response.json()["decision"]["decision"] == "rejected"
    assert response.json()["decision"]["comment"] == "Too dear"


def test_a_late_second_decision_is_409_naming_who_decided(shop, waiting):
    approval_decide(actor=shop.leader, order_id=waiting.pk, decision=Decision.APPROVE)
    for verb, body in (("approve", None), ("reject", {"comment": "No"})):
        response = Api(shop.leader).post(f"/approvals/{waiting.pk}/{verb}", body)
        assert response.status_code == 409
        assert response.json()["code"] == "already_decided"
        assert shop.leader.full_name in response.json()["message"]


def test_nobody_decides_their_own_order(shop):
    own = place_order(shop.leader, "100.00", key="mine", recipient=shop.holder.employee)
    own.state = OrderState.AWAITING_APPROVAL
    own.save()
    response = Api(shop.leader).post(f"/approvals/{own.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (403, "cannot_approve_own_order")


def test_someone_who_is_not_an_approver_of_the_order_is_404(shop, waiting):
    for user in (shop.buyer, shop.other_leader):  # the permission before the state: not found
        response = Api(user).post(f"/approvals/{waiting.pk}/approve")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL


def test_another_companys_order_is_404(waiting):
    intruder = member(CompanyFactory(), is_company_admin=True, is_approver=True)
    for verb in ("approve", "reject"):
        response = Api(intruder).post(f"/approvals/{waiting.pk}/{verb}", {"comment": "x"})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL


@pytest.mark.parametrize(
    "path, body, status",
    [
        ("/approvals/abc/approve", None, 400),
        ("/approvals/0/approve", None, 400),
        ("/approvals/99999999/approve", None, 404),
        ("/approvals/{id}/approve", {"comment": 5}, 400),
        ("/approvals/{id}/approve", {"comment": "x" * 1001}, 400),
        ("/approvals/{id}/approve", '"approve"', 400),
    ],
)
def test_bad_input_to_a_decision(shop, waiting, path, body, status):
    response = Api(shop.leader).post(path.format(id=waiting.pk), body)
    assert response.status_code == status
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL


def test_malformed_json_to_a_decision_is_400(shop, waiting):
    response = Api(shop.leader).raw_post(
        f"/approvals/{waiting.pk}/approve", b"{comment", "application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed_json")


def test_the_queue_reads_a_fixed_number_of_queries(shop, django_assert_num_queries):
    api = Api(shop.leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/approvals").status_code == 200
        return len(queries)

    approval_policy_set(actor=shop.admin, policy="none", threshold="1")  # every order waits
    place_order(shop.holder, "1500.00", key="w0")
    count()
    few = count()
    for i in range(8):
        employee = EmployeeFactory(company=shop.company, supervisor=shop.leader)
        place_order(shop.buyer, "10.00", key=f"w{i + 1}", recipient=employee)
    assert api.get("/approvals").json()["count"] == 9
    assert count() == few
    # token, count, orders, lines, history; the budget figures: the recipients' budgets in the
    # periods of the orders' days, and their sums (kvote.budgets.selectors.placed_order_effects);
    # the recipients' kit assignments (none here: kvote.api.tests.test_kit_api pins it with kits)
    with django_assert_num_queries(8):
        api.get("/approvals")


# A decision's queries, the same for an order of 1 and of 20 lines (each for another recipient
# with a budget): the token; the order with whether the actor decides it (one query: the
# permission before the state); the compare-and-set on the state, the history row, the
# decision, the outbox row (approve) and the orderer's email job, in savepoints; then the
# order, its lines and history for the answer.
APPROVE_QUERIES = 14
REJECT_QUERIES = 13


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(
    ("verb", "queries"), [("approve", APPROVE_QUERIES), ("reject", REJECT_QUERIES)]
)
def test_a_decision_makes_a_fixed_number_of_queries(
    leader, lines, verb, queries, django_assert_num_queries
):
    order = order_awaiting(leader, lines=lines)
    api = Api(leader)
    api.get("/approvals")  # the token's first use is written once
    with django_assert_num_queries(queries):
        response = api.post(f"/approvals/{order.pk}/{verb}", {"comment": "Noted"})
    assert response.status_code == 200, response.json()
    assert len(response.json()["lines"]) == lines


def test_approvals_need_a_login(client):
    assert client.get("/api/v1/approvals").status_code == 401
    assert client.post("/api/v1/approvals/1/approve").status_code == 401
