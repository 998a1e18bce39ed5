from typing import Self

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet):
    def for_company(self, company_id: int) -> Self:
        return self.filter(company_id=company_id)


class TenantModel(TimeStampedModel):
    """A row owned by one customer company. Reads go through kvote.common.tenancy.scoped()."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
