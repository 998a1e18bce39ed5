"""The cart: its page, adding (from the product page or by item number), changing and removing
lines, and the recipient search."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kvote.checkout import selectors, services
from kvote.checkout.forms import CartAddForm, CartLineUpdateForm, QuickAddForm
from kvote.checkout.models import CartLine
from kvote.common.errors import ServiceError
from kvote.common.http import (
    first_error,
    money_context,
    parse_id,
    portal_login_required,
    post_only,
    safe_next,
)
from kvote.ordering.errors import OrderError
from kvote.people import roles
from kvote.people.http import ActorRequest


@dataclass
class LineError:
    """A refused change of one line, with what the user typed, to show beside that line."""

    line_id: int
    message: str
    quantity: str


def _cart_url(line_id: int | None = None) -> str:
    url = reverse("checkout:cart")
    return f"{url}#line-{line_id}" if line_id else url


@portal_login_required
@require_safe
def cart(request: ActorRequest) -> HttpResponse:
    return _render_cart(request)


def _render_cart(
    request: ActorRequest,
    *,
    quick_form: QuickAddForm | None = None,
    line_error: LineError | None = None,
) -> HttpResponse:
    actor = request.user
    view = selectors.cart_view(actor=actor)
    problems = selectors.cart_problems(actor=actor, view=view)
    employees = (
        list(selectors.recipient_choices(actor=actor))
        if roles.may_choose_recipients(actor) and not view.is_empty
        else []
    )
    return render(
        request,
        "checkout/cart.html",
        {
            "view": view,
            "problems": problems,
            "employees": employees,
            "quick_form": quick_form or QuickAddForm(),
            "line_error": line_error,
            **money_context(),
        },
    )


@portal_login_required
@post_only("checkout:cart")
def cart_add(request: ActorRequest) -> HttpResponse:
    """Posted from the catalogue's product page: back there (or to the cart) with a message."""
    back = safe_next(request, request.POST.get("next")) or reverse("checkout:cart")
    form = CartAddForm(request.POST)
    error = "" if form.is_valid() else first_error(form.errors)
    if not error:
        try:
            line = services.cart_add(
                actor=request.user,
                variant_id=form.cleaned_data["variant_id"],
                quantity=form.cleaned_data["quantity"],
                recipient_id=form.cleaned_data["recipient"],
            )
        except ServiceError as exc:
            error = exc.message
    if error:
        if request.htmx:
            return _cart_add_fragment(request, message=error, ok=False)
        messages.error(request, error)
        return HttpResponseRedirect(back)
    message = _added(form.cleaned_data["quantity"], line)
    if request.htmx:
        return _cart_add_fragment(request, message=message, ok=True)
    messages.success(request, message)
    return HttpResponseRedirect(back)


def _added(quantity: int, line: CartLine) -> str:
    return _("Added to cart: %(quantity)d × %(product)s (%(item)s).") % {
        "quantity": quantity,
        "product": line.variant.product.display_name,
        "item": line.variant.item_number,
    }


def _cart_add_fragment(request: ActorRequest, *, message: str, ok: bool) -> HttpResponse:
    """For htmx: the message, and the header's cart badge swapped out of band."""
    return render(
        request,
        "checkout/partials/cart_added.html",
        {
            "message": message,
            "ok": ok,
            "cart_count": selectors.cart_line_count(actor=request.user),
        },
    )


@portal_login_required
@post_only("checkout:cart")
def cart_quick_add(request: ActorRequest) -> HttpResponse:
    """Quick order by item number; a refusal re-renders the cart with what was typed."""
    form = QuickAddForm(request.POST)
    if form.is_valid():
        try:
            line = services.cart_add_by_item_number(
                actor=request.user,
                item_number=form.cleaned_data["item_number"],
                quantity=form.cleaned_data["quantity"],
            )
        except ServiceError as exc:
            field = "quantity" if exc.code == OrderError.INVALID_QUANTITY else "item_number"
            form.add_error(field, exc.message)
        else:
            messages.success(request, _added(form.cleaned_data["quantity"], line))
            return redirect(_cart_url(line.pk))
    messages.error(request, first_error(form.errors))
    return _render_cart(request, quick_form=form)


@portal_login_required
@post_only("checkout:cart")
def cart_line_update(request: ActorRequest, line_id: int) -> HttpResponse:
    """A new quantity and/or recipient for one line; a refusal changes nothing and re-renders the
    cart with the typed values beside that line."""
    form = CartLineUpdateForm(request.POST)
    error = "" if form.is_valid() else first_error(form.errors)
    if not error:
        try:
            services.cart_line_update(
                actor=request.user,
                line_id=line_id,
                quantity=form.cleaned_data["quantity"],
                recipient_id=form.cleaned_data["recipient"],
            )
        except ServiceError as exc:
            error = exc.message
    if error:
        selectors.access_cart_line(actor=request.user, line_id=line_id)  # someone else's line: 404
        messages.error(request, error)
        line_error = LineError(
            line_id=line_id,
            message=error,
            quantity=request.POST.get("quantity", ""),
        )
        return _render_cart(request, line_error=line_error)
    messages.success(request, _("The cart is updated."))
    return redirect(_cart_url(line_id))


@portal_login_required
@post_only("checkout:cart")
def cart_line_remove(request: ActorRequest, line_id: int) -> HttpResponse:
    services.cart_line_remove(actor=request.user, line_id=line_id)
    messages.success(request, _("The line is removed from the cart."))
    return redirect("checkout:cart")


@portal_login_required
@require_safe
def employee_search(request: ActorRequest) -> HttpResponse:
    """htmx: the <option>s of a line's recipient select for a search (name or employee number)."""
    keep = parse_id(request.GET.get("recipient"))
    options = selectors.recipient_search(
        actor=request.user, query=request.GET.get("q", ""), keep_id=keep
    )
    return render(
        request,
        "checkout/partials/employee_options.html",
        {
            "employees": options.employees,
            "matches": options.matches,
            "selected": keep,
            "line": parse_id(request.GET.get("line")),
            "limit": selectors.EMPLOYEE_CHOICES_LIMIT,
        },
    )
