from django.db import models


class ApprovalError(models.TextChoices):
    """One code per meaning (kvote/common/tests/test_error_codes.py holds each to it)."""

    CANNOT_APPROVE_OWN_ORDER = "cannot_approve_own_order"
    NOT_AN_APPROVER = "not_an_approver"  # refused: the actor decides no orders (substitutes)
    INVALID_DECISION = "invalid_decision"  # neither approve nor reject
    COMMENT_REQUIRED = "comment_required"
    INVALID_SUBSTITUTE = "invalid_substitute"
    INVALID_POLICY = "invalid_policy"
    COMMENT_TOO_LONG = "comment_too_long"
    NO_ORDERS = "no_orders"  # decide-many without an order
    NOT_ALL_DECIDABLE = "not_all_decidable"  # decide-many: one refused, none decided
