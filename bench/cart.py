"""The bench supervisor's cart, filled again before each timed submit (outside the timing).

Two lines for two of the supervisor's employees. Within budget: the cheapest item, for two
employees whose remaining budget covers it and whose kit has room for it (both tracked as orders
are placed; the bench team's kit names the item's category, bench/kits.py, so the review and the
submit compute kit effects). Over budget: enough of the dearest item that both recipients go
over."""

from collections import Counter
from decimal import Decimal

from kvote.budgets.selectors import figures_for_employees
from kvote.catalog.models import Variant
from kvote.catalog.prices import variant_prices
from kvote.catalog.selectors import orderable_variant
from kvote.checkout.models import CartLine
from kvote.checkout.services import cart_add, checkout_details_save
from kvote.companies.models import Company, DeliveryAddress
from kvote.kits.selectors import item_for, kits_for_employees
from kvote.ordering.models import Order
from kvote.people.models import User


class Refill:
    def __init__(self, actor: User, team: list[int]) -> None:
        self.actor = actor
        assert actor.company_id is not None
        self.company_id = actor.company_id
        variants = Variant.objects.filter(is_active=True, product__is_active=True)
        cheap = variants.order_by("product__list_price", "pk").first()
        dear = variants.order_by("-product__list_price", "pk").first()
        assert cheap is not None and dear is not None
        self.cheap, self.cheap_price = self._priced(cheap.pk)
        self.dear, self.dear_price = self._priced(dear.pk)
        address = DeliveryAddress.objects.filter(company_id=self.company_id, is_default=True)
        self.address_id = address.values_list("pk", flat=True).first()
        figures = figures_for_employees(company_id=self.company_id, employee_ids=team)
        self.remaining = {e: figures[e].remaining for e in team if e in figures}
        self.kit_room = self._kit_room(cheap.pk, team)
        self.turn = 0

    def _kit_room(self, variant_id: int, team: list[int]) -> dict[int, int]:
        """Employee → pieces of the variant their kit still allows (employees whose kit does
        not name it are left out: only their budget limits them)."""
        product = Variant.objects.select_related("product").get(pk=variant_id).product
        company = Company.objects.get(pk=self.company_id)
        room: dict[int, int] = {}
        for employee, kit in kits_for_employees(company=company, employee_ids=team).items():
            item = item_for(kit.items, product_id=product.pk, category_id=product.category_id)
            if item is not None:
                room[employee] = item.remaining
        return room

    def _priced(self, variant_id: int) -> tuple[int, Decimal]:
        variant = orderable_variant(actor=self.actor, variant_id=variant_id)
        assert variant is not None, "the bench item is not orderable"
        price = variant_prices(company_id=self.company_id, variants=[variant])[variant.pk]
        return variant.pk, price.amount

    def _pick(self, room: Decimal) -> list[int]:
        """Two employees (in turn) with at least `room` left and a piece left in their kit;
        their remaining is reduced."""
        picked: list[int] = []
        people = list(self.remaining)
        for _ in range(len(people)):
            employee = people[self.turn % len(people)]
            self.turn += 1
            if self.remaining[employee] >= room and self.kit_room.get(employee, 1) >= 1:
                self.remaining[employee] -= room
                if employee in self.kit_room:
                    self.kit_room[employee] -= 1
                picked.append(employee)
                if len(picked) == 2:
                    return picked
        raise RuntimeError("No budget or kit room left in the bench team for a within-budget order")

    def fill(self, *, over: bool) -> None:
        CartLine.objects.filter(cart__user=self.actor).delete()
        if over:
            recipients = list(self.remaining)[-2:]
            for employee in recipients:
                left = max(self.remaining[employee], Decimal(0))
                quantity = min(999, int(left / self.dear_price) + 2)
                cart_add(
                    actor=self.actor, variant_id=self.dear, quantity=quantity, recipient_id=employee
                )
        else:
            for employee in self._pick(self.cheap_price * 2):
                cart_add(actor=self.actor, variant_id=self.cheap, quantity=1, recipient_id=employee)
        checkout_details_save(actor=self.actor, delivery_address_id=self.address_id)

    def last_order_id(self) -> int:
        return Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def states_since(self, order_id: int) -> dict[str, int]:
        placed = Order.objects.filter(pk__gt=order_id, placed_by=self.actor)
        return dict(Counter(placed.values_list("state", flat=True)))
