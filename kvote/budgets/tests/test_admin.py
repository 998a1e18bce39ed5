"""The back office for budgets: staff find, add and correct budgets, every change of an amount is
kept like in the portal, overlaps are refused as form errors, and the change log is read-only."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.services import budget_set
from kvote.companies.models import Company
from kvote.people.models import Employee, User
from tests.factories import CompanyFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

BUDGETS = reverse("admin:budgets_budget_changelist")
CHANGES = reverse("admin:budgets_budgetchange_changelist")
ADD = reverse("admin:budgets_budget_add")


def change_url(budget: Budget) -> str:
    return reverse("admin:budgets_budget_change", args=[budget.pk])


@pytest.fixture
def staff() -> User:
    return UserFactory(company=None, is_staff=True, is_superuser=True, language="en")


@pytest.fixture
def client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def employee(company: Company) -> Employee:
    return EmployeeFactory(company=company, name="Kari Nordmann", number="4711")


def year(start: int, changes: int = 0) -> dict[str, str | int]:
    """A calendar year, with the management form of the read-only inline of `changes` rows."""
    return {
        "period_start": f"{start}-01-01",
        "period_end": f"{start + 1}-01-01",
        "changes-TOTAL_FORMS": changes,
        "changes-INITIAL_FORMS": changes,
    }


def test_staff_find_budgets_by_employee_company_and_period(
    client: Client, admin: User, employee: Employee
) -> None:
    budget = budget_set(actor=admin, employee_id=employee.pk, amount="5000", on=date(2026, 5, 1))
    other = EmployeeFactory(company=CompanyFactory(), name="Per Annen", number="1")
    Budget.objects.create(
        company=other.company,
        employee=other,
        period_start=date(2025, 1, 1),
        period_end=date(2026, 1, 1),
        amount=Decimal("10.00"),
    )
    page = client.get(BUDGETS).content.decode()
    assert "Kari Nordmann" in page and "Per Annen" in page and "4711" in page
    assert "Kari Nordmann" in client.get(BUDGETS, {"q": "4711"}).content.decode()
    assert "Per Annen" not in client.get(BUDGETS, {"q": "4711"}).content.decode()
    filtered = client.get(BUDGETS, {"company__id__exact": other.company_id}).content.decode()
    assert "Per Annen" in filtered and "Kari Nordmann" not in filtered
    by_period = client.get(BUDGETS, {"period": "2026-01-01_2027-01-01"}).content.decode()
    assert "Kari Nordmann" in by_period and "Per Annen" not in by_period
    assert "?period=2025-01-01_2026-01-01" in by_period  # the filter offers both periods
    nonsense = client.get(BUDGETS, {"period": "not-a-period"})
    assert nonsense.status_code == 200
    assert "Kari Nordmann" not in nonsense.content.decode()
    page = client.get(change_url(budget)).content.decode()
    assert 'id="changes-0"' in page  # the change log, as a read-only inline
    assert 'name="changes-0-new_amount"' not in page


def test_staff_add_a_budget_and_the_change_is_kept(
    client: Client, staff: User, employee: Employee
) -> None:
    response = client.post(ADD, {"employee": employee.pk, "amount": "1200.00", **year(2026)})
    assert response.status_code == 302, response.content.decode()[:2000]
    budget = Budget.objects.get()
    assert budget.company_id == employee.company_id
    change = BudgetChange.objects.get()
    assert (change.actor, change.old_amount, change.new_amount, change.company_id) == (
        staff,
        None,
        Decimal("1200.00"),
        employee.company_id,
    )

    response = client.post(change_url(budget), {"amount": "900.00", **year(2026, changes=1)})
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.amount == Decimal("900.00")
    assert list(BudgetChange.objects.order_by("id").values_list("old_amount", "new_amount")) == [
        (None, Decimal("1200.00")),
        (Decimal("1200.00"), Decimal("900.00")),
    ]
    # The employee of a budget is shown, not offered for change.
    page = client.get(change_url(budget)).content.decode()
    assert 'name="employee"' not in page and "Kari Nordmann" in page


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"amount": "-1.00", **year(2026)}, "cannot be negative"),
        ({"amount": "1.234", **year(2026)}, "decimal place"),
        (
            {"amount": "100", **year(2026), "period_end": "2026-01-01"},
            "must end after",
        ),
        (
            {
                "amount": "100",
                **year(2026),
                "period_start": "2026-04-01",
                "period_end": "2026-07-01",
            },
            "which overlaps this period",
        ),
    ],
)
def test_bad_budgets_are_form_errors_and_nothing_is_saved(
    client: Client, admin: User, employee: Employee, data: dict, reason: str
) -> None:
    budget_set(actor=admin, employee_id=employee.pk, amount="300", on=date(2026, 5, 1))
    response = client.post(ADD, {"employee": employee.pk, **data})
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert Budget.objects.count() == 1 and BudgetChange.objects.count() == 1


def test_budgets_are_not_deleted_and_the_change_log_is_read_only(
    client: Client, admin: User, employee: Employee
) -> None:
    budget = budget_set(actor=admin, employee_id=employee.pk, amount="300")
    change = BudgetChange.objects.get()
    assert client.post(reverse("admin:budgets_budget_delete", args=[budget.pk])).status_code == 403
    assert client.get(reverse("admin:budgets_budgetchange_add")).status_code == 403
    change_page = reverse("admin:budgets_budgetchange_change", args=[change.pk])
    assert client.get(change_page).status_code == 200
    assert client.post(change_page, {"new_amount": "1.00"}).status_code == 403
    assert "Kari Nordmann" in client.get(CHANGES, {"q": "4711"}).content.decode()
    change.refresh_from_db()
    assert change.new_amount == Decimal("300.00") and Budget.objects.count() == 1


def test_the_employee_is_picked_by_autocomplete(client: Client, employee: Employee) -> None:
    page = client.get(ADD).content.decode()
    assert 'class="admin-autocomplete' in page and 'data-field-name="employee"' in page
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "budgets", "model_name": "budget", "field_name": "employee", "term": "4711"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == str(employee.pk)


@pytest.mark.parametrize("size", [3, 30])
def test_changelists_read_a_fixed_number_of_queries(
    client: Client,
    admin: User,
    company: Company,
    size: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(size):
        budget_set(actor=admin, employee_id=EmployeeFactory(company=company).pk, amount="5")
    with django_assert_num_queries(7):
        assert client.get(BUDGETS).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(CHANGES).status_code == 200
