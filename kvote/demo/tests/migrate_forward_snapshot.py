"""A snapshot of the demo's data, for test_migrate_forward.py. Not a test module: the test
copies this file out and runs it in a subprocess against one checkout's code, either the base
commit's tree (before the app re-cut) or the current one, so it imports nothing of Kvote at the
top and finds every model through the app registry (`apps.get_model`), wherever it lives.

    python migrate_forward_snapshot.py ROOT fill-carts
    python migrate_forward_snapshot.py ROOT dump OUT.json --figures DOTTED.PATH [--on YYYY-MM-DD]
        [--budget-holder DOTTED.PATH]

ROOT is the checkout whose `kvote` package must be the one imported (checked, so the old side
can never run the current code by accident). `fill-carts` puts a few carts with lines and
checkout choices in the database (the demo leaves every cart empty); `dump` writes the snapshot
as JSON, sorted and keyed by natural keys (order number, email, employee number), never by id.
"""

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

Snapshot = dict[str, Any]


def setup(root: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvote.settings")
    import django

    django.setup()
    import kvote

    imported_from = Path(kvote.__file__).resolve().parent.parent
    if imported_from != root.resolve():
        sys.exit(f"kvote was imported from {imported_from}, not from {root}: wrong checkout")


def model(label: str, name: str) -> Any:
    from django.apps import apps

    return apps.get_model(label, name)


def cart_label() -> str:
    """Cart and CartLine live in `checkout` after the re-cut (issue 12), in `ordering` before."""
    from django.apps import apps

    return "checkout" if any(c.label == "checkout" for c in apps.get_app_configs()) else "ordering"


def plain(value: Any) -> Any:
    """JSON-ready, and the same text on SQLite and PostgreSQL."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in queryset.values(*fields)]


def keyed(items: list[dict[str, Any]], *key_fields: str, numbered: bool = False) -> Snapshot:
    """{key: row without the key fields}; `numbered` appends #1, #2 … in the given order, for
    rows that have no natural key of their own (an order's lines, a cart's lines)."""
    result: Snapshot = {}
    seen: Counter[str] = Counter()
    for item in items:
        key = "/".join(str(item[f]) for f in key_fields)
        if numbered:
            seen[key] += 1
            key = f"{key}#{seen[key]}"
        if key in result:
            raise SystemExit(f"two rows share the key {key!r}")
        result[key] = {k: v for k, v in item.items() if k not in key_fields}
    return result


# --- fill-carts -------------------------------------------------------------------------------


def fill_carts() -> None:
    """Three carts through plain model writes: a saved address and lines for others (one without
    a recipient), a one-off address and a line for oneself, and checkout choices with no lines."""
    from django.db import transaction

    user_model = model("people", "User")
    employee_model = model("people", "Employee")
    address_model = model("companies", "DeliveryAddress")
    variant_model = model("catalog", "Variant")
    cart_model = model(cart_label(), "Cart")
    line_model = model(cart_label(), "CartLine")

    variants = list(variant_model.objects.filter(is_active=True).order_by("item_number")[:40:8])
    if len(variants) < 4:
        sys.exit("fill-carts: the demo catalogue has too few variants")

    def cart_of(email: str, **choices: Any) -> Any:
        user = user_model.objects.get(email=email)
        return cart_model.objects.create(company_id=user.company_id, user=user, **choices)

    def employee(org_number: str, number: str) -> Any:
        return employee_model.objects.get(company__org_number=org_number, number=number)

    with transaction.atomic():
        buyer = user_model.objects.get(email="innkjop@nordlys.example")
        address = (
            address_model.objects.filter(company_id=buyer.company_id, is_active=True)
            .order_by("-is_default", "label")
            .first()
        )
        cart = cart_of(
            "innkjop@nordlys.example",
            delivery_address=address,
            customer_reference="MF-12 lager",
        )
        nordlys = buyer.company.org_number
        for variant, quantity, recipient in (
            (variants[0], 3, employee(nordlys, "1006")),
            (variants[1], 1, None),
            (variants[2], 12, employee(nordlys, "1002")),
        ):
            line_model.objects.create(
                company_id=cart.company_id,
                cart=cart,
                variant=variant,
                quantity=quantity,
                recipient=recipient,
            )

        holder = user_model.objects.get(email="ansatt1@fjord.example")
        cart = cart_of(
            "ansatt1@fjord.example",
            use_one_off_address=True,
            one_off_name="Kari Nordmann",
            one_off_street="Brygga 7",
            one_off_postal_code="5003",
            one_off_city="Bergen",
            customer_reference="Prosjekt Fjord",
        )
        line_model.objects.create(
            company_id=cart.company_id,
            cart=cart,
            variant=variants[3],
            quantity=2,
            recipient=employee_model.objects.get(user=holder),
        )

        cart_of("leder@nordlys.example", customer_reference="Bare referanse")


# --- dump -------------------------------------------------------------------------------------


def dump(figures_path: str, on: date, budget_holder_path: str | None = None) -> Snapshot:
    from django.apps import apps
    from django.db import connection
    from django.utils.module_loading import import_string

    company_model = model("companies", "Company")
    employee_model = model("people", "Employee")
    user_model = model("people", "User")
    order_model = model("ordering", "Order")
    line_model = model("ordering", "OrderLine")
    change_model = model("ordering", "OrderStateChange")
    budget_model = model("budgets", "Budget")
    budget_change_model = model("budgets", "BudgetChange")
    cart_model = model(cart_label(), "Cart")
    cart_line_model = model(cart_label(), "CartLine")
    delivery_model = model("supplier", "Delivery")
    job_model = model("jobs", "Job")

    snapshot: Snapshot = {
        "meta": {"on": on.isoformat(), "cart_label": cart_label(), "database": connection.vendor}
    }

    snapshot["orders"] = keyed(
        rows(
            order_model.objects.order_by("number"),
            "number",
            "company__org_number",
            "state",
            "placed_by__email",
            "placed_at",
            "customer_reference",
            "idempotency_key",
            "request_fingerprint",
            "delivery_address__label",
            "delivery_name",
            "delivery_street",
            "delivery_postal_code",
            "delivery_city",
            "delivery_country",
            "decided_by__email",
            "decided_at",
            "decision_comment",
            "total_excl_vat",
            "vat",
            "total_incl_vat",
        ),
        "number",
    )
    snapshot["order_lines"] = keyed(
        rows(
            line_model.objects.order_by("order__number", "id"),
            "order__number",
            "variant__item_number",
            "item_number",
            "product_name",
            "colour",
            "size",
            "quantity",
            "unit_price",
            "line_total",
            "recipient__number",
            "recipient_number",
            "recipient_name",
        ),
        "order__number",
        numbered=True,
    )
    snapshot["order_state_changes"] = keyed(
        rows(
            change_model.objects.order_by("order__number", "created_at", "id"),
            "order__number",
            "from_state",
            "to_state",
            "actor__email",
            "comment",
            "created_at",
        ),
        "order__number",
        numbered=True,
    )
    budget_key = ("employee__company__org_number", "employee__number", "period_start")
    snapshot["budgets"] = keyed(
        rows(
            budget_model.objects.order_by(*budget_key),
            *budget_key,
            "company__org_number",
            "period_end",
            "amount",
        ),
        *budget_key,
    )
    snapshot["budget_changes"] = keyed(
        rows(
            budget_change_model.objects.order_by(
                *(f"budget__{f}" for f in budget_key), "created_at", "id"
            ),
            *(f"budget__{f}" for f in budget_key),
            "actor__email",
            "old_amount",
            "new_amount",
            "created_at",
        ),
        *(f"budget__{f}" for f in budget_key),
        numbered=True,
    )
    snapshot["carts"] = keyed(
        rows(
            cart_model.objects.order_by("user__email"),
            "user__email",
            "company__org_number",
            "delivery_address__label",
            "delivery_address__street",
            "use_one_off_address",
            "one_off_name",
            "one_off_street",
            "one_off_postal_code",
            "one_off_city",
            "customer_reference",
            "created_at",
        ),
        "user__email",
    )
    snapshot["cart_lines"] = keyed(
        rows(
            cart_line_model.objects.order_by("cart__user__email", "created_at", "id"),
            "cart__user__email",
            "company__org_number",
            "variant__item_number",
            "quantity",
            "recipient__number",
            "created_at",
        ),
        "cart__user__email",
        numbered=True,
    )
    snapshot["employees"] = keyed(
        rows(
            employee_model.objects.order_by("company__org_number", "number"),
            "company__org_number",
            "number",
            "name",
            "supervisor__email",
            "user__email",
            "is_active",
        ),
        "company__org_number",
        "number",
    )
    user_fields = [
        "email",
        "full_name",
        "company__org_number",
        "is_supervisor",
        "is_approver",
        "is_company_admin",
        "is_staff",
        "is_active",
        "language",
    ]
    if budget_holder_path is None:
        # The base commit's code: budget holder is a flag of the user.
        users = rows(user_model.objects.order_by("email"), *user_fields, "is_budget_holder")
    else:
        # The current code: budget holder is derived (the user's employee has a budget), asked
        # of the rule itself, so equal snapshots prove the same people hold the role.
        is_budget_holder = import_string(budget_holder_path)
        found = user_model.objects.order_by("email")
        users = [
            {**row, "is_budget_holder": is_budget_holder(user)}
            for user, row in zip(found, rows(found, *user_fields), strict=True)
        ]
    snapshot["users"] = keyed(users, "email")

    figures_for_employees = import_string(figures_path)
    figures: Snapshot = {}
    for company in company_model.objects.order_by("org_number"):
        employees = {e.pk: e.number for e in employee_model.objects.filter(company_id=company.pk)}
        found = figures_for_employees(company_id=company.pk, employee_ids=list(employees), on=on)
        for employee_id, f in sorted(found.items(), key=lambda item: employees[item[0]]):
            figures[f"{company.org_number}/{employees[employee_id]}"] = {
                k: plain(v)
                for k, v in {
                    "period_start": f.period.start,
                    "period_end": f.period.end,
                    "amount": f.amount,
                    "spent": f.spent,
                    "pending": f.pending,
                    "remaining": f.remaining,
                }.items()
            }
    snapshot["budget_figures"] = figures

    snapshot["deliveries"] = keyed(
        rows(
            delivery_model.objects.order_by("order__number"),
            "order__number",
            "status",
            "attempts",
            "transport",
            "receipt",
            "done_at",
        ),
        "order__number",
    )
    jobs: Counter[str] = Counter(
        f"{row['kind']}/{row['status']}" for row in job_model.objects.values("kind", "status")
    )
    snapshot["jobs"] = dict(sorted(jobs.items()))

    # Rows per model, by the model's name (Cart is Cart wherever it lives): a table left behind
    # or emptied by a migration shows here even where no section above looks.
    counts: dict[str, list[int]] = defaultdict(list)
    for config in apps.get_app_configs():
        if config.name.startswith("kvote."):
            for m in config.get_models():
                counts[m.__name__].append(m.objects.count())
    snapshot["row_counts"] = {name: sum(n) for name, n in sorted(counts.items())}
    return snapshot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fill-carts")
    dump_parser = sub.add_parser("dump")
    dump_parser.add_argument("out", type=Path)
    dump_parser.add_argument("--figures", required=True)
    dump_parser.add_argument("--on", type=date.fromisoformat)
    # Where the current code answers "is this user a budget holder?" (f(user) -> bool); left
    # out on the base commit's side, which reads the old flag.
    dump_parser.add_argument("--budget-holder")
    args = parser.parse_args()
    setup(args.root)
    if args.command == "fill-carts":
        fill_carts()
        return
    from django.utils import timezone

    snapshot = dump(args.figures, args.on or timezone.localdate(), args.budget_holder)
    args.out.write_text(json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
