"""The employee rules (kvote.people.employee_rules) decide the same whichever way an employee is
added: one at a time (kvote.people.services.employee_create, behind the page), through the API
(POST /api/v1/employees) and from a file (parse_employee_csv + employees.services
.employee_import). Each case of the table runs through all three ways and must give the outcome
the table states, so the ways cannot disagree again. Then: duplicates within one batch, what an
edit checks, and a fixed number of queries for any number of rows."""

from dataclasses import dataclass

import pytest
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from kvote.api.errors import PUBLIC_CODE
from kvote.api.tests.people_helpers import JsonApi
from kvote.common.errors import ServiceError
from kvote.employees.exchange import parse_employee_csv, validate_employee_rows
from kvote.employees.services import EmployeeImportError, employee_import
from kvote.people.employee_rules import (
    EmployeeErrorCode,
    EmployeeInput,
    employee_rows_check,
    may_name_supervisor,
    may_supervise,
    supervisors,
)
from kvote.people.models import Employee, User
from kvote.people.services import employee_create, employee_update
from tests.factories import CompanyFactory, EmployeeFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@dataclass
class People:
    users: dict[str, User]
    company_id: int


@pytest.fixture
def people() -> People:
    company = CompanyFactory(name="Nordlys AS")
    fjord = CompanyFactory(name="Fjord AS")
    users = {
        "admin": member(company, is_company_admin=True, language="en", email="admin@n.test"),
        "other_admin": member(company, is_company_admin=True, email="admin2@n.test"),
        "leader": member(company, is_supervisor=True, language="en", email="leder@n.test"),
        "other_leader": member(company, is_supervisor=True, email="leder2@n.test"),
        "gone_leader": member(company, is_supervisor=True, is_active=False, email="gone@n.test"),
        "plain": member(company, budget="1000.00", email="plain@n.test"),
        "free_login": UserFactory(company=company, email="free@n.test"),
        "fjord_leader": member(fjord, is_supervisor=True, email="leder@fjord.test"),
        "fjord_login": UserFactory(company=fjord, email="free@fjord.test"),
    }
    Employee.objects.filter(user=users["plain"]).update(number="555")
    EmployeeFactory(company=company, name="Anne Berg", number="101")
    EmployeeFactory(company=company, name="Bjørn Dahl", number="102", is_active=False)
    EmployeeFactory(company=fjord, name="Fjord Ansatt", number="777")
    return People(users=users, company_id=company.pk)


@dataclass(frozen=True)
class Added:
    name: str
    number: str
    supervisor: str  # a key of People.users
    login: str | None = None


@dataclass(frozen=True)
class Refused:
    code: str
    message: str
    field: str


SUPERVISOR_INVALID = Refused(
    EmployeeErrorCode.SUPERVISOR_INVALID,
    "Choose an active supervisor or company admin of your company as supervisor.",
    "supervisor",
)


@dataclass(frozen=True)
class Case:
    id: str
    actor: str
    expected: Added | Refused
    number: str = "2001"
    name: str = "Nina Ny"
    email: str = ""
    supervisor: str | None = None  # a key of People.users


