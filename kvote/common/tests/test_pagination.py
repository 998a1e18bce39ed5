"""One pagination for every list: includes/pagination.html, with the page numbers from one
filter (kvote's `page_range`) and the query string from the view."""

import re
from pathlib import Path

import pytest
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation

from kvote.common.http import page_query
from kvote.common.templatetags.kvote import page_range

KVOTE = Path(__file__).resolve().parents[2]
LISTS = [
    "catalog/templates/catalog/product_list.html",
    "budgets/templates/budgets/list.html",
    "employees/templates/employees/employee_list.html",
    "employees/templates/employees/employee_purchases.html",
    "ordering/templates/ordering/order_list.html",
]


def page(number: int, pages: int = 10) -> Page:
    return Paginator(range(pages), 1).get_page(number)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, [1, 2, "…", 10]),
        (2, [1, 2, 3, "…", 10]),
        (5, [1, "…", 4, 5, 6, "…", 10]),
        (9, [1, "…", 8, 9, 10]),
        (10, [1, "…", 9, 10]),
    ],
)
def test_the_page_numbers_are_the_ends_and_one_on_each_side(number: int, expected: list) -> None:
    assert page_range(page(number)) == expected


def test_a_short_list_shows_every_page() -> None:
    assert page_range(page(2, pages=4)) == [1, 2, 3, 4]


def test_the_links_keep_the_query_and_lead_to_the_list() -> None:
    with translation.override("en"):
        html = render_to_string(
            "includes/pagination.html",
            {"page": page(5), "query": "q=jakke&sort=name", "url": "/budgets/"},
        )
    assert '<nav class="ds-pagination" aria-label="Pages">' in html
    assert 'rel="prev" href="/budgets/?q=jakke&amp;sort=name&amp;page=4"' in html
    assert 'rel="next" href="/budgets/?q=jakke&amp;sort=name&amp;page=6"' in html
    current = re.findall(r'<a [^>]*aria-current="true"[^>]*>(.*?)</a>', html)
    assert current == ['<span class="ds-sr-only">Page </span>5']
    assert html.count('<span class="kv-muted" aria-hidden="true">…</span>') == 2


def test_without_a_url_or_a_query_the_links_stay_on_the_page() -> None:
    html = render_to_string("includes/pagination.html", {"page": page(1), "query": ""})
    assert 'rel="next" href="?page=2"' in html
    assert 'href="?page=10"' in html
    assert 'rel="prev"' not in html  # the first page has no previous page: a dimmed label


def test_one_page_has_no_page_links() -> None:
    assert render_to_string("includes/pagination.html", {"page": page(1, pages=1)}).strip() == ""


def test_the_query_kept_is_everything_but_the_page() -> None:
    assert page_query(QueryDict("q=jakke&page=3&category=sko")) == "q=jakke&category=sko"
    assert page_query(QueryDict("page=3")) == ""


def test_every_list_uses_the_one_pagination() -> None:
    templates = sorted(KVOTE.rglob("templates/**/*.html"))
    own = [
        t.relative_to(KVOTE).as_posix()
        for t in templates
        if "ds-pagination" in t.read_text(encoding="utf-8")
    ]
    assert own == ["templates/includes/pagination.html"]
    for name in LISTS:
        assert '{% include "includes/pagination.html"' in (KVOTE / name).read_text(), name
    sources = [p for p in KVOTE.rglob("*.py") if "tests" not in p.parts]
    computing = [
        p.relative_to(KVOTE).as_posix()
        for p in sources
        if "get_elided_page_range" in p.read_text(encoding="utf-8")
    ]
    assert computing == ["common/templatetags/kvote.py"]
