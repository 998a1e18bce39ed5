"""Approvals through the API: the queue, approving and rejecting, and every refusal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvote.api.tests.core_helpers import Api, Team
from kvote.approvals.services import Decision, approval_decide, approval_policy_set
from kvote.ordering.models import OrderState
from tests.factories import CompanyFactory, EmployeeFactory, member, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    return Team()


@pytest.fixture
def waiting(team):
    """The budget holder's order over budget, awaiting the supervisor."""
    order = place_order(team.holder, "1500.00", key="over")
    assert order.state == OrderState.AWAITING_APPROVAL
    return order


def test_the_queue_lists_the_orders_awaiting_my_decision(team, waiting):
    body = Api(team.leader).get("/approvals").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == waiting.pk
    assert body["items"][0]["status"] == "awaiting_approval"
    assert Api(team.holder).get("/approvals").json() == {"items": [], "count": 0}
    assert Api(team.buyer).get("/approvals").json()["count"] == 0
    assert Api(member(CompanyFactory(), is_company_admin=True)).get("/approvals").json() == {
        "items": [],
        "count": 0,
    }


def test_approving_releases_the_order_and_records_the_decision(team, waiting):
    response = Api(team.leader).post(f"/approvals/{waiting.pk}/approve", {"comment": "OK"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "released"
    assert body["decision"]["by"] == {"id": team.leader.pk, "name": team.leader.full_name}
    assert body["decision"]["decision"] == "approved"
    assert body["decision"]["comment"] == "OK"
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        (None, "awaiting_approval"),
        ("awaiting_approval", "released"),
    ]
    assert Api(team.leader).get("/approvals").json()["count"] == 0


def test_approving_needs_no_body(team, waiting):
    assert Api(team.leader).post(f"/approvals/{waiting.pk}/approve").status_code == 200


def test_rejecting_needs_a_comment(team, waiting):
    api = Api(team.leader)
    refused = api.post(f"/approvals/{waiting.pk}/reject", {})
    assert (refused.status_code, refused.json()["code"]) == (400, "comment_required")
    response = api.post(f"/approvals/{waiting.pk}/reject", {"comment": "Too dear"})
    assert response.json()["status"] == "rejected"
    assert response.json()["decision"]["decision"] == "rejected"
    assert response.json()["decision"]["comment"] == "Too dear"


def test_a_late_second_decision_is_409_naming_who_decided(team, waiting):
    approval_decide(actor=team.leader, order_id=waiting.pk, decision=Decision.APPROVE)
    for verb, body in (("approve", None), ("reject", {"comment": "No"})):
        response = Api(team.leader).post(f"/approvals/{waiting.pk}/{verb}", body)
        assert response.status_code == 409
        assert response.json()["code"] == "already_decided"
        assert team.leader.full_name in response.json()["message"]


def test_nobody_decides_their_own_order(team):
    own = place_order(team.leader, "100.00", key="mine", recipient=team.holder.employee)
    own.state = OrderState.AWAITING_APPROVAL
    own.save()
    response = Api(team.leader).post(f"/approvals/{own.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (403, "cannot_approve_own_order")


def test_someone_who_is_not_an_approver_of_the_order_is_403(team, waiting):
    other_leader = member(team.company, is_supervisor=True, is_approver=True)
    for user in (team.buyer, other_leader):
        response = Api(user).post(f"/approvals/{waiting.pk}/approve")
        assert (response.status_code, response.json()["code"]) == (403, "not_approver")
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
def test_bad_input_to_a_decision(team, waiting, path, body, status):
    response = Api(team.leader).post(path.format(id=waiting.pk), body)
    assert response.status_code == status
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL


def test_malformed_json_to_a_decision_is_400(team, waiting):
    response = Api(team.leader).raw_post(
        f"/approvals/{waiting.pk}/approve", b"{comment", "application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed_json")


def test_the_queue_reads_a_fixed_number_of_queries(team, django_assert_max_num_queries):
    api = Api(team.leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/approvals").status_code == 200
        return len(queries)

    approval_policy_set(actor=team.admin, policy="none", threshold="1")  # every order waits
    place_order(team.holder, "1500.00", key="w0")
    count()
    few = count()
    for i in range(8):
        employee = EmployeeFactory(company=team.company, supervisor=team.leader)
        place_order(team.buyer, "10.00", key=f"w{i + 1}", recipient=employee)
    assert api.get("/approvals").json()["count"] == 9
    assert count() == few
    # token, count, orders, lines, history
    with django_assert_max_num_queries(5):
        api.get("/approvals")


def test_approvals_need_a_login(client):
    assert client.get("/api/v1/approvals").status_code == 401
    assert client.post("/api/v1/approvals/1/approve").status_code == 401
