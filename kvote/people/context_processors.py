from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from kvote.people import roles as rules
from kvote.people.models import User


class Roles:
    """What the request's user may do, for templates (`{% if roles.may_decide_orders %}`): the
    rules of kvote.people.roles, each asked the first time a template reads it and kept for the
    rest of the request. Anonymous users and supplier staff hold no role in a company."""

    def __init__(self, user: User | None) -> None:
        self._user = user

    def _ask(self, rule: Callable[[User], bool]) -> bool:
        return self._user is not None and bool(rule(self._user))

    @cached_property
    def may_decide_orders(self) -> bool:
        return self._ask(rules.may_decide_orders)

    @cached_property
    def may_manage_employees(self) -> bool:
        return self._ask(rules.may_manage_employees)

    @cached_property
    def may_set_budgets(self) -> bool:
        return self._ask(rules.may_set_budgets)

    @cached_property
    def may_define_kits(self) -> bool:
        return self._ask(rules.may_define_kits)

    @cached_property
    def may_assign_kits(self) -> bool:
        return self._ask(rules.may_assign_kits)

    @cached_property
    def may_choose_recipients(self) -> bool:
        return self._ask(rules.may_choose_recipients)

    @cached_property
    def is_company_admin(self) -> bool:
        return self._ask(rules.is_company_admin)

    @cached_property
    def is_budget_holder(self) -> bool:
        return self._ask(rules.is_budget_holder)


def roles(request: HttpRequest) -> dict[str, Any]:
    """`roles`: the request's user's roles for every template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.company_id is None:
        return {"roles": Roles(None)}
    return {"roles": Roles(user)}
