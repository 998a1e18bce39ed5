from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from kvote.jobs.email import Email, email_enqueue
from kvote.jobs.models import Job, JobStatus
from kvote.jobs.services import (
    HANDLERS,
    backoff,
    job_enqueue,
    jobs_claim,
    jobs_enqueue_many,
    jobs_run_due,
)
from kvote.ordering.tests.test_states import _run_at_once

FAILS = {"left": 0}


def flaky(payload: dict) -> None:
    """A handler that fails as often as the test says, then works."""
    if FAILS["left"] > 0:
        FAILS["left"] -= 1
        raise ConnectionError("mail server away")


@pytest.fixture
def flaky_kind(monkeypatch):
    monkeypatch.setitem(HANDLERS, "flaky", f"{__name__}:flaky")
    return "flaky"


def _email(to: str = "kari@example.test") -> Job:
    return email_enqueue(
        to=to,
        language="en",
        subject_template="registration/password_reset_subject.txt",
        body_template="registration/password_reset_subject.txt",
        context={},
    )


@pytest.mark.django_db(transaction=True)
def test_a_job_exists_only_when_its_transaction_commits() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _email()
        raise RuntimeError("the order failed")
    assert not Job.objects.exists()
    with transaction.atomic():
        _email()
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_the_worker_sends_queued_email_once() -> None:
    _email("ola@example.test")
    assert mail.outbox == []
    assert jobs_run_due(worker="w1") == 1
    assert [m.to for m in mail.outbox] == [["ola@example.test"]]
    assert Job.objects.get().status == JobStatus.DONE
    assert jobs_run_due(worker="w1") == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_email_queued_already_rendered_is_sent_as_it_is() -> None:
    """Jobs queued before the worker rendered emails hold the subject and body."""
    job_enqueue(
        kind="email",
        payload={"to": "old@example.test", "subject": "Ordre KV-000007", "body": "Hei,\n"},
    )
    assert jobs_run_due(worker="w1") == 1
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["old@example.test"], "Ordre KV-000007", "Hei,\n")


@pytest.mark.django_db
def test_an_email_is_queued_with_plain_values_only() -> None:
    job = _email()
    assert "body" not in job.payload and "subject" not in job.payload
    with pytest.raises(TypeError, match="'amount' is a Decimal"):
        Email("a@example.test", "nb", "s.txt", "b.txt", {"amount": Decimal("1")})  # type: ignore[dict-item]
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_many_jobs_are_queued_in_one_insert_and_unknown_kinds_refused(
    flaky_kind, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        jobs = jobs_enqueue_many(kind=flaky_kind, payloads=[{"n": n} for n in range(20)])
    assert [job.payload for job in Job.objects.order_by("pk")] == [{"n": n} for n in range(20)]
    assert all(job.pk for job in jobs)
    with django_assert_num_queries(0):
        assert jobs_enqueue_many(kind=flaky_kind, payloads=[]) == []
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs_enqueue_many(kind="fax", payloads=[{}])
    with pytest.raises(ValueError, match="unknown job kind"):
        job_enqueue(kind="fax", payload={})


@pytest.mark.django_db
def test_failures_are_retried_with_backoff_then_kept_as_failed(flaky_kind) -> None:
    FAILS["left"] = 2
    job = job_enqueue(kind=flaky_kind, payload={}, max_attempts=3)
    jobs_run_due(worker="w1")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "mail server away" in job.last_error
    assert job.run_after > timezone.now() + timedelta(seconds=20)
    assert jobs_run_due(worker="w1") == 0  # not due yet
    Job.objects.update(run_after=timezone.now())
    jobs_run_due(worker="w1")
    Job.objects.update(run_after=timezone.now())
    jobs_run_due(worker="w1")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (JobStatus.DONE, 3, "")

    FAILS["left"] = 10
    doomed = job_enqueue(kind=flaky_kind, payload={}, max_attempts=2)
    for _ in range(2):
        Job.objects.filter(pk=doomed.pk).update(run_after=timezone.now())
        jobs_run_due(worker="w1")
    doomed.refresh_from_db()
    assert (doomed.status, doomed.attempts) == (JobStatus.FAILED, 2)


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30) == timedelta(hours=1)


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_taken_over_when_its_lease_runs_out() -> None:
    _email()
    [job] = jobs_claim(worker="dead")
    assert jobs_claim(worker="alive") == []  # still leased
    Job.objects.filter(pk=job.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert [j.pk for j in jobs_claim(worker="alive")] == [job.pk]
    assert jobs_run_due(worker="alive") == 0  # leased to "alive" now, not due for another
    Job.objects.filter(pk=job.pk).update(leased_until=None)
    assert jobs_run_due(worker="alive") == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_workers_at_the_same_moment_never_take_the_same_job() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is proven on PostgreSQL")
    for i in range(40):
        _email(f"p{i}@example.test")
    claimed = _run_at_once(4, lambda i: [j.pk for j in jobs_claim(worker=f"w{i}", limit=15)])
    flat = [pk for batch in claimed for pk in batch]
    assert len(flat) == len(set(flat)) == 40
