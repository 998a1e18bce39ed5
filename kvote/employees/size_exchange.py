"""«Mine ansatte»: the employees' sizes in and out of a spreadsheet.

Export (`sizes_sheet`): the employees the actor keeps the sizes of, with their sizes, one column
per size group of the catalogue: a template to fill in and upload again.

Import: `parse_sizes_csv` reads the file (kvote.employees.exchange's `read_csv_rows`, as the
employee import): a column «ansattnummer» and one column per size group, headed by its key
(`shoes`) or its label in either language («Sko (EU)»); a name column may stand beside them and
is not read. `validate_size_rows` checks every cell by the one check of a size
(kvote.catalog.size_profiles.size_checked) and every number against the employees the actor
keeps the sizes of; `services.employee_sizes_import` writes them all or none. An empty cell
clears that size; a group without a column stays as it is.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from kvote.catalog.models import SizeGroup
from kvote.catalog.size_profiles import size_checked
from kvote.catalog.sizes import SizeGroupSizes, size_groups
from kvote.common.errors import ServiceError
from kvote.common.exports import Sheet
from kvote.common.text import normalise_line
from kvote.employees.exchange import HEADER_ALIASES, ImportFileError, header_key, read_csv_rows
from kvote.people import roles
from kvote.people.models import Employee, User

NUMBER = "number"
NAME = "name"


@dataclass
class SizeRow:
    line: int
    number: str
    cells: dict[str, str]  # group key → the cell as typed (cleaned as one line)
    errors: list[str] = field(default_factory=list)
    employee_id: int | None = None
    sizes: dict[str, str | None] = field(default_factory=dict)  # as stored, when no errors


def _header_aliases() -> dict[str, set[str]]:
    """The names a column may have: the employee number's and the name's (as the employee
    import reads them), and each group's key and label in every language of the portal."""
    aliases = {NUMBER: set(HEADER_ALIASES[NUMBER]), NAME: set(HEADER_ALIASES[NAME])}
    for group in SizeGroup:
        names = {group.value.replace("_", " ")}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(normalise_line(str(group.label)).lower())
        aliases[group.value] = names
    return aliases


def parse_sizes_csv(content: bytes) -> list[SizeRow]:
    """The rows of an uploaded sizes file. Raises ImportFileError when the file as a whole is
    unusable: no employee number column, no size group column, a column named twice or a
    column that is none of these (a misspelt group would otherwise be skipped unseen)."""
    header, lines = read_csv_rows(content)
    aliases = _header_aliases()
    keys = [header_key(cell, aliases) for cell in header]
    for cell, key in zip(header, keys, strict=True):
        if key is None and normalise_line(cell):
            raise ImportFileError(
                _(
                    "The column “%(column)s” is neither the employee number, the name nor a "
                    "size group. The size groups are: %(groups)s."
                )
                % {
                    "column": normalise_line(cell)[:40],
                    "groups": ", ".join(str(group.label) for group in SizeGroup),
                }
            )
    named = Counter(key for key in keys if key is not None)
    if twice := [key for key, count in named.items() if count > 1]:
        raise ImportFileError(
            _("The column “%(column)s” is there twice.") % {"column": _column_label(twice[0])}
        )
    if NUMBER not in named or not set(named) - {NUMBER, NAME}:
        raise ImportFileError(
            _(
                "The first row must name the columns: employee number, and one column per size "
                "group (for example “Shoes (EU)” or “shoes”)."
            )
        )
    rows: list[SizeRow] = []
    for line, cells in lines:
        values = {
            key: normalise_line(cells[i]) if i < len(cells) else ""
            for i, key in enumerate(keys)
            if key is not None and key != NAME
        }
        number = values.pop(NUMBER)
        rows.append(SizeRow(line=line, number=number, cells=values))
    if not rows:
        raise ImportFileError(_("The file has no employees below the header row."))
    return rows


def _column_label(key: str) -> str:
    if key == NUMBER:
        return _("Employee number")
    if key == NAME:
        return _("Name")
    return str(SizeGroup(key).label)


def validate_size_rows(*, actor: User, rows: Sequence[SizeRow]) -> list[SizeRow]:
    """Check every row: its number names an active employee whose sizes the actor keeps
    (`roles.sized_employees`), once in the file; each size is one of its group's in the
    catalogue (`size_checked`). Fills `errors` (each as «Row 3, Shoes (EU): …»),
    `employee_id` and `sizes`. Reads only, in two queries whatever the number of rows."""
    numbers = {row.number for row in rows if row.number}
    reachable = roles.sized_employees(
        actor, Employee.objects.filter(is_active=True, number__in=numbers)
    )
    employees = dict(reachable.values_list("number", "pk"))
    offered = {group.key.value: group.sizes for group in size_groups()}
    seen = Counter(row.number for row in rows)
    for row in rows:
        row.errors, row.sizes = [], {}
        at = {"line": row.line, "number": row.number}
        if not row.number:
            row.errors.append(_("Row %(line)s: the employee number is missing.") % at)
        elif seen[row.number] > 1:
            row.errors.append(_("Row %(line)s: employee number %(number)s is there twice.") % at)
        row.employee_id = employees.get(row.number)
        if row.number and row.employee_id is None:
            row.errors.append(
                _("Row %(line)s: no employee of yours has the employee number %(number)s.") % at
            )
        for key, cell in row.cells.items():
            try:
                row.sizes[key] = size_checked(offered, key, cell)
            except ServiceError as exc:
                row.errors.append(
                    _("Row %(line)s, %(column)s: %(message)s")
                    % {"line": row.line, "column": _column_label(key), "message": exc.message}
                )
    return list(rows)


def bad_size_rows(rows: Iterable[SizeRow]) -> list[SizeRow]:
    return [row for row in rows if row.errors]


def sizes_sheet(
    employees: Iterable[Employee],
    sizes: dict[int, dict[str, str]],
    groups: list[SizeGroupSizes],
) -> Sheet:
    """One row per employee: number, name and their size in each group of the catalogue (an
    empty cell: none). Uploaded again as it is, it changes nothing."""
    sheet = Sheet(
        title=_("Sizes"),
        headers=[_("Employee number"), _("Name"), *(group.label for group in groups)],
        widths=[16, 30, *(max(12, len(group.label) + 2) for group in groups)],
    )
    for employee in employees:
        own = sizes.get(employee.pk, {})
        sheet.rows.append([employee.number, employee.name, *(own.get(g.key.value) for g in groups)])
    return sheet
