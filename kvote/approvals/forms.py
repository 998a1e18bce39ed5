"""The approval pages' forms. They only parse what was sent; the services decide (who may
decide, whether a comment is needed, what a policy or a substitute may be)."""

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kvote.approvals.services import COMMENT_MAX, Decision
from kvote.budgets.forms import AMOUNT_ATTRS, AmountField
from kvote.common.dates import TypedDayField
from kvote.common.http import parse_id
from kvote.common.tenancy import company_id_of
from kvote.companies.models import ApprovalPolicy, EntitlementPolicy
from kvote.people.models import User


class DecisionForm(forms.Form):
    """One order's decision from its card in the queue: the button pressed, and a comment."""

    decision = forms.ChoiceField(
        choices=[(Decision.APPROVE, _("Approve")), (Decision.REJECT, _("Reject"))],
        error_messages={"required": _("Choose approve or reject.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "ds-input"}),
    )


class DecideManyForm(forms.Form):
    """The orders ticked in the queue, to approve together."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = self.data.getlist("order_ids") if isinstance(self.data, QueryDict) else []
        self.sent_ids: list[str] = [str(v) for v in values]
        ids = (parse_id(v) for v in self.sent_ids)
        self.order_ids: list[int] = list(dict.fromkeys(i for i in ids if i is not None))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.sent_ids:
            raise forms.ValidationError(_("Tick the orders you want to approve."))
        if len(self.order_ids) != len(set(self.sent_ids)):
            raise forms.ValidationError(_("Choose orders from the list."))
        return cleaned


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class SubstituteForm(forms.Form):
    """Name who decides in the approver's place, from one day to another (inclusive)."""

    substitute = UserChoiceField(
        label=_("Substitute"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        error_messages={
            "required": _("Choose who stands in for you."),
            "invalid_choice": _("Choose another active user of your company."),
        },
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    starts_on = TypedDayField(
        label=_("From"),
        error_messages={"required": _("Write the first day."), "invalid": _("Write a date.")},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "ds-input"}),
    )
    ends_on = TypedDayField(
        label=_("To and including"),
        error_messages={"required": _("Write the last day."), "invalid": _("Write a date.")},
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "ds-input"}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["substitute"]
        assert isinstance(field, UserChoiceField)
        field.queryset = (
            User.objects.filter(company_id=company_id_of(actor), is_active=True)
            .exclude(pk=actor.pk)
            .order_by("full_name", "email")
        )


class PolicyForm(forms.Form):
    """The company's approval policy, the optional amount above which every order waits, and
    what happens to an order beyond a kit (utstyrspakke)."""

    policy = forms.ChoiceField(
        label=_("Orders that need approval"),
        choices=ApprovalPolicy.choices,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={"required": _("Choose one of the approval policies.")},
    )
    threshold = AmountField(
        label=_("Also every order above (excl. VAT)"),
        required=False,
        help_text=_("Optional. Leave empty for no amount limit. Example: 10 000,00."),
        widget=forms.TextInput(attrs={**AMOUNT_ATTRS, "aria-describedby": "id_threshold-help"}),
    )
    over_entitlement = forms.ChoiceField(
        label=_("Orders beyond the kit"),
        choices=EntitlementPolicy.choices,
        widget=forms.RadioSelect(attrs={"class": "ds-input"}),
        error_messages={
            "required": _("Choose what happens to an order beyond a kit."),
            "invalid_choice": _("Choose what happens to an order beyond a kit."),
        },
    )
