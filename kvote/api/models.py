"""API tokens: a user's bearer credentials for the REST API.

Only a SHA-256 hash of a token is stored; the token itself is shown once, when it is made. The
first characters (`prefix`) are kept in clear so its owner can tell their tokens apart.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel


class ApiToken(TenantModel):
    # The user's company; empty for the supplier's staff, whose tokens reach the catalogue API
    # (kvote.catalog.access) and no company's rows.
    company = models.ForeignKey(  # type: ignore[assignment]
        "companies.Company", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    user = models.ForeignKey(
        "people.User", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    label = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["company", "user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label})"

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
