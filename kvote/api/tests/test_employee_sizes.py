"""/api/v1/employees/{employee_id}/sizes: read and set an employee's sizes, for the employee,
their supervisor and a company admin; sizes that are not in their group; another company's
and another supervisor's employees."""

import pytest
from pytest_django import DjangoAssertNumQueries

from kvote.api.tests.people_helpers import JsonApi
from kvote.catalog.models import EmployeeSize
from kvote.catalog.tests.size_helpers import give_sizes, sized_catalogue, sizes_stored
from kvote.people.models import User
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db

NONE = {"tops": None, "trousers_c": None, "trousers_wl": None, "shoes": None, "gloves": None}
GROUPS = [
    {"key": "tops", "label": "Tops and jackets (XS–5XL)", "sizes": ["S", "M", "L", "XL"]},
    {"key": "trousers_wl", "label": "Trousers (waist/length)", "sizes": ["W32/L34", "W34/L34"]},
    {"key": "shoes", "label": "Shoes (EU)", "sizes": ["42", "43", "44"]},
]


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    sized_catalogue()


def url(employee) -> str:
    return f"/employees/{employee.pk}/sizes"


def test_get_gives_the_groups_and_every_group_key(world: World):
    anne = world.team[0]
    give_sizes(anne, shoes="43")
    response = JsonApi(world.leader).get(url(anne))
    assert response.status_code == 200
    assert response.json() == {"groups": GROUPS, "sizes": {**NONE, "shoes": "43"}}


def test_the_labels_follow_the_callers_language(world: World):
    User.objects.filter(pk=world.holder.pk).update(language="nb")
    body = JsonApi(world.holder).get(url(world.holder.employee)).json()
    assert [g["label"] for g in body["groups"]] == [
        "Overdeler og jakker (XS–5XL)",
        "Bukser (livvidde/lengde)",
        "Sko (EU)",
    ]


def test_put_sets_the_groups_given_and_leaves_the_others(world: World):
    holder = world.holder.employee
    give_sizes(holder, trousers_wl="W34/L34", gloves="9")
    response = JsonApi(world.holder).put(
        url(holder), {"sizes": {"tops": "xl", "shoes": "42", "gloves": None}}
    )
    assert response.status_code == 200
    expected = {**NONE, "tops": "XL", "shoes": "42", "trousers_wl": "W34/L34"}
    assert response.json() == {"groups": GROUPS, "sizes": expected}
    assert sizes_stored(holder) == {"tops": "XL", "shoes": "42", "trousers_wl": "W34/L34"}


def test_a_company_admin_sets_anyones(world: World):
    response = JsonApi(world.admin).put(url(world.outsider), {"sizes": {"shoes": "44"}})
    assert response.status_code == 200 and sizes_stored(world.outsider) == {"shoes": "44"}


def test_a_size_not_in_its_group_is_400_naming_the_group_and_changes_nothing(world: World):
    anne = world.team[0]
    give_sizes(anne, tops="M")
    response = JsonApi(world.leader).put(url(anne), {"sizes": {"tops": "L", "shoes": "49"}})
    assert response.status_code == 400
    assert response.json() == {
        "code": "size_not_in_group",
        "message": "49 is not in the catalogue. The sizes of Shoes (EU): 42, 43, 44.",
        "fields": {
            "sizes.shoes": "49 is not in the catalogue. The sizes of Shoes (EU): 42, 43, 44."
        },
    }
    assert sizes_stored(anne) == {"tops": "M"}


def test_an_unknown_group_is_400(world: World):
    response = JsonApi(world.holder).put(url(world.holder.employee), {"sizes": {"hats": "M"}})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_size_group" and set(body["fields"]) == {"sizes.hats"}


@pytest.mark.parametrize(
    "body",
    [
        [1],
        {"sizes": "L"},
        {"sizes": {"tops": 42}},
        {"sizes": {"tops": "L" * 21}},
        {"sizes": {"tops": "L\x00"}},
        {},
    ],
)
def test_a_body_that_is_no_sizes_is_400_invalid(world: World, body):
    response = JsonApi(world.holder).put(url(world.holder.employee), body)
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "malformed_json")
    assert not EmployeeSize.objects.exists()


@pytest.mark.parametrize("who", ["other_leader", "buyer", "fjord_admin"])
def test_an_employee_out_of_reach_is_404_and_nothing_changes(world: World, fjord: Fjord, who):
    caller = {"other_leader": world.other_leader, "buyer": world.buyer, "fjord_admin": fjord.admin}[
        who
    ]
    api = JsonApi(caller)
    anne = world.team[0]
    assert api.get(url(anne)).status_code == 404
    response = api.put(url(anne), {"sizes": {"tops": "L"}})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not EmployeeSize.objects.exists()


# The token, the employee, their sizes, the groups.
GET_QUERIES = 4
# The token, the employee, the groups, savepoint, delete, upsert, release, the sizes after,
# the groups for the answer.
PUT_QUERIES = 9


def test_sizes_take_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
):
    api = JsonApi(world.leader)
    anne = world.team[0]
    api.get(url(anne))
    with django_assert_num_queries(GET_QUERIES):
        assert api.get(url(anne)).status_code == 200
    body = {"sizes": {"tops": "L", "shoes": None, "trousers_wl": "W32/L34"}}
    with django_assert_num_queries(PUT_QUERIES):
        assert api.put(url(anne), body).status_code == 200
