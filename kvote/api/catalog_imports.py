"""Catalogue and price list imports for the supplier's systems: start (preview), look, apply.

`/catalog/imports` takes catalogue rows, `/catalog/price-lists` customer price list rows; both
run through kvote.catalog.imports (the back office's import pages call the same services). An
import's id asked for under the other path is 404. Only the supplier's staff get in
(kvote.api.auth.CATALOGUE_AUTH): a customer company's token is 403 `catalogue_not_allowed`.
"""

import json
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError
from pydantic import Field
from pydantic import ValidationError as PydanticError

from kvote.api.auth import CATALOGUE_AUTH
from kvote.api.errors import INVALID, MALFORMED_JSON, ApiError, has_nul
from kvote.api.schemas import PathId, Timestamp, error_responses
from kvote.api.types import ApiRequest
from kvote.catalog.imports.selectors import (  # type: ignore[import-not-found, unused-ignore]
    access_import,
    import_progress,
)
from kvote.catalog.imports.services import (  # type: ignore[import-not-found, unused-ignore]
    import_apply,
    import_start,
)
from kvote.catalog.models import CatalogueImport, ImportKind, ImportMode
from kvote.common.errors import not_found

router = Router(tags=["catalogue (supplier)"], auth=CATALOGUE_AUTH)

ROWS_MAX = 50_000  # JSON rows in one request (a bigger catalogue comes as a file)
CELL = str | int | float | bool | None


class ImportRowsIn(Schema):
    rows: list[dict[str, CELL]] = Field(
        max_length=ROWS_MAX,
        description="The rows, each with the file's columns as keys (see the summary).",
    )
    mode: ImportMode = Field(
        default=ImportMode.UPSERT,
        description="`upsert`: add and change; `full`: also deactivate what the rows no "
        "longer hold.",
    )


class ImportErrorOut(Schema):
    row: int | None = Field(description="The row number (the header is row 1 in a file).")
    column: str = Field(description="The column, or empty for the whole row.")
    message: str


class ProgressOut(Schema):
    phase: str = Field(description="`waiting`, `reading`, `checking` or `writing`.")
    done: int
    total: int
    percent: int


class ImportOut(Schema):
    id: int
    status: str = Field(
        description="`queued` (a big file waiting for or in its preview), `previewed` (ready "
        "to apply), `invalid` (bad rows: fix and send again), `applying`, `applied` or "
        "`failed` (see `message`)."
    )
    mode: str
    filename: str
    counts: dict[str, int] = Field(
        description="`rows`, `new`, `changed`, `unchanged`, `deactivated`, `errors`."
    )
    errors: list[ImportErrorOut] = Field(description="The first bad rows; `counts.errors` all.")
    changes: dict[str, Any] = Field(
        description="The first changes of each kind (`new`, `changed` with old → new, "
        "`deactivated`)."
    )
    message: str
    created_at: Timestamp
    applied_at: Timestamp | None
    progress: ProgressOut | None = Field(
        description="How far a queued or applying import has come; null otherwise."
    )


IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "CSV or XLSX"},
                    "mode": {"type": "string", "enum": list(ImportMode.values)},
                },
            }
        },
        "application/json": {"schema": ImportRowsIn.model_json_schema()},
    },
}

START_ERRORS = error_responses(400, 401, 403)
READ_ERRORS = error_responses(400, 401, 403, 404)
APPLY_ERRORS = error_responses(400, 401, 403, 404, 409)


def _out(catalogue_import: CatalogueImport) -> ImportOut:
    progress = import_progress(catalogue_import=catalogue_import)
    return ImportOut(
        id=catalogue_import.pk,
        status=catalogue_import.status,
        mode=catalogue_import.mode,
        filename=catalogue_import.filename,
        counts=catalogue_import.counts or {},
        errors=[ImportErrorOut(**error) for error in catalogue_import.errors or []],
        changes=catalogue_import.changes or {},
        message=catalogue_import.message,
        created_at=catalogue_import.created_at,
        applied_at=catalogue_import.applied_at,
        progress=(
            ProgressOut(
                phase=progress.phase,
                done=progress.done,
                total=progress.total,
                percent=progress.percent,
            )
            if progress is not None
            else None
        ),
    )


def _mode(value: str) -> ImportMode:
    if value not in ImportMode.values:
        raise ApiError(
            400, INVALID, _("Some of the input is not valid."), {"mode": _("upsert or full")}
        )
    return ImportMode(value)


def _start(request: ApiRequest, kind: ImportKind) -> CatalogueImport:
    """A multipart upload (`file`, `mode`) or JSON rows (`rows`, `mode`)."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if not isinstance(upload, UploadedFile):
            raise ApiError(
                400, INVALID, _("Some of the input is not valid."), {"file": _("Send a file.")}
            )
        return import_start(
            actor=request.auth,
            kind=kind,
            mode=_mode(request.POST.get("mode") or ImportMode.UPSERT),
            file=upload,
            filename=upload.name or "",
        )
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(
            400, MALFORMED_JSON, _("Send JSON rows or a multipart file upload.")
        ) from exc
    if has_nul(data):
        raise ApiError(400, INVALID, _("Text cannot contain NUL characters."), {})
    try:
        body = ImportRowsIn.model_validate(data)
    except PydanticError as exc:
        errors = [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()]
        raise ValidationError(errors) from exc
    return import_start(
        actor=request.auth,
        kind=kind,
        mode=body.mode,
        rows=[dict(row) for row in body.rows],
        filename="rows.json",
    )


def _of_kind(request: ApiRequest, import_id: int, kind: ImportKind) -> CatalogueImport:
    found = access_import(actor=request.auth, import_id=import_id)
    if found.kind != kind:
        raise not_found()
    return found


def _routes(prefix: str, kind: ImportKind, what: str, columns: str) -> None:
    @router.post(
        prefix,
        response={201: ImportOut, **START_ERRORS},
        summary=f"Send {what} and get its preview",
        openapi_extra={"requestBody": IMPORT_BODY},
        operation_id=f"{kind}_import_start",
        url_name=f"{kind}_import_start",
    )
    def start(request: ApiRequest) -> tuple[int, ImportOut]:
        return 201, _out(_start(request, kind))

    start.__doc__ = (
        f"Send {what} as a CSV or XLSX file (multipart `file`, with `mode`) or as JSON "
        f'`{{"rows": [...], "mode"}}`, with the columns {columns}. Nothing is changed yet: '
        "the answer is the preview (`previewed` with its counts, or `invalid` with every bad "
        "row). A big file is previewed by the worker: the answer is `queued`; ask "
        f"`GET {prefix}/{{id}}` until it is done."
    )

    @router.get(
        prefix + "/{import_id}",
        response={200: ImportOut, **READ_ERRORS},
        summary=f"One import of {what}: its preview, progress or result",
        operation_id=f"{kind}_import_get",
        url_name=f"{kind}_import_get",
    )
    def get(request: ApiRequest, import_id: PathId) -> ImportOut:
        return _out(_of_kind(request, import_id, kind))

    get.__doc__ = "The import's status and counts, its bad rows and changes, and its progress."

    @router.post(
        prefix + "/{import_id}/apply",
        response={200: ImportOut, **APPLY_ERRORS},
        summary=f"Apply a previewed import of {what}",
        operation_id=f"{kind}_import_apply",
        url_name=f"{kind}_import_apply",
    )
    def apply(request: ApiRequest, import_id: PathId) -> ImportOut:
        _of_kind(request, import_id, kind)
        return _out(import_apply(actor=request.auth, import_id=import_id))

    apply.__doc__ = (
        "Apply the preview, all or nothing. 409 `import_invalid` for an import with bad rows, "
        "`import_stale` when the catalogue changed since the preview (send the file again), "
        "`import_already_applied`, `import_not_ready` while it is still being checked or "
        "applied. A big import is applied by the worker: the answer is `applying`."
    )


_routes(
    "/imports",
    ImportKind.CATALOGUE,
    "catalogue rows",
    "`product_number`, `product_name`, `product_name_en`, `category`, `description`, "
    "`item_number`, `colour`, `colour_en`, `colour_hex`, `size`, `size_order`, `list_price`, "
    "`stock`, `restock_date`, `lead_time_days`, `image_urls`, `active`",
)
_routes(
    "/price-lists",
    ImportKind.PRICE_LIST,
    "customer price list rows",
    "`customer_number`, `item_number` or `product_number`, `price`, `valid_from`, `valid_to`",
)
