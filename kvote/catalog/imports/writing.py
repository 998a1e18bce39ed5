"""Writing a checked plan: bulk inserts and updates in batches, inside the apply's transaction.

Nothing is deleted from the catalogue (an item number or a product no longer sold is made
inactive, so every order line keeps its variant); a customer's price row that a `full` price
list no longer holds is removed (an order line keeps the price it was ordered at).
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from kvote.catalog.images import product_images_set
from kvote.catalog.imports.catalogue import CatalogueWrites
from kvote.catalog.imports.price_lists import PriceWrites
from kvote.catalog.models import AgreedPrice, Category, Product, Variant

INSERT_BATCH = 2000
UPDATE_BATCH = 2000

Report = Callable[[int], None]  # rows written so far


def _grouped(
    updates: list[tuple[int, dict[str, Any]]],
) -> dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]]:
    """Updates by the fields they set: one bulk update per set of fields."""
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for pk, values in updates:
        groups[tuple(sorted(values))].append((pk, values))
    return groups


def _bulk_update(model: Any, updates: list[tuple[int, dict[str, Any]]], report: Report) -> None:
    now = timezone.now()
    for fields, group in _grouped(updates).items():
        for start in range(0, len(group), UPDATE_BATCH):
            batch = group[start : start + UPDATE_BATCH]
            if connection.vendor == "postgresql":
                _update_from_values(model, [*fields, "updated_at"], batch, now)
            else:
                objects = [model(pk=pk, updated_at=now, **values) for pk, values in batch]
                model.objects.bulk_update(objects, [*fields, "updated_at"])
            report(len(batch))


def _update_from_values(
    model: Any, fields: list[str], batch: list[tuple[int, dict[str, Any]]], now: Any
) -> None:
    """PostgreSQL: one `UPDATE … FROM (VALUES …)` per batch. Django's bulk_update writes a CASE
    with a branch per row for each field, which PostgreSQL plans slowly for thousands of rows
    (50 000 stock changes took 35 s that way, a few seconds this way)."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    types = [column.db_type(connection) for column in columns]
    pk_type = model._meta.pk.db_type(connection)
    row_sql = "(%s::" + pk_type + ", " + ", ".join(f"%s::{t}" for t in types) + ")"
    params: list[Any] = []
    for pk, values in batch:
        params.append(pk)
        for column in columns:
            value = now if column.name == "updated_at" else values[column.name]
            params.append(column.get_db_prep_save(value, connection))
    names = ", ".join(quote(column.column) for column in columns)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET "
        + ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns)
        + f" FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v(id, {names})"
        + f" WHERE t.{quote(model._meta.pk.column)} = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def catalogue_write(writes: CatalogueWrites, *, report: Report) -> None:
    """Write the catalogue plan; then hand each product's new picture addresses to the images
    (kvote.catalog.images makes the rows and the fetch jobs, in this same transaction)."""
    if writes.new_categories:
        top = Category.objects.aggregate(top=Max("position"))["top"] or 0
        Category.objects.bulk_create(
            Category(name=name, slug=slug, position=top + 10 * n)
            for n, (slug, name) in enumerate(sorted(writes.new_categories.items()), start=1)
        )
    slugs = {p["category_slug"] for p in writes.new_products if "category_slug" in p} | {
        values["category_slug"]
        for _pk, values in writes.product_updates
        if "category_slug" in values
    }
    category_ids = dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk"))

    def product_fields(values: dict[str, Any]) -> dict[str, Any]:
        values = dict(values)
        if "category_slug" in values:
            values["category_id"] = category_ids[values.pop("category_slug")]
        return values

    created = Product.objects.bulk_create(
        (Product(**product_fields(p)) for p in writes.new_products), batch_size=INSERT_BATCH
    )
    report(len(created))
    product_ids = dict(writes.product_ids)
    product_ids.update({p.code: p.pk for p in created})
    _bulk_update(
        Product, [(pk, product_fields(values)) for pk, values in writes.product_updates], report
    )
    for start in range(0, len(writes.new_variants), INSERT_BATCH):
        batch = writes.new_variants[start : start + INSERT_BATCH]
        Variant.objects.bulk_create(
            Variant(
                product_id=product_ids[v["product_code"]],
                **{k: value for k, value in v.items() if k != "product_code"},
            )
            for v in batch
        )
        report(len(batch))
    _bulk_update(Variant, writes.variant_updates, report)
    now = timezone.now()
    for model, ids in (
        (Variant, writes.deactivate_variants),
        (Product, writes.deactivate_products),
    ):
        for start in range(0, len(ids), INSERT_BATCH):
            chunk = ids[start : start + INSERT_BATCH]
            model.objects.filter(pk__in=chunk).update(is_active=False, updated_at=now)
            report(len(chunk))
    for code, urls in writes.images:
        product_images_set(product_id=product_ids[code], urls=urls)


def price_list_write(writes: PriceWrites, *, report: Report) -> None:
    for start in range(0, len(writes.new), INSERT_BATCH):
        batch = writes.new[start : start + INSERT_BATCH]
        AgreedPrice.objects.bulk_create(AgreedPrice(**values) for values in batch)
        report(len(batch))
    _bulk_update(AgreedPrice, writes.updates, report)
    for start in range(0, len(writes.remove), INSERT_BATCH):
        doomed = writes.remove[start : start + INSERT_BATCH]
        AgreedPrice.objects.filter(pk__in=doomed).delete()
        report(len(doomed))


def write_count(writes: CatalogueWrites | PriceWrites) -> int:
    """How many rows the plan writes (the total of the apply's progress)."""
    if isinstance(writes, PriceWrites):
        return len(writes.new) + len(writes.updates) + len(writes.remove)
    return (
        len(writes.new_products)
        + len(writes.product_updates)
        + len(writes.new_variants)
        + len(writes.variant_updates)
        + len(writes.deactivate_variants)
        + len(writes.deactivate_products)
    )
