"""Kits («utstyrspakker», issue 17): what an employee in a job role may get each budget period,
item by item, and which kit each employee has. Thin: the rules are kvote.kits.items and
kvote.kits.services.

- `GET /kits`, `GET /kits/{id}`: company admins and supervisors (who assign kits); others 403
  `forbidden`.
- `POST /kits` (201), `PATCH /kits/{id}` (`name` and/or `items`; items replace the list),
  `DELETE /kits/{id}` (204): company admins; others 403 `admin_only`. A bad name or item is 400
  `invalid_kit` with `fields` (`items.0.product_number`, …); a name another kit has is 409
  `kit_name_taken`.
- `PUT /employees/{id}/kit` `{"kit_id": 7}` (null: no kit): company admins for any employee,
  supervisors for their own; nobody their own record (403 `kit_not_your_employee`).
Another company's kit or employee: 404.
"""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kvote.api.employee_schemas import ObjectIn, Text
from kvote.api.errors import FORBIDDEN, ApiError, status_of
from kvote.api.schemas import (
    AUTH_ERRORS,
    Id,
    ListQuery,
    PathId,
    error_responses,
    page,
    paged,
)
from kvote.api.types import ApiRequest
from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.kits import definitions, services
from kvote.kits.items import MAX_KIT_ITEMS, MAX_KIT_NAME, KitInputError, KitItemIn
from kvote.kits.models import MAX_KIT_QUANTITY
from kvote.people import roles
from kvote.people.models import User

router = Router(tags=["kits"])
employee_router = Router(tags=["kits"])

KIT_ERRORS = (*AUTH_ERRORS, 403, 404)


class KitItemBody(ObjectIn):
    product_number: Text | None = Field(
        default=None, max_length=40, description="A product's number (all its colours and sizes)."
    )
    category: Text | None = Field(
        default=None, max_length=60, description="A category's slug (any of its products)."
    )
    quantity: int = Field(description=f"Pieces per budget period, 1–{MAX_KIT_QUANTITY}.")


class KitItemOut(Schema):
    product_number: str | None
    category: str | None
    label: str = Field(description="The product's or category's name.")
    quantity: int


class KitOut(Schema):
    id: int
    name: str
    items: list[KitItemOut]
    employees: int = Field(description="How many employees have the kit.")


class KitIn(ObjectIn):
    name: Text = Field(max_length=MAX_KIT_NAME * 2, examples=["Elektriker"])
    items: list[KitItemBody] = Field(default_factory=list, max_length=MAX_KIT_ITEMS)


class KitPatch(ObjectIn):
    name: Text | None = Field(default=None, max_length=MAX_KIT_NAME * 2)
    items: list[KitItemBody] | None = Field(default=None, max_length=MAX_KIT_ITEMS)


class EmployeeKitIn(ObjectIn):
    kit_id: Id | None = Field(description="The kit; null: no kit.")


class EmployeeKitOut(Schema):
    employee_id: int
    kit: KitOut | None


def _out(row: definitions.KitRow) -> KitOut:
    return KitOut(
        id=row.kit.pk,
        name=row.kit.name,
        items=[
            KitItemOut(
                product_number=item.product_number,
                category=item.category,
                label=item.label,
                quantity=item.quantity,
            )
            for item in row.items
        ],
        employees=row.employees,
    )


def _may_read(actor: User) -> None:
    company_id_of(actor)
    if not roles.may_assign_kits(actor):
        raise ApiError(403, FORBIDDEN, _("Only company admins and supervisors see the kits."))


def _items(body: list[KitItemBody] | None) -> list[KitItemIn] | None:
    if body is None:
        return None
    return [
        KitItemIn(
            product_number=item.product_number or "",
            category=item.category or "",
            quantity=item.quantity,
        )
        for item in body
    ]


def _refused(exc: ServiceError) -> ApiError | ServiceError:
    """A kit's bad input as 400 with every field; any other refusal as it is."""
    if isinstance(exc, KitInputError):
        return ApiError(400, exc.code, exc.message, exc.fields)
    if exc.field:
        return ApiError(status_of(exc.code), exc.code, exc.message, {exc.field: exc.message})
    return exc


