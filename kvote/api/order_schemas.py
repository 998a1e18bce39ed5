"""The order as the API reads and writes it: the request for a preview or a submit, the preview,
and the Order (used by /orders and /approvals)."""

from collections.abc import Iterable
from typing import Annotated, Literal, get_args

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationInfo, field_validator

from kvote.api.schemas import (
    BudgetEffectOut,
    EmployeeRefOut,
    EntitlementEffectOut,
    Id,
    Money,
    PersonOut,
    Timestamp,
    budget_effect_out,
    entitlement_effect_out,
)
from kvote.approvals.policy import ApprovalReason
from kvote.approvals.selectors import PlacedOrderEffects
from kvote.checkout.drafts import REFERENCE_MAX, LineRequest, OneOffAddress, OrderPreview
from kvote.companies.models import POSTAL_CODE_PATTERN
from kvote.ordering.models import MAX_QUANTITY, Order, OrderLine, OrderStateChange
from kvote.people.models import User

MAX_LINES = 100

ApprovalReasonName = Literal["over_budget", "threshold", "always", "over_entitlement"]
assert set(get_args(ApprovalReasonName)) == set(ApprovalReason.values)

Quantity = Annotated[int, Strict(), Field(ge=1, le=MAX_QUANTITY)]


# --- In -----------------------------------------------------------------------------------------


class LineIn(Schema):
    sku: str = Field(min_length=1, max_length=40, description="The item number (varenummer).")
    quantity: Quantity
    recipient_id: Id | None = Field(
        default=None, description="The employee the line is for; the caller's own by default."
    )


class AddressIn(Schema):
    """A one-off delivery address."""

    name: str = Field(min_length=1, max_length=200, description="Attention.")
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(pattern=POSTAL_CODE_PATTERN)
    city: str = Field(min_length=1, max_length=100)


class OrderIn(Schema):
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    delivery_address_id: Id | None = Field(
        default=None,
        description="One of GET /addresses. Without it or `delivery_address`: the default one.",
    )
    delivery_address: AddressIn | None = None
    reference: str = Field(default="", max_length=REFERENCE_MAX, description="Your reference.")

    @field_validator("delivery_address")
    @classmethod
    def one_address(cls, value: AddressIn | None, info: ValidationInfo) -> AddressIn | None:
        if value is not None and info.data.get("delivery_address_id") is not None:
            raise ValueError(_("Give delivery_address_id or delivery_address, not both."))
        return value

    def line_requests(self) -> list[LineRequest]:
        return [
            LineRequest(sku=line.sku, quantity=line.quantity, recipient_id=line.recipient_id)
            for line in self.lines
        ]

    def one_off_address(self) -> OneOffAddress | None:
        address = self.delivery_address
        if address is None:
            return None
        return OneOffAddress(
            name=address.name,
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
        )


class CommentIn(BaseModel):
    """A plain pydantic model (not ninja's Schema, which would read any JSON value as an
    object with defaults): a body other than a JSON object is invalid."""

    comment: str = Field(default="", max_length=1000)


# --- Out ----------------------------------------------------------------------------------------


class OrderLineOut(Schema):
    sku: str
    product_name: str
    colour: str
    size: str
    quantity: int
    unit_price: Money
    line_total: Money
    recipient: EmployeeRefOut


class PreviewOut(Schema):
    lines: list[OrderLineOut]
    total_excl_vat: Money
    vat: Money
    total_incl_vat: Money
    budgets: list[BudgetEffectOut]
    entitlements: list[EntitlementEffectOut] = Field(
        description="Per kit item the order touches, by recipient name: a line counts against "
        "the item naming its product, else the one naming its category."
    )
    requires_approval: bool
    approval_reason: ApprovalReasonName | None = Field(
        description="The first reason the order would wait: `over_budget`, `always`, "
        "`over_entitlement` (beyond a kit, when the company holds such orders) or `threshold`."
    )


class DeliveryAddressOut(Schema):
    id: int | None = Field(description="The saved address's id; null for a one-off address.")
    name: str
    street: str
    postal_code: str
    city: str
    country: str


class DecisionOut(Schema):
    by: PersonOut | None
    at: Timestamp
    decision: Literal["approved", "rejected"]
    comment: str


class HistoryOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    at: Timestamp
    from_: str | None = Field(alias="from", description="null for the order's first state.")
    to: str
    by: PersonOut | None
    comment: str


