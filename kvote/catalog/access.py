"""Who may change the catalogue: the supplier's staff (a back office login of no customer
company). The one home of that rule: the back office's import pages, the catalogue API (imports,
price lists, stock) and the tests ask here."""

from typing import Any

from django.utils.translation import gettext as _

from kvote.catalog.errors import CatalogueError
from kvote.common.errors import ServiceError


def may_manage_catalogue(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and getattr(user, "company_id", None) is None
    )


def require_catalogue_manager(user: Any) -> None:
    """Refuse (CatalogueError.NOT_ALLOWED, HTTP 403) anyone but the supplier's staff."""
    if not may_manage_catalogue(user):
        raise ServiceError(
            CatalogueError.NOT_ALLOWED,
            _("Only the supplier's staff may change the catalogue, its prices and its stock."),
        )
