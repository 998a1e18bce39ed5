"""The catalogue and the customers' price lists as sheets in exactly the import's columns, so
the back office can export them (kvote.common.exports.export_response, CSV or XLSX) and a file
exported and imported back changes nothing."""

from collections import defaultdict

from django.utils.translation import gettext as _

from kvote.catalog.imports import catalogue_rows, price_lists
from kvote.catalog.models import AgreedPrice, ProductImage, Variant
from kvote.common.exports import Sheet, Value


def catalogue_sheet() -> Sheet:
    """Every item number of the catalogue, inactive ones too, one row each (2 queries).

    `active` is the item number's own flag, or false on every row of an inactive product
    (which the import reads back as "the product is inactive", leaving the item numbers'
    flags as they are); `category` is the category's slug; `image_urls` the addresses the
    product's pictures were fetched from."""
    pictures: dict[int, list[str]] = defaultdict(list)
    for product_id, url in (
        ProductImage.objects.exclude(source_url="")
        .order_by("product_id", "position", "pk")
        .values_list("product_id", "source_url")
    ):
        pictures[product_id].append(url)
    sheet = Sheet(
        title=_("Catalogue"),
        headers=list(catalogue_rows.COLUMNS),
        widths=[14, 30, 30, 14, 40, 40, 18, 16, 16, 10, 8, 8, 12, 8, 12, 10, 40, 8],
    )
    variants = Variant.objects.order_by(
        "product__code", "colour", "size_position", "size", "item_number"
    ).values_list(
        "product_id",
        "product__code",
        "product__name",
        "product__name_en",
        "product__category__slug",
        "product__description",
        "product__description_en",
        "item_number",
        "colour",
        "colour_en",
        "colour_hex",
        "size",
        "size_position",
        "product__list_price",
        "stock",
        "restock_date",
        "lead_time_days",
        "is_active",
        "product__is_active",
    )
    for row in variants.iterator(chunk_size=5000):
        product_id, *values, active, product_active = row
        cells: list[Value] = list(values)
        cells.insert(16, " ".join(pictures.get(product_id, [])))  # image_urls
        cells.append("true" if active and product_active else "false")
        sheet.rows.append(cells)
    return sheet


def price_list_sheet(*, company_id: int | None = None) -> Sheet:
    """The agreed prices of one customer (or of all), one row each, in the import's columns."""
    sheet = Sheet(
        title=_("Price lists"), headers=list(price_lists.COLUMNS), widths=[14, 18, 14, 12, 12, 12]
    )
    prices = AgreedPrice.objects.order_by(
        "company__customer_number", "product__code", "variant__item_number", "valid_from", "pk"
    )
    if company_id is not None:
        prices = prices.filter(company_id=company_id)
    for customer, item, product, price, valid_from, valid_to in prices.values_list(
        "company__customer_number",
        "variant__item_number",
        "product__code",
        "price",
        "valid_from",
        "valid_to",
    ):
        sheet.rows.append(
            [customer, item or "", "" if item else product, price, valid_from, valid_to]
        )
    return sheet
