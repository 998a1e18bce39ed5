"""/api/v1/kits and /api/v1/employees/{id}/kit: company admins define kits, whoever sets an
employee's budget assigns their kit; errors in the API's format, other companies' ids 404."""

import pytest

from kvote.api.tests.core_helpers import Api
from kvote.api.tests.people_helpers import JsonApi
from kvote.kits.models import Kit, KitAssignment, KitChange
from tests.factories import CategoryFactory, VariantFactory
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    CategoryFactory(name="Sko", name_en="Shoes", slug="sko")
    VariantFactory(
        product__code="AAPW-1001", product__name="Arbeidsjakke", product__name_en="Work jacket"
    )


BODY = {
    "name": "Elektriker",
    "items": [
        {"product_number": "AAPW-1001", "quantity": 2},
        {"category": "sko", "quantity": 3},
    ],
}


def test_an_admin_creates_reads_changes_and_lists_kits(world: World, catalogue):
    api = JsonApi(world.admin)
    created = api.post("/kits", BODY)
    assert created.status_code == 201
    kit = created.json()
    assert kit == {
        "id": kit["id"],
        "name": "Elektriker",
        "items": [
            {
                "product_number": "AAPW-1001",
                "category": None,
                "label": "Work jacket",
                "quantity": 2,
            },
            {"product_number": None, "category": "sko", "label": "Shoes", "quantity": 3},
        ],
        "employees": 0,
    }
    assert api.get(f"/kits/{kit['id']}").json() == kit
    changed = api.patch(f"/kits/{kit['id']}", {"items": [{"category": "sko", "quantity": 1}]})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Elektriker"
    assert [i["quantity"] for i in changed.json()["items"]] == [1]
    assert api.patch(f"/kits/{kit['id']}", {"name": "Snekker"}).json()["name"] == "Snekker"
    listing = api.get("/kits").json()
    assert listing["count"] == 1 and listing["items"][0]["name"] == "Snekker"
    assert list(KitChange.objects.order_by("id").values_list("kind", flat=True)) == [
        "created",
        "changed",
        "changed",
    ]
    assert api.send("DELETE", f"/kits/{kit['id']}").status_code == 204
    assert not Kit.objects.exists()


def test_bad_items_are_400_with_every_field(world: World, catalogue):
    response = JsonApi(world.admin).post(
        "/kits",
        {
            "name": "E",
            "items": [
                {"product_number": "NOPE", "quantity": 1},
                {"product_number": "AAPW-1001", "category": "sko", "quantity": 1},
                {"category": "sko", "quantity": 0},
            ],
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_kit"
    assert set(body["fields"]) == {
        "items.0.product_number",
        "items.1.product_number",
        "items.2.quantity",
    }
    assert not Kit.objects.exists()


def test_a_taken_name_is_409_and_a_missing_name_400(world: World, catalogue):
    api = JsonApi(world.admin)
    api.post("/kits", BODY)
    taken = api.post("/kits", {"name": "elektriker"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "kit_name_taken"
    assert taken.json()["fields"] == {"name": taken.json()["message"]}
    assert api.post("/kits", {"items": []}).status_code == 400
    assert api.post("/kits", [1]).status_code == 400
    assert Kit.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", "holder"])
def test_only_admins_write_kits(world: World, catalogue, who):
    kit = JsonApi(world.admin).post("/kits", BODY).json()
    api = JsonApi(getattr(world, who))
    for response in (
        api.post("/kits", {"name": "Snekker"}),
        api.patch(f"/kits/{kit['id']}", {"name": "Snekker"}),
        api.send("DELETE", f"/kits/{kit['id']}"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "admin_only"
    assert list(Kit.objects.values_list("name", flat=True)) == ["Elektriker"]


def test_supervisors_read_kits_budget_holders_do_not(world: World, catalogue):
    JsonApi(world.admin).post("/kits", BODY)
    assert JsonApi(world.leader).get("/kits").json()["count"] == 1
    refused = JsonApi(world.holder).get("/kits")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert Api().get("/kits").status_code == 401


def test_put_employee_kit(world: World, catalogue):
    kit = JsonApi(world.admin).post("/kits", BODY).json()
    api = JsonApi(world.leader)
    anne = world.team[0]
    response = api.put(f"/employees/{anne.pk}/kit", {"kit_id": kit["id"]})
    assert response.status_code == 200
    assert response.json()["kit"]["name"] == "Elektriker"
    assert api.get(f"/employees/{anne.pk}/kit").json()["kit"]["id"] == kit["id"]
    assert api.put(f"/employees/{anne.pk}/kit", {"kit_id": None}).json() == {
        "employee_id": anne.pk,
        "kit": None,
    }
    assert not KitAssignment.objects.exists()
    assert KitChange.objects.filter(employee=anne).count() == 2
    mine = api.put(f"/employees/{world.outsider.pk}/kit", {"kit_id": kit["id"]})
    assert mine.status_code == 403 and mine.json()["code"] == "kit_not_your_employee"
    own = JsonApi(world.admin).put(
        f"/employees/{world.admin.employee.pk}/kit", {"kit_id": kit["id"]}
    )
    assert own.status_code == 403 and own.json()["code"] == "kit_not_your_employee"
    assert api.put(f"/employees/{anne.pk}/kit", {}).status_code == 400
    assert api.put(f"/employees/{anne.pk}/kit", {"kit_id": "7"}).status_code == 400


def test_another_companys_kit_and_employee_are_404(world: World, fjord: Fjord, catalogue):
    theirs = JsonApi(fjord.admin).post("/kits", BODY).json()
    api = JsonApi(world.admin)
    assert api.get(f"/kits/{theirs['id']}").status_code == 404
    assert api.patch(f"/kits/{theirs['id']}", {"name": "X"}).status_code == 404
    assert api.send("DELETE", f"/kits/{theirs['id']}").status_code == 404
    assert (
        api.put(f"/employees/{world.team[0].pk}/kit", {"kit_id": theirs["id"]}).status_code == 404
    )
    their_employee = fjord.leader.employee.pk
    assert api.put(f"/employees/{their_employee}/kit", {"kit_id": None}).status_code == 404
    assert api.get("/kits").json()["count"] == 0
    assert Kit.objects.get().name == "Elektriker"


def test_query_counts(world: World, catalogue, django_assert_num_queries):
    api = JsonApi(world.admin)
    kit = api.post("/kits", BODY).json()
    # the token with its user, the kits, their items
    with django_assert_num_queries(3):
        assert api.get("/kits").status_code == 200
    for n in range(10):
        api.post("/kits", {"name": f"Pakke {n}", "items": [{"category": "sko", "quantity": 1}]})
    with django_assert_num_queries(3):
        assert api.get("/kits").json()["count"] == 11
    with django_assert_num_queries(3):
        assert api.get(f"/kits/{kit['id']}").status_code == 200
