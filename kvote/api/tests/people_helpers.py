"""Helpers of the employees, budget and company API tests: a JSON client with PATCH and PUT,
and orders for an employee (the people are the world's: tests/world.py)."""

from typing import Any

from kvote.api.tests.core_helpers import BASE, Api
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from tests.factories import place_order


class JsonApi(Api):
    """core_helpers.Api with the methods the employees endpoints also take."""

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.generic(
            method,
            BASE + path,
            data=b"" if body is None else _json(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("PATCH", path, body, **headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("PUT", path, body, **headers)


def _json(body: Any) -> bytes:
    import json

    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


def order_for(buyer: User, employee: Employee, price: str, key: str, **fields: Any) -> Order:
    order = place_order(buyer, price, key=key, recipient=employee)
    if fields:
        Order.objects.filter(pk=order.pk).update(**fields)
        order.refresh_from_db()
    return order
