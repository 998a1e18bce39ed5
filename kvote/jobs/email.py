"""Email through the job queue. The job holds what the email needs to be written (the address,
the reader's language, the template names and a context of plain values); the worker renders it
in the reader's language when it sends it, so the transaction that queues it (and the locks it
holds) never waits for template rendering or for the mail server. A failed send is retried.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from kvote.jobs.models import Job
from kvote.jobs.services import jobs_enqueue_many

# What a template may be given: values that survive the job's JSON as they are.
ContextValue = str | int | bool | None
PLAIN = (str, int, bool, type(None))


@dataclass(frozen=True)
class Email:
    to: str
    language: str
    subject_template: str
    body_template: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.context.items():
            if not isinstance(value, PLAIN):
                raise TypeError(
                    f"email context {name!r} is a {type(value).__name__}: give the template "
                    "plain values (ids, numbers as text, names, URLs), not objects"
                )

    def payload(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "language": self.language,
            "subject_template": self.subject_template,
            "body_template": self.body_template,
            "context": dict(self.context),
        }


def emails_enqueue(*, emails: Sequence[Email], company_id: int | None = None) -> list[Job]:
    """Queue `emails` in one INSERT, inside the transaction that causes them."""
    return jobs_enqueue_many(
        kind="email", payloads=[email.payload() for email in emails], company_id=company_id
    )


def email_enqueue(
    *,
    to: str,
    language: str,
    subject_template: str,
    body_template: str,
    context: Mapping[str, ContextValue],
    company_id: int | None = None,
) -> Job:
    [job] = emails_enqueue(
        emails=[Email(to, language, subject_template, body_template, context)],
        company_id=company_id,
    )
    return job


def email_render(payload: Mapping[str, Any]) -> tuple[str, str]:
    """A queued email's subject and body, rendered now in its reader's language. Jobs queued
    before rendering moved to the worker hold a rendered subject and body: those, as they are."""
    if "body" in payload:
        return payload["subject"], payload["body"]
    with translation.override(payload["language"]):
        subject = render_to_string(payload["subject_template"], payload["context"])
        body = render_to_string(payload["body_template"], payload["context"])
    return " ".join(subject.split()), body


def send(payload: dict[str, Any]) -> None:
    subject, body = email_render(payload)
    send_mail(
        subject=subject,
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[payload["to"]],
        fail_silently=False,
    )
