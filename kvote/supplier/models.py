from django.db import models
from django.utils.translation import gettext_lazy as _

from kvote.jobs.lease import Leased


class Delivery(Leased):
    """A released order on its way to the supplier: the outbox row, written in the transaction
    that released the order and leased by a `deliver_orders` worker until it is sent
    (`status` done, `done_at` the time it was sent)."""

    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    order = models.OneToOneField(
        "ordering.Order",
        on_delete=models.CASCADE,
        related_name="delivery",
        verbose_name=_("order"),
    )
    transport = models.CharField(_("sent by"), max_length=20, blank=True)
    receipt = models.CharField(_("receipt"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery to the supplier")
        verbose_name_plural = _("deliveries to the supplier")
        indexes = [
            models.Index(
                fields=["run_after"],
                condition=models.Q(status="pending"),
                name="delivery_pending_run_after",
            )
        ]

    def __str__(self) -> str:
        return str(self.order)


class SeenSignature(models.Model):
    """A signed message from the supplier that the portal has taken (kvote.supplier.signing):
    its key, unique, so the same message is refused the second time, whichever process or
    worker it reaches, and two copies at once are taken once. A row is needed only while its
    message could still pass the time check; older ones are deleted as new ones are written."""

    key = models.CharField(_("message digest"), max_length=64, unique=True)
    signed_at = models.DateTimeField(_("signed at"), db_index=True)

    class Meta:
        verbose_name = _("supplier message taken")
        verbose_name_plural = _("supplier messages taken")

    def __str__(self) -> str:
        return self.key
