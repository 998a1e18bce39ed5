"""One table for an order's lines (ordering/includes/order_lines.html): its column sets, and
every page that shows order lines drawing it."""

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kvote.common.money import format_nok
from kvote.ordering.models import Order
from kvote.ordering.selectors import lines_shown
from tests.asserts import TABLE, assert_each_row_is_a_card
from tests.factories import CompanyFactory, EmployeeFactory, member, place_order

pytestmark = pytest.mark.django_db

KVOTE = Path(__file__).resolve().parents[2]
INCLUDE = "ordering/includes/order_lines.html"
# Every template that shows order lines, and the columns it shows.
CALLERS = {
    "ordering/templates/ordering/order_detail.html": (
        "show_recipient=True show_delivery=detail.awaits_delivery %}"
    ),
    "checkout/templates/checkout/confirmation.html": (
        "show_recipient=True show_delivery=detail.awaits_delivery %}"
    ),
    "approvals/templates/approvals/includes/order_card.html": "show_recipient=True compact=True %}",
    "checkout/templates/checkout/includes/my_budget.html": "show_order=True compact=True %}",
    "employees/templates/employees/employee_purchases.html": "show_date=True compact=True %}",
}


@pytest.fixture
def order() -> Order:
    company = CompanyFactory()
    buyer = member(company, is_company_admin=True, language="en")
    recipient = EmployeeFactory(company=company, name="Kari Nordmann", number="1004")
    return place_order(buyer, "1234.50", recipient=recipient)


def _render(order: Order, **options: object) -> str:
    with translation.override("en"):
        return render_to_string(
            INCLUDE,
            {
                "lines": lines_shown(order.lines.select_related("variant")),
                "caption": "Lines",
                "table_id": "t",
                **options,
            },
        )


def _columns(table: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)]


def _cells(table: str) -> list[str]:
    (row,) = re.findall(r"<tbody>\s*<tr>(.*?)</tr>", table, flags=re.S)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def test_the_full_table_splits_colour_and_size_and_shows_the_unit_price(order: Order) -> None:
    table = _render(order, show_recipient=True)
    line = order.lines.get()
    assert _columns(table) == [
        "Item number",
        "Product",
        "Colour",
        "Size",
        "Quantity",
        "Recipient",
        "Unit price",
        "Sum excl. VAT",
    ]
    with translation.override("en"):
        price = format_nok(Decimal("1234.50"))
    assert _cells(table) == [
        line.item_number,
        line.product_name_en,
        line.colour_en,
        line.size,
        "1",
        "Kari Nordmann (1004)",
        price,
        price,
    ]


def test_the_compact_table_joins_colour_and_size_and_leaves_out_the_unit_price(
    order: Order,
) -> None:
    assert _columns(_render(order, compact=True)) == [
        "Item number",
        "Product",
        "Colour / size",
        "Quantity",
        "Sum excl. VAT",
    ]
    assert _columns(_render(order, compact=True, show_date=True))[0] == "Date"


def test_with_the_order_each_line_leads_to_its_order(order: Order) -> None:
    table = _render(order, compact=True, show_order=True)
    assert _columns(table) == [
        "Date",
        "Order number",
        "Item number",
        "Product",
        "Colour / size",
        "Quantity",
        "Sum excl. VAT",
        "Status",
    ]
    link = reverse("ordering:order_detail", args=[order.pk])
    assert f'<th scope="row" class="kv-nowrap"><a class="ds-link" href="{link}">' in table
    assert _cells(table)[-1] == "Sent to supplier"


def test_each_line_shows_its_picture_beside_the_product_and_may_show_its_delivery(
    order: Order,
) -> None:
    line = order.lines.select_related("variant").get()
    line.variant.stock = 0
    line.variant.restock_date = None
    line.variant.save()
    table = _render(order, show_delivery=True)
    (picture,) = re.findall(r"<picture .*?</picture>", table, re.S)
    # No picture yet: the placeholder, a fixed square (lazy below the first line).
    assert 'width="800" height="800"' in picture and "product-placeholder" in picture
    assert _columns(table)[-1] == "Expected delivery"
    assert _cells(table)[-1] == "Back order – no delivery date yet"
    assert "Expected delivery" not in _render(order)


def test_the_table_is_named_by_its_caption_and_scrolls_in_a_named_region(order: Order) -> None:
    table = _render(order)
    assert 'role="region" aria-labelledby="t"' in table
    assert '<caption class="ds-sr-only" id="t">Lines</caption>' in table
    assert table.count('<th scope="row"') == 1  # the product names each row


def test_every_page_with_order_lines_draws_them_with_the_one_include() -> None:
    own = re.compile(r"\bline\.(line_total|unit_price|display_product_name|recipient_name)\b")
    drawing = sorted(
        path.relative_to(KVOTE).as_posix()
        for path in KVOTE.rglob("templates/**/*.html")
        if own.search(path.read_text(encoding="utf-8"))
    )
    assert drawing == [f"ordering/templates/{INCLUDE}"]
    for name, options in CALLERS.items():
        text = (KVOTE / name).read_text(encoding="utf-8")
        (call,) = re.findall(r'{% include "ordering/includes/order_lines\.html" with [^%]*%}', text)
        assert call.endswith(options), (name, call)


def test_the_confirmation_lists_what_was_ordered(order: Order) -> None:
    client = Client()
    client.force_login(order.placed_by)
    page = client.get(reverse("checkout:order_confirmation", args=[order.pk])).content.decode()
    line = order.lines.get()
    assert "Products in the order" in page
    assert line.item_number in page and "Kari Nordmann (1004)" in page


# --- on a phone: each row a card (.kv-rtable) ---------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"show_recipient": True},
        {"compact": True},
        {"compact": True, "show_date": True},
        {"compact": True, "show_order": True},
        {"show_recipient": True, "show_order": True},
        {"show_recipient": True, "show_delivery": True},
    ],
)
def test_each_line_is_a_card_on_a_phone(order: Order, options: dict[str, bool]) -> None:
    (table,) = TABLE.findall(_render(order, **options))
    assert assert_each_row_is_a_card(table) == 1
    assert "kv-lines" in table.split(">", 1)[0]  # its title (product or order) on top


def test_the_order_pages_tables_are_cards_on_a_phone(order: Order) -> None:
    client = Client()
    client.force_login(order.placed_by)
    pages = {
        reverse("ordering:order_list"): 1,
        reverse("ordering:order_detail", args=[order.pk]): 2,  # the lines, the history
        reverse("checkout:order_confirmation", args=[order.pk]): 1,
    }
    for url, count in pages.items():
        page = client.get(url).content.decode()
        tables = [t for t in TABLE.findall(page) if "kv-totals" not in t.split(">", 1)[0]]
        assert len(tables) == count, url
        for table in tables:
            assert assert_each_row_is_a_card(table) >= 1, url
