"""Stock per item number: how the supplier's systems set it, and how it reads for a person.

- `stock_update(*, actor, items)`: the supplier's staff (kvote.catalog.access) set the stock on
  hand, and optionally the next restock date, of many item numbers at once (the API's
  `PATCH /api/v1/catalog/stock`). All or nothing: one unknown item number refuses the whole
  request (`UnknownItemNumbers`, listing them) and writes nothing. Idempotent: only rows whose
  values differ are written, and the result says how many were `updated` and `unchanged`.
  Item numbers are matched exactly (they are the ERP's keys: `ab-1` is not `AB-1`) after
  trimming surrounding spaces. An item number named twice in one request is refused (which of
  the two the sender meant cannot be known), as is a stock that is not a whole number from 0 to
  STOCK_MAX. `restock_date` left out keeps the stored date; `None` clears it.
- `stock_status(variant)`: the one home of the words a person reads about stock: in stock, few
  left (at most settings.KVOTE_FEW_LEFT), out of stock (with the restock date when one is
  coming, and its ISO week: «uke 51»), or made to order (a lead time and nothing on hand; the
  week it is expected in). `short_label` is the size chip's word. Ordering more than is in
  stock stays allowed (a back order): the status informs, it never blocks.
- `availability(variant, quantity)`: how a line's quantity will be delivered, the one home of
  its words: «Sendes fra lager», «3 sendes fra lager, 2 restordre – ventes uke 51».
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kvote.catalog.access import require_catalogue_manager
from kvote.catalog.errors import CatalogueError
from kvote.catalog.models import Variant
from kvote.common.dates import day_error, in_portal
from kvote.common.errors import ServiceError

STOCK_MAX = 10_000_000
ITEMS_MAX = 10_000  # item numbers in one request
ITEM_NUMBER_MAX = Variant._meta.get_field("item_number").max_length or 40
BATCH_SIZE = 1_000  # rows per UPDATE statement (other than PostgreSQL)
UNKNOWN_SHOWN = 50  # unknown item numbers named in the message (the error carries them all)


class Keep(enum.Enum):
    """A restock date not given: the stored one stays."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class StockItem:
    item_number: str
    stock: int
    restock_date: date | Literal[Keep.KEEP] | None = KEEP


@dataclass(frozen=True)
class StockResult:
    updated: int  # rows whose stock or restock date changed
    unchanged: int  # rows that already held these values


class UnknownItemNumbers(ServiceError):
    """A stock update names item numbers the catalogue lacks: `item_numbers` lists them all."""

    def __init__(self, item_numbers: list[str]) -> None:
        shown = ", ".join(item_numbers[:UNKNOWN_SHOWN])
        more = len(item_numbers) - UNKNOWN_SHOWN
        if more > 0:
            shown += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
        super().__init__(
            CatalogueError.UNKNOWN_ITEMS,
            ngettext(
                "Nothing was changed: %(count)d item number is not in the catalogue: %(items)s.",
                "Nothing was changed: %(count)d item numbers are not in the catalogue: %(items)s.",
                len(item_numbers),
            )
            % {"count": len(item_numbers), "items": shown},
            field="items",
        )
        self.item_numbers = item_numbers


def _checked(items: Sequence[StockItem]) -> dict[str, StockItem]:
    """The items by their trimmed item number; ServiceError(STOCK_INVALID) for the first bad
    value, naming its place in the request ("items.3.stock")."""
    if len(items) > ITEMS_MAX:
        raise ServiceError(
            CatalogueError.STOCK_INVALID,
            _("Send at most %(max)d item numbers in one request.") % {"max": ITEMS_MAX},
            field="items",
        )
    by_number: dict[str, StockItem] = {}
    for index, item in enumerate(items):
        number = item.item_number.strip() if isinstance(item.item_number, str) else ""
        if not number or len(number) > ITEM_NUMBER_MAX:
            raise ServiceError(
                CatalogueError.STOCK_INVALID,
                _("Give an item number of at most %(max)d characters.") % {"max": ITEM_NUMBER_MAX},
                field=f"items.{index}.item_number",
            )
        stock = item.stock
        if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= STOCK_MAX:
            raise ServiceError(
                CatalogueError.STOCK_INVALID,
                _("Stock is a whole number from 0 to %(max)s.")
                % {"max": formats.number_format(STOCK_MAX, force_grouping=True)},
                field=f"items.{index}.stock",
            )
        restock = item.restock_date
        if (
            restock is not KEEP
            and restock is not None
            and (not isinstance(restock, date) or not in_portal(restock))
        ):
            raise ServiceError(
                CatalogueError.STOCK_INVALID, day_error(), field=f"items.{index}.restock_date"
            )
        if number in by_number:
            raise ServiceError(
                CatalogueError.DUPLICATE_ITEMS,
                _("Item number %(item)s is named more than once. Name each item number once.")
                % {"item": number},
                field=f"items.{index}.item_number",
            )
        by_number[number] = item
    return by_number


