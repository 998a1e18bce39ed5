"""The one reading of a cell of an import, for the catalogue and the price lists alike.

Each function takes the cell's text (already checked for formulas and control characters by
`reading`) and returns the typed value, or raises `CellError` with a message that tells the
supplier's staff what to write instead. Empty text is handled by the caller (it decides
whether the column may be empty).
"""

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kvote.catalog.images import image_url_error
from kvote.common.errors import ServiceError
from kvote.common.money import CENT, parse_money
from kvote.common.text import clean_line, clean_text, normalise_line, normalise_text

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# No workwear item costs a million kroner excl. VAT: a bigger price is a slip (a missing
# decimal mark, a number from another column), refused rather than shown to customers.
MAX_PRICE = Decimal("999999.99")
MAX_SMALL = 32767  # PositiveSmallIntegerField (size order, lead time)
MAX_STOCK = 2147483647  # PositiveIntegerField
# A description is one TextField; this is the most the import keeps of one.
MAX_DESCRIPTION = 5000
MAX_URLS = 20

TRUE_WORDS = frozenset({"true", "1", "yes", "ja", "sann"})
FALSE_WORDS = frozenset({"false", "0", "no", "nei", "usann"})

_WHOLE = re.compile(r"^\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX = re.compile(r"^#?[0-9a-fA-F]{6}$")


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text(value: str, *, max_length: int, label: "StrOrPromise", multiline: bool = False) -> str:
    """Free text cleaned by the project's one rule (kvote.common.text), within its column.
    (The label is translated only for a message: an import reads hundreds of thousands of
    cells.)"""
    normal = normalise_text(value) if multiline else normalise_line(value)
    if len(normal) <= max_length:
        return normal
    clean = clean_text if multiline else clean_line
    try:
        clean(value, max_length=max_length, label=str(label))
    except ServiceError as exc:
        raise CellError(exc.message) from exc
    raise AssertionError("unreachable: the cleaner refuses what is too long")


def price(value: str) -> Decimal:
    """A price excl. VAT: a decimal number with a comma or a point, at most two decimals,
    not below zero and not absurdly high."""
    try:
        amount = parse_money(value)
    except ValueError as exc:
        raise CellError(
            _("“%(value)s” is not a price: write a number such as 199,50 or 199.50.")
            % {"value": value[:40]}
        ) from exc
    if amount < 0:
        raise CellError(_("A price cannot be below zero."))
    if amount != amount.quantize(CENT):
        raise CellError(_("A price has at most two decimals (whole øre)."))
    if amount > MAX_PRICE:
        raise CellError(
            _("A price can be at most %(max)s kroner excl. VAT.") % {"max": f"{MAX_PRICE:.2f}"}
        )
    return amount.quantize(CENT)


def whole(value: str, *, maximum: int) -> int:
    """A whole number of zero or more (a stock, a lead time in days, a size's order)."""
    number = value.replace(" ", "").replace("\u00a0", "")
    # A spreadsheet may hold a whole number as 12.0: that is still 12.
    for suffix in (".0", ",0", ".00", ",00"):
        if number.endswith(suffix) and _WHOLE.match(number[: -len(suffix)]):
            number = number[: -len(suffix)]
    if not _WHOLE.match(number):
        raise CellError(
            _("“%(value)s” is not a whole number of zero or more.") % {"value": value[:40]}
        )
    if int(number) > maximum:
        raise CellError(_("The number can be at most %(max)d.") % {"max": maximum})
    return int(number)


def day(value: str) -> date:
    """A date written YYYY-MM-DD (what Kvote's exports write)."""
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CellError(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD, such as 2026-03-31.")
            % {"value": value[:40]}
        ) from exc


def yes_no(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(
        _("“%(value)s” is not yes or no: write true or false (or 1/0, yes/no, ja/nei).")
        % {"value": value[:40]}
    )


def colour_hex(value: str) -> str:
    """A colour code #rrggbb (the # may be left out), kept in lower case."""
    if not _HEX.match(value):
        raise CellError(
            _("“%(value)s” is not a colour code: write # and six hex digits, such as #1f2a44.")
            % {"value": value[:40]}
        )
    return "#" + value.removeprefix("#").lower()


def urls(value: str) -> list[str]:
    """Picture addresses separated by spaces: http(s) addresses, each at most once."""
    found: list[str] = []
    for url in value.split():
        problem = image_url_error(url)  # the one rule for a picture's address
        if problem:
            raise CellError(problem)
        if url not in found:
            found.append(url)
    if len(found) > MAX_URLS:
        raise CellError(_("A product can have at most %(max)d pictures.") % {"max": MAX_URLS})
    return found
