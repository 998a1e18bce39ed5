"""Shared pieces of the API's schemas, and the conventions every endpoint follows.

- Money: `Money` serialises a Decimal as a string with two decimals ("1234.50"), rounded by
  kvote.common.money. Dates are `date` ("YYYY-MM-DD"); times are `Timestamp` (ISO 8601 in the
  portal's time zone, with its offset: "2025-03-01T14:05:00+01:00").
- Lists: an endpoint takes its filters as one query schema that subclasses `ListQuery`
  (`limit`: 1–500, default 50; `offset` ≥ 0), declared as `query: Query[MyListQuery]`, and
  returns `page(rows, query.limit, query.offset)` with `response=paged(ItemSchema)`:
  `{"items": [...], "count": N}` where N counts every row, not only this page. A limit outside
  1–500 or a negative offset is 400 `invalid` with `fields`.
- Days in queries and bodies are `Day`: a date from 2000-01-01 to 2100-12-31 (the portal's
  days, kvote.common.dates); another is 400 `invalid` with the field's message.
- Ids: path parameters are named `order_id`, `employee_id` … and typed `PathId`; ids in bodies
  and queries are `Id` (strict integers from 1 to 2⁵³−1).
- Errors: each operation documents its error statuses with `error_responses(400, 404, …)`;
  the body is `ErrorOut` (kvote.api.errors).
- Budgets: `BudgetOut` with `budget_out(figures)` from kvote.budgets.selectors.BudgetFigures
  (budget, spent, pending, remaining: budget − spent = remaining); what an order does to a
  recipient's budget: `BudgetEffectOut` with `budget_effect_out(effect)` from its BudgetEffect
  (budget − spent_before = remaining_before; remaining_before − this_order = remaining_after).
  The names are the portal's words (Budsjett, Brukt, Brukt før denne ordren, Igjen før, Denne
  ordren, Igjen etter); older names stay as aliases.
- Kits: what an order does to one item of a recipient's kit: `EntitlementEffectOut` with
  `entitlement_effect_out(effect)` from kvote.kits.selectors.EntitlementEffect, in pieces
  (allowed − used = remaining before; that − this_order = remaining_after).
"""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Schema
from ninja.params.functions import Path
from pydantic import AfterValidator, Field, PlainSerializer, Strict, WithJsonSchema, create_model

from kvote.budgets.selectors import BudgetEffect, BudgetFigures
from kvote.common.dates import day_error, in_portal
from kvote.common.money import round_money
from kvote.kits.selectors import EntitlementEffect

CURRENCY = "NOK"
LIMIT_DEFAULT = 50
LIMIT_MAX = 500
OFFSET_MAX = 1_000_000_000
ID_MAX = 2**53 - 1  # exact in JSON numbers everywhere (and far below bigint)


def _portal_day(value: date) -> date:
    if not in_portal(value):
        raise ValueError(day_error())
    return value


Day = Annotated[date, AfterValidator(_portal_day)]


def money_string(value: Decimal) -> str:
    return f"{round_money(value):.2f}"


Money = Annotated[
    Decimal,
    PlainSerializer(money_string, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.50"]},
        mode="serialization",
    ),
]


