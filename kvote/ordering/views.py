"""Orders after they are placed: Mine ordrer, one order's detail, cancelling while it waits."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kvote.common.errors import ServiceError
from kvote.common.http import money_context, page_query, portal_login_required, post_only
from kvote.ordering import selectors
from kvote.ordering.forms import OrderFilterForm
from kvote.ordering.services import order_cancel as cancel_order
from kvote.people.http import ActorRequest


@portal_login_required
@require_safe
def order_list(request: ActorRequest) -> HttpResponse:
    """Mine ordrer: filtered by status and dates, a page at a time."""
    form = OrderFilterForm(request.GET)
    form.is_valid()  # an invalid filter shows its error; the valid ones still apply
    filters = form.cleaned_data
    orders = selectors.orders_placed_between(
        actor=request.user,
        state=filters.get("state") or "",
        placed_from=filters.get("placed_from"),
        placed_to=filters.get("placed_to"),
    )
    page = Paginator(orders, settings.KVOTE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ordering/order_list.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.order_rows(actor=request.user, orders=page.object_list),
            "page_query": page_query(request.GET),
            "filtered": any(filters.get(name) for name in ("state", "placed_from", "placed_to")),
        },
    )


@portal_login_required
@require_safe
def order_detail(request: ActorRequest, order_id: int) -> HttpResponse:
    detail = selectors.order_detail(actor=request.user, order_id=order_id, shown=True)
    return render(request, "ordering/order_detail.html", {"detail": detail, **money_context()})


@portal_login_required
@post_only("ordering:order_detail")
def order_cancel(request: ActorRequest, order_id: int) -> HttpResponse:
    """The orderer withdraws an order while it awaits approval (anyone else: 404)."""
    try:
        order = cancel_order(actor=request.user, order_id=order_id)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Order %(number)s is cancelled. It no longer counts against any budget.")
            % {"number": order.number},
        )
    return redirect("ordering:order_detail", order_id=order_id)
