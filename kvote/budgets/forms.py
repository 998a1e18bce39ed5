"""The budget pages' forms. They only parse what was typed; the services decide what a budget
may be (kvote.budgets.services.parse_budget_amount: at least 0, at most two decimals)."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kvote.common.dates import TypedDayField
from kvote.common.http import parse_id
from kvote.common.money import format_amount
from kvote.companies.periods import PeriodKind
from kvote.people.forms import EmployeeSearchForm

AMOUNT_ATTRS = {
    "class": "ds-input kv-amount",
    "inputmode": "decimal",
    "autocomplete": "off",
    "spellcheck": "false",
}
# "5,000.00" can only mean five thousand. "5,000" is five thousand to an English reader and
# five to a Norwegian one: the English pages ask instead of guessing.
_COMMA_GROUPS_WITH_POINT = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d*")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_CURRENCY = re.compile(r"^(kr|nok)\.?", re.IGNORECASE)


def amount_text(text: str) -> str:
    """What the user typed, for kvote.budgets.services.parse_budget_amount, with English
    thousands separators taken out ("5,000.00" is five thousand, not five)."""
    compact = _CURRENCY.sub("", text.replace(" ", "").replace("\u00a0", ""))
    if _COMMA_GROUPS_WITH_POINT.fullmatch(compact):
        return compact.replace(",", "")
    if (get_language() or "").startswith("en") and _COMMA_GROUPS.fullmatch(compact):
        raise forms.ValidationError(
            _("Write the amount without a comma between thousands, e.g. 5000 or 5 000.50.")
        )
    return compact


def amount_value(amount: Decimal) -> str:
    """An amount as the value of an input, readable and read back the same in both languages:
    "5 000,00" on the Norwegian pages, "5000.00" on the English ones."""
    if (get_language() or "").startswith("en"):
        return f"{amount:.2f}"
    return format_amount(amount, "nb")


class AmountField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "error_messages", {"required": _("Write the amount as a number, e.g. 5 000,00.")}
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return amount_text(str(super().clean(value)))


BudgetFilterForm = EmployeeSearchForm


class BudgetAmountForm(forms.Form):
    """One employee's budget, from the inline form on their row."""

    amount = AmountField(label=_("Budget"))


class BulkBudgetForm(forms.Form):
    """The same amount for many employees: the chosen ones, or all the list holds."""

    CHOSEN = "chosen"
    ALL = "all"

    amount = AmountField(
        label=_("Amount for each"),
        widget=forms.TextInput(attrs={**AMOUNT_ATTRS, "id": "id_bulk_amount"}),
    )
    scope = forms.ChoiceField(
        choices=[(CHOSEN, CHOSEN), (ALL, ALL)], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = self.data.getlist("employee_ids") if isinstance(self.data, QueryDict) else []
        self.sent_ids: list[str] = [str(v) for v in values]
        ids = (parse_id(v) for v in self.sent_ids)
        self.chosen_ids: list[int] = [i for i in ids if i is not None]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["scope"] = cleaned.get("scope") or self.CHOSEN
        if len(self.chosen_ids) != len(self.sent_ids):
            raise forms.ValidationError(_("Choose employees from the list."))
        return cleaned


class BudgetPeriodForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Budget period"),
        choices=PeriodKind.choices,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
    )
    year_start = TypedDayField(
        label=_("The budget year starts on"),
        required=False,
        help_text=_("Only for a year from a chosen date. The day and month count, every year."),
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={
                "type": "date",
                "class": "ds-input kv-date",
                "aria-describedby": "id_year_start-help",
            },
        ),
    )

    def year_start_value(self) -> date | None:
        value = self.cleaned_data.get("year_start")
        return value if isinstance(value, date) else None
