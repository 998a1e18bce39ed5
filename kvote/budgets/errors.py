from django.db import models


class BudgetError(models.TextChoices):
    INVALID_AMOUNT = "invalid_amount"
    NOT_YOUR_EMPLOYEE = "not_your_employee"
    PERIOD_OVERLAP = "period_overlap"
    NO_EMPLOYEES = "no_employees"
    INVALID_PERIOD = "invalid_period"
