"""«Mine ansatte» through the Django client: both lists with what each employee bought, the
period filter and the drill-down that adds up to the same figure, search and sort, adding,
editing and deactivating employees, tenancy, and a fixed number of queries."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kvote.budgets.services import budget_set
from kvote.checkout.selectors import recipient_choices
from kvote.companies.models import Company
from kvote.ordering.models import Order, OrderLine
from kvote.people.models import Employee, User
from tests.clock import local_noon
from tests.factories import EmployeeFactory, place_order
from tests.world import Fjord

pytestmark = pytest.mark.django_db

MINE = reverse("employees_mine")
ALL = reverse("employees_all")


def drill_url(employee: Employee) -> str:
    return reverse("employee_purchases", args=[employee.pk])


def update_url(employee: Employee) -> str:
    return reverse("employee_update", args=[employee.pk])


def deactivate_url(employee: Employee) -> str:
    return reverse("employee_deactivate", args=[employee.pk])


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u00a0", " "))


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def total_of(response, employee: Employee) -> str:
    """The figure in the employee's row's last cell (the total bought, a drill-down link)."""
    content = response.content.decode()
    match = re.search(
        rf'href="{re.escape(drill_url(employee))}\?[^"]*">([^<]+)<', content.replace("&amp;", "&")
    )
    assert match, f"no total link for {employee.name}"
    return html.unescape(match.group(1)).replace("\u00a0", " ")


def drill_total(response) -> str:
    match = re.search(r'id="purchases-total">([^<]+)<', response.content.decode())
    assert match
    return html.unescape(match.group(1)).replace("\u00a0", " ")


def order_for(buyer: User, employee: Employee, price: str, key: str, **fields) -> Order:
    order = place_order(buyer, price, key=key, recipient=employee)
    if fields:
        Order.objects.filter(pk=order.pk).update(**fields)
        order.refresh_from_db()
    return order


@pytest.fixture
def history(leader: User, team: list[Employee]) -> dict[str, Order]:
    """Anne: 100 released and 200 awaiting approval now, 300 rejected, 400 cancelled, and 50
    two years ago. Bjørn: 70 now."""
    anne, bjorn, _ = team
    long_ago = local_noon(days_ago=800)
    return {
        "released": order_for(leader, anne, "100.00", "a1"),
        "awaiting": order_for(leader, anne, "200.00", "a2", state="awaiting_approval"),
        "rejected": order_for(leader, anne, "300.00", "a3", state="rejected"),
        "cancelled": order_for(leader, anne, "400.00", "a4", state="cancelled"),
        "old": order_for(leader, anne, "50.00", "a5", placed_at=long_ago),
        "bjorn": order_for(leader, bjorn, "70.00", "b1"),
    }


def test_both_lists_show_totals_that_match_the_drill_down(
    leader: User, admin: User, team: list[Employee], outsider: Employee, history
) -> None:
    anne, bjorn, cecilie = team
    client = client_of(leader)
    mine = client.get(MINE)
    assert mine.status_code == 200
    text = page_text(mine)
    assert all(e.name in text for e in team) and outsider.name not in text
    # This budget period (the default) counts released and awaiting, not rejected/cancelled/old.
    assert total_of(mine, anne) == "NOK 300.00"
    assert total_of(mine, bjorn) == "NOK 70.00"
    assert total_of(mine, cecilie) == "NOK 0.00"
    assert "Liv Leder" in text  # the supervisor column
    drill = client.get(drill_url(anne))
    assert drill.status_code == 200
    assert drill_total(drill) == "NOK 300.00"
    lines = history["released"].lines.get(), history["awaiting"].lines.get()
    drill_text = page_text(drill)
    for line in lines:
        assert line.item_number in drill_text and line.display_product_name in drill_text
        assert f"{line.display_colour} / {line.size}" in drill_text
    assert history["rejected"].lines.get().item_number not in drill_text
    # Newest first: the awaiting order was placed after the released one.
    assert drill_text.index(lines[1].item_number) < drill_text.index(lines[0].item_number)

    everyone = client_of(admin).get(ALL)
    assert everyone.status_code == 200
    assert outsider.name in page_text(everyone)
    assert total_of(everyone, anne) == "NOK 300.00"
    assert client_of(leader).get(ALL).status_code == 200


def test_totals_follow_the_period_filter_and_the_drill_down_follows_the_link(
    leader: User, team: list[Employee], history
) -> None:
    anne = team[0]
    client = client_of(leader)
    all_time = client.get(MINE, {"period": "all"})
    assert total_of(all_time, anne) == "NOK 350.00"
    link = re.search(
        rf'href="({re.escape(drill_url(anne))}\?[^"]*)"', all_time.content.decode()
    ).group(1)
    assert drill_total(client.get(html.unescape(link))) == "NOK 350.00"

    old_day = timezone.localtime(history["old"].placed_at).date()
    around_old = {"from": (old_day - timedelta(days=1)).isoformat(), "to": old_day.isoformat()}
    listed = client.get(MINE, around_old)
    assert total_of(listed, anne) == "NOK 50.00"
    assert total_of(listed, team[1]) == "NOK 0.00"
    assert drill_total(client.get(drill_url(anne), around_old)) == "NOK 50.00"
    # Norwegian date format works too.
    assert total_of(client.get(MINE, {"from": old_day.strftime("%d.%m.%Y")}), anne) == "NOK 350.00"
    assert total_of(client.get(MINE, {"period": "12m"}), anne) == "NOK 300.00"
    assert total_of(client.get(MINE, {"period": "year"}), anne) == "NOK 300.00"


def test_invalid_dates_show_an_error_not_a_crash(leader: User, team: list[Employee]) -> None:
    client = client_of(leader)
    for params in (
        {"from": "31.13.2025"},
        {"to": "yesterday"},
        {"from": "2026-05-02", "to": "2026-05-01"},
    ):
        for url in (MINE, ALL, drill_url(team[0])):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            text = page_text(response)
            assert (
                "Enter a valid date" in text or "The to date cannot be before the from date" in text
            )


def test_an_invalid_date_keeps_what_was_typed_in_both_fields(leader: User) -> None:
    response = client_of(leader).get(MINE, {"from": "31.13.2025", "to": "2026-03-01"})
    content = response.content.decode()
    assert 'value="31.13.2025"' in content and 'value="2026-03-01"' in content


def test_search_and_sort(leader: User, team: list[Employee], history) -> None:
    client = client_of(leader)
    text = page_text(client.get(MINE, {"q": "bjø"}))
    assert "Bjørn Dahl" in text and "Anne Berg" not in text
    text = page_text(client.get(MINE, {"q": "20"}))
    assert "Cecilie Eng" in text and "Anne Berg" not in text
    text = page_text(client.get(MINE, {"q": "nobody"}))
    assert "No employees match the search." in text

    def order_of(params: dict[str, str]) -> list[str]:
        text = page_text(client.get(MINE, params))
        return sorted((e.name for e in team), key=text.index)

    assert order_of({"sort": "name"}) == ["Anne Berg", "Bjørn Dahl", "Cecilie Eng"]
    assert order_of({"sort": "-name"}) == ["Cecilie Eng", "Bjørn Dahl", "Anne Berg"]
    assert order_of({"sort": "-number"}) == ["Cecilie Eng", "Bjørn Dahl", "Anne Berg"]
    assert order_of({"sort": "total"}) == ["Anne Berg", "Bjørn Dahl", "Cecilie Eng"]
    assert order_of({"sort": "-total"}) == ["Cecilie Eng", "Bjørn Dahl", "Anne Berg"]
    assert client.get(MINE, {"sort": "bogus", "page": "x"}).status_code == 200


def test_budget_and_remaining_are_shown_where_there_is_a_budget(
    leader: User, team: list[Employee], history
) -> None:
    budget_set(actor=leader, employee_id=team[0].pk, amount="1000")
    text = page_text(client_of(leader).get(MINE))
    assert "NOK 1,000.00" in text and "NOK 700.00" in text  # budget and remaining (1000 − 300)
    assert text.count("No budget") == 2


def test_add_rename_renumber_and_a_duplicate_number(
    company: Company, leader: User, team: list[Employee]
) -> None:
    client = client_of(leader)
    response = client.post(MINE, {"name": "Nina Ny", "number": "1010", "email": ""})
    assert response.status_code == 302
    nina = Employee.objects.get(company=company, number="1010")
    assert nina.name == "Nina Ny" and nina.supervisor == leader and nina.is_active
    assert "Nina Ny" in page_text(client.get(MINE))

    response = client.post(update_url(nina), {"name": "Nina Nyberg", "number": "1010"})
    assert response.status_code == 302
    response = client.post(update_url(nina), {"name": "Nina Nyberg", "number": "1011-A"})
    assert response.status_code == 302
    nina.refresh_from_db()
    assert (nina.name, nina.number) == ("Nina Nyberg", "1011-A")

    # Duplicate on add: a clear message, nothing saved, what was typed is still there.
    response = client.post(MINE, {"name": "Per Dobbel", "number": "101", "email": ""})
    assert response.status_code == 400
    text = page_text(response)
    assert "Employee number 101 is already used by Anne Berg." in text
    assert 'value="Per Dobbel"' in response.content.decode()
    assert not Employee.objects.filter(name="Per Dobbel").exists()

    # Duplicate on edit: the same, and the employee is unchanged.
    response = client.post(update_url(nina), {"name": "Nina Endret", "number": "102"})
    assert response.status_code == 400
    assert "Employee number 102 is already used by Bjørn Dahl." in page_text(response)
    assert 'value="Nina Endret"' in response.content.decode()
    nina.refresh_from_db()
    assert (nina.name, nina.number) == ("Nina Nyberg", "1011-A")

    # An empty name and a bad number are refused.
    response = client.post(MINE, {"name": "  ", "number": "1020", "email": ""})
    assert response.status_code == 400 and "Enter the employee" in page_text(response)
    response = client.post(update_url(nina), {"name": "Nina", "number": "10 20"})
    assert response.status_code == 400
    assert "digits, letters or hyphens" in page_text(response)
    assert not Employee.objects.filter(number__in=["1020", "10 20"]).exists()


def test_an_email_links_the_companys_login(company: Company, leader: User) -> None:
    login = User.objects.create_user("kari@nordlys.test", "x", company=company, full_name="Kari")
    client = client_of(leader)
    assert (
        client.post(
            MINE, {"name": "Kari", "number": "77", "email": "KARI@nordlys.test"}
        ).status_code
        == 302
    )
    assert Employee.objects.get(number="77").user == login
    response = client.post(MINE, {"name": "Ukjent", "number": "78", "email": "nobody@x.test"})
    assert response.status_code == 400 and "nobody@x.test" in page_text(response)
    assert not Employee.objects.filter(number="78").exists()


def test_deactivate_hides_the_employee_and_keeps_the_history(
    company: Company, leader: User, admin: User, team: list[Employee], history
) -> None:
    anne = team[0]
    response = client_of(leader).post(deactivate_url(anne))
    assert response.status_code == 302
    anne.refresh_from_db()
    assert not anne.is_active
    assert "Anne Berg" not in page_text(client_of(admin).get(ALL))
    assert "Anne Berg" not in page_text(client_of(leader).get(MINE))
    assert anne not in recipient_choices(actor=admin)
    assert anne not in recipient_choices(actor=leader, query="Anne")
    assert OrderLine.objects.filter(recipient=anne).count() == 5


def test_a_supervisor_changes_only_their_own_employees_and_an_admin_any(
    leader: User, admin: User, outsider: Employee
) -> None:
    response = client_of(leader).post(update_url(outsider), {"name": "Hacked", "number": "900"})
    assert response.status_code == 404  # another supervisor's: no edit page for the leader
    response = client_of(leader).post(deactivate_url(outsider), follow=True)
    assert "not one of your employees" in page_text(response)
    outsider.refresh_from_db()
    assert outsider.name == "Ola Utenfor" and outsider.is_active
    assert (
        client_of(admin)
        .post(update_url(outsider), {"name": "Ola Ute", "number": "900"})
        .status_code
        == 302
    )
    outsider.refresh_from_db()
    assert outsider.name == "Ola Ute"


def test_others_get_404(buyer: User, team: list[Employee]) -> None:
    client = client_of(buyer)
    for url in (MINE, ALL, drill_url(team[0])):
        assert client.get(url).status_code == 404
    assert client.post(update_url(team[0]), {"name": "X", "number": "1"}).status_code == 404
    assert client.post(deactivate_url(team[0])).status_code == 404
    assert client.post(MINE, {"name": "X", "number": "5"}).status_code == 404
    assert "employees-heading" not in client.get(reverse("checkout:my_page")).content.decode()


def test_a_fjord_supervisor_sees_none_of_nordlys(
    fjord: Fjord, leader: User, admin: User, team: list[Employee], outsider: Employee, history
) -> None:
    boss = fjord.leader
    own = EmployeeFactory(company=fjord.company, supervisor=boss, name="Fjord Ansatt")
    client = client_of(boss)
    for url in (MINE, ALL):
        text = page_text(client.get(url, {"period": "all"}))
        assert "Fjord Ansatt" in text
        assert not any(e.name in text for e in [*team, outsider]) and "Liv Leder" not in text
    assert client.get(drill_url(team[0])).status_code == 404
    assert client.post(update_url(team[0]), {"name": "X", "number": "101"}).status_code == 404
    assert client.post(deactivate_url(team[0])).status_code == 404
    assert Employee.objects.get(pk=team[0].pk).is_active
    # Number 101 is free in Fjord although Nordlys uses it.
    assert client.post(MINE, {"name": "F", "number": "101", "email": ""}).status_code == 302
    assert client.get(drill_url(own)).status_code == 200
    my_page = client.get(reverse("checkout:my_page")).content.decode()
    assert MINE in my_page and ALL in my_page


# Budget figures are two queries: the budgets, then their sums (kvote.budgets.counting). The
# drill-down's lines show their pictures: one query (kvote.ordering.selectors.lines_shown), and
# the employee's sizes another (kvote.catalog.sizes.sizes_of).
# Kits: one query asks who has one (kvote.kits.selectors.kits_for_employees); two more when
# someone on the page has one (kvote/employees/tests/test_kit_columns.py).
LIST_QUERIES = 8
DRILL_QUERIES = 10


def _staff(company: Company, leader: User, count: int) -> list[Employee]:
    employees = [
        EmployeeFactory(company=company, supervisor=leader, name=f"Ansatt {n:02}")
        for n in range(count)
    ]
    for n, employee in enumerate(employees):
        budget_set(actor=leader, employee_id=employee.pk, amount="1000")
        order_for(leader, employee, "10.00", f"q{n}")
    return employees


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_query_count_does_not_grow_with_employees(
    company: Company,
    leader: User,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
    settings,
) -> None:
    settings.KVOTE_PAGE_SIZE = 50
    _staff(company, leader, count)
    client = client_of(leader)
    for url in (MINE, ALL):
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(url, {"period": "all"})
        assert page_text(response).count("NOK 10.00") >= count


@pytest.mark.parametrize("count", [3, 30])
def test_the_drill_down_query_count_does_not_grow_with_lines(
    company: Company,
    leader: User,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    employee = EmployeeFactory(company=company, supervisor=leader)
    for n in range(count):
        order_for(leader, employee, "10.00", f"d{n}")
    client = client_of(leader)
    with django_assert_num_queries(DRILL_QUERIES):
        response = client.get(drill_url(employee))
    assert drill_total(response) == f"NOK {count * 10}.00"


def test_pages_count_the_listed_employees_and_the_drill_down_totals_every_page(
    leader: User, team: list[Employee], history, settings
) -> None:
    settings.KVOTE_PAGE_SIZE = 2
    client = client_of(leader)
    first = page_text(client.get(MINE, {"period": "all"}))
    assert "3 employees" in first and "page 1 of 2" in first
    assert "Anne Berg" in first and "Cecilie Eng" not in first
    second = page_text(client.get(MINE, {"period": "all", "page": "2"}))
    assert "Cecilie Eng" in second and "Anne Berg" not in second
    assert "1 employee" in page_text(client.get(MINE, {"q": "Anne"}))
    drill = client.get(drill_url(team[0]), {"period": "all"})
    assert drill_total(drill) == "NOK 350.00"  # three lines, two on the page
    assert "Total in the period (all pages)" in page_text(drill)


def test_the_unique_constraint_race_becomes_the_clear_message(
    company: Company, team: list[Employee]
) -> None:
    from kvote.common.errors import ServiceError
    from kvote.people.services import _save_guarded

    twin = Employee(company=company, name="Tvilling", number="101")
    with pytest.raises(ServiceError) as caught:
        _save_guarded(twin)
    assert caught.value.code == "number_taken"
    assert "already used by Anne Berg" in caught.value.message
    assert not Employee.objects.filter(name="Tvilling").exists()


def test_a_refused_add_shows_the_rule_by_its_field(
    company: Company, leader: User, team: list[Employee]
) -> None:
    """The rules name the field each refusal belongs to (kvote.people.employee_rules)."""
    client = client_of(leader)
    for data, field in [
        ({"name": "\u202e", "number": "1010"}, "name"),
        ({"name": "Nina", "number": "101"}, "number"),
        ({"name": "Nina", "number": "1010", "email": "nobody@x.test"}, "email"),
    ]:
        response = client.post(MINE, {"email": "", **data})
        assert response.status_code == 400
        form = response.context["add_form"]
        assert list(form.errors) == [field], form.errors


# Adding an employee: session and user; in savepoints the number and login checks (one query
# for the company's employees with that number) and the insert. The same with 1 and with 20
# employees in the company.
ADD_QUERIES = 8


@pytest.mark.parametrize("count", [1, 20])
def test_adding_an_employee_makes_a_fixed_number_of_queries(
    company: Company,
    leader: User,
    count: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    EmployeeFactory.create_batch(count, company=company, supervisor=leader)
    client = client_of(leader)
    with django_assert_num_queries(ADD_QUERIES):
        response = client.post(MINE, {"name": "Nina Ny", "number": "1010", "email": ""})
    assert response.status_code == 302
    assert Employee.objects.get(company=company, number="1010").supervisor == leader
