from django.db import models


class ApprovalError(models.TextChoices):
    CANNOT_APPROVE_OWN_ORDER = "cannot_approve_own_order"
    NOT_AN_APPROVER = "not_an_approver"
    COMMENT_REQUIRED = "comment_required"
    INVALID_SUBSTITUTE = "invalid_substitute"
    INVALID_POLICY = "invalid_policy"
    COMMENT_TOO_LONG = "comment_too_long"
