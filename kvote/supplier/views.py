"""The supplier's replies: `POST /supplier/orders/<number>/status/` with `{"status": "confirmed"
| "shipped", "comment": "..."}`, signed like what we send (`X-Kvote-Signature: t=<unix>,v1=<hex>`,
HMAC-SHA256 over the time, method, path and body: `kvote.supplier.signing`). Answers JSON: 200
with the order's status, or `{"code", "message"}` with 401 (the signature: malformed, bad,
stale or replayed, each its own code), 400 (body), 404 (order) or 409 (transition)."""

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kvote.common.errors import ServiceError
from kvote.supplier import signing
from kvote.supplier.errors import SupplierReplyError
from kvote.supplier.services import SeenSignatures, order_status_report

STATUS_OF_ERROR: dict[str, int] = {
    SupplierReplyError.MALFORMED_SIGNATURE: 401,
    SupplierReplyError.BAD_SIGNATURE: 401,
    SupplierReplyError.STALE_SIGNATURE: 401,
    SupplierReplyError.REPLAYED_SIGNATURE: 401,
    SupplierReplyError.MALFORMED: 400,
    SupplierReplyError.UNKNOWN_STATUS: 400,
    SupplierReplyError.UNKNOWN_ORDER: 404,
    SupplierReplyError.IMPOSSIBLE_TRANSITION: 409,
}


def _error(code: SupplierReplyError | str, message: str) -> JsonResponse:
    return JsonResponse({"code": str(code), "message": message}, status=STATUS_OF_ERROR[str(code)])


def accepted_secrets() -> tuple[str, ...]:
    """The secrets a supplier's message may be signed with: the current one and, during a
    rotation, the previous one."""
    return tuple(
        s for s in (settings.KVOTE_SUPPLIER_SECRET, settings.KVOTE_SUPPLIER_SECRET_PREVIOUS) if s
    )


def _signature_refused(problem: signing.Problem) -> JsonResponse:
    header = signing.HEADER
    tolerance = settings.KVOTE_SIGNATURE_TOLERANCE_SECONDS
    if problem is signing.Problem.MALFORMED:
        return _error(
            SupplierReplyError.MALFORMED_SIGNATURE,
            _("The %(header)s header is missing or is not “t=<unix seconds>,v1=<hex>”.")
            % {"header": header},
        )
    if problem is signing.Problem.STALE:
        return _error(
            SupplierReplyError.STALE_SIGNATURE,
            _("The %(header)s time is more than %(seconds)d seconds from ours.")
            % {"header": header, "seconds": tolerance},
        )
    if problem is signing.Problem.REPLAYED:
        return _error(
            SupplierReplyError.REPLAYED_SIGNATURE,
            _("This signed message was received before; sign each message anew."),
        )
    return _error(
        SupplierReplyError.BAD_SIGNATURE,
        _("The %(header)s signature does not match the time, method, path and body.")
        % {"header": header},
    )


@csrf_exempt  # a machine with the shared secret, not a browser session
@require_POST
def order_status(request: HttpRequest, order_number: str) -> JsonResponse:
    with translation.override("en"):  # the supplier's systems read English
        body = request.body
        tolerance = settings.KVOTE_SIGNATURE_TOLERANCE_SECONDS
        verdict = signing.verify(
            header=request.headers.get(signing.HEADER),
            method=request.method or "",
            path=signing.decoded_path_signed(request.path),
            body=body,
            secrets=accepted_secrets(),
            seen=SeenSignatures(tolerance=tolerance),
            tolerance=tolerance,
        )
        if verdict.problem is not None:
            return _signature_refused(verdict.problem)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond reason
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("status"), str):
            return _error(
                SupplierReplyError.MALFORMED,
                _('The body must be a JSON object with a "status" string.'),
            )
        comment = data.get("comment", "")
        if not isinstance(comment, str):  # its length and characters: the service's rule
            return _error(
                SupplierReplyError.MALFORMED,
                _('"comment" must be a string of at most 2000 characters.'),
            )
        try:
            outcome = order_status_report(
                order_number=order_number, status=data["status"], comment=comment
            )
        except ServiceError as exc:
            return _error(exc.code, exc.message)
    return JsonResponse(
        {
            "order_number": outcome.order.number,
            "status": outcome.order.state,
            "changed": outcome.changed,
        }
    )
