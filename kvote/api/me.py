"""GET /me: who is calling, in which company, with which roles, budget and sizes."""

from ninja import Router, Schema
from pydantic import Field

from kvote.api import selectors
from kvote.api.employee_schemas import SIZES_DESCRIPTION
from kvote.api.schemas import (
    AUTH_ERRORS,
    BudgetOut,
    EmployeeRefOut,
    budget_out,
    error_responses,
)
from kvote.api.types import ApiRequest

router = Router(tags=["me"])


class CompanyRefOut(Schema):
    id: int
    name: str


class EntitlementOut(Schema):
    """One item of the caller's kit this budget period, in pieces (kvote.kits.selectors):
    remaining = allowed − used (below zero beyond the kit); pending is the part of used that
    awaits approval."""

    label: str
    allowed: int
    used: int
    pending: int
    remaining: int


class MeOut(Schema):
    id: int
    email: str
    name: str
    language: str
    company: CompanyRefOut
    roles: list[str]
    employee: EmployeeRefOut | None
    budget: BudgetOut | None
    sizes: dict[str, str | None] | None = Field(
        description=f"{SIZES_DESCRIPTION} Null without an employee record."
    )
    entitlements: list[EntitlementOut]  # the own kit's items; empty without a kit


@router.get("", response={200: MeOut, **error_responses(*AUTH_ERRORS, 404)}, summary="Who am I")
def me(request: ApiRequest) -> MeOut:
    """The caller's account, company and roles (`buyer`, `budget_holder`, `supervisor`,
    `approver`, `company_admin`), their own employee, current budget and sizes when they have
    one (the sizes as `GET /employees/{id}/sizes` gives them; set them there with `PUT`), and
    what their kit gives them this period («Mitt utstyr»: `entitlements`, one per item)."""
    found = selectors.me(actor=request.auth)
    user = found.user
    return MeOut(
        id=user.pk,
        email=user.email,
        name=user.full_name,
        language=user.language,
        company=CompanyRefOut(id=found.company.pk, name=found.company.name),
        roles=found.roles,
        employee=(
            EmployeeRefOut(
                id=found.employee.pk, number=found.employee.number, name=found.employee.name
            )
            if found.employee is not None
            else None
        ),
        budget=budget_out(found.budget),
        sizes=found.sizes,
        entitlements=[
            EntitlementOut(
                label=item.label,
                allowed=item.allowed,
                used=item.used,
                pending=item.pending,
                remaining=item.remaining,
            )
            for item in (found.kit.items if found.kit is not None else [])
        ],
    )
