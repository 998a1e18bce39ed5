"""Journey 6, in Norwegian: «Mine ansatte». leder@nordlys.example opens his employee list from
Min side, switches the period between all time, this year and typed from/to dates (the totals
follow the period), opens one employee's purchases (the drill-down's total is the list's figure),
adds employee 1010, renames it and changes its number on its edit page, is refused a duplicate
number with a clear error (nothing is added), looks at «Alle ansatte», and exports the list as
xlsx (numbers are numbers). A supervisor at Fjord sees none of Nordlys. Expected figures come
from the database."""

import io
import re
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from kvote.common.exports import XLSX_CONTENT_TYPE
from kvote.people.models import Employee, User
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    assert_accessible,
    assert_fits_width,
    clean,
    menu,
    parse_nok,
    t,
    table_rows,
)

LANG = "nb"
LEDER = "leder@nordlys.example"
FJORD_LEDER = "leder@fjord.example"
NEW_NUMBER, NEW_NAME = "1010", "Test Testesen"
CHANGED_NUMBER, CHANGED_NAME = "1098", "Test Endret"
TAKEN_NUMBER, TAKEN_BY = "1002", "Sofie Haugen"
AMOUNT = re.compile(r"^kr \d{1,3}(?: \d{3})*,\d{2}")


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def amount_in(text: str) -> Decimal:
    """The amount a cell starts with (the total's link also carries screen-reader text)."""
    match = AMOUNT.match(clean(text))
    assert match, f"no amount at the start of {clean(text)!r}"
    return parse_nok(match[0], LANG)


def employee_table(page: Page, caption: str) -> Locator:
    return page.get_by_role("table", name=caption)


def bought(page: Page, caption: str) -> dict[str, Decimal]:
    """{employee number: total bought in the period} as the list shows it."""
    rows = table_rows(employee_table(page, caption))
    return {r[_("Employee number")]: amount_in(r[_("Bought in the period")]) for r in rows}


