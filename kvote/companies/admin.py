"""Back office: customer companies, with their delivery addresses, agreed prices and assortment."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.catalog.models import AgreedPrice, AssortmentItem
from kvote.companies.models import Company, DeliveryAddress


class DeliveryAddressInline(admin.TabularInline):
    model = DeliveryAddress
    fk_name = "company"
    fields = (
        "label",
        "recipient_name",
        "street",
        "postal_code",
        "city",
        "country",
        "is_default",
        "is_active",
    )
    extra = 0


class AgreedPriceInline(admin.TabularInline):
    model = AgreedPrice
    fk_name = "company"
    fields = ("product", "list_price", "price")
    readonly_fields = ("list_price",)
    autocomplete_fields = ("product",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreedPrice]:
        return super().get_queryset(request).select_related("product")

    @admin.display(description=_("list price excl. VAT"))
    def list_price(self, obj: AgreedPrice) -> object:
        return obj.product.list_price if obj.product_id else "-"


class AssortmentItemInline(admin.TabularInline):
    model = AssortmentItem
    fk_name = "company"
    fields = ("product",)
    autocomplete_fields = ("product",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssortmentItem]:
        return super().get_queryset(request).select_related("product")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "org_number",
        "customer_number",
        "user_count",
        "restrict_assortment",
        "is_active",
    )
    list_filter = ("is_active", "restrict_assortment")
    search_fields = ("name", "org_number", "customer_number")
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "org_number", "customer_number", "is_active")}),
        (_("Assortment"), {"fields": ("restrict_assortment",)}),
    )
    inlines = (DeliveryAddressInline, AgreedPriceInline, AssortmentItemInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Company]:
        return super().get_queryset(request).annotate(user_count=Count("users"))

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, obj: Company) -> int:
        return obj.user_count  # type: ignore[attr-defined]
