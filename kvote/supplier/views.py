"""The supplier's replies: `POST /supplier/orders/<number>/status/` with `{"status": "confirmed"
| "shipped", "comment": "..."}`, signed like what we send (`X-Kvote-Signature: sha256=<hex>`,
HMAC-SHA256 over the body with the shared secret). Answers JSON: 200 with the order's status,
or `{"code", "message"}` with 401 (signature), 400 (body), 404 (order) or 409 (transition)."""

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
from kvote.supplier.services import order_status_report

STATUS_OF_ERROR: dict[str, int] = {
    SupplierReplyError.BAD_SIGNATURE: 401,
    SupplierReplyError.MALFORMED: 400,
    SupplierReplyError.UNKNOWN_STATUS: 400,
    SupplierReplyError.UNKNOWN_ORDER: 404,
    SupplierReplyError.IMPOSSIBLE_TRANSITION: 409,
}


def _error(code: SupplierReplyError | str, message: str) -> JsonResponse:
    return JsonResponse({"code": str(code), "message": message}, status=STATUS_OF_ERROR[str(code)])


@csrf_exempt  # a machine with the shared secret, not a browser session
@require_POST
def order_status(request: HttpRequest, order_number: str) -> JsonResponse:
    with translation.override("en"):  # the supplier's systems read English
        body = request.body
        if not signing.signature_valid(
            body, request.headers.get(signing.HEADER, ""), settings.KVOTE_SUPPLIER_SECRET
        ):
            return _error(
                SupplierReplyError.BAD_SIGNATURE,
                _("The %(header)s header is missing or does not match the body.")
                % {"header": signing.HEADER},
            )
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
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
