"""Nobody supervises their own employee record (kvote.people.employee_rules,
employee_self_supervision_check; the database's constraint employee_not_own_supervisor), on
every path an employee gets a login or a supervisor: the service, «Mine ansatte», the API, the
import, the back office, in either order, and the database itself.

The hole it closes: a supervisor login with no employee record added an employee with its own
email (so supervised by itself), set that budget to 999 999 and ordered without approval."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse

from kvote.api.tests.people_helpers import JsonApi
from kvote.budgets.models import Budget
from kvote.common.errors import ServiceError
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from kvote.people.services import employee_create
from tests.factories import EmployeeFactory, UserFactory, member

pytestmark = pytest.mark.django_db

MINE = reverse("employees_mine")


@pytest.fixture
def boss(company: Company) -> User:
    """A supervisor login with no employee record of their own."""
    user = member(company, is_supervisor=True, language="en", email="sjef@nordlys.test")
    user.employee.delete()
    return User.objects.get(pk=user.pk)


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_cannot_add_themselves_as_their_own_employee(boss: User) -> None:
    with pytest.raises(ServiceError) as exc:
        employee_create(actor=boss, name="Sjef Selv", number="4242", email=boss.email)
    assert (exc.value.code, exc.value.field) == ("own_supervisor", "email")
    assert "cannot be the supervisor of their own employee record" in exc.value.message
    assert not Employee.objects.filter(number="4242").exists()


def test_an_admin_cannot_name_a_login_the_supervisor_of_its_own_record(
    company: Company, admin: User, boss: User
) -> None:
    with pytest.raises(ServiceError) as exc:
        employee_create(
            actor=admin, name="Sjef", number="4242", email=boss.email, supervisor_id=boss.pk
        )
    assert exc.value.code == "own_supervisor"
    # Linking the login with another supervisor is what an admin does instead.
    employee = employee_create(actor=admin, name="Sjef", number="4242", email=boss.email)
    assert (employee.user, employee.supervisor) == (boss, admin)


def test_the_whole_exploit_is_closed_at_its_first_step_on_the_page(boss: User) -> None:
    client = client_of(boss)
    response = client.post(MINE, {"name": "Sjef Selv", "number": "4242", "email": boss.email})
    assert response.status_code == 400
    assert "cannot be the supervisor of their own employee record" in response.content.decode()
    assert not Employee.objects.filter(user=boss).exists()
    assert not Budget.objects.exists()


def test_the_api_refuses_a_login_supervising_its_own_record(
    company: Company, admin: User, boss: User
) -> None:
    response = JsonApi(boss).post(
        "/employees", {"name": "Sjef Selv", "number": "4242", "email": boss.email}
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "own_supervisor"
    response = JsonApi(admin).post(
        "/employees",
        {"name": "Sjef", "number": "4242", "email": boss.email, "supervisor_id": boss.pk},
    )
    assert (response.status_code, response.json()["code"]) == (400, "own_supervisor")
    assert not Employee.objects.filter(user=boss).exists()


def _upload(client: Client, text: str) -> str:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "ansatte.csv"
    return client.post(reverse("employees_import"), {"file": upload}).content.decode()


@pytest.mark.parametrize(
    ("importer", "row"),
    [
        ("boss", "Sjef Selv,4242,sjef@nordlys.test,"),  # no supervisor named: the importer
        ("admin", "Sjef Selv,4242,sjef@nordlys.test,sjef@nordlys.test"),
    ],
)
def test_the_import_refuses_a_row_whose_login_supervises_it(
    admin: User, boss: User, importer: str, row: str
) -> None:
    client = client_of({"boss": boss, "admin": admin}[importer])
    page = _upload(client, f"name,number,email,supervisor email\n{row}\n")
    assert "Line 2:" in page and "cannot be the supervisor of their own employee record" in page
    assert not Employee.objects.filter(number="4242").exists()


# --- The back office (supplier staff), in either order ------------------------------------------


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True, language="en"))
    return client


def _employee_form(employee: Employee, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "company": employee.company_id,
        "number": employee.number,
        "name": employee.name,
        "user": employee.user_id or "",
        "supervisor": employee.supervisor_id or "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_back_office_refuses_linking_a_supervisor_to_an_employee_they_supervise(
    company: Company, boss: User, staff_client: Client
) -> None:
    employee = EmployeeFactory(company=company, supervisor=boss, name="Anne", number="4242")
    url = reverse("admin:people_employee_change", args=[employee.pk])
    response = staff_client.post(url, _employee_form(employee, user=boss.pk))
    assert response.status_code == 200  # the form again, with the error
    assert "cannot be the supervisor of their own employee record" in response.content.decode()
    employee.refresh_from_db()
    assert employee.user is None


def test_the_back_office_refuses_making_a_linked_login_its_own_supervisor(
    company: Company, boss: User, staff_client: Client
) -> None:
    employee = EmployeeFactory(company=company, user=boss, name="Sjef", number="4242")
    url = reverse("admin:people_employee_change", args=[employee.pk])
    response = staff_client.post(url, _employee_form(employee, supervisor=boss.pk))
    assert response.status_code == 200
    assert "cannot be the supervisor of their own employee record" in response.content.decode()
    employee.refresh_from_db()
    assert employee.supervisor is None
    response = staff_client.post(
        reverse("admin:people_employee_add"),
        _employee_form(employee, number="4243", user=boss.pk, supervisor=boss.pk),
    )
    assert response.status_code == 200
    assert not Employee.objects.filter(number="4243").exists()


def test_the_database_holds_the_rule_for_any_path_around_it(company: Company, boss: User) -> None:
    employee = EmployeeFactory(company=company, user=boss, name="Sjef", number="4242")
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.filter(pk=employee.pk).update(supervisor=F("user"))
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployeeFactory(company=company, supervisor=boss, user=boss, number="4243")
