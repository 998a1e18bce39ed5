"""Bulk data for the «Mine ansatte» benchmark: one company, 2 000 employees, a few hundred
variants, ~100 000 orders and 500 000 order lines over three years (COPY, not the ORM)."""

import io
import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from kvote.budgets.models import Budget
from kvote.catalog.models import Category, Product, Variant
from kvote.companies.models import Company
from kvote.people.models import Employee, User

EMPLOYEES = 2000
SUPERVISED = 40
ORDERS = 100_000
LINES = 500_000
YEARS = 3
HEAVY_LINES_LAST_YEAR = 270  # the drill-down employee: ~250 lines counting in the last year
SUPERVISOR_EMAIL = "leder@bench.example"
ADMIN_EMAIL = "admin@bench.example"
COMPANY_NAME = "Bench Bygg AS"
COLOURS = (("Marine", "Navy"), ("Svart", "Black"), ("Grå", "Grey"), ("Oransje", "Orange"))
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
FIRST = ("Ingrid", "Henrik", "Sofie", "Mathias", "Nora", "Lars", "Emma", "Ole", "Ida", "Magnus")
LAST = ("Solberg", "Bakken", "Haugen", "Berg", "Johansen", "Eriksen", "Strand", "Dahl", "Lie")
VAT = Decimal("0.25")
CENT = Decimal("0.01")


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """COPY rows into a table in chunks (tab-separated text; our values hold no tabs)."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor
        buffer = io.StringIO()

        def flush() -> None:
            with raw.copy(sql) as copy:
                copy.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()

        for count, row in enumerate(rows, start=1):
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
            buffer.write("\n")
            if count % 50_000 == 0:
                flush()
        flush()


def _reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def _state(rng: random.Random, age_days: int) -> str:
    if age_days < 14:  # recent orders are still on their way
        return rng.choices(
            ("awaiting_approval", "released", "sent", "confirmed", "shipped", "rejected"),
            (8, 10, 15, 20, 45, 2),
        )[0]
    return rng.choices(("shipped", "rejected", "cancelled", "awaiting_approval"), (90, 5, 4, 1))[0]


def generate(seed: int = 5) -> Company:
    rng = random.Random(seed)
    now = timezone.now()
    company = Company.objects.create(
        name=COMPANY_NAME, org_number="999888777", customer_number="BENCH-1"
    )
    supervisor = User.objects.create_user(
        email=SUPERVISOR_EMAIL,
        password=None,
        full_name="Henrik Leder",
        company=company,
        is_supervisor=True,
        is_approver=True,
        language="en",
    )
    admin = User.objects.create_user(
        email=ADMIN_EMAIL,
        password=None,
        full_name="Ingrid Admin",
        company=company,
        is_company_admin=True,
        language="en",
    )
    buyer = User.objects.create_user(
        email="innkjop@bench.example",
        password=None,
        full_name="Lars Innkjøp",
        company=company,
    )
    orderers = (supervisor.pk, admin.pk, buyer.pk)

    category = Category.objects.create(name="Arbeidsklær", name_en="Workwear", slug="bench")
    products = Product.objects.bulk_create(
        Product(
            code=f"BEN-{p:03d}",
            name=f"Jakke {p}",
            name_en=f"Jacket {p}",
            category=category,
            list_price=Decimal(rng.randrange(99, 1999)),
        )
        for p in range(75)
    )
    variants = Variant.objects.bulk_create(
        Variant(
            product=product,
            item_number=f"{product.code}-{colour[:3].upper()}-{size}",
            colour=colour,
            colour_en=colour_en,
            size=size,
            size_position=i,
        )
        for product in products
        for colour, colour_en in rng.sample(COLOURS, 1)
        for i, size in enumerate(SIZES[:4] if product.pk % 2 else SIZES)
    )
    employees = Employee.objects.bulk_create(
        (
            Employee(
                company=company,
                number=str(10000 + n),
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {n:04d}",
                supervisor=supervisor if n < SUPERVISED else None,
            )
            for n in range(EMPLOYEES)
        ),
        batch_size=1000,
    )
    period = company.budget_period_of(now.date())
    Budget.objects.bulk_create(
        Budget(
            company=company,
            employee=e,
            period_start=period.start,
            period_end=period.end,
            amount=Decimal(rng.choice((3000, 5000, 8000))),
        )
        for e in employees[::2]
    )
    _orders_and_lines(rng, company.pk, now, orderers, employees, variants, products)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return company


def _orders_and_lines(
    rng: random.Random,
    company_id: int,
    now: datetime,
    orderers: tuple[int, ...],
    employees: list[Employee],
    variants: list[Variant],
    products: list[Product],
) -> None:
    price = {p.pk: p.list_price for p in products}
    name = {p.pk: p.name for p in products}
    name_en = {p.pk: p.name_en for p in products}
    heavy = employees[0]  # supervised by the supervisor: the drill-down's employee
    span = YEARS * 365 * 86400
    stamp = now.isoformat()
    orders: list[tuple[object, ...]] = []
    lines: list[tuple[object, ...]] = []
    line_id = 0
    placed_times = sorted(now - timedelta(seconds=rng.randrange(span)) for _ in range(ORDERS))
    recent_orders = sum(1 for t in placed_times if (now - t).days < 365)
    lines_per_order = LINES / ORDERS
    heavy_every = max(1, int(recent_orders * lines_per_order / HEAVY_LINES_LAST_YEAR))
    for order_id, placed_at in enumerate(placed_times, start=1):
        age = (now - placed_at).days
        count = LINES - line_id if order_id == ORDERS else rng.randint(1, 9)
        count = min(count, LINES - line_id - (ORDERS - order_id))
        people = rng.sample(employees, rng.choice((1, 1, 1, 2, 3)))
        total = Decimal(0)
        for _ in range(count):
            line_id += 1
            variant = rng.choice(variants)
            recipient = rng.choice(people)
            if age < 365 and line_id % heavy_every == 0:
                recipient = heavy
            quantity = rng.choice((1, 1, 1, 2, 3, 5))
            unit = price[variant.product_id]
            line_total = unit * quantity
            total += line_total
            lines.append(
                (
                    line_id,
                    stamp,
                    stamp,
                    company_id,
                    order_id,
                    variant.pk,
                    variant.item_number,
                    name[variant.product_id],
                    name_en[variant.product_id],
                    variant.colour,
                    variant.colour_en,
                    variant.size,
                    quantity,
                    unit,
                    line_total,
                    recipient.pk,
                    recipient.name,
                    recipient.number,
                )
            )
        vat = (total * VAT).quantize(CENT)
        orders.append(
            (
                order_id,
                stamp,
                stamp,
                company_id,
                f"B{order_id:07d}",
                _state(rng, age),
                rng.choice(orderers),
                placed_at.isoformat(),
                "",
                f"bench-{order_id}",
                "Bench Bygg AS",
                "Økernveien 145",
                "0580",
                "Oslo",
                "NO",
                "",
                total,
                vat,
                total + vat,
            )
        )
    _copy(
        "ordering_order",
        (
            "id",
            "created_at",
            "updated_at",
            "company_id",
            "number",
            "state",
            "placed_by_id",
            "placed_at",
            "customer_reference",
            "idempotency_key",
            "delivery_name",
            "delivery_street",
            "delivery_postal_code",
            "delivery_city",
            "delivery_country",
            "decision_comment",
            "total_excl_vat",
            "vat",
            "total_incl_vat",
        ),
        orders,
    )
    _copy(
        "ordering_orderline",
        (
            "id",
            "created_at",
            "updated_at",
            "company_id",
            "order_id",
            "variant_id",
            "item_number",
            "product_name",
            "product_name_en",
            "colour",
            "colour_en",
            "size",
            "quantity",
            "unit_price",
            "line_total",
            "recipient_id",
            "recipient_name",
            "recipient_number",
        ),
        lines,
    )
    _reset_sequence("ordering_order")
    _reset_sequence("ordering_orderline")
