"""What the cart, the checkout, the review and Min side read, in a fixed number of queries."""

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kvote.approvals.policy import ApprovalNeed, ApprovalReason
from kvote.budgets.selectors import BudgetEffect, MyBudget, my_budget
from kvote.catalog.images import Picture, colour_pictures
from kvote.catalog.models import Variant
from kvote.catalog.prices import variant_prices
from kvote.catalog.stock import Availability, availability
from kvote.checkout.drafts import (
    Assessment,
    amounts_by_recipient,
    assess,
    line_problem,
    line_total,
    orderable_product_ids,
    ordered,
    own_employee,
    recipient_for,
)
from kvote.checkout.models import Cart, CartLine
from kvote.common.errors import ServiceError, not_found
from kvote.common.money import Totals
from kvote.common.tenancy import get_scoped, scoped
from kvote.companies.models import DeliveryAddress, EntitlementPolicy
from kvote.kits.catalogue import CatalogueKit
from kvote.kits.selectors import (
    EmployeeKit,
    EntitlementEffect,
    RecipientEntitlements,
    entitlements_by_recipient,
    kits_for_employees,
)
from kvote.ordering.models import OrderLine, OrderState
from kvote.ordering.selectors import OrderRow, my_orders, order_rows, order_visible_to
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.selectors import RECIPIENTS_SHOWN
from kvote.people.selectors import recipient_choices as recipient_choices

EMPLOYEE_CHOICES_LIMIT = RECIPIENTS_SHOWN


@dataclass
class CartRow:
    line: CartLine
    unit_price: Decimal
    line_total: Decimal
    problem: str = ""
    picture: Picture | None = None  # its colour's small picture (cart_view(pictures=True))

    @property
    def availability(self) -> Availability:
        """How its quantity will be delivered as the stock stands now (kvote.catalog.stock):
        from stock, or partly or wholly as a back order, and when."""
        return availability(self.line.variant, self.line.quantity)


@dataclass
class CartView:
    cart: Cart | None
    rows: list[CartRow] = field(default_factory=list)
    totals: Totals = field(default_factory=lambda: Totals.of(Decimal(0)))

    @property
    def is_empty(self) -> bool:
        return not self.rows


def cart_of(*, actor: User) -> Cart | None:
    return scoped(Cart, actor).filter(user=actor).select_related("company").first()


def access_cart_line(*, actor: User, line_id: int, for_update: bool = False) -> CartLine:
    """One line of the actor's own cart; NotFound for anyone else's (of the company or not)."""
    lines = CartLine.objects.select_for_update() if for_update else CartLine.objects.all()
    return get_scoped(lines, actor, pk=line_id, cart__user=actor)


def reorder_lines(
    *, actor: User, order_id: int, recipient_id: int | None = None
) -> list[OrderLine]:
    """The lines of an earlier order the actor may order again («Bestill igjen»), with their
    variants, products and recipients: every line of an order the actor may open
    (kvote.ordering.selectors.order_visible_to), and the lines for the employees the actor
    manages (a supervisor's drill-down: `roles.managed_employees`); with `recipient_id`, only
    those for that employee (what the drill-down shows). NotFound when there are none (another
    company's order, a colleague's). One query."""
    managed = roles.managed_employees(actor, scoped(Employee, actor)).values("pk")
    lines = scoped(OrderLine, actor).filter(order_id=order_id)
    if recipient_id is not None:
        lines = lines.filter(recipient_id=recipient_id)
    found = list(
        lines.filter(
            Q(order__in=order_visible_to(actor=actor).values("pk")) | Q(recipient__in=managed)
        )
        .select_related("order", "variant__product", "recipient")
        .order_by("id")
    )
    if not found:
        raise not_found()
    return found


def variants_by_code(*, codes: Collection[str]) -> dict[str, Variant]:
    """The variants (with their products) whose item numbers are one of `codes` (each folded by
    kvote.common.text.fold_code: any case, with or without dashes and spaces), by folded item
    number. One query for any number of codes; none for none."""
    if not codes:
        return {}
    variants = (
        Variant.objects.filter(search_code__in=set(codes))  # fold_code(item_number), stored
        .select_related("product")
        .order_by("pk")
    )
    return {variant.search_code: variant for variant in variants}


