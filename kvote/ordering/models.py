from django.db import models
from django.utils.translation import gettext_lazy as _

from kvote.catalog.models import translated
from kvote.common.models import TenantModel
from kvote.common.money import money_field

MAX_QUANTITY = 999


class OrderState(models.TextChoices):
    """An order's states, in the words of the person who placed it. The one home of their
    labels: the status tag, the filter of Mine ordrer, the history and the messages read them
    here. "released" is the portal's word for an order that may go to the supplier; the person
    reads that it is sent (the outbox delivers it within moments), then that the supplier
    received it."""

    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    RELEASED = "released", _("Sent to supplier")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    SENT = "sent", _("Received by supplier")
    CONFIRMED = "confirmed", _("Confirmed by supplier")
    SHIPPED = "shipped", _("Shipped")


class Order(TenantModel):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    state = models.CharField(
        _("status"), max_length=20, choices=OrderState.choices, default=OrderState.RELEASED
    )
    placed_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, related_name="orders", verbose_name=_("orderer")
    )
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    customer_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    # A retried submit (double click, a client's retry) finds its order by the key; an API
    # request also keeps a hash of what it asked for, so the key cannot be reused for another.
    idempotency_key = models.CharField(max_length=64)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    delivery_address = models.ForeignKey(
        "companies.DeliveryAddress",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved delivery address"),
    )
    delivery_name = models.CharField(_("attention"), max_length=200)
    delivery_street = models.CharField(_("street address"), max_length=200)
    delivery_postal_code = models.CharField(_("postal code"), max_length=4)
    delivery_city = models.CharField(_("city"), max_length=100)
    delivery_country = models.CharField(_("country"), max_length=2, default="NO")

    decided_by = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    total_excl_vat = money_field(_("total excl. VAT"))
    vat = money_field(_("VAT"))
    total_incl_vat = money_field(_("total incl. VAT"))

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "placed_by", "idempotency_key"],
                name="order_idempotency_key_unique_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(total_incl_vat=models.F("total_excl_vat") + models.F("vat")),
                name="order_totals_add_up",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "placed_by", "-placed_at"]),
            models.Index(fields=["company", "state", "placed_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def delivery_lines(self) -> list[str]:
        return [
            self.delivery_name,
            self.delivery_street,
            f"{self.delivery_postal_code} {self.delivery_city}",
        ]


class OrderLine(TenantModel):
    """One variant, quantity and recipient; the catalogue facts are copied so history stays true."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, related_name="+", verbose_name=_("variant")
    )
    item_number = models.CharField(_("item number"), max_length=40)
    product_name = models.CharField(_("product"), max_length=200)
    product_name_en = models.CharField(_("product (English)"), max_length=200, blank=True)
    colour = models.CharField(_("colour"), max_length=60)
    colour_en = models.CharField(_("colour (English)"), max_length=60, blank=True)
    size = models.CharField(_("size"), max_length=20)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = money_field(_("unit price excl. VAT"))
    line_total = money_field(_("sum excl. VAT"))
    recipient = models.ForeignKey(
        "people.Employee",
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("recipient"),
    )
    recipient_name = models.CharField(_("recipient name"), max_length=200)
    recipient_number = models.CharField(_("employee number"), max_length=20)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="order_line_quantity_range",
            ),
        ]
        indexes = [models.Index(fields=["company", "recipient"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_number}"

    @property
    def display_product_name(self) -> str:
        """The product's name as it was when ordered, in the reader's language."""
        return translated(self.product_name, self.product_name_en)

    @property
    def display_colour(self) -> str:
        return translated(self.colour, self.colour_en)


class OrderStateChange(TenantModel):
    """The order's history: every change of state, who made it, when, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(_("from"), max_length=20, choices=OrderState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=OrderState.choices)
    actor = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        indexes = [models.Index(fields=["company", "order"])]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_state or '∅'} → {self.to_state}"
