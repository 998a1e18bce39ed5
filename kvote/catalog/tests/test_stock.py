"""Stock: the supplier's systems set it (all or nothing, idempotent), and it reads the same
everywhere (kvote.catalog.stock)."""

import math
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries

from kvote.catalog.models import Variant
from kvote.catalog.stock import (
    BATCH_SIZE,
    KEEP,
    STOCK_MAX,
    StockItem,
    StockResult,
    StockState,
    UnknownItemNumbers,
    availability,
    delivery_summary,
    stock_status,
    stock_update,
)
from kvote.common.errors import ServiceError
from kvote.people.models import User
from tests.factories import CompanyFactory, ProductFactory, UserFactory, VariantFactory, member

pytestmark = pytest.mark.django_db

RESTOCK = date(2030, 3, 1)


@pytest.fixture
def staff() -> User:
    return UserFactory(company=None, is_staff=True)


def snapshot() -> list[tuple[str, int, date | None]]:
    return list(
        Variant.objects.order_by("item_number").values_list("item_number", "stock", "restock_date")
    )


def test_sets_stock_and_restock_dates_and_counts_what_changed(staff: User) -> None:
    a = VariantFactory(item_number="A-1", stock=5)
    b = VariantFactory(item_number="B-1", stock=7, restock_date=RESTOCK)
    VariantFactory(item_number="C-1", stock=1)
    before = a.updated_at
    result = stock_update(
        actor=staff,
        items=[
            StockItem(" A-1 ", 12, restock_date=RESTOCK),  # trimmed
            StockItem("B-1", 7),  # restock date kept: nothing changes
        ],
    )
    assert result == StockResult(updated=1, unchanged=1)
    assert snapshot() == [("A-1", 12, RESTOCK), ("B-1", 7, RESTOCK), ("C-1", 1, None)]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.updated_at > before


def test_the_same_request_twice_changes_nothing_the_second_time(staff: User) -> None:
    VariantFactory.create_batch(3)
    items = [StockItem(v.item_number, 3 + i) for i, v in enumerate(Variant.objects.all())]
    assert stock_update(actor=staff, items=items) == StockResult(updated=3, unchanged=0)
    stamps = list(Variant.objects.values_list("updated_at", flat=True))
    assert stock_update(actor=staff, items=items) == StockResult(updated=0, unchanged=3)
    assert list(Variant.objects.values_list("updated_at", flat=True)) == stamps


def test_restock_date_absent_keeps_it_and_none_clears_it(staff: User) -> None:
    VariantFactory(item_number="K", stock=0, restock_date=RESTOCK)
    VariantFactory(item_number="X", stock=0, restock_date=RESTOCK)
    result = stock_update(
        actor=staff,
        items=[StockItem("K", 0, restock_date=KEEP), StockItem("X", 0, restock_date=None)],
    )
    assert result == StockResult(updated=1, unchanged=1)
    assert snapshot() == [("K", 0, RESTOCK), ("X", 0, None)]


def test_unknown_item_numbers_are_all_listed_and_nothing_is_written(staff: User) -> None:
    VariantFactory(item_number="A-1", stock=5)
    VariantFactory(item_number="B-1", stock=5)
    with pytest.raises(UnknownItemNumbers) as refused:
        stock_update(
            actor=staff,
            items=[
                StockItem("A-1", 1),
                StockItem("NOPE-2", 1),
                StockItem("b-1", 1),
                StockItem("NOPE-1", 1),
            ],
        )
    assert refused.value.code == "unknown_item_numbers"
    # item numbers are exact: b-1 is not B-1; listed in the request's order
    assert refused.value.item_numbers == ["NOPE-2", "b-1", "NOPE-1"]
    assert "NOPE-2, b-1, NOPE-1" in refused.value.message
    assert snapshot() == [("A-1", 5, None), ("B-1", 5, None)]


