"""What the API reads that no web page reads in the same shape."""

from dataclasses import dataclass

from django.db.models import QuerySet

from kvote.api.models import ApiToken
from kvote.budgets.selectors import BudgetFigures, figures_for_employees
from kvote.catalog.size_profiles import profile_sizes
from kvote.catalog.sizes import sizes_of
from kvote.checkout.drafts import own_employee
from kvote.common.tenancy import company_id_of, scoped
from kvote.companies.models import Company
from kvote.kits.selectors import EmployeeKit, kits_for_employees
from kvote.people import roles
from kvote.people.models import Employee, User


@dataclass(frozen=True)
class Me:
    user: User
    company: Company
    roles: list[str]  # by their codes (kvote.people.roles.Role)
    employee: Employee | None
    budget: BudgetFigures | None
    sizes: dict[str, str | None] | None  # kvote.catalog.size_profiles.profile_sizes
    kit: EmployeeKit | None = None


def me(*, actor: User) -> Me:
    """Who the caller is: company, roles, own employee with their current budget, sizes and
    kit. Seven queries (one asks whether the caller is a budget holder, one whether they have a
    kit), nine with a kit, two without an employee."""
    company = Company.objects.get(pk=company_id_of(actor))
    employee = own_employee(actor=actor)
    figures = sizes = kit = None
    if employee is not None:
        sizes = profile_sizes(sizes_of([employee.pk])[employee.pk])
        figures = figures_for_employees(company_id=company.pk, employee_ids=[employee.pk]).get(
            employee.pk
        )
        kit = kits_for_employees(company=company, employee_ids=[employee.pk]).get(employee.pk)
    return Me(
        user=actor,
        company=company,
        roles=[role.value for role in roles.roles_of(actor)],
        employee=employee,
        budget=figures,
        sizes=sizes,
        kit=kit,
    )


def api_tokens_of(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first (revoked and expired ones too, marked so)."""
    return scoped(ApiToken, actor).filter(user=actor).order_by("-created_at", "-id")
