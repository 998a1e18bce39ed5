from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kvote.approvals.errors import ApprovalError
from kvote.approvals.policy import approval_need
from kvote.approvals.selectors import approval_queue, approvers_of, orders_to_decide
from kvote.approvals.services import (
    Decision,
    approval_decide,
    approval_decide_many,
    approval_policy_set,
    substitute_set,
)
from kvote.budgets.selectors import budget_figures
from kvote.common.errors import CommonError, NotFound, ServiceError
from kvote.common.money import format_nok
from kvote.companies.models import ApprovalPolicy
from kvote.jobs.email import email_render
from kvote.jobs.models import Job
from kvote.jobs.services import jobs_run_due
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState, OrderStateChange
from kvote.ordering.services import order_cancel
from kvote.people.models import User
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import give_budget, member, place_order
from tests.world import Fjord, World

S = OrderState


def over_budget_order(world: World, key: str = "over") -> Order:
    """The holder's order beyond the kr 1 000 budget: it waits for the leader."""
    order = place_order(world.holder, "1500.00", key=key)
    assert order.state == S.AWAITING_APPROVAL
    return order


def _emails_to(address: str) -> list[Job]:
    return [job for job in Job.objects.filter(kind="email") if job.payload["to"] == address]


def test_policy_rules() -> None:
    base: dict[str, Any] = {
        "threshold": None,
        "placed_by_budget_holder": True,
        "over_budget_names": [],
        "total_excl_vat": Decimal("5"),
    }
    assert not approval_need(policy=ApprovalPolicy.OVER_BUDGET, **base).needed
    assert approval_need(
        policy=ApprovalPolicy.OVER_BUDGET, **{**base, "over_budget_names": ["Kari"]}
    ).needed
    assert not approval_need(
        policy=ApprovalPolicy.NONE, **{**base, "over_budget_names": ["Kari"]}
    ).needed
    assert approval_need(policy=ApprovalPolicy.ALWAYS, **base).needed
    assert not approval_need(
        policy=ApprovalPolicy.ALWAYS, **{**base, "placed_by_budget_holder": False}
    ).needed
    above = {**base, "threshold": Decimal("4.99")}
    assert approval_need(policy=ApprovalPolicy.NONE, **above).needed
    assert not approval_need(
        policy=ApprovalPolicy.NONE, **{**above, "threshold": Decimal("5")}
    ).needed


@pytest.mark.django_db
def test_the_supervisor_gets_the_order_with_its_budget_effect_and_an_email(world: World) -> None:
    order = over_budget_order(world)
    assert list(orders_to_decide(actor=world.leader)) == [order]
    assert list(orders_to_decide(actor=world.admin)) == []  # a supervisor exists
    assert approvers_of(order=order) == [world.leader]
    assert len(_emails_to(world.leader.email)) == 1
    [entry] = approval_queue(actor=world.leader)
    [effect] = entry.effects
    assert (
        effect.budget,
        effect.spent_before,
        effect.remaining_before,
        effect.this_order,
        effect.remaining_after,
    ) == (
        Decimal("1000.00"),
        Decimal("0.00"),  # the order itself counts (it awaits approval) but not before it
        Decimal("1000.00"),
        Decimal("1500.00"),
        Decimal("-500.00"),
    )


@pytest.mark.django_db
def test_the_approvers_emails_are_queued_unrendered(world: World) -> None:
    order = over_budget_order(world)
    [job] = _emails_to(world.leader.email)
    assert job.payload == {
        "to": world.leader.email,
        "language": "en",  # the world reads English
        "subject_template": "approvals/email/awaiting_subject.txt",
        "body_template": "approvals/email/awaiting_body.txt",
        "context": {
            "number": order.number,
            "orderer_name": world.holder.full_name,
            "total_excl_vat": "1500.00",
            "approver_name": world.leader.full_name,
            "base_url": settings.KVOTE_BASE_URL,
            "path": reverse("approvals:queue"),
        },
    }


@pytest.mark.django_db
def test_the_worker_writes_each_approvers_email_in_their_language(world: World) -> None:
    User.objects.filter(pk=world.leader.pk).update(language="en")
    stand_in = member(world.company, language="nb")
    today = timezone.localdate()
    substitute_set(actor=world.leader, substitute_id=stand_in.pk, starts_on=today, ends_on=today)
    order = over_budget_order(world)
    assert mail.outbox == []
    jobs_run_due(worker="w")
    sent = {message.to[0]: message for message in mail.outbox}
    english, norwegian = sent[world.leader.email], sent[stand_in.email]
    assert english.subject == f"Order {order.number} awaits your approval"
    assert english.body.startswith(f"Hello {world.leader.full_name},\n")
    amount = order.total_excl_vat
    assert f"has placed order {order.number} ({format_nok(amount, 'en')} excl. VAT)" in english.body
    assert norwegian.subject == f"Ordre {order.number} venter på godkjenning fra deg"
    assert norwegian.body.startswith(f"Hei {stand_in.full_name},\n")
    assert f"lagt inn ordre {order.number} ({format_nok(amount, 'nb')} eks. mva.)" in norwegian.body
    for message in (english, norwegian):
        assert f"{settings.KVOTE_BASE_URL}{reverse('approvals:queue')}" in message.body


