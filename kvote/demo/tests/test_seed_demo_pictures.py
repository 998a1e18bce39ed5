"""seed_demo's pictures and its sample catalogue file.

Every demo product has a ready picture per colour of its variants (front and back for tops and
trousers) with alt texts in both languages, whose files are in the media store and are the
pictures they claim (decoded at the recorded size); a second seed changes nothing and a
picture whose files were lost is written again. The sample file (CSV and XLSX) previews with no
errors and the expected counts, and its picture addresses name the media store's source
pictures on KVOTE_BASE_URL."""

from collections import defaultdict
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from PIL import Image

from kvote.catalog.imports.catalogue_rows import COLUMNS
from kvote.catalog.imports.services import import_start
from kvote.catalog.models import ImageStatus, ImportKind, ImportMode, ImportStatus, ProductImage
from kvote.demo import catalogue
from kvote.demo.pictures import SHAPES
from kvote.demo.sample_import import NEW_PRODUCTS, sample_path
from kvote.demo.tests.conftest import run_seed
from kvote.people.models import User

pytestmark = pytest.mark.django_db


def test_every_demo_product_has_a_ready_picture_per_colour_and_view(seeded_demo: str) -> None:
    pictures: dict[str, dict[str, list[ProductImage]]] = defaultdict(lambda: defaultdict(list))
    for image in ProductImage.objects.select_related("product").order_by("position"):
        pictures[image.product.code][image.colour].append(image)
    for product in catalogue.PRODUCTS:
        colours = [catalogue.COLOURS[code].name for code in product.colours]
        assert list(pictures[product.code]) == colours, product.code
        for colour in colours:
            images = pictures[product.code][colour]
            assert len(images) == len(SHAPES[product.code].views), (product.code, colour)
            for image in images:
                assert image.status == ImageStatus.READY
                assert image.alt.startswith(f"{product.name}, {colour.lower()}")
                assert image.alt_en.startswith(product.name_en)
                assert image.renditions["card"]["width"] == 400
                with default_storage.open(image.renditions["card"]["webp"], "rb") as file:
                    assert Image.open(BytesIO(file.read())).size == (400, 400)
                assert default_storage.exists(image.original.name)


def test_a_second_seed_changes_nothing_and_brings_lost_files_back(seeded_demo: str) -> None:
    image = ProductImage.objects.filter(product__code="AAPW-1001").first()
    assert image is not None
    default_storage.delete(image.renditions["card"]["jpeg"])
    output = run_seed()
    assert "nothing to change" in output
    assert default_storage.exists(image.renditions["card"]["jpeg"])


def test_the_sample_file_previews_with_no_errors_and_the_expected_counts(
    seeded_demo: str,
) -> None:
    assert "A catalogue file to try the import with: " in seeded_demo
    staff = User.objects.get(email="admin@kvote.example")
    rows = sum(len(p.colours) * len(p.sizes) for p in NEW_PRODUCTS)
    for fmt in ("csv", "xlsx"):
        path: Path = sample_path(fmt)
        assert str(path) in seeded_demo
        with path.open("rb") as source:
            imported = import_start(
                actor=staff,
                kind=ImportKind.CATALOGUE,
                mode=ImportMode.UPSERT,
                file=File(source, name=path.name),
                filename=path.name,
            )
        assert imported.status == ImportStatus.PREVIEWED, imported.errors
        assert imported.errors == []
        assert imported.counts == {
            "rows": rows,
            "new": rows,
            "changed": 0,
            "unchanged": 0,
            "deactivated": 0,
            "errors": 0,
            "new_products": len(NEW_PRODUCTS),
            "changed_products": 0,
            "deactivated_products": 0,
            "new_categories": 1,
        }


def test_the_sample_files_pictures_are_in_the_media_store_on_the_base_url(
    seeded_demo: str,
) -> None:
    sheet = openpyxl.load_workbook(sample_path("xlsx"), read_only=True).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert tuple(header) == COLUMNS
    urls = {url for row in rows for url in str(row[COLUMNS.index("image_urls")]).split()}
    assert len(urls) == sum(len(p.colours) for p in NEW_PRODUCTS)
    prefix = f"{settings.KVOTE_BASE_URL}{settings.MEDIA_URL}"
    for url in urls:
        assert url.startswith(f"{prefix}demo/source/"), url
        with default_storage.open(url.removeprefix(prefix), "rb") as file:
            assert Image.open(BytesIO(file.read())).format == "JPEG"
