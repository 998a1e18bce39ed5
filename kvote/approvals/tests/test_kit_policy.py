"""The company's policy for an order beyond a kit (allow, approval, block): set by a company
admin through approval_policy_set, on the policy page and in the back office's view of it; and
the approval queue, which shows what each order does to its recipients' kits beside their
budgets, in the review's words and arithmetic, counted in the period of the order's day.

Mats Berg (1003, the holder) has the kit «Elektriker»: 2 pairs of trousers per period."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries

from kvote.approvals.selectors import approval_queue
from kvote.approvals.services import approval_policy_set
from kvote.catalog.models import Category, Variant
from kvote.checkout.services import order_submit
from kvote.common.errors import ServiceError
from kvote.companies.models import ApprovalPolicy, Company, EntitlementPolicy
from kvote.companies.periods import PeriodKind
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee, User
from tests.factories import CategoryFactory, UserFactory, VariantFactory, fill_cart, give_kit
from tests.figures import (
    assert_kit_reconciles,
    assert_reconciles,
    kit_shown,
    named_figures,
    named_kit_figures,
    text,
)

pytestmark = pytest.mark.django_db

SETTINGS = reverse("approvals:settings")
QUEUE = reverse("approvals:queue")

# The queue's 11 queries (kvote.approvals.tests.test_views: orders with their company, lines,
# pictures, budgets, their sums, the kits' assignments with their items, …) and two more when a
# recipient has a kit: the products' categories and the pieces counted
# (kvote.kits.selectors.placed_order_entitlement_effects). The same with 2 and 10 orders.
QUEUE_QUERIES_WITH_KITS = 13


@pytest.fixture
def trousers(db: None) -> Category:
    return CategoryFactory(name="Bukser", name_en="Trousers", slug="bukser")


@pytest.fixture
def trouser(trousers: Category) -> Variant:
    return VariantFactory(product__category=trousers, product__list_price=Decimal("100.00"))


@pytest.fixture
def kit(holder: User, trousers: Category) -> None:
    give_kit(holder.employee, (trousers, 2))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def company_of(company: Company) -> Company:
    return Company.objects.get(pk=company.pk)


def order(actor: User, variant: Variant, quantity: int, *, recipient=None, key: str) -> Order:
    fill_cart(actor, variant, quantity=quantity, recipient=recipient)
    return order_submit(actor=actor, idempotency_key=key)


def queue_card(page: str, placed: Order) -> str:
    match = re.search(rf'<article[^>]*id="order-{placed.pk}".*?</article>', page, flags=re.S)
    assert match, f"{placed.number} is not in the queue"
    return match.group(0)


# --- The policy -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", EntitlementPolicy.values)
def test_a_company_admin_sets_each_kit_policy(company: Company, admin: User, value: str) -> None:
    approval_policy_set(
        actor=admin, policy=ApprovalPolicy.OVER_BUDGET, threshold="", over_entitlement=value
    )
    assert company_of(company).over_entitlement == value
    # Left out, it stays as it is.
    approval_policy_set(actor=admin, policy=ApprovalPolicy.ALWAYS, threshold="")
    assert company_of(company).over_entitlement == value


def test_an_unknown_kit_policy_is_refused_and_nothing_changes(company: Company, admin: User):
    with pytest.raises(ServiceError) as refused, translation.override("en"):
        approval_policy_set(
            actor=admin, policy=ApprovalPolicy.NONE, threshold="5", over_entitlement="sometimes"
        )
    assert (refused.value.code, refused.value.field) == ("invalid_policy", "over_entitlement")
    assert refused.value.message == "Choose what happens to an order beyond a kit."
    after = company_of(company)
    assert (after.approval_policy, after.approval_threshold, after.over_entitlement) == (
        ApprovalPolicy.OVER_BUDGET,
        None,
        EntitlementPolicy.APPROVAL,
    )


def test_only_a_company_admin_sets_the_kit_policy(company: Company, leader: User) -> None:
    with pytest.raises(ServiceError) as refused:
        approval_policy_set(
            actor=leader, policy=ApprovalPolicy.OVER_BUDGET, threshold="", over_entitlement="block"
        )
    assert refused.value.code == "admin_only"
    assert company_of(company).over_entitlement == EntitlementPolicy.APPROVAL


@pytest.mark.parametrize("value", EntitlementPolicy.values)
def test_the_policy_page_offers_the_three_choices_and_saves_each(
    company: Company, admin: User, value: str
) -> None:
    client = client_for(admin)
    page = client.get(SETTINGS).content.decode()
    fieldset = re.search(r"<fieldset[^>]*id_over_entitlement-help.*?</fieldset>", page, re.S)
    assert fieldset, "no kit policy on the page"
    assert "<legend" in fieldset.group(0) and "Orders beyond the kit" in text(fieldset.group(0))
    assert re.findall(r'name="over_entitlement" value="(\w+)"', fieldset.group(0)) == [
        "allow",
        "approval",
        "block",
    ]
    assert re.search(r'value="approval"[^>]*checked', fieldset.group(0))  # the default
    assert "only the budget in kroner matters" in text(fieldset.group(0))
    response = client.post(
        SETTINGS,
        {"policy": "over_budget", "threshold": "", "over_entitlement": value},
        follow=True,
    )
    assert "The approval policy is saved." in text(response.content.decode())
    assert company_of(company).over_entitlement == value
    again = client.get(SETTINGS).content.decode()
    assert re.search(rf'value="{value}"[^>]*checked', again)


@pytest.mark.parametrize("sent", [{"over_entitlement": "sometimes"}, {}])
def test_the_policy_page_refuses_no_or_an_unknown_choice_keeping_what_was_typed(
    company: Company, admin: User, sent: dict[str, str]
) -> None:
    response = client_for(admin).post(
        SETTINGS, {"policy": "always", "threshold": "5 000,00", **sent}
    )
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(r'<p[^>]*id="id_over_entitlement-error"[^>]*>(.*?)</p>', page, re.S)
    assert error and text(error.group(1)) == "Choose what happens to an order beyond a kit."
    assert 'value="5 000,00"' in page and re.search(r'value="always"[^>]*checked', page)
    after = company_of(company)
    assert (after.approval_policy, after.over_entitlement) == ("over_budget", "approval")


def test_the_policy_page_reads_in_norwegian(admin: User) -> None:
    User.objects.filter(pk=admin.pk).update(language="nb")
    page = text(client_for(admin).get(SETTINGS).content.decode())
    assert "Bestillinger utover utstyrspakken" in page
    assert "Tillat: bare budsjettet i kroner gjelder" in page
    assert "Linjen kan ikke bestilles" in page


def test_the_back_office_shows_the_kit_policy(company: Company) -> None:
    company.over_entitlement = EntitlementPolicy.BLOCK
    company.save(update_fields=["over_entitlement"])
    staff = UserFactory(company=None, is_staff=True, is_superuser=True, language="en")
    client = client_for(staff)
    page = client.get(reverse("admin:companies_company_change", args=[company.pk])).content
    shown = text(page.decode())
    assert "Orders over a kit:" in shown and "The line cannot be ordered" in shown


# --- The approval queue ------------------------------------------------------------------------


def test_the_queue_shows_the_kit_effect_beside_the_budget_as_the_review_did(
    company: Company, holder: User, leader: User, kit, trouser: Variant
) -> None:
    order(holder, trouser, 1, key="earlier")  # within the kit: released
    fill_cart(holder, trouser, quantity=3)
    review = client_for(holder).get(reverse("checkout:checkout_review")).content.decode()
    at_review = named_kit_figures(review)
    placed = order_submit(actor=holder, idempotency_key="over")
    assert placed.state == OrderState.AWAITING_APPROVAL
    (item,) = approval_queue(actor=leader)
    assert [e.remaining_after for e in item.entitlements] == [-2] and item.over_kit

    card = queue_card(client_for(leader).get(QUEUE).content.decode(), placed)
    kit_figures = named_kit_figures(card)
    assert kit_figures == at_review == {"Trousers": kit_shown(2, 1, 1, 3, -2)}
    assert_kit_reconciles(kit_figures["Trousers"])
    assert "Kit of Mats Berg (1003)" in text(card) and "Beyond the kit" in text(card)
    budget = named_figures(card)["Mats Berg (1003)"]
    assert_reconciles(budget)
    assert (budget["this_order"], budget["remaining_after"]) == (300, 600)
    # The budget table comes first, then the kit's, with the same words for the same columns.
    assert card.index(f'id="order-{placed.pk}-budget"') < card.index("Kit of Mats Berg")
    for words in ("Remaining before", "This order", "Remaining after"):
        assert card.count(f">{words}</th>") == 2


def test_the_queue_reads_in_norwegian(holder: User, leader: User, kit, trouser: Variant) -> None:
    order(holder, trouser, 3, key="over")
    User.objects.filter(pk=leader.pk).update(language="nb")
    page = text(client_for(leader).get(QUEUE).content.decode())
    assert "Utstyrspakken til Mats Berg (1003)" in page and "Utover utstyrspakken" in page
    assert "Tildelt" in page and "Brukt før" in page and "Igjen etter" in page


def test_an_order_within_the_kit_shows_no_kit_warning(
    admin: User, holder: User, leader: User, kit, trouser: Variant
) -> None:
    approval_policy_set(actor=admin, policy="always", threshold="")
    placed = order(holder, trouser, 2, key="within")
    assert placed.state == OrderState.AWAITING_APPROVAL  # `always`
    card = queue_card(client_for(leader).get(QUEUE).content.decode(), placed)
    assert named_kit_figures(card) == {"Trousers": kit_shown(2, 0, 2, 2, 0)}
    assert "Beyond the kit" not in text(card)


def test_the_queue_with_kits_makes_a_fixed_number_of_queries(
    company: Company,
    holder: User,
    leader: User,
    buyer: User,
    team: list[Employee],
    kit,
    trousers: Category,
    trouser: Variant,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for employee in team:
        give_kit(employee, (trousers, 1), name="Lager")
    client = client_for(leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    order(holder, trouser, 3, key="a0")
    order(buyer, trouser, 2, recipient=team[0], key="a1")
    few = count()
    for i in range(8):
        order(buyer, trouser, 2 + i, recipient=team[i % 3], key=f"b{i}")
    assert Order.objects.filter(state=OrderState.AWAITING_APPROVAL).count() == 10
    assert count() == few
    with django_assert_num_queries(QUEUE_QUERIES_WITH_KITS):
        page = client.get(QUEUE).content.decode()
    assert page.count("<article") == 10 and page.count("Kit of ") == 10


# --- Periods ----------------------------------------------------------------------------------


def test_orders_of_last_period_do_not_count_against_this_periods_kit(
    company: Company, holder: User, leader: User, kit, trouser: Variant
) -> None:
    company.budget_period = PeriodKind.MONTH
    company.save(update_fields=["budget_period"])
    last_month = timezone.now() - timedelta(days=timezone.localdate().day + 1)
    earlier = order(holder, trouser, 2, key="earlier")  # the whole kit: released
    assert earlier.state == OrderState.RELEASED
    # In the same month, one more pair goes beyond the kit and waits.
    fill_cart(holder, trouser, quantity=1)
    review = client_for(holder).get(reverse("checkout:checkout_review")).content.decode()
    assert named_kit_figures(review) == {"Trousers": kit_shown(2, 2, 0, 1, -1)}
    # Moved to last month, the earlier order counts there, not now.
    Order.objects.filter(pk=earlier.pk).update(placed_at=last_month)
    review = client_for(holder).get(reverse("checkout:checkout_review")).content.decode()
    assert named_kit_figures(review) == {"Trousers": kit_shown(2, 0, 2, 1, 1)}
    assert "goes beyond the kit" not in text(review)
    # An order awaiting approval is read in the period of its own day: placed last month, it
    # counts with last month's orders (the earlier pair), not with this month's.
    waiting = order(holder, trouser, 1, key="waiting")  # with the pair in the cart: 2
    Order.objects.filter(pk=waiting.pk).update(
        placed_at=last_month, state=OrderState.AWAITING_APPROVAL
    )
    now = order(holder, trouser, 2, key="now")  # this month: 2 of 2, with none before
    Order.objects.filter(pk=now.pk).update(state=OrderState.AWAITING_APPROVAL)
    figures = {
        item.order.pk: [(e.used_before, e.this_order, e.remaining_after) for e in item.entitlements]
        for item in approval_queue(actor=leader)
    }
    assert figures == {waiting.pk: [(2, 2, -2)], now.pk: [(0, 2, 0)]}
    assert {e.period.start for item in approval_queue(actor=leader) for e in item.entitlements} == {
        company.budget_period_of(timezone.localdate(last_month)).start,
        company.budget_period_of(timezone.localdate()).start,
    }
