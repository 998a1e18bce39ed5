"""What the catalogue pages read. Every read is scoped to the acting user's company: its
assortment decides which products exist for it, its agreed prices decide what they cost."""

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kvote.catalog.entitlements import Entitlement
from kvote.catalog.images import Picture, pictures_for_colour, product_pictures
from kvote.catalog.models import AssortmentItem, Category, Favourite, Product, Variant
from kvote.catalog.prices import Price, variant_prices, with_price
from kvote.catalog.search import (
    Search,
    chosen_variant,
    search_products,
    variant_link,
    variant_texts,
)
from kvote.catalog.sizes import group_of, product_group, profile_size, size_for
from kvote.catalog.stock import StockStatus, stock_status
from kvote.common.errors import not_found
from kvote.common.money import Totals
from kvote.common.tenancy import company_id_of, scoped
from kvote.people.models import User
from kvote.people.selectors import RECIPIENTS_SHOWN, recipient_choices


def visible_products(*, actor: User) -> QuerySet[Product]:
    """Active products with an active variant, in the actor's assortment, annotated with `price`
    and `agreed_price` (kvote.catalog.prices.with_price) and `is_favourite`."""
    company_id = company_id_of(actor)
    qs = with_price(
        Product.objects.filter(is_active=True)
        .filter(Exists(Variant.objects.filter(product=OuterRef("pk"), is_active=True)))
        .annotate(
            is_favourite=Exists(
                Favourite.objects.filter(
                    company_id=company_id, user_id=actor.pk, product=OuterRef("pk")
                )
            ),
        )
        .select_related("category")
        .defer("search_name", "search_text", "search_code"),  # queries read them, not pages
        company_id=company_id,
    )
    if actor.company is not None and actor.company.restrict_assortment:  # loaded with the user
        qs = qs.filter(
            Exists(AssortmentItem.objects.filter(company_id=company_id, product=OuterRef("pk")))
        )
    return qs


def product_list(*, actor: User, query: str = "", category_slug: str = "") -> QuerySet[Product]:
    """The catalogue, or what a search finds in it, most relevant first (kvote.catalog.search:
    name, product number, description, item number, colour and size, forgiving)."""
    qs = visible_products(actor=actor)
    if category_slug:
        qs = qs.filter(category__slug=category_slug)
    return search_products(qs, query)


def with_active_variants(products: QuerySet[Product]) -> QuerySet[Product]:
    """Products with their orderable variants in the order a size picker shows them
    (`active_variants`): one more query for any number of products."""
    return products.prefetch_related(
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(is_active=True).order_by(
                "colour", "size_position", "size", "pk"
            ),
            to_attr="active_variants",
        )
    )


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def product_detail(*, actor: User, product_id: int) -> Product:
    """A visible product with its active variants prefetched (`active_variants`)."""
    try:
        return with_active_variants(visible_products(actor=actor)).get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise not_found() from exc


def orderable_variant(*, actor: User, variant_id: int) -> Variant | None:
    """An active variant (with its product) of a product the actor's company can order."""
    variant = (
        Variant.objects.filter(pk=variant_id, is_active=True).select_related("product").first()
    )
    if variant is None or not visible_products(actor=actor).filter(pk=variant.product_id).exists():
        return None
    return variant


def favourite_products(*, actor: User) -> QuerySet[Product]:
    favourites = scoped(Favourite, actor).filter(user=actor)
    return (
        visible_products(actor=actor)
        .filter(pk__in=favourites.values("product_id"))
        .order_by("name", "pk")
    )


# The catalogue pages: cards with colour swatches, and the product page's colour and size pickers.

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


@dataclass(frozen=True)
class Colour:
    """One colour of a product: `name` is the stored (Norwegian) name, used in URLs."""

    name: str
    name_en: str = ""
    hex: str = ""

    @property
    def display_name(self) -> str:
        if (get_language() or "nb").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def css_colour(self) -> str:
        """The colour code when it is a well-formed hex colour (it lands in a style attribute)."""
        return self.hex if HEX_COLOUR.match(self.hex) else ""


