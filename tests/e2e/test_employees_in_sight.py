"""«Mine ansatte» where the eye is, in Norwegian, on a phone (390×844) and a desktop (1366×900).

leder@nordlys.example, whose company has 60 more employees than the demo, adds an employee with
a number already taken: the error summary is in the viewport and has the focus, and what he
typed is still there. He edits an employee and is refused: the edit page holds the error at a
URL that opens the form again when reloaded or shared. The lists are cards on a phone (the
amount bought, the drill-down's link, inside the screen), nothing scrolls sideways, the period
chips have no bullets. A company admin adds an employee on «Alle ansatte» for another
supervisor."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from kvote.people.models import Employee, User
from tests.e2e.conftest import LoginFn, _open_context, _page_in
from tests.e2e.helpers import assert_accessible, assert_fits_width, t

LANG = "nb"
LEDER = "leder@nordlys.example"
ADMIN = "admin@nordlys.example"
TAKEN_NUMBER, TAKEN_BY = "1002", "Sofie Haugen"
MORE = 60
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1366, "height": 900},
}


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    """A fresh page at 390×844 (a phone: touch) and, as a second run, at 1366×900."""
    phone = request.param == "phone"
    options = {"is_mobile": True, "has_touch": True} if phone else {}
    context = _open_context(browser, live_server, VIEWPORTS[request.param], **options)
    yield from _page_in(request, context, f"-{request.param}")


def long_list() -> User:
    """leder's company with 60 more employees of his: a list a manager must not scroll past."""
    leder = User.objects.get(email=LEDER)
    Employee.objects.bulk_create(
        Employee(
            company=leder.company,
            supervisor=leder,
            name=f"Ekstra Ansatt {n:02}",
            number=str(3000 + n),
        )
        for n in range(MORE)
    )
    return leder


