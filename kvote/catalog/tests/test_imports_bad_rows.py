"""Every kind of bad row of a catalogue file is listed with its row, column and reason, the
import is `invalid`, and nothing is written; a file that cannot be read at all is refused."""

from decimal import Decimal

import pytest

from kvote.catalog.errors import CatalogueError
from kvote.catalog.imports.services import import_apply
from kvote.catalog.models import CatalogueImport, Category, ImportStatus, Product, Variant
from kvote.catalog.tests.imports_helpers import (  # noqa: F401 (import_files: a fixture)
    csv_bytes,
    import_files,
    row,
    small_catalogue,
    start,
    supplier_staff,
    xlsx_bytes,
)
from kvote.common.errors import ServiceError
from tests.factories import ProductFactory, VariantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_files")]


def catalogue_state() -> list[tuple]:
    return sorted(
        Variant.objects.values_list(
            "item_number", "product__code", "product__name", "colour", "size", "stock", "is_active"
        )
    ) + sorted(Product.objects.values_list("code", "name", "list_price", "is_active"))


def errors_of(catalogue_import: CatalogueImport) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in catalogue_import.errors}


def test_every_bad_row_is_listed_with_row_column_and_reason_and_nothing_is_written():
    small_catalogue()
    other = ProductFactory(code="P-2", name="Bukse")
    VariantFactory(product=other, item_number="B-1", colour="Svart", size="C50")
    before = catalogue_state()
    staff = supplier_staff()
    rows = [
        row("N-1", size="XXS", stock="3"),  # 2: good
        row("N-2", product_name=""),  # 3: missing required value
        row("N-3", size="XL", list_price="12,345"),  # 4: three decimals
        row("N-4", size="XS", list_price="gratis"),  # 5: not a number
        row("N-5", size="XXL", list_price="-5"),  # 6: below zero
        row("N-6", size="3XL", list_price="99999999"),  # 7: absurd
        row("N-7", size="4XL", stock="2,5"),  # 8: not whole
        row("N-8", size="5XL", lead_time_days="-1"),  # 9: not whole (negative)
        row("N-9", size="6XL", restock_date="31.03.2026"),  # 10: date not YYYY-MM-DD
        row("N-10", size="7XL", colour_hex="navy"),  # 11: colour code
        row("N-11", size="8XL", active="kanskje"),  # 12: active
        row("N-1", size="9XL"),  # 13: duplicate item number in the file
        row("N-12", size="XXS"),  # 14: same product+colour+size as N-1 (row 2)
        row("B-1", size="10XL"),  # 15: item number of product P-2
        row("N-13", size="M", product_number="P-9", category="!!!"),  # 16: no category name
        row("N-14", size="11XL", product_name="Annet navn"),  # 17: product fields differ
        row("N-15", size="12XL", product_name="x" * 10_000),  # 18: too long
        row("N-16", size="13XL", colour='=HYPERLINK("x")'),  # 19: formula
        row("N-17", size="14XL", colour_en="+47"),  # 20: formula (+)
        row("N-18", size="15XL", description="\tinnrykk"),  # 21: formula (tab)
        row("N-19", size="16XL", colour_en="Na\x07vy"),  # 22: control character
        row("I-S", size="M"),  # 23: colour/size of I-M in the catalogue given to I-S
        row("N-20", size="17XL", product_number="P-10", category=""),  # 24: new, no category
    ]
    columns = list(dict.fromkeys(column for r in rows for column in r))
    catalogue_import = start(staff, csv_bytes(rows, columns=columns))
    assert catalogue_import.status == ImportStatus.INVALID
    found = errors_of(catalogue_import)
    expected = {
        (3, "product_name"),
        (4, "list_price"),
        (5, "list_price"),
        (6, "list_price"),
        (7, "list_price"),
        (8, "stock"),
        (9, "lead_time_days"),
        (10, "restock_date"),
        (11, "colour_hex"),
        (12, "active"),
        (13, "item_number"),
        (14, "size"),
        (15, "item_number"),
        (16, "category"),
        (17, "product_name"),
        (18, "product_name"),
        (19, "colour"),
        (20, "colour_en"),
        (21, "description"),
        (22, "colour_en"),
        (23, "size"),
        (24, "category"),
    }
    assert found == expected, found ^ expected
    assert catalogue_import.counts["errors"] == len(expected)
    assert catalogue_import.counts["rows"] == len(rows)
    messages = {(e["row"], e["column"]): e["message"] for e in catalogue_import.errors}
    assert "required" in messages[(3, "product_name")]
    assert "two decimals" in messages[(4, "list_price")]
    assert "at most 200 characters" in messages[(18, "product_name")]
    assert "formula" in messages[(19, "colour")]
    assert "control characters" in messages[(22, "colour_en")]
    assert "row 2" in messages[(13, "item_number")]
    assert "belongs to product P-2" in messages[(15, "item_number")]
    assert "I-M" in messages[(23, "size")]
    with pytest.raises(ServiceError) as refused:
        import_apply(actor=staff, import_id=catalogue_import.pk)
    assert refused.value.code == CatalogueError.INVALID
    assert catalogue_state() == before
    assert not Category.objects.exclude(slug="jakker").exists()


