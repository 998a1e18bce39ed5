"""The period of «Mine ansatte»: one parser for the web pages, the exports and the API.

Input, the same everywhere (GET parameters, API query):
- `from`, `to`: days, both included, each optional (YYYY-MM-DD, or 31.12.2025 / 31.12.25 as
  typed on the web); given dates win over a preset.
- `period`: a preset: `budget` (this budget period), `year` (this calendar year), `12m` (the last
  12 months, today included) or `all` (all time).
- nothing: this budget period. That is what the list shows when opened, and its export links
  carry the chosen period, so a bare export or API call gives the same as the bare page.

Refused, with code `invalid_period` and a message the web shows as a form error, the exports
as a 400 and the API as a 400 `{"code", "message"}`: a day that is no date, a day before
2000-01-01 or after 2100-12-31 (kvote.common.dates.typed_day, the portal's days), `to` before
`from`, and an unknown preset.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvote.common.dates import DateRange, typed_day
from kvote.common.errors import ServiceError
from kvote.common.tenancy import company_id_of
from kvote.people.models import User

DEFAULT_PRESET = "budget"
PRESETS = [
    ("budget", gettext_lazy("This budget period")),
    ("year", gettext_lazy("This year")),
    ("12m", gettext_lazy("Last 12 months")),
    ("all", gettext_lazy("All time")),
]


class PeriodErrorCode(models.TextChoices):
    INVALID_PERIOD = "invalid_period"


class PeriodError(ServiceError):
    """A period that cannot be read; `field` is the parameter at fault (from, to or period)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(PeriodErrorCode.INVALID_PERIOD, message, field=field)


@dataclass(frozen=True)
class ChosenPeriod:
    range: DateRange
    preset: str  # the preset in force, or "" for dates given by the user

    def label(self) -> str:
        """The days as people read them: «01.01.2026–31.12.2026», «01.01.2026–…», or «All
        time» when the period is open on both sides."""
        first, last = self.range.first, self.range.last
        if first is None and last is None:
            return str(_("All time"))
        return "–".join(
            formats.date_format(day, "SHORT_DATE_FORMAT") if day is not None else "…"
            for day in (first, last)
        )

    def query(self) -> dict[str, str]:
        """The GET parameters that choose this period again (links: drill-down, sort, export)."""
        if self.preset == "all":
            return {"period": "all"}
        return {
            "from": self.range.first.isoformat() if self.range.first else "",
            "to": self.range.last.isoformat() if self.range.last else "",
        }


def preset_range(preset: str, today: date) -> DateRange:
    """The days of the presets other than the budget period (which is the company's)."""
    if preset == "year":
        return DateRange(date(today.year, 1, 1), date(today.year, 12, 31))
    if preset == "12m":
        # The 12 months up to and including today: from the day after the same date last year.
        year_ago = date(today.year - 1, today.month, min(today.day, 28 if today.month == 2 else 31))
        return DateRange(year_ago + timedelta(days=1), today)
    assert preset == "all", preset
    return DateRange(None, None)


def _day(field: str, text: str) -> date | None:
    try:
        return typed_day(text, field=field)
    except ServiceError as exc:
        raise PeriodError(field, exc.message) from exc


def parse_period(
    *, actor: User, preset: str = "", first: str = "", last: str = "", today: date | None = None
) -> ChosenPeriod:
    """The period asked for by `from` (first), `to` (last) and `period` (preset), as text from a
    request; see the module's docstring. Raises PeriodError (a ServiceError, `invalid_period`).
    Reads the actor's company (for its budget period) only when the budget period is asked."""
    preset = preset.strip()
    if preset and preset not in dict(PRESETS):
        raise PeriodError(
            "period",
            _("Choose one of the periods %(presets)s.")
            % {"presets": ", ".join(key for key, _label in PRESETS)},
        )
    start, end = _day("from", first), _day("to", last)
    if start is not None and end is not None and end < start:
        raise PeriodError("to", _("The to date cannot be before the from date."))
    if start is not None or end is not None:
        return ChosenPeriod(DateRange(start, end), "")
    preset = preset or DEFAULT_PRESET
    today = today or timezone.localdate()
    if preset == "budget":
        company_id_of(actor)  # a user of no company: "not found"
        company = actor.company
        assert company is not None
        return ChosenPeriod(company.budget_period_of(today).days, preset)
    return ChosenPeriod(preset_range(preset, today), preset)
