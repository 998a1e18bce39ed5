"""The durable job queue: enqueue inside a transaction, claim with a lease, run, retry.

PostgreSQL: workers claim with `SELECT … FOR UPDATE SKIP LOCKED`, so any number of them share
the queue without taking the same job. SQLite: transactions are serialised, so one claim at a
time is what the database does anyway.
"""

import logging
import socket
import traceback
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kvote.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

# kind -> "module:function" taking the job's payload. Apps add their kinds here.
HANDLERS: dict[str, str] = {
    "email": "kvote.jobs.email:send",
}

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX = timedelta(hours=1)


def job_enqueue(
    *, kind: str, payload: dict[str, Any], company_id: int | None = None, max_attempts: int = 8
) -> Job:
    """Write a job row. Call it inside the transaction that causes the work: the job exists
    exactly when that transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(
        kind=kind, payload=payload, company_id=company_id, max_attempts=max_attempts
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most an hour."""
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def default_worker_id() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


def jobs_claim(*, worker: str, limit: int = 10, lease: timedelta = LEASE) -> list[Job]:
    """Lease up to `limit` due jobs to `worker`: waiting ones, and ones whose lease ran out."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.PENDING, run_after__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("run_after", "id")
            .values_list("pk", flat=True)[:limit]
        )
        Job.objects.filter(pk__in=ids).update(leased_until=now + lease, leased_by=worker)
    return list(Job.objects.filter(pk__in=ids).order_by("run_after", "id"))


def _handler(kind: str) -> Callable[[dict[str, Any]], None]:
    module, _, name = HANDLERS[kind].partition(":")
    handler: Callable[[dict[str, Any]], None] = getattr(import_module(module), name)
    return handler


def job_run(*, job: Job, worker: str) -> bool:
    """Run one leased job; record success, or the error and when to try again. True on success."""
    try:
        _handler(job.kind)(job.payload)
    except Exception as exc:
        attempts = job.attempts + 1
        failed = attempts >= job.max_attempts
        Job.objects.filter(pk=job.pk, leased_by=worker).update(
            attempts=attempts,
            last_error="".join(traceback.format_exception_only(exc)).strip()[:2000],
            status=JobStatus.FAILED if failed else JobStatus.PENDING,
            run_after=timezone.now() + backoff(attempts),
            leased_until=None,
            leased_by="",
        )
        logger.warning("job %s (%s) failed, attempt %s: %s", job.pk, job.kind, attempts, exc)
        return False
    Job.objects.filter(pk=job.pk, leased_by=worker).update(
        attempts=job.attempts + 1,
        status=JobStatus.DONE,
        done_at=timezone.now(),
        leased_until=None,
        last_error="",
    )
    return True


def jobs_run_due(*, worker: str | None = None, limit: int = 10) -> int:
    """Claim and run what is due; how many jobs were run."""
    worker = worker or default_worker_id()
    jobs = jobs_claim(worker=worker, limit=limit)
    for job in jobs:
        job_run(job=job, worker=worker)
    return len(jobs)


def job_retry(*, job: Job) -> None:
    """Give a failed job a fresh set of attempts (from the back office)."""
    Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.PENDING, attempts=0, run_after=timezone.now(), last_error=""
    )
