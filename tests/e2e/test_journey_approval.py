"""Journey 5, in Norwegian: approval. ansatt2 (budget 2 000,00, 816,00 left in the demo) orders
a winter jacket that takes him over budget; the order waits. His nearest manager,
leder@nordlys.example, opens «Til godkjenning», sees the order with its budget effect (beside
the demo's own waiting order), and approves it. Back as ansatt2, the order is released, its page
says who approved it and when, the history shows the decision, and the background worker (run
here inline) emails him in Norwegian. The delivery worker (also inline) sends it to the
supplier as a PEPPOL order, and his order page says when. The expected figures come from the
database."""

import re
from decimal import Decimal
from pathlib import Path

from django.core import mail
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from kvote.approvals.selectors import orders_to_decide
from kvote.jobs.models import Job, JobStatus
from kvote.jobs.services import jobs_run_due
from kvote.ordering.models import Order, OrderState
from kvote.people.models import User
from kvote.supplier.services import deliveries_run_due
from kvote.supplier.transports import FolderTransport
from kvote.supplier.validation import document_problems
from tests.e2e.conftest import LoginFn, NewPageFn
from tests.e2e.helpers import (
    assert_accessible,
    clean,
    definition,
    menu,
    money,
    parse_nok,
    table_rows,
)
from tests.e2e.test_journey_over_budget import (
    DEAR,
    LANG,
    ME,
    _,
    budget_of_ansatt2,
    figures,
    open_my_page,
    order_to_review,
    place_order,
    price,
    review_budget_row,
    signed_nok,
)

EMAIL = "ansatt2@nordlys.example"
LEDER = "leder@nordlys.example"
LEDER_NAME = "Henrik Bakken"
ORDERER_NAME = "Mathias Berg"
COMMENT = "Godkjent, vinteren kommer."


def order_card(page: Page, order: Order) -> Locator:
    return page.get_by_role("article", name=_("Order %(number)s", number=order.number))


def open_queue(page: Page) -> None:
    menu(page, LANG).get_by_role("link", name=_("To approve"), exact=True).click()
    expect(page.get_by_role("heading", level=1, name=_("To approve"), exact=True)).to_be_visible()
    assert_accessible(page)


def send_queued_email() -> int:
    """What `manage.py run_worker` does, once, in this process (locmem email backend)."""
    sent = 0
    while ran := jobs_run_due(limit=50):
        sent += ran
    return sent


