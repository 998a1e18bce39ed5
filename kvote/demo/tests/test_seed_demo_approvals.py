"""The demo's approval rules and the order that waits: Nordlys approves orders over budget,
Fjord every order by a budget holder and any above 10 000,00; one order (for Emma Strand, 1006)
waits for leder@nordlys.example, with its email queued; the browser journeys' budgets are as
they were."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kvote.approvals.selectors import approval_queue, approvers_of, orders_to_decide
from kvote.approvals.services import approval_decide
from kvote.budgets.selectors import figures_for_employees
from kvote.catalog.models import AgreedPrice, Variant
from kvote.checkout.services import cart_add, checkout_details_save, order_submit
from kvote.companies.models import ApprovalPolicy, Company, DeliveryAddress
from kvote.demo.seed import seed_demo
from kvote.demo.tests.conftest import run_seed
from kvote.demo.tests.test_seed_demo_budgets import HISTORY_STATES
from kvote.demo.tests.test_seed_demo_dates import at_the_clock
from kvote.jobs.email import email_render
from kvote.jobs.models import Job, JobStatus
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

LEDER = "leder@nordlys.example"


def remaining_of(email: str) -> Decimal:
    employee = Employee.objects.get(user__email=email)
    figures = figures_for_employees(company_id=employee.company_id, employee_ids=[employee.pk])
    return figures[employee.pk].remaining


def waiting_orders() -> list[Order]:
    return list(Order.objects.filter(state=OrderState.AWAITING_APPROVAL).order_by("pk"))


def test_the_companies_approval_policies() -> None:
    nordlys = Company.objects.get(name="Nordlys Bygg AS")
    fjord = Company.objects.get(name="Fjord Elektro AS")
    assert (nordlys.approval_policy, nordlys.approval_threshold) == (
        ApprovalPolicy.OVER_BUDGET,
        None,
    )
    assert (fjord.approval_policy, fjord.approval_threshold) == (
        ApprovalPolicy.ALWAYS,
        Decimal("10000.00"),
    )


def test_one_order_awaits_leder_with_the_budget_effect() -> None:
    leder = User.objects.get(email=LEDER)
    (order,) = waiting_orders()
    assert list(orders_to_decide(actor=leder)) == [order]
    assert order.placed_by.email == "innkjop@nordlys.example"
    assert approvers_of(order=order) == [leder]  # his employee; no admin decides it
    (shown,) = approval_queue(actor=leder)
    (effect,) = shown.effects
    price = AgreedPrice.objects.get(company=order.company, product__code="AAPW-1001").price
    assert (effect.name, effect.number, effect.this_order) == ("Emma Strand", "1006", price)
    assert (effect.budget, effect.spent_before) == (Decimal("1000.00"), Decimal("0.00"))
    assert effect.remaining_before == Decimal("1000.00")
    assert effect.remaining_after == Decimal("1000.00") - price < 0
    assert order.placed_at < timezone.now()
    assert order.placed_at == Order.objects.latest("placed_at").placed_at  # numbers rise too
    assert [(h.from_state, h.to_state) for h in order.history.all()] == [
        ("", OrderState.AWAITING_APPROVAL)
    ]
    for email in ("admin@nordlys.example", "innkjop@nordlys.example", "leder@fjord.example"):
        assert not orders_to_decide(actor=User.objects.get(email=email)).exists()


def test_the_only_email_queued_tells_leder_about_the_waiting_order() -> None:
    (order,) = waiting_orders()
    (job,) = Job.objects.all()
    assert (job.kind, job.status, job.company_id) == ("email", JobStatus.PENDING, order.company_id)
    assert job.payload["to"] == LEDER
    subject, _body = email_render(job.payload)
    assert order.number in subject


def test_the_browser_journeys_budgets_are_as_they_were() -> None:
    """test_journey_norwegian.py needs 3 297,00 left for ansatt1; test_journey_over_budget.py
    and test_journey_approval.py count on ansatt2's 816,00."""
    assert remaining_of("ansatt1@nordlys.example") == Decimal("3436.00")
    assert remaining_of("ansatt2@nordlys.example") == Decimal("816.00")
    assert remaining_of("ansatt1@fjord.example") == Decimal("1553.00")


def test_a_second_run_places_no_second_waiting_order_and_queues_no_email() -> None:
    (order,) = waiting_orders()

    output = run_seed()

    assert "nothing to change" in output
    assert waiting_orders() == [order]
    assert Job.objects.count() == 1


def test_a_decided_waiting_order_stays_decided_until_reset() -> None:
    (order,) = waiting_orders()
    approval_decide(actor=User.objects.get(email=LEDER), order_id=order.pk, decision="approve")

    run_seed()

    order.refresh_from_db()
    assert order.state == OrderState.RELEASED and waiting_orders() == []

    output = run_seed("--reset")

    assert "Reset: deleted" in output
    (again,) = waiting_orders()
    assert again.pk != order.pk
    assert list(orders_to_decide(actor=User.objects.get(email=LEDER))) == [again]
    assert list(Job.objects.values_list("payload__to", flat=True)) == [LEDER]


def test_history_placed_again_waits_for_nobody_and_the_rules_stay() -> None:
    """Fjord approves every order of a budget holder now; a missing order of ansatt1@fjord from
    earlier in the period is placed again as it was: released, with no email."""
    fjord = Company.objects.get(name="Fjord Elektro AS")
    updated_at = fjord.updated_at
    missing = Order.objects.filter(placed_by__email="ansatt1@fjord.example").latest("placed_at")
    period = fjord.budget_period_of(timezone.localdate())
    assert timezone.localdate(missing.placed_at) in period  # judged by today's rules
    key, state = missing.idempotency_key, missing.state
    missing.delete()

    run_seed()

    again = Order.objects.get(company=fjord, idempotency_key=key)
    assert again.state == state and state in HISTORY_STATES
    assert Job.objects.count() == 1
    fjord.refresh_from_db()
    assert (fjord.approval_policy, fjord.approval_threshold, fjord.updated_at) == (
        ApprovalPolicy.ALWAYS,
        Decimal("10000.00"),
        updated_at,
    )


def test_a_new_order_by_fjords_budget_holder_waits_for_his_leader() -> None:
    buyer = User.objects.get(email="ansatt1@fjord.example")
    variant = Variant.objects.filter(product__code="AAPW-1503", is_active=True).first()
    assert variant is not None
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    checkout_details_save(
        actor=buyer,
        delivery_address_id=DeliveryAddress.objects.get(company=buyer.company, is_default=True).pk,
    )

    order = order_submit(actor=buyer, idempotency_key="fjord-new")

    assert order.state == OrderState.AWAITING_APPROVAL  # within budget, yet `always`
    assert list(orders_to_decide(actor=User.objects.get(email="leder@fjord.example"))) == [order]


def test_the_command_says_who_the_waiting_order_waits_for(seeded_demo: str) -> None:
    (order,) = waiting_orders()
    line = next(line for line in seeded_demo.splitlines() if order.number in line)
    assert LEDER in line


def test_seeding_on_new_years_night_still_numbers_in_date_order() -> None:
    now = timezone.make_aware(datetime(2027, 1, 1, 0, 20))

    with at_the_clock(now):
        seed_demo(reset=True, now=now)

    (order,) = waiting_orders()
    assert timezone.localdate(order.placed_at) == now.date() and order.placed_at < now
    numbers = list(Order.objects.order_by("placed_at", "pk").values_list("number", flat=True))
    assert numbers == sorted(numbers)
