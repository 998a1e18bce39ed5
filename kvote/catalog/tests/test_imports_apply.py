"""Applying a catalogue import: upsert adds and changes, full deactivates (orders keep their
lines), a stale preview is refused while an unrelated change is not, an import is applied
once, only by the supplier's staff; big files go through the job queue with a progress."""

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvote.catalog.errors import CatalogueError
from kvote.catalog.imports.progress import progress_write
from kvote.catalog.imports.selectors import access_import, import_history, import_progress
from kvote.catalog.imports.services import import_apply, import_start
from kvote.catalog.models import (
    CatalogueImport,
    Category,
    ImportKind,
    ImportMode,
    ImportStatus,
    Product,
    Variant,
)
from kvote.catalog.tests.imports_helpers import (  # noqa: F401 (import_files: a fixture)
    csv_bytes,
    import_files,
    row,
    small_catalogue,
    start,
    start_and_apply,
    supplier_staff,
)
from kvote.common.errors import ServiceError
from kvote.jobs.models import Job
from kvote.jobs.services import jobs_run_due
from kvote.ordering.models import OrderLine
from tests.asserts import raises_not_found
from tests.concurrency import postgresql_only, run_at_once
from tests.factories import place_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_files")]

COLUMNS = [
    "product_number",
    "product_name",
    "category",
    "item_number",
    "colour",
    "size",
    "size_order",
    "list_price",
    "stock",
    "restock_date",
    "lead_time_days",
    "active",
]


def catalogue_rows(**changes: dict[str, str]) -> list[dict[str, str]]:
    """The small catalogue as a file holds it, with changes by item number."""
    rows = []
    for position, size in enumerate(("S", "M", "L"), start=1):
        item = f"I-{size}"
        values = {
            "size": size,
            "size_order": str(position),
            "stock": "0",
            "restock_date": "",
            "lead_time_days": "",
            "active": "true",
            **changes.get(item, {}),
        }
        rows.append(row(item, **values))
    return rows


def test_upsert_adds_and_changes_and_records_who_and_when():
    product = small_catalogue()
    staff = supplier_staff()
    rows = catalogue_rows(**{"I-M": {"stock": "7", "restock_date": "2026-04-01"}})
    rows.append(
        row(
            "I-XL",
            size="XL",
            size_order="4",
            stock="2",
            restock_date="",
            lead_time_days="14",
            active="true",
        )
    )
    rows.append(
        row(
            "Q-1",
            product_number="P-NEW",
            product_name="Regnjakke",
            category="Regntøy",
            size="M",
            size_order="2",
            list_price="799.5",
            stock="1",
            restock_date="",
            lead_time_days="",
            active="ja",
        )
    )
    catalogue_import = start(staff, csv_bytes(rows, columns=COLUMNS))
    assert catalogue_import.status == ImportStatus.PREVIEWED, catalogue_import.errors
    assert catalogue_import.counts == {
        "rows": 5,
        "new": 2,
        "changed": 1,
        "unchanged": 2,
        "deactivated": 0,
        "errors": 0,
        "new_products": 1,
        "changed_products": 0,
        "deactivated_products": 0,
        "new_categories": 1,
    }
    [changed] = catalogue_import.changes["changed"]
    assert changed["item_number"] == "I-M" and changed["fields"] == [
        {"field": "stock", "old": "0", "new": "7"},
        {"field": "restock_date", "old": "", "new": "2026-04-01"},
    ]
    assert not Variant.objects.filter(item_number="I-XL").exists()  # the preview wrote nothing

    applied = import_apply(actor=staff, import_id=catalogue_import.pk)
    assert applied.status == ImportStatus.APPLIED
    assert applied.applied_by == staff and applied.applied_at is not None
    m = Variant.objects.get(item_number="I-M")
    assert (m.stock, m.restock_date) == (7, date(2026, 4, 1))
    xl = Variant.objects.get(item_number="I-XL")
    assert (xl.product_id, xl.lead_time_days, xl.size_position) == (product.pk, 14, 4)
    new = Product.objects.get(code="P-NEW")
    assert new.list_price == Decimal("799.50") and new.category.slug == "regntoy"
    assert Category.objects.get(slug="regntoy").name == "Regntøy"


def test_full_deactivates_what_the_file_no_longer_holds_and_orders_keep_their_lines(holder):
    small_catalogue()
    order = place_order(holder, "120.00", key="before-import")
    [line] = order.lines.all()
    ordered = line.variant
    staff = supplier_staff()
    rows = [r for r in catalogue_rows() if r["item_number"] != "I-L"]
    catalogue_import = start(staff, csv_bytes(rows, columns=COLUMNS), mode=ImportMode.FULL)
    assert catalogue_import.counts["deactivated"] == 2  # I-L and the ordered item
    assert catalogue_import.counts["deactivated_products"] == 1  # the ordered item's product
    assert {c["item_number"] for c in catalogue_import.changes["deactivated"]} == {
        "I-L",
        ordered.item_number,
    }
    import_apply(actor=staff, import_id=catalogue_import.pk)
    assert not Variant.objects.get(item_number="I-L").is_active
    ordered.refresh_from_db()
    assert not ordered.is_active and not ordered.product.is_active
    assert OrderLine.objects.get(pk=line.pk).variant_id == ordered.pk
    assert Variant.objects.filter(item_number__in=["I-S", "I-M"], is_active=True).count() == 2


