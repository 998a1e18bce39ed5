import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from kvote.people.models import User
from tests.factories import PASSWORD, CompanyFactory, member

pytestmark = pytest.mark.django_db


def test_login_by_email_is_case_insensitive_and_lands_in_the_portal(client):
    user = member(CompanyFactory())
    response = client.post(reverse("login"), {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_gives_a_clear_message_not_an_error(client):
    user = member(CompanyFactory())
    response = client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_login_is_throttled_after_repeated_failures(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = member(CompanyFactory())
    for _ in range(3):
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out by someone else's failures.
    other = member(CompanyFactory())
    response = client.post(reverse("login"), {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_logout_needs_a_post_and_a_get_goes_home(client):
    user = member(CompanyFactory())
    client.force_login(user)
    assert client.get(reverse("logout"))["Location"] == reverse("home")
    assert "_auth_user_id" in client.session
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = member(CompanyFactory())
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    assert link.startswith(settings.KVOTE_BASE_URL + "/password-reset/")
    path = link.removeprefix(settings.KVOTE_BASE_URL)
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0]
    response = client.post(
        form_path, {"new_password1": "Nytt-passord-42", "new_password2": "Nytt-passord-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nytt-passord-42")


def test_the_reset_link_leads_to_the_portals_address_whatever_host_the_request_named(
    client, settings
):
    settings.KVOTE_BASE_URL = "http://127.0.0.1:8134"
    settings.ALLOWED_HOSTS = ["*"]
    user = member(CompanyFactory())
    client.post(reverse("password_reset"), {"email": user.email}, headers={"host": "evil.example"})
    (link,) = [line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line]
    assert link.startswith("http://127.0.0.1:8134/password-reset/")
    assert "evil.example" not in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_language_switch_is_saved_on_the_user_and_used_after_a_new_login(client):
    user = member(CompanyFactory())
    client.force_login(user)
    response = client.post(reverse("language_set"), {"language": "en", "next": "/catalog/"})
    assert response.status_code == 302
    assert response["Location"] == "/catalog/"
    user.refresh_from_db()
    assert user.language == "en"
    client.logout()
    client.cookies.clear()
    client.force_login(user)
    response = client.get(reverse("login"))  # redirects a logged-in user; headers tell language
    assert response["Content-Language"] == "en"


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client):
    user = member(CompanyFactory())
    client.force_login(user)
    response = client.post(
        reverse("language_set"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.language == "nb"


def test_norwegian_is_the_default_and_english_the_alternative(client):
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "nb"
    assert '<html lang="nb"' in response.content.decode()
    assert "Logg inn" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_a_browser_that_prefers_english_still_gets_norwegian_until_the_person_chooses(client):
    for accept in ("en", "en-GB,en;q=0.9", "en-US,en;q=0.9,nb;q=0.5"):
        response = client.get(reverse("login"), headers={"accept-language": accept})
        assert response["Content-Language"] == "nb", accept
        assert '<html lang="nb"' in response.content.decode()
    response = client.post(reverse("language_set"), {"language": "en", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("login"), headers={"accept-language": "nb"})
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_an_unknown_language_in_the_cookie_is_norwegian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert client.get(reverse("login"))["Content-Language"] == "nb"


def test_the_saved_language_wins_over_the_cookie_of_the_browser(client):
    user = member(CompanyFactory())  # saved: Norwegian
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    response = client.get(reverse("checkout:my_page"))
    assert response["Content-Language"] == "nb"
    assert "Min side" in response.content.decode()
    User.objects.filter(pk=user.pk).update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert client.get(reverse("checkout:my_page"))["Content-Language"] == "en"


def test_a_page_that_depends_on_the_language_cookie_says_so_to_caches(client):
    assert "Cookie" in client.get(reverse("login"))["Vary"]


def test_a_program_calling_the_api_without_a_user_is_answered_in_the_language_it_asks_for(
    client,
):
    body = {"email": "nobody@example.test", "password": "wrong"}
    url = "/api/v1/auth/token"
    english = client.post(
        url, body, content_type="application/json", headers={"accept-language": "en"}
    )
    norwegian = client.post(url, body, content_type="application/json")
    assert english.status_code == norwegian.status_code == 401
    assert english.json()["message"] != norwegian.json()["message"]
    assert english["Content-Language"] == "en" and norwegian["Content-Language"] == "nb"
    assert "Accept-Language" in english["Vary"]


def test_a_language_chosen_before_logging_in_is_saved_on_the_user_at_login(client):
    user = member(CompanyFactory())  # saved: Norwegian
    client.post(reverse("language_set"), {"language": "en", "next": reverse("login")})
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert client.get(reverse("checkout:my_page"))["Content-Language"] == "en"


def test_a_language_cookie_alone_does_not_change_the_saved_language_at_login(client):
    """A cookie may be another person's choice on a shared browser; only a choice made in this
    visit (the session) is saved."""
    user = member(CompanyFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "nb"
    assert client.get(reverse("checkout:my_page"))["Content-Language"] == "nb"