def cart_line_count(*, actor: User) -> int:
    return scoped(CartLine, actor).filter(cart__user=actor).count()


def cart_view(*, actor: User, pictures: bool = True) -> CartView:
    """The cart with prices the actor's company pays now, its totals and (unless `pictures`
    is false: a save's answer shows none) each line's small picture. Four queries; three
    without pictures."""
    cart = cart_of(actor=actor)
    if cart is None:
        return CartView(cart=None)
    lines = list(
        scoped(CartLine, actor)
        .filter(cart=cart)
        .select_related("variant__product", "recipient")
        .order_by("created_at", "id")
    )
    prices = variant_prices(company_id=cart.company_id, variants=[line.variant for line in lines])
    shown = (
        colour_pictures(pairs=[(line.variant.product_id, line.variant.colour) for line in lines])
        if pictures and lines
        else {}
    )
    rows = []
    for line in lines:
        unit_price = prices[line.variant_id].amount
        rows.append(
            CartRow(
                line=line,
                unit_price=unit_price,
                line_total=line_total(unit_price, line.quantity),
                picture=shown.get((line.variant.product_id, line.variant.colour)),
            )
        )
    return CartView(
        cart=cart, rows=rows, totals=Totals.of(sum((r.line_total for r in rows), Decimal(0)))
    )


def delivery_addresses(*, actor: User) -> QuerySet[DeliveryAddress]:
    return scoped(DeliveryAddress, actor).filter(is_active=True).order_by("-is_default", "label")


# --- Pages of the checkout -------------------------------------------------------------


@dataclass
class Problem:
    """Something the order service would refuse, and which page fixes it ("cart" or "checkout")."""

    message: str
    fix: str
    line_id: int | None = None


@dataclass
class RecipientOptions:
    employees: list[Employee]
    matches: int


def recipient_search(
    *, actor: User, query: str = "", keep_id: int | None = None
) -> RecipientOptions:
    """The recipient <select>'s options for a search: at most EMPLOYEE_CHOICES_LIMIT matches, and
    the line's current recipient kept first when the search leaves it out."""
    found = list(recipient_choices(actor=actor, query=query)[:EMPLOYEE_CHOICES_LIMIT])
    matches = len(found)
    if keep_id is not None and all(employee.pk != keep_id for employee in found):
        kept = recipient_choices(actor=actor).filter(pk=keep_id).first()
        if kept is not None:
            found.insert(0, kept)
    return RecipientOptions(employees=found, matches=matches)


def cart_problems(*, actor: User, view: CartView) -> list[Problem]:
    """What stops the cart from becoming an order, with each row's `problem` filled in. Two
    queries when the cart has lines, none when it is empty."""
    if view.cart is None or view.is_empty:
        return []
    orderable = orderable_product_ids(
        actor=actor, product_ids=[row.line.variant.product_id for row in view.rows]
    )
    problems = []
    for row in view.rows:
        found = line_problem(
            actor=actor,
            variant=row.line.variant,
            recipient=row.line.recipient,
            orderable_product_ids=orderable,
        )
        if found is not None:
            row.problem = found[1]
            problems.append(Problem(message=row.problem, fix="cart", line_id=row.line.pk))
    return problems


def cart_amounts_by_recipient(*, view: CartView) -> dict[Employee, Decimal]:
    """What the cart would put on each recipient's budget: the same sums `order_submit` draws
    (kvote.checkout.drafts.amounts_by_recipient), from the same prices. Lines without a
    recipient are left out (the review refuses them anyway)."""
    rows = [row for row in view.rows if row.line.recipient is not None]
    return amounts_by_recipient(
        lines=[row.line for row in rows], line_totals=[row.line_total for row in rows]
    )


@dataclass(frozen=True)
class ReviewBudget:
    """One recipient's row of the review's budget table, and the warning when it goes over."""

    effect: BudgetEffect
    is_me: bool


