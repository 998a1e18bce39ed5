"""What goes wrong is shown in Kvote's look (templates/404.html, 403.html, 400.html,
403_csrf.html, 500.html, kvote.common.error_pages), and with DEBUG on a person's 404 or 403 is
still the portal's page: never Django's technical page listing every URL of the portal.

The tests that need a view which refuses or fails use this module as the URL map: the portal's
own URLs plus three that raise."""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse

from kvote import urls as portal_urls
from kvote.common.error_pages import server_error
from kvote.common.tests.test_csp import HANDLER, INLINE_SCRIPT, STYLE
from tests.factories import CompanyFactory, member, place_order

pytestmark = pytest.mark.django_db

THIS_URLCONF = "kvote.common.tests.test_error_pages"
TECHNICAL = ("URLconf", "Using the URLconf", "Traceback", "technical_500", "DEBUG = True")


def _refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("no")


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the database is on fire")


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("odd")


urlpatterns = [
    path("test-refuses/", _refuses),
    path("test-fails/", _fails),
    path("test-suspicious/", _suspicious),
    *portal_urls.urlpatterns,
]
handler500 = portal_urls.handler500


def _ours(response: HttpResponse, status: int, heading: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html, html[:500]
    assert "kv-card-page" in html and "kv-header" in html, "the portal's look"
    for word in TECHNICAL:
        assert word not in html, f"the technical page shows: {word}"
    for rule in (INLINE_SCRIPT, HANDLER, STYLE):
        assert not rule.search(html), rule.search(html)
    return html


@pytest.mark.parametrize("debug", [True, False])
def test_another_companys_order_is_our_404_page_also_with_debug_on(
    client: Client, settings, debug: bool
) -> None:
    settings.DEBUG = debug
    theirs = place_order(member(CompanyFactory()))
    client.force_login(member(CompanyFactory()))
    response = client.get(reverse("ordering:order_detail", args=[theirs.pk]))
    _ours(response, 404, "Vi finner ikke denne siden")


@pytest.mark.parametrize("debug", [True, False])
def test_a_path_no_url_has_is_our_404_page_also_with_debug_on(
    client: Client, settings, debug: bool
) -> None:
    settings.DEBUG = debug
    html = _ours(client.get("/finnes-ikke/"), 404, "Vi finner ikke denne siden")
    assert reverse("login") in html  # somewhere to go
    client.force_login(member(CompanyFactory()))
    html = _ours(client.get("/finnes-ikke/"), 404, "Vi finner ikke denne siden")
    assert reverse("catalog:list") in html and reverse("checkout:my_page") in html


def test_with_debug_on_a_missing_slash_still_redirects_and_the_api_answers_json(
    client: Client, settings
) -> None:
    settings.DEBUG = True
    response = client.get("/login")
    assert response.status_code == 301 and response["Location"] == "/login/"
    response = client.get("/api/v1/finnes-ikke")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_404_page_speaks_the_persons_language(client: Client, settings) -> None:
    settings.DEBUG = True
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _ours(client.get("/finnes-ikke/"), 404, "We cannot find that page")


@pytest.mark.parametrize("debug", [True, False])
def test_a_refusal_is_our_403_page_also_with_debug_on(client: Client, settings, debug) -> None:
    settings.DEBUG = debug
    settings.ROOT_URLCONF = THIS_URLCONF
    client.force_login(member(CompanyFactory()))
    _ours(client.get("/test-refuses/"), 403, "Du har ikke tilgang til denne siden")


def test_a_request_django_finds_suspicious_is_our_400_page(client: Client, settings) -> None:
    settings.ROOT_URLCONF = THIS_URLCONF
    _ours(client.get("/test-suspicious/"), 400, "Noe var galt i forespørselen")


def test_a_failure_is_our_500_page_drawn_without_the_request(settings) -> None:
    settings.ROOT_URLCONF = THIS_URLCONF
    client = Client(raise_request_exception=False)
    client.force_login(member(CompanyFactory()))
    html = _ours(client.get("/test-fails/"), 500, "Noe gikk galt hos oss")
    assert "on fire" not in html
    assert settings.KVOTE_SUPPLIER_NAME in html
    assert "Logg ut" not in html, "no user, no menu: nothing that could fail again"


def test_the_500_page_needs_nothing_from_a_request() -> None:
    """Django's own server_error draws 500.html with an empty context: it must still stand."""
    html = render_to_string("500.html")
    assert "Noe gikk galt hos oss" in html and "Kvote" in html
    response = server_error(HttpRequest())
    assert response.status_code == 500
    assert b"kv-card-page" in response.content


def test_a_form_sent_without_its_token_is_our_page_and_hands_a_new_token(settings) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a@example.test", "password": "x"})
    _ours(response, 403, "Skjemaet var utløpt")
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_the_icons_are_there_where_browsers_ask(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    response = client.get("/apple-touch-icon.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert finders.find("kvote/favicon.svg")
    html = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in html
    assert "kvote/favicon.svg" in html and 'rel="apple-touch-icon"' in html
