"""Money: Decimal everywhere, rounded in one place.

Every amount the portal stores or shows goes through `round_money`. Prices are excluding VAT;
VAT is computed on an order's total (not per line) so the three totals always add up.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

NBSP = "\u00a0"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_MAX_DIGITS = 12
MONEY_DECIMAL_PLACES = 2


def money_field(verbose_name: "StrOrPromise", **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
        **kwargs,
    )


def round_money(amount: Decimal | int | str) -> Decimal:
    """The one rounding rule: to whole øre, half away from zero."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_rate() -> Decimal:
    return Decimal(settings.KVOTE_VAT_RATE)


@dataclass(frozen=True)
class Totals:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal

    @classmethod
    def of(cls, excl_vat: Decimal) -> "Totals":
        excl = round_money(excl_vat)
        vat = round_money(excl * vat_rate())
        return cls(excl_vat=excl, vat=vat, incl_vat=excl + vat)


def parse_money(text: str) -> Decimal:
    """Parse a user's amount in Norwegian or English notation; ValueError when it is not one."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").removeprefix("kr").strip()
    if "," in cleaned and "." in cleaned:
        # Both marks: the last one is the decimal mark ("1.234,50" and "1,234.50").
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def _group(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def format_amount(amount: Decimal, language: str | None = None) -> str:
    """1234.5 -> '1 234,50' in Norwegian, '1,234.50' in English (no currency)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    value = round_money(amount)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    if language.startswith("en"):
        return f"{sign}{_group(whole, ',')}.{fraction}"
    return f"{sign}{_group(whole, NBSP)},{fraction}"


def format_nok(amount: Decimal, language: str | None = None) -> str:
    """'kr 1 234,50' in Norwegian, 'NOK 1,234.50' in English."""
    language = language or get_language() or settings.LANGUAGE_CODE
    prefix = "NOK" if language.startswith("en") else "kr"
    return f"{prefix}{NBSP}{format_amount(amount, language)}"
