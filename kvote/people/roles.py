"""Who may do what in a company: the roles of DESIGN.md ("Roles"), each rule one named function.

Every caller asks here: views, the API, services, selectors, the back office, the demo, and
templates through the `roles` context object (kvote.people.context_processors). Nowhere else
spells a role as `user.is_supervisor or user.is_company_admin`; a test (test_roles_scan) fails on
a copy.

A user of a company holds any of these roles:
- buyer: every user of a company;
- budget holder: linked to an active Employee that has a budget (any period, so one stays a
  budget holder between periods). Derived, never stored;
- supervisor, approver, company admin: flags on the user, set in the back office.

Each rule that names several roles is a tuple of roles, with a Python form (`may_...(user)`)
and, where lists need it, a SQL form (`with_any_role(qs, *RULE)`) made from the same tuple.
"""

import operator
from collections.abc import Callable
from functools import reduce

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kvote.common.errors import not_found
from kvote.common.tenancy import company_id_of
from kvote.people.models import Employee, User


class Role(models.TextChoices):
    """The one list of roles: the code (the API's name) and the label (Min side, the back
    office), in the order they are shown."""

    BUYER = "buyer", _("Buyer")
    BUDGET_HOLDER = "budget_holder", _("Budget holder")
    SUPERVISOR = "supervisor", _("Supervisor")
    APPROVER = "approver", _("Approver")
    COMPANY_ADMIN = "company_admin", _("Company admin")


# The roles stored as flags on the user (the back office sets them), by field name.
STORED_ROLES: dict[Role, str] = {
    Role.SUPERVISOR: "is_supervisor",
    Role.APPROVER: "is_approver",
    Role.COMPANY_ADMIN: "is_company_admin",
}

# «Til godkjenning»: who sees the queue and names substitutes. Which orders each one decides is
# kvote.approvals.selectors.orders_to_decide.
ORDER_DECIDERS = (Role.APPROVER, Role.SUPERVISOR, Role.COMPANY_ADMIN)
# «Mine ansatte»: who adds and edits employees, and may be named an employee's supervisor.
EMPLOYEE_MANAGERS = (Role.SUPERVISOR, Role.COMPANY_ADMIN)
# Who sets budgets (a company admin anyone's in the company, a supervisor their employees').
BUDGET_SETTERS = (Role.SUPERVISOR, Role.COMPANY_ADMIN)
# Who picks any employee as an order line's recipient (DESIGN.md, "Recipients").
RECIPIENT_CHOOSERS = (Role.SUPERVISOR, Role.APPROVER, Role.COMPANY_ADMIN)

# Where `is_budget_holder` keeps its answer on a user instance (a request's user asks once),
# and the annotation `with_budget_holder` fills for many users in one query.
_BUDGET_HOLDER_ATTR = "roles_budget_holder"


# --- Budget holder: derived from the budgets -------------------------------------------------


def _budget_holder_employees() -> QuerySet[Employee]:
    """The active employees that have a budget. people stands below budgets and may not import
    it, so this asks through the reverse relation of Budget.employee (related_name="budgets")."""
    return Employee.objects.filter(is_active=True, budgets__isnull=False)


def is_budget_holder(user: User) -> bool:
    """DESIGN.md's budget holder: a user linked to an (active) employee that has a budget, in
    any period, so one stays a budget holder between periods.

    One query the first time a user instance is asked; the answer is kept on the instance, so a
    request (whose user is one instance) asks once, and none when `with_budget_holder` loaded
    it. A budget given later in the same request is not seen by that instance."""

    known = getattr(user, _BUDGET_HOLDER_ATTR, None)
    if known is None:
        known = user.pk is not None and _budget_holder_employees().filter(user=user).exists()
        setattr(user, _BUDGET_HOLDER_ATTR, known)
    return bool(known)


def with_budget_holder(qs: QuerySet[User]) -> QuerySet[User]:
    """`qs` with each user's budget-holder answer loaded in the same query, for lists of users
    (the back office, the demo's logins): `is_budget_holder` then asks nothing."""
    holds = Exists(_budget_holder_employees().filter(user=OuterRef("pk")))
    return qs.annotate(**{_BUDGET_HOLDER_ATTR: holds})


# --- The roles one by one ---------------------------------------------------------------------


def has_role(user: User, role: Role) -> bool:
    if user.company_id is None:
        return False  # supplier staff: the back office, no role in a company
    if role == Role.BUYER:
        return True
    if role == Role.BUDGET_HOLDER:
        return is_budget_holder(user)
    return bool(getattr(user, STORED_ROLES[role]))


def role_filter(role: Role, *, path: str = "") -> Q:
    """The SQL form of `has_role`, for the user at lookup `path` ("" for a query of users
    itself, "substituting_for__approver__" for a user reached through a relation)."""
    if role == Role.BUYER:
        return Q(**{f"{path}company__isnull": False})
    if role == Role.BUDGET_HOLDER:
        return Q(Exists(_budget_holder_employees().filter(user=OuterRef(f"{path}pk"))))
    return Q(**{f"{path}company__isnull": False, f"{path}{STORED_ROLES[role]}": True})


def with_any_role(qs: QuerySet[User], *roles: Role) -> QuerySet[User]:
    """The users of `qs` holding at least one of `roles`."""
    return qs.filter(reduce(operator.or_, (role_filter(role) for role in roles)))


def roles_of(user: User) -> list[Role]:
    """The user's roles, in the order of `Role`; a user of a company is at least a buyer."""
    return [role for role in Role if has_role(user, role)]


def role_labels(user: User) -> list[str]:
    """The user's roles as people read them (Min side), in the active language."""
    return [str(role.label) for role in roles_of(user)]


