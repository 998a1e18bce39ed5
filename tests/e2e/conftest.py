"""Browser journeys: Playwright (sync API) driving Debian's Chromium against a live Django server.

- Chromium is `/usr/bin/chromium` (or $KVOTE_CHROMIUM). Without one every test here skips with
  the reason, unless KVOTE_REQUIRE_BROWSER=1 (CI), which makes them fail instead.
- Playwright's own browser download is never used.
- Each test gets a fresh browser context (no cookies), the demo data (`seed_demo`) in the real
  test database, and the live server (pytest-django's `live_server`, on loopback).
- Every page a journey visits is checked with axe-core (`assert_accessible`), and any 5xx answer
  from the server, uncaught JavaScript error or Content-Security-Policy violation (an inline
  script or style, anything from elsewhere the policy refuses) fails the test.
- A failing test leaves a screenshot in var/e2e/<test name>.png.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would
# otherwise refuse every ORM call the tests (and fixtures) make while it runs.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from axe_playwright_python.base import AXE_SCRIPT
from django.core.management import call_command
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    ViewportSize,
    sync_playwright,
)

from tests.e2e.helpers import log_in

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR.parent.parent / "var" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}

LoginFn = Callable[[Page, str], None]
NewPageFn = Callable[[], Page]


def chromium_path() -> str | None:
    """The Chromium to drive: $KVOTE_CHROMIUM, else /usr/bin/chromium; None when missing."""
    candidate = os.environ.get("KVOTE_CHROMIUM", "/usr/bin/chromium")
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate)


def browser_required() -> bool:
    return os.environ.get("KVOTE_REQUIRE_BROWSER", "") == "1"


def _missing_reason() -> str:
    wanted = os.environ.get("KVOTE_CHROMIUM", "/usr/bin/chromium")
    return f"Chromium not found at {wanted}; install Debian's chromium (apt-get install chromium)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in tests/e2e `e2e`; skip them all (visibly) when there is no Chromium."""
    skip = None
    if chromium_path() is None and not browser_required():
        skip = pytest.mark.skip(reason=_missing_reason())
    for item in items:
        if E2E_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if skip is not None:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so the page fixture knows the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --- browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    executable = chromium_path()
    if executable is None:
        pytest.fail(_missing_reason() + " (KVOTE_REQUIRE_BROWSER=1 makes this an error)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    assert executable is not None
    browser = playwright_instance.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    """The demo company, people and catalogue (`manage.py seed_demo`) in the test database."""
    call_command("seed_demo", verbosity=0)


# Every violation of the page's Content-Security-Policy, written to the console where PageWatch
# reads it (Chromium also logs its own "Refused to …" line; this one names the directive).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` on ${event.documentURI} (${event.sourceFile || ""}:${event.lineNumber || 0})`);
});
"""


def is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


class PageWatch:
    """Collects what the browser saw go wrong: 5xx answers, uncaught page errors and
    Content-Security-Policy violations."""

    def __init__(self) -> None:
        self.server_errors: list[str] = []
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []

    def attach(self, page: Page) -> None:
        page.add_init_script(CSP_REPORTER)
        page.on("response", self._on_response)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if is_csp_violation(message.text):
            self.csp_violations.append(message.text)

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")


def _open_context(
    browser: Browser, live_server: Any, viewport: ViewportSize, **options: Any
) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        **options,
    )
    context.add_init_script(AXE_SCRIPT)  # axe-core on every page, for assert_accessible
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def _page_in(request: pytest.FixtureRequest, context: BrowserContext, name: str) -> Iterator[Page]:
    page = context.new_page()
    watch = PageWatch()
    watch.attach(page)
    yield page
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", f"{request.node.name}{name}")
        try:
            page.screenshot(path=str(SCREENSHOT_DIR / f"{safe}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the test's own failure matters more
            print(f"could not save a screenshot: {exc}")
    context.close()
    problems = (
        watch.server_errors
        + [f"JavaScript error: {e}" for e in watch.page_errors]
        + watch.csp_violations
    )
    if problems and not failed:
        pytest.fail("The browser saw errors:\n" + "\n".join(problems))


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    """A desktop-sized page in a fresh context (no cookies), on the live server."""
    yield from _page_in(request, _open_context(browser, live_server, DESKTOP), "")


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[Page]:
    """A phone-sized page (375×812, touch) in a fresh context, on the live server."""
    context = _open_context(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    yield from _page_in(request, context, "")


@pytest.fixture
def blank_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A page on no server and no data, for checking the harness itself."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    yield from _page_in(request, context, "")


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_data: None
) -> Iterator[NewPageFn]:
    """Open further fresh contexts in one test (e.g. to log in again without any cookies)."""
    pages: list[Iterator[Page]] = []

    def open_page() -> Page:
        gen = _page_in(request, _open_context(browser, live_server, DESKTOP), f"-{len(pages)}")
        pages.append(gen)
        return next(gen)

    yield open_page
    for gen in pages:
        next(gen, None)


@pytest.fixture
def login() -> LoginFn:
    """`login(page, email)`: log in through the login form (password demo1234)."""
    return log_in
