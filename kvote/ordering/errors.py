from django.db import models


class OrderError(models.TextChoices):
    EMPTY_CART = "empty_cart"
    INVALID_QUANTITY = "invalid_quantity"
    UNKNOWN_ITEM = "unknown_item"
    INACTIVE_ITEM = "inactive_item"
    RECIPIENT_REQUIRED = "recipient_required"
    RECIPIENT_NOT_ALLOWED = "recipient_not_allowed"
    RECIPIENT_INACTIVE = "recipient_inactive"
    UNKNOWN_RECIPIENT = "unknown_recipient"  # an employee number of nobody one orders for
    ADDRESS_REQUIRED = "address_required"
    INVALID_ADDRESS = "invalid_address"
    INVALID_REFERENCE = "invalid_reference"
    INVALID_TRANSITION = "invalid_transition"
    STATE_CHANGED = "state_changed"
    NO_LINES = "no_lines"
    TOO_MANY_LINES = "too_many_lines"
    ORDER_TOO_LARGE = "order_too_large"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    ALREADY_DECIDED = "already_decided"
    NOT_CANCELLABLE = "not_cancellable"
    COMPANY_INACTIVE = "company_inactive"
