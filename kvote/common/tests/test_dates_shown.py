"""A shown date reads day first in both languages, from one home (kvote/formats): Norwegian
30.11.2026, English 30 Nov 2026; no template or module spells a date pattern of its own."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format

from kvote.companies.periods import Period

KVOTE = Path(__file__).resolve().parents[2]
# `|date:"…"` with a pattern of its own rather than a named format; machine formats are fine.
TEMPLATE_PATTERN = re.compile(r"""\|date:\s*["']([^"']+)["']""")
MACHINE = {"c", "Y-m-d", "U"}
NAMED = re.compile(r"^[A-Z_]+_FORMAT$")
# strftime with a day or month: only ISO (%Y-%m-%d) and times are machine formats.
STRFTIME = re.compile(r"""strftime\(\s*["']([^"']*)["']""")


def _sources(pattern: str) -> list[Path]:
    return [p for p in KVOTE.rglob(pattern) if "tests" not in p.parts]


def test_no_template_spells_a_date_pattern_of_its_own() -> None:
    found = []
    for path in _sources("templates/**/*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        for match in TEMPLATE_PATTERN.finditer(path.read_text(encoding="utf-8")):
            fmt = match[1]
            if fmt not in MACHINE and not NAMED.match(fmt):
                found.append(f"{path.relative_to(KVOTE)}: date:{fmt!r}")
    assert found == [], 'write |date:"SHORT_DATE_FORMAT" or "SHORT_DATETIME_FORMAT"'


def test_no_module_formats_a_shown_date_by_hand() -> None:
    found = []
    for path in _sources("*.py"):
        for match in STRFTIME.finditer(path.read_text(encoding="utf-8")):
            fmt = match[1]
            if ("%d" in fmt or "%m" in fmt) and fmt != "%Y-%m-%d":
                found.append(f"{path.relative_to(KVOTE)}: strftime({fmt!r})")
    assert found == [], 'use django.utils.formats.date_format(day, "SHORT_DATE_FORMAT")'


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime"),
    [("nb", "30.11.2026", "30.11.2026 14:05"), ("en", "30 Nov 2026", "30 Nov 2026 14:05")],
)
def test_each_language_writes_the_day_first(
    language: str, short_date: str, short_datetime: str
) -> None:
    moment = timezone.make_aware(datetime(2026, 11, 30, 14, 5))
    with translation.override(language):
        assert date_format(date(2026, 11, 30), "SHORT_DATE_FORMAT") == short_date
        assert date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") == short_datetime
        shown = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"day": date(2026, 11, 30)})
        )
        assert shown == short_date


def test_a_period_label_beside_a_table_reads_like_the_dates_in_it() -> None:
    period = Period(date(2026, 1, 1), date(2027, 1, 1))
    with translation.override("en"):
        assert period.label() == "1 Jan 2026–31 Dec 2026"
    with translation.override("nb"):
        assert period.label() == "01.01.2026–31.12.2026"


def test_english_reads_a_typed_day_first_too() -> None:
    from django import forms

    with translation.override("en"):
        assert forms.DateField().clean("05/06/2026") == date(2026, 6, 5)
