"""Kit journey, in Norwegian: a supervisor (leder@nordlys.example) sees the kit use of his
employees in «Mine ansatte» (the «Utstyr» column: the kit's name, «x av y brukt», a bar), opens
one employee's drill-down and finds the kit item by item above the purchases. The kits are the
demo's («Lager», «Elektriker»); every employee of his has one, so the company admin first takes
Ole's away (through the kit service) for the «Ingen utstyrspakke» case. Expected kits and figures
come from the database (kvote.kits.selectors)."""

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from kvote.catalog.models import Product, Variant
from kvote.checkout.services import order_submit
from kvote.kits.selectors import EmployeeKit, kits_for_employees
from kvote.kits.services import kit_assign
from kvote.people.models import Employee, User
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, clean, menu, t, table_rows
from tests.factories import fill_cart

LANG = "nb"
LEDER = "leder@nordlys.example"
ADMIN = "admin@nordlys.example"
COMPANY = "Nordlys Bygg AS"
NORA, EMMA, OLE = "1004", "1006", "1007"  # leder's employees without a login
SHIRT = "AAPW-1201"  # in both demo kits (Lager: by its category «Overdeler»)


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def employee(number: str) -> Employee:
    return Employee.objects.get(company__name=COMPANY, number=number)


def kit_of(number: str) -> EmployeeKit:
    found = employee(number)
    with translation.override("nb"):  # the page's language, whatever the thread was left in
        return kits_for_employees(company=found.company, employee_ids=[found.pk])[found.pk]


def test_a_supervisor_sees_the_kit_use_and_opens_the_drill_down(
    page: Page, phone_page: Page, login: LoginFn
) -> None:
    shirt = Product.objects.get(code=SHIRT)
    nora, emma, ole = employee(NORA), employee(EMMA), employee(OLE)
    kit_assign(actor=User.objects.get(email=ADMIN), employee_id=ole.pk, kit_id=None)
    assert kit_of(EMMA).kit_name != kit_of(NORA).kit_name  # both demo kits are shown
    leder = User.objects.get(email=LEDER)
    variant = Variant.objects.filter(product=shirt, is_active=True).first()
    assert variant is not None
    before = kit_of(NORA).used
    fill_cart(leder, variant, quantity=2, recipient=nora)
    order_submit(actor=leder, idempotency_key="kit-journey")
    nora_kit = kit_of(NORA)
    assert nora_kit.used == before + 2  # the shirts count against her kit
    with translation.override("nb"):
        kits = kits_for_employees(
            company=nora.company,
            employee_ids=Employee.objects.filter(supervisor=leder, is_active=True).values_list(
                "pk", flat=True
            ),
        )

    # «Mine ansatte» from Min side: the «Utstyr» column says the kit and how much of it is used.
    login(page, LEDER)
    menu(page, LANG).get_by_role("link", name=_("My page"), exact=True).click()
    page.get_by_role("link", name=_("Employee list: the employees you are supervisor for")).click()
    expect(page.get_by_role("heading", level=1, name=_("Employee list"))).to_be_visible()
    assert_accessible(page)
    rows = {row[_("Name")]: row for row in table_rows(page.get_by_role("table"))}
    assert rows[ole.name][_("Equipment")] == _("No kit")
    assert ole.pk not in kits and {nora.pk, emma.pk} <= set(kits)
    for pk, kit in kits.items():  # everyone of his with a kit: their kit's name and its use
        name = Employee.objects.get(pk=pk).name
        used = _("%(used)s of %(allowed)s used", used=kit.used, allowed=kit.allowed)
        assert rows[name][_("Equipment")] == f"{kit.kit_name} {used}", name

    # The drill-down: the kit item by item (allowed, used, awaiting approval, remaining).
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=nora.name))
    row.locator(".kv-emp__bought a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(nora.name)
    assert_accessible(page)
    heading = page.get_by_role("heading", level=2, name=_("Kit: %(kit)s", kit=nora_kit.kit_name))
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
