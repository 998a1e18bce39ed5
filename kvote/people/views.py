from typing import Any, cast

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from kvote.common.http import portal_login_required, post_only, safe_next
from kvote.common.tenancy import company_id_of
from kvote.people.access import axes_username, lockout_message, lockout_minutes_left
from kvote.people.forms import (
    EmailAuthenticationForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)
from kvote.people.http import ActorRequest
from kvote.people.models import Language, User
from kvote.people.services import user_language_set

# A language a visitor chose with the switch before logging in (this visit's session).
CHOSEN_LANGUAGE = "kvote_chosen_language"


class LoginView(auth_views.LoginView):
    """Log in by email. A language the person chose on the way in (the switch, on the login page
    say) is their choice: it is saved on their user, so the portal stays in it after logging
    in (kvote.people.middleware.LanguageMiddleware puts the saved language first)."""

    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        chosen = self.request.session.pop(CHOSEN_LANGUAGE, None)
        if chosen:
            user_language_set(actor=cast(User, form.get_user()), language=chosen)
            translation.activate(chosen)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """The reset link in the email leads to the portal's address (settings.KVOTE_BASE_URL, the
    one home of links in emails), never to whatever host the request named."""

    form_class = PortalPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {"base_url": settings.KVOTE_BASE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' answer to a throttled login (`AXES_LOCKOUT_CALLABLE`): how long to wait."""
    minutes = lockout_minutes_left(request, axes_username(request, credentials))
    context = {"minutes": minutes, "message": lockout_message(minutes)}
    return render(request, "registration/locked_out.html", context, status=429)


_password_change = auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm)
_password_change_done = auth_views.PasswordChangeDoneView.as_view()


@portal_login_required
def password_change(request: ActorRequest) -> HttpResponse:
    """A portal user sets a new password (supplier staff do it in the back office); saving it
    revokes their API tokens (kvote.people.models.on_password_change), as the page says."""
    company_id_of(request.user)
    return cast(HttpResponse, _password_change(request))


@portal_login_required
def password_change_done(request: ActorRequest) -> HttpResponse:
    company_id_of(request.user)
    return cast(HttpResponse, _password_change_done(request))


@portal_login_required
def home(request: ActorRequest) -> HttpResponse:
    if request.user.company_id is None:
        return redirect("admin:index")
    return redirect("catalog:list")


@post_only("home")
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switch: saved on the user when logged in, and in a cookie always."""
    language = request.POST.get("language", "")
    next_url = safe_next(request, request.POST.get("next")) or reverse("home")
    response = HttpResponseRedirect(next_url)
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        user_language_set(actor=request.user, language=language)
    else:
        request.session[CHOSEN_LANGUAGE] = language  # saved on the user at login (LoginView)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
