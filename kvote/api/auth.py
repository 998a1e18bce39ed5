"""How the API knows who is calling: a bearer token or the browser's session.

- `Authorization: Bearer <token>`: a token from `POST /auth/token` (or Min side), stored hashed,
  valid until it expires or its owner revokes it.
- The web session (cookie), with Django's CSRF check on writes (`X-CSRFToken` header).

Both give the endpoint `request.auth`, the acting `User`, with the user's language active.
A user whose company has lost access (kvote.people.access.portal_access_error) gets JSON 403
`company_inactive`: for a token here, for a session from kvote.people.middleware.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import Field

from kvote.api.errors import (
    FORBIDDEN,
    INVALID_CREDENTIALS,
    TOO_MANY_ATTEMPTS,
    ApiError,
)
from kvote.api.schemas import Timestamp, error_responses
from kvote.api.services import api_token_create, api_token_use
from kvote.catalog.access import may_manage_catalogue, require_catalogue_manager
from kvote.people.access import (
    lockout_message,
    lockout_minutes_left,
    login_identity,
    portal_access_error,
)
from kvote.people.models import User


def _act_as(request: HttpRequest, user: User) -> User:
    refused = portal_access_error(user)
    if refused is not None:
        raise ApiError(403, refused.code, refused.message)
    request.user = user
    translation.activate(user.language or translation.get_language())
    request.LANGUAGE_CODE = translation.get_language()
    return user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_use(secret=token.strip())
        return _act_as(request, user) if user is not None else None


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods must pass Django's CSRF check. A request
    without a session is simply not authenticated (401), not refused for CSRF."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return "session"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return user


AUTH = [BearerAuth(), SessionAuth()]


class CatalogueBearerAuth(BearerAuth):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return _catalogue_manager(super().authenticate(request, token))


class CatalogueSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _catalogue_manager(super().authenticate(request, key))


def _catalogue_manager(user: User | None) -> User | None:
    """Anyone but the supplier's staff is refused (403 `catalogue_not_allowed`) before the
    request's body is read."""
    if user is not None:
        require_catalogue_manager(user)
    return user


# The catalogue endpoints for the supplier's systems (kvote.api.catalog_admin).
CATALOGUE_AUTH = [CatalogueBearerAuth(), CatalogueSessionAuth()]

router = Router(tags=["auth"])


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)
    label: str = Field(default="API", min_length=1, max_length=100)


class TokenOut(Schema):
    token: str
    expires_at: Timestamp


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **error_responses(400, 401, 403, 429)},
    summary="Log in and get a bearer token",
)
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, object]:
    """Exchange email and password for a token to send as `Authorization: Bearer <token>`.
    Repeated wrong passwords for one account lock it for a while (429). A customer company's
    users get one, and so do the supplier's staff (for the catalogue endpoints)."""
    email = login_identity(payload.email)
    user = authenticate(request, username=email, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # type: ignore[attr-defined]  # answered here, in JSON
        minutes = lockout_minutes_left(request, email)
        raise ApiError(429, TOO_MANY_ATTEMPTS, lockout_message(minutes))
    if not isinstance(user, User):
        raise ApiError(401, INVALID_CREDENTIALS, _("Wrong email or password."))
    if user.company_id is None and not may_manage_catalogue(user):
        raise ApiError(403, FORBIDDEN, _("This account belongs to no customer company."))
    refused = portal_access_error(user)
    if refused is not None:
        raise ApiError(403, refused.code, refused.message)
    if settings.AXES_ENABLED and settings.AXES_RESET_ON_SUCCESS:
        # As a web login does (without the session axes' login signal would make).
        AxesProxyHandler.reset_attempts(
            ip_address=getattr(request, "axes_ip_address", None), username=email
        )
    issued = api_token_create(actor=user, label=payload.label)
    return {"token": issued.secret, "expires_at": issued.token.expires_at}
