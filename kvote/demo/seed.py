"""Write the demo (catalogue.py, data.py, orders.py) to the database, keyed by natural keys.

Each writer makes the rows it owns look like the data: it creates what is missing, updates only
what differs, and leaves everything else alone, so a second run changes nothing. `demo_reset`
deletes the demo companies and catalogue so the next seed starts over.

Budgets are set through the budget service as the company admin or the supervisor, after the
order history is placed: so the history's orders are released as before, and the change log
shows who set each budget. The history is placed with the companies' approval rules paused
(orders.py); the orders that await approval (waiting.py) come last, under the rules and the
budgets, and queue the approver's email like any order would.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from kvote.budgets.models import Budget, BudgetChange
from kvote.budgets.services import budget_set
from kvote.catalog.models import AgreedPrice, Category, EmployeeSize, Favourite, Product, Variant
from kvote.catalog.services import employee_sizes_set_many
from kvote.companies.models import Company, DeliveryAddress
from kvote.companies.periods import PeriodKind
from kvote.demo import catalogue, data, sample_import
from kvote.demo.orders import seed_orders
from kvote.demo.picture_store import pictures_seed, wanted_pictures
from kvote.demo.sample_import import sample_files_write
from kvote.demo.waiting import seed_waiting_orders
from kvote.kits.items import KitItemIn
from kvote.kits.models import Kit, KitAssignment
from kvote.kits.services import kit_assign_many, kit_create, kit_text_of, kit_update
from kvote.ordering.models import Order
from kvote.people.models import Employee, User
from kvote.people.roles import STORED_ROLES

M = TypeVar("M", bound=models.Model)

# Products each login has saved as a favourite, so "Favoritter" has something to show.
FAVOURITES = {
    "ansatt1@nordlys.example": ("AAPW-1001", "AAPW-1101", "AAPW-1401"),
    "innkjop@nordlys.example": ("AAPW-1201", "AAPW-1301", "AAPW-1501"),
    "ansatt1@fjord.example": ("AAPW-1302", "AAPW-1503"),
}


@dataclass
class SeedReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: int = 0
    seconds: float = 0.0
    sample_files: list[Path] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def seed_demo(*, reset: bool = False, now: datetime | None = None) -> SeedReport:
    """Create (or bring back) the whole demo in one transaction. `now` (default: the clock)
    dates the order history and picks the current budget period. Raises ServiceError (and
    changes nothing) when a budget holder has a budget that overlaps the demo's."""
    started = time.monotonic()
    now = now or timezone.now()
    report = SeedReport()
    with transaction.atomic():
        if reset:
            report.deleted = demo_reset()
        products = _seed_catalogue(report, today=timezone.localdate(now))
        _seed_pictures(products, report)
        passwords = _Passwords()
        _seed_staff(passwords, report)
        companies = []
        for company_data in data.COMPANIES:
            company = _seed_company(company_data, products, report)
            _seed_people(company, company_data, passwords, report)
            companies.append((company, company_data))
        _seed_favourites(products, report)
        orders = seed_orders(now=now)
        if orders:
            report.created["order"] += orders
        for company, company_data in companies:
            _seed_budgets(company, company_data, timezone.localdate(now), report)
            _seed_kits(company, company_data, report)
            _seed_sizes(company, company_data, report)
        waiting = seed_waiting_orders(now=now)
        if waiting:
            report.created["order"] += waiting
    report.sample_files = sample_files_write(
        base_url=settings.KVOTE_BASE_URL, today=timezone.localdate(now)
    )
    report.seconds = time.monotonic() - started
    return report