def assert_nothing_scrolls_sideways(page: Page) -> None:
    """Not the page, and not a table inside its own region either (tables become cards)."""
    assert_fits_width(page)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.kv-table-wrap')]
            .filter(w => w.querySelector('.kv-rtable') && w.scrollWidth > w.clientWidth)
            .map(w => w.getAttribute('aria-label') || w.className)"""
    )
    assert not wide, f"{page.url}: a table region scrolls sideways: {wide}"


def open_add_form(page: Page) -> Locator:
    page.locator("details.kv-emp-add > summary").click()
    form = page.get_by_role("region", name=_("Add an employee"))
    expect(form.get_by_label(_("Name"))).to_be_visible()
    return form


def error_summary(page: Page) -> Locator:
    return page.locator(".ds-error-summary")


def assert_seen_and_focused(page: Page, message: str) -> None:
    summary = error_summary(page)
    expect(summary).to_contain_text(message)
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()


def test_a_refused_add_on_a_long_list_is_in_sight_and_focused(
    sized_page: Page, login: LoginFn
) -> None:
    page = sized_page
    leder = long_list()
    count = Employee.objects.filter(company=leder.company).count()
    login(page, LEDER)
    page.goto(reverse("employees_mine"))
    caption = _("Employee list")
    expect(page.get_by_role("heading", level=1, name=caption, exact=True)).to_be_visible()
    assert_nothing_scrolls_sideways(page)
    assert_accessible(page)
    # The period chips are buttons in a row, not a bulleted list.
    bullets = page.eval_on_selector_all(
        ".kv-period__chips > li", "items => items.map(li => getComputedStyle(li).listStyleType)"
    )
    assert bullets and set(bullets) == {"none"}, bullets
    # Each employee's amount bought (the drill-down) is on the screen, not off to the right.
    width = page.viewport_size["width"] if page.viewport_size else 0
    links = page.locator("td.kv-emp__bought a")
    expect(links.first).to_be_visible()
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box

    add = open_add_form(page)
    add.get_by_label(_("Name")).fill("Dobbel Nummer")
    add.get_by_label(_("Employee number")).fill(TAKEN_NUMBER)
    add.get_by_role("button", name=_("Add the employee")).click()
    refused = _(
        "Employee number %(number)s is already used by %(name)s.",
        number=TAKEN_NUMBER,
        name=TAKEN_BY,
    )
    assert_seen_and_focused(page, refused)
    add = page.get_by_role("region", name=_("Add an employee"))
    expect(add.get_by_label(_("Name"))).to_have_value("Dobbel Nummer")
    expect(add.get_by_label(_("Employee number"))).to_have_value(TAKEN_NUMBER)
    assert page.evaluate("() => window.scrollY") < page.evaluate("() => window.innerHeight")
    assert_nothing_scrolls_sideways(page)
    assert_accessible(page)
    assert Employee.objects.filter(company=leder.company).count() == count

    # Corrected, it is added, and the list says so where the eye is.
    add.get_by_label(_("Employee number")).fill("3999")
    add.get_by_role("button", name=_("Add the employee")).click()
    expect(page.locator("#messages")).to_contain_text(
        _("%(name)s (%(number)s) is added to your employees.", name="Dobbel Nummer", number="3999")
    )
    assert Employee.objects.get(company=leder.company, number="3999").supervisor == leder


def test_a_refused_edit_stays_at_a_page_that_reloads_and_can_be_shared(
    sized_page: Page, login: LoginFn
) -> None:
    page = sized_page
    leder = long_list()
    emma = Employee.objects.get(company=leder.company, name="Emma Strand")
    login(page, LEDER)
    page.goto(reverse("employees_mine") + "?sort=total")  # who bought most first
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=emma.name, exact=True)
    )
    row.get_by_role("link", name=f"{_('Edit')} {emma.name}").click()
    heading = _("Edit %(name)s (%(number)s)", name=emma.name, number=emma.number)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    edit_page = page.url
    assert f"/{emma.pk}/endre/?list=mine&back=" in edit_page
    assert_nothing_scrolls_sideways(page)
    assert_accessible(page)

    page.get_by_label(_("Employee number")).fill(TAKEN_NUMBER)
    page.get_by_role("button", name=_("Save"), exact=True).click()
    refused = _(
        "Employee number %(number)s is already used by %(name)s.",
        number=TAKEN_NUMBER,
        name=TAKEN_BY,
    )
    assert_seen_and_focused(page, refused)
    expect(page.get_by_label(_("Employee number"))).to_have_value(TAKEN_NUMBER)
    assert page.url == edit_page  # the form posts to its own page
    assert_accessible(page)

    # Reloaded (the browser sends the form again): the same refusal, the same form.
    response = page.reload()
    assert response is not None and response.status == 400
    assert_seen_and_focused(page, refused)
    # Opened from the address bar or a shared link (a GET): the form, as saved.
    response = page.goto(page.url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.get_by_label(_("Employee number"))).to_have_value(emma.number)
    expect(error_summary(page)).to_have_count(0)

    # Saved, back on the list it came from (still sorted by the amount bought).
    page.get_by_label(_("Name")).fill("Emma Strand-Berg")
    page.get_by_role("button", name=_("Save"), exact=True).click()
    expect(page.locator("#messages")).to_contain_text(
        _("%(name)s (%(number)s) is saved.", name="Emma Strand-Berg", number=emma.number)
    )
    assert re.search(r"/min-side/ansatte/\?.*sort=total", page.url), page.url


def test_a_company_admin_adds_an_employee_for_another_supervisor_on_all_employees(
    sized_page: Page, login: LoginFn
) -> None:
    page = sized_page
    leder = User.objects.get(email=LEDER)
    login(page, ADMIN)
    page.goto(reverse("employees_all"))
    caption = _("All employees")
    expect(page.get_by_role("heading", level=1, name=caption, exact=True)).to_be_visible()
    add = open_add_form(page)
    add.get_by_label(_("Name")).fill("Nina Ny")
    add.get_by_label(_("Employee number")).fill("3998")
    add.get_by_label(_("Supervisor")).select_option(label=leder.full_name)
    assert_accessible(page)
    add.get_by_role("button", name=_("Add the employee")).click()
    expect(page.locator("#messages")).to_contain_text(
        _(
            "%(name)s (%(number)s) is added, with %(supervisor)s as supervisor.",
            name="Nina Ny",
            number="3998",
            supervisor=leder.full_name,
        )
    )
    assert Employee.objects.get(company=leder.company, number="3998").supervisor == leder
    assert_nothing_scrolls_sideways(page)
