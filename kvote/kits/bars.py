"""The small bar that draws how much of a kit, or of one kit item, is used (Min side, «Mine
ansatte», the drill-down): its parts in whole percent of its width, drawn by
kits/includes/use_bar.html as an SVG (the Content-Security-Policy allows no inline style)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class UseBar:
    """What is used and not waiting, and what awaits approval, in percent of the bar. The bar
    is what the kit allows wide, or as wide as what is used when that is more; then
    `limit_percent` marks where the kit ends."""

    approved_percent: int
    pending_percent: int
    limit_percent: int | None = None

    @property
    def is_over(self) -> bool:
        return self.limit_percent is not None

    @classmethod
    def of(cls, *, allowed: int, used: int, pending: int = 0) -> "UseBar":
        width = max(allowed, used)
        if width <= 0:
            return cls(approved_percent=0, pending_percent=0)
        return cls(
            approved_percent=(used - pending) * 100 // width,
            pending_percent=pending * 100 // width,
            limit_percent=allowed * 100 // width if used > allowed else None,
        )
