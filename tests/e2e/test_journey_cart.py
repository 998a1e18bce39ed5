"""Journey: a buyer's choices in the cart are never lost, on a desktop and on a phone.

A buyer changes a line's recipient (and, in another round, its quantity) and at once leaves the
cart by one of the page's links or buttons, every one in turn: Til kassen, the header's links,
the language and logout buttons, a product's link, Remove, Continue shopping, Quick add. The
save of the change is held back on its way to the server (a route in the browser) until the
click has been made, so the page's navigation would reach the server first if the page let it
go; the page must wait for the save. Each time the database, and the next page where it shows
the cart (the cart again, or the review after Til kassen), hold the new choice.

Without script the cart still saves a line with «Oppdater».
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from kvote.catalog.models import Variant
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_add, checkout_details_save
from kvote.companies.models import DeliveryAddress
from kvote.people.models import Employee, User
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import (
    PASSWORD,
    assert_accessible,
    assert_fits_width,
    menu,
    t,
    table_rows,
)

LANG = "nb"
EMAIL = "innkjop@nordlys.example"
SAVE = re.compile(r"/cart/lines/\d+/$")  # a line's save (not its removal)


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


@dataclass
class Cart:
    """The buyer's two lines, and the two recipients a line is moved between."""

    buyer: User
    a: CartLine
    b: CartLine
    before: Employee
    after: Employee

    def line(self, page: Page, which: str) -> Locator:
        return page.locator(f"#line-{getattr(self, which).pk}")

    def reset(self) -> None:
        """Both lines as at the start: for `before`, two of each; a removed line comes back."""
        for which, variant_id in (("a", self.a.variant_id), ("b", self.b.variant_id)):
            line = CartLine.objects.filter(pk=getattr(self, which).pk).first()
            if line is None:
                line = cart_add(actor=self.buyer, variant_id=variant_id, quantity=2)
                setattr(self, which, line)
            CartLine.objects.filter(pk=line.pk).update(quantity=2, recipient=self.before)

    def stored(self, which: str) -> tuple[int, int | None]:
        line = CartLine.objects.get(pk=getattr(self, which).pk)
        return line.quantity, line.recipient_id


def label(employee: Employee) -> str:
    return f"{employee.name} ({employee.number})"


@pytest.fixture
def cart(demo_data: None) -> Cart:
    buyer = User.objects.get(email=EMAIL)
    CartLine.objects.filter(cart__user=buyer).delete()
    jacket = Variant.objects.get(product__code="AAPW-1001", colour="Marine", size="M")
    tshirt = Variant.objects.get(product__code="AAPW-1201", colour="Svart", size="L")
    a = cart_add(actor=buyer, variant_id=jacket.pk, quantity=2)
    b = cart_add(actor=buyer, variant_id=tshirt.pk, quantity=2)
    address = DeliveryAddress.objects.filter(company_id=buyer.company_id, is_default=True).first()
    assert address is not None
    checkout_details_save(actor=buyer, delivery_address_id=address.pk)
    before, after = Employee.objects.filter(
        company_id=buyer.company_id, is_active=True, number__in=["1004", "1008"]
    ).order_by("number")
    cart = Cart(buyer=buyer, a=a, b=b, before=before, after=after)
    cart.reset()
    return cart


# --- the ways out ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exit:
    """One link or button of the cart page: how to find it, and what the next page shows."""

    name: str
    find: Callable[[Page, Cart], Locator]
    arrived: Callable[[Page, Cart], None]
    removes: str = ""  # the line it removes ("a"/"b"): the other line is the one changed
    prepare: Callable[[Page], None] = lambda page: None  # what the button needs filled in


def header_link(name: str | re.Pattern[str]) -> Callable[[Page, Cart], Locator]:
    return lambda page, cart: menu(page, LANG).get_by_role("link", name=name)


def heading(msgid: str) -> Callable[[Page, Cart], None]:
    def arrived(page: Page, cart: Cart) -> None:
        expect(page.get_by_role("heading", level=1, name=_(msgid))).to_be_visible()

    return arrived


def on_the_cart(page: Page, cart: Cart) -> None:
    expect(page.get_by_role("heading", level=1, name=_("Cart"))).to_be_visible()


