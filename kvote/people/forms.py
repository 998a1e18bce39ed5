from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from kvote.people.access import login_identity, portal_access_error
from kvote.people.models import User


class LoginEmailField(forms.EmailField):
    """An email as its login identity (kvote.people.access.login_identity), checked after."""

    def to_python(self, value: Any) -> str:
        return login_identity(super().to_python(value))


class DesignsystemetInputs(forms.BaseForm):
    """Every field of the form drawn as Designsystemet's input (`ds-input`) and described by its
    help (`<id>-help`, as includes/field.html writes it): for the sign-in and password forms,
    whose fields Django declares."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            classes = attrs.get("class", "").split()
            if "ds-input" not in classes:
                attrs["class"] = " ".join([*classes, "ds-input"])
            if field.help_text and isinstance(self.auto_id, str):
                attrs.setdefault("aria-describedby", f"{self.auto_id % name}-help")


class EmailAuthenticationForm(DesignsystemetInputs, AuthenticationForm):
    """Log in by email; the field keeps the name `username` that Django and django-axes expect.
    A user whose company has lost access is told so (after the right password only)."""

    username = LoginEmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Wrong email or password. Note that the password is case-sensitive."),
        "inactive": _("This account is inactive."),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        refused = portal_access_error(user)
        if refused is not None:
            raise forms.ValidationError(refused.message, code=refused.code)


class PortalPasswordResetForm(DesignsystemetInputs, PasswordResetForm):
    pass


class PortalSetPasswordForm(DesignsystemetInputs, SetPasswordForm):
    pass


class PortalPasswordChangeForm(DesignsystemetInputs, PasswordChangeForm):
    pass


class EmployeeSearchForm(forms.Form):
    """The search over employees by name or employee number on the pages that pick employees
    to act on many at once (budgets, kits)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name or employee number."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "ds-input",
                "autocomplete": "off",
                "aria-describedby": "id_q-help",
            }
        ),
    )

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""
