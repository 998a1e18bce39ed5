"""Every page of the portal, as every demo role, on a phone (390×844) and a desktop (1366×900),
in Norwegian (and in English for one role): nothing scrolls sideways, the browser sees no error
and no failed request, axe-core finds nothing serious, and on a desktop the header stands on one
line. Each page is saved as a screenshot, var/screens/<viewport>/<role>/<nn>-<title>.png, with an
index (var/screens/index.html: each page's phone and desktop side by side, with what was found)
and the run's counts and problems (var/screens/report.txt), so a person can look them through in
a minute.

Which pages: every pattern of the URL map (tests/urlmap.py), filled with the demo's own rows for
each role (an order of theirs, a product of their catalogue, one of their employees), less what
is not a page: an export's file, a form's POST-only URL (a GET goes to its page), an htmx
fragment, the API. A page a role may not see (404) is skipped for that role, but every page in a
role's menu must be visited. The pages that answer a logged-out visitor (login, password reset)
are visited logged out. Some states a URL alone does not reach are visited too: the login with a
wrong password, a set-password link (good and spoilt), the not-found page, the checkout with
errors, and the confirmation of an order placed from the review (each role's cart is filled
first, so the cart and the review have lines; a manager's review has a recipient over budget).

Each role looks with a phone and a desktop at once, page by page (axe-core runs on both side by
side). The test collects every problem of the run and fails once, with the whole list grouped by
page and kind; the numbers of pages × roles × viewports are printed and written to the report.
"""

import html
import re
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
)
from playwright.sync_api import Error as PlaywrightError

from kvote.api.models import ApiToken
from kvote.approvals.models import Substitute
from kvote.catalog.models import AgreedPrice, Variant
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_add, checkout_details_save
from kvote.companies.models import DeliveryAddress
from kvote.ordering.models import Order
from kvote.people import roles
from kvote.people.models import Employee, User
from tests.e2e.conftest import _open_context
from tests.e2e.helpers import (
    PASSWORD,
    axe_start,
    axe_violations,
    header_lines,
    sideways_scrolling,
)
from tests.urlmap import portal_urls, url_patterns

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1366, "height": 900},
}
NOT_PAGES = ("api-v1:",)  # a client's API: JSON, not a page
NO_SUCH_ID = 2_000_000_000  # an id no row has
REFERENCE = "Prosjekt 2231"


@dataclass(frozen=True)
class Visitor:
    """Who looks: `slug` names their screenshots' folder; no email is a logged-out visitor."""

    slug: str
    email: str = ""
    language: str = "nb"


LOGGED_OUT = Visitor("utlogget")
# Each company's employees before their managers, so that the orders they place (the last page of
# each role) wait in their manager's queue when the manager looks: admin-nordlys's order takes
# Mathias Berg over budget and waits for leder-nordlys; Fjord approves every order.
VISITORS = (
    LOGGED_OUT,
    Visitor("ansatt1-nordlys", "ansatt1@nordlys.example"),
    Visitor("innkjop-nordlys", "innkjop@nordlys.example"),
    Visitor("admin-nordlys", "admin@nordlys.example"),
    Visitor("leder-nordlys", "leder@nordlys.example"),
    Visitor("ansatt1-fjord", "ansatt1@fjord.example"),
    Visitor("leder-fjord", "leder@fjord.example"),
    # Last: the language chosen is kept on the user.
    Visitor("leder-nordlys-en", "leder@nordlys.example", "en"),
)

# What each role has in the cart when its pages are visited (product code, recipient's employee
# number or "" for the orderer, quantity): a manager's review shows a recipient going over budget
# (Mathias Berg, 1003).
CARTS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "admin@nordlys.example": (("AAPW-1001", "1003", 1), ("AAPW-1201", "1008", 3)),
    "leder@nordlys.example": (("AAPW-1001", "1003", 1), ("AAPW-1101", "1002", 1)),
    "ansatt1@nordlys.example": (("AAPW-1101", "", 1), ("AAPW-1501", "", 2)),
    "innkjop@nordlys.example": (("AAPW-1201", "", 5), ("AAPW-1301", "", 2)),
    "leder@fjord.example": (("AAPW-1302", "2002", 1), ("AAPW-1503", "2003", 2)),
    "ansatt1@fjord.example": (("AAPW-1401", "", 1),),
}


