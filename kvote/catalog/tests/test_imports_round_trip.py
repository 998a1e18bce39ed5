"""The demo catalogue and its price lists, exported (CSV in Norwegian and English, XLSX) and
imported back in mode `full`, change nothing."""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from kvote.catalog.imports.exports import catalogue_sheet, price_list_sheet
from kvote.catalog.models import AgreedPrice, ImportKind, ImportMode, ImportStatus, Variant
from kvote.catalog.tests.imports_helpers import (  # noqa: F401 (import_files: a fixture)
    import_files,
    start,
    supplier_staff,
)
from kvote.common.exports import write_csv, write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_files")]

WRITERS = {
    "csv-nb": (lambda sheet: write_csv(sheet, "nb"), "catalogue.csv"),
    "csv-en": (lambda sheet: write_csv(sheet, "en"), "catalogue.csv"),
    "xlsx": (write_xlsx, "catalogue.xlsx"),
}


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, file_settings: dict[str, Any]
) -> Iterator[None]:
    """The demo, seeded once for the module and rolled back after it (each test runs in a
    savepoint of its own inside)."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **file_settings
        ),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("fmt", WRITERS)
def test_the_demo_catalogue_exported_and_imported_back_changes_nothing(demo, fmt):
    write, name = WRITERS[fmt]
    sheet = catalogue_sheet()
    assert len(sheet.rows) == Variant.objects.count() > 400
    assert Variant.objects.filter(is_active=False).exists()  # inactive ones go round too
    catalogue_import = start(supplier_staff(), write(sheet), name=name, mode=ImportMode.FULL)
    assert catalogue_import.status == ImportStatus.PREVIEWED, catalogue_import.errors[:5]
    counts = catalogue_import.counts
    assert counts["unchanged"] == counts["rows"] == len(sheet.rows), catalogue_import.changes
    assert {k: v for k, v in counts.items() if k not in ("rows", "unchanged")} == {
        "new": 0,
        "changed": 0,
        "deactivated": 0,
        "errors": 0,
        "new_products": 0,
        "changed_products": 0,
        "deactivated_products": 0,
        "new_categories": 0,
    }


@pytest.mark.parametrize("fmt", WRITERS)
def test_the_demo_price_lists_exported_and_imported_back_change_nothing(demo, fmt):
    write, name = WRITERS[fmt]
    sheet = price_list_sheet()
    assert len(sheet.rows) == AgreedPrice.objects.count() > 0
    price_list = start(
        supplier_staff(), write(sheet), name=name, kind=ImportKind.PRICE_LIST, mode=ImportMode.FULL
    )
    assert price_list.status == ImportStatus.PREVIEWED, price_list.errors[:5]
    assert price_list.counts == {
        "rows": len(sheet.rows),
        "new": 0,
        "changed": 0,
        "unchanged": len(sheet.rows),
        "deactivated": 0,
        "errors": 0,
    }
