"""Running `seed_demo` again: idempotent, restores the demo's own rows, leaves the rest alone;
`--reset` starts over."""

from datetime import datetime

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError
from django.db.models import Max
from django.utils import timezone

from kvote.catalog.models import Product, Variant
from kvote.checkout.models import Cart, CartLine
from kvote.checkout.services import cart_add, checkout_details_save, order_submit
from kvote.companies.models import DeliveryAddress
from kvote.demo import catalogue, data
from kvote.demo.orders import order_plans
from kvote.demo.tests.conftest import run_seed
from kvote.ordering.models import Order
from kvote.people import roles
from kvote.people.models import Employee, User
from kvote.people.roles import Role
from tests.factories import CompanyFactory, DeliveryAddressFactory, member

# Each test starts from the demo seeded once for this module, inside its own savepoint.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

KVOTE_MODELS = [
    m
    for m in apps.get_models()
    if m._meta.app_label
    in {"companies", "people", "catalog", "ordering", "budgets", "approvals", "jobs"}
]


def snapshot() -> dict[str, tuple[int, object]]:
    """Every Kvote table's row count and latest change."""
    result = {}
    for model in KVOTE_MODELS:
        qs = model._default_manager.all()
        stamp = next((f for f in ("updated_at", "created_at") if hasattr(model, f)), None)
        latest = qs.aggregate(m=Max(stamp))["m"] if stamp else None
        result[model._meta.label] = (qs.count(), latest)
    result["passwords"] = (0, sorted(User.objects.values_list("password", flat=True)))
    return result


def test_second_run_changes_nothing() -> None:
    other = CompanyFactory(name="Annen Kunde AS")  # not the demo's: must stay as it is
    member(other, is_supervisor=True)
    DeliveryAddressFactory(company=other)
    before = snapshot()
    output = run_seed()
    assert snapshot() == before
    assert "nothing to change" in output
    assert "admin@nordlys.example" in output  # the logins are printed every time


def test_second_run_brings_changed_demo_rows_back() -> None:
    product = Product.objects.get(code="AAPW-1001")
    Product.objects.filter(pk=product.pk).update(list_price="1.00", name="Renamed")
    user = User.objects.get(email="ansatt1@nordlys.example")
    user.is_approver = True  # not the demo's: put back
    user.set_password("something-else")
    user.save()
    Employee.objects.filter(number="1004", company=user.company).update(supervisor=None)

    output = run_seed()

    product.refresh_from_db()
    user.refresh_from_db()
    assert (str(product.list_price), product.name) == ("1899.00", "Vinterjakke Arktis")
    assert not roles.has_role(user, Role.APPROVER) and check_password("demo1234", user.password)
    assert Employee.objects.get(number="1004", company=user.company).supervisor is not None
    assert "Updated:" in output


def test_reset_starts_over_and_leaves_other_companies_alone() -> None:
    counts = {label: count for label, (count, _latest) in snapshot().items()}
    old_orders = set(Order.objects.values_list("pk", flat=True))
    nordlys = User.objects.get(email="admin@nordlys.example").company
    Employee.objects.create(company=nordlys, number="1099", name="Ekstra Ansatt")
    DeliveryAddress.objects.filter(company=nordlys).update(street="Feil gate 1")
    other = CompanyFactory(name="Annen Kunde AS")
    outsider = member(other, is_supervisor=True)
    address = DeliveryAddressFactory(company=other)

    output = run_seed("--reset")

    assert "Reset: deleted" in output
    counts_after = {label: count for label, (count, _latest) in snapshot().items()}
    outsiders = {"companies.Company": 1, "companies.DeliveryAddress": 1, "people.User": 1}
    outsiders["people.Employee"] = 1
    assert counts_after == {label: n + outsiders.get(label, 0) for label, n in counts.items()}
    assert not Employee.objects.filter(number="1099").exists()
    assert not DeliveryAddress.objects.filter(street="Feil gate 1").exists()
    assert not old_orders & set(Order.objects.values_list("pk", flat=True))
    outsider.refresh_from_db()
    assert outsider.company == other and roles.is_supervisor(outsider)
    assert DeliveryAddress.objects.filter(pk=address.pk).exists()


def test_reset_is_refused_when_another_company_ordered_demo_products() -> None:
    other = CompanyFactory()
    buyer = member(other)
    address = DeliveryAddressFactory(company=other)
    variant = Variant.objects.get(item_number="AAPW-1201-NAV-M")
    cart_add(actor=buyer, variant_id=variant.pk, quantity=1)
    checkout_details_save(actor=buyer, delivery_address_id=address.pk)
    order_submit(actor=buyer, idempotency_key="other-1")
    demo_orders = Order.objects.exclude(company=other).count()

    with pytest.raises(CommandError, match="Nothing was changed"):
        run_seed("--reset")

    assert Order.objects.exclude(company=other).count() == demo_orders
    assert Product.objects.filter(code="AAPW-1201").exists()


def test_a_missing_demo_order_is_placed_without_disturbing_the_users_cart() -> None:
    user = User.objects.get(email="ansatt1@nordlys.example")
    missing = Order.objects.filter(placed_by=user).order_by("placed_at").first()
    assert missing is not None
    key, placed_at = missing.idempotency_key, missing.placed_at
    missing.delete()
    variant = Variant.objects.get(item_number="AAPW-1004-GRY-L")
    cart_add(actor=user, variant_id=variant.pk, quantity=3)
    checkout_details_save(
        actor=user,
        delivery_address_id=None,
        one_off_name="Sofie Haugen",
        one_off_street="Hjemmeveien 1",
        one_off_postal_code="0150",
        one_off_city="Oslo",
        customer_reference="Min egen",
    )

    run_seed()

    again = Order.objects.get(idempotency_key=key, placed_by=user)
    assert again.placed_at == placed_at
    cart = Cart.objects.get(user=user)
    assert list(CartLine.objects.filter(cart=cart).values_list("variant_id", "quantity")) == [
        (variant.pk, 3)
    ]
    assert (cart.use_one_off_address, cart.one_off_street, cart.customer_reference) == (
        True,
        "Hjemmeveien 1",
        "Min egen",
    )


def test_the_order_plan_is_the_same_every_time_and_orderable() -> None:
    now = timezone.make_aware(datetime(2026, 1, 15, 12, 0))
    plans = order_plans(now=now)
    assert plans == order_plans(now=now)
    assert len({p.key for p in plans}) == len(plans)
    active = {
        p.item_number(c, s): (p.is_active and (c, s) not in p.inactive_variants)
        for p in catalogue.PRODUCTS
        for c in p.colours
        for s in p.sizes
    }
    budget_holders = {
        person.email: person.number
        for company in data.COMPANIES
        for person in company.logins
        if (company.org_number, person.number) in data.BUDGET_HOLDERS
    }
    assert len(budget_holders) == 3
    for plan in plans:
        for line in plan.lines:
            assert active[line.item_number]
            if plan.orderer.email in budget_holders:
                assert line.recipient == budget_holders[plan.orderer.email]