def choose_period(page: Page, label: str) -> None:
    choices = page.get_by_role("list", name=_("Quick choices"))
    choices.get_by_role("link", name=label, exact=True).click()
    expect(choices.get_by_role("link", name=label, exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    assert_accessible(page)


def row_of(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def test_a_supervisor_follows_his_employees_and_manages_them(page: Page, login: LoginFn) -> None:
    leder = User.objects.get(email=LEDER)
    nordlys = leder.company
    assert nordlys is not None
    assert not Employee.objects.filter(company=nordlys, number=NEW_NUMBER).exists()
    mine = {e.number: e for e in Employee.objects.filter(supervisor=leder, is_active=True)}
    assert len(mine) >= 3, "the demo gives leder several employees"

    # Min side → «Mine ansatte» → «Ansattliste».
    login(page, LEDER)
    menu(page, LANG).get_by_role("link", name=_("My page"), exact=True).click()
    expect(page.get_by_role("heading", level=1, name=_("My page"), exact=True)).to_be_visible()
    assert_accessible(page)
    section = page.get_by_role("region", name=_("My employees"))
    section.get_by_role(
        "link", name=_("Employee list: the employees you are supervisor for")
    ).click()
    caption = _("Employee list")
    expect(page.get_by_role("heading", level=1, name=caption, exact=True)).to_be_visible()
    assert_accessible(page)
    assert set(bought(page, caption)) == set(mine), "the list is exactly leder's employees"

    # All time, then this year: each figure of the year is part of the all-time figure.
    choose_period(page, _("All time"))
    expect(page.get_by_text(_("Orders placed at any time."), exact=False)).to_be_visible()
    all_time = bought(page, caption)
    assert set(all_time) == set(mine)
    page_total = amount_in(employee_table(page, caption).locator("tfoot td").inner_text())
    assert page_total == sum(all_time.values())
    choose_period(page, _("This year"))
    this_year = bought(page, caption)
    assert set(this_year) == set(mine)
    assert all(this_year[n] <= all_time[n] for n in mine), (this_year, all_time)
    assert sum(this_year.values()) < sum(all_time.values()), "the demo has orders before this year"

    # The same year typed as from/to dates gives the same figures.
    today = timezone.localdate()
    page.get_by_label(_("From date")).fill(date(today.year, 1, 1).isoformat())
    page.get_by_label(_("To date")).fill(date(today.year, 12, 31).isoformat())
    page.get_by_role("button", name=_("Show"), exact=True).click()
    first, last = f"01.01.{today.year}", f"31.12.{today.year}"
    expect(
        page.get_by_text(_("Orders placed %(first)s–%(last)s.", first=first, last=last))
    ).to_be_visible()
    assert_accessible(page)
    assert bought(page, caption) == this_year

    # Drill-down: the employee who bought most this year; the total at the bottom is the list's.
    number = max(this_year, key=lambda n: this_year[n])
    assert this_year[number] > 0
    employee = mine[number]
    row_of(page, employee.name).get_by_role("link", name=re.compile(r"^kr ")).click()
    expect(
        page.get_by_role(
            "heading",
            level=1,
            name=_("Bought by %(name)s (%(number)s)", name=employee.name, number=number),
        )
    ).to_be_visible()
    assert_accessible(page)
    lines = table_rows(page.get_by_role("table", name=_("What the employee bought")))
    assert lines, "the drill-down lists what was bought"
    drill_total = parse_nok(page.locator("#purchases-total").inner_text(), LANG)
    assert drill_total == this_year[number]
    if page.get_by_role("navigation", name=_("Pages")).count() == 0:
        assert sum(parse_nok(r[_("Sum excl. VAT")], LANG) for r in lines) == drill_total
    dates = [date(*reversed([int(p) for p in r[_("Date")].split(".")])) for r in lines]
    assert dates == sorted(dates, reverse=True), "newest first"
    assert all(d.year == today.year for d in dates)
    # The same employee over all time: the drill-down follows the period too.
    choose_period(page, _("All time"))
    assert parse_nok(page.locator("#purchases-total").inner_text(), LANG) == all_time[number]

    # Back on «Ansattliste»: add employee 1010.
    page.get_by_role("navigation", name=_("Breadcrumbs")).get_by_role(
        "link", name=caption, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1, name=caption, exact=True)).to_be_visible()
    page.locator("details.kv-emp-add > summary").click()
    add = page.get_by_role("region", name=_("Add an employee"))
    add.get_by_label(_("Name")).fill(NEW_NAME)
    add.get_by_label(_("Employee number")).fill(NEW_NUMBER)
    add.get_by_role("button", name=_("Add the employee")).click()
    expect(page.locator("#messages")).to_contain_text(
        _("%(name)s (%(number)s) is added to your employees.", name=NEW_NAME, number=NEW_NUMBER)
    )
    assert_accessible(page)
    new_row = row_of(page, NEW_NAME)
    expect(new_row).to_have_count(1)
    expect(new_row.get_by_role("cell", name=NEW_NUMBER, exact=True)).to_be_visible()
    added = Employee.objects.get(company=nordlys, number=NEW_NUMBER)
    assert (added.name, added.supervisor, added.is_active) == (NEW_NAME, leder, True)

    # Edit it on its page: new name, new number.
    new_row.get_by_role("link", name=f"{_('Edit')} {NEW_NAME}").click()
    expect(
        page.get_by_role(
            "heading",
            level=1,
            name=_("Edit %(name)s (%(number)s)", name=NEW_NAME, number=NEW_NUMBER),
        )
    ).to_be_visible()
    page.get_by_label(_("Name")).fill(CHANGED_NAME)
    page.get_by_label(_("Employee number")).fill(CHANGED_NUMBER)
    assert_accessible(page)
    page.get_by_role("button", name=_("Save"), exact=True).click()
    expect(page.locator("#messages")).to_contain_text(
        _("%(name)s (%(number)s) is saved.", name=CHANGED_NAME, number=CHANGED_NUMBER)
    )
    assert_accessible(page)
    changed_row = row_of(page, CHANGED_NAME)
    expect(changed_row.get_by_role("cell", name=CHANGED_NUMBER, exact=True)).to_be_visible()
    expect(row_of(page, NEW_NAME)).to_have_count(0)
    added.refresh_from_db()
    assert (added.name, added.number) == (CHANGED_NAME, CHANGED_NUMBER)

    # A number already in use: a clear error, what was typed is kept, nothing is added.
    count = Employee.objects.filter(company=nordlys).count()
    page.locator("details.kv-emp-add > summary").click()
    add = page.get_by_role("region", name=_("Add an employee"))
    add.get_by_label(_("Name")).fill("Dobbel Nummer")
    add.get_by_label(_("Employee number")).fill(TAKEN_NUMBER)
    add.get_by_role("button", name=_("Add the employee")).click()
    refused = _(
        "Employee number %(number)s is already used by %(name)s.",
        number=TAKEN_NUMBER,
        name=TAKEN_BY,
    )
    add = page.get_by_role("region", name=_("Add an employee"))
    expect(add.get_by_role("alert")).to_contain_text(refused)
    expect(add.get_by_role("alert")).to_be_focused()
    expect(add.locator("#id_add_number-error")).to_have_text(refused)
    expect(add.get_by_label(_("Name"))).to_have_value("Dobbel Nummer")
    expect(add.get_by_label(_("Employee number"))).to_have_value(TAKEN_NUMBER)
    assert_accessible(page)
    assert Employee.objects.filter(company=nordlys).count() == count
    assert not Employee.objects.filter(company=nordlys, name="Dobbel Nummer").exists()

    # «Alle ansatte»: every active employee of Nordlys, the new one too.
    page.get_by_role("main").get_by_role("link", name=_("All employees"), exact=True).click()
    everyone_caption = _("All employees")
    expect(page.get_by_role("heading", level=1, name=everyone_caption, exact=True)).to_be_visible()
    assert_accessible(page)
    choose_period(page, _("All time"))
    everyone = bought(page, everyone_caption)
    active = set(
        Employee.objects.filter(company=nordlys, is_active=True).values_list("number", flat=True)
    )
    assert set(everyone) == active and CHANGED_NUMBER in everyone
    assert all(everyone[n] == all_time[n] for n in mine)

    # Export the list as xlsx for all time (a bare export gives this budget period, as the bare
    # page does): real numbers in the file.
    url = reverse("employees_export", kwargs={"fmt": "xlsx"}) + "?period=all"
    response = page.context.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith(XLSX_CONTENT_TYPE)
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.body())).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == _("Employee number")
    # The kit's columns follow the old ones, which keep their places: the column is found by
    # its heading and stands where it stood before the kit's columns came.
    bought_column = header.index(f"{_('Bought in the period')} ({_('All time')})")
    assert bought_column == 6
    exported = {row[0]: row[bought_column] for row in rows}
    assert set(exported) == set(mine) | {CHANGED_NUMBER}
    for n, total in all_time.items():
        assert isinstance(exported[n], (int, float)), f"{n}: {exported[n]!r} is not a number"
        assert Decimal(str(exported[n])).quantize(Decimal("0.01")) == total


