"""Who decides which order, and what an approver sees. One rule, in SQL (`_deciders`):

An order awaiting approval is decided by the supervisors of its recipients (nærmeste leder),
except the one who placed it; where no such supervisor exists, by the company's active admins.
A substitute decides for an approver while the substitution runs. Nobody decides an order they
placed, and only users of the order's company decide it. The rule is asked both ways, each in
one query: the orders a user decides (`orders_to_decide`, `may_decide`) and the users who decide
an order (`approvers_of`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.approvals.models import Substitute
from kvote.approvals.policy import ApprovalNeed, approval_need
from kvote.budgets.selectors import BudgetEffect, BudgetFigures, figures_for_employees
from kvote.common.errors import CommonError, ServiceError
from kvote.common.tenancy import company_id_of, get_scoped, scoped
from kvote.companies.models import ApprovalPolicy, Company
from kvote.companies.periods import Period
from kvote.ordering.models import Order, OrderLine, OrderState
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.roles import Role

# An order's id or its placer's id: Value(id), or an OuterRef to the order of an outer query.
OrderRef = Combinable


def _one_level_down(ref: OrderRef) -> OrderRef:
    """`ref` as a subquery of the query that holds it sees it."""
    return OuterRef(ref) if isinstance(ref, OuterRef) else ref


def _deciders(*, order: OrderRef, placed_by: OrderRef, company_id: int, on: date) -> QuerySet[User]:
    """The users who may decide `order` (placed by `placed_by`, of `company_id`) on `on`: the
    rule of this module, stated once. A user may appear more than once."""
    # The lines whose recipient has a supervisor other than the one who placed the order.
    supervised = OrderLine.objects.filter(
        order=_one_level_down(order), recipient__supervisor__isnull=False
    ).exclude(recipient__supervisor=_one_level_down(placed_by))

    def approves(user: str) -> Q:
        """The user at lookup path `user` ("" for the user row itself) decides the order in
        their own right: a supervisor of those lines or, where there is none, an active admin."""
        return Q(**{f"{user}pk__in": supervised.values("recipient__supervisor")}) | (
            Q(**{f"{user}company_id": company_id, f"{user}is_active": True})
            & roles.role_filter(Role.COMPANY_ADMIN, path=user)
            & ~Q(Exists(supervised))
        )

    # One substitution row, running on `on`, whose approver decides in their own right.
    standing_in = Q(
        substituting_for__company_id=company_id,
        substituting_for__starts_on__lte=on,
        substituting_for__ends_on__gte=on,
    ) & approves("substituting_for__approver__")
    awaiting = Order.objects.filter(pk=_one_level_down(order), state=OrderState.AWAITING_APPROVAL)
    return (
        User.objects.filter(company_id=company_id)
        .exclude(pk=placed_by)
        .filter(approves("") | standing_in)
        .filter(Exists(awaiting))
    )


def principals_of(*, actor: User, on: date | None = None) -> set[int]:
    """The actor and every approver the actor stands in for today."""
    on = on or timezone.localdate()
    standing_in_for = (
        scoped(Substitute, actor)
        .filter(substitute=actor, starts_on__lte=on, ends_on__gte=on)
        .values_list("approver_id", flat=True)
    )
    return {actor.pk, *standing_in_for}


def orders_to_decide(*, actor: User, on: date | None = None) -> QuerySet[Order]:
    """The orders awaiting the actor's decision (or a decision the actor may take as
    substitute), oldest first."""
    deciders = _deciders(
        order=OuterRef("pk"),
        placed_by=OuterRef("placed_by_id"),
        company_id=company_id_of(actor),
        on=on or timezone.localdate(),
    )
    return (
        # The state here only narrows the scan to the waiting orders; the rule checks it too.
        scoped(Order, actor)
        .filter(state=OrderState.AWAITING_APPROVAL)
        .filter(Exists(deciders.filter(pk=actor.pk)))
        .select_related("placed_by")
        .order_by("placed_at", "id")
    )


def may_decide(*, actor: User, order: Order) -> bool:
    return orders_to_decide(actor=actor).filter(pk=order.pk).exists()


def approvers_of(*, order: Order) -> list[User]:
    """Everyone active who may decide `order` now, to tell them. One query, whatever the number
    of admins, supervisors and substitutes."""
    deciders = _deciders(
        order=Value(order.pk),
        placed_by=Value(order.placed_by_id),
        company_id=order.company_id,
        on=timezone.localdate(),
    )
    return list(User.objects.filter(pk__in=deciders.values("pk"), is_active=True).order_by("pk"))


@dataclass(frozen=True)
class RecipientEffect:
    """One recipient's budget seen by the approver: the order's amount is already in `spent`."""

    employee_id: int
    name: str
    number: str
    figures: BudgetFigures
    order_amount: Decimal

    @property
    def remaining_before(self) -> Decimal:
        return self.figures.remaining + self.order_amount

    @property
    def remaining_after(self) -> Decimal:
        return self.figures.remaining


@dataclass(frozen=True)
class OrderToDecide:
    order: Order
    lines: list[OrderLine]
    effects: list[RecipientEffect]

    @property
    def recipients(self) -> list[str]:
        return sorted({f"{line.recipient_name} ({line.recipient_number})" for line in self.lines})


def approval_queue(*, actor: User) -> list[OrderToDecide]:
    """«Til godkjenning»: each order awaiting the actor, with its lines and, per recipient with
    a budget, budget/spent/remaining before and after. A fixed number of queries."""
    orders = list(orders_to_decide(actor=actor))
    if not orders:
        return []
    lines = list(OrderLine.objects.filter(order__in=orders).order_by("order_id", "id"))
    by_order: dict[int, list[OrderLine]] = {o.pk: [] for o in orders}
    for line in lines:
        by_order[line.order_id].append(line)
    result = []
    # Each order counts in the budget period holding its date: one read per period (usually
    # all waiting orders lie in the current one).
    company = Company.objects.get(pk=company_id_of(actor))
    recipient_ids = {line.recipient_id for line in lines}
    figures_by_period: dict[Period, dict[int, BudgetFigures]] = {}
    for order in orders:
        period = company.budget_period_of(timezone.localdate(order.placed_at))
        if period not in figures_by_period:
            figures_by_period[period] = figures_for_employees(
                company_id=company.pk, employee_ids=recipient_ids, on=period.start
            )
        figures = figures_by_period[period]
        amounts: dict[int, Decimal] = {}
        names: dict[int, tuple[str, str]] = {}
        for line in by_order[order.pk]:
            amounts[line.recipient_id] = (
                amounts.get(line.recipient_id, Decimal(0)) + line.line_total
            )
            names[line.recipient_id] = (line.recipient_name, line.recipient_number)
        effects = [
            RecipientEffect(
                employee_id=employee_id,
                name=names[employee_id][0],
                number=names[employee_id][1],
                figures=figures[employee_id],
                order_amount=amount,
            )
            for employee_id, amount in sorted(amounts.items(), key=lambda kv: names[kv[0]])
            if employee_id in figures
        ]
        result.append(OrderToDecide(order=order, lines=by_order[order.pk], effects=effects))
    return result


def responsible_for(*, actor: User) -> QuerySet[Employee]:
    """The employees the actor is responsible for (as supervisor, or standing in)."""
    return (
        scoped(Employee, actor)
        .filter(supervisor_id__in=principals_of(actor=actor), is_active=True)
        .order_by("name", "number")
    )


def substitutes_of(*, actor: User) -> QuerySet[Substitute]:
    return (
        scoped(Substitute, actor)
        .filter(approver=actor, ends_on__gte=timezone.localdate())
        .select_related("substitute")
        .order_by("starts_on")
    )


def company_policy(*, actor: User) -> Company:
    """The actor's company with its approval policy: company admins only (others are refused
    with `admin_only`; the web page does not exist for them)."""
    company_id = company_id_of(actor)  # a user of no company: not found
    if not roles.is_company_admin(actor):
        raise ServiceError(
            CommonError.ADMIN_ONLY, _("Only a company admin can see or change the approval policy.")
        )
    return Company.objects.only("name", "approval_policy", "approval_threshold").get(pk=company_id)


def access_company_order(*, actor: User, order_id: int) -> Order:
    """An order of the actor's company (whether they may decide it is approval_decide's
    answer); NotFound for another company's."""
    return get_scoped(Order, actor, pk=order_id)


def order_approval_need(
    *, company: Company, placed_by: User, effects: list[BudgetEffect], total_excl_vat: Decimal
) -> ApprovalNeed:
    """Whether (and why) an order needs approval under its company's policy: the review page
    tells the orderer, and order_submit decides by the same answer."""
    return approval_need(
        policy=company.approval_policy,
        threshold=company.approval_threshold,
        # Asked only where the answer matters (`always`), so other policies cost no query.
        placed_by_budget_holder=(
            company.approval_policy == ApprovalPolicy.ALWAYS and roles.is_budget_holder(placed_by)
        ),
        over_budget_names=[e.employee.name for e in effects if e.goes_over],
        total_excl_vat=total_excl_vat,
    )
