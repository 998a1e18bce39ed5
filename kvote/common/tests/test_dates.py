"""Local days as times (kvote.common.dates): midnight in Europe/Oslo, also on the days the
clocks change."""

from datetime import UTC, date, datetime

from kvote.common.dates import DateRange, local_bounds, start_of_day


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(start: datetime | None, end: datetime | None) -> float:
    assert start is not None and end is not None
    return (end.timestamp() - start.timestamp()) / 3600


def test_a_day_starts_at_local_midnight_in_winter_and_in_summer(settings) -> None:
    assert settings.TIME_ZONE == "Europe/Oslo"
    assert start_of_day(date(2026, 1, 15)) == utc(2026, 1, 14, 23)  # UTC+1
    assert start_of_day(date(2026, 7, 15)) == utc(2026, 7, 14, 22)  # UTC+2


def test_the_days_the_clocks_change_are_23_and_25_hours_long() -> None:
    # 29 March 2026: 02:00 becomes 03:00. 25 October 2026: 03:00 becomes 02:00.
    spring = local_bounds(date(2026, 3, 29), date(2026, 3, 29))
    assert spring == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert hours(*spring) == 23
    autumn = local_bounds(date(2026, 10, 25), date(2026, 10, 25))
    assert autumn == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert hours(*autumn) == 25


def test_a_range_is_open_where_it_has_no_day() -> None:
    assert DateRange().bounds() == (None, None)
    assert DateRange(date(2026, 3, 29)).bounds() == (utc(2026, 3, 28, 23), None)
    assert DateRange(None, date(2026, 10, 24)).bounds() == (None, utc(2026, 10, 24, 22))
