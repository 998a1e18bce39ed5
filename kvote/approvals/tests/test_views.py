"""The approval pages through the Django client: «Til godkjenning» with the budget effect,
deciding one order or several, the one-decision rule, substitutes, cancelling, the policy page,
what the review tells the orderer, and the queue's pinned query count.

The users read the English pages (language "en")."""

import html as html_lib
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kvote.approvals.models import Substitute
from kvote.budgets.services import budget_set
from kvote.common.money import format_nok
from kvote.companies.models import ApprovalPolicy, Company
from kvote.jobs.models import Job
from kvote.ordering.models import Order, OrderState
from kvote.people.models import Employee, User
from tests.factories import VariantFactory, fill_cart, give_budget, member, place_order
from tests.world import order_awaiting

pytestmark = pytest.mark.django_db

# The queue's queries, the same with 2 and with 10 waiting orders: its orders (with their
# company), their lines, their pictures (kvote.ordering.selectors.lines_shown), the budget
# figures (the recipients' budgets in the periods of the orders' days, then their sums:
# kvote.budgets.selectors.placed_order_effects), and the recipients' kits (their assignments:
# none here; kvote.approvals.tests.test_kit_policy pins the queue with kits).
QUEUE_QUERIES = 11

# Min side for an approver with no budget: session and user (with their company, and whether
# they are a budget holder); the page's own (latest orders, own employee, budget, kit, orders
# awaiting approval: kvote.checkout.selectors.my_page); for «Til godkjenning» how many orders
# await them, the newest few and their lines (kvote.approvals.selectors.awaiting_decision); the
# cart's badge.
MY_PAGE_APPROVER_QUERIES = 11

QUEUE = reverse("approvals:queue")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def nok(amount: Decimal | str | int) -> str:
    return format_nok(Decimal(amount), "en").replace("\u00a0", " ")


def text(fragment: str) -> str:
    plain = html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(plain.replace("\u00a0", " ").split())


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, f"no section {heading_id!r}"
    return match.group(0)


def card(page: str, order: Order) -> str:
    """The queue's card of one order."""
    match = re.search(rf'<article[^>]*id="order-{order.pk}".*?</article>', page, flags=re.S)
    assert match, f"{order.number} is not in the queue"
    return match.group(0)


def table_rows(fragment: str, caption_id: str) -> list[list[str]]:
    table = re.search(rf'id="{caption_id}".*?<tbody>(.*?)</tbody>', fragment, flags=re.S)
    assert table, f"no table {caption_id}"
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), flags=re.S)
    ]


def over_budget_order(holder: User, key: str = "over", price: str = "1200.00") -> Order:
    order = place_order(holder, price, key=key)
    assert order.state == OrderState.AWAITING_APPROVAL
    return order


