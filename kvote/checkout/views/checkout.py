"""Checkout: delivery address and reference, the review, and placing the order."""

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kvote.checkout import selectors, services
from kvote.checkout.forms import CheckoutForm
from kvote.common.errors import ServiceError
from kvote.common.http import money_context, portal_login_required, post_only, refusal_to_form
from kvote.ordering.errors import OrderError
from kvote.people.http import ActorRequest


def _empty_cart(request: ActorRequest) -> HttpResponse:
    messages.info(request, _("Your cart is empty. Add something from the catalogue first."))
    return redirect("checkout:cart")


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: ActorRequest) -> HttpResponse:
    """Where the order goes and the customer's reference; kept on the cart, then the review."""
    actor = request.user
    cart = selectors.cart_of(actor=actor)
    if cart is None or not selectors.cart_line_count(actor=actor):
        return _empty_cart(request)
    addresses = list(selectors.delivery_addresses(actor=actor))
    if request.method == "POST":
        form = CheckoutForm(request.POST, addresses=addresses)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.checkout_details_save(
                    actor=actor,
                    delivery_address_id=form.delivery_address_id,
                    one_off_name=data["one_off_name"],
                    one_off_street=data["one_off_street"],
                    one_off_postal_code=data["one_off_postal_code"],
                    one_off_city=data["one_off_city"],
                    customer_reference=data["customer_reference"],
                )
            except ServiceError as exc:
                refusal_to_form(form, exc)
            else:
                return redirect("checkout:checkout_review")
    else:
        form = CheckoutForm(initial=CheckoutForm.initial_from(cart, addresses), addresses=addresses)
    return render(request, "checkout/checkout.html", {"form": form})


@portal_login_required
@require_safe
def checkout_review(request: ActorRequest) -> HttpResponse:
    """Everything the order will be, what it does to each recipient's budget, what still needs
    fixing, and the button that places it."""
    review = selectors.checkout_review(actor=request.user)
    if review.cart.is_empty:
        return _empty_cart(request)
    return render(
        request,
        "checkout/review.html",
        {"review": review, "idempotency_key": uuid.uuid4().hex, **money_context()},
    )


@portal_login_required
@post_only("checkout:checkout")
def order_submit(request: ActorRequest) -> HttpResponse:
    """Place the order. The key made when the review was shown makes a double click or a
    retried request land on the same order."""
    actor = request.user
    try:
        order = services.order_submit(
            actor=actor, idempotency_key=request.POST.get("idempotency_key", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        if exc.code == OrderError.EMPTY_CART and not selectors.cart_line_count(actor=actor):
            return redirect("checkout:cart")
        return redirect("checkout:checkout_review")
    return redirect("checkout:order_confirmation", order_id=order.pk)
