"""Kit journey, in Norwegian: a supervisor (leder@nordlys.example) sees the kit use of his
employees in «Mine ansatte» (the «Utstyr» column: the kit's name, «x av y brukt», a bar), opens
one employee's drill-down and finds the kit item by item above the purchases. Expected figures
come from the database (kvote.kits.selectors)."""

from django.urls import reverse
from playwright.sync_api import Page, expect

from kvote.catalog.models import Product, Variant
from kvote.checkout.services import order_submit
from kvote.kits.selectors import EmployeeKit, kits_for_employees
from kvote.people.models import Employee, User
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, clean, menu, t, table_rows
from tests.factories import fill_cart, give_kit

LANG = "nb"
LEDER = "leder@nordlys.example"
COMPANY = "Nordlys Bygg AS"
NORA, EMMA, OLE = "1004", "1006", "1007"  # leder's employees without a login
SHIRT = "AAPW-1201"
JACKET = "AAPW-1001"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def employee(number: str) -> Employee:
    return Employee.objects.get(company__name=COMPANY, number=number)


def kit_of(number: str) -> EmployeeKit:
    found = employee(number)
    return kits_for_employees(company=found.company, employee_ids=[found.pk])[found.pk]


def test_a_supervisor_sees_the_kit_use_and_opens_the_drill_down(
    page: Page, phone_page: Page, login: LoginFn
) -> None:
    shirt = Product.objects.get(code=SHIRT)
    jacket = Product.objects.get(code=JACKET)
    nora, emma = employee(NORA), employee(EMMA)
    give_kit(nora, (shirt, 40), (jacket.category, 2), name="Elektriker")
    give_kit(emma, (shirt, 40), (jacket.category, 2), name="Elektriker")
    leder = User.objects.get(email=LEDER)
    variant = Variant.objects.filter(product=shirt, is_active=True).first()
    assert variant is not None
    fill_cart(leder, variant, quantity=2, recipient=nora)
    order_submit(actor=leder, idempotency_key="kit-journey")
    nora_kit = kit_of(NORA)
    assert nora_kit.used >= 2

    # «Mine ansatte» from Min side: the «Utstyr» column says the kit and how much of it is used.
    login(page, LEDER)
    menu(page, LANG).get_by_role("link", name=_("My page"), exact=True).click()
    page.get_by_role("link", name=_("Employee list: the employees you are supervisor for")).click()
    expect(page.get_by_role("heading", level=1, name=_("Employee list"))).to_be_visible()
    assert_accessible(page)
    rows = {row[_("Name")]: row for row in table_rows(page.get_by_role("table"))}
    used = _("%(used)s of %(allowed)s used", used=nora_kit.used, allowed=nora_kit.allowed)
    assert rows[nora.name][_("Equipment")] == f"Elektriker {used}"
    emma_kit = kit_of(EMMA)
    assert rows[emma.name][_("Equipment")] == "Elektriker " + _(
        "%(used)s of %(allowed)s used", used=emma_kit.used, allowed=emma_kit.allowed
    )
    assert rows[employee(OLE).name][_("Equipment")] == _("No kit")

    # The drill-down: the kit item by item (allowed, used, awaiting approval, remaining).
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=nora.name))
    row.locator(".kv-emp__bought a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(nora.name)
    assert_accessible(page)
    heading = page.get_by_role("heading", level=2, name=_("Kit: %(kit)s", kit="Elektriker"))
    expect(heading).to_be_visible()
    items = table_rows(
        page.get_by_role("table", name=_("The kit of %(name)s, item by item", name=nora.name))
    )
    shown = [
        (
            item[_("Item")],
            int(item[_("Allowed")]),
            int(item[_("Used")]),
            int(item[_("Of which awaiting approval")]),
            int(clean(item[_("Remaining")]).split(" ")[0]),
        )
        for item in items
    ]
    assert shown == [(i.label, i.allowed, i.used, i.pending, i.remaining) for i in nora_kit.items]
    assert page.get_by_role("heading", level=2, name=_("Purchases")).is_visible()

    # On a phone the list and the drill-down fit the width.
    login(phone_page, LEDER)
    phone_page.goto(reverse("employees_mine"))
    assert_fits_width(phone_page)
    assert_accessible(phone_page)
    phone_page.goto(reverse("employee_purchases", args=[nora.pk]))
    assert_fits_width(phone_page)
