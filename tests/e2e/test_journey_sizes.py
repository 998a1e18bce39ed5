"""Sizes in a browser: a buyer orders for three employees and gets each one's size picked: on
the product page (choose the recipient; the size follows and the page says from whose sizes)
and in «Hurtigbestilling» (three lines by employee number, without sizes); the cart shows each
employee's own size. A fourth employee has no sizes saved: that line is refused and says what
to do."""

import re

from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from kvote.catalog.models import EmployeeSize, Product, SizeGroup
from kvote.checkout.models import CartLine
from kvote.people.models import Employee
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, clean, t

LANG = "nb"
BUYER = "innkjop@nordlys.example"  # Lars Eriksen: a buyer, who may choose recipients
# Employees of Nordlys (the demo) and the size each wears for tops.
SIZES = {"1004": "L", "1006": "S", "1007": "XL"}
SOFTSHELL = "AAPW-1002"  # Softshelljakke Bris: tops XS–3XL
T_SHIRT = "AAPW-1201-NAV"  # Cotton T-shirt in navy, the size left out


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def employee(number: str) -> Employee:
    return Employee.objects.get(company__name="Nordlys Bygg AS", number=number)


def give_sizes() -> None:
    for number, size in SIZES.items():
        person = employee(number)
        EmployeeSize.objects.update_or_create(
            company_id=person.company_id,
            employee=person,
            group=SizeGroup.TOPS,
            defaults={"size": size},
        )
    EmployeeSize.objects.filter(employee=employee("1009")).delete()


def size_picker(page: Page) -> Locator:
    return page.get_by_role("group", name=_("Size"))


def choose_recipient_and_add(page: Page, number: str) -> None:
    """Choose the employee as the line's recipient: their size is picked and said; add it."""
    person = employee(number)
    size = SIZES[number]
    page.get_by_label(_("Recipient"), exact=True).select_option(str(person.pk))
    note = _("Size %(size)s is picked from %(name)s's sizes.", size=size, name=person.name)
    expect(page.locator("#size-note")).to_have_text(note)
    expect(size_picker(page).get_by_role("radio", name=size, exact=True)).to_be_checked()
    expect(page.locator(".kv-item-number")).to_have_text(re.compile(f"-{size}$"))
    expect(page).to_have_url(re.compile(f"recipient={person.pk}"))
    check_page(page)
    page.get_by_role("button", name=_("Add to cart")).click()
    expect(page.locator("#cart-add-answer")).to_contain_text(f"-{size})")


def test_a_buyer_orders_for_three_employees_and_gets_each_ones_size_picked(
    page: Page, login: LoginFn
) -> None:
    give_sizes()
    CartLine.objects.filter(cart__user__email=BUYER).delete()
    softshell = Product.objects.get(code=SOFTSHELL)
    login(page, BUYER)

    # The product page: for oneself first (Lars has no sizes saved: nothing is said), then for
    # three employees in turn, each one's size picked as the recipient changes.
    page.goto(reverse("catalog:product", args=[softshell.pk]))
    expect(page.get_by_label(_("Recipient"), exact=True)).to_have_value(str(employee("1005").pk))
    expect(page.locator("#size-note")).to_have_count(0)
    check_page(page)
    for number in SIZES:
        choose_recipient_and_add(page, number)
    # A size chosen by hand wins; the page still says whose size is what.
    size_picker(page).get_by_role("radio", name="M", exact=True).check()
    ole = employee("1007")
    expect(page.locator("#size-note")).to_have_text(
        _("%(name)s's size is %(size)s.", name=ole.name, size="XL")
    )
    # Reloaded from its address, the page is for the same recipient and size (no script needed).
    page.reload()
    expect(page.get_by_label(_("Recipient"), exact=True)).to_have_value(str(ole.pk))
    expect(size_picker(page).get_by_role("radio", name="M", exact=True)).to_be_checked()

    # «Hurtigbestilling»: three lines by employee number without sizes, and one for an employee
    # with no sizes saved.
    page.goto(reverse("checkout:quick_order"))
    expect(page.get_by_role("heading", level=1, name=_("Quick order"))).to_be_visible()
    check_page(page)
    lines = [f"{T_SHIRT};{n + 1};{number}" for n, number in enumerate(SIZES)]
    lines.append(f"{T_SHIRT};1;1009")
    page.get_by_role("textbox", name=_("Item numbers and quantities")).fill("\n".join(lines))
    page.get_by_role("main").get_by_role("button", name=_("Add to cart")).click()

    rows = page.locator("#quick-result tbody tr")
    expect(rows).to_have_count(4)
    t_shirt = Product.objects.get(code=T_SHIRT.rsplit("-", 1)[0])
    for row, number in enumerate(SIZES):
        answer = _(
            "In the cart: %(quantity)d × %(product)s, size %(size)s from %(name)s's sizes "
            "(%(item)s).",
            quantity=row + 1,
            product=t_shirt.name,
            size=SIZES[number],
            name=employee(number).name,
            item=f"{T_SHIRT}-{SIZES[number]}",
        )
        expect(rows.nth(row)).to_contain_text(answer)
    magnus = employee("1009")
    expect(rows.nth(3)).to_contain_text(
        _(
            "%(name)s has no size saved for “%(item)s”: write the whole item number, with the "
            "size, or add %(name)s's sizes.",
            name=magnus.name,
            item=T_SHIRT,
        )
    )
    expect(page.get_by_role("textbox", name=_("Item numbers and quantities"))).to_have_value(
        lines[3]
    )
    check_page(page)

    # The cart: each employee's own size, on the lines for them.
    page.goto(reverse("checkout:cart"))
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    check_page(page)
    shown = []
    for line in page.locator("li.kv-cart-line").all():
        facts = line.locator("dl.kv-cart-facts").get_by_role("definition")
        select = line.get_by_label(_("Recipient"), exact=True)
        recipient = clean(select.locator("option:checked").inner_text())
        shown.append(
            (clean(facts.nth(0).inner_text()), clean(facts.nth(2).inner_text()), recipient)
        )
    expected = []
    for number, size in SIZES.items():
        person = employee(number)
        who = f"{person.name} ({person.number})"
        expected.append((f"{T_SHIRT}-{size}", size, who))
        softshell_line = next(item for item in shown if item[2] == who and SOFTSHELL in item[0])
        assert re.fullmatch(f"{SOFTSHELL}-[A-Z]+-{size}", softshell_line[0])
        expected.append((softshell_line[0], size, who))
    assert sorted(shown) == sorted(expected)
