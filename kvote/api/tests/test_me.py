"""GET /me: who is calling."""

import pytest
from django.test import Client

from kvote.api.tests.core_helpers import Api
from tests.factories import CompanyFactory, UserFactory, member, place_order

pytestmark = pytest.mark.django_db


def test_a_budget_holder_sees_employee_roles_and_budget(shop):
    place_order(shop.holder, "300.00", key="a")
    place_order(shop.holder, "900.00", key="b")  # over budget: awaits approval
    body = Api(shop.holder).get("/me").json()
    holder = shop.holder
    assert body == {
        "id": holder.pk,
        "email": holder.email,
        "name": holder.full_name,
        "language": "en",
        "company": {"id": shop.company.pk, "name": shop.company.name},
        "roles": ["buyer", "budget_holder"],
        "employee": {
            "id": holder.employee.pk,
            "number": holder.employee.number,
            "name": holder.employee.name,
        },
        "budget": {
            "period_start": body["budget"]["period_start"],
            "period_end": body["budget"]["period_end"],
            "budget": "1000.00",
            "spent": "1200.00",
            "pending": "900.00",
            "remaining": "-200.00",
            "amount": "1000.00",  # the older name of `budget`
            "currency": "NOK",
        },
        "sizes": {
            "tops": None,
            "trousers_c": None,
            "trousers_wl": None,
            "shoes": None,
            "gloves": None,
        },
    }
    start, end = body["budget"]["period_start"], body["budget"]["period_end"]
    assert start.endswith("-01-01") and end.endswith("-12-31")


def test_roles_of_an_admin_and_a_supervisor(shop):
    assert Api(shop.admin).get("/me").json()["roles"] == ["buyer", "company_admin"]
    assert Api(shop.leader).get("/me").json()["roles"] == ["buyer", "supervisor", "approver"]
    assert Api(shop.leader).get("/me").json()["budget"] is None


def test_a_user_without_an_employee_has_none(shop):
    user = member(shop.company)
    user.employee.delete()
    body = Api(user).get("/me").json()
    assert body["employee"] is None and body["budget"] is None and body["sizes"] is None


def test_the_session_works_too_and_supplier_staff_are_404():
    user = member(CompanyFactory())
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["id"] == user.pk
    staff = UserFactory(company=None, is_staff=True)
    client.force_login(staff)
    response = client.get("/api/v1/me")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_me_reads_a_fixed_number_of_queries(shop, django_assert_num_queries):
    api = Api(shop.holder)
    api.get("/me")
    # token, company, employee, budget, its sums, sizes, and whether the caller is a budget
    # holder
    with django_assert_num_queries(7):
        assert api.get("/me").status_code == 200


def test_me_carries_the_callers_sizes(shop):
    from kvote.catalog.tests.size_helpers import give_sizes

    give_sizes(shop.holder.employee, shoes="43", tops="L")
    sizes = Api(shop.holder).get("/me").json()["sizes"]
    assert sizes == {
        "tops": "L",
        "trousers_c": None,
        "trousers_wl": None,
        "shoes": "43",
        "gloves": None,
    }
