"""Journey 1, in Norwegian (the default language): a budget holder orders two variants for
themselves to a one-off address and finds the order in "Mine ordrer"."""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from kvote.catalog.models import AgreedPrice, Variant
from kvote.ordering.models import Order
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    assert_accessible,
    choose_variant,
    clean,
    definition,
    go_to_cart,
    menu,
    money,
    nok,
    parse_nok,
    t,
    table_rows,
    totals_of,
    vat_of,
)

LANG = "nb"
EMAIL = "ansatt1@nordlys.example"
ME = "Sofie Haugen (1002)"
ONE_OFF = {
    "Name or attention": "Sofie Haugen",
    "Street address": "Dronning Eufemias gate 16",
    "Postal code": "0191",
    "City": "Oslo",
}
REFERENCE = "Prosjekt Bjørvika 42"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def nordlys_price(code: str) -> Decimal:
    return AgreedPrice.objects.get(company__name="Nordlys Bygg AS", product__code=code).price


def variant(code: str, colour: str, size: str) -> Variant:
    return Variant.objects.get(product__code=code, colour=colour, size=size)


def check_variant_panel(page: Page, item_number: str, price: Decimal) -> None:
    panel = page.get_by_role(
        "region", name=re.compile(_("%(colour)s, size %(size)s", colour=".+", size=".+"))
    )
    facts = clean(panel.inner_text())
    assert f"Varenummer {item_number}" in facts, facts  # the glossary's word, literally
    assert f"{_('Price excl. VAT')} {nok(price, LANG)}" in facts, facts
    assert f"{_('Price incl. VAT')} {nok(price + vat_of(price), LANG)}" in facts, facts


