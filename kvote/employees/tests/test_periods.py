"""The period of «Mine ansatte» is read once (kvote.employees.periods): the web pages, the
exports and the API, given the same input, use the same days (with the same default: this
budget period) and refuse the same input with the same message."""

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kvote.api.tests.people_helpers import JsonApi
from kvote.common.dates import FIRST_DAY, LAST_DAY, DateRange
from kvote.companies.periods import PeriodKind
from kvote.employees.periods import ChosenPeriod, PeriodError, parse_period
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from tests.factories import CompanyFactory, EmployeeFactory, member, place_order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# Days before today an order of Anne's was placed, and its amount (powers of two: a total
# names the days it holds).
BOUGHT = {0: "1.00", 20: "2.00", 45: "4.00", 100: "8.00", 200: "16.00", 380: "32.00", 800: "64.00"}


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


VALID: list[dict[str, str]] = [
    {},  # the default
    {"period": "budget"},
    {"period": "year"},
    {"period": "12m"},
    {"period": "all"},
    {"from": ago(150).isoformat()},
    {"to": ago(150).isoformat()},
    {"from": ago(390).isoformat(), "to": ago(50).isoformat()},
    {"from": ago(100).strftime("%d.%m.%Y"), "to": ago(0).strftime("%d.%m.%y")},
    {"period": "all", "from": ago(30).isoformat()},  # dates win over a preset
    {"from": " ", "to": "", "period": ""},  # blank: the default
]
INVALID: list[dict[str, str]] = [
    {"from": "2026-13-01"},
    {"to": "yesterday"},
    {"from": "1999-12-31"},
    {"to": "2101-01-01"},
    {"from": "2026-05-02", "to": "2026-05-01"},
    {"period": "week"},
    {"period": "week", "from": "2026-05-01"},
]


@pytest.fixture
def boss() -> User:
    company = CompanyFactory(budget_period=PeriodKind.QUARTER)
    return member(company, is_supervisor=True, language="en")


@pytest.fixture
def anne(boss: User) -> Employee:
    anne = EmployeeFactory(company=boss.company, supervisor=boss, name="Anne", number="1001")
    for days, amount in BOUGHT.items():
        order = place_order(boss, amount, key=f"d{days}", recipient=anne)
        noon = timezone.make_aware(datetime.combine(ago(days), time(12)))
        Order.objects.filter(pk=order.pk).update(placed_at=noon)
    return anne


def parsed(boss: User, params: dict[str, str]) -> ChosenPeriod:
    return parse_period(
        actor=boss,
        preset=params.get("period", ""),
        first=params.get("from", ""),
        last=params.get("to", ""),
    )


def bought_in(days: DateRange) -> Decimal:
    return sum(
        (
            Decimal(amount)
            for n, amount in BOUGHT.items()
            if (days.first is None or days.first <= ago(n))
            and (days.last is None or ago(n) <= days.last)
        ),
        Decimal("0.00"),
    )


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))


def what_each_channel_read(boss: User, anne: Employee, params: dict[str, str]) -> dict[str, Any]:
    """Anne's total as the list and the drill-down show it on the web, in the exports and in
    the API, and the period the web pages chose."""
    web = Client()
    web.force_login(boss)
    api = JsonApi(boss)
    drill = reverse("employee_purchases", args=[anne.pk])
    listed = web.get(reverse("employees_mine"), params)
    drilled = web.get(drill, params)
    assert listed.status_code == drilled.status_code == 200
    (row,) = [r for r in listed.context["rows"] if r["employee"].pk == anne.pk]
    exported = csv_rows(web.get(reverse("employees_export", kwargs={"fmt": "csv"}), params))
    (export_row,) = [r for r in exported if r[0] == anne.number]
    export_drill = csv_rows(
        web.get(
            reverse("employee_purchases_export", kwargs={"employee_id": anne.pk, "fmt": "csv"}),
            params,
        )
    )
    api_list = api.get("/employees", {"scope": "mine", **params}).json()
    (api_row,) = [item for item in api_list["items"] if item["id"] == anne.pk]
    return {
        "web period": (listed.context["chosen"], drilled.context["chosen"]),
        "totals": {
            "web list": row["employee"].total,
            "web drill-down": drilled.context["total"],
            "export list": Decimal(export_row[6]),  # then the kit's columns
            "export drill-down": Decimal(export_drill[-1][-1]),
            "API list": Decimal(api_row["purchased_total"]),
            "API one": Decimal(api.get(f"/employees/{anne.pk}", params).json()["purchased_total"]),
            "API purchases": Decimal(
                api.get(f"/employees/{anne.pk}/purchases", params).json()["total"]
            ),
        },
    }


@pytest.mark.parametrize("params", VALID, ids=[str(p) for p in VALID])
def test_the_same_input_gives_the_same_period_everywhere(boss, anne, params) -> None:
    chosen = parsed(boss, params)
    read = what_each_channel_read(boss, anne, params)
    assert read["web period"] == (chosen, chosen)
    expected = bought_in(chosen.range)
    assert read["totals"] == dict.fromkeys(read["totals"], expected)


def test_the_default_is_this_budget_period(boss, anne) -> None:
    chosen = parse_period(actor=boss)
    assert chosen.preset == "budget"
    assert chosen.range == boss.company.budget_period_of(TODAY).days
    assert parsed(boss, {"from": "", "to": " "}) == chosen
    # Anne's totals differ by period, so the default is not all time nor this year by chance.
    assert bought_in(chosen.range) != bought_in(DateRange())


@pytest.mark.parametrize("params", INVALID, ids=[str(p) for p in INVALID])
def test_the_same_input_is_refused_the_same_way_everywhere(boss, anne, params) -> None:
    with pytest.raises(PeriodError) as refusal:
        parsed(boss, params)
    error = refusal.value
    assert error.code == "invalid_period" and error.field in {"from", "to", "period"}
    web = Client()
    web.force_login(boss)
    drill = reverse("employee_purchases", args=[anne.pk])
    for url, form in ((reverse("employees_mine"), "filter_form"), (drill, "form")):
        page = web.get(url, params)
        assert page.status_code == 200  # the page shows the default period with the error
        errors = [str(e) for errors in page.context[form].errors.values() for e in errors]
        assert errors == [error.message], url
        assert page.context["chosen"] == parse_period(actor=boss)
    for url in (
        reverse("employees_export", kwargs={"fmt": "csv"}),
        reverse("employees_all_export", kwargs={"fmt": "xlsx"}),
        reverse("employee_purchases_export", kwargs={"employee_id": anne.pk, "fmt": "csv"}),
    ):
        response = web.get(url, params)
        assert (response.status_code, response.content.decode()) == (400, error.message), url
    api = JsonApi(boss)
    for path in ("/employees", f"/employees/{anne.pk}", f"/employees/{anne.pk}/purchases"):
        response = api.get(path, params)
        assert response.status_code == 400, path
        assert response.json() == {"code": "invalid_period", "message": error.message}, path


def test_days_outside_the_bounds_are_refused_and_the_bounds_themselves_taken(boss) -> None:
    both = parsed(boss, {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()})
    assert both.range == DateRange(FIRST_DAY, LAST_DAY)
    for params in (
        {"from": (FIRST_DAY - timedelta(days=1)).isoformat()},
        {"to": (LAST_DAY + timedelta(days=1)).isoformat()},
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
    ):
        with pytest.raises(PeriodError):
            parsed(boss, params)