def stock_update(*, actor: object, items: Sequence[StockItem]) -> StockResult:
    """Set the stock (and restock dates) of `items` at once; see the module's docstring.

    Two queries when something changes (the rows, locked, and one UPDATE: on PostgreSQL for
    any number of rows, elsewhere per BATCH_SIZE rows), one when nothing does."""
    require_catalogue_manager(actor)
    wanted = _checked(items)
    if not wanted:
        return StockResult(updated=0, unchanged=0)
    now = timezone.now()
    with transaction.atomic():
        # Locked in one order (pk), so two updates at once wait for each other and each
        # counts what it really changed.
        variants = list(
            Variant.objects.select_for_update()
            .filter(item_number__in=list(wanted))
            .only("pk", "item_number", "stock", "restock_date")
            .order_by("pk")
        )
        if len(variants) != len(wanted):
            known = {v.item_number for v in variants}
            raise UnknownItemNumbers([number for number in wanted if number not in known])
        changed: list[Variant] = []
        for variant in variants:
            item = wanted[variant.item_number]
            restock = variant.restock_date if item.restock_date is KEEP else item.restock_date
            if variant.stock != item.stock or variant.restock_date != restock:
                variant.stock = item.stock
                variant.restock_date = restock
                variant.updated_at = now
                changed.append(variant)
        if changed:
            _write(changed, now)
    return StockResult(updated=len(changed), unchanged=len(variants) - len(changed))


