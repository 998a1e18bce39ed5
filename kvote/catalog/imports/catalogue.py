"""The catalogue import's plan: the checked rows (catalogue_rows) compared with the catalogue
(snapshot). The rules are in kvote.catalog.imports.catalogue_rows' docstring."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kvote.catalog.imports.catalogue_rows import (
    PRODUCT_FIELDS,
    VARIANT_FIELDS,
    FileRows,
    category_of,
    read_rows,
)
from kvote.catalog.imports.plan import PROGRESS_EVERY, Fingerprint, Plan, ProgressReport, shown
from kvote.catalog.imports.reading import Table
from kvote.catalog.imports.snapshot import CatalogueNow, catalogue_now
from kvote.catalog.models import ImportMode


@dataclass
class CatalogueWrites:
    new_categories: dict[str, str] = field(default_factory=dict)  # slug -> name
    new_products: list[dict[str, Any]] = field(default_factory=list)  # with "category_slug"
    product_updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_variants: list[dict[str, Any]] = field(default_factory=list)  # with "product_code"
    variant_updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    deactivate_variants: list[int] = field(default_factory=list)
    deactivate_products: list[int] = field(default_factory=list)
    images: list[tuple[str, list[str]]] = field(default_factory=list)  # product code, urls
    product_ids: dict[str, int] = field(default_factory=dict)  # of the file's known products


def catalogue_plan(
    table: Table, *, mode: str, keep_writes: bool, progress: ProgressReport, lock: bool = False
) -> Plan:
    """Check every row of a catalogue file and compare it with the catalogue; writes nothing.
    Reads the catalogue in a fixed number of queries, whatever the number of rows."""
    plan = Plan(
        counts={
            "rows": 0,
            "new": 0,
            "changed": 0,
            "unchanged": 0,
            "deactivated": 0,
            "errors": 0,
            "new_products": 0,
            "changed_products": 0,
            "deactivated_products": 0,
            "new_categories": 0,
        }
    )
    for column, message in table.header_errors:
        plan.error(1, column, message)
    if table.header_errors:
        return plan
    found = read_rows(table, plan, progress)
    now = catalogue_now(lock=lock, images=any("image_urls" in row.values for row in found.rows))
    _compare(found, now, plan, mode=mode, keep_writes=keep_writes, progress=progress)
    return plan


def _product_target(code: str, found: FileRows, now: CatalogueNow) -> bool | None:
    """The product's active flag as the file sets it (None: left as it is)."""
    actives = found.actives[code]
    if actives == {False}:
        return False
    if True in actives:
        return True
    return None if code in now.products else True


def _compare(
    found: FileRows,
    now: CatalogueNow,
    plan: Plan,
    *,
    mode: str,
    keep_writes: bool,
    progress: ProgressReport,
) -> None:
    writes = CatalogueWrites()
    fingerprint = Fingerprint()
    categories: dict[str, tuple[int | None, str] | None] = {}
    for value in sorted(found.categories):
        categories[value] = category_of(value, now)
        fingerprint.add("category", value, categories[value])
    # What each product of the file becomes: (fields that change, its first row's number).
    product_diffs: dict[str, list[dict[str, str]]] = {}
    refused: set[str] = set()
    for code in sorted(found.first_of):
        first = found.first_of[code]
        current = now.products.get(code)
        fingerprint.add("product", code, tuple(current) if current else None)
        if current and "image_urls" in first.values:
            fingerprint.add("images", code, now.images.get(current.id, []))
        diffs: list[dict[str, str]] = []
        update: dict[str, Any] = {}
        new: dict[str, Any] = {}
        category = first.values.get("category")
        if category is not None:
            resolved = categories[category]
            if resolved is None:
                plan.error(
                    first.number,
                    "category",
                    _(
                        "“%(value)s” is neither a category's name nor its slug, and no new "
                        "category can be named so: write a name with letters or digits."
                    )
                    % {"value": category[:60]},
                )
                refused.add(code)
                continue
            category_id, slug = resolved
            if category_id is None and slug not in writes.new_categories:
                writes.new_categories[slug] = category
                plan.counts["new_categories"] += 1
            if current is None or current.category_id != category_id:
                if current:
                    diffs.append(
                        {"field": "category", "old": now.slug_of[current.category_id], "new": slug}
                    )
                    update["category_slug"] = slug
                new["category_slug"] = slug
        elif current is None:
            plan.error(first.number, "category", _("A new product needs a category."))
            refused.add(code)
            continue
        for column, model_field in PRODUCT_FIELDS.items():
            if column not in first.values:
                continue
            value = first.values[column]
            new[model_field] = value
            if current and getattr(current, model_field) != value:
                diffs.append(
                    {
                        "field": column,
                        "old": shown(getattr(current, model_field)),
                        "new": shown(value),
                    }
                )
                update[model_field] = value
        active = _product_target(code, found, now)
        new["is_active"] = True if active is None else active
        if current and active is not None and current.is_active != active:
            diffs.append(
                {"field": "product_active", "old": shown(current.is_active), "new": shown(active)}
            )
            update["is_active"] = active
        urls = first.values.get("image_urls") or []
        if urls and (current is None or now.images.get(current.id, []) != urls):
            if current:
                diffs.append(
                    {
                        "field": "image_urls",
                        "old": shown(now.images.get(current.id, [])),
                        "new": shown(urls),
                    }
                )
            writes.images.append((code, urls))
        if current is None:
            plan.counts["new_products"] += 1
            writes.new_products.append({"code": code, **new})
        elif update:
            plan.counts["changed_products"] += 1
            writes.product_updates.append((current.id, update))
        product_diffs[code] = diffs
    writes.product_ids = {
        code: now.products[code].id for code in found.first_of if code in now.products
    }
    touched_ids = set(writes.product_ids.values())
    in_file = {row.values["item_number"] for row in found.rows}
    for item, variant in now.variants.items():
        if variant.product_id in touched_ids or item in in_file:
            fingerprint.add("variant", tuple(variant))
    total = len(found.rows)
    for index, row in enumerate(found.rows, start=1):
        if index % PROGRESS_EVERY == 0:
            progress("checking", index, total)
        _compare_row(row.values, row.number, now, plan, writes, found, product_diffs, refused)
    for item in sorted(in_file - now.variants.keys()):
        fingerprint.add("no variant", item)
    if mode == ImportMode.FULL:
        codes = found.first_of.keys()
        for item, variant in now.variants.items():
            if variant.is_active and item not in in_file:
                fingerprint.add("deactivate", variant.id)
                writes.deactivate_variants.append(variant.id)
                plan.change(
                    "deactivated",
                    {
                        "item_number": item,
                        "product_number": now.code_of.get(variant.product_id, ""),
                        "colour": variant.colour,
                        "size": variant.size,
                    },
                )
        for code, product in now.products.items():
            if product.is_active and code not in codes:
                fingerprint.add("deactivate product", product.id)
                writes.deactivate_products.append(product.id)
                plan.counts["deactivated_products"] += 1
    plan.fingerprint = fingerprint.hexdigest()
    if keep_writes:
        plan.writes = writes


