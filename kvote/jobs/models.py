from django.db import models
from django.utils.translation import gettext_lazy as _

from kvote.jobs.lease import Leased, LeaseStatus

JobStatus = LeaseStatus


class Job(Leased):
    """A piece of background work, written in the transaction that caused it and taken by a
    worker (`manage.py run_worker`) that leases it; a lease that runs out (the worker died) lets
    another worker take it over. Failures are retried with backoff, then kept as failed."""

    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(
                fields=["run_after"],
                condition=models.Q(status="pending"),
                name="job_pending_run_after",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
