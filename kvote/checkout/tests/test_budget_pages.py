"""The budget holder's view of the budget: the section on Min side, the budget table and the
«i minus etter kjøp» warning at review, and what the confirmation says; with their query counts.

The pages are read in English (the users' language is "en"); every figure is compared with the
one place that computes it (kvote.budgets.selectors)."""

import html as html_lib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries

from kvote.budgets.selectors import MY_BUDGET_LINES, BudgetFigures, MyBudget, budget_figures
from kvote.budgets.services import budget_set
from kvote.catalog.models import Variant
from kvote.checkout.drafts import amounts_by_recipient
from kvote.checkout.models import CartLine
from kvote.checkout.selectors import (
    BudgetBar,
    cart_amounts_by_recipient,
    cart_view,
    checkout_review,
)
from kvote.common.money import format_nok
from kvote.companies.models import Company
from kvote.companies.periods import Period
from kvote.ordering.models import Order, OrderLine, OrderState
from kvote.ordering.states import order_transition
from kvote.people.models import Employee, User
from tests.factories import (
    AgreedPriceFactory,
    EmployeeFactory,
    VariantFactory,
    fill_cart,
    place_order,
)
from tests.figures import assert_reconciles, page_figures

pytestmark = pytest.mark.django_db

# Pinned query counts: the same bound with 3 and with 40 past orders on the budget. Budget
# figures are two queries: the budgets, then their sums (kvote.budgets.counting). The user is
# read with their company and whether they are a budget holder (kvote.people.backends), which
# Min side's roles and the review's assortment ask. One asks whether the user has a kit, with
# its items (kvote.kits.selectors.kits_for_employees: one more with one,
# kvote/checkout/tests/test_my_kit.py). Both show the lines' pictures: one query
# (kvote.catalog.images).
MY_PAGE_QUERIES = 12
REVIEW_QUERIES = 11


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def nok(amount: Decimal | str | int) -> str:
    """An amount as the English page shows it, read as text (see `text`)."""
    return format_nok(Decimal(amount), "en").replace("\u00a0", " ")


def give_budget(admin: User, employee: Employee, amount: str) -> None:
    budget_set(actor=admin, employee_id=employee.pk, amount=amount)


def figures_of(user: User, employee: Employee) -> BudgetFigures:
    return budget_figures(actor=user, employee_ids=[employee.pk])[employee.pk]


def text(fragment: str) -> str:
    """HTML as a reader sees it: tags dropped, entities decoded, white space collapsed."""
    plain = html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(plain.replace("\u00a0", " ").split())


def section(page: str, heading_id: str) -> str:
    """The <section> labelled by the heading with `heading_id`."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, flags=re.S
    )
    assert match, f"no section {heading_id!r} on the page"
    return match.group(0)


def definitions(fragment: str) -> dict[str, str]:
    """A <dl>'s terms and descriptions as text."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", fragment, flags=re.S)
    return {text(term): text(description) for term, description in pairs}


def table_rows(fragment: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, flags=re.S)
    assert body, "no table body"
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), flags=re.S)
    ]


