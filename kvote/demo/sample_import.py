"""A catalogue file to try the import with: «Ny kolleksjon», three new products, each in two
colours and five sizes, written by seed_demo as `<KVOTE_DEMO_DIR>/ny-kolleksjon.csv` and `.xlsx`
in the import's columns (kvote.catalog.imports.catalogue_rows.COLUMNS).

It shows what an import does: new products in a category that exists (by name, «Bukser», and by
slug, «synlighet») and in a new one («Vinterklær»); stock per size, a few sizes nearly sold out,
one out of stock with a restock date, and made-to-order sizes with a lead time. Its `image_urls`
point at source pictures seed_demo draws into the media store (`demo/source/<name>.jpg`),
addressed from KVOTE_BASE_URL, so the demo's worker fetches them from the demo server itself
(KVOTE_IMAGE_HOSTS allows the host of KVOTE_BASE_URL in development)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify

from kvote.catalog.imports.catalogue_rows import COLUMNS
from kvote.common.exports import Sheet, Value, write_csv, write_xlsx
from kvote.demo.catalogue import COLOURS, SIZE_POSITIONS
from kvote.demo.picture_store import made_key, pictures_made
from kvote.demo.pictures import FRONT, Garment

FILE_STEM = "ny-kolleksjon"
SOURCES = "demo/source"
NEW_CATEGORY = "Vinterklær"


@dataclass(frozen=True)
class NewProduct:
    code: str
    name: str
    name_en: str
    category: str  # as the file gives it: a name, a slug, or a new name
    description: str
    description_en: str
    list_price: Decimal
    colours: tuple[str, ...]  # catalogue.COLOURS codes
    sizes: tuple[str, ...]
    garment: Garment


NEW_PRODUCTS = (
    NewProduct(
        "AAPW-2001", "Vinterjakke Polar", "Winter jacket Polar", NEW_CATEGORY,
        "Varm, vattert vinterjakke med hette, for de kaldeste dagene på byggeplassen.",
        "Warm padded winter jacket with a hood, for the coldest days on site.",
        Decimal("2299.00"), ("BLK", "RED"), ("S", "M", "L", "XL", "XXL"),
        Garment("top", collar="hood", zip=True, pockets=("side", "chest"), quilted=True, hem=88),
    ),
    NewProduct(
        "AAPW-2002", "Arbeidsbukse Stretch Pro", "Work trousers Stretch Pro", "Bukser",
        "Arbeidsbukse med stretch i skritt og knær, kneputelommer og hengelommer.",
        "Work trousers with stretch in the crotch and knees, knee-pad and holster pockets.",
        Decimal("1199.00"), ("NAV", "GRY"), ("C46", "C48", "C50", "C52", "C54"),
        Garment("bottom", pockets=("knee", "holster")),
    ),
    NewProduct(
        "AAPW-2003", "Refleksvest Klasse 2", "Reflective vest class 2", "synlighet",
        "Varselvest med glidelås etter EN ISO 20471 klasse 2.",
        "Zipped hi-vis vest to EN ISO 20471 class 2.",
        Decimal("199.00"), ("HVY", "HVO"), ("S", "M", "L", "XL", "XXL"),
        Garment("top", sleeves="none", collar="stand", zip=True, hivis=True, hem=82),
    ),
)  # fmt: skip


def sample_dir() -> Path:
    return Path(settings.KVOTE_DEMO_DIR)


def sample_path(fmt: str = "csv") -> Path:
    """Where seed_demo writes the file (`csv` or `xlsx`)."""
    return sample_dir() / f"{FILE_STEM}.{fmt}"


def source_name(product: NewProduct, colour: str) -> str:
    """The source picture's name in the media store."""
    return f"{SOURCES}/{slugify(product.name)}-{slugify(COLOURS[colour].name_en)}.jpg"


def source_url(name: str, base_url: str) -> str:
    url = default_storage.url(name)
    return url if "://" in url else f"{base_url.rstrip('/')}{url}"


def stock_of(product: NewProduct, colour: str, size: str, today: date) -> list[Value]:
    """stock, restock_date, lead_time_days: most sizes in stock, the smallest one nearly sold
    out, the trousers' biggest grey size out of stock until a restock in two weeks, and the
    winter jacket's biggest red size made to order."""
    first, last = product.sizes[0], product.sizes[-1]
    if product.code == "AAPW-2001" and colour == "RED" and size == last:
        return [0, None, 21]
    if product.code == "AAPW-2002" and colour == "GRY" and size == last:
        return [0, today + timedelta(days=14), None]
    if size == first:
        return [3, None, None]
    return [40 + 10 * product.sizes.index(size), None, None]


def sample_sheet(*, base_url: str, today: date) -> Sheet:
    """The file's rows, one per item number, in the import's columns."""
    sheet = Sheet(title="Ny kolleksjon", headers=list(COLUMNS))
    for product in NEW_PRODUCTS:
        urls = " ".join(source_url(source_name(product, c), base_url) for c in product.colours)
        for colour_code in product.colours:
            colour = COLOURS[colour_code]
            for size in product.sizes:
                values: dict[str, Value] = {
                    "product_number": product.code,
                    "product_name": product.name,
                    "product_name_en": product.name_en,
                    "category": product.category,
                    "description": product.description,
                    "description_en": product.description_en,
                    "item_number": f"{product.code}-{colour_code}-{size}",
                    "colour": colour.name,
                    "colour_en": colour.name_en,
                    "colour_hex": colour.hex,
                    "size": size,
                    "size_order": SIZE_POSITIONS[size],
                    "list_price": product.list_price,
                    "image_urls": urls,
                    "active": "true",
                }
                values.update(
                    zip(
                        ("stock", "restock_date", "lead_time_days"),
                        stock_of(product, colour_code, size, today),
                        strict=True,
                    )
                )
                sheet.rows.append([values.get(column) for column in COLUMNS])
    return sheet


def sample_sources_store() -> None:
    """Draw the source pictures into the media store (a file already there with the same
    bytes is left alone)."""
    wanted = {
        made_key(p.garment, COLOURS[c].hex, FRONT): (p, c) for p in NEW_PRODUCTS for c in p.colours
    }
    made = pictures_made(
        {key: (p.garment, COLOURS[c].hex, FRONT) for key, (p, c) in wanted.items()}
    )
    for key, (product, colour) in wanted.items():
        name = source_name(product, colour)
        data = made[key].original
        if default_storage.exists(name):
            if default_storage.size(name) == len(data):
                continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(data))


def sample_files_write(*, base_url: str, today: date, directory: Path | None = None) -> list[Path]:
    """Store the source pictures and write the file as CSV (Norwegian: `;` and decimal comma,
    as Excel in Norway saves it) and XLSX; the paths written."""
    sample_sources_store()
    sheet = sample_sheet(base_url=base_url, today=today)
    folder = directory or sample_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{FILE_STEM}.csv", folder / f"{FILE_STEM}.xlsx"]
    paths[0].write_bytes(write_csv(sheet, "nb"))
    paths[1].write_bytes(write_xlsx(sheet))
    return paths
