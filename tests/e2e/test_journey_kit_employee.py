"""Kit journey, in Norwegian: a self-service employee with a kit (ansatt2, the demo's «Lager»)
sees «Mitt utstyr» on Min side, filters the catalogue to «Bare mitt utstyr», orders a T-shirt
within the kit, and Min side then shows it used. The kit, its items and the expected figures come
from the database (kvote.kits.selectors), read before the journey starts."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from kvote.catalog.models import Product, Variant
from kvote.kits.selectors import EmployeeKit, KitItemFigures, item_for, kits_for_employees
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    assert_accessible,
    assert_fits_width,
    choose_variant,
    clean,
    go_to_cart,
    menu,
    t,
)

LANG = "nb"
EMAIL = "ansatt2@nordlys.example"
COMPANY = "Nordlys Bygg AS"
NUMBER = "1003"
SHIRT = ("AAPW-1201", "Marine", "L")  # T-skjorte Bomull: in the kit (its category «Overdeler»)


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def employee() -> Employee:
    return Employee.objects.get(company__name=COMPANY, number=NUMBER)


def my_kit() -> EmployeeKit:
    me = employee()
    with translation.override("nb"):  # the page's language, whatever the thread was left in
        return kits_for_employees(company=me.company, employee_ids=[me.pk])[me.pk]


def shirt_figures(shirt: Product) -> KitItemFigures:
    """The figures of the kit item the shirt counts against (its own, or its category's)."""
    found = item_for(my_kit().items, product_id=shirt.pk, category_id=shirt.category_id)
    assert found is not None, "the demo's kit of ansatt2 covers the T-shirt"
    return found


def products_in(kit: EmployeeKit) -> set[int]:
    """The active products the kit's items name, directly or by their category."""
    named = Q(pk__in=[i.product_id for i in kit.items if i.product_id is not None]) | Q(
        category_id__in=[i.category_id for i in kit.items if i.category_id is not None]
    )
    return set(Product.objects.filter(named, is_active=True).values_list("pk", flat=True))


def kit_items(page: Page) -> Locator:
    return page.get_by_role("region", name=_("My equipment")).locator("li.kv-kit-item")


def item_words(page: Page, label: str) -> str:
    item = kit_items(page).filter(has=page.locator(".kv-kit-item__label", has_text=label))
    expect(item).to_have_count(1)
    return clean(item.locator(".kv-use-words").inner_text())


def words(figures: KitItemFigures) -> str:
    return _(
        "%(used)s of %(allowed)s used, %(remaining)s left",
        used=figures.used,
        allowed=figures.allowed,
        remaining=figures.remaining,
    )


def open_my_page(page: Page) -> None:
    menu(page, LANG).get_by_role("link", name=_("My page"), exact=True).click()
    expect(page.get_by_role("heading", level=1, name=_("My page"), exact=True)).to_be_visible()
    assert_accessible(page)


def test_an_employee_sees_the_kit_filters_to_it_and_orders_within_it(
    page: Page, phone_page: Page, login: LoginFn
) -> None:
    shirt = Product.objects.get(code=SHIRT[0])
    kit = my_kit()
    before = shirt_figures(shirt)
    label = before.label  # the item's Norwegian name: the shirt's own, or its category's
    assert before.remaining >= 1, before  # the demo's earlier shirts count too
    expected = products_in(kit)
    # A real filter, and one page of it: the shirt among fewer products than the whole catalogue.
    assert shirt.pk in expected
    assert len(expected) < Product.objects.filter(is_active=True).count()
    assert len(expected) <= settings.KVOTE_PAGE_SIZE

    # Min side: «Mitt utstyr» with the kit's name and each item's figures in words.
    login(page, EMAIL)
    open_my_page(page)
    section = page.get_by_role("region", name=_("My equipment"))
    expect(section).to_contain_text(kit.kit_name)
    expect(kit_items(page)).to_have_count(len(kit.items))
    for item in kit.items:
        assert item_words(page, item.label) == words(item)

    # The catalogue, filtered to «Bare mitt utstyr»: the products the kit's items name only.
    menu(page, LANG).get_by_role("link", name=_("Catalogue"), exact=True).click()
    page.get_by_label(_("Only my equipment")).check()
    page.get_by_role("button", name=_("Search"), exact=True).click()
    expect(page.get_by_label(_("Only my equipment"))).to_be_checked()
    assert_accessible(page)
    cards = page.locator(".kv-card")
    expect(cards).to_have_count(len(expected))
    shirt_card = cards.filter(has=page.get_by_role("link", name=shirt.name, exact=True))
    expect(shirt_card.locator(".kv-kit-mark")).to_have_text(
        _("In the kit – %(counter)s left") % {"counter": before.remaining}
    )

    # Order one shirt for myself: within the kit (and the budget), released at once.
    shirt_card.get_by_role("link", name=shirt.name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=shirt.name)).to_be_visible()
    expect(page.locator(".kv-kit-mark")).to_be_visible()
    choose_variant(page, LANG, SHIRT[1], SHIRT[2])
    variant = Variant.objects.get(product=shirt, colour=SHIRT[1], size=SHIRT[2])
    page.get_by_role("button", name=_("Add to cart"), exact=True).click()
    expect(page.locator("#cart-add-answer")).to_contain_text(variant.item_number)
    go_to_cart(page, LANG)
    page.get_by_role("link", name=_("Go to checkout")).click()
    page.get_by_role("button", name=_("Continue to review")).click()
    expect(page.get_by_role("heading", level=1, name=_("Review your order"))).to_be_visible()
    orders = Order.objects.count()
    page.get_by_role("button", name=_("Place order")).click()
    expect(page.get_by_role("heading", level=1, name=_("Thank you for your order"))).to_be_visible()
    assert Order.objects.count() == orders + 1
    assert Order.objects.latest("pk").state == OrderState.RELEASED

    # Min side counts it: one more used, one less left.
    open_my_page(page)
    after = shirt_figures(shirt)
    assert (after.used, after.remaining) == (before.used + 1, before.remaining - 1)
    assert item_words(page, label) == words(after)

    # On a phone: nothing scrolls sideways on Min side nor on the filtered catalogue.
    login(phone_page, EMAIL)
    phone_page.goto(reverse("checkout:my_page"))
    expect(phone_page.get_by_role("region", name=_("My equipment"))).to_be_visible()
    assert_fits_width(phone_page)
    phone_page.goto(reverse("catalog:list") + "?kit=1")
    assert_fits_width(phone_page)
    assert_accessible(phone_page)
