"""Journey 7, in Norwegian, on a phone: API tokens. ansatt1@nordlys.example opens Min side →
API tokens, creates a token for her HR sync, sees it once, uses it from a program (an HTTP
client with `Authorization: Bearer` and no browser cookies), revokes it, and the program is
refused from then on. The token is stored hashed: the database never holds it."""

import hashlib
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from kvote.api.models import ApiToken
from tests.e2e.conftest import LoginFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, menu, t, table_rows

LANG = "nb"
EMAIL = "ansatt1@nordlys.example"
LABEL = "HR-synk"


def _(msgid: str, **values: object) -> str:
    return t(LANG, msgid, **values)


def test_a_user_creates_uses_and_revokes_an_api_token(
    phone_page: Page, login: LoginFn, live_server: Any
) -> None:
    page = phone_page
    login(page, EMAIL)
    menu(page, LANG).get_by_role("link", name=_("My page"), exact=True).click()
    page.get_by_role("link", name=_("API tokens: let your own programs use Kvote")).click()
    expect(page.get_by_role("heading", level=1, name=_("API tokens"))).to_be_visible()
    expect(page.get_by_text(_("You have no API tokens."))).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)

    page.get_by_role("button", name=_("Create the token")).click()  # no name: refused
    expect(page.get_by_text(_("Give the token a name.")).first).to_be_visible()
    assert not ApiToken.objects.exists()

    page.get_by_label(_("Name")).fill(LABEL)
    page.get_by_role("button", name=_("Create the token")).click()
    expect(page.get_by_role("heading", name=_("Your new token"))).to_be_visible()
    secret = page.get_by_label(_("Token"), exact=True).input_value()
    assert len(secret) > 30
    assert_accessible(page)
    stored = ApiToken.objects.get()
    assert secret not in {stored.key_hash, stored.prefix}
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    (row,) = table_rows(page.get_by_role("table", name=_("Your tokens")))
    assert row[_("Name")] == LABEL
    assert row[_("Status")] == _("Active")
    assert secret.startswith(row[_("Starts with")].rstrip("…"))

    bearer = {"Authorization": f"Bearer {secret}"}
    program = httpx.Client(base_url=live_server.url, headers=bearer)  # no browser cookies
    me = program.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == EMAIL

    page.goto(page.url)  # opened again, the page no longer shows the token
    expect(page.get_by_role("heading", name=_("Your new token"))).to_have_count(0)
    page.get_by_role("button", name=f"{_('Revoke')} {LABEL}").click()
    expect(page.locator("#messages")).to_contain_text(
        _("The token “%(label)s” is revoked. It no longer works.", label=LABEL)
    )
    (row,) = table_rows(page.get_by_role("table", name=_("Your tokens")))
    assert row[_("Status")] == _("Revoked")
    assert_accessible(page)

    refused = program.get("/api/v1/me")
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
