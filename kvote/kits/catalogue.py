"""An employee's kit as the catalogue marks it (kvote.catalog.entitlements.Entitlement): which
products it holds (the products of its product items, and those of its categories) and what is
left of the item each product counts against (kvote.kits.selectors.item_for)."""

from dataclasses import dataclass

from django.db.models import Q

from kvote.catalog.entitlements import Mark
from kvote.kits.selectors import EmployeeKit, item_for


@dataclass(frozen=True)
class CatalogueKit:
    name: str  # the employee's
    is_own: bool
    kit: EmployeeKit

    @property
    def kit_name(self) -> str:
        return self.kit.kit_name

    def products(self) -> Q:
        product_ids = {i.product_id for i in self.kit.items if i.product_id is not None}
        category_ids = {i.category_id for i in self.kit.items if i.category_id is not None}
        return Q(pk__in=product_ids) | Q(category_id__in=category_ids)

    def mark(self, *, product_id: int, category_id: int | None) -> Mark | None:
        item = item_for(self.kit.items, product_id=product_id, category_id=category_id)
        return Mark(remaining=item.remaining) if item is not None else None
