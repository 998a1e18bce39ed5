"""The demo's budgets: the self-service employees have a budget for the current period, set by
the company admin or their supervisor, and have spent part of it, whatever the date."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError
from django.utils import timezone

from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.selectors import BudgetFigures, figures_for_employees
from kvote.budgets.services import budget_set, company_budget_period_set
from kvote.catalog.models import AgreedPrice
from kvote.companies.models import Company
from kvote.companies.periods import PeriodKind, period_containing
from kvote.demo.tests.conftest import run_seed
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee, User

pytestmark = [pytest.mark.django_db]

# email: (budget, spent between, set by)
BUDGETS = {
    "ansatt1@nordlys.example": (
        Decimal("5000.00"),
        (Decimal(1500), Decimal(2500)),
        "admin@nordlys.example",
    ),
    "ansatt2@nordlys.example": (
        Decimal("2000.00"),
        (Decimal(800), Decimal(1300)),
        "admin@nordlys.example",
    ),
    "ansatt1@fjord.example": (
        Decimal("3000.00"),
        (Decimal(1000), Decimal(1800)),
        "leder@fjord.example",
    ),
}
# Emma Strand (1006, no login): the budget an order in the demo waits on (see waiting.py).
WAITING_BUDGET = ("Nordlys Bygg AS", "1006", Decimal("1000.00"), "admin@nordlys.example")
HISTORY_STATES = {OrderState.RELEASED, OrderState.SENT, OrderState.CONFIRMED, OrderState.SHIPPED}


def employee_of(email: str) -> Employee:
    return Employee.objects.select_related("company").get(user__email=email)


def figures_of(email: str, on: date | None = None) -> BudgetFigures:
    employee = employee_of(email)
    figures = figures_for_employees(
        company_id=employee.company_id, employee_ids=[employee.pk], on=on
    )
    return figures[employee.pk]


def expect_demo_budgets(now: datetime) -> None:
    """The three self-service budgets for the period holding `now`, partly spent, a history
    that waits for nobody's approval, and Emma's budget, taken over by the order that waits."""
    today = timezone.localdate(now)
    assert Budget.objects.count() == len(BUDGETS) + 1
    for email, (amount, (low, high), set_by) in BUDGETS.items():
        employee = employee_of(email)
        period = employee.company.budget_period_of(today)
        assert period == period_containing(PeriodKind.YEAR, today)  # the demo's period
        budget = Budget.objects.get(employee=employee)
        assert (budget.period_start, budget.period_end, budget.amount) == (
            period.start,
            period.end,
            amount,
        )
        figures = figures_of(email, on=today)
        assert low <= figures.spent <= high, (email, figures.spent)
        assert figures.pending == 0 and figures.remaining > 0
        changes = list(BudgetChange.objects.filter(budget=budget).select_related("actor"))
        assert len(changes) == 1
        assert changes[0].actor is not None and changes[0].actor.email == set_by
        assert (changes[0].old_amount, changes[0].new_amount) == (None, amount)
        in_period = Order.objects.filter(
            lines__recipient=employee,
            placed_at__gte=timezone.make_aware(datetime.combine(period.start, datetime.min.time())),
        ).distinct()
        assert in_period.count() >= 2
        for order in in_period:
            assert order.placed_by.email == email  # for themselves
            assert order.placed_at < now
    history = Order.objects.exclude(idempotency_key__startswith="demo-waiting-")
    assert set(history.values_list("state", flat=True)) <= HISTORY_STATES
    expect_waiting_budget(today)


def expect_waiting_budget(today: date) -> None:
    company, number, amount, set_by = WAITING_BUDGET
    emma = Employee.objects.get(company__name=company, number=number)
    budget = Budget.objects.get(employee=emma)
    period = emma.company.budget_period_of(today)
    assert (budget.period_start, budget.period_end, budget.amount) == (
        period.start,
        period.end,
        amount,
    )
    (change,) = BudgetChange.objects.filter(budget=budget).select_related("actor")
    assert change.actor is not None and change.actor.email == set_by
    waiting = Order.objects.get(company=emma.company, idempotency_key__startswith="demo-waiting-")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    figures = figures_for_employees(company_id=emma.company_id, employee_ids=[emma.pk], on=today)
    assert figures[emma.pk].spent == figures[emma.pk].pending == waiting.total_excl_vat
    assert figures[emma.pk].remaining == amount - waiting.total_excl_vat < 0


@pytest.mark.usefixtures("seeded_demo")
class TestTheSeededDemo:
    def test_budgets_spent_and_change_log(self) -> None:
        expect_demo_budgets(timezone.now())

    def test_ansatt2_can_buy_a_t_shirt_but_a_winter_jacket_goes_over(self) -> None:
        remaining = figures_of("ansatt2@nordlys.example").remaining
        prices = dict(
            AgreedPrice.objects.filter(company__name="Nordlys Bygg AS").values_list(
                "product__code", "price"
            )
        )
        assert prices["AAPW-1201"] <= remaining  # T-skjorte Bomull
        assert prices["AAPW-1001"] > remaining  # Vinterjakke Arktis

    def test_ansatt1s_browser_journey_order_is_within_budget(self) -> None:
        """tests/e2e/test_journey_norwegian.py orders a winter jacket and two softshell jackets
        as ansatt1: the ordinary journey, released at once."""
        prices = dict(
            AgreedPrice.objects.filter(company__name="Nordlys Bygg AS").values_list(
                "product__code", "price"
            )
        )
        journey = prices["AAPW-1001"] + 2 * prices["AAPW-1002"]
        assert journey <= figures_of("ansatt1@nordlys.example").remaining

    def test_the_logins_table_shows_the_budgets(self, seeded_demo: str) -> None:
        lines = seeded_demo.splitlines()
        header = next(line for line in lines if "Email" in line)
        assert header.rstrip().endswith("Budget")
        for email, (amount, _spent, _set_by) in BUDGETS.items():
            line = next(line for line in lines if email in line)
            shown = f"{int(amount) // 1000} {int(amount) % 1000:03d},00"
            assert line.rstrip().endswith(shown), line
        leder = next(line for line in lines if "leder@nordlys.example" in line)
        assert ",00" not in leder

    def test_a_second_run_changes_no_budget(self) -> None:
        before = list(Budget.objects.values_list("pk", "amount", "updated_at").order_by("pk"))
        changes = BudgetChange.objects.count()

        output = run_seed()

        assert "nothing to change" in output
        assert list(Budget.objects.values_list("pk", "amount", "updated_at").order_by("pk")) == (
            before
        )
        assert BudgetChange.objects.count() == changes

    def test_a_changed_budget_is_put_back_and_the_log_says_by_whom(self) -> None:
        employee = employee_of("ansatt1@nordlys.example")
        leder = User.objects.get(email="leder@nordlys.example")  # supervises 1002
        budget_set(actor=leder, employee_id=employee.pk, amount="7000")

        output = run_seed()

        assert "Updated: 1 budget." in output
        budget = Budget.objects.get(employee=employee)
        assert budget.amount == Decimal("5000.00")
        latest = BudgetChange.objects.filter(budget=budget).select_related("actor").first()
        assert latest is not None and latest.actor is not None
        assert (latest.actor.email, latest.old_amount, latest.new_amount) == (
            "admin@nordlys.example",
            Decimal("7000.00"),
            Decimal("5000.00"),
        )

    def test_a_missing_order_from_before_the_period_comes_back_as_it_was(self) -> None:
        """Placed again today it goes over today's budget; dated back before the period, it was
        released when placed, and moves on through the supplier's states as before."""
        employee = employee_of("ansatt2@nordlys.example")
        admin = User.objects.get(email="admin@nordlys.example")
        budget_set(actor=admin, employee_id=employee.pk, amount="0")
        period = employee.company.budget_period_of(timezone.localdate())
        start = timezone.make_aware(datetime.combine(period.start, datetime.min.time()))
        old = Order.objects.filter(placed_by=employee.user, placed_at__lt=start).order_by(
            "-total_excl_vat"
        )[0]
        key, state, placed_at = old.idempotency_key, old.state, old.placed_at
        old.delete()

        run_seed()

        again = Order.objects.get(company=employee.company, idempotency_key=key)
        assert (again.state, again.placed_at) == (state, placed_at)
        first = again.history.order_by("created_at", "pk")[0]
        assert (first.from_state, first.to_state) == ("", OrderState.RELEASED)
        figures = figures_of("ansatt2@nordlys.example")
        assert figures.amount == Decimal("2000.00") and figures.pending == 0

    def test_reset_starts_the_budgets_over(self) -> None:
        old = set(Budget.objects.values_list("pk", flat=True))
        employee = employee_of("ansatt2@nordlys.example")
        admin = User.objects.get(email="admin@nordlys.example")
        budget_set(actor=admin, employee_id=employee.pk, amount="100")

        output = run_seed("--reset")

        assert "Reset: deleted" in output
        assert not old & set(Budget.objects.values_list("pk", flat=True))
        assert BudgetChange.objects.count() == len(BUDGETS) + 1
        expect_demo_budgets(timezone.now())

    def test_an_overlapping_budget_stops_the_seed_and_reset_clears_it(self) -> None:
        admin = User.objects.get(email="admin@nordlys.example")
        nordlys = company_budget_period_set(actor=admin, kind=PeriodKind.QUARTER)
        Budget.objects.filter(company=nordlys).delete()
        employee = employee_of("ansatt1@nordlys.example")
        budget_set(actor=admin, employee_id=employee.pk, amount="900")

        with pytest.raises(CommandError, match="--reset"):
            run_seed()

        nordlys.refresh_from_db()
        assert nordlys.budget_period == PeriodKind.QUARTER  # nothing was changed
        assert Budget.objects.get(employee=employee).amount == Decimal("900.00")

        run_seed("--reset")

        assert Company.objects.get(name="Nordlys Bygg AS").budget_period == PeriodKind.YEAR
        expect_demo_budgets(timezone.now())
