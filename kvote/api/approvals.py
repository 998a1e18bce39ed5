"""Approvals: the orders awaiting my decision, and deciding one."""

from ninja import Query, Router

from kvote.api.order_schemas import (
    AwaitingOrderOut,
    CommentIn,
    OrderOut,
    awaiting_orders_out,
    order_out,
)
from kvote.api.schemas import AUTH_ERRORS, ListQuery, PathId, error_responses, page, paged
from kvote.api.types import ApiRequest
from kvote.approvals.selectors import orders_to_decide, placed_effects
from kvote.approvals.services import Decision, approval_decide
from kvote.ordering import selectors

router = Router(tags=["approvals"])

DECISION_ERRORS = error_responses(*AUTH_ERRORS, 403, 404, 409)


@router.get(
    "",
    response={200: paged(AwaitingOrderOut), **error_responses(*AUTH_ERRORS)},
    by_alias=True,
    summary="Orders awaiting my decision",
)
def approval_list(request: ApiRequest, query: Query[ListQuery]) -> dict[str, object]:
    """The orders I may approve or reject now (as approver, supervisor of a recipient, company
    admin, or standing in for one), oldest first, each with what it does to each recipient's
    budget: `budget` − `spent_before` = `remaining_before`; `remaining_before` − `this_order` =
    `remaining_after` (the figures of «Til godkjenning»), and to each kit item of a recipient's
    kit it touches (`entitlements`, in pieces, as the preview gives them)."""
    actor = request.auth
    orders = selectors.with_lines_and_history(orders_to_decide(actor=actor), variants=True)
    found = page(orders, query.limit, query.offset)
    items = found["items"]
    effects = placed_effects(
        orders=items, lines=[line for order in items for line in order.lines.all()]
    )
    return {"items": awaiting_orders_out(items, effects), "count": found["count"]}


@router.post(
    "/{order_id}/approve",
    response={200: OrderOut, **DECISION_ERRORS},
    by_alias=True,
    summary="Approve an order",
)
def approve(request: ApiRequest, order_id: PathId, payload: CommentIn | None = None) -> OrderOut:
    """Release the order to the supplier. 409 `already_decided` when someone decided first;
    403 `cannot_approve_own_order`; 404 `not_found` for an order you do not decide (one for
    yourself included), the same whatever its state."""
    return _decide(request, order_id, Decision.APPROVE, payload)


@router.post(
    "/{order_id}/reject",
    response={200: OrderOut, **DECISION_ERRORS},
    by_alias=True,
    summary="Reject an order",
)
def reject(request: ApiRequest, order_id: PathId, payload: CommentIn | None = None) -> OrderOut:
    """Reject the order; the comment (required) tells the orderer why."""
    return _decide(request, order_id, Decision.REJECT, payload)


def _decide(
    request: ApiRequest, order_id: int, decision: str, payload: CommentIn | None
) -> OrderOut:
    order = approval_decide(
        actor=request.auth,
        order_id=order_id,
        decision=decision,
        comment=payload.comment if payload is not None else "",
    )
    decided = selectors.order_with_lines_and_history(order=order)
    return order_out(decided, decided.lines.all(), decided.history.all())
