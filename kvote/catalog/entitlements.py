"""What the catalogue marks of a kit: the products the person a line is for is entitled to
(«I utstyrspakken – 1 igjen», «Brukt opp») and the filter to them («Bare mitt utstyr»).

The catalogue stands below kits and checkout in the floor plan, so it cannot ask them. The floor
that knows whom a line is for and what their kit gives registers a reader here from its
`AppConfig.ready` (kvote.checkout.apps: `kvote.checkout.selectors.catalogue_entitlement`), the
way the job queue takes its HANDLERS. Without a reader the catalogue marks nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q

from kvote.people.models import User


@dataclass(frozen=True)
class Mark:
    """A product's mark: what is left of the kit item it counts against (may be below zero)."""

    remaining: int

    @property
    def used_up(self) -> bool:
        return self.remaining <= 0


class Entitlement(Protocol):
    """One employee's kit as the catalogue sees it."""

    @property
    def name(self) -> str:
        """The employee's name."""

    @property
    def is_own(self) -> bool:
        """Whether the employee is the actor's own."""

    @property
    def kit_name(self) -> str: ...

    def products(self) -> Q:
        """The products the kit holds, as a filter of Product."""

    def mark(self, *, product_id: int, category_id: int | None) -> Mark | None:
        """The product's mark, or None when no item of the kit holds it."""


Reader = Callable[..., Entitlement | None]  # (*, actor: User, recipient_id: int | None)

_readers: list[Reader] = []


def register(reader: Reader) -> None:
    """Name the one reader of entitlements (called from an upper floor's AppConfig.ready)."""
    _readers[:] = [reader]


def entitlement_of(*, actor: User, recipient_id: int | None = None) -> Entitlement | None:
    """The kit the catalogue marks for the actor: the chosen recipient's (`recipient_id`, when
    the actor may order for them) or the actor's own; None without a kit (or without a reader)."""
    if not _readers:
        return None
    return _readers[0](actor=actor, recipient_id=recipient_id)
