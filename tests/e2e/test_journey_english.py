"""Journey 2, in English: a buyer switches the language (and it sticks), orders a variant for
employee 1004, who has no login, to a saved company address, and finds it in "My orders"."""

import re

from playwright.sync_api import Page, expect

from kvote.catalog.models import AgreedPrice, Variant
from kvote.companies.models import DeliveryAddress
from kvote.ordering.models import Order
from kvote.people.models import User
from tests.e2e.conftest import LoginFn, NewPageFn
from tests.e2e.helpers import (
    assert_accessible,
    choose_variant,
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

LANG = "en"
EMAIL = "innkjop@nordlys.example"
RECIPIENT = "Nora Johansen (1004)"
REFERENCE = "PO-4711"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def test_buyer_orders_for_an_employee_in_english(
    page: Page, new_page: NewPageFn, login: LoginFn
) -> None:
    vest = Variant.objects.get(product__code="AAPW-1301", colour_en="Hi-vis orange", size="XL")
    price = AgreedPrice.objects.get(
        company__name="Nordlys Bygg AS", product__code="AAPW-1301"
    ).price
    warehouse = DeliveryAddress.objects.get(company__name="Nordlys Bygg AS", label="Lager Alnabru")
    expected_excl = money(3 * price)

    # Norwegian at first; the switch turns the portal English and saves the choice.
    login(page, EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name=_("Catalogue"))).to_be_visible()
    assert_accessible(page)
    assert User.objects.get(email=EMAIL).language == "en"

    # Still English after logging out and in again, and in a browser that has never seen it.
    page.get_by_role("button", name=_("Log out")).click()
    expect(page.get_by_role("heading", level=1, name=_("Log in"))).to_be_visible()
    login(page, EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page = new_page()
    login(page, EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(menu(page, LANG).get_by_role("link", name=_("My page"))).to_be_visible()

    # Find the vest by its English name; pick colour and size; add three.
    page.get_by_role("searchbox", name=_("Search")).fill("hi-vis vest")
    page.get_by_role("button", name=_("Search"), exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Hi-vis vest class 2").click()
    expect(page.get_by_role("heading", level=1, name="Hi-vis vest class 2")).to_be_visible()
    choose_variant(page, LANG, "Hi-vis orange", "XL")
    expect(page.get_by_text(vest.item_number, exact=True)).to_be_visible()
    expect(page.get_by_text(nok(price, LANG), exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label(_("Quantity")).fill("3")
    page.get_by_role("button", name=_("Add to cart"), exact=True).click()
    expect(page.locator("#cart-add-answer")).to_contain_text(vest.item_number)

    # The cart: the line is for the buyer; find employee 1004 by number and choose them.
    go_to_cart(page, LANG)
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    assert_accessible(page)
    line = page.get_by_role("listitem").filter(has_text=vest.item_number)
    recipient = line.get_by_role("combobox", name=_("Recipient"))
    expect(recipient.locator("option:checked")).to_have_text("Lars Eriksen (1005)")
    line.get_by_role("searchbox", name=_("Search by name or employee number")).fill("1004")
    # The search narrows the list to the match, keeping the current choice selectable.
    expect(recipient.locator("option")).to_have_count(2)
    assert set(recipient.locator("option").all_inner_texts()) == {"Lars Eriksen (1005)", RECIPIENT}
    assert_accessible(page)
    recipient.select_option(label=RECIPIENT)  # saved as it is chosen
    expect(line.get_by_role("status")).to_have_text(_("Saved."))
    line = page.get_by_role("listitem").filter(has_text=vest.item_number)
    expect(
        line.get_by_role("combobox", name=_("Recipient")).locator("option:checked")
    ).to_have_text(RECIPIENT)
    assert totals_of(page, LANG)["excl"] == expected_excl
    assert_accessible(page)

    # Checkout to the company's warehouse address.
    page.get_by_role("link", name=_("Go to checkout")).click()
    expect(page.get_by_role("heading", level=1, name=_("Checkout"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile(f"^{re.escape(warehouse.label)}")).check()
    page.get_by_label(_("Your reference"), exact=True).fill(REFERENCE)
    page.get_by_role("button", name=_("Continue to review")).click()

    expect(page.get_by_role("heading", level=1, name=_("Review your order"))).to_be_visible()
    assert_accessible(page)
    (row,) = table_rows(page.get_by_role("table", name=_("Products in the order")))
    assert row[_("Item number")] == vest.item_number
    assert row[_("Colour / size")] == "Hi-vis orange / XL"
    assert row[_("Quantity")] == "3"
    assert row[_("Recipient")] == RECIPIENT
    assert parse_nok(row[_("Sum excl. VAT")], LANG) == expected_excl
    totals = totals_of(page, LANG)
    assert totals["excl"] == expected_excl
    assert totals["incl"] == expected_excl + vat_of(expected_excl)
    address = definition(page, _("Delivery address"))
    assert warehouse.street in address and warehouse.city in address, address
    assert definition(page, _("Your reference")) == REFERENCE

    page.get_by_role("button", name=_("Place order")).click()
    expect(page.get_by_role("heading", level=1, name=_("Thank you for your order"))).to_be_visible()
    assert_accessible(page)
    order = Order.objects.latest("pk")
    expect(page.get_by_role("main")).to_contain_text(order.number)
    assert [line.recipient.number for line in order.lines.all()] == ["1004"]

    # My page -> My orders: the order, for 1004.
    menu(page, LANG).get_by_role("link", name=_("My page")).click()
    expect(page.get_by_role("heading", level=1, name=_("My page"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=_("All my orders")).click()
    expect(page.get_by_role("heading", level=1, name=_("My orders"))).to_be_visible()
    assert_accessible(page)
    rows = table_rows(page.get_by_role("table", name=_("My orders")))
    listed = next(r for r in rows if r[_("Order number")] == order.number)
    assert listed[_("Recipients")] == "Nora Johansen"
    assert listed[_("Your reference")] == REFERENCE
    assert parse_nok(listed[_("Total incl. VAT")], LANG) == totals["incl"]
    page.get_by_role("link", name=order.number, exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name=_("Order %(number)s", number=order.number))
    ).to_be_visible()
    assert_accessible(page)
    (line_shown,) = table_rows(page.get_by_role("table", name=_("Products in the order")))
    assert line_shown[_("Recipient")] == RECIPIENT
    assert (line_shown[_("Item number")], line_shown[_("Size")]) == (vest.item_number, "XL")
    assert totals_of(page, LANG) == totals
    assert definition(page, _("Placed by")) == "Lars Eriksen"
    # In English the order shows the English names, as the product page, cart and review did.
    assert (line_shown[_("Product")], line_shown[_("Colour")]) == (
        "Hi-vis vest class 2",
        "Hi-vis orange",
    ), "the order detail shows the Norwegian catalogue names to an English user"
