"""Local days as times: the one place where a stretch of the portal's calendar days becomes the
aware datetimes that `placed_at` and other timestamps are compared with.

A day runs from local midnight to the next local midnight in the portal's time zone
(settings.TIME_ZONE, Europe/Oslo). Daylight saving time makes some days 23 or 25 hours long;
`datetime.combine` with a zoneinfo zone gives the right offset for each midnight (midnight is
never skipped or repeated in Europe/Oslo: the clocks change at 02:00 and 03:00).

Compare timestamps with these bounds (`placed_at >= start`, `placed_at < end`), never through a
date cast of the timestamp (a `__date` lookup): the cast hides the column from its index.

The portal's days run from FIRST_DAY to LAST_DAY (2000-01-01 to 2100-12-31): it holds no orders
outside them, and every day inside has a local midnight before and after it that Python and the
databases can hold (0001-01-01 has none in UTC, 9999-12-31 has no day after it). A day typed
anywhere (a period filter, «Mine ordrer», a substitute's dates, a budget year, the API) is read
by `typed_day` or `TypedDayField`, and one outside them is refused with "Choose a date between
2000 and 2100" (`day_error`); `local_bounds` refuses it too, so no path can overflow.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvote.common.errors import ServiceError

# How a day may be typed, whatever the UI language: what a date input sends (ISO), and what
# Norwegians write (31.12.2025, 31.12.25). Every form and parser of typed days reads these.
TYPED_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class DateErrorCode(models.TextChoices):
    OUT_OF_RANGE = "date_out_of_range"
    INVALID = "invalid_date"


def day_error() -> str:
    """What a day outside the portal's days is told."""
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": FIRST_DAY.year,
        "last": LAST_DAY.year,
    }


def invalid_day_error() -> str:
    return _("Enter a valid date, for example 2025-12-31 or 31.12.2025.")


def in_portal(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def check_day(day: date, *, field: str | None = None) -> date:
    """`day` when it is one of the portal's days; ServiceError `date_out_of_range` otherwise."""
    if not in_portal(day):
        raise ServiceError(DateErrorCode.OUT_OF_RANGE, day_error(), field=field)
    return day


def typed_day(text: str, *, field: str | None = None) -> date | None:
    """A day as typed (TYPED_DATE_FORMATS; blank: None), one of the portal's days; anything
    else: ServiceError (`invalid_date` or `date_out_of_range`) naming `field`."""
    text = text.strip()
    if not text:
        return None
    for fmt in TYPED_DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return check_day(day, field=field)
    raise ServiceError(DateErrorCode.INVALID, invalid_day_error(), field=field)


def validate_day(day: date) -> None:
    """The Django validator of the same rule (forms, models)."""
    if not in_portal(day):
        raise ValidationError(day_error(), code=DateErrorCode.OUT_OF_RANGE)


class TypedDayField(forms.DateField):
    """Every form's day: read in TYPED_DATE_FORMATS, one of the portal's days."""

    default_validators = [validate_day]
    default_error_messages = {
        "invalid": gettext_lazy("Enter a valid date, for example 2025-12-31 or 31.12.2025.")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", TYPED_DATE_FORMATS)
        super().__init__(**kwargs)


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of `day`, in the portal's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def local_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The days from `first` to `last`, both included, as times [start, end): local midnight
    at the start of `first`, and local midnight after `last`. None stays open on that side.
    A day outside the portal's days: ServiceError (`check_day`), never an overflow."""
    for day in (first, last):
        if day is not None:
            check_day(day)
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
