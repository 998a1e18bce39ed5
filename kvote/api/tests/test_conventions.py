"""JSON only: even a path no endpoint has, or a method an endpoint does not take, answers
`{"code", "message"}`; the portal's own pages keep their HTML."""

import pytest
from django.test import Client

from tests.factories import CompanyFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/orders/1/nothing", "/api/v2/"])
def test_unknown_api_paths_are_json_404(client: Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["code"] == "not_found" and answer.json()["message"]


def test_a_method_an_endpoint_does_not_take_is_json_405(client: Client) -> None:
    client.force_login(member(CompanyFactory()))
    answer = client.delete("/api/v1/me")
    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
    assert "GET" in answer["Allow"]


def test_the_portal_keeps_its_html_404(client: Client) -> None:
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("text/html")
