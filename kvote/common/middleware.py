from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found

from kvote.common.errors import NotFound


class NotFoundMiddleware:
    """The web layer's side of "not found" (kvote.common.errors): a service or selector that
    cannot reach a row raises NotFound, and the page answers 404 with the portal's own page
    (templates/404.html). So does a path no URL has. With DEBUG on as well: Django would draw
    its technical 404 there, which lists every URL of the portal to whoever asks (another
    company's order, say). Under /api/ the answer becomes JSON (kvote.api.middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG and not _resolves(request):
            return page_not_found(request, Resolver404({"path": request.path_info}))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return page_not_found(request, Http404(exception.message))
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


def _resolves(request: HttpRequest) -> bool:
    try:
        resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return True
