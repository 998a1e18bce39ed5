"""Errors of the REST API: one body, one status rule.

Every error is `{"code": "...", "message": "..."}`, plus `"fields"` (field path → message) for
invalid input. Services raise `ServiceError` with their app's code; `STATUS_BY_CODE` gives its
HTTP status (400 unless listed), `PUBLIC_CODE` renames the few codes the API spells otherwise.
Endpoints raise `ApiError` for what only the API checks. Nothing a client sends ends in a 500.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from kvote.approvals.errors import ApprovalError
from kvote.budgets.errors import BudgetError
from kvote.catalog.errors import CatalogueError
from kvote.catalog.stock import UnknownItemNumbers
from kvote.common.errors import CommonError, NotFound, ServiceError
from kvote.kits.errors import KitError
from kvote.ordering.errors import OrderError
from kvote.people.employee_rules import EmployeeErrorCode


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = str(code)
        self.message = message
        self.fields = fields


def has_nul(value: Any) -> bool:
    """Whether a parsed JSON value holds a NUL character in some text (no column holds one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


class NulCharacterError(ValueError):
    """A JSON body with a NUL character in some text (kvote.api.api.JsonParser)."""


# Codes of the API itself.
INVALID = "invalid"
MALFORMED_JSON = "malformed_json"
NOT_FOUND = str(CommonError.NOT_FOUND)  # the one "not found" of every app
NOT_AUTHENTICATED = "not_authenticated"
INVALID_CREDENTIALS = "invalid_credentials"
TOO_MANY_ATTEMPTS = "too_many_attempts"
FORBIDDEN = "forbidden"
CSRF_FAILED = "csrf_failed"
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"

STATUS_BY_CODE: dict[str, int] = {
    # 403: the actor may not do this.
    ApprovalError.CANNOT_APPROVE_OWN_ORDER: 403,
    ApprovalError.NOT_AN_APPROVER: 403,
    BudgetError.NOT_YOUR_EMPLOYEE: 403,
    EmployeeErrorCode.NOT_YOURS: 403,
    OrderError.RECIPIENT_NOT_ALLOWED: 403,
    FORBIDDEN: 403,
    CommonError.ADMIN_ONLY: 403,
    CSRF_FAILED: 403,
    CatalogueError.NOT_ALLOWED: 403,
    KitError.NOT_YOUR_EMPLOYEE: 403,
    # 409: a conflict with the current state.
    OrderError.ALREADY_DECIDED: 409,
    OrderError.NOT_CANCELLABLE: 409,
    OrderError.STATE_CHANGED: 409,
    OrderError.INVALID_TRANSITION: 409,
    BudgetError.PERIOD_OVERLAP: 409,
    EmployeeErrorCode.NUMBER_TAKEN: 409,
    EmployeeErrorCode.EMAIL_LINKED: 409,
    IDEMPOTENCY_KEY_REUSED: 409,
    CatalogueError.INVALID: 409,
    CatalogueError.STALE: 409,
    CatalogueError.ALREADY_APPLIED: 409,
    CatalogueError.NOT_READY: 409,
    CatalogueError.FAILED: 409,
    KitError.KIT_NAME_TAKEN: 409,
    # The API's own.
    NOT_FOUND: 404,
    NOT_AUTHENTICATED: 401,
    INVALID_CREDENTIALS: 401,
    TOO_MANY_ATTEMPTS: 429,
}

# Service codes the API names as the issue (#7) spells them.
PUBLIC_CODE: dict[str, str] = {
    ApprovalError.NOT_AN_APPROVER: "not_approver",
    EmployeeErrorCode.NUMBER_TAKEN: "duplicate_employee_number",
}

CODE_BY_STATUS: dict[int, str] = {
    400: INVALID,
    401: NOT_AUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    429: TOO_MANY_ATTEMPTS,
}


def status_of(code: str) -> int:
    return STATUS_BY_CODE.get(str(code), 400)


def error_body(
    code: str, message: str, fields: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": PUBLIC_CODE.get(str(code), str(code)), "message": message}
    if fields is not None:
        body["fields"] = fields
    body.update(extra)
    return body


SOURCES = {"body", "query", "path", "header", "cookie", "form"}


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """Where in the request a value was wrong: ("body", "payload", "lines", 0, "sku") →
    "lines.0.sku" (a body is read into one parameter, whose name says nothing to a client);
    ("query", "limit") → "limit"; an error of a whole body or query → "body" or "query"."""
    parts = [str(part) for part in loc]
    source = parts.pop(0) if parts and parts[0] in SOURCES else ""
    if source == "body" and parts:
        parts.pop(0)
    return ".".join(parts) or source or "body"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        fields.setdefault(_field_path(error.get("loc", ())), message)
    return fields


def install_handlers(api: NinjaAPI) -> None:
    """Every error the API answers, as `{"code", "message"}` with the right status."""

    def respond(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        **extra: Any,
    ) -> HttpResponse:
        body = error_body(code, message, fields, **extra)
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="kvote"'
        return response

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.code, exc.message, exc.fields)

    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return respond(request, status_of(exc.code), exc.code, exc.message)

    def on_unknown_items(request: HttpRequest, exc: UnknownItemNumbers) -> HttpResponse:
        return respond(
            request, status_of(exc.code), exc.code, exc.message, item_numbers=exc.item_numbers
        )

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(
            request,
            400,
            INVALID,
            _("Some of the input is not valid."),
            validation_fields(list(exc.errors)),
        )

    def on_not_found(request: HttpRequest, exc: Http404 | NotFound) -> HttpResponse:
        return respond(request, 404, NOT_FOUND, _("Not found."))

    def on_not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            NOT_AUTHENTICATED,
            _("Log in: send “Authorization: Bearer <token>” or use a logged-in session."),
        )

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, FORBIDDEN, str(exc) or _("You may not do this."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, Throttled):
            return respond(request, 429, TOO_MANY_ATTEMPTS, _("Too many requests. Wait a little."))
        if exc.status_code == 400 and isinstance(exc.__cause__, NulCharacterError):
            return respond(request, 400, INVALID, _("Text cannot contain NUL characters."), {})
        if exc.status_code == 400 and exc.__cause__ is not None:
            # ninja could not parse the body (kvote.api.api.JsonParser)
            return respond(request, 400, MALFORMED_JSON, _("The request body is not valid JSON."))
        if exc.status_code == 403 and "CSRF" in exc.message:
            return respond(
                request,
                403,
                CSRF_FAILED,
                _("The CSRF check failed: send the X-CSRFToken header with a session."),
            )
        status = exc.status_code
        return respond(request, status, CODE_BY_STATUS.get(status, "error"), exc.message)

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ApiError, on_api_error),
        (UnknownItemNumbers, on_unknown_items),
        (ServiceError, on_service_error),
        (ValidationError, on_validation_error),
        (Http404, on_not_found),
        (NotFound, on_not_found),
        (AuthenticationError, on_not_authenticated),
        (PermissionDenied, on_permission_denied),
        (HttpError, on_http_error),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
