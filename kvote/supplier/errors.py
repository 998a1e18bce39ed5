from django.db import models


class SupplierReplyError(models.TextChoices):
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_STATUS = "unknown_status"
    IMPOSSIBLE_TRANSITION = "impossible_transition"
