"""Product pictures: the one home of ProductImage.

Writes: `product_images_set` keeps a product's pictures from URLs in step with the catalogue
import (inside its transaction), the back office's uploads and "fetch again" go through
`product_images_uploaded` / `product_images_refresh` / `product_images_delete`. The work is done
by the job queue (kvote.jobs): `catalog_image_fetch` downloads a URL (kvote.catalog.image_fetch),
`catalog_image_render` renders an uploaded original; both check the bytes are a picture and make
the renditions (kvote.catalog.image_files). A failed picture never fails what caused it: the row
says `failed` with a short `error`, and the pages show the placeholder.

Reads: `product_pictures` gives the pages and the API each product's `Picture`s in one query;
`catalog/includes/picture.html` draws one."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.templatetags.static import static
from django.utils.translation import gettext as _

from kvote.catalog.access import require_catalogue_manager
from kvote.catalog.errors import CatalogueError
from kvote.catalog.image_fetch import image_download
from kvote.catalog.image_files import (
    ImageRefused,
    ImageUnavailable,
    files_delete,
    original_store,
    picture_open,
    rendition_files,
    renditions_make,
)
from kvote.catalog.models import ImageStatus, ProductImage, Variant, translated
from kvote.common.errors import ServiceError
from kvote.jobs.services import jobs_enqueue_many

logger = logging.getLogger(__name__)

FETCH_JOB = "catalog_image_fetch"
RENDER_JOB = "catalog_image_render"
# kind -> handler, added to kvote.jobs.services.HANDLERS by kvote.catalog.apps.
JOB_HANDLERS = {
    FETCH_JOB: "kvote.catalog.images:image_fetch_run",
    RENDER_JOB: "kvote.catalog.images:image_render_run",
}
# A timeout or a server error is tried again this many times in all (the queue's backoff).
JOB_MAX_ATTEMPTS = 3
URL_MAX_LENGTH = ProductImage._meta.get_field("source_url").max_length or 1000
ERROR_MAX_LENGTH = ProductImage._meta.get_field("error").max_length or 300

PLACEHOLDER = "kvote/img/product-placeholder.svg"
PLACEHOLDER_SIZE = 800  # the placeholder is square, as is the picture box of a card


# Writes ---------------------------------------------------------------------------------------


def image_url_error(url: str) -> str:
    """Why `url` cannot be kept as a picture's address ('' when it can): the catalogue import
    lists it as a bad row. Whether its host is allowed is the worker's question (a setting that
    may change), not the import's."""
    if len(url) > URL_MAX_LENGTH:
        return _("An image address may have at most %(max)s characters.") % {"max": URL_MAX_LENGTH}
    scheme, sep, rest = url.partition("://")
    if (
        not sep
        or scheme.lower() not in {"http", "https"}
        or not rest
        or any(c.isspace() for c in url)
    ):
        return _("An image address must start with http:// or https://.")
    return ""


def product_images_set(*, product_id: int, urls: Sequence[str]) -> None:
    """Make the product's pictures from URLs exactly `urls`, in that order: keep the ones it
    has (moved to their new place), add the new ones (pending, with a fetch job each, in the
    caller's transaction) and delete the ones no longer listed (their files after commit).
    Pictures uploaded in the back office are left alone. A repeated URL counts once.

    Called by the catalogue import inside its transaction; one query when nothing changes."""
    wanted = list(dict.fromkeys(url.strip() for url in urls if url.strip()))
    for url in wanted:
        problem = image_url_error(url)
        if problem:
            raise ServiceError(CatalogueError.IMAGE_URL_INVALID, problem, field="image_urls")
    with transaction.atomic(savepoint=False):
        kept: dict[str, ProductImage] = {}
        gone: list[ProductImage] = []
        for image in (
            ProductImage.objects.filter(product_id=product_id)
            .exclude(source_url="")
            .only("pk", "source_url", "position", "original", "renditions")
            .order_by("position", "pk")
        ):
            if image.source_url in wanted and image.source_url not in kept:
                kept[image.source_url] = image
            else:
                gone.append(image)
        moved: list[ProductImage] = []
        for position, url in enumerate(wanted):
            found = kept.get(url)
            if found is not None and found.position != position:
                found.position = position
                moved.append(found)
        if moved:
            ProductImage.objects.bulk_update(moved, ["position"])
        new = [
            ProductImage(product_id=product_id, source_url=url, position=position)
            for position, url in enumerate(wanted)
            if url not in kept
        ]
        if new:
            ProductImage.objects.bulk_create(new)
            _enqueue(FETCH_JOB, [image.pk for image in new])
        if gone:
            _delete(gone)