def colours_by_product(*, product_ids: Sequence[int]) -> dict[int, list[Colour]]:
    """Each product's distinct active colours, in name order. One query for any number."""
    return {pk: _colours(variants) for pk, variants in _card_variants(product_ids).items()}


def _card_variants(product_ids: Sequence[int]) -> dict[int, list[Variant]]:
    """Each product's active variants, in colour and size order, with only what cards need."""
    rows = (
        Variant.objects.filter(product_id__in=list(product_ids), is_active=True)
        .only(
            "product_id",
            "colour",
            "colour_en",
            "colour_hex",
            "size",
            "search_text",
            "search_code",
            "search_size",
        )
        .order_by("product_id", "colour", "size_position", "size", "pk")
    )
    variants: dict[int, list[Variant]] = {pk: [] for pk in product_ids}
    for variant in rows:
        variants[variant.product_id].append(variant)
    return variants


def _colours(variants: Iterable[Variant]) -> list[Colour]:
    colours: list[Colour] = []
    for variant in variants:
        if not colours or colours[-1].name != variant.colour:  # one swatch per colour name
            colours.append(
                Colour(name=variant.colour, name_en=variant.colour_en, hex=variant.colour_hex)
            )
    return colours


def as_cards(
    products: Iterable[Product], *, query: str = "", entitlement: Entitlement | None = None
) -> list[Product]:
    """The products, each with what its card shows attached: `colours` (list[Colour]),
    `picture` (its first Picture, or the placeholder), `link_query` (the product page's
    colour and size a search named, kvote.catalog.search; "" without) and `kit_mark` (what is
    left of the kit item it counts against, kvote.catalog.entitlements; None outside the kit).
    Two queries for any number."""
    products = list(products)
    ids = [p.pk for p in products]
    variants = _card_variants(ids)
    pictures = product_pictures(product_ids=ids)
    search = Search.parse(query)
    for product in products:
        chosen = chosen_variant(search, product, variant_texts(variants[product.pk]))
        product.colours = _colours(variants[product.pk])  # type: ignore[attr-defined]
        product.link_query = variant_link(chosen)  # type: ignore[attr-defined]
        colour = chosen.get("colour")
        shown = (
            pictures_for_colour(pictures[product.pk], colour) if colour else pictures[product.pk]
        )
        product.picture = shown[0]  # type: ignore[attr-defined]
        product.kit_mark = (  # type: ignore[attr-defined]
            entitlement.mark(product_id=product.pk, category_id=product.category_id)
            if entitlement is not None
            else None
        )
    return products


@dataclass(frozen=True)
class CataloguePage:
    page: Page  # of Product, each annotated (price, is_favourite) and with `colours`, `picture`
    categories: list[Category]
    category: Category | None  # the filter, when the slug names a category
    entitlement: Entitlement | None = None  # whose kit the cards mark
    only_kit: bool = False  # «Bare mitt utstyr»: only the products of that kit


