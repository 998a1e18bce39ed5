from django.db import models


class KitError(models.TextChoices):
    """One code per meaning (kvote/common/tests/test_error_codes.py holds each to it)."""

    OVER_ENTITLEMENT = "over_entitlement"  # the company blocks lines beyond a kit
