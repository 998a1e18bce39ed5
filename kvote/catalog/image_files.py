"""The files of a product image: checking that bytes are a picture, and making its renditions.

Pillow decodes only JPEG, PNG, WebP and GIF here (not whatever the bytes claim to be), refuses a
picture of more than KVOTE_IMAGE_MAX_PIXELS before decoding it, and writes the renditions into
the default storage (STORAGES["default"]). Used by kvote.catalog.images, the one home of
product pictures, and by the back office's upload form."""

import hashlib
import logging
import warnings
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Pillow format -> file extension of the original.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Rendition -> its long side in pixels (never upscaled), largest first.
RENDITION_SIZES = {"zoom": 1600, "page": 800, "card": 400}
ORIGINALS = "products/originals"
RENDITIONS = "products/renditions"


class ImageRefused(Exception):
    """A permanent problem with a picture (not a picture, too big, refused address): trying
    again will not help. The message is for the back office."""


class ImageUnavailable(Exception):
    """A passing problem (a timeout, the server's own error): the job may try again."""


def too_big_message() -> str:
    return _("The picture is larger than %(max)s.") % {
        "max": filesizeformat(settings.KVOTE_IMAGE_MAX_BYTES)
    }


def picture_open(data: bytes) -> Image.Image:
    """The decoded picture in `data`, or ImageRefused: not a JPEG, PNG, WebP or GIF (whatever
    its name or Content-Type said), broken, or of too many pixels."""
    max_pixels = settings.KVOTE_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(BytesIO(data), formats=list(FORMATS))
            if probe.width * probe.height > max_pixels:
                raise ImageRefused(
                    _("The picture has too many pixels (%(width)s × %(height)s).")
                    % {"width": probe.width, "height": probe.height}
                )
            probe.verify()
            picture = Image.open(BytesIO(data), formats=list(FORMATS))
            picture.load()
    except ImageRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise ImageRefused(_("This is not a JPEG, PNG, WebP or GIF picture.")) from exc
    return picture


def _rgb(picture: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied) and RGB, transparency on white."""
    upright = ImageOps.exif_transpose(picture) or picture
    if upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright.convert("RGB")


def original_store(*, image_id: int, data: bytes, picture: Image.Image) -> str:
    """Keep the fetched bytes as they came; the stored name."""
    extension = FORMATS[str(picture.format)]
    digest = hashlib.sha256(data).hexdigest()[:16]
    return default_storage.save(f"{ORIGINALS}/{image_id}/{digest}.{extension}", ContentFile(data))


def renditions_encode(picture: Image.Image) -> dict[str, dict[str, Any]]:
    """The renditions of `picture` as bytes: `card`, `page` and `zoom` (RENDITION_SIZES on the
    long side, never upscaled), each {"width", "height", "webp": bytes, "jpeg": bytes}; sizes
    that come out the same (a small original) are the same entry. `renditions_make` stores
    them; the demo's pictures (kvote.demo.picture_store) keep them in a cache of their own."""
    current = _rgb(picture)
    made: dict[str, dict[str, Any]] = {}
    for name, long_side in RENDITION_SIZES.items():
        scale = min(1.0, long_side / max(current.size))
        size = (max(1, round(current.width * scale)), max(1, round(current.height * scale)))
        if size != current.size:
            current = current.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        previous = made[list(made)[-1]] if made else None
        if previous and (previous["width"], previous["height"]) == size:
            made[name] = previous
            continue
        made[name] = {
            "width": size[0],
            "height": size[1],
            "webp": _encoded(current, "WEBP", quality=80, method=4),
            "jpeg": _encoded(current, "JPEG", quality=85, optimize=True, progressive=True),
        }
    return made


def _encoded(picture: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def renditions_make(*, image_id: int, data: bytes, picture: Image.Image) -> dict[str, Any]:
    """Make the renditions (`renditions_encode`) under products/renditions/<image>/; what
    ProductImage.renditions holds: {"card": {"webp": name, "jpeg": name, "width": w,
    "height": h}, …}. Sizes that come out the same share their files. The names carry the
    original's digest, so a new picture never reuses a name a browser has cached."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    made: dict[str, Any] = {}
    stored: dict[int, dict[str, Any]] = {}
    saved: list[str] = []
    try:
        for name, encoded in renditions_encode(picture).items():
            if id(encoded) in stored:
                made[name] = stored[id(encoded)]
                continue
            stem = f"{RENDITIONS}/{image_id}/{digest}-{name}"
            entry: dict[str, Any] = {"width": encoded["width"], "height": encoded["height"]}
            for fmt, extension in (("webp", "webp"), ("jpeg", "jpg")):
                entry[fmt] = default_storage.save(f"{stem}.{extension}", ContentFile(encoded[fmt]))
                saved.append(entry[fmt])
            made[name] = stored[id(encoded)] = entry
    except Exception:
        files_delete(saved)
        raise
    return made


def rendition_files(renditions: dict[str, Any]) -> set[str]:
    """Every file name a `renditions` record names."""
    names: set[str] = set()
    for entry in (renditions or {}).values():
        if isinstance(entry, dict):
            names.update(str(entry[key]) for key in ("webp", "jpeg") if entry.get(key))
    return names


def files_delete(names: Iterable[str]) -> None:
    """Remove files from the default storage; one that is gone already is no error."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:  # a store that is away: the file is left, the row is right
            logger.warning("could not delete %s from the media storage", name, exc_info=True)
