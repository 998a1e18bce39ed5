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

`fold_text` and `fold_code` are what search and item numbers people type are compared by (see
"Folding" below): "nl-1001 nav xl" finds "NL-1001-NAV-XL", «blaa» finds «blå».
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


# Folding: what search compares (kvote.catalog.search). One rule, in Python (`fold_text`,
# `fold_code`) and in SQL (`FoldedText`, for generated columns), built from the same tables so
# the two give the same string for the same text on SQLite and PostgreSQL:
#
# - Norwegian letters become the two letters people type without them (å→aa, ø→oe, æ→ae; the
#   German and Swedish ä, ö the same way, ß→ss) and other accented Latin letters lose their
#   accent (é→e, ü→u): «blaa» and «blå» both fold to "blaa";
# - ASCII letters become lower case (only ASCII: SQLite's LOWER knows no other, so neither
#   does PostgreSQL's side, which uses TRANSLATE);
# - punctuation, symbols and whitespace become a space, runs of spaces one space, and the ends
#   are trimmed: "NL-1001/Nav" folds to "nl 1001 nav";
# - `fold_code` is the same without spaces, for item and product numbers: "nl1001nav".
#
# Characters the tables do not name (other scripts, emoji) are kept as they are.

_FOLD_LETTERS = {
    "å": "aa", "ø": "oe", "æ": "ae", "ä": "ae", "ö": "oe", "ß": "ss",
    "á": "a", "à": "a", "â": "a", "ã": "a", "é": "e", "è": "e", "ê": "e", "ë": "e",
    "í": "i", "ì": "i", "î": "i", "ï": "i", "ó": "o", "ò": "o", "ô": "o", "õ": "o",
    "ú": "u", "ù": "u", "û": "u", "ü": "u", "ý": "y", "ÿ": "y", "ç": "c", "ñ": "n",
}  # fmt: skip
_FOLD_SEPARATORS = (
    "\t\n\r !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "\u00a0\u00ab\u00bb\u00b7\u00b4\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201c\u201d\u2026"
)
FOLD_TABLE: dict[str, str] = {
    **_FOLD_LETTERS,
    **{k.upper(): v for k, v in _FOLD_LETTERS.items() if k.upper() != k and len(k.upper()) == 1},
    **dict.fromkeys(_FOLD_SEPARATORS, " "),
}
_ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PY_FOLD = str.maketrans({**FOLD_TABLE, **{c: c.lower() for c in _ASCII_UPPER}})
_SPACE_PASSES = 4  # each halves a run of spaces: runs of up to 16 become one


def fold_text(value: str) -> str:
    """Text as search compares it (see above): "Blå T-skjorte" → "blaa t skjorte"."""
    folded = value.translate(_PY_FOLD)
    for _pass in range(_SPACE_PASSES):
        folded = folded.replace("  ", " ")
    return folded.strip(" ")


def fold_code(value: str) -> str:
    """An item or product number as search compares it: "NL-1001 nav.XL" → "nl1001navxl"."""
    return fold_text(value).replace(" ", "")


def _sql_fold(value: str | None, code: int) -> str:
    """What `FoldedText` gives, in Python (SQLite calls it: `register_fold`)."""
    if code:
        return fold_code(value or "")
    return f" {fold_text(value or '')} "


SQLITE_FOLD = "kvote_fold"


def register_fold(connection: object, **kwargs: object) -> None:
    """connection_created: SQLite gets `kvote_fold(text, code)`, which `FoldedText` uses there
    (SQLite's parser cannot nest a hundred REPLACEs). Deterministic, so a generated column may
    call it; a connection without it (the sqlite3 shell) can read those tables, not write them."""
    if getattr(connection, "vendor", "") == "sqlite":
        connection.connection.create_function(  # type: ignore[attr-defined]
            SQLITE_FOLD, 2, _sql_fold, deterministic=True
        )


_PG_SINGLE = {k: v for k, v in FOLD_TABLE.items() if len(v) == 1}
_PG_DOUBLE = {k: v for k, v in FOLD_TABLE.items() if len(v) > 1}


class FoldedText(models.Func):
    """SQL for `fold_text` of the given text fields joined by a space, between two spaces
    (" blaa t skjorte ", so a whole word is found as " word "); `code=True` gives `fold_code`
    of them instead. Immutable on PostgreSQL, deterministic on SQLite: it can make a generated
    column. PostgreSQL folds in SQL (the same tables); SQLite calls `fold_text` itself."""

    output_field = models.TextField()

    def __init__(self, *fields: str, code: bool = False) -> None:
        self.code = code
        super().__init__(*fields)

    def _joined(self, compiler, connection):
        parts = []
        params: list[object] = []
        for expression in self.source_expressions:
            sql, part_params = compiler.compile(expression)
            parts.append(f"({sql})")
            params.extend(part_params)
        return " || ' ' || ".join(parts), params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = self._joined(compiler, connection)
        return f"{SQLITE_FOLD}({sql}, {int(self.code)})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self._joined(compiler, connection)
        for source, target in _PG_DOUBLE.items():
            sql = f"REPLACE({sql}, CHR({ord(source)}), '{target}')"
        sources = " || ".join(f"CHR({ord(c)})" for c in [*_PG_SINGLE, *_ASCII_UPPER])
        targets = "'" + "".join([*_PG_SINGLE.values(), *_ASCII_UPPER.lower()]) + "'"
        sql = f"TRANSLATE({sql}, {sources}, {targets})"
        for _pass in range(_SPACE_PASSES):
            sql = f"REPLACE({sql}, '  ', ' ')"
        sql = f"REPLACE({sql}, ' ', '')" if self.code else f"(' ' || TRIM({sql}, ' ') || ' ')"
        return sql, params

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        raise NotImplementedError("FoldedText knows PostgreSQL and SQLite")
