"""The catalogue on a phone (375×812, touch), in Norwegian: a site worker filters by category with
the thumb, sees short cards (a screen holds three), opens a product by tapping anywhere on its
card, saves a favourite from the list without leaving it, and picks a colour and a size on chips
big enough for a thumb. Nothing scrolls sideways."""

import re

from playwright.sync_api import Locator, Page, expect

from kvote.catalog.models import Product
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, choose_variant, t

LANG = "nb"
EMAIL = "ansatt2@nordlys.example"
THUMB = 44  # px: the smallest target a thumb hits reliably (WCAG 2.5.5)


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def test_the_catalogue_on_a_phone(phone_page: Page, login: LoginFn) -> None:
    page = phone_page
    height = page.viewport_size["height"] if page.viewport_size else 0
    trousers = Product.objects.filter(category__slug="bukser", is_active=True)
    login(page, EMAIL)
    page.goto("/catalog/")
    assert_fits_width(page)
    assert_accessible(page)

    # The filter: a search field, then the category and the button side by side, each a thumb's
    # size.
    category = page.get_by_label(_("Category"))
    search = page.get_by_role("button", name=_("Search"), exact=True)
    for target in (page.get_by_label(_("Search"), exact=True), category, search):
        assert box(target)["height"] >= THUMB, target
    assert abs(box(category)["y"] - box(search)["y"]) < 4, "category and button on one row"
    category.select_option(label="Bukser")
    search.click()
    cards = page.locator(".kv-card")
    expect(cards).to_have_count(trousers.count())
    assert_fits_width(page)

    # Short cards: three of them fit on one screen, whichever three.
    heights = [box(cards.nth(n))["height"] for n in range(cards.count())]
    tallest = sorted(heights)[-3:]
    assert sum(tallest) < height * 0.8, f"cards {heights}px tall on a {height}px screen"

    # A favourite from the list: the heart is a thumb's size, says what it does, and the list
    # stays.
    first, second = (cards.nth(n).get_by_role("heading").inner_text() for n in (0, 1))
    heart = cards.first.get_by_role("button", name=f"{_('Add to favourites')}: {first}")
    assert min(box(heart)["width"], box(heart)["height"]) >= THUMB
    heart.click()
    expect(
        cards.first.get_by_role("button", name=f"{_('Remove from favourites')}: {first}")
    ).to_have_attribute("aria-pressed", "true")
    assert "/catalog/?" in page.url

    # Tapping the card anywhere (here: its price) opens the product.
    product = trousers.get(name=second)
    cards.nth(1).scroll_into_view_if_needed()
    price = box(cards.nth(1).locator(".kv-price"))
    page.touchscreen.tap(price["x"] + price["width"] / 2, price["y"] + price["height"] / 2)
    expect(page.get_by_role("heading", level=1, name=second)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/catalog/{product.pk}/$"))
    assert_fits_width(page)

    # The pickers: every colour and size chip is a thumb's size; the choice shows at once.
    chips = page.locator(".kv-chip")
    for n in range(chips.count()):
        assert box(chips.nth(n))["height"] >= THUMB
        assert box(chips.nth(n))["width"] >= THUMB
    variant = product.variants.filter(is_active=True).order_by("size_position").last()
    assert variant is not None
    choose_variant(page, LANG, variant.colour, variant.size)
    expect(page.get_by_text(variant.item_number)).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
