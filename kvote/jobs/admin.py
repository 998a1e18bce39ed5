from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kvote.jobs.models import Job, JobStatus
from kvote.jobs.services import job_retry


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "attempts", "run_after", "leased_by", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["kind", "last_error"]
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    @admin.action(description=_("Try the failed jobs again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        failed = list(queryset.filter(status=JobStatus.FAILED))
        for job in failed:
            job_retry(job=job)
        self.message_user(
            request, _("%(n)d jobs will be tried again.") % {"n": len(failed)}, messages.SUCCESS
        )
