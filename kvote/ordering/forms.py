"""The order pages' forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kvote.common.dates import TypedDayField
from kvote.ordering.models import OrderState


class OrderFilterForm(forms.Form):
    """Mine ordrer's filters: a status and the dates the orders were placed (from/to)."""

    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *OrderState.choices],
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    placed_from = TypedDayField(
        label=_("From date"),
        required=False,
        widget=forms.DateInput(attrs={"class": "ds-input", "type": "date"}, format="%Y-%m-%d"),
    )
    placed_to = TypedDayField(
        label=_("To date"),
        required=False,
        widget=forms.DateInput(attrs={"class": "ds-input", "type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("placed_from", "placed_to"):
            self.fields[name].error_messages["invalid"] = _(
                "Enter a valid date, for example 31.12.2025."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        placed_from, placed_to = cleaned.get("placed_from"), cleaned.get("placed_to")
        if placed_from and placed_to and placed_from > placed_to:
            self.add_error("placed_to", _("The to date cannot be before the from date."))
        return cleaned