def test_budget_holder_orders_two_variants_in_norwegian(page: Page, login: LoginFn) -> None:
    jacket = variant("AAPW-1001", "Marine", "L")
    softshell = variant("AAPW-1002", "Grå", "M")
    jacket_price, softshell_price = nordlys_price("AAPW-1001"), nordlys_price("AAPW-1002")
    expected_excl = money(jacket_price + 2 * softshell_price)
    orders_before = Order.objects.count()

    login(page, EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1, name=_("Catalogue"))).to_be_visible()
    assert_accessible(page)

    # Search the catalogue for a jacket and open it.
    page.get_by_role("searchbox", name=_("Search")).fill("jakke")
    page.get_by_role("button", name=_("Search"), exact=True).click()
    results = page.get_by_role("list", name=re.compile(r"^\d+ "))
    expect(results.get_by_role("link", name="Vinterjakke Arktis")).to_be_visible()
    expect(results.get_by_role("link", name="Hørselvern")).to_have_count(0)
    assert_accessible(page)
    results.get_by_role("link", name="Vinterjakke Arktis").click()
    expect(page.get_by_role("heading", level=1, name="Vinterjakke Arktis")).to_be_visible()
    assert_accessible(page)

    # Colour and size, then the item number and price; add it.
    choose_variant(page, LANG, "Marine", "L")
    check_variant_panel(page, jacket.item_number, jacket_price)
    assert_accessible(page)
    page.get_by_role("button", name=_("Add to cart"), exact=True).click()
    expect(page.get_by_text(jacket.item_number).first).to_be_visible()
    expect(page.locator("#cart-add-answer")).to_contain_text(jacket.item_number)
    assert_accessible(page)

    # A second variant: another product, found through the category filter, two of it.
    menu(page, LANG).get_by_role("link", name=_("Catalogue")).click()
    page.get_by_label(_("Category")).select_option(label="Jakker")
    page.get_by_role("button", name=_("Search"), exact=True).click()
    page.get_by_role("link", name="Softshelljakke Bris").click()
    expect(page.get_by_role("heading", level=1, name="Softshelljakke Bris")).to_be_visible()
    choose_variant(page, LANG, "Grå", "M")
    check_variant_panel(page, softshell.item_number, softshell_price)
    page.get_by_label(_("Quantity")).fill("2")
    page.get_by_role("button", name=_("Add to cart"), exact=True).click()
    expect(page.locator("#cart-add-answer")).to_contain_text(softshell.item_number)
    assert_accessible(page)

    # The cart: two lines, both for me, and no recipient picker for a budget holder.
    go_to_cart(page, LANG)
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    assert_accessible(page)
    for item in (jacket, softshell):
        line = page.get_by_role("listitem").filter(has_text=item.item_number)
        expect(line).to_have_count(1)
        expect(line).to_contain_text(ME)
    expect(page.get_by_role("combobox", name=_("Recipient"))).to_have_count(0)
    assert totals_of(page, LANG)["excl"] == expected_excl

    # Checkout to a one-off address, with a reference.
    page.get_by_role("link", name=_("Go to checkout")).click()
    expect(page.get_by_role("heading", level=1, name=_("Checkout"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name=_("Another address (one-off)")).check()
    for label, value in ONE_OFF.items():
        page.get_by_label(_(label), exact=True).fill(value)
    page.get_by_label(_("Your reference"), exact=True).fill(REFERENCE)
    page.get_by_role("button", name=_("Continue to review")).click()

    # The review: lines, address, reference, and totals that add up, in Norwegian notation.
    expect(page.get_by_role("heading", level=1, name=_("Review your order"))).to_be_visible()
    assert_accessible(page)
    lines = table_rows(page.get_by_role("table", name=_("Products in the order")))
    by_item = {row[_("Item number")]: row for row in lines}
    assert set(by_item) == {jacket.item_number, softshell.item_number}
    assert by_item[jacket.item_number][_("Colour / size")] == "Marine / L"
    assert by_item[softshell.item_number][_("Colour / size")] == "Grå / M"
    assert by_item[softshell.item_number][_("Quantity")] == "2"
    assert {row[_("Recipient")] for row in lines} == {ME}
    line_sums = [parse_nok(row[_("Sum excl. VAT")], LANG) for row in lines]
    totals = totals_of(page, LANG)
    assert totals["excl"] == sum(line_sums) == expected_excl
    assert totals["incl"] == expected_excl + vat_of(expected_excl)
    address = definition(page, _("Delivery address"))
    assert address == "{Name or attention} {Street address} {Postal code} {City}".format(**ONE_OFF)
    assert definition(page, _("Your reference")) == REFERENCE

    # Place it; the confirmation gives the order number.
    page.get_by_role("button", name=_("Place order")).click()
    expect(page.get_by_role("heading", level=1, name=_("Thank you for your order"))).to_be_visible()
    assert_accessible(page)
    assert Order.objects.count() == orders_before + 1
    number = Order.objects.latest("pk").number
    expect(page.get_by_role("main")).to_contain_text(number)
    assert totals_of(page, LANG) == totals

    # Min side -> Mine ordrer -> the order.
    # The glossary's words, literally: Min side, Mine ordrer, Varenummer, Mottaker.
    menu(page, LANG).get_by_role("link", name="Min side", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Min side", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Mine ordrer", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=_("All my orders")).click()
    expect(page.get_by_role("heading", level=1, name="Mine ordrer", exact=True)).to_be_visible()
    assert_accessible(page)
    rows = table_rows(page.get_by_role("table", name=_("My orders")))
    row = next(r for r in rows if r[_("Order number")] == number)
    assert row[_("Your reference")] == REFERENCE
    assert row[_("Recipients")] == "Sofie Haugen"
    assert parse_nok(row[_("Total excl. VAT")], LANG) == totals["excl"]
    assert parse_nok(row[_("Total incl. VAT")], LANG) == totals["incl"]

    page.get_by_role("link", name=number, exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name=_("Order %(number)s", number=number))
    ).to_be_visible()
    assert_accessible(page)
    lines = table_rows(page.get_by_role("table", name=_("Products in the order")))
    shown = {
        (r["Varenummer"], r[_("Colour")], r[_("Size")], r[_("Quantity")], r["Mottaker"])
        for r in lines
    }
    assert shown == {
        (jacket.item_number, "Marine", "L", "1", ME),
        (softshell.item_number, "Grå", "M", "2", ME),
    }
    assert totals_of(page, LANG) == totals