# --- the demo's rows -----------------------------------------------------------------------------


def rows_of(user: User | None) -> dict[str, int]:
    """A row of every kind a URL names, the demo's own and the user's: their newest order, a
    line of their cart, the first product of their company's agreed prices, one of their
    employees, an address, their substitute and API token. A kind the user has none of (and
    every kind, logged out) gets an id no row has."""
    ids = {param: NO_SUCH_ID for _name, p in url_patterns() for param in p.pattern.converters}
    if user is None:
        return ids
    company_id = user.company_id
    rows = {
        "order_id": Order.objects.filter(placed_by=user).order_by("-placed_at").first(),
        "line_id": CartLine.objects.filter(cart__user=user).order_by("pk").first(),
        "address_id": DeliveryAddress.objects.filter(
            company_id=company_id, is_default=True
        ).first(),
        "substitute_id": Substitute.objects.filter(approver=user).first(),
        "token_id": ApiToken.objects.filter(user=user).first(),
        "employee_id": employee_shown_to(user),
    }
    ids.update({param: row.pk for param, row in rows.items() if row is not None})
    price = AgreedPrice.objects.filter(company_id=company_id).order_by("product__code").first()
    if price is not None:
        ids["product_id"] = price.product_id
    return ids


def employee_shown_to(user: User) -> Employee | None:
    """A supervisor's employee with a budget; for a company admin anyone's with a budget; for
    anyone else their own employee (whose pages they may not see)."""
    company = Employee.objects.filter(company_id=user.company_id, is_active=True)
    with_budget = company.filter(budgets__isnull=False).order_by("number")
    if roles.is_supervisor(user):
        return with_budget.filter(supervisor=user).first()
    if roles.is_company_admin(user):
        return with_budget.first()
    return company.filter(user=user).first()


def fill_cart(user: User) -> None:
    """The role's cart holds CARTS[email] and nothing else, to go to the company's default
    address: ready for the review."""
    CartLine.objects.filter(cart__user=user).delete()
    for code, number, quantity in CARTS[user.email]:
        variant = Variant.objects.filter(product__code=code, is_active=True).order_by("pk").first()
        assert variant is not None, code
        recipient = None
        if number:
            recipient = Employee.objects.get(company_id=user.company_id, number=number).pk
        cart_add(actor=user, variant_id=variant.pk, quantity=quantity, recipient_id=recipient)
    address = DeliveryAddress.objects.get(company_id=user.company_id, is_default=True)
    checkout_details_save(actor=user, delivery_address_id=address.pk, customer_reference=REFERENCE)


# --- the pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One page to look at: a URL to open, or a state to bring about (`act` does it in every
    screen; with `once`, as it changes what the server holds, in the first screen only, and the
    others open the URL it ended on). `status` is what the page must answer."""

    name: str
    url: str = ""
    act: Callable[[Page], None] | None = None
    once: bool = False
    status: int = 200


STATES = (
    "login-wrong-password",
    "password-reset-link",
    "password-reset-bad-link",
    "not-found",
    "checkout-with-errors",
    "order-placed",
)


def page_numbers() -> dict[str, int]:
    """Each page's number in the screenshots' names: the URL map's order, then the states; the
    same page has the same number for every role."""
    names = dict.fromkeys([name for name, _pattern in url_patterns()] + list(STATES))
    return {name: number for number, name in enumerate(names, start=1)}


def classify(context: BrowserContext, url: str) -> str:
    """'page', or why the URL is not one for this visitor: what a GET answers (no redirect
    followed), asked through the context, so with the visitor's session."""
    answer = context.request.get(url, max_redirects=0)
    if answer.status in (301, 302, 303, 307, 308):
        location = path_of(answer.headers.get("location", ""))
        if location.startswith(reverse("login")):
            return "needs a login"
        return "redirects (a form's POST-only URL, or a page that sends you on)"
    if answer.status == 404:
        return "not found for this role"
    if answer.status != 200:
        return f"answers {answer.status}"
    headers = answer.headers
    if "attachment" in headers.get("content-disposition", "") or not headers.get(
        "content-type", ""
    ).startswith("text/html"):
        return "a file (an export)"
    if not answer.text().lstrip().lower().startswith("<!doctype html"):
        return "an htmx fragment"
    return "page"


