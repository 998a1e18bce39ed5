from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from kvote.people.access import portal_access_error
from kvote.people.models import Language


class LanguageMiddleware:
    """The one rule of which language a page speaks (in place of Django's LocaleMiddleware):
    a logged-in user's saved language; else the language switch's cookie (a visitor who chose
    English, on the login page say); else Norwegian, whatever the browser prefers: a browser's
    Accept-Language is a setting nobody chose for this portal. The switch
    (kvote.people.views.language_set) writes both. Under /api/ a program asks for a language
    on purpose, so a call without a user follows its Accept-Language; one with a token speaks
    its user's language (kvote.api.auth)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        api = request.path_info.startswith("/api/")
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def request_language(request: HttpRequest) -> str:
    """The language of `request` (LanguageMiddleware): saved, chosen, or Norwegian."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in Language.values:
        return str(user.language)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in Language.values:
        return chosen
    if request.path_info.startswith("/api/"):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


class PortalAccessMiddleware:
    """Every request of a logged-in session passes here: a user whose company has lost access
    (kvote.people.access.portal_access_error) is logged out at once, sent to the login page
    with the reason, or answered with JSON 403 under /api/. Bearer tokens are refused by the
    same rule in kvote.api.auth."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refused = portal_access_error(user)
            if refused is not None:
                logout(request)
                if request.path.startswith("/api/"):
                    body = {"code": str(refused.code), "message": refused.message}
                    return JsonResponse(body, status=403)
                messages.error(request, refused.message)
                if request.headers.get("HX-Request") == "true":  # a whole page, not a fragment
                    return HttpResponseClientRedirect(reverse("login"))
                return redirect("login")
        return self.get_response(request)
