"""The review shows, per recipient, what the order does to their kit (utstyrspakke) beside the
budget, in the budget table's arithmetic (tests/figures.py), and what the company's policy makes
of an order beyond it: `allow` lets it through, `approval` says why it will wait, `block` says
why it cannot be placed, where the eye is, and takes the place-order button away.

Mats Berg (1003, the holder) has the kit «Elektriker»: 2 trousers (a category) and 1 «Vernesko»
(a product) per period; he has had 1 pair of trousers already. Anne Berg (101) has the kit
«Lager»: 1 pair of trousers, none used."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import Category, Variant
from kvote.checkout.models import CartLine
from kvote.checkout.services import order_submit
from kvote.companies.models import Company, EntitlementPolicy
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from tests.factories import CategoryFactory, VariantFactory, fill_cart, give_kit
from tests.figures import assert_kit_reconciles, kit_shown, named_kit_figures, text

pytestmark = pytest.mark.django_db

REVIEW = reverse("checkout:checkout_review")

# A buyer's review with kits, the same with 1 and with 7 past orders and 1 or 3 recipients: the
# budget review's 11 (kvote.checkout.tests.test_budget_pages: session, user with their company
# and roles, cart, lines, prices, pictures, the products that can be ordered, the address,
# budgets, their sums, the kits' assignments with their items, the cart's badge) and one for
# the kits: the pieces counted (kvote.kits.selectors.kits_for_employees).
REVIEW_QUERIES_WITH_KITS = 12


@pytest.fixture
def trousers(db: None) -> Category:
    return CategoryFactory(name="Bukser", name_en="Trousers", slug="bukser")


@pytest.fixture
def trouser(trousers: Category) -> Variant:
    return VariantFactory(product__category=trousers, product__name_en="Work trousers")


@pytest.fixture
def shoe(db: None) -> Variant:
    return VariantFactory(product__name="Vernesko", product__name_en="Safety shoes")


@pytest.fixture
def kits(company: Company, holder: User, team: list[Employee], trousers: Category, shoe: Variant):
    give_kit(holder.employee, (trousers, 2), (shoe.product, 1), name="Elektriker")
    give_kit(team[0], (trousers, 1), name="Lager")
    fill_cart(holder, VariantFactory(product__category=trousers))
    order_submit(actor=holder, idempotency_key="earlier")  # 1 pair used before


def policy(company: Company, value: str) -> None:
    company.over_entitlement = value
    company.save(update_fields=["over_entitlement"])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kit_section(page: str) -> str:
    match = re.search(r'<section[^>]*aria-labelledby="kit-heading".*?</section>', page, re.S)
    assert match, "no kit section on the review"
    return match.group(0)


def kit_tables(section: str) -> dict[str, dict[str, dict[str, int]]]:
    """Each recipient's kit table (by its caption) → the figures of each item."""
    found = {}
    for table in re.findall(r"<table\b.*?</table>", section, flags=re.S):
        caption = re.search(r"<caption\b[^>]*>(.*?)</caption>", table, flags=re.S)
        assert caption
        figures = named_kit_figures(table)
        for shown in figures.values():
            assert_kit_reconciles(shown)
        found[text(caption.group(1))] = figures
    return found


def review(user: User) -> str:
    response = client_for(user).get(REVIEW)
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_shows_each_recipients_kit_beside_the_budget(
    company: Company, buyer: User, holder: User, team: list[Employee], kits, trouser, shoe
) -> None:
    fill_cart(buyer, trouser, quantity=2, recipient=holder.employee)
    fill_cart(buyer, shoe, recipient=holder.employee)
    fill_cart(buyer, trouser, recipient=team[0])
    fill_cart(buyer, VariantFactory(), recipient=team[1])  # Bjørn has no kit
    page = review(buyer)
    assert page.index('id="kit-heading"') > page.index('id="budget-heading"')
    section = kit_section(page)
    assert kit_tables(section) == {
        "Kit of Anne Berg (101)": {"Trousers": kit_shown(1, 0, 1, 1, 0)},
        "Kit of Mats Berg (1003)": {
            "Trousers": kit_shown(2, 1, 1, 2, -1),
            "Safety shoes": kit_shown(1, 0, 1, 1, 0),
        },
    }
    assert "-1 Beyond the kit" in text(section)
    assert text(section).count("Beyond the kit") == 1  # only the row that goes over
    # The default policy: the order waits, and the review says why, in the kit section and in
    # the approval section, with the words order_submit records.
    reason = "The order goes beyond the kit of Mats Berg (Trousers)."
    assert reason in text(section)
    reasons = re.search(r'<ul class="ds-list" id="approval-reasons">.*?</ul>', page, re.S)
    assert reasons and reason in text(reasons.group(0))
    assert 'name="idempotency_key"' in page  # it can still be placed