def test_many_unknown_item_numbers_are_named_in_part_in_the_message(staff: User) -> None:
    with translation.override("nb"), pytest.raises(UnknownItemNumbers) as refused:
        stock_update(actor=staff, items=[StockItem(f"U{i}", 1) for i in range(120)])
    assert len(refused.value.item_numbers) == 120
    assert "U49" in refused.value.message and "U50," not in refused.value.message
    assert "og 70 til." in refused.value.message


@pytest.mark.parametrize(
    "item, field",
    [
        (StockItem("A-1", -1), "items.1.stock"),
        (StockItem("A-1", STOCK_MAX + 1), "items.1.stock"),
        (StockItem("A-1", True), "items.1.stock"),
        (StockItem("A-1", 1.5), "items.1.stock"),
        (StockItem("A-1", "3"), "items.1.stock"),
        (StockItem("   ", 1), "items.1.item_number"),
        (StockItem("A" * 41, 1), "items.1.item_number"),
        (StockItem("A-1", 1, restock_date=date(1999, 12, 31)), "items.1.restock_date"),
        (StockItem("A-1", 1, restock_date="2030-01-01"), "items.1.restock_date"),
        (StockItem("B-1", 2), "items.1.item_number"),  # named twice: refused
    ],
)
def test_bad_values_are_refused_with_their_place_and_nothing_is_written(
    staff: User, item: StockItem, field: str
) -> None:
    VariantFactory(item_number="A-1", stock=5)
    VariantFactory(item_number="B-1", stock=5)
    with pytest.raises(ServiceError) as refused:
        stock_update(actor=staff, items=[StockItem("B-1", 9), item])
    assert refused.value.code in {"invalid_stock", "duplicate_item_numbers"}
    assert refused.value.field == field
    assert snapshot() == [("A-1", 5, None), ("B-1", 5, None)]


def test_the_largest_stock_is_taken(staff: User) -> None:
    VariantFactory(item_number="A-1")
    stock_update(actor=staff, items=[StockItem("A-1", STOCK_MAX)])
    assert snapshot() == [("A-1", STOCK_MAX, None)]


def test_nothing_asked_is_nothing_done(
    staff: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        assert stock_update(actor=staff, items=[]) == StockResult(updated=0, unchanged=0)


@pytest.mark.parametrize(
    "who",
    [
        lambda: member(CompanyFactory()),  # a customer
        lambda: member(CompanyFactory(), is_staff=True),  # staff flag, but of a customer company
        lambda: UserFactory(company=None, is_staff=False),  # no company, not staff
        lambda: UserFactory(company=None, is_staff=True, is_active=False),
    ],
)
def test_only_the_suppliers_staff_may_update_stock(who) -> None:
    VariantFactory(item_number="A-1", stock=5)
    with pytest.raises(ServiceError) as refused:
        stock_update(actor=who(), items=[StockItem("A-1", 1)])
    assert refused.value.code == "catalogue_not_allowed"
    assert snapshot() == [("A-1", 5, None)]


def update_statements(count: int) -> int:
    """UPDATE statements for `count` changed rows: one per BATCH_SIZE rows, where the database
    takes that many parameters in one statement (PostgreSQL does; Django holds SQLite to 999
    parameters, 199 rows)."""
    fields = ["pk", "pk", "stock", "restock_date", "updated_at"]
    batch = min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, [None] * count))
    return math.ceil(count / batch)


