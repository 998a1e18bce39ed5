from typing import Any

from django.http import HttpRequest

from kvote.checkout.selectors import cart_line_count


def cart(request: HttpRequest) -> dict[str, Any]:
    """The cart's line count for the header of every page."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.company_id is not None:
        return {"cart_count": cart_line_count(actor=user)}
    return {}
