"""Every URL a person can see answers a GET: a form's POST-only URL that ends up in the address
bar (after a failed form, a reload, a shared link) goes to the page the form is on, never an
empty 405. One decorator does it (kvote.common.http.post_only); the walk covers every URL of the
map, including the ones added after this test."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, member
from tests.urlmap import company_ids, portal_urls

KVOTE = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_every_portal_url_answers_a_get_for_a_logged_in_user(client):
    company = CompanyFactory()
    admin = member(
        company, is_company_admin=True, is_supervisor=True, is_approver=True, budget="500.00"
    )
    ids = company_ids(admin)
    walked = 0
    for name, url in portal_urls(ids):
        if name.startswith("api-v1:"):
            continue  # a client's API (JSON, its own methods per resource), not a page
        client.force_login(admin)  # a page the walk visits may end the session
        for method in ("get", "head"):
            response = getattr(client, method)(url)
            assert response.status_code in (200, 302, 303), (
                f"{method.upper()} {url} ({name}) gave {response.status_code}"
            )
            if response.status_code != 200:
                target = response["Location"]
                assert client.get(target, follow=True).status_code == 200, f"{url} → {target}"
        walked += 1
    assert walked >= 40, walked


def test_a_post_only_url_sends_a_get_to_its_page_and_refuses_other_methods(client):
    company = CompanyFactory()
    admin = member(company, is_company_admin=True, is_approver=True)
    client.force_login(admin)
    url = reverse("approvals:decide_many")
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, reverse("approvals:queue"))
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_no_portal_view_refuses_a_get_with_an_empty_405():
    """The supplier's signed status replies are a machine's endpoint, not a page: the only
    require_POST left."""
    offenders = [
        path.relative_to(KVOTE).as_posix()
        for path in sorted(KVOTE.rglob("*.py"))
        if "tests" not in path.parts
        and path.relative_to(KVOTE).as_posix() != "supplier/views.py"
        and re.search(r"@require_POST\b|require_http_methods\(\[\"POST\"\]\)", path.read_text())
    ]
    assert not offenders, offenders