def key_of(review_html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', review_html)
    assert match, "the review has no place-order form"
    return match.group(1)


def submit_from_review(client: Client) -> tuple[str, Order]:
    """Open the review, place the order from it, and follow to the confirmation."""
    review = client.get(reverse("checkout:checkout_review")).content.decode()
    response = client.post(reverse("checkout:order_submit"), {"idempotency_key": key_of(review)})
    assert response.status_code == 302
    order = Order.objects.latest("pk")
    assert response["Location"] == reverse("checkout:order_confirmation", args=[order.pk])
    return client.get(response["Location"]).content.decode(), order


# --- Min side -----------------------------------------------------------------------------------


def test_min_side_shows_the_budget_figures_and_the_orders_that_used_it(
    company: Company, admin: User, holder: User
) -> None:
    me = holder.employee
    give_budget(admin, me, "1000.00")
    released = place_order(holder, "300.00", key="a")
    over = place_order(holder, "800.00", key="b")  # 1 100 > 1 000: waits for approval
    by_admin = place_order(admin, "50.00", key="c", recipient=me)  # for me, placed by someone else
    cancelled = place_order(holder, "10.00", key="d")
    order_transition(order=cancelled, to_state=OrderState.CANCELLED, actor=holder)
    elsewhere = place_order(admin, "70.00", key="e")  # the admin's own: not on my budget
    assert (released.state, over.state) == (OrderState.RELEASED, OrderState.AWAITING_APPROVAL)

    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    budget = section(page, "budget-heading")
    assert page.index('id="budget-heading"') < page.index('id="me-heading"')  # first on the page

    assert by_admin.state == OrderState.AWAITING_APPROVAL  # it, too, took me further below 0
    figures = figures_of(holder, me)
    assert (figures.amount, figures.spent, figures.pending) == (
        Decimal("1000.00"),
        Decimal("1150.00"),
        Decimal("850.00"),
    )
    shown = definitions(budget)
    with translation.override("en"):
        assert shown["Period"] == text(figures.period.label())
    assert shown["Budget"] == nok(figures.amount)
    assert shown["Spent"] == nok(figures.spent)
    assert f"Spent {nok(figures.spent)} Of which awaiting approval: {nok(figures.pending)}" in (
        text(budget)
    )  # the pending part shown as part of what is spent
    assert shown["Remaining"] == f"{nok(figures.remaining)} Over budget"
    (marked,) = page_figures(budget.split("</dl>")[0])
    assert marked == {
        "budget": figures.amount,
        "spent": figures.spent,
        "pending": figures.pending,
        "remaining": figures.remaining,
    }
    assert_reconciles(marked)
    assert figures.remaining == Decimal("-150.00") and nok("-150") == "NOK -150.00"

    bar = re.search(r'role="img" aria-label="([^"]*)"', budget)
    assert bar is not None
    assert text(bar.group(1)) == (
        "Spent NOK 1,150.00 of NOK 1,000.00, of which NOK 850.00 awaiting approval. "
        "Remaining NOK -150.00."
    )
    # The bar is 1 150 wide: 300 spent and not waiting, 850 waiting, the budget ends at 1 000.
    assert 'width="26%"' in budget and 'width="73%"' in budget
    assert 'x1="86%"' in budget

    rows = table_rows(budget)
    assert [row[1] for row in rows] == [by_admin.number, over.number, released.number]
    lines = {line.order_id: line for line in OrderLine.objects.filter(recipient=me)}
    for row, order in zip(rows, [by_admin, over, released], strict=True):
        line = lines[order.pk]
        placed = timezone.localtime(order.placed_at)
        assert row == [
            f"{placed.day} {placed:%b %Y}",  # English, day first (kvote/formats)
            order.number,
            line.item_number,
            line.product_name_en,
            f"Navy / {line.size}",
            "1",
            nok(line.line_total),
            order.get_state_display(),
        ]
        assert reverse("ordering:order_detail", args=[order.pk]) in budget
    assert cancelled.number not in budget and elsewhere.number not in budget
    assert rows[1][-1] == "Awaiting approval"


def test_within_budget_the_section_shows_what_is_left_without_a_warning(
    admin: User, holder: User
) -> None:
    give_budget(admin, holder.employee, "2000.00")
    place_order(holder, "500.00", key="a")
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    shown = definitions(section(page, "budget-heading"))
    assert shown["Spent"] == nok("500") and "Of which awaiting approval:" not in text(page)
    assert shown["Remaining"] == nok("1500")
    assert "Over budget" not in page and "awaiting approval. It goes" not in page
    assert 'width="25%"' in page and 'width="0%"' in page
    assert "kv-budget-bar__limit" not in page  # no budget limit marker within the budget


@pytest.mark.parametrize(
    ("amount", "spent", "pending", "bar"),
    [
        ("1000", "250", "0", (25, 0, None)),
        ("1000", "1000", "400", (60, 40, None)),
        ("1000", "2000", "1500", (25, 75, 50)),  # twice the budget: it ends half-way
        ("0", "0", "0", (0, 0, None)),
        ("0", "100", "100", (0, 100, 0)),
    ],
)
def test_the_bar_shows_spent_and_waiting_against_the_budget(
    amount: str, spent: str, pending: str, bar: tuple[int, int, int | None]
) -> None:
    today = timezone.localdate()
    figures = BudgetFigures(
        employee_id=1,
        budget_id=1,
        period=Period(today, today + timedelta(days=1)),
        amount=Decimal(amount),
        spent=Decimal(spent),
        pending=Decimal(pending),
    )
    shown = BudgetBar.of(MyBudget(figures=figures, page=Paginator([], 10).page(1)))
    assert (shown.approved_percent, shown.pending_percent, shown.limit_percent) == bar


def test_no_budget_no_section(admin: User, holder: User, buyer: User, leader: User) -> None:
    assert holder.employee.budgets.exists()  # someone else's budget
    last_year = timezone.localdate() - timedelta(days=366)
    budget_set(actor=admin, employee_id=buyer.employee.pk, amount="900", on=last_year)
    place_order(buyer, "100.00", key="a", recipient=buyer.employee)
    page = client_for(buyer).get(reverse("checkout:my_page")).content.decode()
    assert "budget-heading" not in page and "My budget" not in page
    assert "Remaining" not in page

    page = client_for(leader).get(reverse("checkout:my_page")).content.decode()  # no budget ever
    assert "My budget" not in page


def test_an_empty_budget_says_so(admin: User, holder: User) -> None:
    give_budget(admin, holder.employee, "1000.00")
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    budget = section(page, "budget-heading")
    assert "No orders have used this budget yet." in budget
    assert definitions(budget)["Remaining"] == nok("1000")


def test_my_orders_on_min_side_points_out_orders_awaiting_approval(
    admin: User, holder: User
) -> None:
    give_budget(admin, holder.employee, "100.00")
    waiting = place_order(holder, "150.00", key="a")
    assert waiting.state == OrderState.AWAITING_APPROVAL
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    orders = section(page, "orders-heading")
    assert "You have 1 order awaiting approval." in text(orders)
    assert f"{reverse('ordering:order_list')}?state=awaiting_approval" in orders
    row = next(r for r in table_rows(orders) if r[0] == waiting.number)
    assert "Awaiting approval" in row

    place_order(holder, "20.00", key="b")
    page = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    assert "You have 2 orders awaiting approval." in text(page)


# --- the review ---------------------------------------------------------------------------------


def review_of(client: Client) -> str:
    response = client.get(reverse("checkout:checkout_review"))
    assert response.status_code == 200
    return response.content.decode()


def test_review_within_budget_shows_the_budget_table_and_a_quiet_note(
    admin: User, holder: User
) -> None:
    give_budget(admin, holder.employee, "1000.00")
    place_order(holder, "300.00", key="a")
    fill_cart(holder, VariantFactory(product__list_price=Decimal("200.00")), quantity=2)
    page = review_of(client_for(holder))
    budget = section(page, "budget-heading")
    assert table_rows(budget) == [
        [f"{holder.employee.name} (1003)", nok(1000), nok(300), nok(700), nok(400), nok(300)]
    ]
    assert "The order is within budget and goes to the supplier as soon as you place it." in text(
        budget
    )
    assert "over budget" not in budget.lower()
    assert "Place order" in page


def test_review_over_budget_warns_in_the_seeds_words_and_still_lets_you_order(
    admin: User, holder: User
) -> None:
    give_budget(admin, holder.employee, "1000.00")
    place_order(holder, "300.00", key="a")
    fill_cart(holder, VariantFactory(product__list_price=Decimal("412.25")), quantity=2)
    page = review_of(client_for(holder))
    budget = section(page, "budget-heading")
    # 1 000 − 300 = 700; 700 − 824,50 = −124,50: «Du er i minus etter kjøp: kr 124,50».
    assert table_rows(budget) == [
        [
            f"{holder.employee.name} (1003)",
            nok(1000),
            nok(300),
            nok(700),
            nok("824.50"),
            f"{nok('-124.50')} Over budget",
        ]
    ]
    warning = text(re.search(r'<div class="ds-alert".*?</div>', budget, flags=re.S).group(0))
    assert f"You are over budget after purchase: {nok('124.50')}" in warning
    assert "wait for approval by the nearest manager before it goes to the supplier" in warning
    assert "within budget" not in budget
    assert key_of(page)  # the order can still be placed

    with translation.override("nb"):
        warning_nb = translation.gettext("You are over budget after purchase: %(amount)s")
    expected = warning_nb % {"amount": format_nok(Decimal("124.50"), "nb").replace("\u00a0", " ")}
    holder.language = "nb"
    holder.save(update_fields=["language"])
    assert expected in text(review_of(client_for(holder)))


def test_review_names_other_recipients_that_go_over(
    company: Company, admin: User, buyer: User
) -> None:
    # The buyer may choose recipients and has no budget of their own.
    within: Employee = EmployeeFactory(company=company, name="Kari Innenfor", number="2001")
    over: Employee = EmployeeFactory(company=company, name="Per Utenfor", number="2002")
    no_budget: Employee = EmployeeFactory(company=company, name="Ola Uten", number="2003")
    give_budget(admin, within, "5000.00")
    give_budget(admin, over, "100.00")
    variant = VariantFactory(product__list_price=Decimal("150.00"))
    for recipient in (within, over, no_budget, buyer.employee):
        fill_cart(buyer, variant, recipient=recipient)
    fill_cart(buyer, VariantFactory(product__list_price=Decimal("10.00")), recipient=over)

    budget = section(review_of(client_for(buyer)), "budget-heading")
    assert table_rows(budget) == [
        ["Kari Innenfor (2001)", nok(5000), nok(0), nok(5000), nok(150), nok(4850)],
        ["Per Utenfor (2002)", nok(100), nok(0), nok(100), nok(160), f"{nok(-60)} Over budget"],
    ]
    warning = text(budget)
    assert f"Per Utenfor is over budget after this purchase: {nok(60)}" in warning
    assert "You are over budget" not in warning and "Kari Innenfor is over" not in warning


def test_the_review_draws_the_same_amounts_as_order_submit(
    company: Company, admin: User, buyer: User
) -> None:
    first: Employee = EmployeeFactory(company=company)
    second: Employee = EmployeeFactory(company=company)
    agreed = AgreedPriceFactory(company=company, price=Decimal("333.33"))
    agreed_variant: Variant = VariantFactory(product=agreed.product)
    listed: Variant = VariantFactory(product__list_price=Decimal("99.99"))
    fill_cart(buyer, agreed_variant, quantity=3, recipient=first)
    fill_cart(buyer, listed, quantity=7, recipient=first)
    fill_cart(buyer, listed, quantity=2, recipient=second)

    view = cart_view(actor=buyer)
    shown = cart_amounts_by_recipient(view=view)
    lines = list(CartLine.objects.filter(cart__user=buyer).select_related("recipient"))
    by_row = {row.line.pk: row.line_total for row in view.rows}
    drawn = amounts_by_recipient(lines=lines, line_totals=[by_row[line.pk] for line in lines])
    assert shown == drawn == {first: Decimal("1699.92"), second: Decimal("199.98")}

    client = client_for(buyer)
    _html, order = submit_from_review(client)
    placed = {
        employee: sum(
            (line.line_total for line in order.lines.all() if line.recipient_id == employee.pk),
            Decimal(0),
        )
        for employee in (first, second)
    }
    assert placed == shown


def test_a_recipient_without_a_budget_gives_no_budget_section(buyer: User) -> None:
    fill_cart(buyer, VariantFactory(), recipient=buyer.employee)
    page = review_of(client_for(buyer))
    assert 'id="budget-heading"' not in page and "over budget" not in page.lower()
    assert checkout_review(actor=buyer).budgets == []


# --- submitting, the confirmation and Min side after ---------------------------------------------


def test_over_budget_order_waits_for_approval_and_shows_as_pending(
    admin: User, holder: User
) -> None:
    give_budget(admin, holder.employee, "500.00")
    client = client_for(holder)
    fill_cart(holder, VariantFactory(product__list_price=Decimal("600.00")))
    confirmation, order = submit_from_review(client)
    assert order.state == OrderState.AWAITING_APPROVAL
    plain = text(confirmation)
    assert "The order waits for approval by the nearest manager" in plain
    assert "Awaiting approval" in plain and "sent to the supplier" not in plain

    page = client.get(reverse("checkout:my_page")).content.decode()
    budget = section(page, "budget-heading")
    shown = definitions(budget)
    assert f"Of which awaiting approval: {nok(600)}" in text(budget)
    assert shown["Remaining"] == f"{nok(-100)} Over budget"
    row = next(r for r in table_rows(budget) if r[1] == order.number)
    assert row[-1] == "Awaiting approval"


def test_within_budget_order_is_released_at_once(admin: User, holder: User) -> None:
    give_budget(admin, holder.employee, "500.00")
    client = client_for(holder)
    fill_cart(holder, VariantFactory(product__list_price=Decimal("500.00")))  # exactly 0 left
    confirmation, order = submit_from_review(client)
    assert order.state == OrderState.RELEASED
    plain = text(confirmation)
    assert "The order is sent to the supplier." in plain
    assert "waits for approval" not in plain

    page = client.get(reverse("checkout:my_page")).content.decode()
    shown = definitions(section(page, "budget-heading"))
    assert shown["Remaining"] == nok(0) and "Of which awaiting approval:" not in text(page)


# --- query counts -------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _past_orders(holder: User, admin: User, count: int, start: int, *, mine: bool = True) -> None:
    """`count` orders of kr 10 on the holder's budget: placed by the holder (when `mine`) and
    by the admin for them."""
    for i in range(start, start + count):
        if mine and i % 3:
            place_order(holder, "10.00", key=f"p{i}")
        else:
            place_order(admin, "10.00", key=f"p{i}", recipient=holder.employee)


def test_min_side_makes_a_fixed_number_of_queries(admin: User, holder: User) -> None:
    give_budget(admin, holder.employee, "100.00")  # some orders wait for approval, too
    client = client_for(holder)
    url = reverse("checkout:my_page")
    _past_orders(holder, admin, 3, 0)
    few, few_page = _queries(client, url)
    _past_orders(holder, admin, 7, 3)
    full, full_page = _queries(client, url)
    _past_orders(holder, admin, 30, 10)
    many, many_page = _queries(client, url)
    assert len(table_rows(section(few_page, "budget-heading"))) == 3
    assert len(table_rows(section(full_page, "budget-heading"))) == MY_BUDGET_LINES
    assert len(table_rows(section(many_page, "budget-heading"))) == MY_BUDGET_LINES
    assert few == full == many - 1 == MY_PAGE_QUERIES, (few, full, many)  # more: one count


def test_min_side_shows_the_budget_lines_a_page_at_a_time_newest_first(
    admin: User, holder: User
) -> None:
    give_budget(admin, holder.employee, "1000.00")
    _past_orders(holder, admin, 23, 0)
    client = client_for(holder)
    url = reverse("checkout:my_page")
    numbers = list(
        OrderLine.objects.filter(recipient=holder.employee)
        .order_by("-order__placed_at", "-order_id", "id")
        .values_list("order__number", flat=True)
    )
    assert len(numbers) == 23
    shown = []
    for page in ("1", "2", "3"):
        body = client.get(url, {"page": page}).content.decode()
        rows = table_rows(section(body, "budget-heading"))
        shown += [row[1] for row in rows]  # date, order number, …
        assert 'aria-label="Pages"' in body or 'aria-label="Sider"' in body
    assert shown == numbers
    for bad in ("abc", "0", "999", "-1"):  # never a 500: the nearest page
        response = client.get(url, {"page": bad})
        assert response.status_code == 200
        assert len(table_rows(section(response.content.decode(), "budget-heading"))) in (3, 10)


def test_the_review_makes_a_fixed_number_of_queries(
    admin: User, holder: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    give_budget(admin, holder.employee, "1000.00")
    client = client_for(holder)
    url = reverse("checkout:checkout_review")
    _past_orders(holder, admin, 3, 0)
    for _ in range(3):
        fill_cart(holder, VariantFactory())
    few, few_page = _queries(client, url)
    _past_orders(holder, admin, 37, 3, mine=False)  # the admin's: the holder's cart stays put
    many, many_page = _queries(client, url)
    assert table_rows(section(few_page, "budget-heading"))[0][1:] == [
        nok(1000),
        nok(30),
        nok(970),
        nok(1500),
        f"{nok(-530)} Over budget",
    ]
    assert table_rows(section(many_page, "budget-heading"))[0][2:4] == [nok(400), nok(600)]
    assert few == many, (few, many)
    with django_assert_num_queries(REVIEW_QUERIES):
        client.get(url)
