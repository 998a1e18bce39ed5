"""Kits (issue 17) and size profiles for one scale's people: `add(seed)` (bench.generate calls
it after the history, and on reusing a database finished before kits existed).

Read from the database, not from the generator's memory, so a finished database gets the same
kits as a new one. Per company 2–3 kits of 4–6 items (mixed: a product of a kind, or any product
of a kind's category) from five trade templates; a product item in a company with its own
assortment is a product of the assortment (else the kind's category). Assigned by team (the
team's supervisor picks the kit), to every employee with a budget (every login, the bench team),
every employee of the big company and half of the rest. The bench team's kit also names the
category of the cheapest item (the within-budget submit's and the review cart's, bench/cart.py)
with room for 100 a year, so repeated latency runs stay within it.

Companies' policy for orders over a kit: 75 % approval, 15 % allow, 10 % block (block only where
no load buyer works, so bench/load's buyers never meet a refused line); the big company:
approval. Sizes: half the employees have a size profile (tops; half of those shoes too).
Deterministic: its own random stream of the generator's seed. Written by COPY."""

import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from bench.bulk import Copier, Progress, next_id, sequences_reset
from kvote.catalog.models import (
    AssortmentItem,
    Category,
    EmployeeSize,
    Product,
    SizeGroup,
    Variant,
)
from kvote.companies.models import Company, EntitlementPolicy
from kvote.kits.models import Kit, KitAssignment, KitItem
from kvote.people.models import Employee, User

# (name, items): (kind index in bench.catalogue.KINDS, quantity a year, a product (else the
# kind's category))
TEMPLATES: tuple[tuple[str, tuple[tuple[int, int, bool], ...]], ...] = (
    ("Håndverker", ((3, 3, True), (0, 1, True), (4, 10, False), (6, 2, False), (12, 1, False),
                    (13, 24, False))),
    ("Elektriker", ((2, 3, True), (1, 1, True), (5, 6, False), (7, 1, False), (13, 12, False))),
    ("Sjåfør", ((10, 2, True), (9, 1, False), (4, 8, False), (2, 2, False), (14, 2, False))),
    ("Lager", ((11, 2, True), (8, 2, False), (12, 1, True), (13, 24, False), (6, 2, False))),
    ("Service", ((5, 6, True), (1, 1, False), (2, 3, False), (14, 1, False))),
)  # fmt: skip
BENCH_ROOM = 100  # the bench team's pieces a year of the cheapest item's category
TOPS = ("S", "M", "M", "L", "L", "L", "XL", "XL", "XXL", "3XL")
SHOES = tuple(str(n) for n in range(38, 47))


@dataclass(frozen=True)
class KitCounts:
    kits: int
    kit_items: int
    kit_assignments: int
    employee_sizes: int
    over_entitlement: dict[str, int]

    def as_meta(self) -> dict[str, object]:
        return {
            "kits": self.kits,
            "kit_items": self.kit_items,
            "kit_assignments": self.kit_assignments,
            "employee_sizes": self.employee_sizes,
        }


def present() -> bool:
    """Has this database its kits already (made with them, or given them on reuse)?"""
    return Kit.objects.exists()


def counts() -> KitCounts:
    policies: dict[str, int] = defaultdict(int)
    for policy in Company.objects.values_list("over_entitlement", flat=True):
        policies[policy] += 1
    return KitCounts(
        kits=Kit.objects.count(),
        kit_items=KitItem.objects.count(),
        kit_assignments=KitAssignment.objects.count(),
        employee_sizes=EmployeeSize.objects.count(),
        over_entitlement=dict(sorted(policies.items())),
    )


