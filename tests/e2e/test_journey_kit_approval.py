"""Journey, in Norwegian: an order beyond the kit waits for approval (the company's policy
`approval`, Nordlys' in the demo). ansatt2 (Mathias Berg) has the demo's kit «Lager», whose item
his T-shirts count against (in the demo: «Overdeler») has one piece left this period; he orders
two. The review shows his kit beside his budget (Tildelt − Brukt før = Igjen før; Igjen før −
Denne ordren = Igjen etter) and says why the order will wait; he places it. His nearest manager,
leder@nordlys.example, sees the same kit figures in «Til godkjenning» beside the budget effect,
and approves it. The expected figures come from the database (kvote.kits.selectors)."""

from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from kvote.catalog.models import Product
from kvote.kits.models import KitItem
from kvote.kits.selectors import item_for, kits_for_employees
from kvote.ordering.models import OrderState
from tests.e2e.conftest import LoginFn, NewPageFn
from tests.e2e.helpers import assert_accessible, assert_fits_width, clean, table_rows
from tests.e2e.test_journey_approval import LEDER, open_queue, order_card
from tests.e2e.test_journey_over_budget import (
    CHEAP,
    ME,
    _,
    employee,
    order_to_review,
    place_order,
)

COLUMNS = ("Allowed", "Used before", "Remaining before", "This order", "Remaining after")


def leave_one_t_shirt_in_ansatt2s_kit() -> tuple[str, int]:
    """ansatt2's own kit from the demo, with the item his T-shirts count against left at one
    piece this period (its quantity set to what he has used + 1; the demo's figures already
    leave one): the item's name and what was used before."""
    me = employee()
    shirt = Product.objects.get(code=CHEAP[0])
    with translation.override("nb"):  # the page's language, whatever the thread was left in
        kit = kits_for_employees(company=me.company, employee_ids=[me.pk])[me.pk]
    figures = item_for(kit.items, product_id=shirt.pk, category_id=shirt.category_id)
    assert figures is not None, kit  # the demo's kit covers T-shirts
    KitItem.objects.filter(pk=figures.item_id).update(quantity=figures.used + 1)
    return figures.label, figures.used


def kit_row(where: Page | Locator) -> dict[str, str]:
    table = where.get_by_role("table", name=_("Kit of %(name)s (%(number)s)", **NAMED))
    (row,) = table_rows(table)
    return row


def figures_of(row: dict[str, str]) -> list[int]:
    """The row's five figures, the last without its «Utover utstyrspakken» tag."""
    return [
        int(clean(row[_(column)]).removesuffix(" " + clean(_("Beyond the kit"))))
        for column in COLUMNS
    ]


NAMED = {"name": ME.split(" (")[0], "number": ME.split("(")[1].rstrip(")")}


def test_an_order_beyond_the_kit_waits_and_the_manager_sees_the_kit(
    page: Page, new_page: NewPageFn, login: LoginFn
) -> None:
    label, used = leave_one_t_shirt_in_ansatt2s_kit()
    allowed = used + 1
    expected = [allowed, used, 1, 2, -1]

    # ansatt2 orders two T-shirts: one beyond his kit.
    login(page, "ansatt2@nordlys.example")
    order_to_review(page, *CHEAP, quantity=2)
    kit = page.get_by_role("region", name=_("Kit"), exact=True)
    row = kit_row(kit)
    assert row[_("Item")] == label
    assert figures_of(row) == expected
    reason = _("The order goes beyond the kit of %(names)s.", names=f"{NAMED['name']} ({label})")
    expect(kit.get_by_text(reason)).to_be_visible()
    expect(page.locator("#approval-reasons")).to_contain_text(reason)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits_width(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    order = place_order(page)
    assert order.state == OrderState.AWAITING_APPROVAL

    # His manager sees the kit's figures beside the budget's in the queue, and approves.
    boss = new_page()
    login(boss, LEDER)
    open_queue(boss)
    card = order_card(boss, order)
    expect(card.get_by_role("table", name=_("Budget"))).to_be_visible()
    row = kit_row(card)
    assert row[_("Item")] == label and figures_of(row) == expected
    expect(card.get_by_text(_("Beyond the kit"), exact=True)).to_have_count(2)  # head and row
    card.get_by_role("button", name=f"{_('Approve')} {order.number}").click()
    expect(boss.locator("#messages")).to_contain_text(
        _("Order %(number)s approved. It goes on to the supplier.", number=order.number)
    )
    assert_accessible(boss)
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED
