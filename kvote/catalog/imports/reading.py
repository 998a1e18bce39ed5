"""An import's file as a stream of rows: CSV, XLSX or JSON rows, in bounded memory.

`open_table(file, columns=…, required=…)` looks at the file's first bytes and picks its
format; a file that is none of them, is empty, has no header row or is an xlsx that would
unpack to far more than it weighs is refused right there (ServiceError BAD_FILE), before any
row is read. `Table.rows()` then yields one `RawRow` at a time: its number (the header is row
1, as a spreadsheet numbers it; JSON rows count from 1), its cells by column name (the known
columns only, as text) and what is wrong with its cells as such:

- CSV: UTF-8 with or without a BOM, `;` or `,` (whichever the header line holds more of),
  quoted cells may hold line breaks. A line that is not UTF-8 makes its row bad (save the file
  as "CSV UTF-8"); the other rows are still read.
- XLSX: the first sheet, read row by row (openpyxl read_only, its XML through defusedxml). A
  cell holding a formula is refused (its value is not data); numbers, dates and yes/no cells
  become text the way the CSV would hold them.
- JSON rows: a list of objects whose keys are the columns; a value may be text, a number,
  true/false, null (empty) or, for image_urls, a list of addresses.

Every cell, whatever the format, is refused when it starts like a formula (=, +, @, a tab) or
holds control characters; the apostrophe that Kvote's own exports put in front of such text
(kvote.common.exports.cell) is taken off again, so an export reads back as it was.
Header names are read case- and space-insensitively ("Item number" is item_number).
"""

import codecs
import csv
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.utils.translation import gettext as _

from kvote.catalog.errors import CatalogueError
from kvote.common.errors import ServiceError
from kvote.common.exports import CONTROL_STARTS, FORMULA_STARTS

MAX_LINE_BYTES = 1024 * 1024
MAX_JSON_BYTES = 64 * 1024 * 1024
# An xlsx is a zip: refused when it would unpack to more than this, has more parts, or packs
# one big part far tighter than a spreadsheet does (a zip bomb).
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
MAX_XLSX_PARTS = 5000
MAX_XLSX_RATIO = 200
# What a spreadsheet turns into a formula; "-" is left to the number rules (no price or stock
# may be negative, and a text starting with "-" is harmless data).
REFUSED_STARTS = frozenset("=+@\uff1d\uff0b\uff20") | CONTROL_STARTS
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class RawRow:
    number: int
    values: dict[str, str]
    # (column, message) of each cell that cannot be data at all; "" for the row as a whole.
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    format: str
    # (column, message) of each fault of the header row (unknown, repeated, missing columns).
    header_errors: list[tuple[str, str]]
    _rows: Iterator[RawRow]
    _progress: Any
    total: int

    def rows(self) -> Iterator[RawRow]:
        return self._rows

    def done(self) -> int:
        """How far the reading has come, in units of `total` (bytes or rows)."""
        return int(self._progress())


def bad_file(message: str) -> ServiceError:
    return ServiceError(CatalogueError.BAD_FILE, message)


def header_key(name: str) -> str:
    """A header cell as a column name: "Item Number " and "item_number" are one column."""
    return "_".join(name.replace("\ufeff", "").strip().lower().replace("-", " ").split())


def cell_problem(value: str) -> tuple[str, str | None]:
    """The cell as data (Kvote's own export apostrophe taken off) and why it cannot be, or None."""
    if value[:1] == "'" and (
        value[1:2] in CONTROL_STARTS or value[1:].lstrip()[:1] in FORMULA_STARTS
    ):
        return value[1:], None
    if value[:1] in REFUSED_STARTS or value.lstrip(" ")[:1] in REFUSED_STARTS:
        return value, _(
            "The cell starts like a spreadsheet formula (=, +, @ or a tab): write the value itself."
        )
    if _CONTROLS.search(value.replace("\t", "").replace("\n", "").replace("\r", "")):
        return value, _("The cell holds control characters (invisible codes): remove them.")
    return value, None


