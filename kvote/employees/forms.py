"""Forms of «Mine ansatte»: the period filter with search and sort, and add/edit an employee."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kvote.companies.models import Company
from kvote.employees.selectors import DateRange

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DATE_WIDGET = {"class": "ds-input", "type": "date"}

QUICK_PERIODS = [
    ("budget", _("This budget period")),
    ("year", _("This year")),
    ("12m", _("Last 12 months")),
    ("all", _("All time")),
]
SORTS = ["name", "-name", "number", "-number", "total", "-total"]


def quick_range(choice: str, company: Company, today: date) -> DateRange:
    if choice == "year":
        return DateRange(date(today.year, 1, 1), date(today.year, 12, 31))
    if choice == "12m":
        # The 12 months up to and including today: from the day after the same date last year.
        year_ago = date(today.year - 1, today.month, min(today.day, 28 if today.month == 2 else 31))
        return DateRange(year_ago + timedelta(days=1), today)
    if choice == "all":
        return DateRange(None, None)
    period = company.budget_period_of(today)
    return DateRange(period.start, period.last_day)


@dataclass(frozen=True)
class ChosenPeriod:
    range: DateRange
    quick: str  # the quick choice in force, or "" for dates typed by the user

    def query(self) -> dict[str, str]:
        """The GET parameters that choose this period again (for links: drill-down, sort)."""
        if self.quick == "all":
            return {"period": "all"}
        return {
            "from": self.range.first.isoformat() if self.range.first else "",
            "to": self.range.last.isoformat() if self.range.last else "",
        }


class PeriodForm(forms.Form):
    """From/to dates (both optional) or a quick choice; nothing chosen = this budget period."""

    period = forms.ChoiceField(required=False, choices=[("", ""), *QUICK_PERIODS])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (("from", _("From date")), ("to", _("To date"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=DATE_FORMATS,
                widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
                error_messages={"invalid": _("Enter a valid date, for example 31.12.2025.")},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("from"), cleaned.get("to")
        if first and last and first > last:
            self.add_error("to", _("The to date cannot be before the from date."))
        return cleaned

    def chosen(self, company: Company, today: date) -> ChosenPeriod:
        """The period in force: typed dates when valid ones were given, else the quick choice
        (default: this budget period). Invalid input shows its error and is not applied."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        first, last = data.get("from"), data.get("to")
        typed = any(self.data.get(name) for name in ("from", "to"))
        if typed and not self.errors and (first or last):
            return ChosenPeriod(DateRange(first, last), "")
        quick = data.get("period") or "budget"
        return ChosenPeriod(quick_range(quick, company, today), quick)


class EmployeeListForm(PeriodForm):
    q = forms.CharField(
        label=_("Search by name or employee number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "ds-input", "type": "search"}),
    )
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or "name"


class EmployeeForm(forms.Form):
    """Name and employee number; the service checks them (its messages become form errors)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "ds-input", "autocomplete": "off"}),
        error_messages={"required": _("Enter the employee's name.")},
    )
    number = forms.CharField(
        label=_("Employee number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "ds-input", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the employee number.")},
    )


class EmployeeAddForm(EmployeeForm):
    email = forms.CharField(
        label=_("Email of their login (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "ds-input", "autocomplete": "off"}),
    )


# Which form field a service error belongs to.
ERROR_FIELDS = {
    "name_empty": "name",
    "number_invalid": "number",
    "number_taken": "number",
    "email_invalid": "email",
    "email_unknown": "email",
    "email_linked": "email",
}
