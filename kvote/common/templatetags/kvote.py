from decimal import Decimal

from django import template

from kvote.common.money import format_amount, format_nok

register = template.Library()


@register.filter
def nok(value: Decimal | None) -> str:
    """{{ amount|nok }} -> 'kr 1 234,50' (or 'NOK 1,234.50' in English)."""
    if value is None or value == "":
        return ""
    return format_nok(Decimal(value))


@register.filter
def amount(value: Decimal | None) -> str:
    """{{ x|amount }} -> '1 234,50': no currency, for tables with a currency heading."""
    if value is None or value == "":
        return ""
    return format_amount(Decimal(value))