def demo_reset() -> int:
    """Delete the demo companies with everything they own, the demo logins and the demo
    catalogue. Raises ProtectedError (and deletes nothing) when orders of another company
    hold demo products."""
    companies = Company.objects.filter(org_number__in=[c.org_number for c in data.COMPANIES])
    deleted = 0
    # Orders first: their placed_by, recipients and variants are protected from deletion.
    deleted += Order.objects.filter(company__in=companies).delete()[0]
    # Budgets (with their change log) before the employees and users they refer to.
    deleted += BudgetChange.objects.filter(company__in=companies).delete()[0]
    deleted += Budget.objects.filter(company__in=companies).delete()[0]
    deleted += User.objects.filter(Q(company__in=companies) | Q(email=data.STAFF_EMAIL)).delete()[0]
    # Everything else a company owns (employees, addresses, prices, carts...) cascades with it.
    deleted += companies.delete()[0]
    # The demo catalogue, and the products (and new category) of the sample file if imported.
    codes = [p.code for p in catalogue.PRODUCTS] + [p.code for p in sample_import.NEW_PRODUCTS]
    deleted += Product.objects.filter(code__in=codes).delete()[0]
    deleted += (
        Category.objects.filter(
            Q(slug__in=[c.slug for c in catalogue.CATEGORIES]) | Q(name=sample_import.NEW_CATEGORY)
        )
        .filter(products__isnull=True)
        .delete()[0]
    )
    return deleted


