"""Budget periods: which stretch of days a budget covers. Pure functions, no database."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from kvote.common.dates import DateRange


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Calendar year")
    HALF_YEAR = "half_year", _("Half-year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    CUSTOM_YEAR = "custom_year", _("Year from a chosen date")


MONTHS_PER_PERIOD = {
    PeriodKind.YEAR: 12,
    PeriodKind.HALF_YEAR: 6,
    PeriodKind.QUARTER: 3,
    PeriodKind.MONTH: 1,
    PeriodKind.CUSTOM_YEAR: 12,
}


@dataclass(frozen=True)
class Period:
    """Days from `start` up to, not including, `end`."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def days(self) -> DateRange:
        """The same days as a DateRange (last day included), for comparing times."""
        return DateRange(self.start, self.last_day)

    def label(self) -> str:
        return f"{formats.date_format(self.start, 'SHORT_DATE_FORMAT')}–" + formats.date_format(
            self.last_day, "SHORT_DATE_FORMAT"
        )


def _first_of_month_after(first: date, months: int) -> date:
    """The 1st of the month `months` after the month of `first`."""
    year, month = divmod(first.year * 12 + first.month - 1 + months, 12)
    return date(year, month + 1, 1)


def period_containing(kind: str, day: date, year_start: date | None = None) -> Period:
    """The period of `kind` that holds `day`. CUSTOM_YEAR periods start on year_start's month
    and day every year; the others start on 1 January, 1 July, 1 April, or the 1st."""
    months = MONTHS_PER_PERIOD[PeriodKind(kind)]
    if kind == PeriodKind.CUSTOM_YEAR:
        anchor = year_start or date(day.year, 1, 1)
        start = _clamped(day.year, anchor.month, anchor.day)
        if start > day:
            start = _clamped(day.year - 1, anchor.month, anchor.day)
        return Period(start, _clamped(start.year + 1, anchor.month, anchor.day))
    first_month = ((day.month - 1) // months) * months + 1
    start = date(day.year, first_month, 1)
    return Period(start, _first_of_month_after(start, months))


def _clamped(year: int, month: int, day: int) -> date:
    """date(year, month, day), with 29 February read as 28 February in other years."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
