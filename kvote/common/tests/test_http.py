"""The shared view helpers of kvote.common.http, and the proof that every view uses them: every
portal URL sends an anonymous visitor (page or htmx) to log in, every endpoint that takes a
`next` refuses to leave the site, and no view module keeps a copy of a helper of its own."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from kvote.common.http import parse_id, safe_next
from kvote.people.models import User
from tests.factories import PASSWORD, CompanyFactory, EmployeeFactory, VariantFactory, member

KVOTE = Path(__file__).resolve().parents[2]

# --- safe_next -----------------------------------------------------------------------------------

# The classic ways out of a site through a `next` parameter.
OPEN_REDIRECTS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/kvote/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "\x00",
    "\x00//evil.example",
    "///evil.example",
    "https:evil.example",
    "/" + "a" * 3000,  # overlong: Django refuses to redirect there at all
]

# Not a path (issue 13, found by tests/fuzz): `redirect` reads a bare word as a view's name
# (NoReverseMatch: a 500 on «Budsjetter»), and a header cannot hold a control character.
NOT_PATHS = [
    "7",
    "budgets:list",
    "a\x00b",
    "/budgets/\x00",
    "/budgets/\x1b[2J",
    "/budgets/\u202e",
]


@pytest.mark.parametrize("url", OPEN_REDIRECTS + NOT_PATHS)
def test_safe_next_refuses_a_way_out(url: str) -> None:
    assert safe_next(RequestFactory().get("/"), url) is None


@pytest.mark.parametrize("url", ["/catalog/", "/catalog/?q=jakke&page=2", "http://testserver/x/"])
def test_safe_next_keeps_a_way_back_into_the_site(url: str) -> None:
    assert safe_next(RequestFactory().get("/"), url) == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("0042", 42), ("9" * 17, int("9" * 17)), ("9" * 18, None), ("", None)]
    + [(v, None) for v in (None, "-1", "1.5", " 1", "١٢", "²", "abc")],
)
def test_parse_id(value: str | None, expected: int | None) -> None:
    assert parse_id(value) == expected


@pytest.fixture
def admin_supervisor(db: None) -> User:
    return member(CompanyFactory(), is_company_admin=True, is_supervisor=True)


def _endpoints(admin_supervisor: User) -> list[tuple[str, str, dict[str, object], str]]:
    """(name, URL, form data, where it goes when `next` is refused) for every endpoint that
    takes a `next`: ours, and Django's login and logout."""
    company = admin_supervisor.company
    assert company is not None
    employee = EmployeeFactory(company=company, supervisor=admin_supervisor)
    variant = VariantFactory()
    product = reverse("catalog:product", args=[variant.product_id])
    return [
        ("favourite_add", reverse("catalog:favourite_add", args=[variant.product_id]), {}, product),
        (
            "favourite_remove",
            reverse("catalog:favourite_remove", args=[variant.product_id]),
            {},
            product,
        ),
        (
            "cart_add",
            reverse("checkout:cart_add"),
            {"variant_id": variant.pk, "quantity": "1", "recipient": employee.pk},
            reverse("checkout:cart"),
        ),
        (
            "budget_set",
            reverse("budgets:set", args=[employee.pk]),
            {"amount": "100"},
            reverse("budgets:list"),
        ),
        (
            "budget_set_many",
            reverse("budgets:set_many"),
            {"amount": "200", "employee_ids": [employee.pk]},
            reverse("budgets:list"),
        ),
        ("language_set", reverse("language_set"), {"language": "nb"}, reverse("home")),
        ("logout", reverse("logout"), {}, reverse("login")),
    ]


