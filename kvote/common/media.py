"""Serving uploaded and fetched files (MEDIA_URL) from the file-system store.

The demo and a small installation have no web server in front, so the portal serves
`/media/<path>` itself, with DEBUG off as well. Names under media are never reused (a new
picture gets a new name), so a file may be cached for a year. Only pictures are served as what
they are; anything else is a download, so nothing under media can run as a page. With an
S3-compatible store (KVOTE_MEDIA_STORAGE=s3) the files have the store's own addresses and this
view answers 404."""

import mimetypes
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from kvote.common.errors import not_found

# What a browser may show inline; any other file is sent as a download.
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_path(storage: FileSystemStorage, name: str) -> Path:
    """The file `name` in the store, or NotFound (a 404): no escaping its folder (.., absolute
    paths, links that point outside), no folders, nothing missing."""
    try:
        root = Path(storage.location).resolve()
        path = Path(storage.path(name)).resolve()
    except (SuspiciousFileOperation, ValueError, OSError) as exc:
        raise not_found() from exc
    if not path.is_relative_to(root) or not path.is_file():
        raise not_found()
    return path


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    if not isinstance(default_storage, FileSystemStorage):
        raise not_found()
    file_path = media_path(default_storage, path)
    stat = file_path.stat()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
        not_modified = HttpResponseNotModified()
        not_modified["Cache-Control"] = CACHE_CONTROL
        return not_modified
    content_type = mimetypes.guess_type(file_path.name)[0] or ""
    picture = content_type in PICTURE_TYPES
    response = FileResponse(
        file_path.open("rb"),
        content_type=content_type if picture else "application/octet-stream",
        as_attachment=not picture,
        filename=file_path.name,
    )
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = CACHE_CONTROL
    return response
