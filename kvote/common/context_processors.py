from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """What the layout needs on every page: the supplier's name and the cart's line count."""
    context: dict[str, Any] = {"supplier_name": settings.KVOTE_SUPPLIER_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.company_id is not None:
        from kvote.ordering.selectors import cart_line_count

        context["cart_count"] = cart_line_count(actor=user)
    return context