def product_images_uploaded(
    *, actor: Any, image_ids: Iterable[int], replaced: Iterable[str] = ()
) -> None:
    """The back office saved new originals (in place of the files `replaced`): render them
    (the pages show the placeholder until the renditions exist)."""
    require_catalogue_manager(actor)
    ids = list(image_ids)
    old = sorted(name for name in replaced if name)
    with transaction.atomic():
        ProductImage.objects.filter(pk__in=ids).update(status=ImageStatus.PENDING, error="")
        _enqueue(RENDER_JOB, ids)
        if old:
            transaction.on_commit(lambda: files_delete(old))


def product_images_refresh(*, actor: Any, image_ids: Iterable[int]) -> int:
    """Fetch again (a picture from a URL) or render again (an uploaded one); a ready picture
    stays shown until its new renditions replace it. How many were queued."""
    require_catalogue_manager(actor)
    with transaction.atomic():
        images = list(
            ProductImage.objects.filter(pk__in=list(image_ids)).only(
                "pk", "source_url", "original", "status"
            )
        )
        fetch = [image.pk for image in images if image.source_url]
        render = [image.pk for image in images if not image.source_url and image.original]
        ProductImage.objects.filter(pk__in=fetch + render).exclude(status=ImageStatus.READY).update(
            status=ImageStatus.PENDING, error=""
        )
        _enqueue(FETCH_JOB, fetch)
        _enqueue(RENDER_JOB, render)
    return len(fetch) + len(render)


def product_images_delete(*, actor: Any, image_ids: Iterable[int]) -> None:
    """Delete pictures, and their files once the deletion is committed."""
    require_catalogue_manager(actor)
    with transaction.atomic():
        _delete(list(ProductImage.objects.filter(pk__in=list(image_ids))))


def _enqueue(kind: str, image_ids: Sequence[int]) -> None:
    if image_ids:
        jobs_enqueue_many(
            kind=kind,
            payloads=[{"image_id": pk} for pk in image_ids],
            max_attempts=JOB_MAX_ATTEMPTS,
        )


def _files(image: ProductImage) -> set[str]:
    return {name for name in [image.original.name] if name} | rendition_files(image.renditions)


def _delete(images: Sequence[ProductImage]) -> None:
    names = set().union(*(_files(image) for image in images))
    ProductImage.objects.filter(pk__in=[image.pk for image in images]).delete()
    transaction.on_commit(lambda: files_delete(sorted(names)))


# The jobs -------------------------------------------------------------------------------------


def image_fetch_run(payload: dict[str, Any]) -> None:
    """Job `catalog_image_fetch`: download the picture's URL, keep it, make its renditions."""
    image = ProductImage.objects.filter(pk=payload["image_id"]).first()
    if image is None or not image.source_url:
        return  # deleted, or no longer from a URL, since the job was queued
    url = image.source_url
    try:
        data = image_download(url)
        picture = picture_open(data)
    except ImageRefused as exc:
        _failed(image.pk, str(exc), source_url=url)
        return
    except ImageUnavailable as exc:
        _failed(image.pk, str(exc), source_url=url)
        raise  # the queue tries again later
    original = original_store(image_id=image.pk, data=data, picture=picture)
    _rendered(image.pk, data, picture, original=original, new={original}, where={"source_url": url})


