"""What placing an order locks for its recipients, and the refusal of a line beyond a kit."""

from collections.abc import Iterable
from datetime import date

from django.utils.translation import ngettext

from kvote.budgets.services import budgets_lock
from kvote.kits.models import KitAssignment
from kvote.kits.selectors import EntitlementEffect


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
