"""The portal's frame, as a person meets it: the header folds into «Meny» on a phone (keyboard,
Escape, and every link still there without JavaScript), stands on one line at 1366 px for the
role with the most links, the sign-in and error pages look like Kvote, the icons load, and a
browser that prefers English still opens in Norwegian until its person chooses."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Response, ViewportSize, expect

from kvote.people.models import User
from tests.e2e.conftest import PHONE, LoginFn, _open_context, _page_in
from tests.e2e.helpers import assert_accessible, assert_fits_width, menu, t

WIDE: ViewportSize = {"width": 1366, "height": 900}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
ADMIN = "admin@nordlys.example"
# The role with the most links: a company admin who also supervises and approves, with a long
# name (the header must hold it too).
LONG_NAME = "Ingrid Marie Solberg-Kristiansen"


def _(msgid: str, language: str = "nb") -> str:
    return t(language, msgid)


@pytest.fixture
def wide_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    yield from _page_in(request, _open_context(browser, live_server, WIDE), "")


@pytest.fixture
def laptop_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    yield from _page_in(request, _open_context(browser, live_server, LAPTOP), "")


@pytest.fixture
def phone_without_javascript(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    context = _open_context(
        browser, live_server, PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    yield from _page_in(request, context, "")


@pytest.fixture
def english_browser(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    """A phone whose browser prefers English (Accept-Language: en-GB)."""
    context = _open_context(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    context.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
    yield from _page_in(request, context, "")


def _most_links() -> None:
    User.objects.filter(email=ADMIN).update(
        is_supervisor=True, is_approver=True, full_name=LONG_NAME
    )


def _header_items(page: Page) -> list[dict[str, Any]]:
    """Every visible link and button of the header: its text, top and bottom."""
    items: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll('.kv-header a, .kv-header button')]
            .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
            .map(e => { const r = e.getBoundingClientRect();
                        return {text: e.innerText.trim(), top: r.top, bottom: r.bottom}; })"""
    )
    return items


def _assert_one_line(page: Page, language: str) -> None:
    items = _header_items(page)
    texts = [i["text"] for i in items]
    for word in ("Catalogue", "Favourites", "Budgets", "To approve", "My page", "Log out"):
        assert any(text.startswith(_(word, language)) for text in texts), (word, texts)
    tops = sorted(round(i["top"]) for i in items)
    assert tops[-1] - tops[0] <= 2, f"the header wraps at {page.viewport_size}: {items}"
    header = page.locator(".kv-header").bounding_box()
    assert header is not None and header["height"] <= 64, header
    assert_fits_width(page)


def _menu_button(page: Page, language: str = "nb") -> Locator:
    return page.get_by_role("button", name=_("Menu", language), exact=True)


def _focused_text(page: Page) -> str:
    text: str = page.evaluate("() => document.activeElement.innerText.trim()")
    return text


def test_the_header_folds_into_a_menu_a_keyboard_opens_and_escape_closes(
    phone_page: Page, login: LoginFn
) -> None:
    page = phone_page
    _most_links()
    login(page, ADMIN)
    page.goto("/budgets/")
    button = _menu_button(page)
    nav = page.get_by_role("navigation", name=_("Main menu"))
    budgets = nav.get_by_role("link", name=_("Budgets"), exact=True)
    # The cart: a button that opens the mini-cart (minicart.js).
    cart = nav.get_by_role("button", name=re.compile(f"^{re.escape(_('Cart'))}"))

    # Folded: the brand, «Meny» and the cart (with its count) in a short bar.
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(cart).to_be_visible()
    expect(page.locator("#cart-count")).to_be_visible()
    expect(budgets).to_be_hidden()
    expect(page.get_by_role("button", name=_("Log out"))).to_be_hidden()
    header = page.locator(".kv-header").bounding_box()
    assert header is not None and header["height"] <= 0.1 * PHONE["height"], header
    assert_fits_width(page)
    assert_accessible(page)
    controls = button.get_attribute("aria-controls")
    assert controls and page.locator(f"#{controls}").count() == 1

    # The keyboard opens it (Enter), walks into it (Tab), and Escape closes it with the focus
    # back on the button.
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(budgets).to_be_visible()
    expect(budgets).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("button", name=_("Log out"))).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    page.keyboard.press("Tab")
    assert _focused_text(page) == _("Catalogue")
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(budgets).to_be_hidden()
    expect(button).to_be_focused()

    # Space opens it too; tabbing on past its last item and the cart closes it.
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    for _step in range(40):
        page.keyboard.press("Tab")
        if not page.evaluate("() => !!document.activeElement.closest('.kv-header')"):
            break
    expect(button).to_have_attribute("aria-expanded", "false")

    # A link in it works like any link; a click outside closes it.
    button.click()
    budgets.click()
    expect(page).to_have_url(re.compile(r"/budgets/$"))
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.locator("footer").click()
    expect(button).to_have_attribute("aria-expanded", "false")


