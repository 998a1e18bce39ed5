"""Calling the API in tests: as a user with a bearer token, JSON in and out."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.test import Client

from kvote.api.services import api_token_create
from kvote.catalog.models import Variant
from kvote.companies.models import DeliveryAddress
from kvote.people.models import User
from tests.factories import AgreedPriceFactory, DeliveryAddressFactory, VariantFactory
from tests.world import World

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


@dataclass
class Shop(World):
    """The world (tests/world.py) with what the order endpoints need on top: a default
    delivery address and two products, a jacket at list price and a shirt at the company's
    agreed price."""

    address: DeliveryAddress
    jacket: Variant  # kr 500,00, the list price
    shirt: Variant  # kr 123,45, Nordlys' agreed price

    @classmethod
    def of(cls, world: World) -> "Shop":
        agreed = AgreedPriceFactory(company=world.company, price=Decimal("123.45"))
        return cls(
            **vars(world),
            address=DeliveryAddressFactory(company=world.company, is_default=True),
            jacket=VariantFactory(product__list_price=Decimal("500.00")),
            shirt=VariantFactory(product=agreed.product, colour="Rød", colour_en="Red"),
        )

    def api(self, user: User | None) -> Api:
        return Api(user)
