"""Back office: orders, read-only. An order's lines, totals and history are what the customer
submitted and what happened since; staff look, they do not edit (state changes go through
kvote.ordering.states)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.ordering.models import Order, OrderLine, OrderStateChange


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    # The snapshots taken when the order was placed, not the live catalogue rows.
    fields = (
        "item_number",
        "product_name",
        "colour",
        "size",
        "quantity",
        "unit_price",
        "line_total",
        "recipient_number",
        "recipient_name",
    )
    readonly_fields = fields


class OrderStateChangeInline(ReadOnlyInline):
    model = OrderStateChange
    fields = ("created_at", "from_state", "to_state", "actor", "comment")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderStateChange]:
        return super().get_queryset(request).select_related("actor")


ORDER_FIELDS = ("number", "company", "state", "placed_by", "placed_at", "customer_reference")
DELIVERY_FIELDS = (
    "delivery_address",
    "delivery_name",
    "delivery_street",
    "delivery_postal_code",
    "delivery_city",
    "delivery_country",
)
TOTAL_FIELDS = ("total_excl_vat", "vat", "total_incl_vat")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "company",
        "placed_by",
        "placed_at",
        "state",
        "total_excl_vat",
        "vat",
        "total_incl_vat",
    )
    list_filter = ("state", "company", "placed_at")
    list_select_related = ("company", "placed_by")
    date_hierarchy = "placed_at"
    search_fields = (
        "number",
        "customer_reference",
        "lines__item_number",
        "placed_by__email",
        "company__name",
    )
    ordering = ("-placed_at", "-id")
    fieldsets = (
        (None, {"fields": ORDER_FIELDS}),
        (_("Delivery"), {"fields": DELIVERY_FIELDS}),
        (_("Totals"), {"fields": TOTAL_FIELDS}),
    )
    readonly_fields = ORDER_FIELDS + DELIVERY_FIELDS + TOTAL_FIELDS
    inlines = (OrderLineInline, OrderStateChangeInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return super().get_queryset(request).select_related("company", "placed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed in the portal, never made up in the back office

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # an order is never lost; cancel or reject it through its states
