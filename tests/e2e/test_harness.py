"""The harness itself: axe-core reports what it should, and nothing else."""

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageWatch
from tests.e2e.helpers import assert_accessible


def test_axe_check_reports_serious_violations(blank_page: Page) -> None:
    blank_page.set_content("<html><body><main><img src='x.png'><input></main></body></html>")
    with pytest.raises(pytest.fail.Exception, match=r"(?s)image-alt \(critical\).*label"):
        assert_accessible(blank_page)


def test_axe_check_passes_a_clean_page(blank_page: Page) -> None:
    blank_page.set_content(
        "<html lang='en'><head><title>Fine</title></head><body><main><h1>Fine</h1>"
        "<label for='q'>Search</label><input id='q'></main></body></html>"
    )
    assert_accessible(blank_page)


POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"


def test_a_csp_violation_is_seen(blank_page: Page) -> None:
    """What the journeys' watch records: an inline style and an inline script the page's policy
    refuses (on a second page of the context, so this test's own watch stays clean)."""
    page = blank_page.context.new_page()
    watch = PageWatch()
    watch.attach(page)
    body = (
        "<html><body><p style='color: red'>x</p>"
        "<script>document.title = 'ran'</script></body></html>"
    )
    page.route(
        "http://kvote.test/",
        lambda route: route.fulfill(
            body=body, content_type="text/html", headers={"Content-Security-Policy": POLICY}
        ),
    )
    page.goto("http://kvote.test/")
    page.wait_for_timeout(200)
    assert page.title() != "ran"
    directives = " ".join(watch.csp_violations)
    assert "style-src" in directives and "script-src" in directives, watch.csp_violations
    page.close()
