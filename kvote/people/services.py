from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.people import roles
from kvote.people.access import login_identity
from kvote.people.employee_rules import (
    EmployeeErrorCode,
    EmployeeInput,
    employee_login_check,
    employee_lookups,
    employee_name_clean,
    employee_number_check,
    employee_number_clean,
    employee_rows_check,
)
from kvote.people.models import Employee, Language, User
from kvote.people.selectors import access_employee


def user_language_set(*, actor: User, language: str) -> None:
    """Save the actor's language choice; unknown codes are ignored."""
    if language in Language.values and actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])


# «Mine ansatte»: add, edit and deactivate employees ------------------------------------------
# The rules of one employee live in kvote.people.employee_rules (the import calls them too).


def _managed_employee(actor: User, employee_id: int) -> Employee:
    """An employee the actor may change, locked: admins any of the company's, supervisors their
    own (another supervisor's: refused with `not_yours`)."""
    employee = access_employee(actor=actor, employee_id=employee_id, for_update=True)
    if not roles.may_manage_employees(actor, employee):
        raise ServiceError(
            EmployeeErrorCode.NOT_YOURS,
            _("%(name)s is not one of your employees.") % {"name": employee.name},
        )
    return employee


def _save_guarded(employee: Employee, **save: Any) -> None:
    """Save, turning the race on a number (or, for a new employee, a login) taken meanwhile
    into the rule's message: the unique constraints hold, the rules explain."""
    try:
        with transaction.atomic():
            employee.save(**save)
    except IntegrityError as exc:
        new = "update_fields" not in save
        login = employee.user if new else None
        lookups = employee_lookups(
            company_id=employee.company_id,
            numbers=[employee.number],
            emails=[login.email] if login else [],
            exclude_employee_id=None if new else employee.pk,
        )
        try:
            employee_number_check(employee.number, lookups)
            employee_login_check(login_identity(login.email) if login else "", lookups)
        except ServiceError as error:
            raise error from exc
        raise


def employee_create(
    *, actor: User, name: str, number: str, email: str = "", supervisor_id: int | None = None
) -> Employee:
    """Add an employee to the actor's company. The rules (kvote.people.employee_rules, the
    same as the import's) decide the name, the number, the login an email links and the
    supervisor: the actor unless a company admin names another. The first broken rule is
    raised, with the field it belongs to."""
    company_id = company_id_of(actor)
    roles.require(actor, roles.may_manage_employees)
    row = EmployeeInput(name=name, number=number, email=email, supervisor_id=supervisor_id)
    with transaction.atomic():
        checked = employee_rows_check(actor=actor, rows=[row])[0]
        if checked.errors:
            raise checked.errors[0]
        employee = Employee(
            company_id=company_id,
            name=checked.name,
            number=checked.number,
            supervisor=checked.supervisor,
            user=checked.login,
        )
        _save_guarded(employee)
    return employee


def employee_update(
    *,
    actor: User,
    employee_id: int,
    name: str | None = None,
    number: str | None = None,
    active: bool | None = None,
) -> Employee:
    """Change an employee's name and number (None: keep it), and deactivate or reactivate them
    (None: neither), by the rules of kvote.people.employee_rules. Order history keeps the name
    and number it had."""
    with transaction.atomic():
        employee = _managed_employee(actor, employee_id)
        name = employee.name if name is None else employee_name_clean(name)
        number = employee.number if number is None else employee_number_clean(number)
        if number != employee.number:
            lookups = employee_lookups(
                company_id=employee.company_id, numbers=[number], exclude_employee_id=employee.pk
            )
            employee_number_check(number, lookups)
        employee.name, employee.number = name, number
        if active is not None:
            employee.is_active = active
        _save_guarded(employee, update_fields=["name", "number", "is_active", "updated_at"])
    return employee


def employee_deactivate(*, actor: User, employee_id: int) -> Employee:
    """An employee who left: gone from the lists and the recipient picker; history stays."""
    with transaction.atomic():
        employee = _managed_employee(actor, employee_id)
        if employee.is_active:
            employee.is_active = False
            employee.save(update_fields=["is_active"])
    return employee
