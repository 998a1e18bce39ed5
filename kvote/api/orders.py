"""Orders: preview and place one from a list of lines, list mine (or the company's), read one,
cancel one that awaits approval. The cart of the web UI is not touched."""

from datetime import date
from typing import Annotated, Literal, get_args

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.params.functions import Header
from pydantic import Field, ValidationInfo, field_validator

from kvote.api.order_schemas import (
    OrderIn,
    OrderOut,
    PreviewOut,
    order_out,
    orders_out,
    preview_out,
)
from kvote.api.schemas import AUTH_ERRORS, Day, ListQuery, PathId, error_responses, page, paged
from kvote.api.types import ApiRequest
from kvote.checkout import services
from kvote.checkout.drafts import order_preview
from kvote.ordering import selectors
from kvote.ordering.models import OrderState
from kvote.ordering.services import order_cancel

router = Router(tags=["orders"])

StatusName = Literal[
    "awaiting_approval", "released", "rejected", "cancelled", "sent", "confirmed", "shipped"
]
assert set(get_args(StatusName)) == set(OrderState.values)


class OrderListQuery(ListQuery):
    scope: Literal["mine", "company"] = Field(
        default="mine", description="`company`: every order of the company (company admins)."
    )
    status: StatusName | None = None
    from_: Day | None = Field(default=None, alias="from", description="Placed on or after.")
    to: Day | None = Field(default=None, description="Placed on or before.")

    @field_validator("to")
    @classmethod
    def dates_in_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("from_")
        if value is not None and start is not None and start > value:
            raise ValueError(_("“to” is before “from”."))
        return value


IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Makes a retried submit return the order the first one placed.",
    ),
]


@router.post(
    "/preview",
    response={200: PreviewOut, **error_responses(*AUTH_ERRORS, 403, 404)},
    summary="Price an order and see what it does, without placing it",
)
def preview(request: ApiRequest, payload: OrderIn) -> PreviewOut:
    """The lines priced at your company's prices, the totals, each recipient's budget before and
    after, and whether the order would wait for approval (and why)."""
    found = order_preview(
        actor=request.auth,
        lines=payload.line_requests(),
        delivery_address_id=payload.delivery_address_id,
        one_off_address=payload.one_off_address(),
        reference=payload.reference,
    )
    return preview_out(found)


@router.post(
    "",
    response={201: OrderOut, **error_responses(*AUTH_ERRORS, 403, 404, 409)},
    by_alias=True,
    summary="Place an order",
)
def submit(
    request: ApiRequest, payload: OrderIn, idempotency_key: IdempotencyKey = None
) -> Status[OrderOut]:
    """Place the order: released to the supplier at once, or `awaiting_approval` when the
    company's policy holds it. Send an `Idempotency-Key` to make retries safe."""
    order = services.order_place(
        actor=request.auth,
        lines=payload.line_requests(),
        delivery_address_id=payload.delivery_address_id,
        one_off_address=payload.one_off_address(),
        reference=payload.reference,
        idempotency_key=idempotency_key or "",
    )
    return Status(201, _one(request, order.pk))


@router.get(
    "",
    response={200: paged(OrderOut), **error_responses(*AUTH_ERRORS, 403)},
    by_alias=True,
    summary="My orders, or the company's",
)
def order_list(request: ApiRequest, query: Query[OrderListQuery]) -> dict[str, object]:
    """The orders I placed, newest first; `scope=company` lists every order of the company
    (company admins only). Filter by `status` and by the dates placed (`from`, `to`)."""
    orders = selectors.orders_placed_between(
        actor=request.auth,
        state=query.status or "",
        placed_from=query.from_,
        placed_to=query.to,
        whole_company=query.scope == "company",
    )
    found = page(selectors.with_lines_and_history(orders), query.limit, query.offset)
    return {"items": orders_out(found["items"]), "count": found["count"]}


@router.get(
    "/{order_id}",
    response={200: OrderOut, **error_responses(*AUTH_ERRORS, 404)},
    by_alias=True,
    summary="One order",
)
def order_detail(request: ApiRequest, order_id: PathId) -> OrderOut:
    """An order I placed, one for my own employee, or (company admins) any of the company."""
    return _one(request, order_id)


@router.post(
    "/{order_id}/cancel",
    response={200: OrderOut, **error_responses(*AUTH_ERRORS, 403, 404, 409)},
    by_alias=True,
    summary="Cancel an order awaiting approval",
)
def cancel(request: ApiRequest, order_id: PathId) -> OrderOut:
    """Withdraw an order I placed while it awaits approval; 409 once it is decided."""
    order = order_cancel(actor=request.auth, order_id=order_id)
    return _one(request, order.pk)


def _one(request: ApiRequest, order_id: int) -> OrderOut:
    detail = selectors.order_detail(actor=request.auth, order_id=order_id)
    return order_out(detail.order, detail.lines, detail.history)
