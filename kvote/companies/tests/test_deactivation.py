"""A deactivated company: nothing of it is released, by any path, and its orders already
released wait in the outbox until it is active again. (Logins, sessions and tokens:
kvote.people.tests.test_access.)"""

from pathlib import Path

import pytest

from kvote.approvals.services import approval_decide
from kvote.checkout.services import order_submit
from kvote.common.errors import ServiceError
from kvote.companies.models import ApprovalPolicy, Company
from kvote.jobs.lease import LeaseStatus
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState, OrderStateChange
from kvote.ordering.states import order_transition
from kvote.supplier.models import Delivery
from kvote.supplier.services import deliveries_run_due, order_status_report
from kvote.supplier.transports import FolderTransport
from tests.factories import CompanyFactory, VariantFactory, fill_cart, member, place_order

pytestmark = pytest.mark.django_db


def _set_active(company: Company, active: bool) -> None:
    company.is_active = active
    company.save()


def test_an_order_placed_for_an_inactive_company_is_not_released_nor_kept() -> None:
    buyer = member(CompanyFactory())
    fill_cart(buyer, VariantFactory())
    _set_active(buyer.company, False)
    with pytest.raises(ServiceError) as exc:
        order_submit(actor=buyer, idempotency_key="k")
    assert exc.value.code == OrderError.COMPANY_INACTIVE
    assert not Order.objects.exists() and not Delivery.objects.exists()


def test_an_order_awaiting_approval_stays_so_while_the_company_is_inactive() -> None:
    company = CompanyFactory(approval_policy=ApprovalPolicy.ALWAYS)
    buyer = member(company, budget="1000")
    approver = member(company, is_company_admin=True, is_approver=True)
    waiting = place_order(buyer, key="w")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    _set_active(company, False)
    with pytest.raises(ServiceError) as exc:
        approval_decide(actor=approver, order_id=waiting.pk, decision="approve")
    assert exc.value.code == OrderError.COMPANY_INACTIVE
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL and waiting.decided_by is None
    assert not Delivery.objects.exists()
    # Reject or cancel are not releases: allowed (the orderer is told), nothing goes out.
    _set_active(company, True)
    approval_decide(actor=approver, order_id=waiting.pk, decision="approve")
    assert Delivery.objects.filter(order=waiting).exists()


def test_no_caller_of_the_state_machine_can_release_an_inactive_companys_order() -> None:
    company = CompanyFactory(approval_policy=ApprovalPolicy.ALWAYS)
    waiting = place_order(member(company, budget="1000"), key="w")
    _set_active(company, False)
    with pytest.raises(ServiceError) as exc:
        order_transition(order=waiting, to_state=OrderState.RELEASED, actor=None)
    assert exc.value.code == OrderError.COMPANY_INACTIVE
    waiting.refresh_from_db()
    assert waiting.state == OrderState.AWAITING_APPROVAL
    assert not OrderStateChange.objects.filter(order=waiting, to_state=OrderState.RELEASED).exists()


def test_released_orders_wait_in_the_outbox_and_go_when_the_company_is_back(
    tmp_path: Path,
) -> None:
    buyer = member(CompanyFactory())
    held = place_order(buyer, key="held")
    other = place_order(member(CompanyFactory()), key="other")
    _set_active(buyer.company, False)
    transport = FolderTransport(folder=tmp_path)
    assert deliveries_run_due(worker="w1", transport=transport) == 1  # only the other company's
    assert [p.name for p in tmp_path.iterdir()] == [f"{other.number}.xml"]
    held_delivery = Delivery.objects.get(order=held)
    assert (held_delivery.status, held_delivery.attempts) == (LeaseStatus.PENDING, 0)
    held.refresh_from_db()
    assert held.state == OrderState.RELEASED

    _set_active(buyer.company, True)
    assert deliveries_run_due(worker="w1", transport=transport) == 1
    held.refresh_from_db()
    assert held.state == OrderState.SENT


def test_the_suppliers_replies_on_orders_already_sent_are_still_taken() -> None:
    buyer = member(CompanyFactory())
    order = place_order(buyer)
    order_transition(order=order, to_state=OrderState.SENT, actor=None)
    _set_active(buyer.company, False)
    order_status_report(order_number=order.number, status="confirmed")
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
