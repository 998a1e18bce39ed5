from django import forms
from django.utils.translation import gettext_lazy as _

from kvote.api.services import LABEL_MAX


class TokenForm(forms.Form):
    """A new API token's name, so its owner can tell it from the others."""

    label = forms.CharField(
        label=_("Name"),
        max_length=LABEL_MAX,
        help_text=_("What the token is for, e.g. “HR sync”."),
        error_messages={"required": _("Give the token a name.")},
        widget=forms.TextInput(
            attrs={"class": "ds-input", "autocomplete": "off", "aria-describedby": "id_label-help"}
        ),
    )
