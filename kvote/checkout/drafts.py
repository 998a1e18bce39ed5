"""What an order will be before it is placed, and the rules it must pass: one place for both ways
of ordering.

The web UI orders what is in the cart; the API orders a list of lines sent with the request.
Both become an `OrderDraft` here (lines priced at the company's prices, where it goes, the
customer's reference), and both ask `assess` what it does to the recipients' budgets and whether
the company's policy holds it for approval. The review page and the API's preview show that;
`kvote.checkout.services` places it. Nothing here writes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from kvote.approvals.policy import ApprovalNeed
from kvote.approvals.selectors import order_approval_need
from kvote.budgets.selectors import BudgetEffect, order_budget_effects
from kvote.catalog.models import Variant
from kvote.catalog.prices import variant_prices
from kvote.catalog.selectors import visible_products
from kvote.checkout.destinations import (
    Destination,
    cart_destination,
    one_off_destination,
    saved_destination,
)
from kvote.checkout.models import Cart, CartLine
from kvote.common.errors import ServiceError
from kvote.common.money import MONEY_MAX_DIGITS, Totals, round_money
from kvote.common.tenancy import company_id_of, scoped
from kvote.common.text import clean_line
from kvote.companies.models import Company, EntitlementPolicy
from kvote.kits.selectors import EntitlementEffect, Ordered, order_entitlement_effects
from kvote.kits.services import over_kit_message
from kvote.ordering.errors import OrderError
from kvote.ordering.models import MAX_QUANTITY
from kvote.people import roles
from kvote.people.models import Employee, User

# The largest order total the database holds (NUMERIC(12, 2)).
MAX_ORDER_TOTAL = Decimal(10 ** (MONEY_MAX_DIGITS - 2)) - Decimal("0.01")
REFERENCE_MAX = 100


def parse_quantity(value: int | str | None) -> int:
    """A whole number from 1 to 999, or a clear refusal."""
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ServiceError(
            OrderError.INVALID_QUANTITY,
            _("The quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY},
            field="quantity",
        )
    return quantity


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return round_money(unit_price * quantity)


def own_employee(*, actor: User) -> Employee | None:
    return scoped(Employee, actor).filter(user=actor, is_active=True).first()


def recipient_for(*, actor: User, recipient_id: int | None) -> Employee | None:
    """The employee a line is for: the actor's own by default; another one only when the role
    allows it."""
    if recipient_id is None:
        return own_employee(actor=actor)
    employee = scoped(Employee, actor).filter(pk=recipient_id, is_active=True).first()
    if employee is None:
        raise ServiceError(
            OrderError.RECIPIENT_NOT_ALLOWED,
            _("The chosen employee cannot receive orders."),
            field="recipient",
        )
    if employee.user_id != actor.pk and not roles.may_choose_recipients(actor):
        raise ServiceError(
            OrderError.RECIPIENT_NOT_ALLOWED,
            _("You can only order for yourself."),
            field="recipient",
        )
    return employee


def orderable_product_ids(*, actor: User, product_ids: Iterable[int]) -> set[int]:
    """Which of these products the actor's company can order now. One query."""
    return set(
        visible_products(actor=actor).filter(pk__in=set(product_ids)).values_list("pk", flat=True)
    )


def line_problem(
    *,
    actor: User,
    variant: Variant,
    recipient: Employee | None,
    orderable_product_ids: set[int],
) -> tuple[OrderError, str] | None:
    """The one rule for what stops a line from being ordered: the review page lists it, placing
    an order (from the cart or from the API) refuses with it."""
    item = variant.item_number
    if not variant.is_active or variant.product_id not in orderable_product_ids:
        return OrderError.INACTIVE_ITEM, _(
            "Item number “%(item)s” can no longer be ordered. Remove it from the cart."
        ) % {"item": item}
    if recipient is None:
        return OrderError.RECIPIENT_REQUIRED, _("Choose who item number “%(item)s” is for.") % {
            "item": item
        }
    if not recipient.is_active or (
        # Asked only for a line for someone else: one's own lines cost no query.
        recipient.user_id != actor.pk and not roles.may_choose_recipients(actor)
    ):
        return OrderError.RECIPIENT_NOT_ALLOWED, _(
            "%(name)s cannot receive item number “%(item)s”."
        ) % {"name": recipient.name, "item": item}
    return None


def clean_reference(reference: str) -> str:
    """The customer's own reference on the order: one line of clean text (may be empty)."""
    return clean_line(
        reference,
        max_length=REFERENCE_MAX,
        label=_("Your reference"),
        code=OrderError.INVALID_REFERENCE,
        field="customer_reference",
    )


# --- The draft ---------------------------------------------------------------------------------


class HasRecipient(Protocol):
    @property
    def recipient(self) -> Employee | None: ...


