"""«Hurtigbestilling»: item numbers and quantities typed or pasted into one field
(kvote.checkout.bulk reads them, kvote.checkout.services.cart_quick_order puts them in the cart)."""

import html
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import AssortmentItem, Variant
from kvote.checkout.bulk import QUICK_ORDER_MAX_LINES, parse_quick_order
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.services import cart_add, cart_quick_order
from kvote.common.text import fold_code
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def shirt() -> Variant:
    return VariantFactory(item_number="NL-1001-NAV-XL", product__list_price=Decimal("100.00"))


@pytest.fixture
def cap() -> Variant:
    return VariantFactory(item_number="NL-7007-BLK-OS", product__list_price=Decimal("50.00"))


def _cart(actor: User) -> list[tuple[str, int, int | None]]:
    return [
        (line.variant.item_number, line.quantity, line.recipient_id)
        for line in CartLine.objects.filter(cart__user=actor).select_related("variant")
    ]


# --- Reading the text (no database) ----------------------------------------------------------


def _read(text: str) -> list[tuple[int, str, str]]:
    return [(line.number, line.item, line.quantity) for line in parse_quick_order(text).lines]


@pytest.mark.parametrize(
    "text",
    [
        "NL-1001-NAV-XL\t3",
        "NL-1001-NAV-XL 3",
        "NL-1001-NAV-XL;3",
        "NL-1001-NAV-XL; 3;",
        "NL-1001-NAV-XL, 3",
        "  NL-1001-NAV-XL   3  ",
        "NL-1001-NAV-XL\t3\tMarine\t",
        "NL-1001-NAV-XL\t\t3",
    ],
)
def test_every_way_of_writing_a_line_is_read(text: str) -> None:
    assert _read(text) == [(1, "NL-1001-NAV-XL", "3")]


def test_an_item_number_alone_is_one_and_blank_lines_and_a_header_are_skipped() -> None:
    text = "Varenummer\tAntall\r\n\nNL-1001-NAV-XL\n   \nNL-7007-BLK-OS\t2\n"
    assert _read(text) == [(3, "NL-1001-NAV-XL", ""), (5, "NL-7007-BLK-OS", "2")]
    assert _read("Item number;Quantity\nA;1") == [(2, "A", "1")]
    assert _read("Varenummer\nA") == [(2, "A", "")]
    # A header is only a first line: later, "sku" is an item number like any other.
    assert _read("A 1\nsku 2") == [(1, "A", "1"), (2, "sku", "2")]


def test_a_line_split_by_a_space_is_also_read_whole() -> None:
    [line] = parse_quick_order("NL 1001 NAV XL").lines
    assert (line.item, line.quantity, line.whole) == ("NL 1001 NAV", "XL", "NL 1001 NAV XL")


def test_lines_after_the_limit_are_kept_apart() -> None:
    text = "\n".join(f"A-{n} 1" for n in range(QUICK_ORDER_MAX_LINES + 3))
    parsed = parse_quick_order(text)
    assert len(parsed.lines) == QUICK_ORDER_MAX_LINES
    assert [line.number for line in parsed.too_many] == [201, 202, 203]


def test_fold_code_keeps_letters_and_digits_in_one_case() -> None:
    assert fold_code("NL-1001 nav_XL.") == fold_code("nl1001navxl") == "nl1001navxl"
    assert fold_code("") == ""


# --- The service ------------------------------------------------------------------------------


def test_good_lines_go_in_for_the_employee_themself(
    holder: User, shirt: Variant, cap: Variant
) -> None:
    outcome = cart_quick_order(actor=holder, text="nl1001navxl 2\nNL-7007-BLK-OS")
    assert [row.added for row in outcome.rows] == [True, True]
    assert outcome.rows[0].message.startswith("In the cart: 2 × ")
    assert _cart(holder) == [
        ("NL-1001-NAV-XL", 2, holder.employee.pk),
        ("NL-7007-BLK-OS", 1, holder.employee.pk),
    ]
    assert outcome.keep == ""


def test_a_login_without_an_employee_gets_lines_the_cart_asks_a_recipient_for(
    company: Company, shirt: Variant
) -> None:
    buyer = UserFactory(company=company)
    cart_quick_order(actor=buyer, text="NL-1001-NAV-XL 2")
    assert _cart(buyer) == [("NL-1001-NAV-XL", 2, None)]


