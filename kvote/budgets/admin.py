"""Back office: budgets per employee and period, with every change of an amount.

Staff may add or correct a budget (kvote.budgets.services.budget_back_office_save keeps the
change like the portal does); the change log itself is read-only, and a budget is never
deleted, so its history is never lost (set it to 0 instead)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.services import budget_back_office_check, budget_back_office_save
from kvote.common.errors import ServiceError
from kvote.companies.periods import Period
from kvote.people.models import User


def _prefix(model: type[Any]) -> str:
    """How a model reaches the budget's period fields."""
    return "budget__" if model is BudgetChange else ""


class PeriodFilter(admin.SimpleListFilter):
    """The periods budgets were set for (start–end), newest first."""

    title = _("period")
    parameter_name = "period"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        prefix = _prefix(model_admin.model)
        start, end = f"{prefix}period_start", f"{prefix}period_end"
        periods = (
            model_admin.get_queryset(request)
            .order_by(f"-{start}", f"-{end}")
            .values_list(start, end)
            .distinct()[:100]
        )
        return [(f"{s}_{e}", Period(s, e).label()) for s, e in periods]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        start, _sep, end = value.partition("_")
        prefix = _prefix(queryset.model)
        try:
            return queryset.filter(**{f"{prefix}period_start": start, f"{prefix}period_end": end})
        except (ValueError, TypeError, forms.ValidationError):
            return queryset.none()  # a hand-made ?period= that is no period


class BudgetForm(forms.ModelForm):
    """The rules of kvote.budgets.services, shown as form errors before anything is saved."""

    actor: User  # who saves: set by BudgetAdmin.get_form on the form class of the request

    class Meta:
        model = Budget
        fields = ("employee", "period_start", "period_end", "amount")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        employee = cleaned.get("employee") or (
            self.instance.employee if self.instance.employee_id else None
        )
        if self.errors or employee is None:
            return cleaned
        budget = Budget(
            pk=self.instance.pk,
            company_id=self.instance.company_id,
            employee=employee,
            period_start=cleaned["period_start"],
            period_end=cleaned["period_end"],
            amount=cleaned["amount"],
        )
        try:
            budget_back_office_check(actor=self.actor, budget=budget)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc
        return cleaned


class BudgetChangeInline(admin.TabularInline):
    model = BudgetChange
    fields = ("created_at", "actor", "old_amount", "new_amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[BudgetChange]:
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    form = BudgetForm
    list_display = ("company", "employee_number", "employee", "period", "amount")
    list_filter = ("company", PeriodFilter)
    list_select_related = ("company", "employee")
    search_fields = ("employee__name", "employee__number")
    ordering = ("company__name", "employee__name", "-period_start")
    autocomplete_fields = ("employee",)
    fields = ("company", "employee", "period_start", "period_end", "amount")
    inlines = (BudgetChangeInline,)

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> "type[forms.ModelForm[Any]]":
        form = super().get_form(request, obj, change, **kwargs)  # a class for this request
        assert isinstance(request.user, User)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def get_readonly_fields(
        self, request: HttpRequest, obj: Budget | None = None
    ) -> tuple[str, ...]:
        # A budget stays with its employee (its changes are that employee's history).
        return ("company", "employee") if obj is not None else ("company",)

    @admin.display(description=_("employee number"), ordering="employee__number")
    def employee_number(self, obj: Budget) -> str:
        return obj.employee.number

    @admin.display(description=_("period"), ordering="period_start")
    def period(self, obj: Budget) -> str:
        return Period(obj.period_start, obj.period_end).label()

    def save_model(self, request: HttpRequest, obj: Budget, form: forms.Form, change: bool) -> None:
        assert isinstance(request.user, User)
        budget_back_office_save(actor=request.user, budget=obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # its change log goes with it; set the amount to 0 instead


@admin.register(BudgetChange)
class BudgetChangeAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "company",
        "employee",
        "period",
        "old_amount",
        "new_amount",
        "actor",
    )
    list_filter = ("company", PeriodFilter)
    list_select_related = ("company", "budget__employee", "actor")
    search_fields = ("budget__employee__name", "budget__employee__number", "actor__email")
    ordering = ("-created_at", "-id")
    fields = ("created_at", "company", "employee", "period", "actor", "old_amount", "new_amount")
    readonly_fields = fields

    @admin.display(description=_("employee"), ordering="budget__employee__name")
    def employee(self, obj: BudgetChange) -> str:
        return str(obj.budget.employee)

    @admin.display(description=_("period"), ordering="budget__period_start")
    def period(self, obj: BudgetChange) -> str:
        return Period(obj.budget.period_start, obj.budget.period_end).label()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # changes are written when a budget is set, never made up

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
