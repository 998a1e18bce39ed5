"""«Mine ansatte»: what writes beyond one employee: the imports of a file (employees, read and
checked by kvote.employees.exchange; sizes, by kvote.employees.size_exchange)."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kvote.catalog.services import employee_sizes_set_many
from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.employees.exchange import ImportRow, bad_rows, validate_employee_rows
from kvote.employees.size_exchange import SizeRow, bad_size_rows, validate_size_rows
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


class SizesImportError(ServiceError):
    """The sizes file had bad rows: nothing was changed; `rows` tells why."""

    def __init__(self, rows: list[SizeRow]) -> None:
        super().__init__(
            "import_invalid",
            _("Nothing was changed: %(count)s rows have errors.") % {"count": len(rows)},
        )
        self.rows = rows


def employee_sizes_import(*, actor: User, rows: Sequence[SizeRow]) -> int:
    """Set the sizes of every row's employee (the groups the file has columns for), all or
    none; returns how many employees. The rows are checked inside the transaction, and the
    write is the one of every size change (kvote.catalog.services)."""
    roles.require(actor, roles.may_manage_employees)
    with transaction.atomic():
        checked = validate_size_rows(actor=actor, rows=rows)
        bad = bad_size_rows(checked)
        if bad:
            raise SizesImportError(bad)
        changes = {row.employee_id: row.sizes for row in checked if row.employee_id is not None}
        employee_sizes_set_many(actor=actor, changes=changes)
    return len(changes)