def test_without_javascript_every_link_shows_on_a_phone(
    phone_without_javascript: Page, login: LoginFn
) -> None:
    page = phone_without_javascript
    page.goto("/login/")
    page.get_by_label("E-post").fill(ADMIN)
    page.get_by_label("Passord").fill("demo1234")
    page.get_by_role("button", name=_("Log in"), exact=True).click()
    expect(page.get_by_role("button", name=_("Log out"))).to_be_visible()
    expect(_menu_button(page)).to_be_hidden()
    nav = page.get_by_role("navigation", name=_("Main menu"))
    for word in ("Catalogue", "Favourites", "Budgets", "To approve", "My page"):
        expect(nav.get_by_role("link", name=_(word), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert_fits_width(page)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_header_is_one_line_at_1366_for_the_role_with_the_most_links(
    wide_page: Page, login: LoginFn, language: str
) -> None:
    page = wide_page
    _most_links()
    User.objects.filter(email=ADMIN).update(language=language)
    login(page, ADMIN)
    expect(_menu_button(page, language)).to_be_hidden()
    for path in ("/catalog/", "/budgets/", "/approvals/", "/min-side/"):
        page.goto(path)
        _assert_one_line(page, language)
        current = page.locator(".kv-header [aria-current='page']")
        expect(current).to_have_count(1)
    assert_accessible(page)


def test_the_header_is_one_line_at_1280_too(laptop_page: Page, login: LoginFn) -> None:
    _most_links()
    login(laptop_page, ADMIN)
    laptop_page.goto("/budgets/")
    _assert_one_line(laptop_page, "nb")


def _assert_card(page: Page, heading: str) -> None:
    card = page.locator("main .kv-card-page")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", level=1, name=heading)).to_be_visible()
    expect(page.locator(".kv-header .kv-brand")).to_be_visible()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for field in card.locator("input.ds-input").all():
        field_box = field.bounding_box()
        assert field_box is not None and field_box["width"] >= 0.8 * box["width"], page.url
    assert_fits_width(page)
    assert_accessible(page)


def test_the_sign_in_pages_are_kvote_cards_that_fit_a_phone(
    phone_page: Page, login: LoginFn
) -> None:
    page = phone_page
    for path, heading in (
        ("/login/", _("Log in")),
        ("/password-reset/", _("Reset password")),
        ("/password-reset/sent/", _("Check your email")),
        ("/password-reset/done/", _("Password saved")),
        ("/password-reset/MQ/bad-token/", _("Choose a new password")),
    ):
        page.goto(path)
        _assert_card(page, heading)
    # A wrong password: the error summary stands above the form, in view, and has the focus.
    page.goto("/login/")
    page.get_by_label("E-post").fill(ADMIN)
    page.get_by_label("Passord").fill("feil-passord")
    page.get_by_role("button", name=_("Log in"), exact=True).click()
    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert_accessible(page)
    # Changing the password, logged in: the same card, the rules described to each field.
    login(page, ADMIN)
    page.goto("/password/")
    _assert_card(page, _("Change your password"))
    new_password = page.locator("#id_new_password1")
    expect(new_password).to_have_attribute("aria-describedby", "id_new_password1-help")
    expect(page.locator("#id_new_password1-help li").first).to_be_visible()


def test_error_pages_look_like_kvote_and_every_icon_loads(page: Page, login: LoginFn) -> None:
    failed: list[str] = []

    def on_failed(request: Request) -> None:
        # A picture below the fold that the browser stops loading itself (lazy loading) is
        # the browser's choice, not a failure of ours; every other failure is.
        if request.resource_type == "image" and "ERR_ABORTED" in (request.failure or ""):
            return
        failed.append(f"failed {request.url} {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            failed.append(f"{response.status} {response.url}")

    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    login(page, ADMIN)
    response = page.goto("/finnes-ikke/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name=_("We cannot find that page"))).to_be_visible()
    expect(page.get_by_role("link", name=_("Go to the catalogue"))).to_be_visible()
    expect(page.get_by_role("navigation", name=_("Main menu"))).to_be_visible()
    assert_accessible(page)
    for href in page.locator("link[rel~='icon'], link[rel='apple-touch-icon']").evaluate_all(
        "links => links.map(l => l.href)"
    ):
        icon = page.request.get(href)
        assert icon.ok and icon.headers["content-type"].startswith("image/"), href
    assert page.request.get("/favicon.ico").ok
    page.goto("/catalog/")
    page.wait_for_load_state("networkidle")
    assert failed == []


def test_a_browser_that_prefers_english_opens_in_norwegian_until_its_person_chooses(
    english_browser: Page,
) -> None:
    page = english_browser
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1, name="Logg inn")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    page.get_by_label("Email").fill("ansatt1@nordlys.example")
    page.get_by_label("Password").fill("demo1234")
    page.get_by_role("button", name="Log in", exact=True).click()
    # Chosen on the way in, so it is the person's: saved, and the portal stays English.
    expect(menu(page, "en").get_by_role("link", name="My page")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get(email="ansatt1@nordlys.example").language == "en"
    menu(page, "en").get_by_role("button", name="Norsk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    assert User.objects.get(email="ansatt1@nordlys.example").language == "nb"


def test_budgets_and_api_tokens_are_cards_on_a_phone(phone_page: Page, login: LoginFn) -> None:
    page = phone_page
    login(page, ADMIN)
    page.goto("/min-side/api-tokens/")
    page.get_by_label(re.compile("^Navn")).fill("HR-synkronisering")
    page.get_by_role("button", name=_("Create the token")).click()
    for path in ("/budgets/", "/min-side/api-tokens/"):
        page.goto(path)
        rows = page.locator("table.kv-rtable tbody tr")
        assert rows.count() >= 1, path
        assert rows.first.evaluate("r => getComputedStyle(r).display") in {"block", "grid"}
        wraps = page.locator(".kv-table-wrap").evaluate_all(
            "ws => ws.filter(w => w.scrollWidth > w.clientWidth + 1).length"
        )
        assert wraps == 0, f"{path}: a table scrolls sideways"
        assert_fits_width(page)
        assert_accessible(page)
    page.goto("/budgets/")
    emma = page.locator("table.kv-rtable tbody tr").filter(has_text="Emma Strand")
    expect(emma.locator("td[data-label='Igjen']")).to_contain_text("kr")
    history = emma.get_by_role("link", name="Emma Strand")
    history.click()
    expect(page.locator("table.kv-rtable")).to_have_count(2)
    assert_fits_width(page)
    assert_accessible(page)
