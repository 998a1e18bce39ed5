"""Local days as times: the one place where a stretch of the portal's calendar days becomes the
aware datetimes that `placed_at` and other timestamps are compared with.

A day runs from local midnight to the next local midnight in the portal's time zone
(settings.TIME_ZONE, Europe/Oslo). Daylight saving time makes some days 23 or 25 hours long;
`datetime.combine` with a zoneinfo zone gives the right offset for each midnight (midnight is
never skipped or repeated in Europe/Oslo: the clocks change at 02:00 and 03:00).

Compare timestamps with these bounds (`placed_at >= start`, `placed_at < end`), never through a
date cast of the timestamp (a `__date` lookup): the cast hides the column from its index.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# How a day may be typed, whatever the UI language: what a date input sends (ISO), and what
# Norwegians write (31.12.2025, 31.12.25). Every form and parser of typed days reads these.
TYPED_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of `day`, in the portal's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def local_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The days from `first` to `last`, both included, as times [start, end): local midnight
    at the start of `first`, and local midnight after `last`. None stays open on that side."""
    start = start_of_day(first) if first is not None else None
    end = start_of_day(last + timedelta(days=1)) if last is not None else None
    return start, end


@dataclass(frozen=True)
class DateRange:
    """Local days from `first` to `last`, both included; None means open on that side."""

    first: date | None = None
    last: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as aware datetimes in the portal's time zone: [start, end)."""
        return local_bounds(self.first, self.last)
