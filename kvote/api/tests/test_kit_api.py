"""Kits in the API: the company's policy for an order beyond a kit on
/company/approval-policy (`over_entitlement`), the preview's and the approval queue's
`entitlements` (the same figures as the review and «Til godkjenning»), the approval reason
`over_entitlement`, and an order refused with that code under `block`.

Mats Berg (1003, the holder) has the kit «Elektriker»: 2 pairs of trousers (a category) and 1
«Vernesko» (a product) per period, and has had 1 pair already. Anne Berg (101) has the kit
«Lager»: 1 pair of trousers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvote.api.tests.core_helpers import Api, Shop
from kvote.api.tests.people_helpers import JsonApi
from kvote.catalog.models import Category, Variant
from kvote.companies.models import Company, EntitlementPolicy
from kvote.jobs.models import Job
from kvote.ordering.models import Order, OrderLine, OrderState
from tests.factories import CategoryFactory, EmployeeFactory, VariantFactory, give_kit

pytestmark = pytest.mark.django_db

POLICY = "/company/approval-policy"
ENTITLEMENT_FIELDS = {
    "employee_id",
    "label",
    "allowed",
    "used",
    "this_order",
    "remaining_after",
    "over",
}


@pytest.fixture
def trousers(db: None) -> Category:
    return CategoryFactory(name="Bukser", name_en="Trousers", slug="bukser")


@pytest.fixture
def trouser(trousers: Category) -> Variant:
    return VariantFactory(product__category=trousers, product__list_price=Decimal("100.00"))


@pytest.fixture
def shoe(db: None) -> Variant:
    return VariantFactory(
        product__name="Vernesko", product__name_en="Safety shoes", product__list_price=Decimal("50")
    )


@pytest.fixture
def kits(shop: Shop, trousers: Category, trouser: Variant, shoe: Variant) -> Shop:
    give_kit(shop.holder.employee, (trousers, 2), (shoe.product, 1), name="Elektriker")
    give_kit(shop.team[0], (trousers, 1), name="Lager")
    placed = Api(shop.holder).post("/orders", {"lines": [line(trouser, 1)]})
    assert placed.status_code == 201 and placed.json()["status"] == "released"
    return shop


def line(variant: Variant, quantity: int, recipient_id: int | None = None) -> dict:
    found: dict = {"sku": variant.item_number, "quantity": quantity}
    if recipient_id is not None:
        found["recipient_id"] = recipient_id
    return found


def policy(company: Company, value: str) -> None:
    Company.objects.filter(pk=company.pk).update(over_entitlement=value)


def effect(employee_id: int, label: str, allowed: int, used: int, this_order: int) -> dict:
    after = allowed - used - this_order
    return {
        "employee_id": employee_id,
        "label": label,
        "allowed": allowed,
        "used": used,
        "this_order": this_order,
        "remaining_after": after,
        "over": after < 0,
    }


# --- /company/approval-policy --------------------------------------------------------------------


def test_the_policy_reads_and_changes_over_entitlement_on_its_own(shop: Shop) -> None:
    api = JsonApi(shop.admin)
    assert api.get(POLICY).json()["over_entitlement"] == "approval"
    for value in ("block", "allow", "approval"):
        answer = api.patch(POLICY, {"over_entitlement": value})
        assert answer.status_code == 200
        assert answer.json() == {
            "mode": "over_budget",
            "threshold": None,
            "over_entitlement": value,
        }
        assert Company.objects.get(pk=shop.company.pk).over_entitlement == value
    api.patch(POLICY, {"over_entitlement": "block"})
    # The other fields leave it as it is.
    assert api.patch(POLICY, {"mode": "always", "threshold": "10"}).json() == {
        "mode": "always",
        "threshold": "10.00",
        "over_entitlement": "block",
    }
    assert api.patch(POLICY, {"over_entitlement": None}).json()["over_entitlement"] == "block"


@pytest.mark.parametrize("value", ["sometimes", "", "BLOCK", 1, True, ["block"]])
def test_an_unknown_over_entitlement_is_400_naming_the_field(shop: Shop, value: object) -> None:
    response = JsonApi(shop.admin).send(
        "PATCH", POLICY, {"over_entitlement": value, "mode": "none"}
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "over_entitlement" in response.json()["fields"]
    company = Company.objects.get(pk=shop.company.pk)
    assert (company.approval_policy, company.over_entitlement) == ("over_budget", "approval")


def test_only_admins_change_over_entitlement(shop: Shop) -> None:
    response = JsonApi(shop.leader).patch(POLICY, {"over_entitlement": "block"})
    assert (response.status_code, response.json()["code"]) == (403, "admin_only")
    assert Company.objects.get(pk=shop.company.pk).over_entitlement == "approval"


# --- The preview ---------------------------------------------------------------------------------


def test_the_preview_gives_each_recipients_kit_items(kits: Shop, trouser, shoe) -> None:
    shop = kits
    holder, anne, bjorn = shop.holder.employee.pk, shop.team[0].pk, shop.team[1].pk
    body = (
        Api(shop.buyer)
        .post(
            "/orders/preview",
            {
                "lines": [
                    line(trouser, 2, holder),
                    line(shoe, 1, holder),
                    line(trouser, 1, anne),
                    line(trouser, 3, bjorn),  # Bjørn has no kit
                    line(shop.jacket, 1, holder),  # outside Mats' kit
                ]
            },
        )
        .json()
    )
    assert body["entitlements"] == [  # by recipient name, then the kit's order
        effect(anne, "Trousers", 1, 0, 1),
        effect(holder, "Trousers", 2, 1, 2),
        effect(holder, "Safety shoes", 1, 0, 1),
    ]
    assert all(set(e) == ENTITLEMENT_FIELDS for e in body["entitlements"])
    assert body["requires_approval"] is True
    assert body["approval_reason"] == "over_entitlement"
    assert Order.objects.count() == 1  # the earlier one: the preview places nothing


def test_the_preview_without_kits_has_no_entitlements(shop: Shop) -> None:
    body = Api(shop.holder).post("/orders/preview", {"lines": [line(shop.shirt, 1)]}).json()
    assert body["entitlements"] == [] and body["approval_reason"] is None


@pytest.mark.parametrize(
    ("value", "requires", "reason"),
    [("allow", False, None), ("approval", True, "over_entitlement"), ("block", False, None)],
)
def test_the_preview_follows_the_kit_policy(kits: Shop, trouser, value, requires, reason) -> None:
    policy(kits.company, value)
    body = Api(kits.holder).post("/orders/preview", {"lines": [line(trouser, 3)]}).json()
    assert body["entitlements"] == [effect(kits.holder.employee.pk, "Trousers", 2, 1, 3)]
    assert (body["requires_approval"], body["approval_reason"]) == (requires, reason)


# --- Placing -------------------------------------------------------------------------------------


def test_under_approval_the_order_waits(kits: Shop, trouser) -> None:
    answer = Api(kits.holder).post("/orders", {"lines": [line(trouser, 2)]})
    assert (answer.status_code, answer.json()["status"]) == (201, "awaiting_approval")


def test_under_allow_the_order_goes_at_once(kits: Shop, trouser) -> None:
    policy(kits.company, EntitlementPolicy.ALLOW)
    answer = Api(kits.holder).post("/orders", {"lines": [line(trouser, 2)]})
    assert (answer.status_code, answer.json()["status"]) == (201, "released")


def test_under_block_the_order_is_400_over_entitlement_and_nothing_is_written(
    kits: Shop, trouser
) -> None:
    policy(kits.company, EntitlementPolicy.BLOCK)
    before = (Order.objects.count(), OrderLine.objects.count(), Job.objects.count())
    answer = Api(kits.holder).post(
        "/orders", {"lines": [line(trouser, 3)]}, **{"Idempotency-Key": "blocked"}
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "over_entitlement",
        "message": "Mats Berg has 1 left of “Trousers” in their kit this period; the order takes "
        "3. Lower the quantity or remove the line.",
    }
    assert (Order.objects.count(), OrderLine.objects.count(), Job.objects.count()) == before
    # What is left can be ordered, with the same key (nothing was kept under it).
    answer = Api(kits.holder).post(
        "/orders", {"lines": [line(trouser, 1)]}, **{"Idempotency-Key": "blocked"}
    )
    assert (answer.status_code, answer.json()["status"]) == (201, "released")


# --- The approval queue --------------------------------------------------------------------------


def test_the_queue_gives_each_orders_kit_items_as_the_preview_did(kits: Shop, trouser, shoe):
    shop = kits
    lines = [line(trouser, 3), line(shoe, 1)]
    preview = Api(shop.holder).post("/orders/preview", {"lines": lines}).json()
    placed = Api(shop.holder).post("/orders", {"lines": lines}).json()
    assert placed["status"] == "awaiting_approval"
    (item,) = Api(shop.leader).get("/approvals").json()["items"]
    assert item["id"] == placed["id"]
    assert (
        item["entitlements"]
        == preview["entitlements"]
        == [
            effect(shop.holder.employee.pk, "Trousers", 2, 1, 3),
            effect(shop.holder.employee.pk, "Safety shoes", 1, 0, 1),
        ]
    )
    assert item["budgets"][0]["this_order"] == "350.00"


def test_the_queue_with_kits_reads_a_fixed_number_of_queries(
    kits: Shop, trousers, trouser, django_assert_num_queries
) -> None:
    shop = kits
    api = Api(shop.leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/approvals").status_code == 200
        return len(queries)

    Api(shop.holder).post("/orders", {"lines": [line(trouser, 3)]})
    count()
    few = count()
    buyer = Api(shop.buyer)
    for _ in range(8):
        employee = EmployeeFactory(company=shop.company, supervisor=shop.leader)
        give_kit(employee, (trousers, 1), name="Lager")
        buyer.post("/orders", {"lines": [line(trouser, 2, employee.pk)]})
    body = api.get("/approvals").json()
    assert body["count"] == 9 and all(item["entitlements"] for item in body["items"])
    assert count() == few
    # The queue's 8 (kvote.api.tests.test_approvals: token, count, orders, lines, history,
    # budgets, their sums, the kits' assignments with their items) and, with kits, the
    # products' categories and the pieces counted (kvote.kits.selectors).
    with django_assert_num_queries(10):
        api.get("/approvals")


def test_an_order_of_another_state_is_not_in_the_queue(kits: Shop, trouser) -> None:
    placed = Api(kits.holder).post("/orders", {"lines": [line(trouser, 3)]}).json()
    Order.objects.filter(pk=placed["id"]).update(state=OrderState.CANCELLED)
    assert Api(kits.leader).get("/approvals").json() == {"items": [], "count": 0}
