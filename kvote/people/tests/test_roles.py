"""The roles (kvote.people.roles): a truth table of every rule for every kind of user, written
out here from DESIGN.md ("Roles", "Recipients"), and the SQL forms held to the Python ones; the
budget holder derived from the budgets and asked once per user instance; the one list of roles
on Min side, in the API and in the back office; the `roles` object templates read."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.roles import Role
from tests.factories import (
    CompanyFactory,
    EmployeeFactory,
    UserFactory,
    give_budget,
    member,
)

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate() - timedelta(days=400)

# Who: (is_budget_holder, is_company_admin, may_decide_orders, may_manage_employees,
#       may_set_budgets, may_choose_recipients, the roles by code)
TRUTH = {
    "buyer": (False, False, False, False, False, True, "buyer"),
    "holder": (True, False, False, False, False, False, "buyer budget_holder"),
    "holder_of_last_year": (True, False, False, False, False, False, "buyer budget_holder"),
    "holder_who_left": (False, False, False, False, False, True, "buyer"),
    "login_without_employee": (False, False, False, False, False, True, "buyer"),
    "supervisor": (False, False, True, True, True, True, "buyer supervisor"),
    "supervisor_with_budget": (
        True,
        False,
        True,
        True,
        True,
        True,
        "buyer budget_holder supervisor",
    ),
    "approver": (False, False, True, False, False, True, "buyer approver"),
    "approver_with_budget": (True, False, True, False, False, True, "buyer budget_holder approver"),
    "admin": (False, True, True, True, True, True, "buyer company_admin"),
    "admin_with_budget": (True, True, True, True, True, True, "buyer budget_holder company_admin"),
    "supplier_staff": (False, False, False, False, False, False, ""),
}


def people() -> dict[str, User]:
    """One user of each kind in TRUTH, of one company (staff: of none)."""
    company = CompanyFactory()
    made = {
        "buyer": member(company),
        "holder": member(company, budget="1000"),
        "holder_of_last_year": member(company),
        "holder_who_left": member(company, budget="1000"),
        "login_without_employee": UserFactory(company=company),
        "supervisor": member(company, is_supervisor=True),
        "supervisor_with_budget": member(company, is_supervisor=True, budget="500"),
        "approver": member(company, is_approver=True),
        "approver_with_budget": member(company, is_approver=True, budget="500"),
        "admin": member(company, is_company_admin=True),
        "admin_with_budget": member(company, is_company_admin=True, budget="500"),
        "supplier_staff": UserFactory(company=None, is_staff=True),
    }
    give_budget(made["holder_of_last_year"].employee, "800", on=LAST_YEAR)
    Employee.objects.filter(user=made["holder_who_left"]).update(is_active=False)
    assert made.keys() == TRUTH.keys()
    return {name: User.objects.get(pk=user.pk) for name, user in made.items()}  # fresh


def answers(user: User) -> tuple[object, ...]:
    return (
        roles.is_budget_holder(user),
        roles.is_company_admin(user),
        roles.may_decide_orders(user),
        roles.may_manage_employees(user),
        roles.may_set_budgets(user),
        roles.may_choose_recipients(user),
        " ".join(role.value for role in roles.roles_of(user)),
    )


def test_every_rule_for_every_kind_of_user() -> None:
    found = {name: answers(user) for name, user in people().items()}
    assert found == TRUTH


def test_the_sql_form_of_each_role_selects_the_users_holding_it() -> None:
    everyone = people()
    all_users = User.objects.filter(pk__in=[u.pk for u in everyone.values()])

    def names(qs: QuerySet[User]) -> set[str]:
        ids = set(qs.values_list("pk", flat=True))
        return {name for name, user in everyone.items() if user.pk in ids}

    for role in Role:
        holding = {name for name, user in everyone.items() if roles.has_role(user, role)}
        assert names(roles.with_any_role(all_users, role)) == holding, role
    assert names(roles.company_admins(all_users)) == {"admin", "admin_with_budget"}
    managers = {name for name, user in everyone.items() if roles.may_manage_employees(user)}
    assert names(roles.employee_managers(all_users)) == managers


def test_whose_budgets_and_employees_a_user_manages() -> None:
    """An admin: any employee of the company; a supervisor: their own; nobody else any. The
    SQL form (`budget_employees`) picks the same employees as the rule."""
    company = CompanyFactory()
    admin = member(company, is_company_admin=True)
    leader = member(company, is_supervisor=True)
    approver = member(company, is_approver=True)
    holder = member(company, budget="100")
    own = EmployeeFactory(company=company, supervisor=leader)
    colleague = EmployeeFactory(company=company, supervisor=member(company, is_supervisor=True))
    foreign = EmployeeFactory(supervisor=leader)  # another company's, even with this supervisor
    employees = {"own": own, "colleague": colleague, "foreign": foreign}
    expected = {
        admin: {"own", "colleague"},
        leader: {"own"},
        approver: set(),
        holder: set(),
    }
    for user, allowed in expected.items():
        for name, employee in employees.items():
            assert roles.may_set_budgets(user, employee) == (name in allowed), (user, name)
            assert roles.may_manage_employees(user, employee) == (name in allowed), (user, name)
        chosen = roles.budget_employees(
            user, Employee.objects.filter(pk__in=[e.pk for e in employees.values()])
        )
        assert {e.pk for e in chosen} == {employees[name].pk for name in allowed}, user


def test_who_keeps_an_employees_sizes() -> None:
    """The employee themselves, their supervisor, a company admin of their company; nobody
    else, and nobody of another company. The SQL form (`sized_employees`) picks the same."""
    company = CompanyFactory()
    admin = member(company, is_company_admin=True)
    leader = member(company, is_supervisor=True)
    Employee.objects.filter(pk=leader.employee.pk).update(supervisor=admin)
    holder = member(company, budget="100")
    Employee.objects.filter(pk=holder.employee.pk).update(supervisor=leader)
    buyer = member(company)
    own = EmployeeFactory(company=company, supervisor=leader)
    colleague = EmployeeFactory(company=company, supervisor=member(company, is_supervisor=True))
    foreign = EmployeeFactory(supervisor=leader)  # another company's, even with this supervisor
    foreign_admin = member(foreign.company, is_company_admin=True)
    employees = {
        "own": own,
        "colleague": colleague,
        "foreign": foreign,
        "leader": Employee.objects.get(pk=leader.employee.pk),
        "holder": Employee.objects.get(pk=holder.employee.pk),
        "buyer": buyer.employee,
        "admin": admin.employee,
    }
    expected = {
        admin: {"own", "colleague", "leader", "holder", "buyer", "admin"},
        leader: {"own", "leader", "holder"},
        holder: {"holder"},
        buyer: {"buyer"},
        foreign_admin: {"foreign"},
    }
    for user, allowed in expected.items():
        for name, employee in employees.items():
            assert roles.may_keep_sizes(user, employee) == (name in allowed), (user, name)
        chosen = roles.sized_employees(
            user, Employee.objects.filter(pk__in=[e.pk for e in employees.values()])
        )
        assert {e.pk for e in chosen} == {employees[name].pk for name in allowed}, user
    staff = UserFactory(company=None, is_staff=True)
    assert not any(roles.may_keep_sizes(staff, e) for e in employees.values())


def test_a_budget_holder_is_asked_once_per_user_instance(django_assert_num_queries) -> None:
    user = User.objects.get(pk=member(CompanyFactory(), budget="100").pk)
    with django_assert_num_queries(1):
        assert roles.is_budget_holder(user) and roles.is_budget_holder(user)
        assert not roles.may_choose_recipients(user)
        assert roles.role_labels(user)
    many = [member(CompanyFactory()) for _ in range(3)]
    give_budget(many[0].employee)
    with django_assert_num_queries(1):
        loaded = list(roles.with_budget_holder(User.objects.filter(pk__in=[u.pk for u in many])))
        assert sorted(roles.is_budget_holder(u) for u in loaded) == [False, False, True]


def test_the_template_object_asks_each_rule_once_a_request() -> None:
    """`roles` in every template (the context processor in settings): each rule asked when read
    and kept for the request, so the page pays one query for the budget holder however often
    it asks; nobody logged in (and supplier staff) hold no role."""
    user = User.objects.get(pk=member(CompanyFactory(), budget="100").pk)
    request = RequestFactory().get("/")
    request.user = user
    reads = Template(
        "{{ roles.may_choose_recipients }} {{ roles.is_budget_holder }} "
        "{{ roles.may_choose_recipients }} {{ roles.may_decide_orders }} "
        "{{ roles.may_manage_employees }} {{ roles.may_set_budgets }} {{ roles.is_company_admin }}"
    )
    with CaptureQueriesContext(connection) as without_roles:
        Template("{{ user.email }}").render(RequestContext(request))
    with CaptureQueriesContext(connection) as with_roles:
        shown = reads.render(RequestContext(request)).split()
    assert shown == ["False", "True", "False", "False", "False", "False", "False"]
    assert len(with_roles) == len(without_roles) + 1
    for nobody in (AnonymousUser(), UserFactory(company=None, is_staff=True)):
        request.user = nobody
        assert set(reads.render(RequestContext(request)).split()) == {"False"}


def test_min_side_the_api_and_the_back_office_name_the_roles_from_one_list(client: Client) -> None:
    """Everyone with every role: Min side lists the labels, /me the codes, the back office has
    a column and a filter per role, budget holder shown and never editable."""
    company = CompanyFactory()
    everything = member(
        company,
        is_supervisor=True,
        is_approver=True,
        is_company_admin=True,
        budget="100",
        language="en",
    )
    buyer = member(company)
    client.force_login(everything)
    assert client.get("/api/v1/me").json()["roles"] == [role.value for role in Role]
    with translation.override("en"):
        labels = ", ".join(str(role.label) for role in Role)
    assert f"<dd>{labels}</dd>" in client.get(reverse("checkout:my_page")).content.decode()

    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True))
    changelist = reverse("admin:people_user_changelist")
    for role in Role:
        if role != Role.BUYER:
            assert f"role_{role.value}=1" in client.get(changelist).content.decode()
    holders = client.get(changelist, {"role_budget_holder": "1"}).content.decode()
    assert everything.email in holders and buyer.email not in holders
    others = client.get(changelist, {"role_budget_holder": "0"}).content.decode()
    assert buyer.email in others and everything.email not in others
    form = client.get(reverse("admin:people_user_change", args=[everything.pk])).content
    assert b'name="is_supervisor"' in form and b"field-budget_holder" in form  # shown
    assert b'name="is_budget_holder"' not in form and b'name="budget_holder"' not in form
