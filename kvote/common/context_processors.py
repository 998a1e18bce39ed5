from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """What the layout needs on every page from the settings: the supplier's name."""
    return {"supplier_name": settings.KVOTE_SUPPLIER_NAME}
