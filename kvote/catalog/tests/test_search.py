"""Catalogue search that forgives (kvote.catalog.search): item and product numbers with or
without dashes, spaces and dots; colour and size words naming the same variant; å/ø/æ typed as
aa/oe/ae; case and accents; relevance order; the card opening the variant the query named;
bad input; the API; products written by an import found at once. Run on SQLite and PostgreSQL
(DATABASE_URL): the same answers on both."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Value
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kvote.api.tests.core_helpers import Api
from kvote.catalog.models import Category, Product
from kvote.catalog.search import Search
from kvote.catalog.selectors import catalogue_page, product_list
from kvote.catalog.tests.imports_helpers import (  # noqa: F401 (import_files: a fixture)
    csv_bytes,
    import_files,
    row,
    start_and_apply,
    supplier_staff,
)
from kvote.common.text import FoldedText, fold_code, fold_text
from kvote.companies.models import Company
from kvote.people.models import User
from tests.factories import CategoryFactory, ProductFactory, VariantFactory, member

pytestmark = pytest.mark.django_db

URL = reverse("catalog:list")


def product(
    name: str, code: str, variants: list[tuple[str, str, str]], **kwargs: object
) -> Product:
    """A product with active variants (colour, English colour, size); item numbers
    <code>-<first three letters of the English colour>-<size>."""
    made: Product = ProductFactory(
        name=name, code=code, **{"name_en": "", "description": "", **kwargs}
    )
    for position, (colour, colour_en, size) in enumerate(variants, start=1):
        VariantFactory(
            product=made,
            colour=colour,
            colour_en=colour_en,
            size=size,
            size_position=position,
            item_number=f"{code}-{colour_en[:3].upper()}-{size}",
        )
    return made


@pytest.fixture
def wares() -> dict[str, Product]:
    return {
        # Marine in M and XL, black in M and L.
        "jacket": product(
            "Vinterjakke Arktis",
            "NL-1001",
            [
                ("Marine", "Navy", "M"),
                ("Marine", "Navy", "XL"),
                ("Sort", "Black", "M"),
                ("Sort", "Black", "L"),
            ],
        ),
        # Marine only in M, XL only in black: no hit for «marine XL».
        "split": product(
            "Softshelljakke Bris",
            "NL-1002",
            [("Marine", "Navy", "M"), ("Sort", "Black", "XL")],
        ),
        "shirt": product(
            "T-skjorte Basis",
            "NL-2001",
            [("Rød", "Red", "S"), ("Blå", "Blue", "S")],
        ),
        "gloves": product(
            "Arbeidshansker",
            "NL-3001",
            [("Grå", "Grey", "9")],
            description="Slitesterke hansker i lær.",
        ),
        "apron": product("Café-forkle", "NL-4001", [("Hvit", "White", "Onesize")]),
        "trousers": product("Flexlite bukse", "NL-5001", [("Sort", "Black", "C50")]),
    }


def names(query: str, actor: User) -> list[str]:
    return [p.name for p in product_list(actor=actor, query=query)]


def found(query: str, actor: User) -> set[str]:
    return set(names(query, actor))


@pytest.fixture
def client(buyer: User) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


# What is folded, and the same in SQL as in Python


@pytest.mark.parametrize(
    "text",
    [
        "Blå T-skjorte, «kort»  ÄRM",
        "Rød/Grønn\nstriper; 100% bomull",
        "CAFÉ crème — Übergröße…",
        "NL-1001.nav_XL",
        "Ærlig Øl Å",
        "  tabs\tand   many     spaces  ",
        "日本 ω Ω",
        "",
    ],
)
def test_the_database_folds_as_python_does(text: str) -> None:
    category = CategoryFactory()
    row_ = (
        Category.objects.filter(pk=category.pk)
        .annotate(
            folded=FoldedText(Value(text)),
            code=FoldedText(Value(text), code=True),
        )
        .values_list("folded", "code")
        .get()
    )
    assert row_ == (f" {fold_text(text)} ", fold_code(text))


def test_folding_rule() -> None:
    assert fold_text("Blå T-skjorte, «kort»") == "blaa t skjorte kort"
    assert fold_text("RØD  Ærlig") == "roed aerlig"
    assert fold_text("Café") == "cafe"
    assert fold_code("NL-1001 nav.XL") == "nl1001navxl"
    assert Search.parse("  NL-1001-NAV-XL ").words == ("nl", "1001", "nav", "xl")
    assert Search.parse("NL 1001").code == "nl1001"


# Item numbers and product numbers


@pytest.mark.parametrize(
    "query",
    ["NL-1001-NAV-XL", "nl1001navxl", "NL 1001 NAV XL", "nl.1001.nav.xl", " nl-1001-nav-xl "],
)
def test_an_item_number_with_or_without_dashes_spaces_and_dots(
    wares: dict[str, Product], buyer: User, query: str
) -> None:
    assert names(query, buyer) == ["Vinterjakke Arktis"]


@pytest.mark.parametrize("query", ["NL-1001", "nl1001", "NL 1001", "nl.1001"])
def test_a_product_number_with_or_without_dashes_spaces_and_dots(
    wares: dict[str, Product], buyer: User, query: str
) -> None:
    assert names(query, buyer)[0] == "Vinterjakke Arktis"
    assert "Softshelljakke Bris" not in names(query, buyer)


def test_part_of_a_number_finds_every_product_holding_it(
    wares: dict[str, Product], buyer: User
) -> None:
    assert found("NL-100", buyer) == {"Vinterjakke Arktis", "Softshelljakke Bris"}


# Colour and size words, with product words, on the same variant


@pytest.mark.parametrize(
    "query",
    ["marine XL", "jakke marine xl", "navy xl", "MARINE xl", "xl marine", "vinterjakke navy XL"],
)
def test_colour_and_size_words_find_the_product_with_that_variant(
    wares: dict[str, Product], buyer: User, query: str
) -> None:
    assert names(query, buyer) == ["Vinterjakke Arktis"]


def test_colour_and_size_must_be_the_same_variant(wares: dict[str, Product], buyer: User) -> None:
    """The softshell comes in marine (M only) and in XL (black only)."""
    assert "Softshelljakke Bris" not in found("marine xl", buyer)
    assert "Softshelljakke Bris" in found("marine m", buyer)
    assert "Softshelljakke Bris" in found("sort xl", buyer)
    assert "Softshelljakke Bris" in found("black xl", buyer)
    assert found("marine", buyer) == {"Vinterjakke Arktis", "Softshelljakke Bris"}


def test_an_inactive_variant_names_nothing(wares: dict[str, Product], buyer: User) -> None:
    wares["jacket"].variants.filter(size="XL").update(is_active=False)
    assert found("marine xl", buyer) == set()


def test_a_short_word_is_a_whole_word(wares: dict[str, Product], buyer: User) -> None:
    """«xl» is no hit inside «Flexlite», «m» none inside «marine»: sizes stay sizes."""
    assert found("xl", buyer) == {"Vinterjakke Arktis", "Softshelljakke Bris"}
    assert "Flexlite bukse" in found("flex", buyer)
    assert found("sort m", buyer) == {"Vinterjakke Arktis"}


def test_a_word_may_be_part_of_a_word(wares: dict[str, Product], buyer: User) -> None:
    assert found("jak", buyer) == {"Vinterjakke Arktis", "Softshelljakke Bris"}
    assert found("jakke", buyer) == {"Vinterjakke Arktis", "Softshelljakke Bris"}
    assert found("hansker", buyer) == {"Arbeidshansker"}


# Norwegian letters, case and accents


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("roed", "T-skjorte Basis"),
        ("rød", "T-skjorte Basis"),
        ("RØD", "T-skjorte Basis"),
        ("blaa s", "T-skjorte Basis"),
        ("blå", "T-skjorte Basis"),
        ("graa", "Arbeidshansker"),
        ("laer", "Arbeidshansker"),
        ("lær", "Arbeidshansker"),
        ("cafe", "Café-forkle"),
        ("CAFÉ", "Café-forkle"),
        ("t skjorte", "T-skjorte Basis"),
        ("T-SKJORTE", "T-skjorte Basis"),
    ],
)
def test_norwegian_letters_case_and_accents(
    wares: dict[str, Product], buyer: User, query: str, expected: str
) -> None:
    assert names(query, buyer) == [expected]


def test_aa_oe_ae_in_names_are_found_typed_either_way(buyer: User) -> None:
    product("Værnebriller Klar", "NL-6001", [("Klar", "Clear", "Onesize")])
    assert found("vaernebriller", buyer) == {"Værnebriller Klar"}
    assert found("værnebriller", buyer) == {"Værnebriller Klar"}


# Order


def test_without_a_query_the_order_is_category_then_name(buyer: User) -> None:
    second = CategoryFactory(name="Bukser", slug="bukser", position=2)
    first = CategoryFactory(name="Jakker", slug="jakker", position=1)
    product("B bukse", "X-1", [("Sort", "Black", "M")], category=second)
    product("Z jakke", "X-2", [("Sort", "Black", "M")], category=first)
    product("A jakke", "X-3", [("Sort", "Black", "M")], category=first)
    assert names("", buyer) == ["A jakke", "Z jakke", "B bukse"]


def test_an_exact_number_comes_first_then_names_starting_then_names_holding(buyer: User) -> None:
    product("Jakke Basis", "J-2", [("Sort", "Black", "M")])
    product("Vinterjakke", "J-3", [("Sort", "Black", "M")])
    product("Bukse", "J-4", [("Sort", "Black", "M")], description="Passer til jakke J-20.")
    product("Aaa hette", "J-5", [("Sort", "Black", "M")], description="Passer til J-20 og J-2.")
    product("Zzz tilbehør", "J-20", [("Sort", "Black", "M")])
    assert names("jakke", buyer) == ["Jakke Basis", "Vinterjakke", "Bukse"]
    assert names("J-20", buyer)[0] == "Zzz tilbehør"
    assert names("j 20", buyer)[0] == "Zzz tilbehør"
    assert names("J-2", buyer)[0] == "Jakke Basis"
    assert names("J-2-BLA-M", buyer)[0] == "Jakke Basis"


def test_an_exact_item_number_comes_before_products_that_mention_it(buyer: User) -> None:
    product("Zzz jakke", "K-1", [("Sort", "Black", "M")])
    product("Aaa hette", "K-2", [("Sort", "Black", "M")], description="Passer til K-1-BLA-M.")
    assert names("K-1-BLA-M", buyer) == ["Zzz jakke", "Aaa hette"]


# The card opens the variant the query named


def card_link(client: Client, query: str, name: str) -> str:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    card = next(p for p in response.context["products"] if p.name == name)
    href = reverse("catalog:product", args=[card.pk]) + card.link_query
    assert f'href="{href.replace("&", "&amp;")}"' in response.content.decode()
    return href


def link_params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("marine xl", {"colour": ["Marine"], "size": ["XL"]}),
        ("jakke navy XL", {"colour": ["Marine"], "size": ["XL"]}),
        ("marine", {"colour": ["Marine"]}),
        ("sort l", {"colour": ["Sort"], "size": ["L"]}),
        ("jakke l", {"size": ["L"]}),  # the product page picks a colour in L
        ("NL-1001-BLA-M", {"colour": ["Sort"], "size": ["M"]}),
        ("jakke", {}),
        ("NL 1001", {}),
    ],
)
def test_the_card_opens_the_colour_and_size_the_query_named(
    wares: dict[str, Product], client: Client, query: str, expected: dict[str, list[str]]
) -> None:
    assert link_params(card_link(client, query, "Vinterjakke Arktis")) == expected


def test_the_product_page_opens_with_that_variant(
    wares: dict[str, Product], client: Client
) -> None:
    response = client.get(card_link(client, "navy xl", "Vinterjakke Arktis"))
    page = response.context["page"]
    assert (page.colour.name, page.variant.size) == ("Marine", "XL")


def test_without_a_query_cards_open_the_product_page_plainly(
    wares: dict[str, Product], client: Client
) -> None:
    response = client.get(URL)
    assert all(p.link_query == "" for p in response.context["products"])


# Bad input


@pytest.mark.parametrize(
    "query",
    [
        "jak\x00ke",
        "x" * 10_000,
        "marine " * 2_000,
        "!!!",
        "& | ! : * ( ) '",
        "marine & xl",
        "marine | !xl",
        "jakke:*",
        "'jakke'",
        "(marine",
        "a'b\\c",
        "<->",
        "%_",
        "'; DROP TABLE catalog_product; --",
        "\u202ejakke",
        "日本",
    ],
)
def test_bad_input_is_no_error(
    wares: dict[str, Product], client: Client, buyer: User, query: str
) -> None:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    api = Api(buyer).get("/products", {"q": query[:200]})
    assert api.status_code == (400 if "\x00" in query else 200)  # the API refuses NUL


def test_nul_is_dropped_and_only_punctuation_finds_nothing(
    wares: dict[str, Product], client: Client, buyer: User
) -> None:
    assert found("jak\x00ke", buyer) == {"Vinterjakke Arktis", "Softshelljakke Bris"}
    assert found("jakke " + "x" * 10_000, buyer) == set()  # the first 100 characters count
    response = client.get(URL, {"q": "& | !"})
    html = response.content.decode()
    assert response.context["products"] == []
    assert 'value="&amp; | !"' in html  # what was typed stays in the box
    assert "No products match «&amp; | !»." in html


def test_metacharacters_around_words_still_find(wares: dict[str, Product], buyer: User) -> None:
    assert names("marine & xl", buyer) == ["Vinterjakke Arktis"]
    assert names("(marine) | xl:*", buyer) == ["Vinterjakke Arktis"]


# The API


def test_the_api_searches_the_same(wares: dict[str, Product], company: Company) -> None:
    api = Api(member(company, language="nb"))
    body = api.get("/products", {"q": "marine xl"}).json()
    assert [p["name"] for p in body["items"]] == ["Vinterjakke Arktis"]
    assert [p["name"] for p in api.get("/products", {"q": "nl1001navxl"}).json()["items"]] == [
        "Vinterjakke Arktis"
    ]
    assert api.get("/products", {"q": "roed"}).json()["count"] == 1


# Never stale: what an import writes (bulk writes) is found at once


@pytest.mark.usefixtures("import_files")
def test_a_product_imported_is_found_and_a_renamed_one_under_its_new_name(buyer: User) -> None:
    staff = supplier_staff()
    CategoryFactory()
    start_and_apply(
        staff,
        csv_bytes(
            [
                row(
                    "RJ-100-GRN-XL",
                    product_number="RJ-100",
                    product_name="Regnjakke Vestland",
                    colour="Grønn",
                    size="XL",
                ),
                row(
                    "RJ-100-GRN-M",
                    product_number="RJ-100",
                    product_name="Regnjakke Vestland",
                    colour="Grønn",
                    size="M",
                ),
            ]
        ),
    )
    assert names("groenn xl", buyer) == ["Regnjakke Vestland"]
    assert names("rj100grnxl", buyer) == ["Regnjakke Vestland"]
    start_and_apply(
        staff,
        csv_bytes(
            [
                row(
                    "RJ-100-GRN-XL",
                    product_number="RJ-100",
                    product_name="Skalljakke Bergen",
                    colour="Grønn",
                    size="XL",
                ),
                row(
                    "RJ-100-GRN-M",
                    product_number="RJ-100",
                    product_name="Skalljakke Bergen",
                    colour="Grønn",
                    size="M",
                ),
            ]
        ),
    )
    assert names("skalljakke grønn", buyer) == ["Skalljakke Bergen"]
    assert names("regnjakke", buyer) == []


def test_a_raw_update_is_found_at_once(wares: dict[str, Product], buyer: User) -> None:
    Product.objects.filter(pk=wares["apron"].pk).update(name="Kokkeforkle Ærlig")
    assert names("aerlig", buyer) == ["Kokkeforkle Ærlig"]


# Queries


@pytest.mark.parametrize("count", [3, 40])
def test_a_colour_and_size_search_is_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    for n in range(count):
        product(f"Jakke {n}", f"Q-{n}", [("Marine", "Navy", "XL"), ("Sort", "Black", "M")])
    # session, user (with the company's assortment setting), cart count, categories, count,
    # products, variants (colours and the chosen variant), pictures: as without a query; the
    # own employee and whether they have a kit (kvote.catalog.entitlements)
    with django_assert_num_queries(10):
        response = client.get(URL, {"q": "jakke marine xl"})
    assert response.context["page_obj"].paginator.count == count
    assert all("size=XL" in p.link_query for p in response.context["products"])


def test_catalogue_page_finds_and_chooses(wares: dict[str, Product], buyer: User) -> None:
    page = catalogue_page(actor=buyer, query="marine xl").page
    assert [(p.name, p.link_query) for p in page.object_list] == [
        ("Vinterjakke Arktis", "?colour=Marine&size=XL")
    ]
