from django.db import models


class BudgetError(models.TextChoices):
    """One code per meaning (kvote/common/tests/test_error_codes.py holds each to it)."""

    INVALID_AMOUNT = "invalid_amount"
    NOT_YOUR_EMPLOYEE = "not_your_employee"  # refused: not an employee whose budget you set
    EMPLOYEE_CHANGED = "employee_changed"  # a budget cannot move to another employee
    PERIOD_OVERLAP = "period_overlap"
    NO_EMPLOYEES = "no_employees"
    INVALID_PERIOD = "invalid_period"
