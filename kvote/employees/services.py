"""«Mine ansatte»: what writes beyond one employee: the import of a file
(kvote.employees.exchange reads and checks it)."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.employees.exchange import ImportRow, bad_rows, validate_employee_rows
from kvote.people import roles
from kvote.people.models import Employee, User


class EmployeeImportError(ServiceError):
    """The file had bad rows when it was written: nothing was imported; `rows` tells why."""

    def __init__(self, rows: list[ImportRow]) -> None:
        super().__init__(
            "import_invalid",
            _("Nothing was imported: %(count)s rows have errors.") % {"count": len(rows)},
        )
        self.rows = rows


def employee_import(*, actor: User, rows: Sequence[ImportRow]) -> list[Employee]:
    """Create one employee per row, all or none. The rows are checked again inside the
    transaction (the company may have changed since the preview)."""
    company_id = company_id_of(actor)
    roles.require(actor, roles.may_manage_employees)
    with transaction.atomic():
        checked = validate_employee_rows(actor=actor, rows=rows)
        bad = bad_rows(checked)
        if bad:
            raise EmployeeImportError(bad)
        employees = [
            Employee(
                company_id=company_id,
                name=row.name,
                number=row.number,
                supervisor=row.supervisor,
                user=row.login,
            )
            for row in checked
        ]
        try:
            with transaction.atomic():
                Employee.objects.bulk_create(employees)
        except IntegrityError as exc:  # a number or login taken by someone else meanwhile
            raise EmployeeImportError(
                bad_rows(validate_employee_rows(actor=actor, rows=rows))
            ) from exc
    return employees
