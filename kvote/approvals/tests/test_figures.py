"""One order's budget figures, followed from the review through the approval queue to Min side
and the API: every page and answer shows the same figures under the same names, and they
reconcile by eye (tests/figures.py):

    Budget − Spent before this order = Remaining before; Remaining before − This order =
    Remaining after; and without an order, Budget − Spent = Remaining.

An order within budget, one over budget, and one for several recipients (two with a budget,
one without). The company holds every order above kr 1 for approval, so each reaches the queue.

Before: Mats Berg (1003, the holder, kr 1 000) has spent 400: 300 released, 100 awaiting
approval. Anne Berg (101) has a budget of kr 500 and has spent nothing; Bjørn Dahl (102) has
no budget.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kvote.api.tests.core_helpers import Api, Shop
from kvote.approvals.services import approval_policy_set
from kvote.checkout.models import CartLine
from kvote.ordering.models import Order, OrderState
from kvote.people.models import User
from tests.factories import VariantFactory, fill_cart, give_budget, place_order
from tests.figures import (
    WITH_ORDER,
    WITHOUT_ORDER,
    assert_reconciles,
    json_figures,
    named_figures,
    page_figures,
    shown,
)

pytestmark = pytest.mark.django_db

MATS, ANNE, BJORN = "Mats Berg (1003)", "Anne Berg (101)", "Bjørn Dahl (102)"


@dataclass(frozen=True)
class Scenario:
    by_buyer: bool  # placed by the buyer (who picks recipients), else by the holder for himself
    lines: list[tuple[str, str]]  # (recipient, price) of each line, quantity 1
    figures: dict[str, dict[str, Decimal]]  # what the order does to each recipient's budget


SCENARIOS = {
    "within budget": Scenario(
        by_buyer=False,
        lines=[(MATS, "200.00")],
        figures={MATS: shown(1000, 400, 600, 200, 400)},
    ),
    "over budget": Scenario(
        by_buyer=False,
        lines=[(MATS, "700.00")],
        figures={MATS: shown(1000, 400, 600, 700, -100)},
    ),
    "several recipients": Scenario(
        by_buyer=True,
        lines=[(MATS, "150.00"), (ANNE, "600.00"), (BJORN, "80.00"), (ANNE, "25.50")],
        figures={
            ANNE: shown(500, 0, 500, "625.50", "-125.50"),
            MATS: shown(1000, 400, 600, 150, 450),
        },
    ),
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no section {heading_id!r}"
    return match.group(0)


def queue_card(page: str, order: Order) -> str:
    match = re.search(rf'<article[^>]*id="order-{order.pk}".*?</article>', page, flags=re.S)
    assert match, f"{order.number} is not in the queue"
    return match.group(0)


def min_side_figures(page: str) -> dict[str, Decimal]:
    block = re.search(r'<dl class="kv-budget-figures">.*?</dl>', page, flags=re.S)
    assert block, "no budget figures on Min side"
    (figures,) = page_figures(block.group(0))
    return figures


def reconciled(found: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    for figures in found.values():
        assert_reconciles(figures)
    return found


@pytest.fixture
def before(shop: Shop) -> Shop:
    """The budgets and what was spent before (the module's docstring), and the policy."""
    give_budget(shop.team[0], "500.00")
    released = place_order(shop.holder, "300.00", key="earlier")
    assert released.state == OrderState.RELEASED
    approval_policy_set(actor=shop.admin, policy="none", threshold="1")
    waiting = place_order(shop.holder, "100.00", key="waiting")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    return shop


@pytest.mark.parametrize("name", SCENARIOS)
def test_an_orders_figures_reconcile_and_agree_on_every_page_and_in_the_api(
    before: Shop, name: str
) -> None:
    shop, scenario = before, SCENARIOS[name]
    for figures in scenario.figures.values():
        assert_reconciles(figures)  # the expectation itself adds up
    orderer = shop.buyer if scenario.by_buyer else shop.holder
    employees = {MATS: shop.holder.employee, ANNE: shop.team[0], BJORN: shop.team[1]}
    by_id = {employee.pk: label for label, employee in employees.items()}
    for label, price in scenario.lines:
        variant = VariantFactory(product__list_price=Decimal(price))
        fill_cart(orderer, variant, recipient=employees[label])

    # The review, before the order is placed.
    client = client_for(orderer)
    review = client.get(reverse("checkout:checkout_review")).content.decode()
    assert reconciled(named_figures(section(review, "budget-heading"))) == scenario.figures

    # The API's preview of the same lines.
    preview = Api(orderer).post(
        "/orders/preview",
        {
            "lines": [
                {"sku": line.variant.item_number, "quantity": 1, "recipient_id": line.recipient_id}
                for line in CartLine.objects.filter(cart__user=orderer).order_by("id")
            ]
        },
    )
    assert preview.status_code == 200, preview.json()
    budgets = preview.json()["budgets"]
    assert [by_id[b["employee_id"]] for b in budgets] == list(scenario.figures)  # by name
    for effect in budgets:
        figures = json_figures(effect)
        assert {n: figures[n] for n in WITH_ORDER} == scenario.figures[by_id[effect["employee_id"]]]
        assert_reconciles(figures)
        assert effect["over_budget"] is (figures["remaining_after"] < 0)

    # Placed from the review, it waits for the holder's manager.
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', review)
    assert key
    client.post(reverse("checkout:order_submit"), {"idempotency_key": key.group(1)})
    order = Order.objects.latest("pk")
    assert order.state == OrderState.AWAITING_APPROVAL

    # «Til godkjenning» shows the same figures for the placed order, in either language; every
    # other order there reconciles too.
    for language in ("en", "nb"):
        User.objects.filter(pk=shop.leader.pk).update(language=language)
        queue = client_for(shop.leader).get(reverse("approvals:queue")).content.decode()
        assert reconciled(named_figures(queue_card(queue, order))) == scenario.figures
        assert order.number in queue and queue.count("<article") == 2
        for figures in page_figures(queue):
            assert_reconciles(figures)

    # The API's approval queue, the same.
    answer = Api(shop.leader).get("/approvals").json()
    (item,) = [item for item in answer["items"] if item["id"] == order.pk]
    assert [by_id[b["employee_id"]] for b in item["budgets"]] == list(scenario.figures)
    for effect in item["budgets"]:
        figures = json_figures(effect)
        assert {n: figures[n] for n in WITH_ORDER} == scenario.figures[by_id[effect["employee_id"]]]
        assert_reconciles(figures)

    # Min side and /me: the order is spent now (and pending), leaving what the review said.
    mine = scenario.figures[MATS]
    expected = shown(1000, 400 + mine["this_order"], mine["remaining_after"], names=WITHOUT_ORDER)
    pending = 100 + mine["this_order"]
    page = client_for(shop.holder).get(reverse("checkout:my_page")).content.decode()
    at_min_side = min_side_figures(page)
    assert_reconciles(at_min_side)
    assert at_min_side == {**expected, "pending": pending}
    me = json_figures(Api(shop.holder).get("/me").json()["budget"])
    assert_reconciles(me)
    assert me == {**expected, "pending": pending}