def catalogue_page(
    *,
    actor: User,
    query: str = "",
    category_slug: str = "",
    page_number: int | str | None = 1,
    per_page: int | None = None,
    entitlement: Entitlement | None = None,
    only_kit: bool = False,
) -> CataloguePage:
    """One page of the catalogue's cards, each marked when `entitlement`'s kit holds it, and
    with `only_kit` only those. An unknown category filters nothing; a page number out of range
    gives the nearest page; `only_kit` without a kit filters nothing. Seven queries, whatever
    the number of products."""
    categories = list(category_list())
    category = next((c for c in categories if c.slug == category_slug), None)
    products = product_list(
        actor=actor, query=query, category_slug=category.slug if category else ""
    )
    only_kit = only_kit and entitlement is not None
    if entitlement is not None and only_kit:
        products = products.filter(entitlement.products())
    paginator = Paginator(products, per_page or settings.KVOTE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = as_cards(page.object_list, query=query, entitlement=entitlement)
    return CataloguePage(
        page=page,
        categories=categories,
        category=category,
        entitlement=entitlement,
        only_kit=only_kit,
    )


def favourite_cards(*, actor: User) -> list[Product]:
    """The actor's favourites that are still visible to them, as cards. Four queries."""
    return as_cards(favourite_products(actor=actor))


def access_product(*, actor: User, product_id: int) -> Product:
    """A product the actor's company can see (annotated with price and is_favourite), without
    its variants; NotFound for any other: the tenant's assortment and the product's state are
    checked together."""
    product = visible_products(actor=actor).filter(pk=product_id).first()
    if product is None:
        raise not_found()
    return product


@dataclass(frozen=True)
class SizeChoice:
    size: str
    available: bool  # the chosen colour comes in this size
    stock: StockStatus | None = None  # of the chosen colour in this size (None: not made)


@dataclass(frozen=True)
class Recipient:
    """Someone the product page's line can be for (kvote.people.selectors.recipient_choices),
    with their sizes in the product's size groups (group key → size)."""

    pk: int
    name: str
    number: str
    is_own: bool  # the actor's own employee
    sizes: dict[str, str]


@dataclass(frozen=True)
class SizeNote:
    """What the product page says beside the size picker about the recipient's size for this
    product: picked from their sizes, or theirs but not the one shown (a size asked for in the
    address wins), or not made in the chosen colour; `size` "" when they have none saved."""

    name: str  # the recipient's; "" when the line is the actor's own
    size: str
    picked: bool = False  # the shown size is theirs
    offered: bool = False  # the chosen colour comes in their size


@dataclass(frozen=True)
class ProductPage:
    product: Product
    colours: list[Colour]
    sizes: list[SizeChoice]
    colour: Colour
    variant: Variant
    price: Price  # of the chosen variant: the company's agreed price, or the list price
    totals: Totals
    pictures: list[Picture]  # the gallery: the chosen colour's pictures first
    stock: StockStatus  # of the chosen variant (kvote.catalog.stock)
    size_unavailable: str = ""  # the size asked for, when the chosen colour does not come in it
    recipients: list[Recipient] = field(default_factory=list)  # whom the actor may order for
    recipient: Recipient | None = None  # whom the line is for (None: the cart will ask)
    size_note: SizeNote | None = None
    # Each recipient's size of the chosen colour (recipient id → size), for those with one: the
    # size picker follows a change of recipient by it (kvote/static/kvote/sizes.js).
    recipient_sizes: dict[int, str] = field(default_factory=dict)

    @property
    def recipient_sizes_json(self) -> str:
        return json.dumps({str(pk): size for pk, size in self.recipient_sizes.items()})


def recipients_with_sizes(
    *, actor: User, groups: Collection[str], keep_id: int | None = None
) -> list[Recipient]:
    """Whom the actor may order for (active employees of the company when the role allows, else
    their own employee): the first RECIPIENTS_SHOWN by name, and `keep_id` (the one chosen) and
    the actor's own besides, each with their sizes in `groups` only. One query (and the role's
    own, the first time a request asks it), whatever the number of employees."""
    choices = recipient_choices(actor=actor)
    first = choices.values("pk")[:RECIPIENTS_SHOWN]
    choices = choices.filter(Q(pk__in=first) | Q(pk=keep_id) | Q(user=actor))
    if not groups:
        return [
            Recipient(pk=pk, name=name, number=number, is_own=user_id == actor.pk, sizes={})
            for pk, name, number, user_id in choices.values_list("pk", "name", "number", "user_id")
        ]
    rows = choices.annotate(
        wanted=FilteredRelation("sizes", condition=Q(sizes__group__in=set(groups)))
    ).values_list("pk", "name", "number", "user_id", "wanted__group", "wanted__size")
    recipients: dict[int, Recipient] = {}
    for pk, name, number, user_id, group, size in rows:
        recipient = recipients.get(pk)
        if recipient is None:
            recipient = recipients[pk] = Recipient(
                pk=pk, name=name, number=number, is_own=user_id == actor.pk, sizes={}
            )
        if group is not None:
            recipient.sizes[group] = size
    return list(recipients.values())


def _size_note(
    recipient: Recipient | None, *, sizes: list[str], in_colour: list[str], shown: str
) -> SizeNote | None:
    """What the page says about the recipient's size (SizeNote): nothing for a product of no
    size group, nor when one's own sizes hold none for it."""
    if recipient is None or product_group(sizes) is None:
        return None
    name = "" if recipient.is_own else recipient.name
    wanted = profile_size(recipient.sizes, sizes)
    if wanted is None:
        return SizeNote(name=name, size="") if name else None
    theirs = size_for(recipient.sizes, in_colour)
    return SizeNote(name=name, size=theirs or wanted, picked=theirs == shown, offered=bool(theirs))


def product_page(
    *,
    actor: User,
    product_id: int,
    colour: str = "",
    size: str = "",
    recipient_id: int | None = None,
) -> ProductPage:
    """A visible product with its colour and size pickers, the chosen variant and whom the line
    is for.

    The line is for `recipient_id` when the actor may order for that employee, else for the
    actor's own employee (None without one: the cart asks). A colour that does not exist falls
    back to a colour that comes in the asked-for size, else the first colour. The size is the
    one asked for; without one (or when the colour does not come in it), the recipient's size
    for the product's group when the colour comes in it (kvote.catalog.sizes.size_for), else
    the colour's first size. Five queries (and the role's, the first time a request asks it)."""
    product = product_detail(actor=actor, product_id=product_id)
    variants: list[Variant] = product.active_variants  # type: ignore[attr-defined]
    colours: dict[str, Colour] = {}
    size_order: dict[str, tuple[int, int]] = {}
    for index, variant in enumerate(variants):
        colours.setdefault(
            variant.colour,
            Colour(name=variant.colour, name_en=variant.colour_en, hex=variant.colour_hex),
        )
        position = (variant.size_position, index)
        size_order[variant.size] = min(size_order.get(variant.size, position), position)
    sizes = sorted(size_order, key=lambda s: size_order[s])
    recipients = recipients_with_sizes(
        actor=actor, groups={g for g in map(group_of, sizes) if g is not None}, keep_id=recipient_id
    )
    recipient = next((r for r in recipients if r.pk == recipient_id), None) or next(
        (r for r in recipients if r.is_own), None
    )
    if colour not in colours:
        with_size = [v.colour for v in variants if v.size == size]
        colour = with_size[0] if with_size else variants[0].colour
    in_colour = {v.size: v for v in variants if v.colour == colour}
    colour_sizes = sorted(in_colour, key=lambda s: size_order[s])
    size_unavailable = ""
    if size not in in_colour:
        size_unavailable = size if size in size_order else ""
        picked = size_for(recipient.sizes, colour_sizes) if recipient else None
        size = picked or colour_sizes[0]
    variant = in_colour[size]
    price = variant_prices(company_id=company_id_of(actor), variants=[variant])[variant.pk]
    today = timezone.localdate()
    recipient_sizes = {r.pk: size_for(r.sizes, colour_sizes) for r in recipients}
    return ProductPage(
        product=product,
        colours=list(colours.values()),
        sizes=[
            SizeChoice(
                size=s,
                available=s in in_colour,
                stock=stock_status(in_colour[s], today=today) if s in in_colour else None,
            )
            for s in sizes
        ],
        colour=colours[colour],
        variant=variant,
        price=price,
        totals=Totals.of(price.amount),
        pictures=pictures_for_colour(
            product_pictures(product_ids=[product.pk])[product.pk], colour
        ),
        stock=stock_status(variant, today=today),
        size_unavailable=size_unavailable,
        recipients=recipients,
        recipient=recipient,
        size_note=_size_note(recipient, sizes=sizes, in_colour=colour_sizes, shown=size),
        recipient_sizes={pk: s for pk, s in recipient_sizes.items() if s is not None},
    )
