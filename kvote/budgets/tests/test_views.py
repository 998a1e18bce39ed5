"""The budget pages through the Django client: who sees whom, setting one budget and many,
refusals that save nothing and keep what was typed, the history, the period settings, and a
fixed number of queries on the list."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django import DjangoAssertNumQueries

from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.services import budget_set, budget_set_many, company_budget_period_set
from kvote.companies.models import Company
from kvote.companies.periods import PeriodKind
from kvote.people.models import Employee, User
from tests.factories import EmployeeFactory, member, place_order

pytestmark = pytest.mark.django_db

LIST = reverse("budgets:list")
SET_MANY = reverse("budgets:set_many")
SETTINGS = reverse("budgets:settings")


def set_url(employee: Employee) -> str:
    return reverse("budgets:set", args=[employee.pk])


def history_url(employee: Employee) -> str:
    return reverse("budgets:history", args=[employee.pk])


def page_text(response) -> str:
    """The page as a reader gets it: tags out, entities and no-break spaces made plain."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u00a0", " "))


def budget_of(employee: Employee) -> Decimal | None:
    budget = Budget.objects.filter(employee=employee).first()
    return budget.amount if budget else None


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_sees_every_active_employee_and_a_supervisor_only_their_own(
    company: Company, admin: User, leader: User, team: list[Employee], outsider: Employee
) -> None:
    EmployeeFactory(company=company, name="Gone Away", is_active=False)
    EmployeeFactory(name="Other Company")
    response = client_of(admin).get(LIST)
    assert response.status_code == 200
    text = page_text(response)
    for employee in [*team, outsider, admin.employee, leader.employee]:
        assert employee.name in text
    assert "Gone Away" not in text and "Other Company" not in text
    period = company.budget_period_of(timezone.localdate()).label()
    assert f"Budgets for {period}" in text

    text = page_text(client_of(leader).get(LIST))
    assert all(employee.name in text for employee in team)
    assert outsider.name not in text and admin.employee.name not in text
    assert "3 employees" in text


def test_buyers_and_budget_holders_find_no_budget_pages(
    buyer: User, holder: User, team: list[Employee]
) -> None:
    for user in (buyer, holder):
        client = client_of(user)
        assert client.get(LIST).status_code == 404
        assert client.get(history_url(team[0])).status_code == 404
        assert client.get(SETTINGS).status_code == 404
        assert client.post(set_url(team[0]), {"amount": "100"}).status_code == 404
        response = client.post(SET_MANY, {"amount": "100", "employee_ids": [team[0].pk]})
        assert response.status_code == 404
        assert 'href="/budgets/"' not in client.get(reverse("catalog:list")).content.decode()
    assert list(Budget.objects.values_list("employee_id", flat=True)) == [holder.employee.pk]


def test_the_menu_leads_admins_and_supervisors_to_budgets(admin: User, leader: User) -> None:
    for user in (admin, leader):
        page = client_of(user).get(LIST).content.decode()
        assert f'href="{LIST}" aria-current="page"' in page


def test_writing_pages_send_a_get_to_their_page(leader: User, team: list[Employee]) -> None:
    client = client_of(leader)
    assert client.get(set_url(team[0]))["Location"] == reverse("budgets:history", args=[team[0].pk])
    assert client.get(SET_MANY)["Location"] == LIST
    assert client.get(LIST).status_code == 200


