"""The customer price list import: rows of agreed prices, checked, compared and planned.

Columns (`COLUMNS`): customer_number, item_number, product_number, price, valid_from,
valid_to. Each row names a customer (Company.customer_number) and exactly one of an item
number (the price holds for that item number) or a product number (for all its item numbers);
valid from and to are whole days, both included, either left empty for an open end
(kvote.catalog.prices applies them). A row is found by customer, item or product, and start
day (the agreed price constraints): the file changes its price and end day, or adds it.

Mode `full` also removes the price rows of the customers the file names that the file no
longer holds (a price row is no history: an order line keeps the price it was ordered at);
other customers' price lists are left alone.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvote.catalog.imports import cells
from kvote.catalog.imports.plan import (
    PROGRESS_EVERY,
    Fingerprint,
    Plan,
    ProgressReport,
    Row,
    good_rows,
    shown,
)
from kvote.catalog.imports.reading import Table
from kvote.catalog.models import AgreedPrice, ImportMode, Product, Variant
from kvote.companies.models import Company

COLUMNS = ("customer_number", "item_number", "product_number", "price", "valid_from", "valid_to")
REQUIRED = ("customer_number", "price")
EMPTY: dict[str, Any] = {"valid_from": None, "valid_to": None}
BATCH = 1000


LENGTHS = {
    "customer_number": (20, gettext_lazy("A customer number")),
    "item_number": (40, gettext_lazy("An item number")),
    "product_number": (30, gettext_lazy("A product number")),
}


def parse_cell(column: str, value: str) -> Any:
    if column in LENGTHS:
        max_length, label = LENGTHS[column]
        return cells.text(value, max_length=max_length, label=label)
    if column == "price":
        return cells.price(value)
    if column in ("valid_from", "valid_to"):
        return cells.day(value)
    raise AssertionError(column)


class PriceNow(NamedTuple):
    id: int
    company_id: int
    product_id: int
    variant_id: int | None
    price: Any
    valid_from: date | None
    valid_to: date | None


Key = tuple[int, int, int | None, date | None]  # company, product, variant, valid from


@dataclass
class PriceWrites:
    new: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)


def _label(row: dict[str, Any]) -> dict[str, str]:
    return {
        "customer_number": row.get("customer_number", ""),
        "item_number": row.get("item_number", ""),
        "product_number": row.get("product_number", ""),
        "price": shown(row.get("price")),
        "valid_from": shown(row.get("valid_from")),
        "valid_to": shown(row.get("valid_to")),
    }


def _batches(values: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def price_list_plan(
    table: Table, *, mode: str, keep_writes: bool, progress: ProgressReport, lock: bool = False
) -> Plan:
    """Check every row of a price list file and compare it with the agreed prices; writes
    nothing. A fixed number of queries for up to a thousand customers in one file."""
    plan = Plan(
        counts={"rows": 0, "new": 0, "changed": 0, "unchanged": 0, "deactivated": 0, "errors": 0}
    )
    for column, message in table.header_errors:
        plan.error(1, column, message)
    if table.header_errors:
        return plan
    rows: list[Row] = []
    for row in good_rows(table, plan, progress, required=REQUIRED, empty=EMPTY, parse=parse_cell):
        v = row.values
        item, product = v.get("item_number", ""), v.get("product_number", "")
        if item and product:
            plan.error(
                row.number,
                "product_number",
                _("Give an item number or a product number, not both."),
            )
        elif not item and not product:
            plan.error(row.number, "item_number", _("Give an item number or a product number."))
        elif v.get("valid_from") and v.get("valid_to") and v["valid_to"] < v["valid_from"]:
            plan.error(row.number, "valid_to", _("Valid to cannot be before valid from."))
        else:
            rows.append(row)
    customers = dict(Company.objects.values_list("customer_number", "pk"))
    products = dict(Product.objects.values_list("code", "pk"))
    variants = {
        item: (pk, product_id)
        for item, pk, product_id in Variant.objects.values_list(
            "item_number", "pk", "product_id"
        ).iterator(chunk_size=5000)
    }
    fingerprint = Fingerprint()
    keyed: dict[Key, Row] = {}
    for row in rows:
        v = row.values
        company_id = customers.get(v["customer_number"])
        fingerprint.add("customer", v["customer_number"], company_id)
        if company_id is None:
            plan.error(
                row.number,
                "customer_number",
                _("No customer has the customer number %(number)s.")
                % {"number": v["customer_number"]},
            )
            continue
        if v.get("item_number"):
            found = variants.get(v["item_number"])
            fingerprint.add("item", v["item_number"], found)
            if found is None:
                plan.error(
                    row.number,
                    "item_number",
                    _("The catalogue has no item number %(item)s.") % {"item": v["item_number"]},
                )
                continue
            key: Key = (company_id, found[1], found[0], v.get("valid_from"))
        else:
            product_id = products.get(v["product_number"])
            fingerprint.add("product", v["product_number"], product_id)
            if product_id is None:
                plan.error(
                    row.number,
                    "product_number",
                    _("The catalogue has no product number %(product)s.")
                    % {"product": v["product_number"]},
                )
                continue
            key = (company_id, product_id, None, v.get("valid_from"))
        if key in keyed:
            plan.error(
                row.number,
                "valid_from",
                _("Row %(row)d already gives this customer's price for it from the same day.")
                % {"row": keyed[key].number},
            )
            continue
        keyed[key] = row
    company_ids = {key[0] for key in keyed}
    existing: dict[Key, PriceNow] = {}
    for batch in _batches(company_ids):
        prices = AgreedPrice.objects.filter(company_id__in=batch).order_by("pk")
        if lock:
            prices = prices.select_for_update()
        for values in prices.values_list(
            "pk", "company_id", "product_id", "variant_id", "price", "valid_from", "valid_to"
        ):
            price = PriceNow(*values)
            existing[(price.company_id, price.product_id, price.variant_id, price.valid_from)] = (
                price
            )
    writes = PriceWrites()
    for index, (key, row) in enumerate(sorted(keyed.items(), key=lambda kv: kv[1].number), 1):
        if index % PROGRESS_EVERY == 0:
            progress("checking", index, len(keyed))
        v = row.values
        current = existing.get(key)
        if mode != ImportMode.FULL:
            fingerprint.add("price", key, tuple(current) if current else None)
        if current is None:
            writes.new.append(
                {
                    "company_id": key[0],
                    "product_id": key[1],
                    "variant_id": key[2],
                    "valid_from": key[3],
                    "price": v["price"],
                    "valid_to": v.get("valid_to"),
                }
            )
            plan.change("new", {"row": row.number, **_label(v)})
            continue
        diffs = [
            {"field": column, "old": shown(getattr(current, column)), "new": shown(v.get(column))}
            for column in ("price", "valid_to")
            if getattr(current, column) != v.get(column)
        ]
        if diffs:
            writes.updates.append(
                (current.id, {"price": v["price"], "valid_to": v.get("valid_to")})
            )
            plan.change("changed", {"row": row.number, **_label(v), "fields": diffs})
        else:
            plan.counts["unchanged"] += 1
    if mode == ImportMode.FULL:
        numbers = {pk: number for number, pk in customers.items()}
        items = {pk: item for item, (pk, _product) in variants.items()}
        codes = {pk: code for code, pk in products.items()}
        for key, price in sorted(existing.items(), key=lambda kv: kv[1].id):
            fingerprint.add("price", tuple(price))
            if key not in keyed:
                writes.remove.append(price.id)
                plan.change(
                    "deactivated",
                    _label(
                        {
                            "customer_number": numbers.get(price.company_id, ""),
                            "item_number": items.get(price.variant_id or 0, ""),
                            "product_number": ""
                            if price.variant_id
                            else codes.get(price.product_id, ""),
                            "price": price.price,
                            "valid_from": price.valid_from,
                            "valid_to": price.valid_to,
                        }
                    ),
                )
    plan.fingerprint = fingerprint.hexdigest()
    if keep_writes:
        plan.writes = writes
    return plan
