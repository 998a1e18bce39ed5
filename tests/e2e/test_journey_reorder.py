"""«Bestill igjen» and «Hurtigbestilling» in a browser: an employee on a phone orders an earlier
order again (one of its items is no longer sold) and then types item numbers, one of them
wrong; a supervisor orders again what an employee got, from «Mine ansatte»."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from kvote.catalog.models import Variant
from kvote.checkout.models import CartLine
from kvote.ordering.models import Order
from kvote.people.models import Employee
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, t

LANG = "nb"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def _order_of(email: str) -> Order:
    """The employee's newest order of two lines or more."""
    orders = Order.objects.filter(placed_by__email=email).order_by("-placed_at")
    return next(order for order in orders if order.lines.count() >= 2)


def test_an_employee_orders_again_and_quick_orders_on_a_phone(
    phone_page: Page, login: LoginFn
) -> None:
    page = phone_page
    email = "ansatt1@nordlys.example"
    order = _order_of(email)
    kept, retired = list(order.lines.order_by("id"))[:2]
    Variant.objects.filter(pk=retired.variant_id).update(is_active=False)
    CartLine.objects.filter(cart__user__email=email).delete()

    login(page, email)
    page.goto(reverse("ordering:order_list"))
    check_page(page)
    page.get_by_role("button", name=f"{_('Order again')} {order.number}").click()

    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    outcome = page.locator("#reorder-outcome")
    expect(outcome.get_by_role("status")).to_contain_text(order.number)
    refused = outcome.get_by_role("alert").get_by_role("listitem")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(retired.item_number)
    expect(refused).to_contain_text(_("No longer sold."))
    expect(page.get_by_role("listitem").filter(has_text=kept.item_number)).to_have_count(1)
    check_page(page)

    page.get_by_role("link", name=_("Open quick order on its own page")).click()
    expect(page.get_by_role("heading", level=1, name=_("Quick order"))).to_be_visible()
    check_page(page)
    field = page.get_by_role("textbox", name=_("Item numbers and quantities"))
    field.fill(f"Varenummer\tAntall\n{kept.item_number.lower()}\t2\nFINNES-IKKE-9\t1")
    page.get_by_role("main").get_by_role("button", name=_("Add to cart")).click()

    rows = page.locator("#quick-result tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("FINNES-IKKE-9")
    expect(page.get_by_role("textbox", name=_("Item numbers and quantities"))).to_have_value(
        "FINNES-IKKE-9\t1"
    )
    check_page(page)
    line = CartLine.objects.get(cart__user__email=email, variant_id=kept.variant_id)
    assert line.quantity == kept.quantity + 2


def test_a_supervisor_orders_again_what_an_employee_got(page: Page, login: LoginFn) -> None:
    employee = Employee.objects.get(user__email="ansatt1@nordlys.example")
    leader = employee.supervisor
    assert leader is not None
    CartLine.objects.filter(cart__user=leader).delete()

    login(page, leader.email)
    page.goto(reverse("employee_purchases", args=[employee.pk]) + "?period=all")
    check_page(page)
    section = page.get_by_role("region", name=_("Order again"))
    section.get_by_role("button", name=re.compile(f"^{_('Order again')} ")).first.click()

    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    expect(page.locator("#reorder-outcome").get_by_role("status")).to_be_visible()
    lines = CartLine.objects.filter(cart__user=leader)
    assert lines.exists() and {line.recipient_id for line in lines} == {employee.pk}
    check_page(page)