@dataclass
class CheckoutReview:
    cart: CartView
    delivery_lines: list[str]
    customer_reference: str
    problems: list[Problem]
    budgets: list[ReviewBudget] = field(default_factory=list)
    approval: ApprovalNeed = field(default_factory=ApprovalNeed)
    entitlements: list[EntitlementEffect] = field(default_factory=list)  # per kit item touched
    # What the company does with an order beyond a kit (EntitlementPolicy), and the lines it
    # refuses (under `block`; they are among `problems` too).
    kit_policy: str = EntitlementPolicy.APPROVAL
    blocked: list[str] = field(default_factory=list)

    @property
    def effects(self) -> list[BudgetEffect]:
        return [budget.effect for budget in self.budgets]

    @property
    def kits(self) -> list[RecipientEntitlements]:
        """The kit effects, a table per recipient."""
        return entitlements_by_recipient(self.entitlements)

    @property
    def over_kit(self) -> bool:
        """The order takes a recipient beyond their kit."""
        return any(effect.over for effect in self.entitlements)

    @property
    def over_kit_reason(self) -> str:
        """Why the order waits because of a kit: the approval reason `order_submit` records
        (kvote.approvals.policy, ApprovalReason.OVER_ENTITLEMENT); empty when it does not."""
        for kind, reason in zip(self.approval.kinds, self.approval.reasons, strict=True):
            if kind == ApprovalReason.OVER_ENTITLEMENT:
                return reason
        return ""

    @property
    def goes_over(self) -> list[ReviewBudget]:
        """The recipients this order takes below zero («i minus etter kjøp»)."""
        return [budget for budget in self.budgets if budget.effect.goes_over]

    @property
    def needs_approval(self) -> bool:
        """Whether `order_submit` will hold the order for approval: the company's policy asked
        with the same figures (kvote.approvals.selectors.order_approval_need); `approval.reasons`
        says why."""
        return self.approval.needed


def review_assessment(*, actor: User, view: CartView) -> Assessment:
    """What the cart would do to each recipient's budget, and whether the company's policy
    would hold it for approval: the same answer `order_submit` decides by
    (kvote.checkout.drafts.assess). One query when the cart has recipients, whatever the
    number of past orders."""
    if view.cart is None or view.is_empty:
        return Assessment(effects=[], approval=ApprovalNeed())
    return assess(
        company=view.cart.company,
        placed_by=actor,
        amounts=cart_amounts_by_recipient(view=view),
        total_excl_vat=view.totals.excl_vat,
        ordered=[
            ordered(
                variant=row.line.variant, quantity=row.line.quantity, recipient=row.line.recipient
            )
            for row in view.rows
            if row.line.recipient is not None
        ],
    )


def checkout_review(*, actor: User) -> CheckoutReview:
    """The review page: the cart, where it goes, the reference, what still needs fixing, and
    what the order does to each recipient's budget."""
    view = cart_view(actor=actor)
    problems = cart_problems(actor=actor, view=view)
    cart = view.cart
    delivery_lines: list[str] = []
    if cart is not None and cart.use_one_off_address:
        delivery_lines = [
            part
            for part in (
                cart.one_off_name,
                cart.one_off_street,
                f"{cart.one_off_postal_code} {cart.one_off_city}".strip(),
            )
            if part
        ]
        if not (
            cart.one_off_name
            and cart.one_off_street
            and cart.one_off_postal_code
            and cart.one_off_city
        ):
            problems.append(
                Problem(message=_("The delivery address is incomplete."), fix="checkout")
            )
    elif cart is not None and cart.delivery_address_id is not None:
        address = delivery_addresses(actor=actor).filter(pk=cart.delivery_address_id).first()
        if address is not None:
            delivery_lines = [
                address.label,
                address.recipient_name,
                address.street,
                f"{address.postal_code} {address.city}",
            ]
    if not delivery_lines:
        problems.append(Problem(message=_("Choose where the order goes."), fix="checkout"))
    assessment = review_assessment(actor=actor, view=view)
    mine = {
        row.line.recipient.pk
        for row in view.rows
        if row.line.recipient is not None and row.line.recipient.user_id == actor.pk
    }
    budgets = [
        ReviewBudget(effect=effect, is_me=effect.employee_id in mine)
        for effect in assessment.effects
    ]
    problems += [Problem(message=message, fix="cart") for message in assessment.blocked]
    return CheckoutReview(
        cart=view,
        delivery_lines=delivery_lines,
        customer_reference=cart.customer_reference if cart is not None else "",
        problems=problems,
        budgets=budgets,
        approval=assessment.approval,
        entitlements=assessment.entitlements,
        kit_policy=cart.company.over_entitlement
        if cart is not None
        else EntitlementPolicy.APPROVAL,
        blocked=assessment.blocked,
    )


