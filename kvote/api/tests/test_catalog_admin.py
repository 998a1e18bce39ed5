"""The catalogue API for the supplier's systems: only the supplier's staff get in; stock
updates are all or nothing, idempotent, and name the item numbers they do not know."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kvote.api.tests.core_helpers import Api
from kvote.catalog.models import Variant
from kvote.catalog.stock import STOCK_MAX
from kvote.people.models import User
from tests.factories import CompanyFactory, UserFactory, VariantFactory, member

pytestmark = pytest.mark.django_db

STOCK = "/catalog/stock"


class JsonApi(Api):
    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.patch(
            "/api/v1" + path,
            data="" if body is None else body,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def staff() -> User:
    return UserFactory(company=None, is_staff=True, language="en")


@pytest.fixture
def api(staff: User) -> JsonApi:
    return JsonApi(staff)


def stock_of() -> dict[str, tuple[int, date | None]]:
    return {
        number: (stock, restock)
        for number, stock, restock in Variant.objects.values_list(
            "item_number", "stock", "restock_date"
        )
    }


class TestStock:
    def test_sets_stock_at_once_and_is_idempotent(self, api: JsonApi) -> None:
        VariantFactory(item_number="A-1", stock=2, restock_date=date(2030, 1, 1))
        VariantFactory(item_number="B-1", stock=0)
        body = {
            "items": [
                {"item_number": "A-1", "stock": 40},  # restock date kept
                {"item_number": "B-1", "stock": 0, "restock_date": "2030-02-01"},
            ]
        }
        first = api.patch(STOCK, body)
        assert (first.status_code, first.json()) == (200, {"updated": 2, "unchanged": 0})
        assert stock_of() == {"A-1": (40, date(2030, 1, 1)), "B-1": (0, date(2030, 2, 1))}
        again = api.patch(STOCK, body)
        assert (again.status_code, again.json()) == (200, {"updated": 0, "unchanged": 2})
        cleared = api.patch(
            STOCK, {"items": [{"item_number": "A-1", "stock": 40, "restock_date": None}]}
        )
        assert cleared.json() == {"updated": 1, "unchanged": 0}
        assert stock_of()["A-1"] == (40, None)

    def test_unknown_item_numbers_are_listed_and_nothing_changes(self, api: JsonApi) -> None:
        VariantFactory(item_number="A-1", stock=2)
        response = api.patch(
            STOCK,
            {
                "items": [
                    {"item_number": "A-1", "stock": 9},
                    {"item_number": "GONE-1", "stock": 1},
                    {"item_number": "GONE-2", "stock": 1},
                ]
            },
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "unknown_item_numbers"
        assert body["item_numbers"] == ["GONE-1", "GONE-2"]
        assert "GONE-1, GONE-2" in body["message"]
        assert stock_of() == {"A-1": (2, None)}

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"items": [{"item_number": "A-1", "stock": -1}]}, "items.0.stock"),
            ({"items": [{"item_number": "A-1", "stock": STOCK_MAX + 1}]}, "items.0.stock"),
            ({"items": [{"item_number": "A-1", "stock": 1.5}]}, "items.0.stock"),
            ({"items": [{"item_number": "A-1", "stock": "4"}]}, "items.0.stock"),
            ({"items": [{"item_number": "A-1", "stock": True}]}, "items.0.stock"),
            ({"items": [{"item_number": "A-1", "stock": None}]}, "items.0.stock"),
            ({"items": [{"item_number": "A-1"}]}, "items.0.stock"),
            ({"items": [{"item_number": "", "stock": 1}]}, "items.0.item_number"),
            ({"items": [{"item_number": "A" * 41, "stock": 1}]}, "items.0.item_number"),
            ({"items": [{"item_number": 12, "stock": 1}]}, "items.0.item_number"),
            (
                {"items": [{"item_number": "A-1", "stock": 1, "restock_date": "14.12.2030"}]},
                "items.0.restock_date",
            ),
            (
                {"items": [{"item_number": "A-1", "stock": 1, "restock_date": "1999-01-01"}]},
                "items.0.restock_date",
            ),
            ({"items": "A-1"}, "items"),
            ({}, "items"),
            ([], "items"),
        ],
    )
    def test_bad_bodies_are_400_with_the_field_and_change_nothing(
        self, api: JsonApi, body: Any, field: str
    ) -> None:
        VariantFactory(item_number="A-1", stock=2)
        response = api.patch(STOCK, body)
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "invalid"
        assert field in response.json()["fields"], response.json()
        assert stock_of() == {"A-1": (2, None)}

    def test_too_many_items_an_item_named_twice_and_a_blank_one_are_400(self, api: JsonApi) -> None:
        VariantFactory(item_number="A-1", stock=2)
        many = api.patch(STOCK, {"items": [{"item_number": "A-1", "stock": 1}] * 10_001})
        assert (many.status_code, many.json()["code"]) == (400, "invalid")
        twice = api.patch(
            STOCK,
            {"items": [{"item_number": "A-1", "stock": 1}, {"item_number": " A-1 ", "stock": 3}]},
        )
        assert (twice.status_code, twice.json()["code"]) == (400, "duplicate_item_numbers")
        assert "A-1" in twice.json()["message"]
        blank = api.patch(STOCK, {"items": [{"item_number": "   ", "stock": 1}]})
        assert (blank.status_code, blank.json()["code"]) == (400, "invalid_stock")
        assert stock_of() == {"A-1": (2, None)}

    def test_malformed_json_is_400(self, api: JsonApi) -> None:
        response = api.client.patch(
            "/api/v1" + STOCK, data="{nope", content_type="application/json", headers=api.headers
        )
        assert (response.status_code, response.json()["code"]) == (400, "malformed_json")

    @pytest.mark.parametrize("count", [3, 300])
    def test_query_count_does_not_grow_with_items(
        self, api: JsonApi, count: int, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        variants = VariantFactory.create_batch(count)
        body = {"items": [{"item_number": v.item_number, "stock": 7} for v in variants]}
        api.patch(STOCK, {"items": []})  # the token's last use is noted once a minute
        # token, savepoint, the rows (locked), the UPDATE (one on PostgreSQL), release
        from kvote.catalog.tests.test_stock import update_statements

        with django_assert_num_queries(4 + update_statements(count)):
            assert api.patch(STOCK, body).json() == {"updated": count, "unchanged": 0}
        with django_assert_num_queries(4):
            assert api.patch(STOCK, body).json() == {"updated": 0, "unchanged": count}


# Who gets in ----------------------------------------------------------------------------------

CUSTOMERS = {
    "buyer": lambda: member(CompanyFactory()),
    "company admin": lambda: member(CompanyFactory(), is_company_admin=True),
    "staff flag in a company": lambda: member(CompanyFactory(), is_staff=True),
}
ENDPOINTS = [
    ("patch", STOCK, {"items": [{"item_number": "A-1", "stock": 1}]}),
    ("patch", STOCK, {"items": "not even valid"}),  # refused before the body is read
]


@pytest.mark.parametrize("who", list(CUSTOMERS))
@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_customers_tokens_are_403_catalogue_not_allowed(
    who: str, method: str, path: str, body: Any
) -> None:
    VariantFactory(item_number="A-1", stock=2)
    api = JsonApi(CUSTOMERS[who]())
    response = getattr(api, method)(path, body)
    assert response.status_code == 403
    assert response.json()["code"] == "catalogue_not_allowed"
    assert stock_of() == {"A-1": (2, None)}


def test_a_customer_session_is_403_too() -> None:
    client = Client(enforce_csrf_checks=False)
    client.force_login(member(CompanyFactory()))
    response = client.patch("/api/v1" + STOCK, {"items": []}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "catalogue_not_allowed")


def test_the_staffs_session_works_with_csrf(staff: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    refused = client.patch("/api/v1" + STOCK, {"items": []}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_anonymous_is_401(method: str, path: str, body: Any) -> None:
    response = getattr(JsonApi(), method)(path, body)
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_a_staff_token_stops_when_its_owner_is_no_longer_staff(staff: User) -> None:
    api = JsonApi(staff)
    staff.is_staff = False
    staff.save()
    response = api.patch(STOCK, {"items": []})
    assert (response.status_code, response.json()["code"]) == (403, "catalogue_not_allowed")


def test_the_schema_documents_the_catalogue_endpoints(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    stock = schema["paths"]["/api/v1/catalog/stock"]["patch"]
    assert stock["description"] and stock["summary"]
    assert {"200", "400", "401", "403"} <= set(stock["responses"])
