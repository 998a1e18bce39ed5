import operator
from collections import defaultdict
from collections.abc import Mapping
from functools import reduce

from django.db import IntegrityError, transaction
from django.db.models import Q

from kvote.catalog.models import EmployeeSize, Favourite
from kvote.catalog.selectors import visible_products
from kvote.catalog.size_profiles import (
    access_sized_employee,
    profile_sizes,
    sizes_checked,
)
from kvote.catalog.sizes import size_groups, sizes_of
from kvote.common.errors import not_found
from kvote.common.tenancy import company_id_of, scoped
from kvote.people import roles
from kvote.people.models import Employee, User


def favourite_add(*, actor: User, product_id: int) -> None:
    """Save a product the actor can see; saving it twice is no error."""
    if not visible_products(actor=actor).filter(pk=product_id).exists():
        raise not_found()
    try:
        with transaction.atomic():
            Favourite.objects.get_or_create(
                company_id=company_id_of(actor), user=actor, product_id=product_id
            )
    except IntegrityError:  # the same favourite saved at the same moment by a double click
        pass


def favourite_remove(*, actor: User, product_id: int) -> None:
    scoped(Favourite, actor).filter(user=actor, product_id=product_id).delete()


# --- Size profiles (kvote.catalog.size_profiles) ----------------------------------------------


def employee_sizes_set(
    *, actor: User, employee_id: int, sizes: Mapping[str, str | None]
) -> dict[str, str | None]:
    """Set the sizes of one employee the actor keeps (`roles.may_keep_sizes`; anyone else:
    NotFound): exactly the groups given, each to a size of its group in the catalogue or, with
    None or "", to none; the groups left out stay as they are. All or nothing: one bad group
    (SizesError, naming every bad one) changes nothing. Returns the employee's sizes after it
    (`profile_sizes`). Five queries at most, whatever is given."""
    employee = access_sized_employee(actor=actor, employee_id=employee_id)
    checked = sizes_checked(size_groups(), sizes)
    with transaction.atomic():
        _sizes_write(company_id=employee.company_id, changes={employee.pk: checked})
    return profile_sizes(sizes_of([employee.pk])[employee.pk])


def employee_sizes_set_many(
    *, actor: User, changes: Mapping[int, Mapping[str, str | None]]
) -> None:
    """`employee_sizes_set` for many employees at once (the CSV import): employee id → the
    sizes to set. All or nothing: an employee the actor does not keep the sizes of is
    NotFound, a bad size is SizesError, and either changes nothing. Four queries at most,
    whatever the number of employees."""
    if not changes:
        return
    reachable = roles.sized_employees(actor, Employee.objects.filter(pk__in=changes.keys()))
    if set(reachable.values_list("pk", flat=True)) != set(changes):
        raise not_found()
    groups = size_groups()
    checked = {employee_id: sizes_checked(groups, sizes) for employee_id, sizes in changes.items()}
    with transaction.atomic():
        _sizes_write(company_id=company_id_of(actor), changes=checked)


def _sizes_write(*, company_id: int, changes: Mapping[int, Mapping[str, str | None]]) -> None:
    """Write checked sizes: the cleared groups in one delete, the others in one upsert (a
    size saved at the same moment by someone else is overwritten, never doubled)."""
    cleared: dict[str, list[int]] = defaultdict(list)
    kept: list[EmployeeSize] = []
    for employee_id, sizes in changes.items():
        for key, size in sizes.items():
            if size is None:
                cleared[key].append(employee_id)
            else:
                kept.append(
                    EmployeeSize(
                        company_id=company_id, employee_id=employee_id, group=key, size=size
                    )
                )
    if cleared:
        which = reduce(
            operator.or_, (Q(group=key, employee_id__in=ids) for key, ids in cleared.items())
        )
        EmployeeSize.objects.filter(which, company_id=company_id).delete()
    if kept:
        EmployeeSize.objects.bulk_create(
            kept, update_conflicts=True, unique_fields=["employee", "group"], update_fields=["size"]
        )
