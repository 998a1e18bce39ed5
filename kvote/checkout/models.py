"""The cart: what a user is about to order, with the checkout choices made so far."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel
from kvote.ordering.models import MAX_QUANTITY


class Cart(TenantModel):
    """A user's cart, with the checkout choices made so far (kept, so nothing entered is lost)."""

    user = models.OneToOneField(
        "people.User", on_delete=models.CASCADE, related_name="cart", verbose_name=_("user")
    )
    delivery_address = models.ForeignKey(
        "companies.DeliveryAddress",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery address"),
    )
    use_one_off_address = models.BooleanField(_("one-off address"), default=False)
    one_off_name = models.CharField(_("attention"), max_length=200, blank=True)
    one_off_street = models.CharField(_("street address"), max_length=200, blank=True)
    one_off_postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    one_off_city = models.CharField(_("city"), max_length=100, blank=True)
    customer_reference = models.CharField(_("your reference"), max_length=100, blank=True)

    class Meta:
        db_table = "ordering_cart"  # the table it had when it lived in ordering
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart of {self.user_id}"


class CartLine(TenantModel):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    recipient = models.ForeignKey(
        "people.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )

    class Meta:
        db_table = "ordering_cartline"  # the table it had when it lived in ordering
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="cart_line_quantity_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"
