import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from kvote.catalog.models import AssortmentItem, Favourite, Product
from kvote.companies.models import Company
from kvote.people.models import User
from tests.factories import (
    AgreedPriceFactory,
    CategoryFactory,
    CompanyFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
    member,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client(buyer: User) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


def jacket(**kwargs: object) -> Product:
    """A jacket in black (S, M, L) and navy (M, XL); item numbers <code>-<So|Ma>-<size>."""
    product: Product = ProductFactory(**kwargs)
    for colour, colour_en, hex_code, size, position in [
        ("Sort", "Black", "#000000", "S", 1),
        ("Sort", "Black", "#000000", "M", 2),
        ("Sort", "Black", "#000000", "L", 3),
        ("Marine", "Navy", "#1b2a4a", "M", 2),
        ("Marine", "Navy", "#1b2a4a", "XL", 4),
    ]:
        VariantFactory(
            product=product,
            colour=colour,
            colour_en=colour_en,
            colour_hex=hex_code,
            size=size,
            size_position=position,
            item_number=f"{product.code}-{colour[:2]}-{size}",
        )
    return product


def product_names(response: HttpResponse) -> list[str]:
    return [p.name for p in response.context["products"]]


def radio(html: str, name: str, value: str) -> str:
    """The <input type="radio"> tag for name=value."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="{re.escape(value)}"[^>]*>', html)
    assert match, f"no radio {name}={value}"
    return match.group(0)


class TestCatalogueList:
    url = reverse("catalog:list")

    def test_cards_show_name_number_category_price_colours_and_toggle(self, client: Client) -> None:
        product = jacket(name="Vinterjakke", name_en="Winter jacket", list_price=Decimal("1234.5"))
        response = client.get(self.url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Winter jacket" in html
        assert reverse("catalog:product", args=[product.pk]) in html
        assert product.code in html
        assert "Jackets" in html
        assert "NOK\xa01,234.50 excl. VAT" in html
        assert "Black" in html and "Navy" in html
        assert 'fill="#1b2a4a"' in html
        assert reverse("catalog:favourite_add", args=[product.pk]) in html
        assert "1 product" in html

    def test_a_card_has_one_link_and_a_heart_that_names_what_it_does(self, client: Client) -> None:
        """The product's name is the card's one link (the whole card answers to it, kvote.css);
        the heart's words are there for a screen reader, with the product's name."""
        product = jacket(name_en="Winter jacket")
        html = client.get(self.url).content.decode()
        card = re.search(r'<li class="ds-card kv-card">.*?</li>\s*</ul>', html, re.S)
        assert card, html
        links = re.findall(r"<a [^>]*href=\"([^\"]+)\"", card.group(0))
        assert links == [reverse("catalog:product", args=[product.pk])]
        assert 'class="ds-link kv-card__link"' in card.group(0)
        label = re.search(
            r'<span class="kv-fav__label">(.*?)</span>\s*</button>', card.group(0), re.S
        )
        assert label, card.group(0)
        assert label.group(1) == 'Add to favourites<span class="ds-sr-only">: Winter jacket</span>'

    def test_search_by_name(self, client: Client) -> None:
        jacket(name="Vinterjakke")
        jacket(name="Regnbukse")
        response = client.get(self.url, {"q": "vinter"})
        assert product_names(response) == ["Vinterjakke"]
        assert 'value="vinter"' in response.content.decode()

    def test_search_by_item_number(self, client: Client) -> None:
        wanted = jacket(name="Vinterjakke")
        jacket(name="Regnbukse")
        response = client.get(self.url, {"q": f"{wanted.code}-Ma-XL"})
        assert product_names(response) == ["Vinterjakke"]

    def test_category_filter(self, client: Client) -> None:
        trousers = CategoryFactory(name="Bukser", name_en="Trousers", slug="bukser")
        jacket(name="Jakke")
        jacket(name="Bukse", category=trousers)
        response = client.get(self.url, {"category": "bukser"})
        assert product_names(response) == ["Bukse"]
        assert '<option value="bukser" selected>' in response.content.decode()

    def test_unknown_category_or_overlong_query_is_no_error(self, client: Client) -> None:
        jacket()
        assert len(product_names(client.get(self.url, {"category": "x" * 80}))) == 1
        response = client.get(self.url, {"q": "x" * 500})
        assert response.status_code == 200
        assert len(product_names(response)) == 1

    def test_empty_result_says_so_and_links_to_clear(self, client: Client) -> None:
        jacket()
        html = client.get(self.url, {"q": "zebra"}).content.decode()
        assert "0 products" in html
        assert "No products match «zebra»." in html
        assert f'href="{self.url}"' in html
        assert "Clear the search" in html

    @pytest.mark.parametrize(("page", "expected"), [("2", 2), ("99", 3), ("abc", 1), ("-1", 3)])
    def test_pagination_never_fails(
        self, client: Client, settings: Settings, page: str, expected: int
    ) -> None:
        settings.KVOTE_PAGE_SIZE = 2
        for n in range(5):
            VariantFactory(product=ProductFactory(name=f"Produkt {n}"))
        response = client.get(self.url, {"q": "produkt", "page": page})
        assert response.status_code == 200
        assert response.context["page_obj"].number == expected
        html = response.content.decode()
        assert "5 products" in html
        if expected < 3:
            assert f"?q=produkt&amp;page={expected + 1}" in html  # next keeps the search

    def test_agreed_price_for_its_company_and_list_price_for_another(
        self, client: Client, company: Company
    ) -> None:
        product = jacket(list_price=Decimal("500.00"))
        AgreedPriceFactory(company=company, product=product, price=Decimal("425.50"))
        other = Client()
        other.force_login(member(CompanyFactory(), language="en"))

        mine = client.get(self.url).content.decode()
        theirs = other.get(self.url).content.decode()
        assert "NOK\xa0425.50 excl. VAT" in mine and "500.00" not in mine
        assert "NOK\xa0500.00 excl. VAT" in theirs and "425.50" not in theirs

    def test_restricted_assortment_hides_products(self) -> None:
        company = CompanyFactory(restrict_assortment=True)
        chosen = jacket(name="Valgt")
        jacket(name="Ikke valgt")
        AssortmentItem.objects.create(company=company, product=chosen)
        client = Client()
        client.force_login(member(company, language="en"))
        assert product_names(client.get(self.url)) == ["Valgt"]

    def test_inactive_product_and_inactive_variants_are_hidden(self, client: Client) -> None:
        jacket(name="Aktiv")
        jacket(name="Utgått", is_active=False)
        VariantFactory(product=ProductFactory(name="Uten varianter"), is_active=False)
        assert product_names(client.get(self.url)) == ["Aktiv"]

    def test_query_count_does_not_grow_with_products(
        self, client: Client, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        for _ in range(12):
            jacket()
        # session, user (with the company's assortment setting), cart count, categories,
        # count, products, colours, pictures, and whose kit the cards mark: the own employee,
        # whether they have a kit (kvote.catalog.entitlements;
        # kvote/checkout/tests/test_catalogue_kit.py with one)
        with django_assert_num_queries(10):
            response = client.get(self.url)
        assert len(response.context["products"]) == 12


class TestProductPage:
    def url(self, product: Product) -> str:
        return reverse("catalog:product", args=[product.pk])

    def test_shows_product_pickers_and_first_variant(self, client: Client) -> None:
        product = jacket(name_en="Winter jacket", list_price=Decimal("199.90"))
        product.description_en = "Warm and tough."
        product.save()
        response = client.get(self.url(product))
        html = response.content.decode()
        assert "<h1" in html and "Winter jacket" in html
        assert "Warm and tough." in html
        assert product.code in html
        assert "<legend" in html and "Colour" in html and "Size" in html
        assert "checked" in radio(html, "colour", "Marine")
        assert "checked" in radio(html, "size", "M")
        assert f"{product.code}-Ma-M" in html
        assert "NOK\xa0199.90" in html  # excl. VAT
        assert "NOK\xa0249.88" in html  # incl. VAT
        assert 'aria-live="polite"' in html
        assert 'hx-trigger="change"' in html

    def test_price_under_the_name_and_the_show_button_only_without_javascript(
        self, client: Client
    ) -> None:
        """A phone shows the price before the pickers; the pickers show a choice as it is made
        (htmx), so their button is for a browser without JavaScript only."""
        product = jacket(name_en="Winter jacket", list_price=Decimal("199.90"))
        html = client.get(self.url(product)).content.decode()
        price = html.index("NOK\xa0199.90 excl. VAT")
        assert html.index("<h1") < price < html.index("<legend")
        # (with the line's recipient kept, for one who chooses recipients)
        assert re.search(
            r'<noscript>(<input type="hidden" name="recipient" [^>]*>)?'
            r"<button [^>]*>Show</button></noscript>",
            html,
        )

    def test_sizes_in_size_order_and_missing_sizes_disabled(self, client: Client) -> None:
        product = jacket()
        html = client.get(self.url(product), {"colour": "Sort", "size": "L"}).content.decode()
        sizes = re.findall(r'name="size"[^>]*value="([^"]+)"', html)
        assert sizes == ["S", "M", "L", "XL"]
        assert "disabled" in radio(html, "size", "XL")
        assert "disabled" not in radio(html, "size", "S")
        assert "checked" in radio(html, "size", "L")
        assert "checked" in radio(html, "colour", "Sort")
        assert f"{product.code}-So-L" in html

    def test_impossible_combination_preselects_an_available_variant(self, client: Client) -> None:
        product = jacket()
        response = client.get(self.url(product), {"colour": "Marine", "size": "S"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "checked" in radio(html, "size", "M")
        assert "Size S is not available in Navy" in html
        response = client.get(self.url(product), {"colour": "x" * 300, "size": "?"})
        assert response.status_code == 200
        assert f"{product.code}-Ma-M" in response.content.decode()

    def test_add_to_cart_form_posts_variant_quantity_and_way_back(self, client: Client) -> None:
        product = jacket()
        html = client.get(self.url(product), {"colour": "Sort", "size": "S"}).content.decode()
        variant = product.variants.get(colour="Sort", size="S")
        assert f'action="{reverse("checkout:cart_add")}"' in html
        assert f'name="variant_id" value="{variant.pk}"' in html
        assert re.search(
            r'<input[^>]*type="number"[^>]*name="quantity"[^>]*min="1"[^>]*max="999"', html
        )
        assert 'inputmode="numeric"' in html
        assert f'name="next" value="{self.url(product)}?colour=Sort&amp;size=S"' in html

    def test_htmx_change_gets_the_panel_and_the_size_picker_out_of_band(
        self, client: Client
    ) -> None:
        product = jacket()
        response = client.get(
            self.url(product),
            {"colour": "Sort", "size": "L"},
            HTTP_HX_TARGET="variant-panel",
            **HTMX,
        )
        html = response.content.decode()
        assert "<html" not in html
        assert f"{product.code}-So-L" in html
        assert 'id="size-picker" hx-swap-oob="true"' in html
        assert "disabled" in radio(html, "size", "XL")
        assert "HX-Request" in response["Vary"]

    def test_htmx_history_restore_gets_the_whole_page(self, client: Client) -> None:
        product = jacket()
        response = client.get(
            self.url(product),
            HTTP_HX_TARGET="variant-panel",
            HTTP_HX_HISTORY_RESTORE_REQUEST="true",
            **HTMX,
        )
        assert "<html" in response.content.decode()

    def test_inactive_other_and_unknown_products_are_not_found(self, client: Client) -> None:
        inactive = jacket(is_active=False)
        only_inactive_variants = jacket()
        only_inactive_variants.variants.update(is_active=False)
        restricted = CompanyFactory(restrict_assortment=True)
        outsider = Client()
        outsider.force_login(member(restricted))
        visible_to_others = jacket()

        assert client.get(self.url(inactive)).status_code == 404
        assert client.get(self.url(only_inactive_variants)).status_code == 404
        assert client.get(reverse("catalog:product", args=[999999])).status_code == 404
        assert outsider.get(self.url(visible_to_others)).status_code == 404

    def test_inactive_variant_is_not_offered(self, client: Client) -> None:
        product = jacket()
        product.variants.filter(colour="Marine").update(is_active=False)
        html = client.get(self.url(product), {"colour": "Marine"}).content.decode()
        assert 'value="Marine"' not in html
        assert f"{product.code}-So-S" in html

    def test_query_count(
        self, client: Client, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        product = jacket()
        # session, user (with the company's assortment setting and whether the buyer is a
        # budget holder, who may choose recipients), cart count, product, variants, the
        # recipients with their sizes (the size picked for the line's recipient), the
        # variant's price, pictures, and whose kit marks it: the own employee, whether they
        # have a kit
        with django_assert_num_queries(10):
            assert client.get(self.url(product)).status_code == 200

    @pytest.mark.parametrize(
        "stock, restock, lead_time, state, nb, en",
        [
            (40, None, None, "in_stock", "På lager", "In stock"),
            (3, None, None, "few_left", "Få igjen (3)", "Few left (3)"),
            (
                0,
                date(2099, 12, 14),
                None,
                "out_of_stock",
                "Ikke på lager – ventes uke 51 i 2099",
                "Out of stock – expected week 51 of 2099",
            ),
            (0, None, None, "out_of_stock", "Ikke på lager", "Out of stock"),
            (
                0,
                None,
                10,
                "made_to_order",
                "Bestillingsvare – leveres om ca. 10 dager (uke {week})",
                "Made to order – delivered in about 10 days (week {week})",
            ),
        ],
    )
    def test_the_variant_panel_says_how_its_stock_stands(
        self,
        company: Company,
        stock: int,
        restock: date | None,
        lead_time: int | None,
        state: str,
        nb: str,
        en: str,
    ) -> None:
        product = jacket()
        product.variants.filter(item_number=f"{product.code}-So-M").update(
            stock=stock, restock_date=restock, lead_time_days=lead_time
        )
        week = (timezone.localdate() + timedelta(days=10)).isocalendar()
        if week[0] != timezone.localdate().isocalendar()[0]:  # the lead time crosses the year
            nb = nb.replace("{week}", f"{week[1]} i {week[0]}")
            en = en.replace("{week}", f"{week[1]} of {week[0]}")
        for language, words in (
            ("nb", nb.replace("{week}", str(week[1]))),
            ("en", en.replace("{week}", str(week[1]))),
        ):
            client = Client()
            client.force_login(member(company, language=language))
            for response in (
                client.get(self.url(product), {"colour": "Sort", "size": "M"}),
                client.get(self.url(product), {"colour": "Sort", "size": "M"}, **HTMX),
            ):
                html = response.content.decode()
                match = re.search(r'<dd data-stock="([a-z_]+)">\s*<span[^>]*>([^<]*)</span>', html)
                assert match, html
                assert (match.group(1), match.group(2)) == (state, words)

    def test_each_size_chip_says_how_the_chosen_colour_stands_in_stock(
        self, client: Client, settings
    ) -> None:
        settings.KVOTE_FEW_LEFT = 5
        product = jacket()
        restock = timezone.localdate() + timedelta(days=7)
        week = restock.isocalendar()
        words = f"week {week[1]}" + (
            f" of {week[0]}" if week[0] != timezone.localdate().isocalendar()[0] else ""
        )
        for size, stock, restock_date in (("S", 40, None), ("M", 2, None), ("L", 0, restock)):
            product.variants.filter(item_number=f"{product.code}-So-{size}").update(
                stock=stock, restock_date=restock_date
            )
        html = client.get(self.url(product), {"colour": "Sort"}).content.decode()
        chips = re.findall(
            r'data-size-stock="([a-z_]+)">.*?kv-size-chip__size">([^<]+)</span>'
            r'<span class="kv-size-chip__stock" aria-hidden="true">([^<]+)</span>'
            r'<span hidden id="size-\d-stock">([^<]+)</span>',
            html,
            re.S,
        )
        assert chips == [
            ("in_stock", "S", "In stock", "In stock"),
            ("few_left", "M", "Few left", "Few left (2)"),
            ("out_of_stock", "L", words[0].upper() + words[1:], f"Out of stock – expected {words}"),
        ]
        # XL is not made in black: no stock words, and it says so.
        assert re.search(
            r"XL</span><span class=\"ds-sr-only\"> \(not available in this colour", html
        )

    def test_a_restock_date_gone_by_promises_nothing_and_ordering_stays_open(
        self, client: Client
    ) -> None:
        product = jacket()
        yesterday = timezone.localdate() - timedelta(days=1)
        product.variants.update(stock=0, restock_date=yesterday)
        html = client.get(self.url(product)).content.decode()
        assert re.search(r'<dd data-stock="out_of_stock">\s*<span[^>]*>Out of stock</span>', html)
        assert "Add to cart" in html  # a back order is allowed


class TestFavourites:
    list_url = reverse("catalog:favourites")

    def test_plain_post_adds_and_redirects_back_with_a_message(
        self, client: Client, buyer: User
    ) -> None:
        product = jacket(name_en="Winter jacket")
        back = reverse("catalog:list") + "?q=winter"
        response = client.post(
            reverse("catalog:favourite_add", args=[product.pk]), {"next": back}, follow=True
        )
        assert response.redirect_chain == [(back, 302)]
        assert Favourite.objects.filter(user=buyer, product=product).exists()
        assert "Winter jacket is saved in your favourites." in response.content.decode()

    def test_unsafe_next_goes_to_the_product_page(self, client: Client) -> None:
        product = jacket()
        response = client.post(
            reverse("catalog:favourite_add", args=[product.pk]),
            {"next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("catalog:product", args=[product.pk])

    def test_htmx_toggle_returns_the_button(self, client: Client, buyer: User) -> None:
        product = jacket(name_en="Winter jacket")
        add = reverse("catalog:favourite_add", args=[product.pk])
        response = client.post(add, {"next": "/catalog/"}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert 'aria-pressed="true"' in html
        assert "Remove from favourites" in html
        assert reverse("catalog:favourite_remove", args=[product.pk]) in html
        assert 'name="next" value="/catalog/"' in html
        assert Favourite.objects.filter(user=buyer, product=product).exists()

        response = client.post(reverse("catalog:favourite_remove", args=[product.pk]), **HTMX)
        html = response.content.decode()
        assert 'aria-pressed="false"' in html
        assert "Add to favourites" in html
        assert not Favourite.objects.filter(user=buyer).exists()

    def test_list_shows_favourites_with_remove_buttons(self, client: Client) -> None:
        kept = jacket(name_en="Winter jacket")
        jacket(name_en="Not a favourite")
        client.post(reverse("catalog:favourite_add", args=[kept.pk]))
        html = client.get(self.list_url).content.decode()
        assert "Winter jacket" in html
        assert "Not a favourite" not in html
        assert reverse("catalog:favourite_remove", args=[kept.pk]) in html
        assert 'aria-pressed="true"' in html

        response = client.post(
            reverse("catalog:favourite_remove", args=[kept.pk]),
            {"next": self.list_url},
            follow=True,
        )
        html = response.content.decode()
        assert "Winter jacket is removed from your favourites." in html
        assert "You have no favourites yet." in html
        assert f'href="{reverse("catalog:list")}"' in html

    def test_favourite_toggle_on_list_and_product_page_reflects_state(self, client: Client) -> None:
        product = jacket()
        client.post(reverse("catalog:favourite_add", args=[product.pk]))
        for url in [reverse("catalog:list"), reverse("catalog:product", args=[product.pk])]:
            html = client.get(url).content.decode()
            assert 'aria-pressed="true"' in html, url

    def test_another_companys_user_cannot_favourite_a_hidden_product(self) -> None:
        hidden = jacket()
        restricted = CompanyFactory(restrict_assortment=True)
        user = member(restricted)
        client = Client()
        client.force_login(user)
        for name in ("catalog:favourite_add", "catalog:favourite_remove"):
            response = client.post(reverse(name, args=[hidden.pk]), **HTMX)
            assert response.status_code == 404
        assert not Favourite.objects.filter(user=user).exists()

    def test_query_count(
        self, client: Client, buyer: User, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        for _ in range(8):
            Favourite.objects.create(company=buyer.company, user=buyer, product=jacket())
        # session, user (with the company's assortment setting), cart count, favourites,
        # colours, pictures
        with django_assert_num_queries(6):
            response = client.get(self.list_url)
        assert len(response.context["products"]) == 8


class TestAccess:
    def urls(self, product: Product) -> list[tuple[str, str]]:
        return [
            ("get", reverse("catalog:list")),
            ("get", reverse("catalog:favourites")),
            ("get", reverse("catalog:product", args=[product.pk])),
            ("post", reverse("catalog:favourite_add", args=[product.pk])),
            ("post", reverse("catalog:favourite_remove", args=[product.pk])),
        ]

    def test_anonymous_users_are_sent_to_log_in(self) -> None:
        product = jacket()
        for method, url in self.urls(product):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url

    def test_supplier_staff_get_not_found(self) -> None:
        product = jacket()
        client = Client()
        client.force_login(UserFactory(company=None, is_staff=True))
        for method, url in self.urls(product):
            assert getattr(client, method)(url).status_code == 404, url

    def test_get_on_post_only_urls_goes_to_the_product(self, client: Client) -> None:
        product = jacket()
        for name in ("catalog:favourite_add", "catalog:favourite_remove"):
            response = client.get(reverse(name, args=[product.pk]))
            assert response.status_code == 302
            assert response["Location"] == reverse("catalog:product", args=[product.pk])

    def test_htmx_request_after_the_session_ended_sends_the_whole_page_to_log_in(self) -> None:
        product = jacket()
        response = Client().post(
            reverse("catalog:favourite_add", args=[product.pk]),
            HTTP_HX_CURRENT_URL="http://testserver/catalog/?q=jakke",
            **HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == reverse("login") + "?next=/catalog/%3Fq%3Djakke"
        assert not Favourite.objects.exists()
