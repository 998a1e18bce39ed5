from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kvote.common.models import TenantModel
from kvote.common.money import money_field


class Budget(TenantModel):
    """What one employee may spend, excl. VAT, in one period (days start ≤ day < end)."""

    employee = models.ForeignKey(
        "people.Employee",
        on_delete=models.CASCADE,
        related_name="budgets",
        verbose_name=_("employee"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (not included)"))
    amount = money_field(_("budget excl. VAT"))

    class Meta:
        ordering = ["company", "employee", "-period_start"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period_start"], name="budget_one_per_employee_and_start"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="budget_period_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["company", "employee", "period_start"])]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.amount} {self.period_start}–{self.period_end}"


class BudgetChange(TenantModel):
    """Every change of a budget's amount: who, when, from what to what."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    old_amount = models.DecimalField(
        _("old amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    new_amount = money_field(_("new amount"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        indexes = [models.Index(fields=["company", "budget"])]

    def __str__(self) -> str:
        return f"{self.budget_id}: {self.old_amount} → {self.new_amount}"
