"""Back office: customer companies, with their delivery addresses (the catalogue's admin adds
their agreed prices and assortment: kvote.catalog.admin)."""

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.companies.models import Company, DeliveryAddress


class DeliveryAddressInline(admin.TabularInline):
    model = DeliveryAddress
    fk_name = "company"
    fields = (
        "label",
        "recipient_name",
        "street",
        "postal_code",
        "city",
        "country",
        "is_default",
        "is_active",
    )
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "org_number",
        "customer_number",
        "user_count",
        "restrict_assortment",
        "is_active",
    )
    list_filter = ("is_active", "restrict_assortment")
    search_fields = ("name", "org_number", "customer_number")
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "org_number", "customer_number", "is_active")}),
        (_("Assortment"), {"fields": ("restrict_assortment",)}),
        (
            _("Approval policy"),
            {
                "fields": ("approval_policy", "approval_threshold", "over_entitlement"),
                "description": _("Set by the company's admins in the portal (Approval policy)."),
            },
        ),
    )
    # The company's own setting: read here, changed by its admins through the one service
    # (kvote.approvals.services.approval_policy_set).
    readonly_fields = ("approval_policy", "approval_threshold", "over_entitlement")
    inlines: "ClassVar[tuple[type[InlineModelAdmin[Any, Any]], ...]]" = (DeliveryAddressInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Company]:
        return super().get_queryset(request).annotate(user_count=Count("users"))

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, obj: Company) -> int:
        return obj.user_count  # type: ignore[attr-defined]
