"""Back office: every order's way to the supplier. Staff see what is waiting, what was sent
when and how, and what failed with its last error; failed deliveries can be tried again."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.jobs.lease import LeaseStatus
from kvote.supplier.models import Delivery
from kvote.supplier.services import deliveries_retry


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "company",
        "delivery_status",
        "attempts",
        "run_after",
        "done_at",
        "short_error",
    ]
    list_filter = ["status", "transport"]
    list_select_related = ["order", "company"]
    search_fields = ["order__number", "company__name", "last_error"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    @admin.display(description=_("status"), ordering="status")
    def delivery_status(self, delivery: Delivery) -> str:
        if delivery.status == LeaseStatus.DONE:
            return str(_("Sent"))
        if delivery.status == LeaseStatus.PENDING and delivery.attempts:
            return str(_("Retrying"))
        return str(delivery.get_status_display())

    @admin.display(description=_("last error"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error.splitlines()[0][:120] if delivery.last_error else ""

    @admin.action(description=_("Try the failed deliveries again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = deliveries_retry(deliveries=queryset)
        self.message_user(
            request,
            _("%(n)d deliveries will be tried again.") % {"n": count},
            messages.SUCCESS,
        )
