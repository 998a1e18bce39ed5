"""Leased work items: the mechanics shared by the job queue and the supplier outbox.

A row is waiting (`pending`) until a worker leases it. Leasing is one short transaction:
PostgreSQL takes due rows with `SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers share
a table without taking the same row; SQLite serialises writers anyway (immediate transactions).
The lease is a deadline: a worker that dies holding a row loses it when the deadline passes, and
the next claim takes it over. Finishing is a compare-and-set on the lease holder, so a worker
whose lease was taken over cannot overwrite what its successor recorded.
"""

import os
import random
import socket
import traceback
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LeaseStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Leased(models.Model):
    """Fields every leased work item has."""

    status = models.CharField(
        _("status"), max_length=10, choices=LeaseStatus.choices, default=LeaseStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("max attempts"), default=8)
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    leased_by = models.CharField(_("worker"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        abstract = True


L = TypeVar("L", bound=Leased)


def worker_name(role: str = "") -> str:
    """host:pid (and the worker's role): who holds a lease, readable in the back office."""
    return ":".join(filter(None, (socket.gethostname(), str(os.getpid()), role)))


def exception_text(exc: BaseException) -> str:
    """The error as a failed attempt records it: type and message, no traceback."""
    return "".join(traceback.format_exception_only(exc)).strip()


def backoff(
    attempts: int, *, base_seconds: float, cap: timedelta, jitter: float = 0.0
) -> timedelta:
    """base, 2×base, 4×base … for attempts 1, 2, 3 …, at most `cap`; with `jitter` j the wait
    is spread over ±j of that, so workers that failed together do not retry together."""
    seconds = min(base_seconds * 2 ** max(attempts - 1, 0), cap.total_seconds())
    if jitter:
        seconds *= random.uniform(1 - jitter, 1 + jitter)
    return timedelta(seconds=min(seconds, cap.total_seconds()))


def lease_claim(
    queryset: models.QuerySet[L], *, worker: str, limit: int, lease: timedelta
) -> list[L]:
    """Lease up to `limit` due rows of `queryset` to `worker`: waiting ones, and ones whose
    lease ran out."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            queryset.select_for_update(skip_locked=True)
            .filter(status=LeaseStatus.PENDING, run_after__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("run_after", "id")
            .values_list("pk", flat=True)[:limit]
        )
        queryset.filter(pk__in=ids).update(leased_until=now + lease, leased_by=worker)
    return list(queryset.filter(pk__in=ids).order_by("run_after", "id"))


def _held(item: Leased, worker: str) -> models.QuerySet[Any]:
    return type(item)._default_manager.filter(
        pk=item.pk, leased_by=worker, status=LeaseStatus.PENDING
    )


def lease_succeed(item: Leased, *, worker: str, **fields: Any) -> bool:
    """Record that `worker` finished `item`; False when its lease was taken over meanwhile."""
    now = timezone.now()
    return bool(
        _held(item, worker).update(
            status=LeaseStatus.DONE,
            attempts=item.attempts + 1,
            done_at=now,
            leased_until=None,
            last_error="",
            **fields,
        )
    )


def lease_fail(
    item: Leased, *, worker: str, error: str, retry_in: timedelta, final: bool = False
) -> bool:
    """Record a failed attempt: try again after `retry_in`, or give up when the attempts are
    used (or the failure is `final`). True when the item is now failed for good."""
    attempts = item.attempts + 1
    failed = final or attempts >= item.max_attempts
    _held(item, worker).update(
        attempts=attempts,
        last_error=error[:2000],
        status=LeaseStatus.FAILED if failed else LeaseStatus.PENDING,
        run_after=timezone.now() + retry_in,
        leased_until=None,
        leased_by="",
    )
    return failed


def lease_retry(queryset: models.QuerySet[L], *, now: datetime | None = None) -> int:
    """Give failed rows a fresh set of attempts (from the back office); how many."""
    return queryset.filter(status=LeaseStatus.FAILED).update(
        status=LeaseStatus.PENDING,
        attempts=0,
        run_after=now or timezone.now(),
        last_error="",
        leased_until=None,
        leased_by="",
    )
