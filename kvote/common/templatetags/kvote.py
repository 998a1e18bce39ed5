from decimal import Decimal

from django import template
from django.core.paginator import Page

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


@register.filter
def page_range(page: Page) -> list[int | str]:
    """{% for number in page|page_range %}: the page numbers a list links to, with
    `page.paginator.ELLIPSIS` for the gaps: the first and the last page, and one page on each
    side of this one (it fits a phone). The one rule for every list's page links."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
