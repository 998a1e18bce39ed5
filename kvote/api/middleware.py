"""JSON for every answer under /api/: Django's own 404 page for a path no endpoint has, and
ninja's plain-text 405 for a method an endpoint does not take, become `{"code", "message"}`."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from kvote.api.errors import NOT_FOUND, error_body

METHOD_NOT_ALLOWED = "method_not_allowed"


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return JsonResponse(error_body(NOT_FOUND, _("Not found.")), status=404)
        answer = JsonResponse(
            error_body(METHOD_NOT_ALLOWED, _("This method is not allowed here.")), status=405
        )
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer
