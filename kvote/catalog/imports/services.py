"""The catalogue and price list imports: start (store and preview), apply, and the two jobs
that do both for a big file in the worker. The back office pages and the API call these.

- `import_start` stores the file (or the JSON rows, as a .json file) in the default storage
  and previews it at once when it is small (at most KVOTE_IMPORT_INLINE_BYTES, 1 MiB by
  default); a bigger one is `queued` and the job `catalog_import_preview` previews it. An
  unreadable small file is refused (BAD_FILE) and nothing is kept; an unreadable big one ends
  `failed` with the reason in `message`.
- `import_apply` applies a `previewed` import, all or nothing, in one transaction: a small one
  at once, a big one through the job `catalog_import_apply` (status `applying`). The import row
  is locked first, so two applies of one preview cannot both run; the plan is made again from
  the file with the catalogue rows locked, and its fingerprint must be the preview's. When it
  is not (something the file touches changed since the preview), the import ends `failed`
  with a message saying so, nothing else is written, and a direct apply raises STALE; the
  supplier uploads the file again for a fresh preview. Applying it again is refused (FAILED).
"""

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kvote.catalog.access import require_catalogue_manager
from kvote.catalog.errors import CatalogueError
from kvote.catalog.imports import catalogue_rows, price_lists
from kvote.catalog.imports.catalogue import catalogue_plan
from kvote.catalog.imports.plan import Plan
from kvote.catalog.imports.price_lists import price_list_plan
from kvote.catalog.imports.progress import progress_clear, progress_write
from kvote.catalog.imports.reading import open_table
from kvote.catalog.imports.writing import catalogue_write, price_list_write, write_count
from kvote.catalog.models import CatalogueImport, ImportKind, ImportMode, ImportStatus
from kvote.common.errors import ServiceError, not_found
from kvote.common.text import normalise_line
from kvote.jobs.services import job_enqueue
from kvote.people.models import User

PREVIEW_JOB = "catalog_import_preview"
APPLY_JOB = "catalog_import_apply"
DEFAULT_INLINE_BYTES = 1024 * 1024
SUMMARY_FIELDS = ["status", "counts", "errors", "changes", "fingerprint", "message", "updated_at"]


def inline_bytes() -> int:
    return int(getattr(settings, "KVOTE_IMPORT_INLINE_BYTES", DEFAULT_INLINE_BYTES))