def is_company_admin(user: User) -> bool:
    """Company settings (approval policy, budget periods), the company's orders, every
    employee's budget."""
    return has_role(user, Role.COMPANY_ADMIN)


def is_supervisor(user: User) -> bool:
    """Has employees of their own («Ansattliste»)."""
    return has_role(user, Role.SUPERVISOR)


def company_admins(qs: QuerySet[User]) -> QuerySet[User]:
    return with_any_role(qs, Role.COMPANY_ADMIN)


# --- Rules ------------------------------------------------------------------------------------


def require(user: User, allowed: Callable[[User], bool]) -> None:
    """A page or a use case the user's role does not reach does not exist for them: NotFound
    (as for a user of no company), the same answer as another company's id."""
    company_id_of(user)
    if not allowed(user):
        raise not_found()


def may_decide_orders(user: User) -> bool:
    """Approvers, supervisors and company admins: «Til godkjenning» and substitutes."""
    return any(has_role(user, role) for role in ORDER_DECIDERS)


def is_own_record(user: User, employee: Employee) -> bool:
    """Whether `employee` is the user's own employee record (the one their login is linked
    to). Nobody sets their own budget (`may_set_budgets`), decides an order for themselves
    (kvote.approvals.selectors) or supervises themselves (kvote.people.employee_rules)."""
    return user.pk is not None and employee.user_id == user.pk


def _of_company_or_supervised(user: User, employee: Employee) -> bool:
    """An employee of a company admin's company, or one a supervisor supervises there."""
    if employee.company_id != user.company_id:
        return False
    return is_company_admin(user) or (is_supervisor(user) and employee.supervisor_id == user.pk)


def may_manage_employees(user: User, employee: Employee | None = None) -> bool:
    """Supervisors and company admins: «Mine ansatte», adding employees. With `employee`:
    whether the user edits and deactivates them (a company admin any of the company's, a
    supervisor their own)."""
    if not any(has_role(user, role) for role in EMPLOYEE_MANAGERS):
        return False
    return employee is None or _of_company_or_supervised(user, employee)


def managed_employees(user: User, qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """The SQL form of `may_manage_employees(user, employee)`: the employees of `qs` the user
    manages (a company admin all of the company's, a supervisor those they supervise)."""
    if is_company_admin(user):
        return qs.filter(company_id=company_id_of(user))
    if is_supervisor(user):
        return qs.filter(company_id=company_id_of(user), supervisor=user)
    return qs.none()


def employee_managers(qs: QuerySet[User]) -> QuerySet[User]:
    """The SQL form of `may_manage_employees`."""
    return with_any_role(qs, *EMPLOYEE_MANAGERS)


def may_keep_sizes(user: User, employee: Employee) -> bool:
    """Who keeps an employee's sizes («Mine størrelser», and the sizes of «Mine ansatte»): the
    employee themselves (`is_own_record`), their supervisor, and a company admin of their
    company."""
    if employee.company_id != user.company_id or user.company_id is None:
        return False
    return is_own_record(user, employee) or _of_company_or_supervised(user, employee)


def sized_employees(user: User, qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """The SQL form of `may_keep_sizes(user, employee)`: the employees of `qs` whose sizes the
    user keeps (their own record, those they supervise; a company admin every one of the
    company's)."""
    company_id = company_id_of(user)
    qs = qs.filter(company_id=company_id)
    if is_company_admin(user):
        return qs
    if is_supervisor(user):
        return qs.filter(Q(supervisor=user) | Q(user=user))
    return qs.filter(user=user)


def may_set_budgets(user: User, employee: Employee | None = None) -> bool:
    """A company admin sets any employee's budget in the company, a supervisor those of the
    employees they supervise; nobody their own (`is_own_record`: another admin, or their
    supervisor, sets it). Without `employee`: whether the user sets budgets at all."""
    if not any(has_role(user, role) for role in BUDGET_SETTERS):
        return False
    if employee is None:
        return True
    return _of_company_or_supervised(user, employee) and not is_own_record(user, employee)


def budget_employees(user: User, qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """The SQL form of `may_set_budgets(user, employee)`: the employees of `qs` whose budgets
    the user sets."""
    if is_company_admin(user):
        qs = qs.filter(company_id=company_id_of(user))
    elif is_supervisor(user):
        qs = qs.filter(company_id=company_id_of(user), supervisor=user)
    else:
        return qs.none()
    return qs.exclude(user=user)  # not their own (an employee without a login stays)


def may_define_kits(user: User) -> bool:
    """Company admins define the company's kits («Utstyrspakker»): names and items."""
    return is_company_admin(user)


def may_assign_kits(user: User, employee: Employee | None = None) -> bool:
    """Who gives an employee a kit: the same people, for the same employees, as their budget
    (`may_set_budgets`): a company admin any employee of the company, a supervisor their own;
    nobody their own record. Without `employee`: whether the user assigns kits at all."""
    return may_set_budgets(user, employee)


def kit_employees(user: User, qs: QuerySet[Employee]) -> QuerySet[Employee]:
    """The SQL form of `may_assign_kits(user, employee)`: that of `may_set_budgets`."""
    return budget_employees(user, qs)


def may_choose_recipients(user: User) -> bool:
    """Buyers, supervisors, approvers and company admins pick any employee for an order line;
    a budget holder who holds no other role orders for themselves only. Supplier staff order
    nothing."""
    if any(has_role(user, role) for role in RECIPIENT_CHOOSERS):
        return True
    return has_role(user, Role.BUYER) and not is_budget_holder(user)
