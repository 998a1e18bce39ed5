"""«Mine ansatte» in and out of spreadsheets: the export writers and the employee import.

Exports: one `Sheet` (headers and typed rows) written as CSV or xlsx. CSV follows the UI
language: Norwegian gets semicolons and a decimal comma (what Excel in Norway opens directly),
English gets commas and a decimal point; both are UTF-8 with a BOM and ISO dates. xlsx holds
real numbers and real dates.

Import: `parse_employee_csv` reads the file; `validate_employee_rows` checks every row against
the company (nothing is written); `services.employee_import` writes them all or none.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kvote.common.money import ZERO
from kvote.common.tenancy import scoped
from kvote.ordering.models import OrderLine
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.services import EMPLOYEE_NUMBER_RE

Cell = str | int | Decimal | date | None

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd.mm.yyyy"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)


def _csv_cell(value: Cell, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(sheet: Sheet, language: str | None = None) -> bytes:
    """UTF-8 with BOM; `;` and decimal comma for Norwegian, `,` and decimal point for English."""
    language = language or get_language() or "nb"
    norwegian = not language.startswith("en")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if norwegian else ",", lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_csv_cell(value, norwegian) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(sheet: Sheet) -> bytes:
    """Real numbers (Decimal is written exactly) and real dates, a bold frozen header row."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet.title[:31]
    ws.append(sheet.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        ws.append(row)
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for index, header in enumerate(sheet.headers, start=1):
        width = sheet.widths[index - 1] if index <= len(sheet.widths) else 14
        ws.column_dimensions[get_column_letter(index)].width = max(width, len(header) + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Import -------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
NAME_MAX = 200

HEADER_ALIASES = {
    "name": {"name", "navn", "full name", "fullt navn"},
    "number": {"number", "employee number", "nummer", "ansattnummer", "ansattnr", "ansattnr."},
    "email": {"email", "e-mail", "e-post", "epost"},
    "supervisor_email": {
        "supervisor email",
        "supervisor's email",
        "supervisor e-mail",
        "supervisor",
        "leder",
        "leders e-post",
        "leder e-post",
        "leders epost",
        "leder epost",
    },
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not its rows: those get a reason each)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportRow:
    line: int
    name: str
    number: str
    email: str = ""
    supervisor_email: str = ""
    errors: list[str] = field(default_factory=list)
    supervisor: User | None = None
    login: User | None = None

    def as_data(self) -> dict[str, Any]:
        """What the session carries between the preview and the confirmation."""
        return {
            "line": self.line,
            "name": self.name,
            "number": self.number,
            "email": self.email,
            "supervisor_email": self.supervisor_email,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ImportRow":
        return cls(
            line=int(data["line"]),
            name=str(data["name"]),
            number=str(data["number"]),
            email=str(data.get("email", "")),
            supervisor_email=str(data.get("supervisor_email", "")),
        )


def _header_key(text: str) -> str | None:
    cleaned = " ".join(text.strip().lower().replace("_", " ").split())
    for key, aliases in HEADER_ALIASES.items():
        if cleaned in aliases:
            return key
    return None


def parse_employee_csv(content: bytes) -> list[ImportRow]:
    """The rows of an uploaded CSV (header row required; `,` or `;`; UTF-8 with or without BOM).

    Raises ImportFileError when the file as a whole is unusable."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than 1 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ImportFileError(_("The file is empty."))
        keys = [_header_key(cell) for cell in header]
        if "name" not in keys or "number" not in keys:
            raise ImportFileError(
                _(
                    "The first row must name the columns: name, number, email, "
                    "supervisor email (name and number are required)."
                )
            )
        rows: list[ImportRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows.") % {"max": MAX_IMPORT_ROWS}
                )
            values = {
                key: cells[i].strip()
                for i, key in enumerate(keys)
                if key is not None and i < len(cells)
            }
            rows.append(
                ImportRow(
                    line=reader.line_num,
                    name=" ".join(values.get("name", "").split()),
                    number=values.get("number", ""),
                    email=values.get("email", "").lower(),
                    supervisor_email=values.get("supervisor_email", "").lower(),
                )
            )
    except csv.Error as exc:
        raise ImportFileError(
            _("The file could not be read as CSV (line %(line)s).") % {"line": reader.line_num}
        ) from exc
    if not rows:
        raise ImportFileError(_("The file has no employees below the header row."))
    return rows


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def validate_employee_rows(*, actor: User, rows: Sequence[ImportRow]) -> list[ImportRow]:
    """Check every row; fill `errors`, `supervisor` and `login`. Reads only, in three queries."""
    numbers = {row.number for row in rows if row.number}
    taken = set(scoped(Employee, actor).filter(number__in=numbers).values_list("number", flat=True))
    emails = {row.email for row in rows if row.email} | {
        row.supervisor_email for row in rows if row.supervisor_email
    }
    users = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("employee")
    }
    first_line: dict[str, int] = {}
    first_email: dict[str, int] = {}
    for row in rows:
        row.errors = []
        row.supervisor = None
        row.login = None
        if not row.name:
            row.errors.append(_("The name is empty."))
        elif len(row.name) > NAME_MAX:
            row.errors.append(_("The name is longer than %(max)s characters.") % {"max": NAME_MAX})
        if not row.number:
            row.errors.append(_("The employee number is empty."))
        elif not EMPLOYEE_NUMBER_RE.fullmatch(row.number):
            row.errors.append(
                _("The employee number must be 1–20 characters: digits, letters or hyphens.")
            )
        elif row.number in first_line:
            row.errors.append(
                _("Employee number %(number)s is also on line %(line)s of the file.")
                % {"number": row.number, "line": first_line[row.number]}
            )
        elif row.number in taken:
            row.errors.append(
                _("Employee number %(number)s is already used in the company.")
                % {"number": row.number}
            )
        if row.number:
            first_line.setdefault(row.number, row.line)
        _check_email(actor, row, users)
        if row.email and row.login is not None:
            if row.email in first_email:
                row.errors.append(
                    _("The email %(email)s is also on line %(line)s of the file.")
                    % {"email": row.email, "line": first_email[row.email]}
                )
            first_email.setdefault(row.email, row.line)
        _check_supervisor(actor, row, users)
    return list(rows)


def _check_email(actor: User, row: ImportRow, users: Mapping[str, User]) -> None:
    """An email links the new employee to the company's login with that address, as when
    adding one employee (services.employee_create); an address without a login is an error."""
    if not row.email:
        return
    if not _valid_email(row.email):
        row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": row.email})
        return
    user = users.get(row.email)
    if user is None or user.company_id != actor.company_id:
        row.errors.append(
            _("Nobody in your company logs in with %(email)s. Leave the email empty.")
            % {"email": row.email}
        )
    elif hasattr(user, "employee"):
        row.errors.append(
            _("The login %(email)s already belongs to employee %(number)s.")
            % {"email": row.email, "number": user.employee.number}
        )
    else:
        row.login = user


def _check_supervisor(actor: User, row: ImportRow, users: Mapping[str, User]) -> None:
    own = actor.email.lower()
    if not roles.is_company_admin(actor):
        # A supervisor imports their own employees only.
        if row.supervisor_email and row.supervisor_email != own:
            row.errors.append(_("You may only import employees with yourself as supervisor."))
            return
        row.supervisor = actor
        return
    if not row.supervisor_email:
        row.supervisor = actor if roles.is_supervisor(actor) else None
        return
    user = users.get(row.supervisor_email)
    if user is None or user.company_id != actor.company_id or not user.is_active:
        row.errors.append(
            _("No user of the company has the supervisor email %(email)s.")
            % {"email": row.supervisor_email}
        )
    elif not roles.is_supervisor(user):
        row.errors.append(
            _("%(name)s is not a supervisor.") % {"name": user.full_name or user.email}
        )
    else:
        row.supervisor = user


def bad_rows(rows: Iterable[ImportRow]) -> list[ImportRow]:
    return [row for row in rows if row.errors]


# --- The sheets of «Mine ansatte» -----------------------------------------------------------


def employees_sheet(employees: Iterable[Employee], figures: dict[int, Any]) -> Sheet:
    """The list: number, name, supervisor, budget, remaining, bought in the period."""
    sheet = Sheet(
        title=_("Employees"),
        headers=[
            _("Employee number"),
            _("Name"),
            _("Supervisor"),
            _("Budget"),
            _("Remaining"),
            _("Bought in period"),
        ],
        widths=[16, 30, 30, 14, 14, 18],
    )
    for employee in employees:
        budget = figures.get(employee.pk)
        supervisor = employee.supervisor
        sheet.rows.append(
            [
                employee.number,
                employee.name,
                (supervisor.full_name or supervisor.email) if supervisor else "",
                budget.amount if budget else None,
                budget.remaining if budget else None,
                employee.total,  # type: ignore[attr-defined]
            ]
        )
    return sheet


def purchases_sheet(lines: Iterable[OrderLine]) -> Sheet:
    """The drill-down: one row per order line, newest first, and a total row."""
    sheet = Sheet(
        title=_("Purchases"),
        headers=[
            _("Date"),
            _("Order number"),
            _("Item number"),
            _("Product"),
            _("Colour"),
            _("Size"),
            _("Quantity"),
            _("Unit price"),
            _("Line total"),
        ],
        widths=[12, 16, 14, 34, 16, 8, 10, 14, 14],
    )
    total = ZERO
    for line in lines:
        total += line.line_total
        sheet.rows.append(
            [
                timezone.localtime(line.order.placed_at).date(),
                line.order.number,
                line.item_number,
                line.display_product_name,
                line.display_colour,
                line.size,
                line.quantity,
                line.unit_price,
                line.line_total,
            ]
        )
    sheet.rows.append([_("Total"), None, None, None, None, None, None, None, total])
    return sheet