def test_an_inactive_product_stays_inactive_and_its_items_keep_their_flags():
    product = small_catalogue()
    Product.objects.filter(pk=product.pk).update(is_active=False)
    staff = supplier_staff()
    rows = catalogue_rows(**{f"I-{s}": {"active": "false"} for s in ("S", "M", "L")})
    catalogue_import = start(staff, csv_bytes(rows, columns=COLUMNS))
    assert catalogue_import.counts["unchanged"] == 3
    rows = catalogue_rows(**{"I-S": {"active": "nei"}})
    catalogue_import = start_and_apply(staff, csv_bytes(rows, columns=COLUMNS))
    product.refresh_from_db()
    assert product.is_active
    assert not Variant.objects.get(item_number="I-S").is_active


def test_a_preview_made_stale_by_a_change_to_a_touched_item_is_refused_and_nothing_written():
    small_catalogue()
    staff = supplier_staff()
    rows = catalogue_rows(**{"I-M": {"stock": "7"}})
    catalogue_import = start(staff, csv_bytes(rows, columns=COLUMNS))
    Variant.objects.filter(item_number="I-S").update(stock=3)  # someone's stock update
    with pytest.raises(ServiceError) as refused:
        import_apply(actor=staff, import_id=catalogue_import.pk)
    assert refused.value.code == CatalogueError.STALE
    assert Variant.objects.get(item_number="I-M").stock == 0
    catalogue_import.refresh_from_db()
    assert catalogue_import.status == ImportStatus.FAILED
    assert "changed since this preview" in catalogue_import.message
    with pytest.raises(ServiceError) as again:
        import_apply(actor=staff, import_id=catalogue_import.pk)
    assert again.value.code == CatalogueError.FAILED


def test_an_unrelated_change_does_not_make_the_preview_stale():
    small_catalogue()
    from tests.factories import VariantFactory

    elsewhere = VariantFactory(item_number="OTHER-1")
    staff = supplier_staff()
    catalogue_import = start(
        staff, csv_bytes(catalogue_rows(**{"I-M": {"stock": "7"}}), columns=COLUMNS)
    )
    Variant.objects.filter(pk=elsewhere.pk).update(stock=99, colour="Rød")
    import_apply(actor=staff, import_id=catalogue_import.pk)
    assert Variant.objects.get(item_number="I-M").stock == 7


def test_full_is_stale_when_what_it_would_deactivate_changed():
    small_catalogue()
    staff = supplier_staff()
    rows = [r for r in catalogue_rows() if r["item_number"] != "I-L"]
    catalogue_import = start(staff, csv_bytes(rows, columns=COLUMNS), mode=ImportMode.FULL)
    from tests.factories import VariantFactory

    VariantFactory(item_number="ADDED-LATER")  # full would now deactivate it too
    with pytest.raises(ServiceError) as refused:
        import_apply(actor=staff, import_id=catalogue_import.pk)
    assert refused.value.code == CatalogueError.STALE
    assert Variant.objects.get(item_number="I-L").is_active


def test_an_import_is_applied_once():
    small_catalogue()
    staff = supplier_staff()
    catalogue_import = start_and_apply(staff, csv_bytes(catalogue_rows(), columns=COLUMNS))
    with pytest.raises(ServiceError) as refused:
        import_apply(actor=staff, import_id=catalogue_import.pk)
    assert refused.value.code == CatalogueError.ALREADY_APPLIED


def test_only_the_supplier_staff_may_import_read_or_apply(admin, fjord):
    staff = supplier_staff()
    catalogue_import = start(staff, csv_bytes(catalogue_rows(), columns=COLUMNS))
    content = csv_bytes(catalogue_rows(), columns=COLUMNS)
    from kvote.catalog.tests.imports_helpers import upload

    for someone in (admin, fjord.admin):
        someone.is_staff = True  # a customer's login, even flagged staff, is not the supplier
        for call in (
            lambda someone=someone: import_start(
                actor=someone,
                kind=ImportKind.CATALOGUE,
                mode=ImportMode.UPSERT,
                file=upload(content),
            ),
            lambda someone=someone: import_apply(actor=someone, import_id=catalogue_import.pk),
            lambda someone=someone: access_import(actor=someone, import_id=catalogue_import.pk),
            lambda someone=someone: import_history(actor=someone),
        ):
            with pytest.raises(ServiceError) as refused:
                call()
            assert refused.value.code == CatalogueError.NOT_ALLOWED
    with raises_not_found():
        access_import(actor=staff, import_id=catalogue_import.pk + 1000)
    assert list(import_history(actor=staff, kind=ImportKind.PRICE_LIST)) == []
    assert list(import_history(actor=staff)) == [catalogue_import]


