"""The catalogue API for the supplier's systems (ERP, PIM): stock updates.

Only the supplier's staff may call these (a login of no customer company with staff access,
kvote.catalog.access): get a token with `POST /api/v1/auth/token` as such a login. A customer
company's token is refused with 403 `catalogue_not_allowed`.
"""

from datetime import date
from typing import Annotated, Literal

from ninja import Router, Schema
from pydantic import Field, Strict

from kvote.api.auth import CATALOGUE_AUTH
from kvote.api.schemas import AUTH_ERRORS, Day, ErrorOut, error_responses
from kvote.api.types import ApiRequest
from kvote.catalog.stock import (
    ITEM_NUMBER_MAX,
    ITEMS_MAX,
    KEEP,
    STOCK_MAX,
    Keep,
    StockItem,
    stock_update,
)

router = Router(tags=["catalogue (supplier)"], auth=CATALOGUE_AUTH)

# 403: a customer company's login (catalogue_not_allowed).
ADMIN_ERRORS = (*AUTH_ERRORS, 403)


class UnknownItemsErrorOut(ErrorOut):
    item_numbers: list[str] | None = Field(
        default=None,
        description="For `unknown_item_numbers`: every item number of the request that the "
        "catalogue lacks.",
    )


class StockItemIn(Schema):
    item_number: str = Field(
        min_length=1,
        max_length=ITEM_NUMBER_MAX,
        description="The item number (varenummer), exactly as in the catalogue; surrounding "
        "spaces are ignored.",
    )
    stock: Annotated[int, Strict()] = Field(
        ge=0, le=STOCK_MAX, description="Stock on hand: a whole number."
    )
    restock_date: Day | None = Field(
        default=None,
        description="The next restock (YYYY-MM-DD). Left out: the stored date stays; `null`: "
        "the stored date is cleared.",
    )


class StockUpdateIn(Schema):
    items: list[StockItemIn] = Field(
        max_length=ITEMS_MAX,
        description=f"At most {ITEMS_MAX} item numbers, each named once.",
    )


class StockUpdateOut(Schema):
    updated: int = Field(description="Item numbers whose stock or restock date changed.")
    unchanged: int = Field(description="Item numbers that already had these values.")


@router.patch(
    "/stock",
    response={
        200: StockUpdateOut,
        400: UnknownItemsErrorOut,
        **error_responses(401, 403),
    },
    summary="Set the stock of many item numbers at once",
)
def stock_patch(request: ApiRequest, payload: StockUpdateIn) -> StockUpdateOut:
    """Set the stock on hand (and, when given, the next restock date) of the item numbers in
    `items`, all at once in one transaction. All or nothing: when any item number is unknown
    the whole request is refused with 400 `unknown_item_numbers`, listing them in
    `item_numbers`, and nothing is changed; an item number named twice is 400
    `duplicate_item_numbers`. Idempotent: sending the same request again changes nothing and
    answers `updated: 0`. Ordering more than is in stock stays possible (a back order)."""
    result = stock_update(
        actor=request.auth,
        items=[
            StockItem(
                item_number=item.item_number,
                stock=item.stock,
                restock_date=_restock(item),
            )
            for item in payload.items
        ],
    )
    return StockUpdateOut(updated=result.updated, unchanged=result.unchanged)


def _restock(item: StockItemIn) -> date | Literal[Keep.KEEP] | None:
    return item.restock_date if "restock_date" in item.model_fields_set else KEEP
