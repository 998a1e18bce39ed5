"""The product page picks the size of whom the line is for (kvote.catalog.selectors.product_page,
kvote.catalog.sizes), and says so beside the size picker; an item number without its size
(kvote.catalog.sizes.items_without_size)."""

import html
import json
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import EmployeeSize, Product, SizeGroup
from kvote.catalog.sizes import items_without_size
from kvote.common.text import fold_code
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import EmployeeFactory, ProductFactory, UserFactory, VariantFactory
from tests.world import Fjord

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "variant-panel"}


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def jacket() -> Product:
    """Anthracite (the first colour) in S, M, L; navy in M, XL. Item numbers
    <code>-<An|Ma>-<size>."""
    product: Product = ProductFactory(name_en="Work jacket")
    for colour, colour_en, size, position in [
        ("Antrasitt", "Anthracite", "S", 1),
        ("Antrasitt", "Anthracite", "M", 2),
        ("Antrasitt", "Anthracite", "L", 3),
        ("Marine", "Navy", "M", 2),
        ("Marine", "Navy", "XL", 4),
    ]:
        VariantFactory(
            product=product,
            colour=colour,
            colour_en=colour_en,
            size=size,
            size_position=position,
            item_number=f"{product.code}-{colour[:2]}-{size}",
        )
    return product


def wears(employee: Employee, size: str, group: SizeGroup = SizeGroup.TOPS) -> None:
    EmployeeSize.objects.create(
        company_id=employee.company_id, employee=employee, group=group, size=size
    )


