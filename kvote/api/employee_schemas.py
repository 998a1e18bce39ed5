"""The employees endpoints' schemas: the period filter, the list query, the employee and
purchase as the API shows them, and the bodies that add or change an employee or set a budget.

Text a client sends is checked to be storable (no NUL, no lone surrogate: PostgreSQL refuses
both), and a body must be a JSON object."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, Field, model_validator

from kvote.api.schemas import BudgetOut, Id, ListQuery, Money, PersonOut, Timestamp


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
    """The period, read by the same parser as the web pages and exports
    (kvote.employees.periods): days from `from` to `to`, both included (either may be left
    out), or a preset `period`; nothing: the current budget period. A period that cannot be
    read is 400 `invalid_period`."""

    period: str = Field(
        default="",
        description="`budget` (the current budget period: the default), `year`, `12m` (the last "
        "12 months) or `all`. Dates given in `from`/`to` win.",
    )
    first: str = Field(
        default="",
        alias="from",
        description="YYYY-MM-DD (or DD.MM.YYYY), included; years 2000 to 2100.",
    )
    last: str = Field(
        default="",
        alias="to",
        description="YYYY-MM-DD (or DD.MM.YYYY), included; not before `from`.",
    )


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
        default=None,
        description="A company admin may name another supervisor: an active supervisor or "
        "company admin of the company (default: me).",
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


class SizeGroupOut(Schema):
    key: str = Field(description="The group's key, as in `sizes`.", examples=["shoes"])
    label: str = Field(description="The group's name in the caller's language.")
    sizes: list[str] = Field(description="The group's sizes in the catalogue, in size order.")


SIZES_DESCRIPTION = (
    "Every size group key (tops, trousers_c, trousers_wl, shoes, gloves) → the employee's size "
    "as the catalogue writes it, or null."
)


class SizesOut(Schema):
    groups: list[SizeGroupOut] = Field(
        description="The size groups the catalogue has sizes in, with their sizes."
    )
    sizes: dict[str, str | None] = Field(description=SIZES_DESCRIPTION)


SizeKey = Annotated[str, Field(max_length=30)]
SizeValue = Annotated[Text, Field(max_length=20)]


class SizesIn(ObjectIn):
    sizes: dict[SizeKey, SizeValue | None] = Field(
        description="Group key → a size of that group in the catalogue (compared without "
        'regard to case), or null (or "") to clear it. Groups left out stay as they are.',
        examples=[{"tops": "L", "shoes": "43", "gloves": None}],
    )
