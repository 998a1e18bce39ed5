"""Each employee's size profile («Mine størrelser»): who reaches it, how it reads, and the one
check every change of it passes (the forms of Min side and «Mine ansatte», the CSV import and
the API). The writes are kvote.catalog.services (`employee_sizes_set`, `employee_sizes_set_many`);
which group a size belongs to, and the sizes each group offers, are kvote.catalog.sizes.

A profile holds, per size group (`SizeGroup`), one size as the catalogue writes it, or none.
A size is accepted when it is one of its group's sizes in the catalogue (`size_groups`),
compared without regard to case or surrounding blanks (`size_for`), and stored as the catalogue
writes it; an empty size clears the group.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kvote.catalog.errors import SizeError
from kvote.catalog.models import SizeGroup
from kvote.catalog.sizes import SizeGroupSizes, size_for, size_groups, sizes_of
from kvote.common.errors import ServiceError, not_found
from kvote.common.tenancy import get_scoped, scoped
from kvote.common.text import normalise_line
from kvote.people import roles
from kvote.people.models import Employee, User

# A size quoted back in a message is cut here (a size is at most 20 characters).
_QUOTED = 30


@dataclass(frozen=True)
class SizeProfile:
    """One employee's sizes as a page or the API shows them."""

    employee: Employee
    groups: list[SizeGroupSizes]  # the groups the catalogue fills, each with its sizes
    sizes: dict[str, str | None]  # every group key (SizeGroup, in its order) → size, or None

    @property
    def chosen(self) -> list[tuple[str, str]]:
        """(group label, size) of the groups that have a size, in the groups' order."""
        return profile_chosen(self.sizes)


def profile_sizes(stored: Mapping[str, str]) -> dict[str, str | None]:
    """Every group key → the stored size or None: the shape of `sizes` everywhere (the pages,
    the API's `sizes` and `/me`), the same keys whatever the catalogue holds."""
    return {group.value: stored.get(group.value) for group in SizeGroup}


def profile_chosen(sizes: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """(group label, size) of the groups of `sizes` that have a size, in SizeGroup's order."""
    return [(str(group.label), size) for group in SizeGroup if (size := sizes.get(group.value))]


def access_sized_employee(*, actor: User, employee_id: int) -> Employee:
    """An employee of the actor's company whose sizes the actor keeps
    (`roles.may_keep_sizes`); NotFound for any other id or actor. One query."""
    employee = get_scoped(Employee, actor, pk=employee_id)
    if not roles.may_keep_sizes(actor, employee):
        raise not_found()
    return employee


def own_employee_record(*, actor: User) -> Employee | None:
    """The actor's own active employee record, or None. One query."""
    return scoped(Employee, actor).filter(user=actor, is_active=True).first()


def _profile(employee: Employee) -> SizeProfile:
    stored = sizes_of([employee.pk])[employee.pk]
    return SizeProfile(employee=employee, groups=size_groups(), sizes=profile_sizes(stored))


def size_profile(*, actor: User, employee_id: int) -> SizeProfile:
    """The sizes of an employee the actor keeps, with the catalogue's groups: three queries."""
    return _profile(access_sized_employee(actor=actor, employee_id=employee_id))


def own_size_profile(*, actor: User) -> SizeProfile | None:
    """«Mine størrelser»: the actor's own sizes, None without an employee record. Three
    queries (one without a record)."""
    employee = own_employee_record(actor=actor)
    return _profile(employee) if employee is not None else None


# --- The check every change passes ----------------------------------------------------------


class SizesError(ServiceError):
    """Sizes refused: `fields` holds every bad group key → why; `field` and `message` are the
    first of them (in the order they were given)."""

    def __init__(self, code: str, fields: dict[str, str]) -> None:
        field, message = next(iter(fields.items()))
        super().__init__(code, message, field=field)
        self.fields = fields


def _quoted(text: str) -> str:
    return text if len(text) <= _QUOTED else text[: _QUOTED - 1] + "…"


def size_checked(groups: Mapping[str, list[str]], key: str, size: str | None) -> str | None:
    """One group's size as it is stored: the catalogue's spelling of `size`, or None (empty:
    the group is cleared). `groups` is group key → its sizes in the catalogue (`size_groups`).
    Refuses (ServiceError with field=key) a key that is no size group and a size that is not
    one of its group's sizes, naming the ones there are."""
    try:
        group = SizeGroup(key)
    except ValueError:
        raise ServiceError(
            SizeError.UNKNOWN_GROUP,
            _("“%(key)s” is no size group. The size groups are: %(keys)s.")
            % {"key": _quoted(key), "keys": ", ".join(SizeGroup.values)},
            field=key,
        ) from None
    wanted = normalise_line(size or "")
    if not wanted:
        return None
    offered = groups.get(group.value, [])
    found = size_for({group.value: wanted}, offered)
    if found is not None:
        return found
    facts = {"size": _quoted(wanted), "group": group.label, "sizes": ", ".join(offered)}
    if offered:
        message = _("%(size)s is not in the catalogue. The sizes of %(group)s: %(sizes)s.")
    else:
        message = _("%(size)s is not in the catalogue: it has no sizes of %(group)s.")
    raise ServiceError(SizeError.NOT_IN_CATALOGUE, message % facts, field=key)


def sizes_checked(
    groups: list[SizeGroupSizes], sizes: Mapping[str, str | None]
) -> dict[str, str | None]:
    """`sizes` (group key → size, or None/"" to clear) as stored, by `size_checked`; refuses
    them all (SizesError, every bad group named) when any one is refused."""
    offered = {group.key.value: group.sizes for group in groups}
    checked: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    code = ""
    for key, size in sizes.items():
        try:
            checked[key] = size_checked(offered, key, size)
        except ServiceError as exc:
            errors[key] = exc.message
            code = code or exc.code
    if errors:
        raise SizesError(code, errors)
    return checked
