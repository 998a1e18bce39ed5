"""The catalogue's query-string forms. They only parse; the selectors decide what a value means
(an unknown category filters nothing, an unknown colour or size falls back to the first
available variant)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class QueryForm(forms.Form):
    def value(self, name: str) -> str:
        """The field's cleaned value, or "" when it is missing or invalid."""
        if not self.is_valid() and name in self.errors:
            return ""
        return str(self.cleaned_data.get(name) or "")


class CatalogueFilterForm(QueryForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, product number, item number, colour or size, e.g. «jacket navy XL»."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "ds-input",
                "autocomplete": "off",
                "aria-describedby": "id_q-help",
            }
        ),
    )
    # Rendered as a <select> of the categories the selector returns (catalog/product_list.html).
    category = forms.CharField(label=_("Category"), required=False, max_length=50)
    # «Bare mitt utstyr»: only what the kit of whom the line is for holds
    # (kvote.catalog.entitlements).
    kit = forms.BooleanField(required=False)

    def only_kit(self) -> bool:
        return self.value("kit") == "True"


class VariantChoiceForm(QueryForm):
    colour = forms.CharField(required=False, max_length=60)
    size = forms.CharField(required=False, max_length=20)