class OrderOut(Schema):
    id: int
    number: str
    status: str
    placed_at: Timestamp
    placed_by: PersonOut
    reference: str
    delivery_address: DeliveryAddressOut
    lines: list[OrderLineOut]
    total_excl_vat: Money
    vat: Money
    total_incl_vat: Money
    decision: DecisionOut | None
    history: list[HistoryOut]


class AwaitingOrderOut(OrderOut):
    """An order awaiting my decision, with what it does to each recipient's budget and kit."""

    budgets: list[BudgetEffectOut] = Field(
        description="Per recipient with a budget for the period holding the order's day, by "
        "name: the order is counted in `spent` once placed, so `spent_before` leaves it out."
    )
    entitlements: list[EntitlementEffectOut] = Field(
        description="Per kit item the order touches, by recipient name, in the period holding "
        "the order's day: the order is counted once placed, so `used` leaves it out."
    )


def _person(user: User | None) -> PersonOut | None:
    return PersonOut(id=user.pk, name=user.full_name) if user is not None else None


def preview_out(preview: OrderPreview) -> PreviewOut:
    draft, assessment = preview.draft, preview.assessment
    kinds = assessment.approval.kinds
    return PreviewOut(
        lines=[
            OrderLineOut(
                sku=line.variant.item_number,
                product_name=line.variant.product.display_name,
                colour=line.variant.display_colour,
                size=line.variant.size,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
                recipient=EmployeeRefOut(
                    id=line.recipient.pk, number=line.recipient.number, name=line.recipient.name
                ),
            )
            for line in draft.lines
        ],
        total_excl_vat=draft.totals.excl_vat,
        vat=draft.totals.vat,
        total_incl_vat=draft.totals.incl_vat,
        budgets=[budget_effect_out(effect) for effect in assessment.effects],
        entitlements=[entitlement_effect_out(effect) for effect in assessment.entitlements],
        requires_approval=assessment.approval.needed,
        approval_reason=kinds[0].value if kinds else None,  # type: ignore[arg-type]
    )


def order_out(
    order: Order, lines: Iterable[OrderLine], history: Iterable[OrderStateChange]
) -> OrderOut:
    """The Order: `order` with placed_by and decided_by joined, its lines and its history (with
    each change's actor joined)."""
    decision = None
    if order.decided_at is not None and order.state != "cancelled":
        decision = DecisionOut(
            by=_person(order.decided_by),
            at=order.decided_at,
            decision="rejected" if order.state == "rejected" else "approved",
            comment=order.decision_comment,
        )
    return OrderOut(
        id=order.pk,
        number=order.number,
        status=order.state,
        placed_at=order.placed_at,
        placed_by=PersonOut(id=order.placed_by.pk, name=order.placed_by.full_name),
        reference=order.customer_reference,
        delivery_address=DeliveryAddressOut(
            id=order.delivery_address_id,
            name=order.delivery_name,
            street=order.delivery_street,
            postal_code=order.delivery_postal_code,
            city=order.delivery_city,
            country=order.delivery_country,
        ),
        lines=[
            OrderLineOut(
                sku=line.item_number,
                product_name=line.display_product_name,
                colour=line.display_colour,
                size=line.size,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
                recipient=EmployeeRefOut(
                    id=line.recipient_id, number=line.recipient_number, name=line.recipient_name
                ),
            )
            for line in lines
        ],
        total_excl_vat=order.total_excl_vat,
        vat=order.vat,
        total_incl_vat=order.total_incl_vat,
        decision=decision,
        history=[
            HistoryOut.model_validate(
                {
                    "at": change.created_at,
                    "from": change.from_state or None,
                    "to": change.to_state,
                    "by": _person(change.actor),
                    "comment": change.comment,
                }
            )
            for change in history
        ],
    )


def awaiting_orders_out(
    orders: Iterable[Order], effects: PlacedOrderEffects
) -> list[AwaitingOrderOut]:
    """Orders read with kvote.ordering.selectors.with_lines_and_history, and their budget and
    kit effects (kvote.approvals.selectors.placed_effects)."""
    return [
        AwaitingOrderOut(
            **dict(order_out(order, order.lines.all(), order.history.all())),
            budgets=[budget_effect_out(effect) for effect in effects.budgets[order.pk]],
            entitlements=[entitlement_effect_out(effect) for effect in effects.kits[order.pk]],
        )
        for order in orders
    ]


def orders_out(orders: Iterable[Order]) -> list[OrderOut]:
    """Orders read with kvote.ordering.selectors.with_lines_and_history."""
    return [order_out(order, order.lines.all(), order.history.all()) for order in orders]
