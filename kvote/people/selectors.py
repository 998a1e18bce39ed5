"""Reads about the people of a company that every floor above uses."""

from django.db.models import Q, QuerySet

from kvote.common.tenancy import get_scoped
from kvote.common.text import search_text
from kvote.people import roles
from kvote.people.models import Employee, User


def access_employee(*, actor: User, employee_id: int, for_update: bool = False) -> Employee:
    """An employee of the actor's company, for one who manages employees (a supervisor or a
    company admin: «Alle ansatte» shows them all), with their supervisor; NotFound for any other
    id or actor. Whether they may also change this one is `roles.may_manage_employees(actor,
    employee)`."""
    roles.require(actor, roles.may_manage_employees)
    employees = Employee.objects.select_related("supervisor")
    if for_update:
        employees = employees.select_for_update(of=("self",))
    return get_scoped(employees, actor, pk=employee_id)


def search_employees(qs: QuerySet[Employee], query: str) -> QuerySet[Employee]:
    """The one employee search (the lists, the budgets page, the recipient picker and the API):
    employees whose name contains `query`, or whose employee number starts with it; both
    regardless of case. The term is cleaned by kvote.common.text.search_text."""
    query = search_text(query)
    if not query:
        return qs
    return qs.filter(Q(name__icontains=query) | Q(number__istartswith=query))
