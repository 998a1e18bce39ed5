"""«Hurtigbestilling» for others and without sizes: a line may name whom it is for by employee
number (a third column), and an item number may leave out its size, which the recipient's sizes
then give (kvote.checkout.services.cart_quick_order, kvote.catalog.sizes)."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import EmployeeSize, Product, SizeGroup, Variant
from kvote.checkout.bulk import parse_quick_order
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_quick_order
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import EmployeeFactory, ProductFactory, UserFactory, VariantFactory
from tests.world import Fjord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def jacket() -> Product:
    """«Work jacket» JK100: navy in S, M, L (JK100-NAV-<size>), black in XL (JK100-BLK-XL)."""
    product: Product = ProductFactory(code="JK100", name_en="Work jacket")
    for colour, code, size, position in [
        ("Marine", "NAV", "S", 1),
        ("Marine", "NAV", "M", 2),
        ("Marine", "NAV", "L", 3),
        ("Sort", "BLK", "XL", 4),
    ]:
        VariantFactory(
            product=product,
            colour=colour,
            size=size,
            size_position=position,
            item_number=f"JK100-{code}-{size}",
        )
    return product


def wears(employee: Employee, size: str, group: SizeGroup = SizeGroup.TOPS) -> None:
    EmployeeSize.objects.create(
        company_id=employee.company_id, employee=employee, group=group, size=size
    )


def cart(actor: User) -> list[tuple[str, int, str]]:
    return sorted(
        (line.variant.item_number, line.quantity, line.recipient.name if line.recipient else "")
        for line in CartLine.objects.filter(cart__user=actor).select_related("variant", "recipient")
    )


def outcome_of(actor: User, text: str) -> list[tuple[bool, str]]:
    return [(row.added, row.message) for row in cart_quick_order(actor=actor, text=text).rows]


# --- Reading the third column (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    "text, read",
    [
        ("JK100-NAV-L;2;1001", ("JK100-NAV-L", "2", "1001")),
        ("JK100-NAV;2;1001;", ("JK100-NAV", "2", "1001")),
        ("JK100-NAV, 2, 1001", ("JK100-NAV", "2", "1001")),
        ("JK100-NAV\t2\t1001", ("JK100-NAV", "2", "1001")),
        ("\tJK100-NAV\t2\t\t1001\tmore", ("JK100-NAV", "2", "1001")),
        ("JK100-NAV;;1001", ("JK100-NAV", "", "1001")),
        ("JK100-NAV;2", ("JK100-NAV", "2", "")),
        ("JK100-NAV 2", ("JK100-NAV", "2", "")),
    ],
)
def test_the_third_column_is_the_recipients_employee_number(
    text: str, read: tuple[str, str, str]
) -> None:
    [line] = parse_quick_order(text).lines
    assert (line.item, line.quantity, line.recipient) == read


def test_a_header_naming_the_employee_number_is_skipped() -> None:
    [line] = parse_quick_order("Varenummer;Antall;Ansattnummer\nA;1;101").lines
    assert (line.number, line.item, line.recipient) == (2, "A", "101")


# --- Recipients by employee number ------------------------------------------------------------


def test_a_buyer_orders_for_employees_by_their_numbers(
    buyer: User, team: list[Employee], jacket: Product
) -> None:
    rows = outcome_of(buyer, "JK100-NAV-L;2;101\njk100-nav-m;1;102\nJK100-NAV-S;1")
    assert rows == [
        (True, "In the cart: 2 × Work jacket, size L (JK100-NAV-L), for Anne Berg."),
        (True, "In the cart: 1 × Work jacket, size M (JK100-NAV-M), for Bjørn Dahl."),
        (True, "In the cart: 1 × Work jacket, size S (JK100-NAV-S)."),
    ]
    assert cart(buyer) == [
        ("JK100-NAV-L", 2, "Anne Berg"),
        ("JK100-NAV-M", 1, "Bjørn Dahl"),
        ("JK100-NAV-S", 1, "Inga Innkjøp"),
    ]


def test_an_unknown_inactive_or_other_companys_employee_number_is_refused_by_line(
    buyer: User, team: list[Employee], fjord: Fjord, jacket: Product
) -> None:
    EmployeeFactory(company=buyer.company, number="555", is_active=False)
    stranger = fjord.leader.employee.number
    text = f"JK100-NAV-L;1;999\nJK100-NAV-L;1;555\nJK100-NAV-L;1;{stranger}\nJK100-NAV-L;1;203"
    rows = outcome_of(buyer, text)
    assert rows[:3] == [
        (False, "There is no active employee with employee number “999”."),
        (False, "There is no active employee with employee number “555”."),
        (False, f"There is no active employee with employee number “{stranger}”."),
    ]
    assert rows[3][0] is True
    assert cart(buyer) == [("JK100-NAV-L", 1, "Cecilie Eng")]


def test_one_who_orders_for_themselves_only_is_refused_others_but_may_name_themselves(
    holder: User, team: list[Employee], jacket: Product
) -> None:
    rows = outcome_of(holder, "JK100-NAV-L;1;101\nJK100-NAV-M;1;1003")
    assert rows == [
        (False, "You can only order for yourself."),
        (True, "In the cart: 1 × Work jacket, size M (JK100-NAV-M)."),
    ]
    assert cart(holder) == [("JK100-NAV-M", 1, "Mats Berg")]


# --- Item numbers without their size ----------------------------------------------------------


def test_the_size_comes_from_the_recipients_sizes_and_is_said(
    buyer: User, team: list[Employee], jacket: Product
) -> None:
    anne, bjorn, cecilie = team
    wears(anne, "S")
    wears(bjorn, "L")
    wears(cecilie, "M")
    wears(buyer.employee, "m")
    rows = outcome_of(buyer, "JK100-NAV;2;101\njk100 nav;1;102\nJK100NAV\t3\t203\nJK100-NAV")
    assert rows == [
        (True, "In the cart: 2 × Work jacket, size S from Anne Berg's sizes (JK100-NAV-S)."),
        (True, "In the cart: 1 × Work jacket, size L from Bjørn Dahl's sizes (JK100-NAV-L)."),
        (True, "In the cart: 3 × Work jacket, size M from Cecilie Eng's sizes (JK100-NAV-M)."),
        (True, "In the cart: 1 × Work jacket, size M from your sizes (JK100-NAV-M)."),
    ]
    assert cart(buyer) == [
        ("JK100-NAV-L", 1, "Bjørn Dahl"),
        ("JK100-NAV-M", 1, "Inga Innkjøp"),
        ("JK100-NAV-M", 3, "Cecilie Eng"),
        ("JK100-NAV-S", 2, "Anne Berg"),
    ]


def test_without_a_size_to_take_the_line_is_refused_with_what_to_do_and_kept(
    buyer: User, holder: User, team: list[Employee], jacket: Product
) -> None:
    anne, bjorn, _cecilie = team
    wears(anne, "XL")  # made in black only
    wears(bjorn, "43", SizeGroup.SHOES)  # no size for tops
    text = "JK100-NAV;1;101\nJK100-NAV;1;102\nJK100-NAV;1\nJK100-BLK;1;101"
    outcome = cart_quick_order(actor=buyer, text=text)
    assert [(row.added, row.message) for row in outcome.rows] == [
        (
            False,
            "Anne Berg's size, XL, is not made for “JK100-NAV”: write the whole item number, "
            "with another size.",
        ),
        (
            False,
            "Bjørn Dahl has no size saved for “JK100-NAV”: write the whole item number, with "
            "the size, or add Bjørn Dahl's sizes.",
        ),
        (
            False,
            "You have no size saved for “JK100-NAV”: write the whole item number, with the "
            "size, or add your sizes.",
        ),
        (True, "In the cart: 1 × Work jacket, size XL from Anne Berg's sizes (JK100-BLK-XL)."),
    ]
    assert outcome.keep == "\n".join(text.splitlines()[:3])
    assert cart(buyer) == [("JK100-BLK-XL", 1, "Anne Berg")]
    wears(holder.employee, "XL")
    assert outcome_of(holder, "JK100-NAV") == [
        (
            False,
            "Your size, XL, is not made for “JK100-NAV”: write the whole item number, with "
            "another size.",
        )
    ]


def test_a_login_without_an_employee_must_write_the_size_or_name_the_recipient(
    company: Company, team: list[Employee], jacket: Product
) -> None:
    login = UserFactory(company=company, language="en")
    wears(team[0], "M")
    assert outcome_of(login, "JK100-NAV;1\nJK100-NAV;1;101") == [
        (
            False,
            "“JK100-NAV” has no size, and the line is for nobody whose sizes could give it: "
            "write the whole item number, with the size.",
        ),
        (True, "In the cart: 1 × Work jacket, size M from Anne Berg's sizes (JK100-NAV-M)."),
    ]


def test_an_item_number_without_its_size_that_fits_two_products_or_none_orderable(
    buyer: User, jacket: Product
) -> None:
    wears(buyer.employee, "L")
    for product in (ProductFactory(), ProductFactory()):
        VariantFactory(product=product, item_number=f"TWIN-{product.pk}-L", size="L")
    VariantFactory(product=ProductFactory(), item_number="TWIN-M", size="M")
    VariantFactory(product=ProductFactory(), item_number="TWIN-L", size="L")
    gone: Product = ProductFactory(is_active=False)
    VariantFactory(product=gone, item_number="GONE-NAV-L", size="L")
    assert outcome_of(buyer, "TWIN\nGONE-NAV\nJK100\nJK100-NAV-XXL") == [
        (False, "“TWIN” fits more than one product or colour: write the whole item number."),
        (False, "Item number “GONE-NAV” cannot be ordered."),
        (False, "There is no item number “JK100”."),
        (False, "There is no item number “JK100-NAV-XXL”."),
    ]


def test_a_whole_item_number_wins_over_one_without_its_size(buyer: User) -> None:
    """An item number that is also another's without its size («KIT-7» is an item, and «KIT-7»
    + «L» another): the whole one is meant."""
    kit: Variant = VariantFactory(item_number="KIT-7", size="Onesize")
    VariantFactory(item_number="KIT-7L", size="L")
    wears(buyer.employee, "L")
    cart_quick_order(actor=buyer, text="KIT-7;2")
    assert cart(buyer) == [(kit.item_number, 2, "Inga Innkjøp")]


QUERIES_WITH_RECIPIENTS_AND_SIZES = 17


@pytest.mark.parametrize("count", [3, 40])
def test_recipients_and_sizes_take_the_same_queries_for_3_and_40_lines(
    buyer: User, count: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    employees = [EmployeeFactory(company=buyer.company) for _ in range(count)]
    lines = []
    for n, employee in enumerate(employees):
        product: Product = ProductFactory(code=f"P{n}")
        for size in ("S", "M", "L"):
            VariantFactory(product=product, item_number=f"P{n}-NAV-{size}", size=size)
        wears(employee, "M")
        lines.append(f"P{n}-NAV;2;{employee.number}")  # the size from their sizes
        lines.append(f"P{n}-NAV-L;1;{employee.number}")  # a whole item number
    actor = User.objects.get(pk=buyer.pk)
    # the item numbers, those without their size, the assortment setting, what is orderable,
    # the own employee, whether the buyer is a budget holder (may choose recipients), the
    # recipients by number, their sizes; then the cart as every quick order writes it (9, with
    # its savepoints: get or create, lock, its lines, the new lines)
    with django_assert_num_queries(QUERIES_WITH_RECIPIENTS_AND_SIZES):
        outcome = cart_quick_order(actor=actor, text="\n".join(lines))
    assert (len(outcome.added), len(outcome.refused)) == (2 * count, 0)


# --- The page ---------------------------------------------------------------------------------


def test_the_page_says_the_new_columns_and_answers_each_line(
    client: Client, buyer: User, team: list[Employee], jacket: Product
) -> None:
    wears(team[0], "L")
    client.force_login(buyer)
    form = client.get(reverse("checkout:quick_order")).content.decode()
    assert "then the employee number of whom it is for" in form
    assert "NL-1001-NAV;3;1001" in form
    response = client.post(
        reverse("checkout:quick_order"), {"lines": "JK100-NAV;2;101\nJK100-NAV;1;102"}
    )
    assert response["Location"] == reverse("checkout:quick_order")
    answer = client.get(response["Location"]).content.decode()
    assert "size L from Anne Berg&#x27;s sizes (JK100-NAV-L)." in answer
    assert "Bjørn Dahl has no size saved for “JK100-NAV”" in answer
