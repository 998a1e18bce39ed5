"""The harness itself: axe-core reports what it should, and nothing else."""

import pytest
from playwright.sync_api import Page

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
