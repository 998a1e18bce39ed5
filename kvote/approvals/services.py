"""Deciding orders, cancelling them, substitutes and the company's policy."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.approvals.errors import ApprovalError
from kvote.approvals.models import Substitute
from kvote.approvals.selectors import access_decidable_order, approvers_of, decides_whatever_state
from kvote.budgets.services import parse_budget_amount
from kvote.common.errors import CommonError, ServiceError
from kvote.common.tenancy import company_id_of, get_scoped
from kvote.common.text import clean_text
from kvote.companies.models import ApprovalPolicy, Company, EntitlementPolicy
from kvote.jobs.email import Email, email_enqueue, emails_enqueue
from kvote.ordering.errors import OrderError
from kvote.ordering.models import Order, OrderState
from kvote.ordering.services import already_decided
from kvote.ordering.states import order_transition
from kvote.people import roles
from kvote.people.models import User

COMMENT_MAX = 1000


class Decision:
    APPROVE = "approve"
    REJECT = "reject"


def _decision_checked(*, decision: str, comment: str) -> tuple[str, str]:
    """The state a decision leads to and its cleaned comment (required to reject)."""
    comment = clean_text(
        comment,
        max_length=COMMENT_MAX,
        label=_("The comment"),
        code=ApprovalError.COMMENT_TOO_LONG,
        field="comment",
    )
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise ServiceError(ApprovalError.INVALID_DECISION, _("Choose approve or reject."))
    if decision == Decision.REJECT and not comment:
        raise ServiceError(
            ApprovalError.COMMENT_REQUIRED,
            _("Say why the order is rejected: the orderer reads it."),
            field="comment",
        )
    to_state = OrderState.RELEASED if decision == Decision.APPROVE else OrderState.REJECTED
    return to_state, comment


def _own_order_refused() -> ServiceError:
    return ServiceError(
        ApprovalError.CANNOT_APPROVE_OWN_ORDER, _("Nobody can decide an order they placed.")
    )


def _decide(*, actor: User, order: Order, to_state: str, comment: str) -> None:
    """Move the order (a compare-and-set on its state) and note who decided, when and why."""
    order_transition(order=order, to_state=to_state, actor=actor, comment=comment)
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        decided_by=actor, decided_at=now, decision_comment=comment
    )
    order.decided_by, order.decided_at, order.decision_comment = actor, now, comment
    _tell_orderer(order=order)


def approval_decide(*, actor: User, order_id: int, decision: str, comment: str = "") -> Order:
    """Approve (→ released) or reject one order: a compare-and-set on its state, so a second,
    late decision changes nothing and is told who decided and when.

    The permission comes before the state: an order the actor does not decide
    (kvote.approvals.selectors, "Nobody decides an order for themselves" included) is "not
    found" whatever its state, so its state, decider and time never leak; only its placer
    and its deciders hear that it was already decided."""
    order = access_decidable_order(actor=actor, order_id=order_id)
    if order.placed_by_id == actor.pk:
        raise _own_order_refused()
    to_state, comment = _decision_checked(decision=decision, comment=comment)
    if order.state != OrderState.AWAITING_APPROVAL:
        raise already_decided(order)
    try:
        with transaction.atomic():
            _decide(actor=actor, order=order, to_state=to_state, comment=comment)
    except ServiceError as exc:
        if exc.code == OrderError.STATE_CHANGED:
            raise already_decided(order) from exc
        raise
    return order


class DecideManyError(ServiceError):
    """Nothing was decided: `errors` says why, one refusal per order that could not be."""

    def __init__(self, errors: list[ServiceError], *, count: int) -> None:
        super().__init__(
            ApprovalError.NOT_ALL_DECIDABLE,
            _("Nothing was decided: %(count)d of the chosen orders cannot be.") % {"count": count},
        )
        self.errors = errors


def approval_decide_many(
    *, actor: User, order_ids: list[int], decision: str = Decision.APPROVE, comment: str = ""
) -> list[Order]:
    """Decide several orders from the queue the same way: all or nothing. Every id is checked
    first, in one transaction with the orders locked (in id order): an id the actor may not
    decide (unknown, another company's, one for themselves: named by the id sent, which tells
    nothing the sender did not know), an order they placed, or one already decided makes
    DecideManyError with a refusal for each, and nothing is decided."""
    ids = sorted(set(order_ids))
    if not ids:
        raise ServiceError(ApprovalError.NO_ORDERS, _("Tick the orders you want to decide."))
    to_state, comment = _decision_checked(decision=decision, comment=comment)
    with transaction.atomic():
        orders = list(
            decides_whatever_state(actor=actor, order_ids=ids)
            .select_related("placed_by")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        found = {order.pk for order in orders}
        unknown = [str(order_id) for order_id in ids if order_id not in found]
        refusals = [
            _own_order_refused() if order.placed_by_id == actor.pk else already_decided(order)
            for order in orders
            if order.placed_by_id == actor.pk or order.state != OrderState.AWAITING_APPROVAL
        ]
        if unknown or refusals:
            not_in_queue = ServiceError(
                ApprovalError.NOT_ALL_DECIDABLE,
                _("These orders are not in your queue: %(ids)s.") % {"ids": ", ".join(unknown)},
            )
            raise DecideManyError(
                [not_in_queue, *refusals] if unknown else refusals,
                count=len(unknown) + len(refusals),
            )
        for order in orders:
            try:
                _decide(actor=actor, order=order, to_state=to_state, comment=comment)
            except ServiceError as exc:  # decided meanwhile (where rows cannot be locked)
                if exc.code != OrderError.STATE_CHANGED:
                    raise
                raise DecideManyError([already_decided(order)], count=1) from exc
    return orders


def approvers_notify(*, order: Order) -> None:
    """Queue an email to each approver of a new order awaiting approval (inside the order's
    transaction: the emails exist exactly when the order does). Two queries, whatever the number
    of approvers: the worker renders the emails."""
    context = {
        "number": order.number,
        "orderer_name": order.placed_by.full_name,
        "total_excl_vat": str(order.total_excl_vat),
        "base_url": settings.KVOTE_BASE_URL,
        "path": reverse("approvals:queue"),
    }
    emails_enqueue(
        emails=[
            Email(
                to=approver.email,
                language=approver.language,
                subject_template="approvals/email/awaiting_subject.txt",
                body_template="approvals/email/awaiting_body.txt",
                context={**context, "approver_name": approver.full_name},
            )
            for approver in approvers_of(order=order)
        ],
        company_id=order.company_id,
    )


def _tell_orderer(*, order: Order) -> None:
    orderer = order.placed_by
    email_enqueue(
        to=orderer.email,
        language=orderer.language,
        subject_template="approvals/email/decided_subject.txt",
        body_template="approvals/email/decided_body.txt",
        context={
            "number": order.number,
            "approved": order.state == OrderState.RELEASED,
            "decider_name": order.decided_by.full_name if order.decided_by else "",
            "comment": order.decision_comment,
            "base_url": settings.KVOTE_BASE_URL,
            "path": reverse("ordering:order_detail", args=[order.pk]),
        },
        company_id=order.company_id,
    )


def substitute_set(
    *, actor: User, substitute_id: int, starts_on: date, ends_on: date
) -> Substitute:
    """An approver names who decides in their place from starts_on to ends_on (inclusive)."""
    if not roles.may_decide_orders(actor):
        raise ServiceError(ApprovalError.NOT_AN_APPROVER, _("Only approvers name substitutes."))
    if ends_on < starts_on:
        raise ServiceError(
            ApprovalError.INVALID_SUBSTITUTE, _("The last day cannot come before the first.")
        )
    if ends_on < timezone.localdate():
        raise ServiceError(ApprovalError.INVALID_SUBSTITUTE, _("The period has already ended."))
    substitute = User.objects.filter(
        company_id=company_id_of(actor), pk=substitute_id, is_active=True
    ).first()
    if substitute is None or substitute.pk == actor.pk:
        raise ServiceError(
            ApprovalError.INVALID_SUBSTITUTE, _("Choose another active user of your company.")
        )
    return Substitute.objects.create(
        company_id=company_id_of(actor),
        approver=actor,
        substitute=substitute,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def substitute_remove(*, actor: User, substitute_row_id: int) -> None:
    get_scoped(Substitute, actor, pk=substitute_row_id, approver=actor).delete()


def approval_policy_set(
    *,
    actor: User,
    policy: str,
    threshold: str | Decimal | None,
    over_entitlement: str | None = None,
) -> Company:
    """A company admin sets the approval policy, the optional threshold (empty: none) and what
    happens to an order beyond a kit (EntitlementPolicy: allow, approval or block; None leaves
    it as it is)."""
    if not roles.is_company_admin(actor):
        raise ServiceError(
            CommonError.ADMIN_ONLY,
            _("Only a company admin can change the approval policy."),
        )
    if policy not in ApprovalPolicy.values:
        raise ServiceError(
            ApprovalError.INVALID_POLICY, _("Choose one of the approval policies."), field="policy"
        )
    if over_entitlement is not None and over_entitlement not in EntitlementPolicy.values:
        raise ServiceError(
            ApprovalError.INVALID_POLICY,
            _("Choose what happens to an order beyond a kit."),
            field="over_entitlement",
        )
    amount = None
    if threshold not in (None, ""):
        try:
            amount = parse_budget_amount(threshold)  # type: ignore[arg-type]
        except ServiceError as exc:
            raise ServiceError(
                ApprovalError.INVALID_POLICY, exc.message, field="threshold"
            ) from exc
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id_of(actor))
        company.approval_policy = policy
        company.approval_threshold = amount
        fields = ["approval_policy", "approval_threshold", "updated_at"]
        if over_entitlement is not None:
            company.over_entitlement = over_entitlement
            fields.append("over_entitlement")
        company.save(update_fields=fields)
        return company
