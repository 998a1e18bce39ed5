"""The catalogue as an import compares with it: read whole, in a fixed number of queries.

A workwear supplier has up to some 5 000 products and 50 000 item numbers: read as plain
tuples that is a few megabytes and well under a second, and it makes the preview's query count
independent of the file. The apply reads it with row locks (products, then variants, in
primary key order), so nothing it compared can change before it writes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kvote.catalog.models import Category, Product, ProductImage, Variant

CHUNK = 5000

PRODUCT_VALUES = (
    "id",
    "code",
    "name",
    "name_en",
    "description",
    "description_en",
    "category_id",
    "list_price",
    "is_active",
)
VARIANT_VALUES = (
    "id",
    "item_number",
    "product_id",
    "colour",
    "colour_en",
    "colour_hex",
    "size",
    "size_position",
    "stock",
    "restock_date",
    "lead_time_days",
    "is_active",
)


class ProductNow(NamedTuple):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    description_en: str
    category_id: int
    list_price: Any
    is_active: bool


class VariantNow(NamedTuple):
    id: int
    item_number: str
    product_id: int
    colour: str
    colour_en: str
    colour_hex: str
    size: str
    size_position: int
    stock: int
    restock_date: Any
    lead_time_days: int | None
    is_active: bool


@dataclass
class CatalogueNow:
    categories: dict[str, tuple[int, str, str]]  # slug -> (id, name, name_en)
    products: dict[str, ProductNow]  # by product number
    variants: dict[str, VariantNow]  # by item number
    # (product id, colour, size) -> item number
    slots: dict[tuple[int, str, str], str] = field(default_factory=dict)
    # product id -> the addresses its pictures were fetched from, in the gallery's order
    images: dict[int, list[str]] = field(default_factory=dict)
    slug_of: dict[int, str] = field(default_factory=dict)  # category id -> slug
    code_of: dict[int, str] = field(default_factory=dict)  # product id -> product number


def catalogue_now(*, lock: bool = False, images: bool = False) -> CatalogueNow:
    """The catalogue (see the module's docstring); 3 queries, 4 with the pictures' addresses."""
    products_qs = Product.objects.order_by("pk")
    variants_qs = Variant.objects.order_by("pk")
    if lock:
        products_qs = products_qs.select_for_update()
        variants_qs = variants_qs.select_for_update()
    categories = {
        slug: (pk, name, name_en)
        for pk, slug, name, name_en in Category.objects.order_by("pk").values_list(
            "pk", "slug", "name", "name_en"
        )
    }
    now = CatalogueNow(
        categories=categories,
        products={
            row[1]: ProductNow(*row)
            for row in products_qs.values_list(*PRODUCT_VALUES).iterator(chunk_size=CHUNK)
        },
        variants={},
        slug_of={pk: slug for slug, (pk, _name, _en) in categories.items()},
    )
    now.code_of = {product.id: code for code, product in now.products.items()}
    for row in variants_qs.values_list(*VARIANT_VALUES).iterator(chunk_size=CHUNK):
        variant = VariantNow(*row)
        now.variants[variant.item_number] = variant
        now.slots[(variant.product_id, variant.colour, variant.size)] = variant.item_number
    if images:
        pictures: dict[int, list[str]] = defaultdict(list)
        for product_id, url in (
            ProductImage.objects.exclude(source_url="")
            .order_by("product_id", "position", "pk")
            .values_list("product_id", "source_url")
        ):
            pictures[product_id].append(url)
        now.images = dict(pictures)
    return now
