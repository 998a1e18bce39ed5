"""Nobody decides an order for themselves (kvote.approvals.selectors, `_deciders`: a recipient
is passed over like the placer, as decider, as substitute, and as the approver a substitute
stands in for); the permission comes before the state (an order one does not decide is "not
found" whatever its state, on the page and in the API); and deciding several orders is all or
nothing."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kvote.api.tests.core_helpers import Api
from kvote.approvals.selectors import approvers_of, orders_to_decide
from kvote.approvals.services import (
    Decision,
    approval_decide,
    approval_decide_many,
    substitute_set,
)
from kvote.checkout.services import order_submit
from kvote.common.errors import NotFound, ServiceError
from kvote.ordering.models import Order, OrderState
from kvote.ordering.services import order_cancel
from kvote.people.models import Employee, User
from tests.factories import VariantFactory, fill_cart, give_budget, member, place_order
from tests.world import Fjord, World

pytestmark = pytest.mark.django_db

S = OrderState


def order_for(buyer: User, *recipients: Employee, key: str) -> Order:
    """An order of one kr 500 line per recipient, each over a kr 10 budget: it waits."""
    for recipient in recipients:
        if not recipient.budgets.exists():
            give_budget(recipient, Decimal("10.00"))
        fill_cart(buyer, VariantFactory(product__list_price=Decimal("500.00")), recipient=recipient)
    order = order_submit(actor=buyer, idempotency_key=key)
    assert order.state == S.AWAITING_APPROVAL
    return order


def refusals(error: Exception) -> list[str]:
    """What a refused decide-many tells, one message per refusal (kvote.approvals.services,
    DecideManyError)."""
    return [e.message for e in getattr(error, "errors", [])]


def cannot_decide(actor: User, order: Order) -> None:
    assert order not in orders_to_decide(actor=actor)
    assert actor not in approvers_of(order=order)
    with pytest.raises(NotFound):
        approval_decide(actor=actor, order_id=order.pk, decision=Decision.APPROVE)
    assert Order.objects.get(pk=order.pk).state == S.AWAITING_APPROVAL


# --- Nobody decides an order for themselves ---------------------------------------------------


def test_an_admin_does_not_decide_an_order_for_their_own_record(world: World) -> None:
    order = order_for(world.buyer, world.admin.employee, key="for-admin")  # no supervisor
    assert approvers_of(order=order) == []  # the only admin is the recipient
    cannot_decide(world.admin, order)
    second = member(world.company, is_company_admin=True, language="en")
    assert approvers_of(order=order) == [second]
    approval_decide(actor=second, order_id=order.pk, decision=Decision.APPROVE)


def test_a_substitute_does_not_stand_in_for_an_approver_on_their_own_order(world: World) -> None:
    order = order_for(world.buyer, world.admin.employee, key="for-admin")
    second = member(world.company, is_company_admin=True, language="en")
    stand_in = member(world.company, language="en")
    today = timezone.localdate()
    substitute_set(actor=world.admin, substitute_id=stand_in.pk, starts_on=today, ends_on=today)
    cannot_decide(stand_in, order)
    assert approvers_of(order=order) == [second]


def test_a_supervisor_who_is_a_recipient_decides_none_of_the_order(world: World) -> None:
    Employee.objects.filter(pk=world.leader.employee.pk).update(supervisor=world.other_leader)
    order = order_for(world.buyer, world.team[0], world.leader.employee, key="both")
    assert approvers_of(order=order) == [world.other_leader]
    cannot_decide(world.leader, order)
    approval_decide(actor=world.other_leader, order_id=order.pk, decision=Decision.APPROVE)


def test_with_nobody_above_a_recipient_supervisor_the_admins_decide(world: World) -> None:
    order = order_for(world.buyer, world.team[0], world.leader.employee, key="both")
    assert approvers_of(order=order) == [world.admin]
    cannot_decide(world.leader, order)


def test_a_substitute_does_not_decide_an_order_for_their_own_record(world: World) -> None:
    Employee.objects.filter(pk=world.buyer.employee.pk).update(supervisor=world.leader)
    orderer = member(world.company, language="en")
    order = order_for(orderer, world.buyer.employee, key="for-buyer")
    today = timezone.localdate()
    substitute_set(actor=world.leader, substitute_id=world.buyer.pk, starts_on=today, ends_on=today)
    assert approvers_of(order=order) == [world.leader]
    cannot_decide(world.buyer, order)


def test_the_api_and_the_page_answer_not_found_for_an_order_for_oneself(world: World) -> None:
    order = order_for(world.buyer, world.admin.employee, key="for-admin")
    response = Api(world.admin).post(f"/approvals/{order.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    client = Client()
    client.force_login(world.admin)
    url = reverse("approvals:decide", args=[order.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert Order.objects.get(pk=order.pk).state == S.AWAITING_APPROVAL


# --- The permission before the state ----------------------------------------------------------


@pytest.fixture
def in_every_state(world: World) -> list[Order]:
    """Orders for the leader's employee, one in each state after waiting."""
    buyer, leader = world.buyer, world.leader
    orders = [order_for(buyer, world.team[0], key=f"s{i}") for i in range(4)]
    approval_decide(actor=leader, order_id=orders[1].pk, decision=Decision.APPROVE)
    approval_decide(actor=leader, order_id=orders[2].pk, decision=Decision.REJECT, comment="No")
    order_cancel(actor=buyer, order_id=orders[3].pk)
    states = [Order.objects.get(pk=o.pk).state for o in orders]
    assert states == [S.AWAITING_APPROVAL, S.RELEASED, S.REJECTED, S.CANCELLED]
    return orders


