"""Back office: the catalogue (categories, products with their variants and pictures) and
agreed prices; their imports are kvote.catalog.admin_imports."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kvote.catalog import images
from kvote.catalog.admin_imports import (  # registers the imports' admin too
    LINKED_CHANGE_LIST,
    ImportLinks,
)
from kvote.catalog.image_files import ImageRefused, picture_open, too_big_message
from kvote.catalog.models import (
    AgreedPrice,
    AssortmentItem,
    Category,
    ImageStatus,
    ImportKind,
    Product,
    ProductImage,
    Variant,
)
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


class ProductImageForm(forms.ModelForm):
    """A picture in the back office: an uploaded original must be a JPEG, PNG, WebP or GIF
    within KVOTE_IMAGE_MAX_BYTES (checked by Pillow, as a fetched one is); a new row needs one."""

    class Meta:
        model = ProductImage
        fields = ("original", "colour", "position", "alt", "alt_en")
        # No "clear" box: a picture is replaced by another, or deleted with its row.
        widgets = {
            "original": forms.FileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
            ),
            "colour": forms.TextInput(attrs={"size": 10}),
            "position": forms.NumberInput(attrs={"class": "vSmallField"}),
            "alt": forms.TextInput(attrs={"size": 24}),
            "alt_en": forms.TextInput(attrs={"size": 24}),
        }

    def clean_original(self) -> Any:
        upload = self.cleaned_data.get("original")
        if "original" not in self.changed_data or not upload:
            return upload
        if upload.size > settings.KVOTE_IMAGE_MAX_BYTES:
            raise forms.ValidationError(too_big_message())
        try:
            picture_open(upload.read())
        except ImageRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        finally:
            upload.seek(0)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.instance.source_url and not cleaned.get("original"):
            self.add_error("original", gettext("Choose a picture to upload."))
        return cleaned

    def replaced_original(self) -> str:
        """The name of the file a new upload replaces ('' for none)."""
        initial = self.initial.get("original")
        return str(getattr(initial, "name", "") or "") if "original" in self.changed_data else ""


def thumbnail(image: ProductImage) -> str:
    """A small picture for the back office: the card rendition, once it exists."""
    url = images.rendition_url(image.renditions) if image.status == ImageStatus.READY else ""
    if not url:
        return "–"
    card = image.renditions["card"]
    width = 80
    height = max(1, round(width * int(card["height"]) / max(1, int(card["width"]))))
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" class="kv-thumb">', url, width, height
    )


# A picture as the back office shows it, on the product's page and in the pictures' list.
IMAGE_FIELDS = (
    "picture",
    "original",
    "colour",
    "position",
    "alt",
    "alt_en",
    "status",
    "error",
    "source_url",
)
IMAGE_READONLY = ("picture", "status", "error", "source_url")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = IMAGE_FIELDS
    readonly_fields = IMAGE_READONLY
    extra = 0

    @admin.display(description=_("picture"))
    def picture(self, obj: ProductImage) -> str:
        return thumbnail(obj)


def save_image_forms(request: HttpRequest, formset: BaseInlineFormSet) -> None:
    """Save the pictures of a product's page: deleted ones go with their files, new or
    replaced originals are rendered by the job queue (kvote.catalog.images)."""
    instances = formset.save(commit=False)
    images.product_images_delete(
        actor=request.user, image_ids=[image.pk for image in formset.deleted_objects]
    )
    for instance in instances:
        instance.save()
    uploaded = [
        form
        for form in formset.forms
        if form.instance.pk
        and "original" in form.changed_data
        and form not in formset.deleted_forms
    ]
    images.product_images_uploaded(
        actor=request.user,
        image_ids=[form.instance.pk for form in uploaded],
        replaced=[form.replaced_original() for form in uploaded],
    )


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    """Every picture, to find the failed ones and fetch or render them again."""

    form = ProductImageForm
    list_display = ("picture", "product", "colour", "position", "status", "error", "source_url")
    list_filter = ("status",)
    list_select_related = ("product",)
    search_fields = ("product__code", "product__name", "source_url")
    ordering = ("product__code", "position", "pk")
    autocomplete_fields = ("product",)
    fields = ("product", *IMAGE_FIELDS)
    readonly_fields = IMAGE_READONLY
    actions = ("refresh",)

    @admin.display(description=_("picture"))
    def picture(self, obj: ProductImage) -> str:
        return thumbnail(obj)

    def save_model(
        self, request: HttpRequest, obj: ProductImage, form: ProductImageForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if "original" in form.changed_data:
            images.product_images_uploaded(
                actor=request.user, image_ids=[obj.pk], replaced=[form.replaced_original()]
            )

    def delete_model(self, request: HttpRequest, obj: ProductImage) -> None:
        images.product_images_delete(actor=request.user, image_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductImage]) -> None:
        images.product_images_delete(
            actor=request.user, image_ids=list(queryset.values_list("pk", flat=True))
        )

    @admin.action(description=_("Fetch or render the selected pictures again"))
    def refresh(self, request: HttpRequest, queryset: QuerySet[ProductImage]) -> None:
        queued = images.product_images_refresh(
            actor=request.user, image_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext(
                "%(count)s picture will be fetched or rendered again.",
                "%(count)s pictures will be fetched or rendered again.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS,
        )


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
    inlines = (VariantInline, ProductImageInline)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is ProductImage:
            save_image_forms(request, formset)
        else:
            super().save_formset(request, form, formset, change)

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
