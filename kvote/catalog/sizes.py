"""Size groups and each employee's sizes: the one home of which group a size belongs to.

The catalogue has no size table: a variant's size is text («L», «C52», «W32/L34», «43», «9»).
A *size group* is read from that text by the patterns below (`group_of`), and the sizes a group
offers are the sizes of the catalogue's active variants that fall in it (`size_groups`), in the
catalogue's size order. A product belongs to the group most of its sizes fall in
(`product_group`); «Onesize» and sizes no pattern knows belong to none, so nothing is picked.

Integers are read by range: 5–12 are gloves, 34–50 shoes (EU). A trousers size written as a bare
number (50) is read as a shoe; catalogues write trousers as C50 or W32/L34.

An item number *without its size* (`items_without_size`) names one product in one colour and
leaves the size to a profile: it is a variant's item number with the size it ends with taken
off, compared as search compares codes (kvote.common.text.fold_code: any case, with or without
dashes and spaces). The demo's `AAPW-1001-NAV-L` is `AAPW-1001-NAV` without its size. A variant
whose item number does not end with its size («Onesize» written «OS») has no such short form.
"""

import operator
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

from kvote.catalog.models import EmployeeSize, SizeGroup, Variant

_LETTER = re.compile(r"\A(?:X{0,3}S|M|X{0,3}L|[2-6]XL)\Z")
_C_SIZE = re.compile(r"\A[CD][0-9]{2,3}\Z")
_WAIST_LENGTH = re.compile(r"\AW?[0-9]{2} ?[/X] ?L?[0-9]{2}\Z")
_NUMBER = re.compile(r"\A[0-9]{1,2}(?:[.,]5)?\Z")


def group_of(size: str) -> SizeGroup | None:
    """The group a size belongs to, or None (Onesize, or a size no pattern knows)."""
    text = size.strip().upper()
    if _LETTER.match(text):
        return SizeGroup.TOPS
    if _C_SIZE.match(text):
        return SizeGroup.TROUSERS_C
    if _WAIST_LENGTH.match(text):
        return SizeGroup.TROUSERS_WL
    if _NUMBER.match(text):
        number = float(text.replace(",", "."))
        if 5 <= number <= 12:
            return SizeGroup.GLOVES
        if 34 <= number <= 50:
            return SizeGroup.SHOES
    return None


def product_group(sizes: Iterable[str]) -> SizeGroup | None:
    """The group of a product with these sizes: the one most of them fall in (ties: the
    group listed first), None when none of them falls in a group."""
    counted = Counter(group for group in map(group_of, sizes) if group is not None)
    if not counted:
        return None
    order = list(SizeGroup)
    return max(counted, key=lambda group: (counted[group], -order.index(group)))


@dataclass(frozen=True)
class SizeGroupSizes:
    key: SizeGroup
    sizes: list[str]  # in the catalogue's size order

    @property
    def label(self) -> str:
        return str(self.key.label)


def size_groups() -> list[SizeGroupSizes]:
    """The groups the catalogue's active variants fill, each with its sizes in the catalogue's
    size order (by size position, then as written). One query."""
    rows = (
        Variant.objects.filter(is_active=True, product__is_active=True)
        .values_list("size", "size_position")
        .order_by()  # the model's ordering would join the DISTINCT
        .distinct()
    )
    found: dict[SizeGroup, dict[str, int]] = {}
    for size, position in rows:
        group = group_of(size)
        if group is not None:
            seen = found.setdefault(group, {})
            seen[size] = min(position, seen.get(size, position))
    return [
        SizeGroupSizes(key=group, sizes=sorted(found[group], key=lambda s: (found[group][s], s)))
        for group in SizeGroup
        if group in found
    ]


def sizes_of(employee_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each employee's sizes, employee id → group key → size (groups without a size left
    out; employees without any: an empty dict). One query; none without employees."""
    ids = set(employee_ids)
    found: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    if ids:
        for employee_id, group, size in EmployeeSize.objects.filter(
            employee_id__in=ids
        ).values_list("employee_id", "group", "size"):
            found[employee_id][group] = size
    return found


def size_for(profile: dict[str, str], sizes: Iterable[str]) -> str | None:
    """The size of `sizes` (one product's, or one colour's) that `profile` names for the
    product's group; None when the group is not in the profile or that size is not offered."""
    offered = list(sizes)
    group = product_group(offered)
    wanted = profile.get(group) if group is not None else None
    if wanted is None:
        return None
    folded = {size.strip().upper(): size for size in offered}
    return folded.get(wanted.strip().upper())


def profile_size(profile: dict[str, str], sizes: Iterable[str]) -> str | None:
    """The size `profile` names for the group of a product with these sizes, offered or not
    (what a page says when `size_for` finds it is not made); None without one."""
    group = product_group(sizes)
    return profile.get(group) if group is not None else None


# --- An item number without its size ----------------------------------------------------------


@dataclass(frozen=True)
class ItemWithoutSize:
    """What an item number without its size names: the variants of one product in one colour
    (with their product), in size order; `ambiguous` when it fits more than one product or
    colour (nothing is picked then)."""

    code: str  # folded
    variants: list[Variant]
    ambiguous: bool = False

    @property
    def sizes(self) -> list[str]:
        """The sizes it can be ordered in (its active variants')."""
        return [variant.size for variant in self.variants if variant.is_active]

    def pick(self, profile: dict[str, str]) -> Variant | None:
        """The active variant in the size `profile` names for the product's group, or None."""
        if self.ambiguous:
            return None
        size = size_for(profile, self.sizes)
        return next((v for v in self.variants if v.is_active and v.size == size), None)


def items_without_size(*, codes: Collection[str]) -> dict[str, ItemWithoutSize]:
    """The item numbers without their size among `codes` (each folded by fold_code), by code:
    a code is one when a variant's folded item number is the code followed by its folded size.
    One query for any number of codes; none for none."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    prefixes = reduce(operator.or_, (Q(search_code__startswith=code) for code in codes))
    found: dict[str, list[Variant]] = {}
    for variant in (
        Variant.objects.filter(prefixes)
        .select_related("product")
        .order_by("product_id", "colour", "size_position", "size", "pk")
    ):
        code, size = variant.search_code, variant.search_size
        if size and code.endswith(size) and code[: -len(size)] in codes:
            found.setdefault(code[: -len(size)], []).append(variant)
    return {
        code: ItemWithoutSize(
            code=code,
            variants=variants,
            ambiguous=len({(v.product_id, v.colour) for v in variants}) > 1,
        )
        for code, variants in found.items()
    }