@pytest.mark.django_db
def test_approving_releases_and_tells_the_orderer(world: World) -> None:
    order = over_budget_order(world)
    approval_decide(actor=world.leader, order_id=order.pk, decision=Decision.APPROVE, comment="OK")
    order.refresh_from_db()
    assert (order.state, order.decided_by, order.decision_comment) == (
        S.RELEASED,
        world.leader,
        "OK",
    )
    assert OrderStateChange.objects.filter(
        order=order, to_state=S.RELEASED, actor=world.leader, comment="OK"
    ).exists()
    [mail] = _emails_to(world.holder.email)
    subject, _body = email_render(mail.payload)
    assert order.number in subject


@pytest.mark.django_db
def test_rejecting_needs_a_comment_and_frees_the_budget(world: World) -> None:
    order = over_budget_order(world)
    with pytest.raises(ServiceError) as exc:
        approval_decide(
            actor=world.leader, order_id=order.pk, decision=Decision.REJECT, comment="  "
        )
    assert exc.value.code == ApprovalError.COMMENT_REQUIRED
    approval_decide(
        actor=world.leader, order_id=order.pk, decision=Decision.REJECT, comment="Too dear"
    )
    figures = budget_figures(actor=world.admin, employee_ids=[world.holder.employee.pk])[
        world.holder.employee.pk
    ]
    assert (figures.spent, figures.pending, figures.remaining) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1000.00"),
    )
    _subject, body = email_render(_emails_to(world.holder.email)[0].payload)
    assert "Too dear" in body


@pytest.mark.django_db
def test_a_late_second_decision_is_told_who_decided(world: World) -> None:
    order = over_budget_order(world)
    approval_decide(actor=world.leader, order_id=order.pk, decision=Decision.APPROVE)
    world.admin.language = "en"
    with pytest.raises(ServiceError) as exc:
        approval_decide(
            actor=world.leader, order_id=order.pk, decision=Decision.REJECT, comment="No"
        )
    assert exc.value.code == OrderError.ALREADY_DECIDED
    assert world.leader.full_name in exc.value.message
    assert OrderStateChange.objects.filter(order=order).count() == 2


@pytest.mark.django_db
def test_nobody_decides_an_order_they_placed_not_even_an_admin(world: World) -> None:
    give_budget(world.admin.employee, Decimal("10.00"))  # nobody sets their own
    order = place_order(world.admin, "50.00", key="admin-own")
    assert order.state == S.AWAITING_APPROVAL  # over the admin's own budget
    with pytest.raises(ServiceError) as exc:
        approval_decide(actor=world.admin, order_id=order.pk, decision=Decision.APPROVE)
    assert exc.value.code == ApprovalError.CANNOT_APPROVE_OWN_ORDER
    assert world.admin not in approvers_of(order=order)


@pytest.mark.django_db
def test_where_the_supervisor_placed_the_order_the_admins_decide(world: World) -> None:
    order = place_order(world.leader, "1500.00", key="by-leader", recipient=world.holder.employee)
    assert order.state == S.AWAITING_APPROVAL
    assert approvers_of(order=order) == [world.admin]
    with pytest.raises(ServiceError) as exc:
        approval_decide(actor=world.leader, order_id=order.pk, decision=Decision.APPROVE)
    assert exc.value.code == ApprovalError.CANNOT_APPROVE_OWN_ORDER
    approval_decide(actor=world.admin, order_id=order.pk, decision=Decision.APPROVE)


@pytest.mark.django_db
def test_a_substitute_decides_while_the_approver_is_away(world: World) -> None:
    stand_in = world.buyer
    order = over_budget_order(world)
    today = timezone.localdate()
    with pytest.raises(NotFound):  # not an approver of it: the order is not found
        approval_decide(actor=stand_in, order_id=order.pk, decision=Decision.APPROVE)
    substitute_set(
        actor=world.leader,
        substitute_id=stand_in.pk,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=7),
    )
    assert list(orders_to_decide(actor=stand_in)) == []  # not yet
    substitute_set(
        actor=world.leader,
        substitute_id=stand_in.pk,
        starts_on=today - timedelta(days=1),
        ends_on=today,
    )
    assert list(orders_to_decide(actor=stand_in)) == [order]
    approval_decide(actor=stand_in, order_id=order.pk, decision=Decision.APPROVE)
    order.refresh_from_db()
    assert (order.state, order.decided_by) == (S.RELEASED, stand_in)


