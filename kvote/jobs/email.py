"""Email through the job queue: rendered when queued (in the reader's language), sent by a
worker. A failed send is retried; the transaction that queued it never waits for the mail server.
"""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from kvote.jobs.models import Job
from kvote.jobs.services import job_enqueue


def email_enqueue(
    *,
    to: str,
    language: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    company_id: int | None = None,
) -> Job:
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    return job_enqueue(
        kind="email",
        payload={"to": to, "subject": subject, "body": body},
        company_id=company_id,
    )


def send(payload: dict[str, Any]) -> None:
    send_mail(
        subject=payload["subject"],
        message=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[payload["to"]],
        fail_silently=False,
    )
