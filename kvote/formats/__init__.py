"""How the portal writes dates and times, per language: the one home of every shown date
(Django's FORMAT_MODULE_PATH, kvote/settings.py).

Both languages put the day first, so a date reads the same way beside a table as in it:
Norwegian `30.11.2026` and `30.11.2026 14:05`, English `30 Nov 2026` and `30 Nov 2026 14:05`
(never 11/30/2026, which a Norwegian reads as the 11th of the 30th month). Templates write
`{{ day|date:"SHORT_DATE_FORMAT" }}` or `{{ moment|date:"SHORT_DATETIME_FORMAT" }}`, Python
`django.utils.formats.date_format(day, "SHORT_DATE_FORMAT")`; nothing spells a pattern such as
"d.m.Y" of its own (kvote/common/tests/test_dates_shown.py holds it). Machine formats are not
shown dates: `<time datetime="…|date:'c'">`, a date input's value (`Y-m-d`), CSV's ISO dates.
"""