def page(client: Client, product: Product, **query: object) -> str:
    response = client.get(reverse("catalog:product", args=[product.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def checked_size(text: str) -> str:
    found = re.findall(r'<input[^>]*name="size"[^>]*value="([^"]*)"[^>]*checked', text)
    assert len(found) == 1, found
    return html.unescape(found[0])


def note(text: str) -> str:
    found = re.search(r'<p class="ds-paragraph kv-size-note"[^>]*>(.*?)</p>', text, re.S)
    return html.unescape(found.group(1)) if found else ""


def recipient_sizes(text: str) -> dict[str, str]:
    found = re.search(r'data-recipient-sizes="([^"]*)"', text)
    assert found is not None
    sizes: dict[str, str] = json.loads(html.unescape(found.group(1)))
    return sizes


def selected_recipient(text: str) -> str:
    select = re.search(r'<select[^>]*id="recipient".*?</select>', text, re.S)
    assert select is not None
    found = re.findall(r'<option value="([^"]*)" selected>', select.group(0))
    assert len(found) == 1, found
    return found[0]


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestProductPagePicksTheSize:
    def test_ones_own_size_is_picked_and_said(self, holder: User) -> None:
        wears(holder.employee, "L")
        text = page(client_of(holder), jacket())
        assert checked_size(text) == "L"
        assert note(text) == "Size L is picked from your sizes."
        assert 'id="recipient"' not in text  # a budget holder orders for themselves only
        assert "data-recipient-sizes" not in text

    def test_the_chosen_recipients_size_is_picked_and_named(
        self, buyer: User, team: list[Employee]
    ) -> None:
        anne, bjorn, _cecilie = team
        wears(buyer.employee, "S")
        wears(anne, "M")
        product = jacket()
        client = client_of(buyer)

        text = page(client, product)  # for oneself by default
        assert selected_recipient(text) == str(buyer.employee.pk)
        assert checked_size(text) == "S"
        assert note(text) == "Size S is picked from your sizes."

        text = page(client, product, recipient=anne.pk)
        assert selected_recipient(text) == str(anne.pk)
        assert checked_size(text) == "M"
        assert note(text) == "Size M is picked from Anne Berg's sizes."
        assert f"{product.code}-An-M" in text  # the panel is that size's
        # Whom the size follows when the select changes (sizes.js): those with a size.
        assert recipient_sizes(text) == {str(buyer.employee.pk): "S", str(anne.pk): "M"}
        # The add-to-cart form posts whom the select names.
        assert re.search(r'<select[^>]*id="recipient"[^>]*form="cart-add-form"', text)
        assert 'id="cart-add-form"' in text

        text = page(client, product, recipient=bjorn.pk)
        assert selected_recipient(text) == str(bjorn.pk)
        assert checked_size(text) == "S"  # the colour's first size
        assert note(text) == "Bjørn Dahl has no size saved for this product."

    def test_nothing_is_said_without_own_sizes_or_for_a_product_of_no_size_group(
        self, holder: User
    ) -> None:
        product = jacket()
        text = page(client_of(holder), product)
        assert checked_size(text) == "S"
        assert note(text) == ""
        cap: Product = ProductFactory()
        VariantFactory(product=cap, size="Onesize", item_number="CAP-OS")
        wears(holder.employee, "L")
        text = page(client_of(holder), cap)
        assert checked_size(text) == "Onesize"
        assert note(text) == ""

    def test_a_size_not_made_in_the_chosen_colour_is_not_picked_and_said(
        self, buyer: User, team: list[Employee]
    ) -> None:
        anne = team[0]
        wears(anne, "L")
        product = jacket()
        text = page(client_of(buyer), product, recipient=anne.pk, colour="Marine")
        assert checked_size(text) == "M"
        assert note(text) == "Anne Berg's size, L, is not made in Navy."
        assert str(anne.pk) not in recipient_sizes(text)
        text = page(client_of(buyer), product, recipient=anne.pk, colour="Antrasitt")
        assert checked_size(text) == "L"

    def test_a_size_in_the_address_wins_over_the_profile(
        self, buyer: User, team: list[Employee]
    ) -> None:
        anne = team[0]
        wears(anne, "M")
        product = jacket()
        text = page(client_of(buyer), product, recipient=anne.pk, size="L")
        assert checked_size(text) == "L"
        assert note(text) == "Anne Berg's size is M."
        # A size the colour does not come in falls back to theirs.
        text = page(client_of(buyer), product, recipient=anne.pk, colour="Antrasitt", size="XL")
        assert checked_size(text) == "M"
        assert "Size XL is not available in Anthracite, so size M is shown." in text
        assert note(text) == "Size M is picked from Anne Berg's sizes."

    def test_a_recipient_one_may_not_order_for_is_not_taken(
        self, holder: User, buyer: User, team: list[Employee], fjord: Fjord
    ) -> None:
        anne = team[0]
        wears(holder.employee, "L")
        wears(anne, "M")
        product = jacket()
        # A budget holder orders for themselves only: their own size, nobody else's named.
        text = page(client_of(holder), product, recipient=anne.pk)
        assert checked_size(text) == "L"
        assert "Anne Berg" not in text
        # Another company's employee, an inactive one, or no id at all: the buyer's own line.
        stranger = fjord.leader.employee
        wears(stranger, "XL")
        gone = EmployeeFactory(company=buyer.company, name="Gunn Gått", is_active=False)
        wears(gone, "L")
        for recipient in (stranger.pk, gone.pk, "x", ""):
            text = page(client_of(buyer), product, recipient=recipient)
            assert selected_recipient(text) == str(buyer.employee.pk)
            assert stranger.name not in text and "Gunn Gått" not in text

    def test_a_login_without_an_employee_chooses_with_nobody_preselected(
        self, company: Company, team: list[Employee]
    ) -> None:
        login = UserFactory(company=company, language="en")
        wears(team[0], "M")
        text = page(client_of(login), jacket())
        assert '<option value="">Choose who this is for</option>' in text
        assert checked_size(text) == "S"
        assert note(text) == ""
        text = page(client_of(login), jacket(), recipient=team[0].pk)
        assert checked_size(text) == "M"

    def test_the_pickers_answer_draws_the_note_for_the_recipient_sent(
        self, buyer: User, team: list[Employee]
    ) -> None:
        anne = team[0]
        wears(anne, "L")
        product = jacket()
        response = client_of(buyer).get(
            reverse("catalog:product", args=[product.pk]),
            {"colour": "Antrasitt", "size": "L", "recipient": anne.pk},
            **HTMX,
        )
        text = response.content.decode()
        assert '<fieldset class="ds-fieldset" id="size-picker" hx-swap-oob="true"' in text
        assert note(text) == "Size L is picked from Anne Berg's sizes."
        assert f"{product.code}-An-L" in text

    def test_the_note_is_in_norwegian_for_a_norwegian_user(
        self, buyer: User, team: list[Employee]
    ) -> None:
        User.objects.filter(pk=buyer.pk).update(language="nb")
        anne = team[0]
        wears(anne, "M")
        wears(buyer.employee, "XL")
        product = jacket()
        text = page(client_of(buyer), product, recipient=anne.pk)
        assert '<label class="ds-label" for="recipient">Mottaker</label>' in text
        assert note(text) == "Størrelse M er valgt ut fra størrelsene til Anne Berg."
        assert note(page(client_of(buyer), product, recipient=anne.pk, size="L")) == (
            "Størrelsen til Anne Berg er M."
        )
        assert note(page(client_of(buyer), product, colour="Antrasitt")) == (
            "Størrelsen din, XL, finnes ikke i Antrasitt."
        )


class TestQueries:
    @pytest.mark.parametrize("employees", [1, 30])
    def test_the_product_page_asks_the_same_for_any_number_of_recipients(
        self,
        buyer: User,
        leader: User,
        holder: User,
        employees: int,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        product = jacket()
        for _ in range(employees):
            employee = EmployeeFactory(company=buyer.company)
            wears(employee, "M")
            wears(employee, "C52", SizeGroup.TROUSERS_C)
        wears(holder.employee, "L")
        url = reverse("catalog:product", args=[product.pk])
        # session, user (with the company's assortment setting and whether they are a budget
        # holder), cart count, product, variants, the recipients with their sizes in the
        # product's group, price, pictures; whose kit marks it (the own employee, whether
        # they have a kit)
        for user, queries in ((buyer, 10), (leader, 10), (holder, 10)):
            client = client_of(user)
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200
            with django_assert_num_queries(queries):
                assert client.get(url, {"size": "M"}, **HTMX).status_code == 200
        sizes = recipient_sizes(client_of(buyer).get(url).content.decode())
        assert len(sizes) == employees + 1  # and the holder's


class TestItemsWithoutSize:
    def test_an_item_number_without_its_size_names_one_product_in_one_colour(self) -> None:
        product = jacket()
        found = items_without_size(codes={fold_code(f"{product.code}-An"), "nope"})
        assert list(found) == [fold_code(f"{product.code}-An")]
        item = found[fold_code(f"{product.code}-An")]
        assert item.sizes == ["S", "M", "L"]
        assert not item.ambiguous
        assert item.pick({SizeGroup.TOPS: "l"}).item_number == f"{product.code}-An-L"
        assert item.pick({SizeGroup.TOPS: "XL"}) is None
        assert item.pick({SizeGroup.SHOES: "43"}) is None

    def test_a_code_that_is_no_item_number_without_its_size_is_not_one(self) -> None:
        product = jacket()
        # The product code alone leaves out the colour too; a part of an item number is no
        # item number without its size.
        assert items_without_size(codes={fold_code(product.code)}) == {}
        assert items_without_size(codes={fold_code(f"{product.code}-S")}) == {}
        assert items_without_size(codes=set()) == {}

    def test_inactive_variants_are_not_picked_and_two_products_are_ambiguous(self) -> None:
        product = jacket()
        product.variants.filter(size="L").update(is_active=False)
        item = items_without_size(codes={fold_code(f"{product.code}-An")})[
            fold_code(f"{product.code}-An")
        ]
        assert item.sizes == ["S", "M"]
        assert item.pick({SizeGroup.TOPS: "L"}) is None
        other: Product = ProductFactory()
        VariantFactory(product=other, item_number="TWIN-XL", size="XL")
        VariantFactory(product=ProductFactory(), item_number="TWIN-L", size="L")
        twin = items_without_size(codes={"twin"})["twin"]
        assert twin.ambiguous and twin.pick({SizeGroup.TOPS: "L"}) is None

    def test_one_query_for_any_number_of_codes(self) -> None:
        products = [jacket() for _ in range(5)]
        codes = {fold_code(f"{p.code}-{colour}") for p in products for colour in ("An", "Ma")}
        with CaptureQueriesContext(connection) as queries:
            found = items_without_size(codes=codes)
        assert len(queries) == 1
        assert set(found) == codes


@pytest.mark.django_db
def test_the_product_page_lists_at_most_the_first_recipients_and_keeps_the_chosen_one(
    buyer, monkeypatch
):
    monkeypatch.setattr("kvote.catalog.selectors.RECIPIENTS_SHOWN", 3)
    product = jacket()
    made = [EmployeeFactory(company=buyer.company, name=f"Ansatt {n:02d}") for n in range(6)]
    last = made[-1]
    wears(last, "M")
    page = client_of(buyer).get(
        reverse("catalog:product", args=[product.pk]), {"recipient": last.pk}
    )
    names = [r.name for r in page.context["page"].recipients]
    assert names == ["Ansatt 00", "Ansatt 01", "Ansatt 02", "Ansatt 05", buyer.employee.name]
    assert page.context["page"].recipient.pk == last.pk
    assert recipient_sizes(page.content.decode()) == {str(last.pk): "M"}
