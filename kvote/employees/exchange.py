"""«Mine ansatte» in and out of spreadsheets: the sheets it exports and the employee import.

Exports: `employees_sheet` and `purchases_sheet` build a `Sheet` of typed rows;
kvote.common.exports writes it as CSV or xlsx (and holds the rule for a cell of every export).

Import: `parse_employee_csv` reads the file; `validate_employee_rows` checks every row against
the company (nothing is written); `services.employee_import` writes them all or none.
"""

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.budgets.selectors import BudgetFigures
from kvote.common.exports import Sheet
from kvote.common.money import ZERO
from kvote.common.text import normalise_line
from kvote.companies.periods import Period
from kvote.employees.periods import ChosenPeriod
from kvote.kits.selectors import EmployeeKit
from kvote.ordering.models import OrderLine
from kvote.people.employee_rules import EmployeeInput, employee_rows_check
from kvote.people.models import Employee, User

# --- Import -------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000

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


def header_key(text: str, aliases: Mapping[str, Collection[str]]) -> str | None:
    """The key of `aliases` whose names include a header cell (read as one line, without
    regard to case; `_` reads as a space), or None."""
    cleaned = normalise_line(text.replace("_", " ")).lower()
    for key, names in aliases.items():
        if cleaned in names:
            return key
    return None


def read_csv_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows (line number, cells) of an uploaded CSV, rows without any
    text left out: `,` or `;` (whichever the first line has more of), UTF-8 with or without
    BOM, at most MAX_IMPORT_BYTES and MAX_IMPORT_ROWS rows. Every import of «Mine ansatte»
    reads its file here. Raises ImportFileError when the file as a whole is unusable (empty,
    too large, not UTF-8, not CSV)."""
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
        if header is None or not any(normalise_line(cell) for cell in header):
            raise ImportFileError(_("The file is empty."))
        rows: list[tuple[int, list[str]]] = []
        for cells in reader:
            if not any(normalise_line(cell) for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows.") % {"max": MAX_IMPORT_ROWS}
                )
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ImportFileError(
            _("The file could not be read as CSV (line %(line)s).") % {"line": reader.line_num}
        ) from exc
    return header, rows


def parse_employee_csv(content: bytes) -> list[ImportRow]:
    """The rows of an uploaded CSV (header row required; read by `read_csv_rows`).

    Raises ImportFileError when the file as a whole is unusable."""
    header, lines = read_csv_rows(content)
    keys = [header_key(cell, HEADER_ALIASES) for cell in header]
    if "name" not in keys or "number" not in keys:
        raise ImportFileError(
            _(
                "The first row must name the columns: name, number, email, "
                "supervisor email (name and number are required)."
            )
        )
    rows: list[ImportRow] = []
    for line, cells in lines:
        # Each cell cleaned as one line; the employee rules check the row.
        values = {
            key: normalise_line(cells[i])
            for i, key in enumerate(keys)
            if key is not None and i < len(cells)
        }
        rows.append(
            ImportRow(
                line=line,
                name=values.get("name", ""),
                number=values.get("number", ""),
                email=values.get("email", ""),
                supervisor_email=values.get("supervisor_email", ""),
            )
        )
    if not rows:
        raise ImportFileError(_("The file has no employees below the header row."))
    return rows


def validate_employee_rows(*, actor: User, rows: Sequence[ImportRow]) -> list[ImportRow]:
    """Check every row by the employee rules (kvote.people.employee_rules, the same as adding
    one employee); fill `errors` (every broken rule), the cleaned values, `supervisor` and
    `login`. Reads only, in two queries whatever the number of rows."""
    inputs = [
        EmployeeInput(
            name=row.name,
            number=row.number,
            email=row.email,
            supervisor_email=row.supervisor_email,
            line=row.line,
        )
        for row in rows
    ]
    for row, checked in zip(rows, employee_rows_check(actor=actor, rows=inputs), strict=True):
        row.name, row.number, row.email = checked.name, checked.number, checked.email
        row.supervisor_email = checked.supervisor_email
        row.supervisor, row.login = checked.supervisor, checked.login
        row.errors = [error.message for error in checked.errors]
    return list(rows)


def bad_rows(rows: Iterable[ImportRow]) -> list[ImportRow]:
    return [row for row in rows if row.errors]


# --- The sheets of «Mine ansatte» -----------------------------------------------------------


def employees_sheet(
    employees: Iterable[Employee],
    figures: dict[int, BudgetFigures],
    *,
    budget_period: Period,
    chosen: ChosenPeriod,
    kits: dict[int, EmployeeKit],
) -> Sheet:
    """The list, with the page's columns: number, name, supervisor, budget, spent, remaining
    (budget − spent), bought in the period, and the kit: its name, the pieces it allows, those
    used (each item up to what it allows, as the page's «5 av 8 brukt») and those remaining
    (allowed − used). Each figure's heading says its period: the budget period for the budget's
    and the kit's, the chosen period for what was bought."""
    budget_days = budget_period.label()
    sheet = Sheet(
        title=_("Employees"),
        headers=[
            _("Employee number"),
            _("Name"),
            _("Supervisor"),
            f"{_('Budget')} ({budget_days})",
            f"{_('Spent')} ({budget_days})",
            f"{_('Remaining')} ({budget_days})",
            f"{_('Bought in the period')} ({chosen.label()})",
            _("Kit"),
            *(
                f"{heading} ({budget_days})"
                for heading in (_("Kit: allowed"), _("Kit: used"), _("Kit: remaining"))
            ),
        ],
        widths=[16, 30, 30, 16, 16, 16, 22, 20, 16, 16, 16],
    )
    for employee in employees:
        budget = figures.get(employee.pk)
        kit = kits.get(employee.pk)
        supervisor = employee.supervisor
        sheet.rows.append(
            [
                employee.number,
                employee.name,
                (supervisor.full_name or supervisor.email) if supervisor else "",
                budget.amount if budget else None,
                budget.spent if budget else None,
                budget.remaining if budget else None,
                employee.total,  # type: ignore[attr-defined]
                kit.kit_name if kit else "",
                kit.allowed if kit else None,
                kit.used if kit else None,
                kit.allowed - kit.used if kit else None,
            ]
        )
    return sheet


def purchases_sheet(lines: Iterable[OrderLine], kit: EmployeeKit | None = None) -> Sheet:
    """The drill-down: one row per order line, newest first, and a total row; with a kit,
    after an empty row, the kit item by item as the page shows it: a heading row (the kit's
    name and budget period, then allowed, used, of which awaiting approval, remaining), then
    one row per item (remaining = allowed − used)."""
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
    if kit is not None:
        sheet.rows.append([])
        sheet.rows.append(
            [
                _("Kit: %(kit)s (%(period)s)")
                % {"kit": kit.kit_name, "period": kit.period.label()},
                _("Allowed"),
                _("Used"),
                _("Of which awaiting approval"),
                _("Remaining"),
            ]
        )
        for item in kit.items:
            sheet.rows.append([item.label, item.allowed, item.used, item.pending, item.remaining])
    return sheet
