"""Many lines into the cart at once: «Bestill igjen» (POST from an order, Mine ordrer or the
drill-down of «Mine ansatte») and «Hurtigbestilling» (its own page, and the cart's form).

Both answer a POST with a redirect (a reload adds nothing twice); what became of each line is
kept in the session for the one page that shows it next (the cart, or the quick order page).
"""

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kvote.checkout import services
from kvote.checkout.bulk import (
    PriceChange,
    QuickOrderOutcome,
    QuickRow,
    RefusedLine,
    ReorderOutcome,
)
from kvote.checkout.forms import QuickOrderForm
from kvote.common.http import parse_id, portal_login_required, post_only
from kvote.common.tenancy import company_id_of
from kvote.people.http import ActorRequest

REORDER_KEY = "kvote.checkout.reorder"
QUICK_ORDER_KEY = "kvote.checkout.quick_order"


def _in_cart_message(added: int) -> str:
    return ngettext(
        "%(count)d line is in your cart.", "%(count)d lines are in your cart.", added
    ) % {"count": added}


# --- «Bestill igjen» --------------------------------------------------------------------------


@portal_login_required
@post_only("ordering:order_detail")
def order_again(request: ActorRequest, order_id: int) -> HttpResponse:
    outcome = services.cart_reorder(
        actor=request.user,
        order_id=order_id,
        recipient_id=parse_id(request.POST.get("recipient")),  # the drill-down's employee
    )
    flash: dict[str, Any] = asdict(outcome)
    for change in flash["price_changes"]:
        change["now"], change["was"] = str(change["now"]), str(change["was"])
    request.session[REORDER_KEY] = flash
    return redirect("checkout:cart")


def pop_reorder(request: ActorRequest) -> ReorderOutcome | None:
    """What the last «Bestill igjen» did, once (the cart shows it at the top)."""
    flash = request.session.pop(REORDER_KEY, None)
    if not isinstance(flash, dict):
        return None
    try:
        return ReorderOutcome(
            order_id=int(flash["order_id"]),
            order_number=str(flash["order_number"]),
            added=int(flash["added"]),
            refused=[RefusedLine(**line) for line in flash["refused"]],
            price_changes=[
                PriceChange(
                    **{**change, "now": Decimal(change["now"]), "was": Decimal(change["was"])}
                )
                for change in flash["price_changes"]
            ],
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None  # kept by another version of this page: nothing to show


def reorder_summary(outcome: ReorderOutcome) -> str:
    return ngettext(
        "%(count)d line from order %(number)s is in your cart.",
        "%(count)d lines from order %(number)s are in your cart.",
        outcome.added,
    ) % {"count": outcome.added, "number": outcome.order_number}


# --- «Hurtigbestilling» -----------------------------------------------------------------------


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quick_order(request: ActorRequest) -> HttpResponse:
    """The quick order page; its POST (also from the cart's form) puts the good lines in the
    cart. All good: to the cart. Some bad: back here with every line's outcome and only the
    bad lines left in the text area to fix."""
    company_id_of(request.user)  # a login of no company (the supplier's staff): not found
    if request.method != "POST":
        outcome = _pop_quick_order(request)
        form = QuickOrderForm(initial={"lines": outcome.keep} if outcome else None)
        return _render(request, form=form, outcome=outcome)
    form = QuickOrderForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, outcome=None, status=400)
    outcome = services.cart_quick_order(actor=request.user, text=form.cleaned_data["lines"])
    if not outcome.refused:
        messages.success(request, _in_cart_message(len(outcome.added)))
        return redirect("checkout:cart")
    request.session[QUICK_ORDER_KEY] = [asdict(row) for row in outcome.rows]
    return redirect("checkout:quick_order")


def _pop_quick_order(request: ActorRequest) -> QuickOrderOutcome | None:
    rows = request.session.pop(QUICK_ORDER_KEY, None)
    if not isinstance(rows, list):
        return None
    try:
        return QuickOrderOutcome(rows=[QuickRow(**row) for row in rows])
    except TypeError:
        return None


def _render(
    request: ActorRequest,
    *,
    form: QuickOrderForm,
    outcome: QuickOrderOutcome | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "checkout/quick_order.html",
        {
            "form": form,
            "outcome": outcome,
            "in_cart": _in_cart_message(len(outcome.added)) if outcome else "",
        },
        status=status,
    )