CASES = [
    Case("admin without supervisor", "admin", Added("Nina Ny", "2001", "admin")),
    Case(
        "admin names an admin",
        "admin",
        Added("Nina Ny", "2001", "other_admin"),
        supervisor="other_admin",
    ),
    Case(
        "admin names a supervisor", "admin", Added("Nina Ny", "2001", "leader"), supervisor="leader"
    ),
    Case("admin names a plain user", "admin", SUPERVISOR_INVALID, supervisor="plain"),
    Case(
        "admin names a deactivated supervisor",
        "admin",
        SUPERVISOR_INVALID,
        supervisor="gone_leader",
    ),
    Case(
        "admin names another company's supervisor",
        "admin",
        SUPERVISOR_INVALID,
        supervisor="fjord_leader",
    ),
    Case("supervisor without supervisor", "leader", Added("Nina Ny", "2001", "leader")),
    Case(
        "supervisor names themselves",
        "leader",
        Added("Nina Ny", "2001", "leader"),
        supervisor="leader",
    ),
    Case(
        "supervisor names another",
        "leader",
        Refused(
            EmployeeErrorCode.NOT_YOURS,
            "Only a company admin can add an employee for another supervisor.",
            "supervisor",
        ),
        supervisor="other_leader",
    ),
    Case(
        "supervisor names an admin",
        "leader",
        Refused(
            EmployeeErrorCode.NOT_YOURS,
            "Only a company admin can add an employee for another supervisor.",
            "supervisor",
        ),
        supervisor="admin",
    ),
    Case(
        "email of a free login",
        "leader",
        Added("Nina Ny", "2001", "leader", login="free_login"),
        email=" FREE@n.test ",
    ),
    Case(
        "email of another company",
        "admin",
        Refused(
            EmployeeErrorCode.EMAIL_UNKNOWN,
            "Nobody in your company logs in with free@fjord.test. Leave the email empty.",
            "email",
        ),
        email="free@fjord.test",
    ),
    Case(
        "email already linked",
        "admin",
        Refused(
            EmployeeErrorCode.EMAIL_LINKED,
            "The login plain@n.test already belongs to employee 555.",
            "email",
        ),
        email="plain@n.test",
    ),
    Case(
        "email not valid",
        "admin",
        Refused(
            EmployeeErrorCode.EMAIL_INVALID, "“not-an-email” is not a valid email address.", "email"
        ),
        email="not-an-email",
    ),
    Case(
        "number used in the company",
        "admin",
        Refused(
            EmployeeErrorCode.NUMBER_TAKEN,
            "Employee number 101 is already used by Anne Berg.",
            "number",
        ),
        number="101",
    ),
    Case(
        "number of a deactivated employee",
        "admin",
        Refused(
            EmployeeErrorCode.NUMBER_TAKEN,
            "Employee number 102 is already used by Bjørn Dahl (deactivated).",
            "number",
        ),
        number="102",
    ),
    Case(
        "number used in another company only",
        "admin",
        Added("Nina Ny", "777", "admin"),
        number="777",
    ),
    Case(
        "number not valid",
        "admin",
        Refused(
            EmployeeErrorCode.NUMBER_INVALID,
            "The employee number must be 1–20 characters: digits, letters or hyphens.",
            "number",
        ),
        number="20 01",
    ),
    Case(
        "empty name",
        "admin",
        Refused(EmployeeErrorCode.NAME_EMPTY, "Enter the employee's name.", "name"),
        name="\u202e ",
    ),
    Case(
        "name too long",
        "admin",
        Refused(EmployeeErrorCode.NAME_TOO_LONG, "The name can be at most 200 characters.", "name"),
        name="x" * 201,
    ),
    Case(
        "name cleaned",
        "admin",
        Added("Nina Ny Café", "2001", "admin"),
        name="  Nina\u00a0 Ny\x00 Cafe\u0301 ",
    ),
]


def _added(people: People, number: str) -> Added:
    employee = Employee.objects.select_related("supervisor", "user").get(
        company_id=people.company_id, number=number
    )
    key_of = {user.pk: key for key, user in people.users.items()}
    return Added(
        name=employee.name,
        number=employee.number,
        supervisor=key_of[employee.supervisor_id] if employee.supervisor_id else "",
        login=key_of[employee.user_id] if employee.user_id else None,
    )


def add_one(people: People, case: Case) -> Added | Refused:
    supervisor = people.users[case.supervisor] if case.supervisor else None
    try:
        employee_create(
            actor=people.users[case.actor],
            name=case.name,
            number=case.number,
            email=case.email,
            supervisor_id=supervisor.pk if supervisor else None,
        )
    except ServiceError as exc:
        return Refused(exc.code, exc.message, exc.field or "")
    return _added(people, case.number.strip())


