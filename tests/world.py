"""The one test world (Zulip's example_user): who is who in Nordlys, the company most tests
play in, and in Fjord, the other company whose rows Nordlys must never reach.

The root conftest.py hands each of them out as a fixture (`company`, `admin`, `leader`, …, and
`world` for all of Nordlys at once); a test asks for whom it needs and gets only those, with
what they stand on. Everyone reads the English pages (language "en").

Nordlys AS
    admin         Ada Admin (1000), company admin
    leader        Liv Leder (1001), supervisor and approver: nearest manager of `holder` and `team`
    other_leader  Odd Annen (1002), supervisor of `outsider`
    holder        Mats Berg (1003), budget holder: kr 1 000,00 this budget period
    buyer         Inga Innkjøp (1005), a buyer with no other role and no budget
    team          Anne Berg (101), Bjørn Dahl (102), Cecilie Eng (203): employees without a
                  login, supervised by `leader`, no budget
    outsider      Ola Utenfor (900): employee without a login, supervised by `other_leader`
Fjord Elektro AS
    fjord.admin   Frida Fjell (2000), company admin
    fjord.leader  Eirik Tveit (2001), supervisor and approver
"""

from dataclasses import dataclass
from decimal import Decimal

from kvote.companies.models import Company
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee, User
from tests.factories import (
    CompanyFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    give_budget,
    member,
)

HOLDER_BUDGET = Decimal("1000.00")
TEAM = [("Anne Berg", "101"), ("Bjørn Dahl", "102"), ("Cecilie Eng", "203")]


@dataclass
class World:
    """All of Nordlys (see the module's docstring)."""

    company: Company
    admin: User
    leader: User
    other_leader: User
    holder: User
    buyer: User
    team: list[Employee]
    outsider: Employee


@dataclass
class Fjord:
    """The other company."""

    company: Company
    admin: User
    leader: User


def nordlys() -> Company:
    return CompanyFactory(name="Nordlys AS")


def admin_of(company: Company) -> User:
    return member(
        company, number="1000", full_name="Ada Admin", language="en", is_company_admin=True
    )


def leader_of(company: Company) -> User:
    return member(
        company,
        number="1001",
        full_name="Liv Leder",
        language="en",
        is_supervisor=True,
        is_approver=True,
    )


def other_leader_of(company: Company) -> User:
    return member(company, number="1002", full_name="Odd Annen", language="en", is_supervisor=True)


def holder_of(company: Company, leader: User) -> User:
    """A budget holder: an employee with a budget (kvote.people.roles.is_budget_holder)."""
    user = member(
        company, number="1003", full_name="Mats Berg", language="en", budget=HOLDER_BUDGET
    )
    Employee.objects.filter(pk=user.employee.pk).update(supervisor=leader)
    user.employee.supervisor = leader
    return user


def buyer_of(company: Company) -> User:
    return member(company, number="1005", full_name="Inga Innkjøp", language="en")


def team_of(company: Company, leader: User) -> list[Employee]:
    return [
        EmployeeFactory(company=company, supervisor=leader, name=name, number=number)
        for name, number in TEAM
    ]


def outsider_of(company: Company, other_leader: User) -> Employee:
    return EmployeeFactory(
        company=company, supervisor=other_leader, name="Ola Utenfor", number="900"
    )


def fjord_elektro() -> Fjord:
    company = CompanyFactory(name="Fjord Elektro AS")
    admin = member(
        company, number="2000", full_name="Frida Fjell", language="en", is_company_admin=True
    )
    leader = member(
        company,
        number="2001",
        full_name="Eirik Tveit",
        language="en",
        is_supervisor=True,
        is_approver=True,
    )
    return Fjord(company, admin, leader)


def order_awaiting(leader: User, *, lines: int, key: str = "awaiting") -> Order:
    """An order of `lines` lines, each for another new employee of `leader` whose kr 100 budget
    its kr 200 line exceeds: placed by a buyer of the company, it awaits `leader`'s decision.
    (For query counts that must not grow with an order's lines and recipients.)"""
    from kvote.checkout.services import order_submit

    buyer = member(leader.company, language="en")
    for _ in range(lines):
        employee = EmployeeFactory(company=leader.company, supervisor=leader)
        give_budget(employee, Decimal("100.00"))
        fill_cart(buyer, VariantFactory(product__list_price=Decimal("200.00")), recipient=employee)
    order = order_submit(actor=buyer, idempotency_key=key)
    assert order.state == OrderState.AWAITING_APPROVAL and order.lines.count() == lines
    return order
