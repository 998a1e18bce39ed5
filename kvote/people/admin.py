"""Back office: logins (with their roles) and employees of the customer companies."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.common.errors import ServiceError
from kvote.people import roles
from kvote.people.access import login_identity
from kvote.people.employee_rules import (
    employee_name_clean,
    employee_number_clean,
    employee_self_supervision_check,
    may_supervise,
)
from kvote.people.models import Employee, User
from kvote.people.roles import STORED_ROLES, Role


class UserAddForm(BaseUserCreationForm):
    """A new login: email, name, company and the password twice."""

    class Meta:
        model = User
        fields = ("email", "full_name", "company")
        field_classes: dict[str, type[forms.Field]] = {}

    def clean_email(self) -> str:
        return login_identity(str(self.cleaned_data["email"]))


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, type[forms.Field]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role, flag in STORED_ROLES.items():  # the roles' labels, as everywhere else
            if flag in self.fields:
                self.fields[flag].label = role.label

    def clean_email(self) -> str:
        return login_identity(str(self.cleaned_data["email"]))


# The roles a user of a company holds besides buyer, one column and one filter each, in the
# order and with the labels of kvote.people.roles.Role. Budget holder is derived (the user's
# employee has a budget): shown, never set here. The others are flags set on the change form.
SHOWN_ROLES = tuple(role for role in Role if role != Role.BUYER)
ROLE_FLAGS = tuple(STORED_ROLES.values())


def _role_column(role: Role) -> Any:
    def column(user: User) -> bool:
        return roles.has_role(user, role)

    column.__name__ = f"role_{role.value}"
    return admin.display(description=role.label, boolean=True, ordering=STORED_ROLES.get(role))(
        column
    )


def _role_filter(role: Role) -> type[admin.SimpleListFilter]:
    class RoleFilter(admin.SimpleListFilter):
        title = role.label
        parameter_name = f"role_{role.value}"

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
            return [("1", _("Yes")), ("0", _("No"))]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            holders = roles.with_any_role(User.objects.all(), role).values("pk")
            if self.value() == "1":
                return queryset.filter(pk__in=holders)
            if self.value() == "0":
                return queryset.exclude(pk__in=holders)
            return queryset

    return RoleFilter


ROLE_COLUMNS = tuple(_role_column(role) for role in SHOWN_ROLES)
ROLE_FILTERS = tuple(_role_filter(role) for role in SHOWN_ROLES)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    list_display = (
        "email",
        "full_name",
        "company",
        *ROLE_COLUMNS,
        "is_staff",
        "is_active",
    )
    list_filter = ("company", *ROLE_FILTERS, "is_staff", "is_superuser", "is_active")
    list_select_related = ("company",)
    search_fields = ("email", "full_name", "company__name")
    ordering = ("email",)
    autocomplete_fields = ("company",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "company", "language")}),
        (_("Roles in the company"), {"fields": ("budget_holder", *ROLE_FLAGS)}),
        (
            _("Back office and permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "company", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "budget_holder")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return roles.with_budget_holder(super().get_queryset(request))  # one query for the list

    @admin.display(description=Role.BUDGET_HOLDER.label, boolean=True)
    def budget_holder(self, user: User) -> bool:
        return roles.is_budget_holder(user)


class EmployeeForm(forms.ModelForm):
    """The employee rules of the portal (kvote.people.employee_rules) for the name, the number
    and a newly chosen supervisor; the login and the supervisor must be users of the employee's
    own company."""

    class Meta:
        model = Employee
        fields = ("company", "number", "name", "user", "supervisor", "is_active")

    def clean_name(self) -> str:
        return _by_the_rule(employee_name_clean, self.cleaned_data["name"])

    def clean_number(self) -> str:
        return _by_the_rule(employee_number_clean, self.cleaned_data["number"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        company = cleaned.get("company")
        for name in ("user", "supervisor"):
            user = cleaned.get(name)
            if company is not None and user is not None and user.company_id != company.pk:
                self.add_error(name, _("Choose a user of the employee's own company."))
        supervisor = cleaned.get("supervisor")
        if (
            company is not None
            and supervisor is not None
            and "supervisor" in self.changed_data
            and "supervisor" not in self.errors
            and not may_supervise(supervisor, company_id=company.pk)
        ):
            self.add_error(
                "supervisor",
                _("Choose an active supervisor or company admin of the company as supervisor."),
            )
        try:  # on every save, whichever of the two was set first
            employee_self_supervision_check(login=cleaned.get("user"), supervisor=supervisor)
        except ServiceError as exc:
            self.add_error("supervisor", exc.message)
        return cleaned


def _by_the_rule(rule: Callable[[str], str], value: str) -> str:
    try:
        return rule(value)
    except ServiceError as exc:
        raise forms.ValidationError(exc.message) from exc


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    form = EmployeeForm
    list_display = ("number", "name", "company", "supervisor", "user", "is_active")
    list_filter = ("company", "is_active")
    list_select_related = ("company", "supervisor", "user")
    search_fields = ("number", "name", "user__email", "company__name")
    ordering = ("company__name", "number")
    autocomplete_fields = ("company", "user", "supervisor")
