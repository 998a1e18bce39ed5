"""Journey: the cart answers in place, on a phone and on a desktop.

An employee adds two of a jacket on its product page: the confirmation shows right under the
button (what was added, the cart's count and total, the ways on) without the page moving or
reloading, and the header's badge shows the new count. Too many is refused at the quantity,
with what was typed kept and nothing changed. The header's mini-cart opens with the keyboard,
shows the line and the total, and Escape closes it with the focus back on the cart; after one
more is added it shows the new quantity.
"""

import re
from decimal import Decimal

from django.utils import translation
from playwright.sync_api import Page, expect

from kvote.catalog.models import Variant
from kvote.checkout.models import CartLine
from kvote.checkout.selectors import cart_view
from kvote.people.models import User
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    assert_accessible,
    assert_fits_width,
    choose_variant,
    clean,
    nok,
    t,
)

LANG = "nb"
EMAIL = "ansatt1@nordlys.example"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def cart_says(count: int, total: Decimal) -> str:
    with translation.override(LANG):
        text = translation.ngettext(
            "Cart: %(counter)s item, %(total)s excl. VAT.",
            "Cart: %(counter)s items, %(total)s excl. VAT.",
            count,
        )
    return text % {"counter": count, "total": nok(total, LANG)}


def stored(user: User) -> list[tuple[int, int]]:
    return list(
        CartLine.objects.filter(cart__user=user)
        .order_by("pk")
        .values_list("variant_id", "quantity")
    )


def badge_number(page: Page) -> str:
    """The number the badge shows (drawn from its data-count by the stylesheet)."""
    shown: str = page.evaluate(
        "() => getComputedStyle(document.getElementById('cart-count'), '::before').content"
    )
    return shown.strip('"')


def test_the_cart_answers_in_place_on_a_desktop(page: Page, login: LoginFn) -> None:
    journey(page, login, phone=False)


def test_the_cart_answers_in_place_on_a_phone(phone_page: Page, login: LoginFn) -> None:
    journey(phone_page, login, phone=True)


def journey(page: Page, login: LoginFn, *, phone: bool) -> None:
    user = User.objects.get(email=EMAIL)
    jacket = Variant.objects.get(product__code="AAPW-1001", colour="Marine", size="M")
    with translation.override(LANG):
        product = jacket.product.display_name  # the page's language, not the thread's
    login(page, EMAIL)
    assert stored(user) == []

    page.goto(f"/catalog/{jacket.product_id}/")
    choose_variant(page, LANG, "Marine", "M")
    url = page.url
    page.evaluate("() => { window.kvNotReloaded = true; }")

    # Two of it, with the keyboard: the confirmation under the button, the page where it was.
    page.get_by_label(_("Quantity")).fill("2")
    button = page.get_by_role("button", name=_("Add to cart"), exact=True)
    button.focus()
    page.keyboard.press("Enter")
    answer = page.locator("#cart-add-answer")
    added = _(
        "Added to cart: %(quantity)d × %(product)s (item number %(item)s).",
        quantity=2,
        product=product,
        item=jacket.item_number,
    )
    expect(answer).to_contain_text(added)
    assert stored(user) == [(jacket.pk, 2)]
    total = cart_view(actor=user).totals.excl_vat
    assert clean(answer.inner_text()).count(cart_says(1, total)) == 1
    expect(answer).to_have_attribute("role", "status")
    expect(answer.get_by_role("link", name=_("Go to the cart"))).to_be_visible()
    expect(answer.get_by_role("link", name=_("Go to checkout"))).to_be_visible()
    assert page.url == url
    assert page.evaluate("() => window.kvNotReloaded === true")
    expect(button).to_be_focused()
    expect(page.locator("#cart-count")).to_have_attribute("data-count", "1")
    expect(page.locator("#cart-count")).to_be_visible()
    assert badge_number(page) == "1"
    assert_accessible(page)
    assert_fits_width(page)

    # Too many: said at the quantity, what was typed kept, nothing changed, focus to fix it.
    quantity = page.get_by_label(_("Quantity"))
    quantity.fill("1000")
    button.click()
    message = page.locator("#cart-add-error")
    expect(message).to_have_text(
        _("The quantity must be a whole number from 1 to %(max)d.", max=999)
    )
    expect(message).to_have_attribute("role", "alert")
    expect(quantity).to_have_value("1000")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_be_focused()
    expect(answer).to_be_empty()
    assert stored(user) == [(jacket.pk, 2)]
    assert page.evaluate("() => window.kvNotReloaded === true")
    assert_accessible(page)

    # The mini-cart: Enter opens it, it shows the line and the total; Escape closes it.
    cart = page.get_by_role("button", name=re.compile(f"^{re.escape(_('Cart'))}"))
    expect(cart).to_have_attribute("aria-expanded", "false")
    cart.focus()
    page.keyboard.press("Enter")
    expect(cart).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#kv-minicart")
    expect(panel).to_be_visible()
    line = panel.get_by_role("listitem").filter(has_text=product)
    expect(line).to_contain_text(_("%(colour)s, size %(size)s", colour="Marine", size="M"))
    expect(line).to_contain_text(_("%(quantity)s pcs.", quantity=2))
    expect(line).to_contain_text(nok(total, LANG))
    expect(panel).to_contain_text(_("Total excl. VAT"))
    expect(panel.get_by_role("link", name=_("Go to checkout"))).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    if phone:
        box = panel.bounding_box()
        width = page.viewport_size["width"] if page.viewport_size else 0
        assert box is not None and box["x"] == 0 and box["width"] == width, box
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(cart).to_have_attribute("aria-expanded", "false")
    expect(cart).to_be_focused()

    # One more: the badge keeps its count, the mini-cart (Space opens it) the new quantity.
    quantity.fill("1")
    button.click()
    expect(answer).to_contain_text(
        _(
            "Added to cart: %(quantity)d × %(product)s (item number %(item)s).",
            quantity=1,
            product=product,
            item=jacket.item_number,
        )
    )
    expect(quantity).not_to_have_attribute("aria-invalid", "true")
    expect(message).to_be_empty()
    cart.focus()
    page.keyboard.press("Space")
    expect(cart).to_have_attribute("aria-expanded", "true")
    expect(panel.get_by_role("listitem").filter(has_text=product)).to_contain_text(
        _("%(quantity)s pcs.", quantity=3)
    )
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert stored(user) == [(jacket.pk, 3)]
    if phone:
        # The phone's «Meny» and the mini-cart: opening one folds the other.
        menu = page.get_by_role("button", name=_("Menu"), exact=True)
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        cart.click()
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(panel).to_be_visible()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(panel).to_be_hidden()
        expect(cart).to_have_attribute("aria-expanded", "false")
    assert page.url == url
    assert page.evaluate("() => window.kvNotReloaded === true")