def image_render_run(payload: dict[str, Any]) -> None:
    """Job `catalog_image_render`: make the renditions of an uploaded original."""
    image = ProductImage.objects.filter(pk=payload["image_id"]).first()
    if image is None or not image.original:
        return
    name = image.original.name
    try:
        with default_storage.open(name, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        _failed(image.pk, _("The original file is missing."), original=name)
        return
    try:
        picture = picture_open(data)
    except ImageRefused as exc:
        _failed(image.pk, str(exc), original=name)
        return
    _rendered(image.pk, data, picture, original=name, new=set(), where={"original": name})


def _failed(image_id: int, message: str, **unchanged: str) -> None:
    ProductImage.objects.filter(pk=image_id, **unchanged).update(
        status=ImageStatus.FAILED, error=message[:ERROR_MAX_LENGTH]
    )


def _rendered(
    image_id: int,
    data: bytes,
    picture: Any,
    *,
    original: str,
    new: set[str],
    where: dict[str, str],
) -> None:
    """Make the renditions and record them with the original, if the row is still the one the
    job started from (`where`: not deleted, same URL or same upload); the files it replaces are
    deleted after commit. The row is locked while it is swapped, so two jobs of one picture
    never delete each other's files."""
    try:
        renditions = renditions_make(image_id=image_id, data=data, picture=picture)
    except Exception:
        files_delete(sorted(new))
        raise
    new = new | rendition_files(renditions)
    with transaction.atomic():
        row = ProductImage.objects.select_for_update().filter(pk=image_id, **where).first()
        if row is None:
            transaction.on_commit(lambda: files_delete(sorted(new)))
            return
        replaced = _files(row) - new - {original}
        row.original.name = original
        row.renditions = renditions
        row.status = ImageStatus.READY
        row.error = ""
        row.save(update_fields=["original", "renditions", "status", "error", "updated_at"])
        transaction.on_commit(lambda: files_delete(sorted(replaced)))


# Reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """One picture as a page draws it (catalog/includes/picture.html): `url` is the JPEG of
    the product-page size, the srcsets list every size, `width`/`height` give the aspect ratio.
    `colour` is the colour it shows (the variant's stored name; '' for any colour). Not
    `ready`: the placeholder. The addresses are worked out when a page first reads them (a
    list of cards reads only each product's first picture of the several it is given)."""

    width: int
    height: int
    alt: str
    colour: str
    ready: bool
    # The `renditions` record of a ready picture (each size's files); empty for the placeholder.
    sizes: tuple[tuple[int, str, str], ...] = field(default=(), repr=False)  # width, webp, jpeg
    page_jpeg: str = field(default="", repr=False)

    @cached_property
    def url(self) -> str:
        return default_storage.url(self.page_jpeg) if self.ready else static(PLACEHOLDER)

    @cached_property
    def webp_srcset(self) -> str:
        return ", ".join(f"{default_storage.url(webp)} {w}w" for w, webp, _jpeg in self.sizes)

    @cached_property
    def jpeg_srcset(self) -> str:
        return ", ".join(f"{default_storage.url(jpeg)} {w}w" for w, _webp, jpeg in self.sizes)


def placeholder(*, alt: str = "") -> Picture:
    """What a page shows for a product without a picture yet (a fixed square)."""
    return Picture(width=PLACEHOLDER_SIZE, height=PLACEHOLDER_SIZE, alt=alt, colour="", ready=False)


def rendition_url(renditions: dict[str, Any], size: str = "card", fmt: str = "jpeg") -> str:
    """The address of one rendition file ('' when there is none)."""
    entry = (renditions or {}).get(size)
    if not isinstance(entry, dict) or not entry.get(fmt):
        return ""
    return default_storage.url(str(entry[fmt]))


def picture_of(renditions: dict[str, Any], *, alt: str, colour: str) -> Picture | None:
    """A ready picture from its `renditions` record (None when the record is incomplete)."""
    try:
        entries = [renditions[name] for name in ("card", "page", "zoom")]
        by_width = {int(entry["width"]): entry for entry in entries}  # a size shared once
        sizes = tuple(
            (width, str(entry["webp"]), str(entry["jpeg"]))
            for width, entry in sorted(by_width.items())
        )
        page = renditions["page"]
        return Picture(
            width=int(page["width"]),
            height=int(page["height"]),
            alt=alt,
            colour=colour,
            ready=True,
            sizes=sizes,
            page_jpeg=str(page["jpeg"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def product_pictures(*, product_ids: Iterable[int]) -> dict[int, list[Picture]]:
    """Each product's ready pictures in gallery order; a product with none (or only pending
    or failed ones) gets the placeholder, so every list has a first picture. Alt text: the
    picture's own (in the active language), else the product's name and the picture's colour.
    One query for any number of products."""
    ids = list(dict.fromkeys(product_ids))
    pictures: dict[int, list[Picture]] = {pk: [] for pk in ids}
    colour_en = (
        Variant.objects.filter(product_id=OuterRef("product_id"), colour=OuterRef("colour"))
        .exclude(colour_en="")
        .order_by()  # any of them: not the variants' own order, which joins the product
        .values("colour_en")[:1]
    )
    rows = (
        ProductImage.objects.filter(product_id__in=ids, status=ImageStatus.READY)
        .annotate(colour_en=Subquery(colour_en))
        .order_by("product_id", "position", "pk")
        .values_list(
            "product_id",
            "colour",
            "colour_en",
            "alt",
            "alt_en",
            "renditions",
            "product__name",
            "product__name_en",
        )
    )
    for product_id, colour, colour_en, alt, alt_en, renditions, name, name_en in rows:
        text = translated(alt, alt_en)
        if not text:
            text = translated(name, name_en)
            if colour:
                text = f"{text}, {translated(colour, colour_en or '')}"
        picture = picture_of(renditions, alt=text, colour=colour)
        if picture is not None:
            pictures[product_id].append(picture)
    for found in pictures.values():
        if not found:
            found.append(placeholder())
    return pictures


def pictures_for_colour(pictures: Sequence[Picture], colour: str) -> list[Picture]:
    """The gallery for a chosen colour: its pictures first, then the others, each in order."""
    return sorted(pictures, key=lambda picture: picture.colour != colour)


def colour_pictures(*, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Picture]:
    """The picture of each (product id, colour) pair, as a line of a cart, an order or a list
    of purchases shows it small: the colour's first picture, else the product's first, else
    the placeholder. One query for any number of pairs (product_pictures)."""
    pairs = list(dict.fromkeys(pairs))
    pictures = product_pictures(product_ids=[product_id for product_id, _colour in pairs])
    return {
        (product_id, colour): pictures_for_colour(pictures[product_id], colour)[0]
        for product_id, colour in pairs
    }