def amounts_by_recipient(
    *, lines: Sequence[HasRecipient], line_totals: Sequence[Decimal]
) -> dict[Employee, Decimal]:
    """What an order puts on each recipient's budget: the sum of their lines."""
    amounts: dict[Employee, Decimal] = {}
    for line, total in zip(lines, line_totals, strict=True):
        assert line.recipient is not None  # refused before (line_problem)
        amounts[line.recipient] = amounts.get(line.recipient, Decimal(0)) + total
    return amounts


@dataclass(frozen=True)
class DraftLine:
    variant: Variant  # with its product
    quantity: int
    recipient: Employee
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class OrderDraft:
    company_id: int
    lines: list[DraftLine]
    delivery: Destination
    reference: str
    totals: Totals = field(init=False)

    def __post_init__(self) -> None:
        totals = Totals.of(sum((line.line_total for line in self.lines), Decimal(0)))
        object.__setattr__(self, "totals", totals)

    @property
    def amounts(self) -> dict[Employee, Decimal]:
        return amounts_by_recipient(
            lines=self.lines, line_totals=[line.line_total for line in self.lines]
        )

    @property
    def ordered(self) -> list[Ordered]:
        return [
            ordered(variant=line.variant, quantity=line.quantity, recipient=line.recipient)
            for line in self.lines
        ]


def ordered(*, variant: Variant, quantity: int, recipient: Employee) -> Ordered:
    """A line as a kit counts it (the variant with its product)."""
    return Ordered(
        employee_id=recipient.pk,
        product_id=variant.product_id,
        category_id=variant.product.category_id,
        quantity=quantity,
    )


def _draft(
    *,
    company_id: int,
    items: list[tuple[Variant, int, Employee]],
    delivery: Destination,
    reference: str,
) -> OrderDraft:
    """Price the lines at what the company pays now. One query."""
    prices = variant_prices(company_id=company_id, variants=[variant for variant, _q, _r in items])
    lines = [
        DraftLine(
            variant=variant,
            quantity=quantity,
            recipient=recipient,
            unit_price=prices[variant.pk].amount,
            line_total=line_total(prices[variant.pk].amount, quantity),
        )
        for variant, quantity, recipient in items
    ]
    draft = OrderDraft(company_id=company_id, lines=lines, delivery=delivery, reference=reference)
    if draft.totals.incl_vat > MAX_ORDER_TOTAL:
        raise ServiceError(
            OrderError.ORDER_TOO_LARGE, _("The order is too large. Split it into smaller orders.")
        )
    return draft


def draft_from_cart(*, actor: User, cart: Cart) -> OrderDraft:
    """The actor's cart as an order, or the first reason it cannot be one."""
    lines = list(
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product", "recipient")
        .order_by("created_at", "id")
    )
    if not lines:
        raise ServiceError(OrderError.EMPTY_CART, _("Your cart is empty."))
    orderable = orderable_product_ids(
        actor=actor, product_ids=[line.variant.product_id for line in lines]
    )
    items: list[tuple[Variant, int, Employee]] = []
    for line in lines:
        problem = line_problem(
            actor=actor,
            variant=line.variant,
            recipient=line.recipient,
            orderable_product_ids=orderable,
        )
        if problem is not None:
            raise ServiceError(*problem)
        assert line.recipient is not None
        items.append((line.variant, line.quantity, line.recipient))
    return _draft(
        company_id=cart.company_id,
        items=items,
        delivery=cart_destination(actor=actor, cart=cart),
        reference=cart.customer_reference,
    )


@dataclass(frozen=True)
class LineRequest:
    """One line as a client asks for it: an item number, a quantity, and whom it is for (the
    actor's own employee when not given)."""

    sku: str
    quantity: int | str
    recipient_id: int | None = None


@dataclass(frozen=True)
class OneOffAddress:
    name: str
    street: str
    postal_code: str
    city: str


def _line_error(number: int, error: tuple[OrderError, str] | ServiceError) -> ServiceError:
    code, message = (error.code, error.message) if isinstance(error, ServiceError) else error
    return ServiceError(code, _("Line %(n)d: %(message)s") % {"n": number, "message": message})


