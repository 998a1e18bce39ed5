"""The employees endpoints' schemas: the period filter, the list query, the employee and
purchase as the API shows them, and the bodies that add or change an employee or set a budget.

Text a client sends is checked to be storable (no NUL, no lone surrogate: PostgreSQL refuses
both), and a body must be a JSON object."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from kvote.api.schemas import BudgetOut, Id, ListQuery, Money, PersonOut, Timestamp

# Days the period filter accepts: outside them a day cannot be turned into a time to compare.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _text(value: str) -> str:
    """Text the database can store: no NUL character, no lone surrogate."""
    if "\x00" in value:
        raise ValueError(_("must not contain a NUL character"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(_("is not valid text")) from exc
    return value


Text = Annotated[str, AfterValidator(_text)]


class ObjectIn(Schema):
    """A request body that must be a JSON object (ninja's schemas read attributes of anything,
    so `[1]` would otherwise pass as an empty change)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise ValueError(_("The body must be a JSON object."))
        return data


class PeriodQuery(Schema):
    """Days from `from` to `to`, both included (either may be left out); none: the current
    budget period."""

    first: date | None = Field(default=None, alias="from", description="YYYY-MM-DD, included.")
    last: date | None = Field(default=None, alias="to", description="YYYY-MM-DD, included.")

    @field_validator("first", "last")
    @classmethod
    def _in_range(cls, value: date | None) -> date | None:
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(_("Choose a date between 1900 and 2999."))
        return value

    @field_validator("last")
    @classmethod
    def _not_before_first(cls, value: date | None, info: ValidationInfo) -> date | None:
        first = info.data.get("first")
        if value is not None and first is not None and value < first:
            raise ValueError(_("The to date cannot be before the from date."))
        return value


class EmployeeListQuery(ListQuery, PeriodQuery):
    scope: Literal["mine", "all"] = Field(
        default="all",
        description="`all`: every active employee of the company; `mine`: those I supervise.",
    )
    q: Text = Field(default="", max_length=100, description="Name contains, or number starts.")


class PurchaseQuery(ListQuery, PeriodQuery):
    pass


class EmployeeOut(Schema):
    id: int
    number: str
    name: str
    email: str | None = Field(description="The email of the employee's own login, if any.")
    supervisor: PersonOut | None = Field(description="The supervising login, if any.")
    active: bool
    budget: BudgetOut | None = Field(
        description="The current budget period's budget (supervisors and company admins)."
    )
    purchased_total: Money | None = Field(
        description="Bought in the period asked for (supervisors and company admins)."
    )


class EmployeeIn(ObjectIn):
    name: Text = Field(min_length=1, max_length=200)
    number: Text = Field(min_length=1, max_length=20, examples=["1042"])
    email: Text | None = Field(
        default=None, max_length=254, description="Links the company's login with this email."
    )
    supervisor_id: Id | None = Field(
        default=None, description="A company admin may name another supervisor (default: me)."
    )


class EmployeePatch(ObjectIn):
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    number: Text | None = Field(default=None, min_length=1, max_length=20)
    active: bool | None = Field(default=None, description="false deactivates, true reactivates.")


class PurchaseOut(Schema):
    order_id: int
    order_number: str
    ordered_at: Timestamp
    sku: str
    product_name: str
    colour: str
    size: str
    quantity: int
    line_total: Money


class PurchaseList(Schema):
    items: list[PurchaseOut]
    count: int
    total: Money = Field(description="The sum of every line in the period, not only this page.")


class BudgetIn(ObjectIn):
    amount: Decimal = Field(description='NOK excl. VAT, at most two decimals: "5000.00".')
