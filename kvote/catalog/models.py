from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel, TimeStampedModel
from kvote.common.money import money_field

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
    """A company's agreed price for a product (its variants share it); list price otherwise."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="agreed_prices", verbose_name=_("product")
    )
    price = money_field(_("agreed price excl. VAT"))

    class Meta:
        verbose_name = _("agreed price")
        verbose_name_plural = _("agreed prices")
        constraints = [
            models.UniqueConstraint(fields=["company", "product"], name="agreed_price_unique")
        ]

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