def _same_page(html: str) -> str:
    """A page without what differs between any two renders: the CSRF token (in forms and in
    htmx's headers), and the path the request named (the header's language switch returns to
    it)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="next" value="[^"]*"', "", html)


@pytest.mark.parametrize("who", ["holder", "other_leader"])
def test_an_unauthorised_actor_gets_the_same_answer_whatever_the_state(
    world: World, in_every_state: list[Order], who: str
) -> None:
    actor = getattr(world, who)
    client = Client()
    client.force_login(actor)
    api = Api(actor)
    for body in ({"decision": "approve"}, {"decision": "reject", "comment": "x"}, {}):
        answers = {
            (
                (
                    response := client.post(reverse("approvals:decide", args=[o.pk]), body)
                ).status_code,
                _same_page(response.content.decode()),
            )
            for o in in_every_state
        }
        assert len(answers) == 1 and next(iter(answers))[0] == 404
    for verb in ("approve", "reject"):
        answers = {
            (r.status_code, r.content)
            for r in (
                api.post(f"/approvals/{o.pk}/{verb}", {"comment": "x"}) for o in in_every_state
            )
        }
        assert answers == {(404, b'{"code": "not_found", "message": "Not found."}')}


def test_a_decider_still_hears_who_decided_first(world: World, in_every_state: list[Order]) -> None:
    with pytest.raises(Exception, match="already decided") as exc:
        approval_decide(actor=world.leader, order_id=in_every_state[1].pk, decision="approve")
    assert world.leader.full_name in str(exc.value)


# --- Deciding several at once: all or nothing --------------------------------------------------


def test_an_unknown_id_decides_nothing_and_is_named(world: World) -> None:
    waiting = order_for(world.buyer, world.team[0], key="w")
    with pytest.raises(ServiceError) as exc:
        approval_decide_many(actor=world.leader, order_ids=[waiting.pk, 999_999])
    assert refusals(exc.value) == ["These orders are not in your queue: 999999."]
    assert Order.objects.get(pk=waiting.pk).state == S.AWAITING_APPROVAL


def test_another_companys_id_is_told_like_an_unknown_one(world: World, fjord: Fjord) -> None:
    waiting = order_for(world.buyer, world.team[0], key="w")
    fjord_buyer = member(fjord.company, language="en")
    theirs = place_order(fjord_buyer, "100.00", key="f")
    with pytest.raises(ServiceError) as exc:
        approval_decide_many(actor=world.leader, order_ids=[theirs.pk, waiting.pk])
    assert refusals(exc.value) == [f"These orders are not in your queue: {theirs.pk}."]
    assert theirs.number not in str(refusals(exc.value))
    assert Order.objects.get(pk=waiting.pk).state == S.AWAITING_APPROVAL


def test_an_order_decided_meanwhile_decides_none_of_the_others(
    world: World, in_every_state: list[Order]
) -> None:
    waiting, released = in_every_state[0], in_every_state[1]
    with pytest.raises(ServiceError) as exc:
        approval_decide_many(actor=world.leader, order_ids=[waiting.pk, released.pk])
    [error] = refusals(exc.value)
    assert released.number in error and "already decided" in error
    assert Order.objects.get(pk=waiting.pk).state == S.AWAITING_APPROVAL


def test_the_page_decides_nothing_keeps_the_ticks_and_names_the_bad_ids(
    world: World, fjord: Fjord
) -> None:
    first = order_for(world.buyer, world.team[0], key="a")
    second = order_for(world.buyer, world.team[1], key="b")
    theirs = place_order(member(fjord.company), "100.00", key="f")
    client = Client()
    client.force_login(world.leader)
    response = client.post(
        reverse("approvals:decide_many"), {"order_ids": [first.pk, second.pk, theirs.pk]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was decided: 1 of the chosen orders cannot be." in page
    assert f"These orders are not in your queue: {theirs.pk}." in page
    assert f'value="{first.pk}" id="choose-{first.pk}" form="decide-many" checked' in page
    assert set(
        Order.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)
    ) == {S.AWAITING_APPROVAL}
    response = client.post(reverse("approvals:decide_many"), {"order_ids": [first.pk, second.pk]})
    assert response.status_code == 302
    assert Order.objects.get(pk=second.pk).state == S.RELEASED


def test_a_substitute_out_of_range_is_told_like_anyone_else(world: World) -> None:
    waiting = order_for(world.buyer, world.team[0], key="w")
    later = member(world.company, language="en")
    tomorrow = timezone.localdate() + timedelta(days=1)
    substitute_set(actor=world.leader, substitute_id=later.pk, starts_on=tomorrow, ends_on=tomorrow)
    with pytest.raises(ServiceError):
        approval_decide_many(actor=later, order_ids=[waiting.pk])
    assert Order.objects.get(pk=waiting.pk).state == S.AWAITING_APPROVAL