def test_a_supervisor_of_another_company_sees_none_of_nordlys(page: Page, login: LoginFn) -> None:
    nordlys = User.objects.get(email=LEDER).company
    sofie = Employee.objects.get(company=nordlys, number=TAKEN_NUMBER)
    fjord_leder = User.objects.get(email=FJORD_LEDER)
    assert fjord_leder.company != nordlys

    login(page, FJORD_LEDER)
    page.goto(reverse("employees_all") + "?period=all")
    caption = _("All employees")
    expect(page.get_by_role("heading", level=1, name=caption, exact=True)).to_be_visible()
    assert_accessible(page)
    shown = bought(page, caption)
    fjord = set(
        Employee.objects.filter(company=fjord_leder.company, is_active=True).values_list(
            "number", flat=True
        )
    )
    assert set(shown) == fjord
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(TAKEN_NUMBER)
    for name in Employee.objects.filter(company=nordlys).values_list("name", flat=True):
        expect(main).not_to_contain_text(name)

    response = page.goto(reverse("employee_purchases", args=[sofie.pk]) + "?period=all")
    assert response is not None and response.status == 404
    expect(page.get_by_text(TAKEN_BY)).to_have_count(0)
    export = page.context.request.get(
        reverse("employee_purchases_export", kwargs={"employee_id": sofie.pk, "fmt": "csv"})
    )
    assert export.status == 404


def test_the_employee_lists_fit_a_phone(phone_page: Page, login: LoginFn) -> None:
    """On a phone the lists are cards; the page itself never scrolls sideways (text for screen
    readers in a cell included)."""
    login(phone_page, "leder@nordlys.example")
    for name in ("employees_mine", "employees_all"):
        phone_page.goto(reverse(name))
        expect(phone_page.get_by_role("table")).to_be_visible()
        assert_fits_width(phone_page)
    phone_page.goto(reverse("employees_mine"))
    phone_page.locator("main a[href*='/kjop/']").first.click()
    assert_fits_width(phone_page)
    assert_accessible(phone_page)
