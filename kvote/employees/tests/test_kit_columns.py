"""«Mine ansatte» and the kit: the lists' «Utstyr» column (the kit's name, «5 av 8 brukt», a bar),
the drill-down's kit items, and the kit's columns in the exports; all read by
kvote.kits.selectors.kits_for_employees over the page's employees, in a fixed number of queries."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import Category, Variant
from kvote.checkout.services import order_submit
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import (
    CategoryFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    give_budget,
    give_kit,
)

pytestmark = pytest.mark.django_db

MINE = reverse("employees_mine")
ALL = reverse("employees_all")

# test_employee_pages.LIST_QUERIES / DRILL_QUERIES (one of them asks who has a kit, with its
# items), and what counts against them: one more, whatever the number of employees.
LIST_KIT_QUERIES = 9
DRILL_KIT_QUERIES = 11


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def order_for(actor: User, employee: Employee, variant: Variant, quantity: int, key: str) -> None:
    fill_cart(actor, variant, quantity=quantity, recipient=employee)
    order_submit(actor=actor, idempotency_key=key)


@pytest.fixture
def jackets(db: None) -> Category:
    return CategoryFactory(name="Jakker", name_en="Jackets")


@pytest.fixture
def jacket(jackets: Category) -> Variant:
    return VariantFactory(product__category=jackets, product__list_price=Decimal("10.00"))


@pytest.fixture
def shoe(db: None) -> Variant:
    return VariantFactory(product__name_en="Safety shoe", product__list_price=Decimal("10.00"))


def kit_cells(response: HttpResponse) -> dict[str, str]:
    """Each row's «Equipment» cell as text, by the employee's name."""
    page = response.content.decode()
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], re.S):
        name = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        cell = re.search(r'<td class="kv-emp__kit"[^>]*>(.*?)</td>', row, re.S)
        assert name and cell
        found[name.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())
    return found


def test_the_lists_show_each_employees_kit_and_how_much_is_used(
    leader: User, team: list[Employee], jackets: Category, jacket: Variant, shoe: Variant
) -> None:
    anne, bjorn, cecilie = team
    give_kit(anne, (jackets, 3), (shoe.product, 1), name="Elektriker")
    give_kit(bjorn, (jackets, 3), (shoe.product, 1), name="Elektriker")
    order_for(leader, anne, jacket, 2, "a")
    order_for(leader, bjorn, shoe, 2, "b")  # one beyond the kit: counts as 1 of 1 in the bar
    client = client_of(leader)
    for url in (MINE, ALL):
        cells = kit_cells(client.get(url))
        assert cells[anne.name] == "Elektriker 2 of 4 used"
        assert cells[bjorn.name] == "Elektriker 1 of 4 used Beyond the kit"
        assert cells[cecilie.name] == "No kit"
    page = client.get(MINE).content.decode()
    assert 'data-kit-allowed="4" data-kit-used="2"' in page
    assert 'class="kv-use-bar kv-use-bar--over"' not in page  # the whole kit is not over


def test_the_drill_down_shows_the_kit_item_by_item_above_the_purchases(
    leader: User, team: list[Employee], jackets: Category, jacket: Variant, shoe: Variant
) -> None:
    anne = team[0]
    give_kit(anne, (jackets, 3), (shoe.product, 1))
    order_for(leader, anne, jacket, 2, "a")
    order_for(leader, anne, shoe, 2, "b")
    page = client_of(leader).get(reverse("employee_purchases", args=[anne.pk])).content.decode()
    kit = page.split('id="kit-heading"', 1)[1].split("</section>", 1)[0]
    assert "Kit: Elektriker" in kit and "3 of 4 used" in kit
    rows = [
        dict(re.findall(r'data-figure="(\w+)">(?:<strong>)?(-?\d+)', row))
        for row in re.findall(r"<tr data-kit-item=.*?</tr>", kit, re.S)
    ]
    assert rows == [
        {"allowed": "3", "used": "2", "pending": "0", "remaining": "1"},
        {"allowed": "1", "used": "2", "pending": "2", "remaining": "-1"},  # beyond: approval
    ]
    assert "Beyond the kit" in kit
    assert page.index('id="kit-heading"') < page.index('id="purchases-heading"')
    assert page.index('id="purchases-heading"') < page.index('id="purchases-total"')


def test_without_a_kit_the_drill_down_has_no_kit_section(
    leader: User, team: list[Employee]
) -> None:
    page = client_of(leader).get(reverse("employee_purchases", args=[team[0].pk])).content
    assert b'id="kit-heading"' not in page


def test_the_list_exports_carry_the_kit_columns(
    leader: User, team: list[Employee], jackets: Category, jacket: Variant, shoe: Variant
) -> None:
    anne, bjorn, _ = team
    give_kit(anne, (jackets, 3), (shoe.product, 1), name="Elektriker")
    order_for(leader, anne, jacket, 2, "a")
    client = client_of(leader)
    xlsx = client.get(reverse("employees_export", kwargs={"fmt": "xlsx"}))
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[0][7:9] == ("Kit", rows[0][8]) and rows[0][8].startswith("Kit: allowed (")
    by_name = {row[1]: row[7:] for row in rows[1:]}
    assert by_name[anne.name] == ("Elektriker", 4, 2, 2)
    assert by_name[bjorn.name] == (None, None, None, None)
    with translation.override("nb"):
        csv_answer = client.get(
            reverse("employees_all_export", kwargs={"fmt": "csv"}), HTTP_ACCEPT_LANGUAGE="nb"
        )
    body = csv_answer.content.decode("utf-8")[1:]
    lines = list(csv.reader(io.StringIO(body), delimiter=";" if ";" in body[:200] else ","))
    anne_row = next(line for line in lines if line[1] == anne.name)
    assert anne_row[7:] == ["Elektriker", "4", "2", "2"]


def test_the_drill_down_export_lists_the_kit_item_by_item(
    leader: User, team: list[Employee], jackets: Category, jacket: Variant, shoe: Variant
) -> None:
    anne = team[0]
    give_kit(anne, (jackets, 3), (shoe.product, 1), name="Elektriker")
    order_for(leader, anne, jacket, 2, "a")
    url = reverse("employee_purchases_export", kwargs={"employee_id": anne.pk, "fmt": "xlsx"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(client_of(leader).get(url).content)).active.values
    )
    total = next(i for i, row in enumerate(rows) if row[0] == "Total")
    assert all(value is None for value in rows[total + 1])
    heading = rows[total + 2]
    assert str(heading[0]).startswith("Kit: Elektriker (")
    assert heading[1:5] == ("Allowed", "Used", "Of which awaiting approval", "Remaining")
    assert [row[:5] for row in rows[total + 3 :]] == [
        ("Jackets", 3, 2, 0, 1),
        ("Safety shoe", 1, 0, 0, 1),
    ]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_with_kits_makes_a_fixed_number_of_queries(
    company: Company,
    leader: User,
    jackets: Category,
    jacket: Variant,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
    settings,
) -> None:
    settings.KVOTE_PAGE_SIZE = 50
    for n in range(count):
        employee = EmployeeFactory(company=company, supervisor=leader, name=f"Ansatt {n:02}")
        give_budget(employee, "1000.00")
        give_kit(employee, (jackets, 2), name=f"Pakke {n % 3}")
        order_for(leader, employee, jacket, 1, f"q{n}")
    client = client_of(leader)
    for url in (MINE, ALL):
        with django_assert_num_queries(LIST_KIT_QUERIES):
            response = client.get(url)
        assert response.content.decode().count("1 of 2 used") == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_drill_down_with_a_kit_makes_a_fixed_number_of_queries(
    leader: User,
    team: list[Employee],
    jackets: Category,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    anne = team[0]
    give_kit(anne, (jackets, 99))
    for n in range(count):
        variant = VariantFactory(product__category=jackets, product__list_price=Decimal("10.00"))
        order_for(leader, anne, variant, 1, f"d{n}")
    client = client_of(leader)
    with django_assert_num_queries(DRILL_KIT_QUERIES):
        response = client.get(reverse("employee_purchases", args=[anne.pk]))
    assert f"{count} of 99 used" in response.content.decode()