def line_removed(which: str) -> Callable[[Page, Cart], None]:
    def arrived(page: Page, cart: Cart) -> None:
        on_the_cart(page, cart)
        expect(cart.line(page, which)).to_have_count(0)
        assert not CartLine.objects.filter(pk=getattr(cart, which).pk).exists()

    return arrived


UNKNOWN_ITEM = "FINNES-IKKE-1"


def quick_add_region(page: Page) -> Locator:
    return page.get_by_role("region", name=_("Quick order"))


def quick_add_refused(page: Page, cart: Cart) -> None:
    """The quick order page, with the refused line in its table and in the field to fix."""
    expect(page.get_by_role("heading", level=1, name=_("Quick order"))).to_be_visible()
    expect(page.locator("#quick-result")).to_contain_text(UNKNOWN_ITEM)
    expect(page.get_by_label(_("Item numbers and quantities"))).to_have_value(UNKNOWN_ITEM)


def in_english(page: Page, cart: Cart) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name=t("en", "Cart"))).to_be_visible()


EXITS = [
    Exit(
        "Til kassen",
        lambda page, cart: page.get_by_role("main").get_by_role("link", name=_("Go to checkout")),
        heading("Checkout"),
    ),
    Exit(
        "Fortsett å handle",
        lambda page, cart: page.get_by_role("link", name=_("Continue shopping")),
        heading("Catalogue"),
    ),
    Exit(
        "the line's product",
        lambda page, cart: cart.line(page, "a").get_by_role("link"),
        lambda page, cart: expect(page.get_by_role("heading", level=1)).to_have_text(
            "Vinterjakke Arktis"
        ),
    ),
    Exit(
        "the other line's product",
        lambda page, cart: cart.line(page, "b").get_by_role("link"),
        lambda page, cart: expect(page.get_by_role("heading", level=1)).to_have_text(
            "T-skjorte Bomull"
        ),
    ),
    Exit(
        "the line's picture",
        lambda page, cart: cart.line(page, "a").locator("a.kv-line-picture"),
        lambda page, cart: expect(page.get_by_role("heading", level=1)).to_have_text(
            "Vinterjakke Arktis"
        ),
    ),
    Exit(
        "the other line's picture",
        lambda page, cart: cart.line(page, "b").locator("a.kv-line-picture"),
        lambda page, cart: expect(page.get_by_role("heading", level=1)).to_have_text(
            "T-skjorte Bomull"
        ),
    ),
    Exit(
        "Fjern (the other line)",
        lambda page, cart: cart.line(page, "b").get_by_role(
            "button", name=re.compile(f"^{re.escape(_('Remove'))}")
        ),
        line_removed("b"),
        removes="b",
    ),
    Exit(
        "Fjern (this line, after a change of the other)",
        lambda page, cart: cart.line(page, "a").get_by_role(
            "button", name=re.compile(f"^{re.escape(_('Remove'))}")
        ),
        line_removed("a"),
        removes="a",
    ),
    Exit(
        "Hurtigbestilling on its own page",
        lambda page, cart: quick_add_region(page).get_by_role(
            "link", name=_("Open quick order on its own page")
        ),
        heading("Quick order"),
    ),
    Exit(
        "Legg i handlekurven (quick add)",
        lambda page, cart: quick_add_region(page).get_by_role("button", name=_("Add to cart")),
        quick_add_refused,
        prepare=lambda page: (
            quick_add_region(page).get_by_label(_("Item numbers and quantities")).fill(UNKNOWN_ITEM)
        ),
    ),
    Exit(
        "Kvote (the brand)",
        lambda page, cart: page.locator("header").get_by_role("link", name=re.compile("^Kvote")),
        heading("Catalogue"),
    ),
    Exit("Produkter", header_link(_("Catalogue")), heading("Catalogue")),
    Exit("Favoritter", header_link(_("Favourites")), heading("Favourites")),
    Exit("Handlekurv", header_link(re.compile(f"^{re.escape(_('Cart'))}")), on_the_cart),
    Exit("Min side", header_link(_("My page")), heading("My page")),
    Exit(
        "English",
        lambda page, cart: page.get_by_role("button", name="English", exact=True),
        in_english,
    ),
    Exit(
        "Logg ut",
        lambda page, cart: page.get_by_role("button", name=_("Log out")),
        heading("Log in"),
    ),
]