def test_within_the_kit_the_review_says_so(holder: User, kits, trouser) -> None:
    fill_cart(holder, trouser)
    section = kit_section(review(holder))
    assert "The order is within the kit." in text(section)
    assert kit_tables(section) == {
        "Kit of Mats Berg (1003)": {"Trousers": kit_shown(2, 1, 1, 1, 0)}
    }
    assert "Beyond the kit" not in text(section)


def test_without_a_kit_there_is_no_kit_section(buyer: User, team: list[Employee], kits) -> None:
    fill_cart(buyer, VariantFactory(), recipient=team[1])
    page = review(buyer)
    assert 'id="kit-heading"' not in page and 'id="budget-heading"' not in page


def test_under_allow_an_order_beyond_the_kit_goes_through(
    company: Company, holder: User, kits, trouser
) -> None:
    policy(company, EntitlementPolicy.ALLOW)
    fill_cart(holder, trouser, quantity=3)
    page = review(holder)
    section = kit_section(page)
    assert kit_tables(section)["Kit of Mats Berg (1003)"]["Trousers"] == kit_shown(2, 1, 1, 3, -2)
    assert "only the budget in kroner matters" in text(section)
    assert "goes beyond the kit of" not in text(page)  # no approval reason
    assert 'name="idempotency_key"' in page


def test_under_block_the_review_says_why_and_has_no_place_order_button(
    company: Company, holder: User, kits, trouser
) -> None:
    policy(company, EntitlementPolicy.BLOCK)
    fill_cart(holder, trouser, quantity=3)
    page = review(holder)
    message = (
        "Mats Berg has 1 left of “Trousers” in their kit this period; the order takes 3. Lower "
        "the quantity or remove the line."
    )
    problems = re.search(r'<div class="ds-alert" data-color="warning">.*?</div>', page, re.S)
    assert problems and message in text(problems.group(0))  # at the top, with the others
    section = kit_section(page)
    assert message in text(section) and "Your company does not take orders beyond the kit." in text(
        section
    )
    assert kit_tables(section)["Kit of Mats Berg (1003)"]["Trousers"] == kit_shown(2, 1, 1, 3, -2)
    assert 'name="idempotency_key"' not in page and "Place order" not in page
    assert "goes to the supplier as soon as you place it" not in text(page)  # it cannot be
    # Lowered to what is left, the order can be placed.
    CartLine.objects.filter(cart__user=holder).update(quantity=1)
    page = review(holder)
    assert message not in text(page) and 'name="idempotency_key"' in page


def test_the_review_reads_in_norwegian(company: Company, holder: User, kits, trouser) -> None:
    User.objects.filter(pk=holder.pk).update(language="nb")
    fill_cart(holder, trouser, quantity=2)
    section = text(kit_section(review(holder)))
    for words in (
        "Utstyrspakke",
        "Tildelt",
        "Brukt før",
        "Igjen før",
        "Denne ordren",
        "Igjen etter",
    ):
        assert words in section
    assert "Utover utstyrspakken" in section
    assert "Ordren går utover utstyrspakken til Mats Berg" in section


def test_the_review_with_kits_makes_a_fixed_number_of_queries(
    buyer: User,
    holder: User,
    team: list[Employee],
    kits,
    trouser,
    shoe,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    fill_cart(buyer, trouser, recipient=holder.employee)
    client = client_for(buyer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REVIEW).status_code == 200
        return len(captured)

    few = count()
    for i in range(6):
        fill_cart(holder, VariantFactory(), recipient=None)
        order_submit(actor=holder, idempotency_key=f"more{i}")
    fill_cart(buyer, shoe, recipient=holder.employee)
    fill_cart(buyer, trouser, quantity=2, recipient=team[0])
    assert Order.objects.count() == 7
    assert count() == few
    with django_assert_num_queries(REVIEW_QUERIES_WITH_KITS):
        client.get(REVIEW)
