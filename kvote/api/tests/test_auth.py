"""Logging in to the API: tokens (hashed, expiring, revocable), the session with CSRF, and the
lockout after repeated failures."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kvote.api.models import ApiToken
from kvote.api.services import api_token_create, api_token_revoke, token_hash
from kvote.api.tests.core_helpers import Api
from kvote.common.errors import ServiceError
from tests.asserts import raises_not_found
from tests.factories import PASSWORD, UserFactory, member

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str, **extra: str):
    return client.post(
        "/api/v1/auth/token",
        {"email": email, "password": password, **extra},
        content_type="application/json",
    )


def test_token_for_right_credentials_is_stored_hashed_and_authenticates(client, buyer):
    response = _login(client, buyer.email.upper(), PASSWORD)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # no session for an API client
    body = response.json()
    secret = body["token"]
    assert secret.startswith("kv_") and len(secret) > 40
    token = ApiToken.objects.get(user=buyer)
    assert token.key_hash == token_hash(secret) and secret not in token.key_hash
    assert secret.startswith(token.prefix) and len(token.prefix) < 12
    assert body["expires_at"] == timezone.localtime(token.expires_at).isoformat("T", "seconds")
    assert token.expires_at - timezone.now() > timedelta(days=29)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["email"] == buyer.email
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "email, password",
    [("nobody@example.test", PASSWORD), ("{user}", "wrong"), ("", ""), ("{user}", "")],
)
def test_wrong_credentials_are_401_invalid_credentials(client, buyer, email, password):
    response = _login(client, email.format(user=buyer.email), password)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token_and_their_tokens_stop_working(client, buyer):
    api = Api(buyer)
    buyer.is_active = False
    buyer.save()
    assert _login(client, buyer.email, PASSWORD).status_code == 401
    assert api.get("/me").status_code == 401


def test_supplier_staff_get_a_token_for_the_catalogue_and_customers_rows_stay_hidden(client):
    staff = UserFactory(company=None, is_staff=True)
    response = _login(client, staff.email, PASSWORD)
    assert response.status_code == 200
    token = ApiToken.objects.get(user=staff)
    assert token.company_id is None
    bearer = {"Authorization": f"Bearer {response.json()['token']}"}
    stock = client.patch(
        "/api/v1/catalog/stock", {"items": []}, content_type="application/json", headers=bearer
    )
    assert stock.json() == {"updated": 0, "unchanged": 0}
    for path in ("/api/v1/me", "/api/v1/products", "/api/v1/orders", "/api/v1/employees"):
        answer = client.get(path, headers=bearer)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path


def test_a_login_of_no_company_that_is_not_staff_gets_no_token(client):
    nobody = UserFactory(company=None, is_staff=False)
    response = _login(client, nobody.email, PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"email": "a@b.c"}, {"password": "x"}, {"email": 1, "password": []}, [], '"text"', None],
)
def test_token_request_with_wrong_shape_is_400_invalid(client, body):
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "fields" in response.json()


def test_text_with_nul_characters_is_400(client):
    response = _login(client, "a\x00@example.test", PASSWORD)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize("raw", [b"{", b"email=a&password=b", b"\xff\xfe", b'{"email": "a",}'])
def test_malformed_json_is_400_malformed_json(client, raw):
    response = client.post("/api/v1/auth/token", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_repeated_failures_for_one_account_are_429(client, buyer, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    codes = [_login(client, buyer.email, "wrong").status_code for _ in range(3)]
    assert codes[:2] == [401, 401]
    locked = _login(client, buyer.email, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert locked["Content-Type"] == "application/json; charset=utf-8"
    assert not ApiToken.objects.exists()
    # Another account from the same address is not locked.
    other = member(buyer.company)
    assert _login(client, other.email, PASSWORD).status_code == 200


def test_a_success_resets_the_failure_count(client, buyer, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert _login(client, buyer.email, "wrong").status_code == 401
    assert _login(client, buyer.email, PASSWORD).status_code == 200
    for _ in range(2):
        assert _login(client, buyer.email, "wrong").status_code == 401
    assert _login(client, buyer.email, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nonsense", "Bearer kv_unknown", "Basic dXNlcjpwYXNz", "Token kv_x"],
)
def test_without_valid_credentials_every_endpoint_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    for path in ("/me", "/products", "/addresses", "/orders", "/approvals"):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    response = client.post(
        "/api/v1/orders/preview", {"lines": []}, content_type="application/json", headers=headers
    )
    assert response.status_code == 401


def test_expired_token_is_401(buyer):
    api = Api(buyer)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/me").status_code == 401


def test_revoked_token_is_401_and_only_the_owner_revokes(buyer):
    api = Api(buyer)
    token = ApiToken.objects.get(user=buyer)
    colleague = member(buyer.company)
    with raises_not_found():
        api_token_revoke(actor=colleague, token_id=token.pk)
    assert api.get("/me").status_code == 200
    api_token_revoke(actor=buyer, token_id=token.pk)
    assert api.get("/me").status_code == 401
    api_token_revoke(actor=buyer, token_id=token.pk)  # twice is harmless


def test_token_label_is_required_and_bounded(buyer):
    with pytest.raises(ServiceError):
        api_token_create(actor=buyer, label="  ")
    with pytest.raises(ServiceError):
        api_token_create(actor=buyer, label="x" * 101)
    assert api_token_create(actor=buyer, label="  HR   sync ").token.label == "HR sync"


def test_session_authenticates_reads_and_writes_need_the_csrf_token(buyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    assert client.get("/api/v1/me").status_code == 200
    refused = client.post("/api/v1/orders/preview", {"lines": []}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    client.get("/min-side/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/orders/preview",
        {"lines": []},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert allowed.status_code == 400  # past the CSRF check: no lines is invalid input
    assert allowed.json()["code"] == "invalid"


def test_bearer_writes_need_no_csrf_token(buyer):
    api = Api(buyer, client=Client(enforce_csrf_checks=True))
    response = api.post("/orders/preview", {"lines": []})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_api_answers_in_the_users_language(buyer):
    buyer.language = "en"
    buyer.save()
    assert Api(buyer).get("/orders/999999").json()["message"] == "Not found."


def test_docs_and_schema_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Kvote API"
    assert "/api/v1/orders" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/" in docs.content  # served from our static files, not a CDN