def reveal(page: Page, target: Locator) -> None:
    """A header link folded into a menu on a phone: open the menu first (not a way out)."""
    if target.is_visible():
        return
    toggle = page.locator('header button[aria-expanded="false"], header summary').first
    if toggle.count():
        toggle.click()
    expect(target).to_be_visible()


def check_every_way_out_is_tried(page: Page, cart: Cart) -> None:
    """Every link and button on the cart page that leaves it is one of EXITS."""
    for exit_ in EXITS:
        found = exit_.find(page, cart)
        expect(found).to_have_count(1)
        found.evaluate("el => { el.dataset.kvExit = '1'; }")
    untried = page.evaluate(
        """() => [...document.querySelectorAll("a[href], button")]
            .filter(el => el.getClientRects().length > 0)
            .filter(el => el.tagName === "A"
                ? !el.getAttribute("href").startsWith("#")
                : el.form !== null && el.type === "submit")
            .filter(el => !el.dataset.kvExit)
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert untried == [], f"ways out of the cart not tried: {untried}"


# --- the journey -----------------------------------------------------------------------------


@contextmanager
def saves_held(page: Page) -> Iterator[list[Route]]:
    """Hold each line's save in the browser until the block ends, then let them go on."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(SAVE, hold)
    try:
        yield held
    finally:
        for route in held:
            route.continue_()
        page.unroute(SAVE, hold)


def open_cart(page: Page, cart: Cart) -> None:
    page.goto("/cart/")
    on_the_cart(page, cart)
    expect(page.locator("#cart.kv-autosave")).to_have_count(1)  # cart.js runs
    page.evaluate("() => { document.documentElement.dataset.kvStay = '1'; }")


def leave_right_after(
    page: Page, cart: Cart, exit_: Exit, change: Callable[[Locator], None], which: str
) -> None:
    """Make the change on line `which`, then press the way out at once; while the save is held
    back, the page stays and nothing is stored yet; then the save goes through and the page
    goes on."""
    before = cart.stored(which)
    target = exit_.find(page, cart)
    exit_.prepare(page)
    with saves_held(page) as held:
        change(cart.line(page, which))
        reveal(page, target)
        target.click()
        page.wait_for_timeout(300)
        assert len(held) == 1, f"{exit_.name}: the save was not sent on change"
        assert page.locator("html[data-kv-stay]").count() == 1, (
            f"{exit_.name}: the page left before its change was saved"
        )
        assert cart.stored(which) == before
    expect(page.locator("html[data-kv-stay]")).to_have_count(0)  # and then it goes on
    exit_.arrived(page, cart)


def new_recipient(cart: Cart) -> Callable[[Locator], None]:
    def change(line: Locator) -> None:
        line.get_by_role("combobox", name=_("Recipient")).select_option(label=label(cart.after))

    return change


def new_quantity(line: Locator) -> None:
    line.get_by_label(_("Quantity")).fill("7")  # sent on leaving the field: the click itself


def shows_on_the_next_page(page: Page, cart: Cart, exit_: Exit, which: str, kind: str) -> None:
    """Where the next page shows the cart, it shows the saved choice."""
    if exit_.name == "Til kassen":
        page.get_by_role("button", name=_("Continue to review")).click()
        expect(page.get_by_role("heading", level=1, name=_("Review your order"))).to_be_visible()
        assert_fits_width(page)
        rows = table_rows(page.get_by_role("table", name=_("Products in the order")))
        (row,) = [r for r in rows if r[_("Product")] == "Vinterjakke Arktis"]
        if kind == "recipient":
            assert row[_("Recipient")] == label(cart.after)
        else:
            assert row[_("Quantity")] == "7"
        return
    if exit_.arrived is not on_the_cart and not exit_.removes:
        return
    line = cart.line(page, which)
    if kind == "recipient":
        expect(
            line.get_by_role("combobox", name=_("Recipient")).locator("option:checked")
        ).to_have_text(label(cart.after))
    else:
        expect(line.get_by_label(_("Quantity"))).to_have_value("7")


def walk_every_way_out(page: Page, cart: Cart, login: LoginFn) -> None:
    for kind in ("recipient", "quantity"):
        for exit_ in EXITS:
            cart.reset()
            open_cart(page, cart)
            which = "a" if exit_.removes != "a" else "b"
            change = new_recipient(cart) if kind == "recipient" else new_quantity
            leave_right_after(page, cart, exit_, change, which)
            wanted = (2, cart.after.pk) if kind == "recipient" else (7, cart.before.pk)
            assert cart.stored(which) == wanted, f"{kind}, then {exit_.name}"
            shows_on_the_next_page(page, cart, exit_, which, kind)
            if exit_.name == "English":
                norsk = page.get_by_role("button", name="Norsk", exact=True)
                reveal(page, norsk)
                norsk.click()
                expect(page.locator("html")).to_have_attribute("lang", "nb")
            if exit_.name == "Logg ut":
                login(page, EMAIL)


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_a_choice_made_in_the_cart_survives_every_way_out(
    request: pytest.FixtureRequest, viewport: str, cart: Cart, login: LoginFn
) -> None:
    page: Page = request.getfixturevalue(viewport)
    login(page, EMAIL)
    open_cart(page, cart)
    assert_accessible(page)
    assert_fits_width(page)
    check_every_way_out_is_tried(page, cart)
    walk_every_way_out(page, cart, login)


def test_a_refused_change_made_right_before_leaving_keeps_the_person_on_the_cart(
    page: Page, cart: Cart, login: LoginFn
) -> None:
    """Typed 1000, then Til kassen at once: the page stays, the field says why and has the
    focus, and nothing changed; a second press goes on, with the line as it was."""
    login(page, EMAIL)
    open_cart(page, cart)
    line = cart.line(page, "a")
    quantity = line.get_by_label(_("Quantity"))
    quantity.fill("1000")
    page.get_by_role("main").get_by_role("link", name=_("Go to checkout")).click()
    message = _("The quantity must be a whole number from 1 to %(max)d.", max=999)
    expect(line.get_by_text(message)).to_be_visible()
    expect(quantity).to_be_focused()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    assert page.locator("html[data-kv-stay]").count() == 1
    assert cart.stored("a") == (2, cart.before.pk)
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name=_("Go to checkout")).click()
    expect(page.get_by_role("heading", level=1, name=_("Checkout"))).to_be_visible()
    assert cart.stored("a") == (2, cart.before.pk)


