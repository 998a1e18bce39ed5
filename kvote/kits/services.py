"""What placing an order locks for its recipients, the refusal of a line beyond a kit, and
defining kits and assigning them (every change logged as a KitChange, like budget changes)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kvote.budgets.services import budgets_lock
from kvote.common.errors import CommonError, ServiceError, not_found
from kvote.common.tenancy import company_id_of, get_scoped, scoped
from kvote.kits.errors import KitError
from kvote.kits.items import (
    CheckedItem,
    KitItemIn,
    kit_items_check,
    kit_name_check,
    kit_text,
    name_taken,
)
from kvote.kits.models import Kit, KitAssignment, KitChange, KitChangeKind, KitItem
from kvote.kits.selectors import EntitlementEffect
from kvote.people import roles
from kvote.people.models import Employee, User


def recipients_lock(*, company_id: int, employee_ids: Iterable[int], on: date) -> None:
    """Lock what an order is about to draw on, for each recipient: the budget rows
    (kvote.budgets.services.budgets_lock), then the kit assignments, always in this order and by
    primary key, so two orders for one recipient take turns: the second re-reads what is spent
    and used after the first committed, and two orders cannot both take the last jacket."""
    ids = sorted(set(employee_ids))
    budgets_lock(company_id=company_id, employee_ids=ids, on=on)
    list(
        KitAssignment.objects.select_for_update()
        .filter(company_id=company_id, employee_id__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def over_kit_message(effect: EntitlementEffect) -> str:
    """Why a line beyond a kit cannot be ordered (the company's policy `block`), naming the
    recipient, the item and the figures the review shows."""
    left = max(0, effect.remaining_before)
    return ngettext(
        "%(name)s has %(left)d left of “%(item)s” in their kit this period; the order takes "
        "%(ordered)d. Lower the quantity or remove the line.",
        "%(name)s has %(left)d left of “%(item)s” in their kit this period; the order takes "
        "%(ordered)d. Lower the quantity or remove the line.",
        left,
    ) % {"name": effect.name, "left": left, "item": effect.label, "ordered": effect.this_order}


def over_kit_names(effects: Iterable[EntitlementEffect]) -> list[str]:
    """«Kari Nordmann (Arbeidsjakke)» for each item an order takes over a kit, for the approval
    reason."""
    return [f"{effect.name} ({effect.label})" for effect in effects if effect.over]


# --- Defining kits (company admins) and assigning them (kvote.people.roles.may_assign_kits) ---


def _require_kit_admin(actor: User) -> int:
    company_id = company_id_of(actor)
    if not roles.may_define_kits(actor):
        raise ServiceError(CommonError.ADMIN_ONLY, _("Only a company admin can define kits."))
    return company_id


def _kit_for_update(*, company_id: int, kit_id: int) -> Kit:
    try:
        return Kit.objects.select_for_update().get(company_id=company_id, pk=kit_id)
    except (Kit.DoesNotExist, ValueError, TypeError) as exc:
        raise not_found() from exc


def _stored_items(kit: Kit) -> list[CheckedItem]:
    return [
        CheckedItem(product=item.product, category=item.category, quantity=item.quantity)
        for item in kit.items.select_related("product", "category").order_by("id")
    ]


def _write_items(kit: Kit, items: list[CheckedItem]) -> None:
    kit.items.all().delete()
    KitItem.objects.bulk_create(
        KitItem(
            company_id=kit.company_id,
            kit=kit,
            product=item.product,
            category=item.category,
            quantity=item.quantity,
        )
        for item in items
    )


def _log(kind: KitChangeKind, *, kit: Kit | None, actor: User | None, **text: str) -> None:
    assert kit is not None
    KitChange.objects.create(company_id=kit.company_id, kind=kind, kit=kit, actor=actor, **text)


def _check_name(*, company_id: int, name: str, kit_id: int | None = None) -> str:
    cleaned = kit_name_check(name)
    taken = name_taken(company_id=company_id, name=cleaned, kit_id=kit_id)
    if taken is not None:
        raise taken
    return cleaned


def kit_create(*, actor: User, name: str, items: Sequence[KitItemIn]) -> Kit:
    """A company admin defines a kit: a name no other kit of the company has (whatever its
    case), and its items (kvote.kits.items). All or nothing; logged as created."""
    company_id = _require_kit_admin(actor)
    with transaction.atomic():
        cleaned = _check_name(company_id=company_id, name=name)
        checked = kit_items_check(actor=actor, company_id=company_id, items=items)
        kit = Kit.objects.create(company_id=company_id, name=cleaned)
        _write_items(kit, checked)
        _log(KitChangeKind.CREATED, kit=kit, actor=actor, after=kit_text(cleaned, checked))
        return kit


def kit_update(
    *,
    actor: User,
    kit_id: int,
    name: str | None = None,
    items: Sequence[KitItemIn] | None = None,
) -> Kit:
    """A company admin renames a kit and/or replaces its items (None: as they are). All or
    nothing; a real change is logged with the kit before and after. Another company's kit:
    NotFound."""
    company_id = _require_kit_admin(actor)
    with transaction.atomic():
        kit = _kit_for_update(company_id=company_id, kit_id=kit_id)
        before = _stored_items(kit)
        new_name = (
            kit.name
            if name is None
            else _check_name(company_id=company_id, name=name, kit_id=kit.pk)
        )
        checked = before
        if items is not None:
            kept = [item.product.pk for item in before if item.product is not None]
            checked = kit_items_check(
                actor=actor, company_id=company_id, items=items, kept_product_ids=kept
            )
        old_text, new_text = kit_text(kit.name, before), kit_text(new_name, checked)
        if old_text == new_text:
            return kit
        if new_name != kit.name:
            kit.name = new_name
            kit.save(update_fields=["name", "updated_at"])
        if items is not None:
            _write_items(kit, checked)
        _log(KitChangeKind.CHANGED, kit=kit, actor=actor, before=old_text, after=new_text)
        return kit


def kit_delete(*, actor: User, kit_id: int) -> int:
    """A company admin deletes a kit: the employees who had it have none after (each logged
    as removed), and the deletion is logged with what the kit was. The number of employees
    who had it."""
    company_id = _require_kit_admin(actor)
    with transaction.atomic():
        return _delete(actor=actor, kit=_kit_for_update(company_id=company_id, kit_id=kit_id))


def _delete(*, actor: User, kit: Kit) -> int:
    """Delete a locked kit, logging each employee who had it as removed and the kit as
    deleted with what it was."""
    company_id = kit.company_id
    text = kit_text(kit.name, _stored_items(kit))
    holders = list(
        KitAssignment.objects.select_for_update()
        .filter(company_id=company_id, kit=kit)
        .order_by("pk")
        .values_list("employee_id", flat=True)
    )
    KitChange.objects.bulk_create(
        [
            *(
                KitChange(
                    company_id=company_id,
                    kind=KitChangeKind.REMOVED,
                    kit=kit,
                    employee_id=employee_id,
                    actor=actor,
                    before=kit.name,
                )
                for employee_id in holders
            ),
            KitChange(
                company_id=company_id,
                kind=KitChangeKind.DELETED,
                kit=kit,
                actor=actor,
                before=text,
            ),
        ]
    )
    kit.delete()  # its items and assignments go with it; the log keeps its text
    return len(holders)


def own_kit_refused() -> ServiceError:
    """The answer to anyone giving a kit to their own employee record (as for budgets:
    kvote.people.roles.may_assign_kits)."""
    return ServiceError(
        KitError.NOT_YOUR_EMPLOYEE,
        _("Nobody sets their own kit: another company admin, or your supervisor, sets it."),
    )


def _not_your_employee() -> ServiceError:
    return ServiceError(
        KitError.NOT_YOUR_EMPLOYEE,
        _("You can assign kits only to the employees you are responsible for."),
    )


def _kit_employees_for_update(*, actor: User, employee_ids: Iterable[int]) -> list[Employee]:
    """The employees (active, locked in pk order) whose kit the actor sets; another company's
    id is NotFound, one the actor does not reach or their own record a refusal."""
    ids = sorted(set(employee_ids))
    if not ids:
        raise ServiceError(KitError.NO_EMPLOYEES, _("Choose at least one employee."))
    company_employees = scoped(Employee, actor).filter(is_active=True)
    employees = list(
        roles.kit_employees(actor, company_employees)
        .filter(pk__in=ids)
        .select_for_update()
        .order_by("pk")
    )
    if len(employees) != len(ids):
        found = set(company_employees.filter(pk__in=ids).values_list("pk", flat=True))
        if len(found) != len(ids):
            raise not_found()
        if Employee.objects.filter(pk__in=ids, user=actor).exists():
            raise own_kit_refused()
        raise _not_your_employee()
    return employees


@dataclass(frozen=True)
class KitAssigned:
    """What assigning did: how many employees changed kit (the others had it already)."""

    kit: Kit | None
    employees: list[Employee]
    changed: int


def _assignment_change(
    *, employee: Employee, actor: User, had: KitAssignment | None, kit: Kit | None
) -> KitChange:
    """The log row of an employee's kit changing from `had`'s kit to `kit` (None: removed)."""
    return KitChange(
        company_id=employee.company_id,
        kind=KitChangeKind.REMOVED if kit is None else KitChangeKind.ASSIGNED,
        kit=kit if kit is not None else (had.kit if had else None),
        employee=employee,
        actor=actor,
        before=had.kit.name if had else "",
        after=kit.name if kit else "",
    )


def kit_assign_many(*, actor: User, employee_ids: Iterable[int], kit_id: int | None) -> KitAssigned:
    """Give each employee the kit (None: «Ingen pakke», no kit). A company admin any employee
    of the company, a supervisor their own; nobody their own record. All or nothing; each
    employee whose kit changes is logged (assigned, or removed, with the kit before and
    after). A fixed number of queries whatever the number of employees."""
    company_id_of(actor)
    if not roles.may_assign_kits(actor):
        raise _not_your_employee()
    with transaction.atomic():
        kit = None
        if kit_id is not None:
            kit = get_scoped(Kit.objects.select_for_update(), actor, pk=kit_id)
        employees = _kit_employees_for_update(actor=actor, employee_ids=employee_ids)
        current = {
            a.employee_id: a
            for a in KitAssignment.objects.select_for_update()
            .filter(employee_id__in=[e.pk for e in employees])
            .select_related("kit")
            .order_by("pk")
        }
        changes: list[KitChange] = []
        create: list[KitAssignment] = []
        move: list[int] = []
        drop: list[int] = []
        for employee in employees:
            had = current.get(employee.pk)
            if (had.kit_id if had else None) == (kit.pk if kit else None):
                continue
            if kit is None:
                assert had is not None
                drop.append(had.pk)
            elif had is None:
                create.append(
                    KitAssignment(company_id=employee.company_id, employee=employee, kit=kit)
                )
            else:
                move.append(had.pk)
            changes.append(_assignment_change(employee=employee, actor=actor, had=had, kit=kit))
        if drop:
            KitAssignment.objects.filter(pk__in=drop).delete()
        if move:
            KitAssignment.objects.filter(pk__in=move).update(kit=kit, updated_at=timezone.now())
        if create:
            KitAssignment.objects.bulk_create(create)
        if changes:
            KitChange.objects.bulk_create(changes)
        return KitAssigned(kit=kit, employees=employees, changed=len(changes))


def kit_assign(*, actor: User, employee_id: int, kit_id: int | None) -> KitAssigned:
    """One employee's kit (None: none): `kit_assign_many` for one."""
    return kit_assign_many(actor=actor, employee_ids=[employee_id], kit_id=kit_id)


# --- The back office (kvote.kits.admin): supplier staff, the same rules and the same log ------


def kit_text_of(kit_id: int | None) -> str:
    """A kit as the log keeps it, read from the database ("" for none)."""
    kit = Kit.objects.filter(pk=kit_id).first() if kit_id is not None else None
    return kit_text(kit.name, _stored_items(kit)) if kit is not None else ""


def kit_back_office_logged(*, actor: User, kit: Kit, before: str) -> None:
    """Log a kit the back office saved (its form and items checked by kvote.kits.items):
    created, or changed when it is not as it was."""
    after = kit_text_of(kit.pk)
    if not before:
        _log(KitChangeKind.CREATED, kit=kit, actor=actor, after=after)
    elif before != after:
        _log(KitChangeKind.CHANGED, kit=kit, actor=actor, before=before, after=after)


def kit_back_office_delete(*, actor: User, kit: Kit) -> int:
    with transaction.atomic():
        return _delete(actor=actor, kit=Kit.objects.select_for_update().get(pk=kit.pk))


def kit_back_office_assign(
    *, actor: User, employee: Employee, kit: Kit | None, check: bool = False
) -> None:
    """Supplier staff give an employee a kit of the employee's company (None: no kit); nobody
    their own record. Logged like the portal's. `check`: only check."""
    if roles.is_own_record(actor, employee):
        raise own_kit_refused()
    if kit is not None and kit.company_id != employee.company_id:
        raise ServiceError(
            KitError.INVALID_KIT,
            _("Choose a kit of the employee's own company."),
            field="kit",
        )
    if check:
        return
    with transaction.atomic():
        had = (
            KitAssignment.objects.select_for_update()
            .filter(employee=employee)
            .select_related("kit")
            .first()
        )
        if (had.kit_id if had else None) == (kit.pk if kit else None):
            return
        if kit is None:
            assert had is not None
            had.delete()
        else:
            KitAssignment.objects.update_or_create(
                employee=employee, defaults={"kit": kit, "company_id": employee.company_id}
            )
        _assignment_change(employee=employee, actor=actor, had=had, kit=kit).save()