def test_the_header_names_unknown_columns_and_lists_the_missing_ones_at_once():
    staff = supplier_staff()
    content = csv_bytes([{"Product Number": "P-1", "Item number": "I", "colr": "x"}])
    catalogue_import = start(staff, content)
    assert catalogue_import.status == ImportStatus.INVALID
    messages = {e["column"]: e["message"] for e in catalogue_import.errors}
    assert all(e["row"] == 1 for e in catalogue_import.errors)
    assert "Unknown column “colr”" in messages["colr"]
    assert messages[""] == "Required columns are missing: product_name, colour, size, list_price."


def test_a_file_that_is_not_utf8_names_the_row_and_says_to_save_as_csv_utf8():
    staff = supplier_staff()
    good = csv_bytes([row("N-1"), row("N-2", size="L")], bom=False)
    latin1 = good.replace(b"Marine\r\nP-1", b"Marine\r\nP-1").replace(
        b"N-2;Marine", "N-2;Grønn".encode("latin-1")
    )
    catalogue_import = start(staff, latin1)
    assert catalogue_import.status == ImportStatus.INVALID
    [error] = catalogue_import.errors
    assert error["row"] == 3
    assert "CSV UTF-8" in error["message"]
    assert not Variant.objects.exists()


def test_an_xlsx_formula_cell_is_refused_and_an_xlsx_reads_like_a_csv():
    staff = supplier_staff()
    header = [
        "product_number",
        "product_name",
        "category",
        "item_number",
        "colour",
        "size",
        "list_price",
        "stock",
        "restock_date",
    ]
    from datetime import date

    rows = [
        header,
        ["P-1", "Jakke", "Jakker", "N-1", "Marine", "M", 499.5, 3, date(2026, 3, 1)],
        ["P-1", "Jakke", "Jakker", "N-2", "Marine", "L", 499.5, 0, None],
    ]
    catalogue_import = start(staff, xlsx_bytes(rows, formula_at=(3, 8)), name="c.xlsx")
    assert [(e["row"], e["column"]) for e in catalogue_import.errors] == [(3, "stock")]
    assert "formula" in catalogue_import.errors[0]["message"]
    ok = start(staff, xlsx_bytes(rows), name="c.xlsx")
    assert ok.status == ImportStatus.PREVIEWED, ok.errors
    assert ok.counts["new"] == 2 and ok.counts["new_products"] == 1
    assert ok.changes["new"][0]["list_price"] == "499.50"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        (b"\xef\xbb\xbf\r\n", "bom-only.csv"),
        (b"%PDF-1.4 binary \x00\x01", "catalogue.pdf"),
        ("product_number".encode("utf-16"), "utf16.csv"),
        (b"1;2;3\r\n4;5;6\r\n", "no-header.csv"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx"),
        (b"[1, 2", "broken.json"),
        (b'{"rows": []}', "object.json"),
    ],
)
def test_an_unreadable_file_is_refused_before_any_row_and_nothing_is_kept(content, name, tmp_path):
    staff = supplier_staff()
    with pytest.raises(ServiceError) as refused:
        start(staff, content, name=name)
    assert refused.value.code == CatalogueError.BAD_FILE
    assert not CatalogueImport.objects.exists()
    assert not list((tmp_path / "imports").glob("*")) if (tmp_path / "imports").exists() else True


def test_a_zip_bomb_like_xlsx_is_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<" + "a" * (20 * 1024 * 1024) + ">")
    with pytest.raises(ServiceError) as refused:
        start(supplier_staff(), out.getvalue(), name="bomb.xlsx")
    assert refused.value.code == CatalogueError.BAD_FILE
    assert "unpacks" in refused.value.message


def test_json_rows_report_unknown_keys_and_wrong_values_by_row():
    from kvote.catalog.imports.services import import_start
    from kvote.catalog.models import ImportKind, ImportMode

    staff = supplier_staff()
    catalogue_import = import_start(
        actor=staff,
        kind=ImportKind.CATALOGUE,
        mode=ImportMode.UPSERT,
        rows=[
            {**row("N-1"), "list_price": 199.5, "stock": 4, "active": True},
            {**row("N-2", size="L"), "colr": "x", "stock": {"a": 1}},
            {"product_number": "P-1"},
        ],
    )
    assert catalogue_import.filename == "rows.json"
    assert errors_of(catalogue_import) == {
        (2, "colr"),
        (2, "stock"),
        (3, "product_name"),
        (3, "item_number"),
        (3, "colour"),
        (3, "size"),
        (3, "list_price"),
    }
    assert catalogue_import.counts["new"] == 1
    assert Decimal(catalogue_import.changes["new"][0]["list_price"]) == Decimal("199.50")
