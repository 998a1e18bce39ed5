from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel


class Substitute(TenantModel):
    """While an approver is away (starts_on ≤ today ≤ ends_on), the substitute decides too."""

    approver = models.ForeignKey(
        "people.User",
        on_delete=models.CASCADE,
        related_name="substitutes",
        verbose_name=_("approver"),
    )
    substitute = models.ForeignKey(
        "people.User",
        on_delete=models.CASCADE,
        related_name="substituting_for",
        verbose_name=_("substitute"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to and including"))

    class Meta:
        ordering = ["company", "approver", "starts_on"]
        verbose_name = _("substitute")
        verbose_name_plural = _("substitutes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="substitute_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(approver=F("substitute")), name="substitute_not_self"
            ),
        ]
        indexes = [models.Index(fields=["company", "substitute", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.substitute_id} for {self.approver_id} {self.starts_on}–{self.ends_on}"