@router.get(
    "",
    response={200: paged(KitOut), **error_responses(*KIT_ERRORS)},
    summary="List kits",
)
def kit_list(request: ApiRequest, query: Query[ListQuery]) -> dict[str, Any]:
    """The company's kits by name, each with its items and how many employees have it. Three
    queries besides authentication, whatever the number of kits."""
    _may_read(request.auth)
    rows = definitions.kit_rows(actor=request.auth)
    return page([_out(row) for row in rows], query.limit, query.offset)


@router.post(
    "",
    response={201: KitOut, **error_responses(*KIT_ERRORS, 409)},
    summary="Define a kit",
)
def kit_create(request: ApiRequest, payload: KitIn) -> Status[KitOut]:
    """A new kit (company admins): its name and items, each a `product_number` or a `category`
    with the `quantity` per budget period."""
    actor = request.auth
    try:
        kit = services.kit_create(actor=actor, name=payload.name, items=_items(payload.items) or [])
    except ServiceError as exc:
        raise _refused(exc) from exc
    return Status(201, _out(definitions.kit_row(actor=actor, kit_id=kit.pk)))


@router.get(
    "/{kit_id}",
    response={200: KitOut, **error_responses(*KIT_ERRORS)},
    summary="One kit",
)
def kit_detail(request: ApiRequest, kit_id: PathId) -> KitOut:
    _may_read(request.auth)
    return _out(definitions.kit_row(actor=request.auth, kit_id=kit_id))


@router.patch(
    "/{kit_id}",
    response={200: KitOut, **error_responses(*KIT_ERRORS, 409)},
    summary="Change a kit",
)
def kit_update(request: ApiRequest, kit_id: PathId, payload: KitPatch) -> KitOut:
    """Rename the kit and/or replace its items (company admins); a field left out stays."""
    actor = request.auth
    try:
        services.kit_update(
            actor=actor, kit_id=kit_id, name=payload.name, items=_items(payload.items)
        )
    except ServiceError as exc:
        raise _refused(exc) from exc
    return _out(definitions.kit_row(actor=actor, kit_id=kit_id))


@router.delete(
    "/{kit_id}",
    response={204: None, **error_responses(*KIT_ERRORS)},
    summary="Delete a kit",
)
def kit_delete(request: ApiRequest, kit_id: PathId) -> Status[None]:
    """Delete the kit (company admins): the employees who had it have none after (logged)."""
    services.kit_delete(actor=request.auth, kit_id=kit_id)
    return Status(204, None)


def _employee_kit(actor: User, employee_id: int) -> EmployeeKitOut:
    kit = definitions.employee_kit_history(actor=actor, employee_id=employee_id).kit
    return EmployeeKitOut(
        employee_id=employee_id,
        kit=_out(definitions.kit_row(actor=actor, kit_id=kit.pk)) if kit else None,
    )


@employee_router.get(
    "/{employee_id}/kit",
    response={200: EmployeeKitOut, **error_responses(*KIT_ERRORS)},
    summary="An employee's kit",
)
def employee_kit(request: ApiRequest, employee_id: PathId) -> EmployeeKitOut:
    """The employee's kit, or null (for whoever assigns the employee a kit)."""
    _may_read(request.auth)
    return _employee_kit(request.auth, employee_id)


@employee_router.put(
    "/{employee_id}/kit",
    response={200: EmployeeKitOut, **error_responses(*KIT_ERRORS)},
    summary="Set an employee's kit",
)
def employee_kit_set(
    request: ApiRequest, employee_id: PathId, payload: EmployeeKitIn
) -> EmployeeKitOut:
    """Give the employee a kit, or none (`"kit_id": null`); the change is logged."""
    actor = request.auth
    assigned = services.kit_assign(actor=actor, employee_id=employee_id, kit_id=payload.kit_id)
    kit = assigned.kit
    return EmployeeKitOut(
        employee_id=employee_id,
        kit=_out(definitions.kit_row(actor=actor, kit_id=kit.pk)) if kit else None,
    )
