import re

import pytest
from django.utils import translation

from kvote.approvals.services import Decision, approval_decide
from kvote.checkout.services import order_submit
from kvote.common.errors import ServiceError
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState, OrderStateChange
from kvote.ordering.services import already_decided, order_cancel
from kvote.ordering.states import TRANSITIONS, is_allowed, order_transition, path_between
from kvote.supplier.models import Delivery
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import (
    CompanyFactory,
    VariantFactory,
    fill_cart,
    give_budget,
    member,
    place_order,
)
from tests.world import World

S = OrderState


def test_the_transition_table_is_exactly_the_documented_one() -> None:
    allowed = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("", S.AWAITING_APPROVAL),
        ("", S.RELEASED),
        (S.AWAITING_APPROVAL, S.RELEASED),
        (S.AWAITING_APPROVAL, S.REJECTED),
        (S.AWAITING_APPROVAL, S.CANCELLED),
        (S.RELEASED, S.SENT),
        (S.SENT, S.CONFIRMED),
        (S.CONFIRMED, S.SHIPPED),
    }
    assert not is_allowed(S.SHIPPED, S.RELEASED)
    assert not is_allowed(S.REJECTED, S.RELEASED)


@pytest.mark.parametrize(
    ("language", "released", "sent"),
    [
        ("nb", "Sendt til leverandør", "Mottatt av leverandør"),
        ("en", "Sent to supplier", "Received by supplier"),
    ],
)
def test_each_state_reads_in_the_words_of_the_person_who_ordered(
    language: str, released: str, sent: str
) -> None:
    """One label per state (the status tag, the filter and the history all read it), no two
    states alike, and none in the portal's own jargon ("released", «frigitt»)."""
    with translation.override(language):
        labels = {state: str(state.label) for state in S}
    assert len(set(labels.values())) == len(S)
    assert not [label for label in labels.values() if re.search("releas|frigi", label, re.I)]
    assert (labels[S.RELEASED], labels[S.SENT]) == (released, sent)


@pytest.mark.django_db
def test_transitions_write_history_and_refuse_what_is_not_allowed() -> None:
    actor = member(CompanyFactory())
    order = place_order(actor)
    order_transition(order=order, to_state=S.SENT, actor=None)
    order_transition(order=order, to_state=S.CONFIRMED, actor=None, comment="OK")
    with pytest.raises(ServiceError) as exc:
        order_transition(order=order, to_state=S.RELEASED, actor=actor)
    assert exc.value.code == OrderError.INVALID_TRANSITION
    order.refresh_from_db()
    assert order.state == S.CONFIRMED
    assert list(order.history.values_list("from_state", "to_state", "comment")) == [
        ("", S.RELEASED, ""),
        (S.RELEASED, S.SENT, ""),
        (S.SENT, S.CONFIRMED, "OK"),
    ]


@pytest.mark.django_db
def test_a_stale_copy_of_the_order_cannot_change_it() -> None:
    actor = member(CompanyFactory())
    order = place_order(actor)
    stale = Order.objects.get(pk=order.pk)
    order_transition(order=order, to_state=S.SENT, actor=None)
    with pytest.raises(ServiceError) as exc:
        order_transition(order=stale, to_state=S.SENT, actor=None)
    assert exc.value.code == OrderError.STATE_CHANGED
    assert OrderStateChange.objects.filter(order=order, to_state=S.SENT).count() == 1


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_one_wins_the_others_are_told() -> None:
    actor = member(CompanyFactory())
    order = place_order(actor)

    copies = [Order.objects.get(pk=order.pk) for _ in range(6)]  # all read as "released"
    results = run_at_once(
        6, lambda i: order_transition(order=copies[i], to_state=S.SENT, actor=None)
    )
    wins = [r for r in results if isinstance(r, OrderStateChange)]
    losses = [r for r in results if isinstance(r, ServiceError)]
    assert len(wins) == 1
    assert len(losses) == 5
    assert {loss.code for loss in losses} == {OrderError.STATE_CHANGED}
    assert OrderStateChange.objects.filter(order=order, to_state=S.SENT).count() == 1


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_the_same_moment_makes_one_order() -> None:
    actor = member(CompanyFactory())
    fill_cart(actor, VariantFactory(), quantity=2)
    results = run_at_once(8, lambda i: order_submit(actor=actor, idempotency_key="click").pk)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Order.objects.count() == 1


