"""/api/v1/employees/{employee_id}/budget: read and set the current period's budget, for each
role; another company's ids; amounts that are no budget."""

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kvote.api.tests.core_helpers import Api
from kvote.api.tests.people_helpers import JsonApi, order_for
from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.services import budget_set
from kvote.companies.models import Company
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db

# Token lookup and its last use, the employee, the budget, its sums.
BUDGET_QUERIES = 5


def url(employee) -> str:
    return f"/employees/{employee.pk}/budget"


def test_read_the_budget_with_spent_pending_and_remaining(world: World):
    anne = world.team[0]
    budget_set(actor=world.leader, employee_id=anne.pk, amount="1000")
    order_for(world.leader, anne, "300.00", "a1")
    order_for(world.leader, anne, "200.00", "a2", state="awaiting_approval")
    order_for(world.leader, anne, "900.00", "a3", state="rejected")
    year = timezone.localdate().year
    for user in (world.leader, world.admin, world.other_leader):
        response = JsonApi(user).get(url(anne))
        assert response.status_code == 200
        assert response.json() == {
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            "budget": "1000.00",
            "spent": "500.00",
            "pending": "200.00",
            "remaining": "500.00",
            "amount": "1000.00",  # the older name of `budget`
            "currency": "NOK",
        }


def test_no_budget_this_period_is_404_no_budget(world: World):
    response = JsonApi(world.leader).get(url(world.team[0]))
    assert response.status_code == 404
    assert response.json()["code"] == "no_budget"


def test_set_and_change_a_budget_keeps_every_change(world: World):
    anne = world.team[0]
    api = JsonApi(world.leader)
    response = api.put(url(anne), {"amount": "1500.50"})
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "1500.50"
    assert response.json()["remaining"] == "1500.50"
    assert api.put(url(anne), {"amount": 2000}).json()["amount"] == "2000.00"
    assert api.put(url(anne), {"amount": "2000.00"}).status_code == 200  # no change: no row
    budget = Budget.objects.get(employee=anne)
    assert budget.amount == 2000
    period = Company.objects.get(pk=world.company.pk).budget_period_of(timezone.localdate())
    assert (budget.period_start, budget.period_end) == (period.start, period.end)
    changes = list(BudgetChange.objects.filter(budget=budget).order_by("id"))
    assert [(c.old_amount, c.new_amount, c.actor) for c in changes] == [
        (None, 1500.50, world.leader),
        (1500.50, 2000, world.leader),
    ]


def test_an_admin_sets_anyones_budget_a_supervisor_only_their_own(world: World):
    assert JsonApi(world.admin).put(url(world.outsider), {"amount": "10"}).status_code == 200
    response = JsonApi(world.leader).put(url(world.outsider), {"amount": "20"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_employee"
    assert Budget.objects.get(employee=world.outsider).amount == 10


def test_a_plain_employee_may_neither_read_nor_set(world: World):
    own = world.holder.employee
    budget_set(actor=world.leader, employee_id=own.pk, amount="1000")
    api = JsonApi(world.holder)
    assert api.get(url(own)).status_code == 403
    assert api.put(url(own), {"amount": "99999"}).status_code == 403
    assert Budget.objects.get(employee=own).amount == 1000


def test_without_login_401(world: World):
    assert Api().get(url(world.team[0])).status_code == 401
    assert JsonApi().put(url(world.team[0]), {"amount": "1"}).status_code == 401
    assert not Budget.objects.filter(employee=world.team[0]).exists()


def test_another_companys_employee_is_404(world: World, fjord: Fjord):
    anne = world.team[0]
    budget_set(actor=world.leader, employee_id=anne.pk, amount="1000")
    for user in (fjord.admin, fjord.leader):
        api = JsonApi(user)
        assert api.get(url(anne)).status_code == 404
        response = api.put(url(anne), {"amount": "1"})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert Budget.objects.get(employee=anne).amount == 1000


@pytest.mark.parametrize(
    "body, code",
    [
        ({"amount": "-1"}, "invalid_amount"),
        ({"amount": -0.01}, "invalid_amount"),
        ({"amount": "10000000000"}, "invalid_amount"),
        ({"amount": "1e30"}, "invalid_amount"),
        ({"amount": 1e300}, "invalid_amount"),
        ({"amount": "1.005"}, "invalid_amount"),
        ({"amount": "NaN"}, "invalid"),
        ({"amount": "Infinity"}, "invalid"),
        ({"amount": "lots"}, "invalid"),
        ({"amount": "1 000,50"}, "invalid"),
        ({"amount": None}, "invalid"),
        ({"amount": [1]}, "invalid"),
        ({"amount": True}, "invalid"),
        ({}, "invalid"),
        ([], "invalid"),
        ('"1000"', "invalid"),
        ('{"amount": ', "malformed_json"),
    ],
)
def test_amounts_that_are_no_budget_are_400(world: World, body, code):
    response = JsonApi(world.admin).send("PUT", url(world.team[0]), body)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    if code != "malformed_json":
        assert body["fields"]
    assert not Budget.objects.filter(employee=world.team[0]).exists()


@pytest.mark.parametrize("count", [1, 20])
def test_the_query_count_does_not_grow_with_orders(
    world: World, count: int, django_assert_num_queries: DjangoAssertNumQueries
):
    anne = world.team[0]
    budget_set(actor=world.leader, employee_id=anne.pk, amount="100000")
    for n in range(count):
        order_for(world.leader, anne, "10.00", f"o{n}")
    api = JsonApi(world.leader)
    with django_assert_num_queries(BUDGET_QUERIES):
        response = api.get(url(anne))
    assert response.json()["spent"] == f"{count * 10}.00"


# Setting a budget: the token; the employee; the company's period; in savepoints the employee
# locked, the budget for the period, its update and its change row; then the budget and what
# counts against it for the answer. The same with 1 and with 20 orders on the budget.
PUT_QUERIES = 11


@pytest.mark.parametrize("count", [1, 20])
def test_setting_a_budget_makes_a_fixed_number_of_queries(
    world: World, count: int, django_assert_num_queries: DjangoAssertNumQueries
):
    anne = world.team[0]
    budget_set(actor=world.leader, employee_id=anne.pk, amount="100000")
    for n in range(count):
        order_for(world.leader, anne, "10.00", f"o{n}")
    api = JsonApi(world.leader)
    api.get(url(anne))  # the token's first use is written once
    with django_assert_num_queries(PUT_QUERIES):
        response = api.put(url(anne), {"amount": "5000"})
    assert response.status_code == 200
    assert response.json()["spent"] == f"{count * 10}.00"