def test_the_same_item_number_twice_adds_up(holder: User, shirt: Variant) -> None:
    cart_quick_order(actor=holder, text="NL-1001-NAV-XL 2\nnl-1001-nav-xl;3")
    assert _cart(holder) == [("NL-1001-NAV-XL", 5, holder.employee.pk)]
    cart_quick_order(actor=holder, text="NL-1001-NAV-XL 1")
    assert _cart(holder) == [("NL-1001-NAV-XL", 6, holder.employee.pk)]


def test_every_bad_line_says_why_stays_out_and_is_kept(
    company: Company, holder: User, shirt: Variant, cap: Variant
) -> None:
    retired = VariantFactory(item_number="NL-3003-RED-M", is_active=False)
    VariantFactory(item_number="NL-4004-GRN-L")  # not in the assortment
    full = VariantFactory(item_number="NL-5005-YLW-S")
    company.restrict_assortment = True
    company.save()
    for variant in (shirt, cap, retired, full):
        AssortmentItem.objects.create(company=company, product=variant.product)
    cart_add(actor=holder, variant_id=full.pk, quantity=998)
    text = "\n".join(
        [
            "NL-1001-NAV-XL 2",  # 1 good
            "FINNES-IKKE 1",  # 2 no such item number
            "NL-3003-RED-M 1",  # 3 no longer sold
            "NL-4004-GRN-L\t1",  # 4 not in the assortment
            "NL-7007-BLK-OS 0",  # 5
            "NL-7007-BLK-OS x",  # 6
            "NL-7007-BLK-OS 1000",  # 7
            "NL-7007-BLK-OS 2.5",  # 8
            "NL-5005-YLW-S 2",  # 9 past the line's limit
            "NL-7007-BLK-OS; 4",  # 10 good
        ]
    )
    outcome = cart_quick_order(actor=holder, text=text)
    quantity = "The quantity must be a whole number from 1 to 999."
    assert [(row.number, row.added, "" if row.added else row.message) for row in outcome.rows] == [
        (1, True, ""),
        (2, False, "There is no item number “FINNES-IKKE”."),
        (3, False, "Item number “NL-3003-RED-M” cannot be ordered."),
        (4, False, "Item number “NL-4004-GRN-L” cannot be ordered."),
        (5, False, quantity),
        (6, False, quantity),
        (7, False, quantity),
        (8, False, quantity),
        (9, False, "You already have 998 in the cart; one line holds at most 999."),
        (10, True, ""),
    ]
    assert outcome.keep.splitlines() == text.splitlines()[1:9]
    assert sorted(_cart(holder)) == [
        ("NL-1001-NAV-XL", 2, holder.employee.pk),
        ("NL-5005-YLW-S", 998, holder.employee.pk),
        ("NL-7007-BLK-OS", 4, holder.employee.pk),
    ]


def test_two_lines_of_one_item_that_together_pass_the_limit(holder: User, shirt: Variant) -> None:
    outcome = cart_quick_order(actor=holder, text="NL-1001-NAV-XL 600\nNL-1001-NAV-XL 600")
    assert [row.added for row in outcome.rows] == [True, False]
    assert outcome.rows[1].message == (
        "You already have 600 in the cart; one line holds at most 999."
    )
    assert _cart(holder) == [("NL-1001-NAV-XL", 600, holder.employee.pk)]


def test_lines_past_the_limit_are_refused_and_kept(holder: User, shirt: Variant) -> None:
    text = "\n".join(["NL-1001-NAV-XL 1"] * (QUICK_ORDER_MAX_LINES + 2))
    outcome = cart_quick_order(actor=holder, text=text)
    assert len(outcome.added) == QUICK_ORDER_MAX_LINES
    assert [row.number for row in outcome.refused] == [201, 202]
    assert outcome.refused[0].message.startswith("Too many lines: at most 200 at a time.")
    assert outcome.keep == "NL-1001-NAV-XL 1\nNL-1001-NAV-XL 1"
    assert _cart(holder) == [("NL-1001-NAV-XL", QUICK_ORDER_MAX_LINES, holder.employee.pk)]


def test_an_item_number_with_a_space_in_it_is_found_whole(holder: User) -> None:
    VariantFactory(item_number="NL-2002-BLK-52")
    outcome = cart_quick_order(actor=holder, text="NL-2002-BLK 52\nNL 2002 BLK 52 3")
    assert [row.added for row in outcome.rows] == [True, True]
    assert _cart(holder) == [("NL-2002-BLK-52", 4, holder.employee.pk)]


def test_nothing_is_written_when_every_line_is_bad(holder: User, shirt: Variant) -> None:
    outcome = cart_quick_order(actor=holder, text="NOPE 1\nNL-1001-NAV-XL 0")
    assert outcome.added == []
    assert not Cart.objects.filter(user=holder).exists()


