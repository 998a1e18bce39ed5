"""What every page's view needs around the request: login for pages and htmx alike, a safe
`next`, ids from query strings, the query string a list's page links keep, the VAT rate as
people write it, and a service's refusal shown on a form. The typed request of a
logged-in user is `kvote.people.http.ActorRequest`."""

import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    QueryDict,
)
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from kvote.common.errors import ServiceError
from kvote.common.money import vat_rate

View = Callable[..., HttpResponse]
AnyView = TypeVar("AnyView", bound=Callable[..., HttpResponseBase])


def portal_login_required(view: View) -> View:
    """login_required that also sends an htmx request whose session ran out to the login page
    (as a whole page, back to the page the user was on), instead of swapping the login form
    into a button. Every page and fragment of the portal uses it."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if htmx and not request.user.is_authenticated:
            login = redirect_to_login(htmx.current_url_abs_path or request.get_full_path())
            return HttpResponseClientRedirect(login["Location"])
        return guarded(request, *args, **kwargs)

    return wrapper


def post_only(page: str) -> Callable[[AnyView], AnyView]:
    """For a URL that only takes a form's POST. Whatever a person can see in the address bar
    answers a GET: a reload, a bookmark or a shared link of such a URL goes to the page the form
    is on (`page`, a URL name, given the view's own URL arguments when it takes them), never an
    empty 405. Other methods are still refused. Every POST-only view of the portal uses it
    (tests/e2e and kvote/common/tests/test_post_only.py walk the URL map)."""

    def decorator(view: AnyView) -> AnyView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(page_url(page, kwargs))
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])

        return cast(AnyView, wrapper)

    return decorator


def page_url(page: str, kwargs: dict[str, Any]) -> str:
    """`page` reversed with the arguments it takes of `kwargs` (all, or none)."""
    try:
        return reverse(page, kwargs=kwargs)
    except NoReverseMatch:
        return reverse(page)


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """`url` when it is a path or URL of this site ("/budgets/?q=a"), else None: not another host,
    not a bare word (`redirect` would read "7" as a view's name), and no control character or
    space anywhere (a header cannot hold them)."""
    if (
        url
        and (url.startswith("/") or "://" in url)
        and not any(char.isspace() or unicodedata.category(char)[0] == "C" for char in url)
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def page_query(params: QueryDict) -> str:
    """The query string a list's page links keep (includes/pagination.html): all but `page`."""
    kept = params.copy()
    kept.pop("page", None)
    return kept.urlencode()


ID_MAX_DIGITS = 17  # any id the database holds; longer is no id of ours (and no overflow)


def parse_id(value: str | None) -> int | None:
    """A whole number from a query parameter or a ticked checkbox, or None for anything else."""
    if value and value.isascii() and value.isdigit() and len(value) <= ID_MAX_DIGITS:
        return int(value)
    return None


def vat_percent() -> str:
    """The VAT rate as people write it: '25'."""
    percent = f"{vat_rate() * 100:f}"
    return percent.rstrip("0").rstrip(".") if "." in percent else percent


def money_context() -> dict[str, Any]:
    return {"vat_percent": vat_percent()}


def first_error(errors: dict[str, Any]) -> str:
    """The first message of a form's errors, for a flash message."""
    for messages in errors.values():
        for message in messages:
            return str(message)
    return ""


def refusal_to_form(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's refusal on the form: next to the field it names when the form has that
    field, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
