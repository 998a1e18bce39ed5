"""The cart: its page, adding (from the product page), changing and removing lines, and the
recipient search. Many lines at once («Bestill igjen», «Hurtigbestilling»): views/bulk.py."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kvote.checkout import selectors, services
from kvote.checkout.forms import CartAddForm, CartLineUpdateForm, QuickOrderForm
from kvote.checkout.models import CartLine
from kvote.checkout.views.bulk import pop_reorder, reorder_summary
from kvote.common.errors import ServiceError, not_found
from kvote.common.http import (
    first_error,
    money_context,
    parse_id,
    portal_login_required,
    post_only,
    refusal_to_form,
    safe_next,
)
from kvote.ordering.errors import OrderError
from kvote.ordering.models import MAX_QUANTITY
from kvote.people import roles
from kvote.people.http import ActorRequest


@dataclass(frozen=True)
class LineError:
    """A refused change of one line: each field's message, and the quantity as typed, shown at
    the fields of that line (nothing of the line was changed)."""

    line_id: int
    quantity: str
    messages: dict[str, str]

    @property
    def quantity_message(self) -> str:
        return self.messages.get("quantity", "")

    @property
    def recipient_message(self) -> str:
        return self.messages.get("recipient", "")


NO_ERROR = LineError(line_id=0, quantity="", messages={})

# The event an htmx answer sends when the cart changed (HX-Trigger): minicart.js reloads the
# header's mini-cart then.
CART_CHANGED_EVENT = "kv-cart-changed"


def _line_error(line_id: int, form: CartLineUpdateForm) -> LineError:
    messages_by_field = {name: str(errors[0]) for name, errors in form.errors.items()}
    # A refusal that names no field (none does today) is shown at the quantity.
    if "__all__" in messages_by_field:
        messages_by_field.setdefault("quantity", messages_by_field.pop("__all__"))
    return LineError(
        line_id=line_id, quantity=form.data.get("quantity", ""), messages=messages_by_field
    )


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
    line_error: LineError | None = None,
) -> HttpResponse:
    actor = request.user
    reorder = pop_reorder(request)
    view = selectors.cart_view(actor=actor)
    selectors.cart_problems(actor=actor, view=view)  # fills in each row's problem
    employees = (
        list(selectors.recipient_choices(actor=actor))
        if roles.may_choose_recipients(actor) and not view.is_empty
        else []
    )
    lines = [
        (row, line_error if line_error and line_error.line_id == row.line.pk else NO_ERROR)
        for row in view.rows
    ]
    return render(
        request,
        "checkout/cart.html",
        {
            "view": view,
            "lines": lines,
            "employees": employees,
            "quick_form": QuickOrderForm(),
            "reorder": reorder,
            "reorder_summary": reorder_summary(reorder) if reorder else "",
            "max_quantity": MAX_QUANTITY,
            **money_context(),
        },
    )


def _line_saved_fragment(
    request: ActorRequest, *, line_id: int, line_error: LineError | None
) -> HttpResponse:
    """For htmx: what a save changes on the page, each part swapped in place by its id (the
    line's messages at its fields, its total and its status, the cart's totals). The fields
    themselves are left as the person set them: a save never overwrites a newer choice."""
    actor = request.user
    view = selectors.cart_view(actor=actor, pictures=False)
    selectors.cart_problems(actor=actor, view=view)  # fills in each row's problem
    row = next((row for row in view.rows if row.line.pk == line_id), None)
    if row is None:  # removed in another tab meanwhile
        raise not_found()
    response = render(
        request,
        "checkout/partials/cart_line_saved.html",
        {"view": view, "row": row, "error": line_error or NO_ERROR, **money_context()},
    )
    if line_error is None:
        response["HX-Trigger"] = CART_CHANGED_EVENT
    return response


@portal_login_required
@post_only("checkout:cart")
def cart_add(request: ActorRequest) -> HttpResponse:
    """Posted from the catalogue's product page. With htmx the answer is shown in place (the
    confirmation under the button, or the refusal at the quantity); without, back there (or to
    the cart) with a message."""
    back = safe_next(request, request.POST.get("next")) or reverse("checkout:cart")
    form = CartAddForm(request.POST)
    error = "" if form.is_valid() else first_error(form.errors)
    error_field = next(iter(form.errors), "")
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
            error_field = "quantity" if exc.code == OrderError.INVALID_QUANTITY else ""
    if error:
        if request.htmx:
            return _cart_add_fragment(
                request, error=error, error_field=error_field, line=None, quantity=0
            )
        messages.error(request, error)
        return HttpResponseRedirect(back)
    quantity = form.cleaned_data["quantity"]
    if request.htmx:
        return _cart_add_fragment(request, error="", error_field="", line=line, quantity=quantity)
    messages.success(request, _added(quantity, line))
    return HttpResponseRedirect(back)


def _added(quantity: int, line: CartLine) -> str:
    return _("Added to cart: %(quantity)d × %(product)s (item number %(item)s).") % {
        "quantity": quantity,
        "product": line.variant.product.display_name,
        "item": line.variant.item_number,
    }


def _cart_add_fragment(
    request: ActorRequest, *, error: str, error_field: str, line: CartLine | None, quantity: int
) -> HttpResponse:
    """For htmx: the confirmation with the cart's new count and total (or nothing, when
    refused), the message at the quantity field, and the header's cart badge out of band."""
    view = selectors.cart_view(actor=request.user, pictures=False)
    response = render(
        request,
        "checkout/partials/cart_added.html",
        {
            "added": _added(quantity, line) if line is not None else "",
            "error": error,
            "error_field": error_field,
            "view": view,
            "cart_count": len(view.rows),
        },
    )
    if line is not None:
        response["HX-Trigger"] = CART_CHANGED_EVENT
    return response


@portal_login_required
@require_safe
@never_cache
def cart_summary(request: ActorRequest) -> HttpResponse:
    """htmx: the header's mini-cart, the actor's own cart only: each line with its small
    picture, and the cart's total. A fixed number of queries however many lines."""
    view = selectors.cart_view(actor=request.user)
    return render(
        request,
        "checkout/partials/cart_summary.html",
        {"view": view, "cart_count": len(view.rows)},
    )


@portal_login_required
@post_only("checkout:cart")
def cart_line_update(request: ActorRequest, line_id: int) -> HttpResponse:
    """A new quantity and/or recipient for one line. With htmx (a choice saved as it is made)
    the answer is the parts of the page the save changes; without, the cart again. A refusal
    changes nothing and shows each message at its field, with what was typed."""
    actor = request.user
    form = CartLineUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.cart_line_update(
                actor=actor,
                line_id=line_id,
                quantity=form.cleaned_data["quantity"],
                recipient_id=form.cleaned_data["recipient"],
            )
        except ServiceError as exc:
            refusal_to_form(form, exc)
    if form.errors:
        selectors.access_cart_line(actor=actor, line_id=line_id)  # someone else's line: 404
        line_error = _line_error(line_id, form)
        if request.htmx:
            return _line_saved_fragment(request, line_id=line_id, line_error=line_error)
        messages.error(request, first_error(form.errors))
        return _render_cart(request, line_error=line_error)
    if request.htmx:
        return _line_saved_fragment(request, line_id=line_id, line_error=None)
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
