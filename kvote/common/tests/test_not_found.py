""" "Not found" is one answer (kvote.common.errors): services, selectors and views raise NotFound;
only the two edges that speak HTTP turn it into a 404."""

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from kvote.common.errors import NotFound, ServiceError
from tests.factories import CompanyFactory, member

KVOTE = Path(__file__).resolve().parents[2]
# The web's and the API's mapping of NotFound to a 404; and the back office's import pages,
# which refuse a staff login of a customer company with 403 the way Django's admin views do.
HTTP_EDGES = {"common/middleware.py", "api/errors.py", "catalog/admin_imports.py"}
HTTP_REFUSALS = {"Http404", "PermissionDenied"}


def _modules() -> list[Path]:
    return [
        path
        for path in KVOTE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_nothing_but_the_http_edges_speaks_of_http404() -> None:
    found = []
    for path in _modules():
        where = path.relative_to(KVOTE).as_posix()
        if where in HTTP_EDGES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else next((a.name for a in node.names if a.name in HTTP_REFUSALS), None)
                if isinstance(node, ast.ImportFrom)
                else None
            )
            if name in HTTP_REFUSALS:
                found.append(f"{where}:{node.lineno} {name}")
    assert found == [], "raise kvote.common.errors.NotFound (or not_found()) instead"


def test_not_found_is_no_refusal_a_view_could_show() -> None:
    assert not issubclass(NotFound, ServiceError)


@pytest.mark.django_db
def test_a_page_the_role_does_not_reach_is_a_404_like_another_companys_id() -> None:
    buyer = member(CompanyFactory())
    client = Client()
    client.force_login(buyer)
    for name in ("employees_mine", "budgets:list", "budgets:settings", "approvals:substitutes"):
        assert client.get(reverse(name)).status_code == 404, name
