"""GET /me: who is calling."""

from decimal import Decimal

import pytest
from django.test import Client

from kvote.api.tests.core_helpers import Api
from kvote.checkout.services import order_submit
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    UserFactory,
    VariantFactory,
    fill_cart,
    give_kit,
    member,
    place_order,
)

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
        "entitlements": [],
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
    # token, company, employee, budget, its sums, sizes, whether the caller is a budget holder,
    # and whether they have a kit
    with django_assert_num_queries(8):
        assert api.get("/me").status_code == 200


def test_me_lists_the_own_kit_item_by_item(shop, django_assert_num_queries):
    jackets = CategoryFactory(name="Jakker", name_en="Jackets")
    jacket = VariantFactory(product__category=jackets, product__list_price=Decimal("100.00"))
    shoe = VariantFactory(product__name_en="Safety shoe", product__list_price=Decimal("400.00"))
    give_kit(shop.holder.employee, (jackets, 3), (shoe.product, 1))
    fill_cart(shop.holder, jacket, quantity=2)
    order_submit(actor=shop.holder, idempotency_key="a")
    fill_cart(shop.holder, shoe, quantity=2)  # kr 800: over the budget, waits for approval
    order_submit(actor=shop.holder, idempotency_key="b")
    api = Api(shop.holder)
    assert api.get("/me").json()["entitlements"] == [
        {"label": "Jackets", "allowed": 3, "used": 2, "pending": 0, "remaining": 1},
        {"label": "Safety shoe", "allowed": 1, "used": 2, "pending": 2, "remaining": -1},
    ]
    # and what counts against the kit: one more
    with django_assert_num_queries(9):
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
