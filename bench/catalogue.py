"""The bench catalogue: 5 000 variants (at S and M) of workwear in 15 kinds, six variants a
product, list prices log-normal around 450 kr; agreed prices for the big company and about 30 %
of the others (40 products at 85 %), and an own assortment (150 products) for about 10 %."""

import random

from bench.bulk import text
from bench.data import Scale
from bench.world import World
from kvote.catalog.models import AgreedPrice, AssortmentItem, Category, Product, Variant
from kvote.demo.catalogue import COLOURS

KINDS = (  # (Norwegian, English): the search term "softshell" finds one kind in 15
    ("Arbeidsjakke", "Work jacket"),
    ("Softshelljakke", "Softshell jacket"),
    ("Arbeidsbukse", "Work trousers"),
    ("Snekkerbukse", "Craftsman trousers"),
    ("T-skjorte", "T-shirt"),
    ("Piquéskjorte", "Polo shirt"),
    ("Genser", "Sweater"),
    ("Fleecejakke", "Fleece jacket"),
    ("Vest", "Vest"),
    ("Regnjakke", "Rain jacket"),
    ("Refleksvest", "Hi-vis vest"),
    ("Kjeledress", "Coverall"),
    ("Vernesko", "Safety shoes"),
    ("Hansker", "Gloves"),
    ("Lue", "Beanie"),
)
LINES = ("Pro", "Flex", "Basic", "Nordic", "Storm", "Core", "Max", "Active")
SIZES = ("XS", "S", "M", "L", "XL", "XXL", "3XL")
TRADES = ("Bygg", "Elektro", "Rør", "Transport", "Service")
SEARCH_TERM = "softshell"


def catalogue(rng: random.Random, scale: Scale, world: World) -> None:
    categories = Category.objects.bulk_create(
        Category(name=no, name_en=en, slug=f"bench-{i}", position=i)
        for i, (no, en) in enumerate(KINDS)
    )
    products: list[Product] = []
    per_product = 6
    for p in range((scale.variants + per_product - 1) // per_product):
        kind = p % len(KINDS)
        line = LINES[(p // len(KINDS)) % len(LINES)]
        no, en = KINDS[kind]
        price = min(2999, max(79, round(rng.lognormvariate(6.1, 0.6))))
        products.append(
            Product(
                code=f"B{p:05d}",
                name=f"{no} {line} {p}",
                name_en=f"{en} {line} {p}",
                description=f"{no} i slitesterk kvalitet.",
                category=categories[kind],
                list_price=price,
            )
        )
    products = Product.objects.bulk_create(products, batch_size=2000)
    colours = list(COLOURS.values())
    variants: list[Variant] = []
    for product in products:
        picked = rng.sample(colours, 2)
        for n in range(per_product):
            if len(variants) == scale.variants:
                break
            colour = picked[n // 3] if product.pk % 2 else picked[0]
            size = SIZES[n % 3 + 2] if product.pk % 2 else SIZES[n]
            variants.append(
                Variant(
                    product=product,
                    item_number=f"{product.code}-{colour.code}-{size}",
                    colour=colour.name,
                    colour_en=colour.name_en,
                    colour_hex=colour.hex,
                    size=size,
                    size_position=SIZES.index(size),
                )
            )
    variants = Variant.objects.bulk_create(variants, batch_size=2000)
    world.prices = {p.pk: int(p.list_price) * 100 for p in products}
    names = {p.pk: (p.name, p.name_en) for p in products}
    for v in variants:
        fields = (v.item_number, *names[v.product_id], v.colour, v.colour_en, v.size)
        world.variants.append((v.pk, v.product_id, "\t".join(map(text, fields))))
    popular = [p for p in products if SEARCH_TERM in p.name.lower()]
    world.product_id = popular[0].pk
    world.search_term = SEARCH_TERM
    world.item_numbers = [v.item_number for v in variants[:: max(1, len(variants) // 60)]][:60]


def prices_and_assortments(rng: random.Random, world: World) -> None:
    product_ids = list(world.prices)
    agreed: list[AgreedPrice] = []
    items: list[AssortmentItem] = []
    variant_index: dict[int, list[int]] = {}
    for i, (_id, product, _text) in enumerate(world.variants):
        variant_index.setdefault(product, []).append(i)
    for c, company in enumerate(world.companies):
        if c == 0 or rng.random() < 0.3:
            chosen = rng.sample(product_ids, min(40, len(product_ids)))
            prices = {p: world.prices[p] * 85 // 100 // 100 * 100 for p in chosen}
            world.agreed[c] = prices
            agreed += [
                AgreedPrice(company=company, product_id=p, price=v // 100)
                for p, v in prices.items()
            ]
        if company.restrict_assortment:
            chosen = rng.sample(product_ids, min(150, len(product_ids)))
            items += [AssortmentItem(company=company, product_id=p) for p in chosen]
            world.assortment[c] = [i for p in chosen for i in variant_index[p]]
    AgreedPrice.objects.bulk_create(agreed, batch_size=5000)
    AssortmentItem.objects.bulk_create(items, batch_size=5000)
