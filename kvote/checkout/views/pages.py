"""The order's confirmation, and Min side."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kvote.approvals.selectors import awaiting_decision
from kvote.checkout import selectors
from kvote.common.http import money_context, portal_login_required
from kvote.ordering.selectors import order_detail
from kvote.people import roles
from kvote.people.http import ActorRequest


@portal_login_required
@require_safe
def order_confirmation(request: ActorRequest, order_id: int) -> HttpResponse:
    detail = order_detail(actor=request.user, order_id=order_id, shown=True)
    return render(request, "checkout/confirmation.html", {"detail": detail, **money_context()})


# Min side shows the newest few orders awaiting the user's decision; the queue has them all.
MY_PAGE_TO_APPROVE = 3


@portal_login_required
@require_safe
def my_page(request: ActorRequest) -> HttpResponse:
    """Min side: my budget (when I have one), who I am in the company, my latest orders, and
    for approvers the orders awaiting my decision (how many, the newest few)."""
    actor = request.user
    page = selectors.my_page(actor=actor, budget_page=request.GET.get("page"))
    to_approve = None
    if roles.may_decide_orders(actor):
        to_approve = awaiting_decision(actor=actor, newest=MY_PAGE_TO_APPROVE)
    return render(request, "checkout/my_page.html", {"page": page, "to_approve": to_approve})
