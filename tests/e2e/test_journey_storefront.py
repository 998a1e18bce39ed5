"""The storefront as a buyer meets it (issue 16), on a phone and on a desktop, in Norwegian: find a
jacket by «marine xl», see its picture follow the colour and the stock of every size, add it to
the cart without leaving the page, order it, and order the same again from «Mine ordrer»; then
a quick order with one bad line. Every page is checked with axe and fits the screen."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from kvote.catalog.models import Variant
from kvote.catalog.stock import stock_status
from kvote.checkout.models import CartLine
from kvote.ordering.models import Order
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    assert_accessible,
    assert_fits_width,
    go_to_cart,
    menu,
    t,
)

LANG = "nb"
EMAIL = "ansatt1@nordlys.example"
JACKET = "Vinterjakke Arktis"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def check(page: Page) -> None:
    assert_accessible(page)
    assert_fits_width(page)


def main_picture(page: Page) -> dict[str, str]:
    picture = page.locator("#gallery .kv-gallery__main img")
    expect(picture).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#gallery .kv-gallery__main img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    return {
        "src": picture.evaluate("img => img.currentSrc"),
        "alt": picture.get_attribute("alt") or "",
    }


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_find_see_add_order_and_order_again(
    request: pytest.FixtureRequest, viewport: str, demo_data: None, login: LoginFn
) -> None:
    page: Page = request.getfixturevalue(viewport)
    CartLine.objects.filter(cart__user__email=EMAIL).delete()
    marine_xl = Variant.objects.get(product__name=JACKET, colour="Marine", size="XL")
    login(page, EMAIL)

    # «marine xl»: the jacket is among the results, its card opens marine in XL.
    page.get_by_role("searchbox", name=_("Search")).fill("marine xl")
    page.get_by_role("button", name=_("Search"), exact=True).click()
    results = page.get_by_role("list", name=re.compile(r"^\d+ "))
    card = results.get_by_role("link", name=JACKET)
    expect(card).to_be_visible()
    expect(results.get_by_role("link", name="Hørselvern")).to_have_count(0)
    check(page)
    card.click()
    expect(page.get_by_role("heading", level=1, name=JACKET)).to_be_visible()
    colours = page.get_by_role("group", name=_("Colour"))
    sizes = page.get_by_role("group", name=_("Size"))
    expect(colours.get_by_role("radio", name="Marine")).to_be_checked()
    expect(sizes.get_by_role("radio", name="XL", exact=True)).to_be_checked()
    expect(page.get_by_text(marine_xl.item_number)).to_be_visible()
    marine = main_picture(page)
    assert "marine" in marine["alt"].lower(), marine
    check(page)

    # The stock of every size of the chosen colour, in the words of kvote.catalog.stock.
    with translation.override(LANG):
        expected = {
            v.size: stock_status(v).label
            for v in Variant.objects.filter(product=marine_xl.product, colour="Marine")
        }
    for size, words in expected.items():
        radio = sizes.get_by_role("radio", name=size, exact=True)
        expect(radio).to_have_accessible_description(words)

    # Another colour: the picture follows; then back to marine for the order.
    colours.get_by_role("radio", name="Svart").check()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Svart"))).to_be_visible()
    expect(page.locator("#gallery .kv-gallery__main img")).not_to_have_attribute(
        "alt", marine["alt"]
    )
    black = main_picture(page)
    assert "svart" in black["alt"].lower() and black["src"] != marine["src"], (black, marine)
    colours.get_by_role("radio", name="Marine").check()
    sizes.get_by_role("radio", name="XL", exact=True).check()
    expect(page.get_by_text(marine_xl.item_number)).to_be_visible()

    # Into the cart without leaving the page.
    url = page.url
    page.evaluate("() => { window.kvNotReloaded = true; }")
    page.get_by_role("button", name=_("Add to cart"), exact=True).click()
    expect(page.locator("#cart-add-answer")).to_contain_text(marine_xl.item_number)
    expect(page.locator("#cart-count")).to_have_attribute("data-count", "1")
    assert page.url == url and page.evaluate("() => window.kvNotReloaded === true")
    check(page)

    # Order it: the cart and the review show its picture and stock, the confirmation too.
    go_to_cart(page, LANG)
    line = page.locator(".kv-cart-line").filter(has_text=marine_xl.item_number)
    expect(line.locator("img")).to_have_attribute("alt", re.compile(JACKET))
    check(page)
    page.get_by_role("link", name=_("Go to checkout")).click()
    page.get_by_role("button", name=_("Continue to review")).click()
    expect(page.get_by_role("heading", level=1, name=_("Review your order"))).to_be_visible()
    check(page)
    page.get_by_role("button", name=_("Place order")).click()
    expect(page.get_by_role("heading", level=1, name=_("Thank you for your order"))).to_be_visible()
    order = Order.objects.filter(placed_by__email=EMAIL).latest("pk")
    lines = page.get_by_role("table", name=_("Products in the order"))
    expect(lines.locator("img")).to_have_attribute("alt", re.compile(JACKET))
    check(page)

    # «Mine ordrer» → «Bestill igjen»: the same line is back in the cart.
    menu(page, LANG).get_by_role("link", name="Min side", exact=True).click()
    page.get_by_role("link", name=_("All my orders")).click()
    expect(page.get_by_role("heading", level=1, name="Mine ordrer", exact=True)).to_be_visible()
    check(page)
    page.get_by_role("button", name=f"{_('Order again')} {order.number}").click()
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()
    expect(page.locator("#reorder-outcome").get_by_role("status")).to_contain_text(order.number)
    expect(page.locator(".kv-cart-line").filter(has_text=marine_xl.item_number)).to_have_count(1)
    assert list(
        CartLine.objects.filter(cart__user__email=EMAIL).values_list("variant_id", "quantity")
    ) == [(marine_xl.pk, 1)]
    check(page)

    # Quick order with one bad line: the good one goes in, the bad one stays to be fixed.
    page.goto("/cart/quick-order/")
    expect(page.get_by_role("heading", level=1, name=_("Quick order"))).to_be_visible()
    field = page.get_by_role("textbox", name=_("Item numbers and quantities"))
    field.fill(f"{marine_xl.item_number.replace('-', '').lower()} 2\nFINNES-IKKE-9;1")
    page.get_by_role("main").get_by_role("button", name=_("Add to cart")).click()
    rows = page.locator("#quick-result tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("FINNES-IKKE-9")
    expect(field).to_have_value("FINNES-IKKE-9;1")
    check(page)
    assert CartLine.objects.get(cart__user__email=EMAIL, variant=marine_xl).quantity == 3
