from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel

# The most of one item a kit gives in a period.
MAX_KIT_QUANTITY = 999


class Kit(TenantModel):
    """A uniform kit («utstyrspakke»): what an employee with this kit may get each budget
    period, item by item (a product, or any product of a category)."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["company", "name"]
        verbose_name = _("kit")
        verbose_name_plural = _("kits")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="kit_name_unique_in_company")
        ]

    def __str__(self) -> str:
        return self.name


class KitItem(TenantModel):
    """One item of a kit: `quantity` of one product, or of the products of one category
    together, per budget period."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity per period"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_KIT_QUANTITY)],
    )

    class Meta:
        ordering = ["kit", "id"]
        verbose_name = _("kit item")
        verbose_name_plural = _("kit items")
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(category__isnull=True))
                | (Q(product__isnull=True) & Q(category__isnull=False)),
                name="kit_item_product_or_category",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_KIT_QUANTITY),
                name="kit_item_quantity_in_range",
            ),
            models.UniqueConstraint(fields=["kit", "product"], name="kit_item_product_once"),
            models.UniqueConstraint(fields=["kit", "category"], name="kit_item_category_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kit_id}: {self.quantity} × {self.product_id or self.category_id}"


class KitAssignment(TenantModel):
    """The one kit an employee has (at most one). Its row is also what placing an order locks
    for the employee's kit (kvote.kits.services.recipients_lock)."""

    employee = models.OneToOneField(
        "people.Employee",
        on_delete=models.CASCADE,
        related_name="kit_assignment",
        verbose_name=_("employee"),
    )
    kit = models.ForeignKey(
        Kit, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("kit")
    )

    class Meta:
        ordering = ["company", "employee"]
        verbose_name = _("kit of an employee")
        verbose_name_plural = _("kits of employees")
        indexes = [models.Index(fields=["company", "kit"])]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.kit_id}"


class KitChangeKind(models.TextChoices):
    CREATED = "created", _("Kit created")
    CHANGED = "changed", _("Kit changed")
    ASSIGNED = "assigned", _("Kit assigned")
    REMOVED = "removed", _("Kit removed")
    DELETED = "deleted", _("Kit deleted")


class KitChange(TenantModel):
    """Every change of a kit or of whom it is assigned to: who, when, what, from what to what
    (as text, so the log stays true when the kit is later changed or deleted)."""

    kind = models.CharField(_("change"), max_length=20, choices=KitChangeKind.choices)
    kit = models.ForeignKey(
        Kit, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    employee = models.ForeignKey(
        "people.Employee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kit_changes",
        verbose_name=_("employee"),
    )
    actor = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kit change")
        verbose_name_plural = _("kit changes")
        indexes = [
            models.Index(fields=["company", "employee"]),
            models.Index(fields=["company", "kit"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.kit_id} {self.employee_id}"