def open_table(file: IO[bytes], *, columns: Sequence[str], required: Sequence[str]) -> Table:
    """The file as a table of rows (see the module's docstring); BAD_FILE when unreadable."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    start = file.read(4096)
    file.seek(0)
    if not start.strip() or start.strip() == codecs.BOM_UTF8:
        raise bad_file(_("The file is empty."))
    if start.startswith(b"PK\x03\x04"):
        return _xlsx(file, size, columns, required)
    if start.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"[":
        return _json(file, size, columns)
    if b"\x00" in start or start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise bad_file(
            _(
                "The file is not a CSV, an XLSX or JSON rows we can read. Save it as “CSV "
                "UTF-8” or as an Excel workbook (.xlsx)."
            )
        )
    return _csv(file, size, columns, required)


def _check_header(
    names: list[str], columns: Sequence[str], required: Sequence[str]
) -> tuple[list[str | None], list[tuple[str, str]]]:
    keys: list[str | None] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in names:
        key = header_key(name)
        if not key:
            keys.append(None)  # an empty header cell: the column is left out
            continue
        if key not in columns:
            errors.append(
                (
                    name.strip()[:60],
                    _("Unknown column “%(name)s”. The columns are: %(columns)s.")
                    % {"name": name.strip()[:60], "columns": ", ".join(columns)},
                )
            )
            keys.append(None)
            continue
        if key in seen:
            errors.append((key, _("The column “%(name)s” is there twice.") % {"name": key}))
        seen.add(key)
        keys.append(key)
    if not seen:
        raise bad_file(
            _("The first row must name the columns: %(columns)s.") % {"columns": ", ".join(columns)}
        )
    missing = [column for column in required if column not in seen]
    if missing:
        errors.append(
            ("", _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
        )
    return keys, errors


def _row(number: int, keys: list[str | None], cells: Sequence[str]) -> RawRow | None:
    """A record as a row (None when it is blank)."""
    if not any(c.strip() for c in cells):
        return None
    row = RawRow(number=number, values={key: "" for key in keys if key})
    for index, raw in enumerate(cells):
        key = keys[index] if index < len(keys) else None
        if key is None:
            if index >= len(keys) and raw.strip():
                row.problems.append(
                    ("", _("The row has more cells than the header row has columns."))
                )
            continue
        value, problem = cell_problem(raw)
        row.values[key] = value
        if problem:
            row.problems.append((key, problem))
    return row


# --- CSV ------------------------------------------------------------------------------------


class _LineTooLong(Exception):
    pass


NOT_UTF8 = _(
    "This row is not UTF-8 text (wrong encoding): save the file as “CSV UTF-8” and try again."
)


def _csv(file: IO[bytes], size: int, columns: Sequence[str], required: Sequence[str]) -> Table:
    bad_lines: set[int] = set()

    def lines() -> Iterator[str]:
        number = 0
        while raw := file.readline(MAX_LINE_BYTES + 1):
            if len(raw) > MAX_LINE_BYTES:
                raise _LineTooLong
            number += 1
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode("utf-8", "replace")

    source = lines()
    try:
        first = next(source)
    except _LineTooLong:
        raise bad_file(_("The file's first line is far too long to be a header row.")) from None
    if bad_lines:
        raise bad_file(_("The header row is not UTF-8 text: save the file as “CSV UTF-8”."))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        header = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise bad_file(_("The file has no header row.")) from None
    keys, header_errors = _check_header(header, columns, required)

    def rows() -> Iterator[RawRow]:
        reader = csv.reader(source, delimiter=delimiter)
        number, last_line = 1, 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, _LineTooLong):
                yield RawRow(
                    number=number + 1,
                    values={},
                    problems=[("", _("This row could not be read as CSV: the file ends here."))],
                )
                return
            number += 1
            line = reader.line_num + 1
            row = _row(number, keys, cells)
            if any(last_line < bad <= line for bad in bad_lines):
                row = row or RawRow(number=number, values={})
                row.problems.insert(0, ("", str(NOT_UTF8)))
            last_line = line
            if row is not None:
                yield row

    return Table("csv", header_errors, rows(), file.tell, size)


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx(file: IO[bytes], size: int, columns: Sequence[str], required: Sequence[str]) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
    except (zipfile.BadZipFile, OSError) as exc:
        raise bad_file(_("The file is not an Excel workbook (.xlsx) we can read.")) from exc
    unpacked = sum(part.file_size for part in parts)
    if (
        len(parts) > MAX_XLSX_PARTS
        or unpacked > MAX_XLSX_UNPACKED
        or any(
            part.file_size > 1024 * 1024
            and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1)
            for part in parts
        )
    ):
        raise bad_file(_("The workbook unpacks to far more than it weighs: it is refused."))
    if "xl/workbook.xml" not in names:
        raise bad_file(_("The file is not an Excel workbook (.xlsx) we can read."))
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        cells_by_row = sheet.iter_rows()
        header_cells = next(cells_by_row, None)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise bad_file(_("The file is not an Excel workbook (.xlsx) we can read.")) from exc
    if not header_cells or not any(_xlsx_text(c.value).strip() for c in header_cells):
        raise bad_file(_("The file has no header row."))
    keys, header_errors = _check_header(
        [_xlsx_text(c.value) for c in header_cells], columns, required
    )
    total = max(int(sheet.max_row or 1) - 1, 1)
    state = {"done": 0}

    def rows() -> Iterator[RawRow]:
        try:
            for number, cells in enumerate(cells_by_row, start=2):
                state["done"] = number - 1
                texts = [_xlsx_text(c.value) for c in cells]
                row = _row(number, keys, texts)
                if row is None:
                    continue
                for index, c in enumerate(cells):
                    if getattr(c, "data_type", None) == "f" and index < len(keys):
                        key = keys[index] or ""
                        row.problems = [p for p in row.problems if p[0] != key or not key]
                        row.problems.append(
                            (key, _("The cell holds a formula: write the value itself."))
                        )
                yield row
        finally:
            workbook.close()

    return Table("xlsx", header_errors, rows(), lambda: state["done"], total)


# --- JSON rows ------------------------------------------------------------------------------


def _json_text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _xlsx_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    return None


def _json(file: IO[bytes], size: int, columns: Sequence[str]) -> Table:
    if size > MAX_JSON_BYTES:
        raise bad_file(_("JSON rows can be at most 64 MB: send a CSV or XLSX file instead."))
    try:
        data = json.loads(file.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad_file(_("The rows are not valid JSON.")) from exc
    if not isinstance(data, list) or not data:
        raise bad_file(_("JSON rows must be a list of objects, one per row."))
    state = {"done": 0}

    def rows() -> Iterator[RawRow]:
        for number, item in enumerate(data, start=1):
            state["done"] = number
            if not isinstance(item, dict):
                yield RawRow(number, {}, [("", _("A row must be an object of columns."))])
                continue
            row = RawRow(number=number, values={})
            for name, value in item.items():
                key = header_key(str(name))
                if key not in columns:
                    row.problems.append((str(name)[:60], _("Unknown column.")))
                    continue
                text = _json_text(value)
                if text is None:
                    row.problems.append((key, _("A value must be text or a number.")))
                    continue
                row.values[key], problem = cell_problem(text)
                if problem:
                    row.problems.append((key, problem))
            yield row

    return Table("json", [], rows(), lambda: state["done"], len(data))
