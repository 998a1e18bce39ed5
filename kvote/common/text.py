"""The one cleaning rule for text people type: every service that keeps free text (a name, a
reference, an address, a comment, a token's name, a cell of an imported file) calls it.

- `clean_line` for one-line fields: drops control characters (NUL included), the bidirectional
  embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: they make text read
  otherwise than it is) and lone surrogates (no database stores them); turns every run of
  whitespace (tabs, line breaks, no-break spaces) into one space and strips the ends; composes
  accents (Unicode NFC, so "e" + U+0301 is stored, found and compared as "é"); and refuses what
  is still longer than `max_length`, with a message naming the limit.
- `clean_text` for multi-line fields: the same, line by line, keeping the line breaks (\\r\\n
  and \\r become \\n) and dropping blank lines at the start and the end.

`search_text` is what a search or filter parameter becomes before a query reads it: the same
cleaning (so NUL, which PostgreSQL text cannot hold, and the other controls are dropped rather
than refused: a search has nothing to keep) and at most SEARCH_MAX characters.

`has_visible_text` says whether cleaned text shows anything (a letter, a digit, a punctuation
mark or a symbol): a field that must say something (an address line) refuses text made only of
invisible characters (format characters such as U+200B and U+200E, combining marks alone).

`normalise_line` and `normalise_text` are the same cleaning without the limit, for text that is
compared or checked rather than kept as it is (a file's cells before their row is checked, a
request's fingerprint).

`fold_code` is what a code people type (an item number) is compared by: case folded, and only
its letters and digits kept, so "nl-1001 nav-xl" finds "NL-1001-NAV-XL".
"""

import re
import unicodedata

from django.db import models
from django.utils.translation import gettext as _

from kvote.common.errors import ServiceError


class TextError(models.TextChoices):
    TOO_LONG = "text_too_long"


# Never kept: the C0 and C1 controls and DEL that are not whitespace (whitespace becomes a
# space or a line break), the bidirectional controls, and lone surrogates.
_DROPPED = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def normalise_line(value: str) -> str:
    """One line of clean text, whatever its length (see the module's docstring)."""
    return unicodedata.normalize("NFC", " ".join(_DROPPED.sub("", value).split()))


def normalise_text(value: str) -> str:
    """Clean text that keeps its line breaks, whatever its length."""
    lines = [" ".join(line.split()) for line in _DROPPED.sub("", value).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return unicodedata.normalize("NFC", "\n".join(lines))


def fold_code(value: str) -> str:
    """A code as it is compared (see the module's docstring): casefold, letters and digits only."""
    return "".join(char for char in value.casefold() if char.isalnum())


SEARCH_MAX = 100


def search_text(value: str) -> str:
    """A search term as a query reads it (see the module's docstring)."""
    return normalise_line(value[: SEARCH_MAX * 4])[:SEARCH_MAX]


_VISIBLE_CATEGORIES = ("L", "N", "P", "S")


def has_visible_text(value: str) -> bool:
    """Whether `value` has a character people can see (see the module's docstring)."""
    return any(unicodedata.category(char)[0] in _VISIBLE_CATEGORIES for char in value)


def _limited(value: str, *, max_length: int, label: str, code: str, field: str | None) -> str:
    if len(value) > max_length:
        raise ServiceError(
            code,
            _("%(label)s can be at most %(max)d characters.") % {"label": label, "max": max_length},
            field=field,
        )
    return value


def clean_line(
    value: str,
    *,
    max_length: int,
    label: str,
    code: str = TextError.TOO_LONG,
    field: str | None = None,
) -> str:
    """A one-line field as it is kept; longer than `max_length` once cleaned: ServiceError with
    `code` and a message naming the limit ("`label` can be at most N characters": give the
    label as the start of a sentence, "Your reference"). Empty stays empty: the caller decides
    whether that is allowed."""
    return _limited(
        normalise_line(value), max_length=max_length, label=label, code=code, field=field
    )


def clean_text(
    value: str,
    *,
    max_length: int,
    label: str,
    code: str = TextError.TOO_LONG,
    field: str | None = None,
) -> str:
    """A multi-line field as it is kept (line breaks count as one character each); otherwise
    as `clean_line`."""
    return _limited(
        normalise_text(value), max_length=max_length, label=label, code=code, field=field
    )