def _columns(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if kind == ImportKind.CATALOGUE:
        return catalogue_rows.COLUMNS, catalogue_rows.REQUIRED
    return price_lists.COLUMNS, price_lists.REQUIRED


def _reporter(import_id: int) -> Any:
    def report(phase: str, done: int, total: int) -> None:
        progress_write(import_id, phase=phase, done=done, total=total)

    return report


def _plan(catalogue_import: CatalogueImport, *, apply: bool) -> Plan:
    """The plan of the import's stored file (made again, the same way, by the apply)."""
    columns, required = _columns(catalogue_import.kind)
    planner = catalogue_plan if catalogue_import.kind == ImportKind.CATALOGUE else price_list_plan
    with catalogue_import.source.open("rb") as source:
        table = open_table(source, columns=columns, required=required)
        return planner(
            table,
            mode=catalogue_import.mode,
            keep_writes=apply,
            lock=apply,
            progress=_reporter(catalogue_import.pk),
        )


def _preview(catalogue_import: CatalogueImport) -> None:
    plan = _plan(catalogue_import, apply=False)
    catalogue_import.status = ImportStatus.PREVIEWED if plan.valid else ImportStatus.INVALID
    catalogue_import.counts = plan.counts
    catalogue_import.errors = plan.errors
    catalogue_import.changes = plan.changes
    catalogue_import.fingerprint = plan.fingerprint
    catalogue_import.message = ""


def _source(
    file: File | None, rows: list[dict[str, object]] | None, filename: str
) -> tuple[File, str]:
    if (file is None) == (rows is None):
        raise ServiceError(CatalogueError.BAD_FILE, _("Send either a file or rows, not both."))
    if rows is not None:
        import json

        try:
            content = json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise ServiceError(
                CatalogueError.BAD_FILE, _("JSON rows must be a list of objects, one per row.")
            ) from exc
        return ContentFile(content), filename or "rows.json"
    assert file is not None
    if hasattr(file, "seek"):
        file.seek(0)
    return file, filename or os.path.basename(str(file.name or "").replace("\\", "/"))


def import_start(
    *,
    actor: User,
    kind: ImportKind,
    mode: ImportMode,
    file: File | None = None,
    rows: list[dict[str, object]] | None = None,
    filename: str = "",
) -> CatalogueImport:
    """Store a catalogue or price list file (or JSON rows) and preview it (module docstring)."""
    require_catalogue_manager(actor)
    if kind not in ImportKind.values or mode not in ImportMode.values:
        raise ServiceError(
            CatalogueError.BAD_FILE,
            _("The kind must be catalogue or price_list, the mode upsert or full."),
        )
    content, name = _source(file, rows, filename)
    name = normalise_line(name)[:255] or "import"
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    stored = f"{uuid.uuid4().hex}.{extension if extension in ('csv', 'xlsx', 'json') else 'dat'}"
    catalogue_import = CatalogueImport(
        kind=kind, mode=mode, status=ImportStatus.QUEUED, filename=name, created_by=actor
    )
    catalogue_import.source.save(stored, content, save=False)
    try:
        with transaction.atomic():
            catalogue_import.save()
            if catalogue_import.source.size <= inline_bytes():
                _preview(catalogue_import)
                catalogue_import.save(update_fields=SUMMARY_FIELDS)
            else:
                job_enqueue(kind=PREVIEW_JOB, payload={"import_id": catalogue_import.pk})
    except BaseException:
        catalogue_import.source.delete(save=False)
        raise
    finally:
        progress_clear(catalogue_import.pk or 0)
    return catalogue_import


def _refuse_unless_previewed(catalogue_import: CatalogueImport) -> None:
    status = catalogue_import.status
    if status == ImportStatus.PREVIEWED:
        return
    if status == ImportStatus.INVALID:
        raise ServiceError(
            CatalogueError.INVALID,
            _("The file has errors, so nothing can be applied: correct them and upload it again."),
        )
    if status == ImportStatus.APPLIED:
        raise ServiceError(
            CatalogueError.ALREADY_APPLIED, _("This import has already been applied.")
        )
    if status == ImportStatus.FAILED:
        raise ServiceError(
            CatalogueError.FAILED,
            catalogue_import.message or _("This import failed: upload the file again."),
        )
    raise ServiceError(
        CatalogueError.NOT_READY, _("This import is still being checked or applied.")
    )


def _stale_message() -> str:
    return _(
        "The catalogue changed since this preview was made, so nothing was applied: upload the "
        "file again to see a fresh preview."
    )


def _apply_now(catalogue_import: CatalogueImport, *, actor: User | None) -> bool:
    """Make the plan again (catalogue rows locked) and write it when it is still the preview's.
    False, having written nothing, when it is not. Call it with the import row locked."""
    try:
        with transaction.atomic():  # a savepoint: a refused write leaves nothing behind
            plan = _plan(catalogue_import, apply=True)
            if not plan.valid or plan.fingerprint != catalogue_import.fingerprint:
                return False
            total, written = write_count(plan.writes), 0

            def wrote(rows: int) -> None:
                nonlocal written
                written += rows
                progress_write(catalogue_import.pk, phase="writing", done=written, total=total)

            if catalogue_import.kind == ImportKind.CATALOGUE:
                catalogue_write(plan.writes, report=wrote)
            else:
                price_list_write(plan.writes, report=wrote)
    except IntegrityError:  # a row the preview found missing was added meanwhile
        return False
    catalogue_import.status = ImportStatus.APPLIED
    catalogue_import.applied_by = actor
    catalogue_import.applied_at = timezone.now()
    catalogue_import.counts = plan.counts
    catalogue_import.message = ""
    catalogue_import.save(
        update_fields=["status", "applied_by", "applied_at", "counts", "message", "updated_at"]
    )
    return True


def _fail(catalogue_import: CatalogueImport, message: str) -> None:
    catalogue_import.status = ImportStatus.FAILED
    catalogue_import.message = message
    catalogue_import.save(update_fields=["status", "message", "updated_at"])


def _locked(import_id: int) -> CatalogueImport:
    found = CatalogueImport.objects.select_for_update().filter(pk=import_id).first()
    if found is None:
        raise not_found()
    return found


def import_apply(*, actor: User, import_id: int) -> CatalogueImport:
    """Apply a previewed import, all or nothing (module docstring)."""
    require_catalogue_manager(actor)
    with transaction.atomic():
        catalogue_import = _locked(import_id)
        _refuse_unless_previewed(catalogue_import)
        if catalogue_import.source.size > inline_bytes():
            catalogue_import.status = ImportStatus.APPLYING
            catalogue_import.save(update_fields=["status", "updated_at"])
            job_enqueue(
                kind=APPLY_JOB, payload={"import_id": catalogue_import.pk, "actor_id": actor.pk}
            )
            return catalogue_import
        applied = _apply_now(catalogue_import, actor=actor)
        if not applied:
            _fail(catalogue_import, _stale_message())
    progress_clear(catalogue_import.pk)
    if not applied:
        raise ServiceError(CatalogueError.STALE, _stale_message())
    return catalogue_import


# --- The jobs of big files (kvote.jobs HANDLERS, registered in kvote.catalog.apps) ----------


def import_preview_job(payload: dict[str, Any]) -> None:
    """Preview a queued import in the worker; an unreadable file ends it `failed`."""
    catalogue_import = CatalogueImport.objects.filter(
        pk=payload["import_id"], status=ImportStatus.QUEUED
    ).first()
    if catalogue_import is None:
        return  # previewed already (a retried job), or gone
    try:
        _preview(catalogue_import)
    except ServiceError as exc:
        catalogue_import.status = ImportStatus.FAILED
        catalogue_import.message = exc.message
    finally:
        progress_clear(catalogue_import.pk)
    summary = {field: getattr(catalogue_import, field) for field in SUMMARY_FIELDS}
    CatalogueImport.objects.filter(pk=catalogue_import.pk, status=ImportStatus.QUEUED).update(
        **{**summary, "updated_at": timezone.now()}
    )


def import_apply_job(payload: dict[str, Any]) -> None:
    """Apply an import in the worker: everything is checked again, as `import_apply` does."""
    with transaction.atomic():
        catalogue_import = (
            CatalogueImport.objects.select_for_update().filter(pk=payload["import_id"]).first()
        )
        if catalogue_import is None or catalogue_import.status != ImportStatus.APPLYING:
            return  # applied or failed already (a retried job)
        actor = User.objects.filter(pk=int(payload.get("actor_id") or 0)).first()
        try:
            applied = _apply_now(catalogue_import, actor=actor)
            message = _stale_message()
        except ServiceError as exc:  # the stored file can no longer be read
            applied, message = False, exc.message
        if not applied:
            _fail(catalogue_import, message)
    progress_clear(catalogue_import.pk)