@pytest.mark.parametrize("count", [3, 300])
def test_query_count_does_not_grow_with_items(
    staff: User, count: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    variants = VariantFactory.create_batch(count)
    items = [StockItem(v.item_number, 9) for v in variants]
    if connection.vendor == "postgresql":
        assert update_statements(count) == 1
    # savepoint, the rows (locked), the UPDATE, release
    with django_assert_num_queries(3 + update_statements(count)):
        assert stock_update(actor=staff, items=items).updated == count
    with django_assert_num_queries(3):  # nothing to change: no UPDATE
        assert stock_update(actor=staff, items=items).unchanged == count


class TestStockStatus:
    @pytest.fixture(autouse=True)
    def _english(self) -> Iterator[None]:
        with translation.override("en"):
            yield

    def test_in_stock_above_few_left(self, settings) -> None:
        settings.KVOTE_FEW_LEFT = 5
        status = stock_status(Variant(stock=6))
        assert (status.state, status.on_hand, status.label) == (StockState.IN_STOCK, 6, "In stock")

    def test_few_left_counts_them(self, settings) -> None:
        settings.KVOTE_FEW_LEFT = 5
        assert [stock_status(Variant(stock=n)).label for n in (1, 5)] == [
            "Few left (1)",
            "Few left (5)",
        ]
        settings.KVOTE_FEW_LEFT = 0
        assert stock_status(Variant(stock=1)).state == StockState.IN_STOCK

    def test_stock_on_hand_goes_before_a_lead_time(self) -> None:
        assert stock_status(Variant(stock=50, lead_time_days=10)).state == StockState.IN_STOCK

    def test_made_to_order_with_its_lead_time(self) -> None:
        status = stock_status(Variant(stock=0, lead_time_days=1))
        assert status.state == StockState.MADE_TO_ORDER
        assert status.label.startswith("Made to order – delivered in about 1 day (week ")

    def test_out_of_stock_with_a_coming_restock_date_only(self) -> None:
        today = timezone.localdate()
        coming = stock_status(Variant(stock=0, restock_date=today), today=today)
        gone = stock_status(Variant(stock=0, restock_date=today - timedelta(days=1)), today=today)
        assert (coming.state, coming.restock_date) == (StockState.OUT_OF_STOCK, today)
        assert (gone.state, gone.restock_date, gone.label) == (
            StockState.OUT_OF_STOCK,
            None,
            "Out of stock",
        )


# A Thursday of ISO week 51; 2026 has 53 ISO weeks, and 2027's week 1 starts on 4 January.
TODAY = date(2026, 12, 17)


class TestWeeksAndBackOrders:
    @pytest.fixture(autouse=True)
    def _english(self) -> Iterator[None]:
        with translation.override("en"):
            yield

    @pytest.mark.parametrize(
        "restock, week",
        [
            (date(2026, 12, 18), "week 51"),
            (date(2026, 12, 28), "week 53"),
            (date(2027, 1, 1), "week 53"),  # still week 53 of 2026
            (date(2027, 1, 3), "week 53"),
            (date(2027, 1, 4), "week 1 of 2027"),
        ],
    )
    def test_the_restock_week_is_the_iso_week(self, restock: date, week: str) -> None:
        status = stock_status(Variant(stock=0, restock_date=restock), today=TODAY)
        assert (status.week, status.label, status.short_label) == (
            week,
            f"Out of stock – expected {week}",
            week[0].upper() + week[1:],
        )

    def test_week_one_read_in_the_new_year_needs_no_year(self) -> None:
        status = stock_status(
            Variant(stock=0, restock_date=date(2027, 1, 8)), today=date(2027, 1, 5)
        )
        assert status.week == "week 1"

    def test_made_to_order_is_expected_after_its_lead_time(self) -> None:
        status = stock_status(Variant(stock=0, lead_time_days=14), today=TODAY)
        assert status.expected == date(2026, 12, 31)
        assert status.label == "Made to order – delivered in about 14 days (week 53)"
        assert status.short_label == "Week 53"

    def test_the_chip_words(self, settings) -> None:
        settings.KVOTE_FEW_LEFT = 5
        words = [stock_status(Variant(stock=n), today=TODAY).short_label for n in (9, 2, 0)]
        assert words == ["In stock", "Few left", "Sold out"]
        assert stock_status(Variant(stock=9), today=TODAY).week == ""

    def test_the_norwegian_words(self) -> None:
        with translation.override("nb"):
            out = stock_status(Variant(stock=0, restock_date=date(2027, 1, 4)), today=TODAY)
            line = availability(Variant(stock=3, restock_date=date(2026, 12, 18)), 5, today=TODAY)
            assert out.label == "Ikke på lager – ventes uke 1 i 2027"
            assert line.text == "3 sendes fra lager, 2 restordre – ventes uke 51"

    @pytest.mark.parametrize(
        "stock, restock, lead_time, quantity, text, back_order",
        [
            (10, None, None, 10, "Ships from stock", 0),
            (3, None, None, 2, "Ships from stock", 0),
            (
                3,
                date(2026, 12, 18),
                None,
                5,
                "3 ship from stock, 2 back order – expected week 51",
                2,
            ),
            (3, None, None, 5, "3 ship from stock, 2 back order – no delivery date yet", 2),
            (
                3,
                None,
                14,
                5,
                "3 ship from stock, 2 back order – expected week 53",
                2,
            ),
            (0, date(2027, 1, 4), None, 1, "Back order – expected week 1 of 2027", 1),
            (0, None, None, 4, "Back order – no delivery date yet", 4),
            (
                0,
                None,
                14,
                4,
                "Made to order – delivered in about 14 days (week 53)",
                4,
            ),
        ],
    )
    def test_a_quantity_beyond_the_stock_is_a_back_order_and_says_so(
        self,
        stock: int,
        restock: date | None,
        lead_time: int | None,
        quantity: int,
        text: str,
        back_order: int,
    ) -> None:
        variant = Variant(stock=stock, restock_date=restock, lead_time_days=lead_time)
        found = availability(variant, quantity, today=TODAY)
        assert (found.text, found.back_order) == (text, back_order)
        made_to_order = found.status.state == StockState.MADE_TO_ORDER
        assert found.colour == (
            "success" if not back_order else "info" if made_to_order else "warning"
        )


class TestDeliverySummary:
    @pytest.fixture(autouse=True)
    def _english(self) -> Iterator[None]:
        with translation.override("en"):
            yield

    def test_all_from_stock(self) -> None:
        lines = [availability(Variant(stock=9), 2, today=TODAY)] * 2
        assert delivery_summary(lines) == "Everything ships from stock"
        assert delivery_summary([]) == ""

    def test_the_latest_week_across_the_new_year(self) -> None:
        lines = [
            availability(Variant(stock=9), 2, today=TODAY),
            availability(Variant(stock=1, restock_date=date(2027, 1, 4)), 2, today=TODAY),
            availability(Variant(stock=0, lead_time_days=14), 1, today=TODAY),  # week 53
        ]
        assert delivery_summary(lines) == (
            "All of it by week 1 of 2027 at the latest: see each product"
        )

    def test_a_back_order_without_a_date(self) -> None:
        lines = [
            availability(Variant(stock=0, restock_date=date(2027, 1, 4)), 1, today=TODAY),
            availability(Variant(stock=0), 1, today=TODAY),
        ]
        assert delivery_summary(lines) == (
            "Some products have no delivery date yet: see each product"
        )


def test_five_thousand_item_numbers_in_one_request(staff: User) -> None:
    """The issue's size of a stock update; its speed is measured by `make bench`
    (bench/catalogue_import.py), not asserted here."""
    product = ProductFactory()
    Variant.objects.bulk_create(
        Variant(product=product, item_number=f"P-{i:05}", colour="Sort", size=f"S{i}", stock=i)
        for i in range(5_000)
    )
    items = [StockItem(f"P-{i:05}", i + 1, restock_date=RESTOCK) for i in range(5_000)]
    result = stock_update(actor=staff, items=items)
    again = stock_update(actor=staff, items=items)
    assert (result.updated, result.unchanged, again.updated, again.unchanged) == (
        5_000,
        0,
        0,
        5_000,
    )
    assert list(
        Variant.objects.filter(product=product)
        .order_by("item_number")
        .values_list("stock", flat=True)[:3]
    ) == [1, 2, 3]
