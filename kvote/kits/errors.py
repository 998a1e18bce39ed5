from django.db import models


class KitError(models.TextChoices):
    """One code per meaning (kvote/common/tests/test_error_codes.py holds each to it)."""

    OVER_ENTITLEMENT = "over_entitlement"  # the company blocks lines beyond a kit
    INVALID_KIT = "invalid_kit"  # a kit's name or items break a rule (the field says which)
    KIT_NAME_TAKEN = "kit_name_taken"  # another kit of the company has the name
    NOT_YOUR_EMPLOYEE = "kit_not_your_employee"  # refused: not an employee whose kit you set
    NO_EMPLOYEES = "kit_no_employees"  # assigning, but no employee chosen