@pytest.mark.django_db
def test_a_decision_other_than_approve_or_reject_is_invalid_not_a_refusal(world: World) -> None:
    order = over_budget_order(world)
    with pytest.raises(ServiceError) as exc:
        approval_decide(actor=world.leader, order_id=order.pk, decision="maybe")
    assert exc.value.code == ApprovalError.INVALID_DECISION
    assert Order.objects.get(pk=order.pk).state == S.AWAITING_APPROVAL


@pytest.mark.django_db
def test_only_approvers_name_substitutes(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ServiceError) as exc:
        substitute_set(
            actor=world.holder, substitute_id=world.admin.pk, starts_on=today, ends_on=today
        )
    assert exc.value.code == ApprovalError.NOT_AN_APPROVER


@pytest.mark.django_db
def test_substitutes_must_be_colleagues_and_dates_in_order(world: World, fjord: Fjord) -> None:
    today = timezone.localdate()
    stranger = fjord.leader
    for kwargs in (
        {"substitute_id": stranger.pk, "starts_on": today, "ends_on": today},
        {"substitute_id": world.leader.pk, "starts_on": today, "ends_on": today},
        {"substitute_id": world.admin.pk, "starts_on": today, "ends_on": today - timedelta(days=1)},
    ):
        with pytest.raises(ServiceError) as exc:
            substitute_set(actor=world.leader, **kwargs)
        assert exc.value.code == ApprovalError.INVALID_SUBSTITUTE


@pytest.mark.django_db
def test_the_orderer_cancels_while_it_waits_and_the_budget_is_freed(world: World) -> None:
    order = over_budget_order(world)
    order_cancel(actor=world.holder, order_id=order.pk)
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    with pytest.raises(ServiceError) as exc:
        approval_decide(actor=world.leader, order_id=order.pk, decision=Decision.APPROVE)
    assert exc.value.code == OrderError.ALREADY_DECIDED
    figures = budget_figures(actor=world.admin, employee_ids=[world.holder.employee.pk])[
        world.holder.employee.pk
    ]
    assert figures.spent == Decimal("0.00")


@pytest.mark.django_db
def test_approve_several_at_once(world: World) -> None:
    orders = [over_budget_order(world, key=f"o{i}") for i in range(3)]
    decided = approval_decide_many(actor=world.leader, order_ids=[o.pk for o in orders])
    assert len(decided) == 3
    assert set(Order.objects.values_list("state", flat=True)) == {S.RELEASED}


@pytest.mark.django_db
def test_policies_always_and_threshold(world: World) -> None:
    approval_policy_set(actor=world.admin, policy=ApprovalPolicy.ALWAYS, threshold="")
    assert place_order(world.holder, "1.00", key="small").state == S.AWAITING_APPROVAL
    buyer = world.buyer
    assert place_order(buyer, "50000.00", key="big").state == S.RELEASED
    approval_policy_set(actor=world.admin, policy=ApprovalPolicy.NONE, threshold="10 000,00")
    assert place_order(buyer, "10000.01", key="above").state == S.AWAITING_APPROVAL
    assert place_order(world.holder, "5000.00", key="over-but-none").state == S.RELEASED
    with pytest.raises(ServiceError) as exc:
        approval_policy_set(actor=world.admin, policy="sometimes", threshold="")
    assert exc.value.code == ApprovalError.INVALID_POLICY
    with pytest.raises(ServiceError) as exc:
        approval_policy_set(actor=world.leader, policy=ApprovalPolicy.NONE, threshold="")
    assert exc.value.code == CommonError.ADMIN_ONLY


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_at_the_same_moment_record_one_decision(world: World) -> None:
    second, other = world.other_leader, world.outsider  # other_leader supervises the outsider
    order = place_order(world.holder, "600.00", key="two", recipient=None)
    order = place_order(world.holder, "900.00", key="three")  # over the 1 000 budget now
    # A line for a second supervisor's employee makes both supervisors approvers.
    from kvote.ordering.models import OrderLine

    line = OrderLine.objects.filter(order=order).first()
    OrderLine.objects.create(
        company_id=order.company_id,
        order=order,
        variant=line.variant,
        item_number=line.item_number,
        product_name=line.product_name,
        colour=line.colour,
        size=line.size,
        quantity=1,
        unit_price=Decimal("1.00"),
        line_total=Decimal("1.00"),
        recipient=other,
        recipient_name=other.name,
        recipient_number=other.number,
    )
    assert set(approvers_of(order=order)) == {world.leader, second}
    actors = [(world.leader, Decision.APPROVE, ""), (second, Decision.REJECT, "No")]
    results = run_at_once(
        2,
        lambda i: approval_decide(
            actor=actors[i][0], order_id=order.pk, decision=actors[i][1], comment=actors[i][2]
        ),
    )
    wins = [r for r in results if isinstance(r, Order)]
    losses = [r for r in results if isinstance(r, ServiceError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == OrderError.ALREADY_DECIDED
    decisions = OrderStateChange.objects.filter(order=order).exclude(from_state="")
    assert decisions.count() == 1
    order.refresh_from_db()
    assert order.decided_by == wins[0].decided_by