@pytest.mark.parametrize("url", OPEN_REDIRECTS)
def test_every_endpoint_that_takes_next_falls_back_to_its_own_page(
    admin_supervisor: User, url: str
) -> None:
    checked = []
    for name, endpoint, data, fallback in _endpoints(admin_supervisor):
        client = Client()
        client.force_login(admin_supervisor)
        response = client.post(endpoint, {**data, "next": url})
        assert response.status_code == 302, f"{name} answered {response.status_code}"
        assert response["Location"] == fallback, f"{name} went to {response['Location']!r}"
        checked.append(name)
    # And the login form, whose `next` Django checks.
    response = Client().post(
        reverse("login"), {"username": admin_supervisor.email, "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert len(checked) == 7


def test_a_next_into_the_site_is_followed(admin_supervisor: User) -> None:
    """The fallback above is not the only answer: a `next` back into the site is kept."""
    back = reverse("catalog:list") + "?q=jakke"
    for name, endpoint, data, _fallback in _endpoints(admin_supervisor):
        client = Client()
        client.force_login(admin_supervisor)
        response = client.post(endpoint, {**data, "next": back})
        assert response["Location"] == back, name


# --- Every portal view asks an anonymous visitor to log in ---------------------------------------

# Not portal pages: logging in and out, the password reset, the language switch (it works
# before login too), the supplier's back office (its own staff login), the REST API (tokens,
# JSON errors), the supplier's signed status replies, and the product pictures under /media/
# (public files, as static files are: kvote.common.media).
PUBLIC_NAMES = {"login", "logout", "language_set"}
OWN_AUTH_NAMESPACES = {"admin", "api-v1", "supplier", "media"}


def _portal_urls(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns not in OWN_AUTH_NAMESPACES:
                yield from _portal_urls(entry, prefix + str(entry.pattern), ns)
            continue
        assert isinstance(entry, URLPattern)
        name = str(entry.name)
        if name in PUBLIC_NAMES or name.startswith("password_reset"):
            continue
        assert isinstance(entry.pattern, RoutePattern), f"{name}: a path() route expected"
        route = re.sub(r"<int:\w+>", "1", prefix + str(entry.pattern))
        assert "<" not in route, f"{name}: teach this test a value for {route}"
        yield "/" + route


def test_every_portal_url_sends_an_anonymous_visitor_to_log_in(db: None) -> None:
    client = Client()
    login = reverse("login") + "?next="
    urls = sorted(set(_portal_urls(get_resolver())))
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, f"{method.upper()} {url}: {response.status_code}"
            assert response["Location"].startswith(login), f"{method.upper()} {url}"
        # htmx swaps no login form into a page: it is told to load the login page instead.
        response = client.get(
            url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{url}"
        )
        assert response.status_code == 200, f"htmx GET {url}: {response.status_code}"
        assert response["HX-Redirect"].startswith(login), f"htmx GET {url}"
        assert not response.content, f"htmx GET {url} answered with a page"
    assert len(urls) >= 40, urls  # the walk found the portal


# --- One copy of each helper ---------------------------------------------------------------------


def _view_modules() -> Iterator[tuple[str, str]]:
    """Every module that parses a request: views (one module or a package of them) and forms."""
    for path in sorted(KVOTE.rglob("*.py")):
        relative = path.relative_to(KVOTE).as_posix()
        if re.search(r"(^|/)(views|\w+_views|forms)\.py$|/views/\w+\.py$", relative):
            yield relative, path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("pattern", "helper"),
    [
        (r"url_has_allowed_host_and_scheme", "safe_next"),
        (r"\.isdigit\(\)", "parse_id"),
        (r"(?<!portal_)login_required", "portal_login_required"),
        (r"vat_rate\(\)", "money_context"),
        (r"errors\.values\(\)|errors\[[^]]+\]\[0\]", "first_error"),
    ],
)
def test_no_view_keeps_a_copy_of_a_shared_helper(pattern: str, helper: str) -> None:
    modules = list(_view_modules())
    copies = [name for name, text in modules if re.search(pattern, text)]
    assert copies == [], f"use kvote.common.http.{helper} instead"
    assert len(modules) > 15
