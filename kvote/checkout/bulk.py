"""Many lines into the cart at once: «Bestill igjen» (an earlier order's lines) and
«Hurtigbestilling» (item numbers typed or pasted, one per line).

Here: how a quick order's text is read, what each of its lines names and whom it is for (from
what `kvote.checkout.services` looked up for all lines at once), and what each of the two reports
back (which lines went in, which did not and why): no query. `kvote.checkout.services` does the
writing (`cart_reorder`, `cart_quick_order`), checking every line at once and putting the good
ones in the cart in one transaction.

A quick order's line is an item number, then the quantity (1 when left out), then, optionally,
the employee number (ansattnummer) of whom the line is for: `JK100-NAV-L;2;1001`. The columns
are split by a tab (a spreadsheet's row: its first three filled cells), ";" or ","; or, for the
first two only, by spaces. The item number may leave out the size (`JK100-NAV;2;1001`): the size
then comes from the recipient's sizes (kvote.catalog.sizes.items_without_size).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from kvote.catalog.models import Variant
from kvote.catalog.sizes import ItemWithoutSize, profile_size
from kvote.common.errors import ServiceError
from kvote.common.text import fold_code, normalise_line
from kvote.ordering.errors import OrderError
from kvote.people import roles
from kvote.people.models import Employee, User

# At most this many lines in one quick order; the lines after it are kept for the next round.
QUICK_ORDER_MAX_LINES = 200
# The text a quick order reads at most (200 lines of a spreadsheet fit many times over).
QUICK_ORDER_MAX_CHARS = 20_000
# What "what was read" shows of a line at most (the text area keeps all of it).
SHOWN_MAX = 60

# A first line naming the columns (a spreadsheet's header row), folded: ignored.
HEADER_WORDS = frozenset(
    {
        "varenummer",
        "varenr",
        "artikkelnummer",
        "artnr",
        "itemnumber",
        "item",
        "sku",
        "antall",
        "quantity",
        "qty",
        "ant",
        "ansattnummer",
        "ansattnr",
        "ansatt",
        "mottaker",
        "employeenumber",
        "employee",
        "recipient",
    }
)

# The separators between the item number and the quantity, strongest first: a spreadsheet's
# tab, then ";" and "," (CSV as Norwegian and English spreadsheets write it).
_SEPARATORS = ("\t", ";", ",")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class QuickLine:
    """One line of a quick order as it was read: its number in the text (1-based), the text
    itself, the item number, the quantity and the recipient's employee number as typed (an
    empty quantity means 1, no employee number the actor's own employee). When only whitespace
    separated them, `whole` is the line taken as one item number (an item number may hold a
    space): used when `item` is no item number."""

    number: int
    raw: str
    item: str
    quantity: str
    whole: str = ""
    recipient: str = ""

    @property
    def shown(self) -> str:
        text = normalise_line(self.raw)
        return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


@dataclass(frozen=True)
class QuickText:
    lines: list[QuickLine]  # the lines to check, at most QUICK_ORDER_MAX_LINES
    too_many: list[QuickLine]  # the lines after the limit


def _split(text: str) -> tuple[str, str, str, str]:
    """(item number, quantity, employee number, whole line) of one line; `whole` only when a
    space split it."""
    for separator in _SEPARATORS:
        if separator in text:
            cells = [cell.strip() for cell in text.split(separator)]
            if separator == "\t":
                # A spreadsheet's row: its first three filled cells.
                cells = [cell for cell in cells if cell]
            else:
                while cells and not cells[-1]:
                    cells.pop()
            cells += ["", "", ""]
            return cells[0], cells[1], cells[2], ""
    words = text.split()
    if len(words) > 1:
        return " ".join(words[:-1]), words[-1], "", " ".join(words)
    return text.strip(), "", "", ""


def _is_header(item: str, quantity: str, recipient: str) -> bool:
    return fold_code(item) in HEADER_WORDS and all(
        not cell or fold_code(cell) in HEADER_WORDS for cell in (quantity, recipient)
    )


def parse_quick_order(text: str) -> QuickText:
    """The lines of a quick order (see the module's docstring): blank lines are skipped, a
    first line naming the columns ("Varenummer<tab>Antall") too. No query."""
    lines: list[QuickLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        item, quantity, recipient, whole = _split(raw.strip())
        if not lines and _is_header(item, quantity, recipient):
            continue
        lines.append(
            QuickLine(
                number=number,
                raw=raw,
                item=item,
                quantity=quantity,
                whole=whole,
                recipient=recipient,
            )
        )
    return QuickText(lines=lines[:QUICK_ORDER_MAX_LINES], too_many=lines[QUICK_ORDER_MAX_LINES:])


def too_many_lines() -> tuple[OrderError, str]:
    """Why a line after the first QUICK_ORDER_MAX_LINES stays out."""
    return OrderError.TOO_MANY_LINES, _(
        "Too many lines: at most %(max)d at a time. Send this line in the next round."
    ) % {"max": QUICK_ORDER_MAX_LINES}


# --- What a quick order's line names, and what it answers -------------------------------------


def quick_item(
    line: QuickLine, *, variants: dict[str, Variant], short: dict[str, ItemWithoutSize]
) -> tuple[Variant | ItemWithoutSize, str]:
    """What a quick order's line names, and its quantity as typed: an item number (as typed,
    else the whole line when spaces split it), else the same without its size; refused when it
    is none of these, or fits more than one product or colour without its size."""
    readings = [(line.item, line.quantity)] + ([(line.whole, "")] if line.whole else [])
    for code, quantity in readings:
        if fold_code(code) in variants:
            return variants[fold_code(code)], quantity
    for code, quantity in readings:
        item = short.get(fold_code(code))
        if item is not None and item.ambiguous:
            raise ServiceError(
                OrderError.UNKNOWN_ITEM,
                _("“%(item)s” fits more than one product or colour: write the whole item number.")
                % {"item": code[:40]},
            )
        if item is not None:
            return item, quantity
    raise ServiceError(
        OrderError.UNKNOWN_ITEM,
        _("There is no item number “%(item)s”.") % {"item": line.item[:40]},
    )


def quick_recipient(
    *, actor: User, line: QuickLine, own: Employee | None, named: dict[str, Employee]
) -> Employee | None:
    """Whom a quick order's line is for: the employee whose number it gives, among those the
    actor may order for (`named`: kvote.people.selectors.recipients_by_number, which asked the
    actor's role already), else the actor's own employee."""
    if not line.recipient:
        return own
    employee = named.get(line.recipient.strip().upper())
    if employee is not None:
        return employee
    if not roles.may_choose_recipients(actor):
        raise ServiceError(OrderError.RECIPIENT_NOT_ALLOWED, _("You can only order for yourself."))
    raise ServiceError(
        OrderError.UNKNOWN_RECIPIENT,
        _("There is no active employee with employee number “%(number)s”.")
        % {"number": line.recipient[:20]},
    )


def no_size_message(
    *,
    actor: User,
    item: str,
    recipient: Employee | None,
    profile: dict[str, str],
    target: ItemWithoutSize,
) -> str:
    """Why an item number without its size got none from the recipient's sizes, and what to do:
    write the whole item number, or add the sizes."""
    values = {"item": item[:40], "name": recipient.name if recipient else ""}
    if recipient is None:
        return (
            _(
                "“%(item)s” has no size, and the line is for nobody whose sizes could give it: "
                "write the whole item number, with the size."
            )
            % values
        )
    own = recipient.user_id == actor.pk
    wanted = profile_size(profile, target.sizes)
    if wanted is not None:
        values["size"] = wanted
        if own:
            return (
                _(
                    "Your size, %(size)s, is not made for “%(item)s”: write the whole item number, "
                    "with another size."
                )
                % values
            )
        return (
            _(
                "%(name)s's size, %(size)s, is not made for “%(item)s”: write the whole item "
                "number, with another size."
            )
            % values
        )
    if own:
        return (
            _(
                "You have no size saved for “%(item)s”: write the whole item number, with the "
                "size, or add your sizes."
            )
            % values
        )
    return (
        _(
            "%(name)s has no size saved for “%(item)s”: write the whole item number, with the "
            "size, or add %(name)s's sizes."
        )
        % values
    )


def quick_added_message(
    *,
    actor: User,
    variant: Variant,
    quantity: int,
    recipient: Employee | None,
    size_from_profile: bool,
) -> str:
    """What a quick order's line put in the cart: how many of what, in which size (and from
    whose sizes, when the line left the size out), and for whom when not the actor."""
    values = {
        "quantity": quantity,
        "product": variant.product.display_name,
        "size": variant.size,
        "item": variant.item_number,
        "name": recipient.name if recipient else "",
    }
    own = recipient is None or recipient.user_id == actor.pk
    if size_from_profile and own:
        return (
            _("In the cart: %(quantity)d × %(product)s, size %(size)s from your sizes (%(item)s).")
            % values
        )
    if size_from_profile:
        return (
            _(
                "In the cart: %(quantity)d × %(product)s, size %(size)s from %(name)s's sizes "
                "(%(item)s)."
            )
            % values
        )
    if own:
        return _("In the cart: %(quantity)d × %(product)s, size %(size)s (%(item)s).") % values
    return (
        _("In the cart: %(quantity)d × %(product)s, size %(size)s (%(item)s), for %(name)s.")
        % values
    )


@dataclass(frozen=True)
class QuickRow:
    """One line of a quick order and what became of it: in the cart (`added`), or the reason
    it is not."""

    number: int
    shown: str
    raw: str
    added: bool
    message: str  # what went in ("2 × T-shirt, XL"), or why not


@dataclass(frozen=True)
class QuickOrderOutcome:
    rows: list[QuickRow]

    @property
    def added(self) -> list[QuickRow]:
        return [row for row in self.rows if row.added]

    @property
    def refused(self) -> list[QuickRow]:
        return [row for row in self.rows if not row.added]

    @property
    def keep(self) -> str:
        """The text area's text after the order: only the lines that did not go in, as typed."""
        return "\n".join(row.raw for row in self.refused)


@dataclass(frozen=True)
class RefusedLine:
    """A line of an earlier order that could not come back, with why."""

    product: str
    item_number: str
    size: str
    recipient: str
    reason: str


@dataclass(frozen=True)
class PriceChange:
    """A line that came back at another price than the order's."""

    product: str
    item_number: str
    size: str
    now: Decimal
    was: Decimal


@dataclass(frozen=True)
class ReorderOutcome:
    order_id: int
    order_number: str
    added: int  # how many of the order's lines are in the cart now
    refused: list[RefusedLine] = field(default_factory=list)
    price_changes: list[PriceChange] = field(default_factory=list)