def test_a_big_file_is_previewed_and_applied_by_the_worker_with_a_progress(settings):
    settings.KVOTE_IMPORT_INLINE_BYTES = 100
    small_catalogue()
    staff = supplier_staff()
    rows = catalogue_rows(**{"I-M": {"stock": "5"}})
    catalogue_import = start(staff, csv_bytes(rows, columns=COLUMNS))
    assert catalogue_import.status == ImportStatus.QUEUED
    assert import_progress(catalogue_import=catalogue_import).phase == "waiting"
    with pytest.raises(ServiceError) as refused:
        import_apply(actor=staff, import_id=catalogue_import.pk)
    assert refused.value.code == CatalogueError.NOT_READY
    progress_write(catalogue_import.pk, phase="reading", done=300, total=1200)
    progress = import_progress(catalogue_import=catalogue_import)
    assert (progress.phase, progress.done, progress.total, progress.percent) == (
        "reading",
        300,
        1200,
        25,
    )
    assert jobs_run_due() == 1
    catalogue_import.refresh_from_db()
    assert catalogue_import.status == ImportStatus.PREVIEWED
    assert import_progress(catalogue_import=catalogue_import) is None
    applying = import_apply(actor=staff, import_id=catalogue_import.pk)
    assert applying.status == ImportStatus.APPLYING
    assert Variant.objects.get(item_number="I-M").stock == 0
    assert jobs_run_due() == 1
    catalogue_import.refresh_from_db()
    assert catalogue_import.status == ImportStatus.APPLIED and catalogue_import.applied_by == staff
    assert Variant.objects.get(item_number="I-M").stock == 5
    assert set(Job.objects.values_list("kind", "status")) == {
        ("catalog_import_preview", "done"),
        ("catalog_import_apply", "done"),
    }


def test_a_stale_preview_found_by_the_worker_ends_failed_with_the_reason(settings):
    settings.KVOTE_IMPORT_INLINE_BYTES = 100
    small_catalogue()
    staff = supplier_staff()
    catalogue_import = start(
        staff, csv_bytes(catalogue_rows(**{"I-M": {"stock": "5"}}), columns=COLUMNS)
    )
    jobs_run_due()
    import_apply(actor=staff, import_id=catalogue_import.pk)
    Variant.objects.filter(item_number="I-M").update(stock=2)
    jobs_run_due()
    catalogue_import.refresh_from_db()
    assert catalogue_import.status == ImportStatus.FAILED
    assert "changed since this preview" in catalogue_import.message
    assert Variant.objects.get(item_number="I-M").stock == 2


def _preview_queries(staff, n: int) -> int:
    rows = [
        row(
            f"R-{i}",
            product_number=f"P-{i % 7}",
            product_name=f"Produkt {i % 7}",
            size=f"S{i}",
            stock=str(i),
        )
        for i in range(n)
    ]
    content = csv_bytes(rows)
    with CaptureQueriesContext(connection) as queries:
        catalogue_import = start(staff, content)
    assert catalogue_import.status == ImportStatus.PREVIEWED, catalogue_import.errors[:3]
    return len(queries)


def test_the_preview_reads_in_the_same_number_of_queries_for_10_and_300_rows(
    django_assert_num_queries,
):
    small_catalogue()
    staff = supplier_staff()
    queries = _preview_queries(staff, 10)
    assert queries == _preview_queries(staff, 300)
    # 3 catalogue reads, the import's insert and summary update, and the savepoints.
    with django_assert_num_queries(queries):
        _preview_queries(staff, 50)


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_applies_of_one_preview_at_once_apply_it_exactly_once():
    small_catalogue()
    staff = supplier_staff()
    catalogue_import = start(
        staff, csv_bytes(catalogue_rows(**{"I-M": {"stock": "9"}}), columns=COLUMNS)
    )

    def apply(_: int) -> CatalogueImport:
        return import_apply(actor=staff, import_id=catalogue_import.pk)

    results = run_at_once(2, apply)
    applied = [r for r in results if isinstance(r, CatalogueImport)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(applied) == 1 and len(refused) == 1, results
    assert refused[0].code == CatalogueError.ALREADY_APPLIED
    assert Variant.objects.get(item_number="I-M").stock == 9


@pytest.mark.parametrize("nice", [0, 7])
def test_the_worker_reads_and_applies_a_big_import_at_the_configured_cpu_priority(nice):
    """In a process of its own (a process's niceness only goes up, and the test run must not
    keep it): what `import_preview_job` and `import_apply_job` do first."""
    code = (
        "import os, django; django.setup(); "
        "from kvote.catalog.imports.services import _yield_to_pages; "
        "before = os.nice(0); _yield_to_pages(); _yield_to_pages(); print(before, os.nice(0))"
    )
    env = {**os.environ, "KVOTE_IMPORT_NICE": str(nice), "DJANGO_SETTINGS_MODULE": "kvote.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    before, after = map(int, done.stdout.split())
    assert after == max(before, nice)
