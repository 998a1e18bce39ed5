"""What `manage.py seed_demo` creates, checked on one seeded database (see conftest.py)."""

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kvote.catalog.models import AgreedPrice, Category, Product, Variant
from kvote.catalog.selectors import visible_products
from kvote.catalog.stock import StockState, stock_status
from kvote.common.money import round_money
from kvote.companies.models import Company, DeliveryAddress
from kvote.demo import data
from kvote.demo.orders import ORDERERS
from kvote.ordering.models import Order, OrderLine, OrderState, OrderStateChange
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

NORDLYS = "Nordlys Bygg AS"
FJORD = "Fjord Elektro AS"

# email: (company, employee number, budget holder, supervisor, approver, company admin)
ROLES = (Role.BUDGET_HOLDER, Role.SUPERVISOR, Role.APPROVER, Role.COMPANY_ADMIN)
LOGINS = {
    "admin@nordlys.example": (NORDLYS, "1000", False, False, False, True),
    "leder@nordlys.example": (NORDLYS, "1001", False, True, True, False),
    "ansatt1@nordlys.example": (NORDLYS, "1002", True, False, False, False),
    "ansatt2@nordlys.example": (NORDLYS, "1003", True, False, False, False),
    "innkjop@nordlys.example": (NORDLYS, "1005", False, False, False, False),
    "leder@fjord.example": (FJORD, "2001", False, True, True, False),
    "ansatt1@fjord.example": (FJORD, "2002", True, False, False, False),
}


def test_catalogue_has_enough_products_and_variants() -> None:
    assert Product.objects.count() >= 25
    assert Variant.objects.count() >= 150
    assert Category.objects.count() == 6
    assert not Product.objects.filter(variants__isnull=True).exists()
    for variant in Variant.objects.all():
        assert re.fullmatch(r"AAPW-\d{4}-[A-Z]{3}-[A-Z0-9]+", variant.item_number)
        assert re.fullmatch(r"#[0-9a-f]{6}", variant.colour_hex)
        assert variant.colour_en and variant.size_position >= 1
    for product in Product.objects.all():
        assert product.name_en and product.description and product.description_en
        assert Decimal("149.00") <= product.list_price <= Decimal("2499.00")


def test_inactive_product_and_variants_are_hidden_from_the_portal() -> None:
    buyer = User.objects.get(email="innkjop@nordlys.example")
    inactive_product = Product.objects.get(is_active=False)
    visible = set(visible_products(actor=buyer).values_list("pk", flat=True))
    assert inactive_product.pk not in visible
    assert len(visible) == Product.objects.filter(is_active=True).count()
    assert Variant.objects.filter(is_active=False, product__is_active=True).count() >= 2


def test_supplier_staff_login() -> None:
    staff = User.objects.get(email="admin@kvote.example")
    assert staff.is_staff and staff.is_superuser and staff.company is None


@pytest.mark.parametrize("email", LOGINS)
def test_login_has_its_company_roles_and_employee(email: str) -> None:
    company, number, budget_holder, supervisor, approver, admin = LOGINS[email]
    user = User.objects.select_related("company", "employee").get(email=email)
    assert user.company is not None and user.company.name == company
    assert user.employee.number == number
    assert user.employee.company_id == user.company_id
    assert user.employee.name == user.full_name
    assert [roles.has_role(user, role) for role in ROLES] == [
        budget_holder,
        supervisor,
        approver,
        admin,
    ]
    assert not user.is_staff and not user.is_superuser


def test_the_budget_holders_are_exactly_those_the_demo_gives_a_budget() -> None:
    """Budget holder is no flag: the demo's budget holders are the logins whose employee it
    gives a budget (data.BUDGET_HOLDERS), and nobody else."""
    holders = {
        email
        for email, (company, number, *_flags) in LOGINS.items()
        if (Company.objects.get(name=company).org_number, number) in data.BUDGET_HOLDERS
    }
    assert holders == {email for email, row in LOGINS.items() if row[2]}
    users = roles.with_budget_holder(User.objects.exclude(company=None))
    assert {u.email for u in users if roles.is_budget_holder(u)} == holders


def test_companies_and_their_employees() -> None:
    nordlys = Company.objects.get(name=NORDLYS)
    fjord = Company.objects.get(name=FJORD)
    for company in (nordlys, fjord):
        assert re.fullmatch(r"\d{9}", company.org_number) and company.customer_number
        assert not company.restrict_assortment
    numbers = set(Employee.objects.filter(company=nordlys).values_list("number", flat=True))
    assert {str(n) for n in (*range(1000, 1010), *range(1011, 1014))} <= numbers
    assert Employee.objects.get(company=nordlys, number="1004").user is None
    leder = User.objects.get(email="leder@nordlys.example")
    supervised = set(leder.supervised_employees.values_list("number", flat=True))
    assert {"1002", "1003", "1004"} <= supervised
    assert supervised - {"1002", "1003", "1004"}, "more of his people, so lists have content"
    fjord_leder = User.objects.get(email="leder@fjord.example")
    assert set(fjord_leder.supervised_employees.values_list("number", flat=True)) == {"2002"}