def add(seed: int, *, supervisor_email: str, load_buyers: list[str]) -> KitCounts:
    """Kits, their assignments, the companies' kit policy and the size profiles (see the
    module's docstring); the database must have none yet. `supervisor_email`: the bench
    supervisor (his team gets the big company's first kit)."""
    rng = random.Random(f"kits-{seed}")
    company_ids = list(Company.objects.order_by("pk").values_list("pk", flat=True))
    big = company_ids[0]
    _policies(rng, company_ids, big, load_buyers)
    kinds = list(
        Category.objects.filter(slug__startswith="bench-")
        .order_by("position")
        .values_list("pk", flat=True)
    )
    products: dict[int, list[int]] = defaultdict(list)  # category → product ids
    for pk, category in Product.objects.order_by("pk").values_list("pk", "category_id"):
        products[category].append(pk)
    own: dict[int, set[int]] = defaultdict(set)  # company → its assortment
    for company, product in AssortmentItem.objects.values_list("company_id", "product_id"):
        own[company].add(product)
    cheapest = (
        Variant.objects.filter(is_active=True, product__is_active=True)
        .order_by("product__list_price", "pk")
        .values_list("product__category_id", flat=True)
        .first()
    )
    kits = Copier(Kit, ("id", "company_id", "name"))
    items = Copier(KitItem, ("id", "company_id", "kit_id", "product_id", "category_id", "quantity"))
    items.before_flush = kits.flush
    kit_id, item_id = next_id(Kit), next_id(KitItem)
    company_kits: dict[int, list[int]] = {}
    item_count = 0
    for company in company_ids:
        chosen = rng.sample(range(len(TEMPLATES)), 3 if company == big else rng.choice((2, 3)))
        company_kits[company] = []
        for n, template in enumerate(chosen):
            name, wanted = TEMPLATES[template]
            kits.write((kit_id, company, name))
            rows: dict[int, tuple[int | None, int | None, int]] = {}  # category → item
            for kind, quantity, as_product in wanted:
                of_kind = kinds[kind]
                offered = [p for p in products[of_kind] if not own[company] or p in own[company]]
                if as_product and offered:
                    rows[of_kind] = (rng.choice(offered), None, quantity)
                else:
                    rows[of_kind] = (None, of_kind, quantity)
            if company == big and n == 0 and cheapest is not None:
                rows[cheapest] = (None, cheapest, BENCH_ROOM)
            for item_product, item_category, quantity in rows.values():
                items.write((item_id, company, kit_id, item_product, item_category, quantity))
                item_id += 1
            item_count += len(rows)
            company_kits[company].append(kit_id)
            kit_id += 1
    items.flush()
    bench_supervisor = User.objects.get(email=supervisor_email).pk
    assignments = _assignments(rng, company_kits, big, bench_supervisor)
    sizes = _sizes(rng)
    sequences_reset(Kit, KitItem, KitAssignment, EmployeeSize)
    with connection.cursor() as cursor:
        for model in (Kit, KitItem, KitAssignment, EmployeeSize, Company):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    found = counts()
    assert (found.kit_items, found.kit_assignments, found.employee_sizes) == (
        item_count,
        assignments,
        sizes,
    )
    return found


def _policies(rng: random.Random, company_ids: list[int], big: int, load_buyers: list[str]) -> None:
    """Company.over_entitlement: approval mostly; block only where no load buyer works."""
    buying = set(
        User.objects.filter(email__in=load_buyers).values_list("company_id", flat=True).distinct()
    )
    chosen: dict[str, list[int]] = defaultdict(list)
    for company in company_ids:
        policy: str
        draw = rng.random()
        if company == big or draw < 0.75:
            policy = EntitlementPolicy.APPROVAL
        elif draw < 0.9:
            policy = EntitlementPolicy.ALLOW
        else:
            policy = EntitlementPolicy.APPROVAL if company in buying else EntitlementPolicy.BLOCK
        chosen[policy].append(company)
    for policy, ids in chosen.items():
        Company.objects.filter(pk__in=ids).update(over_entitlement=policy)


def _assignments(
    rng: random.Random, company_kits: dict[int, list[int]], big: int, bench_supervisor: int
) -> int:
    """One kit per team (its supervisor's pick; the bench team, the big company's first, gets
    the company's first kit) for every employee with a budget, every employee of the big
    company and half of the others. Returns the number of assignments."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT employee_id FROM budgets_budget")
        budgeted = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT id, company_id, supervisor_id FROM people_employee ORDER BY company_id, id"
        )
        employees = cursor.fetchall()
    rows = Copier(KitAssignment, ("id", "company_id", "employee_id", "kit_id"))
    assignment_id = next_id(KitAssignment)
    progress = Progress("kits", len(employees))
    team_kit: dict[tuple[int, int | None], int] = {}
    made = 0
    for employee, company, supervisor in employees:
        progress.step()
        if company != big and employee not in budgeted and rng.random() < 0.5:
            continue
        team = (company, supervisor)
        if team not in team_kit:
            kits = company_kits[company]
            team_kit[team] = kits[0] if supervisor == bench_supervisor else rng.choice(kits)
        rows.write((assignment_id, company, employee, team_kit[team]))
        assignment_id += 1
        made += 1
    rows.flush()
    progress.done()
    return made


def _sizes(rng: random.Random) -> int:
    """Half the employees have a size profile: tops, and half of them shoes too."""
    rows = Copier(EmployeeSize, ("id", "company_id", "employee_id", "group", "size"))
    size_id = next_id(EmployeeSize)
    made = 0
    for employee, company in Employee.objects.order_by("pk").values_list("pk", "company_id"):
        if rng.random() >= 0.5:
            continue
        rows.write((size_id, company, employee, SizeGroup.TOPS.value, rng.choice(TOPS)))
        size_id += 1
        made += 1
        if rng.random() < 0.5:
            rows.write((size_id, company, employee, SizeGroup.SHOES.value, rng.choice(SHOES)))
            size_id += 1
            made += 1
    rows.flush()
    return made
