"""Reading the imports: one import (for its preview page), the history, and a big one's
progress."""

from django.db.models import QuerySet

from kvote.catalog.access import require_catalogue_manager
from kvote.catalog.imports.progress import Progress, progress_read
from kvote.catalog.models import CatalogueImport, ImportKind, ImportStatus
from kvote.common.errors import not_found
from kvote.people.models import User

__all__ = ["Progress", "access_import", "import_history", "import_progress"]


def access_import(*, actor: User, import_id: int) -> CatalogueImport:
    """The import, for the supplier's staff only (NOT_ALLOWED for anyone else); "not found"
    for an id that does not exist."""
    require_catalogue_manager(actor)
    found = (
        CatalogueImport.objects.select_related("created_by", "applied_by")
        .filter(pk=import_id)
        .first()
    )
    if found is None:
        raise not_found()
    return found


def import_history(*, actor: User, kind: ImportKind | None = None) -> QuerySet[CatalogueImport]:
    """Every import, newest first, with who uploaded and who applied it (one query)."""
    require_catalogue_manager(actor)
    imports = CatalogueImport.objects.select_related("created_by", "applied_by").order_by(
        "-created_at", "-id"
    )
    return imports.filter(kind=kind) if kind else imports


def import_progress(*, catalogue_import: CatalogueImport) -> Progress | None:
    """How far the worker has come with a queued or applying import (phase "waiting" until it
    starts); None for an import the worker is not busy with."""
    if catalogue_import.status not in (ImportStatus.QUEUED, ImportStatus.APPLYING):
        return None
    return progress_read(catalogue_import.pk) or Progress(done=0, total=0, phase="waiting")