def _write(changed: list[Variant], now: datetime) -> None:
    """Write the changed rows' stock and restock date. On PostgreSQL one UPDATE … FROM
    unnest(…) for any number of rows (5 000 in about 0.1 s, where Django's bulk_update, a CASE
    of one branch per row, takes seconds); elsewhere bulk_update in batches."""
    if connection.vendor != "postgresql":
        Variant.objects.bulk_update(
            changed, ["stock", "restock_date", "updated_at"], batch_size=BATCH_SIZE
        )
        return
    meta = Variant._meta
    table = connection.ops.quote_name(meta.db_table)

    def column(name: str) -> str:
        field = cast(models.Field, meta.get_field(name))
        return connection.ops.quote_name(field.column)

    pk, stock, restock, updated = (
        column(name) for name in ("id", "stock", "restock_date", "updated_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS v SET {stock} = d.stock, {restock} = d.restock, "
            f"{updated} = %s "
            "FROM unnest(%s::bigint[], %s::integer[], %s::date[]) AS d(id, stock, restock) "
            f"WHERE v.{pk} = d.id",
            [
                now,
                [v.pk for v in changed],
                [v.stock for v in changed],
                [v.restock_date for v in changed],
            ],
        )


# How stock reads for a person.


class StockState(models.TextChoices):
    IN_STOCK = "in_stock"
    FEW_LEFT = "few_left"
    OUT_OF_STOCK = "out_of_stock"
    MADE_TO_ORDER = "made_to_order"


def week_label(day: date, *, today: date) -> str:
    """The ISO week of `day` as a person reads it: «uke 51», or «uke 1 i 2027» when it falls
    in another ISO year than `today` (31 Dec 2026 is week 53 of 2026, 4 Jan 2027 week 1 of
    2027)."""
    year, week, _weekday = day.isocalendar()
    if year == today.isocalendar()[0]:
        return _("week %(week)d") % {"week": week}
    return _("week %(week)d of %(year)d") % {"week": week, "year": year}


@dataclass(frozen=True)
class StockStatus:
    state: StockState
    on_hand: int
    restock_date: date | None  # a coming restock (today or later), for OUT_OF_STOCK
    lead_time_days: int | None  # for MADE_TO_ORDER
    today: date | None = None  # the day it was read on (the weeks count from it)

    @property
    def expected(self) -> date | None:
        """When what is not on hand is expected: the restock date, or today plus the lead time
        (made to order); None when nothing is known (or it is on hand)."""
        if self.state == StockState.OUT_OF_STOCK:
            return self.restock_date
        if self.state == StockState.MADE_TO_ORDER and self.today is not None:
            return self.today + timedelta(days=self.lead_time_days or 0)
        return None

    @property
    def week(self) -> str:
        """The ISO week it is expected in («uke 51»), '' when none is known."""
        expected = self.expected
        if expected is None:
            return ""
        return week_label(expected, today=self.today or timezone.localdate())

    @property
    def label(self) -> str:
        """What a site worker reads: «På lager», «Få igjen (3)», «Ikke på lager – ventes uke
        51», «Bestillingsvare – leveres om ca. 10 dager (uke 51)» (in the active language)."""
        if self.state == StockState.IN_STOCK:
            return _("In stock")
        if self.state == StockState.FEW_LEFT:
            return _("Few left (%(count)d)") % {"count": self.on_hand}
        if self.state == StockState.MADE_TO_ORDER:
            days = self.lead_time_days or 0
            return ngettext(
                "Made to order – delivered in about %(days)d day (%(week)s)",
                "Made to order – delivered in about %(days)d days (%(week)s)",
                days,
            ) % {"days": days, "week": self.week}
        if self.restock_date is not None:
            return _("Out of stock – expected %(week)s") % {"week": self.week}
        return _("Out of stock")

    @property
    def short_label(self) -> str:
        """The few words on a size chip: «På lager», «Få igjen», «Uke 51», «Utsolgt»."""
        if self.state == StockState.IN_STOCK:
            return _("In stock")
        if self.state == StockState.FEW_LEFT:
            return _("Few left")
        if self.expected is not None:
            return capfirst(self.week)
        return _("Sold out")

    @property
    def colour(self) -> str:
        """The Designsystemet colour of its tag."""
        return {
            StockState.IN_STOCK: "success",
            StockState.FEW_LEFT: "warning",
            StockState.OUT_OF_STOCK: "danger",
            StockState.MADE_TO_ORDER: "info",
        }[self.state]


def stock_status(variant: Variant, *, today: date | None = None) -> StockStatus:
    """How `variant`'s stock reads (no query: its own fields). Stock on hand goes first; with
    none, a lead time makes it made to order, else it is out of stock, with its restock date
    when that is today or later (a date gone by promises nothing)."""
    today = today or timezone.localdate()
    on_hand = variant.stock
    if on_hand > settings.KVOTE_FEW_LEFT:
        return StockStatus(StockState.IN_STOCK, on_hand, None, None, today)
    if on_hand > 0:
        return StockStatus(StockState.FEW_LEFT, on_hand, None, None, today)
    if variant.lead_time_days:
        return StockStatus(StockState.MADE_TO_ORDER, 0, None, variant.lead_time_days, today)
    restock = (
        variant.restock_date if variant.restock_date and variant.restock_date >= today else None
    )
    return StockStatus(StockState.OUT_OF_STOCK, 0, restock, None, today)


@dataclass(frozen=True)
class Availability:
    """How a quantity of one variant will be delivered: from stock, as a back order (more than
    is on hand: allowed, and said), or made to order. `text` is what a line of the cart, the
    review and an order reads."""

    quantity: int
    from_stock: int  # of `quantity`, what is on hand now
    status: StockStatus

    @property
    def back_order(self) -> int:
        return self.quantity - self.from_stock

    @property
    def text(self) -> str:
        """«Sendes fra lager», «3 sendes fra lager, 2 restordre – ventes uke 51», «Restordre –
        ventes uke 51», «Restordre – ingen leveringsdato ennå»."""
        if not self.back_order:
            return _("Ships from stock")
        if self.status.lead_time_days and not self.from_stock:
            return self.status.label  # made to order: the lead time says it
        week = self.status.week
        if not self.from_stock:
            if week:
                return _("Back order – expected %(week)s") % {"week": week}
            return _("Back order – no delivery date yet")
        if week:
            return _(
                "%(from_stock)d ship from stock, %(back_order)d back order – expected %(week)s"
            ) % {"from_stock": self.from_stock, "back_order": self.back_order, "week": week}
        return _(
            "%(from_stock)d ship from stock, %(back_order)d back order – no delivery date yet"
        ) % {"from_stock": self.from_stock, "back_order": self.back_order}

    @property
    def colour(self) -> str:
        """The Designsystemet colour of its tag: success from stock, info when made to order,
        warning for a back order (allowed: it informs, it does not alarm)."""
        if not self.back_order:
            return "success"
        return "info" if self.status.state == StockState.MADE_TO_ORDER else "warning"


def availability(variant: Variant, quantity: int, *, today: date | None = None) -> Availability:
    """How `quantity` of `variant` will be delivered, as its stock stands on `today` (no query).
    A made-to-order variant with some on hand sends those, and the rest after its lead time."""
    today = today or timezone.localdate()
    quantity = max(quantity, 0)
    from_stock = min(quantity, variant.stock)
    status = stock_status(variant, today=today)
    if from_stock < quantity and status.state in (StockState.IN_STOCK, StockState.FEW_LEFT):
        # Some on hand, not enough: the rest waits as the variant would with none on hand.
        status = stock_status(_without_stock(variant), today=today)
    return Availability(quantity=quantity, from_stock=from_stock, status=status)


def _without_stock(variant: Variant) -> Variant:
    return Variant(
        stock=0, restock_date=variant.restock_date, lead_time_days=variant.lead_time_days
    )


def delivery_summary(items: Sequence[Availability]) -> str:
    """In one sentence, when all of an order's lines are expected: «Alt sendes fra lager»,
    «Komplett senest uke 2 i 2027 – se hver vare», or that some have no date yet ('' for no
    lines)."""
    if not items:
        return ""
    waiting = [item for item in items if item.back_order]
    if not waiting:
        return _("Everything ships from stock")
    expected = [item.status.expected for item in waiting]
    if any(day is None for day in expected):
        return _("Some products have no delivery date yet: see each product")
    latest = max(day for day in expected if day is not None)
    today = waiting[0].status.today or timezone.localdate()
    return _("All of it by %(week)s at the latest: see each product") % {
        "week": week_label(latest, today=today)
    }