# Answers that do not depend on who asks: a URL that gave one of them is not asked again.
NEVER_A_PAGE = ("a file (an export)", "an htmx fragment")


def url_map_steps(context: BrowserContext, visitor: Visitor, run: "Run") -> list[Step]:
    """The URL map's pages for this visitor; a logged-out visitor's pages (those that answer
    without a login) are visited logged out only."""
    user = User.objects.get(email=visitor.email) if visitor.email else None
    steps = []
    for name, url in portal_urls(rows_of(user)):
        if name.startswith(NOT_PAGES):
            run.skipped["the API (JSON, not a page)"].add(name)
            continue
        if (user is not None and name in run.public) or any(
            name in run.skipped[why] for why in NEVER_A_PAGE
        ):
            continue
        kind = classify(context, url)
        if kind == "page":
            steps.append(Step(name, url))
            if user is None:
                run.public.add(name)
        elif kind.startswith("answers"):
            run.add(name, "status", f"GET {url} {kind}", visitor.slug)
        elif kind == "not found for this role":
            run.not_found[visitor.slug].add(name)
        elif kind != "needs a login":
            run.skipped[kind].add(name)
    return steps


def logged_out_states() -> list[Step]:
    user = User.objects.get(email="ansatt2@nordlys.example")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    def wrong_password(page: Page) -> None:
        page.goto(reverse("login"))
        page.fill("input[name=username]", "ansatt1@nordlys.example")
        page.fill("input[name=password]", "feil-passord")
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")

    return [
        Step("login-wrong-password", act=wrong_password),
        Step("password-reset-link", reverse("password_reset_confirm", args=[uid, token])),
        Step(
            "password-reset-bad-link",
            reverse("password_reset_confirm", args=[uid, "ugyldig-lenke"]),
        ),
    ]


def logged_in_states() -> list[Step]:
    checkout, review = reverse("checkout:checkout"), reverse("checkout:checkout_review")
    submit = reverse("checkout:order_submit")

    def checkout_with_errors(page: Page) -> None:
        """A one-off address left empty."""
        page.goto(checkout)
        page.check("input[name=delivery][value=one_off]")
        for name in ("one_off_name", "one_off_street", "one_off_postal_code", "one_off_city"):
            page.fill(f"input[name={name}]", "")
        with page.expect_navigation():
            page.click("form:has(input[name=delivery]) [type=submit]")

    def place_order(page: Page) -> None:
        page.goto(review)
        with page.expect_navigation():
            page.click(f"form[action='{submit}'] [type=submit]")
        assert re.search(r"/orders/\d+/confirmation/$", page.url), f"not placed: {page.url}"

    return [
        Step("not-found", reverse("ordering:order_detail", args=[NO_SUCH_ID]), status=404),
        Step("checkout-with-errors", act=checkout_with_errors),
        Step("order-placed", act=place_order, once=True),  # last: it empties the cart
    ]


# --- what went wrong ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    page: str  # the URL name, or the state's name
    kind: str
    detail: str  # the same for the same fault wherever it is seen
    where: str  # "<role> <viewport>"
    figures: str = ""  # what differs from sighting to sighting (sizes)


@dataclass
class Run:
    problems: list[Problem] = field(default_factory=list)
    visited: Counter[tuple[str, str]] = field(default_factory=Counter)  # (visitor, viewport)
    pages: set[str] = field(default_factory=set)
    public: set[str] = field(default_factory=set)  # answered a logged-out visitor
    skipped: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # why: names
    not_found: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # role: names
    shots: list["Shot"] = field(default_factory=list)

    def add(self, page: str, kind: str, detail: str, where: str, figures: str = "") -> None:
        self.problems.append(Problem(page, kind, detail, where, figures))


@dataclass(frozen=True)
class Shot:
    visitor: str
    viewport: str
    number: int
    name: str
    title: str
    url: str
    file: Path
    problems: tuple[str, ...]


