"""The rules of one employee, for every way employees are added or changed: one at a time
(kvote.people.services, behind the «Mine ansatte» page and the API), a file of them
(kvote.employees: the import), and later SCIM provisioning. Each rule is written once, here.

- the name: one line of clean text (kvote.common.text), not empty, at most 200 characters;
- the employee number: 1–20 digits, letters or hyphens, unique in the company (the message
  names who holds it, and says when they are deactivated);
- the login: an email links the employee to the login of the same company with that address,
  which must not belong to another employee already;
- the supervisor: see `employee_supervisor_check`;
- nobody supervises their own employee record: see `employee_self_supervision_check` (the
  database holds it too, constraint `employee_not_own_supervisor`).

The rules that need the company's data read it from `EmployeeLookups`, fetched for every row at
once in a fixed number of queries (`employee_lookups`): one row or five thousand, the same
queries. A row's check gives each broken rule as a ServiceError whose `field` says which input
it belongs to: the import lists them all, the single add raises the first.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.common.text import clean_line, normalise_line
from kvote.people import roles
from kvote.people.access import login_identity
from kvote.people.models import Employee, User

EMPLOYEE_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,20}$")
NAME_MAX = 200
NUMBER_MAX = 20
EMAIL_MAX = 254


class EmployeeErrorCode(models.TextChoices):
    NAME_EMPTY = "name_empty", "The name is empty."
    NAME_TOO_LONG = "name_too_long", "The name is too long."
    NUMBER_INVALID = "number_invalid", "The employee number is not valid."
    NUMBER_TAKEN = "number_taken", "The employee number is already used."
    NOT_YOURS = "not_yours", "Not one of the actor's employees."
    EMAIL_INVALID = "email_invalid", "The email address is not valid."
    EMAIL_UNKNOWN = "email_unknown", "No login of the company has this email."
    EMAIL_LINKED = "email_linked", "The login already belongs to another employee."
    SUPERVISOR_INVALID = "supervisor_invalid", "No supervisor or admin of the company has this id."
    OWN_SUPERVISOR = "own_supervisor", "The login would supervise its own employee record."


@dataclass(frozen=True)
class EmployeeInput:
    """One new employee as asked for: typed in a form, sent to the API, or a row of a file.
    A supervisor is named by id (the API) or by email (a file), or not at all."""

    name: str
    number: str
    email: str = ""
    supervisor_id: int | None = None
    supervisor_email: str = ""
    line: int | None = None  # the row's line in a file


@dataclass
class CheckedEmployee:
    """A row after the rules: the cleaned values (shown as cleaned even where a rule failed),
    the login and supervisor they name, and every rule the row breaks."""

    name: str
    number: str
    email: str
    supervisor_email: str = ""
    login: User | None = None
    supervisor: User | None = None
    errors: list[ServiceError] = field(default_factory=list)


@dataclass
class EmployeeLookups:
    """What the rules need to know about the company, for a batch of rows: the employees that
    hold the batch's numbers, and the company's logins with the batch's emails or ids (each
    with its employee, if any). A check also notes what its row took, so a later row of the
    same batch cannot take it again."""

    company_id: int
    holders: dict[str, Employee]
    users_by_email: dict[str, User]
    users_by_id: dict[int, User]
    numbers_taken_by_line: dict[str, int | None] = field(default_factory=dict)
    logins_taken_by_line: dict[int, int | None] = field(default_factory=dict)


def _email_key(value: str) -> str:
    return login_identity(value)


def employee_lookups(
    *,
    company_id: int,
    numbers: Iterable[str] = (),
    emails: Iterable[str] = (),
    user_ids: Iterable[int] = (),
    exclude_employee_id: int | None = None,
) -> EmployeeLookups:
    """The lookups for these numbers, emails and user ids, in at most two queries whatever
    their number (none for what is not asked). `exclude_employee_id`: the employee being
    changed, who does not hold their own number against themselves."""
    numbers = {normalise_line(number) for number in numbers} - {""}
    emails = {_email_key(email) for email in emails} - {""}
    user_ids = set(user_ids)
    holders: dict[str, Employee] = {}
    if numbers:
        found = Employee.objects.filter(company_id=company_id, number__in=numbers)
        if exclude_employee_id is not None:
            found = found.exclude(pk=exclude_employee_id)
        holders = {e.number: e for e in found.only("number", "name", "is_active")}
    users: list[User] = []
    if emails or user_ids:
        users = list(
            User.objects.filter(company_id=company_id)
            .annotate(email_lower=Lower("email"))
            .filter(models.Q(email_lower__in=emails) | models.Q(pk__in=user_ids))
            .select_related("employee")
        )
    return EmployeeLookups(
        company_id=company_id,
        holders=holders,
        users_by_email={_email_key(user.email): user for user in users},
        users_by_id={user.pk: user for user in users},
    )


def employee_lookups_for(*, company_id: int, rows: Sequence[EmployeeInput]) -> EmployeeLookups:
    return employee_lookups(
        company_id=company_id,
        numbers=[row.number for row in rows],
        emails=[row.email for row in rows] + [row.supervisor_email for row in rows],
        user_ids=[row.supervisor_id for row in rows if row.supervisor_id is not None],
    )


# The rules ----------------------------------------------------------------------------------


def employee_name_clean(value: str) -> str:
    """One line of clean text, not empty, at most 200 characters."""
    name = clean_line(
        value,
        max_length=NAME_MAX,
        label=_("The name"),
        code=EmployeeErrorCode.NAME_TOO_LONG,
        field="name",
    )
    if not name:
        raise ServiceError(
            EmployeeErrorCode.NAME_EMPTY, _("Enter the employee's name."), field="name"
        )
    return name


def employee_number_clean(value: str) -> str:
    """1–20 digits, letters or hyphens (surrounding spaces are dropped)."""
    number = clean_line(
        value,
        max_length=NUMBER_MAX,
        label=_("The employee number"),
        code=EmployeeErrorCode.NUMBER_INVALID,
        field="number",
    )
    if not number:
        raise ServiceError(
            EmployeeErrorCode.NUMBER_INVALID, _("Enter the employee number."), field="number"
        )
    if not EMPLOYEE_NUMBER_RE.fullmatch(number):
        raise ServiceError(
            EmployeeErrorCode.NUMBER_INVALID,
            _("The employee number must be 1–20 characters: digits, letters or hyphens."),
            field="number",
        )
    return number


def employee_number_check(
    number: str, lookups: EmployeeLookups, *, line: int | None = None
) -> None:
    """A (clean) number nobody else in the company holds, nor an earlier row of the batch."""
    if number in lookups.numbers_taken_by_line:
        raise ServiceError(
            EmployeeErrorCode.NUMBER_TAKEN,
            _("Employee number %(number)s is also on line %(line)s of the file.")
            % {"number": number, "line": lookups.numbers_taken_by_line[number]},
            field="number",
        )
    lookups.numbers_taken_by_line[number] = line
    holder = lookups.holders.get(number)
    if holder is None:
        return
    message = (
        _("Employee number %(number)s is already used by %(name)s.")
        if holder.is_active
        else _("Employee number %(number)s is already used by %(name)s (deactivated).")
    )
    raise ServiceError(
        EmployeeErrorCode.NUMBER_TAKEN,
        message % {"number": number, "name": holder.name},
        field="number",
    )


def employee_email_clean(value: str) -> str:
    """An email address as its login identity (lower case), or "" when none is given."""
    email = login_identity(
        clean_line(
            value,
            max_length=EMAIL_MAX,
            label=_("The email address"),
            code=EmployeeErrorCode.EMAIL_INVALID,
            field="email",
        )
    )
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(
            EmployeeErrorCode.EMAIL_INVALID,
            _("“%(email)s” is not a valid email address.") % {"email": email},
            field="email",
        ) from exc
    return email


def employee_login_check(
    email: str, lookups: EmployeeLookups, *, line: int | None = None
) -> User | None:
    """The login a (clean) email links the employee to: the company's login with that address,
    not yet linked to an employee (nor to an earlier row of the batch). None without an email."""
    if not email:
        return None
    user = lookups.users_by_email.get(email)
    if user is None:
        raise ServiceError(
            EmployeeErrorCode.EMAIL_UNKNOWN,
            _("Nobody in your company logs in with %(email)s. Leave the email empty.")
            % {"email": email},
            field="email",
        )
    linked = getattr(user, "employee", None)
    if linked is not None:
        raise ServiceError(
            EmployeeErrorCode.EMAIL_LINKED,
            _("The login %(email)s already belongs to employee %(number)s.")
            % {"email": email, "number": linked.number},
            field="email",
        )
    if user.pk in lookups.logins_taken_by_line:
        raise ServiceError(
            EmployeeErrorCode.EMAIL_LINKED,
            _("The email %(email)s is also on line %(line)s of the file.")
            % {"email": email, "line": lookups.logins_taken_by_line[user.pk]},
            field="email",
        )
    lookups.logins_taken_by_line[user.pk] = line
    return user


def may_supervise(user: User, *, company_id: int) -> bool:
    """Whether `user` may be named supervisor of the company's employees: an active user of
    that company who is a supervisor or a company admin."""
    return user.company_id == company_id and user.is_active and roles.may_manage_employees(user)


def supervisors(*, company_id: int) -> QuerySet[User]:
    """The SQL form of `may_supervise`: the users who may be named supervisor in the company
    (the choices a company admin picks from when adding an employee)."""
    return roles.employee_managers(User.objects.filter(company_id=company_id, is_active=True))


def may_name_supervisor(actor: User) -> bool:
    """Whether the actor may name someone else than themselves as a new employee's supervisor:
    a company admin (see `employee_supervisor_check`; the add form offers the choice only then)."""
    return roles.is_company_admin(actor)


def employee_supervisor_check(
    *,
    actor: User,
    lookups: EmployeeLookups,
    supervisor_id: int | None = None,
    supervisor_email: str = "",
) -> User:
    """Who supervises a new employee (the actor is a supervisor or a company admin of the
    company). The rule, the same for the page, the API, the import and SCIM:

    - None named: the actor, a company admin included: whoever adds an employee is
      responsible for them until they name another supervisor.
    - Naming themselves is always allowed.
    - A supervisor who is not a company admin may name only themselves (`not_yours`).
    - A company admin may name an active user of the same company who is a supervisor or a
      company admin (`supervisor_invalid` otherwise: unknown, another company's, deactivated,
      or a user with neither role).

    The supervisor is named by id or by email (as its login identity)."""
    if supervisor_id is None and not supervisor_email:
        return actor
    if supervisor_id == actor.pk or (
        supervisor_email and supervisor_email == _email_key(actor.email)
    ):
        return actor
    if not may_name_supervisor(actor):
        raise ServiceError(
            EmployeeErrorCode.NOT_YOURS,
            _("Only a company admin can add an employee for another supervisor."),
            field="supervisor",
        )
    named = (
        lookups.users_by_id.get(supervisor_id)
        if supervisor_id is not None
        else lookups.users_by_email.get(supervisor_email)
    )
    if named is None or not may_supervise(named, company_id=lookups.company_id):
        raise ServiceError(
            EmployeeErrorCode.SUPERVISOR_INVALID,
            _("Choose an active supervisor or company admin of your company as supervisor."),
            field="supervisor",
        )
    return named


def employee_self_supervision_check(*, login: User | None, supervisor: User | None) -> None:
    """Nobody supervises their own employee record: the login linked to an employee is never
    that employee's supervisor. Whoever supervises an employee sets their budget and decides
    their orders, so a login that supervised itself would set its own budget and approve its
    own orders. The one rule for every way an employee gets a login or a supervisor: the page
    and the API (`employee_row_check`), the import (the same), the back office (the employee
    form of kvote.people.admin), in whichever order the two are set; the database holds it
    too (Employee's constraint `employee_not_own_supervisor`)."""
    if login is None or supervisor is None or login.pk != supervisor.pk:
        return
    raise ServiceError(
        EmployeeErrorCode.OWN_SUPERVISOR,
        _(
            "%(email)s cannot be the supervisor of their own employee record: leave the "
            "login out, or choose another supervisor."
        )
        % {"email": login.email},
        field="email",
    )


# A row ---------------------------------------------------------------------------------------


def employee_row_check(
    *, actor: User, row: EmployeeInput, lookups: EmployeeLookups
) -> CheckedEmployee:
    """Every rule on one new employee, without a query (`lookups` holds what the rules need,
        and notes what the row takes). Errors in the order supervisor, name, number, email (an
    email's error also when its login would be the row's own supervisor)."""
    checked = CheckedEmployee(
        name=normalise_line(row.name),
        number=normalise_line(row.number),
        email=_email_key(row.email),
        supervisor_email=_email_key(row.supervisor_email),
    )
    try:
        checked.supervisor = employee_supervisor_check(
            actor=actor,
            lookups=lookups,
            supervisor_id=row.supervisor_id,
            supervisor_email=checked.supervisor_email,
        )
    except ServiceError as exc:
        checked.errors.append(exc)
    try:
        checked.name = employee_name_clean(row.name)
    except ServiceError as exc:
        checked.errors.append(exc)
    try:
        checked.number = employee_number_clean(row.number)
        employee_number_check(checked.number, lookups, line=row.line)
    except ServiceError as exc:
        checked.errors.append(exc)
    try:
        checked.email = employee_email_clean(row.email)
        checked.login = employee_login_check(checked.email, lookups, line=row.line)
        employee_self_supervision_check(login=checked.login, supervisor=checked.supervisor)
    except ServiceError as exc:
        checked.errors.append(exc)
    return checked


def employee_rows_check(*, actor: User, rows: Sequence[EmployeeInput]) -> list[CheckedEmployee]:
    """Every rule on each row, in two queries whatever the number of rows (reads only)."""
    lookups = employee_lookups_for(company_id=company_id_of(actor), rows=rows)
    return [employee_row_check(actor=actor, row=row, lookups=lookups) for row in rows]
