"""Min side → API tokens: the user's tokens, making one (shown once) and revoking one."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kvote.api import selectors, services
from kvote.api.forms import TokenForm
from kvote.common.errors import ServiceError
from kvote.common.http import portal_login_required, post_only
from kvote.common.tenancy import company_id_of
from kvote.people.http import ActorRequest


@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: ActorRequest) -> HttpResponse:
    """The user's tokens, and a form to make one. A new token is shown on this answer only: it
    is stored hashed and cannot be shown again."""
    actor = request.user
    company_id_of(actor)  # portal users only (404 for anyone else)
    new_secret = ""
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                issued = services.api_token_create(actor=actor, label=form.cleaned_data["label"])
            except ServiceError as exc:
                form.add_error("label", exc.message)
            else:
                new_secret = issued.secret
                form = TokenForm()
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": list(selectors.api_tokens_of(actor=actor)),
            "new_secret": new_secret,
            "token_days": settings.KVOTE_API_TOKEN_DAYS,
        },
    )
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@portal_login_required
@post_only("api_tokens:list")
def token_revoke(request: ActorRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens (anyone else's: 404)."""
    token = services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(
        request, _("The token “%(label)s” is revoked. It no longer works.") % {"label": token.label}
    )
    return redirect("api_tokens:list")
