from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from kvote.common.money import vat_rate
from kvote.people.models import User


class ActorRequest(HttpRequest):
    """A request of a logged-in portal user (the views are all login_required)."""

    user: User
    htmx: HtmxDetails


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """`url` when it points back into this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def parse_id(value: str | None) -> int | None:
    """A positive whole number from a query parameter, or None for anything else."""
    if value and value.isascii() and value.isdigit():
        return int(value)
    return None


def vat_percent() -> str:
    """The VAT rate as people write it: '25'."""
    percent = f"{vat_rate() * 100:f}"
    return percent.rstrip("0").rstrip(".") if "." in percent else percent


def money_context() -> dict[str, Any]:
    return {"vat_percent": vat_percent()}


def first_error(errors: dict[str, Any]) -> str:
    """The first message of a form's errors, for a flash message."""
    for messages in errors.values():
        for message in messages:
            return str(message)
    return ""
