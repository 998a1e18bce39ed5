"""The Content-Security-Policy (django-csp, kvote/settings.py) is on every page of the portal,
and no page carries what it refuses: an inline script, an event-handler attribute or a style
attribute. The browser journeys (tests/e2e/conftest.py) fail on any violation the browser sees.
"""

import re

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, member
from tests.urlmap import company_ids, portal_urls

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style[\s>]", re.I)


def _policy(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.wsgi_request.path}: no Content-Security-Policy"
    directives = (part.strip().partition(" ") for part in header.split(";"))
    return {name: value for name, _, value in directives if name}


def _holds(name: str, response) -> None:
    assert _policy(response) == POLICY, name
    if "text/html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    for rule, what in ((INLINE_SCRIPT, "an inline script"), (HANDLER, "an event handler")):
        assert not rule.search(html), f"{name} carries {what}: {rule.search(html)}"
    assert not STYLE.search(html), f"{name} carries an inline style: {STYLE.search(html)}"


def test_every_page_of_a_logged_in_user_carries_the_policy_and_nothing_it_refuses(client):
    company = CompanyFactory()
    admin = member(
        company, is_company_admin=True, is_supervisor=True, is_approver=True, budget="500.00"
    )
    ids = company_ids(admin)
    seen = 0
    for name, url in portal_urls(ids):
        client.force_login(admin)  # a page the walk visits may end the session
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} ({name}) gave {response.status_code}"
        _holds(name, response)
        seen += response.status_code == 200
    assert seen >= 25, seen


@pytest.mark.parametrize("name", ["login", "password_reset", "admin:login"])
def test_pages_without_a_login_carry_the_policy(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    _holds(name, response)


def test_an_error_page_carries_the_policy(client):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert _policy(response) == POLICY
