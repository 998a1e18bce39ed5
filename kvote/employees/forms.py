"""Forms of «Mine ansatte»: the period filter with search and sort, add/edit an employee, and
an employee's sizes (also «Mine størrelser» on Min side)."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kvote.catalog.size_profiles import SizeProfile, SizesError
from kvote.employees.periods import ChosenPeriod, PeriodError, parse_period
from kvote.people.models import User

SORTS = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("number", _("Employee number (ascending)")),
    ("-number", _("Employee number (descending)")),
    ("total", _("Bought in the period (most first)")),
    ("-total", _("Bought in the period (least first)")),
]


class PeriodForm(forms.Form):
    """The period filter as typed: from/to dates (both optional) or a preset. The one parser
    (kvote.employees.periods) reads it; its refusal becomes this form's error."""

    period = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (("from", _("From date")), ("to", _("To date"))):
            self.fields[name] = forms.CharField(label=label, required=False, strip=False)

    def chosen(self, actor: User, today: date) -> ChosenPeriod:
        """The period in force: the one asked for, or, when it cannot be read, the default
        (this budget period) with the reason as the form's error and what was typed kept."""
        self.is_valid()
        try:
            return parse_period(
                actor=actor,
                preset=self.data.get("period", ""),
                first=self.data.get("from", ""),
                last=self.data.get("to", ""),
                today=today,
            )
        except PeriodError as exc:
            # A wrong preset comes only from an edited URL: no field to point at.
            self.add_error(exc.field if exc.field in ("from", "to") else None, exc.message)
            return parse_period(actor=actor, today=today)


class EmployeeListForm(PeriodForm):
    q = forms.CharField(
        label=_("Search by name or employee number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "ds-input", "type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=SORTS,
        widget=forms.Select(attrs={"class": "ds-input"}),
    )

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
    """A new employee. With `supervisors` (a company admin on «Alle ansatte»), also who
    supervises them: the actor, or one of those users (the rules decide, in
    kvote.people.employee_rules); without, the actor does."""

    email = forms.CharField(
        label=_("Email of their login (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "ds-input", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, actor: User, supervisors: list[User] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "id_add_%s")
        super().__init__(*args, **kwargs)
        self.actor = actor
        if supervisors is not None:
            others = [(str(u.pk), _label(u)) for u in supervisors if u.pk != actor.pk]
            self.fields["supervisor"] = forms.TypedChoiceField(
                label=_("Supervisor"),
                coerce=int,
                choices=[(str(actor.pk), _("Me (%(name)s)") % {"name": _label(actor)}), *others],
                initial=str(actor.pk),
                widget=forms.Select(attrs={"class": "ds-input"}),
                error_messages={"invalid_choice": _("Choose a supervisor from the list.")},
            )

    def supervisor_id(self) -> int | None:
        """The supervisor chosen (None: none was offered, the actor supervises)."""
        chosen = self.cleaned_data.get("supervisor")
        return chosen if isinstance(chosen, int) else None


def _label(user: User) -> str:
    return user.full_name or user.email


class SizesForm(forms.Form):
    """An employee's sizes: one <select> per size group of the catalogue ("—" and the group's
    sizes; a size kept from before that the catalogue no longer has is offered too, marked,
    so it is not lost by saving). `changes()` gives only the groups changed, so the service
    (which checks every size again) touches only those."""

    def __init__(self, data: Any = None, *, profile: SizeProfile, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "sizes")
        initial = {
            group.key.value: profile.sizes.get(group.key.value) or "" for group in profile.groups
        }
        super().__init__(data, initial=initial, **kwargs)
        for group in profile.groups:
            key = group.key.value
            choices = [("", "—"), *((size, size) for size in group.sizes)]
            kept = profile.sizes.get(key)
            if kept and kept not in group.sizes:
                choices.append((kept, _("%(size)s (no longer in the catalogue)") % {"size": kept}))
            self.fields[key] = forms.ChoiceField(
                label=group.label,
                required=False,
                choices=choices,
                widget=forms.Select(attrs={"class": "ds-input"}),
                error_messages={"invalid_choice": _("Choose a size from the list.")},
            )

    def changes(self) -> dict[str, str | None]:
        """The groups changed: group key → the size chosen, or None for "—"."""
        return {key: self.cleaned_data[key] or None for key in self.changed_data}

    def refused(self, exc: SizesError) -> None:
        """The service's refusal, each at its group."""
        for key, message in exc.fields.items():
            self.add_error(key if key in self.fields else None, message)
