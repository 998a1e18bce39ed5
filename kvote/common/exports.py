"""Every export of the portal: one `Sheet` (headers and typed rows) written as CSV or xlsx, and
the one rule for a cell of it (`cell`), which every writer applies to every value.

A cell keeps its type: numbers (negative ones too: −150 kr is data) and dates stay numbers and
dates, so a spreadsheet can sum and sort them. Only text is made safe, in two steps:

- What no spreadsheet can hold is dropped: the control characters other than tab, line feed and
  carriage return (XML 1.0 has no place for them, and openpyxl refuses the whole file), DEL,
  lone surrogates (no UTF-8 for them) and the non-characters U+FFFE and U+FFFF. Text longer
  than a spreadsheet cell holds (32 767 characters) is cut there.
- Text that a spreadsheet would read as a formula (CSV injection, OWASP) gets an apostrophe in
  front: text whose first non-blank character is `=`, `+`, `-`, `@` (or their full-width forms)
  or that starts with a tab or a carriage return. In xlsx every text cell is also written as a
  string, never as a formula (openpyxl takes a str starting with "=" for a formula otherwise).

CSV follows the UI language: Norwegian gets semicolons and a decimal comma (what Excel in Norway
opens directly), English gets commas and a decimal point; both are UTF-8 with a BOM and ISO
dates. xlsx holds real numbers (Decimal written exactly) and real dates.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Value = str | int | float | Decimal | date | None

FORMATS = ("xlsx", "csv")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd.mm.yyyy"
MAX_CELL_LENGTH = 32767

# What a spreadsheet cannot hold (XML 1.0's excluded characters, DEL, lone surrogates).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# A text starting with one of these (after blanks) is read as a formula by some spreadsheet.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# A text starting with one of these (before any blank is skipped) is also neutralised.
CONTROL_STARTS = frozenset("\t\r")


def cell(value: Value) -> Value:
    """One value as an export holds it: numbers and dates typed, text safe (module docstring)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    if isinstance(value, Decimal) and not value.is_finite():
        return cell(str(value))
    if not isinstance(value, str):
        return value
    text = _UNWRITABLE.sub("", value)
    if text[:1] in CONTROL_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        text = "'" + text
    return text[:MAX_CELL_LENGTH]


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)


def _csv_text(value: Value, decimal_comma: bool) -> str:
    value = cell(value)
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
    rows: list[list[Value]] = [list(sheet.headers), *sheet.rows]
    for row in rows:
        writer.writerow([_csv_text(value, norwegian) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(sheet: Sheet) -> bytes:
    """Real numbers and real dates, text always as text; a bold frozen header row."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet.title[:31]
    rows: list[list[Value]] = [list(sheet.headers), *sheet.rows]
    for row_index, row in enumerate(rows, start=1):
        for column_index, raw in enumerate(row, start=1):
            value = cell(raw)
            target = ws.cell(row=row_index, column=column_index, value=value)
            if isinstance(value, str):
                target.data_type = "s"  # never a formula, whatever the text
            elif isinstance(value, Decimal):
                target.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                target.number_format = DATE_FORMAT
            if row_index == 1:
                target.font = Font(bold=True)
    for index, header in enumerate(sheet.headers, start=1):
        width = sheet.widths[index - 1] if index <= len(sheet.widths) else 14
        ws.column_dimensions[get_column_letter(index)].width = max(width, len(header) + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Norwegian letters as a file name spells them in plain ASCII (slugify would drop them).
_ASCII_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def ascii_slug(name: str) -> str:
    """A name as a lower-case ASCII slug, æ, ø and å spelled ae, o and a ("" when nothing is
    left): the one rule for an export's file name and an imported category's slug."""
    return slugify(name.translate(_ASCII_LETTERS))


def export_filename(name: str, fmt: str) -> str:
    """The one naming of every export: the export's name in the UI's language (the caller
    translates it: «alle ansatte», "all employees"), as a lower-case slug with æ, ø and å
    spelled ae, o and a, then today's date: `alle-ansatte-2026-11-30.xlsx`."""
    stem = ascii_slug(name) or "export"
    return f"{stem}-{timezone.localdate().isoformat()}.{fmt}"


def export_response(sheet: Sheet, fmt: str, name: str) -> HttpResponse:
    """The sheet as a download (`fmt` one of FORMATS), named by `export_filename`."""
    filename = export_filename(name, fmt)
    if fmt == "xlsx":
        response = HttpResponse(write_xlsx(sheet), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(write_csv(sheet), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