def test_path_between_follows_the_table_and_never_goes_back() -> None:
    assert path_between(S.RELEASED, S.SHIPPED) == [S.SENT, S.CONFIRMED, S.SHIPPED]
    assert path_between(S.SENT, S.CONFIRMED) == [S.CONFIRMED]
    assert path_between(S.CONFIRMED, S.CONFIRMED) == []
    assert path_between(S.SHIPPED, S.CONFIRMED) is None
    assert path_between(S.REJECTED, S.RELEASED) is None
    # Every step of every path is an allowed transition of the one table.
    for start in TRANSITIONS:
        for end in S.values:
            path = path_between(start, end)
            for before, after in zip([start, *(path or [])], path or [], strict=False):
                assert after in TRANSITIONS[before]


def _wait_until_a_backend_waits_for_a_lock(timeout: float = 30.0) -> None:
    """Block until another PostgreSQL session waits on a lock (this one holds it)."""
    import time

    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second transition never waited for the row lock")


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_a_release_that_waited_for_another_decision_is_told_the_state_changed() -> None:
    """The release's compare-and-set (the one that also asks for an active company) keeps the
    state in the UPDATE's own condition: PostgreSQL re-checks that condition on the row a
    concurrent transaction just committed. Written as a join, Django put it in a subquery on
    the statement's old snapshot, and a release that had waited for a rejection went through
    too (two decisions of one order)."""
    import threading

    from django.db import transaction

    actor = member(CompanyFactory())
    order = place_order(actor)
    Delivery.objects.filter(order=order).delete()  # as if it had waited for approval
    Order.objects.filter(pk=order.pk).update(state=S.AWAITING_APPROVAL)
    copies = [Order.objects.get(pk=order.pk) for _ in range(2)]
    rejected = threading.Event()

    def work(i: int) -> object:
        if i == 0:
            with transaction.atomic():
                change = order_transition(order=copies[0], to_state=S.REJECTED, actor=None)
                rejected.set()
                _wait_until_a_backend_waits_for_a_lock()
            return change
        assert rejected.wait(30)
        return order_transition(order=copies[1], to_state=S.RELEASED, actor=None)

    first, second = run_at_once(2, work)
    assert isinstance(first, OrderStateChange), first
    assert isinstance(second, ServiceError) and second.code == OrderError.STATE_CHANGED, second
    order.refresh_from_db()
    assert order.state == S.REJECTED
    assert (
        not OrderStateChange.objects.filter(order=order, to_state=S.RELEASED)
        .exclude(from_state="")
        .exists()
    )


@pytest.mark.django_db
def test_who_comes_too_late_hears_the_decision_not_the_state_it_led_to(world: World) -> None:
    """«approved» for an approved order whether it is still on its way or shipped; an order that
    needed no approval says so, naming nobody as its decider."""
    give_budget(world.team[0], "10.00")
    waiting = [
        place_order(world.buyer, "500.00", key=f"w{i}", recipient=world.team[0]) for i in range(3)
    ]
    assert {order.state for order in waiting} == {S.AWAITING_APPROVAL}
    approval_decide(actor=world.leader, order_id=waiting[0].pk, decision=Decision.APPROVE)
    approval_decide(
        actor=world.leader, order_id=waiting[1].pk, decision=Decision.REJECT, comment="No"
    )
    order_cancel(actor=world.buyer, order_id=waiting[2].pk)
    order_transition(order=Order.objects.get(pk=waiting[0].pk), to_state=S.SENT, actor=None)
    at_once = place_order(world.buyer, "10.00", key="at-once")
    assert at_once.state == S.RELEASED
    with translation.override("en"):
        told = [str(already_decided(order)) for order in [*waiting, at_once]]
    assert told[0].startswith(f"Order {waiting[0].number} was already decided: approved by Liv")
    assert told[1].startswith(f"Order {waiting[1].number} was already decided: rejected by Liv")
    assert told[2].startswith(f"Order {waiting[2].number} was already decided: cancelled by Inga")
    assert told[3] == (
        f"Order {at_once.number} needed no approval: it went to the supplier when it was placed."
    )