def test_a_change_not_yet_sent_survives_the_browsers_back_button(
    page: Page, cart: Cart, login: LoginFn
) -> None:
    """Typed, and gone by the browser's own back button before the field was left: the page
    sends it on its way out."""
    login(page, EMAIL)
    open_cart(page, cart)
    cart.line(page, "a").get_by_label(_("Quantity")).fill("7")  # still in the field
    page.go_back()
    for _attempt in range(50):
        if cart.stored("a") == (7, cart.before.pk):
            break
        page.wait_for_timeout(100)
    assert cart.stored("a") == (7, cart.before.pk)
    open_cart(page, cart)
    expect(cart.line(page, "a").get_by_label(_("Quantity"))).to_have_value("7")
    expect(page.locator("#messages")).to_have_text("")  # no message left for a later page


def test_without_script_update_saves_a_line(browser: Browser, live_server: Any, cart: Cart) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="nb-NO"
    )
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label(re.compile("^E-post")).fill(EMAIL)
        page.get_by_label(re.compile("^Passord")).fill(PASSWORD)
        page.get_by_role("button", name=_("Log in")).click()
        page.goto("/cart/")
        line = cart.line(page, "a")
        update = line.get_by_role("button", name=re.compile(f"^{re.escape(_('Update'))}"))
        expect(update).to_be_visible()
        line.get_by_role("combobox", name=_("Recipient")).select_option(label=label(cart.after))
        line.get_by_label(_("Quantity")).fill("3")
        update.click()
        expect(page.get_by_text(_("The cart is updated."))).to_be_visible()
        assert cart.stored("a") == (3, cart.after.pk)
        expect(page.get_by_text(_("Press Update after a change."))).to_be_visible()
    finally:
        context.close()
