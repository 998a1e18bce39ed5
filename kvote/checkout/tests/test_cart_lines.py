"""A cart line's choices saved as they are made (htmx) and without script («Update»); refusals
shown at their field with nothing changed; the limits said where they are typed. The browser's
side (nothing lost when leaving the page) is tests/e2e/test_journey_cart.py."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import Variant
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.services import cart_add
from kvote.common.money import format_nok
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import CompanyFactory, EmployeeFactory, VariantFactory, ready_image
from tests.world import Fjord

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
QUANTITY_MESSAGE = "The quantity must be a whole number from 1 to 999."
RECIPIENT_MESSAGE = "The chosen employee cannot receive orders."


@pytest.fixture
def client(buyer: User) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


@pytest.fixture
def line(buyer: User) -> CartLine:
    variant: Variant = VariantFactory(product__list_price=Decimal("500.00"))
    return cart_add(actor=buyer, variant_id=variant.pk, quantity=2)


def stored(line: CartLine) -> tuple[int, int | None]:
    line.refresh_from_db()
    return line.quantity, line.recipient_id


def text_of(html: str, element_id: str) -> str:
    """The text of the element with this id (tags dropped, white space as one space)."""
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, flags=re.S)
    assert found, f"no #{element_id} in the answer"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


def nok(amount: str) -> str:
    return " ".join(format_nok(Decimal(amount), "en").split())


def update(client: Client, line: CartLine, data: dict[str, str], htmx: bool = True) -> HttpResponse:
    url = reverse("checkout:cart_line_update", args=[line.pk])
    response: HttpResponse = client.post(url, data, **(HTMX if htmx else {}))
    return response


# --- saved as it is made (htmx) ------------------------------------------------------------------


def test_a_saved_choice_answers_the_parts_it_changes_and_never_the_fields(
    client: Client, line: CartLine, team: list[Employee]
) -> None:
    response = update(client, line, {"quantity": "3", "recipient": str(team[0].pk)})
    assert response.status_code == 200
    html = response.content.decode()
    assert stored(line) == (3, team[0].pk)
    assert text_of(html, f"line-{line.pk}-status") == "Saved."
    assert text_of(html, f"line-{line.pk}-total") == nok("1500")
    assert text_of(html, f"quantity-{line.pk}-error") == ""
    assert text_of(html, f"recipient-{line.pk}-error") == ""
    totals = text_of(html, "cart-totals")
    assert nok("1500") in totals and nok("375") in totals and nok("1875") in totals
    # Each part replaces its own by id; the fields are not sent back, so a choice made while
    # the save was on its way is never overwritten. Beside the line's parts and the cart's
    # totals: the line's stock and the header's cart badge.
    assert html.count('hx-swap-oob="true"') == 7 and 'hx-swap-oob="innerHTML"' in html
    assert "<input" not in html and "<select" not in html
    assert [str(m) for m in get_messages(response.wsgi_request)] == []


def test_a_quantity_beyond_the_stock_is_a_back_order_and_the_line_says_so_as_it_changes(
    client: Client, line: CartLine, team: list[Employee]
) -> None:
    Variant.objects.filter(pk=line.variant_id).update(stock=3, restock_date=date(2099, 12, 14))
    page = client.get(reverse("checkout:cart")).content.decode()
    assert text_of(page, f"line-{line.pk}-stock") == "Ships from stock"  # 2 of 3
    answer = update(client, line, {"quantity": "5", "recipient": str(team[0].pk)})
    assert text_of(answer.content.decode(), f"line-{line.pk}-stock") == (
        "3 ship from stock, 2 back order – expected week 51 of 2099"
    )
    review = client.get(reverse("checkout:checkout_review")).content.decode()
    assert "3 ship from stock, 2 back order – expected week 51 of 2099" in review


def test_each_line_shows_its_colours_picture_with_alt_text_and_a_small_srcset(
    client: Client, line: CartLine
) -> None:
    ready_image(line.variant.product, colour=line.variant.colour)
    for url in (reverse("checkout:cart"), reverse("checkout:checkout_review")):
        page = client.get(url).content.decode()
        (picture,) = re.findall(r"<picture .*?</picture>", page, re.S)
        name = line.variant.product.name_en
        assert f'alt="{name}, Navy"' in picture, url
        assert 'sizes="4rem"' in picture and " 400w" in picture and "srcset=" in picture, url
        assert 'width="800" height="800"' in picture, url


@pytest.mark.parametrize("quantity", ["0", "1000", "abc", "", "2.5", "-1"])
def test_a_bad_quantity_is_said_at_the_field_and_changes_nothing(
    client: Client, line: CartLine, team: list[Employee], quantity: str
) -> None:
    response = update(client, line, {"quantity": quantity, "recipient": str(team[0].pk)})
    assert response.status_code == 200
    html = response.content.decode()
    assert text_of(html, f"quantity-{line.pk}-error") == QUANTITY_MESSAGE
    assert text_of(html, f"line-{line.pk}-status") == "Not saved: the line is as it was."
    assert text_of(html, f"line-{line.pk}-total") == nok("1000")
    assert stored(line) == (2, line.cart.user.employee.pk)  # the valid recipient is not kept
    assert [str(m) for m in get_messages(response.wsgi_request)] == []


def test_a_recipient_of_another_company_is_said_at_the_field_and_changes_nothing(
    client: Client, line: CartLine
) -> None:
    stranger: Employee = EmployeeFactory(company=CompanyFactory())
    before = stored(line)
    for recipient in [str(stranger.pk), "0", "-3", "x", "9" * 30]:
        html = update(client, line, {"quantity": "5", "recipient": recipient}).content.decode()
        assert text_of(html, f"recipient-{line.pk}-error") == RECIPIENT_MESSAGE, recipient
        assert text_of(html, f"quantity-{line.pk}-error") == ""
        assert stored(line) == before  # the valid quantity is not kept either


def test_a_budget_holder_is_told_at_the_recipient_that_they_order_for_themselves(
    holder: User, team: list[Employee]
) -> None:
    client = Client()
    client.force_login(holder)
    line = cart_add(actor=holder, variant_id=VariantFactory().pk, quantity=1)
    html = update(client, line, {"quantity": "1", "recipient": str(team[0].pk)}).content.decode()
    assert text_of(html, f"recipient-{line.pk}-error") == "You can only order for yourself."
    assert stored(line) == (1, holder.employee.pk)
    page = client.get(reverse("checkout:cart")).content.decode()
    assert f'id="recipient-{line.pk}-error"' in page  # where that message goes on the page


def test_choosing_the_missing_recipient_clears_the_lines_problem(
    client: Client, line: CartLine, team: list[Employee]
) -> None:
    CartLine.objects.filter(pk=line.pk).update(recipient=None)
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "Choose who item number" in text_of(page, f"line-{line.pk}-problem")
    html = update(client, line, {"quantity": "2", "recipient": str(team[1].pk)}).content.decode()
    assert text_of(html, f"line-{line.pk}-problem") == ""
    assert stored(line) == (2, team[1].pk)


def test_someone_elses_line_is_not_found(
    line: CartLine, admin: User, fjord: Fjord, team: list[Employee]
) -> None:
    for other in [admin, fjord.admin]:
        client = Client()
        client.force_login(other)
        response = update(client, line, {"quantity": "3", "recipient": str(team[0].pk)})
        assert response.status_code == 404
        response = update(client, line, {"quantity": "0"})
        assert response.status_code == 404
    assert stored(line) == (2, line.cart.user.employee.pk)


# --- without script: «Update» -------------------------------------------------------------------


def test_without_script_update_saves_and_a_refusal_shows_at_the_field(
    client: Client, line: CartLine, team: list[Employee]
) -> None:
    response = update(client, line, {"quantity": "4", "recipient": str(team[2].pk)}, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:cart") + f"#line-{line.pk}"
    assert stored(line) == (4, team[2].pk)

    response = update(client, line, {"quantity": "1000", "recipient": "x"}, htmx=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert text_of(html, f"quantity-{line.pk}-error") == QUANTITY_MESSAGE
    assert text_of(html, f"recipient-{line.pk}-error") == RECIPIENT_MESSAGE
    assert 'value="1000" aria-invalid="true"' in html
    assert stored(line) == (4, team[2].pk)


# --- the page ------------------------------------------------------------------------------------


def test_each_field_saves_itself_and_the_limit_is_said_where_it_is_typed(
    client: Client, line: CartLine
) -> None:
    html = client.get(reverse("checkout:cart")).content.decode()
    url = reverse("checkout:cart_line_update", args=[line.pk])
    assert f'<form method="post" action="{url}" class="kv-line-form" data-line="{line.pk}"' in html
    assert 'hx-swap="none" hx-sync="this:queue last"' in html
    quantity = re.search(rf'<input[^>]* id="quantity-{line.pk}"[^>]*>', html, flags=re.S)
    recipient = re.search(rf'<select[^>]* id="recipient-{line.pk}"[^>]*>', html, flags=re.S)
    assert quantity and recipient
    for field in (quantity.group(0), recipient.group(0)):
        assert f'hx-post="{url}"' in field and 'hx-trigger="change"' in field
    assert 'max="999"' in quantity.group(0)
    assert f'aria-describedby="quantity-{line.pk}-help' in quantity.group(0)
    assert text_of(html, f"quantity-{line.pk}-help") == "At most 999"
    # The recipient search has a queue of its own: a search never replaces a queued save.
    assert 'hx-sync="this:replace"' in html
    assert '<script src="/static/kvote/cart.js" defer></script>' in html
    assert "Update" in html  # without script, «Update» saves the line
    quick = client.get(reverse("checkout:cart")).content.decode()
    assert 'aria-describedby="id_lines-help"' in quick
    assert "At most 200 lines at a time." in text_of(quick, "id_lines-help")


def test_quick_order_cuts_no_item_number(client: Client, buyer: User, line: CartLine) -> None:
    html = client.get(reverse("checkout:cart")).content.decode()
    field = re.search(r'<textarea[^>]* name="lines"[^>]*>', html)
    assert field and "maxlength" not in field.group(0)  # a longer paste is refused, not cut
    item = line.variant.item_number
    response = client.post(
        reverse("checkout:quick_order"), {"lines": item + "-X" * 30 + " 1"}, follow=True
    )
    assert "There is no item number" in response.content.decode()
    assert CartLine.objects.filter(cart__user=buyer).count() == 1


def test_an_empty_cart_loads_no_script(client: Client) -> None:
    html = client.get(reverse("checkout:cart")).content.decode()
    assert "/kvote/cart.js" not in html and "Your cart is empty." in html


# --- query counts --------------------------------------------------------------------------------

# Saving with htmx: session and user (with their company and whether they are a budget holder);
# the recipient; in a savepoint the line (locked) and its update; then what the answer shows:
# the cart, its lines, their prices and which products can be ordered; and the header's line
# count (the context processor, on every render). The same with 1 and with 20 lines.
LINE_SAVE_HTMX_QUERIES = 12


@pytest.mark.parametrize("lines", [1, 20])
def test_saving_a_line_with_htmx_makes_a_fixed_number_of_queries(
    client: Client,
    buyer: User,
    company: Company,
    lines: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    colleague: Employee = EmployeeFactory(company=company)
    for _ in range(lines):
        cart_add(actor=buyer, variant_id=VariantFactory().pk, quantity=1)
    line = CartLine.objects.filter(cart__user=buyer).last()
    assert line is not None
    with django_assert_num_queries(LINE_SAVE_HTMX_QUERIES):
        response = update(client, line, {"quantity": "3", "recipient": str(colleague.pk)})
    assert response.status_code == 200
    assert stored(line) == (3, colleague.pk)
    assert Cart.objects.count() == 1
