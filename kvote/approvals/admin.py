"""Back office: who stands in for which approver, and when."""

from django.contrib import admin

from kvote.approvals.models import Substitute


@admin.register(Substitute)
class SubstituteAdmin(admin.ModelAdmin):
    list_display = ("approver", "substitute", "starts_on", "ends_on", "company")
    list_filter = ("company",)
    list_select_related = ("approver", "substitute", "company")
    search_fields = ("approver__email", "approver__full_name", "substitute__email")
    autocomplete_fields = ("company", "approver", "substitute")
    date_hierarchy = "starts_on"
