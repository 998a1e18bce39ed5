"""The catalogue pages: list and search, product page with colour and size pickers, favourites.

Every view is for a logged-in user of a customer company; the selectors and services scope by
that company and answer 404 for anything else (supplier staff included)."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kvote.catalog import selectors, services
from kvote.catalog.entitlements import entitlement_of
from kvote.catalog.forms import CatalogueFilterForm, VariantChoiceForm
from kvote.catalog.models import Product
from kvote.common.http import page_query, parse_id, portal_login_required, post_only, safe_next
from kvote.people.http import ActorRequest

VARIANT_PANEL_ID = "variant-panel"


@portal_login_required
@require_safe
def product_list(request: ActorRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET)
    query = form.value("q").strip()
    recipient_id = parse_id(request.GET.get("recipient"))
    catalogue = selectors.catalogue_page(
        actor=request.user,
        query=query,
        category_slug=form.value("category"),
        page_number=request.GET.get("page"),
        entitlement=entitlement_of(actor=request.user, recipient_id=recipient_id),
        only_kit=form.only_kit(),
    )
    page = catalogue.page
    return render(
        request,
        "catalog/product_list.html",
        {
            "form": form,
            "query": query,
            "catalogue": catalogue,
            "page_obj": page,
            "page_query": page_query(request.GET),
            "products": page.object_list,
            "is_filtered": bool(query or catalogue.category or catalogue.only_kit),
            # The chosen recipient, kept by the filter and the cards' links (not one's own).
            "recipient_id": recipient_id
            if catalogue.entitlement is not None and not catalogue.entitlement.is_own
            else None,
            "next_url": request.get_full_path(),
        },
    )


@portal_login_required
@require_safe
def product_detail(request: ActorRequest, product_id: int) -> HttpResponse:
    form = VariantChoiceForm(request.GET)
    page = selectors.product_page(
        actor=request.user,
        product_id=product_id,
        colour=form.value("colour"),
        size=form.value("size"),
        recipient_id=parse_id(request.GET.get("recipient")),
    )
    entitlement = entitlement_of(
        actor=request.user, recipient_id=parse_id(request.GET.get("recipient"))
    )
    context = {
        "page": page,
        "product": page.product,
        "next_url": request.get_full_path(),
        "entitlement": entitlement,
        "kit_mark": entitlement.mark(
            product_id=page.product.pk, category_id=page.product.category_id
        )
        if entitlement is not None
        else None,
    }
    htmx = request.htmx
    if htmx and htmx.target == VARIANT_PANEL_ID and not htmx.history_restore_request:
        # The pickers changed: the panel's new content, and the size picker out of band.
        response = render(request, "catalog/partials/variant_panel_update.html", context)
    else:
        response = render(request, "catalog/product_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])  # never serve the partial from a cache
    return response


@portal_login_required
@require_safe
def favourites(request: ActorRequest) -> HttpResponse:
    products = selectors.favourite_cards(actor=request.user)
    return render(
        request,
        "catalog/favourites.html",
        {"products": products, "next_url": request.get_full_path()},
    )


@portal_login_required
@post_only("catalog:product")
def favourite_add(request: ActorRequest, product_id: int) -> HttpResponse:
    product = selectors.access_product(actor=request.user, product_id=product_id)
    services.favourite_add(actor=request.user, product_id=product.pk)
    status = _("%(product)s is saved in your favourites.") % {"product": product.display_name}
    return _favourite_response(request, product, is_favourite=True, status=status)


@portal_login_required
@post_only("catalog:product")
def favourite_remove(request: ActorRequest, product_id: int) -> HttpResponse:
    product = selectors.access_product(actor=request.user, product_id=product_id)
    services.favourite_remove(actor=request.user, product_id=product.pk)
    status = _("%(product)s is removed from your favourites.") % {"product": product.display_name}
    return _favourite_response(request, product, is_favourite=False, status=status)


def _favourite_response(
    request: ActorRequest, product: Product, *, is_favourite: bool, status: str
) -> HttpResponse:
    """htmx gets the toggle button again (with a status line for screen readers); a plain
    POST goes back to where it came from, with a message."""
    next_url = safe_next(request, request.POST.get("next")) or reverse(
        "catalog:product", args=[product.pk]
    )
    if request.htmx:
        return render(
            request,
            "catalog/partials/favourite_toggle.html",
            {
                "product": product,
                "is_favourite": is_favourite,
                "next_url": next_url,
                "status": status,
            },
        )
    messages.success(request, status)
    return HttpResponseRedirect(next_url)
