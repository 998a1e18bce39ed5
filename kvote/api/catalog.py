"""The catalogue at the caller's company's prices, and the company's delivery addresses."""

from datetime import date

from ninja import Query, Router, Schema
from pydantic import Field

from kvote.api.schemas import AUTH_ERRORS, ListQuery, Money, error_responses, page, paged
from kvote.api.types import ApiRequest
from kvote.catalog.images import product_pictures
from kvote.catalog.models import Product, Variant
from kvote.catalog.prices import Price, variant_prices
from kvote.catalog.selectors import product_list, with_active_variants
from kvote.catalog.stock import StockState, stock_status
from kvote.checkout.selectors import delivery_addresses
from kvote.common.tenancy import company_id_of

router = Router(tags=["catalogue"])


class StockOut(Schema):
    on_hand: int = Field(description="Stock on hand. Ordering more is allowed (a back order).")
    restock_date: date | None = Field(description="The next restock the supplier expects.")
    lead_time_days: int | None = Field(
        description="For an item not kept in stock (made to order): days from order to dispatch."
    )
    status: StockState = Field(
        description="How the stock reads: `in_stock`, `few_left`, `out_of_stock` or "
        "`made_to_order` (the product page's words)."
    )


class VariantOut(Schema):
    sku: str = Field(description="The item number (varenummer) to order.")
    colour: str
    size: str
    price: Money = Field(description="The company's price excl. VAT (agreed, or list price).")
    agreed: bool = Field(description="Whether `price` is the company's agreed price.")
    stock: StockOut


class ImageOut(Schema):
    url: str = Field(description="The picture at product-page size (JPEG), an absolute URL.")
    alt: str = Field(description="What the picture shows, for screen readers.")
    colour: str = Field(description="The colour it shows; empty for any colour.")


class ProductOut(Schema):
    id: int
    code: str
    name: str
    description: str
    category: str
    price: Money
    images: list[ImageOut] = Field(
        description="The product's pictures in gallery order (none until they are ready)."
    )
    variants: list[VariantOut]


class ProductQuery(ListQuery):
    q: str = Field(
        default="",
        max_length=200,
        description="Words to find in the name, product number, description, item number, "
        "colour or size, forgiving: numbers with or without dashes, spaces and dots, any case "
        "and accents, å/ø/æ typed as aa/oe/ae. Colour and size words must name the same variant "
        "(`marine xl`). The most relevant first: an exact product or item number first.",
    )


@router.get(
    "/products",
    response={200: paged(ProductOut), **error_responses(*AUTH_ERRORS)},
    summary="Products with their variants and prices",
)
def products(request: ApiRequest, query: Query[ProductQuery]) -> dict[str, object]:
    """The products your company can order, each with its colour and size variants and the
    price your company pays."""
    found = page(
        with_active_variants(product_list(actor=request.auth, query=query.q)),
        query.limit,
        query.offset,
    )
    products = found["items"]
    prices = variant_prices(
        company_id=company_id_of(request.auth),
        variants=[v for p in products for v in p.active_variants],
    )
    pictures = product_pictures(product_ids=[p.pk for p in products])
    return {
        "items": [
            _product(
                p,
                prices,
                [
                    ImageOut(url=request.build_absolute_uri(i.url), alt=i.alt, colour=i.colour)
                    for i in pictures[p.pk]
                    if i.ready
                ],
            )
            for p in products
        ],
        "count": found["count"],
    }


def _product(product: Product, prices: dict[int, Price], images: list[ImageOut]) -> ProductOut:
    price = product.price  # type: ignore[attr-defined]
    return ProductOut(
        images=images,
        id=product.pk,
        code=product.code,
        name=product.display_name,
        description=product.display_description,
        category=product.category.display_name,
        price=price,
        variants=[
            VariantOut(
                sku=v.item_number,
                colour=v.display_colour,
                size=v.size,
                price=prices[v.pk].amount,
                agreed=prices[v.pk].agreed,
                stock=_stock(v),
            )
            for v in product.active_variants  # type: ignore[attr-defined]
        ],
    )


def _stock(variant: Variant) -> StockOut:
    return StockOut(
        on_hand=variant.stock,
        restock_date=variant.restock_date,
        lead_time_days=variant.lead_time_days,
        status=stock_status(variant).state,
    )


class AddressOut(Schema):
    id: int
    label: str
    name: str = Field(description="Attention.")
    street: str
    postal_code: str
    city: str
    country: str
    is_default: bool


@router.get(
    "/addresses",
    response={200: paged(AddressOut), **error_responses(*AUTH_ERRORS)},
    summary="The company's delivery addresses",
)
def addresses(request: ApiRequest, query: Query[ListQuery]) -> dict[str, object]:
    """Where orders can go (`delivery_address_id`); the default one first."""
    found = page(delivery_addresses(actor=request.auth), query.limit, query.offset)
    return {
        "items": [
            AddressOut(
                id=a.pk,
                label=a.label,
                name=a.recipient_name,
                street=a.street,
                postal_code=a.postal_code,
                city=a.city,
                country=a.country,
                is_default=a.is_default,
            )
            for a in found["items"]
        ],
        "count": found["count"],
    }
