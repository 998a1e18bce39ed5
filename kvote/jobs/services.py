"""The durable job queue: enqueue inside a transaction, claim with a lease, run, retry.

The leasing itself (SKIP LOCKED, lease deadlines, compare-and-set on finishing) is in
`kvote.jobs.lease`, shared with the supplier outbox.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from importlib import import_module
from typing import Any

from kvote.jobs import lease
from kvote.jobs.models import Job

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
    [job] = jobs_enqueue_many(
        kind=kind, payloads=[payload], company_id=company_id, max_attempts=max_attempts
    )
    return job


def jobs_enqueue_many(
    *,
    kind: str,
    payloads: Sequence[dict[str, Any]],
    company_id: int | None = None,
    max_attempts: int = 8,
) -> list[Job]:
    """Write one job row per payload, all in one INSERT (none for no payloads); like
    `job_enqueue`, inside the transaction that causes the work."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.bulk_create(
        Job(kind=kind, payload=payload, company_id=company_id, max_attempts=max_attempts)
        for payload in payloads
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most an hour."""
    return lease.backoff(attempts, base_seconds=BACKOFF_BASE_SECONDS, cap=BACKOFF_MAX)


def default_worker_id() -> str:
    return lease.worker_name()


def jobs_claim(*, worker: str, limit: int = 10, lease_for: timedelta = LEASE) -> list[Job]:
    """Lease up to `limit` due jobs to `worker`: waiting ones, and ones whose lease ran out."""
    return lease.lease_claim(Job.objects.all(), worker=worker, limit=limit, lease=lease_for)


def _handler(kind: str) -> Callable[[dict[str, Any]], None]:
    module, _, name = HANDLERS[kind].partition(":")
    handler: Callable[[dict[str, Any]], None] = getattr(import_module(module), name)
    return handler


def job_run(*, job: Job, worker: str) -> bool:
    """Run one leased job; record success, or the error and when to try again. True on success."""
    try:
        _handler(job.kind)(job.payload)
    except Exception as exc:
        error = lease.exception_text(exc)
        lease.lease_fail(job, worker=worker, error=error, retry_in=backoff(job.attempts + 1))
        logger.warning(
            "job %s (%s) failed, attempt %s: %s", job.pk, job.kind, job.attempts + 1, exc
        )
        return False
    lease.lease_succeed(job, worker=worker)
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
    lease.lease_retry(Job.objects.filter(pk=job.pk))