def catalogue_entitlement(*, actor: User, recipient_id: int | None) -> CatalogueKit | None:
    """The kit the catalogue marks (registered as kvote.catalog.entitlements' reader by
    kvote.checkout.apps): that of whom the line is for, by the rule of the cart
    (kvote.checkout.drafts.recipient_for): the chosen recipient when the actor may order for
    them, else (none chosen, or one the actor may not order for) the actor's own employee.
    None without a kit. Two queries without a kit, four with one (five after a refused
    choice); one for a user without an employee record."""
    try:
        employee = recipient_for(actor=actor, recipient_id=recipient_id)
    except ServiceError:
        employee = own_employee(actor=actor)
    if employee is None:
        return None
    company = actor.company
    assert company is not None  # recipient_for reads the actor's company's employees only
    kit = kits_for_employees(company=company, employee_ids=[employee.pk]).get(employee.pk)
    if kit is None:
        return None
    return CatalogueKit(name=employee.name, is_own=employee.user_id == actor.pk, kit=kit)


MY_PAGE_ORDERS = 5


@dataclass
class MyPage:
    user: User
    company_name: str
    roles: list[str]
    employee: Employee | None
    latest_orders: list[OrderRow]
    has_more_orders: bool
    budget: MyBudget | None = None
    awaiting_approval: int = 0
    kit: EmployeeKit | None = None  # «Mitt utstyr»: the own employee's kit, when they have one

    @property
    def budget_bar(self) -> "BudgetBar | None":
        return BudgetBar.of(self.budget) if self.budget is not None else None


@dataclass(frozen=True)
class BudgetBar:
    """The budget bar's parts, in whole percent of its width: what is spent and not waiting,
    and what awaits approval. The bar is the budget wide, or as wide as what is spent when that
    is more; then `limit_percent` marks where the budget ends."""

    approved_percent: int
    pending_percent: int
    limit_percent: int | None = None

    @classmethod
    def of(cls, budget: MyBudget) -> "BudgetBar":
        figures = budget.figures
        width = max(figures.amount, figures.spent)
        if width <= 0:
            return cls(approved_percent=0, pending_percent=0)
        return cls(
            approved_percent=int((figures.spent - figures.pending) * 100 / width),
            pending_percent=int(figures.pending * 100 / width),
            limit_percent=int(figures.amount * 100 / width) if figures.is_over else None,
        )


def my_page(*, actor: User, budget_page: str | None = None) -> MyPage:
    """Min side: who the actor is in the company, their budget with the order lines that used
    it, their kit («Mitt utstyr», kvote.kits.selectors.kits_for_employees) and their latest
    orders, the budget's lines a page (`budget_page`) at a time. Nine queries with a budget,
    ten with a kit, whatever the number of orders and kit items (one more, a count, when the
    budget's lines fill more than a page). The actor's company and roles are the ones loaded
    with them (kvote.people.backends.EmailBackend)."""
    company = actor.company
    if company is None:  # the supplier's staff: no company, no Min side
        raise not_found()
    latest = list(my_orders(actor=actor)[: MY_PAGE_ORDERS + 1])
    employee = own_employee(actor=actor)
    kits = (
        kits_for_employees(company=company, employee_ids=[employee.pk])
        if employee is not None
        else {}
    )
    return MyPage(
        user=actor,
        company_name=company.name,
        roles=roles.role_labels(actor),
        employee=employee,
        kit=kits.get(employee.pk) if employee is not None else None,
        latest_orders=order_rows(actor=actor, orders=latest[:MY_PAGE_ORDERS]),
        has_more_orders=len(latest) > MY_PAGE_ORDERS,
        budget=my_budget(employee=employee, page=budget_page),
        awaiting_approval=my_orders(actor=actor, state=OrderState.AWAITING_APPROVAL).count(),
    )
