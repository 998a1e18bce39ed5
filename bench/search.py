"""Catalogue search at 5 000 products (issue 16): the catalogue page's server time for a few
searches, median and p95 over repeated requests with the Django test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvote_search_bench \\
        .venv/bin/python -m bench.search [--runs 40]

The database is created and migrated when missing and filled once (5 000 products of six
variants each, one company, one buyer); later runs reuse it. Run from another checkout (with
PYTHONPATH) to compare code: the data is written with fields every version has.
"""

import argparse
import os
import random
import re
import statistics
import time
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kvote.people.models import User

QUERIES = ("", "jakke", "softshell", "marine xl", "jakke marine xl", "roed m")
PRODUCTS = 5_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvote.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    buyer = _fill()
    client = Client(HTTP_HOST="localhost")
    client.force_login(buyer)
    url = reverse("catalog:list")
    from kvote.catalog.models import Variant

    item = Variant.objects.filter(product__code="BS-01234").order_by("pk")[0].item_number
    print(f"{'query':<20} {'found':>6} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
    for query in (*QUERIES, item, item.replace("-", "").lower()):
        times = []
        for run in range(args.runs + 3):
            start = time.perf_counter()
            response = client.get(url, {"q": query} if query else {})
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, response.status_code
            if run >= 3:  # warm-up
                times.append(elapsed)
        count = re.search(r'id="result-count">\s*([\d\s\xa0]+)', response.content.decode())
        found = int(re.sub(r"\D", "", count.group(1))) if count else -1
        p95 = statistics.quantiles(times, n=20)[-1]
        median = statistics.median(times)
        print(f"{query or '(none)':<20} {found:>6} {median:>10.1f} {p95:>8.1f} {min(times):>8.1f}")


def _fill() -> "User":
    from bench.catalogue import KINDS, LINES, TRADES
    from kvote.catalog.models import Category, Product, Variant
    from kvote.demo.catalogue import COLOURS
    from kvote.people.models import User
    from tests.factories import CompanyFactory, member

    buyer = User.objects.filter(email__endswith="@search.bench.example").first()
    if buyer is not None:
        return buyer
    rng = random.Random(16)
    categories = Category.objects.bulk_create(
        Category(name=no, name_en=en, slug=f"search-{i}", position=i)
        for i, (no, en) in enumerate(KINDS)
    )
    products = []
    for n in range(PRODUCTS):
        kind = rng.randrange(len(KINDS))
        no, en = KINDS[kind]
        line = rng.choice(LINES)
        products.append(
            Product(
                code=f"BS-{n:05d}",
                name=f"{no} {line} {rng.choice(TRADES)} {n}",
                name_en=f"{en} {line} {n}",
                description=f"Slitesterk {no.lower()} for {rng.choice(TRADES).lower()}, "
                "med refleks og mange lommer. Vaskes på 60 grader.",
                description_en=f"Hard-wearing {en.lower()} with reflectors and many pockets.",
                category=categories[kind],
                list_price=Decimal(rng.randrange(99, 2500)),
            )
        )
    products = Product.objects.bulk_create(products, batch_size=1000)
    colours = list(COLOURS.values())
    variants = []
    for product in products:
        for colour in rng.sample(colours, 2):
            for position, size in enumerate(rng.sample(("S", "M", "L", "XL", "XXL"), 3)):
                variants.append(
                    Variant(
                        product=product,
                        item_number=f"{product.code}-{colour.code}-{size}",
                        colour=colour.name,
                        colour_en=colour.name_en,
                        colour_hex=colour.hex,
                        size=size,
                        size_position=position,
                    )
                )
    Variant.objects.bulk_create(variants, batch_size=2000)
    company = CompanyFactory.create(name="Søk AS")
    return member(company, email="kjoper@search.bench.example")


if __name__ == "__main__":
    main()