def test_employee_number_1010_is_free_for_the_add_employee_check() -> None:
    # The demo check adds employee 1010 to Nordlys: the seed must not take it.
    assert Employee.objects.filter(company__name=NORDLYS).count() >= 13
    assert not Employee.objects.filter(number="1010").exists()
    assert not any(p.number == "1010" for p in data.NORDLYS.people)
    assert not any("1010" in o.recipients for o in ORDERERS)


def test_two_addresses_per_company_one_of_them_default() -> None:
    for company in Company.objects.all():
        addresses = DeliveryAddress.objects.filter(company=company)
        assert addresses.count() == 2
        assert addresses.filter(is_default=True).count() == 1
        for address in addresses:
            assert re.fullmatch(r"\d{4}", address.postal_code) and address.street


def test_nordlys_has_agreed_prices_below_list_price() -> None:
    prices = AgreedPrice.objects.filter(company__name=NORDLYS).select_related("product")
    assert prices.count() >= 8
    for agreed in prices:
        assert agreed.price < agreed.product.list_price


def test_order_history_spans_more_than_a_year_for_both_companies() -> None:
    orders = Order.objects.all()
    assert 40 <= orders.count() <= 60
    now = timezone.now()
    oldest = orders.order_by("placed_at").first()
    newest = orders.order_by("placed_at").last()
    assert oldest is not None and newest is not None
    assert newest.placed_at - oldest.placed_at > timedelta(days=365)
    assert oldest.placed_at > now - timedelta(days=19 * 31)
    assert newest.placed_at < now
    assert {o.company.name for o in orders.select_related("company")} == {NORDLYS, FJORD}
    assert orders.values("placed_by").distinct().count() >= 6
    # Numbers rise with the dates, as they would have.
    assert [o.number for o in orders.order_by("placed_at")] == sorted(o.number for o in orders)
    # Older orders went on through the supplier's states.
    assert orders.filter(state=OrderState.SHIPPED).count() >= 30


def test_orders_have_one_to_four_lines_and_recipients_the_orderer_may_choose() -> None:
    for order in Order.objects.prefetch_related("lines__recipient").select_related("placed_by"):
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 4
        for line in lines:
            assert line.recipient.company_id == order.company_id
            if not roles.may_choose_recipients(order.placed_by):
                assert line.recipient.user_id == order.placed_by_id
    for_1004 = OrderLine.objects.filter(recipient__number="1004", company__name=NORDLYS)
    assert for_1004.filter(order__placed_by__email="innkjop@nordlys.example").exists()


def test_order_totals_add_up_with_25_percent_vat() -> None:
    agreed = {
        (p.company_id, p.product_id): p.price
        for p in AgreedPrice.objects.all()  # the price each company pays
    }
    for order in Order.objects.all():
        lines = OrderLine.objects.filter(order=order).select_related("variant__product")
        assert order.total_excl_vat == lines.aggregate(s=Sum("line_total"))["s"]
        assert order.vat == round_money(order.total_excl_vat * Decimal("0.25"))
        assert order.total_incl_vat == order.total_excl_vat + order.vat
        for line in lines:
            product = line.variant.product
            assert line.unit_price == agreed.get((order.company_id, product.pk), product.list_price)
            assert line.line_total == round_money(line.unit_price * line.quantity)


def test_history_is_dated_with_the_order() -> None:
    for order in Order.objects.prefetch_related("history"):
        history = list(order.history.all())
        assert history[0].from_state == "" and history[0].created_at == order.placed_at
        assert [h.to_state for h in history][-1] == order.state
        times = [h.created_at for h in history]
        assert times == sorted(times) and times[-1] < timezone.now()
    assert OrderStateChange.objects.filter(created_at__gt=timezone.now()).count() == 0


def test_no_carts_are_left_behind() -> None:
    from kvote.checkout.models import Cart, CartLine

    assert not Cart.objects.exists() and not CartLine.objects.exists()


@pytest.mark.parametrize("email", [data.STAFF_EMAIL, *LOGINS])
def test_every_login_logs_in_with_the_demo_password(email: str, client: Client) -> None:
    response = client.post(reverse("login"), {"username": email, "password": "demo1234"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


def test_the_command_prints_the_logins(seeded_demo: str) -> None:
    for email in [data.STAFF_EMAIL, *LOGINS]:
        line = next(line for line in seeded_demo.splitlines() if email in line)
        assert "demo1234" in line
    assert "company admin" in seeded_demo and "budget holder" in seeded_demo


def test_the_catalogue_has_believable_stock_in_every_state() -> None:
    variants = list(Variant.objects.filter(is_active=True, product__is_active=True))
    states = Counter(stock_status(v).state for v in variants)
    assert states[StockState.IN_STOCK] > 0.6 * len(variants)
    assert states[StockState.FEW_LEFT] > 0.05 * len(variants)
    assert states[StockState.OUT_OF_STOCK] > 0.03 * len(variants)
    assert 0 < states[StockState.MADE_TO_ORDER] < 0.1 * len(variants)
    today = timezone.localdate()
    coming = [v.restock_date for v in variants if v.restock_date is not None]
    assert coming and all(today < day <= today + timedelta(weeks=6) for day in coming)