def _compare_row(
    v: dict[str, Any],
    number: int,
    now: CatalogueNow,
    plan: Plan,
    writes: CatalogueWrites,
    found: FileRows,
    product_diffs: dict[str, list[dict[str, str]]],
    refused: set[str],
) -> None:
    code, item = v["product_number"], v["item_number"]
    if code in refused:
        return
    product = now.products.get(code)
    current = now.variants.get(item)
    if current and (product is None or current.product_id != product.id):
        plan.error(
            number,
            "item_number",
            _("The item number %(item)s belongs to product %(product)s, not to %(code)s.")
            % {"item": item, "product": now.code_of.get(current.product_id, ""), "code": code},
        )
        return
    holder = now.slots.get((product.id, v["colour"], v["size"])) if product else None
    if holder is not None and holder != item:
        plan.error(
            number,
            "size",
            _(
                "Product %(product)s already has colour %(colour)s in size %(size)s, as item "
                "number %(other)s."
            )
            % {"product": code, "colour": v["colour"], "size": v["size"], "other": holder},
        )
        return
    product_active = _product_target(code, found, now)
    if current is None:
        values = {
            model_field: v.get(column, _default(column))
            for column, model_field in VARIANT_FIELDS.items()
        }
        values["is_active"] = bool(v.get("active", True)) and product_active is not False
        writes.new_variants.append({"item_number": item, "product_code": code, **values})
        plan.change(
            "new",
            {
                "row": number,
                "product_number": code,
                "item_number": item,
                "product_name": v["product_name"],
                "colour": v["colour"],
                "size": v["size"],
                "list_price": shown(v["list_price"]),
            },
        )
        return
    diffs = list(product_diffs.get(code, []))
    update: dict[str, Any] = {}
    for column, model_field in VARIANT_FIELDS.items():
        if column in v and getattr(current, model_field) != v[column]:
            diffs.append(
                {
                    "field": column,
                    "old": shown(getattr(current, model_field)),
                    "new": shown(v[column]),
                }
            )
            update[model_field] = v[column]
    if "active" in v and product_active is not False and current.is_active != v["active"]:
        diffs.append(
            {"field": "active", "old": shown(current.is_active), "new": shown(v["active"])}
        )
        update["is_active"] = v["active"]
    if update:
        writes.variant_updates.append((current.id, update))
    if diffs:
        plan.change(
            "changed",
            {"row": number, "product_number": code, "item_number": item, "fields": diffs},
        )
    else:
        plan.counts["unchanged"] += 1


def _default(column: str) -> Any:
    return {"size_order": 0, "stock": 0, "colour_en": "", "colour_hex": ""}.get(column)