def test_a_supervisor_sets_one_budget_in_norwegian_notation(
    leader: User, team: list[Employee]
) -> None:
    client = client_of(leader)
    back = f"{LIST}?q=102&page=1"
    response = client.post(set_url(team[1]), {"amount": "5 000,50", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert budget_of(team[1]) == Decimal("5000.50")
    assert budget_of(team[0]) is None
    change = BudgetChange.objects.get()
    assert (change.actor, change.old_amount, change.new_amount) == (
        leader,
        None,
        Decimal("5000.50"),
    )
    text = page_text(client.get(back))
    assert "Bjørn Dahl now has a budget of NOK 5,000.50" in text
    assert 'value="5000.50"' in client.get(back).content.decode()  # read back the same


def test_a_next_that_leaves_the_site_goes_to_the_list(leader: User, team: list[Employee]) -> None:
    response = client_of(leader).post(
        set_url(team[0]), {"amount": "100", "next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


@pytest.mark.parametrize("next_url", ["7", "budgets:list", "a\x00b", "/budgets/\x00"])
def test_a_next_that_is_no_path_goes_to_the_list(
    leader: User, team: list[Employee], next_url: str
) -> None:
    """Issue 13 (found by tests/fuzz): `redirect("7")` reads a bare word as a view's name and
    answered 500; kvote.common.http.safe_next takes paths only."""
    response = client_of(leader).post(set_url(team[0]), {"amount": "100", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_english_thousands_are_read_as_thousands_or_asked_about(
    leader: User, team: list[Employee]
) -> None:
    client = client_of(leader)
    client.post(set_url(team[0]), {"amount": "5,000.00"})
    assert budget_of(team[0]) == Decimal("5000.00")
    response = client.post(set_url(team[0]), {"amount": "7,000"})
    assert "without a comma between thousands" in page_text(response)
    assert budget_of(team[0]) == Decimal("5000.00")


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-5", "A budget cannot be negative."),
        ("1,234", "A budget has at most two decimals."),
        ("12.345", "A budget has at most two decimals."),
        ("a lot", "Write the amount as a number, e.g. 5 000,00."),
        ("", "Write the amount as a number, e.g. 5 000,00."),
    ],
)
def test_a_refused_amount_saves_nothing_and_keeps_what_was_typed(
    leader: User, team: list[Employee], amount: str, reason: str
) -> None:
    budget_set(actor=leader, employee_id=team[0].pk, amount="300")
    leader.language = "nb"  # "1,234" is Norwegian for 1.234: three decimals
    leader.save()
    response = client_of(leader).post(set_url(team[0]), {"amount": amount, "next": LIST})
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("nb"):  # the page speaks the leader's language
        assert gettext(reason) in page_text(response)
    assert f'id="amount-{team[0].pk}" class="ds-input kv-amount"' in page
    assert f'value="{html.escape(amount)}" aria-invalid="true"' in page
    assert budget_of(team[0]) == Decimal("300.00")
    assert BudgetChange.objects.count() == 1


def test_another_companys_employee_is_not_found(leader: User, admin: User) -> None:
    foreign = EmployeeFactory()
    for user in (leader, admin):
        assert client_of(user).post(set_url(foreign), {"amount": "100"}).status_code == 404
        assert client_of(user).get(history_url(foreign)).status_code == 404
    assert not Budget.objects.exists()


def test_a_supervisor_cannot_set_the_budget_of_someone_elses_employee(
    leader: User, outsider: Employee
) -> None:
    assert client_of(leader).post(set_url(outsider), {"amount": "100"}).status_code == 404
    assert not Budget.objects.exists()


def test_bulk_gives_the_chosen_employees_the_same_amount(
    leader: User, team: list[Employee]
) -> None:
    client = client_of(leader)
    response = client.post(
        SET_MANY,
        {"amount": "2 500", "employee_ids": [team[0].pk, team[2].pk], "scope": "chosen"},
    )
    assert response.status_code == 302
    assert [budget_of(e) for e in team] == [Decimal("2500.00"), None, Decimal("2500.00")]
    assert "2 employees now have a budget of NOK 2,500.00" in page_text(client.get(LIST))


def test_bulk_all_gives_every_one_of_my_employees_the_amount(
    leader: User, team: list[Employee], outsider: Employee
) -> None:
    client = client_of(leader)
    assert "Apply to all of My employees (3)" in page_text(client.get(LIST))
    response = client.post(SET_MANY, {"amount": "1000", "scope": "all", "next": LIST})
    assert response.status_code == 302
    assert [budget_of(e) for e in team] == [Decimal("1000.00")] * 3
    assert budget_of(outsider) is None
    assert "3 employees now have a budget" in page_text(client.get(LIST))


def test_bulk_all_for_an_admin_follows_the_search(
    admin: User, team: list[Employee], outsider: Employee
) -> None:
    client = client_of(admin)
    assert "Apply to the 1 employee found" in page_text(client.get(LIST, {"q": "Ola"}))
    response = client.post(SET_MANY, {"amount": "800", "scope": "all", "next": f"{LIST}?q=Ola"})
    assert response["Location"] == f"{LIST}?q=Ola"
    assert budget_of(outsider) == Decimal("800.00")
    assert all(budget_of(e) is None for e in team)
    client.post(SET_MANY, {"amount": "900", "scope": "all", "next": LIST})
    # every active employee, the leaders' too, but not the admin's own (nobody sets their own)
    assert Budget.objects.count() == 6
    assert budget_of(admin.employee) is None


@pytest.mark.parametrize(
    ("amount", "reason"), [("-5", "cannot be negative"), ("12.345", "at most two decimals")]
)
def test_bulk_with_a_bad_amount_saves_nothing_and_keeps_the_form(
    leader: User, team: list[Employee], amount: str, reason: str
) -> None:
    response = client_of(leader).post(
        SET_MANY, {"amount": amount, "employee_ids": [team[1].pk], "next": f"{LIST}?page=1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert reason in page_text(response)
    assert f'value="{amount}" aria-describedby="bulk-help id_bulk_amount-error"' in page
    assert f'value="{team[1].pk}" form="bulk-form" id="choose-{team[1].pk}" checked' in page
    assert f'value="{team[0].pk}" form="bulk-form" id="choose-{team[0].pk}">' in page
    assert not Budget.objects.exists()


def test_bulk_with_an_employee_not_mine_saves_nobody(
    leader: User, team: list[Employee], outsider: Employee
) -> None:
    response = client_of(leader).post(
        SET_MANY, {"amount": "100", "employee_ids": [team[0].pk, outsider.pk]}
    )
    assert response.status_code == 200
    assert "only for the employees you are responsible for" in page_text(response)
    assert not Budget.objects.exists()


@pytest.mark.parametrize("ids", [[], ["x1"]])
def test_bulk_with_nobody_chosen_says_so(leader: User, team: list[Employee], ids: list) -> None:
    response = client_of(leader).post(SET_MANY, {"amount": "100", "employee_ids": ids})
    assert response.status_code == 200
    text = page_text(response)
    assert "Choose at least one employee" in text or "Choose employees from the list" in text
    assert 'value="100"' in response.content.decode()
    assert not Budget.objects.exists()


def test_bulk_refuses_a_period_that_overlaps_and_saves_nobody(
    admin: User, leader: User, team: list[Employee]
) -> None:
    budget_set(actor=leader, employee_id=team[0].pk, amount="1000")
    company_budget_period_set(actor=admin, kind=PeriodKind.QUARTER)
    response = client_of(leader).post(
        SET_MANY, {"amount": "250", "employee_ids": [e.pk for e in team]}
    )
    assert "which overlaps this period" in page_text(response)
    assert Budget.objects.count() == 1
    # The list still shows the year's budget, with its own period beside it.
    year = company_budget_period_set(actor=admin, kind=PeriodKind.YEAR)
    year_label = year.budget_period_of(timezone.localdate()).label()
    company_budget_period_set(actor=admin, kind=PeriodKind.QUARTER)
    assert f"for {year_label}" in page_text(client_of(leader).get(LIST))


def test_the_list_shows_spent_pending_and_a_negative_remaining_in_words(
    leader: User, team: list[Employee]
) -> None:
    budget_set(actor=leader, employee_id=team[0].pk, amount="1000")
    place_order(leader, "600.00", key="a", recipient=team[0])
    place_order(leader, "700.00", key="b", recipient=team[0])  # over: awaits approval
    text = page_text(client_of(leader).get(LIST, {"q": "Anne"}))
    assert "NOK 1,000.00 NOK 1,300.00 NOK 700.00 NOK -300.00 Over budget" in text


def test_search_and_pages(leader: User, team: list[Employee], settings) -> None:
    settings.KVOTE_PAGE_SIZE = 2
    client = client_of(leader)
    first = page_text(client.get(LIST))
    assert "Anne Berg" in first and "Cecilie Eng" not in first and "page 1 of 2" in first
    assert "Cecilie Eng" in page_text(client.get(LIST, {"page": "2"}))
    assert "Cecilie Eng" in page_text(client.get(LIST, {"page": "99"}))  # the nearest page
    assert "Bjørn Dahl" in page_text(client.get(LIST, {"q": "102"}))
    assert "No employees match «nobody»" in page_text(client.get(LIST, {"q": "nobody"}))
    # A refusal re-renders the list: its page links still lead to the list.
    response = client.post(set_url(team[2]), {"amount": "-1", "next": f"{LIST}?page=2"})
    assert "Cecilie Eng" in page_text(response)
    assert f'href="{LIST}?page=1"' in response.content.decode()


def test_the_history_shows_who_changed_what_and_when(
    admin: User, leader: User, team: list[Employee]
) -> None:
    budget_set(actor=leader, employee_id=team[0].pk, amount="1000")
    budget_set(actor=admin, employee_id=team[0].pk, amount="1500.50")
    response = client_of(leader).get(history_url(team[0]))
    assert response.status_code == 200
    text = page_text(response)
    newest, _oldest = BudgetChange.objects.order_by("-id")
    local = timezone.localtime(newest.created_at)
    assert f"{local.day} {local:%b %Y %H:%M} " in text  # English puts the day first too
    assert f"{admin.full_name} NOK 1,000.00 → NOK 1,500.50" in text
    assert f"{leader.full_name} New budget → NOK 1,000.00" in text
    assert "NOK 1,500.50 NOK 0.00 NOK 0.00 NOK 1,500.50" in text  # per period


def test_the_history_of_someone_elses_employee_is_not_found(
    leader: User, outsider: Employee, admin: User
) -> None:
    assert client_of(leader).get(history_url(outsider)).status_code == 404
    assert client_of(admin).get(history_url(outsider)).status_code == 200


def test_an_admin_chooses_the_budget_period(company: Company, admin: User) -> None:
    client = client_of(admin)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert "Budgets already set keep their periods" in page_text(page)
    assert 'type="radio" name="kind" value="year"' in page.content.decode()

    response = client.post(SETTINGS, {"kind": PeriodKind.QUARTER})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.budget_period == PeriodKind.QUARTER

    response = client.post(SETTINGS, {"kind": PeriodKind.CUSTOM_YEAR, "year_start": "2026-04-01"})
    company.refresh_from_db()
    assert (company.budget_period, company.budget_year_start) == (
        PeriodKind.CUSTOM_YEAR,
        date(2026, 4, 1),
    )
    assert "New budgets now cover" in page_text(client.get(SETTINGS))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"kind": PeriodKind.CUSTOM_YEAR}, "Choose the date the budget year starts"),
        ({"kind": PeriodKind.CUSTOM_YEAR, "year_start": "31.02.2026"}, "Enter a valid date"),
        ({"kind": "fortnight"}, "Select a valid choice"),
        ({}, "This field is required"),
    ],
)
def test_a_bad_period_is_refused_and_nothing_changes(
    company: Company, admin: User, data: dict, reason: str
) -> None:
    response = client_of(admin).post(SETTINGS, data)
    assert response.status_code == 200
    assert reason in page_text(response)
    company.refresh_from_db()
    assert company.budget_period == PeriodKind.YEAR


def test_only_a_company_admin_reaches_the_settings(company: Company, leader: User) -> None:
    client = client_of(leader)
    assert client.get(SETTINGS).status_code == 404
    assert client.post(SETTINGS, {"kind": PeriodKind.MONTH}).status_code == 404
    company.refresh_from_db()
    assert company.budget_period == PeriodKind.YEAR
    assert 'href="/budgets/settings/"' not in client.get(LIST).content.decode()


# Budget figures are two queries: the budgets, then their sums (kvote.budgets.counting).
LIST_QUERIES = 8


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_reads_a_fixed_number_of_queries(
    company: Company,
    admin: User,
    size: int,
    settings,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    settings.KVOTE_PAGE_SIZE = 50
    buyer = member(company)
    employees = [EmployeeFactory(company=company) for _ in range(size)]
    for employee in employees:
        budget_set(actor=admin, employee_id=employee.pk, amount="1000")
    for i, employee in enumerate(employees[: size // 3 + 1]):
        place_order(buyer, "10.00", key=f"k{i}", recipient=employee)
        place_order(buyer, "20.00", key=f"l{i}", recipient=employee)
    client = client_of(admin)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    # the employees and the buyer's record (the admin's own is not on the page)
    assert response.content.decode().count('name="employee_ids"') == size + 1
    assert "NOK 30.00" in page_text(response)


@pytest.mark.parametrize("changes", [1, 12])
def test_the_history_reads_a_fixed_number_of_queries(
    admin: User,
    leader: User,
    team: list[Employee],
    changes: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for i in range(changes):
        budget_set(actor=admin if i % 2 else leader, employee_id=team[0].pk, amount=str(100 + i))
    place_order(leader, "50.00", key="h", recipient=team[0])
    client = client_of(leader)
    with django_assert_num_queries(7):
        response = client.get(history_url(team[0]))
    assert page_text(response).count(" → ") == changes


# Setting budgets: session and user; (one budget: the employee, for a 404); the company, for
# its period; then in savepoints the employees locked, their budgets for the period, for new
# budgets the overlap check and one insert, for changed ones one update, and one insert of the
# change rows. The same for 1 and for 20 employees, and however long a budget's history is.
SET_NEW_QUERIES = 11
SET_CHANGED_QUERIES = 10
SET_MANY_NEW_QUERIES = 10
SET_MANY_CHANGED_QUERIES = 9


@pytest.mark.parametrize("history", [1, 20])
@pytest.mark.parametrize(
    ("new", "queries"), [(True, SET_NEW_QUERIES), (False, SET_CHANGED_QUERIES)]
)
def test_setting_one_budget_makes_a_fixed_number_of_queries(
    admin: User,
    team: list[Employee],
    history: int,
    new: bool,
    queries: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    anne, bjorn, _ = team
    for i in range(history):  # a long history, on this budget or another one
        budget_set(actor=admin, employee_id=(bjorn if new else anne).pk, amount=str(100 + i))
    client = client_of(admin)
    with django_assert_num_queries(queries):
        response = client.post(set_url(anne), {"amount": "5 000,00", "next": LIST})
    assert response.status_code == 302
    assert budget_of(anne) == Decimal("5000.00")


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize(
    ("new", "queries"), [(True, SET_MANY_NEW_QUERIES), (False, SET_MANY_CHANGED_QUERIES)]
)
def test_setting_many_budgets_makes_a_fixed_number_of_queries(
    company: Company,
    leader: User,
    count: int,
    new: bool,
    queries: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    employees = EmployeeFactory.create_batch(count, company=company, supervisor=leader)
    if not new:
        budget_set_many(actor=leader, employee_ids=[e.pk for e in employees], amount="100")
    client = client_of(leader)
    with django_assert_num_queries(queries):
        response = client.post(
            SET_MANY, {"amount": "250", "employee_ids": [e.pk for e in employees], "next": LIST}
        )
    assert response.status_code == 302
    assert [budget_of(e) for e in employees] == [Decimal("250.00")] * count
    assert BudgetChange.objects.count() == (1 if new else 2) * count
