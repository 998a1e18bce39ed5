"""Journey 3, on a phone (375×812): bad input gets a visible message and the cart keeps what
it held; an order cannot be placed from an empty cart."""

import re

from playwright.sync_api import Locator, Page, expect

from kvote.catalog.models import Variant
from kvote.ordering.models import MAX_QUANTITY, Order
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    assert_accessible,
    assert_fits_width,
    choose_variant,
    go_to_cart,
    t,
)

LANG = "nb"
EMAIL = "ansatt1@nordlys.example"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def cart_line(page: Page, item_number: str) -> Locator:
    return page.get_by_role("listitem").filter(has_text=item_number)


def open_cart(page: Page) -> None:
    go_to_cart(page, LANG)
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()


def expect_cart(page: Page, quantities: dict[str, str]) -> None:
    """The cart (as stored: loaded afresh) holds exactly these lines with these quantities."""
    open_cart(page)
    expect(page.get_by_role("listitem").filter(has=page.get_by_label(_("Quantity")))).to_have_count(
        len(quantities)
    )
    for item_number, quantity in quantities.items():
        expect(cart_line(page, item_number).get_by_label(_("Quantity"))).to_have_value(quantity)


def quick_add(page: Page, item_number: str, quantity: str) -> None:
    """«Hurtigbestilling» of one line, from the cart or from its own page."""
    form = page.locator("form.kv-quick-order-form")
    form.get_by_label(_("Item numbers and quantities")).fill(f"{item_number} {quantity}")
    form.get_by_role("button", name=_("Add to cart")).click()


def test_bad_input_on_a_phone_keeps_the_cart(phone_page: Page, login: LoginFn) -> None:
    page = phone_page
    assert page.viewport_size == {"width": 375, "height": 812}
    jacket = Variant.objects.get(product__code="AAPW-1001", colour="Marine", size="M")
    tshirt = Variant.objects.get(product__code="AAPW-1201", colour="Svart", size="L")
    retired = Variant.objects.get(product__code="AAPW-1201", colour="Rød", size="XS")
    orders_before = Order.objects.count()
    quantity_message = _("The quantity must be a whole number from 1 to %(max)d.", max=MAX_QUANTITY)

    login(page, EMAIL)
    check_page(page)
    page.get_by_role("link", name="Vinterjakke Arktis").click()
    choose_variant(page, LANG, "Marine", "M")
    check_page(page)
    page.get_by_label(_("Quantity")).fill("2")
    page.get_by_role("button", name=_("Add to cart"), exact=True).click()
    expect(page.locator("#cart-add-answer")).to_contain_text(jacket.item_number)

    # Quick order: an unknown and a retired item number are refused (the quick order page
    # shows why and keeps the line to fix); a good one is added.
    open_cart(page)
    check_page(page)
    quick_add(page, "FINNES-IKKE-123", "1")
    expect(page.locator("#quick-result")).to_contain_text("FINNES-IKKE-123")
    expect(page.get_by_label(_("Item numbers and quantities"))).to_have_value("FINNES-IKKE-123 1")
    check_page(page)
    quick_add(page, retired.item_number, "1")
    expect(page.locator("#quick-result")).to_contain_text(retired.item_number)
    quick_add(page, tshirt.item_number, "1")
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Cart"))
    expect_cart(page, {jacket.item_number: "2", tshirt.item_number: "1"})

    # Quantities 0, 1000 and "abc": each is saved as it is typed, so each is refused at the field
    # at once, says so, keeps what was typed, and changes nothing.
    for bad in ("0", "1000", "abc"):
        line = cart_line(page, jacket.item_number)
        quantity = line.get_by_label(_("Quantity"))
        if not bad.isdigit():  # a number field takes no letters; an old browser's text field does
            quantity.evaluate("el => { el.type = 'text'; }")
        quantity.fill(bad)
        quantity.press("Tab")
        expect(line.get_by_text(quantity_message)).to_be_visible()
        expect(line.get_by_role("status")).to_have_text(_("Not saved: the line is as it was."))
        expect(quantity).to_have_value(bad)
        expect(quantity).to_have_attribute("aria-invalid", "true")
        check_page(page)
        expect_cart(page, {jacket.item_number: "2", tshirt.item_number: "1"})

    # An order cannot be placed from an empty cart: the review is open in one tab while the
    # cart is emptied in another, then "Place order" is pressed.
    page.get_by_role("link", name=_("Go to checkout")).click()
    check_page(page)
    page.get_by_role("button", name=_("Continue to review")).click()
    expect(page.get_by_role("heading", level=1, name=_("Review your order"))).to_be_visible()
    check_page(page)
    other = page.context.new_page()
    other.goto("/cart/")
    for item_number in (jacket.item_number, tshirt.item_number):
        cart_line(other, item_number).get_by_role(
            "button", name=re.compile(f"^{re.escape(_('Remove'))}")
        ).click()
        expect(cart_line(other, item_number)).to_have_count(0)
    expect(other.get_by_text(_("Your cart is empty."))).to_be_visible()
    other.close()

    page.get_by_role("button", name=_("Place order")).click()
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text=_("Your cart is empty."))).to_be_visible()
    check_page(page)
    assert Order.objects.count() == orders_before

    # Going to the checkout with an empty cart is turned back with a message too.
    page.goto("/checkout/")
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    expect(page.locator("#messages")).to_contain_text(
        _("Your cart is empty. Add something from the catalogue first.")
    )
    check_page(page)
    assert Order.objects.count() == orders_before