def test_an_order_over_budget_is_approved_by_the_nearest_manager(
    page: Page, new_page: NewPageFn, login: LoginFn, tmp_path: Path
) -> None:
    start = budget_of_ansatt2()
    assert start.remaining == Decimal("816.00"), "the demo's figure this journey is told from"
    leder = User.objects.get(email=LEDER)
    seeded = list(orders_to_decide(actor=leder))
    assert seeded, "seed_demo leaves an order waiting for leder"

    # ansatt2 orders a winter jacket: over budget, so it waits.
    login(page, EMAIL)
    dear_price = price(DEAR[0])
    assert dear_price > start.remaining
    order_to_review(page, *DEAR, quantity=1)
    row = review_budget_row(page)
    assert signed_nok(row[_("Remaining after")]) == start.remaining - dear_price
    order = place_order(page)
    assert order.state == OrderState.AWAITING_APPROVAL
    expect(
        page.get_by_text(
            _("The order waits for approval by the nearest manager before it goes to the supplier.")
        )
    ).to_be_visible()
    assert clean(definition(page, _("Status"))) == clean(_("Awaiting approval"))
    queued = Job.objects.filter(kind="email", status=JobStatus.PENDING, payload__to=LEDER)
    assert queued.count() == len(seeded) + 1  # the seeded order's, and this one's

    # leder: «Til godkjenning» lists both orders, oldest first, with the budget effect.
    boss = new_page()
    login(boss, LEDER)
    open_queue(boss)
    cards = boss.get_by_role("article")
    expect(cards).to_have_count(len(seeded) + 1)
    headings = [clean(h) for h in cards.get_by_role("heading", level=3).all_inner_texts()]
    assert headings == [_("Order %(number)s", number=o.number) for o in [*seeded, order]]
    card = order_card(boss, order)
    assert definition(card, _("Placed by")) == ORDERER_NAME
    assert definition(card, _("Recipients")) == ME
    assert parse_nok(definition(card, _("Total excl. VAT")), LANG) == dear_price
    (line,) = table_rows(
        card.get_by_role("table", name=_("Products in order %(number)s", number=order.number))
    )
    assert line[_("Item number")] == order.lines.get().item_number
    assert line[_("Quantity")] == "1"
    assert parse_nok(line[_("Sum excl. VAT")], LANG) == dear_price
    (effect,) = table_rows(card.get_by_role("table", name=_("Budget")))
    assert effect[_("Recipient")] == ME
    assert parse_nok(effect[_("Budget")], LANG) == start.amount
    # The order is counted once placed; "Spent before this order" leaves it out.
    assert parse_nok(effect[_("Spent before this order")], LANG) == start.spent
    assert parse_nok(effect[_("Remaining before")], LANG) == start.remaining
    assert parse_nok(effect[_("This order")], LANG) == dear_price
    assert signed_nok(effect[_("Remaining after")]) == start.remaining - dear_price
    # «I minus» at the card's head (seen while scrolling the queue) and by the figure.
    expect(card.get_by_text(_("Over budget"), exact=True)).to_have_count(2)
    expect(card.get_by_text(_("Over budget"), exact=True).first).to_be_visible()

    card.get_by_label(_("Comment")).fill(COMMENT)
    card.get_by_role("button", name=f"{_('Approve')} {order.number}").click()
    expect(boss.locator("#messages")).to_contain_text(
        _("Order %(number)s approved. It goes on to the supplier.", number=order.number)
    )
    assert_accessible(boss)
    expect(order_card(boss, order)).to_have_count(0)
    expect(boss.get_by_role("article")).to_have_count(len(seeded))
    order.refresh_from_db()
    assert (order.state, order.decided_by) == (OrderState.RELEASED, leder)

    # The worker sends the queued email: ansatt2 hears of the decision, in Norwegian.
    assert send_queued_email() >= len(seeded) + 2
    assert not Job.objects.filter(status=JobStatus.PENDING).exists()
    (told,) = [m for m in mail.outbox if m.to == [EMAIL]]
    assert told.subject == _("Order %(number)s is approved", number=order.number)
    assert LEDER_NAME in told.body and COMMENT in told.body
    assert reverse("ordering:order_detail", args=[order.pk]) in told.body
    asked = [m for m in mail.outbox if m.to == [LEDER]]
    assert _("Order %(number)s awaits your approval", number=order.number) in [
        m.subject for m in asked
    ]

    # Back as ansatt2: Min side → all my orders → the order, released, with the decision.
    open_my_page(page)
    page.get_by_role("link", name=_("All my orders")).click()
    expect(page.get_by_role("heading", level=1, name=_("My orders"))).to_be_visible()
    assert_accessible(page)
    rows = {
        r[_("Order number")]: r
        for r in table_rows(page.get_by_role("table").filter(has_text=order.number))
    }
    assert rows[order.number][_("Status")] == clean(_("Sent to supplier"))
    page.get_by_role("link", name=order.number, exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name=_("Order %(number)s", number=order.number))
    ).to_be_visible()
    assert_accessible(page)
    assert clean(definition(page, _("Status"))) == clean(_("Sent to supplier"))
    assert re.fullmatch(
        rf"{LEDER_NAME}, \d\d\.\d\d\.\d{{4}} \d\d:\d\d", definition(page, _("Approved by"))
    )
    assert definition(page, _("Decision comment")) == COMMENT
    expect(page.get_by_role("button", name=_("Cancel order"))).to_have_count(0)
    history = table_rows(page.get_by_role("table", name=_("Status history")))
    steps = [(h[_("From")], h[_("To")], h[_("By")], h[_("Comment")]) for h in history]
    assert steps == [
        (clean(_("New order")), clean(_("Awaiting approval")), ORDERER_NAME, ""),
        (clean(_("Awaiting approval")), clean(_("Sent to supplier")), LEDER_NAME, COMMENT),
    ]

    # The approved order counts as spent, no longer as waiting.
    end = figures()
    assert end is not None
    assert end.pending == start.pending
    assert end.spent == start.spent + money(dear_price)

    # The delivery worker sends it to the supplier; the order page says when.
    assert deliveries_run_due(transport=FolderTransport(folder=tmp_path)) >= 1
    assert document_problems((tmp_path / f"{order.number}.xml").read_bytes()) == []
    page.reload()
    assert clean(definition(page, _("Status"))) == clean(_("Received by supplier"))
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", definition(page, _("Received by supplier")))
    assert_accessible(page)