def timestamp_string(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


Timestamp = Annotated[
    datetime,
    PlainSerializer(timestamp_string, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

PathId = Annotated[int, Path(ge=1, le=ID_MAX)]
Id = Annotated[int, Strict(), Field(ge=1, le=ID_MAX)]


class ErrorOut(Schema):
    code: str = Field(examples=["invalid"])
    message: str
    fields: dict[str, str] | None = Field(
        default=None, description="For invalid input: each field's path and what is wrong."
    )


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response={200: Out, **error_responses(*AUTH_ERRORS, 404)}`: the error statuses an
    operation may answer (schemathesis holds every answer to them)."""
    return dict.fromkeys(statuses, ErrorOut)


# Every operation that needs a login may answer these (invalid input, not logged in).
AUTH_ERRORS = (400, 401)


class ListQuery(Schema):
    limit: int = Field(default=LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


S = TypeVar("S", bound=Schema)
_PAGES: dict[type[Any], type[Schema]] = {}


def paged(item: type[S]) -> type[Schema]:
    """The list schema `{"items": [item], "count": int}` for one item schema (made once)."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Out") + "List"
        items: Any = list[item]  # type: ignore[valid-type]
        _PAGES[item] = create_model(name, __base__=Schema, items=(items, ...), count=(int, ...))
    return _PAGES[item]


def page(rows: QuerySet[Any] | Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    """One page of `rows` and how many there are in all. Two queries for a queryset (count and
    the page), none for a list."""
    if isinstance(rows, QuerySet):
        count = rows.count()
        items = list(rows[offset : offset + limit]) if offset < count else []
    else:
        count = len(rows)
        items = list(rows[offset : offset + limit])
    return {"items": items, "count": count}


class BudgetOut(Schema):
    """A budget without an order: budget − spent = remaining (kvote.budgets.selectors)."""

    period_start: date = Field(description="The first day of the budget period.")
    period_end: date = Field(description="The last day of the budget period (included).")
    budget: Money = Field(description="The budget of the period.")
    spent: Money = Field(
        description="What counts against the budget: the period's orders that are not rejected "
        "or cancelled, those awaiting approval included."
    )
    pending: Money = Field(description="The part of `spent` still awaiting approval.")
    remaining: Money = Field(description="budget − spent; negative when over budget.")
    amount: Money = Field(description="The same as `budget` (its older name).")
    currency: str = CURRENCY


def budget_out(figures: BudgetFigures | None) -> BudgetOut | None:
    if figures is None:
        return None
    return BudgetOut(
        period_start=figures.period.start,
        period_end=figures.period.last_day,
        budget=figures.amount,
        spent=figures.spent,
        pending=figures.pending,
        remaining=figures.remaining,
        amount=figures.amount,
    )


class BudgetEffectOut(Schema):
    """What an order does to one recipient's budget (kvote.budgets.selectors.BudgetEffect):
    budget − spent_before = remaining_before; remaining_before − this_order = remaining_after."""

    employee_id: int
    period_start: date = Field(description="The first day of the budget period.")
    period_end: date = Field(description="The last day of the budget period (included).")
    budget: Money
    spent_before: Money = Field(
        description="What counts against the budget in the period but this order: the orders "
        "not rejected or cancelled, those awaiting approval included (for an order awaiting "
        "approval, other waiting orders too, placed later ones included)."
    )
    remaining_before: Money = Field(description="budget − spent_before.")
    this_order: Money = Field(description="This order's lines for the recipient, excl. VAT.")
    remaining_after: Money = Field(
        description="remaining_before − this_order; negative when the order goes over budget."
    )
    over_budget: bool = Field(description="remaining_after is below zero.")
    amount: Money = Field(description="The same as `budget` (its older name).")
    spent: Money = Field(description="The same as `spent_before` (its older name).")
    remaining: Money = Field(description="The same as `remaining_before` (its older name).")
    order_amount: Money = Field(description="The same as `this_order` (its older name).")
    currency: str = CURRENCY


def budget_effect_out(effect: BudgetEffect) -> BudgetEffectOut:
    return BudgetEffectOut(
        employee_id=effect.employee_id,
        period_start=effect.period.start,
        period_end=effect.period.last_day,
        budget=effect.budget,
        spent_before=effect.spent_before,
        remaining_before=effect.remaining_before,
        this_order=effect.this_order,
        remaining_after=effect.remaining_after,
        over_budget=effect.goes_over,
        amount=effect.budget,
        spent=effect.spent_before,
        remaining=effect.remaining_before,
        order_amount=effect.this_order,
    )


class EntitlementEffectOut(Schema):
    """What an order does to one item of a recipient's kit (kvote.kits.selectors
    .EntitlementEffect), in pieces: allowed − used = what was left; that − this_order =
    remaining_after."""

    employee_id: int
    label: str = Field(description="The kit item: a product's or a category's name.")
    allowed: int = Field(description="Pieces of the item the kit allows per budget period.")
    used: int = Field(
        description="Pieces that count against the item in the period but this order (orders "
        "not rejected or cancelled, those awaiting approval included)."
    )
    this_order: int = Field(description="This order's pieces of the item for the recipient.")
    remaining_after: int = Field(
        description="allowed − used − this_order; negative when the order goes beyond the kit."
    )
    over: bool = Field(description="remaining_after is below zero.")


def entitlement_effect_out(effect: EntitlementEffect) -> EntitlementEffectOut:
    return EntitlementEffectOut(
        employee_id=effect.employee_id,
        label=effect.label,
        allowed=effect.allowed,
        used=effect.used_before,
        this_order=effect.this_order,
        remaining_after=effect.remaining_after,
        over=effect.over,
    )


class PersonOut(Schema):
    id: int
    name: str


class EmployeeRefOut(Schema):
    id: int
    number: str
    name: str
