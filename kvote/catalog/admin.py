"""Back office: the catalogue (categories, products with their variants) and agreed prices;
their imports are kvote.catalog.admin_imports."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.catalog.admin_imports import (  # registers the imports' admin too
    LINKED_CHANGE_LIST,
    ImportLinks,
)
from kvote.catalog.models import AgreedPrice, AssortmentItem, Category, ImportKind, Product, Variant
from kvote.companies.admin import CompanyAdmin
from kvote.companies.models import Company


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")


class VariantInline(admin.TabularInline):
    model = Variant
    fields = (
        "item_number",
        "colour",
        "colour_en",
        "colour_hex",
        "size",
        "size_position",
        "stock",
        "restock_date",
        "lead_time_days",
        "is_active",
    )
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Variant]:
        return super().get_queryset(request).select_related("product")  # for str(variant)


@admin.register(Product)
class ProductAdmin(ImportLinks, admin.ModelAdmin):
    import_kind = ImportKind.CATALOGUE
    change_list_template = LINKED_CHANGE_LIST
    list_display = ("code", "name", "category", "list_price", "variant_count", "is_active")
    list_filter = ("category", "is_active")
    list_select_related = ("category",)
    search_fields = ("code", "name", "name_en", "variants__item_number")
    ordering = ("code",)
    fieldsets = (
        (None, {"fields": ("code", "category", "list_price", "is_active")}),
        (_("Norwegian"), {"fields": ("name", "description")}),
        (_("English"), {"fields": ("name_en", "description_en")}),
    )
    inlines = (VariantInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_count=Count("variants"),
                active_variant_count=Count("variants", filter=Q(variants__is_active=True)),
            )
        )

    @admin.display(description=_("variants (active)"), ordering="variant_count")
    def variant_count(self, obj: Product) -> str:
        return f"{obj.variant_count} ({obj.active_variant_count})"  # type: ignore[attr-defined]


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    """Item numbers: their stock at a glance, and what the price lists' item field searches."""

    list_display = (
        "item_number",
        "product",
        "colour",
        "size",
        "stock",
        "restock_date",
        "lead_time_days",
        "is_active",
    )
    list_filter = ("is_active", "product__category")
    list_select_related = ("product",)
    search_fields = ("item_number", "product__code", "product__name")
    autocomplete_fields = ("product",)
    ordering = ("item_number",)


@admin.register(AgreedPrice)
class AgreedPriceAdmin(ImportLinks, admin.ModelAdmin):
    import_kind = ImportKind.PRICE_LIST
    change_list_template = LINKED_CHANGE_LIST
    list_display = (
        "company",
        "product",
        "variant",
        "list_price",
        "price",
        "valid_from",
        "valid_to",
    )
    list_filter = ("company",)
    list_select_related = ("company", "product", "variant__product")
    search_fields = (
        "company__name",
        "company__customer_number",
        "product__code",
        "product__name",
        "variant__item_number",
    )
    autocomplete_fields = ("company", "product", "variant")
    ordering = ("company__name", "product__code", "variant__item_number", "valid_from")

    @admin.display(description=_("list price excl. VAT"), ordering="product__list_price")
    def list_price(self, obj: AgreedPrice) -> object:
        return obj.product.list_price


class AgreedPriceInline(admin.TabularInline):
    model = AgreedPrice
    fk_name = "company"
    fields = ("product", "variant", "list_price", "price", "valid_from", "valid_to")
    readonly_fields = ("list_price",)
    autocomplete_fields = ("product", "variant")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreedPrice]:
        return super().get_queryset(request).select_related("product", "variant__product")

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


class CompanyWithCatalogueAdmin(CompanyAdmin):
    """The company's page in the back office, with its agreed prices and assortment."""

    inlines = (*CompanyAdmin.inlines, AgreedPriceInline, AssortmentItemInline)


admin.site.unregister(Company)
admin.site.register(Company, CompanyWithCatalogueAdmin)
