"""Nobody sets their own budget (kvote.people.roles.may_set_budgets and its SQL form
budget_employees, `is_own_record`), on every path: the service one at a time and many at
once, the budgets pages, the API, and the back office."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kvote.api.tests.people_helpers import JsonApi
from kvote.budgets.errors import BudgetError
from kvote.budgets.models import Budget
from kvote.budgets.services import budget_set, budget_set_many
from kvote.common.errors import ServiceError
from kvote.companies.models import Company
from kvote.people import roles
from kvote.people.models import Employee, User
from tests.factories import EmployeeFactory, member

pytestmark = pytest.mark.django_db

OWN = "Nobody sets their own budget: another company admin, or your supervisor, sets it."


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_company_admin_cannot_set_their_own_budget(admin: User, team: list[Employee]) -> None:
    own = admin.employee
    assert not roles.may_set_budgets(admin, own) and roles.may_set_budgets(admin, team[0])
    with pytest.raises(ServiceError) as exc:
        budget_set(actor=admin, employee_id=own.pk, amount="999999")
    assert (exc.value.code, exc.value.message) == (BudgetError.NOT_YOUR_EMPLOYEE, OWN)
    with pytest.raises(ServiceError):  # all or nothing: the others are not set either
        budget_set_many(actor=admin, employee_ids=[team[0].pk, own.pk], amount="999999")
    assert not Budget.objects.exists()


def test_another_admin_sets_it(company: Company, admin: User) -> None:
    second = member(company, is_company_admin=True)
    assert budget_set(actor=second, employee_id=admin.employee.pk, amount="500").amount == 500


def test_the_budgets_pages_neither_list_nor_take_their_own(
    admin: User, team: list[Employee]
) -> None:
    client = client_of(admin)
    page = client.get(reverse("budgets:list")).content.decode()
    assert f'value="{team[0].pk}"' in page and f'value="{admin.employee.pk}"' not in page
    own = reverse("budgets:set", args=[admin.employee.pk])
    assert client.post(own, {"amount": "999999"}).status_code == 404
    response = client.post(
        reverse("budgets:set_many"),
        {"amount": "999999", "employee_ids": [team[0].pk, admin.employee.pk]},
    )
    assert response.status_code in (200, 400)
    assert OWN in response.content.decode()
    assert not Budget.objects.exists()


def test_the_api_refuses_setting_their_own_budget(admin: User) -> None:
    response = JsonApi(admin).put(f"/employees/{admin.employee.pk}/budget", {"amount": "999999"})
    assert response.status_code == 403
    assert response.json() == {"code": "not_your_employee", "message": OWN}
    assert not Budget.objects.exists()


def test_the_back_office_refuses_a_budget_for_the_staff_member_themselves(
    company: Company,
) -> None:
    """Supplier staff have no employee record; a login that is both staff and an employee of a
    customer still does not set its own budget there."""
    both = member(company, is_staff=True, is_superuser=True, language="en")
    other = EmployeeFactory(company=company)
    client = client_of(both)
    period = {"period_start": "2026-01-01", "period_end": "2027-01-01", "amount": "999999"}
    inline = {"changes-TOTAL_FORMS": 0, "changes-INITIAL_FORMS": 0}
    add = reverse("admin:budgets_budget_add")
    response = client.post(add, {"employee": both.employee.pk, **period, **inline})
    assert response.status_code == 200 and OWN in response.content.decode()
    assert not Budget.objects.exists()
    response = client.post(add, {"employee": other.pk, **period, **inline})
    assert response.status_code == 302
    assert Budget.objects.get().period_start == date(2026, 1, 1)
    assert Budget.objects.get().amount == Decimal("999999.00")
