"""What the import tests share: the supplier's staff, files written the way spreadsheets and
Kvote's own exports write them, and a small catalogue to import into."""

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from kvote.catalog.imports.services import import_apply, import_start
from kvote.catalog.models import CatalogueImport, ImportKind, ImportMode, Product
from kvote.people.models import User
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory


@pytest.fixture
def import_files(settings, tmp_path):
    """Stored files in a folder of the test's own; messages in English (as the world reads)."""
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield tmp_path


def supplier_staff() -> User:
    return UserFactory(company=None, is_staff=True)


def csv_bytes(
    rows: list[dict[str, Any]],
    *,
    columns: list[str] | tuple[str, ...] | None = None,
    delimiter: str = ";",
    bom: bool = True,
) -> bytes:
    columns = list(columns or rows[0].keys())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], *, formula_at: tuple[int, int] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet.cell(row=formula_at[0], column=formula_at[1], value="=1+1")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "catalogue.csv") -> ContentFile:
    return ContentFile(content, name=name)


def row(item: str, **values: Any) -> dict[str, Any]:
    """A catalogue row of product P-1 ("Arbeidsjakke", Jakker, 500,00) in navy, size M."""
    return {
        "product_number": "P-1",
        "product_name": "Arbeidsjakke",
        "category": "jakker",
        "item_number": item,
        "colour": "Marine",
        "size": "M",
        "list_price": "500,00",
        **values,
    }


def start(
    actor: User,
    content: bytes,
    *,
    name: str = "catalogue.csv",
    kind: ImportKind = ImportKind.CATALOGUE,
    mode: ImportMode = ImportMode.UPSERT,
) -> CatalogueImport:
    return import_start(actor=actor, kind=kind, mode=mode, file=upload(content, name))


def start_and_apply(actor: User, content: bytes, **kwargs: Any) -> CatalogueImport:
    catalogue_import = start(actor, content, **kwargs)
    assert catalogue_import.errors == [], catalogue_import.errors
    return import_apply(actor=actor, import_id=catalogue_import.pk)


def small_catalogue() -> Product:
    """Product P-1 (Arbeidsjakke, Jakker, 500,00) in navy S/M/L: items I-S, I-M, I-L."""
    product = ProductFactory(
        code="P-1",
        name="Arbeidsjakke",
        name_en="",
        description="",
        category=CategoryFactory(),
        list_price=Decimal("500.00"),
    )
    for position, size in enumerate(("S", "M", "L"), start=1):
        VariantFactory(
            product=product,
            item_number=f"I-{size}",
            colour="Marine",
            colour_en="",
            size=size,
            size_position=position,
        )
    return product
