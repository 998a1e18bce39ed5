"""The portal's own pages for what went wrong, in Kvote's look (templates/404.html, 403.html,
400.html, 403_csrf.html, 500.html). Django's handlers draw 404, 403 and 400 with the request;
the two here are the ones it would draw otherwise. A 404 is the portal's page with DEBUG on too
(kvote.common.middleware.NotFoundMiddleware): never the technical page that lists every URL."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: drawn without the request's context (no user, no session, no database), so
    the page stands when whatever failed would fail again."""
    html = loader.render_to_string("500.html", {"supplier_name": settings.KVOTE_SUPPLIER_NAME})
    return HttpResponseServerError(html)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with an old or missing token (a page left open overnight,
    a browser that refuses cookies). Nothing was done; the page says so and how to go on, and
    drawing it hands the browser a fresh token. Django logs the reason (django.security.csrf)."""
    return render(request, "403_csrf.html", status=403)