def add_by_api(people: People, case: Case) -> Added | Refused:
    supervisor = people.users[case.supervisor] if case.supervisor else None
    body: dict[str, object] = {"name": case.name, "number": case.number}
    if case.email:
        body["email"] = case.email
    if supervisor:
        body["supervisor_id"] = supervisor.pk
    response = JsonApi(people.users[case.actor]).post("/employees", body)
    if response.status_code == 201:
        return _added(people, case.number.strip())
    answer = response.json()
    code = {public: code for code, public in PUBLIC_CODE.items()}.get(answer["code"])
    return Refused(code or answer["code"], answer["message"], "?")


def import_file(people: People, case: Case) -> Added | Refused:
    supervisor = people.users[case.supervisor].email if case.supervisor else ""
    text = (
        f"name;number;email;supervisor email\n{case.name};{case.number};{case.email};{supervisor}\n"
    )
    rows = parse_employee_csv(text.encode("utf-8"))
    try:
        employee_import(actor=people.users[case.actor], rows=rows)
    except EmployeeImportError as exc:
        [row] = exc.rows
        [message] = row.errors
        return Refused("?", message, "?")
    return _added(people, case.number.strip())


REFUSED_BY_THE_API_SCHEMA = {
    "name too long": "Some of the input is not valid.",
    "name cleaned": "Text cannot contain NUL characters.",
}
WAYS = {"add": add_one, "api": add_by_api, "import": import_file}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_way_of_adding_gives_the_same_outcome(people: People, case: Case, way: str) -> None:
    outcome = WAYS[way](people, case)
    expected = case.expected
    if way == "api" and case.id in REFUSED_BY_THE_API_SCHEMA:
        # The API's schema and JSON parser refuse these before the rules (400 `invalid`).
        expected = Refused("invalid", REFUSED_BY_THE_API_SCHEMA[case.id], "?")
    if isinstance(expected, Refused) and isinstance(outcome, Refused):
        # What each way can tell: the API no field, the import only the message.
        expected = Refused(
            expected.code if outcome.code != "?" else "?",
            expected.message,
            expected.field if outcome.field != "?" else "?",
        )
    assert outcome == expected
    if isinstance(expected, Refused):
        assert not Employee.objects.filter(name="Nina Ny").exists()


def test_a_number_twice_in_one_batch_is_refused_as_a_second_add_is(people: People) -> None:
    admin = people.users["admin"]
    employee_create(actor=admin, name="Nina Ny", number="2001")
    with pytest.raises(ServiceError) as caught:
        employee_create(actor=admin, name="Nils Ny", number="2001")
    assert (caught.value.code, caught.value.field) == (EmployeeErrorCode.NUMBER_TAKEN, "number")
    assert "already used by Nina Ny" in caught.value.message

    rows = [
        EmployeeInput(name="Anne", number="3001", line=2),
        EmployeeInput(name="Bjørn", number="3001", line=3),
    ]
    first, second = employee_rows_check(actor=admin, rows=rows)
    assert first.errors == []
    [error] = second.errors
    assert (error.code, error.field) == (EmployeeErrorCode.NUMBER_TAKEN, "number")
    assert error.message == "Employee number 3001 is also on line 2 of the file."


def test_one_login_twice_in_one_batch_is_refused_on_the_second_row(people: People) -> None:
    rows = [
        EmployeeInput(name="Anne", number="3001", email="free@n.test", line=2),
        EmployeeInput(name="Bjørn", number="3002", email="FREE@n.test", line=3),
    ]
    first, second = employee_rows_check(actor=people.users["admin"], rows=rows)
    assert first.errors == [] and first.login == people.users["free_login"]
    assert [e.code for e in second.errors] == [EmployeeErrorCode.EMAIL_LINKED]


def test_the_import_lists_every_broken_rule_of_a_row(people: People) -> None:
    rows = parse_employee_csv(
        b"name,number,email,supervisor email\n,10 1,plain@n.test,plain@n.test\n"
    )
    [row] = validate_employee_rows(actor=people.users["admin"], rows=rows)
    assert row.errors == [
        SUPERVISOR_INVALID.message,
        "Enter the employee's name.",
        "The employee number must be 1–20 characters: digits, letters or hyphens.",
        "The login plain@n.test already belongs to employee 555.",
    ]