class Watch:
    """What the browser saw go wrong on a page: console errors, uncaught JavaScript errors,
    failed requests, error answers (a 5xx anywhere; a 4xx for one of the page's own files: CSS,
    JS, images)."""

    def __init__(self, page: Page) -> None:
        self.found: list[tuple[str, str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(("JavaScript error", str(error))))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def take(self) -> list[tuple[str, str]]:
        found, self.found = self.found, []
        return found

    def _console(self, message: ConsoleMessage) -> None:
        # "Failed to load resource" repeats a failed answer the response listener names better.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.found.append(("console error", message.text))

    def _failed(self, request: Request) -> None:
        failure = f"{request.method} {path_of(request.url)}: {request.failure}"
        self.found.append(("failed request", failure))

    def _response(self, response: Response) -> None:
        method = response.request.method
        if response.status >= 500:
            self.found.append(("server error", f"{response.status} {method} {response.url}"))
        elif response.status >= 400 and response.request.resource_type != "document":
            failed = f"{response.status} {method} {path_of(response.url)}"
            self.found.append(("failed request", failed))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- one screen: a role's browser at one size -------------------------------------------------


@dataclass
class Screen:
    visitor: Visitor
    viewport: str
    context: BrowserContext
    page: Page
    watch: Watch
    folder: Path
    status: int = 0
    found: list[tuple[str, str]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.visitor.slug} {self.viewport}"

    def open(self, step: Step, url: str = "") -> None:
        """Open the step's page (or `url`, where the first screen brought the state about)."""
        self.watch.take()
        self.found = []
        try:
            if step.act is not None and not url:
                step.act(self.page)
                self.status = step.status  # a state is checked by its act
            else:
                response = self.page.goto(url or step.url)
                self.status = response.status if response else 0
            self.page.wait_for_load_state("load")
        except (PlaywrightError, AssertionError) as exc:
            self.found.append(("could not open", str(exc).splitlines()[0]))
            self.status = step.status
        if self.status != step.status:
            self.found.append(("status", f"answered {self.status}, not {step.status}"))

    def check_layout(self) -> None:
        self.found += [("sideways scrolling", p) for p in sideways_scrolling(self.page)]
        if self.viewport == "desktop":
            lines = header_lines(self.page)
            if len(lines) > 1:
                later = " / ".join(", ".join(line) for line in lines[1:])
                self.found.append(
                    ("header wraps", f"the header stands on {len(lines)} lines; below: {later}")
                )

    def finish(self, step: Step, number: int, run: Run) -> None:
        self.found += [("axe", v) for v in axe_violations(self.page)]
        self.found += self.watch.take()
        title = self.page.title()
        file = self.folder / f"{number:02d}-{slug(title)}.png"
        self.page.screenshot(path=str(file), full_page=True)
        for kind, text in self.found:
            # "what: how much" (sideways_scrolling): the same fault reads the same everywhere.
            detail, figures = text, ""
            if kind == "sideways scrolling":
                detail, _sep, figures = text.partition(": ")
            run.add(step.name, kind, detail, self.where, figures)
        run.visited[(self.visitor.slug, self.viewport)] += 1
        run.pages.add(step.name)
        run.shots.append(
            Shot(
                self.visitor.slug,
                self.viewport,
                number,
                step.name,
                title,
                path_of(self.page.url),
                file,
                tuple(f"{kind}: {text}" for kind, text in self.found),
            )
        )


def slug(title: str) -> str:
    text = title.split(" · ")[0].lower()
    for plain, letter in (("ae", "æ"), ("o", "ø"), ("a", "å")):
        text = text.replace(letter, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50] or "side"


def look(screens: list[Screen], step: Step, number: int, run: Run) -> None:
    """One page in every screen: open it, check the layout, run axe-core on all of them at
    once, then read axe, the browser's errors, and take the screenshots."""
    first, *others = screens
    first.open(step)
    for screen in others:
        screen.open(step, first.page.url if step.once else "")
    for screen in screens:
        screen.check_layout()
        axe_start(screen.page)
    for screen in screens:
        screen.finish(step, number, run)


def log_in(page: Page, visitor: Visitor) -> None:
    page.goto(reverse("login"))
    page.fill("input[name=username]", visitor.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert reverse("login") not in page.url, f"{visitor.email} could not log in"
    if page.get_attribute("html", "lang") != visitor.language:  # it is kept on the user
        switch = f"form[action='{reverse('language_set')}'] button[value={visitor.language}]"
        with page.expect_navigation():
            page.eval_on_selector(switch, "button => button.click()")
    assert page.get_attribute("html", "lang") == visitor.language


def menu_of(page: Page) -> list[str]:
    """The paths of the header's menu links (the main menu, wherever it folds)."""
    hrefs: list[str] = page.eval_on_selector_all(
        ".kv-header nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return [path_of(href) for href in hrefs]


def check_favicon(screen: Screen, run: Run) -> None:
    href = screen.page.evaluate(
        "() => document.querySelector('link[rel~=icon]')?.getAttribute('href') || '/favicon.ico'"
    )
    answer = screen.context.request.get(urljoin(screen.page.url, href))
    kind = answer.headers.get("content-type", "")
    if answer.status != 200 or not kind.startswith("image/"):
        run.add("(every page)", "favicon", f"{href} answers {answer.status} {kind}", screen.where)


@contextmanager
def screens_of(browser: Browser, live_server: Any, visitor: Visitor) -> Iterator[list[Screen]]:
    """The visitor's phone and desktop, each its own context (cookies), logged in."""
    with ExitStack() as stack:
        screens = []
        for viewport, size in VIEWPORTS.items():
            phone = viewport == "phone"
            context = _open_context(browser, live_server, size, is_mobile=phone, has_touch=phone)
            stack.callback(context.close)
            page = context.new_page()
            watch = Watch(page)
            folder = SCREENS / viewport / visitor.slug
            folder.mkdir(parents=True, exist_ok=True)
            if visitor.email:
                log_in(page, visitor)
            screens.append(Screen(visitor, viewport, context, page, watch, folder))
        yield screens


# --- the walk ---------------------------------------------------------------------------------


def test_every_page_as_every_role_on_a_phone_and_a_desktop(
    browser: Browser, live_server: Any, demo_data: None
) -> None:
    started = time.monotonic()
    for own in ("phone", "desktop"):  # its own, not the screenshots others keep beside them
        shutil.rmtree(SCREENS / own, ignore_errors=True)
    run = Run()
    numbers = page_numbers()
    for visitor in VISITORS:
        user = User.objects.get(email=visitor.email) if visitor.email else None
        if user is not None:
            fill_cart(user)
        with screens_of(browser, live_server, visitor) as screens:
            steps = url_map_steps(screens[0].context, visitor, run)
            steps += logged_in_states() if user else logged_out_states()
            for screen in screens:
                menu = menu_of(screen.page) if user else []
                missing = set(menu) - {step.url for step in steps}
                for path in sorted(missing):
                    run.add("(menu)", "menu page not visited", path, screen.where)
            for step in steps:
                look(screens, step, numbers[step.name], run)
            for screen in screens:
                check_favicon(screen, run)
    report = write_report(run, time.monotonic() - started)
    print(report.counts)
    if run.problems:
        pytest.fail(report.problems, pytrace=False)


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    counts: str
    problems: str


def write_report(run: Run, seconds: float) -> Report:
    report = Report(count_lines(run, seconds), problem_lines(run))
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / "report.txt").write_text(f"{report.counts}\n\n{report.problems}\n")
    (SCREENS / "index.html").write_text(index_html(run, report.counts))
    return report


def count_lines(run: Run, seconds: float) -> str:
    order = [v.slug for v in VISITORS]
    visitors = sorted({v for v, _viewport in run.visited}, key=order.index)
    lines = [
        f"{sum(run.visited.values())} page views: {len(run.pages)} pages × {len(visitors)} roles"
        f" × {len(VIEWPORTS)} viewports (each role sees the pages it may), in {seconds:.0f} s.",
        f"Screenshots: {SCREENS}/<viewport>/<role>/, index.html shows them side by side.",
    ]
    for visitor in visitors:
        shown = ", ".join(f"{vp} {run.visited[(visitor, vp)]}" for vp in VIEWPORTS)
        lines.append(f"  {visitor}: {shown}")
    for why, names in sorted(run.skipped.items()):
        lines.append(f"  skipped, {why}: {', '.join(sorted(names))}")
    for visitor in visitors:
        if run.not_found[visitor]:
            names = ", ".join(sorted(run.not_found[visitor]))
            lines.append(f"  skipped for {visitor}, not found for this role (404): {names}")
    return "\n".join(lines)


def problem_lines(run: Run) -> str:
    """Every problem, by page, then kind, then what was found, with the role × viewport pairs
    that saw it (and the sizes they saw). What a role saw on every page it visited stands once,
    under "(every page)"."""
    if not run.problems:
        return "No problems."
    visited: dict[str, set[str]] = defaultdict(set)  # where: pages
    for shot in run.shots:
        visited[f"{shot.visitor} {shot.viewport}"].add(shot.name)
    seen: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for p in run.problems:
        seen[(p.kind, p.detail)][p.where].add(p.page)
    # A fault a role saw on all its pages but a couple (a page without the header: not found)
    # is the site's, not a page's.
    everywhere: dict[tuple[str, str], set[str]] = {}  # fault: the pages it was not on
    for fault, pages_of in seen.items():
        missing = {where: visited[where] - pages for where, pages in pages_of.items()}
        if all(len(visited[w]) >= 5 and len(missing[w]) <= 2 for w in pages_of):
            everywhere[fault] = set().union(*missing.values())
    grouped: dict[str, dict[str, dict[str, dict[str, set[str]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    )
    for p in run.problems:
        page, detail = p.page, p.detail
        if (p.kind, p.detail) in everywhere:
            page = "(every page)"
            if not_on := everywhere[(p.kind, p.detail)]:
                detail += f" (not on: {', '.join(sorted(not_on))})"
        found = grouped[page][p.kind][detail][p.where]
        if p.figures:
            found.add(p.figures)
    kinds = Counter(p.kind for p in run.problems)
    lines = [
        f"{len(run.problems)} problems on {len(grouped)} pages ("
        + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        + "):"
    ]
    for page in sorted(grouped):
        lines.append(f"\n== {page}")
        for kind in sorted(grouped[page]):
            lines.append(f"  -- {kind}")
            for detail, wheres in grouped[page][kind].items():
                lines.append(f"    {detail}")
                lines.append(f"      seen by: {', '.join(wheres)}")
                sizes = sorted({size for each in wheres.values() for size in each})
                if sizes:
                    more = f" and {len(sizes) - 3} more" if len(sizes) > 3 else ""
                    lines.append(f"      e.g. {'; '.join(sizes[:3])}{more}")
    return "\n".join(lines)


def index_html(run: Run, counts: str) -> str:
    """The screenshots, by role: a page per row, its phone beside its desktop."""
    order = [v.slug for v in VISITORS]
    by_page: dict[tuple[str, int, str], dict[str, Shot]] = defaultdict(dict)
    for shot in run.shots:
        by_page[(shot.visitor, shot.number, shot.name)][shot.viewport] = shot
    out = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Kvote: every page</title>",
        "<style>body{font-family:sans-serif;margin:1rem}td{vertical-align:top;padding:.5rem}"
        "img{border:1px solid #999;max-height:50rem;object-fit:cover;object-position:top}"
        ".bad{color:#b00020;font-size:.875rem;padding-left:1rem;overflow-wrap:anywhere}"
        "pre{white-space:pre-wrap}</style>",
        f"<h1>Kvote: every page</h1><pre>{html.escape(counts)}</pre><p>"
        + " · ".join(f"<a href='#{v}'>{v}</a>" for v in order)
        + "</p>",
    ]
    current = ""
    for (visitor, number, name), shots in sorted(
        by_page.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
    ):
        if visitor != current:
            out.append(
                ("</table>" if current else "") + f"<h2 id='{visitor}'>{visitor}</h2><table>"
            )
            current = visitor
        cells = []
        for viewport in VIEWPORTS:
            shot = shots.get(viewport)
            if shot is None:
                cells.append("<td></td>")
                continue
            rel = shot.file.relative_to(SCREENS).as_posix()
            width = 195 if viewport == "phone" else 455
            bad = "".join(f"<li>{html.escape(p)}</li>" for p in shot.problems)
            cells.append(
                f"<td><a href='{rel}'><img src='{rel}' width='{width}' alt=''></a>"
                + (f"<ul class=bad style='width:{width}px'>{bad}</ul>" if bad else "")
                + "</td>"
            )
        first = next(iter(shots.values()))
        out.append(
            f"<tr><td>{number:02d} <b>{html.escape(first.title.split(' · ')[0])}</b>"
            f"<br>{html.escape(name)}"
            f"<br><code>{html.escape(first.url)}</code></td>{''.join(cells)}</tr>"
        )
    out.append("</table></html>")
    return "\n".join(out)


# --- the checks themselves ------------------------------------------------------------------------


def test_the_sideways_check_finds_a_wide_page_a_scrolling_table_and_what_sticks_out(
    blank_page: Page,
) -> None:
    blank_page.set_viewport_size(VIEWPORTS["phone"])
    blank_page.set_content(
        "<html><body style='margin:0'><main>"
        "<div class='kv-table-wrap' style='overflow-x:auto'><table style='width:800px'>"
        "<tr><td>wide</td></tr></table></div>"
        "<p id='banner' style='width:600px'>too wide</p>"
        "<p class='ds-sr-only' style='position:absolute;width:1px;height:1px;overflow:hidden;"
        "clip:rect(0 0 0 0);white-space:nowrap'>hidden words that are long enough</p>"
        "<input style='width:100%'></main></body></html>"
    )
    found = sideways_scrolling(blank_page)
    assert found == [
        "the page scrolls sideways: 600px wide in a 390px viewport",
        "main > div.kv-table-wrap scrolls sideways: 800px of content in 390px",
        "main > p#banner sticks out past the right edge: 600px wide, its right edge at 600px",
    ], found

    blank_page.set_content(
        "<html><body style='margin:0'><main><table style='width:100%'><tr><td>fits</td></tr>"
        "</table><p>fits</p></main></body></html>"
    )
    assert sideways_scrolling(blank_page) == []


def test_the_header_check_reads_the_lines_the_header_stands_on(blank_page: Page) -> None:
    header = (
        "<html><body><header class='kv-header'><div style='display:flex;flex-wrap:wrap;"
        "width:{width}'><a href='/' style='font-size:1.5rem'>Kvote</a><a href='/a'>Produkter</a>"
        "<a href='/b'>Min side</a><form><button>Logg ut</button></form>"
        "<a href='/c' style='display:none'>Meny</a></div></header></body></html>"
    )
    blank_page.set_content(header.format(width="40rem"))
    assert header_lines(blank_page) == [["Kvote", "Produkter", "Min side", "Logg ut"]]
    blank_page.set_content(header.format(width="12rem"))
    assert len(header_lines(blank_page)) > 1


def test_the_report_lists_each_fault_once_by_page_and_kind_and_the_sites_once() -> None:
    """No browser: the grouping of the failure list the lead reads."""
    run = Run()
    pages = ["catalog:list", "checkout:cart", "checkout:my_page", "ordering:order_list", "x", "y"]
    for where in ("leder-nordlys desktop", "leder-nordlys phone"):
        visitor, viewport = where.split()
        for n, name in enumerate(pages, start=1):
            file = Path(f"{viewport}/{visitor}/{n:02d}.png")
            run.shots.append(Shot(visitor, viewport, n, name, name, f"/{n}/", file, ()))
    for name in pages[:-1]:  # every page but one: the site's
        run.add(name, "header wraps", "the header stands on 2 lines", "leder-nordlys desktop")
    for width in ("778px of content in 366px", "782px of content in 366px"):
        run.add(
            "ordering:order_list",
            "sideways scrolling",
            "div.kv-table-wrap scrolls sideways",
            "leder-nordlys phone",
            width,
        )
    run.add("checkout:cart", "axe", "- color-contrast (serious)", "leder-nordlys phone")

    assert problem_lines(run).splitlines() == [
        "8 problems on 3 pages (header wraps 5, sideways scrolling 2, axe 1):",
        "",
        "== (every page)",
        "  -- header wraps",
        "    the header stands on 2 lines (not on: y)",
        "      seen by: leder-nordlys desktop",
        "",
        "== checkout:cart",
        "  -- axe",
        "    - color-contrast (serious)",
        "      seen by: leder-nordlys phone",
        "",
        "== ordering:order_list",
        "  -- sideways scrolling",
        "    div.kv-table-wrap scrolls sideways",
        "      seen by: leder-nordlys phone",
        "      e.g. 778px of content in 366px; 782px of content in 366px",
    ]
    assert problem_lines(Run()) == "No problems."