def draft_from_request(
    *,
    actor: User,
    lines: Sequence[LineRequest],
    delivery_address_id: int | None = None,
    one_off_address: OneOffAddress | None = None,
    reference: str = "",
) -> OrderDraft:
    """An order from lines sent by a client (the actor's cart is not touched), or the first
    reason it cannot be one, naming the line. A fixed number of queries for any number of
    lines."""
    company_id = company_id_of(actor)
    if not lines:
        raise ServiceError(OrderError.NO_LINES, _("The order has no lines."))
    if delivery_address_id is not None and one_off_address is not None:
        raise ServiceError(
            OrderError.INVALID_ADDRESS,
            _("Give either a saved delivery address or a one-off address, not both."),
        )
    reference = clean_reference(reference)
    skus = {line.sku.strip().upper() for line in lines}
    variants = {
        v.sku: v
        for v in Variant.objects.annotate(sku=Upper("item_number"))
        .filter(sku__in=skus)
        .select_related("product")
    }
    recipient_ids = {line.recipient_id for line in lines if line.recipient_id is not None}
    recipients = {
        e.pk: e for e in scoped(Employee, actor).filter(pk__in=recipient_ids, is_active=True)
    }
    own = own_employee(actor=actor) if any(ln.recipient_id is None for ln in lines) else None
    orderable = orderable_product_ids(
        actor=actor, product_ids=[v.product_id for v in variants.values()]
    )
    items: list[tuple[Variant, int, Employee]] = []
    for number, line in enumerate(lines, start=1):
        variant = variants.get(line.sku.strip().upper())
        if variant is None:
            raise _line_error(
                number,
                (
                    OrderError.UNKNOWN_ITEM,
                    _("There is no item number “%(item)s”.") % {"item": line.sku.strip()[:40]},
                ),
            )
        try:
            quantity = parse_quantity(line.quantity)
        except ServiceError as exc:
            raise _line_error(number, exc) from exc
        if line.recipient_id is None:
            recipient = own
        elif line.recipient_id in recipients:
            recipient = recipients[line.recipient_id]
        else:
            raise _line_error(
                number,
                (OrderError.RECIPIENT_NOT_ALLOWED, _("The chosen employee cannot receive orders.")),
            )
        problem = line_problem(
            actor=actor, variant=variant, recipient=recipient, orderable_product_ids=orderable
        )
        if problem is not None and problem[0] == OrderError.INACTIVE_ITEM:
            problem = (
                OrderError.INACTIVE_ITEM,
                _("Item number “%(item)s” cannot be ordered.") % {"item": variant.item_number},
            )
        if problem is not None:
            raise _line_error(number, problem)
        assert recipient is not None
        items.append((variant, quantity, recipient))
    if one_off_address is not None:
        delivery = one_off_destination(
            name=one_off_address.name,
            street=one_off_address.street,
            postal_code=one_off_address.postal_code,
            city=one_off_address.city,
        )
    else:
        delivery = saved_destination(actor=actor, address_id=delivery_address_id)
    return _draft(company_id=company_id, items=items, delivery=delivery, reference=reference)


# --- What it does to budgets and to the approval policy ---------------------------------------


@dataclass(frozen=True)
class Assessment:
    effects: list[BudgetEffect]  # one per recipient with a budget
    approval: ApprovalNeed
    entitlements: list[EntitlementEffect] = field(default_factory=list)  # per kit item touched
    # Why the order cannot be placed: the lines it takes beyond a kit, when the company blocks
    # them (EntitlementPolicy.BLOCK).
    blocked: list[str] = field(default_factory=list)


def assess(
    *,
    company: Company,
    placed_by: User,
    amounts: dict[Employee, Decimal],
    total_excl_vat: Decimal,
    ordered: Sequence[Ordered] = (),
    on: date | None = None,
) -> Assessment:
    """For each recipient with a budget: remaining now, this order, remaining after; for each
    kit item the order touches: the same in pieces; whether (and why) the company's policy holds
    the order for approval, and which kit items it may not go beyond (`blocked`). The review and
    the preview show it; placing an order decides by it, with the recipients' budget rows and
    kits locked. Two queries when there are recipients (four when one has a kit), none
    otherwise."""
    effects = order_budget_effects(company_id=company.pk, amounts=amounts, on=on) if amounts else []
    entitlements = (
        order_entitlement_effects(company=company, ordered=ordered, employees=amounts, on=on)
        if ordered
        else []
    )
    approval = order_approval_need(
        company=company,
        placed_by=placed_by,
        effects=effects,
        total_excl_vat=total_excl_vat,
        entitlements=entitlements,
    )
    blocked = (
        [over_kit_message(effect) for effect in entitlements if effect.over]
        if company.over_entitlement == EntitlementPolicy.BLOCK
        else []
    )
    return Assessment(
        effects=effects, approval=approval, entitlements=entitlements, blocked=blocked
    )


@dataclass(frozen=True)
class OrderPreview:
    """An order not yet placed: its priced lines and totals, and what it would do."""

    draft: OrderDraft
    assessment: Assessment


def order_preview(
    *,
    actor: User,
    lines: Sequence[LineRequest],
    delivery_address_id: int | None = None,
    one_off_address: OneOffAddress | None = None,
    reference: str = "",
) -> OrderPreview:
    """What `order_place` would make of these lines now, without placing it (the API's
    preview): refused for the same reasons, priced and assessed the same way. A fixed number of
    queries for any number of lines."""
    draft = draft_from_request(
        actor=actor,
        lines=lines,
        delivery_address_id=delivery_address_id,
        one_off_address=one_off_address,
        reference=reference,
    )
    company = Company.objects.get(pk=draft.company_id)
    assessment = assess(
        company=company,
        placed_by=actor,
        amounts=draft.amounts,
        total_excl_vat=draft.totals.excl_vat,
        ordered=draft.ordered,
    )
    return OrderPreview(draft=draft, assessment=assessment)
