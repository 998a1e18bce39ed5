from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from kvote.common.errors import NotFound


class NotFoundMiddleware:
    """The web layer's side of "not found" (kvote.common.errors): a service or selector that
    cannot reach a row raises NotFound, and the page answers 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
