from django.db import models


class SupplierReplyError(models.TextChoices):
    MALFORMED_SIGNATURE = "malformed_signature"
    BAD_SIGNATURE = "bad_signature"
    STALE_SIGNATURE = "stale_signature"
    REPLAYED_SIGNATURE = "replayed_signature"
    MALFORMED = "malformed"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_STATUS = "unknown_status"
    IMPOSSIBLE_TRANSITION = "impossible_transition"
