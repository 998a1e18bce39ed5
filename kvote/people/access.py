"""Who may get in: the identity of a login attempt, how long a throttled identity waits, and
whether a user's company still has access to the portal and the API.

- `login_identity(email)` is the one spelling of a login's email: what is stored on `User`, what
  a login looks up (`UserManager.get_by_natural_key`) and what the login throttle counts
  (django-axes' `AXES_USERNAME_CALLABLE`). Stripped and cleaned like any typed line, invisible
  format characters dropped, Unicode compatibility forms folded and case folded (NFKC_Casefold):
  `Ansatt2@Nordlys.example`, ` ansatt2@nordlys.example ` and its full-width twin are one
  identity, so the throttle and the lookup can never disagree about whose attempt it was.
- `lockout_minutes_left(request, username)`: how long a throttled identity still waits, from
  axes' records (at least a minute, at most the cool-off).
- `portal_access_error(user)`: a user of a deactivated company is refused everywhere: at login
  (web and token), on every request of an existing session (`PortalAccessMiddleware`) and with
  every existing bearer token (kvote.api.auth). Supplier staff belong to no company and pass.
"""

import math
import unicodedata
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kvote.common.errors import ServiceError
from kvote.common.text import normalise_line


def login_identity(value: str | None) -> str:
    """The identity of a login email (see the module's docstring); "" for nothing."""
    text = normalise_line(value or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFKC", text)
    return unicodedata.normalize("NFKC", text.casefold()).strip()


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """django-axes' key for an attempt (`AXES_USERNAME_CALLABLE`): the login identity of the
    username in the credentials, or of the form's field when axes looks at the request."""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        data = getattr(request, "POST", None) or {}
        raw = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return login_identity(raw if isinstance(raw, str) else "")


def cool_off() -> timedelta:
    return timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def lockout_minutes_left(request: HttpRequest, username: str) -> int:
    """Whole minutes (rounded up, at least 1) until the identity may try again from the
    request's address: the cool-off counted from its latest recorded failure."""
    from axes.models import AccessAttempt

    wait = cool_off()
    latest = (
        AccessAttempt.objects.filter(
            username=login_identity(username),
            ip_address=getattr(request, "axes_ip_address", None),
            attempt_time__gte=timezone.now() - wait,
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    left = wait if latest is None else latest + wait - timezone.now()
    full = math.ceil(wait.total_seconds() / 60)
    return max(1, min(full, math.ceil(left.total_seconds() / 60)))


def lockout_message(minutes: int) -> str:
    """What a throttled login is told, on the page and by the API."""
    return ngettext(
        "Logging in has failed too many times for this account. Try again in %(minutes)d "
        "minute, or reset your password.",
        "Logging in has failed too many times for this account. Try again in %(minutes)d "
        "minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class AccessError(models.TextChoices):
    COMPANY_INACTIVE = "company_inactive"


def portal_access_error(user: Any) -> ServiceError | None:
    """Why `user` may not use the portal or the API (None when they may): their company has
    been deactivated. Reads `user.company` (loaded with the user by
    kvote.people.backends.EmailBackend)."""
    if getattr(user, "company_id", None) is None:
        return None
    if user.company.is_active:
        return None
    return ServiceError(
        AccessError.COMPANY_INACTIVE,
        _(
            "Your company no longer has access to the portal. Contact your supplier if you "
            "think this is wrong."
        ),
    )
