from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel, TimeStampedModel
from kvote.common.money import money_field
from kvote.common.text import FoldedText

if TYPE_CHECKING:
    pass


def translated(norwegian: str, english: str) -> str:
    """Catalogue text in the active language: English when asked for and present."""
    if english and (get_language() or "nb").startswith("en"):
        return english
    return norwegian


class Translated:
    """Catalogue text in Norwegian (`x`) with an optional English twin (`x_en`)."""

    def translated(self, field: str) -> str:
        return translated(str(getattr(self, field)), str(getattr(self, f"{field}_en", "")))


class Category(Translated, TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.translated("name")


# What Product.search_name and search_text fold (kvote.catalog.search reads the same fields).
PRODUCT_SEARCH_NAME = ("name",)
PRODUCT_SEARCH_TEXT = ("name_en", "code", "description", "description_en")


class Product(Translated, TimeStampedModel):
    """A catalogue product (a style); what is ordered is one of its variants."""

    code = models.CharField(_("product number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    list_price = money_field(_("list price excl. VAT"))
    is_active = models.BooleanField(_("active"), default=True)
    # What search compares (kvote.catalog.search), computed by the database on every write,
    # whoever writes (forms, imports' bulk writes, raw updates): never stale. Deferred where
    # products are listed (kvote.catalog.selectors.visible_products): only queries read them.
    search_name = models.GeneratedField(
        expression=FoldedText(*PRODUCT_SEARCH_NAME),
        output_field=models.TextField(),
        db_persist=True,
    )
    search_text = models.GeneratedField(
        expression=FoldedText(*PRODUCT_SEARCH_TEXT),
        output_field=models.TextField(),
        db_persist=True,
    )
    search_code = models.GeneratedField(
        expression=FoldedText("code", code=True), output_field=models.TextField(), db_persist=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["category", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def display_name(self) -> str:
        return self.translated("name")

    @property
    def display_description(self) -> str:
        return self.translated("description")


class Variant(TimeStampedModel):
    """One colour and size of a product, with its item number (varenummer)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    item_number = models.CharField(_("item number"), max_length=40, unique=True)
    colour = models.CharField(_("colour"), max_length=60)
    colour_en = models.CharField(_("colour (English)"), max_length=60, blank=True)
    colour_hex = models.CharField(_("colour code"), max_length=7, blank=True)
    size = models.CharField(_("size"), max_length=20)
    size_position = models.PositiveSmallIntegerField(_("size order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Stock, as the supplier's systems report it (kvote.catalog.stock reads and writes it).
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    restock_date = models.DateField(_("next restock"), null=True, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        null=True,
        blank=True,
        help_text=_("For items not kept in stock: days from order to dispatch."),
    )
    # What search compares (kvote.catalog.search), as Product's.
    search_text = models.GeneratedField(
        expression=FoldedText("item_number", "colour", "colour_en", "size"),
        output_field=models.TextField(),
        db_persist=True,
    )
    search_code = models.GeneratedField(
        expression=FoldedText("item_number", code=True),
        output_field=models.TextField(),
        db_persist=True,
    )
    search_size = models.GeneratedField(
        expression=FoldedText("size", code=True), output_field=models.TextField(), db_persist=True
    )

    class Meta:
        ordering = ["product", "colour", "size_position", "size"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "colour", "size"], name="variant_colour_size_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_number} {self.product.name} {self.colour} {self.size}"

    @property
    def display_colour(self) -> str:
        return translated(self.colour, self.colour_en)


class AgreedPrice(TenantModel):
    """A company's agreed price (a row of its price list) for a product, whose variants share
    it, or for one item number (`variant`), which goes before the product's; valid from/to
    (both days included, open where empty). Which price applies is kvote.catalog.prices."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="agreed_prices", verbose_name=_("product")
    )
    variant = models.ForeignKey(
        Variant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agreed_prices",
        verbose_name=_("item number"),
        help_text=_("Empty: the price holds for every item number of the product."),
    )
    price = money_field(_("agreed price excl. VAT"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreed price")
        verbose_name_plural = _("agreed prices")
        constraints = [
            # One row per company, product or item number, and start day (an empty start once).
            models.UniqueConstraint(
                fields=["company", "product"],
                condition=models.Q(variant__isnull=True, valid_from__isnull=True),
                name="agreed_price_product_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "product", "valid_from"],
                condition=models.Q(variant__isnull=True, valid_from__isnull=False),
                name="agreed_price_product_from_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "variant"],
                condition=models.Q(variant__isnull=False, valid_from__isnull=True),
                name="agreed_price_variant_unique",
            ),
            models.UniqueConstraint(
                fields=["company", "variant", "valid_from"],
                condition=models.Q(variant__isnull=False, valid_from__isnull=False),
                name="agreed_price_variant_from_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="agreed_price_period_order",
            ),
        ]
        indexes = [models.Index(fields=["company", "product"], name="agreed_price_lookup")]

    def __str__(self) -> str:
        return f"{self.product.code}: {self.price}"


class AssortmentItem(TenantModel):
    """A product in a company's own assortment (used when the company restricts its assortment)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("assortment item")
        verbose_name_plural = _("assortment")
        constraints = [
            models.UniqueConstraint(fields=["company", "product"], name="assortment_item_unique")
        ]

    def __str__(self) -> str:
        return self.product.code


class SizeGroup(models.TextChoices):
    """The size groups (kvote.catalog.sizes reads a size's group from its text), in the order a
    size profile shows them; the value is the API's `key`."""

    TOPS = "tops", _("Tops and jackets (XS–5XL)")
    TROUSERS_C = "trousers_c", _("Trousers (C size)")
    TROUSERS_WL = "trousers_wl", _("Trousers (waist/length)")
    SHOES = "shoes", _("Shoes (EU)")
    GLOVES = "gloves", _("Gloves")


class EmployeeSize(TenantModel):
    """One of an employee's sizes: the size they wear in one size group (kvote.catalog.sizes).
    Kept by the employee, their supervisor or a company admin; read when anyone orders for
    them, to pick the size."""

    employee = models.ForeignKey(
        "people.Employee",
        on_delete=models.CASCADE,
        related_name="sizes",
        verbose_name=_("employee"),
    )
    group = models.CharField(_("size group"), max_length=20, choices=SizeGroup.choices)
    size = models.CharField(_("size"), max_length=20)

    class Meta:
        ordering = ["company", "employee", "group"]
        verbose_name = _("employee size")
        verbose_name_plural = _("employee sizes")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "group"], name="employee_size_one_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.group} {self.size}"


class Favourite(TenantModel):
    user = models.ForeignKey(
        "people.User", on_delete=models.CASCADE, related_name="favourites", verbose_name=_("user")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.product_id}"


class ImageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the worker")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ProductImage(TimeStampedModel):
    """A picture of a product, or of one of its colours, in the order the gallery shows them.

    The original is kept in the default storage (STORAGES["default"]); the worker makes the
    renditions (kvote.catalog.images) and records them in `renditions`:
    {"card": {"webp": name, "jpeg": name, "width": w, "height": h}, "page": …, "zoom": …}.
    Until they exist the pages show a placeholder."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    colour = models.CharField(
        _("colour"),
        max_length=60,
        blank=True,
        help_text=_("Empty: the picture shows the product in any colour."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    alt = models.CharField(_("description for screen readers"), max_length=200, blank=True)
    alt_en = models.CharField(
        _("description for screen readers (English)"), max_length=200, blank=True
    )
    source_url = models.URLField(_("fetched from"), max_length=1000, blank=True)
    original = models.FileField(_("original"), upload_to="products/originals/", blank=True)
    renditions = models.JSONField(_("renditions"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImageStatus.choices, default=ImageStatus.PENDING
    )
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["product", "position", "pk"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        indexes = [models.Index(fields=["product", "colour", "position"])]

    def __str__(self) -> str:
        return f"{self.product_id} #{self.position}"

    @property
    def display_alt(self) -> str:
        return translated(self.alt, self.alt_en)


class ImportKind(models.TextChoices):
    CATALOGUE = "catalogue", _("Catalogue")
    PRICE_LIST = "price_list", _("Price list")


class ImportMode(models.TextChoices):
    UPSERT = "upsert", _("Add and change")
    FULL = "full", _("Full (also deactivate what the file no longer holds)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Being checked")
    PREVIEWED = "previewed", _("Ready to apply")
    INVALID = "invalid", _("Has errors")
    APPLYING = "applying", _("Being applied")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class CatalogueImport(TimeStampedModel):
    """One file (or JSON rows) of the supplier's catalogue or customer price lists: its preview,
    and, once applied, its place in the history. kvote.catalog.imports reads and applies it."""

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    mode = models.CharField(
        _("mode"), max_length=6, choices=ImportMode.choices, default=ImportMode.UPSERT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    source = models.FileField(_("file"), upload_to="imports/")
    filename = models.CharField(_("file name"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # {"rows", "new", "changed", "unchanged", "deactivated", "errors"}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # The first bad rows: [{"row", "column", "message"}]; `counts["errors"]` has how many.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The first changes of each kind, for the preview page: {"new": [...], "changed": [...], …}
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # What the catalogue looked like where the file touches it, when previewed: applying
    # refuses when it no longer does (the preview is stale).
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename} ({self.get_status_display()})"
