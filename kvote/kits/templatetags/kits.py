"""Template filters for kit figures: {% load kits %}."""

from typing import Protocol

from django import template

from kvote.kits.bars import UseBar

register = template.Library()


class Used(Protocol):
    @property
    def allowed(self) -> int: ...

    @property
    def used(self) -> int: ...


@register.filter
def use_bar(figures: Used) -> UseBar:
    """{% with bar=item|use_bar %}: the bar of a kit item (KitItemFigures: used, of which
    pending) or of a whole kit (EmployeeKit: used, each item counted up to what it allows)."""
    return UseBar.of(
        allowed=figures.allowed, used=figures.used, pending=getattr(figures, "pending", 0)
    )


@register.filter
def pieces_over(figures: Used) -> int:
    """{{ item|pieces_over }}: how many pieces are used beyond what the item allows (0 within)."""
    return max(0, figures.used - figures.allowed)
