"""The storefront with and without pictures (issue 16): `python -m bench.storefront --scale S`.

On the scale's database (bench/data.py), in this process (Django's test Client, DEBUG off), as
the bench's buyer: the catalogue (first page), a catalogue search, a product page and the cart
(ten lines), each timed `runs` times per round, in rounds that take turns between the world as
generated (no pictures) and the same world with pictures: every product gets a picture of its
own and one per colour, all ready (the renditions are named, not drawn: a page only names the
files). The pictures live inside a transaction that is rolled back after its round, so the
world is left as it was; the order of the two states changes every round, so a slow moment of
the machine falls on both.

Goal: the catalogue's, the search's and the product page's p95 with pictures at most 1.10 × their
p95 without (the issue: "no worse than before them"; a tenth for this machine's noise). The
cart is measured and reported beside them (its lines' pictures are new with the issue, and it
is no goal of it). Writes bench/results/storefront-<scale>.json.
"""

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.data import RESULTS, ensure
from bench.latency import _setup
from bench.timing import captured, summary, timed

WARMUPS = 10
GOAL = 1.10
GOAL_PAGES = ("catalogue", "catalogue search", "product page")
CART_LINES = 10


class Rollback(Exception):
    """Leaves a round's pictures behind: the transaction that made them is rolled back."""


def add_pictures() -> int:
    """A ready picture of every product and one of each of its colours; how many."""
    from kvote.catalog.models import ImageStatus, Product, ProductImage, Variant

    def picture(product_id: int, colour: str, position: int) -> ProductImage:
        stem = f"products/renditions/bench/{product_id}-{position}"
        renditions = {
            name: {
                "webp": f"{stem}-{name}.webp",
                "jpeg": f"{stem}-{name}.jpg",
                "width": w,
                "height": w,
            }
            for name, w in (("card", 400), ("page", 800), ("zoom", 1600))
        }
        return ProductImage(
            product_id=product_id,
            colour=colour,
            position=position,
            renditions=renditions,
            status=ImageStatus.READY,
        )

    rows = [picture(pk, "", 0) for pk in Product.objects.values_list("pk", flat=True)]
    colours = Variant.objects.values_list("product_id", "colour").distinct().order_by()
    rows += [picture(pk, colour, 1 + index) for index, (pk, colour) in enumerate(colours)]
    ProductImage.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)


def fill_cart(buyer: Any, item_numbers: list[str]) -> None:
    from kvote.catalog.models import Variant
    from kvote.checkout.models import CartLine
    from kvote.checkout.services import cart_add
    from kvote.people.models import Employee

    CartLine.objects.filter(cart__user=buyer).delete()
    own = Employee.objects.filter(user=buyer).values_list("pk", flat=True).first()
    variants = Variant.objects.filter(item_number__in=item_numbers, is_active=True)
    for variant in list(variants)[:CART_LINES]:
        cart_add(actor=buyer, variant_id=variant.pk, quantity=2, recipient_id=own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "S"))
    parser.add_argument("--runs", type=int, default=40, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    scale = options.scale.upper()
    m = ensure(scale)
    _setup(scale)
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from kvote.catalog.models import ProductImage
    from kvote.people.models import User

    if ProductImage.objects.exists():
        raise RuntimeError("the bench world already has pictures: generate it again")
    buyer = User.objects.get(email=m.buyer_email)
    fill_cart(buyer, m.item_numbers)
    client = Client()
    client.force_login(buyer)
    pages = {
        "catalogue": reverse("catalog:list"),
        "catalogue search": f"{reverse('catalog:list')}?q={m.search_term}",
        "product page": reverse("catalog:product", args=[m.product_id]),
        "cart": reverse("checkout:cart"),
    }
    samples: dict[str, dict[str, list[float]]] = {
        state: {name: [] for name in pages} for state in ("without", "with")
    }
    queries: dict[str, dict[str, int]] = {"without": {}, "with": {}}
    pictures = 0

    def measure(state: str) -> None:
        for name, path in pages.items():

            def call(path: str = path, name: str = name) -> None:
                response = client.get(path)
                if response.status_code != 200:
                    raise AssertionError(f"{name}: {response.status_code}")

            for _ in range(WARMUPS):
                call()
            with captured() as found:
                call()
            queries[state][name] = found.count
            samples[state][name] += timed(call, options.runs)

    for round_number in range(options.rounds):
        order = ("without", "with") if round_number % 2 == 0 else ("with", "without")
        for state in order:
            if state == "without":
                measure(state)
                continue
            try:
                with transaction.atomic():
                    pictures = add_pictures()
                    measure(state)
                    raise Rollback
            except Rollback:
                pass
            # The rolled-back rows leave dead tuples an index still visits: gone, as in a
            # database that never had them.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {ProductImage._meta.db_table}")
        print(f"round {round_number + 1}/{options.rounds} done", flush=True)

    cases = []
    for name in pages:
        without, with_ = summary(samples["without"][name]), summary(samples["with"][name])
        ratio = round(with_["p95"] / max(without["p95"], 0.001), 2)
        cases.append(
            {
                "name": name,
                "path": pages[name],
                "without": without,
                "with": with_,
                "queries": {"without": queries["without"][name], "with": queries["with"][name]},
                "p95_ratio": ratio,
                "median_ratio": round(with_["median"] / max(without["median"], 0.001), 2),
                "met": ratio <= GOAL,
            }
        )
        print(
            f"{name:<18} p95 without {without['p95']:7.1f} ms  with {with_['p95']:7.1f} ms  "
            f"×{ratio}  queries {queries['without'][name]} → {queries['with'][name]}",
            flush=True,
        )
    result = {
        "scale": scale,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "pictures": pictures,
        "runs_per_round": options.runs,
        "rounds": options.rounds,
        "cases": cases,
        "goals": [
            {
                "goal": f"{case['name']}: p95 with pictures ≤ {GOAL}× without",
                "value": f"×{case['p95_ratio']}",
                "met": case["met"],
            }
            for case in cases
            if case["name"] in GOAL_PAGES
        ],
    }
    out = RESULTS / f"storefront-{scale}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {Path(out).relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
