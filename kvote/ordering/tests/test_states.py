import threading

import pytest
from django.db import connection, connections

from kvote.checkout.services import order_submit
from kvote.common.errors import ServiceError
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState, OrderStateChange
from kvote.ordering.states import TRANSITIONS, is_allowed, order_transition, path_between
from tests.factories import CompanyFactory, VariantFactory, fill_cart, member, place_order

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


def _run_at_once(n: int, work) -> list[object]:
    """Run `work(i)` in n real threads released together; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_one_wins_the_others_are_told() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is proven on PostgreSQL")
    actor = member(CompanyFactory())
    order = place_order(actor)

    copies = [Order.objects.get(pk=order.pk) for _ in range(6)]  # all read as "released"
    results = _run_at_once(
        6, lambda i: order_transition(order=copies[i], to_state=S.SENT, actor=None)
    )
    wins = [r for r in results if isinstance(r, OrderStateChange)]
    losses = [r for r in results if isinstance(r, ServiceError)]
    assert len(wins) == 1
    assert len(losses) == 5
    assert {loss.code for loss in losses} == {OrderError.STATE_CHANGED}
    assert OrderStateChange.objects.filter(order=order, to_state=S.SENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_the_same_moment_makes_one_order() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is proven on PostgreSQL")
    actor = member(CompanyFactory())
    fill_cart(actor, VariantFactory(), quantity=2)
    results = _run_at_once(8, lambda i: order_submit(actor=actor, idempotency_key="click").pk)
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
