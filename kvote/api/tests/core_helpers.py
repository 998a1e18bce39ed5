"""Calling the API in tests: as a user with a bearer token, JSON in and out."""

from typing import Any

from django.test import Client

from kvote.api.services import api_token_create
from kvote.people.models import User

BASE = "/api/v1"


class Api:
    """A Django test client that speaks JSON to /api/v1 as one user (or as nobody)."""

    def __init__(self, user: User | None = None, *, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            self.token = api_token_create(actor=user, label="test").secret
            self.headers["Authorization"] = f"Bearer {self.token}"

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        data = "" if body is None else body
        return self.client.post(
            BASE + path,
            data=data,
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def raw_post(self, path: str, data: bytes | str, content_type: str, **headers: str) -> Any:
        return self.client.post(
            BASE + path, data=data, content_type=content_type, headers={**self.headers, **headers}
        )


class Team:
    """A company in small: an admin, a supervisor (approver) with a budget holder, a buyer, a
    default delivery address and two products (one at an agreed price)."""

    def __init__(self) -> None:
        from decimal import Decimal

        from kvote.budgets.services import budget_set
        from tests.factories import (
            AgreedPriceFactory,
            CompanyFactory,
            DeliveryAddressFactory,
            VariantFactory,
            member,
        )

        self.company = CompanyFactory()
        self.admin = member(self.company, is_company_admin=True)
        self.leader = member(self.company, is_supervisor=True, is_approver=True)
        self.holder = member(self.company)  # a budget holder once budget_set below runs
        self.holder.employee.supervisor = self.leader
        self.holder.employee.save()
        self.buyer = member(self.company)
        self.address = DeliveryAddressFactory(company=self.company, is_default=True)
        self.jacket = VariantFactory(product__list_price=Decimal("500.00"))
        agreed = AgreedPriceFactory(company=self.company, price=Decimal("123.45"))
        self.shirt = VariantFactory(product=agreed.product, colour="Rød", colour_en="Red")
        budget_set(actor=self.admin, employee_id=self.holder.employee.pk, amount="1000")

    def api(self, user: User | None) -> Api:
        return Api(user)
