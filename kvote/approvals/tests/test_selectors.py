"""Who decides an order: `approvers_of` (the users of an order) and `may_decide` (the orders of a
user) ask one rule, so they agree for every user in every situation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kvote.approvals.models import Substitute
from kvote.approvals.selectors import approvers_of, may_decide
from kvote.approvals.services import Decision, approval_decide
from kvote.budgets.services import budget_set
from kvote.checkout.services import order_submit
from kvote.ordering.models import Order, OrderState
from kvote.people.models import User
from tests.factories import CompanyFactory, VariantFactory, fill_cart, member, place_order

pytestmark = pytest.mark.django_db


class Deciders:
    """A company with two active admins and one who left, two supervisors, budget holders with
    and without a supervisor, and substitutes now, later and for the admin who left; and an
    admin of another company."""

    def __init__(self) -> None:
        self.company = CompanyFactory()
        self.admin = member(self.company, is_company_admin=True)
        self.admin2 = member(self.company, is_company_admin=True, language="en")
        self.gone_admin = member(self.company, is_company_admin=True, is_active=False)
        self.leader = member(self.company, is_supervisor=True, is_approver=True)
        self.second = member(self.company, is_supervisor=True)
        self.holder = self.budget_holder(supervisor=self.leader)
        self.worker = self.budget_holder(supervisor=self.second)
        self.loner = self.budget_holder(supervisor=None)
        self.stand_in = self.substitute_for(self.leader, starts_in=-1)
        self.later = self.substitute_for(self.leader, starts_in=3)
        self.admin_stand_in = self.substitute_for(self.admin2, starts_in=0)
        self.gone_admin_stand_in = self.substitute_for(self.gone_admin, starts_in=-2)
        self.stranger = member(CompanyFactory(), is_company_admin=True)

    def budget_holder(self, *, supervisor: User | None) -> User:
        user = member(self.company)  # a budget holder: budget_set below
        user.employee.supervisor = supervisor
        user.employee.save()
        budget_set(actor=self.admin, employee_id=user.employee.pk, amount="1000")
        return user

    def substitute_for(self, approver: User, *, starts_in: int) -> User:
        substitute = member(self.company)
        today = timezone.localdate()
        Substitute.objects.create(
            company=self.company,
            approver=approver,
            substitute=substitute,
            starts_on=today + timedelta(days=starts_in),
            ends_on=today + timedelta(days=max(starts_in, 0) + 5),
        )
        return substitute


@pytest.fixture
def deciders() -> Deciders:
    return Deciders()


def agreed_approvers(order: Order) -> list[User]:
    """`approvers_of(order)`, after checking it against `may_decide` for every user."""
    found = approvers_of(order=order)
    asked = [
        user
        for user in User.objects.order_by("pk")
        if user.is_active and may_decide(actor=user, order=order)
    ]
    assert found == asked
    return found


def test_the_supervisor_and_the_substitute_standing_in_today(deciders: Deciders) -> None:
    order = place_order(deciders.holder, "1500.00", key="holder")
    assert order.state == OrderState.AWAITING_APPROVAL
    assert agreed_approvers(order) == [deciders.leader, deciders.stand_in]


def test_where_the_supervisor_placed_it_the_active_admins_and_their_substitutes(
    deciders: Deciders,
) -> None:
    order = place_order(
        deciders.leader, "1500.00", key="leader", recipient=deciders.holder.employee
    )
    assert order.state == OrderState.AWAITING_APPROVAL
    assert agreed_approvers(order) == [deciders.admin, deciders.admin2, deciders.admin_stand_in]


def test_without_a_supervisor_the_active_admins_and_their_substitutes(deciders: Deciders) -> None:
    order = place_order(deciders.loner, "1500.00", key="loner")
    assert agreed_approvers(order) == [deciders.admin, deciders.admin2, deciders.admin_stand_in]


def test_an_order_an_admin_placed_goes_to_the_other_admins(deciders: Deciders) -> None:
    budget_set(actor=deciders.admin2, employee_id=deciders.admin.employee.pk, amount="10")
    order = place_order(deciders.admin, "50.00", key="admin")
    assert order.state == OrderState.AWAITING_APPROVAL
    assert agreed_approvers(order) == [deciders.admin2, deciders.admin_stand_in]


def test_with_two_recipients_the_supervisor_who_did_not_place_it(deciders: Deciders) -> None:
    variant = VariantFactory(product__list_price=Decimal("800.00"))
    fill_cart(deciders.leader, variant, recipient=deciders.holder.employee)
    fill_cart(deciders.leader, variant, quantity=2, recipient=deciders.worker.employee)
    order = order_submit(actor=deciders.leader, idempotency_key="two")
    assert order.state == OrderState.AWAITING_APPROVAL
    assert agreed_approvers(order) == [deciders.second]


def test_inactive_admins_and_their_substitutes_do_not_decide(deciders: Deciders) -> None:
    User.objects.filter(pk=deciders.admin2.pk).update(is_active=False)
    order = place_order(deciders.loner, "1500.00", key="left")
    assert agreed_approvers(order) == [deciders.admin]
    User.objects.filter(pk=deciders.gone_admin.pk).update(is_active=True)
    assert agreed_approvers(order) == [
        deciders.admin,
        deciders.gone_admin,
        deciders.gone_admin_stand_in,
    ]


def test_a_decided_order_has_no_approvers(deciders: Deciders) -> None:
    order = place_order(deciders.holder, "1500.00", key="decided")
    approval_decide(actor=deciders.leader, order_id=order.pk, decision=Decision.APPROVE)
    assert agreed_approvers(order) == []
    within = place_order(deciders.loner, "10.00", key="within")
    assert within.state == OrderState.RELEASED
    assert agreed_approvers(within) == []


def test_nobody_decides_an_order_for_their_own_record_nor_stands_in_on_it(
    deciders: Deciders,
) -> None:
    """A line for an admin's own record: the admin, and the substitute standing in for them,
    are passed over; the other admin and their substitute decide."""
    buyer = member(deciders.company)
    budget_set(actor=deciders.admin, employee_id=deciders.admin2.employee.pk, amount="10")
    variant = VariantFactory(product__list_price=Decimal("800.00"))
    fill_cart(buyer, variant, recipient=deciders.admin2.employee)
    order = order_submit(actor=buyer, idempotency_key="for-admin2")
    assert order.state == OrderState.AWAITING_APPROVAL
    assert agreed_approvers(order) == [deciders.admin]


def test_a_recipient_supervisor_is_passed_over_like_the_placer(deciders: Deciders) -> None:
    """Lines for the leader's own record and the leader's employee: the leader decides none
    of it; the leader's own supervisor (second) does; the leader's substitutes stand in for
    nobody here."""
    deciders.leader.employee.supervisor = deciders.second
    deciders.leader.employee.save()
    budget_set(actor=deciders.admin, employee_id=deciders.leader.employee.pk, amount="10")
    buyer = member(deciders.company)
    variant = VariantFactory(product__list_price=Decimal("800.00"))
    fill_cart(buyer, variant, recipient=deciders.holder.employee)
    fill_cart(buyer, variant, recipient=deciders.leader.employee)
    order = order_submit(actor=buyer, idempotency_key="for-leader")
    assert order.state == OrderState.AWAITING_APPROVAL
    assert agreed_approvers(order) == [deciders.second]