def test_another_companys_item_numbers_are_the_same_catalogue_but_not_its_cart(
    holder: User, fjord, shirt: Variant
) -> None:
    cart_quick_order(actor=fjord.leader, text="NL-1001-NAV-XL 1")
    assert _cart(holder) == []
    assert _cart(fjord.leader) == [("NL-1001-NAV-XL", 1, fjord.leader.employee.pk)]


# 12: with a line that is no item number, whether it is one without its size is asked once.
QUICK_ORDER_QUERIES = 12


@pytest.mark.parametrize("count", [3, 40])
def test_a_quick_order_takes_the_same_queries_for_3_and_40_lines(
    holder: User, count: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    variants = [VariantFactory() for _ in range(count)]
    cart_add(actor=holder, variant_id=variants[0].pk, quantity=1)
    text = "\n".join(f"{variant.item_number}\t2" for variant in variants) + "\nNOPE 1"
    actor = User.objects.get(pk=holder.pk)
    with django_assert_num_queries(QUICK_ORDER_QUERIES):
        outcome = cart_quick_order(actor=actor, text=text)
    assert (len(outcome.added), len(outcome.refused)) == (count, 1)


# --- The pages --------------------------------------------------------------------------------


def _textarea(page: str) -> str:
    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert found is not None
    return html.unescape(found.group(1)).strip("\r\n")


def test_all_good_goes_to_the_cart_with_a_message(
    client: Client, holder: User, shirt: Variant
) -> None:
    client.force_login(holder)
    response = client.post(reverse("checkout:quick_order"), {"lines": "NL-1001-NAV-XL 2"})
    assert response["Location"] == reverse("checkout:cart")
    assert "1 line is in your cart." in client.get(response["Location"]).content.decode()


def test_bad_lines_are_shown_beside_the_good_and_only_they_are_kept(
    client: Client, holder: User, shirt: Variant
) -> None:
    client.force_login(holder)
    response = client.post(
        reverse("checkout:quick_order"),
        {"lines": "Varenummer\tAntall\nNL-1001-NAV-XL\t2\nFINNES-IKKE\t1\n<b>x</b> 1"},
    )
    assert response["Location"] == reverse("checkout:quick_order")
    page = client.get(response["Location"]).content.decode()
    assert "2 lines were not added" in page and "1 line is in your cart." in page
    rows = re.findall(r"<tr class=\"kv-quick-result--(ok|bad)\">", page)
    assert rows == ["ok", "bad", "bad"]
    assert "Line 3" in page and "There is no item number “FINNES-IKKE”." in page
    assert "<b>x</b>" not in page  # what was typed is text, never markup
    assert _textarea(page) == "FINNES-IKKE\t1\n<b>x</b> 1"
    assert _cart(holder) == [("NL-1001-NAV-XL", 2, holder.employee.pk)]
    again = client.get(reverse("checkout:quick_order")).content.decode()
    assert "kv-quick-result" not in again and _textarea(again) == ""


def test_an_empty_or_too_long_text_is_refused_with_what_was_typed(
    client: Client, holder: User
) -> None:
    client.force_login(holder)
    empty = client.post(reverse("checkout:quick_order"), {"lines": "  \n "})
    assert empty.status_code == 400
    assert "Type or paste at least one item number." in empty.content.decode()
    text = "NL-1001-NAV-XL 1\n" * 1500
    long = client.post(reverse("checkout:quick_order"), {"lines": text})
    assert long.status_code == 400
    assert "at most 20000 characters" in long.content.decode()
    assert _textarea(long.content.decode()) == text.strip("\n")
    assert not CartLine.objects.filter(cart__user=holder).exists()


def test_the_cart_and_the_catalogue_lead_to_quick_order(client: Client, holder: User) -> None:
    client.force_login(holder)
    url = reverse("checkout:quick_order")
    cart = client.get(reverse("checkout:cart")).content.decode()
    assert f'action="{url}"' in cart and 'name="lines"' in cart
    assert f'href="{url}"' in client.get(reverse("catalog:list")).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Quick order" in page.content.decode()
    assert 'aria-describedby="id_lines-help"' in page.content.decode()


def test_the_employee_of_a_quick_order_line_is_their_own(
    client: Client, holder: User, team: list[Employee], shirt: Variant
) -> None:
    client.force_login(holder)
    client.post(reverse("checkout:quick_order"), {"lines": "NL-1001-NAV-XL"})
    assert _cart(holder) == [("NL-1001-NAV-XL", 1, holder.employee.pk)]
