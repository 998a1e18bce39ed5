import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of, get_scoped_or_404
from kvote.people import roles
from kvote.people.models import Employee, Language, User


def user_language_set(*, actor: User, language: str) -> None:
    """Save the actor's language choice; unknown codes are ignored."""
    if language in Language.values and actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])


# «Mine ansatte»: add, edit and deactivate employees ------------------------------------------

EMPLOYEE_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,20}$")


class EmployeeErrorCode(models.TextChoices):
    NAME_EMPTY = "name_empty", "The name is empty."
    NUMBER_INVALID = "number_invalid", "The employee number is not valid."
    NUMBER_TAKEN = "number_taken", "The employee number is already used."
    NOT_YOURS = "not_yours", "Not one of the actor's employees."
    EMAIL_INVALID = "email_invalid", "The email address is not valid."
    EMAIL_UNKNOWN = "email_unknown", "No login of the company has this email."
    EMAIL_LINKED = "email_linked", "The login already belongs to another employee."
    SUPERVISOR_INVALID = "supervisor_invalid", "No supervisor or admin of the company has this id."


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError(EmployeeErrorCode.NAME_EMPTY, _("Enter the employee's name."))
    if len(name) > 200:
        raise ServiceError(
            EmployeeErrorCode.NAME_EMPTY, _("The name can be at most 200 characters.")
        )
    return name


def _clean_number(number: str) -> str:
    number = number.strip()
    if not EMPLOYEE_NUMBER_RE.fullmatch(number):
        raise ServiceError(
            EmployeeErrorCode.NUMBER_INVALID,
            _("The employee number must be 1–20 characters: digits, letters or hyphens."),
        )
    return number


def _number_taken_error(
    company_id: int, number: str, exclude_id: int | None
) -> ServiceError | None:
    holder = (
        Employee.objects.filter(company_id=company_id, number=number)
        .exclude(pk=exclude_id)
        .only("name", "is_active")
        .first()
    )
    if holder is None:
        return None
    message = (
        _("Employee number %(number)s is already used by %(name)s.")
        if holder.is_active
        else _("Employee number %(number)s is already used by %(name)s (deactivated).")
    )
    return ServiceError(
        EmployeeErrorCode.NUMBER_TAKEN, message % {"number": number, "name": holder.name}
    )


def _login_for(company_id: int, email: str) -> User | None:
    """The company's login with this email, to link to a new employee (None when no email)."""
    email = email.strip()
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(
            EmployeeErrorCode.EMAIL_INVALID, _("Enter a valid email address.")
        ) from exc
    user = User.objects.filter(company_id=company_id, email__iexact=email).first()
    if user is None:
        raise ServiceError(
            EmployeeErrorCode.EMAIL_UNKNOWN,
            _("Nobody in your company logs in with %(email)s. Leave the email empty.")
            % {"email": email},
        )
    if Employee.objects.filter(user=user).exists():
        raise ServiceError(
            EmployeeErrorCode.EMAIL_LINKED,
            _("The login %(email)s already belongs to another employee.") % {"email": email},
        )
    return user


def _supervisor_for(actor: User, company_id: int, supervisor_id: int | None) -> User:
    """Who supervises a new employee: the actor, or (chosen by a company admin) another active
    supervisor or admin of the company."""
    if supervisor_id is None or supervisor_id == actor.pk:
        return actor
    if not roles.is_company_admin(actor):
        raise ServiceError(
            EmployeeErrorCode.NOT_YOURS,
            _("Only a company admin can add an employee for another supervisor."),
        )
    supervisor = roles.employee_managers(
        User.objects.filter(company_id=company_id, pk=supervisor_id, is_active=True)
    ).first()
    if supervisor is None:
        raise ServiceError(
            EmployeeErrorCode.SUPERVISOR_INVALID,
            _("Choose an active supervisor or company admin of your company as supervisor."),
        )
    return supervisor


def _managed_employee(actor: User, employee_id: int) -> Employee:
    """An employee the actor may change: admins any of the company's, supervisors their own.
    Other companies' employees and actors without the role: 404."""
    if not roles.may_manage_employees(actor):
        company_id_of(actor)
        raise Http404
    employee = get_scoped_or_404(Employee.objects.select_for_update(), actor, pk=employee_id)
    if not roles.may_manage_employees(actor, employee):
        raise ServiceError(
            EmployeeErrorCode.NOT_YOURS,
            _("%(name)s is not one of your employees.") % {"name": employee.name},
        )
    return employee


def _save_guarded(employee: Employee, company_id: int, number: str, **save: Any) -> None:
    """Save, turning the race on a duplicate number (the unique constraint) into the message."""
    try:
        with transaction.atomic():
            employee.save(**save)
    except IntegrityError as exc:
        error = _number_taken_error(company_id, number, employee.pk)
        if error is None:
            raise
        raise error from exc


def employee_create(
    *, actor: User, name: str, number: str, email: str = "", supervisor_id: int | None = None
) -> Employee:
    """Add an employee to the actor's company, supervised by the actor (or by the supervisor a
    company admin names). The number is unique in the company; an email links the company's
    login with that address."""
    company_id = company_id_of(actor)
    if not roles.may_manage_employees(actor):
        raise Http404
    name, number = _clean_name(name), _clean_number(number)
    supervisor = _supervisor_for(actor, company_id, supervisor_id)
    with transaction.atomic():
        error = _number_taken_error(company_id, number, None)
        if error is not None:
            raise error
        employee = Employee(
            company_id=company_id,
            name=name,
            number=number,
            supervisor=supervisor,
            user=_login_for(company_id, email),
        )
        _save_guarded(employee, company_id, number)
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
    (None: neither). Order history keeps the name and number it had."""
    with transaction.atomic():
        employee = _managed_employee(actor, employee_id)
        name = employee.name if name is None else _clean_name(name)
        number = employee.number if number is None else _clean_number(number)
        if number != employee.number:
            error = _number_taken_error(employee.company_id, number, employee.pk)
            if error is not None:
                raise error
        employee.name, employee.number = name, number
        if active is not None:
            employee.is_active = active
        _save_guarded(
            employee,
            employee.company_id,
            number,
            update_fields=["name", "number", "is_active", "updated_at"],
        )
    return employee


def employee_deactivate(*, actor: User, employee_id: int) -> Employee:
    """An employee who left: gone from the lists and the recipient picker; history stays."""
    with transaction.atomic():
        employee = _managed_employee(actor, employee_id)
        if employee.is_active:
            employee.is_active = False
            employee.save(update_fields=["is_active"])
    return employee