def test_an_edit_checks_the_name_and_the_number_by_the_same_rules(people: People) -> None:
    admin = people.users["admin"]
    anne = Employee.objects.get(company_id=people.company_id, number="101")
    for change, message in [
        ({"number": "102"}, "Employee number 102 is already used by Bjørn Dahl (deactivated)."),
        ({"number": "1 02"}, "digits, letters or hyphens"),
        ({"name": " \x00 "}, "Enter the employee's name."),
        ({"name": "x" * 201}, "The name can be at most 200 characters."),
    ]:
        with pytest.raises(ServiceError) as caught:
            employee_update(actor=admin, employee_id=anne.pk, **change)
        assert message in caught.value.message
        assert caught.value.field == next(iter(change))
    employee_update(actor=admin, employee_id=anne.pk, name=" Anne\u00a0 Berg-Li ", number=" 101 ")
    anne.refresh_from_db()
    assert (anne.name, anne.number) == ("Anne Berg-Li", "101")


def test_the_check_takes_the_same_queries_for_one_row_or_many(
    people: People, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """Two queries, whatever the number of rows: the numbers' holders and the logins named."""
    admin = people.users["admin"]

    def rows(count: int) -> list[EmployeeInput]:
        return [
            EmployeeInput(
                name=f"Ansatt {i}",
                number=str(4000 + i),
                email=f"new{i}@n.test",
                supervisor_email="leder@n.test",
                line=i + 2,
            )
            for i in range(count)
        ]

    for count in (1, 60):
        with django_assert_num_queries(2):
            checked = employee_rows_check(actor=admin, rows=rows(count))
        assert len(checked) == count


def test_a_login_taken_meanwhile_becomes_the_rules_message(people: People) -> None:
    """The unique constraint holds when another add links the login between check and save;
    the rule explains it."""
    from kvote.people.services import _save_guarded

    twin = Employee(company_id=people.company_id, name="Tvilling", number="9999")
    twin.user = people.users["plain"]  # linked to employee 555 already
    with pytest.raises(ServiceError) as caught:
        _save_guarded(twin)
    assert (caught.value.code, caught.value.field) == (EmployeeErrorCode.EMAIL_LINKED, "email")
    assert not Employee.objects.filter(number="9999").exists()


def test_the_back_office_form_applies_the_same_rules(people: People) -> None:
    from kvote.people.admin import EmployeeForm

    def form(**data: object) -> EmployeeForm:
        base = {"company": people.company_id, "number": "2001", "name": "Nina Ny"}
        return EmployeeForm(data={**base, "is_active": True, **data})

    with translation.override("en"):
        ok = form(
            name="  Nina\u00a0 Ny\u202e ", number=" 2001 ", supervisor=people.users["admin"].pk
        )
        assert ok.is_valid(), ok.errors
        assert (ok.cleaned_data["name"], ok.cleaned_data["number"]) == ("Nina Ny", "2001")
        for data, field, message in [
            ({"name": "\u202e "}, "name", "Enter the employee's name."),
            ({"number": "20 01"}, "number", "digits, letters or hyphens"),
            ({"supervisor": people.users["plain"].pk}, "supervisor", "active supervisor or"),
            ({"supervisor": people.users["gone_leader"].pk}, "supervisor", "active supervisor or"),
        ]:
            bad = form(**data)
            assert not bad.is_valid()
            assert message in " ".join(bad.errors[field]), bad.errors


def test_the_supervisors_offered_are_exactly_who_may_supervise(people: People) -> None:
    """`supervisors` (the add form's choices) is the SQL form of `may_supervise`: the two
    agree on every user, of this company and the other."""
    offered = set(supervisors(company_id=people.company_id))
    for key, user in people.users.items():
        assert (user in offered) == may_supervise(user, company_id=people.company_id), key
    assert {u.email for u in offered} == {
        "admin@n.test",
        "admin2@n.test",
        "leder@n.test",
        "leder2@n.test",
    }


def test_only_a_company_admin_may_name_another_supervisor(people: People) -> None:
    users = people.users
    assert may_name_supervisor(users["admin"])
    assert not may_name_supervisor(users["leader"]) and not may_name_supervisor(users["plain"])