def _sync(
    model: type[M],
    key: str,
    rows: dict[Any, dict[str, Any]],
    report: SeedReport,
    **scope: Any,
) -> dict[Any, M]:
    """Make the rows of `model` (within `scope`) whose `key` is in `rows` look like `rows`:
    create the missing ones, update the fields that differ, touch nothing else. A few queries,
    whatever the number of rows."""
    manager = model._default_manager
    existing = {getattr(o, key): o for o in manager.filter(**scope, **{f"{key}__in": list(rows)})}
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()
    for natural_key, values in rows.items():
        obj = existing.get(natural_key)
        if obj is None:
            to_create.append(model(**scope, **{key: natural_key}, **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if changed:
            to_update.append(obj)
            changed_fields.update(changed)
    label = model._meta.model_name or ""
    if to_create:
        manager.bulk_create(to_create)
        report.created[label] += len(to_create)
    if to_update:
        now = timezone.now()
        for obj in to_update:
            obj.updated_at = now  # type: ignore[attr-defined]
        manager.bulk_update(to_update, [*sorted(changed_fields), "updated_at"])
        report.updated[label] += len(to_update)
    if not to_create:
        return existing
    return {getattr(o, key): o for o in manager.filter(**scope, **{f"{key}__in": list(rows)})}


def _seed_catalogue(report: SeedReport, *, today: date) -> dict[str, Product]:
    """Categories, products and variants (with their stock, catalogue.stock_of); returns the
    products by code."""
    categories = _sync(
        Category,
        "slug",
        {
            c.slug: {"name": c.name, "name_en": c.name_en, "position": c.position}
            for c in catalogue.CATEGORIES
        },
        report,
    )
    products = _sync(
        Product,
        "code",
        {
            p.code: {
                "name": p.name,
                "name_en": p.name_en,
                "description": p.description,
                "description_en": p.description_en,
                "category_id": categories[p.category].pk,
                "list_price": p.list_price,
                "is_active": p.is_active,
            }
            for p in catalogue.PRODUCTS
        },
        report,
    )
    variants: dict[str, dict[str, Any]] = {}
    for p in catalogue.PRODUCTS:
        for colour_code in p.colours:
            colour = catalogue.COLOURS[colour_code]
            for size in p.sizes:
                variants[p.item_number(colour_code, size)] = {
                    "product_id": products[p.code].pk,
                    "colour": colour.name,
                    "colour_en": colour.name_en,
                    "colour_hex": colour.hex,
                    "size": size,
                    "size_position": catalogue.SIZE_POSITIONS[size],
                    "is_active": (colour_code, size) not in p.inactive_variants,
                    **catalogue.stock_of(p.item_number(colour_code, size), size, today),
                }
    _sync(Variant, "item_number", variants, report)
    return products


def _seed_pictures(products: dict[str, Product], report: SeedReport) -> None:
    """Every demo product's pictures, per colour (kvote.demo.picture_store)."""
    colours = {
        p.code: [
            (c.name, c.name_en, c.hex) for c in (catalogue.COLOURS[code] for code in p.colours)
        ]
        for p in catalogue.PRODUCTS
    }
    created, updated = pictures_seed(wanted_pictures(products, colours))
    if created:
        report.created["productimage"] += created
    if updated:
        report.updated["productimage"] += updated


def _seed_company(
    company_data: data.CompanyData, products: dict[str, Product], report: SeedReport
) -> Company:
    company = _sync(
        Company,
        "org_number",
        {
            company_data.org_number: {
                "name": company_data.name,
                "customer_number": company_data.customer_number,
                "restrict_assortment": False,
                "budget_period": PeriodKind.YEAR,
                "budget_year_start": None,
                "approval_policy": company_data.approval_policy,
                "approval_threshold": company_data.approval_threshold,
                "over_entitlement": company_data.over_entitlement,
                "is_active": True,
            }
        },
        report,
    )[company_data.org_number]
    _sync(
        DeliveryAddress,
        "label",
        {
            a.label: {
                "recipient_name": a.recipient_name,
                "street": a.street,
                "postal_code": a.postal_code,
                "city": a.city,
                "country": "NO",
                "is_default": a.is_default,
                "is_active": True,
            }
            for a in company_data.addresses
        },
        report,
        company_id=company.pk,
    )
    _sync(
        AgreedPrice,
        "product_id",
        {products[code].pk: {"price": price} for code, price in company_data.agreed_prices.items()},
        report,
        company_id=company.pk,
    )
    return company


class _Passwords:
    """Every demo login has the password `demo1234`. It is hashed once per run (hashing is slow
    on purpose), and a login whose hash no longer matches it gets it back."""

    def __init__(self) -> None:
        self._hash = ""
        self._known: dict[str, bool] = {}

    @property
    def hash(self) -> str:
        if not self._hash:
            self._hash = make_password(data.PASSWORD)
        return self._hash

    def is_demo_password(self, encoded: str) -> bool:
        if encoded not in self._known:
            self._known[encoded] = check_password(data.PASSWORD, encoded)
        return self._known[encoded]


def _sync_user(
    email: str, values: dict[str, Any], passwords: _Passwords, report: SeedReport
) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, password=passwords.hash, **values)
        user.save()
        report.created["user"] += 1
        return user
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if not passwords.is_demo_password(user.password):
        user.password = passwords.hash
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
        report.updated["user"] += 1
    return user


def _seed_staff(passwords: _Passwords, report: SeedReport) -> User:
    return _sync_user(
        data.STAFF_EMAIL,
        {
            "full_name": data.STAFF_NAME,
            "company_id": None,
            "is_staff": True,
            "is_superuser": True,
            "is_active": True,
            "language": "nb",
        },
        passwords,
        report,
    )


def _seed_people(
    company: Company, company_data: data.CompanyData, passwords: _Passwords, report: SeedReport
) -> None:
    """The company's logins, then its employees, each linked to their login and supervisor."""
    users = {
        person.email: _sync_user(
            person.email,
            {
                "full_name": person.name,
                "company_id": company.pk,
                "language": person.language,
                **{flag: role in person.roles for role, flag in STORED_ROLES.items()},
                "is_staff": False,
                "is_superuser": False,
                "is_active": True,
            },
            passwords,
            report,
        )
        for person in company_data.logins
    }
    _sync(
        Employee,
        "number",
        {
            person.number: {
                "name": person.name,
                "user_id": users[person.email].pk if person.email else None,
                "supervisor_id": users[person.supervisor].pk if person.supervisor else None,
                "is_active": True,
            }
            for person in company_data.people
        },
        report,
        company_id=company.pk,
    )


def _seed_budgets(
    company: Company, company_data: data.CompanyData, today: date, report: SeedReport
) -> None:
    """The budget holders' budgets for the company's period holding `today`, set as the demo
    says by whom; an amount already right is left alone (no change row)."""
    numbers = [b.number for b in company_data.budgets]
    employees = {e.number: e for e in Employee.objects.filter(company=company, number__in=numbers)}
    setters = {
        u.email: u
        for u in User.objects.filter(
            company=company, email__in=[b.set_by for b in company_data.budgets]
        )
    }
    period = company.budget_period_of(today)
    before = dict(
        Budget.objects.filter(
            employee__in=employees.values(), period_start=period.start, period_end=period.end
        ).values_list("employee_id", "amount")
    )
    for budget in company_data.budgets:
        employee = employees[budget.number]
        budget_set(
            actor=setters[budget.set_by], employee_id=employee.pk, amount=budget.amount, on=today
        )
        if employee.pk not in before:
            report.created["budget"] += 1
        elif before[employee.pk] != budget.amount:
            report.updated["budget"] += 1


def _seed_kits(company: Company, company_data: data.CompanyData, report: SeedReport) -> None:
    """The company's kits as the demo says, made, brought back and assigned by the company
    admin through the kit services, so the change log shows who did it; a kit already right
    and an employee who already has it change nothing."""
    if not company_data.kits:
        return
    admin = User.objects.get(company=company, email=company_data.admin_email)
    existing = {kit.name: kit for kit in Kit.objects.filter(company=company)}
    employees = dict(
        Employee.objects.filter(
            company=company, number__in=[n for kit in company_data.kits for n in kit.employees]
        ).values_list("number", "pk")
    )
    for kit_data in company_data.kits:
        items = [
            KitItemIn(category=code.removeprefix("category:"), quantity=quantity)
            if code.startswith("category:")
            else KitItemIn(product_number=code, quantity=quantity)
            for code, quantity in kit_data.items
        ]
        kit = existing.get(kit_data.name)
        if kit is None:
            kit = kit_create(actor=admin, name=kit_data.name, items=items)
            report.created["kit"] += 1
        else:
            before = kit_text_of(kit.pk)
            kit_update(actor=admin, kit_id=kit.pk, items=items)
            if kit_text_of(kit.pk) != before:
                report.updated["kit"] += 1
        ids = [employees[number] for number in kit_data.employees]
        had = set(
            KitAssignment.objects.filter(employee_id__in=ids).values_list("employee_id", "kit_id")
        )
        kit_assign_many(actor=admin, employee_ids=ids, kit_id=kit.pk)
        for employee_id in ids:
            if (employee_id, kit.pk) in had:
                continue
            if any(e == employee_id for e, _k in had):
                report.updated["kit assignment"] += 1
            else:
                report.created["kit assignment"] += 1


def _seed_sizes(company: Company, company_data: data.CompanyData, report: SeedReport) -> None:
    """Each employee's sizes as the demo says, kept by the company admin through the sizes
    service (a size already right stays; one set by hand in a group the demo names is set
    back)."""
    if not company_data.sizes:
        return
    admin = User.objects.get(company=company, email=company_data.admin_email)
    employees = dict(
        Employee.objects.filter(company=company, number__in=company_data.sizes).values_list(
            "number", "pk"
        )
    )
    before = set(
        EmployeeSize.objects.filter(employee_id__in=employees.values()).values_list(
            "employee_id", "group", "size"
        )
    )
    employee_sizes_set_many(
        actor=admin,
        changes={employees[number]: sizes for number, sizes in company_data.sizes.items()},
    )
    after = set(
        EmployeeSize.objects.filter(employee_id__in=employees.values()).values_list(
            "employee_id", "group", "size"
        )
    )
    kept = {(e, g) for e, g, _s in before}
    for employee_id, group, _size in after - before:
        if (employee_id, group) in kept:
            report.updated["employee size"] += 1
        else:
            report.created["employee size"] += 1


def _seed_favourites(products: dict[str, Product], report: SeedReport) -> None:
    users = User.objects.filter(email__in=FAVOURITES).only("pk", "email", "company_id")
    for user in users:
        for code in FAVOURITES[user.email]:
            _favourite, created = Favourite.objects.get_or_create(
                company_id=user.company_id, user=user, product=products[code]
            )
            if created:
                report.created["favourite"] += 1
