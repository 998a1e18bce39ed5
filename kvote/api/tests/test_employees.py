"""/api/v1/employees: the lists with what each bought, one employee, adding and changing
employees and the drill-down of purchases, for each role; another company's ids; bad input;
query counts that do not grow with the rows."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kvote.api.tests.core_helpers import Api
from kvote.api.tests.people_helpers import JsonApi, order_for
from kvote.budgets.services import budget_set
from kvote.people.models import Employee
from tests.clock import local_noon
from tests.factories import EmployeeFactory, UserFactory
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db

# The token with its user and company (its budget period), the count, the page, the budgets
# and their sums (a token's last use is written once a minute at most, not on these requests).
LIST_QUERIES = 5
LIST_QUERIES_WITHOUT_FIGURES = 3  # a user who manages no employees sees no budgets or totals
# Token lookup (with the user's company) and its last use, employee, total and count, one page
# of lines with their orders.
PURCHASE_QUERIES = 5


@pytest.fixture
def history(world: World):
    """Anne: 100 released and 200 awaiting approval now, 300 rejected, 400 cancelled, 50 two
    years ago. Bjørn: 70 now."""
    anne, bjorn, _ = world.team
    long_ago = local_noon(days_ago=800)
    return {
        "released": order_for(world.leader, anne, "100.00", "a1"),
        "awaiting": order_for(world.leader, anne, "200.00", "a2", state="awaiting_approval"),
        "rejected": order_for(world.leader, anne, "300.00", "a3", state="rejected"),
        "cancelled": order_for(world.leader, anne, "400.00", "a4", state="cancelled"),
        "old": order_for(world.leader, anne, "50.00", "a5", placed_at=long_ago),
        "bjorn": order_for(world.leader, bjorn, "70.00", "b1"),
    }


def by_name(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {item["name"]: item for item in response.json()["items"]}


# The lists ---------------------------------------------------------------------------------


def test_mine_lists_my_employees_with_what_they_bought_this_budget_period(world: World, history):
    budget_set(actor=world.leader, employee_id=world.team[0].pk, amount="1000")
    response = JsonApi(world.leader).get("/employees", {"scope": "mine"})
    rows = by_name(response)
    assert list(rows) == ["Anne Berg", "Bjørn Dahl", "Cecilie Eng", "Mats Berg"]
    assert response.json()["count"] == 4
    anne = rows["Anne Berg"]
    assert anne == {
        "id": world.team[0].pk,
        "number": "101",
        "name": "Anne Berg",
        "email": None,
        "supervisor": {"id": world.leader.pk, "name": "Liv Leder"},
        "active": True,
        "budget": {
            "period_start": f"{timezone.localdate().year}-01-01",
            "period_end": f"{timezone.localdate().year}-12-31",
            "budget": "1000.00",
            "spent": "300.00",
            "pending": "200.00",
            "remaining": "700.00",
            "amount": "1000.00",
            "currency": "NOK",
        },
        "purchased_total": "300.00",
    }
    assert rows["Bjørn Dahl"]["purchased_total"] == "70.00"
    assert rows["Bjørn Dahl"]["budget"] is None
    assert rows["Mats Berg"]["email"] == world.holder.email


def test_all_lists_every_active_employee_for_every_role(world: World, history):
    world.team[2].is_active = False
    world.team[2].save()
    names = {
        "Ada Admin",
        "Anne Berg",
        "Bjørn Dahl",
        "Liv Leder",
        "Odd Annen",
        "Ola Utenfor",
        "Mats Berg",
        "Inga Innkjøp",
    }
    for user in (world.admin, world.leader, world.holder):
        rows = by_name(JsonApi(user).get("/employees", {"scope": "all"}))
        assert set(rows) == names
    assert by_name(JsonApi(world.holder).get("/employees")).keys() == names  # scope=all by default


def test_totals_and_budgets_are_for_supervisors_and_admins_only(world: World, history):
    budget_set(actor=world.leader, employee_id=world.team[0].pk, amount="1000")
    for user in (world.admin, world.leader, world.other_leader):
        anne = by_name(JsonApi(user).get("/employees", {"scope": "all"}))["Anne Berg"]
        assert anne["purchased_total"] == "300.00"
        assert anne["budget"]["remaining"] == "700.00"
    anne = by_name(JsonApi(world.holder).get("/employees"))["Anne Berg"]
    assert anne["purchased_total"] is None and anne["budget"] is None
    assert anne["number"] == "101"


def test_mine_is_for_supervisors_and_admins(world: World):
    response = JsonApi(world.holder).get("/employees", {"scope": "mine"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert by_name(JsonApi(world.admin).get("/employees", {"scope": "mine"})) == {}
    assert set(by_name(JsonApi(world.other_leader).get("/employees", {"scope": "mine"}))) == {
        "Ola Utenfor"
    }


def test_the_period_filter_and_search(world: World, history):
    api = JsonApi(world.leader)
    year_ago = (timezone.localdate() - timedelta(days=900)).isoformat()
    rows = by_name(api.get("/employees", {"scope": "mine", "from": year_ago}))
    assert rows["Anne Berg"]["purchased_total"] == "350.00"
    old_day = (timezone.localdate() - timedelta(days=800)).isoformat()
    rows = by_name(api.get("/employees", {"scope": "mine", "from": old_day, "to": old_day}))
    assert rows["Anne Berg"]["purchased_total"] == "50.00"
    assert rows["Bjørn Dahl"]["purchased_total"] == "0.00"
    assert set(by_name(api.get("/employees", {"q": "berg"}))) == {"Anne Berg", "Mats Berg"}
    assert api.get("/employees", {"q": "berg"}).json()["count"] == 2
    assert set(by_name(api.get("/employees", {"q": "20"}))) == {"Cecilie Eng"}


def test_pages_count_every_row(world: World):
    api = JsonApi(world.leader)
    first = api.get("/employees", {"limit": 3}).json()
    second = api.get("/employees", {"limit": 3, "offset": 3}).json()
    beyond = api.get("/employees", {"offset": 100}).json()
    assert first["count"] == second["count"] == beyond["count"] == 9
    assert len(first["items"]) == 3 and len(second["items"]) == 3 and beyond["items"] == []
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"scope": "everyone"}, "scope"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_list_input_is_400_naming_the_field(world: World, params, field):
    response = JsonApi(world.leader).get("/employees", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-13-01"},
        {"to": "yesterday"},
        {"from": "1999-12-31"},
        {"to": "9999-12-31"},
        {"from": "2025-06-01", "to": "2025-05-31"},
        {"period": "week"},
    ],
)
def test_a_bad_period_is_400_invalid_period_everywhere_it_is_read(world: World, params):
    """The period is read by kvote.employees.periods (as on the web): one code, one message."""
    api = JsonApi(world.leader)
    for path in (
        "/employees",
        f"/employees/{world.team[0].pk}",
        f"/employees/{world.team[0].pk}/purchases",
    ):
        response = api.get(path, params)
        assert response.status_code == 400, path
        body = response.json()
        assert body["code"] == "invalid_period" and body["message"], path
        assert "fields" not in body


def test_without_login_401(world: World):
    anonymous = Api()
    for path in (
        "/employees",
        f"/employees/{world.team[0].pk}",
        f"/employees/{world.team[0].pk}/purchases",
    ):
        response = anonymous.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    response = anonymous.post("/employees", {"name": "Ny", "number": "1"})
    assert response.status_code == 401
    assert JsonApi().patch(f"/employees/{world.team[0].pk}", {"name": "X"}).status_code == 401
    assert not Employee.objects.filter(name="Ny").exists()


def test_the_browser_session_authenticates_reads(client, world: World):
    client.force_login(world.leader)
    assert client.get("/api/v1/employees").status_code == 200


# One employee -------------------------------------------------------------------------------


def test_one_employee_with_totals_and_deactivated_ones_too(world: World, history):
    anne = world.team[0]
    api = JsonApi(world.other_leader)
    body = api.get(f"/employees/{anne.pk}").json()
    assert body["name"] == "Anne Berg" and body["purchased_total"] == "300.00"
    Employee.objects.filter(pk=anne.pk).update(is_active=False)
    body = api.get(f"/employees/{anne.pk}", {"from": "2000-01-01"}).json()
    assert body["active"] is False and body["purchased_total"] == "350.00"


def test_a_plain_employee_is_refused_the_details(world: World):
    response = JsonApi(world.holder).get(f"/employees/{world.team[0].pk}")
    assert response.status_code == 403


# Add --------------------------------------------------------------------------------------


def test_a_supervisor_adds_an_employee_of_their_own(world: World):
    login = UserFactory(company=world.company, email="ny@example.test")
    response = JsonApi(world.leader).post(
        "/employees", {"name": "  Nina   Ny ", "number": "777", "email": "NY@example.test"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    employee = Employee.objects.get(pk=body["id"])
    assert (employee.name, employee.number, employee.supervisor, employee.user) == (
        "Nina Ny",
        "777",
        world.leader,
        login,
    )
    assert body["email"] == "ny@example.test"
    assert body["supervisor"] == {"id": world.leader.pk, "name": "Liv Leder"}
    assert body["purchased_total"] == "0.00" and body["budget"] is None


def test_an_admin_names_the_supervisor_and_a_supervisor_may_not(world: World):
    response = JsonApi(world.admin).post(
        "/employees", {"name": "Nina Ny", "number": "777", "supervisor_id": world.other_leader.pk}
    )
    assert response.status_code == 201
    assert Employee.objects.get(number="777").supervisor == world.other_leader
    response = JsonApi(world.leader).post(
        "/employees", {"name": "Nils Ny", "number": "778", "supervisor_id": world.other_leader.pk}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_yours"
    response = JsonApi(world.leader).post(
        "/employees", {"name": "Nils Ny", "number": "778", "supervisor_id": world.leader.pk}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["holder", "foreign_admin", "nobody"])
def test_an_admin_may_not_name_a_supervisor_outside_the_company_or_a_plain_user(
    world: World, fjord: Fjord, who
):
    supervisor = {"holder": world.holder, "foreign_admin": fjord.admin}.get(who)
    response = JsonApi(world.admin).post(
        "/employees",
        {"name": "Nina Ny", "number": "777", "supervisor_id": supervisor.pk if supervisor else 999},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "supervisor_invalid"
    assert not Employee.objects.filter(number="777").exists()


def test_a_plain_employee_may_not_add(world: World):
    response = JsonApi(world.holder).post("/employees", {"name": "Nina Ny", "number": "777"})
    assert response.status_code == 403
    assert not Employee.objects.filter(number="777").exists()


def test_a_duplicate_number_is_409(world: World):
    response = JsonApi(world.leader).post("/employees", {"name": "Nina Ny", "number": "900"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_employee_number"
    assert "Ola Utenfor" in body["message"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"name": "Nina"}, 400, "invalid"),
        ({"number": "1"}, 400, "invalid"),
        ({"name": 12, "number": "1"}, 400, "invalid"),
        ({"name": "Nina", "number": 1}, 400, "invalid"),
        ({"name": "", "number": "1"}, 400, "invalid"),
        ({"name": "   ", "number": "1"}, 400, "name_empty"),
        ({"name": "N\x00", "number": "1"}, 400, "invalid"),
        ({"name": "x" * 201, "number": "1"}, 400, "invalid"),
        ({"name": "Nina", "number": "1 2"}, 400, "number_invalid"),
        ({"name": "Nina", "number": "x" * 21}, 400, "invalid"),
        ({"name": "Nina", "number": "1", "email": "not-an-email"}, 400, "email_invalid"),
        ({"name": "Nina", "number": "1", "email": "nobody@example.test"}, 400, "email_unknown"),
        ({"name": "Nina", "number": "1", "supervisor_id": "boss"}, 400, "invalid"),
        ({"name": "Nina", "number": "1", "supervisor_id": 0}, 400, "invalid"),
        ({"name": "Nina", "number": "1", "supervisor_id": 2**70}, 400, "invalid"),
        ([], 400, "invalid"),
        ("null", 400, "invalid"),
        ('{"name": "Nina", ', 400, "malformed_json"),
    ],
)
def test_bad_new_employees_are_400(world: World, body, status, code):
    response = JsonApi(world.admin).send("POST", "/employees", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Employee.objects.filter(name__startswith="Nina").exists()


def test_an_email_already_linked_is_409(world: World):
    response = JsonApi(world.admin).post(
        "/employees", {"name": "Nina", "number": "1", "email": world.holder.email}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_linked"


# Change ------------------------------------------------------------------------------------


def test_rename_renumber_deactivate_and_reactivate(world: World, history):
    anne = world.team[0]
    api = JsonApi(world.leader)
    response = api.patch(f"/employees/{anne.pk}", {"name": "Anne Berg-Li"})
    assert response.status_code == 200
    assert response.json()["name"] == "Anne Berg-Li" and response.json()["number"] == "101"
    body = api.patch(f"/employees/{anne.pk}", {"number": "111"}).json()
    assert (body["name"], body["number"], body["active"]) == ("Anne Berg-Li", "111", True)
    assert body["purchased_total"] == "300.00"
    body = api.patch(f"/employees/{anne.pk}", {"active": False}).json()
    assert body["active"] is False
    assert "Anne Berg-Li" not in by_name(api.get("/employees"))
    body = api.patch(f"/employees/{anne.pk}", {"active": True}).json()
    assert body["active"] is True
    anne.refresh_from_db()
    assert (anne.name, anne.number, anne.is_active) == ("Anne Berg-Li", "111", True)
    assert history["released"].lines.get().recipient_name == "Anne Berg"  # history kept


def test_an_empty_patch_changes_nothing(world: World):
    response = JsonApi(world.leader).patch(f"/employees/{world.team[0].pk}", {})
    assert response.status_code == 200
    assert response.json()["name"] == "Anne Berg"


def test_a_duplicate_number_on_change_is_409_and_nothing_changes(world: World):
    anne = world.team[0]
    response = JsonApi(world.admin).patch(
        f"/employees/{anne.pk}", {"name": "Anne Ny", "number": "102", "active": False}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_employee_number"
    anne.refresh_from_db()
    assert (anne.name, anne.number, anne.is_active) == ("Anne Berg", "101", True)


def test_a_supervisor_changes_only_their_own_an_admin_anyone(world: World):
    response = JsonApi(world.leader).patch(f"/employees/{world.outsider.pk}", {"name": "X"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_yours"
    response = JsonApi(world.holder).patch(f"/employees/{world.team[0].pk}", {"name": "X"})
    assert response.status_code == 403
    response = JsonApi(world.admin).patch(f"/employees/{world.outsider.pk}", {"name": "Ola Inne"})
    assert response.status_code == 200
    world.outsider.refresh_from_db()
    assert world.outsider.name == "Ola Inne"


@pytest.mark.parametrize(
    "body, code",
    [
        ({"name": ""}, "invalid"),
        ({"name": None, "number": "1 2"}, "number_invalid"),
        ({"active": "maybe"}, "invalid"),
        ({"number": 5}, "invalid"),
        ('{"name": ', "malformed_json"),
        ("[1]", "invalid"),
    ],
)
def test_bad_changes_are_400(world: World, body, code):
    response = JsonApi(world.admin).send("PATCH", f"/employees/{world.team[0].pk}", body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    world.team[0].refresh_from_db()
    assert (world.team[0].name, world.team[0].number) == ("Anne Berg", "101")


# Purchases ---------------------------------------------------------------------------------


def test_purchases_add_up_to_the_list_total(world: World, history):
    anne = world.team[0]
    api = JsonApi(world.other_leader)
    body = api.get(f"/employees/{anne.pk}/purchases").json()
    assert body["count"] == 2 and body["total"] == "300.00"
    assert [i["order_number"] for i in body["items"]] == [
        history["awaiting"].number,
        history["released"].number,
    ]
    line = history["released"].lines.get()
    assert body["items"][1] == {
        "order_id": history["released"].pk,
        "order_number": history["released"].number,
        "ordered_at": timezone.localtime(history["released"].placed_at).isoformat("T", "seconds"),
        "sku": line.item_number,
        "product_name": line.product_name_en,
        "colour": "Navy",
        "size": line.size,
        "quantity": 1,
        "line_total": "100.00",
    }
    page = api.get(f"/employees/{anne.pk}/purchases", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and page["total"] == "300.00" and len(page["items"]) == 1
    everything = api.get(f"/employees/{anne.pk}/purchases", {"from": "2000-01-01"}).json()
    assert everything["total"] == "350.00" and everything["count"] == 3


def test_purchases_are_for_supervisors_and_admins(world: World):
    response = JsonApi(world.holder).get(f"/employees/{world.team[0].pk}/purchases")
    assert response.status_code == 403


# Tenancy -----------------------------------------------------------------------------------


def test_another_companys_employees_are_404(world: World, fjord: Fjord, history):
    anne = world.team[0]
    for user in (fjord.admin, fjord.leader):
        api = JsonApi(user)
        for path in (f"/employees/{anne.pk}", f"/employees/{anne.pk}/purchases"):
            response = api.get(path)
            assert response.status_code == 404, path
            assert response.json()["code"] == "not_found"
        assert api.patch(f"/employees/{anne.pk}", {"name": "X"}).status_code == 404
        listed = api.get("/employees", {"limit": 500}).json()["items"]
        assert anne.pk not in {item["id"] for item in listed}
    anne.refresh_from_db()
    assert anne.name == "Anne Berg"
    unknown = JsonApi(world.admin).get("/employees/987654321")
    assert unknown.status_code == 404


def test_supplier_staff_without_a_company_get_404(client):
    staff = UserFactory(company=None, is_staff=True)
    client.force_login(staff)
    assert client.get("/api/v1/employees").status_code == 404


# Query counts ------------------------------------------------------------------------------


def _staff(world: World, count: int) -> None:
    for n in range(count):
        employee = EmployeeFactory(company=world.company, supervisor=world.leader)
        budget_set(actor=world.leader, employee_id=employee.pk, amount="1000")
        order_for(world.leader, employee, "10.00", f"q{n}")


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_query_count_does_not_grow_with_employees(
    world: World, count: int, django_assert_num_queries: DjangoAssertNumQueries
):
    _staff(world, count)
    for user in (world.leader, world.holder):
        api = JsonApi(user)
        api.get("/me")  # the token's last use is written now, not during the counted requests
        for scope in ("mine", "all"):
            if scope == "mine" and user == world.holder:
                continue
            expected = LIST_QUERIES if user == world.leader else LIST_QUERIES_WITHOUT_FIGURES
            with django_assert_num_queries(expected):
                response = api.get("/employees", {"scope": scope, "limit": 500})
            assert response.status_code == 200
            assert len(response.json()["items"]) >= count


@pytest.mark.parametrize("count", [3, 30])
def test_the_purchases_query_count_does_not_grow_with_lines(
    world: World, count: int, django_assert_num_queries: DjangoAssertNumQueries
):
    anne = world.team[0]
    for n in range(count):
        order_for(world.leader, anne, "10.00", f"d{n}")
    api = JsonApi(world.leader)
    with django_assert_num_queries(PURCHASE_QUERIES):
        response = api.get(f"/employees/{anne.pk}/purchases", {"limit": 500})
    assert response.json()["total"] == f"{count * 10}.00"
    assert len(response.json()["items"]) == count


# Adding an employee: the token; the checks and the insert (in savepoints); then the employee
# with its supervisor, budget and total for the answer. The same with 1 and 20 employees.
ADD_QUERIES = 10


@pytest.mark.parametrize("count", [1, 20])
def test_adding_an_employee_makes_a_fixed_number_of_queries(
    leader, count: int, django_assert_num_queries: DjangoAssertNumQueries
):
    EmployeeFactory.create_batch(count, company=leader.company, supervisor=leader)
    api = JsonApi(leader)
    api.get("/employees")  # the token's first use is written once
    with django_assert_num_queries(ADD_QUERIES):
        response = api.post("/employees", {"name": "Nina Ny", "number": "777"})
    assert response.status_code == 201, response.content
