"""Reads for defining and assigning kits: the company's kits with their items and how many
employees have each, one kit, the employees whose kits the actor sets with the kit each has,
and the change log («Endringslogg») of a kit and of an employee. (The kit figures, allowed,
used and remaining, are kvote.kits.selectors.)

Defining kits is for company admins, assigning them for whoever `kvote.people.roles.
may_assign_kits`; to anyone else these reads do not exist (NotFound), as another company's ids.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet

from kvote.catalog.models import Category, Product
from kvote.catalog.selectors import visible_products
from kvote.common.errors import not_found
from kvote.common.tenancy import company_id_of, get_scoped, scoped
from kvote.kits.models import Kit, KitAssignment, KitChange, KitItem
from kvote.kits.selectors import item_label
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.selectors import search_employees


@dataclass(frozen=True)
class KitItemRow:
    item_id: int
    label: str
    product_number: str | None  # the product's number (Product.code), for a product item
    category: str | None  # the category's slug, for a category item
    quantity: int


@dataclass(frozen=True)
class KitRow:
    kit: Kit
    items: list[KitItemRow]
    employees: int  # how many employees have the kit


def _items_prefetch() -> "Prefetch[Any]":
    return Prefetch(
        "items",
        queryset=KitItem.objects.select_related("product", "category").order_by("id"),
        to_attr="items_loaded",
    )


def _row(kit: Kit) -> KitRow:
    items: list[KitItem] = kit.items_loaded  # type: ignore[attr-defined]
    return KitRow(
        kit=kit,
        items=[
            KitItemRow(
                item_id=item.pk,
                label=item_label(item),
                product_number=item.product.code if item.product else None,
                category=item.category.slug if item.category else None,
                quantity=item.quantity,
            )
            for item in items
        ],
        employees=kit.employee_count,  # type: ignore[attr-defined]
    )


def _kits(company_id: int) -> QuerySet[Kit]:
    return (
        Kit.objects.filter(company_id=company_id)
        .annotate(employee_count=Count("assignments"))
        .prefetch_related(_items_prefetch())
        .order_by("name", "pk")
    )


def kit_rows(*, actor: User, kit_ids: Iterable[int] | None = None) -> list[KitRow]:
    """The company's kits by name, each with its items and how many employees have it (for
    company admins, and for whoever assigns kits: the API's list). Two queries, whatever the
    number of kits and items."""
    roles.require(actor, roles.may_assign_kits)
    kits = _kits(company_id_of(actor))
    if kit_ids is not None:
        kits = kits.filter(pk__in=list(kit_ids))
    return [_row(kit) for kit in kits]


def kit_row(*, actor: User, kit_id: int) -> KitRow:
    """One kit of the company; NotFound for another company's or an unknown id. Two queries."""
    rows = kit_rows(actor=actor, kit_ids=[kit_id])
    if not rows:
        raise not_found()
    return rows[0]


def access_kit(*, actor: User, kit_id: int) -> Kit:
    """A kit of the company, for a company admin (who defines kits); NotFound otherwise."""
    roles.require(actor, roles.may_define_kits)
    return get_scoped(Kit, actor, pk=kit_id)


def kit_choices(*, actor: User) -> list[Kit]:
    """The company's kits by name, for choosing one (one query)."""
    return list(scoped(Kit, actor).order_by("name", "pk"))


def product_choices(*, actor: User) -> list[Product]:
    """The products of the company's catalogue by name, for a kit item's product (one query
    besides the assortment's)."""
    return list(
        visible_products(actor=actor)
        .select_related(None)
        .order_by("name", "code")
        .only("code", "name")
    )


def category_choices() -> list[Category]:
    return list(Category.objects.order_by("position", "name"))


# --- Assigning -------------------------------------------------------------------------------


def kit_assignable(*, actor: User, query: str = "") -> QuerySet[Employee]:
    """The active employees whose kits the actor sets (kvote.people.roles.kit_employees),
    found by name or employee number, by name."""
    roles.require(actor, roles.may_assign_kits)
    employees = roles.kit_employees(actor, scoped(Employee, actor).filter(is_active=True))
    return search_employees(employees, query).order_by("name", "number", "pk")


@dataclass(frozen=True)
class AssignRow:
    employee: Employee
    kit: Kit | None


def assign_page(
    *, actor: User, query: str = "", page_number: int | str | None = 1, per_page: int | None = None
) -> Page[Any]:
    """One page of «Tildel utstyrspakke»: each employee with the kit they have. Three queries
    (count, employees, their kits), whatever the number of employees."""
    employees = kit_assignable(actor=actor, query=query)
    paginator: Paginator[Any] = Paginator(employees, per_page or settings.KVOTE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    shown: list[Employee] = list(page.object_list)
    kits = {
        a.employee_id: a.kit
        for a in KitAssignment.objects.filter(
            company_id=company_id_of(actor), employee_id__in=[e.pk for e in shown]
        ).select_related("kit")
    }
    page.object_list = [AssignRow(employee=e, kit=kits.get(e.pk)) for e in shown]
    return page


def access_kit_employee(*, actor: User, employee_id: int) -> Employee:
    """An employee whose kit the actor sets; NotFound for anyone else."""
    employee = kit_assignable(actor=actor).filter(pk=employee_id).first()
    if employee is None:
        raise not_found()
    return employee


@dataclass(frozen=True)
class EmployeeKitChoice:
    """The kit of one employee as their edit page shows it, and the kits to choose from."""

    kit: Kit | None
    kits: list[Kit]


def employee_kit_choice(*, actor: User, employee: Employee) -> EmployeeKitChoice | None:
    """For «Endre» in «Mine ansatte»: the employee's kit and the company's kits, when the actor
    may assign the employee a kit (None otherwise). Two queries."""
    if not roles.may_assign_kits(actor, employee):
        return None
    assignment = (
        KitAssignment.objects.filter(company_id=employee.company_id, employee=employee)
        .select_related("kit")
        .first()
    )
    return EmployeeKitChoice(
        kit=assignment.kit if assignment else None, kits=kit_choices(actor=actor)
    )


# --- Endringslogg --------------------------------------------------------------------------


def _changes(qs: QuerySet[KitChange]) -> list[KitChange]:
    return list(qs.select_related("actor", "employee").order_by("-created_at", "-id")[:500])


@dataclass(frozen=True)
class KitHistory:
    kit: Kit
    changes: list[KitChange]  # newest first


def kit_history(*, actor: User, kit_id: int) -> KitHistory:
    """Every change of a kit and of whom it is given to, newest first (company admins). Two
    queries."""
    kit = access_kit(actor=actor, kit_id=kit_id)
    return KitHistory(kit=kit, changes=_changes(KitChange.objects.filter(kit=kit)))


@dataclass(frozen=True)
class EmployeeKitHistory:
    employee: Employee
    kit: Kit | None
    changes: list[KitChange]  # newest first


def employee_kit_history(*, actor: User, employee_id: int) -> EmployeeKitHistory:
    """Every change of an employee's kit, newest first, for whoever assigns them a kit. Three
    queries (employee, kit, changes)."""
    employee = access_kit_employee(actor=actor, employee_id=employee_id)
    assignment = KitAssignment.objects.filter(employee=employee).select_related("kit").first()
    return EmployeeKitHistory(
        employee=employee,
        kit=assignment.kit if assignment else None,
        changes=_changes(
            KitChange.objects.filter(company_id=employee.company_id, employee=employee)
        ),
    )
