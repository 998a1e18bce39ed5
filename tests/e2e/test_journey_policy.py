"""The Content-Security-Policy leaves nothing broken: the API's documentation (Swagger UI,
served from the portal's own static files) renders and answers a call, and the supplier's back
office logs in, lists and edits. The page fixture fails on any violation the browser reports
(tests/e2e/conftest.py), as it does on every journey."""

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.helpers import PASSWORD


def test_the_api_documentation_works_under_the_policy(page: Page, live_server: Any) -> None:
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert "'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kvote")
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.wait_for_timeout(300)  # let any late violation reach the console


def test_the_back_office_works_under_the_policy(page: Page, live_server: Any) -> None:
    response = page.goto("/admin/")
    assert response is not None
    page.get_by_label(re.compile(r"^(E-post|Email)")).fill("admin@kvote.example")
    page.get_by_label(re.compile(r"^(Passord|Password)")).fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.locator("#content-main a[href$='/people/user/']").first.click()
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("form#user_form, #content-main form").first).to_be_visible()
    page.wait_for_timeout(300)
