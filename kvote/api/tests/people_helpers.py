"""Helpers of the employees, budget and company API tests: a JSON client with PATCH and PUT,
and a small company with a supervisor, an admin, a plain employee and orders."""

from dataclasses import dataclass
from typing import Any

from kvote.api.tests.core_helpers import BASE, Api
from kvote.companies.models import Company
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from tests.factories import CompanyFactory, EmployeeFactory, member, place_order


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


@dataclass
class Firm:
    company: Company
    admin: User
    leader: User  # a supervisor
    other_leader: User  # another supervisor
    worker: User  # a plain employee with a login, and no role besides buyer
    team: list[Employee]  # the leader's employees
    stranger: Employee  # supervised by other_leader


def firm(name: str = "Nordlys AS") -> Firm:
    company = CompanyFactory(name=name)
    admin = member(company, is_company_admin=True, language="en", full_name="Ada Admin")
    leader = member(company, is_supervisor=True, language="en", full_name="Liv Leder")
    other = member(company, is_supervisor=True, language="en", full_name="Odd Annen")
    worker = member(company, language="en", full_name="Per Plukk")
    Employee.objects.filter(user=worker).update(supervisor=leader)
    team = [
        EmployeeFactory(company=company, supervisor=leader, name=n, number=no)
        for n, no in [("Anne Berg", "101"), ("Bjørn Dahl", "102"), ("Cecilie Eng", "203")]
    ]
    stranger = EmployeeFactory(company=company, supervisor=other, name="Ola Utenfor", number="900")
    return Firm(company, admin, leader, other, worker, team, stranger)


def order_for(buyer: User, employee: Employee, price: str, key: str, **fields: Any) -> Order:
    order = place_order(buyer, price, key=key, recipient=employee)
    if fields:
        Order.objects.filter(pk=order.pk).update(**fields)
        order.refresh_from_db()
    return order
