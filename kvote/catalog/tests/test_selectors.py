from decimal import Decimal

import pytest

from kvote.catalog import selectors
from kvote.catalog.models import AssortmentItem, Product
from kvote.catalog.prices import Price
from kvote.people.models import User
from tests.asserts import raises_not_found
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


def jacket(**kwargs: object) -> Product:
    """A jacket in black (S, M, L) and navy (M, XL)."""
    product = ProductFactory(**kwargs)
    for colour, colour_en, size, position in [
        ("Sort", "Black", "S", 1),
        ("Sort", "Black", "M", 2),
        ("Sort", "Black", "L", 3),
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


class TestCataloguePage:
    def test_search_by_name_item_number_and_colour(self, buyer: User) -> None:
        wanted = jacket(name="Vinterjakke")
        jacket(name="Regnbukse")
        VariantFactory(product=ProductFactory(name="T-skjorte"), colour="Hvit", colour_en="White")

        def names(query: str) -> list[str]:
            page = selectors.catalogue_page(actor=buyer, query=query).page
            return [p.name for p in page.object_list]

        assert names("vinter") == ["Vinterjakke"]
        assert names(f"{wanted.code}-Ma-XL") == ["Vinterjakke"]
        assert names("hvit") == ["T-skjorte"]
        assert names("white") == ["T-skjorte"]  # English colour names are searched too
        assert names("navy") == ["Regnbukse", "Vinterjakke"]
        assert names("nothing-like-this") == []

    def test_category_filter_and_unknown_category(self, buyer: User) -> None:
        trousers = CategoryFactory(name="Bukser", name_en="Trousers", slug="bukser")
        jacket(name="Jakke")
        jacket(name="Bukse", category=trousers)

        filtered = selectors.catalogue_page(actor=buyer, category_slug="bukser")
        assert [p.name for p in filtered.page.object_list] == ["Bukse"]
        assert filtered.category == trousers

        unknown = selectors.catalogue_page(actor=buyer, category_slug="no-such")
        assert unknown.category is None
        assert unknown.page.paginator.count == 2

    def test_pages_out_of_range_give_the_nearest_page(self, buyer: User) -> None:
        for n in range(5):
            VariantFactory(product=ProductFactory(name=f"Produkt {n}"))

        last = selectors.catalogue_page(actor=buyer, page_number=99, per_page=2).page
        assert last.number == 3
        assert [p.name for p in last.object_list] == ["Produkt 4"]
        assert selectors.catalogue_page(actor=buyer, page_number="x", per_page=2).page.number == 1

    def test_cards_carry_distinct_active_colours(self, buyer: User) -> None:
        product = jacket()
        VariantFactory(product=product, colour="Rød", size="S", is_active=False)

        (card,) = selectors.catalogue_page(actor=buyer).page.object_list
        assert [c.name for c in card.colours] == ["Marine", "Sort"]

    def test_agreed_price_for_its_company_only(self, buyer: User) -> None:
        product = jacket(list_price=Decimal("500.00"))
        AgreedPriceFactory(company=buyer.company, product=product, price=Decimal("425.50"))
        other = member(CompanyFactory())

        (mine,) = selectors.catalogue_page(actor=buyer).page.object_list
        (theirs,) = selectors.catalogue_page(actor=other).page.object_list
        assert mine.price == Decimal("425.50")
        assert theirs.price == Decimal("500.00")

    def test_restricted_assortment_hides_other_products(self) -> None:
        company = CompanyFactory(restrict_assortment=True)
        buyer = member(company)
        chosen = jacket(name="Valgt")
        jacket(name="Ikke valgt")
        AssortmentItem.objects.create(company=company, product=chosen)

        page = selectors.catalogue_page(actor=buyer).page
        assert [p.name for p in page.object_list] == ["Valgt"]

    def test_inactive_products_and_products_without_active_variants_are_hidden(
        self, buyer: User
    ) -> None:
        jacket(name="Aktiv")
        jacket(name="Utgått", is_active=False)
        VariantFactory(product=ProductFactory(name="Uten varianter"), is_active=False)

        page = selectors.catalogue_page(actor=buyer).page
        assert [p.name for p in page.object_list] == ["Aktiv"]

    def test_supplier_staff_has_no_catalogue(self) -> None:
        staff = UserFactory(company=None, is_staff=True)
        with raises_not_found():
            selectors.catalogue_page(actor=staff)


class TestProductPage:
    def test_first_variant_when_nothing_is_chosen(self, buyer: User) -> None:
        product = jacket()
        page = selectors.product_page(actor=buyer, product_id=product.pk)
        assert (page.variant.colour, page.variant.size) == ("Marine", "M")
        assert [c.name for c in page.colours] == ["Marine", "Sort"]
        assert [(s.size, s.available) for s in page.sizes] == [
            ("S", False),
            ("M", True),
            ("L", False),
            ("XL", True),
        ]

    def test_chosen_colour_and_size(self, buyer: User) -> None:
        product = jacket()
        page = selectors.product_page(actor=buyer, product_id=product.pk, colour="Sort", size="L")
        assert page.variant.item_number == f"{product.code}-So-L"
        assert [s.size for s in page.sizes if not s.available] == ["XL"]
        assert page.size_unavailable == ""

    def test_size_missing_in_colour_falls_back_to_first_size_of_that_colour(
        self, buyer: User
    ) -> None:
        product = jacket()
        page = selectors.product_page(actor=buyer, product_id=product.pk, colour="Marine", size="S")
        assert (page.variant.colour, page.variant.size) == ("Marine", "M")
        assert page.size_unavailable == "S"

    def test_unknown_colour_takes_a_colour_that_has_the_size(self, buyer: User) -> None:
        product = jacket()
        page = selectors.product_page(actor=buyer, product_id=product.pk, colour="Lilla", size="L")
        assert (page.variant.colour, page.variant.size) == ("Sort", "L")

    def test_prices_excl_and_incl_vat(self, buyer: User) -> None:
        product = jacket(list_price=Decimal("199.90"))
        page = selectors.product_page(actor=buyer, product_id=product.pk)
        assert page.price == Price(amount=Decimal("199.90"), agreed=False)
        assert page.totals.incl_vat == Decimal("249.88")

    def test_inactive_variant_is_not_offered(self, buyer: User) -> None:
        product = jacket()
        product.variants.filter(colour="Marine").update(is_active=False)
        page = selectors.product_page(actor=buyer, product_id=product.pk, colour="Marine")
        assert [c.name for c in page.colours] == ["Sort"]
        assert page.variant.colour == "Sort"
        assert "XL" not in [s.size for s in page.sizes]

    def test_hidden_product_is_not_found(self, buyer: User) -> None:
        product = jacket(is_active=False)
        with raises_not_found():
            selectors.product_page(actor=buyer, product_id=product.pk)

    def test_colour_code_outside_hex_is_not_used_as_css(self) -> None:
        assert selectors.Colour(name="x", hex="#1a2B3c").css_colour == "#1a2B3c"
        assert selectors.Colour(name="x", hex="red;x").css_colour == ""


class TestFavourites:
    def test_favourite_cards_are_the_actors_visible_favourites(self, buyer: User) -> None:
        from kvote.catalog.services import favourite_add

        kept = jacket(name="Beholdt")
        gone = jacket(name="Utgår")
        jacket(name="Ikke favoritt")
        colleague = member(buyer.company)
        favourite_add(actor=buyer, product_id=kept.pk)
        favourite_add(actor=buyer, product_id=gone.pk)
        favourite_add(actor=colleague, product_id=jacket(name="Kollegas").pk)
        gone.is_active = False
        gone.save()

        cards = selectors.favourite_cards(actor=buyer)
        assert [p.name for p in cards] == ["Beholdt"]
        assert cards[0].is_favourite
        assert [c.name for c in cards[0].colours] == ["Marine", "Sort"]
