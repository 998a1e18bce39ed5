"""The kit pages' forms. They only read what was typed; what a kit may hold is decided by
kvote.kits.items (the services call it), and its refusals are shown at the row and field they
name."""

from typing import Any

from django import forms
from django.forms import formset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kvote.catalog.models import Category
from kvote.common.http import parse_id
from kvote.kits.items import MAX_KIT_ITEMS, MAX_KIT_NAME, KitItemIn
from kvote.kits.models import Kit
from kvote.people.forms import EmployeeSearchForm

# The rows an empty form offers, and those added with «Flere rader».
EMPTY_ROWS = 3


class KitForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=MAX_KIT_NAME,
        help_text=_("The job role the kit is for, e.g. Elektriker."),
        widget=forms.TextInput(
            attrs={"class": "ds-input", "autocomplete": "off", "aria-describedby": "id_name-help"}
        ),
    )


class KitItemForm(forms.Form):
    """One item row: a product (typed or picked by its product number) or a category, and the
    quantity per period."""

    product = forms.CharField(
        label=_("Product"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "class": "ds-input",
                "list": "kit-products",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, widget=forms.Select(attrs={"class": "ds-input"})
    )
    quantity = forms.CharField(
        label=_("Quantity per period"),
        required=False,
        max_length=6,
        widget=forms.TextInput(
            attrs={"class": "ds-input kv-qty", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args: Any, categories: list[Category] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((c.slug, c.display_name) for c in categories or [])]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in self.fields)

    def item(self) -> KitItemIn:
        data = self.cleaned_data
        return KitItemIn(
            product_number=str(data.get("product") or "").strip(),
            category=str(data.get("category") or ""),
            quantity=str(data.get("quantity") or ""),
        )


KitItemFormSet = formset_factory(
    KitItemForm,
    extra=EMPTY_ROWS,
    can_delete=True,
    max_num=MAX_KIT_ITEMS,
    absolute_max=MAX_KIT_ITEMS + EMPTY_ROWS,
    validate_max=True,
)


def items_of(formset: Any) -> tuple[list[KitItemIn], list[int]]:
    """The items the rows give (blank and removed rows left out), and the row each came from."""
    items, rows = [], []
    for index, form in enumerate(formset.forms):
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.is_blank():
            continue
        items.append(form.item())
        rows.append(index)
    return items, rows


AssignFilterForm = EmployeeSearchForm


NO_KIT = "none"


class KitChoiceForm(forms.Form):
    """A kit, or «Ingen pakke»; with `employee_ids`, for the employees ticked in a list."""

    kit = forms.ChoiceField(label=_("Kit"), widget=forms.Select(attrs={"class": "ds-input"}))

    def __init__(self, *args: Any, kits: list[Kit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Choose a kit")),
            *((str(kit.pk), kit.name) for kit in kits),
            (NO_KIT, _("No kit")),
        ]
        field.error_messages["required"] = _("Choose a kit, or «No kit».")
        values = self.data.getlist("employee_ids") if isinstance(self.data, QueryDict) else []
        self.sent_ids: list[str] = [str(v) for v in values]
        self.chosen_ids: list[int] = [i for i in map(parse_id, self.sent_ids) if i is not None]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if len(self.chosen_ids) != len(self.sent_ids):
            raise forms.ValidationError(_("Choose employees from the list."))
        return cleaned

    def kit_id(self) -> int | None:
        value = self.cleaned_data["kit"]
        return None if value == NO_KIT else int(value)
