"""Who may get in (kvote.people.access): the login throttle counts the login identity, a new
password revokes the API tokens, and a deactivated company is locked out of everything."""

import importlib
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kvote.api.models import ApiToken
from kvote.api.services import api_token_create
from kvote.api.tests.core_helpers import Api
from kvote.people.access import login_identity
from kvote.people.admin import UserAddForm
from kvote.people.employee_rules import employee_email_clean
from kvote.people.models import User
from tests.factories import PASSWORD, CompanyFactory, UserFactory, member

pytestmark = pytest.mark.django_db

# A visitor who is not logged in reads the language they chose (the switch's cookie); a program
# calling the API asks for one with Accept-Language.
ENGLISH = {"accept-language": "en"}
EMAIL = "ansatt2@nordlys.example"
# The same login, spelt otherwise: upper case, spaces around, full-width letters and a
# zero-width space (Unicode compatibility and format characters).
VARIANTS = [
    "Ansatt2@nordlys.example",
    "  ANSATT2@Nordlys.Example ",
    "\uff41nsatt2@nordlys.example",
    "ansatt2\u200b@nordlys.example",
]


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25  # 15 minutes
    return member(CompanyFactory(), email=EMAIL, language="en")


def _web_login(client: Client, email: str, password: str, language: str = "en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.post(reverse("login"), {"username": email, "password": password})


def _api_login(client: Client, email: str, password: str):
    return client.post(
        "/api/v1/auth/token",
        {"email": email, "password": password},
        content_type="application/json",
        headers=ENGLISH,
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_spelling_of_a_login_is_one_identity_stored_and_looked_up(variant):
    assert login_identity(variant) == EMAIL
    user = member(CompanyFactory(), email=EMAIL)
    assert User.objects.get_by_natural_key(variant) == user
    assert employee_email_clean(variant) == EMAIL
    assert User.objects.create_user(variant.replace("2", "3"), "x").email == EMAIL.replace("2", "3")


def test_stored_emails_are_migrated_to_their_identity():
    from django.apps import apps

    migration = importlib.import_module("kvote.people.migrations.0004_user_email_login_identity")
    kept = member(CompanyFactory(), email="kept@nordlys.example")
    User.objects.filter(pk=kept.pk).update(email=" Kept@Nordlys.Example")
    migration.forwards(apps, None)
    kept.refresh_from_db()
    assert kept.email == "kept@nordlys.example"


def test_the_back_office_stores_a_new_login_by_its_identity():
    form = UserAddForm(
        data={
            "email": " Ny.Bruker@Nordlys.Example",
            "full_name": "Ny Bruker",
            "password1": "Et-langt-passord-42",
            "password2": "Et-langt-passord-42",
        }
    )
    assert form.is_valid(), form.errors
    assert form.save().email == "ny.bruker@nordlys.example"


@pytest.mark.parametrize("variant", VARIANTS)
def test_web_login_throttle_counts_the_identity_whatever_the_spelling(client, throttled, variant):
    for _ in range(4):
        assert _web_login(client, EMAIL, "wrong").status_code == 200
    assert _web_login(client, EMAIL, "wrong").status_code == 429  # the fifth locks
    response = _web_login(client, variant, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Try again in 15 minutes" in response.content.decode()


@pytest.mark.parametrize("variant", VARIANTS)
def test_api_login_throttle_counts_the_identity_whatever_the_spelling(client, throttled, variant):
    for _ in range(4):
        assert _api_login(client, EMAIL, "wrong").status_code == 401
    assert _api_login(client, EMAIL, "wrong").status_code == 429
    response = _api_login(client, variant, PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert "Try again in 15 minutes" in response.json()["message"]
    assert not ApiToken.objects.exists()


def test_failures_under_other_spellings_add_up_to_one_lockout(client, throttled):
    for variant in [*VARIANTS, EMAIL]:
        _web_login(client, variant, "wrong")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {EMAIL}
    assert _api_login(client, EMAIL, PASSWORD).status_code == 429


def test_the_lockout_says_how_long_is_left_in_norwegian(client, throttled):
    for _ in range(5):
        _web_login(client, EMAIL, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=11, seconds=30))
    response = _web_login(client, EMAIL, PASSWORD, language="nb")
    assert response.status_code == 429
    assert "Prøv igjen om 4 minutter" in response.content.decode()


def test_a_right_login_after_the_cool_off_gets_in_and_resets_the_count(client, throttled):
    for _ in range(5):
        _web_login(client, EMAIL, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _web_login(client, VARIANTS[1], PASSWORD).status_code == 302


# A new password revokes the user's API tokens, whichever way it is set.

REVOKED_NOTE = "all your API tokens are revoked"
REVOKED_DONE = "Your API tokens were revoked"


def _tokens_of(user: User) -> tuple[Api, ApiToken]:
    api = Api(user)
    assert api.get("/me").status_code == 200
    return api, ApiToken.objects.get(user=user)


def test_a_password_reset_by_link_revokes_the_tokens_and_says_so():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    user = member(CompanyFactory(), language="en")
    api, token = _tokens_of(user)
    client.post(reverse("password_reset"), {"email": user.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    response = client.get(link.removeprefix(settings.KVOTE_BASE_URL), follow=True)
    assert REVOKED_NOTE in response.content.decode()
    form_path = response.redirect_chain[-1][0]
    response = client.post(
        form_path, {"new_password1": "Nytt-passord-42", "new_password2": "Nytt-passord-42"}
    )
    assert response.status_code == 302
    assert REVOKED_DONE in client.get(response["Location"]).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/me").status_code == 401


def test_a_password_change_while_logged_in_revokes_the_tokens_and_says_so(client):
    user = member(CompanyFactory(), language="en")
    api, token = _tokens_of(user)
    other = member(user.company)
    _, others_token = _tokens_of(other)
    client.force_login(user)
    assert REVOKED_NOTE in client.get(reverse("password_change")).content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Nytt-passord-42",
            "new_password2": "Nytt-passord-42",
        },
    )
    assert response.status_code == 302
    assert REVOKED_DONE in client.get(response["Location"]).content.decode()
    assert api.get("/me").status_code == 401
    token.refresh_from_db()
    others_token.refresh_from_db()
    assert token.revoked_at is not None and others_token.revoked_at is None


def test_a_password_set_in_the_back_office_revokes_the_tokens(client):
    user = member(CompanyFactory())
    api, _ = _tokens_of(user)
    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Nytt-passord-42", "password2": "Nytt-passord-42", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert api.get("/me").status_code == 401


def test_a_new_token_after_the_change_works_and_a_login_does_not_revoke(client):
    user = member(CompanyFactory())
    user.set_password("Nytt-passord-42")
    user.save()
    api, _ = _tokens_of(user)
    assert client.login(username=user.email, password="Nytt-passord-42")
    user.full_name = "Changed"
    user.save()
    assert api.get("/me").status_code == 200


# A deactivated company is locked out of the portal and the API.

REFUSED = "Your company no longer has access to the portal"


def _deactivate(user: User) -> None:
    user.company.is_active = False
    user.company.save()


def test_web_login_of_an_inactive_company_is_refused_with_the_reason(client, buyer):
    _deactivate(buyer)
    response = _web_login(client, buyer.email, PASSWORD)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A wrong password is told only that: the company's state is not given away.
    response = _web_login(client, buyer.email, "wrong")
    assert REFUSED not in response.content.decode()


def test_web_login_refusal_in_norwegian(client, buyer):
    _deactivate(buyer)
    buyer.language = "nb"
    buyer.save()
    with translation.override("nb"):
        response = _web_login(client, buyer.email, PASSWORD, language="nb")
    assert "Firmaet ditt har ikke lenger tilgang" in response.content.decode()


def test_an_existing_session_is_ended_with_the_reason(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("catalog:list")).status_code == 200
    _deactivate(buyer)
    response = client.get(reverse("catalog:list"), follow=True)
    assert response.redirect_chain[0][0] == reverse("login")
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_of_an_ended_session_loads_the_login_page(client, buyer):
    client.force_login(buyer)
    _deactivate(buyer)
    response = client.get(reverse("catalog:list"), headers={"hx-request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_existing_session_on_the_api_is_ended_with_json_403(client, buyer):
    client.force_login(buyer)
    _deactivate(buyer)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "company_inactive"
    assert "_auth_user_id" not in client.session


def test_no_token_for_an_inactive_company(client, buyer):
    _deactivate(buyer)
    response = _api_login(client, buyer.email, PASSWORD)
    assert response.status_code == 403
    assert response.json() == {"code": "company_inactive", "message": response.json()["message"]}
    assert REFUSED in response.json()["message"]
    assert not ApiToken.objects.exists()


def test_an_existing_token_is_refused_with_json_403_and_works_again_on_reactivation(buyer):
    api = Api(buyer)
    _deactivate(buyer)
    response = api.get("/me")
    assert response.status_code == 403
    assert response.json()["code"] == "company_inactive"
    buyer.company.is_active = True
    buyer.company.save()
    assert api.get("/me").status_code == 200


def test_supplier_staff_and_other_companies_are_not_touched(client, buyer, fjord):
    _deactivate(buyer)
    client.force_login(UserFactory(company=None, is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    assert Api(fjord.admin).get("/me").status_code == 200


def test_api_tokens_page_is_unused_by_a_deactivated_company(client, buyer):
    api_token_create(actor=buyer, label="x")
    client.force_login(buyer)
    _deactivate(buyer)
    assert client.get(reverse("api_tokens:list")).status_code == 302
