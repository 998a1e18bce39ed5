"""The demo's pictures (kvote.demo.pictures) on the demo products, made fast enough for a seed
that runs at the start of every browser test.

seed_demo makes the pictures' renditions itself (not through the job queue): each picture is
drawn, and its renditions encoded (kvote.catalog.image_files.renditions_encode, the catalogue's
own sizes and formats), once per process and once per machine: the bytes are kept in memory and
in a cache folder named by what they are drawn from (`settings.KVOTE_DEMO_PICTURES_DIR`,
`var/demo-pictures/` by default), so
a later seed, in this process or another, copies bytes instead of drawing. The files go into
the media store under names that hold the product and that same key
(`products/renditions/demo/<product>/<key>-card.webp`, `products/originals/demo/<product>/
<key>.jpg`), so a seed finds files that are already there (a second seed, or another test of
the same session) and writes nothing; a file missing from the store is written again.

Each product gets, per colour (its variants' `colour_hex`), a front picture and, for tops and
bottoms, a back one, as ready ProductImage rows with that colour and alt texts in nb and en.
The rows are found again by their original's name: a seed puts a changed demo picture back and
brings a deleted one back; pictures the back office added are left alone.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from kvote.catalog.image_files import RENDITION_SIZES, renditions_encode
from kvote.catalog.models import ImageStatus, Product, ProductImage
from kvote.demo.pictures import (
    BACK,
    FRONT,
    SHAPES,
    SIZE,
    Garment,
    picture_image,
    picture_key,
)

ORIGINALS = "products/originals/demo"
RENDITIONS = "products/renditions/demo"
VIEW_WORDS = {FRONT: ("forfra", "front"), BACK: ("bakfra", "back")}
FORMATS = (("webp", "webp"), ("jpeg", "jpg"))


@dataclass(frozen=True)
class Made:
    """One drawn picture: its original (the largest JPEG rendition) and its renditions as
    renditions_encode gives them (sizes that came out the same share one entry)."""

    key: str
    renditions: dict[str, dict[str, Any]]

    @property
    def original(self) -> bytes:
        return bytes(self.renditions["zoom"]["jpeg"])


# key -> Made, for the life of the process.
_MADE: dict[str, Made] = {}


def cache_dir() -> Path:
    return Path(settings.KVOTE_DEMO_PICTURES_DIR)


def made_key(garment: Garment, colour_hex: str, view: str) -> str:
    """The picture's key: what it is drawn from, and the renditions' sizes."""
    sizes = ",".join(f"{name}{side}" for name, side in RENDITION_SIZES.items())
    return picture_key(garment, f"{colour_hex}|{sizes}", view)


def pictures_made(wanted: dict[str, tuple[Garment, str, str]]) -> dict[str, Made]:
    """The pictures `wanted` (key -> garment, colour, view): from memory, else from the cache
    folder, else drawn (several at once: Pillow draws and encodes outside the GIL)."""
    missing = {}
    for key, what in wanted.items():
        if key not in _MADE:
            found = _cache_read(key)
            if found is None:
                missing[key] = what
            else:
                _MADE[key] = found
    if missing:
        workers = max(1, min(4, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for made in pool.map(lambda item: _draw(*item), missing.items()):
                _cache_write(made)
                _MADE[made.key] = made
    return {key: _MADE[key] for key in wanted}


def _draw(key: str, what: tuple[Garment, str, str]) -> Made:
    garment, colour_hex, view = what
    return Made(key=key, renditions=renditions_encode(picture_image(garment, colour_hex, view)))


def _cache_read(key: str) -> Made | None:
    folder = cache_dir() / key
    try:
        meta = json.loads((folder / "meta.json").read_text())
        entries: dict[str, dict[str, Any]] = {}
        renditions: dict[str, dict[str, Any]] = {}
        for size, entry in meta.items():
            first = entry["file"]
            if first not in entries:
                entries[first] = {
                    "width": entry["width"],
                    "height": entry["height"],
                    **{fmt: (folder / f"{first}.{ext}").read_bytes() for fmt, ext in FORMATS},
                }
            renditions[size] = entries[first]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Made(key=key, renditions=renditions)


def _cache_write(made: Made) -> None:
    """Into a folder of its own, then renamed into place: a reader never sees half of it."""
    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=root, prefix=".new-"))
        meta: dict[str, dict[str, Any]] = {}
        first_of: dict[int, str] = {}
        for size, entry in made.renditions.items():
            if id(entry) not in first_of:
                first_of[id(entry)] = size
                for fmt, ext in FORMATS:
                    (work / f"{size}.{ext}").write_bytes(entry[fmt])
            meta[size] = {
                "file": first_of[id(entry)],
                "width": entry["width"],
                "height": entry["height"],
            }
        (work / "meta.json").write_text(json.dumps(meta))
        try:
            work.rename(root / made.key)
        except OSError:  # another process was first: its copy is the same
            shutil.rmtree(work, ignore_errors=True)
    except OSError:
        return  # no cache (a read-only folder): the next seed draws again


def files_store(names_and_bytes: Iterable[tuple[str, bytes]]) -> None:
    """Write each file the store does not have yet, under exactly its name."""
    for name, data in names_and_bytes:
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))


# The demo products' pictures ------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    product: Product
    colour: str  # the variants' colour name (nb)
    colour_en: str
    colour_hex: str
    view: str
    garment: Garment
    position: int

    @property
    def key(self) -> str:
        return made_key(self.garment, self.colour_hex, self.view)

    @property
    def original_name(self) -> str:
        return f"{ORIGINALS}/{self.product.code}/{self.key}.jpg"

    @property
    def stem(self) -> str:
        return f"{RENDITIONS}/{self.product.code}/{self.key}"

    def alt(self, name: str, colour: str, language: int) -> str:
        text = f"{name}, {colour.lower()}"
        if self.garment.views != (FRONT,):
            text = f"{text}, {VIEW_WORDS[self.view][language]}"
        return text


def wanted_pictures(
    products: dict[str, Product], colours: dict[str, list[tuple[str, str, str]]]
) -> list[Wanted]:
    """Every demo picture: per product (by code, with its colours as (nb, en, hex) in the
    catalogue's order), per colour, per view of its garment."""
    wanted = []
    for code, product in products.items():
        garment = SHAPES.get(code)
        if garment is None:
            continue
        position = 0
        for colour, colour_en, colour_hex in colours.get(code, []):
            for view in garment.views:
                wanted.append(
                    Wanted(product, colour, colour_en, colour_hex, view, garment, position)
                )
                position += 1
    return wanted


def pictures_seed(wanted: list[Wanted]) -> tuple[int, int]:
    """Make the demo pictures look like `wanted` (module docstring); how many rows were
    created and updated."""
    existing = {
        image.original.name: image
        for image in ProductImage.objects.filter(
            product__in={w.product.pk for w in wanted}, original__startswith=f"{ORIGINALS}/"
        )
    }
    made: dict[str, Made] = {}
    missing = [
        w
        for w in wanted
        if not default_storage.exists(w.original_name)
        or not all(default_storage.exists(name) for name in _names(w))
    ]
    if missing:
        made = pictures_made({w.key: (w.garment, w.colour_hex, w.view) for w in missing})
        for w in missing:
            picture = made[w.key]
            record = _record(w)
            if any(
                (picture.renditions[size]["width"], picture.renditions[size]["height"])
                != (entry["width"], entry["height"])
                for size, entry in record.items()
            ):
                raise RuntimeError(f"demo picture {w.key}: renditions of an unexpected size")
            files_store([(w.original_name, picture.original)])
            files_store(
                (record[size][fmt], picture.renditions[size][fmt])
                for size in record
                for fmt, _ext in FORMATS
            )
    to_create: list[ProductImage] = []
    to_update: list[ProductImage] = []
    fields = ["colour", "position", "alt", "alt_en", "renditions", "status", "error", "source_url"]
    for w in wanted:
        values = {
            "colour": w.colour,
            "position": w.position,
            "alt": w.alt(w.product.name, w.colour, 0),
            "alt_en": w.alt(w.product.name_en or w.product.name, w.colour_en or w.colour, 1),
            "renditions": _record(w),
            "status": ImageStatus.READY,
            "error": "",
            "source_url": "",
        }
        image = existing.get(w.original_name)
        if image is None:
            to_create.append(ProductImage(product=w.product, original=w.original_name, **values))
        elif any(getattr(image, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(image, name, value)
            to_update.append(image)
    if to_create:
        ProductImage.objects.bulk_create(to_create)
    if to_update:
        ProductImage.objects.bulk_update(to_update, fields)
    return len(to_create), len(to_update)


def _record(w: Wanted) -> dict[str, dict[str, Any]]:
    """The renditions record of a demo picture, without drawing it: the sizes are the
    drawing's (square, SIZE) as renditions_encode scales them; sizes that come out the same
    share the files of the first (largest) of them."""
    record: dict[str, dict[str, Any]] = {}
    first: dict[int, str] = {}
    for size, long_side in RENDITION_SIZES.items():
        side = min(SIZE, long_side)
        if side not in first:
            first[side] = size
        stem = f"{w.stem}-{first[side]}"
        record[size] = {
            "width": side,
            "height": side,
            "webp": f"{stem}.webp",
            "jpeg": f"{stem}.jpg",
        }
    return record


def _names(w: Wanted) -> set[str]:
    return {entry[fmt] for entry in _record(w).values() for fmt in ("webp", "jpeg")}
