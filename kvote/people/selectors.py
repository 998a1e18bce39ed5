"""Reads about the people of a company that every floor above uses."""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from kvote.common.tenancy import get_scoped, scoped
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


# At most this many employees in a recipient <select> at once (the cart's search answers, the
# product page's list); the one chosen, and the actor's own, are kept besides.
RECIPIENTS_SHOWN = 50


def recipient_choices(*, actor: User, query: str = "") -> QuerySet[Employee]:
    """All employees (Alle ansatte) the actor may order for: every active employee of the company
    when the role allows (`roles.may_choose_recipients`), else only the actor's own employee.
    Searchable by name and number. The cart's recipient select, the product page's and the
    quick order's recipient column all read it."""
    qs = scoped(Employee, actor).filter(is_active=True)
    if not roles.may_choose_recipients(actor):
        return qs.filter(user=actor)
    return search_employees(qs, query).order_by("name", "number")


def recipients_by_number(*, actor: User, numbers: Collection[str]) -> dict[str, Employee]:
    """The employees of `numbers` (employee numbers, any case) the actor may order for
    (`recipient_choices`), by their number in upper case. One query; none for no numbers."""
    wanted = {number.strip().upper() for number in numbers if number.strip()}
    if not wanted:
        return {}
    found = recipient_choices(actor=actor).annotate(upper_number=Upper("number"))
    return {employee.number.upper(): employee for employee in found.filter(upper_number__in=wanted)}