def decide(client: Client, order: Order, decision: str, comment: str = "") -> str:
    response = client.post(
        reverse("approvals:decide", args=[order.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )
    assert response.status_code == 200
    return text(response.content.decode())


def orderer_emails(order: Order) -> list[Job]:
    return [
        job
        for job in Job.objects.filter(kind="email")
        if job.payload.get("to") == order.placed_by.email
    ]


# --- The queue -----------------------------------------------------------------------------------


def test_the_queue_shows_an_over_budget_order_to_the_supervisor_with_the_budget_effect(
    holder: User, leader: User
) -> None:
    place_order(holder, "300.00", key="within")  # released: spent before the order
    order = over_budget_order(holder)
    page = client_for(leader).get(QUEUE).content.decode()
    shown = card(page, order)
    plain = text(shown)
    assert order.number in plain and "Mats Berg" in plain and "Mats Berg (1003)" in plain
    assert nok("1200.00") in plain
    line = order.lines.get()
    assert table_rows(shown, f"order-{order.pk}-lines") == [
        [
            line.item_number,
            line.display_product_name,
            f"{line.display_colour} / {line.size}",
            "1",
            "Mats Berg (1003)",
            nok("1200.00"),
        ]
    ]
    # Budget 1 000 − spent before this order 300 = 700 remaining before; − this order 1 200 =
    # −500 remaining after (the order itself is already counted in what is spent: left out).
    assert table_rows(shown, f"order-{order.pk}-budget") == [
        [
            "Mats Berg (1003)",
            nok(1000),
            nok(300),
            nok(700),
            nok(1200),
            f"{nok(-500)} Over budget",
        ]
    ]
    assert "Over budget" in text(shown.split("</h3>")[1].split("<dl")[0])  # at the card's head
    assert "1 order awaits your decision" in text(page)


def test_the_queue_is_oldest_first_and_lists_the_employees_one_is_responsible_for(
    holder: User, leader: User
) -> None:
    first = over_budget_order(holder, key="a")
    second = over_budget_order(holder, key="b", price="50.00")
    page = client_for(leader).get(QUEUE).content.decode()
    assert page.index(f'id="order-{first.pk}"') < page.index(f'id="order-{second.pk}"')
    responsible = re.search(r'aria-labelledby="responsible-heading".*?</section>', page, re.S)
    assert responsible and "Mats Berg" in text(responsible.group(0))


def test_users_who_decide_nothing_get_an_empty_queue(holder: User, company: Company) -> None:
    over_budget_order(holder)
    buyer = member(company, language="en")
    response = client_for(buyer).get(QUEUE)
    assert response.status_code == 200
    assert "No orders await your decision." in text(response.content.decode())
    assert "KV-" not in response.content.decode()


def test_min_side_shows_an_approver_the_newest_waiting_orders_with_amounts_and_links(
    holder: User, leader: User, team: list[Employee]
) -> None:
    client = client_for(leader)
    page = client.get(reverse("checkout:my_page")).content.decode()
    waiting = section(page, "to-approve-heading")
    assert "No orders await your decision." in text(waiting) and "<table" not in waiting
    assert f'href="{QUEUE}"' in waiting  # «Godkjenne ordrer»

    first = over_budget_order(holder, key="a")
    second = over_budget_order(holder, key="b", price="50.00")  # already over: it waits too
    buyer = member(holder.company, full_name="Kari Kjøper", language="en")
    fill_cart(buyer, VariantFactory(product__list_price=Decimal("100.00")), recipient=team[0])
    third = place_order(buyer, "40.00", key="c", recipient=holder.employee)
    newest = over_budget_order(holder, key="d", price="10.00")
    assert third.state == OrderState.AWAITING_APPROVAL

    page = client.get(reverse("checkout:my_page")).content.decode()
    waiting = section(page, "to-approve-heading")
    assert "4 orders await your decision. The newest are shown here." in text(waiting)
    rows = table_rows(waiting, "to-approve-caption")
    assert [row[0] for row in rows] == [newest.number, third.number, second.number]
    assert first.number not in waiting

    def english(moment: datetime) -> str:  # day first in English too (kvote/formats)
        local = timezone.localtime(moment)
        return f"{local.day} {local:%b %Y %H:%M}"

    assert rows[1] == [
        third.number,
        "Kari Kjøper",
        english(third.placed_at),
        "Anne Berg (101), Mats Berg (1003)",
        nok("140.00"),
    ]
    assert rows[0][1:] == [
        "Mats Berg",
        english(newest.placed_at),
        "Mats Berg (1003)",
        nok("10.00"),
    ]
    for order in (newest, third, second):  # each opens its card in the queue
        assert f'href="{QUEUE}#order-{order.pk}"' in waiting
        assert f'id="order-{order.pk}"' in client.get(QUEUE).content.decode()

    mine = client_for(holder).get(reverse("checkout:my_page")).content.decode()
    assert "awaits your decision" not in text(mine) and "to-approve-heading" not in mine


def test_min_side_for_an_approver_makes_a_fixed_number_of_queries(
    holder: User, leader: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(leader)
    url = reverse("checkout:my_page")
    for i in range(2):
        over_budget_order(holder, key=f"a{i}")
    few = queries_of(client, url)
    for i in range(10):
        over_budget_order(holder, key=f"b{i}", price="10.00")
    assert few == queries_of(client, url)
    with django_assert_num_queries(MY_PAGE_APPROVER_QUERIES):
        client.get(url)


# --- Deciding ----------------------------------------------------------------------------------


def test_approving_releases_the_order_and_queues_an_email_to_the_orderer(
    holder: User, leader: User
) -> None:
    order = over_budget_order(holder)
    page = decide(client_for(leader), order, "approve", "Fine this time")
    assert f"Order {order.number} approved." in page
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED
    assert order.decided_by == leader and order.decision_comment == "Fine this time"
    assert len(orderer_emails(order)) == 1
    assert "No orders await your decision." in page

    detail = text(
        client_for(holder).get(reverse("ordering:order_detail", args=[order.pk])).content.decode()
    )
    assert "Approved by Liv Leder" in detail and "Fine this time" in detail


def test_rejecting_needs_a_comment_and_keeps_what_was_typed(holder: User, leader: User) -> None:
    order = over_budget_order(holder)
    client = client_for(leader)
    url = reverse("approvals:decide", args=[order.pk])
    response = client.post(url, {"decision": "reject", "comment": "   "})
    assert response.status_code == 200
    assert "Say why the order is rejected" in text(card(response.content.decode(), order))
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_APPROVAL and order.decided_by is None
    assert orderer_emails(order) == []

    # A comment that is too long comes back as typed, too.
    long = "x" * 1001
    response = client.post(url, {"decision": "reject", "comment": long})
    assert response.status_code == 200 and long in card(response.content.decode(), order)

    page = decide(client, order, "reject", "Too dear: take the cheaper jacket")
    assert f"Order {order.number} rejected." in page
    order.refresh_from_db()
    assert order.state == OrderState.REJECTED
    assert order.decision_comment == "Too dear: take the cheaper jacket"
    assert len(orderer_emails(order)) == 1
    detail = text(
        client_for(holder).get(reverse("ordering:order_detail", args=[order.pk])).content.decode()
    )
    assert "Rejected by Liv Leder" in detail and "Too dear: take the cheaper jacket" in detail


def test_a_second_decision_is_told_who_decided_and_changes_nothing(
    holder: User, leader: User
) -> None:
    order = over_budget_order(holder)
    client = client_for(leader)
    decide(client, order, "approve")
    decided_at = Order.objects.get(pk=order.pk).decided_at
    page = decide(client, order, "reject", "Changed my mind")
    assert f"Order {order.number} was already decided: approved by Liv Leder" in page
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED and order.decided_at == decided_at
    assert order.decision_comment == "" and len(orderer_emails(order)) == 1


def test_nobody_decides_an_order_they_placed_even_as_company_admin(
    company: Company, admin: User
) -> None:
    give_budget(admin.employee, Decimal("100.00"))  # nobody sets their own
    order = place_order(admin, "500.00", key="own")  # no supervisor: the admins decide
    assert order.state == OrderState.AWAITING_APPROVAL
    client = client_for(admin)
    assert order.number not in client.get(QUEUE).content.decode()
    page = decide(client, order, "approve")
    assert "Nobody can decide an order they placed." in page
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_APPROVAL and order.decided_by is None


def test_someone_who_is_not_an_approver_of_the_order_cannot_decide_it(
    holder: User, admin: User
) -> None:
    order = over_budget_order(holder)  # the holder's supervisor decides, not the admin
    response = client_for(admin).post(
        reverse("approvals:decide", args=[order.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404  # an order one does not decide: not found
    assert Order.objects.get(pk=order.pk).state == OrderState.AWAITING_APPROVAL


def test_approve_several_at_once(holder: User, leader: User) -> None:
    first = over_budget_order(holder, key="a")
    second = over_budget_order(holder, key="b")
    third = over_budget_order(holder, key="c")
    response = client_for(leader).post(
        reverse("approvals:decide_many"), {"order_ids": [first.pk, second.pk]}, follow=True
    )
    page = text(response.content.decode())
    assert f"2 orders approved: {first.number}, {second.number}." in page
    states = dict(Order.objects.values_list("pk", "state"))
    assert states[first.pk] == states[second.pk] == OrderState.RELEASED
    assert states[third.pk] == OrderState.AWAITING_APPROVAL


def test_approve_several_without_choosing_any_or_with_a_decided_one(
    holder: User, leader: User
) -> None:
    order = over_budget_order(holder)
    client = client_for(leader)
    response = client.post(reverse("approvals:decide_many"), {})
    assert response.status_code == 200
    assert "Tick the orders you want to approve." in text(response.content.decode())
    response = client.post(reverse("approvals:decide_many"), {"order_ids": ["x"]})
    assert "Choose orders from the list." in text(response.content.decode())
    decide(client, order, "approve")
    page = text(
        client.post(
            reverse("approvals:decide_many"), {"order_ids": [order.pk]}, follow=True
        ).content.decode()
    )
    assert "already decided" in page and "orders approved" not in page


def test_writing_urls_send_a_get_to_their_page(holder: User, leader: User) -> None:
    order = over_budget_order(holder)
    client = client_for(leader)
    assert client.get(reverse("approvals:decide", args=[order.pk]))["Location"] == QUEUE
    assert client.get(reverse("approvals:decide_many"))["Location"] == QUEUE
    detail = reverse("ordering:order_detail", args=[order.pk])
    assert client.get(reverse("ordering:order_cancel", args=[order.pk]))["Location"] == detail
    order.refresh_from_db()
    assert order.state == "awaiting_approval"


def test_pages_need_a_login() -> None:
    response = Client().get(QUEUE)
    assert response.status_code == 302 and "login" in response["Location"]


# --- Substitutes ---------------------------------------------------------------------------------


def test_a_substitute_in_range_decides_and_out_of_range_cannot(
    company: Company, holder: User, leader: User
) -> None:
    order = over_budget_order(holder)
    stand_in = member(company, language="en", full_name="Siv Stedfortreder")
    later = member(company, language="en", full_name="Leif Later")
    today = timezone.localdate()
    client = client_for(leader)
    page = client.get(reverse("approvals:substitutes")).content.decode()
    assert f'value="{stand_in.pk}"' in page and f'value="{leader.pk}"' not in page
    for user, start in ((stand_in, today), (later, today + timedelta(days=3))):
        response = client.post(
            reverse("approvals:substitutes"),
            {
                "substitute": user.pk,
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=5)).isoformat(),
            },
            follow=True,
        )
        assert f"{user.full_name} decides in your place" in text(response.content.decode())
    assert Substitute.objects.filter(approver=leader).count() == 2

    assert order.number not in client_for(later).get(QUEUE).content.decode()
    response = client_for(later).post(
        reverse("approvals:decide", args=[order.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404  # not (yet) standing in: not found
    assert Order.objects.get(pk=order.pk).state == OrderState.AWAITING_APPROVAL

    assert order.number in client_for(stand_in).get(QUEUE).content.decode()
    page = decide(client_for(stand_in), order, "approve")
    assert f"Order {order.number} approved." in page
    order.refresh_from_db()
    assert order.state == OrderState.RELEASED and order.decided_by == stand_in


def test_a_refused_substitute_keeps_what_was_typed_and_one_can_be_removed(
    company: Company, leader: User
) -> None:
    other = member(company, language="en")
    client = client_for(leader)
    today = timezone.localdate()
    response = client.post(
        reverse("approvals:substitutes"),
        {
            "substitute": other.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The last day cannot come before the first." in text(page)
    assert f'<option value="{other.pk}" selected>' in page
    assert not Substitute.objects.exists()

    row = Substitute.objects.create(
        company=company, approver=leader, substitute=other, starts_on=today, ends_on=today
    )
    assert client.get(reverse("approvals:substitute_remove", args=[row.pk]))["Location"] == (
        reverse("approvals:substitutes")
    )
    assert Substitute.objects.filter(pk=row.pk).exists()
    someone = member(company, language="en", is_supervisor=True)
    remove = reverse("approvals:substitute_remove", args=[row.pk])
    assert client_for(someone).post(remove).status_code == 404  # not their substitute
    response = client.post(remove, follow=True)
    assert "The substitute is removed." in text(response.content.decode())
    assert not Substitute.objects.exists()


def test_the_substitutes_page_is_for_approvers(company: Company) -> None:
    buyer = member(company, language="en")
    assert client_for(buyer).get(reverse("approvals:substitutes")).status_code == 404


# --- Cancelling ----------------------------------------------------------------------------------


def test_the_orderer_cancels_an_order_awaiting_approval_and_nobody_else_can(
    holder: User, leader: User, admin: User
) -> None:
    order = over_budget_order(holder)
    url = reverse("ordering:order_cancel", args=[order.pk])
    detail_url = reverse("ordering:order_detail", args=[order.pk])
    client = client_for(holder)
    assert "Cancel order" in text(client.get(detail_url).content.decode())
    assert client_for(leader).post(url).status_code == 404
    assert client_for(admin).post(url).status_code == 404
    assert Order.objects.get(pk=order.pk).state == OrderState.AWAITING_APPROVAL

    page = text(client.post(url, follow=True).content.decode())
    assert f"Order {order.number} is cancelled." in page
    assert "Cancel order" not in page
    assert Order.objects.get(pk=order.pk).state == OrderState.CANCELLED
    page = text(client.post(url, follow=True).content.decode())
    assert "Only an order awaiting approval can be cancelled." in page
    assert order.number not in client_for(leader).get(QUEUE).content.decode()


# --- The policy page -----------------------------------------------------------------------------


def test_the_policy_page_is_for_company_admins_only(
    company: Company, admin: User, leader: User
) -> None:
    url = reverse("approvals:settings")
    assert client_for(leader).get(url).status_code == 404
    assert client_for(leader).post(url, {"policy": "none"}).status_code == 404
    client = client_for(admin)
    page = client.get(url).content.decode()
    assert 'value="over_budget"' in page and "checked" in page
    response = client.post(
        url,
        {"policy": "always", "threshold": "10 000,00", "over_entitlement": "approval"},
        follow=True,
    )
    assert "The approval policy is saved." in text(response.content.decode())
    company.refresh_from_db()
    assert company.approval_policy == ApprovalPolicy.ALWAYS
    assert company.approval_threshold == Decimal("10000.00")

    response = client.post(url, {"policy": "none", "threshold": "a lot"})
    assert response.status_code == 200
    assert 'value="a lot"' in response.content.decode()
    response = client.post(url, {"policy": "sometimes", "threshold": ""})
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.approval_policy == ApprovalPolicy.ALWAYS

    client.post(url, {"policy": "none", "threshold": "", "over_entitlement": "approval"})
    company.refresh_from_db()
    assert company.approval_policy == ApprovalPolicy.NONE and company.approval_threshold is None


# --- The review tells the orderer -------------------------------------------------------------


def review_text(user: User) -> str:
    response = client_for(user).get(reverse("checkout:checkout_review"))
    assert response.status_code == 200
    return text(response.content.decode())


def submit(user: User) -> Order:
    from kvote.checkout.services import order_submit

    return order_submit(actor=user, idempotency_key="review")


def test_the_review_gives_the_reasons_under_policy_always_and_the_threshold(
    company: Company, holder: User
) -> None:
    company.approval_policy = ApprovalPolicy.ALWAYS
    company.approval_threshold = Decimal("500.00")
    company.save()
    fill_cart(holder, VariantFactory(product__list_price=Decimal("600.00")))
    page = review_text(holder)
    assert "This order will wait for approval before it goes to the supplier, because:" in page
    assert "Your company approves every order placed by an employee with a budget." in page
    assert f"The order is above {nok(500)} excl. VAT, which needs approval." in page
    assert "The order is within budget." in page
    assert "goes to the supplier as soon as you place it" not in page
    assert submit(holder).state == OrderState.AWAITING_APPROVAL


def test_the_review_says_an_order_goes_straight_through_when_the_policy_lets_it(
    company: Company, holder: User
) -> None:
    company.approval_policy = ApprovalPolicy.NONE
    company.save()
    fill_cart(holder, VariantFactory(product__list_price=Decimal("1500.00")))
    page = review_text(holder)
    assert "You are over budget after purchase" in page
    assert "does not hold orders over budget for approval" in page
    assert "will wait for approval" not in page
    assert submit(holder).state == OrderState.RELEASED


def test_the_review_under_the_default_policy_names_who_goes_over(holder: User) -> None:
    fill_cart(holder, VariantFactory(product__list_price=Decimal("1500.00")))
    page = review_text(holder)
    assert "The order takes Mats Berg over budget." in page
    assert submit(holder).state == OrderState.AWAITING_APPROVAL


# --- Query count ---------------------------------------------------------------------------------


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_queue_makes_a_fixed_number_of_queries(
    company: Company,
    admin: User,
    holder: User,
    leader: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    other = member(company, language="en")
    Employee.objects.filter(pk=other.employee.pk).update(supervisor=leader)
    budget_set(actor=admin, employee_id=other.employee.pk, amount="100.00")
    client = client_for(leader)
    for i in range(2):
        over_budget_order(holder, key=f"a{i}")
    few = queries_of(client, QUEUE)
    for i in range(8):
        place_order(other if i % 2 else holder, "1200.00", key=f"b{i}")
    assert Order.objects.filter(state=OrderState.AWAITING_APPROVAL).count() == 10
    many = queries_of(client, QUEUE)
    assert few == many, (few, many)
    with django_assert_num_queries(QUEUE_QUERIES):
        page = client.get(QUEUE).content.decode()
    assert page.count("<article") == 10


# The write paths' queries, the same for an order of 1 and of 20 lines (each for another
# recipient with a budget): session and user; the order with whether the actor decides it (one
# query: the permission before the state); then the compare-and-set on the state, the history
# row, the decision, the outbox row (approve) and the orderer's email job; savepoints included.
APPROVE_QUERIES = 12
REJECT_QUERIES = 11
# Session and user; the order; the compare-and-set and the history row; savepoints included.
CANCEL_QUERIES = 7


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(
    ("decision", "queries"), [("approve", APPROVE_QUERIES), ("reject", REJECT_QUERIES)]
)
def test_deciding_makes_a_fixed_number_of_queries(
    leader: User,
    lines: int,
    decision: str,
    queries: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    order = order_awaiting(leader, lines=lines)
    client = client_for(leader)
    url = reverse("approvals:decide", args=[order.pk])
    with django_assert_num_queries(queries):
        response = client.post(url, {"decision": decision, "comment": "Noted"})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).state != OrderState.AWAITING_APPROVAL


@pytest.mark.parametrize("lines", [1, 20])
def test_cancelling_makes_a_fixed_number_of_queries(
    leader: User, lines: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    order = order_awaiting(leader, lines=lines)
    client = client_for(order.placed_by)
    with django_assert_num_queries(CANCEL_QUERIES):
        response = client.post(reverse("ordering:order_cancel", args=[order.pk]))
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).state == OrderState.CANCELLED
