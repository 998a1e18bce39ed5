"""«Mine ansatte» exports (CSV, xlsx) and the employee import, through the Django client."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import formats, timezone, translation

from kvote.budgets.models import Budget
from kvote.common.dates import DateRange
from kvote.employees.periods import PeriodError, parse_period
from kvote.employees.selectors import employee_list
from kvote.ordering.models import Order
from kvote.people.models import Employee
from tests.clock import local_noon
from tests.factories import CompanyFactory, EmployeeFactory, member, place_order

pytestmark = pytest.mark.django_db

XLSX = "xlsx"


@pytest.fixture
def nordlys():
    company = CompanyFactory(name="Nordlys AS")
    boss = member(company, is_supervisor=True, language="en", email="leder@nordlys.test")
    other_boss = member(company, is_supervisor=True, email="annen@nordlys.test")
    kari = EmployeeFactory(company=company, supervisor=boss, name="Kari Nordmann", number="1001")
    ola = EmployeeFactory(company=company, supervisor=boss, name="Ola Nordmann", number="1002")
    per = EmployeeFactory(company=company, supervisor=other_boss, name="Per Hansen", number="1003")
    period = company.budget_period_of(timezone.localdate())
    Budget.objects.create(
        company=company,
        employee=kari,
        period_start=period.start,
        period_end=period.end,
        amount=Decimal("1000.00"),
    )
    place_order(boss, "120.50", key="a", recipient=kari)
    place_order(boss, "99.25", key="b", recipient=kari)
    old = place_order(boss, "300.00", key="c", recipient=kari)
    Order.objects.filter(pk=old.pk).update(placed_at=local_noon(days_ago=800))
    place_order(boss, "45.00", key="d", recipient=per)
    return {"company": company, "boss": boss, "kari": kari, "ola": ola, "per": per}


def budget_days(nordlys, language: str) -> str:
    """The company's budget period as the export's headings name it in `language` (the one
    date format of that language: kvote.companies.periods.Period.label)."""
    with translation.override(language):
        return nordlys["company"].budget_period_of(timezone.localdate()).label()


def _csv_rows(response, delimiter: str) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _recent() -> str:
    return f"from={(timezone.localdate() - timedelta(days=365)).isoformat()}"


def test_list_csv_in_english_has_commas_points_and_the_selectors_totals(client, nordlys):
    boss = nordlys["boss"]
    client.force_login(boss)
    response = client.get(reverse("employees_all_export", kwargs={"fmt": "csv"}) + "?" + _recent())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="all-employees-' in response["Content-Disposition"]
    rows = _csv_rows(response, ",")
    days = budget_days(nordlys, "en")
    with translation.override("en"):
        first = formats.date_format(timezone.localdate() - timedelta(days=365), "SHORT_DATE_FORMAT")
    chosen = f"{first}–…"
    assert rows[0] == [
        "Employee number",
        "Name",
        "Supervisor",
        f"Budget ({days})",
        f"Spent ({days})",
        f"Remaining ({days})",
        f"Bought in the period ({chosen})",
        "Kit",
        f"Kit: allowed ({days})",
        f"Kit: used ({days})",
        f"Kit: remaining ({days})",
    ]
    by_number = {row[0]: row for row in rows[1:]}
    period = DateRange(timezone.localdate() - timedelta(days=365), None)
    expected = {e.number: e.total for e in employee_list(actor=boss, mine=False, period=period)}
    assert set(by_number) == set(expected) and len(expected) >= 5
    for number, total in expected.items():
        assert Decimal(by_number[number][6]) == total
    assert by_number["1001"][6] == "219.75"  # the old order is outside the period
    # Budget − spent = remaining, the spent of the budget period (the page's figures).
    assert by_number["1001"][3:6] == ["1000.00", "219.75", "780.25"]
    assert by_number["1002"][3:] == ["", "", "", "0.00", "", "", "", ""]  # no budget, no kit


def test_list_csv_in_norwegian_has_semicolons_and_decimal_commas(client, nordlys):
    boss = nordlys["boss"]
    boss.language = "nb"
    boss.save()
    client.force_login(boss)
    response = client.get(reverse("employees_export", kwargs={"fmt": "csv"}) + "?period=all")
    rows = _csv_rows(response, ";")
    assert rows[0][3:] == [
        f"Budsjett ({budget_days(nordlys, 'nb')})",
        f"Brukt ({budget_days(nordlys, 'nb')})",
        f"Igjen ({budget_days(nordlys, 'nb')})",
        "Kjøpt i perioden (Alle datoer)",
        "Utstyrspakke",
        f"Utstyrspakke: tillatt ({budget_days(nordlys, 'nb')})",
        f"Utstyrspakke: brukt ({budget_days(nordlys, 'nb')})",
        f"Utstyrspakke: igjen ({budget_days(nordlys, 'nb')})",
    ]
    kari = next(row for row in rows if row[0] == "1001")
    assert kari[3:7] == ["1000,00", "219,75", "780,25", "519,75"]  # bought: all time
    assert {row[0] for row in rows[1:]} == {"1001", "1002"}  # mine only


def test_list_xlsx_has_real_numbers_a_bold_frozen_header_and_the_period(client, nordlys):
    boss = nordlys["boss"]
    client.force_login(boss)
    url = reverse("employees_export", kwargs={"fmt": XLSX})
    response = client.get(url + "?" + _recent() + "&sort=total")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="employees-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    ws = _sheet(response)
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold and ws["A1"].value == "Employee number"
    assert ws["A2"].value == "1001"  # sorted by total, highest first
    total = ws["G2"]
    assert total.data_type == "n" and Decimal(str(total.value)) == Decimal("219.75")
    assert ws["D2"].data_type == "n" and Decimal(str(ws["D2"].value)) == Decimal("1000.00")
    assert ws["E2"].data_type == "n" and Decimal(str(ws["E2"].value)) == Decimal("219.75")
    assert Decimal(str(ws["F2"].value)) == Decimal("780.25")
    assert ws["G3"].data_type == "n" and ws["G3"].value == 0
    assert ws.max_row == 3


def test_list_totals_change_with_the_period(client, nordlys):
    client.force_login(nordlys["boss"])
    url = reverse("employees_export", kwargs={"fmt": XLSX})
    old_day = (timezone.localdate() - timedelta(days=800)).isoformat()
    ws = _sheet(client.get(f"{url}?from={old_day}&to={old_day}&q=Kari"))
    assert ws.max_row == 2
    assert Decimal(str(ws["G2"].value)) == Decimal("300.00")


@pytest.mark.parametrize(
    "query", ["from=2026-13-01", "to=yesterday", "from=2026-05-02&to=2026-05-01"]
)
def test_a_bad_period_is_a_400_with_a_message(client, nordlys, query):
    client.force_login(nordlys["boss"])
    params = QueryDict(query)
    with pytest.raises(PeriodError) as refusal:
        parse_period(actor=nordlys["boss"], first=params.get("from", ""), last=params.get("to", ""))
    for name, kwargs in [
        ("employees_export", {"fmt": "csv"}),
        ("employees_all_export", {"fmt": XLSX}),
        ("employee_purchases_export", {"fmt": "csv", "employee_id": nordlys["kari"].pk}),
    ]:
        response = client.get(reverse(name, kwargs=kwargs) + "?" + query)
        assert response.status_code == 400
        assert response.content.decode() == refusal.value.message


def test_purchases_xlsx_has_dates_numbers_and_a_total_row(client, nordlys):
    boss, kari = nordlys["boss"], nordlys["kari"]
    client.force_login(boss)
    url = reverse("employee_purchases_export", kwargs={"employee_id": kari.pk, "fmt": XLSX})
    response = client.get(url + "?" + _recent())
    assert response.status_code == 200
    assert 'filename="employee-1001-purchases-' in response["Content-Disposition"]
    ws = _sheet(response)
    assert [c.value for c in ws[1]][:3] == ["Date", "Order number", "Item number"]
    assert ws.max_row == 4  # two lines and the total
    first = ws[2]
    assert isinstance(first[0].value, datetime) and first[0].value.date() == timezone.localdate()
    assert first[0].number_format == "dd.mm.yyyy"
    assert first[6].data_type == "n" and first[6].value == 1
    assert first[7].data_type == "n" and first[8].data_type == "n"
    assert Decimal(str(ws["I2"].value)) == Decimal("99.25")  # newest first
    assert ws["A4"].value == "Total"
    assert ws["I4"].data_type == "n" and Decimal(str(ws["I4"].value)) == Decimal("219.75")
    listed = employee_list(
        actor=boss,
        mine=True,
        period=DateRange(timezone.localdate() - timedelta(days=365)),
        query="1001",
    ).get()
    assert Decimal(str(ws["I4"].value)) == listed.total


def test_purchases_csv_has_iso_dates_and_the_total(client, nordlys):
    client.force_login(nordlys["boss"])
    kari = nordlys["kari"]
    url = reverse("employee_purchases_export", kwargs={"employee_id": kari.pk, "fmt": "csv"})
    rows = _csv_rows(client.get(url + "?period=all"), ",")
    assert len(rows) == 1 + 3 + 1
    assert date.fromisoformat(rows[1][0]) == timezone.localdate()
    assert rows[-1][0] == "Total" and rows[-1][-1] == "519.75"


def test_fjord_supervisor_exports_only_fjord(client, nordlys):
    fjord = CompanyFactory(name="Fjord AS")
    fjord_boss = member(fjord, is_supervisor=True, language="en")
    EmployeeFactory(company=fjord, supervisor=fjord_boss, number="1001", name="Fjord Person")
    client.force_login(fjord_boss)
    ws = _sheet(client.get(reverse("employees_all_export", kwargs={"fmt": XLSX})))
    names = {row[1].value for row in ws.iter_rows(min_row=2)}
    assert names == {"Fjord Person", fjord_boss.full_name}
    for fmt in ("csv", XLSX):
        url = reverse(
            "employee_purchases_export", kwargs={"employee_id": nordlys["kari"].pk, "fmt": fmt}
        )
        assert client.get(url).status_code == 404


def test_a_buyer_without_the_role_gets_404(client, nordlys):
    client.force_login(member(nordlys["company"], language="en"))
    assert client.get(reverse("employees_export", kwargs={"fmt": "csv"})).status_code == 404
    assert client.get(reverse("employees_import")).status_code == 404
    url = reverse("employee_purchases_export", kwargs={"employee_id": nordlys["kari"].pk})
    assert client.get(url).status_code == 404


def test_export_query_counts_are_fixed(client, nordlys, django_assert_num_queries):
    client.force_login(nordlys["boss"])
    list_url = reverse("employees_all_export", kwargs={"fmt": XLSX})
    drill_url = reverse(
        "employee_purchases_export", kwargs={"employee_id": nordlys["kari"].pk, "fmt": XLSX}
    )
    # Without a period, the budget period: session, user with its company (its budget period),
    # the list, the budgets, their sums, who has a kit / session, user with company, employee,
    # lines, whether the employee has a kit.
    with django_assert_num_queries(6):
        client.get(list_url)
    with django_assert_num_queries(5):
        client.get(drill_url)
    for n in range(20):
        employee = EmployeeFactory(company=nordlys["company"], supervisor=nordlys["boss"])
        place_order(nordlys["boss"], "10.00", key=f"more-{n}", recipient=employee)
        if n % 2:
            place_order(nordlys["boss"], "10.00", key=f"kari-{n}", recipient=nordlys["kari"])
    with django_assert_num_queries(6):
        client.get(list_url)
    with django_assert_num_queries(5):
        client.get(drill_url)


# --- Import ---------------------------------------------------------------------------------


def _upload(client, text: str, *, bom: bool = False):
    data = ("\ufeff" if bom else "") + text
    upload = io.BytesIO(data.encode("utf-8"))
    upload.name = "ansatte.csv"
    return client.post(reverse("employees_import"), {"file": upload})


def _admin(nordlys):
    return member(nordlys["company"], is_company_admin=True, language="en")


def test_one_bad_row_is_reported_by_line_and_nothing_is_written(client, nordlys):
    client.force_login(_admin(nordlys))
    before = Employee.objects.count()
    response = _upload(
        client,
        "name,number,email,supervisor email\n"
        "Anne Berg,2001,,leder@nordlys.test\n"
        ",2002,,\n"
        "Bjørn Dahl,2003,,annen@nordlys.test\n",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Line 3:" in page and "Enter the employee&#x27;s name." in page
    assert 'name="token"' not in page  # no import button
    assert Employee.objects.count() == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Anne,1001,,", "Employee number 1001 is already used by Kari Nordmann."),
        ("Anne,20 01,,", "The employee number must be"),
        ("Anne,2001,not-an-email,", "is not a valid email address."),
        ("Anne,2001,nobody@nordlys.test,", "Nobody in your company logs in with"),
        ("Anne,2001,,nobody@nordlys.test", "Choose an active supervisor or company admin"),
    ],
)
def test_each_reason_is_reported(client, nordlys, row, reason):
    client.force_login(_admin(nordlys))
    response = _upload(client, f"name,number,email,supervisor email\n{row}\n")
    page = response.content.decode()
    assert "Line 2:" in page and reason in page, page


def test_a_number_twice_in_the_file_is_reported_on_the_second_line(client, nordlys):
    client.force_login(_admin(nordlys))
    page = _upload(client, "name,number\nAnne,2001\nBjørn,2002\nCecilie,2001\n").content.decode()
    assert "Line 4:" in page and "Employee number 2001 is also on line 2 of the file." in page


def test_a_valid_file_previews_then_imports_all(client, nordlys):
    admin = _admin(nordlys)
    login = member(nordlys["company"])
    login.employee.delete()
    client.force_login(admin)
    response = _upload(
        client,
        "navn;ansattnummer;e-post;leders e-post\r\n"
        "Anne Berg;2001;;LEDER@nordlys.test\r\n"
        f"Bjørn Dahl;2002;{login.email};\r\n",
        bom=True,
    )
    page = response.content.decode()
    assert "Import 2 employees" in page
    assert not Employee.objects.filter(number__in=["2001", "2002"]).exists()
    token = response.context["token"]
    response = client.post(reverse("employees_import"), {"token": token}, follow=True)
    assert "Imported 2 employees." in response.content.decode()
    anne = Employee.objects.get(company=nordlys["company"], number="2001")
    assert anne.name == "Anne Berg" and anne.supervisor == nordlys["boss"]
    bjorn = Employee.objects.get(company=nordlys["company"], number="2002")
    assert bjorn.user == login and bjorn.supervisor == admin  # who adds is responsible
    again = client.post(reverse("employees_import"), {"token": token}, follow=True)
    assert "The preview has expired" in again.content.decode()
    assert Employee.objects.filter(number="2001").count() == 1


def test_confirming_after_the_company_changed_imports_nothing(client, nordlys):
    client.force_login(_admin(nordlys))
    response = _upload(client, "name,number\nAnne,2001\nBjørn,2002\n")
    EmployeeFactory(company=nordlys["company"], number="2002")
    response = client.post(reverse("employees_import"), {"token": response.context["token"]})
    page = response.content.decode()
    assert "Nothing was imported" in page and "Line 3:" in page
    assert not Employee.objects.filter(number="2001").exists()


def test_a_foreign_supervisor_email_is_refused(client, nordlys):
    fjord = CompanyFactory()
    fjord_boss = member(fjord, is_supervisor=True)
    client.force_login(_admin(nordlys))
    page = _upload(client, f"name,number,email,supervisor email\nAnne,2001,,{fjord_boss.email}\n")
    assert "Choose an active supervisor or company admin" in page.content.decode()
    assert not Employee.objects.filter(number="2001").exists()


def test_a_supervisor_imports_only_their_own_employees(client, nordlys):
    boss = nordlys["boss"]
    client.force_login(boss)
    page = _upload(
        client,
        "name,number,email,supervisor email\n"
        "Anne,2001,,\n"
        f"Bjørn,2002,,{boss.email}\n"
        "Cecilie,2003,,annen@nordlys.test\n",
    ).content.decode()
    assert "Line 4:" in page and "Only a company admin can add an employee for another" in page
    assert "Line 2:" not in page and "Line 3:" not in page


def test_unreadable_files_are_form_errors(client, nordlys):
    client.force_login(_admin(nordlys))
    for text, message in [
        ("number,email\n1,a@b.no\n", "The first row must name the columns"),
        ("name,number\n", "The file has no employees"),
        ("name,number\n" + "A,1\n" * 5001, "more than 5000 rows"),
    ]:
        response = _upload(client, text)
        assert response.status_code == 200
        assert message in response.content.decode()
    upload = io.BytesIO("name,number\nÅse,1\n".encode("latin-1"))
    upload.name = "x.csv"
    response = client.post(reverse("employees_import"), {"file": upload})
    assert "not UTF-8" in response.content.decode()
    assert client.get(reverse("employees_import")).status_code == 200


def test_the_list_page_links_to_exports_of_exactly_what_it_shows(client, nordlys):
    """The list's default period is the budget period: its export link carries that period, so
    the spreadsheet holds the same totals as the page (the 800-day-old order is in neither)."""
    import re

    client.force_login(nordlys["boss"])
    page = client.get(reverse("employees_mine")).content.decode()
    links = {
        label: url.replace("&amp;", "&")
        for url, label in re.findall(
            r'<a class="ds-link" href="([^"]*eksport[^"]*)">([^<]+)</a>', page
        )
    }
    assert set(links) == {"Excel (xlsx)", "CSV"}
    ws = _sheet(client.get(links["Excel (xlsx)"]))
    totals = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=7).value
        for r in range(2, ws.max_row + 1)
    }
    assert Decimal(str(totals["1001"])) == Decimal("219.75")
    assert reverse("employees_import") in page


# Importing: the preview reads session and user, the company's employee numbers, its users'
# logins and emails, and stores the rows in the session; the import checks them again and
# inserts them all at once. The same for a file of 1 and of 20 rows.
PREVIEW_QUERIES = 8
IMPORT_QUERIES = 12


@pytest.mark.parametrize("rows", [1, 20])
def test_importing_makes_a_fixed_number_of_queries(
    client, admin, leader, other_leader, rows, django_assert_num_queries
):
    client.force_login(admin)
    bosses = [leader.email, other_leader.email]
    lines = "".join(f"Person {n},{8000 + n},,{bosses[n % 2]}\n" for n in range(rows))
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = _upload(client, "name,number,email,supervisor email\n" + lines)
    assert f"Import {rows} employee" in response.content.decode()
    with django_assert_num_queries(IMPORT_QUERIES):
        response = client.post(reverse("employees_import"), {"token": response.context["token"]})
    assert response.status_code == 302
    assert (
        Employee.objects.filter(number__startswith="80", supervisor__isnull=False).count() == rows
    )


@pytest.mark.parametrize(
    "text",
    [
        "name,number,email,supervisor email\nAn\x00ne,2001,,\n",
        "name,number,email,supervisor email\nAnne,20\x0001,,\n",
        "name,number,email,supervisor email\nAnne,2001,an\x00ne@nordlys.test,\n",
        "name,number,email,supervisor email\nAnne,2001,,leder@nordlys\x00.test\n",
        "na\x00me,number\nAnne,2001\n",
        "\x00\n\x00\n",
    ],
    ids=["name", "number", "email", "supervisor", "header", "only-nul"],
)
def test_a_nul_anywhere_in_an_imported_file_never_reaches_the_database(client, nordlys, text):
    """PostgreSQL cannot hold a NUL in text (a DataError, a 500): the file is read with its NULs
    dropped, so the preview shows what would be stored, and nothing is written before the
    import is confirmed (issue 13)."""
    client.force_login(_admin(nordlys))
    before = Employee.objects.count()
    response = _upload(client, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "\x00" not in page
    assert "Import employees: preview" in page or "ds-error-summary" in page, page
    assert Employee.objects.count() == before


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("nb", ["ansatte", "alle-ansatte", "ansatt-1001-kjop"]),
        ("en", ["employees", "all-employees", "employee-1001-purchases"]),
    ],
)
def test_every_export_is_named_the_same_way_in_the_uis_language(client, nordlys, language, names):
    """One naming (kvote.common.exports.export_filename): the export's words in the UI's
    language, æøå spelled out, then the day; the drill-down's as its list's."""
    boss = nordlys["boss"]
    boss.language = language
    boss.save()
    client.force_login(boss)
    today = timezone.localdate().isoformat()
    for (name, kwargs), stem in zip(
        [
            ("employees_export", {}),
            ("employees_all_export", {}),
            ("employee_purchases_export", {"employee_id": nordlys["kari"].pk}),
        ],
        names,
        strict=True,
    ):
        for fmt in ("csv", XLSX):
            response = client.get(reverse(name, kwargs={**kwargs, "fmt": fmt}))
            assert response["Content-Disposition"] == (
                f'attachment; filename="{stem}-{today}.{fmt}"'
            )
