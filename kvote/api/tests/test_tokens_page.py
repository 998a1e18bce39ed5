"""Min side → API tokens: list, create (shown once), revoke; CSRF on every write."""

import pytest
from django.test import Client
from django.urls import reverse

from kvote.api.models import ApiToken
from kvote.api.services import api_token_create, token_hash
from kvote.api.tests.core_helpers import Api
from tests.factories import CompanyFactory, UserFactory, member

pytestmark = pytest.mark.django_db

URL = "/min-side/api-tokens/"


@pytest.fixture
def client_for(buyer):
    client = Client()
    client.force_login(buyer)
    return client


def test_the_page_lists_my_tokens_only(buyer, client_for):
    mine = api_token_create(actor=buyer, label="HR sync")
    revoked = api_token_create(actor=buyer, label="Old script").token
    revoked.revoked_at = revoked.created_at
    revoked.save()
    api_token_create(actor=member(buyer.company), label="Colleague's")
    html = client_for.get(URL).content.decode()
    assert "HR sync" in html and f"{mine.token.prefix}…" in html
    assert "Old script" in html and "Revoked" in html
    assert "Colleague's" not in html
    assert mine.secret not in html
    assert 'Revoke<span class="ds-sr-only"> HR sync' in html  # only a usable token is revoked
    assert 'Revoke<span class="ds-sr-only"> Old script' not in html


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(buyer, client_for):
    response = client_for.post(URL, {"label": "Reports"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=buyer)
    secret = response.context["new_secret"]
    assert token.key_hash == token_hash(secret) and token.label == "Reports"
    assert f'value="{secret}"' in response.content.decode()
    assert secret not in client_for.get(URL).content.decode()
    assert Api(None).get("/me", Authorization=f"Bearer {secret}").status_code == 200


def test_a_token_needs_a_name(buyer, client_for):
    response = client_for.post(URL, {"label": "   "})
    assert response.status_code == 200
    assert "Give the token a name." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token(buyer, client_for):
    issued = api_token_create(actor=buyer, label="HR sync")
    response = client_for.post(reverse("api_tokens:revoke", args=[issued.token.pk]))
    assert response.status_code == 302 and response["Location"] == URL
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert Api(None).get("/me", Authorization=f"Bearer {issued.secret}").status_code == 401
    assert client_for.get(reverse("api_tokens:revoke", args=[issued.token.pk]))["Location"] == URL


def test_someone_elses_token_is_404(buyer, client_for):
    colleague = api_token_create(actor=member(buyer.company), label="x").token
    foreign = api_token_create(actor=member(CompanyFactory()), label="y").token
    for token in (colleague, foreign):
        assert client_for.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None


def test_writes_need_the_csrf_token(buyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    issued = api_token_create(actor=buyer, label="HR sync")
    assert client.post(URL, {"label": "x"}).status_code == 403
    revoke = reverse("api_tokens:revoke", args=[issued.token.pk])
    assert client.post(revoke).status_code == 403
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    client.get(URL)
    csrf = client.cookies["csrftoken"].value
    assert client.post(URL, {"label": "x", "csrfmiddlewaretoken": csrf}).status_code == 200
    assert client.post(revoke, {"csrfmiddlewaretoken": csrf}).status_code == 302


def test_login_is_required_and_supplier_staff_get_404(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(UserFactory(company=None, is_staff=True))
    assert client.get(URL).status_code == 404


def test_min_side_links_to_the_tokens(client_for):
    assert f'href="{URL}"' in client_for.get(reverse("checkout:my_page")).content.decode()


def test_the_page_reads_a_fixed_number_of_queries(buyer, client_for, django_assert_num_queries):
    api_token_create(actor=buyer, label="a")
    client_for.get(URL)
    for i in range(10):
        api_token_create(actor=buyer, label=f"t{i}")
    # session, buyer, cart count (layout), tokens
    with django_assert_num_queries(4):
        assert client_for.get(URL).status_code == 200
