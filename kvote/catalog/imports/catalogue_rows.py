"""The catalogue import's rules: every row checked, compared with the catalogue, and planned.

Columns (the CSV header and the JSON keys alike; `COLUMNS`): product_number, product_name,
product_name_en, category, description, description_en, item_number, colour, colour_en,
colour_hex, size, size_order, list_price, stock, restock_date, lead_time_days, image_urls,
active. Required: `REQUIRED`. A product is found by its product number, an item number
(variant) by its item number.

- A column the file leaves out leaves that field as it is; a column it holds sets the field,
  an empty cell to the field's empty value (no English name, no restock date, stock 0, size
  order 0, active). An empty image_urls leaves the product's pictures as they are.
- Product columns (`PRODUCT_COLUMNS`) belong to the product: every row of one product must
  give the same values.
- `category` is a category's slug or its name (Norwegian or English, any case); any other text
  makes a new category of that name, whose slug is made from the name (æ, ø, å as ae, o, a).
  A text with nothing to make a slug from (only punctuation) is refused. A new product needs
  a category.
- `active`: a product whose every row says false is made inactive and its item numbers keep
  their own flags (so an inactive product exports and imports back unchanged); otherwise each
  item number takes its row's value, and the product is active when one of its rows is.
- An item number stays with its product (the file cannot move it to another), and a product
  has one item number per colour and size: a file that gives a colour and size of the product
  another item number than the catalogue has is refused (to swap two item numbers' colours,
  import twice).
- Mode `full` also deactivates (never deletes) the item numbers and the products that the
  file no longer holds; an order that used them keeps its lines.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvote.catalog.imports import cells
from kvote.catalog.imports.plan import Plan, ProgressReport, Row, good_rows, shown
from kvote.catalog.imports.reading import Table
from kvote.catalog.imports.snapshot import CatalogueNow
from kvote.common.exports import ascii_slug

COLUMNS = (
    "product_number",
    "product_name",
    "product_name_en",
    "category",
    "description",
    "description_en",
    "item_number",
    "colour",
    "colour_en",
    "colour_hex",
    "size",
    "size_order",
    "list_price",
    "stock",
    "restock_date",
    "lead_time_days",
    "image_urls",
    "active",
)
REQUIRED = ("product_number", "product_name", "item_number", "colour", "size", "list_price")
PRODUCT_COLUMNS = (
    "product_name",
    "product_name_en",
    "category",
    "description",
    "description_en",
    "list_price",
    "image_urls",
)
# column -> the model field it sets
PRODUCT_FIELDS = {
    "product_name": "name",
    "product_name_en": "name_en",
    "description": "description",
    "description_en": "description_en",
    "list_price": "list_price",
}
VARIANT_FIELDS = {
    "colour": "colour",
    "colour_en": "colour_en",
    "colour_hex": "colour_hex",
    "size": "size",
    "size_order": "size_position",
    "stock": "stock",
    "restock_date": "restock_date",
    "lead_time_days": "lead_time_days",
}
EMPTY: dict[str, Any] = {
    "colour_hex": "",
    "size_order": 0,
    "stock": 0,
    "restock_date": None,
    "lead_time_days": None,
    "image_urls": [],
    "active": True,
    "category": None,
}


# column -> (most characters, the label of the message when a cell has more)
LENGTHS = {
    "product_number": (30, gettext_lazy("A product number")),
    "product_name": (200, gettext_lazy("A product name")),
    "product_name_en": (200, gettext_lazy("An English product name")),
    "category": (100, gettext_lazy("A category")),
    "item_number": (40, gettext_lazy("An item number")),
    "colour": (60, gettext_lazy("A colour")),
    "colour_en": (60, gettext_lazy("An English colour")),
    "size": (20, gettext_lazy("A size")),
}
DESCRIPTION = gettext_lazy("A description")


def parse_cell(column: str, value: str) -> Any:
    """One cell of `column` as its typed value (CellError when it is not one)."""
    lengths = LENGTHS
    if column in lengths:
        max_length, label = lengths[column]
        return cells.text(value, max_length=max_length, label=label)
    if column in ("description", "description_en"):
        return cells.text(
            value, max_length=cells.MAX_DESCRIPTION, label=DESCRIPTION, multiline=True
        )
    if column == "list_price":
        return cells.price(value)
    if column in ("size_order", "lead_time_days"):
        return cells.whole(value, maximum=cells.MAX_SMALL)
    if column == "stock":
        return cells.whole(value, maximum=cells.MAX_STOCK)
    if column == "restock_date":
        return cells.day(value)
    if column == "colour_hex":
        return cells.colour_hex(value)
    if column == "image_urls":
        return cells.urls(value)
    if column == "active":
        return cells.yes_no(value)
    raise AssertionError(column)


@dataclass
class FileRows:
    """The good rows, and what the file says of each product across its rows."""

    rows: list[Row] = field(default_factory=list)
    first_of: dict[str, Row] = field(default_factory=dict)  # product number -> its first row
    actives: dict[str, set[bool | None]] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)

    def values(self) -> Iterator[Row]:
        return iter(self.rows)


def read_rows(table: Table, plan: Plan, progress: ProgressReport) -> FileRows:
    found = FileRows()
    items: dict[str, int] = {}  # item number -> row
    slots: dict[tuple[str, str, str], tuple[str, int]] = {}
    for row in good_rows(table, plan, progress, required=REQUIRED, empty=EMPTY, parse=parse_cell):
        v = row.values
        code, item = v["product_number"], v["item_number"]
        bad = False
        if item in items:
            plan.error(
                row.number,
                "item_number",
                _("The item number %(item)s is also on row %(row)d.")
                % {"item": item, "row": items[item]},
            )
            bad = True
        else:
            items[item] = row.number
        slot = (code, v["colour"], v["size"])
        if slot in slots and slots[slot][0] != item:
            plan.error(
                row.number,
                "size",
                _(
                    "Product %(product)s has colour %(colour)s in size %(size)s twice: item "
                    "numbers %(other)s (row %(row)d) and %(item)s."
                )
                % {
                    "product": code,
                    "colour": v["colour"],
                    "size": v["size"],
                    "other": slots[slot][0],
                    "row": slots[slot][1],
                    "item": item,
                },
            )
            bad = True
        slots.setdefault(slot, (item, row.number))
        first = found.first_of.setdefault(code, row)
        for column in PRODUCT_COLUMNS:
            if column in v and column in first.values and v[column] != first.values[column]:
                plan.error(
                    row.number,
                    column,
                    _(
                        "Rows of one product must agree on %(column)s: row %(row)d gives "
                        "“%(first)s” for product %(product)s."
                    )
                    % {
                        "column": column,
                        "row": first.number,
                        "first": shown(first.values[column])[:60],
                        "product": code,
                    },
                )
                bad = True
        found.actives.setdefault(code, set()).add(v.get("active"))
        if v.get("category"):
            found.categories.add(v["category"])
        if not bad:
            found.rows.append(row)
    return found


def category_of(value: str, now: CatalogueNow) -> tuple[int | None, str] | None:
    """(id, slug) of the category a cell names; (None, new slug) for a new one; None if none
    can be made of it."""
    key = value.lower()
    for slug, (category_id, name, name_en) in now.categories.items():
        if key in (slug, name.lower(), name_en.lower()):
            return category_id, slug
    slug = ascii_slug(value)[:50]
    if not slug:
        return None
    if slug in now.categories:
        return now.categories[slug][0], slug
    return None, slug
